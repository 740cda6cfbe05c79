/*
 * Nhịp — webrtcbin's statistics (GStreamer 1.22): a structure of structures, one per
 * stats object, each with a "type" (GstWebRTCStatsType). A stream is video or audio by
 * its SSRC, as the SDP or a codec stats object said; only when neither knows it do the
 * stream's own "kind" and its codec's clock rate decide. Integer members changed width
 * between releases, so numbers are read through GValue transforms rather than by exact
 * type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/webrtc/webrtc.h>

#include "nhip-live-stats.h"

/**
 * nhip_live_stats_sample_init:
 * @sample: a sample to clear (unknown loss and round-trip time)
 */
void
nhip_live_stats_sample_init(NhipLiveStatsSample *sample)
{
	*sample = (NhipLiveStatsSample){ 0 };
	sample->video_fraction_lost = -1;
	sample->audio_fraction_lost = -1;
	sample->rtt = -1;
}

static gboolean
stats_number(const GstStructure *s, const gchar *field, gdouble *out)
{
	const GValue *value = gst_structure_get_value(s, field);
	GValue number = G_VALUE_INIT;

	if (value == NULL || !g_value_type_transformable(G_VALUE_TYPE(value), G_TYPE_DOUBLE))
		return FALSE;
	g_value_init(&number, G_TYPE_DOUBLE);
	if (!g_value_transform(value, &number))
		return FALSE;
	*out = g_value_get_double(&number);
	return TRUE;
}

static guint64
stats_count(const GstStructure *s, const gchar *field)
{
	gdouble value = 0;
	if (!stats_number(s, field, &value) || value < 0 || value > 1e18)
		return 0;
	return (guint64)value;
}

static gboolean
stats_type(const GstStructure *s, GstWebRTCStatsType *type)
{
	gint value = 0;
	if (!gst_structure_get_enum(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &value))
		return FALSE;
	*type = (GstWebRTCStatsType)value;
	return TRUE;
}

#define KIND_VIDEO GINT_TO_POINTER(1)
#define KIND_AUDIO GINT_TO_POINTER(2)

static gboolean
stats_is_video(const GstStructure *all, GHashTable *kinds, const GstStructure *s)
{
	const gchar *kind = gst_structure_get_string(s, "kind");
	guint ssrc = 0;
	const gchar *codec_id = gst_structure_get_string(s, "codec-id");
	const GValue *codec_value;
	const GstStructure *codec;
	guint clock_rate = 0;

	if (gst_structure_get_uint(s, "ssrc", &ssrc)) {
		gpointer known = g_hash_table_lookup(kinds, GUINT_TO_POINTER(ssrc));
		if (known != NULL)
			return known == KIND_VIDEO;
	}
	if (kind != NULL)
		return g_strcmp0(kind, "video") == 0;
	if (codec_id == NULL)
		return FALSE;
	codec_value = gst_structure_get_value(all, codec_id);
	if (codec_value == NULL || !GST_VALUE_HOLDS_STRUCTURE(codec_value))
		return FALSE;
	codec = gst_value_get_structure(codec_value);
	return gst_structure_get_uint(codec, "clock-rate", &clock_rate) && clock_rate == 90000;
}

typedef struct {
	const GstStructure *all;
	GHashTable *kinds;
	NhipLiveStatsSample *sample;
	guint streams;
} StatsWalk;

/* codec stats name the SSRC they encode or decode and its MIME type */
static gboolean
stats_learn_codec(GQuark field, const GValue *value, gpointer data)
{
	GHashTable *kinds = data;
	const GstStructure *s;
	GstWebRTCStatsType type;
	const gchar *mime;
	guint ssrc = 0;

	if (!GST_VALUE_HOLDS_STRUCTURE(value))
		return TRUE;
	s = gst_value_get_structure(value);
	if (!stats_type(s, &type) || type != GST_WEBRTC_STATS_CODEC ||
	    !gst_structure_get_uint(s, "ssrc", &ssrc) ||
	    (mime = gst_structure_get_string(s, "mime-type")) == NULL)
		return TRUE;
	if (g_str_has_prefix(mime, "video/"))
		g_hash_table_insert(kinds, GUINT_TO_POINTER(ssrc), KIND_VIDEO);
	else if (g_str_has_prefix(mime, "audio/"))
		g_hash_table_insert(kinds, GUINT_TO_POINTER(ssrc), KIND_AUDIO);
	return TRUE;
}

