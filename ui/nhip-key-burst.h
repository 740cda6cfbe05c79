/*
 * Nhịp — telling a keyboard-wedge scanner's typing from a person's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a scanner types a character every 1–20 ms; people rarely keep under 50 ms for long */
#define NHIP_KEY_BURST_MAX_GAP_US (50 * 1000)
#define NHIP_KEY_BURST_MIN_CHARS  20

typedef struct _NhipKeyBurst NhipKeyBurst;

NhipKeyBurst *nhip_key_burst_new(gint64 max_gap_us, guint min_chars);
void nhip_key_burst_free(NhipKeyBurst *self);
gboolean nhip_key_burst_feed_char(NhipKeyBurst *self, gunichar c, gint64 time_us);
gchar *nhip_key_burst_feed_enter(NhipKeyBurst *self, gint64 time_us) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_key_burst_is_scanning(NhipKeyBurst *self);
void nhip_key_burst_reset(NhipKeyBurst *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipKeyBurst, nhip_key_burst_free)

G_END_DECLS
