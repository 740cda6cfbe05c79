/*
 * Nhịp — the home screen: today's queue, the common actions and the station's status.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-home-page.h"
#include "nhip-store-packets.h"
#include "nhip-ui-util.h"
#include "nhip-window.h"

struct _NhipHomePage {
	AdwBin parent_instance;

	GtkLabel *greeting_label;
	GtkLabel *queue_title;
	GtkStack *queue_stack;
	GtkWidget *queue_box;
	GtkWidget *settings_button;
	GtkWidget *ask_button;
	GtkLabel *network_label;
	GtkLabel *outbox_label;
	GtkLabel *devices_label;
	GtkLabel *upload_label;

	NhipStation *station;
	GNetworkMonitor *network;
	gchar *answers_shown; /* the unread answers the queue was drawn with */
};

G_DEFINE_TYPE(NhipHomePage, nhip_home_page, ADW_TYPE_BIN)

static void
home_visit_clicked(GtkButton *button, gpointer user_data)
{
	NhipHomePage *self = user_data;
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));
	gint64 visit_id = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(button), "visit-id"));
	gint64 patient_id = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(button), "patient-id"));
	gboolean open = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(button), "open"));

	if (open)
		nhip_window_open_visit(window, visit_id);
	else
		nhip_window_open_patient(window, patient_id);
}

static GtkWidget *
home_visit_row(NhipHomePage *self, const NhipVisit *visit, gboolean new_answer)
{
	GtkWidget *button = gtk_button_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
	GtkWidget *texts = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *status;
	g_autofree gchar *time = nhip_ui_format_time(visit->opened_at);
	g_autofree gchar *label = NULL;
	gboolean open = visit->status == NHIP_VISIT_STATUS_OPEN;

	{
		GtkWidget *time_label = nhip_ui_label(time, "queue-time");
		gtk_label_set_wrap(GTK_LABEL(time_label), FALSE);
		gtk_box_append(GTK_BOX(box), time_label);
	}
	gtk_box_append(GTK_BOX(texts), nhip_ui_label(visit->patient_name, "row-title"));
	gtk_box_append(GTK_BOX(texts),
		       nhip_ui_label(visit->reason != NULL ? visit->reason : _("No reason given"),
				     "dim-label"));
	gtk_widget_set_hexpand(texts, TRUE);
	gtk_box_append(GTK_BOX(box), texts);
	if (new_answer) {
		GtkWidget *pill = gtk_label_new(_("New answer"));
		gtk_widget_add_css_class(pill, "pill-answer");
		gtk_widget_set_valign(pill, GTK_ALIGN_CENTER);
		gtk_box_append(GTK_BOX(box), pill);
	}
	status = gtk_label_new(open ? _("In progress") : _("Done"));
	gtk_widget_add_css_class(status, open ? "pill-open" : "pill-done");
	gtk_widget_set_valign(status, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(box), status);
	gtk_button_set_child(GTK_BUTTON(button), box);
	gtk_widget_add_css_class(button, "list-button");
	label = g_strdup_printf("%s %s, %s%s", time, visit->patient_name,
				open ? _("in progress") : _("done"),
				new_answer ? _(", new answer from the district") : "");
	nhip_ui_set_label(button, label);
	g_object_set_data(G_OBJECT(button), "visit-id", GSIZE_TO_POINTER(visit->id));
	g_object_set_data(G_OBJECT(button), "patient-id", GSIZE_TO_POINTER(visit->patient_id));
	g_object_set_data(G_OBJECT(button), "open", GINT_TO_POINTER(open));
	g_signal_connect(button, "clicked", G_CALLBACK(home_visit_clicked), self);
	return button;
}

static void
home_update_network(NhipHomePage *self)
{
	gboolean up = g_network_monitor_get_network_available(self->network);
	gtk_label_set_text(self->network_label, up ? _("● Network: connected")
						   : _("○ Network: offline (work is saved)"));
	if (up)
		gtk_widget_remove_css_class(GTK_WIDGET(self->network_label), "warning");
	else
		gtk_widget_add_css_class(GTK_WIDGET(self->network_label), "warning");
}

static void
home_network_changed(GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
	home_update_network(user_data);
}

/* what waits to leave the station: HIS messages and cases for the district */
static void
home_update_outbox(NhipHomePage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	NhipStoreStats stats = { 0 };
	gint64 packets_waiting = 0;
	g_autofree gchar *outbox = NULL;

	if (store != NULL && nhip_store_get_stats(store, &stats, NULL) &&
	    nhip_store_packet_count_waiting(store, &packets_waiting, NULL))
		outbox = g_strdup_printf(_("Outbox: %" PRId64 " waiting"),
					 stats.outbox_pending + packets_waiting);
	gtk_label_set_text(self->outbox_label, outbox != NULL ? outbox : "");
}

