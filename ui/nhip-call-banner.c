/*
 * Nhịp — the incoming-call banner.
 *
 * A thread long-polls the hub's invitations (`GET /v1/live/invites?wait=25`) while the
 * banner is watching; an invitation the staff has not declined shows as a banner with
 * two big buttons. Accepting emits ::accepted with the session descriptor; declining
 * hides that invitation for good. Without an enrolled station the thread looks again
 * once a minute (a technician may enroll it meanwhile).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-call-banner.h"
#include "nhip-live-descriptor.h"
#include "nhip-live-link.h"
#include "nhip-transport-error.h"

#define INVITE_WAIT	 25
#define NOT_ENROLLED_NAP 60

typedef struct {
	gatomicrefcount ref;
	gint stop; /* atomic */
	gchar *db_path;
	NhipHubLink *link; /* the thread's; only its stop flag is touched from outside */
	GMutex lock;
	GMainContext *context;
	GWeakRef banner;
} Watch;

struct _NhipCallBanner {
	AdwBin parent_instance;
	GtkRevealer *revealer;
	GtkLabel *label;
	NhipStation *station;
	Watch *watch;
	GThread *thread;
	GHashTable *declined; /* session ids */
	gchar *shown;	      /* the descriptor on show */
	gchar *shown_id;
};

G_DEFINE_TYPE(NhipCallBanner, nhip_call_banner, ADW_TYPE_BIN)

enum { SIGNAL_ACCEPTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static Watch *
watch_ref(Watch *watch)
{
	g_atomic_ref_count_inc(&watch->ref);
	return watch;
}

static void
watch_unref(Watch *watch)
{
	if (!g_atomic_ref_count_dec(&watch->ref))
		return;
	g_free(watch->db_path);
	g_mutex_clear(&watch->lock);
	g_main_context_unref(watch->context);
	g_weak_ref_clear(&watch->banner);
	g_free(watch);
}

typedef struct {
	Watch *watch;
	GPtrArray *invites;
} Found;

static void
found_free(gpointer data)
{
	Found *found = data;
	watch_unref(found->watch);
	g_ptr_array_unref(found->invites);
	g_free(found);
}

static gboolean
banner_show(gpointer data)
{
	Found *found = data;
	g_autoptr(NhipCallBanner) self = g_weak_ref_get(&found->watch->banner);

	if (self == NULL || g_atomic_int_get(&found->watch->stop))
		return G_SOURCE_REMOVE;
	g_clear_pointer(&self->shown, g_free);
	g_clear_pointer(&self->shown_id, g_free);
	for (guint i = 0; i < found->invites->len; i++) {
		const gchar *json = found->invites->pdata[i];
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipLiveDescriptor) invite = nhip_live_descriptor_parse(json, -1, &error);
		g_autofree gchar *text = NULL;

		if (invite == NULL) {
			g_warning("an invitation from the hub is not understood: %s",
				  error->message);
			continue;
		}
		if (g_hash_table_contains(self->declined, invite->session_id))
			continue;
		self->shown = g_strdup(json);
		self->shown_id = g_strdup(invite->session_id);
		text = g_strdup_printf(_("The district doctor is calling about case %.8s…"),
				       invite->packet_id != NULL ? invite->packet_id : "");
		gtk_label_set_text(self->label, text);
		break;
	}
	gtk_revealer_set_reveal_child(self->revealer, self->shown != NULL);
	return G_SOURCE_REMOVE;
}

static void
watch_nap(Watch *watch, guint seconds)
{
	for (guint i = 0; i < seconds * 10 && !g_atomic_int_get(&watch->stop); i++)
		g_usleep(100 * G_TIME_SPAN_MILLISECOND);
}

static gpointer
watch_thread(gpointer data)
{
	Watch *watch = data;
	g_autoptr(CURL) handle = curl_easy_init();
	guint failures = 0;

	while (handle != NULL && !g_atomic_int_get(&watch->stop)) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHubLink) link = nhip_hub_link_load(watch->db_path, &error);
		GPtrArray *invites = NULL;

		if (link == NULL) {
			watch_nap(watch, NOT_ENROLLED_NAP);
			continue;
		}
		link->off_main = TRUE;
		g_mutex_lock(&watch->lock);
		watch->link = link;
		g_mutex_unlock(&watch->lock);
		if (!g_atomic_int_get(&watch->stop))
			invites = nhip_live_link_invites(link, handle, INVITE_WAIT, &error);
		g_mutex_lock(&watch->lock);
		watch->link = NULL;
		g_mutex_unlock(&watch->lock);
		if (invites != NULL) {
			Found *found = g_new0(Found, 1);
			found->watch = watch_ref(watch);
			found->invites = invites;
			failures = 0;
			g_main_context_invoke_full(watch->context, G_PRIORITY_DEFAULT, banner_show,
						   found, found_free);
			continue;
		}
		if (!g_error_matches(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_CANCELLED))
			g_debug("no invitations: %s", error->message);
		failures++;
		watch_nap(watch, MIN(failures * 5, 60u));
	}
	watch_unref(watch);
	return NULL;
}

