/*
 * Nhịp — technician settings: station identity, devices, network and hub, export and
 * backup. Shown only to a technician.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "nhip-backup.h"
#include "nhip-export-hl7.h"
#include "nhip-ops-error.h"
#include "nhip-settings-page.h"
#include "nhip-ui-util.h"
#include "nhip-window.h"

struct _NhipSettingsPage {
	AdwBin parent_instance;

	GtkStack *stack;
	GtkWidget *facility_code_row;
	GtkWidget *facility_name_row;
	GtkWidget *facility_address_row;
	GtkLabel *facility_error;
	GtkWidget *devices_box;
	GtkWidget *port_driver;
	GtkWidget *port_path;
	GtkLabel *port_error;
	AdwActionRow *network_row;
	AdwActionRow *enroll_row;
	GtkWidget *hub_url_row;
	GtkWidget *hub_phone_row;
	GtkWidget *his_host_row;
	GtkWidget *idle_spin;
	GtkLabel *network_error;
	AdwActionRow *database_row;
	AdwActionRow *backup_row;
	GtkWidget *backup_spinner;
	GtkWidget *backup_button;
	GtkWidget *export_button;

	NhipStation *station;
};

G_DEFINE_TYPE(NhipSettingsPage, nhip_settings_page, ADW_TYPE_BIN)

static void settings_show_backup(NhipSettingsPage *self);

static NhipWindow *
settings_window(NhipSettingsPage *self)
{
	return nhip_window_from_widget(GTK_WIDGET(self));
}

static void
settings_show_error(GtkLabel *label, const gchar *message)
{
	gtk_label_set_text(label, message != NULL ? message : "");
	gtk_widget_set_visible(GTK_WIDGET(label), message != NULL);
}

static void
settings_set_row(GtkWidget *row, const gchar *text)
{
	gtk_editable_set_text(GTK_EDITABLE(row), text != NULL ? text : "");
}

/* serial devices a technician can add by hand (USB ones are found by themselves) */
static const struct {
	const gchar *driver;
	const gchar *name;
} serial_drivers[] = {
	{ "cms50", N_("Pulse oximeter (Contec CMS50)") },
	{ "tanita", N_("Scale (Tanita)") },
	{ "taidoc", N_("Glucose or BP meter (TaiDoc)") },
};

static const gchar *
settings_state_text(NhipDeviceState state)
{
	switch (state) {
	case NHIP_DEVICE_STATE_CONNECTED:
		return _("connected");
	case NHIP_DEVICE_STATE_READING:
		return _("reading");
	case NHIP_DEVICE_STATE_ERROR:
		return _("error");
	case NHIP_DEVICE_STATE_DISCONNECTED:
	default:
		return _("disconnected");
	}
}

static void
settings_fill_devices(NhipSettingsPage *self)
{
	GPtrArray *devices = nhip_station_get_devices(self->station);

	nhip_ui_remove_all(self->devices_box);
	for (guint i = 0; devices != NULL && i < devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(devices, i);
		GtkWidget *row = adw_action_row_new();
		const gchar *port = nhip_device_get_port(device);
		const gchar *message = nhip_device_get_error_message(device);
		g_autofree gchar *subtitle = g_strdup_printf(
			"%s · %s · %s%s%s", nhip_device_get_driver_name(device),
			port != NULL ? port : "USB",
			settings_state_text(nhip_device_get_state(device)),
			message != NULL ? ": " : "", message != NULL ? message : "");

		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row),
					      nhip_device_get_display_name(device));
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
		gtk_widget_add_css_class(row, "card");
		gtk_box_append(GTK_BOX(self->devices_box), row);
	}
	if (devices == NULL || devices->len == 0)
		gtk_box_append(
			GTK_BOX(self->devices_box),
			nhip_ui_label(_("No measuring device has been found. Plug the "
					"device into a USB port; it appears here by itself."),
				      "dim-label"));
}

