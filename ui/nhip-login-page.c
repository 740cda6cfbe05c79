/*
 * Nhịp — the login screen: tap your name, type your PIN on the number pad.
 *
 * The PIN is checked in the worker thread (the hash is deliberately slow); five wrong
 * PINs in a row lock the account for a while, and the store's message says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-demo.h"
#include "nhip-login-page.h"
#include "nhip-ui-util.h"

#define PIN_MAX 8

struct _NhipLoginPage {
	AdwBin parent_instance;

	GtkLabel *station_label;
	GtkWidget *staff_box;
	GtkLabel *demo_label;
	GtkLabel *name_label;
	GtkLabel *dots_label;
	GtkLabel *message_label;
	GtkGrid *keypad;
	GtkWidget *login_button;

	NhipStation *station;
	GPtrArray *staff; /* NhipStaff */
	gint64 staff_id;
	GString *pin;
	gboolean checking;
};

G_DEFINE_TYPE(NhipLoginPage, nhip_login_page, ADW_TYPE_BIN)

static void
login_page_update(NhipLoginPage *self)
{
	GString *dots = g_string_new(NULL);
	guint shown = MAX(4, self->pin->len);

	for (guint i = 0; i < shown; i++) {
		if (i > 0)
			g_string_append_c(dots, ' ');
		g_string_append(dots, i < self->pin->len ? "●" : "○");
	}
	gtk_label_set_text(self->dots_label, dots->str);
	g_string_free(dots, TRUE);
	gtk_widget_set_sensitive(self->login_button,
				 !self->checking && self->staff_id != 0 && self->pin->len >= 4);
}

static void
login_page_set_message(NhipLoginPage *self, const gchar *message, gboolean error)
{
	gtk_label_set_text(self->message_label, message != NULL ? message : "");
	if (error)
		gtk_widget_add_css_class(GTK_WIDGET(self->message_label), "error");
	else
		gtk_widget_remove_css_class(GTK_WIDGET(self->message_label), "error");
}

static void
login_page_clear_pin(NhipLoginPage *self)
{
	/* wipe the digits, not just forget them */
	for (gsize i = 0; i < self->pin->len; i++)
		self->pin->str[i] = '\0';
	g_string_truncate(self->pin, 0);
}

static void
login_page_staff_clicked(GtkButton *button, gpointer user_data)
{
	NhipLoginPage *self = user_data;
	NhipStaff *staff = g_object_get_data(G_OBJECT(button), "staff");

	self->staff_id = staff->id;
	for (GtkWidget *child = gtk_widget_get_first_child(self->staff_box); child != NULL;
	     child = gtk_widget_get_next_sibling(child))
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(child), child == GTK_WIDGET(button));
	gtk_label_set_text(self->name_label, staff->name);
	login_page_clear_pin(self);
	login_page_set_message(self, _("Enter your PIN"), FALSE);
	login_page_update(self);
}

static const gchar *
login_role_name(NhipRole role)
{
	switch (role) {
	case NHIP_ROLE_DOCTOR:
		return _("Doctor");
	case NHIP_ROLE_TECHNICIAN:
		return _("Technician");
	case NHIP_ROLE_STAFF:
	default:
		return _("Health worker");
	}
}

static GtkWidget *
login_row_label(const gchar *text, const gchar *css_class)
{
	GtkWidget *label = nhip_ui_label(text, css_class);
	gtk_label_set_wrap(GTK_LABEL(label), FALSE);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	return label;
}

