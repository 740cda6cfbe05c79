/*
 * Nhịp — the kiosk's home page screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_HOME_PAGE (nhip_home_page_get_type())
G_DECLARE_FINAL_TYPE(NhipHomePage, nhip_home_page, NHIP, HOME_PAGE, AdwBin)

GtkWidget *nhip_home_page_new(NhipStation *station);

G_END_DECLS
