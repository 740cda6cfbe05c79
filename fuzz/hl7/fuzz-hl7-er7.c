/*
 * Nhịp — libFuzzer target of the ER7 parser, the encoder and the ACK code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nhip-hl7.h"
#include "nhip-hl7-fuzz.h"

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(NhipHl7Message) again = NULL;
	g_autoptr(NhipHl7Message) reply = NULL;
	g_autoptr(NhipHl7Message) ack_message = NULL;
	g_autoptr(NhipHl7Ack) ack = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *encoded = NULL;
	g_autofree gchar *encoded2 = NULL;
	NhipHl7ParseLimits limits = { 64 * 1024, 4096, 500 };

	/* whatever the input, the listener can always answer it */
	reply = nhip_hl7_ack_build_for_data((const gchar *)data, size, NHIP_HL7_ACK_CODE_AE, 0,
					    "fuzz");
	nhip_fuzz_check(reply != NULL, "an answer for any bytes");

	message = nhip_hl7_message_parse_full((const gchar *)data, size, &limits, &error);
	if (message == NULL) {
		nhip_fuzz_check(error != NULL && error->domain == NHIP_HL7_ERROR, "a parse error");
		nhip_fuzz_check(g_utf8_validate(error->message, -1, NULL), "a UTF-8 error message");
		return 0;
	}

	/* what parses encodes, and the encoding parses to the same text */
	encoded = nhip_hl7_message_to_string(message);
	again = nhip_hl7_message_parse(encoded, strlen(encoded), &error);
	nhip_fuzz_check(again != NULL, "the encoding parses");
	encoded2 = nhip_hl7_message_to_string(again);
	nhip_fuzz_check(strcmp(encoded, encoded2) == 0, "encoding is stable");

	for (guint i = 0; i < nhip_hl7_message_get_n_segments(message) && i < 20; i++) {
		const gchar *id = nhip_hl7_message_get_segment_id(message, i);
		for (guint field = 1; field <= nhip_hl7_message_get_n_fields(message, i) + 1;
		     field++) {
			g_autofree gchar *path = g_strdup_printf("%s-%u(2)-2-2", id, field);
			g_autofree gchar *value = nhip_hl7_message_get_value(message, path, NULL);
			g_autofree gchar *raw = nhip_hl7_message_get_raw(message, path, NULL);
			if (value != NULL) {
				g_autofree gchar *escaped = nhip_hl7_message_escape(message, value);
				nhip_fuzz_check(g_utf8_validate(value, -1, NULL),
						"values are UTF-8");
				/* a value written back reads the same */
				if (!(i == 0 && field <= 2) &&
				    nhip_hl7_message_set_value(again, path, value, NULL)) {
					g_autofree gchar *back =
						nhip_hl7_message_get_value(again, path, NULL);
					nhip_fuzz_check(g_strcmp0(back, value) == 0,
							"set then get");
				}
				(void)escaped;
			}
			nhip_fuzz_check(value == NULL || raw != NULL, "raw text for each value");
		}
	}

	ack_message = nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AR, 0, "fuzz", &error);
	if (ack_message != NULL) {
		g_autofree gchar *ack_text = nhip_hl7_message_to_string(ack_message);
		ack = nhip_hl7_ack_parse_data(ack_text, strlen(ack_text), NULL);
		nhip_fuzz_check(ack != NULL, "our ACK parses");
	}
	g_clear_error(&error);
	g_clear_pointer(&ack, nhip_hl7_ack_unref);
	ack = nhip_hl7_ack_parse(message, NULL);
	return 0;
}
