/*
 * Nhịp — the background sender: delivers queued case packets to the hub, one at a time,
 * urgent ones first, with exponential backoff and full jitter between failed attempts, and
 * wakes up when the network comes back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hub-link.h"
#include "nhip-store-packets.h"

G_BEGIN_DECLS

typedef struct _NhipSender NhipSender;

/**
 * NhipSenderCounts:
 * @delivered: packets delivered (receipt verified)
 * @retry: attempts that failed and will be tried again
 * @refused: packets the hub refused for good
 * @bytes_sent: chunk bytes put on the wire, resends included
 * @replies: doctors' replies fetched and stored
 */
typedef struct {
	guint delivered;
	guint retry;
	guint refused;
	gint64 bytes_sent;
	guint replies;
} NhipSenderCounts;

NhipSender *
nhip_sender_new(NhipStore *store, NhipHubLink *link, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_sender_free(NhipSender *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipSender, nhip_sender_free)
void nhip_sender_set_verbose(NhipSender *self, gboolean verbose);
gboolean nhip_sender_run(NhipSender *self, gboolean once, GError **error);
void nhip_sender_set_fetch_replies(NhipSender *self, gboolean fetch);
void nhip_sender_stop(NhipSender *self);
void nhip_sender_wake(NhipSender *self);
const NhipSenderCounts *nhip_sender_get_counts(NhipSender *self);

G_END_DECLS
