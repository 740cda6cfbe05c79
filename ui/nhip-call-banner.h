/*
 * Nhịp — the kiosk's incoming-call banner: watches the hub for calls a district doctor
 * starts about this station's cases and offers to accept or decline them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_CALL_BANNER (nhip_call_banner_get_type())
G_DECLARE_FINAL_TYPE(NhipCallBanner, nhip_call_banner, NHIP, CALL_BANNER, AdwBin)

GtkWidget *nhip_call_banner_new(NhipStation *station);
void nhip_call_banner_set_watching(NhipCallBanner *self, gboolean watching);

G_END_DECLS
