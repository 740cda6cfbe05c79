/*
 * Nhịp — QĐ 130 benchmark: export of 10,000 demo visits to one GIAMDINHHS envelope (target
 * under 2 s), in both profiles, signed when the openssl tool is there to make a key, and
 * the validator's throughput on the result.
 *
 *   bench-xml130 [--visits N] [--dir DIR]
 *
 * Prints figures; it asserts nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nhip-demo.h"
#include "nhip-export-xml130.h"
#include "nhip-store-private.h"
#include "nhip-xml130-validate.h"

static gdouble
seconds_since(gint64 start)
{
	return (g_get_monotonic_time() - start) / 1e6;
}

/* CPU time of this process: the wall time of a shared machine includes other work */
static gdouble
cpu_seconds(void)
{
	struct timespec ts = { 0 };
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the opening time just after the @n-th visit, so that [0, end) holds @n visits */
static gint64
range_end_for(NhipStore *store, guint n)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		store, "SELECT opened_at FROM visits ORDER BY opened_at, id LIMIT 1 OFFSET ?",
		NULL);
	gint64 end = G_MAXINT64;

	sqlite3_bind_int(stmt, 1, (gint)n);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		end = sqlite3_column_int64(stmt, 0);
	return end;
}

static gboolean
make_key(const gchar *dir, gchar **key, gchar **cert)
{
	g_autofree gchar *command = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint status = 0;

	*key = g_build_filename(dir, "key.pem", NULL);
	*cert = g_build_filename(dir, "cert.pem", NULL);
	command = g_strdup_printf("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s "
				  "-days 2 -subj /CN=bench/O=66181",
				  *key, *cert);
	return g_spawn_command_line_sync(command, &out, &err, &status, NULL) &&
	       g_spawn_check_wait_status(status, NULL);
}

static void
bench_export(NhipStore *store,
	     gint64 end,
	     NhipExportXml130Options *options,
	     const gchar *what,
	     GBytes **envelope_out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipExportXml130) result = NULL;
	gint64 start = g_get_monotonic_time();
	gdouble cpu = cpu_seconds();
	gdouble seconds;

	result = nhip_export_xml130_range(store, 0, end, options, &error);
	seconds = seconds_since(start);
	cpu = cpu_seconds() - cpu;
	if (result == NULL) {
		g_printerr("bench-xml130: %s\n", error->message);
		exit(1);
	}
	g_print("  %-40s %6u visits  %6.3f s (CPU %6.3f s)  %6.0f visits/s  %5.1f MB%s\n", what,
		result->n_visits, seconds, cpu, result->n_visits / seconds,
		g_bytes_get_size(result->envelope) / 1e6,
		seconds < 2.0 ? "" : "  (over the 2 s target)");
	if (envelope_out != NULL)
		*envelope_out = g_bytes_ref(result->envelope);
}

int
main(int argc, char **argv)
{
	gint visits = 10000;
	g_autofree gchar *dir_option = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *key = NULL;
	g_autofree gchar *cert = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GBytes) envelope = NULL;
	NhipExportXml130Options options = { NHIP_XML130_PROFILE_4750, NULL, NULL, NULL };
	GOptionEntry entries[] = {
		{ "visits", 0, 0, G_OPTION_ARG_INT, &visits, "Visits to export", "N" },
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_option, "Folder for the database", "D" },
		{ NULL },
	};
	NhipStoreStats stats = { 0 };
	gint64 start;
	gint64 end;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("bench-xml130: %s\n", error->message);
		return 2;
	}
	dir = dir_option != NULL ? g_strdup(dir_option) : g_dir_make_tmp("nhip-bench-XXXXXX", NULL);
	path = g_build_filename(dir, "station.db", NULL);
	store = nhip_store_open(path, &error);
	if (store == NULL) {
		g_printerr("bench-xml130: %s\n", error->message);
		return 1;
	}
	g_print("QĐ 130 export (%s)\n", path);
	start = g_get_monotonic_time();
	/* about two visits a patient over the past year */
	if (!nhip_demo_fill(store, (guint)visits / 2 + 200, 2.0, 130, &error) ||
	    !nhip_store_get_stats(store, &stats, &error)) {
		g_printerr("bench-xml130: %s\n", error->message);
		return 1;
	}
	g_print("  demo station: %" G_GINT64_FORMAT " patients, %" G_GINT64_FORMAT
		" visits, made in %.1f s\n",
		stats.patients, stats.visits, seconds_since(start));
	end = range_end_for(store, (guint)visits);

	bench_export(store, end, &options, "profile 4750, unsigned", &envelope);
	options.profile = NHIP_XML130_PROFILE_3176;
	bench_export(store, end, &options, "profile 3176, unsigned", NULL);
	if (make_key(dir, &key, &cert)) {
		options.profile = NHIP_XML130_PROFILE_4750;
		options.sign_key = key;
		options.sign_cert = cert;
		bench_export(store, end, &options, "profile 4750, signed (RSA-2048, SHA-256)",
			     NULL);
	} else {
		g_print("  (no openssl tool: the signed export is not measured)\n");
	}

	/* the validator on the same envelope */
	for (guint run = 0; run < 2; run++) {
		g_autoptr(GPtrArray) violations = NULL;
		gdouble seconds;
		gdouble cpu = cpu_seconds();
		start = g_get_monotonic_time();
		violations = nhip_xml130_validate(g_bytes_get_data(envelope, NULL),
						  g_bytes_get_size(envelope),
						  NHIP_XML130_PROFILE_4750, NULL);
		seconds = seconds_since(start);
		cpu = cpu_seconds() - cpu;
		if (run == 1)
			g_print("  %-40s %6d visits  %6.3f s (CPU %6.3f s)  %6.0f visits/s  %5.1f "
				"MB/s, %u violations\n",
				"validator", visits, seconds, cpu, visits / seconds,
				g_bytes_get_size(envelope) / 1e6 / seconds, violations->len);
	}
	{
		gdouble load[3] = { 0, 0, 0 };
		if (getloadavg(load, 3) > 0)
			g_print("  (load average %.1f on %u cores while measuring)\n", load[0],
				g_get_num_processors());
	}
	g_clear_object(&store);
	if (dir_option == NULL) {
		g_autofree gchar *command = g_strdup_printf("rm -rf %s", dir);
		if (!g_spawn_command_line_sync(command, NULL, NULL, NULL, NULL))
			g_printerr("bench-xml130: could not remove %s\n", dir);
	}
	return 0;
}
