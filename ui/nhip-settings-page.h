/*
 * Nhịp — the kiosk's settings page screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_SETTINGS_PAGE (nhip_settings_page_get_type())
G_DECLARE_FINAL_TYPE(NhipSettingsPage, nhip_settings_page, NHIP, SETTINGS_PAGE, AdwBin)

GtkWidget *nhip_settings_page_new(NhipStation *station);

G_END_DECLS
