/*
 * Nhịp — the first-run setup assistant of the kiosk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_SETUP_ASSISTANT (nhip_setup_assistant_get_type())
G_DECLARE_FINAL_TYPE(NhipSetupAssistant, nhip_setup_assistant, NHIP, SETUP_ASSISTANT, AdwBin)

GtkWidget *nhip_setup_assistant_new(NhipStation *station);
gboolean nhip_setup_assistant_needed(NhipStore *store);

G_END_DECLS
