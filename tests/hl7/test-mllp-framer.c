/*
 * Nhịp — tests of the MLLP framer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-hl7.h"

static const gchar *const messages[] = {
	"MSH|^~\\&|A||B||20240101||ORU^R01|1|P|2.5.1\rPID|1||NGUYỄN THỊ ĐÀO\r",
	"MSH|^~\\&|A||B||20240101||ADT^A04|2|P|2.5.1\rPID|1||Xã Tân Hòa\r",
	"MSH|^~\\&|A||B||20240101||ACK|3|P|2.5.1\rMSA|AA|2\r",
};

/* the three messages framed, with garbage between frames */
static GByteArray *
build_stream(gsize *garbage)
{
	GByteArray *stream = g_byte_array_new();
	const gchar *noise[] = { "\r\n", "junk", "" };

	*garbage = 0;
	for (guint i = 0; i < G_N_ELEMENTS(messages); i++) {
		g_autoptr(GBytes) frame =
			nhip_mllp_framer_encode((const guint8 *)messages[i], strlen(messages[i]));
		g_byte_array_append(stream, g_bytes_get_data(frame, NULL),
				    (guint)g_bytes_get_size(frame));
		g_byte_array_append(stream, (const guint8 *)noise[i], (guint)strlen(noise[i]));
		*garbage += strlen(noise[i]);
	}
	return stream;
}

static void
assert_frames(NhipMllpFramer *framer)
{
	for (guint i = 0; i < G_N_ELEMENTS(messages); i++) {
		g_autoptr(GBytes) frame = nhip_mllp_framer_pop(framer);
		g_assert_nonnull(frame);
		g_assert_cmpmem(g_bytes_get_data(frame, NULL), g_bytes_get_size(frame), messages[i],
				strlen(messages[i]));
	}
	g_assert_null(nhip_mllp_framer_pop(framer));
}

static void
test_encode(void)
{
	g_autoptr(GBytes) frame = nhip_mllp_framer_encode((const guint8 *)"MSH|x", 5);
	g_autoptr(GBytes) empty = nhip_mllp_framer_encode(NULL, 0);

	g_assert_cmpmem(g_bytes_get_data(frame, NULL), g_bytes_get_size(frame), "\x0bMSH|x\x1c\r",
			8);
	g_assert_cmpmem(g_bytes_get_data(empty, NULL), g_bytes_get_size(empty), "\x0b\x1c\r", 3);
}

