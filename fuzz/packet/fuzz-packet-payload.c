/*
 * Nhịp — libFuzzer target of what lies inside a verified signature: the ustar archive,
 * the manifest and the hash checks (nhipi_packet_parse_payload()). A signer is trusted
 * but a bug on the station must not crash the hub. What parses is written back and must
 * parse to the same manifest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "nhip-packet-private.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
fuzz_check(gboolean condition, const gchar *what)
{
	if (!condition) {
		g_printerr("invariant broken: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GBytes) input = g_bytes_new(data, size);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketContents) contents = nhipi_packet_parse_payload(input, &error);
	g_autoptr(GBytes) again = NULL;
	g_autoptr(NhipPacketContents) reparsed = NULL;
	g_autoptr(GBytes) json1 = NULL;
	g_autoptr(GBytes) json2 = NULL;

	if (contents == NULL) {
		fuzz_check(error != NULL && error->domain == NHIP_PACKET_ERROR,
			   "refused with a packet error");
		return 0;
	}
	fuzz_check(contents->body != NULL, "a body");
	fuzz_check(contents->attachments->len + 1 == contents->manifest->files->len,
		   "every file listed once");
	/* round trip: the archive written from what was read reads the same */
	again = nhipi_packet_build_tar(contents->manifest, contents->body, contents->attachments,
				       FALSE, &error);
	fuzz_check(again != NULL, "what was read can be written");
	reparsed = nhipi_packet_parse_payload(again, &error);
	fuzz_check(reparsed != NULL, "what was written reads back");
	json1 = nhipi_manifest_to_json(contents->manifest);
	json2 = nhipi_manifest_to_json(reparsed->manifest);
	fuzz_check(g_bytes_equal(json1, json2), "the same manifest");
	return 0;
}