/* the unread answers, as a text to compare: which visits have one */
static gchar *
home_answers_key(GPtrArray *unread)
{
	GString *key = g_string_new(NULL);

	for (guint i = 0; unread != NULL && i < unread->len; i++) {
		NhipReply *reply = g_ptr_array_index(unread, i);
		g_string_append_printf(key, "%s:%" G_GINT64_FORMAT ";", reply->msg_id,
				       reply->visit_id);
	}
	return g_string_free(key, FALSE);
}

static void
home_update_ask_button(NhipHomePage *self, guint n_unread)
{
	AdwButtonContent *content =
		ADW_BUTTON_CONTENT(gtk_button_get_child(GTK_BUTTON(self->ask_button)));
	g_autofree gchar *label = NULL;

	if (n_unread > 0)
		label = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE,
						    "Ask the district · %u new answer",
						    "Ask the district · %u new answers", n_unread),
					n_unread);
	adw_button_content_set_label(content, label != NULL ? label : _("Ask the district"));
	if (n_unread > 0)
		gtk_widget_add_css_class(self->ask_button, "has-answer");
	else
		gtk_widget_remove_css_class(self->ask_button, "has-answer");
}

static void
home_page_refresh(NhipHomePage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	NhipStaff *staff = nhip_station_get_staff(self->station);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) midnight = NULL;
	g_autoptr(GPtrArray) visits = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *date = g_date_time_format(now, "%d/%m/%Y");
	g_autofree gchar *greeting = NULL;
	g_autofree gchar *queue = NULL;
	g_autofree gchar *upload = NULL;
	g_autofree gchar *last_upload = NULL;
	g_autoptr(GPtrArray) unread = NULL;
	g_autoptr(GHashTable) answered = g_hash_table_new(g_int64_hash, g_int64_equal);
	guint open = 0;

	if (store == NULL)
		return;
	greeting = g_strdup_printf(_("Hello, %s"), staff != NULL ? staff->name : "");
	gtk_label_set_text(self->greeting_label, greeting);
	gtk_widget_set_visible(self->settings_button, nhip_station_is_technician(self->station));

	midnight = g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
					 g_date_time_get_day_of_month(now), 0, 0, 0);
	visits = nhip_store_visit_list(store, g_date_time_to_unix(midnight),
				       g_date_time_to_unix(midnight) + 86400, &error);
	nhip_ui_remove_all(self->queue_box);
	if (visits == NULL) {
		nhip_window_error(nhip_window_from_widget(GTK_WIDGET(self)),
				  _("Today's visits could not be read"), error);
		return;
	}
	/* visits with a doctor's answer nobody has read yet */
	unread = nhip_store_reply_list_unread(store, &error);
	if (unread == NULL) {
		g_warning("cannot read the doctors' answers: %s", error->message);
		g_clear_error(&error);
	}
	for (guint i = 0; unread != NULL && i < unread->len; i++) {
		NhipReply *reply = g_ptr_array_index(unread, i);
		g_hash_table_add(answered, &reply->visit_id);
	}
	home_update_ask_button(self, unread != NULL ? unread->len : 0);
	g_free(self->answers_shown);
	self->answers_shown = home_answers_key(unread);
	/* visits in progress first, then the finished ones, newest first */
	for (guint pass = 0; pass < 2; pass++) {
		for (guint i = visits->len; i > 0; i--) {
			NhipVisit *visit = g_ptr_array_index(visits, i - 1);
			gboolean is_open = visit->status == NHIP_VISIT_STATUS_OPEN;
			if ((pass == 0) != is_open)
				continue;
			open += is_open;
			gtk_box_append(GTK_BOX(self->queue_box),
				       home_visit_row(self, visit,
						      g_hash_table_contains(answered, &visit->id)));
		}
	}
	queue = g_strdup_printf(_("Today, %s: %u visits, %u in progress"), date, visits->len, open);
	gtk_label_set_text(self->queue_title, queue);
	gtk_stack_set_visible_child_name(self->queue_stack, visits->len > 0 ? "list" : "empty");

	home_update_outbox(self);
	last_upload = nhip_station_get_setting(self->station, NHIP_SETTING_HIS_LAST_UPLOAD, NULL);
	upload = g_strdup_printf(_("Last HIS upload: %s"),
				 last_upload != NULL ? last_upload : _("never"));
	gtk_label_set_text(self->upload_label, upload);
	home_update_network(self);
	g_signal_emit_by_name(self->station, "devices-changed");
}