static void
login_page_fill_staff(NhipLoginPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) demo = g_string_new(_("Demo — the PINs are: "));
	g_autoptr(NhipFacility) facility = NULL;
	gboolean any_demo = FALSE;

	nhip_ui_remove_all(self->staff_box);
	g_clear_pointer(&self->staff, g_ptr_array_unref);
	if (store == NULL)
		return;
	facility = nhip_store_facility_get(store, NULL);
	gtk_label_set_text(self->station_label,
			   facility != NULL ? facility->name : _("Nhịp health station"));
	self->staff = nhip_store_staff_list(store, &error);
	if (self->staff == NULL) {
		login_page_set_message(self, error->message, TRUE);
		return;
	}
	for (guint i = 0; i < self->staff->len; i++) {
		NhipStaff *staff = g_ptr_array_index(self->staff, i);
		GtkWidget *button;
		GtkWidget *box;
		GtkWidget *labels;
		GtkWidget *avatar;
		const gchar *pin;

		if (!staff->active)
			continue;
		button = gtk_toggle_button_new();
		box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
		labels = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
		avatar = adw_avatar_new(44, staff->name, TRUE);
		gtk_box_append(GTK_BOX(box), avatar);
		gtk_box_append(GTK_BOX(labels), login_row_label(staff->name, "row-title"));
		gtk_box_append(GTK_BOX(labels),
			       login_row_label(login_role_name(staff->role), "dim-label"));
		gtk_widget_set_valign(labels, GTK_ALIGN_CENTER);
		gtk_box_append(GTK_BOX(box), labels);
		gtk_button_set_child(GTK_BUTTON(button), box);
		gtk_widget_add_css_class(button, "staff-button");
		nhip_ui_set_label(button, staff->name);
		g_object_set_data(G_OBJECT(button), "staff", staff);
		g_signal_connect(button, "clicked", G_CALLBACK(login_page_staff_clicked), self);
		gtk_box_append(GTK_BOX(self->staff_box), button);

		pin = nhip_demo_staff_pin(staff->name);
		if (pin != NULL) {
			g_string_append_printf(demo, "%s%s %s", any_demo ? " · " : "", staff->name,
					       pin);
			any_demo = TRUE;
		}
	}
	gtk_label_set_text(self->demo_label, demo->str);
	gtk_widget_set_visible(GTK_WIDGET(self->demo_label),
			       nhip_station_is_demo(self->station) && any_demo);
}

/**
 * nhip_login_page_reset:
 * @self: the login screen
 *
 * Forgets the chosen name and digits and reloads the staff list.
 */
void
nhip_login_page_reset(NhipLoginPage *self)
{
	self->staff_id = 0;
	self->checking = FALSE;
	login_page_clear_pin(self);
	gtk_label_set_text(self->name_label, _("Who is working?"));
	login_page_set_message(self, NULL, FALSE);
	login_page_fill_staff(self);
	login_page_update(self);
}

typedef struct {
	gint64 staff_id;
	gchar *pin;
} LoginJob;

static void
login_job_free(LoginJob *job)
{
	if (job->pin != NULL)
		memset(job->pin, 0, strlen(job->pin));
	g_free(job->pin);
	g_free(job);
}

static gpointer
login_job(NhipStore *store, gpointer data, GError **error)
{
	LoginJob *job = data;

	if (!nhip_store_staff_login(store, job->staff_id, job->pin, error))
		return NULL;
	return nhip_store_staff_get(store, job->staff_id, error);
}

static void
login_job_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipLoginPage) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStaff) staff = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);

	self->checking = FALSE;
	login_page_clear_pin(self);
	if (staff == NULL) {
		login_page_set_message(self, error->message, TRUE);
		login_page_update(self);
		return;
	}
	login_page_set_message(self, NULL, FALSE);
	login_page_update(self);
	nhip_station_set_staff(self->station, staff);
}

static void
login_page_submit(NhipLoginPage *self)
{
	LoginJob *job;

	if (self->checking || self->staff_id == 0 || self->pin->len < 4)
		return;
	job = g_new0(LoginJob, 1);
	job->staff_id = self->staff_id;
	job->pin = g_strdup(self->pin->str);
	self->checking = TRUE;
	login_page_set_message(self, _("Checking…"), FALSE);
	login_page_update(self);
	nhip_worker_run_async(nhip_station_get_worker(self->station), self->staff_id, login_job,
			      job, (GDestroyNotify)login_job_free, (GDestroyNotify)nhip_staff_free,
			      NULL, login_job_done, g_object_ref(self));
}

static void
login_page_digit(NhipLoginPage *self, gchar digit)
{
	if (self->checking)
		return;
	if (self->staff_id == 0) {
		login_page_set_message(self, _("First tap your name on the left"), TRUE);
		return;
	}
	if (self->pin->len < PIN_MAX)
		g_string_append_c(self->pin, digit);
	login_page_set_message(self, NULL, FALSE);
	login_page_update(self);
}

static void
login_page_backspace(NhipLoginPage *self)
{
	if (self->pin->len > 0) {
		self->pin->str[self->pin->len - 1] = '\0';
		g_string_truncate(self->pin, self->pin->len - 1);
	}
	login_page_update(self);
}

