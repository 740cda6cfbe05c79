/*
 * Nhịp — the station's side of the hub's live-session API (live-contract.md), over the
 * mutual-TLS link of nhip-hub-link: ask for a case's live session, hang it up, wait for a
 * doctor's invitation, and post and wait for the session's events (chat, live vitals,
 * join/leave/audio-only states).
 *
 * The calls block (long polls up to a minute): run them off the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hub-link.h"
#include "nhip-vital.h"

G_BEGIN_DECLS

/* the hub refuses longer chat messages */
#define NHIP_LIVE_CHAT_MAX 2000

/**
 * NhipLiveEvent:
 * @seq: the hub's sequence number in the session, 0 before the hub has it
 * @sender: (nullable): `station:CODE` or `doctor:LOGIN`
 * @kind: `chat`, `vital` or `state`
 * @text: (nullable): a chat message
 * @state: (nullable): `joined`, `left`, `audio-only`, `video` or `ended`
 * @code: (nullable): a vital's code (`bp-systolic`, `pulse`, `spo2` …)
 * @value: the vital's value
 * @unit: (nullable): its unit (`mmHg`)
 * @device: (nullable): the device that measured it
 * @taken_at: when it was measured (Unix time), 0 when not known
 * @at: when the event happened (Unix time)
 */
typedef struct {
	gint64 seq;
	gchar *sender;
	gchar *kind;
	gchar *text;
	gchar *state;
	gchar *code;
	gdouble value;
	gchar *unit;
	gchar *device;
	gint64 taken_at;
	gint64 at;
} NhipLiveEvent;

NhipLiveEvent *nhip_live_event_new_chat(const gchar *text) G_GNUC_WARN_UNUSED_RESULT;
NhipLiveEvent *nhip_live_event_new_vital(const gchar *code,
					 gdouble value,
					 const gchar *unit,
					 const gchar *device,
					 gint64 taken_at) G_GNUC_WARN_UNUSED_RESULT;
NhipLiveEvent *nhip_live_event_new_state(const gchar *state) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_live_events_from_reading(NhipVitalKind kind,
					 gdouble value,
					 gdouble value2,
					 const gchar *device,
					 gint64 taken_at) G_GNUC_WARN_UNUSED_RESULT;
void nhip_live_event_free(NhipLiveEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipLiveEvent, nhip_live_event_free)
gboolean nhip_live_event_check(const NhipLiveEvent *event, GError **error);
gchar *nhip_live_event_to_json(const NhipLiveEvent *event) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_live_events_parse(const gchar *json, gsize length, gchar **state, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_live_link_open(NhipHubLink *link, CURL *handle, const gchar *packet_id, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_live_link_get(NhipHubLink *link, CURL *handle, const gchar *session_id, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_live_link_hang_up(NhipHubLink *link, CURL *handle, const gchar *session_id, GError **error);
GPtrArray *nhip_live_link_invites(NhipHubLink *link, CURL *handle, guint wait, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
gint64 nhip_live_link_post(NhipHubLink *link,
			   CURL *handle,
			   const gchar *session_id,
			   const NhipLiveEvent *event,
			   GError **error);
GPtrArray *nhip_live_link_events(NhipHubLink *link,
				 CURL *handle,
				 const gchar *session_id,
				 gint64 after,
				 guint wait,
				 gchar **state,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
