/*
 * Nhịp — tests of patient search: folding, prefixes, ID numbers, ranking, broad queries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-demo.h"
#include "nhip-store-private.h"
#include "nhip-test-utils.h"
#include "nhip-text.h"

static gchar *dir;
static NhipStore *store;

static const gchar *
path_of_store(void)
{
	return nhip_store_get_path(store);
}
static gint64 id_dao, id_dao_tien, id_le_dao, id_lan, id_other;

static gint64
add(const gchar *name, NhipSex sex, const gchar *cccd, const gchar *bhyt, const gchar *phone)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) p = nhip_patient_new();
	p->full_name = g_strdup(name);
	p->birth = g_strdup(cccd != NULL ? "1985-03-27" : "1990");
	p->sex = sex;
	p->cccd = g_strdup(cccd);
	p->bhyt = g_strdup(bhyt);
	p->phone = g_strdup(phone);
	g_assert_cmpint(nhip_store_patient_add(store, p, &error), >, 0);
	g_assert_no_error(error);
	return p->id;
}

static GPtrArray *
search(const gchar *query)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *found = nhip_store_patient_search(store, query, 20, &error);
	g_assert_no_error(error);
	g_assert_nonnull(found);
	return found;
}

static gboolean
contains(GPtrArray *found, gint64 id)
{
	for (guint i = 0; i < found->len; i++) {
		if (((NhipPatient *)found->pdata[i])->id == id)
			return TRUE;
	}
	return FALSE;
}

static void
test_folding(void)
{
	const gchar *queries[] = {
		"nguyen thi dao", "Nguyễn Thị Đào", "NGUYEN THI DAO",  "Dao", "DAO", "đào",
		"dao nguyen",	  "ng th da",	    "  nguyen,  dao  "
	};
	for (guint i = 0; i < G_N_ELEMENTS(queries); i++) {
		g_autoptr(GPtrArray) found = search(queries[i]);
		if (!contains(found, id_dao))
			g_error("“%s” did not find Nguyễn Thị Đào", queries[i]);
	}
}

static void
test_ranking(void)
{
	g_autoptr(GPtrArray) found = search("nguyen thi dao");

	/* exact whole name, then names starting with it, then given-name matches, then
	 * other word matches */
	g_assert_cmpuint(found->len, ==, 4);
	g_assert_cmpint(((NhipPatient *)found->pdata[0])->id, ==, id_dao);
	g_assert_cmpint(((NhipPatient *)found->pdata[1])->id, ==, id_dao_tien);
	g_assert_cmpint(((NhipPatient *)found->pdata[2])->id, ==, id_le_dao);
	g_assert_cmpint(((NhipPatient *)found->pdata[3])->id, ==, id_lan);
	g_clear_pointer(&found, g_ptr_array_unref);

	/* the given name ranks above a middle name */
	found = search("lan");
	g_assert_cmpuint(found->len, >=, 1);
	g_assert_cmpint(((NhipPatient *)found->pdata[0])->id, ==, id_lan);
}

static void
test_ids(void)
{
	g_autoptr(GPtrArray) found = search("066185001234");
	g_assert_cmpuint(found->len, ==, 1);
	g_assert_cmpint(((NhipPatient *)found->pdata[0])->id, ==, id_dao);
	g_clear_pointer(&found, g_ptr_array_unref);
	found = search("066185");
	g_assert_true(contains(found, id_dao));
	g_clear_pointer(&found, g_ptr_array_unref);
	found = search("dn4660123456789");
	g_assert_cmpuint(found->len, ==, 1);
	g_assert_cmpint(((NhipPatient *)found->pdata[0])->id, ==, id_dao);
	g_clear_pointer(&found, g_ptr_array_unref);
	/* the card number without its group letters */
	found = search("4660123456789");
	g_assert_true(contains(found, id_dao));
	g_clear_pointer(&found, g_ptr_array_unref);
	found = search("0912 345");
	g_assert_true(contains(found, id_other));
	g_clear_pointer(&found, g_ptr_array_unref);
	found = search("0999");
	g_assert_cmpuint(found->len, ==, 0);
}

