/*
 * Nhịp — "Ask the district": send a case about a visit and follow the cases sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_ASK_PAGE (nhip_ask_page_get_type())
G_DECLARE_FINAL_TYPE(NhipAskPage, nhip_ask_page, NHIP, ASK_PAGE, AdwBin)

GtkWidget *nhip_ask_page_new(NhipStation *station);
void nhip_ask_page_set_visit(NhipAskPage *self, gint64 visit_id);

G_END_DECLS
