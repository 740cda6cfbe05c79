/*
 * Nhịp — the first-run setup assistant, shown instead of the login screen on a station
 * with no facility and no staff yet. One screen per step, with big buttons:
 *   1. the first technician (name and PIN) — the account that looks after the station;
 *   2. the facility and its administrative codes;
 *   3. the district hub (address and enrollment token) — may be skipped and done later;
 *   4. the devices plugged in (from the kiosk's own device manager);
 *   5. the network to the hub (DNS, TCP, TLS).
 * Every field is checked as it is typed and the Next button waits until the step is
 * right; the steps run the same code as `nhipctl setup` (app/nhip-setup.c) on the worker
 * thread, so running one twice changes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-login-page.h"
#include "nhip-pin.h"
#include "nhip-setup-assistant.h"
#include "nhip-setup.h"
#include "nhip-validate.h"
#include "nhip-window.h"

#define NETWORK_TIMEOUT 10

struct _NhipSetupAssistant {
	AdwBin parent_instance;

	GtkStack *steps;
	GtkLabel *progress;
	/* 1. technician */
	GtkWidget *tech_name;
	GtkWidget *tech_pin;
	GtkWidget *tech_pin2;
	GtkLabel *tech_error;
	GtkWidget *tech_next;
	/* 2. facility */
	GtkWidget *fac_code;
	GtkWidget *fac_name;
	GtkWidget *fac_province;
	GtkWidget *fac_district;
	GtkWidget *fac_commune;
	GtkWidget *fac_address;
	GtkLabel *fac_error;
	GtkWidget *fac_next;
	/* 3. hub */
	GtkWidget *hub_url;
	GtkWidget *hub_token;
	GtkLabel *hub_result;
	GtkWidget *hub_enroll;
	/* 4. devices */
	GtkLabel *devices_result;
	/* 5. network */
	GtkLabel *network_result;
	GtkWidget *network_check;

	NhipStation *station;
	gboolean busy;
	guint done; /* steps finished */
};

G_DEFINE_TYPE(NhipSetupAssistant, nhip_setup_assistant, ADW_TYPE_BIN)

static const gchar *const step_names[] = { "technician", "facility", "hub", "devices", "network" };

static const gchar *
entry_text(GtkWidget *entry)
{
	return gtk_editable_get_text(GTK_EDITABLE(entry));
}

static gchar *
entry_value(GtkWidget *entry)
{
	g_autofree gchar *text = g_strstrip(g_strdup(entry_text(entry)));
	return text[0] != '\0' ? g_steal_pointer(&text) : NULL;
}

static void
show_message(GtkLabel *label, const gchar *message, gboolean is_error)
{
	gtk_label_set_text(label, message != NULL ? message : "");
	gtk_widget_set_visible(GTK_WIDGET(label), message != NULL);
	if (is_error)
		gtk_widget_add_css_class(GTK_WIDGET(label), "error");
	else
		gtk_widget_remove_css_class(GTK_WIDGET(label), "error");
}

static void
assistant_go(NhipSetupAssistant *self, guint step)
{
	g_autofree gchar *text =
		g_strdup_printf(_("Step %u of %u"), step + 1, (guint)G_N_ELEMENTS(step_names));
	gtk_stack_set_visible_child_name(self->steps, step_names[step]);
	gtk_label_set_text(self->progress, text);
}

static void
assistant_error(NhipSetupAssistant *self, const gchar *what, const GError *error)
{
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));
	if (window != NULL)
		nhip_window_error(window, what, error);
}

/* ----- 1. the technician ----- */

static void
tech_changed(NhipSetupAssistant *self)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *name = entry_value(self->tech_name);
	const gchar *pin = entry_text(self->tech_pin);
	const gchar *pin2 = entry_text(self->tech_pin2);
	const gchar *message = NULL;

	if (name != NULL && !nhip_validate_name(name, &error))
		message = error->message;
	else if (pin[0] != '\0' && !nhip_pin_check_format(pin, &error))
		message = error->message;
	else if (pin2[0] != '\0' && g_strcmp0(pin, pin2) != 0)
		message = _("The two PINs differ: type the same PIN twice");
	show_message(self->tech_error, message, TRUE);
	gtk_widget_set_sensitive(self->tech_next, message == NULL && name != NULL &&
							  pin[0] != '\0' &&
							  g_strcmp0(pin, pin2) == 0 &&
							  !self->busy && self->done < 1);
}

