/*
 * Nhịp — unit tests of libnhip-live's pure parts: the session descriptor, Janus's
 * messages, webrtcbin's stats (structures recorded from a real call through Janus, see
 * data/) and the AIMD bitrate controller with its audio-only fallback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "nhip-janus-client.h"
#include "nhip-live-descriptor.h"
#include "nhip-live-error.h"
#include "nhip-live-rate.h"
#include "nhip-live-stats.h"

static const gchar *full_descriptor =
	"{\"session_id\":\"3f6c1c5e-7a53-4a0c-9a36-000000004101\","
	"\"packet_id\":\"9b0d2f8e-1111-4c3b-8d5e-000000004101\","
	"\"janus_url\":\"http://10.200.0.1:8088/janus/\",\"room\":123456,"
	"\"token\":\"a1b2c3\",\"display\":\"station:ST-01\","
	"\"ice_servers\":[{\"urls\":[\"stun:10.200.0.1:3478\","
	"\"turn:10.200.0.1:3478?transport=udp\",\"turns:hub.example:443\"],"
	"\"username\":\"1767225600:station-ST-01\",\"credential\":\"q+/w=\"}],"
	"\"max_bitrate\":300000,\"expires\":1767225600,\"state\":\"waiting\","
	"\"started_by\":\"doctor\"}";

static void
test_descriptor_full(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipLiveDescriptor) d = nhip_live_descriptor_parse(full_descriptor, -1, &error);
	g_autoptr(NhipLiveDescriptor) copy = NULL;
	g_autofree gchar *stun = NULL;
	g_auto(GStrv) turns = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(d->janus_url, ==, "http://10.200.0.1:8088/janus");
	g_assert_cmpint(d->room, ==, 123456);
	g_assert_cmpstr(d->token, ==, "a1b2c3");
	g_assert_cmpstr(d->display, ==, "station:ST-01");
	g_assert_cmpint(d->max_bitrate, ==, 300000);
	g_assert_cmpint(d->expires, ==, 1767225600);
	g_assert_cmpstr(d->state, ==, "waiting");
	g_assert_cmpstr(d->started_by, ==, "doctor");
	g_assert_cmpuint(d->ice_servers->len, ==, 1);
	stun = nhip_live_descriptor_stun_uri(d);
	g_assert_cmpstr(stun, ==, "stun://10.200.0.1:3478");
	/* the TURN REST username's colon and the base64 password are escaped for webrtcbin */
	turns = nhip_live_descriptor_turn_uris(d);
	g_assert_cmpuint(g_strv_length(turns), ==, 2);
	g_assert_cmpstr(
		turns[0], ==,
		"turn://1767225600%3Astation-ST-01:q%2B%2Fw%3D@10.200.0.1:3478?transport=udp");
	g_assert_cmpstr(turns[1], ==,
			"turns://1767225600%3Astation-ST-01:q%2B%2Fw%3D@hub.example:443");
	copy = nhip_live_descriptor_copy(d);
	g_assert_cmpstr(copy->token, ==, d->token);
	g_assert_cmpstr(((NhipLiveIceServer *)copy->ice_servers->pdata[0])->urls[1], ==,
			"turn:10.200.0.1:3478?transport=udp");
}

static void
test_descriptor_minimal(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipLiveDescriptor) d = nhip_live_descriptor_parse(
		"{\"session_id\":\"s\",\"janus_url\":\"https://hub/janus\",\"room\":1,"
		"\"token\":\"t\",\"display\":\"doctor:x\",\"ice_servers\":[{\"urls\":\"stun:h:1\"}]"
		"}",
		-1, &error);
	g_autofree gchar *stun = NULL;
	g_auto(GStrv) turns = NULL;

	g_assert_no_error(error);
	g_assert_cmpint(d->max_bitrate, ==, 300000);
	g_assert_null(d->state);
	stun = nhip_live_descriptor_stun_uri(d);
	g_assert_cmpstr(stun, ==, "stun://h:1");
	turns = nhip_live_descriptor_turn_uris(d);
	g_assert_cmpuint(g_strv_length(turns), ==, 0);
}

typedef struct {
	const gchar *json;
	const gchar *says;
} BadDescriptor;

