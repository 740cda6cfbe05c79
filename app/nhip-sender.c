/*
 * Nhịp — the sender loop.
 *
 * A packet is deleted only after the hub's receipt verifies against the pinned hub signing
 * certificate and the exact bytes sent; the receipt is kept. Errors are sorted by
 * nhip_transport_error_is_retry(): a retry waits a random time in [0, min(cap, base·2^n)]
 * ("full jitter"); a refusal parks the packet as failed for a technician; a pin mismatch
 * stops the sender altogether (an attack, or a hub key change nobody told us about).
 *
 * One program of a station sends at a time (the kiosk and the appliance's sync service may
 * both run a sender): the sender holds `send.lock` in the identity folder while it runs
 * and stands by while another holds it. Asked to, it also fetches the doctors' replies
 * (holding `inbox.lock`), long-polling the hub's inbox while it has nothing to send.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "nhip-durable.h"
#include "nhip-file-lock.h"
#include "nhip-identity.h"
#include "nhip-inbox.h"
#include "nhip-packet.h"
#include "nhip-sender.h"
#include "nhip-transport-error.h"
#include "nhip-uploader.h"

/* with nothing due, look for newly queued packets this often (seconds) */
#define SENDER_IDLE_POLL 5
/* how long the hub may hold an inbox request while nothing is due (it allows 25) */
#define SENDER_INBOX_WAIT 20

struct _NhipSender {
	NhipStore *store;  /* not owned */
	NhipHubLink *link; /* not owned */
	CURL *handle;
	CURL *inbox_handle;
	X509 *hub_signing;
	GNetworkMonitor *monitor;
	gulong monitor_id;
	gint network_back; /* atomic: the monitor may say so from another thread */
	gboolean verbose;
	gboolean fetch_replies;
	GMainContext *context; /* of the thread that made the sender */
	NhipFileLock *send_lock;
	NhipFileLock *inbox_lock;
	gboolean standby_said;
	NhipSenderCounts counts;
};

static void
sender_network_changed(GNetworkMonitor *monitor, gboolean available, gpointer data)
{
	NhipSender *self = data;
	if (available) {
		g_atomic_int_set(&self->network_back, 1);
		g_main_context_wakeup(self->context);
	}
}

/**
 * nhip_sender_new:
 * @store: the station database (kept, not owned)
 * @link: the hub link (kept, not owned)
 * @error: return location for a #GError
 *
 * The sender runs (nhip_sender_run()) in the thread that makes it, with that thread's
 * default main context.
 *
 * Returns: (transfer full) (nullable): the sender
 */
NhipSender *
nhip_sender_new(NhipStore *store, NhipHubLink *link, GError **error)
{
	g_autoptr(NhipSender) self = g_new0(NhipSender, 1);

	self->store = store;
	self->link = link;
	self->context = g_main_context_ref_thread_default();
	self->handle = nhip_hub_link_new_handle(error);
	if (self->handle == NULL)
		return NULL;
	self->hub_signing = nhip_x509_load(link->sign_cert_path, error);
	if (self->hub_signing == NULL)
		return NULL;
	self->monitor = g_object_ref(g_network_monitor_get_default());
	self->monitor_id = g_signal_connect(self->monitor, "network-changed",
					    G_CALLBACK(sender_network_changed), self);
	return g_steal_pointer(&self);
}

/**
 * nhip_sender_free:
 * @self: (nullable): the sender
 */
void
nhip_sender_free(NhipSender *self)
{
	if (self == NULL)
		return;
	if (self->monitor != NULL) {
		g_signal_handler_disconnect(self->monitor, self->monitor_id);
		g_object_unref(self->monitor);
	}
	if (self->handle != NULL)
		curl_easy_cleanup(self->handle);
	if (self->inbox_handle != NULL)
		curl_easy_cleanup(self->inbox_handle);
	nhip_file_lock_release(self->send_lock);
	nhip_file_lock_release(self->inbox_lock);
	g_main_context_unref(self->context);
	if (self->hub_signing != NULL)
		X509_free(self->hub_signing);
	g_free(self);
}

/**
 * nhip_sender_set_verbose:
 * @self: the sender
 * @verbose: print a line per packet and per failed attempt
 */
