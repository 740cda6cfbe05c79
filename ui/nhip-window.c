/*
 * Nhịp — the kiosk window: header, screens, toasts, idle lock and QR scans.
 *
 * One window holds every screen in a stack; the header's back and home buttons walk a
 * history of screens. Typing from a keyboard-wedge QR scanner is recognised here, before
 * any entry sees the Enter, so a scan works wherever the focus is on the home, search
 * and register screens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <malloc.h>

#include "nhip-ask-page.h"
#include "nhip-call-banner.h"
#include "nhip-call-page.h"
#include "nhip-home-page.h"
#include "nhip-key-burst.h"
#include "nhip-login-page.h"
#include "nhip-patient-form.h"
#include "nhip-patient-page.h"
#include "nhip-search-page.h"
#include "nhip-settings-page.h"
#include "nhip-setup-assistant.h"
#include "nhip-status-page.h"
#include "nhip-ui-util.h"
#include "nhip-visit-page.h"
#include "nhip-window.h"

struct _NhipWindow {
	AdwApplicationWindow parent_instance;

	AdwToastOverlay *toasts;
	AdwHeaderBar *header;
	GtkWidget *back_button;
	GtkWidget *home_button;
	GtkWidget *lock_button;
	AdwWindowTitle *title;
	GtkLabel *staff_label;
	GtkStack *pages;
	AdwStatusPage *error_page;

	NhipStation *station;
	gboolean kiosk;
	gboolean close_allowed;
	GPtrArray *history; /* page names, the current one last */

	NhipKeyBurst *burst;
	GtkWidget *burst_editable; /* weak: the field the scan typed into */
	gchar *burst_text_before;

	gint64 last_activity_us;
	guint idle_source;
	gboolean no_devices;
	GtkWidget *call_banner; /* the incoming-call banner, made at the first login */
	gint64 ask_visit;	/* the visit of the Ask screen: the one a call is about */
};

G_DEFINE_TYPE(NhipWindow, nhip_window, ADW_TYPE_APPLICATION_WINDOW)

typedef struct {
	const gchar *name;
	const gchar *title;
	gboolean needs_login;
} WindowPage;

static const WindowPage window_pages[] = {
	{ "login", N_("Log in"), FALSE },
	{ "home", N_("Today"), TRUE },
	{ "search", N_("Find a patient"), TRUE },
	{ "patient", N_("Patient"), TRUE },
	{ "form", N_("Patient details"), TRUE },
	{ "visit", N_("Visit"), TRUE },
	{ "ask", N_("Ask the district"), TRUE },
	{ "settings", N_("Technician settings"), TRUE },
	{ "setup", N_("Setting up the station"), FALSE },
	{ "status", N_("Station status"), TRUE },
	{ "call", N_("Call the district doctor"), TRUE },
};

/**
 * nhip_window_from_widget:
 * @widget: a widget inside the window
 *
 * Returns: (transfer none) (nullable): the kiosk window
 */
NhipWindow *
nhip_window_from_widget(GtkWidget *widget)
{
	GtkRoot *root = gtk_widget_get_root(widget);
	return NHIP_IS_WINDOW(root) ? NHIP_WINDOW(root) : NULL;
}

/**
 * nhip_window_get_station:
 * @self: the window
 *
 * Returns: (transfer none): the station
 */
NhipStation *
nhip_window_get_station(NhipWindow *self)
{
	return self->station;
}

/**
 * nhip_window_toast:
 * @self: the window
 * @message: a short message
 */
void
nhip_window_toast(NhipWindow *self, const gchar *message)
{
	AdwToast *toast = adw_toast_new(message);

	adw_toast_set_timeout(toast, 4);
	adw_toast_overlay_add_toast(self->toasts, toast);
}

/**
 * nhip_window_error:
 * @self: the window
 * @what: what failed, e.g. "The patient was not saved"
 * @error: why
 *
 * Shows a failure in a toast that stays until dismissed.
 */
void
nhip_window_error(NhipWindow *self, const gchar *what, const GError *error)
{
	g_autofree gchar *text = g_strdup_printf("%s: %s", what, error->message);
	AdwToast *toast = adw_toast_new(text);

	adw_toast_set_timeout(toast, 0);
	adw_toast_set_priority(toast, ADW_TOAST_PRIORITY_HIGH);
	adw_toast_overlay_add_toast(self->toasts, toast);
	g_message("%s: %s", what, error->message);
}

