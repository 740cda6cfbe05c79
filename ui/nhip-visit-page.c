/*
 * Nhịp — the visit: vital signs (live from devices, or by hand), symptoms and notes, the
 * ICD-10 diagnosis, photos, and closing the visit.
 *
 * Everything typed is saved as a draft in the worker thread a moment after the typing
 * stops, when the screen is left, and when the screen locks, so a power cut loses at
 * most the last second of typing. Each reading is stored the moment it is entered or
 * received.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-answer-card.h"
#include "nhip-photo-picker.h"
#include "nhip-ui-util.h"
#include "nhip-visit-page.h"
#include "nhip-vital-ranges.h"
#include "nhip-window.h"

#define DRAFT_DELAY_MS 1200
#define MAX_DIAGNOSES  12
#define PICKER_LIMIT   60
#define THUMB_SIZE     96

struct _NhipVisitPage {
	AdwBin parent_instance;

	GtkStack *mode;
	GtkLabel *patient_label;
	GtkLabel *summary_label;
	GtkLabel *status_label;
	GtkWidget *answers_box;
	GtkLabel *devices_label;
	GtkWidget *vitals_box;
	GtkWidget *manual_title;
	GtkGrid *manual_grid;
	GtkWidget *symptoms_view;
	GtkWidget *notes_view;
	GtkWidget *diagnoses_box;
	GtkWidget *add_diagnosis_button;
	GtkWidget *photos_box;
	GtkWidget *add_photo_button;
	GtkWidget *ask_button;
	GtkLabel *saved_label;
	GtkWidget *close_button;

	GtkLabel *entry_title;
	GtkLabel *entry_hint;
	GtkWidget *entry_value;
	GtkWidget *entry_separator;
	GtkWidget *entry_value2;
	GtkLabel *entry_unit;
	GtkLabel *entry_error;
	GtkWidget *entry_save_button;

	GtkWidget *picker_entry;
	GtkWidget *picker_chapter;
	GtkWidget *picker_scroller;
	GtkWidget *picker_box;

	NhipStation *station;
	gint64 visit_id;
	NhipVisit *visit;
	NhipPatient *patient;
	GPtrArray *codes; /* gchar*, the diagnoses, main first */
	gboolean loading;
	gboolean dirty;
	guint draft_source;
	NhipVitalKind entry_kind;
	GCancellable *cancellable; /* thumbnails of the visit shown */
};

G_DEFINE_TYPE(NhipVisitPage, nhip_visit_page, ADW_TYPE_BIN)

static NhipWindow *
visit_window(NhipVisitPage *self)
{
	return nhip_window_from_widget(GTK_WIDGET(self));
}

static gboolean
visit_is_open(NhipVisitPage *self)
{
	return self->visit != NULL && self->visit->status == NHIP_VISIT_STATUS_OPEN;
}

static gchar *
visit_buffer_text(GtkWidget *view)
{
	GtkTextBuffer *buffer = gtk_text_view_get_buffer(GTK_TEXT_VIEW(view));
	GtkTextIter start, end;

	gtk_text_buffer_get_bounds(buffer, &start, &end);
	return gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
}

/* ----- the draft: symptoms, notes, diagnoses ----- */

typedef struct {
	gint64 visit_id;
	gchar *symptoms;
	gchar *notes;
	GStrv codes;
	gboolean close;
} DraftJob;

static void
draft_job_free(DraftJob *job)
{
	g_free(job->symptoms);
	g_free(job->notes);
	g_strfreev(job->codes);
	g_free(job);
}

static gpointer
draft_job(NhipStore *store, gpointer data, GError **error)
{
	DraftJob *job = data;

	if (!nhip_store_visit_save_draft(store, job->visit_id, job->symptoms, job->notes,
					 (const gchar *const *)job->codes, error))
		return NULL;
	if (job->close && !nhip_store_visit_close(store, job->visit_id,
						  (const gchar *const *)job->codes, NULL, error))
		return NULL;
	return GINT_TO_POINTER(TRUE);
}

static DraftJob *
visit_make_draft(NhipVisitPage *self)
{
	DraftJob *job = g_new0(DraftJob, 1);
	GStrvBuilder *builder = g_strv_builder_new();

	job->visit_id = self->visit_id;
	job->symptoms = visit_buffer_text(self->symptoms_view);
	job->notes = visit_buffer_text(self->notes_view);
	for (guint i = 0; i < self->codes->len; i++)
		g_strv_builder_add(builder, g_ptr_array_index(self->codes, i));
	job->codes = g_strv_builder_end(builder);
	g_strv_builder_unref(builder);
	return job;
}

static void
visit_draft_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipVisitPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *time = g_date_time_format(now, "%H:%M:%S");
	g_autofree gchar *text = NULL;

	if (nhip_worker_run_finish(NHIP_WORKER(source), result, &error) == NULL) {
		NhipWindow *window = visit_window(self);
		gtk_label_set_text(self->saved_label, _("Not saved"));
		if (window != NULL)
			nhip_window_error(window, _("The visit was not saved"), error);
		return;
	}
	text = g_strdup_printf(_("Saved at %s"), time);
	gtk_label_set_text(self->saved_label, text);
}

/**
 * nhip_visit_page_save_now:
 * @self: the visit screen
 *
 * Saves what was typed, if anything changed since the last save.
 */