void
nhip_sender_set_verbose(NhipSender *self, gboolean verbose)
{
	self->verbose = verbose;
}

/**
 * nhip_sender_set_fetch_replies:
 * @self: the sender
 * @fetch: also fetch the doctors' replies (nhip_inbox_poll()), long-polling the hub while
 *   nothing is due
 */
void
nhip_sender_set_fetch_replies(NhipSender *self, gboolean fetch)
{
	self->fetch_replies = fetch;
}

/**
 * nhip_sender_stop:
 * @self: the sender
 *
 * Ends nhip_sender_run() soon, aborting the transfer in progress; safe from a signal
 * source of the main context and from any thread.
 */
void
nhip_sender_stop(NhipSender *self)
{
	g_atomic_int_set(&self->link->stop, 1);
	g_main_context_wakeup(self->context);
}

/**
 * nhip_sender_wake:
 * @self: the sender
 *
 * A packet was just queued: look at the queue now rather than after the wait in progress
 * (an inbox long-poll is cut short; an upload goes on). Safe from any thread.
 */
void
nhip_sender_wake(NhipSender *self)
{
	g_atomic_int_set(&self->link->interrupt, 1);
	g_main_context_wakeup(self->context);
}

/**
 * nhip_sender_get_counts:
 * @self: the sender
 *
 * Returns: (transfer none): what the sender did so far
 */
const NhipSenderCounts *
nhip_sender_get_counts(NhipSender *self)
{
	return &self->counts;
}

typedef struct {
	NhipSender *sender;
	NhipOutboxPacket *packet;
	gint64 sent;
} SenderProgress;

static gboolean
sender_progress(gpointer data, const gchar *upload_url, gint64 acked, gint64 sent, GError **error)
{
	SenderProgress *progress = data;
	NhipSender *self = progress->sender;
	NhipOutboxPacket *packet = progress->packet;

	progress->sent = sent;
	if (self->verbose)
		g_print(_("packet %s: %" PRId64 " %% acknowledged\n"), packet->packet_id,
			acked * 100 / MAX(packet->size, 1));
	return nhip_store_packet_set_upload(self->store, packet->packet_id, upload_url, acked, sent,
					    error);
}

/* receipt verified: keep it, mark the packet delivered, then delete the sealed file */
static gboolean
sender_deliver(NhipSender *self,
	       NhipOutboxPacket *packet,
	       GBytes *receipt,
	       gint64 case_id,
	       GError **error)
{
	g_autoptr(GMappedFile) file = g_mapped_file_new(packet->path, FALSE, error);
	g_autoptr(GBytes) sealed = NULL;
	g_autofree gchar *parent = g_path_get_dirname(self->link->dir);
	g_autofree gchar *name = g_strconcat(packet->packet_id, ".receipt", NULL);
	g_autofree gchar *receipt_path = g_build_filename(parent, "receipts", name, NULL);
	g_autofree gchar *packet_dir = g_path_get_dirname(packet->path);
	g_autoptr(GError) error_local = NULL;

	if (file == NULL)
		return FALSE;
	sealed = g_mapped_file_get_bytes(file);
	if (!nhip_receipt_verify(receipt, packet->packet_id, sealed, self->hub_signing,
				 &error_local)) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_RECEIPT,
			    _("the hub's receipt for packet %s does not verify (%s); the packet "
			      "is kept and sent again"),
			    packet->packet_id, error_local->message);
		return FALSE;
	}
	if (!nhip_durable_write(receipt_path, g_bytes_get_data(receipt, NULL),
				g_bytes_get_size(receipt), error) ||
	    !nhip_store_packet_delivered(self->store, packet->packet_id, receipt_path, case_id,
					 error))
		return FALSE;
	g_clear_pointer(&file, g_mapped_file_unref);
	if (g_unlink(packet->path) != 0 || !nhip_durable_sync_dir(packet_dir, &error_local))
		g_warning("packet %s delivered but its file %s stays: %s", packet->packet_id,
			  packet->path,
			  error_local != NULL ? error_local->message : g_strerror(errno));
	return TRUE;
}