static void
settings_add_port(NhipSettingsPage *self)
{
	NhipDeviceManager *manager = nhip_station_get_device_manager(self->station);
	guint index = gtk_drop_down_get_selected(GTK_DROP_DOWN(self->port_driver));
	g_autofree gchar *path = nhip_ui_entry_text(self->port_path);
	g_autoptr(GError) error = NULL;

	if (path == NULL) {
		settings_show_error(self->port_error,
				    _("Write the serial port, e.g. /dev/ttyUSB0"));
		return;
	}
	if (manager == NULL || index >= G_N_ELEMENTS(serial_drivers)) {
		settings_show_error(self->port_error, _("The device manager is not running"));
		return;
	}
	/* opening a tty and setting its line is quick; no thread needed */
	if (!nhip_device_manager_add_serial_port(manager, serial_drivers[index].driver, path,
						 &error)) {
		settings_show_error(self->port_error, error->message);
		return;
	}
	settings_show_error(self->port_error, NULL);
	gtk_editable_set_text(GTK_EDITABLE(self->port_path), "");
	nhip_window_toast(settings_window(self), _("Device added"));
}

/* what `nhipctl enroll` set up: the hub cases go to, or how to enroll */
static void
settings_update_enrollment(NhipSettingsPage *self)
{
	NhipSync *sync = nhip_station_get_sync(self->station);
	g_autofree gchar *text = NULL;

	if (nhip_sync_is_enrolled(sync))
		text = g_strdup_printf(_("Enrolled as station %s with the hub %s; cases are sent "
					 "there"),
				       nhip_sync_get_station_code(sync),
				       nhip_sync_get_hub_url(sync));
	else
		text = g_strdup(_("Not enrolled: cases cannot be sent. Get a one-time token from "
				  "the district (nhip-hub token) and run “nhipctl enroll --hub URL "
				  "--token T” on the station"));
	adw_action_row_set_subtitle(self->enroll_row, text);
}

static void
settings_page_refresh(NhipSettingsPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(NhipFacility) facility = NULL;
	g_autofree gchar *hub = NULL;
	g_autofree gchar *phone = NULL;
	g_autofree gchar *his = NULL;
	g_autofree gchar *database = NULL;
	NhipStoreStats stats = { 0 };
	gboolean up;

	if (!nhip_station_is_technician(self->station)) {
		gtk_stack_set_visible_child_name(self->stack, "denied");
		return;
	}
	gtk_stack_set_visible_child_name(self->stack, "settings");
	facility = nhip_store_facility_get(store, NULL);
	settings_set_row(self->facility_code_row, facility != NULL ? facility->code : NULL);
	settings_set_row(self->facility_name_row, facility != NULL ? facility->name : NULL);
	settings_set_row(self->facility_address_row, facility != NULL ? facility->address : NULL);
	settings_show_error(self->facility_error, NULL);

	hub = nhip_station_get_setting(self->station, NHIP_SETTING_HUB_URL, NULL);
	phone = nhip_station_get_setting(self->station, NHIP_SETTING_HUB_PHONE, NULL);
	his = nhip_station_get_setting(self->station, NHIP_SETTING_HIS_HOST, NULL);
	settings_set_row(self->hub_url_row, hub);
	settings_set_row(self->hub_phone_row, phone);
	settings_set_row(self->his_host_row, his);
	gtk_spin_button_set_value(GTK_SPIN_BUTTON(self->idle_spin),
				  nhip_station_get_idle_lock_minutes(self->station));
	settings_show_error(self->network_error, NULL);
	up = g_network_monitor_get_network_available(g_network_monitor_get_default());
	adw_action_row_set_subtitle(
		self->network_row, up ? _("Connected") : _("Offline: work is kept and sent later"));
	settings_update_enrollment(self);

	if (nhip_store_get_stats(store, &stats, NULL))
		database = g_strdup_printf(
			_("%s\n%" PRId64 " patients, %" PRId64 " visits, %" PRId64 " photos"),
			nhip_station_get_db_path(self->station), stats.patients, stats.visits,
			stats.attachments);
	adw_action_row_set_subtitle(self->database_row,
				    database != NULL ? database
						     : nhip_station_get_db_path(self->station));
	/* not while a backup runs: its row says so */
	if (gtk_widget_get_sensitive(self->backup_button))
		settings_show_backup(self);
	settings_fill_devices(self);
}