/**
 * nhip_call_banner_set_watching:
 * @self: the banner
 * @watching: whether to watch the hub for calls (while someone is logged in)
 */
void
nhip_call_banner_set_watching(NhipCallBanner *self, gboolean watching)
{
	g_return_if_fail(NHIP_IS_CALL_BANNER(self));

	if (watching && self->thread == NULL) {
		self->watch = g_new0(Watch, 1);
		g_atomic_ref_count_init(&self->watch->ref);
		g_mutex_init(&self->watch->lock);
		self->watch->db_path = g_strdup(nhip_station_get_db_path(self->station));
		self->watch->context = g_main_context_ref_thread_default();
		g_weak_ref_init(&self->watch->banner, self);
		self->thread = g_thread_new("live-invites", watch_thread, watch_ref(self->watch));
	} else if (!watching && self->thread != NULL) {
		g_atomic_int_set(&self->watch->stop, TRUE);
		g_mutex_lock(&self->watch->lock);
		if (self->watch->link != NULL)
			g_atomic_int_set(&self->watch->link->stop, TRUE);
		g_mutex_unlock(&self->watch->lock);
		g_thread_join(g_steal_pointer(&self->thread));
		g_clear_pointer(&self->watch, watch_unref);
		gtk_revealer_set_reveal_child(self->revealer, FALSE);
	}
}

static void
banner_on_accept(GtkButton *button, NhipCallBanner *self)
{
	g_autofree gchar *descriptor = g_steal_pointer(&self->shown);

	gtk_revealer_set_reveal_child(self->revealer, FALSE);
	if (self->shown_id != NULL)
		g_hash_table_add(self->declined, g_steal_pointer(&self->shown_id));
	if (descriptor != NULL)
		g_signal_emit(self, signals[SIGNAL_ACCEPTED], 0, descriptor);
}

static void
banner_on_decline(GtkButton *button, NhipCallBanner *self)
{
	gtk_revealer_set_reveal_child(self->revealer, FALSE);
	g_clear_pointer(&self->shown, g_free);
	if (self->shown_id != NULL)
		g_hash_table_add(self->declined, g_steal_pointer(&self->shown_id));
}

static void
nhip_call_banner_dispose(GObject *object)
{
	NhipCallBanner *self = NHIP_CALL_BANNER(object);

	nhip_call_banner_set_watching(self, FALSE);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_call_banner_parent_class)->dispose(object);
}

static void
nhip_call_banner_finalize(GObject *object)
{
	NhipCallBanner *self = NHIP_CALL_BANNER(object);

	g_hash_table_unref(self->declined);
	g_free(self->shown);
	g_free(self->shown_id);
	G_OBJECT_CLASS(nhip_call_banner_parent_class)->finalize(object);
}

static void
nhip_call_banner_class_init(NhipCallBannerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = nhip_call_banner_dispose;
	object_class->finalize = nhip_call_banner_finalize;
	/**
	 * NhipCallBanner::accepted:
	 * @self: the banner
	 * @descriptor: the session descriptor (JSON) of the accepted call
	 */
	signals[SIGNAL_ACCEPTED] =
		g_signal_new("accepted", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			     NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
nhip_call_banner_init(NhipCallBanner *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *accept = gtk_button_new_with_label(_("Accept the call"));
	GtkWidget *decline = gtk_button_new_with_label(_("Decline"));

	self->declined = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->revealer = GTK_REVEALER(gtk_revealer_new());
	self->label = GTK_LABEL(gtk_label_new(NULL));
	gtk_label_set_wrap(self->label, TRUE);
	gtk_label_set_xalign(self->label, 0);
	gtk_widget_set_hexpand(GTK_WIDGET(self->label), TRUE);
	gtk_widget_add_css_class(GTK_WIDGET(self->label), "title-4");
	gtk_widget_add_css_class(accept, "big-button");
	gtk_widget_add_css_class(accept, "suggested-action");
	gtk_widget_add_css_class(decline, "big-button");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->label));
	gtk_box_append(GTK_BOX(box), accept);
	gtk_box_append(GTK_BOX(box), decline);
	gtk_widget_set_margin_start(box, 12);
	gtk_widget_set_margin_end(box, 12);
	gtk_widget_set_margin_top(box, 8);
	gtk_widget_set_margin_bottom(box, 8);
	gtk_widget_add_css_class(box, "call-banner");
	gtk_revealer_set_child(self->revealer, box);
	adw_bin_set_child(ADW_BIN(self), GTK_WIDGET(self->revealer));
	g_signal_connect(accept, "clicked", G_CALLBACK(banner_on_accept), self);
	g_signal_connect(decline, "clicked", G_CALLBACK(banner_on_decline), self);
}

/**
 * nhip_call_banner_new:
 * @station: the kiosk's state
 *
 * Returns: (transfer floating): the banner, hidden until a call comes
 */
GtkWidget *
nhip_call_banner_new(NhipStation *station)
{
	NhipCallBanner *self = g_object_new(NHIP_TYPE_CALL_BANNER, NULL);
	self->station = g_object_ref(station);
	return GTK_WIDGET(self);
}