static const BadDescriptor bad_descriptors[] = {
	{ "not json", "not JSON" },
	{ "[1,2]", "not a JSON object" },
	{ "{}", "“session_id”" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"display\":\"d\"}",
	  "“token”" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":5,"
	  "\"display\":\"d\"}",
	  "“token”" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"ftp://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\"}",
	  "not an http://" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus?x=1\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\"}",
	  "query" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":\"1\",\"token\":\"t\","
	  "\"display\":\"d\"}",
	  "room number" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":-4,\"token\":\"t\","
	  "\"display\":\"d\"}",
	  "room number" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"a b\","
	  "\"display\":\"d\"}",
	  "spaces" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\",\"max_bitrate\":5}",
	  "out of range" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\",\"state\":\"lost\"}",
	  "“state”" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\",\"ice_servers\":{}}",
	  "not a list" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\",\"ice_servers\":[{\"urls\":[\"http://x\"]}]}",
	  "not a STUN or TURN" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\",\"ice_servers\":[{\"urls\":[\"turn:u@h:1\"]}]}",
	  "not a STUN or TURN" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\",\"ice_servers\":[{\"urls\":[7]}]}",
	  "no list of URLs" },
	{ "{\"session_id\":\"s\",\"janus_url\":\"http://h/janus\",\"room\":1,\"token\":\"t\","
	  "\"display\":\"d\",\"ice_servers\":[{\"urls\":\"stun:h\",\"username\":[]}]}",
	  "“username”" },
};

static void
test_descriptor_bad(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(bad_descriptors); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipLiveDescriptor) d =
			nhip_live_descriptor_parse(bad_descriptors[i].json, -1, &error);
		g_assert_null(d);
		g_assert_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID);
		if (strstr(error->message, bad_descriptors[i].says) == NULL)
			g_error("descriptor %u: “%s” does not say “%s”", i, error->message,
				bad_descriptors[i].says);
	}
}

static void
test_janus_events(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) one = nhip_janus_parse_events("{\"janus\":\"keepalive\"}", 21, &error);
	g_autoptr(JsonNode) many = NULL;
	g_autoptr(JsonNode) bad = NULL;
	const gchar *list = "[{\"janus\":\"event\",\"sender\":7,\"plugindata\":{\"plugin\":"
			    "\"janus.plugin.videoroom\",\"data\":{\"videoroom\":\"event\","
			    "\"leaving\":42}}},{\"janus\":\"webrtcup\",\"sender\":7}]";

	g_assert_no_error(error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(one)), ==, 1);
	many = nhip_janus_parse_events(list, strlen(list), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(many)), ==, 2);
	bad = nhip_janus_parse_events("[{\"janus\":1}]", 13, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID);
	g_clear_error(&error);
	bad = nhip_janus_parse_events("[{\"janus\":\"x\"}, 3]", 18, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID);
	g_clear_error(&error);
	bad = nhip_janus_parse_events("\"text\"", 6, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID);
}

typedef struct {
	const gchar *message;
	gint code; /* -1: no error */
} JanusReply;

static const JanusReply janus_replies[] = {
	{ "{\"janus\":\"success\",\"data\":{\"id\":1}}", -1 },
	{ "{\"janus\":\"ack\"}", -1 },
	{ "{\"janus\":\"error\",\"error\":{\"code\":403,\"reason\":\"Unauthorized request\"}}",
	  NHIP_LIVE_ERROR_UNAUTHORIZED },
	{ "{\"janus\":\"error\",\"error\":{\"code\":458,\"reason\":\"No such session\"}}",
	  NHIP_LIVE_ERROR_GONE },
	{ "{\"janus\":\"error\",\"error\":{\"code\":490,\"reason\":\"Bad\"}}",
	  NHIP_LIVE_ERROR_JANUS },
	{ "{\"janus\":\"error\"}", NHIP_LIVE_ERROR_JANUS },
	{ "{\"janus\":\"event\",\"plugindata\":{\"data\":{\"videoroom\":\"event\","
	  "\"error_code\":433,\"error\":\"Unauthorized (not in the allowed list)\"}}}",
	  NHIP_LIVE_ERROR_UNAUTHORIZED },
	{ "{\"janus\":\"event\",\"plugindata\":{\"data\":{\"error_code\":426,"
	  "\"error\":\"No such room\"}}}",
	  NHIP_LIVE_ERROR_GONE },
	{ "{\"janus\":\"event\",\"plugindata\":{\"data\":{\"videoroom\":\"joined\",\"id\":5}}}",
	  -1 },
	{ "{\"janus\":\"event\",\"plugindata\":[1]}", -1 },
};

