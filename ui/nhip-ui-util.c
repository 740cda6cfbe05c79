/*
 * Nhịp — small helpers shared by the kiosk's screens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nhip-ui-util.h"

/**
 * nhip_ui_set_label:
 * @widget: a widget
 * @label: its accessible name, read by screen readers and found by UI tests
 */
void
nhip_ui_set_label(GtkWidget *widget, const gchar *label)
{
	gtk_accessible_update_property(GTK_ACCESSIBLE(widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
				       -1);
}

/**
 * nhip_ui_remove_all:
 * @container: a #GtkBox, #GtkListBox, #GtkFlowBox or #GtkGrid
 *
 * Removes every child.
 */
void
nhip_ui_remove_all(GtkWidget *container)
{
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(container)) != NULL) {
		if (GTK_IS_LIST_BOX(container))
			gtk_list_box_remove(GTK_LIST_BOX(container), child);
		else if (GTK_IS_FLOW_BOX(container))
			gtk_flow_box_remove(GTK_FLOW_BOX(container), child);
		else if (GTK_IS_BOX(container))
			gtk_box_remove(GTK_BOX(container), child);
		else if (GTK_IS_GRID(container))
			gtk_grid_remove(GTK_GRID(container), child);
		else
			gtk_widget_unparent(child);
	}
}

/**
 * nhip_ui_format_time:
 * @unix_time: Unix seconds
 *
 * Returns: (transfer full): local time as HH:MM
 */
gchar *
nhip_ui_format_time(gint64 unix_time)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(unix_time);
	return dt != NULL ? g_date_time_format(dt, "%H:%M") : g_strdup("--:--");
}

/**
 * nhip_ui_format_date:
 * @unix_time: Unix seconds
 *
 * Returns: (transfer full): local date as DD/MM/YYYY, the Vietnamese order
 */
gchar *
nhip_ui_format_date(gint64 unix_time)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(unix_time);
	return dt != NULL ? g_date_time_format(dt, "%d/%m/%Y") : g_strdup("");
}

/**
 * nhip_ui_format_day:
 * @iso_date: (nullable): YYYY-MM-DD or YYYY
 *
 * Returns: (transfer full): DD/MM/YYYY, or the year alone
 */
gchar *
nhip_ui_format_day(const gchar *iso_date)
{
	if (iso_date == NULL)
		return g_strdup("");
	if (strlen(iso_date) == 10)
		return g_strdup_printf("%.2s/%.2s/%.4s", iso_date + 8, iso_date + 5, iso_date);
	return g_strdup(iso_date);
}

/**
 * nhip_ui_patient_summary:
 * @patient: a patient
 *
 * Returns: (transfer full): sex, age and birth, e.g. "Female · 39 years · born 27/03/1985"
 */
gchar *
nhip_ui_patient_summary(const NhipPatient *patient)
{
	g_autofree gchar *birth = nhip_ui_format_day(patient->birth);
	gint age = nhip_patient_age_years(patient, NULL);
	const gchar *sex = patient->sex == NHIP_SEX_MALE     ? _("Male")
			   : patient->sex == NHIP_SEX_FEMALE ? _("Female")
							     : _("Sex unknown");

	if (age < 0)
		return g_strdup_printf(_("%s · born %s"), sex, birth);
	return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%s · %d year · born %s",
					   "%s · %d years · born %s", (gulong)age),
			       sex, age, birth);
}

/**
 * nhip_ui_entry_text:
 * @editable: a #GtkEditable
 *
 * Returns: (transfer full) (nullable): its text without surrounding spaces, %NULL if empty
 */
gchar *
nhip_ui_entry_text(GtkWidget *editable)
{
	g_autofree gchar *text =
		g_strstrip(g_strdup(gtk_editable_get_text(GTK_EDITABLE(editable))));
	return text[0] != '\0' ? g_steal_pointer(&text) : NULL;
}

/**
 * nhip_ui_parse_number:
 * @text: (nullable): a number typed by a person, with '.' or ',' as decimal mark
 *
 * Returns: the number, or NAN when @text is not one
 */
gdouble
nhip_ui_parse_number(const gchar *text)
{
	g_autofree gchar *copy = g_strstrip(g_strdup(text != NULL ? text : ""));
	gchar *end = NULL;
	gdouble value;

	if (copy[0] == '\0')
		return NAN;
	g_strdelimit(copy, ",", '.');
	value = g_ascii_strtod(copy, &end);
	if (end == copy || *end != '\0' || isinf(value))
		return NAN;
	return value;
}

/**
 * nhip_ui_label:
 * @text: the text
 * @css_class: (nullable): a style class
 *
 * Returns: (transfer floating): a left-aligned, wrapping label
 */
GtkWidget *
nhip_ui_label(const gchar *text, const gchar *css_class)
{
	GtkWidget *label = gtk_label_new(text);

	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(label), PANGO_WRAP_WORD_CHAR);
	if (css_class != NULL)
		gtk_widget_add_css_class(label, css_class);
	return label;
}
