/*
 * Nhịp — a live consultation through Janus's VideoRoom with two webrtcbins.
 *
 * Signalling (all on the main context, through NhipJanusClient):
 *   create session → attach "pub" → join as publisher (display, token) → "joined" with
 *   the publishers already there → offer from the pub webrtcbin → "publish" with the offer
 *   → "configured" with Janus's answer → ICE/DTLS → "webrtcup": active.
 *   When the other participant's feed is listed: attach "sub" → join as subscriber with
 *   `streams: [{feed}]` (VideoRoom multistream, Janus 1.x) → "attached" with Janus's
 *   offer → answer from the sub webrtcbin → "start".
 *   Our candidates are trickled once the SDP they belong to has gone; Janus puts its own
 *   in its SDP (half trickle) or trickles them, both are handled.
 *
 * Media: one pipeline. Sending: source → 320×240 at 15 fps → tee → (valve → vp8enc →
 * rtpvp8pay → pub) and (→ RGBA 160×120 self view); audio source → Opus 24 kbit/s →
 * pub. Receiving: pads of the sub webrtcbin → VP8 decode → RGBA appsink (remote view),
 * and Opus decode → speaker or fakesink. webrtcbin runs its promises and pad callbacks
 * on its own threads: everything they learn reaches the main context through
 * session_invoke(), which carries a weak reference and the pipeline's generation so a
 * late callback from a torn-down pipeline is dropped.
 *
 * Adaptation: every stats interval, get-stats on both webrtcbins; NhipLiveRate turns the
 * far end's loss and round-trip time into a new VP8 target bitrate, or into audio-only
 * (the video valve drops; nothing is renegotiated, so coming back is instant and the
 * encoder is asked for a key frame).
 *
 * Link trouble: the long poll failing makes the state "reconnecting" until it works
 * again; a lost Janus session, a hangup of our publisher or a failed ICE connection
 * rebuilds everything (new Janus session, new pipeline) after a short wait, up to
 * RESTART_MAX times while the descriptor has not expired.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsink.h>
#include <gst/audio/audio.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "nhip-janus-client.h"
#include "nhip-live-error.h"
#include "nhip-live-rate.h"
#include "nhip-live-session.h"

#define VIDEOROOM	 "janus.plugin.videoroom"
#define RESTART_MAX	 5
#define HANGUP_TIMEOUT	 3 /* seconds to wait for Janus to confirm the hang-up */
#define ICE_FAILED_GRACE 15

typedef enum {
	PEER_PUB,
	PEER_SUB,
} PeerKind;

/* RTP bytes counted at the pads: webrtcbin 1.22 drops a stream's stats once it has
 * paused (camera off, audio only) and does not bring them back when it resumes */
typedef struct {
	gatomicrefcount ref;
	GMutex lock;
	guint64 bytes[2][2]; /* [sent, received][audio, video] */
} Counters;

static Counters *
counters_ref(Counters *counters)
{
	g_atomic_ref_count_inc(&counters->ref);
	return counters;
}

static void
counters_unref(gpointer data)
{
	Counters *counters = data;
	if (!g_atomic_ref_count_dec(&counters->ref))
		return;
	g_mutex_clear(&counters->lock);
	g_free(counters);
}

typedef struct {
	Counters *counters;
	guint direction; /* 0 sent, 1 received */
	guint video;
} CounterProbe;

static void
counter_probe_free(gpointer data)
{
	CounterProbe *probe = data;
	counters_unref(probe->counters);
	g_free(probe);
}

static GstPadProbeReturn
counter_probe_cb(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CounterProbe *probe = data;
	GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);

	if (buffer == NULL)
		return GST_PAD_PROBE_OK;
	g_mutex_lock(&probe->counters->lock);
	probe->counters->bytes[probe->direction][probe->video] += gst_buffer_get_size(buffer);
	g_mutex_unlock(&probe->counters->lock);
	return GST_PAD_PROBE_OK;
}

static void
counter_probe_attach(Counters *counters, GstPad *pad, guint direction, gboolean video)
{
	CounterProbe *probe = g_new0(CounterProbe, 1);

	probe->counters = counters_ref(counters);
	probe->direction = direction;
	probe->video = video ? 1 : 0;
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, counter_probe_cb, probe,
			  counter_probe_free);
}

typedef struct {
	GstElement *webrtc;
	gint64 handle;
	gboolean sdp_sent;
	gboolean up;
	GPtrArray *early; /* Candidates waiting for the SDP they belong to to go */
} Peer;

struct _NhipLiveSession {
	GObject parent_instance;
	NhipLiveDescriptor *descriptor;
	gchar *video_source;
	gchar *audio_source;
	gchar *audio_output;
	gchar *camera_device;
	gint min_bitrate;
	guint stats_interval;
	gdouble audio_only_after;
	gdouble recover_after;

	NhipLiveState state;
	GError *error;
	NhipJanusClient *janus;
	GCancellable *cancellable;
	GstElement *pipeline;
	guint bus_watch;
	guint generation;
	Peer pub;
	Peer sub;
	gint64 own_feed;
	gint64 private_id;
	gint64 remote_feed;
	gchar *remote_display;
	gboolean muted;
	gboolean camera_off;
	gboolean reachable;
	NhipLiveRate rate;
	NhipLiveSessionStats stats;
	gint64 started_us;
	gint64 pub_stats_us;
	gint64 sub_stats_us;
	NhipLiveStatsSample pub_last;
	NhipLiveStatsSample sub_last;
	guint stats_id;
	guint restart_id;
	guint hangup_id;
	guint restarts;
	gint64 ice_failed_us;
	gint frames_received; /* atomic: counted on the streaming thread */
	gint frames_sent;     /* atomic */
	gint first_frame_ms;  /* atomic, -1 before */
	gint remote_frame_busy;
	gint local_frame_busy;
	GMutex branch_lock;
	guint branch_serial;
	GHashTable *ssrc_kinds; /* SSRC → video/audio, from the SDPs */
	Counters *counters;
};

G_DEFINE_TYPE(NhipLiveSession, nhip_live_session, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_DESCRIPTOR,
	PROP_VIDEO_SOURCE,
	PROP_AUDIO_SOURCE,
	PROP_AUDIO_OUTPUT,
	PROP_CAMERA_DEVICE,
	PROP_MIN_BITRATE,
	PROP_STATS_INTERVAL,
	PROP_AUDIO_ONLY_AFTER,
	PROP_RECOVER_AFTER,
	PROP_STATE,
	PROP_MUTED,
	PROP_CAMERA_OFF,
	PROP_REMOTE_DISPLAY,
	N_PROPS
};
static GParamSpec *props[N_PROPS];

enum { SIGNAL_REMOTE_FRAME, SIGNAL_LOCAL_FRAME, SIGNAL_STATS, SIGNAL_TICK, N_SIGNALS };
static guint signals[N_SIGNALS];

static void session_start_janus(NhipLiveSession *self);
static void session_restart_later(NhipLiveSession *self, const GError *why);
static void session_subscribe(NhipLiveSession *self, gint64 feed, const gchar *display);
static void session_fail(NhipLiveSession *self, GError *error);

/* ----- states ----- */

GType
nhip_live_state_get_type(void)
{
	static gsize type = 0;
	static const GEnumValue values[] = {
		{ NHIP_LIVE_STATE_IDLE, "NHIP_LIVE_STATE_IDLE", "idle" },
		{ NHIP_LIVE_STATE_CONNECTING, "NHIP_LIVE_STATE_CONNECTING", "connecting" },
		{ NHIP_LIVE_STATE_ACTIVE, "NHIP_LIVE_STATE_ACTIVE", "active" },
		{ NHIP_LIVE_STATE_AUDIO_ONLY, "NHIP_LIVE_STATE_AUDIO_ONLY", "audio-only" },
		{ NHIP_LIVE_STATE_RECONNECTING, "NHIP_LIVE_STATE_RECONNECTING", "reconnecting" },
		{ NHIP_LIVE_STATE_ENDED, "NHIP_LIVE_STATE_ENDED", "ended" },
		{ NHIP_LIVE_STATE_FAILED, "NHIP_LIVE_STATE_FAILED", "failed" },
		{ 0, NULL, NULL },
	};

	if (g_once_init_enter(&type))
		g_once_init_leave(&type, g_enum_register_static("NhipLiveState", values));
	return type;
}

/**
 * nhip_live_state_to_string:
 * @state: a state
 *
 * Returns: (transfer none): its name for logs and JSON ("audio-only")
 */
const gchar *
nhip_live_state_to_string(NhipLiveState state)
{
	GEnumValue *value = g_enum_get_value(g_type_class_peek(NHIP_TYPE_LIVE_STATE), state);
	return value != NULL ? value->value_nick : "unknown";
}

static void
session_set_state(NhipLiveSession *self, NhipLiveState state)
{
	if (self->state == state)
		return;
	/* the end is final */
	if (self->state == NHIP_LIVE_STATE_ENDED || self->state == NHIP_LIVE_STATE_FAILED)
		return;
	g_info("live session: %s → %s", nhip_live_state_to_string(self->state),
	       nhip_live_state_to_string(state));
	self->state = state;
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE]);
}

/* the state media is in while connected */
static NhipLiveState
session_media_state(NhipLiveSession *self)
{
	if (!self->pub.up)
		return NHIP_LIVE_STATE_CONNECTING;
	return self->rate.audio_only ? NHIP_LIVE_STATE_AUDIO_ONLY : NHIP_LIVE_STATE_ACTIVE;
}

static void
session_update_state(NhipLiveSession *self)
{
	if (self->state == NHIP_LIVE_STATE_IDLE || self->state == NHIP_LIVE_STATE_ENDED ||
	    self->state == NHIP_LIVE_STATE_FAILED)
		return;
	if (!self->reachable && self->pub.handle != 0)
		session_set_state(self, NHIP_LIVE_STATE_RECONNECTING);
	else if (self->restart_id != 0)
		session_set_state(self, NHIP_LIVE_STATE_RECONNECTING);
	else
		session_set_state(self, session_media_state(self));
}

/* ----- from webrtcbin's threads to the main context ----- */