/* the technician's or the facility's step on the worker thread; a failed step is an error */
typedef struct {
	NhipSetupStaff *staff;
	NhipFacility *facility;
} StoreJob;

static void
setup_staff_free(NhipSetupStaff *staff)
{
	g_free(staff->name);
	g_free(staff->pin);
	g_free(staff);
}

static void
store_job_free(StoreJob *job)
{
	if (job->staff != NULL)
		setup_staff_free(job->staff);
	nhip_facility_free(job->facility);
	g_free(job);
}

static gpointer
store_job(NhipStore *store, gpointer data, GError **error)
{
	StoreJob *job = data;
	NhipSetupStep *step = job->staff != NULL ? nhip_setup_staff(store, job->staff, FALSE)
						 : nhip_setup_facility(store, job->facility, FALSE);

	if (step->result == NHIP_SETUP_FAILED) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    step->message);
		nhip_setup_step_free(step);
		return NULL;
	}
	return step;
}

/* a step's job is over: on to @next, or the reason it failed; its Next button stays off
 * once the step is done */
static gboolean
step_done(NhipSetupAssistant *self, GAsyncResult *result, guint next)
{
	g_autoptr(GError) error = NULL;
	NhipSetupStep *step = nhip_station_run_finish(self->station, result, &error);

	self->busy = FALSE;
	if (step == NULL) {
		assistant_error(self, _("This step failed"), error);
		return FALSE;
	}
	nhip_setup_step_free(step);
	nhip_station_notify_changed(self->station);
	self->done = MAX(self->done, next);
	assistant_go(self, next);
	return TRUE;
}

static void
tech_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipSetupAssistant) self = user_data;

	if (!step_done(self, result, 1))
		tech_changed(self);
}

static void
tech_next(NhipSetupAssistant *self)
{
	StoreJob *job = g_new0(StoreJob, 1);

	job->staff = g_new0(NhipSetupStaff, 1);
	job->staff->name = entry_value(self->tech_name);
	job->staff->role = NHIP_ROLE_TECHNICIAN;
	job->staff->pin = g_strdup(entry_text(self->tech_pin));
	self->busy = TRUE;
	gtk_widget_set_sensitive(self->tech_next, FALSE);
	nhip_station_run(self->station, store_job, job, (GDestroyNotify)store_job_free,
			 (GDestroyNotify)nhip_setup_step_free, tech_done, g_object_ref(self));
}

/* ----- 2. the facility ----- */

static NhipFacility *
facility_from_fields(NhipSetupAssistant *self, GError **error)
{
	g_autofree gchar *code = entry_value(self->fac_code);
	g_autofree gchar *name = entry_value(self->fac_name);
	g_autoptr(NhipFacility) facility = NULL;
	const struct {
		const gchar *what;
		GtkWidget *entry;
	} admin[] = {
		{ "province", self->fac_province },
		{ "district", self->fac_district },
		{ "commune", self->fac_commune },
	};
	gchar *values[3] = { NULL, NULL, NULL };

	if (code == NULL || !nhip_validate_facility_code(code, error))
		return NULL;
	if (name == NULL || g_utf8_strlen(name, -1) < 2) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("the facility needs a name, e.g. “Trạm Y tế xã Tân Hòa”"));
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS(admin); i++) {
		values[i] = entry_value(admin[i].entry);
		if (values[i] != NULL &&
		    !nhip_setup_check_admin_code(admin[i].what, values[i], error)) {
			for (guint k = 0; k <= i; k++)
				g_free(values[k]);
			return NULL;
		}
	}
	facility = nhip_facility_new(code, name);
	facility->province_code = values[0];
	facility->district_code = values[1];
	facility->commune_code = values[2];
	facility->address = entry_value(self->fac_address);
	return g_steal_pointer(&facility);
}

static void
fac_changed(NhipSetupAssistant *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipFacility) facility = facility_from_fields(self, &error);
	gboolean typed = entry_text(self->fac_code)[0] != '\0';

	/* say what is wrong once something was typed in the first field */
	show_message(self->fac_error, facility == NULL && typed ? error->message : NULL, TRUE);
	gtk_widget_set_sensitive(self->fac_next, facility != NULL && !self->busy && self->done < 2);
}

static void
fac_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipSetupAssistant) self = user_data;

	if (!step_done(self, result, 2))
		fac_changed(self);
}

