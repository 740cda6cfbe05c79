/*
 * Nhịp — the kiosk window: header, screens, toasts, idle lock and QR scans.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-cccd-qr.h"
#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_WINDOW (nhip_window_get_type())
G_DECLARE_FINAL_TYPE(NhipWindow, nhip_window, NHIP, WINDOW, AdwApplicationWindow)

NhipWindow *nhip_window_new(GtkApplication *application, NhipStation *station, gboolean kiosk);
NhipWindow *nhip_window_from_widget(GtkWidget *widget);
NhipStation *nhip_window_get_station(NhipWindow *self);
void nhip_window_start(NhipWindow *self);
void nhip_window_show_page(NhipWindow *self, const gchar *name);
const gchar *nhip_window_get_page(NhipWindow *self);
GtkWidget *nhip_window_get_page_widget(NhipWindow *self, const gchar *name);
void nhip_window_go_back(NhipWindow *self);
void nhip_window_go_home(NhipWindow *self);
void nhip_window_lock(NhipWindow *self);
void nhip_window_note_activity(NhipWindow *self);
void nhip_window_toast(NhipWindow *self, const gchar *message);
void nhip_window_error(NhipWindow *self, const gchar *what, const GError *error);
void nhip_window_open_patient(NhipWindow *self, gint64 patient_id);
void nhip_window_open_visit(NhipWindow *self, gint64 visit_id);
void nhip_window_ask_district(NhipWindow *self, gint64 visit_id);
void nhip_window_register_patient(NhipWindow *self, const gchar *name_hint, const NhipCccdQr *qr);
void nhip_window_edit_patient(NhipWindow *self, gint64 patient_id);
void nhip_window_handle_scan(NhipWindow *self, const gchar *text);
void nhip_window_allow_close(NhipWindow *self);
void nhip_window_set_devices_enabled(NhipWindow *self, gboolean enabled);

G_END_DECLS