typedef struct {
	GWeakRef session;
	guint generation;
	PeerKind peer;
	gpointer data;
	GDestroyNotify free_data;
	void (*func)(NhipLiveSession *self, PeerKind peer, gpointer data);
} Invocation;

static void
invocation_free(Invocation *invocation)
{
	g_weak_ref_clear(&invocation->session);
	if (invocation->free_data != NULL && invocation->data != NULL)
		invocation->free_data(invocation->data);
	g_free(invocation);
}

static gboolean
invocation_run(gpointer data)
{
	Invocation *invocation = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&invocation->session);

	if (self != NULL && self->generation == invocation->generation)
		invocation->func(self, invocation->peer, invocation->data);
	return G_SOURCE_REMOVE;
}

/* from any thread: @func runs in the main context unless the pipeline was replaced */
static void
session_invoke(NhipLiveSession *self,
	       guint generation,
	       PeerKind peer,
	       void (*func)(NhipLiveSession *self, PeerKind peer, gpointer data),
	       gpointer data,
	       GDestroyNotify free_data)
{
	Invocation *invocation = g_new0(Invocation, 1);

	g_weak_ref_init(&invocation->session, self);
	invocation->generation = generation;
	invocation->peer = peer;
	invocation->func = func;
	invocation->data = data;
	invocation->free_data = free_data;
	g_main_context_invoke_full(NULL, G_PRIORITY_DEFAULT, invocation_run, invocation,
				   (GDestroyNotify)invocation_free);
}

/* what a webrtcbin callback needs to find its way back */
typedef struct {
	GWeakRef session;
	guint generation;
	PeerKind peer;
} PeerRef;

static PeerRef *
peer_ref_new(NhipLiveSession *self, PeerKind peer)
{
	PeerRef *ref = g_new0(PeerRef, 1);
	g_weak_ref_init(&ref->session, self);
	ref->generation = self->generation;
	ref->peer = peer;
	return ref;
}

static void
peer_ref_free(gpointer data, GClosure *closure)
{
	PeerRef *ref = data;
	g_weak_ref_clear(&ref->session);
	g_free(ref);
}

static void
peer_ref_destroy(gpointer data)
{
	peer_ref_free(data, NULL);
}

static Peer *
session_peer(NhipLiveSession *self, PeerKind kind)
{
	return kind == PEER_PUB ? &self->pub : &self->sub;
}

/* ----- frames ----- */

typedef struct {
	guint width;
	guint height;
	guint stride;
	GBytes *pixels;
	gboolean remote;
} Frame;

static void
frame_free(gpointer data)
{
	Frame *frame = data;
	g_bytes_unref(frame->pixels);
	g_free(frame);
}

static void
session_deliver_frame(NhipLiveSession *self, PeerKind peer, gpointer data)
{
	Frame *frame = data;

	g_atomic_int_set(frame->remote ? &self->remote_frame_busy : &self->local_frame_busy, 0);
	g_signal_emit(self, signals[frame->remote ? SIGNAL_REMOTE_FRAME : SIGNAL_LOCAL_FRAME], 0,
		      frame->width, frame->height, frame->stride, frame->pixels);
}

static GstFlowReturn
appsink_new_sample(GstAppSink *sink, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
	gboolean remote = ref->peer == PEER_SUB;
	GstVideoInfo info;
	GstVideoMeta *meta;
	GstBuffer *buffer;
	Frame *frame;
	gsize size;

	if (self == NULL || sample == NULL)
		return GST_FLOW_OK;
	if (remote) {
		gint n = g_atomic_int_add(&self->frames_received, 1);
		if (n == 0)
			g_atomic_int_set(
				&self->first_frame_ms,
				(gint)((g_get_monotonic_time() - self->started_us) / 1000));
	}
	/* the main loop has not shown the last one yet: this one would only queue up */
	if (!g_atomic_int_compare_and_exchange(
		    remote ? &self->remote_frame_busy : &self->local_frame_busy, 0, 1))
		return GST_FLOW_OK;
	buffer = gst_sample_get_buffer(sample);
	if (buffer == NULL || !gst_video_info_from_caps(&info, gst_sample_get_caps(sample))) {
		g_atomic_int_set(remote ? &self->remote_frame_busy : &self->local_frame_busy, 0);
		return GST_FLOW_OK;
	}
	frame = g_new0(Frame, 1);
	frame->remote = remote;
	frame->width = GST_VIDEO_INFO_WIDTH(&info);
	frame->height = GST_VIDEO_INFO_HEIGHT(&info);
	frame->stride = GST_VIDEO_INFO_PLANE_STRIDE(&info, 0);
	meta = gst_buffer_get_video_meta(buffer);
	if (meta != NULL)
		frame->stride = meta->stride[0];
	size = gst_buffer_get_size(buffer);
	if ((gsize)frame->stride * frame->height > size) {
		g_atomic_int_set(remote ? &self->remote_frame_busy : &self->local_frame_busy, 0);
		frame_free(frame);
		return GST_FLOW_OK;
	}
	{
		gpointer pixels = NULL;
		gst_buffer_extract_dup(buffer, 0, size, &pixels, &size);
		frame->pixels = g_bytes_new_take(pixels, size);
	}
	session_invoke(self, ref->generation, ref->peer, session_deliver_frame, frame, frame_free);
	return GST_FLOW_OK;
}

static void
appsink_attach(NhipLiveSession *self, GstElement *sink, PeerKind peer)
{
	GstAppSinkCallbacks callbacks = { .new_sample = appsink_new_sample };
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, peer_ref_new(self, peer),
				   peer_ref_destroy);
}

/* ----- audio clicks (the benchmark's mouth-to-ear estimate) ----- */

typedef struct {
	gboolean remote;
	gint64 at_ns;
} Tick;

static void
session_deliver_tick(NhipLiveSession *self, PeerKind peer, gpointer data)
{
	Tick *tick = data;
	g_signal_emit(self, signals[SIGNAL_TICK], 0, tick->remote, tick->at_ns);
}

typedef struct {
	PeerRef ref;
	gint64 last_ns;
} TickProbe;

static void
tick_probe_free(gpointer data)
{
	TickProbe *probe = data;
	g_weak_ref_clear(&probe->ref.session);
	g_free(probe);
}

/*
 * Finds the start of a click in S16 mono/stereo audio: the first sample louder than a
 * quarter of full scale, at least 300 ms after the previous click. The time is when that
 * sample passes here on the monotonic clock (GStreamer's system clock), comparable
 * between processes on one machine: on the sending side the live source pushes a buffer
 * when its last sample has been captured, on the receiving side the sink renders it.
 */
static GstPadProbeReturn
tick_probe_cb(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	TickProbe *probe = data;
	GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
	g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
	GstAudioInfo audio;
	GstMapInfo map;
	gint64 now = g_get_monotonic_time() * 1000;

	if (buffer == NULL || caps == NULL || !gst_audio_info_from_caps(&audio, caps) ||
	    GST_AUDIO_INFO_FORMAT(&audio) != GST_AUDIO_FORMAT_S16 ||
	    !gst_buffer_map(buffer, &map, GST_MAP_READ))
		return GST_PAD_PROBE_OK;
	{
		const gint16 *samples = (const gint16 *)map.data;
		gsize n = map.size / sizeof(gint16);
		guint channels = MAX(GST_AUDIO_INFO_CHANNELS(&audio), 1);
		gsize frames = n / channels;
		gint rate = MAX(GST_AUDIO_INFO_RATE(&audio), 1);

		for (gsize i = 0; i < n; i++) {
			if (ABS((gint)samples[i]) > 8192) {
				/* the buffer's last frame is "now"; this one came earlier */
				gint64 at =
					now - (gint64)(frames - i / channels) * GST_SECOND / rate;
				if (at - probe->last_ns > 300 * GST_MSECOND) {
					g_autoptr(NhipLiveSession) self =
						g_weak_ref_get(&probe->ref.session);
					Tick *tick = g_new0(Tick, 1);
					probe->last_ns = at;
					tick->remote = probe->ref.peer == PEER_SUB;
					tick->at_ns = at;
					if (self != NULL)
						session_invoke(self, probe->ref.generation,
							       probe->ref.peer,
							       session_deliver_tick, tick, g_free);
					else
						g_free(tick);
				}
				break;
			}
		}
	}
	gst_buffer_unmap(buffer, &map);
	return GST_PAD_PROBE_OK;
}

static void
tick_probe_attach(NhipLiveSession *self, GstPad *pad, PeerKind peer, guint generation)
{
	TickProbe *probe = g_new0(TickProbe, 1);

	g_weak_ref_init(&probe->ref.session, self);
	probe->ref.generation = generation;
	probe->ref.peer = peer;
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, tick_probe_cb, probe, tick_probe_free);
}

static gboolean
session_counting_ticks(NhipLiveSession *self)
{
	return g_strcmp0(self->audio_source, "ticks") == 0;
}

/* ----- the pipeline ----- */

