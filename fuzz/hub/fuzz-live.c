/*
 * Nhịp — libFuzzer target for the JSON the hub's live consultations read from outside: the
 * events participants post (chat, readings, states; what the hub stores of one must parse
 * again to the same) and the replies of Janus's Admin API, with and without a transaction
 * to match. The first byte picks the parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "nhip-hub-janus.h"
#include "nhip-hub-live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const gchar *text;
	gsize len;

	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	if (size < 1)
		return 0;
	text = (const gchar *)data + 1;
	len = size - 1;
	switch (data[0] % 3) {
	case 0: {
		g_autofree gchar *kind = NULL;
		g_autofree gchar *body = NULL;
		g_autoptr(GError) error = NULL;

		if (nhip_hub_live_event_parse(text, len, 1795000000, &kind, &body, &error)) {
			/* what the hub stores reads back as an event */
			g_autofree gchar *again_kind = NULL;
			g_autofree gchar *again_body = NULL;
			g_autofree gchar *wrapped =
				g_strdup_printf("{\"kind\":\"%s\",%s", kind, body + 1);
			if (!nhip_hub_live_event_parse(wrapped, strlen(wrapped), 1795000000,
						       &again_kind, &again_body, NULL))
				g_error("a stored event does not parse again: %s", wrapped);
			if (g_strcmp0(body, again_body) != 0)
				g_error("a stored event changes when parsed again: %s / %s", body,
					again_body);
		} else {
			g_assert(error != NULL && error->message != NULL);
		}
		break;
	}
	case 1: {
		gint code = 0;
		g_autoptr(JsonObject) reply =
			nhip_hub_janus_parse_reply(text, len, NULL, &code, NULL);
		(void)reply;
		break;
	}
	default: {
		gint code = 0;
		g_autoptr(JsonObject) reply =
			nhip_hub_janus_parse_reply(text, len, "nhip-0011223344556677", &code, NULL);
		(void)reply;
		break;
	}
	}
	return 0;
}