void
nhip_visit_page_save_now(NhipVisitPage *self)
{
	g_clear_handle_id(&self->draft_source, g_source_remove);
	if (!self->dirty || !visit_is_open(self))
		return;
	self->dirty = FALSE;
	gtk_label_set_text(self->saved_label, _("Saving…"));
	nhip_station_run(self->station, draft_job, visit_make_draft(self),
			 (GDestroyNotify)draft_job_free, NULL, visit_draft_saved,
			 g_object_ref(self));
}

static gboolean
visit_draft_timeout(gpointer user_data)
{
	NhipVisitPage *self = user_data;
	self->draft_source = 0;
	nhip_visit_page_save_now(self);
	return G_SOURCE_REMOVE;
}

static void
visit_mark_dirty(NhipVisitPage *self)
{
	if (self->loading || !visit_is_open(self))
		return;
	self->dirty = TRUE;
	gtk_label_set_text(self->saved_label, _("Changes not saved yet"));
	g_clear_handle_id(&self->draft_source, g_source_remove);
	self->draft_source = g_timeout_add(DRAFT_DELAY_MS, visit_draft_timeout, self);
}

static void
visit_text_changed(GtkTextBuffer *buffer, gpointer user_data)
{
	visit_mark_dirty(user_data);
}

/* ----- vital signs ----- */

static gchar *
visit_source_text(const NhipObservation *obs)
{
	g_autofree gchar *time = nhip_ui_format_time(obs->measured_at);

	if (obs->device_id != NULL)
		return g_strdup_printf(
			_("From %s at %s"),
			obs->device_model != NULL ? obs->device_model : obs->device_id, time);
	return g_strdup_printf(_("Entered by hand at %s"), time);
}

static GtkWidget *
visit_vital_card(NhipVisitPage *self, const NhipObservation *obs, guint n_readings)
{
	GtkWidget *card = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *top = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
	GtkWidget *name = nhip_ui_label(nhip_vital_display_name(obs->kind), "vital-name");
	g_autofree gchar *value = nhip_vital_format(obs->kind, obs->value, obs->value2);
	g_autofree gchar *source = visit_source_text(obs);
	g_autofree gchar *reason = NULL;
	g_autofree gchar *label = NULL;
	GtkWidget *value_label = gtk_label_new(value);
	GtkWidget *unit = gtk_label_new(nhip_vital_display_unit(obs->kind));
	gint age = self->patient != NULL ? nhip_vital_age_months(self->patient->birth, NULL) : -1;
	NhipVitalLevel level = nhip_vital_assess(
		obs->kind, obs->value, obs->value2, age,
		self->patient != NULL ? self->patient->sex : NHIP_SEX_UNKNOWN, &reason);

	gtk_widget_set_hexpand(name, TRUE);
	gtk_widget_set_valign(name, GTK_ALIGN_CENTER);
	gtk_widget_add_css_class(value_label, "vital-value");
	gtk_widget_add_css_class(unit, "vital-unit");
	gtk_widget_set_valign(unit, GTK_ALIGN_END);
	gtk_box_append(GTK_BOX(top), name);
	gtk_box_append(GTK_BOX(top), value_label);
	gtk_box_append(GTK_BOX(top), unit);
	gtk_box_append(GTK_BOX(card), top);
	if (n_readings > 1) {
		g_autofree gchar *more = g_strdup_printf(
			g_dngettext(GETTEXT_PACKAGE, "%s (%u reading in this visit)",
				    "%s (%u readings in this visit)", n_readings),
			source, n_readings);
		gtk_box_append(GTK_BOX(card), nhip_ui_label(more, "vital-source"));
	} else {
		gtk_box_append(GTK_BOX(card), nhip_ui_label(source, "vital-source"));
	}
	if (obs->flags & NHIP_VITAL_FLAG_IMPLAUSIBLE)
		gtk_box_append(GTK_BOX(card),
			       nhip_ui_label(_("Unusual value: measure again to confirm"),
					     "vital-reason"));
	if (reason != NULL)
		gtk_box_append(GTK_BOX(card), nhip_ui_label(reason, "vital-reason"));
	gtk_widget_add_css_class(card, "vital-card");
	if (level == NHIP_VITAL_LEVEL_HIGH)
		gtk_widget_add_css_class(card, "vital-high");
	else if (level == NHIP_VITAL_LEVEL_LOW)
		gtk_widget_add_css_class(card, "vital-low");
	label = g_strdup_printf("%s %s %s%s%s", nhip_vital_display_name(obs->kind), value,
				nhip_vital_display_unit(obs->kind), reason != NULL ? ", " : "",
				reason != NULL ? reason : "");
	gtk_accessible_update_property(GTK_ACCESSIBLE(card), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
				       -1);
	gtk_accessible_update_property(GTK_ACCESSIBLE(card), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
				       source, -1);
	return card;
}