static void
test_janus_errors(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(janus_replies); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonNode) node = json_from_string(janus_replies[i].message, &error);
		gboolean ok;

		g_assert_no_error(error);
		ok = nhip_janus_check_reply(json_node_get_object(node), &error);
		if (janus_replies[i].code < 0) {
			g_assert_no_error(error);
			g_assert_true(ok);
		} else {
			g_assert_false(ok);
			g_assert_error(error, NHIP_LIVE_ERROR, janus_replies[i].code);
		}
	}
}

static GstStructure *
load_stats(const gchar *name)
{
	g_autofree gchar *path = g_test_build_filename(G_TEST_DIST, "live", "data", name, NULL);
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	GstStructure *stats;

	g_assert_true(g_file_get_contents(path, &text, NULL, &error));
	g_assert_no_error(error);
	/* the "type" members name this enum: it must exist before they are read */
	g_type_ensure(GST_TYPE_WEBRTC_STATS_TYPE);
	stats = gst_structure_from_string(g_strstrip(text), NULL);
	g_assert_nonnull(stats);
	return stats;
}

/* recorded while the publisher was sending VP8 (SSRC 2668226038) and Opus (3198897025) */
static void
test_stats_publisher(void)
{
	g_autoptr(GHashTable) kinds = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autofree gchar *sdp_path =
		g_test_build_filename(G_TEST_DIST, "live", "data", "offer-publisher.sdp", NULL);
	g_autofree gchar *sdp = NULL;
	GstStructure *stats = load_stats("stats-publisher.txt");
	NhipLiveStatsSample sample;

	/* the codec stats alone tell the streams apart (webrtcbin's "kind" says "audio" for
	 * every bundled stream) */
	nhip_live_stats_sample_init(&sample);
	g_assert_cmpuint(nhip_live_stats_parse(stats, NULL, &sample), >=, 4);
	g_assert_cmpuint(sample.video_bytes_sent, ==, 62772);
	g_assert_cmpuint(sample.video_packets_sent, ==, 141);
	g_assert_cmpuint(sample.audio_bytes_sent, ==, 27333);
	g_assert_cmpuint(sample.audio_packets_sent, ==, 498);
	g_assert_cmpfloat(sample.video_fraction_lost, ==, 0);
	g_assert_cmpfloat(sample.audio_fraction_lost, ==, 0);
	g_assert_cmpfloat_with_epsilon(sample.rtt, 0.001617431640625, 1e-9);
	g_assert_cmpuint(sample.video_bytes_received, ==, 0);

	/* so does the SDP */
	g_assert_true(g_file_get_contents(sdp_path, &sdp, NULL, NULL));
	nhip_live_stats_learn_sdp(kinds, sdp);
	g_assert_true(g_hash_table_lookup(kinds, GUINT_TO_POINTER(2668226038u)) !=
		      g_hash_table_lookup(kinds, GUINT_TO_POINTER(3198897025u)));
	nhip_live_stats_sample_init(&sample);
	nhip_live_stats_parse(stats, kinds, &sample);
	g_assert_cmpuint(sample.video_bytes_sent, ==, 62772);
	g_assert_cmpuint(sample.audio_bytes_sent, ==, 27333);
	gst_structure_free(stats);
}

/* recorded on the subscriber: Janus relays VP8 as 3925236974 and Opus as 4024292799, as
 * its offer said */
