/*
 * Nhịp — libFuzzer target for what a live call reads from outside: the session descriptor
 * the hub sends, and the messages Janus sends (replies and long-poll events, checked for
 * Janus and plugin errors). The first byte picks the parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "nhip-janus-client.h"
#include "nhip-live-descriptor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const gchar *text = (const gchar *)data + 1;

	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0) {
		g_autoptr(NhipLiveDescriptor) descriptor =
			nhip_live_descriptor_parse(text, (gssize)size - 1, NULL);
		if (descriptor != NULL) {
			g_autofree gchar *stun = nhip_live_descriptor_stun_uri(descriptor);
			g_auto(GStrv) turns = nhip_live_descriptor_turn_uris(descriptor);
			g_autoptr(NhipLiveDescriptor) copy = nhip_live_descriptor_copy(descriptor);
			(void)stun;
			(void)turns;
			(void)copy;
		}
	} else {
		g_autoptr(JsonNode) events = nhip_janus_parse_events(text, size - 1, NULL);
		if (events != NULL) {
			JsonArray *array = json_node_get_array(events);
			for (guint i = 0; i < json_array_get_length(array); i++) {
				g_autoptr(GError) error = NULL;
				(void)nhip_janus_check_reply(
					json_array_get_object_element(array, i), &error);
			}
		}
	}
	return 0;
}