static void
visit_fill_vitals(NhipVisitPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GPtrArray) observations = NULL;
	g_autoptr(GError) error = NULL;
	NhipObservation *latest[NHIP_VITAL_LAST] = { NULL };
	guint counts[NHIP_VITAL_LAST] = { 0 };
	gboolean any = FALSE;

	nhip_ui_remove_all(self->vitals_box);
	observations = nhip_store_observation_list(store, self->visit_id, &error);
	if (observations == NULL) {
		nhip_window_error(visit_window(self), _("The vital signs could not be read"),
				  error);
		return;
	}
	for (guint i = 0; i < observations->len; i++) {
		NhipObservation *obs = g_ptr_array_index(observations, i);
		if (obs->kind <= NHIP_VITAL_UNKNOWN || obs->kind >= NHIP_VITAL_LAST)
			continue;
		latest[obs->kind] = obs;
		counts[obs->kind]++;
	}
	for (guint k = NHIP_VITAL_UNKNOWN + 1; k < NHIP_VITAL_LAST; k++) {
		if (latest[k] == NULL)
			continue;
		gtk_box_append(GTK_BOX(self->vitals_box),
			       visit_vital_card(self, latest[k], counts[k]));
		any = TRUE;
	}
	if (latest[NHIP_VITAL_WEIGHT] != NULL && latest[NHIP_VITAL_HEIGHT] != NULL) {
		g_autofree gchar *bmi = NULL;
		gint age = nhip_vital_age_months(self->patient->birth, NULL);
		NhipVitalLevel level =
			nhip_vital_assess_bmi(latest[NHIP_VITAL_WEIGHT]->value,
					      latest[NHIP_VITAL_HEIGHT]->value, age, &bmi);
		if (bmi != NULL) {
			GtkWidget *label = nhip_ui_label(bmi, level == NHIP_VITAL_LEVEL_NORMAL
								      ? "vital-source"
								      : "vital-reason");
			gtk_box_append(GTK_BOX(self->vitals_box), label);
		}
	}
	if (!any)
		gtk_box_append(GTK_BOX(self->vitals_box),
			       nhip_ui_label(_("No readings yet. Readings from a connected device "
					       "appear here by themselves."),
					     "dim-label"));
}

static void
visit_update_devices(NhipVisitPage *self)
{
	GPtrArray *devices = nhip_station_get_devices(self->station);
	g_autoptr(GString) names = g_string_new(NULL);
	g_autofree gchar *text = NULL;
	guint connected = 0;

	for (guint i = 0; devices != NULL && i < devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(devices, i);
		NhipDeviceState state = nhip_device_get_state(device);
		if (state != NHIP_DEVICE_STATE_CONNECTED && state != NHIP_DEVICE_STATE_READING)
			continue;
		if (names->len > 0)
			g_string_append(names, ", ");
		g_string_append(names, nhip_device_get_display_name(device));
		connected++;
	}
	if (connected == 0)
		text = g_strdup(_("No measuring device is connected: enter readings by hand."));
	else
		text = g_strdup_printf(_("Connected: %s. Readings appear here by themselves."),
				       names->str);
	gtk_label_set_text(self->devices_label, text);
}

static void
visit_devices_changed(NhipStation *station, gpointer user_data)
{
	visit_update_devices(user_data);
}

/* ----- entering a reading by hand ----- */

typedef struct {
	gint64 visit_id;
	NhipVitalKind kind;
	gdouble value;
	gdouble value2;
} ReadingJob;

static gpointer
reading_job(NhipStore *store, gpointer data, GError **error)
{
	ReadingJob *job = data;
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);

	g_ptr_array_add(list, nhip_observation_new(job->kind, job->value, job->value2));
	if (!nhip_store_observations_add(store, job->visit_id, list, error))
		return NULL;
	return nhip_observation_copy(g_ptr_array_index(list, 0));
}

static void
reading_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipVisitPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipObservation) obs =
		nhip_worker_run_finish(NHIP_WORKER(source), result, &error);
	NhipWindow *window = visit_window(self);
	g_autofree gchar *value = NULL;
	g_autofree gchar *message = NULL;

	gtk_widget_set_sensitive(self->entry_save_button, TRUE);
	if (obs == NULL) {
		gtk_label_set_text(self->entry_error, error->message);
		return;
	}
	value = nhip_vital_format(obs->kind, obs->value, obs->value2);
	message = g_strdup_printf(_("Saved: %s %s %s"), nhip_vital_display_name(obs->kind), value,
				  nhip_vital_display_unit(obs->kind));
	gtk_stack_set_visible_child_name(self->mode, "main");
	nhip_station_notify_changed(self->station);
	if (window != NULL)
		nhip_window_toast(window, message);
}

static const gchar *
visit_entry_hint(NhipVitalKind kind)
{
	switch (kind) {
	case NHIP_VITAL_BLOOD_PRESSURE:
		return _("Systolic / diastolic, e.g. 120 / 80");
	case NHIP_VITAL_PULSE:
		return _("Beats per minute, e.g. 76");
	case NHIP_VITAL_SPO2:
		return _("Percent, e.g. 98");
	case NHIP_VITAL_TEMPERATURE:
		return _("Degrees Celsius, e.g. 36.8 (a comma works too)");
	case NHIP_VITAL_WEIGHT:
		return _("Kilograms, e.g. 52.5");
	case NHIP_VITAL_HEIGHT:
		return _("Centimetres, e.g. 158");
	case NHIP_VITAL_GLUCOSE:
		return _("Capillary blood glucose in mmol/L, e.g. 5.6");
	case NHIP_VITAL_RESP_RATE:
		return _("Breaths per minute, counted for a full minute, e.g. 18");
	case NHIP_VITAL_UNKNOWN:
	case NHIP_VITAL_LAST:
	default:
		return "";
	}
}

