/*
 * Nhịp — one patient: details, past visits and trend charts of each vital sign.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-codes.h"
#include "nhip-patient-page.h"
#include "nhip-trend-chart.h"
#include "nhip-ui-util.h"
#include "nhip-window.h"

struct _NhipPatientPage {
	AdwBin parent_instance;

	AdwAvatar *avatar;
	GtkLabel *name_label;
	GtkLabel *summary_label;
	GtkLabel *ids_label;
	GtkLabel *warning_label;
	GtkWidget *visit_button;
	GtkWidget *edit_button;
	GtkStack *stack;
	GtkWidget *history_box;
	GtkWidget *charts_box;

	NhipStation *station;
	gint64 patient_id;
	gint64 open_visit_id;
};

G_DEFINE_TYPE(NhipPatientPage, nhip_patient_page, ADW_TYPE_BIN)

static gchar *
patient_diagnoses_text(NhipPatientPage *self, const NhipVisit *visit)
{
	NhipIcd10Catalog *icd10 = nhip_station_get_icd10(self->station);
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; visit->icd_codes != NULL && visit->icd_codes[i] != NULL; i++) {
		const NhipIcd10Entry *entry =
			icd10 != NULL ? nhip_icd10_catalog_lookup(icd10, visit->icd_codes[i])
				      : NULL;
		if (text->len > 0)
			g_string_append(text, "; ");
		g_string_append(text, visit->icd_codes[i]);
		if (entry != NULL)
			g_string_append_printf(text, " %s", entry->name);
	}
	return g_string_free(g_steal_pointer(&text), FALSE);
}

static void
patient_history_clicked(GtkButton *button, gpointer user_data)
{
	NhipPatientPage *self = user_data;
	gint64 visit_id = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(button), "visit-id"));
	nhip_window_open_visit(nhip_window_from_widget(GTK_WIDGET(self)), visit_id);
}

static GtkWidget *
patient_visit_row(NhipPatientPage *self, const NhipVisit *visit, GPtrArray *observations)
{
	GtkWidget *button = gtk_button_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
	GtkWidget *texts = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	g_autofree gchar *date = nhip_ui_format_date(visit->opened_at);
	g_autofree gchar *diagnoses = patient_diagnoses_text(self, visit);
	g_autoptr(GString) vitals = g_string_new(NULL);
	gboolean open = visit->status == NHIP_VISIT_STATUS_OPEN;
	g_autofree gchar *label = NULL;

	for (guint i = 0; observations != NULL && i < observations->len; i++) {
		NhipObservation *obs = g_ptr_array_index(observations, i);
		g_autofree gchar *value = NULL;
		if (obs->visit_id != visit->id)
			continue;
		value = nhip_vital_format(obs->kind, obs->value, obs->value2);
		if (vitals->len > 0)
			g_string_append(vitals, " · ");
		g_string_append_printf(vitals, "%s %s %s", nhip_vital_display_name(obs->kind),
				       value, nhip_vital_display_unit(obs->kind));
	}
	{
		GtkWidget *date_label = nhip_ui_label(date, "queue-time");
		gtk_label_set_wrap(GTK_LABEL(date_label), FALSE);
		gtk_widget_set_valign(date_label, GTK_ALIGN_START);
		gtk_box_append(GTK_BOX(box), date_label);
	}
	gtk_box_append(
		GTK_BOX(texts),
		nhip_ui_label(visit->reason != NULL ? visit->reason : _("Visit"), "row-title"));
	if (diagnoses[0] != '\0')
		gtk_box_append(GTK_BOX(texts), nhip_ui_label(diagnoses, NULL));
	if (vitals->len > 0)
		gtk_box_append(GTK_BOX(texts), nhip_ui_label(vitals->str, "dim-label"));
	gtk_widget_set_hexpand(texts, TRUE);
	gtk_box_append(GTK_BOX(box), texts);
	if (open) {
		GtkWidget *pill = gtk_label_new(_("In progress"));
		gtk_widget_add_css_class(pill, "pill-open");
		gtk_widget_set_valign(pill, GTK_ALIGN_CENTER);
		gtk_box_append(GTK_BOX(box), pill);
	}
	gtk_button_set_child(GTK_BUTTON(button), box);
	gtk_widget_add_css_class(button, "list-button");
	label = g_strdup_printf(_("Visit of %s"), date);
	nhip_ui_set_label(button, label);
	g_object_set_data(G_OBJECT(button), "visit-id", GSIZE_TO_POINTER(visit->id));
	g_signal_connect(button, "clicked", G_CALLBACK(patient_history_clicked), self);
	return button;
}

static void
patient_fill_charts(NhipPatientPage *self, const NhipPatient *patient, GPtrArray *observations)
{
	static const NhipVitalKind kinds[] = {
		NHIP_VITAL_BLOOD_PRESSURE, NHIP_VITAL_PULSE,  NHIP_VITAL_TEMPERATURE,
		NHIP_VITAL_SPO2,	   NHIP_VITAL_WEIGHT, NHIP_VITAL_GLUCOSE,
		NHIP_VITAL_RESP_RATE,	   NHIP_VITAL_HEIGHT,
	};
	gint age = nhip_vital_age_months(patient->birth, NULL);

	nhip_ui_remove_all(self->charts_box);
	for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
		GtkWidget *chart = nhip_trend_chart_new(kinds[k], age, patient->sex);
		for (guint i = 0; i < observations->len; i++) {
			NhipObservation *obs = g_ptr_array_index(observations, i);
			if (obs->kind == kinds[k])
				nhip_trend_chart_add_point(NHIP_TREND_CHART(chart),
							   obs->measured_at, obs->value,
							   obs->value2);
		}
		if (nhip_trend_chart_get_n_points(NHIP_TREND_CHART(chart)) == 0) {
			g_object_ref_sink(chart);
			g_object_unref(chart);
			continue;
		}
		gtk_widget_add_css_class(chart, "card");
		gtk_flow_box_append(GTK_FLOW_BOX(self->charts_box), chart);
	}
	if (gtk_widget_get_first_child(self->charts_box) == NULL)
		gtk_flow_box_append(GTK_FLOW_BOX(self->charts_box),
				    nhip_ui_label(_("No vital signs recorded yet."), "dim-label"));
}

static void
patient_page_refresh(NhipPatientPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(GPtrArray) visits = NULL;
	g_autoptr(GPtrArray) observations = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) ids = g_string_new(NULL);
	g_autofree gchar *summary = NULL;
	g_autofree gchar *today = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	if (store == NULL || self->patient_id == 0)
		return;
	patient = nhip_store_patient_get(store, self->patient_id, &error);
	if (patient == NULL) {
		nhip_window_error(nhip_window_from_widget(GTK_WIDGET(self)),
				  _("The patient could not be read"), error);
		return;
	}
	adw_avatar_set_text(self->avatar, patient->full_name);
	gtk_label_set_text(self->name_label, patient->full_name);
	summary = nhip_ui_patient_summary(patient);
	if (patient->ethnicity != NULL && nhip_codes_ethnicity_name(patient->ethnicity) != NULL) {
		g_autofree gchar *with = g_strdup_printf(
			"%s · %s", summary, nhip_codes_ethnicity_name(patient->ethnicity));
		gtk_label_set_text(self->summary_label, with);
	} else {
		gtk_label_set_text(self->summary_label, summary);
	}
	if (patient->cccd != NULL)
		g_string_append_printf(ids, _("CCCD %s"), patient->cccd);
	if (patient->bhyt != NULL) {
		g_autofree gchar *until = nhip_ui_format_day(patient->bhyt_valid_to);
		if (ids->len > 0)
			g_string_append(ids, " · ");
		g_string_append_printf(ids, _("BHYT %s"), patient->bhyt);
		if (patient->bhyt_valid_to != NULL)
			g_string_append_printf(ids, _(" (valid until %s)"), until);
	}
	if (patient->phone != NULL) {
		if (ids->len > 0)
			g_string_append(ids, " · ");
		g_string_append_printf(ids, _("Phone %s"), patient->phone);
	}
	if (patient->address != NULL) {
		if (ids->len > 0)
			g_string_append(ids, "\n");
		g_string_append(ids, patient->address);
	}
	gtk_label_set_text(self->ids_label, ids->str);
	today = g_date_time_format(now, "%Y-%m-%d");
	if (patient->bhyt != NULL && patient->bhyt_valid_to != NULL &&
	    g_strcmp0(patient->bhyt_valid_to, today) < 0) {
		g_autofree gchar *until = nhip_ui_format_day(patient->bhyt_valid_to);
		g_autofree gchar *warning = g_strdup_printf(
			_("The insurance card expired on %s: ask for the new card"), until);
		gtk_label_set_text(self->warning_label, warning);
		gtk_widget_set_visible(GTK_WIDGET(self->warning_label), TRUE);
	} else {
		gtk_widget_set_visible(GTK_WIDGET(self->warning_label), FALSE);
	}

	visits = nhip_store_visit_list_for_patient(store, self->patient_id, &error);
	observations =
		visits != NULL
			? nhip_store_observation_list_for_patient(store, self->patient_id, &error)
			: NULL;
	if (observations == NULL) {
		nhip_window_error(nhip_window_from_widget(GTK_WIDGET(self)),
				  _("The visit history could not be read"), error);
		return;
	}
	self->open_visit_id = 0;
	nhip_ui_remove_all(self->history_box);
	for (guint i = 0; i < visits->len; i++) {
		NhipVisit *visit = g_ptr_array_index(visits, i);
		if (visit->status == NHIP_VISIT_STATUS_OPEN)
			self->open_visit_id = visit->id;
		gtk_box_append(GTK_BOX(self->history_box),
			       patient_visit_row(self, visit, observations));
	}
	if (visits->len == 0)
		gtk_box_append(GTK_BOX(self->history_box),
			       nhip_ui_label(_("No visits yet."), "dim-label"));
	gtk_button_set_label(GTK_BUTTON(self->visit_button), self->open_visit_id != 0
								     ? _("Continue the visit")
								     : _("Start a visit"));
	patient_fill_charts(self, patient, observations);
}

static gpointer
patient_open_visit_job(NhipStore *store, gpointer data, GError **error)
{
	gint64 patient_id = *(gint64 *)data;
	gint64 id = nhip_store_visit_open(store, patient_id, NULL, error);
	gint64 *result;

	if (id == 0)
		return NULL;
	result = g_new(gint64, 1);
	*result = id;
	return result;
}

static void
patient_visit_opened(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipPatientPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gint64 *visit_id = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));

	gtk_widget_set_sensitive(self->visit_button, TRUE);
	if (window == NULL)
		return;
	if (visit_id == NULL) {
		nhip_window_error(window, _("The visit was not started"), error);
		return;
	}
	nhip_station_notify_changed(self->station);
	nhip_window_toast(window, _("Visit started"));
	nhip_window_open_visit(window, *visit_id);
}

static void
patient_page_visit(NhipPatientPage *self)
{
	gint64 *id;

	if (self->open_visit_id != 0) {
		nhip_window_open_visit(nhip_window_from_widget(GTK_WIDGET(self)),
				       self->open_visit_id);
		return;
	}
	id = g_new(gint64, 1);
	*id = self->patient_id;
	gtk_widget_set_sensitive(self->visit_button, FALSE);
	nhip_station_run(self->station, patient_open_visit_job, id, g_free, g_free,
			 patient_visit_opened, g_object_ref(self));
}

static void
patient_page_edit(NhipPatientPage *self)
{
	nhip_window_edit_patient(nhip_window_from_widget(GTK_WIDGET(self)), self->patient_id);
}

/**
 * nhip_patient_page_load:
 * @self: the patient screen
 * @patient_id: the patient to show
 */