static void
fac_next(NhipSetupAssistant *self)
{
	g_autoptr(GError) error = NULL;
	NhipFacility *facility = facility_from_fields(self, &error);
	StoreJob *job;

	if (facility == NULL)
		return;
	job = g_new0(StoreJob, 1);
	job->facility = facility;
	self->busy = TRUE;
	gtk_widget_set_sensitive(self->fac_next, FALSE);
	nhip_station_run(self->station, store_job, job, (GDestroyNotify)store_job_free,
			 (GDestroyNotify)nhip_setup_step_free, fac_done, g_object_ref(self));
}

/* ----- 3. the hub; 5. the network ----- */

typedef struct {
	gchar *db_path;
	gchar *url;
	gchar *token;
	gboolean network;
} HubJob;

static void
hub_job_free(HubJob *job)
{
	g_free(job->db_path);
	g_free(job->url);
	g_free(job->token);
	g_free(job);
}

static gpointer
hub_job(NhipStore *store, gpointer data, GError **error)
{
	HubJob *job = data;
	g_autoptr(NhipFacility) facility = nhip_store_facility_get(store, NULL);

	if (job->network)
		return nhip_setup_network(job->db_path, job->url, NETWORK_TIMEOUT);
	return nhip_setup_hub(job->db_path, facility != NULL ? facility->code : NULL, job->url,
			      job->token, NULL, FALSE);
}

static void
hub_changed(NhipSetupAssistant *self)
{
	g_autofree gchar *url = entry_value(self->hub_url);
	g_autofree gchar *token = entry_value(self->hub_token);
	g_autoptr(GUri) uri = url != NULL ? g_uri_parse(url, G_URI_FLAGS_NONE, NULL) : NULL;
	gboolean url_ok = uri != NULL && g_strcmp0(g_uri_get_scheme(uri), "https") == 0 &&
			  g_uri_get_host(uri) != NULL && g_uri_get_host(uri)[0] != '\0';

	if (url != NULL && !url_ok)
		show_message(self->hub_result,
			     _("The address starts with https://, e.g. "
			       "https://hub.ttyt-tanhoa.vn:8443"),
			     TRUE);
	else if (!self->busy)
		show_message(self->hub_result, NULL, FALSE);
	gtk_widget_set_sensitive(self->hub_enroll, url_ok && token != NULL && !self->busy);
}

static void
check_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipSetupAssistant) self = user_data;
	g_autoptr(GError) error = NULL;
	NhipSetupStep *step = nhip_station_run_finish(self->station, result, &error);
	GtkLabel *label;

	self->busy = FALSE;
	if (step == NULL) {
		assistant_error(self, _("This step failed"), error);
		return;
	}
	label = g_strcmp0(step->step, "network") == 0 ? self->network_result : self->hub_result;
	show_message(label, step->message, step->result == NHIP_SETUP_FAILED);
	gtk_widget_set_sensitive(self->network_check, TRUE);
	if (g_strcmp0(step->step, "hub") == 0 && step->result != NHIP_SETUP_FAILED) {
		gtk_editable_set_text(GTK_EDITABLE(self->hub_token), "");
		nhip_setup_step_free(step);
		assistant_go(self, 3);
		return;
	}
	nhip_setup_step_free(step);
	hub_changed(self);
}

static void
run_hub_job(NhipSetupAssistant *self, gboolean network)
{
	HubJob *job = g_new0(HubJob, 1);

	job->db_path = g_strdup(nhip_station_get_db_path(self->station));
	job->url = network ? NULL : entry_value(self->hub_url);
	job->token = network ? NULL : entry_value(self->hub_token);
	job->network = network;
	self->busy = TRUE;
	gtk_widget_set_sensitive(self->hub_enroll, FALSE);
	gtk_widget_set_sensitive(self->network_check, FALSE);
	show_message(network ? self->network_result : self->hub_result, _("Please wait…"), FALSE);
	nhip_station_run(self->station, hub_job, job, (GDestroyNotify)hub_job_free,
			 (GDestroyNotify)nhip_setup_step_free, check_done, g_object_ref(self));
}

static void
hub_enroll(NhipSetupAssistant *self)
{
	run_hub_job(self, FALSE);
}

static void
hub_skip(NhipSetupAssistant *self)
{
	assistant_go(self, 3);
}

static void
network_check(NhipSetupAssistant *self)
{
	run_hub_job(self, TRUE);
}

/* ----- 4. devices ----- */