static void
visit_manual_clicked(GtkButton *button, gpointer user_data)
{
	NhipVisitPage *self = user_data;
	NhipVitalKind kind = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(button), "kind"));
	const NhipVitalInfo *info = nhip_vital_info(kind);
	gboolean two = info != NULL && info->n_values == 2;
	g_autofree gchar *title = g_strdup_printf(_("Enter: %s"), nhip_vital_display_name(kind));

	self->entry_kind = kind;
	gtk_label_set_text(self->entry_title, title);
	gtk_label_set_text(self->entry_hint, visit_entry_hint(kind));
	gtk_label_set_text(self->entry_unit, nhip_vital_display_unit(kind));
	gtk_label_set_text(self->entry_error, "");
	gtk_editable_set_text(GTK_EDITABLE(self->entry_value), "");
	gtk_editable_set_text(GTK_EDITABLE(self->entry_value2), "");
	gtk_widget_set_visible(self->entry_value2, two);
	gtk_widget_set_visible(self->entry_separator, two);
	nhip_ui_set_label(self->entry_value, two ? _("Systolic") : nhip_vital_display_name(kind));
	nhip_ui_set_label(self->entry_value2, _("Diastolic"));
	gtk_stack_set_visible_child_name(self->mode, "entry");
	gtk_widget_grab_focus(self->entry_value);
}

static void
visit_page_entry_changed(NhipVisitPage *self)
{
	gtk_label_set_text(self->entry_error, "");
}

static void
visit_page_entry_cancel(NhipVisitPage *self)
{
	gtk_stack_set_visible_child_name(self->mode, "main");
}

static void
visit_page_entry_save(NhipVisitPage *self)
{
	const NhipVitalInfo *info = nhip_vital_info(self->entry_kind);
	gboolean two = info != NULL && info->n_values == 2;
	g_autofree gchar *text = nhip_ui_entry_text(self->entry_value);
	g_autofree gchar *text2 = nhip_ui_entry_text(self->entry_value2);
	gdouble value = nhip_ui_parse_number(text);
	gdouble value2 = two ? nhip_ui_parse_number(text2) : NAN;
	g_autoptr(GError) error = NULL;
	NhipVitalFlags flags = NHIP_VITAL_FLAG_NONE;
	ReadingJob *job;

	if (!gtk_widget_get_sensitive(self->entry_save_button))
		return;
	if (isnan(value) || (two && isnan(value2))) {
		gtk_label_set_text(self->entry_error, two ? _("Write both numbers, e.g. 120 and 80")
							  : _("Write a number, e.g. 36.8"));
		gtk_widget_grab_focus(isnan(value) ? self->entry_value : self->entry_value2);
		return;
	}
	value = nhip_vital_round(self->entry_kind, value);
	if (two)
		value2 = nhip_vital_round(self->entry_kind, value2);
	if (!nhip_vital_check(self->entry_kind, value, value2, &flags, &error)) {
		gtk_label_set_text(self->entry_error, error->message);
		return;
	}
	job = g_new0(ReadingJob, 1);
	job->visit_id = self->visit_id;
	job->kind = self->entry_kind;
	job->value = value;
	job->value2 = value2;
	gtk_widget_set_sensitive(self->entry_save_button, FALSE);
	nhip_station_run(self->station, reading_job, job, g_free,
			 (GDestroyNotify)nhip_observation_free, reading_saved, g_object_ref(self));
}

static void
visit_build_manual(NhipVisitPage *self)
{
	static const NhipVitalKind kinds[] = {
		NHIP_VITAL_BLOOD_PRESSURE, NHIP_VITAL_PULSE,	 NHIP_VITAL_TEMPERATURE,
		NHIP_VITAL_SPO2,	   NHIP_VITAL_RESP_RATE, NHIP_VITAL_WEIGHT,
		NHIP_VITAL_HEIGHT,	   NHIP_VITAL_GLUCOSE,
	};

	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
		GtkWidget *button = gtk_button_new_with_label(nhip_vital_display_name(kinds[i]));
		g_autofree gchar *label =
			g_strdup_printf(_("Enter %s by hand"), nhip_vital_display_name(kinds[i]));
		nhip_ui_set_label(button, label);
		gtk_widget_add_css_class(button, "manual-button");
		g_object_set_data(G_OBJECT(button), "kind", GINT_TO_POINTER(kinds[i]));
		g_signal_connect(button, "clicked", G_CALLBACK(visit_manual_clicked), self);
		gtk_grid_attach(self->manual_grid, button, (gint)(i % 2), (gint)(i / 2), 1, 1);
	}
}

/* ----- diagnoses ----- */

static void visit_fill_diagnoses(NhipVisitPage *self);

static void
visit_remove_diagnosis(GtkButton *button, gpointer user_data)
{
	NhipVisitPage *self = user_data;
	const gchar *code = g_object_get_data(G_OBJECT(button), "code");

	for (guint i = 0; i < self->codes->len; i++) {
		if (g_strcmp0(g_ptr_array_index(self->codes, i), code) == 0) {
			g_ptr_array_remove_index(self->codes, i);
			break;
		}
	}
	visit_fill_diagnoses(self);
	visit_mark_dirty(self);
	nhip_visit_page_save_now(self);
}

