/*
 * Nhịp — "Ask the district": send a visit as a case to the district hospital, and follow
 * the cases sent until the doctor answers.
 *
 * From a visit, staff write the question, choose how urgent it is, pick the photos (the
 * visit's own are chosen already, more can come from a file) and see what will be sent
 * before sending. Sending builds, signs, encrypts and queues the packet with the same
 * library code as `nhipctl case send` (nhip_case_send()), in the worker thread; the
 * background sender (nhip-sync.c) delivers it. Below, the cases of the visit (or, opened
 * from the home screen, today's cases) with where each one stands, kept up to date as the
 * sender moves them on; a case with an answer not read yet has a badge and opens its
 * visit, where the answer is shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-ask-page.h"
#include "nhip-case.h"
#include "nhip-photo-picker.h"
#include "nhip-photo.h"
#include "nhip-store-packets.h"
#include "nhip-ui-util.h"
#include "nhip-vital-ranges.h"
#include "nhip-window.h"

/* a photo not sized yet, and one that cannot be sent */
#define SIZE_UNKNOWN   (-1)
#define SIZE_NOT_PHOTO (-2)

struct _NhipAskPage {
	AdwBin parent_instance;

	GtkWidget *enroll_banner;
	GtkLabel *enroll_label;
	GtkWidget *compose_box;
	GtkWidget *question_view;
	GtkLabel *question_error;
	GtkWidget *routine_button;
	GtkWidget *urgent_button;
	GtkWidget *photos_box;
	GtkWidget *add_photo_button;
	GtkLabel *summary_label;
	GtkWidget *send_button;
	GtkLabel *list_title;
	GtkWidget *packets_box;
	GtkLabel *empty_label;
	GtkLabel *phone_label;

	NhipStation *station;
	gint64 visit_id;
	NhipVisit *visit;
	NhipPatient *patient;
	GPtrArray *photos;	 /* AskPhoto */
	GHashTable *photo_sizes; /* path → gint64 bytes after re-encoding, or SIZE_NOT_PHOTO */
	GCancellable *cancellable;
	gboolean sending;
};

G_DEFINE_TYPE(NhipAskPage, nhip_ask_page, ADW_TYPE_BIN)

typedef struct {
	gchar *path;
	gchar *sha256; /* the visit's attachment; NULL for a file added here */
	GtkWidget *check;
} AskPhoto;

static void
ask_photo_free(AskPhoto *photo)
{
	g_free(photo->path);
	g_free(photo->sha256);
	g_free(photo);
}

static NhipWindow *
ask_window(NhipAskPage *self)
{
	return nhip_window_from_widget(GTK_WIDGET(self));
}

static gchar *
ask_question_text(NhipAskPage *self)
{
	GtkTextBuffer *buffer = gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->question_view));
	GtkTextIter start, end;
	gchar *text;

	gtk_text_buffer_get_bounds(buffer, &start, &end);
	text = gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
	return g_strstrip(text);
}

static gint64
ask_photo_size(NhipAskPage *self, const AskPhoto *photo)
{
	gpointer size = NULL;

	if (!g_hash_table_lookup_extended(self->photo_sizes, photo->path, NULL, &size))
		return SIZE_UNKNOWN;
	return *(gint64 *)size;
}

/* ----- what will be sent ----- */

