/*
 * Nhịp — reading webrtcbin's `get-stats` structure: what we sent and how the far end
 * says it arrived (remote-inbound-rtp: fraction lost, round-trip time from RTCP receiver
 * reports), and what we received (inbound-rtp), split into audio and video.
 *
 * Which SSRC carries what is learnt from the SDPs (a=ssrc in each m-section) and from
 * webrtcbin's codec stats (which name their SSRC and MIME type): with a bundled
 * connection webrtcbin 1.22 labels every RTP stream with the last transceiver's "kind"
 * and codec, so those two fields cannot be trusted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * NhipLiveStatsSample:
 * @video_bytes_sent: RTP payload bytes of video sent so far
 * @audio_bytes_sent: of audio
 * @video_packets_sent: video RTP packets sent
 * @audio_packets_sent: audio RTP packets sent
 * @video_fraction_lost: the share of our video lost in the far end's last report (0…1),
 *   < 0 when there is no report yet
 * @audio_fraction_lost: the same for audio
 * @rtt: the largest round-trip time of the reports (seconds), < 0 when not known
 * @nack_count: retransmission requests received
 * @pli_count: picture loss indications received
 * @video_bytes_received: video bytes received so far
 * @audio_bytes_received: audio bytes received
 * @video_packets_received: video RTP packets received
 * @audio_packets_received: audio RTP packets received
 * @packets_lost: packets we did not receive (audio and video)
 * @jitter: the largest receive jitter (seconds)
 */
typedef struct {
	guint64 video_bytes_sent;
	guint64 audio_bytes_sent;
	guint64 video_packets_sent;
	guint64 audio_packets_sent;
	gdouble video_fraction_lost;
	gdouble audio_fraction_lost;
	gdouble rtt;
	guint64 nack_count;
	guint64 pli_count;
	guint64 video_bytes_received;
	guint64 audio_bytes_received;
	guint64 video_packets_received;
	guint64 audio_packets_received;
	gint64 packets_lost;
	gdouble jitter;
} NhipLiveStatsSample;

void nhip_live_stats_sample_init(NhipLiveStatsSample *sample);
guint
nhip_live_stats_parse(const GstStructure *stats, GHashTable *kinds, NhipLiveStatsSample *sample);
void nhip_live_stats_learn_sdp(GHashTable *kinds, const gchar *sdp);

G_END_DECLS