static gboolean
sender_send_one(NhipSender *self, NhipOutboxPacket *packet, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GBytes) receipt = NULL;
	SenderProgress progress = { self, packet, packet->sent };
	gint64 case_id = 0;

	receipt = nhip_upload_packet(self->link, self->handle, packet, sender_progress, &progress,
				     &case_id, &error_local);
	self->counts.bytes_sent += progress.sent - packet->sent;
	if (receipt != NULL && sender_deliver(self, packet, receipt, case_id, &error_local)) {
		self->counts.delivered++;
		g_message("packet %s delivered (case %" PRId64 ")", packet->packet_id, case_id);
		if (self->verbose)
			g_print(_("packet %s delivered; the hub's receipt verified (case %" PRId64
				  ")\n"),
				packet->packet_id, case_id);
		return TRUE;
	}
	if (g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_CANCELLED))
		return TRUE;
	if (g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_PIN) ||
	    g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NOT_ENROLLED)) {
		/* not this packet's fault: keep it queued, stop sending */
		nhip_store_packet_retry(self->store, packet->packet_id,
					g_get_real_time() / G_USEC_PER_SEC, error_local->message,
					NULL);
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	if (nhip_transport_error_is_retry(error_local) ||
	    g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_RECEIPT)) {
		gint64 wait = nhip_hub_link_backoff(self->link, packet->attempts + 1);
		self->counts.retry++;
		g_message("packet %s not delivered, trying again in %" PRId64 " s: %s",
			  packet->packet_id, wait, error_local->message);
		if (self->verbose)
			g_print(_("packet %s not delivered yet (%s); next try in %" PRId64 " s\n"),
				packet->packet_id, error_local->message, wait);
		return nhip_store_packet_retry(self->store, packet->packet_id,
					       g_get_real_time() / G_USEC_PER_SEC + wait,
					       error_local->message, error);
	}
	self->counts.refused++;
	g_warning("packet %s refused: %s", packet->packet_id, error_local->message);
	if (self->verbose)
		g_print(_("packet %s refused by the hub: %s\n"), packet->packet_id,
			error_local->message);
	return nhip_store_packet_fail(self->store, packet->packet_id, error_local->message, error);
}

static gboolean
sender_wait_done(gpointer data)
{
	gboolean *done = data;
	*done = TRUE;
	return G_SOURCE_REMOVE;
}

/* sleep until @deadline, the network coming back, a wake-up or a stop */
static void
sender_wait(NhipSender *self, gint64 seconds)
{
	gboolean done = FALSE;
	GSource *source = g_timeout_source_new_seconds((guint)MAX(seconds, 1));

	g_source_set_callback(source, sender_wait_done, &done, NULL);
	g_source_attach(source, self->context);
	while (!done && !g_atomic_int_get(&self->network_back) &&
	       !g_atomic_int_get(&self->link->interrupt) && !g_atomic_int_get(&self->link->stop))
		g_main_context_iteration(self->context, TRUE);
	g_source_destroy(source);
	g_source_unref(source);
}

/* takes what it can of the send and inbox locks; another program may hold them */
static gboolean
sender_take_locks(NhipSender *self, gboolean once, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	if (self->send_lock == NULL) {
		g_autofree gchar *path = g_build_filename(self->link->dir, "send.lock", NULL);
		self->send_lock = nhip_file_lock_try(path, &error_local);
		if (self->send_lock == NULL) {
			if (!g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_BUSY) || once) {
				g_set_error(error, NHIP_TRANSPORT_ERROR,
					    NHIP_TRANSPORT_ERROR_LOCKED,
					    _("another program of this station is sending its "
					      "packets (%s); they go out through it"),
					    error_local->message);
				return FALSE;
			}
			if (!self->standby_said)
				g_message("standing by: %s", error_local->message);
			self->standby_said = TRUE;
			g_clear_error(&error_local);
		} else if (self->standby_said) {
			g_message("the other sender stopped; sending from here");
			self->standby_said = FALSE;
		}
	}
	if (self->fetch_replies && self->inbox_lock == NULL) {
		self->inbox_lock = nhip_inbox_lock(self->link, &error_local);
		if (self->inbox_lock == NULL &&
		    !g_error_matches(error_local, G_IO_ERROR, G_IO_ERROR_BUSY)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
	}
	return TRUE;
}

