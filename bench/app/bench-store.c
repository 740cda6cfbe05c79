/*
 * Nhịp — store benchmarks: patient search over 100,000 patients (FTS5 index against a plain
 * LIKE '%…%' scan of the same folded names) and durable observation inserts.
 *
 *   bench-store [--patients N] [--queries N] [--visits N] [--dir DIR]
 *
 * Prints figures; it asserts nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "nhip-demo.h"
#include "nhip-store-private.h"
#include "nhip-text.h"

static gint
cmp_double(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
	return x < y ? -1 : x > y;
}

static void
report(const gchar *what, GArray *ms)
{
	gdouble sum = 0;
	g_array_sort(ms, cmp_double);
	for (guint i = 0; i < ms->len; i++)
		sum += g_array_index(ms, gdouble, i);
	g_print("  %-34s median %7.3f ms   p95 %7.3f ms   mean %7.3f ms   max %7.3f ms\n", what,
		g_array_index(ms, gdouble, ms->len / 2),
		g_array_index(ms, gdouble, (guint)(ms->len * 0.95)), sum / ms->len,
		g_array_index(ms, gdouble, ms->len - 1));
}

/* what staff type: whole names with or without tone marks, the given name and family
 * name, a name being typed, a CCCD or a phone number */
static gchar *
make_query(GRand *rand, const NhipPatient *p)
{
	g_autofree gchar *folded = nhip_text_fold(p->full_name);
	g_auto(GStrv) words = g_strsplit(folded, " ", -1);
	guint n = g_strv_length(words);
	gint kind = g_rand_int_range(rand, 0, 100);

	if (kind < 30)
		return g_strdup(folded);
	if (kind < 45)
		return g_strdup(p->full_name);
	if (kind < 60)
		return g_strdup_printf("%s %s", words[n - 1], words[0]);
	if (kind < 80) {
		/* typing in progress: whole words, then the start of the next */
		GString *out = g_string_new(NULL);
		guint upto = (guint)g_rand_int_range(rand, 1, (gint)n + 1);
		for (guint i = 0; i < upto; i++) {
			guint len = strlen(words[i]);
			if (out->len > 0)
				g_string_append_c(out, ' ');
			g_string_append_len(out, words[i], i + 1 == upto ? MIN(len, 2) : len);
		}
		return g_string_free(out, FALSE);
	}
	if (kind < 90 && p->cccd != NULL)
		return g_strdup(p->cccd);
	if (p->phone != NULL)
		return g_strdup(p->phone);
	return g_strdup(folded);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GRand) rand = g_rand_new_with_seed(42);
	g_autoptr(GPtrArray) queries = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) fts_ms = g_array_new(FALSE, FALSE, sizeof(gdouble));
	g_autoptr(GArray) like_ms = g_array_new(FALSE, FALSE, sizeof(gdouble));
	g_autofree gchar *dir = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *dir_opt = NULL;
	gint n_patients = 100000;
	gint n_queries = 1000;
	gint n_visits = 500;
	gint n_scan = 200;
	gint64 t0;
	guint found_total = 0;
	GOptionEntry entries[] = {
		{ "patients", 0, 0, G_OPTION_ARG_INT, &n_patients, "Patients in the database",
		  "N" },
		{ "queries", 0, 0, G_OPTION_ARG_INT, &n_queries, "Search queries to time", "N" },
		{ "visits", 0, 0, G_OPTION_ARG_INT, &n_visits, "Visits for the insert test", "N" },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_opt, "Folder for the database", "DIR" },
		{ NULL }
	};
	g_autoptr(GOptionContext) context = g_option_context_new("");

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	dir = dir_opt != NULL ? g_strdup(dir_opt) : g_dir_make_tmp("nhip-bench-XXXXXX", NULL);
	path = g_build_filename(dir, "bench.db", NULL);
	g_unlink(path);
	store = nhip_store_open(path, &error);
	if (store == NULL) {
		g_printerr("%s\n", error->message);
		return 1;
	}

	g_print("== patient search over %d demo patients, %d queries ==\n", n_patients, n_queries);
	t0 = g_get_monotonic_time();
	if (!nhip_demo_fill(store, (guint)n_patients, 0, 7, &error)) {
		g_printerr("%s\n", error->message);
		return 1;
	}
	g_print("  loaded in %.1f s\n", (g_get_monotonic_time() - t0) / 1e6);

	/* the queries: real patients picked at random */
	for (gint i = 0; i < n_queries; i++) {
		gint64 id = g_rand_int_range(rand, 1, n_patients + 1);
		g_autoptr(NhipPatient) p = nhip_store_patient_get(store, id, NULL);
		if (p != NULL)
			g_ptr_array_add(queries, make_query(rand, p));
	}
	for (guint i = 0; i < queries->len; i++) {
		gint64 start = g_get_monotonic_time();
		g_autoptr(GPtrArray) found =
			nhip_store_patient_search(store, queries->pdata[i], 20, &error);
		gdouble ms = (g_get_monotonic_time() - start) / 1000.0;
		if (found == NULL) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		found_total += found->len > 0;
		g_array_append_val(fts_ms, ms);
	}
	/* the same queries as a plain scan: every word as LIKE '%word%' on the folded name and
	 * the ID numbers */
	for (guint i = 0; i < MIN(queries->len, (guint)n_scan); i++) {
		g_auto(GStrv) tokens = nhip_text_tokens(queries->pdata[i]);
		g_autoptr(GString) sql = g_string_new("SELECT id FROM patients WHERE 1");
		g_autoptr(sqlite3_stmt) stmt = NULL;
		gint64 start;
		gdouble ms;

		for (guint t = 0; tokens[t] != NULL; t++)
			g_string_append(
				sql, " AND (name_folded LIKE '%' || ? || '%' OR cccd LIKE '%' || ? "
				     "|| '%' OR phone LIKE '%' || ? || '%')");
		g_string_append(sql, " ORDER BY name_folded LIMIT 20");
		start = g_get_monotonic_time();
		sqlite3_prepare_v2(store->db, sql->str, -1, &stmt, NULL);
		for (guint t = 0; tokens[t] != NULL; t++) {
			for (gint k = 0; k < 3; k++)
				sqlite3_bind_text(stmt, (gint)(t * 3 + k + 1), tokens[t], -1,
						  SQLITE_STATIC);
		}
		while (sqlite3_step(stmt) == SQLITE_ROW)
			;
		ms = (g_get_monotonic_time() - start) / 1000.0;
		g_array_append_val(like_ms, ms);
	}
	report("FTS5 index (nhip_store_patient_search)", fts_ms);
	g_print("  (the scan is timed on the first %u of the same queries)\n", like_ms->len);
	report("plain LIKE scan, best 20 by name", like_ms);
	g_print("  p95 speed-up: %.0fx   median speed-up: %.0fx   queries with a hit: %u/%u\n",
		g_array_index(like_ms, gdouble, (guint)(like_ms->len * 0.95)) /
			g_array_index(fts_ms, gdouble, (guint)(fts_ms->len * 0.95)),
		g_array_index(like_ms, gdouble, like_ms->len / 2) /
			g_array_index(fts_ms, gdouble, fts_ms->len / 2),
		found_total, queries->len);

	g_print("== durable observation inserts: %d visits, one transaction each ==\n", n_visits);
	{
		guint n_obs = 0;
		gdouble seconds;
		t0 = g_get_monotonic_time();
		for (gint v = 0; v < n_visits; v++) {
			g_autoptr(GPtrArray) obs = g_ptr_array_new_with_free_func(
				(GDestroyNotify)nhip_observation_free);
			gint64 visit = nhip_store_visit_open(store, v + 1, NULL, &error);
			if (visit == 0) {
				g_printerr("%s\n", error->message);
				return 1;
			}
			g_ptr_array_add(obs,
					nhip_observation_new(NHIP_VITAL_BLOOD_PRESSURE, 128, 82));
			g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_PULSE, 76, NAN));
			g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_SPO2, 97, NAN));
			g_ptr_array_add(obs,
					nhip_observation_new(NHIP_VITAL_TEMPERATURE, 36.9, NAN));
			g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_WEIGHT, 54.2, NAN));
			g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_HEIGHT, 158, NAN));
			g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_GLUCOSE, 5.9, NAN));
			g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_RESP_RATE, 17, NAN));
			if (!nhip_store_observations_add(store, visit, obs, &error)) {
				g_printerr("%s\n", error->message);
				return 1;
			}
			n_obs += obs->len;
		}
		seconds = (g_get_monotonic_time() - t0) / 1e6;
		g_print("  %u observations in %d committed transactions (plus %d visit opens) in "
			"%.2f s: %.0f observations/s, %.0f commits/s\n",
			n_obs, n_visits, n_visits, seconds, n_obs / seconds,
			2 * n_visits / seconds);
	}
	g_clear_object(&store);
	if (dir_opt == NULL) {
		g_autofree gchar *wal = g_strconcat(path, "-wal", NULL);
		g_autofree gchar *shm = g_strconcat(path, "-shm", NULL);
		g_unlink(path);
		g_unlink(wal);
		g_unlink(shm);
		g_rmdir(dir);
	}
	return 0;
}