void
nhip_patient_page_load(NhipPatientPage *self, gint64 patient_id)
{
	self->patient_id = patient_id;
	gtk_stack_set_visible_child_name(self->stack, "history");
	patient_page_refresh(self);
}

/**
 * nhip_patient_page_get_patient_id:
 * @self: the patient screen
 *
 * Returns: the patient shown
 */
gint64
nhip_patient_page_get_patient_id(NhipPatientPage *self)
{
	return self->patient_id;
}

/**
 * nhip_patient_page_show_trends:
 * @self: the patient screen
 * @trends: show the charts rather than the list of visits
 */
void
nhip_patient_page_show_trends(NhipPatientPage *self, gboolean trends)
{
	gtk_stack_set_visible_child_name(self->stack, trends ? "trends" : "history");
}

static void
patient_station_changed(NhipStation *station, gpointer user_data)
{
	NhipPatientPage *self = user_data;
	if (gtk_widget_get_mapped(GTK_WIDGET(self)))
		patient_page_refresh(self);
}

static void
patient_page_map(GtkWidget *widget)
{
	GTK_WIDGET_CLASS(nhip_patient_page_parent_class)->map(widget);
	patient_page_refresh(NHIP_PATIENT_PAGE(widget));
}

static void
nhip_patient_page_dispose(GObject *object)
{
	NhipPatientPage *self = NHIP_PATIENT_PAGE(object);

	if (self->station != NULL)
		g_signal_handlers_disconnect_by_data(self->station, self);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_patient_page_parent_class)->dispose(object);
}

static void
nhip_patient_page_class_init(NhipPatientPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = nhip_patient_page_dispose;
	widget_class->map = patient_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-patient-page.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, avatar);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, name_label);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, summary_label);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, ids_label);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, warning_label);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, visit_button);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, edit_button);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, stack);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, history_box);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientPage, charts_box);
	gtk_widget_class_bind_template_callback(widget_class, patient_page_visit);
	gtk_widget_class_bind_template_callback(widget_class, patient_page_edit);
	g_type_ensure(NHIP_TYPE_TREND_CHART);
}

static void
nhip_patient_page_init(NhipPatientPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

/**
 * nhip_patient_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the patient screen
 */
GtkWidget *
nhip_patient_page_new(NhipStation *station)
{
	NhipPatientPage *self = g_object_new(NHIP_TYPE_PATIENT_PAGE, NULL);

	self->station = g_object_ref(station);
	g_signal_connect(station, "changed", G_CALLBACK(patient_station_changed), self);
	return GTK_WIDGET(self);
}