/* ----- station identity ----- */

static gpointer
facility_job(NhipStore *store, gpointer data, GError **error)
{
	return nhip_store_facility_set(store, data, error) ? GINT_TO_POINTER(TRUE) : NULL;
}

static void
facility_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipSettingsPage) self = user_data;
	g_autoptr(GError) error = NULL;

	if (nhip_worker_run_finish(NHIP_WORKER(source), result, &error) == NULL) {
		settings_show_error(self->facility_error, error->message);
		return;
	}
	if (settings_window(self) != NULL)
		nhip_window_toast(settings_window(self), _("Station details saved"));
	nhip_station_notify_changed(self->station);
}

static void
settings_save_facility(NhipSettingsPage *self)
{
	g_autofree gchar *code = nhip_ui_entry_text(self->facility_code_row);
	g_autofree gchar *name = nhip_ui_entry_text(self->facility_name_row);
	g_autoptr(NhipFacility) old =
		nhip_store_facility_get(nhip_station_get_store(self->station), NULL);
	g_autoptr(NhipFacility) facility = NULL;
	g_autoptr(GError) error = NULL;

	if (!nhip_validate_facility_code(code, &error)) {
		settings_show_error(self->facility_error, error->message);
		return;
	}
	if (name == NULL) {
		settings_show_error(self->facility_error,
				    _("The station needs a name, e.g. “Trạm Y tế xã Tân Hòa”"));
		return;
	}
	facility = old != NULL ? nhip_facility_copy(old) : nhip_facility_new(code, name);
	g_free(facility->code);
	facility->code = g_steal_pointer(&code);
	g_free(facility->name);
	facility->name = g_steal_pointer(&name);
	g_free(facility->address);
	facility->address = nhip_ui_entry_text(self->facility_address_row);
	settings_show_error(self->facility_error, NULL);
	nhip_station_run(self->station, facility_job, g_steal_pointer(&facility),
			 (GDestroyNotify)nhip_facility_free, NULL, facility_saved,
			 g_object_ref(self));
}

/* ----- network and hub ----- */

typedef struct {
	gchar *keys[4];
	gchar *values[4];
} SettingsJob;

static void
settings_job_free(SettingsJob *job)
{
	for (guint i = 0; i < G_N_ELEMENTS(job->keys); i++) {
		g_free(job->keys[i]);
		g_free(job->values[i]);
	}
	g_free(job);
}

static gpointer
settings_job(NhipStore *store, gpointer data, GError **error)
{
	SettingsJob *job = data;

	for (guint i = 0; i < G_N_ELEMENTS(job->keys); i++) {
		if (job->keys[i] != NULL &&
		    !nhip_store_setting_set(store, job->keys[i], job->values[i], error))
			return NULL;
	}
	return GINT_TO_POINTER(TRUE);
}

static void
settings_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipSettingsPage) self = user_data;
	g_autoptr(GError) error = NULL;

	if (nhip_worker_run_finish(NHIP_WORKER(source), result, &error) == NULL) {
		settings_show_error(self->network_error, error->message);
		return;
	}
	if (settings_window(self) != NULL)
		nhip_window_toast(settings_window(self), _("Network settings saved"));
	nhip_station_notify_changed(self->station);
}

/* "host:port" with a port from 1 to 65535 */
static gboolean
settings_check_host(const gchar *text, GError **error)
{
	const gchar *colon = text != NULL ? strrchr(text, ':') : NULL;
	guint64 port = 0;

	if (colon == NULL || colon == text ||
	    !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("“%s” is not a host and port; write it as host:port, e.g. "
			      "his.benhvien.vn:2575"),
			    text != NULL ? text : "");
		return FALSE;
	}
	return TRUE;
}