static gchar *
session_pipeline_description(NhipLiveSession *self, GError **error)
{
	g_autoptr(GString) desc = g_string_new(NULL);
	g_autofree gchar *device = NULL;

	g_string_append(desc, "webrtcbin name=pub bundle-policy=max-bundle latency=300 ");
	if (g_strcmp0(self->video_source, "none") != 0) {
		if (g_strcmp0(self->video_source, "test") == 0) {
			g_string_append(desc, "videotestsrc is-live=true pattern=ball ! ");
		} else if (g_strcmp0(self->video_source, "motion") == 0) {
			/* moving rings: the encoder needs about 200 kbit/s, like a camera */
			g_string_append(desc, "videotestsrc is-live=true pattern=zone-plate kx2=20 "
					      "ky2=20 kt=1 ! ");
		} else if (g_strcmp0(self->video_source, "camera") == 0) {
			device = g_strescape(self->camera_device != NULL ? self->camera_device
									 : "/dev/video0",
					     NULL);
			g_string_append_printf(desc, "v4l2src device=\"%s\" ! ", device);
		} else {
			g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("unknown video source “%s” (camera, test, motion or none)"),
				    self->video_source);
			return NULL;
		}
		g_string_append_printf(
			desc,
			"videoconvert ! videoscale ! videorate ! "
			"video/x-raw,width=320,height=240,framerate=15/1 ! tee name=vtee "
			"vtee. ! queue max-size-buffers=2 leaky=downstream ! "
			"valve name=vvalve drop=false ! identity name=vcount ! "
			"vp8enc name=venc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=%d "
			"error-resilient=partitions keyframe-max-dist=150 lag-in-frames=0 "
			"buffer-size=1000 undershoot=95 threads=1 ! "
			"rtpvp8pay picture-id-mode=15-bit mtu=1200 ! "
			"capsfilter name=vrtp caps=\"application/x-rtp,media=video,"
			"encoding-name=VP8,payload=96,clock-rate=90000,ssrc=(uint)%u\" ! pub. "
			"vtee. ! queue max-size-buffers=1 leaky=downstream ! videoscale ! "
			"videoconvert ! video/x-raw,format=RGBA,width=160,height=120 ! "
			"appsink name=selfview max-buffers=1 drop=true sync=false ",
			self->rate.bitrate, g_random_int());
	}
	if (g_strcmp0(self->audio_source, "test") == 0) {
		g_string_append(desc, "audiotestsrc is-live=true wave=sine freq=440 volume=0.3 ! ");
	} else if (g_strcmp0(self->audio_source, "ticks") == 0) {
		g_string_append(desc,
				"audiotestsrc is-live=true wave=ticks tick-interval=2000000000 "
				"samplesperbuffer=480 ! audio/x-raw,format=S16LE ! ");
	} else if (g_strcmp0(self->audio_source, "mic") == 0) {
		g_string_append(desc, "autoaudiosrc ! ");
	} else {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("unknown audio source “%s” (test, ticks or mic)"),
			    self->audio_source);
		return NULL;
	}
	/* the SSRCs are in the caps so that the offer can name them before the first
	 * packet: Janus drops packets whose SSRC the SDP did not announce */
	g_string_append_printf(
		desc,
		"identity name=mouth ! audioconvert ! audioresample ! "
		"audio/x-raw,rate=48000,channels=1 ! volume name=mic ! "
		"opusenc bitrate=24000 audio-type=voice inband-fec=true "
		"packet-loss-percentage=10 frame-size=20 ! rtpopuspay ! "
		"capsfilter name=artp caps=\"application/x-rtp,media=audio,"
		"encoding-name=OPUS,payload=111,clock-rate=48000,ssrc=(uint)%u\" ! pub.",
		g_random_int());
	return g_string_free(g_steal_pointer(&desc), FALSE);
}

static void
on_new_transceiver(GstElement *webrtc, GstWebRTCRTPTransceiver *transceiver, gpointer data)
{
	PeerRef *ref = data;

	/* retransmissions, not ULP FEC (broken in 1.22, see transport.md §4.2) */
	g_object_set(transceiver, "do-nack", TRUE, NULL);
	if (ref->peer == PEER_PUB)
		g_object_set(transceiver, "direction",
			     GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
}

typedef struct {
	guint mline;
	gchar *candidate;
} Candidate;

static void
candidate_free(gpointer data)
{
	Candidate *candidate = data;
	g_free(candidate->candidate);
	g_free(candidate);
}

static void
session_send_candidate(NhipLiveSession *self, PeerKind kind, gpointer data)
{
	Candidate *candidate = data;
	Peer *peer = session_peer(self, kind);

	if (!peer->sdp_sent) {
		Candidate *copy = g_new0(Candidate, 1);
		copy->mline = candidate->mline;
		copy->candidate = g_strdup(candidate->candidate);
		g_ptr_array_add(peer->early, copy);
		return;
	}
	nhip_janus_client_trickle(self->janus, peer->handle, candidate->mline,
				  candidate->candidate);
}

static void
on_ice_candidate(GstElement *webrtc, guint mline, const gchar *line, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	Candidate *candidate;

	if (self == NULL)
		return;
	candidate = g_new0(Candidate, 1);
	candidate->mline = mline;
	candidate->candidate = g_strdup(line);
	session_invoke(self, ref->generation, ref->peer, session_send_candidate, candidate,
		       candidate_free);
}

static void
session_gathering_done(NhipLiveSession *self, PeerKind kind, gpointer data)
{
	Candidate *end = g_new0(Candidate, 1);
	session_send_candidate(self, kind, end);
	candidate_free(end);
}

static void
on_gathering_state(GObject *webrtc, GParamSpec *pspec, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;

	g_object_get(webrtc, "ice-gathering-state", &state, NULL);
	if (self != NULL && state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
		session_invoke(self, ref->generation, ref->peer, session_gathering_done, NULL,
			       NULL);
}

static void
session_connection_changed(NhipLiveSession *self, PeerKind kind, gpointer data)
{
	GstWebRTCPeerConnectionState state = GPOINTER_TO_INT(data);

	if (kind != PEER_PUB)
		return;
	if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
		g_autoptr(GError) error = g_error_new_literal(
			NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_MEDIA,
			_("the audio/video connection to the media server failed"));
		session_restart_later(self, error);
	} else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED) {
		self->ice_failed_us = g_get_monotonic_time();
		session_set_state(self, NHIP_LIVE_STATE_RECONNECTING);
	} else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
		self->ice_failed_us = 0;
		session_update_state(self);
	}
}

static void
on_connection_state(GObject *webrtc, GParamSpec *pspec, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;

	g_object_get(webrtc, "connection-state", &state, NULL);
	if (self != NULL)
		session_invoke(self, ref->generation, ref->peer, session_connection_changed,
			       GINT_TO_POINTER(state), NULL);
}

static void
session_configure_webrtc(NhipLiveSession *self, GstElement *webrtc, PeerKind kind)
{
	g_autofree gchar *stun = nhip_live_descriptor_stun_uri(self->descriptor);
	g_auto(GStrv) turns = nhip_live_descriptor_turn_uris(self->descriptor);

	if (stun != NULL)
		g_object_set(webrtc, "stun-server", stun, NULL);
	for (guint i = 0; turns[i] != NULL; i++) {
		gboolean added = FALSE;
		g_signal_emit_by_name(webrtc, "add-turn-server", turns[i], &added);
		if (!added)
			g_warning("webrtcbin did not take TURN server %u", i + 1);
	}
	g_signal_connect_data(webrtc, "on-new-transceiver", G_CALLBACK(on_new_transceiver),
			      peer_ref_new(self, kind), peer_ref_free, 0);
	g_signal_connect_data(webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate),
			      peer_ref_new(self, kind), peer_ref_free, 0);
	g_signal_connect_data(webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state),
			      peer_ref_new(self, kind), peer_ref_free, 0);
	g_signal_connect_data(webrtc, "notify::connection-state", G_CALLBACK(on_connection_state),
			      peer_ref_new(self, kind), peer_ref_free, 0);
}

static gboolean
session_bus_cb(GstBus *bus, GstMessage *message, gpointer data)
{
	NhipLiveSession *self = data;

	if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
		g_autoptr(GError) gst_error = NULL;
		g_autofree gchar *debug = NULL;
		g_autofree gchar *name = gst_object_get_name(GST_MESSAGE_SRC(message));

		gst_message_parse_error(message, &gst_error, &debug);
		g_info("pipeline error from %s: %s (%s)", name, gst_error->message,
		       debug != NULL ? debug : "");
		/* a camera or microphone that is missing or busy is for a person to fix */
		session_fail(self, g_error_new(NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_MEDIA,
					       _("the audio/video pipeline stopped (%s: %s)"), name,
					       gst_error->message));
	} else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
		g_autoptr(GError) gst_error = NULL;
		gst_message_parse_warning(message, &gst_error, NULL);
		g_info("pipeline warning: %s", gst_error->message);
	}
	return G_SOURCE_CONTINUE;
}

static GstPadProbeReturn
count_sent_cb(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	if (self != NULL)
		g_atomic_int_inc(&self->frames_sent);
	return GST_PAD_PROBE_OK;
}

static gboolean
session_build_pipeline(NhipLiveSession *self, GError **error)
{
	g_autofree gchar *desc = session_pipeline_description(self, error);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GstElement) selfview = NULL;
	g_autoptr(GstElement) vcount = NULL;
	g_autoptr(GstElement) mouth = NULL;
	g_autoptr(GstBus) bus = NULL;

	if (desc == NULL)
		return FALSE;
	self->generation++;
	self->pipeline =
		gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error_local);
	if (self->pipeline == NULL) {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_MEDIA,
			    _("cannot build the audio/video pipeline: %s (are the GStreamer "
			      "plugins installed?)"),
			    error_local->message);
		return FALSE;
	}
	gst_object_ref_sink(self->pipeline);
	self->pub.webrtc = gst_bin_get_by_name(GST_BIN(self->pipeline), "pub");
	session_configure_webrtc(self, self->pub.webrtc, PEER_PUB);
	{
		/* the transceivers were made when parse_launch linked the pads */
		GArray *transceivers = NULL;
		g_signal_emit_by_name(self->pub.webrtc, "get-transceivers", &transceivers);
		for (guint i = 0; transceivers != NULL && i < transceivers->len; i++)
			on_new_transceiver(
				self->pub.webrtc,
				g_array_index(transceivers, GstWebRTCRTPTransceiver *, i),
				&(PeerRef){ .peer = PEER_PUB });
		if (transceivers != NULL)
			g_array_unref(transceivers);
	}
	selfview = gst_bin_get_by_name(GST_BIN(self->pipeline), "selfview");
	if (selfview != NULL)
		appsink_attach(self, selfview, PEER_PUB);
	vcount = gst_bin_get_by_name(GST_BIN(self->pipeline), "vcount");
	if (vcount != NULL) {
		g_autoptr(GstPad) pad = gst_element_get_static_pad(vcount, "src");
		gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_sent_cb,
				  peer_ref_new(self, PEER_PUB), peer_ref_destroy);
	}
	for (guint video = 0; video < 2; video++) {
		g_autoptr(GstElement) rtp =
			gst_bin_get_by_name(GST_BIN(self->pipeline), video ? "vrtp" : "artp");
		g_autoptr(GstPad) pad = rtp != NULL ? gst_element_get_static_pad(rtp, "src") : NULL;
		if (pad != NULL)
			counter_probe_attach(self->counters, pad, 0, video);
	}
	mouth = gst_bin_get_by_name(GST_BIN(self->pipeline), "mouth");
	if (mouth != NULL && session_counting_ticks(self)) {
		g_autoptr(GstPad) pad = gst_element_get_static_pad(mouth, "src");
		tick_probe_attach(self, pad, PEER_PUB, self->generation);
	}
	bus = gst_element_get_bus(self->pipeline);
	self->bus_watch = gst_bus_add_watch(bus, session_bus_cb, self);
	nhip_live_session_set_muted(self, self->muted);
	nhip_live_session_set_camera_off(self, self->camera_off);
	if (gst_element_set_state(self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_MEDIA,
				    _("cannot start the camera or microphone"));
		return FALSE;
	}
	return TRUE;
}

