/*
 * Nhịp hub — live consultations: a Janus VideoRoom room per session with tokens minted for
 * its participants only, TURN REST credentials for coturn, the session's states (waiting,
 * active, ended; ended at the latest after the configured maximum), its events (chat,
 * readings from the station's devices, joins and leaves) and the long-polls that wait for
 * them. Both listeners use it: the stations' (mutual TLS) and the doctors' pages.
 *
 * Configured by the [live] group of hub.conf, which `nhip-hub live-config` writes; without
 * it every live request is answered 503 with the reason.
 *
 * The hub's log names sessions, cases, rooms and participants, never what is said in the
 * chat, a reading or anything of the patient.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-hub-db.h"

G_BEGIN_DECLS

/* the longest a live long-poll is held, seconds */
#define NHIP_HUB_LIVE_WAIT_MAX 60
/* the longest chat message, in characters */
#define NHIP_HUB_LIVE_TEXT_MAX 2000
/* the largest event body taken, bytes */
#define NHIP_HUB_LIVE_BODY_MAX (16 * 1024)
/* defaults of the [live] group */
#define NHIP_HUB_LIVE_DEFAULT_BITRATE 300000
#define NHIP_HUB_LIVE_DEFAULT_MINUTES 60

/**
 * NhipHubLiveConfig:
 * @janus_url: the Janus API for stations (http://HOST:8088/janus)
 * @janus_web_url: the Janus API for the doctors' browsers (https://HOST:8089/janus)
 * @janus_admin_url: the Admin API, for the hub only (http://127.0.0.1:7088/admin)
 * @janus_admin_secret: Janus's admin_secret
 * @room_admin_key: the VideoRoom plugin's admin_key
 * @ice_urls: the STUN and TURN URLs given to participants
 * @turn_secret: coturn's static-auth-secret
 * @max_bitrate: the rooms' video cap, bits per second
 * @max_minutes: the longest a session lasts
 */
typedef struct {
	gchar *janus_url;
	gchar *janus_web_url;
	gchar *janus_admin_url;
	gchar *janus_admin_secret;
	gchar *room_admin_key;
	gchar **ice_urls;
	gchar *turn_secret;
	gint64 max_bitrate;
	gint64 max_minutes;
} NhipHubLiveConfig;

void nhip_hub_live_config_free(NhipHubLiveConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubLiveConfig, nhip_hub_live_config_free)
NhipHubLiveConfig *nhip_hub_live_config_load(const gchar *hub_dir,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * NhipHubLiveCaller:
 * @who: "station:CODE" or "doctor:LOGIN"
 * @station: (nullable): the station's code when a station calls
 */
typedef struct {
	const gchar *who;
	const gchar *station;
} NhipHubLiveCaller;

/**
 * NhipHubLiveReply:
 * @status: the HTTP status
 * @body: (nullable): the JSON body, or %NULL for none (204)
 */
typedef struct {
	guint status;
	gchar *body;
} NhipHubLiveReply;

void nhip_hub_live_reply_clear(NhipHubLiveReply *reply);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NhipHubLiveReply, nhip_hub_live_reply_clear)

typedef struct _NhipHubLive NhipHubLive;

NhipHubLive *nhip_hub_live_new(const gchar *hub_dir, NhipHubDb *db) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hub_live_free(NhipHubLive *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubLive, nhip_hub_live_free)
const NhipHubLiveConfig *nhip_hub_live_get_config(NhipHubLive *self);
void nhip_hub_live_stop(NhipHubLive *self);
void nhip_hub_live_expire(NhipHubLive *self);

void nhip_hub_live_open(NhipHubLive *self,
			const NhipHubLiveCaller *caller,
			const NhipHubPacket *packet,
			NhipHubLiveReply *reply);
void nhip_hub_live_open_for_station(NhipHubLive *self,
				    const NhipHubLiveCaller *caller,
				    const gchar *body,
				    gsize len,
				    NhipHubLiveReply *reply);
void nhip_hub_live_get(NhipHubLive *self,
		       const NhipHubLiveCaller *caller,
		       const gchar *session_id,
		       NhipHubLiveReply *reply);
void nhip_hub_live_end(NhipHubLive *self,
		       const NhipHubLiveCaller *caller,
		       const gchar *session_id,
		       NhipHubLiveReply *reply);
void nhip_hub_live_post_event(NhipHubLive *self,
			      const NhipHubLiveCaller *caller,
			      const gchar *session_id,
			      const gchar *body,
			      gsize len,
			      NhipHubLiveReply *reply);
void nhip_hub_live_events(NhipHubLive *self,
			  const NhipHubLiveCaller *caller,
			  const gchar *session_id,
			  const gchar *after,
			  const gchar *wait,
			  NhipHubLiveReply *reply);
gboolean nhip_hub_live_session_request(NhipHubLive *self,
				       const NhipHubLiveCaller *caller,
				       const gchar *method,
				       const gchar *session_id,
				       gboolean events,
				       const gchar *after,
				       const gchar *wait,
				       const gchar *body,
				       gsize len,
				       NhipHubLiveReply *reply);
void nhip_hub_live_invites(NhipHubLive *self,
			   const NhipHubLiveCaller *caller,
			   const gchar *wait,
			   NhipHubLiveReply *reply);

gboolean nhip_hub_live_event_parse(const gchar *data,
				   gsize len,
				   gint64 now,
				   gchar **kind,
				   gchar **body,
				   GError **error);
gchar *nhip_hub_live_turn_credential(const gchar *secret,
				     const gchar *username) G_GNUC_WARN_UNUSED_RESULT;
const gchar *nhip_hub_live_vital_label(const gchar *code);
const gchar *nhip_hub_live_vital_nth(guint n, const gchar **label);

G_END_DECLS