/* one inbox request, held by the hub up to @seconds; FALSE only when sending must stop */
static gboolean
sender_poll_inbox(NhipSender *self, gint64 seconds, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	guint n_new = 0;
	gboolean ok;

	if (self->inbox_handle == NULL) {
		self->inbox_handle = nhip_hub_link_new_handle(error);
		if (self->inbox_handle == NULL)
			return FALSE;
	}
	g_atomic_int_set(&self->link->interruptible, 1);
	ok = nhip_inbox_poll(self->link, self->inbox_handle, self->store,
			     (guint)CLAMP(seconds, 0, SENDER_INBOX_WAIT), &n_new, &error_local);
	g_atomic_int_set(&self->link->interruptible, 0);
	self->counts.replies += n_new;
	if (n_new > 0 && self->verbose)
		g_print(g_dngettext(GETTEXT_PACKAGE, "%u new reply from the district\n",
				    "%u new replies from the district\n", n_new),
			n_new);
	if (ok ||
	    g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_CANCELLED))
		return TRUE;
	if (g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_PIN) ||
	    g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NOT_ENROLLED) ||
	    error_local->domain == NHIP_STORE_ERROR) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	/* the link is down or the hub is busy: the next poll comes after a wait */
	g_message("the doctors' replies could not be fetched: %s", error_local->message);
	if (self->verbose)
		g_print(_("replies not fetched (%s)\n"), error_local->message);
	sender_wait(self, seconds > 0 ? seconds : SENDER_IDLE_POLL);
	return TRUE;
}

static gboolean
sender_loop(NhipSender *self, gboolean once, GError **error)
{
	while (!g_atomic_int_get(&self->link->stop)) {
		g_autoptr(NhipOutboxPacket) packet = NULL;
		g_autoptr(GError) error_local = NULL;
		gint64 now = g_get_real_time() / G_USEC_PER_SEC;
		gint64 next = 0;
		gint64 wait = SENDER_IDLE_POLL;

		g_atomic_int_set(&self->link->interrupt, 0);
		if (!sender_take_locks(self, once, error))
			return FALSE;
		if (self->send_lock != NULL && g_atomic_int_get(&self->network_back)) {
			/* the link is back: whatever waits for its backoff may go now */
			g_atomic_int_set(&self->network_back, 0);
			g_info("network is back; trying waiting packets now");
			if (!nhip_store_packet_wake(self->store, now, error))
				return FALSE;
		}
		if (self->send_lock != NULL) {
			packet = nhip_store_packet_next_due(self->store, now, &error_local);
			if (error_local != NULL) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return FALSE;
			}
			if (packet != NULL) {
				if (!sender_send_one(self, packet, error))
					return FALSE;
				continue;
			}
		}
		if (once)
			return self->inbox_lock == NULL || sender_poll_inbox(self, 0, error);
		if (self->send_lock != NULL) {
			if (!nhip_store_packet_next_time(self->store, &next, error))
				return FALSE;
			if (next > now)
				wait = next - now;
		}
		if (self->inbox_lock != NULL) {
			if (!sender_poll_inbox(self,
					       self->send_lock != NULL && next > now
						       ? MIN(wait, SENDER_INBOX_WAIT)
						       : SENDER_INBOX_WAIT,
					       error))
				return FALSE;
		} else {
			sender_wait(self, MIN(wait, SENDER_IDLE_POLL));
		}
	}
	return TRUE;
}

/**
 * nhip_sender_run:
 * @self: the sender
 * @once: send what is due now (and fetch the replies waiting) and return; else keep
 *   running until nhip_sender_stop()
 * @error: return location for a #GError: only a failure that stops all sending (storage,
 *   a pin mismatch, a lost enrollment, and with @once another program of the station
 *   sending: %NHIP_TRANSPORT_ERROR_LOCKED); packets that fail are recorded in the queue
 *
 * While another program of the station holds the send lock, a sender that keeps running
 * stands by and takes over when that one stops.
 *
 * Returns: %TRUE unless sending had to stop
 */
gboolean
nhip_sender_run(NhipSender *self, gboolean once, GError **error)
{
	gboolean ok = sender_loop(self, once, error);

	/* the next program to send may start at once */
	g_clear_pointer(&self->send_lock, nhip_file_lock_release);
	g_clear_pointer(&self->inbox_lock, nhip_file_lock_release);
	return ok;
}