static void
settings_save_network(NhipSettingsPage *self)
{
	g_autofree gchar *hub = nhip_ui_entry_text(self->hub_url_row);
	g_autofree gchar *phone = nhip_ui_entry_text(self->hub_phone_row);
	g_autofree gchar *his = nhip_ui_entry_text(self->his_host_row);
	g_autoptr(GError) error = NULL;
	SettingsJob *job;
	gint minutes = gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(self->idle_spin));

	if (hub != NULL && !g_str_has_prefix(hub, "https://")) {
		settings_show_error(self->network_error,
				    _("The hub address must start with https://, e.g. "
				      "https://hub.bvbuondon.vn"));
		return;
	}
	if (hub != NULL && !g_uri_is_valid(hub, G_URI_FLAGS_NONE, &error)) {
		g_autofree gchar *message =
			g_strdup_printf(_("The hub address is not valid: %s"), error->message);
		settings_show_error(self->network_error, message);
		return;
	}
	if (phone != NULL) {
		g_autofree gchar *clean = nhip_validate_phone(phone, &error);
		if (clean == NULL) {
			settings_show_error(self->network_error, error->message);
			return;
		}
		g_free(phone);
		phone = g_steal_pointer(&clean);
	}
	if (his != NULL && !settings_check_host(his, &error)) {
		settings_show_error(self->network_error, error->message);
		return;
	}
	settings_show_error(self->network_error, NULL);
	job = g_new0(SettingsJob, 1);
	job->keys[0] = g_strdup(NHIP_SETTING_HUB_URL);
	job->values[0] = g_steal_pointer(&hub);
	job->keys[1] = g_strdup(NHIP_SETTING_HUB_PHONE);
	job->values[1] = g_steal_pointer(&phone);
	job->keys[2] = g_strdup(NHIP_SETTING_HIS_HOST);
	job->values[2] = g_steal_pointer(&his);
	job->keys[3] = g_strdup(NHIP_SETTING_IDLE_LOCK);
	job->values[3] = g_strdup_printf("%d", minutes);
	nhip_station_run(self->station, settings_job, job, (GDestroyNotify)settings_job_free, NULL,
			 settings_saved, g_object_ref(self));
}

/* ----- backup and export ----- */

static gchar *
settings_stamp(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	return g_date_time_format(now, "%Y%m%d-%H%M%S");
}

static gpointer
export_job(NhipStore *store, gpointer data, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(nhip_store_get_path(store));
	g_autofree gchar *stamp = settings_stamp();
	g_autofree gchar *name = g_strdup_printf("hl7-%s", stamp);
	g_autofree gchar *folder = g_build_filename(dir, "exports", name, NULL);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) midnight =
		g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
				      g_date_time_get_day_of_month(now), 0, 0, 0);
	g_autoptr(GPtrArray) visits = nhip_store_visit_list(
		store, g_date_time_to_unix(midnight), g_date_time_to_unix(midnight) + 86400, error);
	guint written = 0;

	if (visits == NULL)
		return NULL;
	if (g_mkdir_with_parents(folder, 0700) != 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot create the folder %s: %s"), folder, g_strerror(errno));
		return NULL;
	}
	for (guint i = 0; i < visits->len; i++) {
		NhipVisit *visit = g_ptr_array_index(visits, i);
		g_autoptr(NhipHl7Message) message = NULL;
		g_autofree gchar *text = NULL;
		g_autofree gchar *file = NULL;
		g_autofree gchar *path = NULL;

		if (visit->status != NHIP_VISIT_STATUS_CLOSED)
			continue;
		message = nhip_export_hl7_visit(store, visit->id, NHIP_EXPORT_HL7_ORU_R01, NULL,
						error);
		if (message == NULL)
			return NULL;
		text = nhip_hl7_message_to_string(message);
		file = g_strdup_printf("%s.hl7", visit->ma_lk);
		path = g_build_filename(folder, file, NULL);
		if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
					      error))
			return NULL;
		written++;
	}
	return g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%u visit exported to %s",
					   "%u visits exported to %s", written),
			       written, folder);
}