static void
peer_reset(Peer *peer)
{
	g_clear_object(&peer->webrtc);
	peer->handle = 0;
	peer->sdp_sent = FALSE;
	peer->up = FALSE;
	g_ptr_array_set_size(peer->early, 0);
}

static void
session_remove_sub(NhipLiveSession *self)
{
	if (self->sub.webrtc != NULL && self->pipeline != NULL) {
		g_autoptr(GstIterator) children = gst_bin_iterate_elements(GST_BIN(self->pipeline));
		g_autoptr(GPtrArray) branches = g_ptr_array_new_with_free_func(gst_object_unref);
		GValue item = G_VALUE_INIT;

		while (gst_iterator_next(children, &item) == GST_ITERATOR_OK) {
			GstElement *child = g_value_get_object(&item);
			g_autofree gchar *name = gst_object_get_name(GST_OBJECT(child));
			if (g_str_has_prefix(name, "subbranch"))
				g_ptr_array_add(branches, gst_object_ref(child));
			g_value_reset(&item);
		}
		g_value_unset(&item);
		for (guint i = 0; i < branches->len; i++) {
			GstElement *branch = g_ptr_array_index(branches, i);
			gst_element_set_state(branch, GST_STATE_NULL);
			gst_bin_remove(GST_BIN(self->pipeline), branch);
		}
		gst_element_set_state(self->sub.webrtc, GST_STATE_NULL);
		gst_bin_remove(GST_BIN(self->pipeline), self->sub.webrtc);
	}
	if (self->janus != NULL && self->sub.handle != 0)
		nhip_janus_client_detach(self->janus, self->sub.handle);
	peer_reset(&self->sub);
	self->remote_feed = 0;
	g_clear_pointer(&self->remote_display, g_free);
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_REMOTE_DISPLAY]);
}

static void
session_teardown(NhipLiveSession *self)
{
	/* callbacks still on their way belong to this pipeline: drop them */
	self->generation++;
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_handle_id(&self->stats_id, g_source_remove);
	session_remove_sub(self);
	g_clear_handle_id(&self->bus_watch, g_source_remove);
	if (self->pipeline != NULL)
		gst_element_set_state(self->pipeline, GST_STATE_NULL);
	peer_reset(&self->pub);
	g_clear_object(&self->pipeline);
	if (self->janus != NULL) {
		g_signal_handlers_disconnect_by_data(self->janus, self);
		/* the session on Janus goes with its handles; no one waits for the answer */
		nhip_janus_client_destroy_async(self->janus, NULL, NULL, NULL);
		g_clear_object(&self->janus);
	}
	self->own_feed = 0;
	self->private_id = 0;
}

/* ----- receiving: the sub webrtcbin's pads ----- */

/*
 * Runs on the streaming thread that found the stream: the branch must be linked before
 * this returns, or the first packets meet an unlinked pad and stop the stream.
 */
static void
on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	g_autoptr(GstCaps) caps = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GstPad) sink_pad = NULL;
	g_autoptr(GstObject) parent = NULL;
	const gchar *media = NULL;
	g_autofree gchar *desc = NULL;
	GstElement *branch;

	if (self == NULL || GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
		return;
	parent = gst_element_get_parent(webrtc);
	if (parent == NULL)
		return;
	caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		caps = gst_pad_query_caps(pad, NULL);
	if (caps != NULL && gst_caps_get_size(caps) > 0)
		media = gst_structure_get_string(gst_caps_get_structure(caps, 0), "media");
	if (g_strcmp0(media, "video") == 0)
		desc = g_strdup("queue ! rtpvp8depay ! vp8dec ! videoconvert ! "
				"video/x-raw,format=RGBA ! appsink name=remote max-buffers=1 "
				"drop=true sync=false");
	else if (g_strcmp0(media, "audio") == 0)
		desc = g_strdup_printf("queue ! rtpopusdepay ! opusdec plc=true ! audioconvert ! "
				       "audioresample ! audio/x-raw,format=S16LE ! "
				       "identity name=ear ! %s",
				       g_strcmp0(self->audio_output, "speaker") == 0
					       ? "autoaudiosink"
					       : "fakesink sync=true");
	else
		desc = g_strdup("fakesink");
	branch = gst_parse_bin_from_description(desc, TRUE, &error);
	if (branch == NULL) {
		g_warning("cannot play the received %s stream: %s", media, error->message);
		return;
	}
	if (g_strcmp0(media, "video") == 0) {
		g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(branch), "remote");
		GstAppSinkCallbacks callbacks = { .new_sample = appsink_new_sample };
		PeerRef *sink_ref = g_new0(PeerRef, 1);
		g_weak_ref_init(&sink_ref->session, self);
		sink_ref->generation = ref->generation;
		sink_ref->peer = PEER_SUB;
		gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, sink_ref,
					   peer_ref_destroy);
	} else if (g_strcmp0(media, "audio") == 0 && session_counting_ticks(self)) {
		g_autoptr(GstElement) ear = gst_bin_get_by_name(GST_BIN(branch), "ear");
		g_autoptr(GstPad) ear_pad = gst_element_get_static_pad(ear, "src");
		tick_probe_attach(self, ear_pad, PEER_SUB, ref->generation);
	}
	/* named so the teardown finds them */
	g_mutex_lock(&self->branch_lock);
	{
		g_autofree gchar *name = g_strdup_printf("subbranch%u", self->branch_serial++);
		gst_object_set_name(GST_OBJECT(branch), name);
	}
	g_mutex_unlock(&self->branch_lock);
	gst_bin_add(GST_BIN(parent), branch);
	gst_element_sync_state_with_parent(branch);
	if (g_strcmp0(media, "video") == 0 || g_strcmp0(media, "audio") == 0)
		counter_probe_attach(self->counters, pad, 1, g_strcmp0(media, "video") == 0);
	sink_pad = gst_element_get_static_pad(branch, "sink");
	if (gst_pad_link(pad, sink_pad) != GST_PAD_LINK_OK)
		g_warning("cannot link the received %s stream", media);
}

/* ----- SDP between webrtcbin and Janus ----- */

static JsonNode *
jsep_node(const gchar *type, const gchar *sdp)
{
	g_autoptr(JsonObject) object = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	json_object_set_string_member(object, "type", type);
	json_object_set_string_member(object, "sdp", sdp);
	json_node_set_object(node, object);
	return node;
}

static JsonNode *
body_node(JsonObject *object)
{
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	json_node_set_object(node, object);
	return node;
}

static GstWebRTCSessionDescription *
sdp_from_jsep(JsonObject *jsep, GstWebRTCSDPType type, GError **error)
{
	JsonNode *sdp_node = jsep != NULL ? json_object_get_member(jsep, "sdp") : NULL;
	GstSDPMessage *sdp = NULL;

	if (sdp_node == NULL || !JSON_NODE_HOLDS_VALUE(sdp_node) ||
	    json_node_get_value_type(sdp_node) != G_TYPE_STRING ||
	    gst_sdp_message_new_from_text(json_node_get_string(sdp_node), &sdp) != GST_SDP_OK) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("the media server sent no usable session description"));
		return NULL;
	}
	return gst_webrtc_session_description_new(type, sdp);
}

static void
session_answer_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipLiveSession *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) reply =
		nhip_janus_client_message_finish(NHIP_JANUS_CLIENT(source), result, &error);
	PeerKind kind;
	Peer *peer;
	JsonNode *jsep;
	GstWebRTCSessionDescription *answer;

	if (reply == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			session_fail(self, g_steal_pointer(&error));
		g_object_unref(self);
		return;
	}
	kind = self->pub.handle == json_object_get_int_member_with_default(reply, "sender", 0)
		       ? PEER_PUB
		       : PEER_SUB;
	peer = session_peer(self, kind);
	if (kind == PEER_PUB && peer->webrtc != NULL) {
		jsep = json_object_get_member(reply, "jsep");
		answer = sdp_from_jsep(jsep != NULL && JSON_NODE_HOLDS_OBJECT(jsep)
					       ? json_node_get_object(jsep)
					       : NULL,
				       GST_WEBRTC_SDP_TYPE_ANSWER, &error);
		if (answer == NULL) {
			session_fail(self, g_steal_pointer(&error));
			g_object_unref(self);
			return;
		}
		g_signal_emit_by_name(peer->webrtc, "set-remote-description", answer, NULL);
		gst_webrtc_session_description_free(answer);
	}
	g_object_unref(self);
}

