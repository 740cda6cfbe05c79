/*
 * Nhịp — libFuzzer target of a backup's manifest.json (nhip_backup_manifest_parse()): read
 * from a USB stick before anything is decrypted. What parses is written back and must parse
 * to the same JSON again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "nhip-backup.h"
#include "nhip-ops-error.h"

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
	g_autoptr(NhipBackupManifest) manifest = nhip_backup_manifest_parse(input, &error);
	g_autoptr(GBytes) json1 = NULL;
	g_autoptr(GBytes) json2 = NULL;
	g_autoptr(NhipBackupManifest) again = NULL;

	if (manifest == NULL) {
		fuzz_check(error != NULL && error->domain == NHIP_OPS_ERROR &&
				   error->code == NHIP_OPS_ERROR_DAMAGED,
			   "refused as damaged");
		return 0;
	}
	fuzz_check(nhip_backup_manifest_lookup(manifest, "nhip.db") != NULL, "the database");
	json1 = nhip_backup_manifest_to_json(manifest);
	again = nhip_backup_manifest_parse(json1, &error);
	fuzz_check(again != NULL, "written back, it parses");
	json2 = nhip_backup_manifest_to_json(again);
	fuzz_check(g_bytes_equal(json1, json2), "and writes the same");
	return 0;
}
