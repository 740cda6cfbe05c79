/*
 * Nhịp — the kiosk's call screen: a live consultation with the district doctor about the
 * current visit's case (once the case has reached the hub), or one a doctor started.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_CALL_PAGE (nhip_call_page_get_type())
G_DECLARE_FINAL_TYPE(NhipCallPage, nhip_call_page, NHIP, CALL_PAGE, AdwBin)

GtkWidget *nhip_call_page_new(NhipStation *station);
void nhip_call_page_join(NhipCallPage *self, const gchar *descriptor_json);
gboolean nhip_call_page_in_call(NhipCallPage *self);
void nhip_call_page_hang_up(NhipCallPage *self);

G_END_DECLS
