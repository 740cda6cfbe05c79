/*
 * Nhịp — MLLP framing (0x0B message 0x1C 0x0D): an incremental decoder without I/O.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-mllp-framer.h"

typedef enum {
	FRAMER_STATE_OUTSIDE,
	FRAMER_STATE_INSIDE,
	FRAMER_STATE_END_BLOCK,
} NhipMllpFramerState;

struct _NhipMllpFramer {
	GObject parent_instance;
	NhipMllpFramerState state;
	GByteArray *frame;
	gboolean overflow; /* the current frame passed the limit and is being skipped */
	gsize max_frame_size;
	GQueue frames; /* of GBytes */
	guint64 skipped_bytes;
	guint64 dropped_frames;
};

G_DEFINE_TYPE(NhipMllpFramer, nhip_mllp_framer, G_TYPE_OBJECT)

static void
nhip_mllp_framer_finalize(GObject *object)
{
	NhipMllpFramer *self = NHIP_MLLP_FRAMER(object);

	g_queue_clear_full(&self->frames, (GDestroyNotify)g_bytes_unref);
	g_byte_array_unref(self->frame);
	G_OBJECT_CLASS(nhip_mllp_framer_parent_class)->finalize(object);
}

static void
nhip_mllp_framer_class_init(NhipMllpFramerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = nhip_mllp_framer_finalize;
}

static void
nhip_mllp_framer_init(NhipMllpFramer *self)
{
	self->frame = g_byte_array_new();
	self->max_frame_size = NHIP_MLLP_DEFAULT_MAX_FRAME_SIZE;
	g_queue_init(&self->frames);
}

/**
 * nhip_mllp_framer_new:
 * @max_frame_size: the largest payload accepted, or 0 for
 *   %NHIP_MLLP_DEFAULT_MAX_FRAME_SIZE
 *
 * Creates a decoder of an MLLP byte stream. Feed it bytes as they arrive, in any split, with
 * nhip_mllp_framer_feed() and take complete messages with nhip_mllp_framer_pop().
 *
 * Returns: (transfer full): a new framer
 */
NhipMllpFramer *
nhip_mllp_framer_new(gsize max_frame_size)
{
	NhipMllpFramer *self = g_object_new(NHIP_TYPE_MLLP_FRAMER, NULL);
	if (max_frame_size > 0)
		self->max_frame_size = max_frame_size;
	return self;
}

static void
framer_append(NhipMllpFramer *self, const guint8 *data, gsize length)
{
	if (self->overflow)
		return;
	if (self->frame->len + length > self->max_frame_size) {
		self->overflow = TRUE;
		g_byte_array_set_size(self->frame, 0);
		return;
	}
	g_byte_array_append(self->frame, data, (guint)length);
}

/* a start block inside a frame: the sender gave up on the frame and began another */
static void
framer_restart(NhipMllpFramer *self)
{
	self->skipped_bytes += self->frame->len + 1;
	self->dropped_frames++;
	g_debug("MLLP frame restarted after %u bytes; dropping the partial frame",
		self->frame->len);
	g_byte_array_set_size(self->frame, 0);
	self->overflow = FALSE;
}

static void
framer_complete(NhipMllpFramer *self, GError **error_first)
{
	if (self->overflow) {
		self->dropped_frames++;
		if (error_first != NULL && *error_first == NULL) {
			g_set_error(error_first, NHIP_HL7_ERROR, NHIP_HL7_ERROR_FRAME,
				    _("an MLLP frame larger than %zu bytes was "
				      "dropped; raise the frame-size limit if the sender really "
				      "sends such large messages"),
				    self->max_frame_size);
		}
	} else {
		g_queue_push_tail(&self->frames, g_byte_array_free_to_bytes(self->frame));
		self->frame = g_byte_array_new();
	}
	g_byte_array_set_size(self->frame, 0);
	self->overflow = FALSE;
}

/**
 * nhip_mllp_framer_feed:
 * @self: a framer
 * @data: (array length=length): received bytes
 * @length: length of @data
 * @error: return location for a #GError
 *
 * Decodes received bytes. Bytes outside frames are skipped and counted (see
 * nhip_mllp_framer_get_skipped_bytes()); a frame interrupted by a new start block is
 * dropped; a frame that ends with 0x1C but no 0x0D before the next start block is accepted.
 * All of @data is decoded even when an error is reported, so complete frames can still be
 * taken with nhip_mllp_framer_pop().
 *
 * Returns: %FALSE if a frame larger than the limit was dropped
 */
