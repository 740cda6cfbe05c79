/*
 * Nhịp — the kiosk's login page screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_LOGIN_PAGE (nhip_login_page_get_type())
G_DECLARE_FINAL_TYPE(NhipLoginPage, nhip_login_page, NHIP, LOGIN_PAGE, AdwBin)

GtkWidget *nhip_login_page_new(NhipStation *station);
void nhip_login_page_reset(NhipLoginPage *self);

G_END_DECLS
