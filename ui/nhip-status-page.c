/*
 * Nhịp — the technician's status page: versions, disk space, database integrity, the
 * outbox, the HIS link, devices, the station certificate, the clock and the last backup,
 * from the same code as `nhipctl status` (app/nhip-status.c). Collected on the worker
 * thread (the integrity check reads the whole database); the devices are the ones the
 * kiosk's own device manager holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-status-page.h"
#include "nhip-status.h"
#include "nhip-window.h"

struct _NhipStatusPage {
	AdwBin parent_instance;

	AdwPreferencesGroup *group;
	GtkWidget *refresh_button;
	GtkLabel *summary;
	GPtrArray *rows; /* the rows shown, removed on refresh */
	NhipStation *station;
	gboolean busy;
};

G_DEFINE_TYPE(NhipStatusPage, nhip_status_page, ADW_TYPE_BIN)

typedef struct {
	gchar *db_path;
	GPtrArray *devices;
} StatusJob;

static void
status_job_free(StatusJob *job)
{
	g_free(job->db_path);
	g_ptr_array_unref(job->devices);
	g_free(job);
}

static gpointer
status_job(NhipStore *store, gpointer data, GError **error)
{
	StatusJob *job = data;
	return nhip_status_collect(job->db_path, job->devices);
}

static const gchar *
status_icon(NhipStatusLevel level)
{
	switch (level) {
	case NHIP_STATUS_OK:
		return "emblem-ok-symbolic";
	case NHIP_STATUS_UNKNOWN:
		return "dialog-question-symbolic";
	case NHIP_STATUS_WARNING:
		return "dialog-warning-symbolic";
	case NHIP_STATUS_PROBLEM:
	default:
		return "dialog-error-symbolic";
	}
}

static const gchar *
status_word(NhipStatusLevel level)
{
	switch (level) {
	case NHIP_STATUS_OK:
		return _("OK");
	case NHIP_STATUS_UNKNOWN:
		return _("Unknown");
	case NHIP_STATUS_WARNING:
		return _("Needs attention");
	case NHIP_STATUS_PROBLEM:
	default:
		return _("Problem");
	}
}

static void
status_clear_rows(NhipStatusPage *self)
{
	for (guint i = 0; i < self->rows->len; i++)
		adw_preferences_group_remove(self->group, g_ptr_array_index(self->rows, i));
	g_ptr_array_set_size(self->rows, 0);
}

static void
status_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipStatusPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStatus) status = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);
	GPtrArray *items;
	guint problems = 0, warnings = 0;

	self->busy = FALSE;
	gtk_widget_set_sensitive(self->refresh_button, TRUE);
	if (status == NULL) {
		gtk_label_set_text(self->summary, error->message);
		return;
	}
	status_clear_rows(self);
	items = nhip_status_get_items(status);
	for (guint i = 0; i < items->len; i++) {
		NhipStatusItem *item = g_ptr_array_index(items, i);
		GtkWidget *row = adw_action_row_new();
		GtkWidget *icon = gtk_image_new_from_icon_name(status_icon(item->level));
		GtkWidget *word = gtk_label_new(status_word(item->level));

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), item->title);
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), item->message);
		adw_action_row_set_subtitle_lines(ADW_ACTION_ROW(row), 3);
		gtk_image_set_pixel_size(GTK_IMAGE(icon), 24);
		adw_action_row_add_prefix(ADW_ACTION_ROW(row), icon);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), word);
		if (item->level == NHIP_STATUS_PROBLEM) {
			gtk_widget_add_css_class(word, "error");
			problems++;
		} else if (item->level == NHIP_STATUS_WARNING) {
			gtk_widget_add_css_class(word, "warning");
			warnings++;
		} else {
			gtk_widget_add_css_class(word, "dim-label");
		}
		adw_preferences_group_add(self->group, row);
		g_ptr_array_add(self->rows, row);
	}
	if (problems > 0)
		gtk_label_set_text(
			self->summary,
			g_dngettext(GETTEXT_PACKAGE, "Something is wrong: see the problem below.",
				    "Something is wrong: see the problems below.", problems));
	else if (warnings > 0)
		gtk_label_set_text(self->summary,
				   _("The station works; some things need attention."));
	else
		gtk_label_set_text(self->summary, _("Everything is in order."));
}

/**
 * nhip_status_page_refresh:
 * @self: the page
 *
 * Collects the status again in the background.
 */
void
nhip_status_page_refresh(NhipStatusPage *self)
{
	StatusJob *job;
	GPtrArray *devices = nhip_station_get_devices(self->station);

	if (self->busy)
		return;
	self->busy = TRUE;
	gtk_widget_set_sensitive(self->refresh_button, FALSE);
	gtk_label_set_text(self->summary, _("Checking…"));
	job = g_new0(StatusJob, 1);
	job->db_path = g_strdup(nhip_station_get_db_path(self->station));
	job->devices = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_status_device_free);
	for (guint i = 0; devices != NULL && i < devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(devices, i);
		g_ptr_array_add(
			job->devices,
			nhip_status_device_new(
				nhip_device_get_id(device), nhip_device_get_display_name(device),
				nhip_device_state_to_string(nhip_device_get_state(device))));
	}
	nhip_station_run(self->station, status_job, job, (GDestroyNotify)status_job_free,
			 (GDestroyNotify)nhip_status_free, status_done, g_object_ref(self));
}

static void
status_page_map(GtkWidget *widget)
{
	GTK_WIDGET_CLASS(nhip_status_page_parent_class)->map(widget);
	nhip_status_page_refresh(NHIP_STATUS_PAGE(widget));
}

static void
nhip_status_page_finalize(GObject *object)
{
	NhipStatusPage *self = NHIP_STATUS_PAGE(object);

	g_ptr_array_unref(self->rows);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_status_page_parent_class)->finalize(object);
}

static void
nhip_status_page_class_init(NhipStatusPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->finalize = nhip_status_page_finalize;
	widget_class->map = status_page_map;
}

static void
nhip_status_page_init(NhipStatusPage *self)
{
	GtkWidget *page = adw_preferences_page_new();
	GtkWidget *top = adw_preferences_group_new();

	self->rows = g_ptr_array_new();
	self->summary = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_wrap(self->summary, TRUE);
	gtk_label_set_xalign(self->summary, 0);
	gtk_widget_add_css_class(GTK_WIDGET(self->summary), "title-4");
	self->refresh_button = gtk_button_new_with_label(_("Check again"));
	gtk_widget_add_css_class(self->refresh_button, "suggested-action");
	gtk_widget_add_css_class(self->refresh_button, "big-button");
	gtk_widget_set_valign(self->refresh_button, GTK_ALIGN_CENTER);
	g_signal_connect_swapped(self->refresh_button, "clicked",
				 G_CALLBACK(nhip_status_page_refresh), self);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(top), GTK_WIDGET(self->summary));
	adw_preferences_group_set_header_suffix(ADW_PREFERENCES_GROUP(top), self->refresh_button);
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(top), _("Station status"));
	self->group = ADW_PREFERENCES_GROUP(adw_preferences_group_new());
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(top));
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), self->group);
	adw_bin_set_child(ADW_BIN(self), page);
}

/**
 * nhip_status_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the page
 */
GtkWidget *
nhip_status_page_new(NhipStation *station)
{
	NhipStatusPage *self = g_object_new(NHIP_TYPE_STATUS_PAGE, NULL);
	self->station = g_object_ref(station);
	return GTK_WIDGET(self);
}