static const WindowPage *
window_page_info(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(window_pages); i++) {
		if (g_strcmp0(window_pages[i].name, name) == 0)
			return &window_pages[i];
	}
	return NULL;
}

/* device readings go to the visit on screen, and only while it is on screen */
/* screens are made the first time they are needed: a kiosk that only logs in and out
 * never pays for the settings screen */
static GtkWidget *
window_page(NhipWindow *self, const gchar *name)
{
	GtkWidget *page = gtk_stack_get_child_by_name(self->pages, name);

	if (page != NULL)
		return page;
	if (g_strcmp0(name, "login") == 0)
		page = nhip_login_page_new(self->station);
	else if (g_strcmp0(name, "home") == 0)
		page = nhip_home_page_new(self->station);
	else if (g_strcmp0(name, "search") == 0)
		page = nhip_search_page_new(self->station);
	else if (g_strcmp0(name, "patient") == 0)
		page = nhip_patient_page_new(self->station);
	else if (g_strcmp0(name, "form") == 0)
		page = nhip_patient_form_new(self->station);
	else if (g_strcmp0(name, "visit") == 0)
		page = nhip_visit_page_new(self->station);
	else if (g_strcmp0(name, "ask") == 0)
		page = nhip_ask_page_new(self->station);
	else if (g_strcmp0(name, "settings") == 0)
		page = nhip_settings_page_new(self->station);
	else if (g_strcmp0(name, "setup") == 0)
		page = nhip_setup_assistant_new(self->station);
	else if (g_strcmp0(name, "status") == 0)
		page = nhip_status_page_new(self->station);
	else if (g_strcmp0(name, "call") == 0)
		page = nhip_call_page_new(self->station);
	else
		return NULL;
	gtk_stack_add_named(self->pages, page, name);
	return page;
}

static void
window_update_current_visit(NhipWindow *self)
{
	const gchar *name = gtk_stack_get_visible_child_name(self->pages);
	gint64 visit_id = 0;

	GtkWidget *visit = gtk_stack_get_child_by_name(self->pages, "visit");
	GtkWidget *call = gtk_stack_get_child_by_name(self->pages, "call");

	if (g_strcmp0(name, "visit") == 0 && visit != NULL &&
	    nhip_station_get_staff(self->station) != NULL)
		visit_id = nhip_visit_page_get_visit_id(NHIP_VISIT_PAGE(visit));
	/* readings taken during a call are the visit's too */
	else if (g_strcmp0(name, "call") == 0 && call != NULL &&
		 nhip_station_get_staff(self->station) != NULL)
		visit_id = nhip_call_page_get_visit(NHIP_CALL_PAGE(call));
	if (visit_id != nhip_station_get_current_visit(self->station))
		nhip_station_set_current_visit(self->station, visit_id);
}

static void
window_update_header(NhipWindow *self)
{
	const gchar *name = gtk_stack_get_visible_child_name(self->pages);
	const WindowPage *info = window_page_info(name);
	NhipStaff *staff = nhip_station_get_staff(self->station);
	gboolean logged_in = staff != NULL && info != NULL && info->needs_login;

	adw_window_title_set_title(self->title, info != NULL ? _(info->title) : _("Nhịp station"));
	gtk_widget_set_visible(self->back_button, logged_in && self->history->len > 1);
	gtk_widget_set_visible(self->home_button, logged_in && g_strcmp0(name, "home") != 0);
	gtk_widget_set_visible(self->lock_button, logged_in);
	gtk_widget_set_visible(GTK_WIDGET(self->staff_label), logged_in);
	gtk_label_set_text(self->staff_label, staff != NULL ? staff->name : "");
	window_update_current_visit(self);
}

/**
 * nhip_window_get_page:
 * @self: the window
 *
 * Returns: (transfer none) (nullable): the name of the screen shown
 */
const gchar *
nhip_window_get_page(NhipWindow *self)
{
	return gtk_stack_get_visible_child_name(self->pages);
}

/**
 * nhip_window_get_page_widget:
 * @self: the window
 * @name: a screen's name
 *
 * Returns: (transfer none) (nullable): the screen
 */
GtkWidget *
nhip_window_get_page_widget(NhipWindow *self, const gchar *name)
{
	return window_page(self, name);
}

static void
window_leave_page(NhipWindow *self)
{
	/* what was typed in a visit is saved before the screen goes away */
	if (g_strcmp0(nhip_window_get_page(self), "visit") == 0)
		nhip_visit_page_save_now(
			NHIP_VISIT_PAGE(gtk_stack_get_child_by_name(self->pages, "visit")));
}

