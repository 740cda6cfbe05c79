/*
 * Nhịp — the QĐ 130 XML validator: bytes in, a list of violations out.
 *
 * It checks a GIAMDINHHS envelope (and every table document base64-encoded in it) or a
 * check-in document (CHI_TIEU_TRANG_THAI_KCB) against the checklist of the spec: the
 * envelope's structure, each field's type and size in characters, required fields, dates,
 * code lists, cross-table links and totals, and the CSST vital-signs string. It touches no
 * file, database or network, and any input, however hostile, gives a list, never a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-xml130-fields.h"

G_BEGIN_DECLS

/**
 * NhipXml130Severity:
 * @NHIP_XML130_SEVERITY_ERROR: the document breaks a rule; the portal would refuse it
 * @NHIP_XML130_SEVERITY_WARNING: allowed but doubtful (an unknown CSST key, a missing
 *   optional element, fields out of the table's order)
 */
typedef enum {
	NHIP_XML130_SEVERITY_ERROR,
	NHIP_XML130_SEVERITY_WARNING,
} NhipXml130Severity;

/**
 * NhipXml130Violation:
 * @severity: error or warning
 * @path: where, e.g.
 *   `GIAMDINHHS/THONGTINHOSO/DANHSACHHOSO/HOSO[1]/FILEHOSO[2](XML3)/CHI_TIET_DVKT[1]/MA_DICH_VU`
 * @message: what is wrong, translated
 */
typedef struct {
	NhipXml130Severity severity;
	gchar *path;
	gchar *message;
} NhipXml130Violation;

/**
 * NhipXml130Limits:
 * @max_document: largest input in bytes (default 256 MiB)
 * @max_table: largest decoded table document in bytes (default 16 MiB)
 * @max_records: most HOSO in an envelope or rows in one table (default 100 000)
 * @max_violations: the list stops after this many (default 1000)
 *
 * Limits on hostile input; a zero member takes its default.
 */
typedef struct {
	gsize max_document;
	gsize max_table;
	guint max_records;
	guint max_violations;
} NhipXml130Limits;

GPtrArray *nhip_xml130_validate(const guint8 *data,
				gsize size,
				NhipXml130Profile profile,
				const NhipXml130Limits *limits) G_GNUC_WARN_UNUSED_RESULT;
guint nhip_xml130_violations_count(GPtrArray *violations, NhipXml130Severity severity);
void nhip_xml130_violation_free(NhipXml130Violation *violation);
gchar *nhip_xml130_field_problem(NhipXml130Profile profile,
				 const NhipXml130Field *field,
				 const gchar *value) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_xml130_csst_check(const gchar *text, GPtrArray *problems, GPtrArray *warnings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipXml130Violation, nhip_xml130_violation_free)

G_END_DECLS
