/*
 * Nhịp — one participant's side of a live consultation: joins the case's VideoRoom on
 * Janus with the token from the session descriptor, publishes the station's camera and
 * microphone (VP8 150–300 kbit/s, Opus 24 kbit/s) through one webrtcbin, subscribes to the
 * other participant's feed through a second one, adapts the video bitrate to the link
 * (falling back to audio only and coming back), and hands decoded remote video to the
 * caller as RGBA frames on the main thread.
 *
 * No GTK here: the kiosk turns the frames into GdkMemoryTextures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-live-descriptor.h"
#include "nhip-live-stats.h"

G_BEGIN_DECLS

/**
 * NhipLiveState:
 * @NHIP_LIVE_STATE_IDLE: not started
 * @NHIP_LIVE_STATE_CONNECTING: signalling and ICE in progress
 * @NHIP_LIVE_STATE_ACTIVE: sending audio and video
 * @NHIP_LIVE_STATE_AUDIO_ONLY: the link is too poor for video: sending audio only
 * @NHIP_LIVE_STATE_RECONNECTING: the link to the media server was lost; trying again
 * @NHIP_LIVE_STATE_ENDED: hung up (by us, or the session ended on the hub)
 * @NHIP_LIVE_STATE_FAILED: could not be set up or restored; see
 *   nhip_live_session_get_error()
 */
typedef enum {
	NHIP_LIVE_STATE_IDLE,
	NHIP_LIVE_STATE_CONNECTING,
	NHIP_LIVE_STATE_ACTIVE,
	NHIP_LIVE_STATE_AUDIO_ONLY,
	NHIP_LIVE_STATE_RECONNECTING,
	NHIP_LIVE_STATE_ENDED,
	NHIP_LIVE_STATE_FAILED,
} NhipLiveState;

#define NHIP_TYPE_LIVE_STATE (nhip_live_state_get_type())
GType nhip_live_state_get_type(void);
const gchar *nhip_live_state_to_string(NhipLiveState state);

/**
 * NhipLiveSessionStats:
 * @sample: the latest totals from both connections
 * @video_bitrate: the video encoder's current target (bit/s)
 * @send_video_bps: video actually sent over the last interval (bit/s)
 * @send_audio_bps: audio sent
 * @recv_video_bps: video received
 * @recv_audio_bps: audio received
 * @frames_received: remote video frames decoded
 * @frames_sent: local video frames that went to the encoder
 * @first_frame_ms: milliseconds from start to the first remote frame, < 0 before it
 * @audio_only_switches: how many times video was dropped for a poor link
 * @audio_only_seconds: time spent audio-only
 */
typedef struct {
	NhipLiveStatsSample sample;
	gint video_bitrate;
	gdouble send_video_bps;
	gdouble send_audio_bps;
	gdouble recv_video_bps;
	gdouble recv_audio_bps;
	guint64 frames_received;
	guint64 frames_sent;
	gint64 first_frame_ms;
	guint audio_only_switches;
	gdouble audio_only_seconds;
} NhipLiveSessionStats;

#define NHIP_TYPE_LIVE_SESSION (nhip_live_session_get_type())
G_DECLARE_FINAL_TYPE(NhipLiveSession, nhip_live_session, NHIP, LIVE_SESSION, GObject)

NhipLiveSession *
nhip_live_session_new(const NhipLiveDescriptor *descriptor) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_live_session_start(NhipLiveSession *self, GError **error);
void nhip_live_session_hang_up(NhipLiveSession *self);
void nhip_live_session_set_muted(NhipLiveSession *self, gboolean muted);
gboolean nhip_live_session_get_muted(NhipLiveSession *self);
void nhip_live_session_set_camera_off(NhipLiveSession *self, gboolean camera_off);
gboolean nhip_live_session_get_camera_off(NhipLiveSession *self);
NhipLiveState nhip_live_session_get_state(NhipLiveSession *self);
const GError *nhip_live_session_get_error(NhipLiveSession *self);
const NhipLiveSessionStats *nhip_live_session_get_stats(NhipLiveSession *self);
const NhipLiveDescriptor *nhip_live_session_get_descriptor(NhipLiveSession *self);
const gchar *nhip_live_session_get_remote_display(NhipLiveSession *self);

G_END_DECLS