/**
 * nhip_window_show_page:
 * @self: the window
 * @name: the screen to show
 *
 * Shows a screen and adds it to the back history; "home" and "login" start a new history.
 */
void
nhip_window_show_page(NhipWindow *self, const gchar *name)
{
	g_return_if_fail(window_page(self, name) != NULL);

	window_leave_page(self);
	if (g_strcmp0(name, "home") == 0 || g_strcmp0(name, "login") == 0)
		g_ptr_array_set_size(self->history, 0);
	/* coming back to a screen already in the history goes back to it */
	for (guint i = 0; i < self->history->len; i++) {
		if (g_strcmp0(g_ptr_array_index(self->history, i), name) == 0) {
			g_ptr_array_set_size(self->history, i);
			break;
		}
	}
	g_ptr_array_add(self->history, g_strdup(name));
	gtk_stack_set_visible_child_name(self->pages, name);
	window_update_header(self);
}

/**
 * nhip_window_go_back:
 * @self: the window
 */
void
nhip_window_go_back(NhipWindow *self)
{
	const gchar *previous;

	if (self->history->len < 2) {
		nhip_window_go_home(self);
		return;
	}
	window_leave_page(self);
	g_ptr_array_set_size(self->history, self->history->len - 1);
	previous = g_ptr_array_index(self->history, self->history->len - 1);
	gtk_stack_set_visible_child_name(self->pages, previous);
	window_update_header(self);
}

/* back home after a visit: hand the memory freed by the screens left behind back to the
 * system (glibc keeps freed heap otherwise; the box has 2 GB and more programs) */
static gboolean
window_trim_memory(gpointer user_data)
{
	malloc_trim(0);
	return G_SOURCE_REMOVE;
}

/**
 * nhip_window_go_home:
 * @self: the window
 */
void
nhip_window_go_home(NhipWindow *self)
{
	g_idle_add_full(G_PRIORITY_LOW, window_trim_memory, NULL, NULL);
	nhip_window_show_page(self,
			      nhip_station_get_staff(self->station) != NULL ? "home" : "login");
}

/**
 * nhip_window_lock:
 * @self: the window
 *
 * Saves what is being typed, logs out and shows the login screen.
 */
void
nhip_window_lock(NhipWindow *self)
{
	window_leave_page(self);
	nhip_station_set_staff(self->station, NULL);
}

/**
 * nhip_window_open_patient:
 * @self: the window
 * @patient_id: a patient
 */
void
nhip_window_open_patient(NhipWindow *self, gint64 patient_id)
{
	GtkWidget *page = window_page(self, "patient");
	nhip_patient_page_load(NHIP_PATIENT_PAGE(page), patient_id);
	nhip_window_show_page(self, "patient");
}

/**
 * nhip_window_open_visit:
 * @self: the window
 * @visit_id: a visit
 */
void
nhip_window_open_visit(NhipWindow *self, gint64 visit_id)
{
	GtkWidget *page = window_page(self, "visit");
	window_leave_page(self);
	nhip_visit_page_load(NHIP_VISIT_PAGE(page), visit_id);
	nhip_window_show_page(self, "visit");
}

/**
 * nhip_window_ask_district:
 * @self: the window
 * @visit_id: the visit to ask about, or 0 for the list of today's cases
 */
void
nhip_window_ask_district(NhipWindow *self, gint64 visit_id)
{
	GtkWidget *page = window_page(self, "ask");
	window_leave_page(self);
	self->ask_visit = visit_id;
	nhip_ask_page_set_visit(NHIP_ASK_PAGE(page), visit_id);
	nhip_window_show_page(self, "ask");
}

/**
 * nhip_window_register_patient:
 * @self: the window
 * @name_hint: (nullable): what was typed in the search, to start the name with
 * @qr: (nullable): a scanned card to fill the form from
 */
void
nhip_window_register_patient(NhipWindow *self, const gchar *name_hint, const NhipCccdQr *qr)
{
	GtkWidget *page = window_page(self, "form");
	nhip_patient_form_load(NHIP_PATIENT_FORM(page), 0, name_hint);
	if (qr != NULL)
		nhip_patient_form_fill_qr(NHIP_PATIENT_FORM(page), qr);
	nhip_window_show_page(self, "form");
}