static gchar *
ask_vitals_text(NhipAskPage *self, NhipStore *store)
{
	g_autoptr(GPtrArray) observations =
		nhip_store_observation_list(store, self->visit_id, NULL);
	const NhipObservation *latest[NHIP_VITAL_LAST] = { NULL };
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; observations != NULL && i < observations->len; i++) {
		const NhipObservation *obs = g_ptr_array_index(observations, i);
		if ((guint)obs->kind < NHIP_VITAL_LAST &&
		    (latest[obs->kind] == NULL ||
		     obs->measured_at >= latest[obs->kind]->measured_at))
			latest[obs->kind] = obs;
	}
	for (guint kind = 0; kind < NHIP_VITAL_LAST; kind++) {
		g_autofree gchar *value = NULL;
		if (latest[kind] == NULL)
			continue;
		value = nhip_vital_format(kind, latest[kind]->value, latest[kind]->value2);
		if (text->len > 0)
			g_string_append(text, ", ");
		g_string_append_printf(text, "%s %s %s", nhip_vital_display_name(kind), value,
				       nhip_vital_display_unit(kind));
	}
	return text->len > 0 ? g_string_free(g_steal_pointer(&text), FALSE)
			     : g_strdup(_("none measured"));
}

static gchar *
ask_diagnosis_text(NhipAskPage *self)
{
	NhipIcd10Catalog *icd10 = nhip_station_get_icd10(self->station);
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; self->visit->icd_codes != NULL && self->visit->icd_codes[i] != NULL;
	     i++) {
		const gchar *code = self->visit->icd_codes[i];
		const NhipIcd10Entry *entry =
			icd10 != NULL ? nhip_icd10_catalog_lookup(icd10, code) : NULL;
		if (text->len > 0)
			g_string_append(text, "; ");
		g_string_append(text, code);
		if (entry != NULL)
			g_string_append_printf(text, " %s", entry->name);
	}
	return text->len > 0 ? g_string_free(g_steal_pointer(&text), FALSE)
			     : g_strdup(_("not chosen yet"));
}

static void
ask_update_summary(NhipAskPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree gchar *summary = NULL;
	g_autofree gchar *vitals = NULL;
	g_autofree gchar *diagnosis = NULL;
	g_autofree gchar *size_text = NULL;
	gboolean urgent = gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->urgent_button));
	gboolean sizing = FALSE;
	guint n_photos = 0;
	gint64 total = 0;

	if (self->visit == NULL || self->patient == NULL || store == NULL)
		return;
	summary = nhip_ui_patient_summary(self->patient);
	vitals = ask_vitals_text(self, store);
	diagnosis = ask_diagnosis_text(self);
	for (guint i = 0; i < self->photos->len; i++) {
		AskPhoto *photo = g_ptr_array_index(self->photos, i);
		gint64 size = ask_photo_size(self, photo);
		if (!gtk_check_button_get_active(GTK_CHECK_BUTTON(photo->check)) ||
		    size == SIZE_NOT_PHOTO)
			continue;
		n_photos++;
		if (size == SIZE_UNKNOWN)
			sizing = TRUE;
		else
			total += size;
	}
	g_string_append_printf(text, _("Patient: %s (%s)"), self->patient->full_name, summary);
	g_string_append_c(text, '\n');
	g_string_append_printf(text, _("Vital signs: %s"), vitals);
	g_string_append_c(text, '\n');
	g_string_append_printf(text, _("Diagnosis: %s"), diagnosis);
	g_string_append_c(text, '\n');
	if (n_photos == 0) {
		g_string_append(text, _("Photos: none"));
	} else {
		size_text = sizing ? g_strdup(_("working out the size…")) : g_format_size(total);
		g_string_append_printf(text,
				       g_dngettext(GETTEXT_PACKAGE, "Photos: %u (%s in all)",
						   "Photos: %u (%s in all)", n_photos),
				       n_photos, size_text);
	}
	g_string_append_c(text, '\n');
	g_string_append(text,
			urgent ? _("Urgency: urgent, answer needed soon") : _("Urgency: routine"));
	gtk_label_set_text(self->summary_label, text->str);
}

/* ----- photos ----- */