static void
visit_fill_diagnoses(NhipVisitPage *self)
{
	NhipIcd10Catalog *icd10 = nhip_station_get_icd10(self->station);
	gboolean open = visit_is_open(self);

	nhip_ui_remove_all(self->diagnoses_box);
	for (guint i = 0; i < self->codes->len; i++) {
		const gchar *code = g_ptr_array_index(self->codes, i);
		const NhipIcd10Entry *entry = nhip_icd10_catalog_lookup(icd10, code);
		GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
		g_autofree gchar *text = g_strdup_printf(
			"%s%s %s", i == 0 ? _("Main: ") : "", code,
			entry != NULL ? entry->name : _("(not in the station's list)"));
		GtkWidget *label = nhip_ui_label(text, NULL);

		gtk_widget_set_hexpand(label, TRUE);
		gtk_box_append(GTK_BOX(row), label);
		if (open) {
			GtkWidget *remove = gtk_button_new_from_icon_name("user-trash-symbolic");
			g_autofree gchar *name = g_strdup_printf(_("Remove diagnosis %s"), code);
			nhip_ui_set_label(remove, name);
			gtk_widget_add_css_class(remove, "flat");
			gtk_widget_add_css_class(remove, "touch-icon");
			g_object_set_data_full(G_OBJECT(remove), "code", g_strdup(code), g_free);
			g_signal_connect(remove, "clicked", G_CALLBACK(visit_remove_diagnosis),
					 self);
			gtk_box_append(GTK_BOX(row), remove);
		}
		gtk_widget_add_css_class(row, "diagnosis-row");
		gtk_box_append(GTK_BOX(self->diagnoses_box), row);
	}
	if (self->codes->len == 0)
		gtk_box_append(GTK_BOX(self->diagnoses_box),
			       nhip_ui_label(_("No diagnosis yet."), "dim-label"));
	gtk_widget_set_sensitive(self->add_diagnosis_button, self->codes->len < MAX_DIAGNOSES);
}

static void
visit_picker_chosen(GtkButton *button, gpointer user_data)
{
	NhipVisitPage *self = user_data;
	const gchar *code = g_object_get_data(G_OBJECT(button), "code");
	g_autofree gchar *message = NULL;

	for (guint i = 0; i < self->codes->len; i++) {
		if (g_strcmp0(g_ptr_array_index(self->codes, i), code) == 0) {
			gtk_stack_set_visible_child_name(self->mode, "main");
			return;
		}
	}
	if (self->codes->len >= MAX_DIAGNOSES) {
		nhip_window_toast(visit_window(self),
				  _("A visit takes at most 12 diagnoses; remove one first"));
		return;
	}
	g_ptr_array_add(self->codes, g_strdup(code));
	visit_fill_diagnoses(self);
	visit_mark_dirty(self);
	nhip_visit_page_save_now(self);
	gtk_stack_set_visible_child_name(self->mode, "main");
	message = g_strdup_printf(_("Diagnosis %s added"), code);
	nhip_window_toast(visit_window(self), message);
}

static void
visit_page_picker_changed(NhipVisitPage *self)
{
	NhipIcd10Catalog *icd10 = nhip_station_get_icd10(self->station);
	guint chapter_index = gtk_drop_down_get_selected(GTK_DROP_DOWN(self->picker_chapter));
	GPtrArray *chapters = nhip_icd10_catalog_get_chapters(icd10);
	const NhipIcd10Chapter *chapter = chapter_index > 0 && chapter_index <= chapters->len
						  ? g_ptr_array_index(chapters, chapter_index - 1)
						  : NULL;
	g_autoptr(GPtrArray) found = nhip_icd10_catalog_search(
		icd10, gtk_editable_get_text(GTK_EDITABLE(self->picker_entry)), chapter,
		PICKER_LIMIT);

	nhip_ui_remove_all(self->picker_box);
	for (guint i = 0; i < found->len; i++) {
		const NhipIcd10Entry *entry = g_ptr_array_index(found, i);
		GtkWidget *button = gtk_button_new();
		GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
		GtkWidget *code = gtk_label_new(entry->code);
		GtkWidget *name = nhip_ui_label(entry->name, NULL);
		g_autofree gchar *label = g_strdup_printf("%s %s", entry->code, entry->name);

		gtk_widget_add_css_class(code, "icd-code");
		gtk_widget_set_size_request(code, 72, -1);
		gtk_label_set_xalign(GTK_LABEL(code), 0);
		gtk_widget_set_hexpand(name, TRUE);
		gtk_box_append(GTK_BOX(box), code);
		gtk_box_append(GTK_BOX(box), name);
		gtk_button_set_child(GTK_BUTTON(button), box);
		gtk_widget_add_css_class(button, "list-button");
		nhip_ui_set_label(button, label);
		g_object_set_data_full(G_OBJECT(button), "code", g_strdup(entry->code), g_free);
		g_signal_connect(button, "clicked", G_CALLBACK(visit_picker_chosen), self);
		gtk_box_append(GTK_BOX(self->picker_box), button);
	}
	if (found->len == 0)
		gtk_box_append(GTK_BOX(self->picker_box),
			       nhip_ui_label(_("Nothing found. Try fewer words, or the code."),
					     "dim-label"));
	gtk_adjustment_set_value(
		gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(self->picker_scroller)), 0);
}

/**
 * nhip_visit_page_show_picker:
 * @self: the visit screen
 * @query: (nullable): text to search for at once
 *
 * Shows the ICD-10 picker.
 */
void
nhip_visit_page_show_picker(NhipVisitPage *self, const gchar *query)
{
	gtk_drop_down_set_selected(GTK_DROP_DOWN(self->picker_chapter), 0);
	gtk_editable_set_text(GTK_EDITABLE(self->picker_entry), query != NULL ? query : "");
	visit_page_picker_changed(self);
	gtk_stack_set_visible_child_name(self->mode, "picker");
	gtk_widget_grab_focus(self->picker_entry);
}

static void
visit_page_add_diagnosis(NhipVisitPage *self)
{
	nhip_visit_page_show_picker(self, NULL);
}

static void
visit_page_picker_done(NhipVisitPage *self)
{
	gtk_stack_set_visible_child_name(self->mode, "main");
}