/**
 * nhip_window_edit_patient:
 * @self: the window
 * @patient_id: a patient
 */
void
nhip_window_edit_patient(NhipWindow *self, gint64 patient_id)
{
	GtkWidget *page = window_page(self, "form");
	nhip_patient_form_load(NHIP_PATIENT_FORM(page), patient_id, NULL);
	nhip_window_show_page(self, "form");
}

/**
 * nhip_window_handle_scan:
 * @self: the window
 * @text: what a QR scanner typed
 *
 * On the register screen a CCCD scan fills the form; elsewhere it opens the patient with
 * that number, or the register screen filled from the card when there is none.
 */
void
nhip_window_handle_scan(NhipWindow *self, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipCccdQr) qr = nhip_cccd_qr_parse(text, &error);
	const gchar *page = nhip_window_get_page(self);

	if (qr == NULL) {
		nhip_window_error(self, _("The card could not be read"), error);
		return;
	}
	if (g_strcmp0(page, "form") == 0) {
		nhip_patient_form_fill_qr(NHIP_PATIENT_FORM(window_page(self, "form")), qr);
		nhip_window_toast(self, _("Filled from the citizen identity card"));
		return;
	}
	{
		NhipStore *store = nhip_station_get_store(self->station);
		g_autoptr(GPtrArray) found = nhip_store_patient_search(store, qr->cccd, 5, &error);
		for (guint i = 0; found != NULL && i < found->len; i++) {
			NhipPatient *patient = g_ptr_array_index(found, i);
			if (g_strcmp0(patient->cccd, qr->cccd) == 0) {
				g_autofree gchar *msg = g_strdup_printf(_("Found %s from the card"),
									patient->full_name);
				nhip_window_open_patient(self, patient->id);
				nhip_window_toast(self, msg);
				return;
			}
		}
		if (found == NULL) {
			nhip_window_error(self, _("The search failed"), error);
			return;
		}
	}
	nhip_window_register_patient(self, NULL, qr);
	nhip_window_toast(self, _("New patient: the form was filled from the card; check it and "
				  "save"));
}

/* ----- keyboard-wedge scanner ----- */

static gboolean
window_scan_allowed(NhipWindow *self)
{
	const gchar *page = nhip_window_get_page(self);
	return nhip_station_get_staff(self->station) != NULL &&
	       (g_strcmp0(page, "home") == 0 || g_strcmp0(page, "search") == 0 ||
		g_strcmp0(page, "form") == 0);
}

static void
window_burst_forget_editable(NhipWindow *self)
{
	if (self->burst_editable != NULL)
		g_object_remove_weak_pointer(G_OBJECT(self->burst_editable),
					     (gpointer *)&self->burst_editable);
	self->burst_editable = NULL;
	g_clear_pointer(&self->burst_text_before, g_free);
}

static void
window_burst_remember_focus(NhipWindow *self)
{
	GtkWidget *focus = gtk_root_get_focus(GTK_ROOT(self));

	window_burst_forget_editable(self);
	if (focus == NULL || !GTK_IS_EDITABLE(focus))
		return;
	self->burst_editable = focus;
	g_object_add_weak_pointer(G_OBJECT(focus), (gpointer *)&self->burst_editable);
	self->burst_text_before = g_strdup(gtk_editable_get_text(GTK_EDITABLE(focus)));
}

static gboolean
window_key_pressed(GtkEventControllerKey *controller,
		   guint keyval,
		   guint keycode,
		   GdkModifierType state,
		   gpointer user_data)
{
	NhipWindow *self = user_data;
	/* when the key was pressed, not when it is handled: a busy frame must not split a
	 * scan in two */
	guint32 event_ms =
		gtk_event_controller_get_current_event_time(GTK_EVENT_CONTROLLER(controller));
	gint64 now = event_ms != 0 ? (gint64)event_ms * 1000 : g_get_monotonic_time();
	gunichar c;

	self->last_activity_us = g_get_monotonic_time();
	if (!window_scan_allowed(self)) {
		nhip_key_burst_reset(self->burst);
		return FALSE;
	}
	if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) {
		nhip_key_burst_reset(self->burst);
		return FALSE;
	}
	if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) {
		g_autofree gchar *text = nhip_key_burst_feed_enter(self->burst, now);
		if (text == NULL || !nhip_cccd_qr_looks_like(text))
			return FALSE;
		/* the scan typed into whatever field had the focus: put it back */
		if (self->burst_editable != NULL)
			gtk_editable_set_text(
				GTK_EDITABLE(self->burst_editable),
				self->burst_text_before != NULL ? self->burst_text_before : "");
		window_burst_forget_editable(self);
		g_info("QR scan of %u characters", (guint)g_utf8_strlen(text, -1));
		nhip_window_handle_scan(self, text);
		return TRUE;
	}
	c = gdk_keyval_to_unicode(keyval);
	if (c == 0 || g_unichar_iscntrl(c))
		return FALSE;
	if (nhip_key_burst_feed_char(self->burst, c, now))
		window_burst_remember_focus(self);
	return FALSE;
}

