/*
 * Nhịp — the ICD-10 list of the diagnosis picker: chapters and common codes in Vietnamese.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipIcd10Chapter:
 * @number: the chapter's Roman numeral, e.g. "X"
 * @first: first block code of the chapter, e.g. "J00"
 * @last: last block code of the chapter, e.g. "J99"
 * @name: the chapter's Vietnamese title
 *
 * One of the 22 chapters of ICD-10.
 */
typedef struct {
	gchar *number;
	gchar *first;
	gchar *last;
	gchar *name;
} NhipIcd10Chapter;

/**
 * NhipIcd10Entry:
 * @code: the code with its dot, e.g. "J06.9"
 * @name: the Vietnamese name
 * @chapter: (transfer none): the chapter the code belongs to
 *
 * One diagnosis of the list.
 */
typedef struct {
	gchar *code;
	gchar *name;
	const NhipIcd10Chapter *chapter;
	/* private */
	gchar *folded;
	gchar *code_key;
} NhipIcd10Entry;

typedef struct _NhipIcd10Catalog NhipIcd10Catalog;

NhipIcd10Catalog *nhip_icd10_catalog_new(GBytes *tsv, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_icd10_catalog_free(NhipIcd10Catalog *self);
guint nhip_icd10_catalog_get_n_entries(NhipIcd10Catalog *self);
GPtrArray *nhip_icd10_catalog_get_chapters(NhipIcd10Catalog *self);
const NhipIcd10Entry *nhip_icd10_catalog_lookup(NhipIcd10Catalog *self, const gchar *code);
GPtrArray *nhip_icd10_catalog_search(NhipIcd10Catalog *self,
				     const gchar *query,
				     const NhipIcd10Chapter *chapter,
				     guint limit) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipIcd10Catalog, nhip_icd10_catalog_free)

G_END_DECLS