static void
ask_photo_sized(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipAskPage) self = user_data;
	GTask *task = G_TASK(result);
	g_autoptr(GError) error = NULL;
	gssize size = g_task_propagate_int(task, &error);
	const gchar *path = g_task_get_task_data(task);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (error != NULL)
		g_info("a photo will not be sent: %s", error->message);
	g_hash_table_insert(self->photo_sizes, g_strdup(path),
			    g_memdup2(&(gint64){ error != NULL ? SIZE_NOT_PHOTO : (gint64)size },
				      sizeof(gint64)));
	for (guint i = 0; i < self->photos->len; i++) {
		AskPhoto *photo = g_ptr_array_index(self->photos, i);
		if (g_strcmp0(photo->path, path) == 0 && error != NULL) {
			gtk_check_button_set_active(GTK_CHECK_BUTTON(photo->check), FALSE);
			gtk_widget_set_sensitive(photo->check, FALSE);
		}
	}
	ask_update_summary(self);
}

/* the size a photo will have in the packet, re-encoded as the case will be */
static void
ask_photo_size_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	GError *error = NULL;
	g_autoptr(GBytes) jpeg = nhip_photo_reencode_file(data, &error);

	if (jpeg == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_int(task, (gssize)g_bytes_get_size(jpeg));
}

static void
ask_add_photo_row(NhipAskPage *self, const gchar *path, const gchar *sha256)
{
	AskPhoto *photo = g_new0(AskPhoto, 1);
	g_autofree gchar *label = NULL;

	photo->path = g_strdup(path);
	photo->sha256 = g_strdup(sha256);
	if (sha256 != NULL) {
		label = g_strdup_printf(_("Photo %u of the visit"), self->photos->len + 1);
	} else {
		g_autofree gchar *name = g_path_get_basename(path);
		label = g_strdup_printf(_("Photo from a file: %s"), name);
	}
	photo->check = gtk_check_button_new_with_label(label);
	gtk_check_button_set_active(GTK_CHECK_BUTTON(photo->check), TRUE);
	g_signal_connect_swapped(photo->check, "toggled", G_CALLBACK(ask_update_summary), self);
	gtk_box_append(GTK_BOX(self->photos_box), photo->check);
	g_ptr_array_add(self->photos, photo);
	if (!g_hash_table_contains(self->photo_sizes, path)) {
		g_autoptr(GTask) task =
			g_task_new(NULL, self->cancellable, ask_photo_sized, g_object_ref(self));
		g_task_set_task_data(task, g_strdup(path), g_free);
		/* decoding and encoding a camera photo takes longer than a frame */
		g_task_run_in_thread(task, ask_photo_size_thread);
	} else if (ask_photo_size(self, photo) == SIZE_NOT_PHOTO) {
		gtk_check_button_set_active(GTK_CHECK_BUTTON(photo->check), FALSE);
		gtk_widget_set_sensitive(photo->check, FALSE);
	}
}

static void
ask_photo_chosen(NhipPhotoPicker *picker,
		 const gchar *path,
		 const gchar *mime_type,
		 gpointer user_data)
{
	NhipAskPage *self = user_data;

	if (self->photos->len < NHIP_CASE_MAX_PHOTOS) {
		ask_add_photo_row(self, path, NULL);
		ask_update_summary(self);
	} else {
		g_autofree gchar *text =
			g_strdup_printf(_("A case takes at most %d photos"), NHIP_CASE_MAX_PHOTOS);
		nhip_window_toast(ask_window(self), text);
	}
}

static void
ask_page_add_photo(NhipAskPage *self)
{
	NhipPhotoPicker *picker = nhip_photo_picker_new(GTK_WIDGET(self), self->station,
							_("Add a photo to the case"), _("_Add"));

	g_signal_connect_object(picker, "photo-chosen", G_CALLBACK(ask_photo_chosen), self, 0);
}

static void
ask_page_urgency_toggled(NhipAskPage *self)
{
	ask_update_summary(self);
}

/* ----- the cases sent ----- */