static void
session_send_sdp(NhipLiveSession *self, PeerKind kind, gpointer data)
{
	gchar *sdp = data;
	Peer *peer = session_peer(self, kind);
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(JsonNode) body_json = NULL;
	g_autoptr(JsonNode) jsep = NULL;

	if (self->janus == NULL || peer->handle == 0)
		return;
	g_debug("local %s:\n%s", kind == PEER_PUB ? "offer" : "answer", sdp);
	nhip_live_stats_learn_sdp(self->ssrc_kinds, sdp);
	if (kind == PEER_PUB) {
		json_object_set_string_member(body, "request", "publish");
		json_object_set_string_member(body, "display", self->descriptor->display);
		json_object_set_int_member(body, "bitrate", self->descriptor->max_bitrate);
		jsep = jsep_node("offer", sdp);
	} else {
		json_object_set_string_member(body, "request", "start");
		jsep = jsep_node("answer", sdp);
	}
	body_json = body_node(g_steal_pointer(&body));
	nhip_janus_client_message_async(self->janus, peer->handle, body_json, jsep,
					self->cancellable, session_answer_cb, g_object_ref(self));
	peer->sdp_sent = TRUE;
	/* the candidates found meanwhile can follow now */
	for (guint i = 0; i < peer->early->len; i++) {
		Candidate *early = g_ptr_array_index(peer->early, i);
		nhip_janus_client_trickle(self->janus, peer->handle, early->mline,
					  early->candidate);
	}
	g_ptr_array_set_size(peer->early, 0);
}

static void
on_local_sdp(GstPromise *promise, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	const GstStructure *reply = gst_promise_get_reply(promise);
	GstWebRTCSessionDescription *desc = NULL;
	const gchar *field = ref->peer == PEER_PUB ? "offer" : "answer";
	GstElement *webrtc;

	if (self == NULL || reply == NULL ||
	    gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED)
		goto out;
	gst_structure_get(reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
	if (desc == NULL) {
		g_autoptr(GError) gst_error = NULL;
		gst_structure_get(reply, "error", G_TYPE_ERROR, &gst_error, NULL);
		g_warning("webrtcbin made no %s: %s", field,
			  gst_error != NULL ? gst_error->message : "no reason");
		goto out;
	}
	webrtc = ref->peer == PEER_PUB ? self->pub.webrtc : self->sub.webrtc;
	if (webrtc != NULL && ref->generation == self->generation) {
		g_signal_emit_by_name(webrtc, "set-local-description", desc, NULL);
		session_invoke(self, ref->generation, ref->peer, session_send_sdp,
			       gst_sdp_message_as_text(desc->sdp), g_free);
	}
	gst_webrtc_session_description_free(desc);
out:
	gst_promise_unref(promise);
}

static void
session_create_sdp(NhipLiveSession *self, PeerKind kind)
{
	Peer *peer = session_peer(self, kind);
	GstPromise *promise = gst_promise_new_with_change_func(
		on_local_sdp, peer_ref_new(self, kind), peer_ref_destroy);
	g_signal_emit_by_name(peer->webrtc, kind == PEER_PUB ? "create-offer" : "create-answer",
			      NULL, promise);
}

/* ----- the VideoRoom ----- */

static JsonObject *
plugin_data(JsonObject *message)
{
	return nhip_janus_member_object(nhip_janus_member_object(message, "plugindata"), "data");
}

/* the first publisher in a "publishers" list that is not us */
static void
session_take_publishers(NhipLiveSession *self, JsonObject *data)
{
	JsonNode *node = json_object_get_member(data, "publishers");
	JsonArray *list;

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node) || self->remote_feed != 0)
		return;
	list = json_node_get_array(node);
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonNode *item = json_array_get_element(list, i);
		JsonObject *publisher;
		gint64 id;

		if (!JSON_NODE_HOLDS_OBJECT(item))
			continue;
		publisher = json_node_get_object(item);
		id = nhip_janus_member_int(publisher, "id");
		if (id == 0 || id == self->own_feed)
			continue;
		session_subscribe(self, id, nhip_janus_member_string(publisher, "display"));
		return;
	}
}

static void
session_sub_joined_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipLiveSession *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) reply =
		nhip_janus_client_message_finish(NHIP_JANUS_CLIENT(source), result, &error);
	GstWebRTCSessionDescription *offer;
	JsonNode *jsep;

	if (reply == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			/* the doctor left before we got there: wait for the next one */
			g_info("cannot subscribe to the other participant: %s", error->message);
			if (self->janus != NULL)
				session_remove_sub(self);
		}
		g_object_unref(self);
		return;
	}
	if (self->sub.webrtc == NULL) {
		g_object_unref(self);
		return;
	}
	jsep = json_object_get_member(reply, "jsep");
	offer = sdp_from_jsep(
		jsep != NULL && JSON_NODE_HOLDS_OBJECT(jsep) ? json_node_get_object(jsep) : NULL,
		GST_WEBRTC_SDP_TYPE_OFFER, &error);
	if (offer == NULL) {
		session_fail(self, g_steal_pointer(&error));
		g_object_unref(self);
		return;
	}
	nhip_live_stats_learn_sdp(self->ssrc_kinds,
				  json_object_get_string_member_with_default(
					  json_node_get_object(jsep), "sdp", NULL));
	/* webrtcbin runs these in order: the answer follows the offer */
	g_signal_emit_by_name(self->sub.webrtc, "set-remote-description", offer, NULL);
	gst_webrtc_session_description_free(offer);
	session_create_sdp(self, PEER_SUB);
	g_object_unref(self);
}

static void
session_sub_attached_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipLiveSession *self = data;
	g_autoptr(GError) error = NULL;
	gint64 handle = nhip_janus_client_attach_finish(NHIP_JANUS_CLIENT(source), result, &error);
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(JsonArray) streams = json_array_new();
	g_autoptr(JsonObject) stream = json_object_new();
	g_autoptr(JsonNode) body_json = NULL;

	if (handle == 0 || self->sub.webrtc == NULL) {
		if (handle == 0 && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			session_fail(self, g_steal_pointer(&error));
		else if (handle != 0 && self->janus != NULL)
			nhip_janus_client_detach(self->janus, handle);
		g_object_unref(self);
		return;
	}
	self->sub.handle = handle;
	json_object_set_string_member(body, "request", "join");
	json_object_set_string_member(body, "ptype", "subscriber");
	json_object_set_int_member(body, "room", self->descriptor->room);
	json_object_set_string_member(body, "token", self->descriptor->token);
	if (self->private_id != 0)
		json_object_set_int_member(body, "private_id", self->private_id);
	json_object_set_int_member(stream, "feed", self->remote_feed);
	json_array_add_object_element(streams, g_steal_pointer(&stream));
	json_object_set_array_member(body, "streams", g_steal_pointer(&streams));
	body_json = body_node(g_steal_pointer(&body));
	nhip_janus_client_message_async(self->janus, handle, body_json, NULL, self->cancellable,
					session_sub_joined_cb, self);
}

static void
session_subscribe(NhipLiveSession *self, gint64 feed, const gchar *display)
{
	GstElement *webrtc;

	if (self->remote_feed != 0 || self->pipeline == NULL)
		return;
	self->remote_feed = feed;
	self->remote_display = g_strdup(display);
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_REMOTE_DISPLAY]);
	webrtc = gst_element_factory_make("webrtcbin", "sub");
	g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", 300,
		     NULL);
	session_configure_webrtc(self, webrtc, PEER_SUB);
	g_signal_connect_data(webrtc, "pad-added", G_CALLBACK(on_pad_added),
			      peer_ref_new(self, PEER_SUB), peer_ref_free, 0);
	self->sub.webrtc = gst_object_ref(webrtc);
	gst_bin_add(GST_BIN(self->pipeline), webrtc);
	gst_element_sync_state_with_parent(webrtc);
	nhip_janus_client_attach_async(self->janus, VIDEOROOM, self->cancellable,
				       session_sub_attached_cb, g_object_ref(self));
}

static void
session_on_room_event(NhipLiveSession *self, gint64 sender, JsonObject *data)
{
	const gchar *kind = nhip_janus_member_string(data, "videoroom");
	gint64 gone;

	if (g_strcmp0(kind, "destroyed") == 0) {
		/* the hub ended the session and took the room down */
		g_info("the room was closed: the session ended");
		session_teardown(self);
		session_set_state(self, NHIP_LIVE_STATE_ENDED);
		return;
	}
	if (sender != self->pub.handle)
		return;
	session_take_publishers(self, data);
	gone = nhip_janus_member_int(data, "leaving");
	if (gone == 0)
		gone = nhip_janus_member_int(data, "unpublished");
	if (gone != 0 && gone == self->remote_feed) {
		g_info("the other participant left");
		session_remove_sub(self);
	}
}

static void
session_add_remote_candidate(NhipLiveSession *self, gint64 sender, JsonObject *message)
{
	JsonNode *node = json_object_get_member(message, "candidate");
	Peer *peer = sender == self->pub.handle	  ? &self->pub
		     : sender == self->sub.handle ? &self->sub
						  : NULL;
	JsonObject *candidate;
	const gchar *line;

	if (peer == NULL || peer->webrtc == NULL || node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
		return;
	candidate = json_node_get_object(node);
	line = nhip_janus_member_string(candidate, "candidate");
	if (line == NULL)
		return; /* {"completed": true} */
	g_signal_emit_by_name(peer->webrtc, "add-ice-candidate",
			      (guint)nhip_janus_member_int(candidate, "sdpMLineIndex"), line);
}

static void
session_on_janus_event(NhipJanusClient *janus, gint64 sender, JsonObject *message, gpointer data)
{
	NhipLiveSession *self = data;
	const gchar *kind = nhip_janus_member_string(message, "janus");
	JsonObject *plugin = plugin_data(message);

	if (g_strcmp0(kind, "event") == 0 && plugin != NULL) {
		session_on_room_event(self, sender, plugin);
	} else if (g_strcmp0(kind, "webrtcup") == 0) {
		if (sender == self->pub.handle) {
			self->pub.up = TRUE;
			self->restarts = 0;
			session_update_state(self);
		} else if (sender == self->sub.handle) {
			self->sub.up = TRUE;
		}
	} else if (g_strcmp0(kind, "hangup") == 0) {
		g_autoptr(GError) error =
			g_error_new(NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_MEDIA,
				    _("the media server closed the connection (%s)"),
				    nhip_janus_member_string(message, "reason"));
		if (sender == self->pub.handle)
			session_restart_later(self, error);
		else if (sender == self->sub.handle)
			session_remove_sub(self);
	} else if (g_strcmp0(kind, "trickle") == 0) {
		session_add_remote_candidate(self, sender, message);
	} else if (g_strcmp0(kind, "slowlink") == 0) {
		g_info("the media server reports a slow link (%s, %" PRId64 " lost)",
		       json_object_get_boolean_member_with_default(message, "uplink", FALSE)
			       ? "from us"
			       : "to us",
		       nhip_janus_member_int(message, "lost"));
	}
}

static void
session_on_reachable(NhipJanusClient *janus, gboolean reachable, const GError *error, gpointer data)
{
	NhipLiveSession *self = data;

	if (!reachable)
		g_info("the media server cannot be reached: %s",
		       error != NULL ? error->message : "?");
	self->reachable = reachable;
	session_update_state(self);
}

static void
session_on_lost(NhipJanusClient *janus, const GError *error, gpointer data)
{
	NhipLiveSession *self = data;

	if (g_error_matches(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_UNAUTHORIZED)) {
		/* the hub removed our token: the session ended there */
		session_teardown(self);
		session_set_state(self, NHIP_LIVE_STATE_ENDED);
		return;
	}
	session_restart_later(self, error);
}

static void
session_joined_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipLiveSession *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) reply =
		nhip_janus_client_message_finish(NHIP_JANUS_CLIENT(source), result, &error);
	JsonObject *room;

	if (reply == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			session_fail(self, g_steal_pointer(&error));
		g_object_unref(self);
		return;
	}
	room = plugin_data(reply);
	self->own_feed = nhip_janus_member_int(room, "id");
	self->private_id = nhip_janus_member_int(room, "private_id");
	g_info("joined room %" PRId64 " as feed %" PRId64, self->descriptor->room, self->own_feed);
	session_create_sdp(self, PEER_PUB);
	if (room != NULL)
		session_take_publishers(self, room);
	g_object_unref(self);
}

