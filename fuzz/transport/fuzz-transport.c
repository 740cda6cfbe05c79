/*
 * Nhịp — libFuzzer target for what the transport reads from the other end: the tus headers
 * the hub parses (Upload-Metadata, Upload-Checksum, sizes) and the inbox JSON the station
 * parses. The first byte picks the parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "nhip-inbox.h"
#include "nhip-tus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = NULL;

	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	if (size < 1)
		return 0;
	text = g_strndup((const gchar *)data + 1, size - 1);
	switch (data[0] % 4) {
	case 0: {
		g_autoptr(GHashTable) metadata = nhip_tus_parse_metadata(text, NULL);
		(void)metadata;
		break;
	}
	case 1: {
		guint8 digest[32] = { 0 };
		(void)nhip_tus_parse_checksum(text, digest, NULL);
		break;
	}
	case 2: {
		gint64 value = 0;
		(void)nhip_tus_parse_size(text, "Upload-Offset", &value, NULL);
		break;
	}
	default: {
		gint64 cursor = 0;
		g_autoptr(GPtrArray) items =
			nhip_inbox_parse((const gchar *)data + 1, size - 1, &cursor, NULL);
		(void)items;
		break;
	}
	}
	return 0;
}