/* ----- idle lock ----- */

static gboolean
window_activity(GtkEventControllerLegacy *controller, GdkEvent *event, gpointer user_data)
{
	NhipWindow *self = user_data;
	GdkEventType type = gdk_event_get_event_type(event);

	if (type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN || type == GDK_SCROLL ||
	    type == GDK_KEY_PRESS)
		self->last_activity_us = g_get_monotonic_time();
	/* only watching: every event goes on to the widgets */
	return GDK_EVENT_PROPAGATE;
}

/**
 * nhip_window_note_activity:
 * @self: the window
 *
 * Counts as use of the kiosk for the idle lock: for a window of its own over it (the
 * photo picker), whose taps the kiosk window does not see.
 */
void
nhip_window_note_activity(NhipWindow *self)
{
	g_return_if_fail(NHIP_IS_WINDOW(self));
	self->last_activity_us = g_get_monotonic_time();
}

/* seconds without use before the screen locks: the technician's setting, or
 * NHIP_IDLE_LOCK_SECONDS (for tests and demonstrations) */
static gint64
window_idle_limit(NhipWindow *self)
{
	const gchar *env = g_getenv("NHIP_IDLE_LOCK_SECONDS");
	guint64 seconds = 0;

	if (env != NULL && g_ascii_string_to_unsigned(env, 10, 1, 7200, &seconds, NULL))
		return (gint64)seconds;
	return (gint64)nhip_station_get_idle_lock_minutes(self->station) * 60;
}

static gboolean
window_idle_check(gpointer user_data)
{
	NhipWindow *self = user_data;
	gint64 limit = window_idle_limit(self);

	if (nhip_station_get_staff(self->station) != NULL &&
	    g_get_monotonic_time() - self->last_activity_us > limit * G_USEC_PER_SEC) {
		g_info("locking after %" G_GINT64_FORMAT " idle seconds", limit);
		nhip_window_lock(self);
		nhip_window_toast(self, _("The screen was locked after a while without use"));
	}
	return G_SOURCE_CONTINUE;
}

static void
window_readings_stored(NhipStation *station,
		       gint64 visit_id,
		       const gchar *message,
		       gpointer user_data)
{
	nhip_window_toast(user_data, message);
}

/* a doctor's answer arrived: a toast that opens the visit */
static void
window_reply_arrived(NhipSync *sync, gint64 visit_id, const gchar *doctor, gpointer user_data)
{
	NhipWindow *self = user_data;
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(NhipVisit) visit =
		visit_id > 0 && store != NULL ? nhip_store_visit_get(store, visit_id, NULL) : NULL;
	g_autofree gchar *text = NULL;
	AdwToast *toast;

	if (visit != NULL)
		text = g_strdup_printf(_("%s answered about %s"),
				       doctor != NULL ? doctor : _("The district doctor"),
				       visit->patient_name);
	else
		text = g_strdup_printf(_("%s answered a case"),
				       doctor != NULL ? doctor : _("The district doctor"));
	toast = adw_toast_new(text);
	/* longer than other messages: the nurse may be with a patient when it comes */
	adw_toast_set_timeout(toast, 30);
	adw_toast_set_priority(toast, ADW_TOAST_PRIORITY_HIGH);
	if (visit != NULL && nhip_station_get_staff(self->station) != NULL) {
		adw_toast_set_button_label(toast, _("Open"));
		adw_toast_set_action_name(toast, "win.open-visit");
		adw_toast_set_action_target_value(toast, g_variant_new_int64(visit_id));
	}
	adw_toast_overlay_add_toast(self->toasts, toast);
	g_message("a doctor's answer arrived (visit %" G_GINT64_FORMAT ")", visit_id);
}

/**
 * nhip_window_set_devices_enabled:
 * @self: the window
 * @enabled: whether nhip_window_start() starts the device manager and the sender to the
 *   district (on by default; the screenshot tool turns them off so pictures do not depend
 *   on timing)
 */