static gchar *
ask_packet_state_text(const NhipOutboxPacket *packet, const NhipReply *reply)
{
	switch (packet->state) {
	case NHIP_PACKET_STATE_QUEUED:
		if (packet->attempts > 0 && packet->last_error != NULL)
			return g_strdup_printf(_("Queued: not sent yet (%s); it is tried again "
						 "by itself"),
					       packet->last_error);
		return g_strdup(_("Queued, waiting to be sent"));
	case NHIP_PACKET_STATE_SENDING:
		return g_strdup_printf(_("Sending: %d %%"),
				       (gint)(packet->acked * 100 / MAX(packet->size, 1)));
	case NHIP_PACKET_STATE_DELIVERED:
		return g_strdup(_("Delivered: waiting for the doctor's answer"));
	case NHIP_PACKET_STATE_ANSWERED:
		if (reply != NULL && reply->doctor != NULL)
			return g_strdup_printf(_("Answered by %s"), reply->doctor);
		return g_strdup(_("Answered"));
	case NHIP_PACKET_STATE_FAILED:
	default:
		return g_strdup_printf(_("Not accepted by the district: %s. Call the technician."),
				       packet->last_error != NULL ? packet->last_error
								  : _("no reason given"));
	}
}

static void
ask_packet_clicked(GtkButton *button, gpointer user_data)
{
	NhipAskPage *self = user_data;
	gint64 visit_id = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(button), "visit-id"));

	if (visit_id > 0)
		nhip_window_open_visit(ask_window(self), visit_id);
}

static GtkWidget *
ask_packet_row(NhipAskPage *self,
	       NhipStore *store,
	       const NhipOutboxPacket *packet,
	       const NhipReply *reply)
{
	GtkWidget *button = gtk_button_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *texts = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	g_autofree gchar *time = nhip_ui_format_time(packet->created_at);
	g_autofree gchar *state = ask_packet_state_text(packet, reply);
	g_autofree gchar *label = NULL;
	g_autoptr(NhipVisit) visit =
		packet->visit_id > 0 ? nhip_store_visit_get(store, packet->visit_id, NULL) : NULL;
	const gchar *who = visit != NULL ? visit->patient_name : _("Unknown visit");
	gboolean unread = reply != NULL && reply->read_at == 0;
	GtkWidget *state_label = nhip_ui_label(state, NULL);
	const gchar *state_class[] = {
		[NHIP_PACKET_STATE_QUEUED] = "packet-queued",
		[NHIP_PACKET_STATE_SENDING] = "packet-sending",
		[NHIP_PACKET_STATE_DELIVERED] = "packet-delivered",
		[NHIP_PACKET_STATE_ANSWERED] = "packet-answered",
		[NHIP_PACKET_STATE_FAILED] = "packet-failed",
	};

	gtk_label_set_wrap(GTK_LABEL(state_label), TRUE);
	gtk_widget_add_css_class(state_label, state_class[packet->state]);
	gtk_box_append(GTK_BOX(box), nhip_ui_label(time, "queue-time"));
	gtk_box_append(GTK_BOX(texts), nhip_ui_label(who, "row-title"));
	gtk_box_append(GTK_BOX(texts), state_label);
	gtk_widget_set_hexpand(texts, TRUE);
	gtk_box_append(GTK_BOX(box), texts);
	if (packet->urgent) {
		GtkWidget *pill = gtk_label_new(_("Urgent"));
		gtk_widget_add_css_class(pill, "pill-urgent");
		gtk_widget_set_valign(pill, GTK_ALIGN_CENTER);
		gtk_box_append(GTK_BOX(box), pill);
	}
	if (unread) {
		GtkWidget *pill = gtk_label_new(_("New answer"));
		gtk_widget_add_css_class(pill, "pill-answer");
		gtk_widget_set_valign(pill, GTK_ALIGN_CENTER);
		gtk_box_append(GTK_BOX(box), pill);
	}
	gtk_button_set_child(GTK_BUTTON(button), box);
	gtk_widget_add_css_class(button, "list-button");
	label = g_strdup_printf("%s %s: %s%s", time, who, state, unread ? _(", new answer") : "");
	nhip_ui_set_label(button, label);
	g_object_set_data(G_OBJECT(button), "visit-id", GSIZE_TO_POINTER(packet->visit_id));
	g_signal_connect(button, "clicked", G_CALLBACK(ask_packet_clicked), self);
	return button;
}