gboolean
nhip_mllp_framer_feed(NhipMllpFramer *self, const guint8 *data, gsize length, GError **error)
{
	const guint8 *p = data;
	const guint8 *end = data + length;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(NHIP_IS_MLLP_FRAMER(self), FALSE);
	g_return_val_if_fail(data != NULL || length == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	while (p < end) {
		switch (self->state) {
		case FRAMER_STATE_OUTSIDE: {
			const guint8 *start = memchr(p, NHIP_MLLP_START_BLOCK, (gsize)(end - p));
			if (start == NULL) {
				self->skipped_bytes += (guint64)(end - p);
				p = end;
				break;
			}
			self->skipped_bytes += (guint64)(start - p);
			self->state = FRAMER_STATE_INSIDE;
			p = start + 1;
			break;
		}
		case FRAMER_STATE_INSIDE: {
			const guint8 *run = p;
			while (p < end && *p != NHIP_MLLP_END_BLOCK && *p != NHIP_MLLP_START_BLOCK)
				p++;
			framer_append(self, run, (gsize)(p - run));
			if (p == end)
				break;
			if (*p == NHIP_MLLP_START_BLOCK)
				framer_restart(self);
			else
				self->state = FRAMER_STATE_END_BLOCK;
			p++;
			break;
		}
		case FRAMER_STATE_END_BLOCK: {
			static const guint8 end_block = NHIP_MLLP_END_BLOCK;
			if (*p == NHIP_MLLP_CARRIAGE_RETURN) {
				framer_complete(self, &error_local);
				self->state = FRAMER_STATE_OUTSIDE;
				p++;
			} else if (*p == NHIP_MLLP_START_BLOCK) {
				/* a sender that omits the CR */
				framer_complete(self, &error_local);
				self->state = FRAMER_STATE_INSIDE;
				p++;
			} else {
				/* a lone 0x1C is data */
				framer_append(self, &end_block, 1);
				self->state = FRAMER_STATE_INSIDE;
			}
			break;
		}
		default:
			g_assert_not_reached();
		}
	}
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_mllp_framer_pop:
 * @self: a framer
 *
 * Takes the oldest complete frame.
 *
 * Returns: (transfer full) (nullable): the payload of a frame, without the framing bytes,
 *   or %NULL when no frame is complete
 */
GBytes *
nhip_mllp_framer_pop(NhipMllpFramer *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_FRAMER(self), NULL);
	return g_queue_pop_head(&self->frames);
}

/**
 * nhip_mllp_framer_get_n_pending:
 * @self: a framer
 *
 * Returns: the number of complete frames not yet taken
 */
guint
nhip_mllp_framer_get_n_pending(NhipMllpFramer *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_FRAMER(self), 0);
	return g_queue_get_length(&self->frames);
}

/**
 * nhip_mllp_framer_is_idle:
 * @self: a framer
 *
 * Returns: %TRUE when no frame is partly received
 */
gboolean
nhip_mllp_framer_is_idle(NhipMllpFramer *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_FRAMER(self), TRUE);
	return self->state == FRAMER_STATE_OUTSIDE;
}

/**
 * nhip_mllp_framer_get_skipped_bytes:
 * @self: a framer
 *
 * Returns: how many bytes were skipped because they were outside any frame or in a frame
 *   that was interrupted
 */
guint64
nhip_mllp_framer_get_skipped_bytes(NhipMllpFramer *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_FRAMER(self), 0);
	return self->skipped_bytes;
}

/**
 * nhip_mllp_framer_get_dropped_frames:
 * @self: a framer
 *
 * Returns: how many frames were dropped, because they were interrupted by a new start block
 *   or larger than the limit
 */
guint64
nhip_mllp_framer_get_dropped_frames(NhipMllpFramer *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_FRAMER(self), 0);
	return self->dropped_frames;
}

/**
 * nhip_mllp_framer_reset:
 * @self: a framer
 *
 * Forgets the partly received frame and the complete frames not yet taken, for example
 * after the connection broke.
 */
void
nhip_mllp_framer_reset(NhipMllpFramer *self)
{
	g_return_if_fail(NHIP_IS_MLLP_FRAMER(self));
	g_queue_clear_full(&self->frames, (GDestroyNotify)g_bytes_unref);
	g_queue_init(&self->frames);
	g_byte_array_set_size(self->frame, 0);
	self->overflow = FALSE;
	self->state = FRAMER_STATE_OUTSIDE;
}

/**
 * nhip_mllp_framer_encode:
 * @data: (array length=length): a message
 * @length: length of @data
 *
 * Wraps a message in an MLLP frame.
 *
 * Returns: (transfer full): 0x0B, @data, 0x1C 0x0D
 */
GBytes *
nhip_mllp_framer_encode(const guint8 *data, gsize length)
{
	static const guint8 start[] = { NHIP_MLLP_START_BLOCK };
	static const guint8 end[] = { NHIP_MLLP_END_BLOCK, NHIP_MLLP_CARRIAGE_RETURN };
	GByteArray *frame;

	g_return_val_if_fail(data != NULL || length == 0, NULL);
	g_return_val_if_fail(length <= G_MAXUINT - 3, NULL);

	frame = g_byte_array_sized_new((guint)length + 3);
	g_byte_array_append(frame, start, sizeof(start));
	if (length > 0)
		g_byte_array_append(frame, data, (guint)length);
	g_byte_array_append(frame, end, sizeof(end));
	return g_byte_array_free_to_bytes(frame);
}
