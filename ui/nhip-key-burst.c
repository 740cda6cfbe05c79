/*
 * Nhịp — telling a keyboard-wedge scanner's typing from a person's.
 *
 * A USB QR scanner presents itself as a keyboard and types the code's text, then Enter,
 * far faster than anyone types. The kiosk feeds every typed character and its time to a
 * NhipKeyBurst; a run of characters each following the last within the gap, ended by
 * Enter, long enough, is a scan. The window decides what to do with its text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-key-burst.h"

struct _NhipKeyBurst {
	gint64 max_gap_us;
	guint min_chars;
	GString *text;
	guint n_chars;
	gint64 last_us;
};

/**
 * nhip_key_burst_new:
 * @max_gap_us: the longest pause between two characters of one scan, in microseconds
 * @min_chars: the fewest characters a scan has
 *
 * Returns: (transfer full): a detector
 */
NhipKeyBurst *
nhip_key_burst_new(gint64 max_gap_us, guint min_chars)
{
	NhipKeyBurst *self = g_new0(NhipKeyBurst, 1);

	self->max_gap_us = max_gap_us;
	self->min_chars = MAX(min_chars, 2);
	self->text = g_string_new(NULL);
	return self;
}

/**
 * nhip_key_burst_free:
 * @self: (nullable): a detector
 */
void
nhip_key_burst_free(NhipKeyBurst *self)
{
	if (self == NULL)
		return;
	g_string_free(self->text, TRUE);
	g_free(self);
}

/**
 * nhip_key_burst_reset:
 * @self: a detector
 *
 * Forgets the characters seen so far.
 */
void
nhip_key_burst_reset(NhipKeyBurst *self)
{
	g_string_truncate(self->text, 0);
	self->n_chars = 0;
	self->last_us = 0;
}

/**
 * nhip_key_burst_feed_char:
 * @self: a detector
 * @c: a typed character
 * @time_us: when it was typed, on a monotonic clock
 *
 * Returns: %TRUE when @c starts a new run (the text typed before it belongs to someone
 * else), so the caller can remember what the focused field held before it
 */
gboolean
nhip_key_burst_feed_char(NhipKeyBurst *self, gunichar c, gint64 time_us)
{
	gboolean starts = self->n_chars == 0 || time_us - self->last_us > self->max_gap_us ||
			  time_us < self->last_us;

	if (starts)
		nhip_key_burst_reset(self);
	g_string_append_unichar(self->text, c);
	self->n_chars++;
	self->last_us = time_us;
	return starts;
}

/**
 * nhip_key_burst_is_scanning:
 * @self: a detector
 *
 * Returns: %TRUE when the current run is already long and fast enough to be a scan
 */
gboolean
nhip_key_burst_is_scanning(NhipKeyBurst *self)
{
	return self->n_chars >= self->min_chars;
}

/**
 * nhip_key_burst_feed_enter:
 * @self: a detector
 * @time_us: when Enter was pressed, on the same clock
 *
 * Ends the current run.
 *
 * Returns: (transfer full) (nullable): the scanned text when the run was a scan, else
 * %NULL
 */
gchar *
nhip_key_burst_feed_enter(NhipKeyBurst *self, gint64 time_us)
{
	gchar *text = NULL;

	/* some scanners pause a little before the Enter they add at the end */
	if (self->n_chars >= self->min_chars && time_us >= self->last_us &&
	    time_us - self->last_us <= 4 * self->max_gap_us)
		text = g_strdup(self->text->str);
	nhip_key_burst_reset(self);
	return text;
}