static void
visit_fill_chapters(NhipVisitPage *self)
{
	NhipIcd10Catalog *icd10 = nhip_station_get_icd10(self->station);
	g_autoptr(GtkStringList) names = gtk_string_list_new(NULL);
	GPtrArray *chapters;

	if (icd10 == NULL || gtk_drop_down_get_model(GTK_DROP_DOWN(self->picker_chapter)) != NULL)
		return;
	chapters = nhip_icd10_catalog_get_chapters(icd10);
	gtk_string_list_append(names, _("All chapters"));
	for (guint i = 0; i < chapters->len; i++) {
		NhipIcd10Chapter *chapter = g_ptr_array_index(chapters, i);
		g_autofree gchar *name = g_strdup_printf("%s. %s", chapter->number, chapter->name);
		gtk_string_list_append(names, name);
	}
	gtk_drop_down_set_model(GTK_DROP_DOWN(self->picker_chapter), G_LIST_MODEL(names));
}

/* ----- photos ----- */

static void
visit_thumbnail_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	const gchar *path = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) pixbuf =
		gdk_pixbuf_new_from_file_at_scale(path, THUMB_SIZE, THUMB_SIZE, TRUE, &error);

	if (pixbuf == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_pointer(task, gdk_texture_new_for_pixbuf(pixbuf), g_object_unref);
}

static void
visit_thumbnail_loaded(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GtkPicture *picture = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkTexture) texture = g_task_propagate_pointer(G_TASK(result), &error);

	if (texture != NULL)
		gtk_picture_set_paintable(picture, GDK_PAINTABLE(texture));
	else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_message("cannot show a photo: %s", error->message);
	g_object_unref(picture);
}

static void
visit_fill_photos(NhipVisitPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GPtrArray) photos = NULL;
	g_autoptr(GError) error = NULL;

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	nhip_ui_remove_all(self->photos_box);
	photos = nhip_store_attachment_list(store, self->visit_id, &error);
	if (photos == NULL) {
		nhip_window_error(visit_window(self), _("The photos could not be listed"), error);
		return;
	}
	for (guint i = 0; i < photos->len; i++) {
		g_autofree gchar *path =
			nhip_store_attachment_path(store, g_ptr_array_index(photos, i));
		GtkWidget *picture = gtk_picture_new();
		g_autoptr(GTask) task = NULL;
		g_autofree gchar *label = g_strdup_printf(_("Photo %u"), i + 1);

		gtk_widget_set_size_request(picture, THUMB_SIZE, THUMB_SIZE);
		gtk_widget_add_css_class(picture, "thumbnail");
		nhip_ui_set_label(picture, label);
		gtk_flow_box_append(GTK_FLOW_BOX(self->photos_box), picture);
		/* decoding a camera photo takes longer than a frame: do it in a thread */
		task = g_task_new(NULL, self->cancellable, visit_thumbnail_loaded,
				  g_object_ref(picture));
		g_task_set_task_data(task, g_steal_pointer(&path), g_free);
		g_task_run_in_thread(task, visit_thumbnail_thread);
	}
}

typedef struct {
	gint64 visit_id;
	gchar *path;
	gchar *mime_type;
} PhotoJob;

static void
photo_job_free(PhotoJob *job)
{
	g_free(job->path);
	g_free(job->mime_type);
	g_free(job);
}

/* the picker has checked the file: a JPEG or PNG by its first bytes, outside the
 * station's data, at most NHIP_PHOTO_MAX_FILE_SIZE */
static gpointer
photo_job(NhipStore *store, gpointer data, GError **error)
{
	PhotoJob *job = data;
	return nhip_store_attachment_add(store, job->visit_id, job->path, job->mime_type, error);
}

static void
photo_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipVisitPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sha = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);
	NhipWindow *window = visit_window(self);

	gtk_widget_set_sensitive(self->add_photo_button, visit_is_open(self));
	if (window == NULL)
		return;
	if (sha == NULL) {
		nhip_window_error(window, _("The photo was not attached"), error);
		return;
	}
	nhip_window_toast(window, _("Photo attached"));
	nhip_station_notify_changed(self->station);
}

static void
visit_photo_chosen(NhipPhotoPicker *picker,
		   const gchar *path,
		   const gchar *mime_type,
		   gpointer user_data)
{
	NhipVisitPage *self = user_data;
	PhotoJob *job = g_new0(PhotoJob, 1);

	job->visit_id = self->visit_id;
	job->path = g_strdup(path);
	job->mime_type = g_strdup(mime_type);
	gtk_widget_set_sensitive(self->add_photo_button, FALSE);
	nhip_station_run(self->station, photo_job, job, (GDestroyNotify)photo_job_free, g_free,
			 photo_saved, g_object_ref(self));
}

static void
visit_page_add_photo(NhipVisitPage *self)
{
	NhipPhotoPicker *picker = nhip_photo_picker_new(GTK_WIDGET(self), self->station,
							_("Attach a photo"), _("_Attach"));

	g_signal_connect_object(picker, "photo-chosen", G_CALLBACK(visit_photo_chosen), self, 0);
}

/* ----- closing ----- */

static void
visit_closed(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipVisitPage) self = user_data;
	g_autoptr(GError) error = NULL;
	NhipWindow *window = visit_window(self);
	g_autofree gchar *message = NULL;

	gtk_widget_set_sensitive(self->close_button, TRUE);
	if (nhip_worker_run_finish(NHIP_WORKER(source), result, &error) == NULL) {
		if (window != NULL)
			nhip_window_error(window, _("The visit was not closed"), error);
		return;
	}
	message = g_strdup_printf(_("The visit of %s is closed"), self->visit->patient_name);
	nhip_station_notify_changed(self->station);
	if (window == NULL)
		return;
	nhip_window_toast(window, message);
	nhip_window_go_home(window);
}

