/*
 * Nhịp — looking up the QĐ 130 field tables (the tables themselves are generated).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-xml130-fields.h"

/* nhip-xml130-tables.c, generated from the Ministry's tables at build time */
extern const NhipXml130Table nhipi_xml130_tables_4750[NHIP_XML130_N_TABLES];
extern const NhipXml130Table nhipi_xml130_tables_3176[NHIP_XML130_N_TABLES];

/**
 * nhip_xml130_table:
 * @profile: the profile
 * @id: the table
 *
 * Returns: (transfer none): the table's fields under @profile
 */
const NhipXml130Table *
nhip_xml130_table(NhipXml130Profile profile, NhipXml130TableId id)
{
	g_return_val_if_fail(id < NHIP_XML130_N_TABLES, NULL);
	if (profile == NHIP_XML130_PROFILE_3176)
		return &nhipi_xml130_tables_3176[id];
	return &nhipi_xml130_tables_4750[id];
}

/**
 * nhip_xml130_table_by_loaihoso:
 * @profile: the profile
 * @loaihoso: a LOAIHOSO value such as "XML3"
 *
 * Returns: (transfer none) (nullable): the table, or %NULL for an unknown value
 */
const NhipXml130Table *
nhip_xml130_table_by_loaihoso(NhipXml130Profile profile, const gchar *loaihoso)
{
	if (loaihoso == NULL)
		return NULL;
	for (guint i = NHIP_XML130_TABLE_XML1; i < NHIP_XML130_N_TABLES; i++) {
		const NhipXml130Table *table = nhip_xml130_table(profile, i);
		if (g_strcmp0(table->loaihoso, loaihoso) == 0)
			return table;
	}
	return NULL;
}

/**
 * nhip_xml130_table_find:
 * @table: a table
 * @name: a field name
 *
 * Returns: the field's index in @table, or -1
 */
gint
nhip_xml130_table_find(const NhipXml130Table *table, const gchar *name)
{
	for (guint i = 0; i < table->n_fields; i++) {
		if (g_strcmp0(table->fields[i].name, name) == 0)
			return (gint)i;
	}
	return -1;
}

/**
 * nhip_xml130_profile_to_string:
 * @profile: a profile
 *
 * Returns: (transfer none): "4750" or "3176"
 */
const gchar *
nhip_xml130_profile_to_string(NhipXml130Profile profile)
{
	return profile == NHIP_XML130_PROFILE_3176 ? "3176" : "4750";
}

/**
 * nhip_xml130_profile_from_string:
 * @text: (nullable): "4750" or "3176"
 * @profile: (out): the profile
 *
 * Returns: %TRUE when @text names a profile
 */
gboolean
nhip_xml130_profile_from_string(const gchar *text, NhipXml130Profile *profile)
{
	if (g_strcmp0(text, "4750") == 0) {
		*profile = NHIP_XML130_PROFILE_4750;
		return TRUE;
	}
	if (g_strcmp0(text, "3176") == 0) {
		*profile = NHIP_XML130_PROFILE_3176;
		return TRUE;
	}
	return FALSE;
}