static void
login_key_clicked(GtkButton *button, gpointer user_data)
{
	NhipLoginPage *self = user_data;
	const gchar *key = g_object_get_data(G_OBJECT(button), "key");

	if (g_strcmp0(key, "back") == 0)
		login_page_backspace(self);
	else if (g_strcmp0(key, "clear") == 0) {
		login_page_clear_pin(self);
		login_page_update(self);
	} else
		login_page_digit(self, key[0]);
}

static gboolean
login_page_key_pressed(GtkEventControllerKey *controller,
		       guint keyval,
		       guint keycode,
		       GdkModifierType state,
		       gpointer user_data)
{
	NhipLoginPage *self = user_data;
	gunichar c = gdk_keyval_to_unicode(keyval);

	if (c >= '0' && c <= '9') {
		login_page_digit(self, (gchar)c);
		return TRUE;
	}
	if (keyval == GDK_KEY_BackSpace) {
		login_page_backspace(self);
		return TRUE;
	}
	if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) {
		login_page_submit(self);
		return TRUE;
	}
	return FALSE;
}

static void
login_page_build_keypad(NhipLoginPage *self)
{
	static const struct {
		const gchar *key;
		const gchar *label;
		const gchar *icon;
	} keys[] = {
		{ "1", "1", NULL }, { "2", "2", NULL },
		{ "3", "3", NULL }, { "4", "4", NULL },
		{ "5", "5", NULL }, { "6", "6", NULL },
		{ "7", "7", NULL }, { "8", "8", NULL },
		{ "9", "9", NULL }, { "clear", NULL, "edit-clear-all-symbolic" },
		{ "0", "0", NULL }, { "back", NULL, "edit-clear-symbolic" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		GtkWidget *button = keys[i].label != NULL
					    ? gtk_button_new_with_label(keys[i].label)
					    : gtk_button_new_from_icon_name(keys[i].icon);
		g_object_set_data(G_OBJECT(button), "key", (gpointer)keys[i].key);
		gtk_widget_add_css_class(button, "pin-key");
		gtk_widget_set_focus_on_click(button, FALSE);
		if (g_strcmp0(keys[i].key, "back") == 0)
			nhip_ui_set_label(button, _("Delete the last digit"));
		else if (g_strcmp0(keys[i].key, "clear") == 0)
			nhip_ui_set_label(button, _("Delete all digits"));
		else
			nhip_ui_set_label(button, keys[i].label);
		g_signal_connect(button, "clicked", G_CALLBACK(login_key_clicked), self);
		gtk_grid_attach(self->keypad, button, (gint)(i % 3), (gint)(i / 3), 1, 1);
	}
}

static void
login_page_map(GtkWidget *widget)
{
	GTK_WIDGET_CLASS(nhip_login_page_parent_class)->map(widget);
	nhip_login_page_reset(NHIP_LOGIN_PAGE(widget));
}

static void
nhip_login_page_finalize(GObject *object)
{
	NhipLoginPage *self = NHIP_LOGIN_PAGE(object);

	login_page_clear_pin(self);
	g_string_free(self->pin, TRUE);
	g_clear_pointer(&self->staff, g_ptr_array_unref);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_login_page_parent_class)->finalize(object);
}

static void
nhip_login_page_class_init(NhipLoginPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->finalize = nhip_login_page_finalize;
	widget_class->map = login_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-login-page.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, station_label);
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, staff_box);
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, demo_label);
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, name_label);
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, dots_label);
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, message_label);
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, keypad);
	gtk_widget_class_bind_template_child(widget_class, NhipLoginPage, login_button);
	gtk_widget_class_bind_template_callback(widget_class, login_page_submit);
}

static void
nhip_login_page_init(NhipLoginPage *self)
{
	GtkEventController *keys = gtk_event_controller_key_new();

	gtk_widget_init_template(GTK_WIDGET(self));
	self->pin = g_string_new(NULL);
	login_page_build_keypad(self);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(login_page_key_pressed), self);
	gtk_widget_add_controller(GTK_WIDGET(self), keys);
}

/**
 * nhip_login_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the login screen
 */
GtkWidget *
nhip_login_page_new(NhipStation *station)
{
	NhipLoginPage *self = g_object_new(NHIP_TYPE_LOGIN_PAGE, NULL);
	self->station = g_object_ref(station);
	return GTK_WIDGET(self);
}