/* a case moved on: the outbox count; the queue is drawn again only when an answer arrived
 * or was read (a list redrawn under a finger loses the tap) */
static void
home_packets_changed(NhipSync *sync, gpointer user_data)
{
	NhipHomePage *self = user_data;
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GPtrArray) unread = NULL;
	g_autofree gchar *key = NULL;

	if (!gtk_widget_get_mapped(GTK_WIDGET(self)) || store == NULL)
		return;
	unread = nhip_store_reply_list_unread(store, NULL);
	key = home_answers_key(unread);
	if (g_strcmp0(key, self->answers_shown) != 0)
		home_page_refresh(self);
	else
		home_update_outbox(self);
}

static void
home_station_changed(NhipStation *station, gpointer user_data)
{
	NhipHomePage *self = user_data;
	if (gtk_widget_get_mapped(GTK_WIDGET(self)))
		home_page_refresh(self);
}

static void
home_devices_changed(NhipStation *station, gpointer user_data)
{
	NhipHomePage *self = user_data;
	guint connected = 0;
	guint total = nhip_station_count_devices(station, &connected);
	g_autofree gchar *text = NULL;

	if (total == 0)
		text = g_strdup(_("Devices: none found"));
	else
		text = g_strdup_printf(_("Devices: %u of %u connected"), connected, total);
	gtk_label_set_text(self->devices_label, text);
}

static void
home_page_search(NhipHomePage *self)
{
	nhip_window_show_page(nhip_window_from_widget(GTK_WIDGET(self)), "search");
}

static void
home_page_register(NhipHomePage *self)
{
	nhip_window_register_patient(nhip_window_from_widget(GTK_WIDGET(self)), NULL, NULL);
}

static void
home_page_ask(NhipHomePage *self)
{
	nhip_window_ask_district(nhip_window_from_widget(GTK_WIDGET(self)), 0);
}

static void
home_page_settings(NhipHomePage *self)
{
	nhip_window_show_page(nhip_window_from_widget(GTK_WIDGET(self)), "settings");
}

static void
home_page_map(GtkWidget *widget)
{
	GTK_WIDGET_CLASS(nhip_home_page_parent_class)->map(widget);
	home_page_refresh(NHIP_HOME_PAGE(widget));
}

static void
nhip_home_page_dispose(GObject *object)
{
	NhipHomePage *self = NHIP_HOME_PAGE(object);

	if (self->station != NULL) {
		g_signal_handlers_disconnect_by_data(self->station, self);
		g_signal_handlers_disconnect_by_data(nhip_station_get_sync(self->station), self);
	}
	if (self->network != NULL)
		g_signal_handlers_disconnect_by_data(self->network, self);
	g_clear_object(&self->station);
	g_clear_pointer(&self->answers_shown, g_free);
	G_OBJECT_CLASS(nhip_home_page_parent_class)->dispose(object);
}

static void
nhip_home_page_class_init(NhipHomePageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = nhip_home_page_dispose;
	widget_class->map = home_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-home-page.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, greeting_label);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, queue_title);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, queue_stack);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, queue_box);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, settings_button);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, ask_button);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, network_label);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, outbox_label);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, devices_label);
	gtk_widget_class_bind_template_child(widget_class, NhipHomePage, upload_label);
	gtk_widget_class_bind_template_callback(widget_class, home_page_search);
	gtk_widget_class_bind_template_callback(widget_class, home_page_register);
	gtk_widget_class_bind_template_callback(widget_class, home_page_ask);
	gtk_widget_class_bind_template_callback(widget_class, home_page_settings);
}

static void
nhip_home_page_init(NhipHomePage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->network = g_network_monitor_get_default();
	g_signal_connect(self->network, "network-changed", G_CALLBACK(home_network_changed), self);
}

/**
 * nhip_home_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the home screen
 */
GtkWidget *
nhip_home_page_new(NhipStation *station)
{
	NhipHomePage *self = g_object_new(NHIP_TYPE_HOME_PAGE, NULL);

	self->station = g_object_ref(station);
	g_signal_connect(station, "changed", G_CALLBACK(home_station_changed), self);
	g_signal_connect(station, "devices-changed", G_CALLBACK(home_devices_changed), self);
	g_signal_connect(nhip_station_get_sync(station), "packets-changed",
			 G_CALLBACK(home_packets_changed), self);
	return GTK_WIDGET(self);
}