static void
ask_fill_packets(NhipAskPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) packets = NULL;
	g_autoptr(GPtrArray) replies = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) midnight =
		g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
				      g_date_time_get_day_of_month(now), 0, 0, 0);

	if (store == NULL)
		return;
	nhip_ui_remove_all(self->packets_box);
	packets = nhip_store_packet_list_recent(
		store, self->visit_id, self->visit_id > 0 ? 0 : g_date_time_to_unix(midnight),
		&error);
	replies = packets != NULL ? nhip_store_reply_list(store, &error) : NULL;
	if (replies == NULL) {
		nhip_window_error(ask_window(self), _("The cases sent could not be read"), error);
		return;
	}
	for (guint i = 0; i < packets->len; i++) {
		const NhipOutboxPacket *packet = g_ptr_array_index(packets, i);
		const NhipReply *reply = NULL;
		for (guint j = 0; j < replies->len && reply == NULL; j++) {
			const NhipReply *r = g_ptr_array_index(replies, j);
			if (g_strcmp0(r->in_reply_to, packet->packet_id) == 0)
				reply = r;
		}
		gtk_box_append(GTK_BOX(self->packets_box),
			       ask_packet_row(self, store, packet, reply));
	}
	gtk_label_set_text(self->list_title, self->visit_id > 0 ? _("Cases sent about this visit")
								: _("Cases sent today"));
	gtk_label_set_text(self->empty_label,
			   packets->len > 0	? ""
			   : self->visit_id > 0 ? _("No case has been sent about this visit yet.")
						: _("No case has been sent today. To ask about a "
						    "patient, open their visit and tap “Ask the "
						    "district”."));
	gtk_widget_set_visible(GTK_WIDGET(self->empty_label), packets->len == 0);
}

/* ----- enrollment and the phone ----- */

static void
ask_update_link(NhipAskPage *self)
{
	NhipSync *sync = nhip_station_get_sync(self->station);
	g_autofree gchar *phone =
		nhip_station_get_setting(self->station, NHIP_SETTING_HUB_PHONE, NULL);
	g_autofree gchar *phone_text = NULL;
	gboolean enrolled = nhip_sync_is_enrolled(sync);

	gtk_widget_set_visible(self->enroll_banner, !enrolled);
	gtk_label_set_text(
		self->enroll_label,
		_("This station is not connected to the district hospital yet, so it cannot send "
		  "cases. Please call the technician to connect (enroll) the station."));
	gtk_widget_set_sensitive(self->send_button, enrolled && !self->sending);
	if (phone != NULL)
		phone_text = g_strdup_printf(_("For advice now, call the district duty doctor: %s"),
					     phone);
	else
		phone_text = g_strdup(_("For advice now, call the district duty doctor."));
	gtk_label_set_text(self->phone_label, phone_text);
}

/* ----- sending ----- */

typedef struct {
	gchar *db_path;
	gint64 visit_id;
	gchar *question;
	gboolean urgent;
	GStrv paths;
	GStrv visit_photos;
} SendJob;

static void
send_job_free(SendJob *job)
{
	g_free(job->db_path);
	g_free(job->question);
	g_strfreev(job->paths);
	g_strfreev(job->visit_photos);
	g_free(job);
}

static gpointer
send_job(NhipStore *store, gpointer data, GError **error)
{
	SendJob *job = data;
	NhipCaseRequest request = {
		.visit_id = job->visit_id,
		.question = job->question,
		.urgent = job->urgent,
		.photo_paths = (const gchar *const *)job->paths,
		.visit_photos = (const gchar *const *)job->visit_photos,
	};

	return nhip_case_send(store, job->db_path, &request, error);
}

