/*
 * Nhịp — a district doctor's answer on the visit: who answered and when, the advice in
 * large type, whether to refer the patient and how urgently, and "Mark as read" (stored
 * with who read it, in the worker thread). Unread answers stand out; read ones say when
 * they were read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-answer-card.h"
#include "nhip-ui-util.h"
#include "nhip-window.h"

static gpointer
answer_read_job(NhipStore *store, gpointer data, GError **error)
{
	if (!nhip_store_reply_mark_read(store, data, error))
		return NULL;
	return GINT_TO_POINTER(TRUE);
}

static void
answer_read_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GtkWidget) button = user_data;
	NhipStation *station = g_object_get_data(G_OBJECT(button), "station");
	NhipWindow *window = nhip_window_from_widget(button);
	g_autoptr(GError) error = NULL;

	if (nhip_station_run_finish(station, result, &error) == NULL) {
		gtk_widget_set_sensitive(button, TRUE);
		if (window != NULL)
			nhip_window_error(window, _("The answer was not marked as read"), error);
		return;
	}
	/* the visit, the home queue and the cases sent show it read */
	nhip_sync_refresh(nhip_station_get_sync(station));
}

static void
answer_mark_read(GtkButton *button, gpointer user_data)
{
	NhipStation *station = g_object_get_data(G_OBJECT(button), "station");

	gtk_widget_set_sensitive(GTK_WIDGET(button), FALSE);
	nhip_station_run(station, answer_read_job, g_strdup(user_data), g_free, NULL,
			 answer_read_done, g_object_ref(button));
}

static const gchar *
answer_urgency_text(const gchar *urgency)
{
	if (g_strcmp0(urgency, "stat") == 0)
		return _("Urgency: emergency, act now");
	if (g_strcmp0(urgency, "urgent") == 0)
		return _("Urgency: urgent");
	return _("Urgency: routine");
}

/**
 * nhip_answer_card_new:
 * @station: the station (for marking the answer read)
 * @reply: the doctor's answer
 *
 * Returns: (transfer floating): the card
 */
GtkWidget *
nhip_answer_card_new(NhipStation *station, const NhipReply *reply)
{
	GtkWidget *card = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
	GtkWidget *top = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *facts = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
	GtkWidget *title;
	GtkWidget *advice;
	g_autofree gchar *time = nhip_ui_format_time(reply->received_at);
	g_autofree gchar *date = nhip_ui_format_date(reply->received_at);
	g_autofree gchar *title_text =
		g_strdup_printf(_("Answer from the district: %s"),
				reply->doctor != NULL ? reply->doctor : _("the district doctor"));
	g_autofree gchar *when = g_strdup_printf(_("received %s, %s"), time, date);
	gboolean unread = reply->read_at == 0;

	gtk_widget_add_css_class(card, "answer-card");
	if (unread)
		gtk_widget_add_css_class(card, "answer-unread");
	title = nhip_ui_label(title_text, "answer-title");
	gtk_widget_set_hexpand(title, TRUE);
	gtk_box_append(GTK_BOX(top), title);
	gtk_box_append(GTK_BOX(top), nhip_ui_label(when, "dim-label"));
	gtk_box_append(GTK_BOX(card), top);

	advice = nhip_ui_label(reply->text, "answer-advice");
	gtk_label_set_selectable(GTK_LABEL(advice), FALSE);
	gtk_box_append(GTK_BOX(card), advice);

	if (reply->referral >= 0)
		gtk_box_append(GTK_BOX(facts),
			       nhip_ui_label(reply->referral == 1
						     ? _("Referral: yes, refer the patient")
						     : _("Referral: no, care at the station"),
					     reply->referral == 1 ? "answer-referral" : NULL));
	gtk_box_append(GTK_BOX(facts), nhip_ui_label(answer_urgency_text(reply->urgency),
						     g_strcmp0(reply->urgency, "routine") != 0 &&
								     reply->urgency != NULL
							     ? "answer-referral"
							     : NULL));
	if (unread) {
		GtkWidget *button = gtk_button_new_with_label(_("Mark as read"));
		GtkWidget *spacer = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
		gtk_widget_set_hexpand(spacer, TRUE);
		gtk_box_append(GTK_BOX(facts), spacer);
		gtk_widget_add_css_class(button, "suggested-action");
		g_object_set_data_full(G_OBJECT(button), "station", g_object_ref(station),
				       g_object_unref);
		g_signal_connect_data(button, "clicked", G_CALLBACK(answer_mark_read),
				      g_strdup(reply->msg_id),
				      (GClosureNotify)(void (*)(void))g_free, 0);
		gtk_box_append(GTK_BOX(facts), button);
	} else {
		g_autofree gchar *read_time = nhip_ui_format_time(reply->read_at);
		g_autofree gchar *read_text = g_strdup_printf(_("Read at %s"), read_time);
		GtkWidget *read_label = nhip_ui_label(read_text, "dim-label");
		gtk_widget_set_hexpand(read_label, TRUE);
		gtk_label_set_xalign(GTK_LABEL(read_label), 1);
		gtk_box_append(GTK_BOX(facts), read_label);
	}
	gtk_box_append(GTK_BOX(card), facts);
	return card;
}
