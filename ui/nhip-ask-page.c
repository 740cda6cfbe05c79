/*
 * Nhịp — "Ask the district": where a case is sent to the district hospital.
 *
 * The case packet (signed, encrypted, resumable upload to the hub) is another part of the
 * project; until it is in the station, this screen says so plainly and gives what helps
 * now: the district's duty phone and the hub the station is set up for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-ask-page.h"

struct _NhipAskPage {
	AdwBin parent_instance;

	GtkLabel *hub_label;
	GtkLabel *phone_label;
	GtkLabel *outbox_label;

	NhipStation *station;
};

G_DEFINE_TYPE(NhipAskPage, nhip_ask_page, ADW_TYPE_BIN)

static void
ask_page_refresh(NhipAskPage *self)
{
	g_autofree gchar *hub = nhip_station_get_setting(self->station, NHIP_SETTING_HUB_URL, NULL);
	g_autofree gchar *phone =
		nhip_station_get_setting(self->station, NHIP_SETTING_HUB_PHONE, NULL);
	g_autofree gchar *hub_text = NULL;
	g_autofree gchar *phone_text = NULL;
	g_autofree gchar *outbox_text = NULL;
	NhipStore *store = nhip_station_get_store(self->station);
	NhipStoreStats stats = { 0 };

	if (hub != NULL)
		hub_text = g_strdup_printf(_("This station is set up to send to %s."), hub);
	else
		hub_text = g_strdup(_("No district hub is set up yet: a technician sets it in the "
				      "technician settings."));
	gtk_label_set_text(self->hub_label, hub_text);
	if (phone != NULL)
		phone_text = g_strdup_printf(_("For advice now, call the district duty doctor: %s"),
					     phone);
	else
		phone_text = g_strdup(_("For advice now, call the district duty doctor."));
	gtk_label_set_text(self->phone_label, phone_text);
	if (store != NULL && nhip_store_get_stats(store, &stats, NULL))
		outbox_text = g_strdup_printf(_("Items waiting in the outbox: %" PRId64),
					      stats.outbox_pending);
	gtk_label_set_text(self->outbox_label, outbox_text != NULL ? outbox_text : "");
}

static void
ask_page_map(GtkWidget *widget)
{
	GTK_WIDGET_CLASS(nhip_ask_page_parent_class)->map(widget);
	ask_page_refresh(NHIP_ASK_PAGE(widget));
}

static void
nhip_ask_page_dispose(GObject *object)
{
	g_clear_object(&NHIP_ASK_PAGE(object)->station);
	G_OBJECT_CLASS(nhip_ask_page_parent_class)->dispose(object);
}

static void
nhip_ask_page_class_init(NhipAskPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = nhip_ask_page_dispose;
	widget_class->map = ask_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-ask-page.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipAskPage, hub_label);
	gtk_widget_class_bind_template_child(widget_class, NhipAskPage, phone_label);
	gtk_widget_class_bind_template_child(widget_class, NhipAskPage, outbox_label);
}

static void
nhip_ask_page_init(NhipAskPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
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
	return GTK_WIDGET(self);
}
