/*
 * Nhịp — a district doctor's answer, shown on the visit it is about.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "nhip-station.h"
#include "nhip-store-packets.h"

G_BEGIN_DECLS

GtkWidget *nhip_answer_card_new(NhipStation *station, const NhipReply *reply);

G_END_DECLS