static void
test_nothing(void)
{
	const gchar *queries[] = { "",	  "   ",	"!!!",	     "xyzzy",
				   "\"*", "dao OR 1=1", "NEAR(a b)", "a\xff\xfe" };
	for (guint i = 0; i < G_N_ELEMENTS(queries); i++) {
		g_autoptr(GPtrArray) found = search(queries[i]);
		/* syntax of the index's query language typed by staff is just words */
		for (guint j = 0; j < found->len; j++) {
			g_autofree gchar *folded =
				nhip_text_fold(((NhipPatient *)found->pdata[j])->full_name);
			g_assert_nonnull(folded);
		}
		if (i < 5)
			g_assert_cmpuint(found->len, ==, 0);
	}
}

static void
test_broad(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) found = NULL;
	g_autoptr(NhipStmt) plan = NULL;

	/* enough people that one letter matches thousands */
	g_assert_true(nhip_demo_fill(store, 6000, 0, 7, &error));
	g_assert_no_error(error);
	found = search("n");
	g_assert_cmpuint(found->len, ==, 20);
	for (guint i = 0; i < found->len; i++) {
		g_autofree gchar *folded =
			nhip_text_fold(((NhipPatient *)found->pdata[i])->full_name);
		g_auto(GStrv) words = g_strsplit(folded, " ", -1);
		gboolean any = FALSE;
		for (guint w = 0; words[w] != NULL; w++)
			any = any || words[w][0] == 'n';
		g_assert_true(any);
	}
	/* broad: names that start with the typed text come first; ranked: a one-word query
	 * finds given names first */
	{
		g_autofree gchar *first =
			nhip_text_fold(((NhipPatient *)found->pdata[0])->full_name);
		const gchar *given = strrchr(first, ' ');
		gint64 n_matches = nhip_test_sql_int(path_of_store(),
						     "SELECT count(*) FROM patient_search WHERE "
						     "patient_search MATCH '\"n\"*'");
		g_test_message("'n' matches %" G_GINT64_FORMAT " patients", n_matches);
		if (n_matches >= 2000)
			g_assert_true(g_str_has_prefix(first, "n"));
		else
			g_assert_true(given != NULL && given[1] == 'n');
	}
	g_clear_pointer(&found, g_ptr_array_unref);
	found = nhip_store_patient_search(store, "nguyen", 5, &error);
	g_assert_cmpuint(found->len, ==, 5);
	/* a selective query among many people still ranks exactly */
	g_clear_pointer(&found, g_ptr_array_unref);
	found = search("nguyen thi dao");
	g_assert_cmpint(((NhipPatient *)found->pdata[0])->id, ==, id_dao);

	/* the name lookup uses the index, never a scan of the table */
	plan = nhipi_store_prepare(store,
				   "EXPLAIN QUERY PLAN SELECT id FROM patients p WHERE "
				   "p.name_folded >= 'n' AND p.name_folded < 'o' "
				   "ORDER BY p.name_folded LIMIT 20",
				   &error);
	g_assert_nonnull(plan);
	while (sqlite3_step(plan) == SQLITE_ROW) {
		const gchar *detail = (const gchar *)sqlite3_column_text(plan, 3);
		g_assert_null(strstr(detail, "SCAN p"));
	}
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = NULL;
	gint rc;

	g_test_init(&argc, &argv, NULL);
	dir = nhip_test_tmpdir();
	path = g_build_filename(dir, "search.db", NULL);
	store = nhip_store_open(path, &error);
	g_assert_no_error(error);
	id_lan = add("Nguyễn Đào Thị Lan", NHIP_SEX_FEMALE, NULL, NULL, NULL);
	id_le_dao = add("Lê Nguyễn Thị Đào", NHIP_SEX_FEMALE, NULL, NULL, NULL);
	id_dao_tien = add("Nguyễn Thị Đào Tiên", NHIP_SEX_FEMALE, NULL, NULL, NULL);
	id_dao = add("Nguyễn Thị Đào", NHIP_SEX_FEMALE, "066185001234", "DN4660123456789", NULL);
	id_other = add("Trần Văn Bình", NHIP_SEX_MALE, NULL, NULL, "0912345678");
	add("Lan Văn Hùng", NHIP_SEX_MALE, NULL, NULL, NULL);

	g_test_add_func("/search/folding", test_folding);
	g_test_add_func("/search/ranking", test_ranking);
	g_test_add_func("/search/ids", test_ids);
	g_test_add_func("/search/nothing", test_nothing);
	g_test_add_func("/search/broad", test_broad);
	rc = g_test_run();
	g_clear_object(&store);
	nhip_test_rmrf(dir);
	g_free(dir);
	return rc;
}