static void
session_attached_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipLiveSession *self = data;
	g_autoptr(GError) error = NULL;
	gint64 handle = nhip_janus_client_attach_finish(NHIP_JANUS_CLIENT(source), result, &error);
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(JsonNode) body_json = NULL;

	if (handle == 0) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			session_fail(self, g_steal_pointer(&error));
		g_object_unref(self);
		return;
	}
	self->pub.handle = handle;
	json_object_set_string_member(body, "request", "join");
	json_object_set_string_member(body, "ptype", "publisher");
	json_object_set_int_member(body, "room", self->descriptor->room);
	json_object_set_string_member(body, "display", self->descriptor->display);
	json_object_set_string_member(body, "token", self->descriptor->token);
	body_json = body_node(g_steal_pointer(&body));
	nhip_janus_client_message_async(self->janus, handle, body_json, NULL, self->cancellable,
					session_joined_cb, self);
}

static void
session_created_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipLiveSession *self = data;
	g_autoptr(GError) error = NULL;

	if (!nhip_janus_client_create_finish(NHIP_JANUS_CLIENT(source), result, &error)) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			/* torn down meanwhile */
		} else if (g_error_matches(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_NETWORK) ||
			   g_error_matches(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_TIMEOUT)) {
			if (self->state == NHIP_LIVE_STATE_CONNECTING && self->restarts == 0)
				session_fail(self, g_steal_pointer(&error));
			else
				session_restart_later(self, error);
		} else {
			session_fail(self, g_steal_pointer(&error));
		}
		g_object_unref(self);
		return;
	}
	self->reachable = TRUE;
	nhip_janus_client_attach_async(self->janus, VIDEOROOM, self->cancellable,
				       session_attached_cb, self);
}

/* ----- statistics and adaptation ----- */

static void
session_apply_rate(NhipLiveSession *self, NhipLiveRateAction action)
{
	g_autoptr(GstElement) encoder = NULL;
	g_autoptr(GstElement) valve = NULL;

	if (self->pipeline == NULL || action == NHIP_LIVE_RATE_KEEP)
		return;
	encoder = gst_bin_get_by_name(GST_BIN(self->pipeline), "venc");
	valve = gst_bin_get_by_name(GST_BIN(self->pipeline), "vvalve");
	if (encoder != NULL)
		g_object_set(encoder, "target-bitrate", self->rate.bitrate, NULL);
	self->stats.video_bitrate = self->rate.bitrate;
	switch (action) {
	case NHIP_LIVE_RATE_AUDIO_ONLY:
		g_info("link too poor for video: audio only");
		self->stats.audio_only_switches++;
		nhip_live_session_set_camera_off(self, self->camera_off);
		session_update_state(self);
		break;
	case NHIP_LIVE_RATE_VIDEO:
		g_info("link better: video again at %d bit/s", self->rate.bitrate);
		nhip_live_session_set_camera_off(self, self->camera_off);
		session_update_state(self);
		break;
	default:
		g_debug("video bitrate %d", self->rate.bitrate);
		break;
	}
}

static gdouble
rate_between(guint64 now, guint64 before, gdouble seconds)
{
	if (seconds <= 0 || now < before)
		return 0;
	return (gdouble)(now - before) * 8 / seconds;
}

static void
session_take_stats(NhipLiveSession *self, PeerKind kind, gpointer data)
{
	GstStructure *stats = data;
	NhipLiveStatsSample sample;
	gint64 now = g_get_monotonic_time();
	NhipLiveSessionStats *out = &self->stats;

	nhip_live_stats_sample_init(&sample);
	nhip_live_stats_parse(stats, self->ssrc_kinds, &sample);
	g_mutex_lock(&self->counters->lock);
	if (kind == PEER_PUB) {
		sample.audio_bytes_sent = self->counters->bytes[0][0];
		sample.video_bytes_sent = self->counters->bytes[0][1];
	} else {
		sample.audio_bytes_received = self->counters->bytes[1][0];
		sample.video_bytes_received = self->counters->bytes[1][1];
	}
	g_mutex_unlock(&self->counters->lock);
	if (g_getenv("NHIP_LIVE_DUMP_STATS") != NULL) {
		g_autofree gchar *text = gst_structure_to_string(stats);
		g_printerr("%s stats: %s\n", kind == PEER_PUB ? "pub" : "sub", text);
	}
	if (kind == PEER_PUB) {
		gdouble seconds = self->pub_stats_us > 0 ? (now - self->pub_stats_us) / 1e6 : 0;
		gdouble loss = self->rate.audio_only ? sample.audio_fraction_lost
						     : sample.video_fraction_lost;
		NhipLiveRateAction action;

		if (loss < 0)
			loss = MAX(sample.video_fraction_lost, sample.audio_fraction_lost);
		out->send_video_bps = rate_between(sample.video_bytes_sent,
						   self->pub_last.video_bytes_sent, seconds);
		out->send_audio_bps = rate_between(sample.audio_bytes_sent,
						   self->pub_last.audio_bytes_sent, seconds);
		out->sample.video_bytes_sent = sample.video_bytes_sent;
		out->sample.audio_bytes_sent = sample.audio_bytes_sent;
		out->sample.video_packets_sent = sample.video_packets_sent;
		out->sample.audio_packets_sent = sample.audio_packets_sent;
		out->sample.video_fraction_lost = sample.video_fraction_lost;
		out->sample.audio_fraction_lost = sample.audio_fraction_lost;
		out->sample.rtt = sample.rtt;
		out->sample.nack_count = sample.nack_count;
		out->sample.pli_count = sample.pli_count;
		if (self->rate.audio_only)
			out->audio_only_seconds += seconds;
		self->pub_last = sample;
		self->pub_stats_us = now;
		if (seconds > 0 && self->pub.up && g_strcmp0(self->video_source, "none") != 0) {
			action = nhip_live_rate_update(&self->rate, seconds, loss, sample.rtt);
			session_apply_rate(self, action);
		}
	} else {
		gdouble seconds = self->sub_stats_us > 0 ? (now - self->sub_stats_us) / 1e6 : 0;
		out->recv_video_bps = rate_between(sample.video_bytes_received,
						   self->sub_last.video_bytes_received, seconds);
		out->recv_audio_bps = rate_between(sample.audio_bytes_received,
						   self->sub_last.audio_bytes_received, seconds);
		out->sample.video_bytes_received = sample.video_bytes_received;
		out->sample.audio_bytes_received = sample.audio_bytes_received;
		out->sample.video_packets_received = sample.video_packets_received;
		out->sample.audio_packets_received = sample.audio_packets_received;
		out->sample.packets_lost = sample.packets_lost;
		out->sample.jitter = sample.jitter;
		self->sub_last = sample;
		self->sub_stats_us = now;
	}
	out->frames_received = (guint64)g_atomic_int_get(&self->frames_received);
	out->frames_sent = (guint64)g_atomic_int_get(&self->frames_sent);
	out->first_frame_ms = g_atomic_int_get(&self->first_frame_ms);
	out->video_bitrate = self->rate.audio_only ? 0 : self->rate.bitrate;
	/* one update per interval: the publisher's figures come with every call */
	if (kind == PEER_PUB)
		g_signal_emit(self, signals[SIGNAL_STATS], 0);
}

static void
on_stats(GstPromise *promise, gpointer data)
{
	PeerRef *ref = data;
	g_autoptr(NhipLiveSession) self = g_weak_ref_get(&ref->session);
	const GstStructure *reply = NULL;

	if (self != NULL && gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED)
		reply = gst_promise_get_reply(promise);
	if (reply != NULL)
		session_invoke(self, ref->generation, ref->peer, session_take_stats,
			       gst_structure_copy(reply), (GDestroyNotify)gst_structure_free);
	gst_promise_unref(promise);
}

static gboolean
session_stats_cb(gpointer data)
{
	NhipLiveSession *self = data;

	for (PeerKind kind = PEER_PUB; kind <= PEER_SUB; kind++) {
		Peer *peer = session_peer(self, kind);
		GstPromise *promise;
		if (peer->webrtc == NULL)
			continue;
		promise = gst_promise_new_with_change_func(on_stats, peer_ref_new(self, kind),
							   peer_ref_destroy);
		g_signal_emit_by_name(peer->webrtc, "get-stats", NULL, promise);
	}
	/* ICE disconnected for too long: rebuild */
	if (self->ice_failed_us != 0 &&
	    g_get_monotonic_time() - self->ice_failed_us > ICE_FAILED_GRACE * G_USEC_PER_SEC) {
		g_autoptr(GError) error =
			g_error_new_literal(NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_MEDIA,
					    _("no audio/video got through for too long"));
		self->ice_failed_us = 0;
		session_restart_later(self, error);
	}
	return G_SOURCE_CONTINUE;
}

