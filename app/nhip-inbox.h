/*
 * Nhịp — the station's inbox at the hub: replies fetched by long-poll, verified and stored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-file-lock.h"
#include "nhip-hub-link.h"
#include "nhip-store-packets.h"

G_BEGIN_DECLS

/**
 * NhipInboxItem:
 * @cursor: its place in the station's inbox
 * @id: the message id (a packet UUID)
 * @kind: "reply"
 * @in_reply_to: (nullable): the case packet it answers
 * @size: bytes
 * @sha256: the SHA-256 of its bytes
 * @url: where to fetch it (a path on the hub)
 */
typedef struct {
	gint64 cursor;
	gchar *id;
	gchar *kind;
	gchar *in_reply_to;
	gint64 size;
	gchar *sha256;
	gchar *url;
} NhipInboxItem;

void nhip_inbox_item_free(NhipInboxItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipInboxItem, nhip_inbox_item_free)

GPtrArray *nhip_inbox_parse(const gchar *data, gsize len, gint64 *cursor, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
NhipFileLock *nhip_inbox_lock(NhipHubLink *link, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_inbox_poll(NhipHubLink *link,
			 CURL *handle,
			 NhipStore *store,
			 guint wait,
			 guint *n_new,
			 GError **error);
gboolean
nhip_inbox_fetch(NhipHubLink *link, NhipStore *store, guint wait, guint *n_new, GError **error);

G_END_DECLS
