/*
 * Nhịp — the station kiosk application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NHIP_TYPE_APPLICATION (nhip_application_get_type())
G_DECLARE_FINAL_TYPE(NhipApplication, nhip_application, NHIP, APPLICATION, AdwApplication)

NhipApplication *nhip_application_new(void);
void nhip_application_setup_rendering(void);

G_END_DECLS