static void
ask_sent(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipAskPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *packet_id = nhip_station_run_finish(self->station, result, &error);
	NhipWindow *window = ask_window(self);

	self->sending = FALSE;
	ask_update_link(self);
	if (packet_id == NULL) {
		if (window != NULL)
			nhip_window_error(window, _("The case was not sent"), error);
		return;
	}
	g_info("case packet %s queued", packet_id);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->question_view)), "",
				 -1);
	nhip_sync_wake(nhip_station_get_sync(self->station));
	ask_fill_packets(self);
	if (window != NULL)
		nhip_window_toast(window,
				  _("The case is queued and goes to the district as soon as "
				    "the network allows"));
}

static void
ask_page_send(NhipAskPage *self)
{
	g_autofree gchar *question = ask_question_text(self);
	g_autoptr(GStrvBuilder) paths = g_strv_builder_new();
	g_autoptr(GStrvBuilder) shas = g_strv_builder_new();
	glong length = g_utf8_strlen(question, -1);
	SendJob *job;

	if (self->visit_id == 0 || self->sending)
		return;
	if (length == 0 || length > NHIP_CASE_QUESTION_MAX) {
		g_autofree gchar *text =
			length == 0 ? g_strdup(_("Write the question for the doctor"))
				    : g_strdup_printf(_("The question is too long: at most %d "
							"characters"),
						      NHIP_CASE_QUESTION_MAX);
		gtk_label_set_text(self->question_error, text);
		gtk_widget_set_visible(GTK_WIDGET(self->question_error), TRUE);
		gtk_widget_grab_focus(self->question_view);
		return;
	}
	gtk_widget_set_visible(GTK_WIDGET(self->question_error), FALSE);
	for (guint i = 0; i < self->photos->len; i++) {
		AskPhoto *photo = g_ptr_array_index(self->photos, i);
		if (!gtk_check_button_get_active(GTK_CHECK_BUTTON(photo->check)))
			continue;
		if (photo->sha256 != NULL)
			g_strv_builder_add(shas, photo->sha256);
		else
			g_strv_builder_add(paths, photo->path);
	}
	job = g_new0(SendJob, 1);
	job->db_path = g_strdup(nhip_station_get_db_path(self->station));
	job->visit_id = self->visit_id;
	job->question = g_steal_pointer(&question);
	job->urgent = gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->urgent_button));
	job->paths = g_strv_builder_end(paths);
	job->visit_photos = g_strv_builder_end(shas);
	self->sending = TRUE;
	gtk_widget_set_sensitive(self->send_button, FALSE);
	/* photos re-encoded, the packet signed, encrypted and written: in the worker */
	nhip_station_run(self->station, send_job, job, (GDestroyNotify)send_job_free, g_free,
			 ask_sent, g_object_ref(self));
}

/* ----- loading ----- */

static void
ask_load_visit(NhipAskPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GPtrArray) hashes = NULL;
	g_autoptr(GError) error = NULL;

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	nhip_ui_remove_all(self->photos_box);
	g_ptr_array_set_size(self->photos, 0);
	g_clear_pointer(&self->visit, nhip_visit_free);
	g_clear_pointer(&self->patient, nhip_patient_free);
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(GTK_TEXT_VIEW(self->question_view)), "",
				 -1);
	gtk_widget_set_visible(GTK_WIDGET(self->question_error), FALSE);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->routine_button), TRUE);
	gtk_widget_set_visible(self->compose_box, FALSE);
	if (self->visit_id == 0 || store == NULL)
		return;
	self->visit = nhip_store_visit_get(store, self->visit_id, &error);
	if (self->visit != NULL)
		self->patient = nhip_store_patient_get(store, self->visit->patient_id, &error);
	if (self->patient != NULL)
		hashes = nhip_store_attachment_list(store, self->visit_id, &error);
	if (hashes == NULL) {
		nhip_window_error(ask_window(self), _("The visit could not be read"), error);
		return;
	}
	for (guint i = 0; i < hashes->len; i++) {
		g_autofree gchar *path =
			nhip_store_attachment_path(store, g_ptr_array_index(hashes, i));
		ask_add_photo_row(self, path, g_ptr_array_index(hashes, i));
	}
	gtk_widget_set_visible(self->compose_box, TRUE);
	ask_update_summary(self);
}

