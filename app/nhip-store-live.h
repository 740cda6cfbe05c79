/*
 * Nhịp — live consultations in the station database: each session the station took part
 * in, attached to the visit of its case, and its chat messages and live vitals (schema
 * version 9), so the visit keeps what was said and measured during the call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-live-link.h"
#include "nhip-store.h"

G_BEGIN_DECLS

/**
 * NhipLiveRecord:
 * @session_id: the hub's id of the session
 * @packet_id: (nullable): its case packet
 * @visit_id: the visit of that case, 0 when the packet is not known here
 * @started_by: (nullable): `station` or `doctor`
 * @started_at: when the station joined (Unix time)
 * @ended_at: when it ended, 0 while open
 */
typedef struct {
	gchar *session_id;
	gchar *packet_id;
	gint64 visit_id;
	gchar *started_by;
	gint64 started_at;
	gint64 ended_at;
} NhipLiveRecord;

void nhip_live_record_free(NhipLiveRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipLiveRecord, nhip_live_record_free)

gboolean nhip_store_live_session_begin(NhipStore *self,
				       const gchar *session_id,
				       const gchar *packet_id,
				       const gchar *started_by,
				       GError **error);
gboolean nhip_store_live_session_end(NhipStore *self, const gchar *session_id, GError **error);
NhipLiveRecord *nhip_store_live_session_get(NhipStore *self,
					    const gchar *session_id,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_live_event_add(NhipStore *self,
				   const gchar *session_id,
				   const NhipLiveEvent *event,
				   GError **error);
gint64 nhip_store_live_last_seq(NhipStore *self, const gchar *session_id, GError **error);
gchar *nhip_store_live_packet_for_visit(NhipStore *self,
					gint64 visit_id,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
gint64 nhip_store_live_visit_for_packet(NhipStore *self, const gchar *packet_id, GError **error);
GPtrArray *nhip_store_live_events(NhipStore *self,
				  const gchar *session_id,
				  gint64 visit_id,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