/* ----- starting, restarting, ending ----- */

static void
session_fail(NhipLiveSession *self, GError *error)
{
	if (self->state == NHIP_LIVE_STATE_ENDED || self->state == NHIP_LIVE_STATE_FAILED) {
		g_error_free(error);
		return;
	}
	g_info("live session failed: %s", error->message);
	g_clear_error(&self->error);
	self->error = error;
	g_clear_handle_id(&self->restart_id, g_source_remove);
	g_clear_handle_id(&self->hangup_id, g_source_remove);
	session_teardown(self);
	session_set_state(self, NHIP_LIVE_STATE_FAILED);
}

static void
session_start_janus(NhipLiveSession *self)
{
	g_autoptr(GError) error = NULL;

	self->cancellable = g_cancellable_new();
	self->pub_stats_us = 0;
	self->sub_stats_us = 0;
	nhip_live_stats_sample_init(&self->pub_last);
	nhip_live_stats_sample_init(&self->sub_last);
	if (!session_build_pipeline(self, &error)) {
		session_fail(self, g_steal_pointer(&error));
		return;
	}
	self->janus = nhip_janus_client_new(self->descriptor->janus_url, self->descriptor->token);
	g_signal_connect(self->janus, "event", G_CALLBACK(session_on_janus_event), self);
	g_signal_connect(self->janus, "reachable", G_CALLBACK(session_on_reachable), self);
	g_signal_connect(self->janus, "lost", G_CALLBACK(session_on_lost), self);
	self->stats_id = g_timeout_add(self->stats_interval, session_stats_cb, self);
	nhip_janus_client_create_async(self->janus, self->cancellable, session_created_cb,
				       g_object_ref(self));
}

static gboolean
session_restart_cb(gpointer data)
{
	NhipLiveSession *self = data;

	self->restart_id = 0;
	g_info("reconnecting (attempt %u of %d)", self->restarts, RESTART_MAX);
	session_start_janus(self);
	return G_SOURCE_REMOVE;
}

static void
session_restart_later(NhipLiveSession *self, const GError *why)
{
	guint delay;

	if (self->state == NHIP_LIVE_STATE_ENDED || self->state == NHIP_LIVE_STATE_FAILED ||
	    self->restart_id != 0 || self->hangup_id != 0)
		return;
	if (self->restarts >= RESTART_MAX ||
	    (self->descriptor->expires > 0 &&
	     g_get_real_time() / G_USEC_PER_SEC >= self->descriptor->expires)) {
		session_fail(self, g_error_new(NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_NETWORK,
					       _("the call was lost and could not be restored "
						 "(%s)"),
					       why != NULL ? why->message : "?"));
		return;
	}
	g_info("call interrupted (%s); reconnecting", why != NULL ? why->message : "?");
	session_teardown(self);
	delay = 1u << MIN(self->restarts, 4u); /* 1, 2, 4, 8, 16 s */
	self->restarts++;
	self->restart_id = g_timeout_add_seconds(delay, session_restart_cb, self);
	session_set_state(self, NHIP_LIVE_STATE_RECONNECTING);
}

/**
 * nhip_live_session_new:
 * @descriptor: (transfer none): the session descriptor from the hub (copied)
 *
 * Returns: (transfer full): a session; set the media properties, then
 *   nhip_live_session_start()
 */
NhipLiveSession *
nhip_live_session_new(const NhipLiveDescriptor *descriptor)
{
	g_return_val_if_fail(descriptor != NULL, NULL);
	return g_object_new(NHIP_TYPE_LIVE_SESSION, "descriptor", descriptor, NULL);
}

/**
 * nhip_live_session_start:
 * @self: an idle session
 * @error: return location for a #GError (%NHIP_LIVE_ERROR)
 *
 * Builds the pipeline and starts joining; the rest happens in the main loop. Failures
 * after this point show as %NHIP_LIVE_STATE_FAILED with nhip_live_session_get_error().
 *
 * Returns: %TRUE when the call is under way
 */
gboolean
nhip_live_session_start(NhipLiveSession *self, GError **error)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), FALSE);
	g_return_val_if_fail(self->state == NHIP_LIVE_STATE_IDLE, FALSE);

	if (!gst_is_initialized())
		gst_init(NULL, NULL);
	if (self->descriptor->expires > 0 &&
	    g_get_real_time() / G_USEC_PER_SEC >= self->descriptor->expires) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_UNAUTHORIZED,
				    _("this call's invitation has expired; start the call again "
				      "from the case"));
		return FALSE;
	}
	if (g_strcmp0(self->descriptor->state, "ended") == 0) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_GONE,
				    _("this call has already ended"));
		return FALSE;
	}
	nhip_live_rate_init(&self->rate, MIN(self->min_bitrate, self->descriptor->max_bitrate),
			    self->descriptor->max_bitrate);
	self->rate.audio_only_after = self->audio_only_after;
	self->rate.recover_after = self->recover_after;
	self->rate.recover_wait = self->recover_after;
	self->stats.video_bitrate = self->rate.bitrate;
	self->stats.first_frame_ms = -1;
	self->started_us = g_get_monotonic_time();
	session_set_state(self, NHIP_LIVE_STATE_CONNECTING);
	session_start_janus(self);
	if (self->state == NHIP_LIVE_STATE_FAILED) {
		if (error != NULL)
			*error = g_error_copy(self->error);
		return FALSE;
	}
	return TRUE;
}

static void
session_finish_hang_up(NhipLiveSession *self)
{
	g_clear_handle_id(&self->hangup_id, g_source_remove);
	session_teardown(self);
	session_set_state(self, NHIP_LIVE_STATE_ENDED);
}

static gboolean
session_hangup_timeout_cb(gpointer data)
{
	NhipLiveSession *self = data;
	self->hangup_id = 0;
	g_info("the media server did not confirm the hang-up in time");
	session_finish_hang_up(self);
	return G_SOURCE_REMOVE;
}

static void
session_destroyed_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipLiveSession *self = data;
	g_autoptr(GError) error = NULL;

	if (!nhip_janus_client_destroy_finish(NHIP_JANUS_CLIENT(source), result, &error))
		g_info("hang-up not confirmed: %s", error->message);
	if (self->state != NHIP_LIVE_STATE_ENDED && self->state != NHIP_LIVE_STATE_FAILED)
		session_finish_hang_up(self);
	g_object_unref(self);
}

/**
 * nhip_live_session_hang_up:
 * @self: a session
 *
 * Leaves the room and ends the Janus session; the state becomes
 * %NHIP_LIVE_STATE_ENDED when Janus has confirmed (or after a few seconds).
 */
void
nhip_live_session_hang_up(NhipLiveSession *self)
{
	g_return_if_fail(NHIP_IS_LIVE_SESSION(self));

	if (self->state == NHIP_LIVE_STATE_ENDED || self->state == NHIP_LIVE_STATE_FAILED ||
	    self->hangup_id != 0)
		return;
	g_clear_handle_id(&self->restart_id, g_source_remove);
	if (self->janus == NULL || nhip_janus_client_get_session_id(self->janus) == 0) {
		session_finish_hang_up(self);
		return;
	}
	/* stop sending now; the other side sees us leave when the session goes */
	if (self->pipeline != NULL)
		gst_element_set_state(self->pipeline, GST_STATE_NULL);
	g_signal_handlers_disconnect_by_data(self->janus, self);
	self->hangup_id = g_timeout_add_seconds(HANGUP_TIMEOUT, session_hangup_timeout_cb, self);
	nhip_janus_client_destroy_async(self->janus, NULL, session_destroyed_cb,
					g_object_ref(self));
}

/**
 * nhip_live_session_set_muted:
 * @self: a session
 * @muted: whether the microphone is muted (silence is sent)
 */
void
nhip_live_session_set_muted(NhipLiveSession *self, gboolean muted)
{
	g_autoptr(GstElement) volume = NULL;

	g_return_if_fail(NHIP_IS_LIVE_SESSION(self));
	if (self->pipeline != NULL)
		volume = gst_bin_get_by_name(GST_BIN(self->pipeline), "mic");
	if (volume != NULL)
		g_object_set(volume, "mute", muted, NULL);
	if (self->muted != muted) {
		self->muted = muted;
		g_object_notify_by_pspec(G_OBJECT(self), props[PROP_MUTED]);
	}
}

gboolean
nhip_live_session_get_muted(NhipLiveSession *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), FALSE);
	return self->muted;
}

/**
 * nhip_live_session_set_camera_off:
 * @self: a session
 * @camera_off: whether to stop sending video (audio continues)
 */
void
nhip_live_session_set_camera_off(NhipLiveSession *self, gboolean camera_off)
{
	g_autoptr(GstElement) valve = NULL;
	gboolean drop = camera_off || self->rate.audio_only;

	g_return_if_fail(NHIP_IS_LIVE_SESSION(self));
	if (self->pipeline != NULL)
		valve = gst_bin_get_by_name(GST_BIN(self->pipeline), "vvalve");
	if (valve != NULL) {
		gboolean dropping = FALSE;
		g_object_get(valve, "drop", &dropping, NULL);
		g_object_set(valve, "drop", drop, NULL);
		if (dropping && !drop) {
			/* the receiver cannot decode anything before a key frame */
			g_autoptr(GstElement) encoder =
				gst_bin_get_by_name(GST_BIN(self->pipeline), "venc");
			g_autoptr(GstPad) pad = gst_element_get_static_pad(encoder, "sink");
			gst_pad_send_event(pad, gst_video_event_new_downstream_force_key_unit(
							GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE,
							GST_CLOCK_TIME_NONE, TRUE, 0));
		}
	}
	if (self->camera_off != camera_off) {
		self->camera_off = camera_off;
		g_object_notify_by_pspec(G_OBJECT(self), props[PROP_CAMERA_OFF]);
	}
}

gboolean
nhip_live_session_get_camera_off(NhipLiveSession *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), FALSE);
	return self->camera_off;
}

