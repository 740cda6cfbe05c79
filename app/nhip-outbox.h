/*
 * Nhịp — the outbox: what waits to be sent (HL7 messages, and later case packets), kept in
 * the station's database so that nothing is lost across restarts and power cuts.
 *
 * An item goes queued → sending → delivered (or answered, for a case packet the hub
 * replied to). A failed attempt puts it back to queued with a later next try (exponential
 * backoff with jitter, capped); a refusal that sending again cannot fix makes it failed.
 * Delivery is at least once: an item whose sender died while it was `sending` is queued
 * again by nhip_outbox_recover(), and its receiver may see it twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "nhip-store.h"

G_BEGIN_DECLS

/* the first pause after a failed attempt, and the longest one, in seconds */
#define NHIP_OUTBOX_BACKOFF_BASE 30
#define NHIP_OUTBOX_BACKOFF_MAX	 (30 * 60)

/**
 * NhipOutboxState:
 * @NHIP_OUTBOX_STATE_QUEUED: waiting for its next try
 * @NHIP_OUTBOX_STATE_SENDING: taken by a sender; left so only when the sender died
 * @NHIP_OUTBOX_STATE_DELIVERED: the receiver acknowledged it
 * @NHIP_OUTBOX_STATE_ANSWERED: delivered, and the receiver's answer came back
 * @NHIP_OUTBOX_STATE_FAILED: refused for good; a person has to look at it
 */
typedef enum {
	NHIP_OUTBOX_STATE_QUEUED,
	NHIP_OUTBOX_STATE_SENDING,
	NHIP_OUTBOX_STATE_DELIVERED,
	NHIP_OUTBOX_STATE_ANSWERED,
	NHIP_OUTBOX_STATE_FAILED,
} NhipOutboxState;

#define NHIP_TYPE_OUTBOX_ITEM (nhip_outbox_item_get_type())

/**
 * NhipOutboxItem:
 * @id: row id
 * @kind: what it is: `hl7`, `case-packet`, …
 * @payload_ref: where the payload is (a file path or a record id)
 * @state: where it is in its life
 * @priority: higher goes first
 * @attempts: failed attempts so far
 * @next_try_at: Unix time of the next try
 * @last_error: (nullable): why the last attempt failed
 * @created_at: Unix time it was queued
 * @updated_at: Unix time of the last change
 */
typedef struct {
	gint64 id;
	gchar *kind;
	gchar *payload_ref;
	NhipOutboxState state;
	gint priority;
	guint attempts;
	gint64 next_try_at;
	gchar *last_error;
	gint64 created_at;
	gint64 updated_at;
} NhipOutboxItem;

GType nhip_outbox_item_get_type(void);
NhipOutboxItem *nhip_outbox_item_copy(const NhipOutboxItem *self);
void nhip_outbox_item_free(NhipOutboxItem *self);
void nhip_outbox_item_to_json(const NhipOutboxItem *self, JsonBuilder *builder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipOutboxItem, nhip_outbox_item_free)

const gchar *nhip_outbox_state_to_string(NhipOutboxState state);
gint64 nhip_outbox_backoff(guint attempts, gdouble jitter);

gint64 nhip_outbox_enqueue(NhipStore *store,
			   const gchar *kind,
			   const gchar *payload_ref,
			   gint priority,
			   GError **error);
GPtrArray *nhip_outbox_list_due(NhipStore *store,
				const gchar *kind,
				gint64 due_by,
				guint limit,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipOutboxItem *nhip_outbox_next_due(NhipStore *store,
				     const gchar *kind,
				     gint64 due_by,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_outbox_list(NhipStore *store, const gchar *kind, gboolean with_done, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
NhipOutboxItem *
nhip_outbox_get(NhipStore *store, gint64 id, GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_outbox_mark_sending(NhipStore *store, gint64 id, GError **error);
gboolean nhip_outbox_mark_delivered(NhipStore *store, gint64 id, GError **error);
gboolean nhip_outbox_mark_attempt(NhipStore *store,
				  gint64 id,
				  const gchar *reason,
				  gint64 *next_try_at,
				  GError **error);
gboolean nhip_outbox_mark_failed(NhipStore *store, gint64 id, const gchar *reason, GError **error);
gboolean nhip_outbox_postpone(NhipStore *store, const gchar *kind, gint64 until, GError **error);
gboolean
nhip_outbox_recover(NhipStore *store, const gchar *kind, guint *n_recovered, GError **error);

G_END_DECLS
