/*
 * Nhịp — assertions shared by the tests that read HL7 messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hl7.h"

G_BEGIN_DECLS

NhipHl7Message *nhip_hl7_test_parse_ok(const gchar *text);
void nhip_hl7_test_assert_value(NhipHl7Message *message, const gchar *path, const gchar *expected);
void nhip_hl7_test_assert_raw(NhipHl7Message *message, const gchar *path, const gchar *expected);

G_END_DECLS