static void
test_stats_subscriber(void)
{
	g_autoptr(GHashTable) kinds = g_hash_table_new(g_direct_hash, g_direct_equal);
	GstStructure *stats = load_stats("stats-subscriber.txt");
	NhipLiveStatsSample sample;

	nhip_live_stats_learn_sdp(kinds, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
					 "a=ssrc:3925236974 cname:janus\r\n"
					 "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
					 "a=ssrc:4024292799 cname:janus\r\n"
					 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
					 "a=ssrc:99 cname:x\r\n");
	g_assert_cmpuint(g_hash_table_size(kinds), ==, 2);
	nhip_live_stats_sample_init(&sample);
	nhip_live_stats_parse(stats, kinds, &sample);
	g_assert_cmpuint(sample.video_bytes_received, ==, 54670);
	g_assert_cmpuint(sample.video_packets_received, ==, 117);
	g_assert_cmpuint(sample.audio_bytes_received, ==, 20954);
	g_assert_cmpuint(sample.audio_packets_received, ==, 388);
	g_assert_cmpint(sample.packets_lost, ==, 0);
	g_assert_cmpfloat_with_epsilon(sample.jitter, 0.00063333, 1e-6);
	/* nothing was reported lost yet: unknown, not zero */
	g_assert_cmpfloat(sample.video_fraction_lost, <, 0);
	gst_structure_free(stats);
}

static void
test_stats_odd(void)
{
	NhipLiveStatsSample sample;
	GstStructure *untyped = gst_structure_new("x", "bytes-sent", G_TYPE_UINT64, 5, NULL);
	GstStructure *remote =
		gst_structure_new("remote-inbound-rtp", "type", GST_TYPE_WEBRTC_STATS_TYPE,
				  GST_WEBRTC_STATS_REMOTE_INBOUND_RTP, "fraction-lost",
				  G_TYPE_DOUBLE, 7.0, "round-trip-time", G_TYPE_DOUBLE, -1.0, NULL);
	/* (the members are copies) */
	GstStructure *stats = gst_structure_new("application/x-webrtc-stats", "junk", G_TYPE_STRING,
						"x", "no-type", GST_TYPE_STRUCTURE, untyped,
						"remote", GST_TYPE_STRUCTURE, remote, NULL);

	gst_structure_free(untyped);
	gst_structure_free(remote);
	nhip_live_stats_sample_init(&sample);
	g_assert_cmpuint(nhip_live_stats_parse(stats, NULL, &sample), ==, 1);
	/* out-of-range figures are ignored */
	g_assert_cmpfloat(sample.audio_fraction_lost, <, 0);
	g_assert_cmpfloat(sample.rtt, <, 0);
	g_assert_cmpuint(sample.audio_bytes_sent, ==, 0);
	gst_structure_free(stats);
}

static void
test_rate_aimd(void)
{
	NhipLiveRate rate;

	nhip_live_rate_init(&rate, 150000, 300000);
	g_assert_cmpint(rate.bitrate, ==, 300000);
	/* nothing known yet */
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, -1, -1), ==, NHIP_LIVE_RATE_KEEP);
	/* a clear link at the cap stays there and learns the base round trip */
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0, 0.2), ==, NHIP_LIVE_RATE_KEEP);
	g_assert_cmpfloat(rate.base_rtt, ==, 0.2);
	/* 20 % lost: −30 % */
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0.2, 0.2), ==, NHIP_LIVE_RATE_BITRATE);
	g_assert_cmpint(rate.bitrate, ==, 210000);
	/* 5 % lost: hold */
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0.05, 0.2), ==, NHIP_LIVE_RATE_KEEP);
	g_assert_cmpint(rate.bitrate, ==, 210000);
	/* the round trip doubles without loss (a queue fills): −30 %, clamped at the floor */
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0, 0.4), ==, NHIP_LIVE_RATE_BITRATE);
	g_assert_cmpint(rate.bitrate, ==, 150000);
	/* the queue's delay is not learnt as the base */
	g_assert_cmpfloat(rate.base_rtt, ==, 0.2);
	/* clear again: after two clear intervals, +10 % per interval up to the cap */
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0.01, 0.21), ==, NHIP_LIVE_RATE_KEEP);
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0.01, 0.21), ==, NHIP_LIVE_RATE_BITRATE);
	g_assert_cmpint(rate.bitrate, ==, 165001);
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0, 0.2), ==, NHIP_LIVE_RATE_BITRATE);
	g_assert_cmpint(rate.bitrate, ==, 181502);
	for (guint i = 0; i < 20; i++)
		nhip_live_rate_update(&rate, 2, 0, 0.2);
	g_assert_cmpint(rate.bitrate, ==, 300000);
	g_assert_false(rate.audio_only);
}

/* a saturated link whose receiver reports look clear every other interval (one report a
 * second, read every two): no growth, and the time congested still adds up */