static void
devices_check(NhipSetupAssistant *self)
{
	GPtrArray *devices = nhip_station_get_devices(self->station);
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; devices != NULL && i < devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(devices, i);
		g_string_append_printf(text, "• %s — %s\n", nhip_device_get_display_name(device),
				       nhip_device_state_to_string(nhip_device_get_state(device)));
	}
	if (text->len == 0)
		show_message(self->devices_result,
			     _("No device is plugged in. Plug the devices in and switch them on, "
			       "then check again; or go on and add them later in the technician "
			       "settings."),
			     TRUE);
	else
		show_message(self->devices_result, g_strchomp(text->str), FALSE);
}

static void
devices_next(NhipSetupAssistant *self)
{
	assistant_go(self, 4);
}

static void
assistant_finish(NhipSetupAssistant *self)
{
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));

	if (window == NULL)
		return;
	nhip_login_page_reset(NHIP_LOGIN_PAGE(nhip_window_get_page_widget(window, "login")));
	nhip_window_show_page(window, "login");
	nhip_window_toast(window, _("The station is set up: log in with the technician's PIN"));
}

/* ----- building the screens ----- */

static GtkWidget *
add_entry(GtkWidget *group, const gchar *title, gboolean password, GCallback changed, gpointer self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
	GtkWidget *label = gtk_label_new(title);
	GtkWidget *entry = password ? gtk_password_entry_new() : gtk_entry_new();

	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_widget_add_css_class(label, "field-title");
	gtk_widget_add_css_class(entry, "big-entry");
	if (password) {
		gtk_password_entry_set_show_peek_icon(GTK_PASSWORD_ENTRY(entry), TRUE);
		gtk_editable_set_max_width_chars(GTK_EDITABLE(entry), 8);
		gtk_widget_set_halign(entry, GTK_ALIGN_START);
	}
	/* the field's name for screen readers (and the UI test) is its title */
	gtk_accessible_update_relation(GTK_ACCESSIBLE(entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
				       label, NULL, -1);
	g_signal_connect_swapped(entry, "changed", changed, self);
	gtk_box_append(GTK_BOX(box), label);
	gtk_box_append(GTK_BOX(box), entry);
	gtk_widget_set_margin_bottom(box, 6);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), box);
	return entry;
}

static GtkWidget *
add_button(GtkBox *box, const gchar *label, gboolean suggested, GCallback clicked, gpointer self)
{
	GtkWidget *button = gtk_button_new_with_label(label);

	gtk_widget_add_css_class(button, "big-button");
	if (suggested)
		gtk_widget_add_css_class(button, "suggested-action");
	g_signal_connect_swapped(button, "clicked", clicked, self);
	gtk_box_append(box, button);
	return button;
}

static GtkLabel *
add_message(GtkWidget *group)
{
	GtkWidget *label = gtk_label_new(NULL);

	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_widget_set_visible(label, FALSE);
	gtk_widget_set_margin_top(label, 12);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), label);
	return GTK_LABEL(label);
}

/* a step: a titled page with a group for its fields and a row of buttons under it */
static GtkWidget *
add_step(NhipSetupAssistant *self,
	 const gchar *name,
	 const gchar *title,
	 const gchar *description,
	 GtkBox **buttons)
{
	GtkWidget *page = adw_preferences_page_new();
	GtkWidget *group = adw_preferences_group_new();
	GtkWidget *bottom = adw_preferences_group_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), title);
	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(group), description);
	gtk_widget_set_halign(box, GTK_ALIGN_END);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(bottom), box);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(group));
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(page), ADW_PREFERENCES_GROUP(bottom));
	gtk_stack_add_named(self->steps, page, name);
	*buttons = GTK_BOX(box);
	return group;
}

