/*
 * Nhịp — a live session descriptor: what the hub hands out for one participant of one
 * case's live consultation (see live-contract.md): the Janus URL, the room, the token
 * minted for this participant only, the display name, the ICE servers with TURN REST
 * credentials, the bitrate cap, when it expires, and the session's state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * NhipLiveIceServer:
 * @urls: (array zero-terminated=1): `stun:host:port`, `turn:host:port?transport=udp|tcp`,
 *   `turns:host:port`
 * @username: (nullable): the TURN username (`<unix-expiry>:<who>`)
 * @credential: (nullable): the TURN password
 */
typedef struct {
	gchar **urls;
	gchar *username;
	gchar *credential;
} NhipLiveIceServer;

/**
 * NhipLiveDescriptor:
 * @session_id: the hub's id of the live session
 * @packet_id: the case packet the session belongs to
 * @janus_url: the Janus HTTP API (`http(s)://host:port/janus`, no trailing slash)
 * @room: the VideoRoom room
 * @token: the Janus token minted for this participant
 * @display: `station:CODE` or `doctor:LOGIN`
 * @ice_servers: (element-type NhipLiveIceServer): STUN/TURN servers
 * @max_bitrate: the room's video bitrate cap, bit/s
 * @expires: when the token stops working (Unix time)
 * @state: `waiting`, `active` or `ended`
 * @started_by: `station` or `doctor`
 */
typedef struct {
	gchar *session_id;
	gchar *packet_id;
	gchar *janus_url;
	gint64 room;
	gchar *token;
	gchar *display;
	GPtrArray *ice_servers;
	gint max_bitrate;
	gint64 expires;
	gchar *state;
	gchar *started_by;
} NhipLiveDescriptor;

#define NHIP_TYPE_LIVE_DESCRIPTOR (nhip_live_descriptor_get_type())
GType nhip_live_descriptor_get_type(void);

NhipLiveDescriptor *nhip_live_descriptor_parse(const gchar *json,
					       gssize length,
					       GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipLiveDescriptor *nhip_live_descriptor_from_object(JsonObject *object,
						     GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipLiveDescriptor *
nhip_live_descriptor_copy(const NhipLiveDescriptor *self) G_GNUC_WARN_UNUSED_RESULT;
void nhip_live_descriptor_free(NhipLiveDescriptor *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipLiveDescriptor, nhip_live_descriptor_free)

gchar *nhip_live_descriptor_stun_uri(const NhipLiveDescriptor *self) G_GNUC_WARN_UNUSED_RESULT;
gchar **nhip_live_descriptor_turn_uris(const NhipLiveDescriptor *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
