/*
 * Nhịp — libFuzzer target of the MLLP framer: the frames must not depend on how the bytes
 * were split.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nhip-hl7.h"
#include "nhip-hl7-fuzz.h"

#define FUZZ_MAX_FRAME 256

static GPtrArray *
fuzz_frames(const guint8 *data, gsize size, gsize chunk, guint *n_errors)
{
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(FUZZ_MAX_FRAME);
	GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	*n_errors = 0;
	for (gsize offset = 0; offset < size; offset += chunk) {
		g_autoptr(GError) error = NULL;
		gsize n = MIN(chunk, size - offset);
		if (!nhip_mllp_framer_feed(framer, data + offset, n, &error)) {
			nhip_fuzz_check(
				g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_FRAME),
				"only frame errors");
			(*n_errors)++;
		}
	}
	for (;;) {
		GBytes *frame = nhip_mllp_framer_pop(framer);
		if (frame == NULL)
			break;
		nhip_fuzz_check(g_bytes_get_size(frame) <= FUZZ_MAX_FRAME,
				"frame within the limit");
		nhip_fuzz_check(g_bytes_get_size(frame) == 0 ||
					memchr(g_bytes_get_data(frame, NULL), NHIP_MLLP_START_BLOCK,
					       g_bytes_get_size(frame)) == NULL,
				"no start block inside a frame");
		g_ptr_array_add(frames, frame);
	}
	return frames;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GPtrArray) whole = NULL;
	g_autoptr(GPtrArray) split = NULL;
	guint errors_whole = 0;
	guint errors_split = 0;
	gsize chunk = size > 0 ? (gsize)(data[0] % 7) + 1 : 1;

	whole = fuzz_frames(data, size, MAX(size, 1), &errors_whole);
	split = fuzz_frames(data, size, chunk, &errors_split);
	nhip_fuzz_check(whole->len == split->len, "same number of frames in any split");
	nhip_fuzz_check(errors_whole <= errors_split, "an error per chunk at most");
	for (guint i = 0; i < whole->len; i++)
		nhip_fuzz_check(
			g_bytes_equal(g_ptr_array_index(whole, i), g_ptr_array_index(split, i)),
			"same frames in any split");

	/* frames encode back to bytes that decode to the same frames */
	for (guint i = 0; i < whole->len; i++) {
		GBytes *frame = g_ptr_array_index(whole, i);
		g_autoptr(GBytes) encoded = nhip_mllp_framer_encode(g_bytes_get_data(frame, NULL),
								    g_bytes_get_size(frame));
		g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(FUZZ_MAX_FRAME);
		g_autoptr(GBytes) back = NULL;
		nhip_fuzz_check(nhip_mllp_framer_feed(framer, g_bytes_get_data(encoded, NULL),
						      g_bytes_get_size(encoded), NULL),
				"an encoded frame decodes");
		back = nhip_mllp_framer_pop(framer);
		nhip_fuzz_check(back != NULL && g_bytes_equal(back, frame), "encode then decode");
	}
	return 0;
}