static void
test_rate_saturated_flicker(void)
{
	NhipLiveRate rate;
	NhipLiveRateAction action = NHIP_LIVE_RATE_KEEP;
	guint steps = 0;

	nhip_live_rate_init(&rate, 150000, 300000);
	nhip_live_rate_update(&rate, 2, 0, 0.2);
	while (action != NHIP_LIVE_RATE_AUDIO_ONLY && steps < 100) {
		action = nhip_live_rate_update(&rate, 2, steps % 2 == 0 ? 0.3 : 0, 0.2);
		g_assert_cmpint(rate.bitrate, <=, steps < 2 ? 300000 : 210000);
		steps++;
	}
	g_assert_cmpint(action, ==, NHIP_LIVE_RATE_AUDIO_ONLY);
	/* congested 2 s, then clear 2 s takes back 1 s: 10 s congested in about 40 s */
	g_assert_cmpuint(steps, <=, 24);
}

static void
test_rate_audio_only(void)
{
	NhipLiveRate rate;
	guint steps = 0;
	NhipLiveRateAction action = NHIP_LIVE_RATE_KEEP;

	nhip_live_rate_init(&rate, 150000, 300000);
	nhip_live_rate_update(&rate, 2, 0, 0.3);
	/* a link too poor even for the floor: down to it, then 10 s there → audio only */
	while (action != NHIP_LIVE_RATE_AUDIO_ONLY && steps < 50) {
		action = nhip_live_rate_update(&rate, 2, 0.3, 0.9);
		steps++;
	}
	g_assert_cmpint(action, ==, NHIP_LIVE_RATE_AUDIO_ONLY);
	g_assert_true(rate.audio_only);
	/* two steps to reach 150 kbit/s, then five of 2 s at it */
	g_assert_cmpuint(steps, ==, 2 + 5);
	g_assert_cmpuint(rate.switches, ==, 1);
	/* the audio's reports are still bad: stay */
	for (guint i = 0; i < 10; i++)
		g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0.15, 0.9), ==,
				NHIP_LIVE_RATE_KEEP);
	/* 14 s clear is not enough, 16 s is */
	for (guint i = 0; i < 7; i++)
		g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0, 0.3), ==, NHIP_LIVE_RATE_KEEP);
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0, 0.3), ==, NHIP_LIVE_RATE_VIDEO);
	g_assert_false(rate.audio_only);
	g_assert_cmpint(rate.bitrate, ==, 150000);
	/* video fails again at once: back to audio, and the next try waits twice as long */
	action = NHIP_LIVE_RATE_KEEP;
	for (steps = 0; action != NHIP_LIVE_RATE_AUDIO_ONLY && steps < 50; steps++)
		action = nhip_live_rate_update(&rate, 2, 0.4, 1.0);
	g_assert_cmpint(action, ==, NHIP_LIVE_RATE_AUDIO_ONLY);
	g_assert_cmpfloat(rate.recover_wait, ==, 30);
	for (guint i = 0; i < 14; i++)
		g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0, 0.3), ==, NHIP_LIVE_RATE_KEEP);
	g_assert_cmpint(nhip_live_rate_update(&rate, 2, 0, 0.3), ==, NHIP_LIVE_RATE_VIDEO);
	/* a minute of good video resets the wait */
	for (guint i = 0; i < 31; i++)
		nhip_live_rate_update(&rate, 2, 0, 0.3);
	g_assert_cmpfloat(rate.recover_wait, ==, 15);
	g_assert_cmpint(rate.bitrate, ==, 300000);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/live/descriptor/full", test_descriptor_full);
	g_test_add_func("/live/descriptor/minimal", test_descriptor_minimal);
	g_test_add_func("/live/descriptor/bad", test_descriptor_bad);
	g_test_add_func("/live/janus/events", test_janus_events);
	g_test_add_func("/live/janus/errors", test_janus_errors);
	g_test_add_func("/live/stats/publisher", test_stats_publisher);
	g_test_add_func("/live/stats/subscriber", test_stats_subscriber);
	g_test_add_func("/live/stats/odd", test_stats_odd);
	g_test_add_func("/live/rate/aimd", test_rate_aimd);
	g_test_add_func("/live/rate/audio-only", test_rate_audio_only);
	g_test_add_func("/live/rate/saturated-flicker", test_rate_saturated_flicker);
	return g_test_run();
}