void
nhip_window_set_devices_enabled(NhipWindow *self, gboolean enabled)
{
	self->no_devices = !enabled;
}

/* ----- live consultations (nhip-call-page.c, nhip-call-banner.c) ----- */

static void
window_live_accepted(NhipCallBanner *banner, const gchar *descriptor, gpointer user_data)
{
	NhipWindow *self = user_data;

	/* joined first: the call screen knows the visit when it is shown */
	nhip_call_page_join(NHIP_CALL_PAGE(window_page(self, "call")), descriptor);
	nhip_window_show_page(self, "call");
}

/* "Call the district doctor" on the Ask screen: a call about its visit */
static void
window_action_call(GtkWidget *widget, const gchar *action, GVariant *param)
{
	NhipWindow *self = NHIP_WINDOW(widget);

	nhip_call_page_set_visit(NHIP_CALL_PAGE(window_page(self, "call")), self->ask_visit);
	nhip_window_show_page(self, "call");
}

/* doctors' calls are watched for while someone is logged in; a locked kiosk hangs up */
static void
window_live_watch(NhipWindow *self, gboolean logged_in)
{
	GtkWidget *call = gtk_stack_get_child_by_name(self->pages, "call");

	if (self->call_banner == NULL) {
		self->call_banner = nhip_call_banner_new(self->station);
		gtk_box_insert_child_after(GTK_BOX(gtk_widget_get_parent(GTK_WIDGET(self->pages))),
					   self->call_banner, GTK_WIDGET(self->header));
		g_signal_connect(self->call_banner, "accepted", G_CALLBACK(window_live_accepted),
				 self);
	}
	nhip_call_banner_set_watching(NHIP_CALL_BANNER(self->call_banner), logged_in);
	if (!logged_in && call != NULL)
		nhip_call_page_hang_up(NHIP_CALL_PAGE(call));
}

/* ----- logging in and out ----- */

static void
window_staff_changed(NhipStation *station, GParamSpec *pspec, gpointer user_data)
{
	NhipWindow *self = user_data;

	self->last_activity_us = g_get_monotonic_time();
	window_live_watch(self, nhip_station_get_staff(station) != NULL);
	if (nhip_station_get_staff(station) == NULL) {
		nhip_login_page_reset(NHIP_LOGIN_PAGE(window_page(self, "login")));
		nhip_window_show_page(self, "login");
	} else {
		nhip_window_show_page(self, "home");
	}
}

/* ----- closing: a kiosk needs a technician's PIN ----- */

typedef struct {
	NhipWindow *window;
	GtkWidget *entry;
} WindowExitData;

static gpointer
window_exit_job(NhipStore *store, gpointer data, GError **error)
{
	const gchar *pin = data;
	g_autoptr(GPtrArray) staff = nhip_store_staff_list(store, error);
	g_autoptr(GError) error_last = NULL;

	if (staff == NULL)
		return NULL;
	for (guint i = 0; i < staff->len; i++) {
		NhipStaff *member = g_ptr_array_index(staff, i);
		if (member->role != NHIP_ROLE_TECHNICIAN || !member->active)
			continue;
		g_clear_error(&error_last);
		if (nhip_store_staff_login(store, member->id, pin, &error_last))
			return GINT_TO_POINTER(TRUE);
	}
	if (error_last == NULL)
		g_set_error_literal(&error_last, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
				    _("this station has no technician account; ask the district to "
				      "set one up"));
	g_propagate_error(error, g_steal_pointer(&error_last));
	return NULL;
}

static void
window_exit_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipWindow) self = user_data;
	g_autoptr(GError) error = NULL;

	if (nhip_worker_run_finish(NHIP_WORKER(source), result, &error) == NULL) {
		nhip_window_error(self, _("The program stays open"), error);
		return;
	}
	nhip_window_allow_close(self);
}

static void
window_exit_response(AdwMessageDialog *dialog, const gchar *response, gpointer user_data)
{
	WindowExitData *data = user_data;

	if (g_strcmp0(response, "exit") == 0) {
		g_autofree gchar *pin = g_strdup(gtk_editable_get_text(GTK_EDITABLE(data->entry)));
		nhip_worker_run_async(nhip_station_get_worker(data->window->station), 0,
				      window_exit_job, g_steal_pointer(&pin), g_free, NULL, NULL,
				      window_exit_checked, g_object_ref(data->window));
	}
	g_free(data);
}