static void
visit_close_response(AdwMessageDialog *dialog, const gchar *response, gpointer user_data)
{
	g_autoptr(NhipVisitPage) self = user_data;
	DraftJob *job;

	if (g_strcmp0(response, "close") != 0 || !visit_is_open(self))
		return;
	/* readings from now on wait for the next visit */
	nhip_station_set_current_visit(self->station, 0);
	g_clear_handle_id(&self->draft_source, g_source_remove);
	self->dirty = FALSE;
	job = visit_make_draft(self);
	job->close = TRUE;
	gtk_widget_set_sensitive(self->close_button, FALSE);
	nhip_station_run(self->station, draft_job, job, (GDestroyNotify)draft_job_free, NULL,
			 visit_closed, g_object_ref(self));
}

static void
visit_page_close(NhipVisitPage *self)
{
	GtkWidget *dialog;
	g_autoptr(GString) body = g_string_new(NULL);

	if (!visit_is_open(self))
		return;
	if (self->codes->len == 0) {
		nhip_window_toast(visit_window(self),
				  _("Add at least one diagnosis before closing the visit"));
		nhip_visit_page_show_picker(self, NULL);
		return;
	}
	g_string_append_printf(body,
			       _("After closing, the visit of %s can no longer be changed. "
				 "Main diagnosis: %s."),
			       self->visit->patient_name,
			       (gchar *)g_ptr_array_index(self->codes, 0));
	dialog = adw_message_dialog_new(GTK_WINDOW(visit_window(self)), _("Close the visit?"),
					body->str);
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "cancel", _("_Keep it open"),
					 "close", _("_Close the visit"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "close",
						   ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog), "close");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	g_signal_connect(dialog, "response", G_CALLBACK(visit_close_response), g_object_ref(self));
	gtk_window_present(GTK_WINDOW(dialog));
}

static void
visit_page_ask(NhipVisitPage *self)
{
	nhip_visit_page_save_now(self);
	nhip_window_ask_district(visit_window(self), self->visit_id);
}

/* ----- the district's answers ----- */

static void
visit_fill_answers(NhipVisitPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) replies = NULL;

	nhip_ui_remove_all(self->answers_box);
	if (store == NULL || self->visit_id == 0)
		return;
	replies = nhip_store_reply_list_for_visit(store, self->visit_id, &error);
	if (replies == NULL) {
		nhip_window_error(visit_window(self), _("The district's answers could not be read"),
				  error);
		return;
	}
	for (guint i = 0; i < replies->len; i++)
		gtk_box_append(GTK_BOX(self->answers_box),
			       nhip_answer_card_new(self->station, g_ptr_array_index(replies, i)));
	gtk_widget_set_visible(self->answers_box, replies->len > 0);
}

static void
visit_packets_changed(NhipSync *sync, gpointer user_data)
{
	NhipVisitPage *self = user_data;

	if (gtk_widget_get_mapped(GTK_WIDGET(self)) && self->visit_id != 0)
		visit_fill_answers(self);
}

/* ----- loading ----- */

static void
visit_apply_state(NhipVisitPage *self)
{
	gboolean open = visit_is_open(self);
	g_autofree gchar *status = NULL;
	g_autofree gchar *opened = nhip_ui_format_time(self->visit->opened_at);

	if (open) {
		status = g_strdup_printf(_("Started at %s"), opened);
	} else {
		g_autofree gchar *closed = nhip_ui_format_time(self->visit->closed_at);
		g_autofree gchar *date = nhip_ui_format_date(self->visit->closed_at);
		status = g_strdup_printf(_("Closed %s at %s"), date, closed);
	}
	gtk_label_set_text(self->status_label, status);
	gtk_text_view_set_editable(GTK_TEXT_VIEW(self->symptoms_view), open);
	gtk_text_view_set_editable(GTK_TEXT_VIEW(self->notes_view), open);
	gtk_widget_set_visible(self->add_diagnosis_button, open);
	gtk_widget_set_visible(self->add_photo_button, open);
	gtk_widget_set_visible(self->close_button, open);
	gtk_widget_set_visible(GTK_WIDGET(self->manual_grid), open);
	gtk_widget_set_visible(self->manual_title, open);
	gtk_widget_set_sensitive(self->add_photo_button, open);
	gtk_label_set_text(self->saved_label, open ? "" : _("This visit is closed"));
}

