/*
 * Nhịp — AIMD video bitrate control with an audio-only fallback.
 *
 * Every stats interval (2 s): the link is *congested* when more than 10 % of our packets
 * were lost or the round-trip time rose by more than half over the best seen (a queue
 * filling up at a bottleneck — on a rate-limited cellular link the delay grows before
 * anything is dropped); it is *clear* under 2 % loss with the round-trip time near its
 * best. Congested: −30 %. Clear two intervals in a row: +10 %. Otherwise: hold. Clamped
 * to [min, max]. (Receiver reports come about once a second per stream, so one interval
 * of a saturated link can look clear between two that do not: one clear interval is not
 * enough to grow, and does not wipe out the time spent congested either.)
 *
 * At the minimum and congested for @audio_only_after seconds (an interval that is not
 * congested takes back half its length), video stops; the
 * audio keeps going and its reports keep telling how the link is. After @recover_after
 * seconds of a clear link video comes back at the minimum; when that fails again within
 * a minute, the next attempt waits twice as long.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-live-rate.h"

#define LOSS_CONGESTED	 0.10
#define LOSS_CLEAR	 0.02
#define RTT_GROWTH	 1.5
#define RTT_SLACK	 0.03 /* seconds: jitter that is no queue */
#define DECREASE	 0.7
#define INCREASE	 1.1
#define RECOVER_WAIT_MAX 8.0 /* times @recover_after */
#define VIDEO_SETTLED	 60.0
#define NEAR_FLOOR	 1.35 /* three increases above the minimum */

/**
 * nhip_live_rate_init:
 * @self: a controller
 * @min_bitrate: the lowest video bitrate (bit/s)
 * @max_bitrate: the highest; the controller starts there
 */
void
nhip_live_rate_init(NhipLiveRate *self, gint min_bitrate, gint max_bitrate)
{
	*self = (NhipLiveRate){ 0 };
	self->min_bitrate = MAX(min_bitrate, 1000);
	self->max_bitrate = MAX(max_bitrate, self->min_bitrate);
	self->bitrate = self->max_bitrate;
	self->audio_only_after = 10;
	self->recover_after = 15;
	self->recover_wait = self->recover_after;
	self->base_rtt = -1;
}

static void
rate_track_rtt(NhipLiveRate *self, gdouble rtt)
{
	if (rtt < 0)
		return;
	if (self->base_rtt < 0 || rtt < self->base_rtt)
		self->base_rtt = rtt;
	else
		/* routes change: let the baseline follow a lasting rise, slowly */
		self->base_rtt += (rtt - self->base_rtt) * 0.02;
}

/**
 * nhip_live_rate_update:
 * @self: a controller
 * @interval: seconds since the last update
 * @fraction_lost: the share of packets the far end lost (0…1), < 0 when not known yet
 * @rtt: the round-trip time in seconds, < 0 when not known yet
 *
 * Returns: what to change; @self->bitrate holds the new target
 */
NhipLiveRateAction
nhip_live_rate_update(NhipLiveRate *self, gdouble interval, gdouble fraction_lost, gdouble rtt)
{
	gboolean congested;
	gboolean clear;
	gboolean rtt_high;

	if (fraction_lost < 0 && rtt < 0)
		return NHIP_LIVE_RATE_KEEP;
	rtt_high = rtt >= 0 && self->base_rtt >= 0 && rtt > self->base_rtt * RTT_GROWTH + RTT_SLACK;
	congested = fraction_lost > LOSS_CONGESTED || rtt_high;
	clear = fraction_lost >= 0 && fraction_lost < LOSS_CLEAR && !rtt_high &&
		(rtt < 0 || self->base_rtt < 0 || rtt <= self->base_rtt * 1.25 + RTT_SLACK);
	/* the baseline is the uncongested delay: do not learn it from a filling queue */
	if (!congested)
		rate_track_rtt(self, rtt);

	if (self->audio_only) {
		self->good_seconds = clear ? self->good_seconds + interval : 0;
		if (self->good_seconds < self->recover_wait)
			return NHIP_LIVE_RATE_KEEP;
		self->audio_only = FALSE;
		self->good_seconds = 0;
		self->poor_seconds = 0;
		self->video_seconds = 0;
		self->clear_streak = 0;
		self->bitrate = self->min_bitrate;
		return NHIP_LIVE_RATE_VIDEO;
	}

	self->video_seconds += interval;
	if (self->video_seconds >= VIDEO_SETTLED)
		self->recover_wait = self->recover_after;
	if (congested) {
		gint bitrate = MAX((gint)(self->bitrate * DECREASE), self->min_bitrate);

		self->clear_streak = 0;
		/* still congested at or near the floor: the link cannot carry video. Receiver
		 * reports come in bursts, so one clear interval between them does not count
		 * as recovery (see the decay below) */
		if (self->bitrate <= self->min_bitrate * NEAR_FLOOR)
			self->poor_seconds += interval;
		if (self->poor_seconds >= self->audio_only_after) {
			/* a return to video that did not last: wait longer next time */
			if (self->switches > 0 && self->video_seconds < VIDEO_SETTLED)
				self->recover_wait = MIN(self->recover_wait * 2,
							 self->recover_after * RECOVER_WAIT_MAX);
			self->audio_only = TRUE;
			self->switches++;
			self->poor_seconds = 0;
			self->good_seconds = 0;
			return NHIP_LIVE_RATE_AUDIO_ONLY;
		}
		if (bitrate == self->bitrate)
			return NHIP_LIVE_RATE_KEEP;
		self->bitrate = bitrate;
		return NHIP_LIVE_RATE_BITRATE;
	}
	if (clear)
		self->poor_seconds = MAX(self->poor_seconds - interval / 4, 0);
	self->clear_streak = clear ? self->clear_streak + 1 : 0;
	if (self->clear_streak >= 2 && self->bitrate < self->max_bitrate) {
		self->bitrate = MIN((gint)(self->bitrate * INCREASE) + 1, self->max_bitrate);
		return NHIP_LIVE_RATE_BITRATE;
	}
	return NHIP_LIVE_RATE_KEEP;
}