static void
window_ask_exit_pin(NhipWindow *self)
{
	GtkWidget *dialog = adw_message_dialog_new(
		GTK_WINDOW(self), _("Close the station program?"),
		_("Only a technician can close the kiosk. Enter a technician PIN."));
	WindowExitData *data = g_new0(WindowExitData, 1);

	data->window = self;
	/* a plain hidden entry: GTK 4.8's GtkPasswordEntry keeps watching the Caps Lock state
	 * after its dialog is gone (criticals on freed memory, seen in tests/ui/test-kiosk-ask) */
	data->entry = gtk_entry_new();
	gtk_entry_set_visibility(GTK_ENTRY(data->entry), FALSE);
	gtk_entry_set_input_purpose(GTK_ENTRY(data->entry), GTK_INPUT_PURPOSE_PIN);
	gtk_editable_set_max_width_chars(GTK_EDITABLE(data->entry), 8);
	nhip_ui_set_label(data->entry, _("Technician PIN"));
	gtk_widget_add_css_class(data->entry, "pin-entry");
	adw_message_dialog_set_extra_child(ADW_MESSAGE_DIALOG(dialog), data->entry);
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "cancel", _("_Stay open"),
					 "exit", _("_Close program"), NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "exit",
						   ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	g_signal_connect(dialog, "response", G_CALLBACK(window_exit_response), data);
	gtk_window_present(GTK_WINDOW(dialog));
}

/**
 * nhip_window_allow_close:
 * @self: the window
 *
 * Saves and closes the window, even in kiosk mode.
 */
void
nhip_window_allow_close(NhipWindow *self)
{
	self->close_allowed = TRUE;
	gtk_window_close(GTK_WINDOW(self));
}

static gboolean
window_close_request(GtkWindow *window)
{
	NhipWindow *self = NHIP_WINDOW(window);

	if (self->kiosk && !self->close_allowed) {
		window_ask_exit_pin(self);
		return TRUE;
	}
	window_leave_page(self);
	/* every queued write is finished before the program ends */
	nhip_worker_flush(nhip_station_get_worker(self->station));
	return GTK_WINDOW_CLASS(nhip_window_parent_class)->close_request != NULL
		       ? GTK_WINDOW_CLASS(nhip_window_parent_class)->close_request(window)
		       : FALSE;
}

/* ----- start ----- */

static void
window_opened(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipWindow) self = user_data;
	g_autoptr(GError) error = NULL;

	if (!nhip_station_open_finish(NHIP_STATION(source), result, &error)) {
		adw_status_page_set_description(self->error_page, error->message);
		gtk_stack_set_visible_child_name(self->pages, "error");
		g_warning("cannot open the station: %s", error->message);
		return;
	}
	/* an empty station starts with the setup assistant */
	nhip_window_show_page(
		self, nhip_setup_assistant_needed(nhip_station_get_store(self->station)) ? "setup"
											 : "login");
	nhip_station_start_sync(self->station, !self->no_devices);
	if (!self->no_devices)
		nhip_station_start_devices(self->station);
	g_signal_emit_by_name(self, "station-ready");
}

/**
 * nhip_window_start:
 * @self: the window
 *
 * Opens the database in the background and shows the login screen when it is ready; the
 * window emits "station-ready" then.
 */
void
nhip_window_start(NhipWindow *self)
{
	gtk_stack_set_visible_child_name(self->pages, "loading");
	window_update_header(self);
	nhip_station_open_async(self->station, NULL, window_opened, g_object_ref(self));
}

static void
window_action_back(GtkWidget *widget, const gchar *action, GVariant *param)
{
	nhip_window_go_back(NHIP_WINDOW(widget));
}

static void
window_action_home(GtkWidget *widget, const gchar *action, GVariant *param)
{
	nhip_window_go_home(NHIP_WINDOW(widget));
}

static void
window_action_lock(GtkWidget *widget, const gchar *action, GVariant *param)
{
	nhip_window_lock(NHIP_WINDOW(widget));
}

static void
window_action_open_visit(GtkWidget *widget, const gchar *action, GVariant *param)
{
	NhipWindow *self = NHIP_WINDOW(widget);

	if (nhip_station_get_staff(self->station) != NULL)
		nhip_window_open_visit(self, g_variant_get_int64(param));
}