static void
settings_file_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipSettingsPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);
	NhipWindow *window = settings_window(self);

	gtk_widget_set_sensitive(self->export_button, TRUE);
	if (window == NULL)
		return;
	if (text == NULL) {
		nhip_window_error(window, _("It did not work"), error);
		return;
	}
	nhip_window_toast(window, text);
}

/* what the last backup did, in words, under "Back up the station" */
static void
settings_show_backup(NhipSettingsPage *self)
{
	g_auto(NhipBackupLast) last = { 0 };
	g_autoptr(GString) text = g_string_new(
		_("Encrypted and checked, onto the backup USB stick (the one with the file "
		  "NHIP-BACKUP at its top). It takes a few minutes; the station can be used "
		  "meanwhile."));

	if (nhip_backup_last_read(nhip_station_get_db_path(self->station), &last)) {
		g_autofree gchar *when = nhip_ui_format_time(last.time);
		g_autofree gchar *day = nhip_ui_format_date(last.time);
		g_string_append_c(text, '\n');
		if (last.ok) {
			g_autofree gchar *size = g_format_size(last.size);
			g_string_append_printf(text, _("Last backup: %s %s, %s, in %s"), day, when,
					       size, last.path != NULL ? last.path : "?");
		} else {
			g_string_append_printf(text, _("Last backup FAILED on %s %s: %s"), day,
					       when, last.message != NULL ? last.message : "?");
		}
	}
	adw_action_row_set_subtitle(self->backup_row, text->str);
}

static void
backup_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	const gchar *db_path = data;
	GError *error = NULL;
	NhipBackupResult *result;

	/* the settings of the nightly `nhipctl backup --auto`: its certificate, disk and
	 * number of backups kept */
	result = nhip_backup_auto_station(db_path, NULL, NULL, 0, &error);
	if (result == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, result, (GDestroyNotify)nhip_backup_result_free);
}

static void
backup_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(NhipSettingsPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipBackupResult) result = g_task_propagate_pointer(G_TASK(res), &error);
	NhipWindow *window = settings_window(self);

	gtk_widget_set_sensitive(self->backup_button, TRUE);
	gtk_spinner_set_spinning(GTK_SPINNER(self->backup_spinner), FALSE);
	gtk_widget_set_visible(self->backup_spinner, FALSE);
	settings_show_backup(self);
	if (window == NULL)
		return;
	if (result == NULL) {
		g_autoptr(GError) shown = NULL;
		/* the disk is full, or a stick that fails: say what to do too */
		if (g_error_matches(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED))
			shown = g_error_new(
				NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
				_("%s. If the USB stick is full, move old files off it on a "
				  "computer (keep the file NHIP-BACKUP) or use a larger stick, "
				  "then "
				  "tap Back up now again."),
				error->message);
		nhip_window_error(window, _("The backup failed"), shown != NULL ? shown : error);
		return;
	}
	{
		g_autofree gchar *size = g_format_size(result->size);
		g_autofree gchar *text = g_strdup_printf(_("Backup written and checked: %s (%s)"),
							 result->path, size);
		nhip_window_toast(window, text);
	}
}

static void
settings_backup(NhipSettingsPage *self)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, backup_done, g_object_ref(self));

	gtk_widget_set_sensitive(self->backup_button, FALSE);
	gtk_widget_set_visible(self->backup_spinner, TRUE);
	gtk_spinner_set_spinning(GTK_SPINNER(self->backup_spinner), TRUE);
	adw_action_row_set_subtitle(self->backup_row,
				    _("Backing up: a few minutes. The station can be used "
				      "meanwhile."));
	g_task_set_task_data(task, g_strdup(nhip_station_get_db_path(self->station)), g_free);
	/* minutes of reading, encrypting and checking: neither a frame nor the database
	 * writer waits for it (the backup reads its own snapshot of the database) */
	g_task_run_in_thread(task, backup_thread);
}

