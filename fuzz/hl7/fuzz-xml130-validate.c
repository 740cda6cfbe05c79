/*
 * Nhịp — libFuzzer target of the QĐ 130 validator. Each input is checked three ways: as a
 * whole document (envelope or check-in), as the table document of an XML1 file inside an
 * envelope (base64-encoded, so the inner parser and the table checks are reached), and as
 * a DIEN_BIEN_LS text with CSST groups. Whatever the bytes, the validator must return a
 * bounded list of violations with UTF-8 paths and messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nhip-xml130-validate.h"
#include "nhip-hl7-fuzz.h"

static void
fuzz_validate(const guint8 *data, gsize size, NhipXml130Profile profile)
{
	NhipXml130Limits limits = { 64 * 1024, 32 * 1024, 200, 100 };
	g_autoptr(GPtrArray) violations = nhip_xml130_validate(data, size, profile, &limits);

	nhip_fuzz_check(violations != NULL, "a list");
	nhip_fuzz_check(violations->len <= limits.max_violations + 1, "a bounded list");
	for (guint i = 0; i < violations->len; i++) {
		const NhipXml130Violation *violation = violations->pdata[i];
		nhip_fuzz_check(violation->path != NULL &&
					g_utf8_validate(violation->path, -1, NULL),
				"a UTF-8 path");
		nhip_fuzz_check(violation->message != NULL &&
					g_utf8_validate(violation->message, -1, NULL),
				"a UTF-8 message");
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autofree gchar *base64 = g_base64_encode(data, size);
	g_autofree gchar *envelope = g_strdup_printf(
		"<GIAMDINHHS><THONGTINDONVI><MACSKCB>66181</MACSKCB></THONGTINDONVI>"
		"<THONGTINHOSO><NGAYLAP>20240306</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO>"
		"<DANHSACHHOSO><HOSO><FILEHOSO><LOAIHOSO>XML%c</LOAIHOSO><NOIDUNGFILE>%s"
		"</NOIDUNGFILE></FILEHOSO></HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI/>"
		"</GIAMDINHHS>",
		size > 0 && data[0] % 2 == 1 ? '5' : '1', base64);

	fuzz_validate(data, size,
		      size > 0 && data[size - 1] % 2 ? NHIP_XML130_PROFILE_3176
						     : NHIP_XML130_PROFILE_4750);
	fuzz_validate((const guint8 *)envelope, strlen(envelope), NHIP_XML130_PROFILE_4750);
	if (g_utf8_validate((const gchar *)data, (gssize)size, NULL)) {
		g_autofree gchar *text = g_strndup((const gchar *)data, size);
		g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		gboolean ok = nhip_xml130_csst_check(text, problems, warnings);
		nhip_fuzz_check(ok == (problems->len == 0), "an error for every failed CSST check");
	}
	return 0;
}
