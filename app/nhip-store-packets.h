/*
 * Nhịp — the queue of case packets for the district hub, the replies that came back, and
 * the sender's small state (inbox cursor, packet sequence), in the station database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-store.h"

G_BEGIN_DECLS

/**
 * NhipPacketState:
 * @NHIP_PACKET_STATE_QUEUED: sealed and waiting for the link
 * @NHIP_PACKET_STATE_SENDING: partly uploaded (see @acked)
 * @NHIP_PACKET_STATE_DELIVERED: the hub's signed receipt verified; the file is deleted
 * @NHIP_PACKET_STATE_ANSWERED: a doctor's reply came back
 * @NHIP_PACKET_STATE_FAILED: the hub refused it for good; a technician has to look
 */
typedef enum {
	NHIP_PACKET_STATE_QUEUED,
	NHIP_PACKET_STATE_SENDING,
	NHIP_PACKET_STATE_DELIVERED,
	NHIP_PACKET_STATE_ANSWERED,
	NHIP_PACKET_STATE_FAILED,
} NhipPacketState;

const gchar *nhip_packet_state_to_string(NhipPacketState state);

/**
 * NhipOutboxPacket:
 * @id: row id
 * @packet_id: the packet's UUID
 * @visit_id: the visit it is about, 0 for none
 * @path: the sealed file
 * @size: its size
 * @sha256: its SHA-256
 * @acked: bytes the hub has acknowledged
 * @sent: bytes put on the wire for it so far, resends included
 * @upload_url: (nullable): the tus upload URL, once created
 * @state: where it stands
 * @urgent: sent before routine packets
 * @attempts: failed attempts in a row
 * @next_try_at: not before this time
 * @last_error: (nullable): why the last attempt failed
 * @receipt_path: (nullable): the verified receipt
 * @case_id: the hub's case number, 0 until delivered
 * @created_at: when it was queued
 * @updated_at: last change
 */
typedef struct {
	gint64 id;
	gchar *packet_id;
	gint64 visit_id;
	gchar *path;
	gint64 size;
	gchar *sha256;
	gint64 acked;
	gint64 sent;
	gchar *upload_url;
	NhipPacketState state;
	gboolean urgent;
	gint64 attempts;
	gint64 next_try_at;
	gchar *last_error;
	gchar *receipt_path;
	gint64 case_id;
	gint64 created_at;
	gint64 updated_at;
} NhipOutboxPacket;

void nhip_outbox_packet_free(NhipOutboxPacket *packet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipOutboxPacket, nhip_outbox_packet_free)

/**
 * NhipReply:
 * @msg_id: the reply packet's id
 * @in_reply_to: the case packet it answers
 * @cursor: the hub inbox cursor it came with
 * @path: the sealed reply as received
 * @text: the doctor's advice, after verification
 * @received_at: when it arrived
 * @doctor: (nullable): the doctor who answered
 * @referral: 1 refer the patient, 0 do not, -1 not said
 * @urgency: (nullable): "routine", "urgent" or "stat"
 * @visit_id: the visit of the case answered (read from the queue; 0 if unknown)
 * @read_at: when a staff member marked it read, 0 while unread
 * @read_by: who did (staff id), 0 if unknown
 */
typedef struct {
	gchar *msg_id;
	gchar *in_reply_to;
	gint64 cursor;
	gchar *path;
	gchar *text;
	gint64 received_at;
	gchar *doctor;
	gint referral;
	gchar *urgency;
	gint64 visit_id;
	gint64 read_at;
	gint64 read_by;
} NhipReply;

void nhip_reply_free(NhipReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipReply, nhip_reply_free)

gint64 nhip_store_packet_add(NhipStore *self,
			     const gchar *packet_id,
			     gint64 visit_id,
			     const gchar *path,
			     gboolean urgent,
			     GError **error);
NhipOutboxPacket *nhip_store_packet_get(NhipStore *self,
					const gchar *packet_id,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipOutboxPacket *
nhip_store_packet_next_due(NhipStore *self, gint64 now, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_packet_wake(NhipStore *self, gint64 now, GError **error);
gboolean nhip_store_packet_next_time(NhipStore *self, gint64 *when, GError **error);
GPtrArray *nhip_store_packet_list(NhipStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_packet_set_upload(NhipStore *self,
				      const gchar *packet_id,
				      const gchar *upload_url,
				      gint64 acked,
				      gint64 sent,
				      GError **error);
gboolean nhip_store_packet_retry(NhipStore *self,
				 const gchar *packet_id,
				 gint64 next_try_at,
				 const gchar *last_error,
				 GError **error);
gboolean nhip_store_packet_fail(NhipStore *self,
				const gchar *packet_id,
				const gchar *last_error,
				GError **error);
gboolean nhip_store_packet_delivered(NhipStore *self,
				     const gchar *packet_id,
				     const gchar *receipt_path,
				     gint64 case_id,
				     GError **error);

gboolean nhip_store_reply_add(NhipStore *self, const NhipReply *reply, GError **error);
GPtrArray *nhip_store_reply_list(NhipStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_store_reply_list_for_visit(NhipStore *self,
					   gint64 visit_id,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_store_reply_list_unread(NhipStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_reply_mark_read(NhipStore *self, const gchar *msg_id, GError **error);
GPtrArray *nhip_store_packet_list_recent(NhipStore *self,
					 gint64 visit_id,
					 gint64 since,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_store_packet_fingerprint(NhipStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_store_sync_get(NhipStore *self, const gchar *key, GError **error);
gboolean nhip_store_sync_set(NhipStore *self, const gchar *key, const gchar *value, GError **error);
gboolean nhip_store_packet_count_waiting(NhipStore *self, gint64 *count, GError **error);
gint64 nhip_store_packet_next_seq(NhipStore *self, GError **error);

G_END_DECLS