static void
settings_export(NhipSettingsPage *self)
{
	gtk_widget_set_sensitive(self->export_button, FALSE);
	nhip_station_run(self->station, export_job, NULL, NULL, g_free, settings_file_done,
			 g_object_ref(self));
}

static void
settings_status(NhipSettingsPage *self)
{
	NhipWindow *window = settings_window(self);
	if (window != NULL && nhip_station_is_technician(self->station))
		nhip_window_show_page(window, "status");
}

static void
settings_quit(NhipSettingsPage *self)
{
	if (nhip_station_is_technician(self->station))
		nhip_window_allow_close(settings_window(self));
}

static void
settings_devices_changed(NhipStation *station, gpointer user_data)
{
	NhipSettingsPage *self = user_data;
	if (gtk_widget_get_mapped(GTK_WIDGET(self)))
		settings_fill_devices(self);
}

static void
settings_page_map(GtkWidget *widget)
{
	GTK_WIDGET_CLASS(nhip_settings_page_parent_class)->map(widget);
	settings_page_refresh(NHIP_SETTINGS_PAGE(widget));
}

static void
nhip_settings_page_dispose(GObject *object)
{
	NhipSettingsPage *self = NHIP_SETTINGS_PAGE(object);

	if (self->station != NULL)
		g_signal_handlers_disconnect_by_data(self->station, self);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_settings_page_parent_class)->dispose(object);
}

static void
nhip_settings_page_class_init(NhipSettingsPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = nhip_settings_page_dispose;
	widget_class->map = settings_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-settings-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child(widget_class, NhipSettingsPage, name)
	BIND(stack);
	BIND(facility_code_row);
	BIND(facility_name_row);
	BIND(facility_address_row);
	BIND(facility_error);
	BIND(devices_box);
	BIND(port_driver);
	BIND(port_path);
	BIND(port_error);
	BIND(network_row);
	BIND(enroll_row);
	BIND(hub_url_row);
	BIND(hub_phone_row);
	BIND(his_host_row);
	BIND(idle_spin);
	BIND(network_error);
	BIND(database_row);
	BIND(backup_row);
	BIND(backup_spinner);
	BIND(backup_button);
	BIND(export_button);
#undef BIND
	gtk_widget_class_bind_template_callback(widget_class, settings_save_facility);
	gtk_widget_class_bind_template_callback(widget_class, settings_save_network);
	gtk_widget_class_bind_template_callback(widget_class, settings_backup);
	gtk_widget_class_bind_template_callback(widget_class, settings_export);
	gtk_widget_class_bind_template_callback(widget_class, settings_quit);
	gtk_widget_class_bind_template_callback(widget_class, settings_status);
	gtk_widget_class_bind_template_callback(widget_class, settings_add_port);
}

static void
nhip_settings_page_init(NhipSettingsPage *self)
{
	g_autoptr(GtkStringList) drivers = gtk_string_list_new(NULL);

	gtk_widget_init_template(GTK_WIDGET(self));
	for (guint i = 0; i < G_N_ELEMENTS(serial_drivers); i++)
		gtk_string_list_append(drivers, _(serial_drivers[i].name));
	gtk_drop_down_set_model(GTK_DROP_DOWN(self->port_driver), G_LIST_MODEL(drivers));
}

/**
 * nhip_settings_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the technician settings screen
 */
GtkWidget *
nhip_settings_page_new(NhipStation *station)
{
	NhipSettingsPage *self = g_object_new(NHIP_TYPE_SETTINGS_PAGE, NULL);

	self->station = g_object_ref(station);
	g_signal_connect(station, "devices-changed", G_CALLBACK(settings_devices_changed), self);
	return GTK_WIDGET(self);
}
