/*
 * Nhịp — libFuzzer target of an update bundle's manifest.json
 * (nhip_update_manifest_parse()). The station parses it only after the vendor's signature
 * verified, but a vendor bug must not crash the station. What parses is written back and
 * must parse to the same JSON again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nhip-ops-error.h"
#include "nhip-update.h"

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
	g_autoptr(NhipUpdateManifest) manifest = nhip_update_manifest_parse(input, &error);
	g_autoptr(GBytes) json1 = NULL;
	g_autoptr(GBytes) json2 = NULL;
	g_autoptr(NhipUpdateManifest) again = NULL;

	if (manifest == NULL) {
		fuzz_check(error != NULL && error->domain == NHIP_OPS_ERROR &&
				   error->code == NHIP_OPS_ERROR_DAMAGED,
			   "refused as damaged");
		return 0;
	}
	for (guint i = 0; i < manifest->packages->len; i++) {
		NhipUpdatePackage *package = g_ptr_array_index(manifest->packages, i);
		fuzz_check(strchr(package->file, '/') == NULL &&
				   g_str_has_suffix(package->file, ".deb"),
			   "a plain .deb name");
	}
	json1 = nhip_update_manifest_to_json(manifest);
	again = nhip_update_manifest_parse(json1, &error);
	fuzz_check(again != NULL, "written back, it parses");
	json2 = nhip_update_manifest_to_json(again);
	fuzz_check(g_bytes_equal(json1, json2), "and writes the same");
	return 0;
}