static void
nhip_window_dispose(GObject *object)
{
	NhipWindow *self = NHIP_WINDOW(object);

	g_clear_handle_id(&self->idle_source, g_source_remove);
	if (self->station != NULL) {
		g_signal_handlers_disconnect_by_data(self->station, self);
		g_signal_handlers_disconnect_by_data(nhip_station_get_sync(self->station), self);
	}
	if (self->call_banner != NULL)
		nhip_call_banner_set_watching(NHIP_CALL_BANNER(self->call_banner), FALSE);
	window_burst_forget_editable(self);
	G_OBJECT_CLASS(nhip_window_parent_class)->dispose(object);
}

static void
nhip_window_finalize(GObject *object)
{
	NhipWindow *self = NHIP_WINDOW(object);

	g_clear_object(&self->station);
	g_ptr_array_unref(self->history);
	nhip_key_burst_free(self->burst);
	G_OBJECT_CLASS(nhip_window_parent_class)->finalize(object);
}

static void
nhip_window_class_init(NhipWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	GtkWindowClass *window_class = GTK_WINDOW_CLASS(klass);

	object_class->dispose = nhip_window_dispose;
	object_class->finalize = nhip_window_finalize;
	window_class->close_request = window_close_request;

	/**
	 * NhipWindow::station-ready:
	 *
	 * The database is open and the login screen is shown.
	 */
	g_signal_new("station-ready", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
		     NULL, G_TYPE_NONE, 0);

	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-window.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, toasts);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, header);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, back_button);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, home_button);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, lock_button);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, title);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, staff_label);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, pages);
	gtk_widget_class_bind_template_child(widget_class, NhipWindow, error_page);

	gtk_widget_class_install_action(widget_class, "win.back", NULL, window_action_back);
	gtk_widget_class_install_action(widget_class, "win.home", NULL, window_action_home);
	gtk_widget_class_install_action(widget_class, "win.lock", NULL, window_action_lock);
	gtk_widget_class_install_action(widget_class, "win.call", NULL, window_action_call);
	gtk_widget_class_install_action(widget_class, "win.open-visit", "x",
					window_action_open_visit);
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
}

static void
nhip_window_init(NhipWindow *self)
{
	GtkEventController *keys;
	GtkEventController *legacy;

	gtk_widget_init_template(GTK_WIDGET(self));
	self->history = g_ptr_array_new_with_free_func(g_free);
	self->burst = nhip_key_burst_new(NHIP_KEY_BURST_MAX_GAP_US, NHIP_KEY_BURST_MIN_CHARS);
	self->last_activity_us = g_get_monotonic_time();

	keys = gtk_event_controller_key_new();
	gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(window_key_pressed), self);
	gtk_widget_add_controller(GTK_WIDGET(self), keys);

	legacy = gtk_event_controller_legacy_new();
	gtk_event_controller_set_propagation_phase(legacy, GTK_PHASE_CAPTURE);
	g_signal_connect(legacy, "event", G_CALLBACK(window_activity), self);
	gtk_widget_add_controller(GTK_WIDGET(self), legacy);
}

/**
 * nhip_window_new:
 * @application: the application
 * @station: the station
 * @kiosk: full screen, no decorations, closing needs a technician PIN
 *
 * Returns: (transfer full): the window; show it, then call nhip_window_start()
 */
NhipWindow *
nhip_window_new(GtkApplication *application, NhipStation *station, gboolean kiosk)
{
	NhipWindow *self = g_object_new(NHIP_TYPE_WINDOW, "application", application, NULL);

	self->station = g_object_ref(station);
	self->kiosk = kiosk;
	window_page(self, "login");
	g_signal_connect(station, "notify::staff", G_CALLBACK(window_staff_changed), self);
	g_signal_connect(station, "readings-stored", G_CALLBACK(window_readings_stored), self);
	g_signal_connect(nhip_station_get_sync(station), "reply-arrived",
			 G_CALLBACK(window_reply_arrived), self);
	/* looked at every 10 s, or more often for a lock after less than a minute */
	self->idle_source = g_timeout_add_seconds((guint)CLAMP(window_idle_limit(self) / 4, 1, 10),
						  window_idle_check, self);
	if (kiosk) {
		adw_header_bar_set_show_end_title_buttons(self->header, FALSE);
		adw_header_bar_set_show_start_title_buttons(self->header, FALSE);
		gtk_window_set_decorated(GTK_WINDOW(self), FALSE);
		gtk_window_fullscreen(GTK_WINDOW(self));
	}
	return self;
}
