/*
 * Nhịp — small helpers shared by the kiosk's screens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "nhip-patient.h"

G_BEGIN_DECLS

void nhip_ui_set_label(GtkWidget *widget, const gchar *label);
void nhip_ui_remove_all(GtkWidget *container);
gchar *nhip_ui_format_time(gint64 unix_time) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_ui_format_date(gint64 unix_time) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_ui_format_day(const gchar *iso_date) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_ui_patient_summary(const NhipPatient *patient) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_ui_entry_text(GtkWidget *editable) G_GNUC_WARN_UNUSED_RESULT;
gdouble nhip_ui_parse_number(const gchar *text);
GtkWidget *nhip_ui_label(const gchar *text, const gchar *css_class);

G_END_DECLS
