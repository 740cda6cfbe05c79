/*
 * Nhịp — tests of the ICD-10 list shipped with the kiosk and its search.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-icd10.h"
#include "nhip-ui-error.h"
#include "nhip-validate.h"

static NhipIcd10Catalog *
load_shipped(void)
{
	const gchar *path = ICD10_TSV;
	g_autoptr(GError) error = NULL;
	g_autoptr(GMappedFile) file = g_mapped_file_new(path, FALSE, &error);
	g_autoptr(GBytes) bytes = NULL;
	NhipIcd10Catalog *catalog;

	g_assert_no_error(error);
	bytes = g_mapped_file_get_bytes(file);
	catalog = nhip_icd10_catalog_new(bytes, &error);
	g_assert_no_error(error);
	return catalog;
}

static void
test_shipped_list(void)
{
	g_autoptr(NhipIcd10Catalog) catalog = load_shipped();
	GPtrArray *chapters = nhip_icd10_catalog_get_chapters(catalog);
	const NhipIcd10Entry *entry;
	/* every code the demo data uses has a Vietnamese name */
	static const gchar *demo_codes[] = { "I10", "J06.9", "E11.9", "J20.9", "K29.7", "M54.5",
					     "R51", "A09",   "Z00.0", "J02.9", "R50.9", "Z34.9" };

	g_assert_cmpuint(chapters->len, ==, 22);
	g_assert_cmpuint(nhip_icd10_catalog_get_n_entries(catalog), >=, 300);
	for (guint i = 0; i < G_N_ELEMENTS(demo_codes); i++) {
		entry = nhip_icd10_catalog_lookup(catalog, demo_codes[i]);
		if (entry == NULL)
			g_error("%s is missing from the list", demo_codes[i]);
	}
	entry = nhip_icd10_catalog_lookup(catalog, "i10");
	g_assert_cmpstr(entry->name, ==, "Tăng huyết áp vô căn (nguyên phát)");
	g_assert_cmpstr(entry->chapter->number, ==, "IX");
	entry = nhip_icd10_catalog_lookup(catalog, "j069");
	g_assert_cmpstr(entry->code, ==, "J06.9");
	g_assert_cmpstr(entry->chapter->number, ==, "X");
	g_assert_null(nhip_icd10_catalog_lookup(catalog, "Q99.9"));
	g_assert_null(nhip_icd10_catalog_lookup(catalog, "banana"));
	/* the chapters cover A00 to Z99 in order */
	g_assert_cmpstr(((NhipIcd10Chapter *)chapters->pdata[0])->first, ==, "A00");
	g_assert_cmpstr(((NhipIcd10Chapter *)chapters->pdata[20])->last, ==, "Z99");
}

static gboolean
results_have(GPtrArray *results, const gchar *code)
{
	for (guint i = 0; i < results->len; i++) {
		if (g_strcmp0(((NhipIcd10Entry *)results->pdata[i])->code, code) == 0)
			return TRUE;
	}
	return FALSE;
}

static void
test_search(void)
{
	g_autoptr(NhipIcd10Catalog) catalog = load_shipped();
	g_autoptr(GPtrArray) results = NULL;
	GPtrArray *chapters = nhip_icd10_catalog_get_chapters(catalog);

	/* without diacritics */
	results = nhip_icd10_catalog_search(catalog, "tang huyet ap", NULL, 0);
	g_assert_cmpuint(results->len, >=, 1);
	g_assert_cmpstr(((NhipIcd10Entry *)results->pdata[0])->code, ==, "I10");
	g_clear_pointer(&results, g_ptr_array_unref);
	/* with them, in any order, word prefixes */
	results = nhip_icd10_catalog_search(catalog, "họng viêm", NULL, 0);
	g_assert_true(results_have(results, "J02.9"));
	g_assert_true(results_have(results, "J31.2"));
	g_clear_pointer(&results, g_ptr_array_unref);
	results = nhip_icd10_catalog_search(catalog, "dai thao", NULL, 0);
	g_assert_true(results_have(results, "E11.9"));
	g_assert_true(results_have(results, "O24.4"));
	g_clear_pointer(&results, g_ptr_array_unref);
	/* đ folds to d */
	results = nhip_icd10_catalog_search(catalog, "dau dau", NULL, 0);
	g_assert_true(results_have(results, "R51"));
	g_clear_pointer(&results, g_ptr_array_unref);
	/* codes: exact first, then those starting with it */
	results = nhip_icd10_catalog_search(catalog, "j06.9", NULL, 0);
	g_assert_cmpstr(((NhipIcd10Entry *)results->pdata[0])->code, ==, "J06.9");
	g_clear_pointer(&results, g_ptr_array_unref);
	results = nhip_icd10_catalog_search(catalog, "J0", NULL, 0);
	g_assert_cmpuint(results->len, >=, 8);
	for (guint i = 0; i < results->len; i++)
		g_assert_true(g_str_has_prefix(((NhipIcd10Entry *)results->pdata[i])->code, "J0"));
	g_clear_pointer(&results, g_ptr_array_unref);
	/* a name that starts with the query ranks before one that only contains it */
	results = nhip_icd10_catalog_search(catalog, "viem", NULL, 0);
	g_assert_true(g_str_has_prefix(((NhipIcd10Entry *)results->pdata[0])->name, "Viêm"));
	g_clear_pointer(&results, g_ptr_array_unref);
	/* limit and chapter */
	results = nhip_icd10_catalog_search(catalog, "", chapters->pdata[9], 5);
	g_assert_cmpuint(results->len, ==, 5);
	for (guint i = 0; i < results->len; i++)
		g_assert_true(((NhipIcd10Entry *)results->pdata[i])->chapter == chapters->pdata[9]);
	g_clear_pointer(&results, g_ptr_array_unref);
	results = nhip_icd10_catalog_search(catalog, "zzzz qqq", NULL, 0);
	g_assert_cmpuint(results->len, ==, 0);
}

static void
test_damaged(void)
{
	static const struct {
		const gchar *text;
		const gchar *mentions;
	} bad[] = {
		{ "code\tA09\tTiêu chảy\n", "line 1" },
		{ "chapter\tI\tA00-B99\tX\ncode\tA09\n", "line 2" },
		{ "chapter\tI\tA00-B99\tX\ncode\tA0.9\tX\n", "line 2" },
		{ "chapter\tI\tA00\tX\n", "line 1" },
		{ "chapter\tI\tA00-B99\tX\ncode\tA09\tX\ncode\tA09\tY\n", "twice" },
		{ "chapter\tI\tA00-B99\tX\nbanana\n", "line 2" },
		{ "# only a comment\n", "no codes" },
		{ "chapter\tI\tA00-B99\t\xff\n", "UTF-8" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GBytes) bytes = g_bytes_new_static(bad[i].text, strlen(bad[i].text));
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipIcd10Catalog) catalog = nhip_icd10_catalog_new(bytes, &error);
		g_assert_null(catalog);
		g_assert_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_DATA);
		if (strstr(error->message, bad[i].mentions) == NULL)
			g_error("case %u: “%s” lacks “%s”", i, error->message, bad[i].mentions);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui/icd10/shipped-list", test_shipped_list);
	g_test_add_func("/ui/icd10/search", test_search);
	g_test_add_func("/ui/icd10/damaged", test_damaged);
	return g_test_run();
}