/**
 * nhip_live_stats_learn_sdp:
 * @kinds: (element-type guint gpointer): SSRC → kind, to add to
 * @sdp: an offer or answer; each `a=ssrc:N` line counts for its m-section's media
 */
void
nhip_live_stats_learn_sdp(GHashTable *kinds, const gchar *sdp)
{
	g_auto(GStrv) lines = g_strsplit(sdp != NULL ? sdp : "", "\n", -1);
	gpointer kind = NULL;

	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		guint64 ssrc = 0;
		gchar *end = NULL;

		if (g_str_has_prefix(line, "m=video"))
			kind = KIND_VIDEO;
		else if (g_str_has_prefix(line, "m="))
			kind = g_str_has_prefix(line, "m=audio") ? KIND_AUDIO : NULL;
		else if (kind != NULL && g_str_has_prefix(line, "a=ssrc:")) {
			ssrc = g_ascii_strtoull(line + 7, &end, 10);
			if (end != line + 7 && ssrc <= G_MAXUINT32)
				g_hash_table_insert(kinds, GUINT_TO_POINTER((guint)ssrc), kind);
		}
	}
}

static gboolean
stats_visit(GQuark field, const GValue *value, gpointer data)
{
	StatsWalk *walk = data;
	NhipLiveStatsSample *sample = walk->sample;
	const GstStructure *s;
	GstWebRTCStatsType type;
	gboolean video;
	gdouble number = 0;

	if (!GST_VALUE_HOLDS_STRUCTURE(value))
		return TRUE;
	s = gst_value_get_structure(value);
	if (!stats_type(s, &type))
		return TRUE;
	video = stats_is_video(walk->all, walk->kinds, s);
	switch (type) {
	case GST_WEBRTC_STATS_OUTBOUND_RTP:
		walk->streams++;
		if (video) {
			sample->video_bytes_sent += stats_count(s, "bytes-sent");
			sample->video_packets_sent += stats_count(s, "packets-sent");
		} else {
			sample->audio_bytes_sent += stats_count(s, "bytes-sent");
			sample->audio_packets_sent += stats_count(s, "packets-sent");
		}
		sample->nack_count += stats_count(s, "nack-count");
		sample->pli_count += stats_count(s, "pli-count");
		break;
	case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
		walk->streams++;
		if (stats_number(s, "fraction-lost", &number) && number >= 0 && number <= 1) {
			if (video)
				sample->video_fraction_lost =
					MAX(sample->video_fraction_lost, number);
			else
				sample->audio_fraction_lost =
					MAX(sample->audio_fraction_lost, number);
		}
		/* 0 is what webrtcbin reports before the first receiver report */
		if (stats_number(s, "round-trip-time", &number) && number > 0 && number < 60)
			sample->rtt = MAX(sample->rtt, number);
		break;
	case GST_WEBRTC_STATS_INBOUND_RTP:
		walk->streams++;
		if (video) {
			sample->video_bytes_received += stats_count(s, "bytes-received");
			sample->video_packets_received += stats_count(s, "packets-received");
		} else {
			sample->audio_bytes_received += stats_count(s, "bytes-received");
			sample->audio_packets_received += stats_count(s, "packets-received");
		}
		if (stats_number(s, "packets-lost", &number) && number > 0 && number < 1e15)
			sample->packets_lost += (gint64)number;
		if (stats_number(s, "jitter", &number) && number >= 0 && number < 60)
			sample->jitter = MAX(sample->jitter, number);
		break;
	default:
		break;
	}
	return TRUE;
}

/**
 * nhip_live_stats_parse:
 * @stats: what webrtcbin's `get-stats` returned
 * @kinds: (nullable) (element-type guint gpointer): SSRC → kind learnt from the SDPs
 *   (nhip_live_stats_learn_sdp()); the codec stats in @stats are added to it
 * @sample: (inout): a sample to add to (the publisher's and the subscriber's connection
 *   add into one)
 *
 * Returns: how many RTP stream stats objects were read
 */
guint
nhip_live_stats_parse(const GstStructure *stats, GHashTable *kinds, NhipLiveStatsSample *sample)
{
	g_autoptr(GHashTable) own = NULL;
	StatsWalk walk = { stats, kinds, sample, 0 };

	if (kinds == NULL)
		walk.kinds = own = g_hash_table_new(g_direct_hash, g_direct_equal);
	gst_structure_foreach(stats, stats_learn_codec, walk.kinds);
	gst_structure_foreach(stats, stats_visit, &walk);
	return walk.streams;
}