/**
 * nhip_ask_page_set_visit:
 * @self: the screen
 * @visit_id: the visit to ask about, or 0 to list today's cases
 */
void
nhip_ask_page_set_visit(NhipAskPage *self, gint64 visit_id)
{
	self->visit_id = visit_id;
	ask_load_visit(self);
	ask_update_link(self);
	ask_fill_packets(self);
}

static void
ask_packets_changed(NhipSync *sync, gpointer user_data)
{
	NhipAskPage *self = user_data;

	if (!gtk_widget_get_mapped(GTK_WIDGET(self)))
		return;
	ask_update_link(self);
	ask_fill_packets(self);
}

static void
ask_page_map(GtkWidget *widget)
{
	NhipAskPage *self = NHIP_ASK_PAGE(widget);

	GTK_WIDGET_CLASS(nhip_ask_page_parent_class)->map(widget);
	ask_update_link(self);
	ask_update_summary(self);
	ask_fill_packets(self);
}

static void
nhip_ask_page_dispose(GObject *object)
{
	NhipAskPage *self = NHIP_ASK_PAGE(object);

	if (self->station != NULL)
		g_signal_handlers_disconnect_by_data(nhip_station_get_sync(self->station), self);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_ask_page_parent_class)->dispose(object);
}

static void
nhip_ask_page_finalize(GObject *object)
{
	NhipAskPage *self = NHIP_ASK_PAGE(object);

	g_ptr_array_unref(self->photos);
	g_hash_table_unref(self->photo_sizes);
	g_clear_pointer(&self->visit, nhip_visit_free);
	g_clear_pointer(&self->patient, nhip_patient_free);
	G_OBJECT_CLASS(nhip_ask_page_parent_class)->finalize(object);
}

static void
nhip_ask_page_class_init(NhipAskPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = nhip_ask_page_dispose;
	object_class->finalize = nhip_ask_page_finalize;
	widget_class->map = ask_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-ask-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, NhipAskPage, name)
	BIND(enroll_banner);
	BIND(enroll_label);
	BIND(compose_box);
	BIND(question_view);
	BIND(question_error);
	BIND(routine_button);
	BIND(urgent_button);
	BIND(photos_box);
	BIND(add_photo_button);
	BIND(summary_label);
	BIND(send_button);
	BIND(list_title);
	BIND(packets_box);
	BIND(empty_label);
	BIND(phone_label);
#undef BIND
	gtk_widget_class_bind_template_callback(widget_class, ask_page_add_photo);
	gtk_widget_class_bind_template_callback(widget_class, ask_page_urgency_toggled);
	gtk_widget_class_bind_template_callback(widget_class, ask_page_send);
}

static void
nhip_ask_page_init(NhipAskPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->photos = g_ptr_array_new_with_free_func((GDestroyNotify)ask_photo_free);
	self->photo_sizes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->cancellable = g_cancellable_new();
}

/**
 * nhip_ask_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the "ask the district" screen
 */
GtkWidget *
nhip_ask_page_new(NhipStation *station)
{
	NhipAskPage *self = g_object_new(NHIP_TYPE_ASK_PAGE, NULL);

	self->station = g_object_ref(station);
	g_signal_connect(nhip_station_get_sync(station), "packets-changed",
			 G_CALLBACK(ask_packets_changed), self);
	return GTK_WIDGET(self);
}