static void
nhip_setup_assistant_init(NhipSetupAssistant *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *group;
	GtkBox *buttons;

	self->progress = GTK_LABEL(gtk_label_new(NULL));
	gtk_widget_add_css_class(GTK_WIDGET(self->progress), "dim-label");
	gtk_widget_set_margin_top(GTK_WIDGET(self->progress), 12);
	self->steps = GTK_STACK(gtk_stack_new());
	gtk_stack_set_transition_type(self->steps, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT);
	gtk_widget_set_vexpand(GTK_WIDGET(self->steps), TRUE);
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->progress));
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->steps));
	adw_bin_set_child(ADW_BIN(self), box);

	group = add_step(self, "technician", _("The technician"),
			 _("Welcome. This station is not set up yet. First the technician who "
			   "looks after it: their name and a PIN of 4 to 8 digits."),
			 &buttons);
	self->tech_name =
		add_entry(group, _("Technician's name"), FALSE, G_CALLBACK(tech_changed), self);
	self->tech_pin = add_entry(group, _("PIN"), TRUE, G_CALLBACK(tech_changed), self);
	self->tech_pin2 = add_entry(group, _("PIN again"), TRUE, G_CALLBACK(tech_changed), self);
	self->tech_error = add_message(group);
	self->tech_next = add_button(buttons, _("Next"), TRUE, G_CALLBACK(tech_next), self);

	group = add_step(self, "facility", _("The health station"),
			 _("The facility code (MA_CSKCB) from the insurance office and the "
			   "administrative codes the insurance export needs."),
			 &buttons);
	self->fac_code = add_entry(group, _("Facility code (5 digits)"), FALSE,
				   G_CALLBACK(fac_changed), self);
	self->fac_name = add_entry(group, _("Facility name"), FALSE, G_CALLBACK(fac_changed), self);
	self->fac_province = add_entry(group, _("Province code (2 digits)"), FALSE,
				       G_CALLBACK(fac_changed), self);
	self->fac_district = add_entry(group, _("District code (3 digits)"), FALSE,
				       G_CALLBACK(fac_changed), self);
	self->fac_commune = add_entry(group, _("Commune code (5 digits)"), FALSE,
				      G_CALLBACK(fac_changed), self);
	self->fac_address = add_entry(group, _("Address"), FALSE, G_CALLBACK(fac_changed), self);
	self->fac_error = add_message(group);
	self->fac_next = add_button(buttons, _("Next"), TRUE, G_CALLBACK(fac_next), self);

	group = add_step(self, "hub", _("The district hub"),
			 _("The hub's address and the one-time enrollment token from the district. "
			   "Without a network now, skip this and enroll later."),
			 &buttons);
	self->hub_url = add_entry(group, _("Hub address (https://…)"), FALSE,
				  G_CALLBACK(hub_changed), self);
	self->hub_token =
		add_entry(group, _("Enrollment token"), FALSE, G_CALLBACK(hub_changed), self);
	self->hub_result = add_message(group);
	add_button(buttons, _("Skip"), FALSE, G_CALLBACK(hub_skip), self);
	self->hub_enroll = add_button(buttons, _("Enroll"), TRUE, G_CALLBACK(hub_enroll), self);

	group = add_step(self, "devices", _("The devices"),
			 _("Plug in the devices and switch them on, then check that the station "
			   "sees them."),
			 &buttons);
	self->devices_result = add_message(group);
	add_button(buttons, _("Check devices"), FALSE, G_CALLBACK(devices_check), self);
	add_button(buttons, _("Next"), TRUE, G_CALLBACK(devices_next), self);

	group = add_step(self, "network", _("The network"),
			 _("Check that the station reaches the district hub: its name, a "
			   "connection, and a secure handshake."),
			 &buttons);
	self->network_result = add_message(group);
	self->network_check =
		add_button(buttons, _("Check network"), FALSE, G_CALLBACK(network_check), self);
	add_button(buttons, _("Finish"), TRUE, G_CALLBACK(assistant_finish), self);

	gtk_widget_set_sensitive(self->tech_next, FALSE);
	gtk_widget_set_sensitive(self->fac_next, FALSE);
	gtk_widget_set_sensitive(self->hub_enroll, FALSE);
	assistant_go(self, 0);
}

static void
nhip_setup_assistant_finalize(GObject *object)
{
	NhipSetupAssistant *self = NHIP_SETUP_ASSISTANT(object);

	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_setup_assistant_parent_class)->finalize(object);
}

static void
nhip_setup_assistant_class_init(NhipSetupAssistantClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = nhip_setup_assistant_finalize;
}

/**
 * nhip_setup_assistant_needed:
 * @store: the station database
 *
 * Returns: %TRUE on an empty station: no facility and no staff account
 */
gboolean
nhip_setup_assistant_needed(NhipStore *store)
{
	g_autoptr(NhipFacility) facility = nhip_store_facility_get(store, NULL);
	g_autoptr(GPtrArray) staff = NULL;

	if (facility != NULL)
		return FALSE;
	staff = nhip_store_staff_list(store, NULL);
	return staff != NULL && staff->len == 0;
}

/**
 * nhip_setup_assistant_new:
 * @station: the station
 *
 * Returns: (transfer floating): the assistant
 */
GtkWidget *
nhip_setup_assistant_new(NhipStation *station)
{
	NhipSetupAssistant *self = g_object_new(NHIP_TYPE_SETUP_ASSISTANT, NULL);
	self->station = g_object_ref(station);
	return GTK_WIDGET(self);
}
