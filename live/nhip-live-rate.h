/*
 * Nhịp — the video bitrate controller of a live call: additive-increase /
 * multiplicative-decrease on the VP8 target bitrate from the loss and round-trip time the
 * far end reports (RTCP receiver reports, read from webrtcbin's stats), an audio-only
 * fallback when even the lowest video bitrate does not get through, and a cautious return
 * to video when the link has been good for a while.
 *
 * Pure arithmetic, no GStreamer: the session feeds it every stats interval.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipLiveRateAction:
 * @NHIP_LIVE_RATE_KEEP: nothing to change
 * @NHIP_LIVE_RATE_BITRATE: set the encoder to the new bitrate
 * @NHIP_LIVE_RATE_AUDIO_ONLY: stop sending video
 * @NHIP_LIVE_RATE_VIDEO: send video again, at the new bitrate
 */
typedef enum {
	NHIP_LIVE_RATE_KEEP,
	NHIP_LIVE_RATE_BITRATE,
	NHIP_LIVE_RATE_AUDIO_ONLY,
	NHIP_LIVE_RATE_VIDEO,
} NhipLiveRateAction;

/**
 * NhipLiveRate:
 * @min_bitrate: the lowest video bitrate worth sending (bit/s)
 * @max_bitrate: the highest (the room's cap)
 * @bitrate: the current target
 * @audio_only: whether video is off because the link is too poor
 * @audio_only_after: seconds at @min_bitrate with a congested link before dropping video
 * @recover_after: seconds of a clear link (audio only) before trying video again; doubled
 *   after each attempt that failed within a minute, up to 8 times
 * @base_rtt: the lowest round-trip time seen (seconds, slowly rising), < 0 before any
 * @poor_seconds: how long the link has been congested at @min_bitrate
 * @good_seconds: how long the link has been clear while audio-only
 * @video_seconds: how long video has been on since the last return to video
 * @clear_streak: clear intervals in a row
 * @recover_wait: the current wait before trying video again
 * @switches: how many times video was dropped
 */
typedef struct {
	gint min_bitrate;
	gint max_bitrate;
	gint bitrate;
	gboolean audio_only;
	gdouble audio_only_after;
	gdouble recover_after;
	gdouble base_rtt;
	gdouble poor_seconds;
	gdouble good_seconds;
	gdouble video_seconds;
	guint clear_streak;
	gdouble recover_wait;
	guint switches;
} NhipLiveRate;

void nhip_live_rate_init(NhipLiveRate *self, gint min_bitrate, gint max_bitrate);
NhipLiveRateAction
nhip_live_rate_update(NhipLiveRate *self, gdouble interval, gdouble fraction_lost, gdouble rtt);

G_END_DECLS