static void
visit_page_refresh(NhipVisitPage *self, gboolean reload_text)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GError) error = NULL;
	NhipVisit *visit;
	g_autofree gchar *summary = NULL;

	if (store == NULL || self->visit_id == 0)
		return;
	visit = nhip_store_visit_get(store, self->visit_id, &error);
	if (visit == NULL) {
		nhip_window_error(visit_window(self), _("The visit could not be read"), error);
		return;
	}
	g_clear_pointer(&self->visit, nhip_visit_free);
	self->visit = visit;
	if (self->patient == NULL || self->patient->id != visit->patient_id) {
		g_clear_pointer(&self->patient, nhip_patient_free);
		self->patient = nhip_store_patient_get(store, visit->patient_id, &error);
		if (self->patient == NULL) {
			nhip_window_error(visit_window(self), _("The patient could not be read"),
					  error);
			return;
		}
	}
	gtk_label_set_text(self->patient_label, self->patient->full_name);
	summary = nhip_ui_patient_summary(self->patient);
	gtk_label_set_text(self->summary_label, summary);
	if (reload_text) {
		self->loading = TRUE;
		gtk_text_buffer_set_text(
			gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->symptoms_view)),
			visit->symptoms != NULL ? visit->symptoms
			: visit->reason != NULL ? visit->reason
						: "",
			-1);
		gtk_text_buffer_set_text(gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->notes_view)),
					 visit->notes != NULL ? visit->notes : "", -1);
		g_ptr_array_set_size(self->codes, 0);
		for (guint i = 0; visit->icd_codes != NULL && visit->icd_codes[i] != NULL; i++)
			g_ptr_array_add(self->codes, g_strdup(visit->icd_codes[i]));
		self->loading = FALSE;
		self->dirty = FALSE;
		visit_fill_diagnoses(self);
		visit_fill_photos(self);
	}
	visit_apply_state(self);
	visit_fill_vitals(self);
	visit_update_devices(self);
	visit_fill_answers(self);
}

/**
 * nhip_visit_page_load:
 * @self: the visit screen
 * @visit_id: the visit to show
 */
void
nhip_visit_page_load(NhipVisitPage *self, gint64 visit_id)
{
	nhip_visit_page_save_now(self);
	self->visit_id = visit_id;
	visit_fill_chapters(self);
	gtk_stack_set_visible_child_name(self->mode, "main");
	visit_page_refresh(self, TRUE);
}

/**
 * nhip_visit_page_get_visit_id:
 * @self: the visit screen
 *
 * Returns: the visit shown, 0 if none; readings from devices go to it while it is open
 */
gint64
nhip_visit_page_get_visit_id(NhipVisitPage *self)
{
	return visit_is_open(self) ? self->visit_id : 0;
}

static void
visit_station_changed(NhipStation *station, gpointer user_data)
{
	NhipVisitPage *self = user_data;
	if (gtk_widget_get_mapped(GTK_WIDGET(self)) && self->visit_id != 0) {
		visit_fill_vitals(self);
		visit_fill_photos(self);
	}
}

static void
nhip_visit_page_dispose(GObject *object)
{
	NhipVisitPage *self = NHIP_VISIT_PAGE(object);

	g_clear_handle_id(&self->draft_source, g_source_remove);
	if (self->station != NULL) {
		g_signal_handlers_disconnect_by_data(self->station, self);
		g_signal_handlers_disconnect_by_data(nhip_station_get_sync(self->station), self);
	}
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_visit_page_parent_class)->dispose(object);
}

static void
nhip_visit_page_finalize(GObject *object)
{
	NhipVisitPage *self = NHIP_VISIT_PAGE(object);

	g_clear_pointer(&self->visit, nhip_visit_free);
	g_clear_pointer(&self->patient, nhip_patient_free);
	g_ptr_array_unref(self->codes);
	G_OBJECT_CLASS(nhip_visit_page_parent_class)->finalize(object);
}

static void
nhip_visit_page_class_init(NhipVisitPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = nhip_visit_page_dispose;
	object_class->finalize = nhip_visit_page_finalize;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-visit-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, NhipVisitPage, name)
	BIND(mode);
	BIND(patient_label);
	BIND(summary_label);
	BIND(status_label);
	BIND(answers_box);
	BIND(devices_label);
	BIND(vitals_box);
	BIND(manual_title);
	BIND(manual_grid);
	BIND(symptoms_view);
	BIND(notes_view);
	BIND(diagnoses_box);
	BIND(add_diagnosis_button);
	BIND(photos_box);
	BIND(add_photo_button);
	BIND(ask_button);
	BIND(saved_label);
	BIND(close_button);
	BIND(entry_title);
	BIND(entry_hint);
	BIND(entry_value);
	BIND(entry_separator);
	BIND(entry_value2);
	BIND(entry_unit);
	BIND(entry_error);
	BIND(entry_save_button);
	BIND(picker_entry);
	BIND(picker_chapter);
	BIND(picker_scroller);
	BIND(picker_box);
#undef BIND
	gtk_widget_class_bind_template_callback(widget_class, visit_page_add_diagnosis);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_add_photo);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_ask);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_close);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_entry_save);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_entry_cancel);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_entry_changed);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_picker_changed);
	gtk_widget_class_bind_template_callback(widget_class, visit_page_picker_done);
}

static void
nhip_visit_page_init(NhipVisitPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->codes = g_ptr_array_new_with_free_func(g_free);
	visit_build_manual(self);
	gtk_search_entry_set_search_delay(GTK_SEARCH_ENTRY(self->picker_entry), 0);
	g_signal_connect(gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->symptoms_view)), "changed",
			 G_CALLBACK(visit_text_changed), self);
	g_signal_connect(gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->notes_view)), "changed",
			 G_CALLBACK(visit_text_changed), self);
}

/**
 * nhip_visit_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the visit screen
 */
GtkWidget *
nhip_visit_page_new(NhipStation *station)
{
	NhipVisitPage *self = g_object_new(NHIP_TYPE_VISIT_PAGE, NULL);

	self->station = g_object_ref(station);
	g_signal_connect(station, "changed", G_CALLBACK(visit_station_changed), self);
	g_signal_connect(station, "devices-changed", G_CALLBACK(visit_devices_changed), self);
	g_signal_connect(nhip_station_get_sync(station), "packets-changed",
			 G_CALLBACK(visit_packets_changed), self);
	return GTK_WIDGET(self);
}
