/*
 * Nhịp — screenshots of the kiosk's screens, for the documentation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-window.h"

G_BEGIN_DECLS

extern const gchar *const nhip_screenshot_pages[];

gboolean nhip_screenshot_page_known(const gchar *page);
void nhip_screenshot_run(NhipWindow *window, const gchar *page, const gchar *output);
gboolean nhip_screenshot_save(GtkWidget *widget, const gchar *output, GError **error);

G_END_DECLS
