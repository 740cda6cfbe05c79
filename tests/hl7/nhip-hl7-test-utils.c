/*
 * Nhịp — assertions shared by the tests that read HL7 messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-hl7-test-utils.h"

/**
 * nhip_hl7_test_parse_ok:
 * @text: ER7 text that must parse
 *
 * Returns: (transfer full): the message
 */
NhipHl7Message *
nhip_hl7_test_parse_ok(const gchar *text)
{
	g_autoptr(GError) error = NULL;
	NhipHl7Message *message = nhip_hl7_message_parse(text, strlen(text), &error);
	g_assert_no_error(error);
	g_assert_nonnull(message);
	return message;
}

/**
 * nhip_hl7_test_assert_value:
 * @message: a message
 * @path: a path such as `PID-5-1`
 * @expected: (nullable): the decoded value expected there
 */
void
nhip_hl7_test_assert_value(NhipHl7Message *message, const gchar *path, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = nhip_hl7_message_get_value(message, path, &error);

	g_assert_no_error(error);
	if (g_strcmp0(value, expected) != 0)
		g_error("%s is “%s”, expected “%s”", path, value, expected);
}

/**
 * nhip_hl7_test_assert_raw:
 * @message: a message
 * @path: a path such as `PID-11`
 * @expected: (nullable): the encoded text expected there
 */
void
nhip_hl7_test_assert_raw(NhipHl7Message *message, const gchar *path, const gchar *expected)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = nhip_hl7_message_get_raw(message, path, &error);

	g_assert_no_error(error);
	if (g_strcmp0(value, expected) != 0)
		g_error("%s is “%s”, expected “%s” (encoded)", path, value, expected);
}