NhipLiveState
nhip_live_session_get_state(NhipLiveSession *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), NHIP_LIVE_STATE_FAILED);
	return self->state;
}

/**
 * nhip_live_session_get_error:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): why the session failed
 */
const GError *
nhip_live_session_get_error(NhipLiveSession *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), NULL);
	return self->error;
}

/**
 * nhip_live_session_get_stats:
 * @self: a session
 *
 * Returns: (transfer none): the figures of the last stats interval
 */
const NhipLiveSessionStats *
nhip_live_session_get_stats(NhipLiveSession *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), NULL);
	self->stats.frames_received = (guint64)g_atomic_int_get(&self->frames_received);
	self->stats.frames_sent = (guint64)g_atomic_int_get(&self->frames_sent);
	self->stats.first_frame_ms = g_atomic_int_get(&self->first_frame_ms);
	return &self->stats;
}

/**
 * nhip_live_session_get_descriptor:
 * @self: a session
 *
 * Returns: (transfer none): its descriptor
 */
const NhipLiveDescriptor *
nhip_live_session_get_descriptor(NhipLiveSession *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), NULL);
	return self->descriptor;
}

/**
 * nhip_live_session_get_remote_display:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the other participant's display name while they
 *   are in the room ("doctor:LOGIN")
 */
const gchar *
nhip_live_session_get_remote_display(NhipLiveSession *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_SESSION(self), NULL);
	return self->remote_display;
}

static void
nhip_live_session_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	NhipLiveSession *self = NHIP_LIVE_SESSION(object);

	switch (prop_id) {
	case PROP_DESCRIPTOR:
		g_value_set_boxed(value, self->descriptor);
		break;
	case PROP_VIDEO_SOURCE:
		g_value_set_string(value, self->video_source);
		break;
	case PROP_AUDIO_SOURCE:
		g_value_set_string(value, self->audio_source);
		break;
	case PROP_AUDIO_OUTPUT:
		g_value_set_string(value, self->audio_output);
		break;
	case PROP_CAMERA_DEVICE:
		g_value_set_string(value, self->camera_device);
		break;
	case PROP_MIN_BITRATE:
		g_value_set_int(value, self->min_bitrate);
		break;
	case PROP_STATS_INTERVAL:
		g_value_set_uint(value, self->stats_interval);
		break;
	case PROP_AUDIO_ONLY_AFTER:
		g_value_set_double(value, self->audio_only_after);
		break;
	case PROP_RECOVER_AFTER:
		g_value_set_double(value, self->recover_after);
		break;
	case PROP_STATE:
		g_value_set_enum(value, self->state);
		break;
	case PROP_MUTED:
		g_value_set_boolean(value, self->muted);
		break;
	case PROP_CAMERA_OFF:
		g_value_set_boolean(value, self->camera_off);
		break;
	case PROP_REMOTE_DISPLAY:
		g_value_set_string(value, self->remote_display);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
nhip_live_session_set_property(GObject *object,
			       guint prop_id,
			       const GValue *value,
			       GParamSpec *pspec)
{
	NhipLiveSession *self = NHIP_LIVE_SESSION(object);

	switch (prop_id) {
	case PROP_DESCRIPTOR:
		self->descriptor = g_value_dup_boxed(value);
		break;
	case PROP_VIDEO_SOURCE:
		g_free(self->video_source);
		self->video_source = g_value_dup_string(value);
		break;
	case PROP_AUDIO_SOURCE:
		g_free(self->audio_source);
		self->audio_source = g_value_dup_string(value);
		break;
	case PROP_AUDIO_OUTPUT:
		g_free(self->audio_output);
		self->audio_output = g_value_dup_string(value);
		break;
	case PROP_CAMERA_DEVICE:
		g_free(self->camera_device);
		self->camera_device = g_value_dup_string(value);
		break;
	case PROP_MIN_BITRATE:
		self->min_bitrate = g_value_get_int(value);
		break;
	case PROP_STATS_INTERVAL:
		self->stats_interval = g_value_get_uint(value);
		break;
	case PROP_AUDIO_ONLY_AFTER:
		self->audio_only_after = g_value_get_double(value);
		break;
	case PROP_RECOVER_AFTER:
		self->recover_after = g_value_get_double(value);
		break;
	case PROP_MUTED:
		nhip_live_session_set_muted(self, g_value_get_boolean(value));
		break;
	case PROP_CAMERA_OFF:
		nhip_live_session_set_camera_off(self, g_value_get_boolean(value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
nhip_live_session_dispose(GObject *object)
{
	NhipLiveSession *self = NHIP_LIVE_SESSION(object);

	g_clear_handle_id(&self->restart_id, g_source_remove);
	g_clear_handle_id(&self->hangup_id, g_source_remove);
	session_teardown(self);
	G_OBJECT_CLASS(nhip_live_session_parent_class)->dispose(object);
}

static void
nhip_live_session_finalize(GObject *object)
{
	NhipLiveSession *self = NHIP_LIVE_SESSION(object);

	nhip_live_descriptor_free(self->descriptor);
	g_free(self->video_source);
	g_free(self->audio_source);
	g_free(self->audio_output);
	g_free(self->camera_device);
	g_free(self->remote_display);
	g_clear_error(&self->error);
	g_ptr_array_unref(self->pub.early);
	g_ptr_array_unref(self->sub.early);
	g_mutex_clear(&self->branch_lock);
	g_hash_table_unref(self->ssrc_kinds);
	counters_unref(self->counters);
	G_OBJECT_CLASS(nhip_live_session_parent_class)->finalize(object);
}

static void
nhip_live_session_class_init(NhipLiveSessionClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	const GParamFlags construct =
		G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;

	object_class->get_property = nhip_live_session_get_property;
	object_class->set_property = nhip_live_session_set_property;
	object_class->dispose = nhip_live_session_dispose;
	object_class->finalize = nhip_live_session_finalize;

	props[PROP_DESCRIPTOR] = g_param_spec_boxed(
		"descriptor", NULL, NULL, NHIP_TYPE_LIVE_DESCRIPTOR,
		G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
	props[PROP_VIDEO_SOURCE] = g_param_spec_string(
		"video-source", NULL, "camera, test, motion or none", "camera", construct);
	props[PROP_AUDIO_SOURCE] =
		g_param_spec_string("audio-source", NULL, "test, ticks or mic", "mic", construct);
	props[PROP_AUDIO_OUTPUT] =
		g_param_spec_string("audio-output", NULL, "speaker or none", "speaker", construct);
	props[PROP_CAMERA_DEVICE] =
		g_param_spec_string("camera-device", NULL, NULL, "/dev/video0", construct);
	props[PROP_MIN_BITRATE] =
		g_param_spec_int("min-bitrate", NULL, NULL, 30000, 2000000, 150000, construct);
	props[PROP_STATS_INTERVAL] = g_param_spec_uint("stats-interval", NULL, "milliseconds", 100,
						       60000, 2000, construct);
	props[PROP_AUDIO_ONLY_AFTER] =
		g_param_spec_double("audio-only-after", NULL, "seconds", 1, 600, 10, construct);
	props[PROP_RECOVER_AFTER] =
		g_param_spec_double("recover-after", NULL, "seconds", 1, 600, 15, construct);
	props[PROP_STATE] =
		g_param_spec_enum("state", NULL, NULL, NHIP_TYPE_LIVE_STATE, NHIP_LIVE_STATE_IDLE,
				  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_MUTED] = g_param_spec_boolean("muted", NULL, NULL, FALSE,
						 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
	props[PROP_CAMERA_OFF] = g_param_spec_boolean("camera-off", NULL, NULL, FALSE,
						      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
	props[PROP_REMOTE_DISPLAY] = g_param_spec_string("remote-display", NULL, NULL, NULL,
							 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, N_PROPS, props);

	/**
	 * NhipLiveSession::remote-frame:
	 * @self: the session
	 * @width: pixels
	 * @height: pixels
	 * @stride: bytes per row
	 * @pixels: (transfer none): RGBA, 8 bits per channel
	 *
	 * A decoded frame of the other participant's video, on the main thread. Frames
	 * that arrive while one is still waiting for the main loop are skipped.
	 */
	signals[SIGNAL_REMOTE_FRAME] = g_signal_new(
		"remote-frame", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_BYTES);
	/**
	 * NhipLiveSession::local-frame:
	 * @self: the session
	 * @width: pixels
	 * @height: pixels
	 * @stride: bytes per row
	 * @pixels: (transfer none): RGBA
	 *
	 * A small frame of what the station's camera sends (the self view).
	 */
	signals[SIGNAL_LOCAL_FRAME] = g_signal_new(
		"local-frame", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_BYTES);
	/**
	 * NhipLiveSession::stats-updated:
	 * @self: the session
	 *
	 * New figures in nhip_live_session_get_stats(), every stats interval.
	 */
	signals[SIGNAL_STATS] =
		g_signal_new("stats-updated", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 0);
	/**
	 * NhipLiveSession::tick:
	 * @self: the session
	 * @remote: %FALSE for a click leaving our microphone, %TRUE for one heard from the
	 *   other side
	 * @at_ns: when, on the monotonic clock (nanoseconds)
	 *
	 * With the "ticks" audio source: the clicks, to estimate mouth-to-ear delay.
	 */
	signals[SIGNAL_TICK] =
		g_signal_new("tick", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			     NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_INT64);
}

static void
nhip_live_session_init(NhipLiveSession *self)
{
	self->state = NHIP_LIVE_STATE_IDLE;
	self->first_frame_ms = -1;
	self->reachable = TRUE;
	self->pub.early = g_ptr_array_new_with_free_func(candidate_free);
	self->sub.early = g_ptr_array_new_with_free_func(candidate_free);
	g_mutex_init(&self->branch_lock);
	self->ssrc_kinds = g_hash_table_new(g_direct_hash, g_direct_equal);
	self->counters = g_new0(Counters, 1);
	g_atomic_ref_count_init(&self->counters->ref);
	g_mutex_init(&self->counters->lock);
	nhip_live_rate_init(&self->rate, 150000, 300000);
}