static void
test_whole(void)
{
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(0);
	g_autoptr(GByteArray) stream = NULL;
	g_autoptr(GError) error = NULL;
	gsize garbage = 0;

	stream = build_stream(&garbage);
	g_assert_true(nhip_mllp_framer_feed(framer, stream->data, stream->len, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_mllp_framer_get_n_pending(framer), ==, 3);
	g_assert_true(nhip_mllp_framer_is_idle(framer));
	g_assert_cmpuint(nhip_mllp_framer_get_skipped_bytes(framer), ==, garbage);
	assert_frames(framer);
}

static void
test_byte_by_byte(void)
{
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(0);
	g_autoptr(GByteArray) stream = NULL;
	gsize garbage = 0;

	stream = build_stream(&garbage);
	for (guint i = 0; i < stream->len; i++) {
		g_assert_true(nhip_mllp_framer_feed(framer, stream->data + i, 1, NULL));
		/* the first frame is complete exactly after its CR */
		if (i + 1 < strlen(messages[0]) + 3)
			g_assert_cmpuint(nhip_mllp_framer_get_n_pending(framer), ==, 0);
		else if (i + 1 == strlen(messages[0]) + 3)
			g_assert_cmpuint(nhip_mllp_framer_get_n_pending(framer), ==, 1);
	}
	g_assert_cmpuint(nhip_mllp_framer_get_skipped_bytes(framer), ==, garbage);
	assert_frames(framer);
}

static void
test_random_splits(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(1337);
	g_autoptr(GByteArray) stream = NULL;
	gsize garbage = 0;

	stream = build_stream(&garbage);
	for (guint round = 0; round < 500; round++) {
		g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(0);
		guint offset = 0;
		while (offset < stream->len) {
			guint n = (guint)g_rand_int_range(rand, 0, 40);
			n = MIN(n, stream->len - offset);
			g_assert_true(
				nhip_mllp_framer_feed(framer, stream->data + offset, n, NULL));
			offset += n;
		}
		g_assert_cmpuint(nhip_mllp_framer_get_skipped_bytes(framer), ==, garbage);
		assert_frames(framer);
	}
}

static void
test_garbage_and_resync(void)
{
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(0);
	/* garbage, a frame cut short by a new start block, a frame without CR, a good frame */
	const guint8 input[] = "xx\x0bMSH|cut\x0bMSH|one\x1c\x0bMSH|two\x1c\rtail\x0bpartial";
	g_autoptr(GBytes) one = NULL;
	g_autoptr(GBytes) two = NULL;

	g_assert_true(nhip_mllp_framer_feed(framer, input, sizeof(input) - 1, NULL));
	one = nhip_mllp_framer_pop(framer);
	two = nhip_mllp_framer_pop(framer);
	g_assert_cmpmem(g_bytes_get_data(one, NULL), g_bytes_get_size(one), "MSH|one", 7);
	g_assert_cmpmem(g_bytes_get_data(two, NULL), g_bytes_get_size(two), "MSH|two", 7);
	g_assert_null(nhip_mllp_framer_pop(framer));
	g_assert_false(nhip_mllp_framer_is_idle(framer));
	g_assert_cmpuint(nhip_mllp_framer_get_dropped_frames(framer), ==, 1);
	/* "xx", the cut frame with its start block, and "tail" */
	g_assert_cmpuint(nhip_mllp_framer_get_skipped_bytes(framer), ==, 2 + 8 + 4);

	nhip_mllp_framer_reset(framer);
	g_assert_true(nhip_mllp_framer_is_idle(framer));
	g_assert_true(nhip_mllp_framer_feed(framer, (const guint8 *)"\x0bok\x1c\r", 5, NULL));
	g_assert_cmpuint(nhip_mllp_framer_get_n_pending(framer), ==, 1);
}

static void
test_lone_end_block(void)
{
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(0);
	const guint8 input[] = "\x0b"
			       "a\x1c"
			       "b\x1c\x1c\r";
	g_autoptr(GBytes) frame = NULL;

	g_assert_true(nhip_mllp_framer_feed(framer, input, sizeof(input) - 1, NULL));
	frame = nhip_mllp_framer_pop(framer);
	g_assert_cmpmem(g_bytes_get_data(frame, NULL), g_bytes_get_size(frame),
			"a\x1c"
			"b\x1c",
			4);
}

static void
test_size_limit(void)
{
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(16);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) frame = NULL;
	const guint8 input[] = "\x0b"
			       "0123456789abcdefXYZ\x1c\r\x0bsmall\x1c\r";

	/* the large frame is dropped, the next one still arrives */
	g_assert_false(nhip_mllp_framer_feed(framer, input, sizeof(input) - 1, &error));
	g_assert_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_FRAME);
	g_assert_nonnull(strstr(error->message, "16 bytes"));
	frame = nhip_mllp_framer_pop(framer);
	g_assert_cmpmem(g_bytes_get_data(frame, NULL), g_bytes_get_size(frame), "small", 5);
	g_assert_cmpuint(nhip_mllp_framer_get_dropped_frames(framer), ==, 1);
	g_clear_error(&error);

	/* the same, byte by byte: the error comes with the end of the frame */
	for (gsize i = 0; i < sizeof(input) - 1; i++) {
		gboolean ok = nhip_mllp_framer_feed(framer, input + i, 1, &error);
		g_assert_true(ok == (i != 21));
		if (!ok)
			g_clear_error(&error);
	}
	g_clear_pointer(&frame, g_bytes_unref);
	frame = nhip_mllp_framer_pop(framer);
	g_assert_cmpmem(g_bytes_get_data(frame, NULL), g_bytes_get_size(frame), "small", 5);

	/* exactly at the limit is fine */
	g_assert_true(nhip_mllp_framer_feed(framer,
					    (const guint8 *)"\x0b"
							    "0123456789abcdef\x1c\r",
					    19, NULL));
	g_assert_cmpuint(nhip_mllp_framer_get_n_pending(framer), ==, 1);
}

static void
test_binary_garbage(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(99);

	for (guint round = 0; round < 200; round++) {
		g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(64);
		guint8 buf[512];
		gsize total = 0;
		for (gsize i = 0; i < sizeof(buf); i++) {
			/* make the framing bytes frequent */
			guint r = (guint)g_rand_int_range(rand, 0, 8);
			buf[i] = r == 0	  ? 0x0b
				 : r == 1 ? 0x1c
				 : r == 2 ? 0x0d
					  : (guint8)g_rand_int_range(rand, 0, 256);
		}
		nhip_mllp_framer_feed(framer, buf, sizeof(buf), NULL);
		for (;;) {
			g_autoptr(GBytes) frame = nhip_mllp_framer_pop(framer);
			if (frame == NULL)
				break;
			g_assert_cmpuint(g_bytes_get_size(frame), <=, 64);
			if (g_bytes_get_size(frame) > 0)
				g_assert_null(memchr(g_bytes_get_data(frame, NULL), 0x0b,
						     g_bytes_get_size(frame)));
			total += g_bytes_get_size(frame);
		}
		g_assert_cmpuint(total, <=, sizeof(buf));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/hl7/mllp/framer/encode", test_encode);
	g_test_add_func("/hl7/mllp/framer/whole", test_whole);
	g_test_add_func("/hl7/mllp/framer/byte-by-byte", test_byte_by_byte);
	g_test_add_func("/hl7/mllp/framer/random-splits", test_random_splits);
	g_test_add_func("/hl7/mllp/framer/garbage-and-resync", test_garbage_and_resync);
	g_test_add_func("/hl7/mllp/framer/lone-end-block", test_lone_end_block);
	g_test_add_func("/hl7/mllp/framer/size-limit", test_size_limit);
	g_test_add_func("/hl7/mllp/framer/binary-garbage", test_binary_garbage);
	return g_test_run();
}
