/*
 * Nhịp — the field tables of the Ministry of Health's QĐ 130 XML (as amended by QĐ 4750,
 * and with the QĐ 3176 sizes), generated at build time from the Ministry's tables in
 * xml130-tables/ by xml130_tables.py.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipXml130Profile:
 * @NHIP_XML130_PROFILE_4750: QĐ 130 as amended by QĐ 4750 (in force since 01/07/2024)
 * @NHIP_XML130_PROFILE_3176: the QĐ 3176 revision (mostly wider sizes, height in XML1)
 *
 * Which set of field sizes (and the few format changes that go with them) applies.
 */
typedef enum {
	NHIP_XML130_PROFILE_4750,
	NHIP_XML130_PROFILE_3176,
} NhipXml130Profile;

/**
 * NhipXml130TableId:
 * @NHIP_XML130_TABLE_CHECKIN: the check-in table (trạng thái KBCB), sent on its own
 * @NHIP_XML130_TABLE_XML1: Bảng 1, the visit summary
 * @NHIP_XML130_TABLE_XML2: Bảng 2, drugs
 * @NHIP_XML130_TABLE_XML3: Bảng 3, services and supplies
 * @NHIP_XML130_TABLE_XML4: Bảng 4, paraclinical results
 * @NHIP_XML130_TABLE_XML5: Bảng 5, clinical course
 * @NHIP_XML130_TABLE_XML6: Bảng 6, HIV/AIDS care
 * @NHIP_XML130_TABLE_XML7: Bảng 7, discharge paper
 * @NHIP_XML130_TABLE_XML8: Bảng 8, record summary
 * @NHIP_XML130_TABLE_XML9: Bảng 9, birth certificate
 * @NHIP_XML130_TABLE_XML10: Bảng 10, pregnancy leave
 * @NHIP_XML130_TABLE_XML11: Bảng 11, sick-leave certificate
 * @NHIP_XML130_TABLE_XML12: Bảng 12, medical assessment (root element not known)
 * @NHIP_XML130_TABLE_XML13: Bảng 13, referral paper
 * @NHIP_XML130_TABLE_XML14: Bảng 14, appointment paper
 * @NHIP_XML130_TABLE_XML15: Bảng 15, tuberculosis treatment
 * @NHIP_XML130_N_TABLES: the number of tables
 */
typedef enum {
	NHIP_XML130_TABLE_CHECKIN,
	NHIP_XML130_TABLE_XML1,
	NHIP_XML130_TABLE_XML2,
	NHIP_XML130_TABLE_XML3,
	NHIP_XML130_TABLE_XML4,
	NHIP_XML130_TABLE_XML5,
	NHIP_XML130_TABLE_XML6,
	NHIP_XML130_TABLE_XML7,
	NHIP_XML130_TABLE_XML8,
	NHIP_XML130_TABLE_XML9,
	NHIP_XML130_TABLE_XML10,
	NHIP_XML130_TABLE_XML11,
	NHIP_XML130_TABLE_XML12,
	NHIP_XML130_TABLE_XML13,
	NHIP_XML130_TABLE_XML14,
	NHIP_XML130_TABLE_XML15,
	NHIP_XML130_N_TABLES,
} NhipXml130TableId;

/**
 * NhipXml130Type:
 * @NHIP_XML130_TYPE_STRING: "Chuỗi": text, leading zeros kept
 * @NHIP_XML130_TYPE_NUMBER: "Số": digits, an optional minus and `.` decimals
 */
typedef enum {
	NHIP_XML130_TYPE_STRING,
	NHIP_XML130_TYPE_NUMBER,
} NhipXml130Type;

/**
 * NhipXml130Field:
 * @name: the element name, e.g. "MA_LK"
 * @type: string or number
 * @max_chars: the largest size in characters, 0 for "n" (no limit)
 * @required: marked "Bắt buộc" in the validator workbook
 */
typedef struct {
	const gchar *name;
	NhipXml130Type type;
	guint max_chars;
	gboolean required;
} NhipXml130Field;

/**
 * NhipXml130Table:
 * @id: which table
 * @loaihoso: (nullable): its LOAIHOSO in the envelope ("XML1"), %NULL for check-in
 * @root: (nullable): the root element of its document, %NULL when not known (XML12)
 * @list: (nullable): the list element under the root, %NULL when the root is the record
 * @record: (nullable): the element of one record
 * @fields: the fields in the order of the table
 * @n_fields: their number
 */
typedef struct {
	NhipXml130TableId id;
	const gchar *loaihoso;
	const gchar *root;
	const gchar *list;
	const gchar *record;
	const NhipXml130Field *fields;
	guint n_fields;
} NhipXml130Table;

const NhipXml130Table *nhip_xml130_table(NhipXml130Profile profile, NhipXml130TableId id);
const NhipXml130Table *nhip_xml130_table_by_loaihoso(NhipXml130Profile profile,
						     const gchar *loaihoso);
gint nhip_xml130_table_find(const NhipXml130Table *table, const gchar *name);
const gchar *nhip_xml130_profile_to_string(NhipXml130Profile profile);
gboolean nhip_xml130_profile_from_string(const gchar *text, NhipXml130Profile *profile);

G_END_DECLS
