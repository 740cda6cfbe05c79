/*
 * Nhịp — MLLP framing (0x0B message 0x1C 0x0D): an incremental decoder without I/O.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-hl7-error.h"

G_BEGIN_DECLS

/**
 * NHIP_MLLP_START_BLOCK:
 *
 * The byte that opens an MLLP frame (vertical tab).
 */
#define NHIP_MLLP_START_BLOCK 0x0B
/**
 * NHIP_MLLP_END_BLOCK:
 *
 * The first of the two bytes that close an MLLP frame (file separator).
 */
#define NHIP_MLLP_END_BLOCK 0x1C
/**
 * NHIP_MLLP_CARRIAGE_RETURN:
 *
 * The second of the two bytes that close an MLLP frame.
 */
#define NHIP_MLLP_CARRIAGE_RETURN 0x0D

/**
 * NHIP_MLLP_DEFAULT_MAX_FRAME_SIZE:
 *
 * Default limit of one frame's payload, in bytes.
 */
#define NHIP_MLLP_DEFAULT_MAX_FRAME_SIZE (4u * 1024u * 1024u)

/**
 * NhipMllpFramer:
 *
 * A decoder of an MLLP byte stream without I/O: bytes in any split in, message payloads out.
 */
#define NHIP_TYPE_MLLP_FRAMER (nhip_mllp_framer_get_type())
G_DECLARE_FINAL_TYPE(NhipMllpFramer, nhip_mllp_framer, NHIP, MLLP_FRAMER, GObject)

NhipMllpFramer *nhip_mllp_framer_new(gsize max_frame_size) G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_mllp_framer_feed(NhipMllpFramer *self, const guint8 *data, gsize length, GError **error);
GBytes *nhip_mllp_framer_pop(NhipMllpFramer *self) G_GNUC_WARN_UNUSED_RESULT;
guint nhip_mllp_framer_get_n_pending(NhipMllpFramer *self);
gboolean nhip_mllp_framer_is_idle(NhipMllpFramer *self);
guint64 nhip_mllp_framer_get_skipped_bytes(NhipMllpFramer *self);
guint64 nhip_mllp_framer_get_dropped_frames(NhipMllpFramer *self);
void nhip_mllp_framer_reset(NhipMllpFramer *self);

GBytes *nhip_mllp_framer_encode(const guint8 *data, gsize length) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
