/*
 * Nhịp — benchmarks of the station kiosk, in a real window:
 *   1. process start to the first frame of the login screen (target < 1 s)
 *   2. search as you type over 100,000 patients, from the text change to the results
 *      drawn (the frame clock's after-paint; target < 50 ms)
 *   3. resident memory after a full visit (register, open, readings, diagnosis, close;
 *      target < 120 MB)
 * It needs a display; tools/dev bench runs it under Xvfb.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhip-application.h"
#include "nhip-demo.h"
#include "nhip-search-page.h"
#include "nhip-station.h"
#include "nhip-visit-page.h"
#include "nhip-window.h"

typedef struct {
	GMainLoop *loop;
	gboolean painted;
	gboolean done;
	gpointer result;
	GError *error;
} Wait;

static void
bench_after_paint(GdkFrameClock *clock, gpointer user_data)
{
	Wait *wait = user_data;
	wait->painted = TRUE;
}

/* iterates until the window has drawn a frame after now */
static gint64
bench_wait_frame(GtkWidget *window)
{
	GdkFrameClock *clock = gtk_widget_get_frame_clock(window);
	Wait wait = { 0 };
	gulong id = g_signal_connect(clock, "after-paint", G_CALLBACK(bench_after_paint), &wait);

	gtk_widget_queue_draw(window);
	while (!wait.painted)
		g_main_context_iteration(NULL, TRUE);
	g_signal_handler_disconnect(clock, id);
	return g_get_monotonic_time();
}

static void
bench_job_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Wait *wait = user_data;
	wait->result = nhip_worker_run_finish(NHIP_WORKER(source), result, &wait->error);
	wait->done = TRUE;
}

static gpointer
bench_run(NhipStation *station, NhipWorkerFunc func, gpointer data)
{
	Wait wait = { 0 };

	nhip_station_run(station, func, data, NULL, NULL, bench_job_done, &wait);
	while (!wait.done)
		g_main_context_iteration(NULL, TRUE);
	if (wait.error != NULL)
		g_error("bench job: %s", wait.error->message);
	return wait.result;
}

static gint
bench_compare(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return (x > y) - (x < y);
}

static void
bench_print(const gchar *what, GArray *us, const gchar *target)
{
	g_array_sort(us, bench_compare);
	g_print("%-44s p50 %7.1f ms   p95 %7.1f ms   max %7.1f ms   (n=%u, target %s)\n", what,
		g_array_index(us, gint64, us->len / 2) / 1000.0,
		g_array_index(us, gint64, (us->len * 95) / 100) / 1000.0,
		g_array_index(us, gint64, us->len - 1) / 1000.0, us->len, target);
}

/* 1. a separate process for each start, as the kiosk session starts it */
static void
bench_startup(const gchar *db)
{
	g_autoptr(GArray) us = g_array_new(FALSE, FALSE, sizeof(gint64));

	for (guint i = 0; i < 7; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GSubprocessLauncher) launcher =
			g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
		g_autoptr(GSubprocess) process = NULL;
		g_autofree gchar *out = NULL;
		g_autofree gchar *t0 = g_strdup_printf("%" G_GINT64_FORMAT, g_get_monotonic_time());
		const gchar *line;
		gint64 value;

		g_subprocess_launcher_setenv(launcher, "NHIP_BENCH_T0", t0, TRUE);
		g_subprocess_launcher_setenv(launcher, "NHIP_NON_UNIQUE", "1", TRUE);
		process = g_subprocess_launcher_spawn(launcher, &error, NHIP_STATION_PATH, "--db",
						      db, "--first-frame", NULL);
		if (process == NULL ||
		    !g_subprocess_communicate_utf8(process, NULL, NULL, &out, NULL, &error))
			g_error("cannot run nhip-station: %s", error->message);
		line = out != NULL ? strstr(out, "first-frame-us ") : NULL;
		if (line == NULL)
			g_error("nhip-station printed no first frame: %s", out != NULL ? out : "");
		value = g_ascii_strtoll(line + strlen("first-frame-us "), NULL, 10);
		/* the first start warms the disk cache; a kiosk boots cold once a day */
		if (i > 0)
			g_array_append_val(us, value);
	}
	bench_print("start to first frame of the login screen", us, "< 1000 ms");
}

/* 2. search as you type */
static void
bench_search(NhipWindow *window)
{
	static const gchar *const queries[] = {
		"nguyen thi hoa", "tran van minh", "le thi lan", "hoang van", "pham thi",
		"0661",		  "1985",	   "lo thi",	 "giang a",   "nie"
	};
	g_autoptr(GArray) us = g_array_new(FALSE, FALSE, sizeof(gint64));
	NhipSearchPage *page = NHIP_SEARCH_PAGE(nhip_window_get_page_widget(window, "search"));
	guint results = 0;

	nhip_window_show_page(window, "search");
	bench_wait_frame(GTK_WIDGET(window));
	for (guint q = 0; q < G_N_ELEMENTS(queries); q++) {
		for (gsize len = 1; len <= strlen(queries[q]); len++) {
			g_autofree gchar *prefix = g_strndup(queries[q], len);
			gint64 t0 = g_get_monotonic_time();
			gint64 t1;

			/* one keystroke: the entry's text changes, results are drawn */
			nhip_search_page_set_query(page, prefix);
			t1 = bench_wait_frame(GTK_WIDGET(window));
			t1 -= t0;
			g_array_append_val(us, t1);
			results += nhip_search_page_get_n_results(page);
		}
		nhip_search_page_set_query(page, "");
	}
	bench_print("search keystroke to results drawn", us, "< 50 ms");
	g_print("  (%u result rows drawn in all)\n", results);
}

static gpointer
bench_visit_job(NhipStore *store, gpointer data, GError **error)
{
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	gint64 *visit = g_new(gint64, 1);

	patient->full_name = g_strdup("Hà Thị Mai");
	patient->birth = g_strdup("1990-05-12");
	patient->sex = NHIP_SEX_FEMALE;
	if (nhip_store_patient_add(store, patient, error) == 0)
		return NULL;
	*visit = nhip_store_visit_open(store, patient->id, "Sốt", error);
	if (*visit == 0)
		return NULL;
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_BLOOD_PRESSURE, 152, 96));
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_TEMPERATURE, 38.6, NAN));
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_SPO2, 97, NAN));
	if (!nhip_store_observations_add(store, *visit, obs, error))
		return NULL;
	return visit;
}

static gpointer
bench_close_job(NhipStore *store, gpointer data, GError **error)
{
	const gchar *codes[] = { "J02.9", NULL };
	gint64 visit = *(gint64 *)data;

	if (!nhip_store_visit_save_draft(store, visit, "Sốt 3 ngày", NULL, codes, error) ||
	    !nhip_store_visit_close(store, visit, codes, NULL, error))
		return NULL;
	return GINT_TO_POINTER(TRUE);
}

static glong
bench_rss_kb(void)
{
	g_autofree gchar *status = NULL;
	const gchar *rss;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
		return 0;
	rss = strstr(status, "VmRSS:");
	return rss != NULL ? strtol(rss + 6, NULL, 10) : 0;
}

/* 3. memory after the screens of a full visit have been shown */
static void
bench_memory(NhipWindow *window, NhipStation *station)
{
	g_autofree gint64 *visit = NULL;
	NhipVisitPage *page = NHIP_VISIT_PAGE(nhip_window_get_page_widget(window, "visit"));

	nhip_window_register_patient(window, NULL, NULL);
	bench_wait_frame(GTK_WIDGET(window));
	visit = bench_run(station, bench_visit_job, NULL);
	nhip_window_open_visit(window, *visit);
	bench_wait_frame(GTK_WIDGET(window));
	nhip_visit_page_show_picker(page, "viem hong");
	bench_wait_frame(GTK_WIDGET(window));
	bench_run(station, bench_close_job, visit);
	nhip_window_open_visit(window, *visit);
	bench_wait_frame(GTK_WIDGET(window));
	nhip_window_go_home(window);
	bench_wait_frame(GTK_WIDGET(window));
	/* let the window's idle work run, as it would while the nurse calls the next patient */
	while (g_main_context_iteration(NULL, FALSE))
		;
	{
		glong kb = bench_rss_kb();
		g_print("%-44s %.1f MiB (%.1f MB)   (target < 120 MB)\n",
			"resident memory after a full visit", kb / 1024.0, kb * 1.024 / 1000.0);
	}
}

static void
bench_ready(NhipWindow *window, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
}

int
main(int argc, char **argv)
{
	g_autofree gchar *dir = g_dir_make_tmp("nhip-bench-ui-XXXXXX", NULL);
	g_autofree gchar *db = g_build_filename(dir, "station.db", NULL);
	g_autofree gchar *rm = g_strdup_printf("rm -rf '%s'", dir);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipApplication) app = NULL;
	g_autoptr(NhipStation) station = NULL;
	g_autoptr(GPtrArray) staff = NULL;
	NhipWindow *window;
	gboolean ready = FALSE;
	gint patients = argc > 1 ? atoi(argv[1]) : 100000;

	/* the database is made by a child process, so its memory is not counted below */
	if (argc > 3 && g_strcmp0(argv[1], "--make-db") == 0) {
		g_autoptr(NhipStore) store = nhip_store_open(argv[2], &error);
		if (store == NULL || !nhip_demo_fill(store, (guint)atoi(argv[3]), 0, 7, &error))
			g_error("cannot make the demo database: %s", error->message);
		return 0;
	}

	if (g_getenv("DISPLAY") == NULL && g_getenv("WAYLAND_DISPLAY") == NULL) {
		g_printerr("bench-station needs a display; run it under xvfb-run -a\n");
		return 77;
	}
	g_setenv("LANGUAGE", "vi", FALSE);
	{
		gint64 t0 = g_get_monotonic_time();
		g_autofree gchar *n = g_strdup_printf("%d", patients);
		g_autoptr(GSubprocess) maker = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error,
								argv[0], "--make-db", db, n, NULL);
		if (maker == NULL || !g_subprocess_wait_check(maker, NULL, &error))
			g_error("cannot make the demo database: %s", error->message);
		g_print("== nhip-station over %d patients (made in %.1f s) ==\n", patients,
			(g_get_monotonic_time() - t0) / 1e6);
	}
	/* as nhip-station's main() does: the same renderer, without OpenGL */
	nhip_application_setup_rendering();
	bench_startup(db);

	gtk_init();
	app = nhip_application_new();
	g_application_set_flags(G_APPLICATION(app), G_APPLICATION_NON_UNIQUE);
	g_application_register(G_APPLICATION(app), NULL, NULL);
	station = nhip_station_new(db, FALSE);
	window = nhip_window_new(GTK_APPLICATION(app), station, FALSE);
	nhip_window_set_devices_enabled(window, FALSE);
	gtk_window_set_default_size(GTK_WINDOW(window), 1024, 600);
	g_signal_connect(window, "station-ready", G_CALLBACK(bench_ready), &ready);
	gtk_window_present(GTK_WINDOW(window));
	nhip_window_start(window);
	while (!ready)
		g_main_context_iteration(NULL, TRUE);
	staff = nhip_store_staff_list(nhip_station_get_store(station), &error);
	nhip_station_set_staff(station, g_ptr_array_index(staff, 0));
	bench_wait_frame(GTK_WIDGET(window));

	g_print("%-44s %.1f MiB\n", "resident memory at the login screen", bench_rss_kb() / 1024.0);
	bench_search(window);
	g_print("%-44s %.1f MiB\n", "resident memory after searching", bench_rss_kb() / 1024.0);
	bench_memory(window, station);

	nhip_window_allow_close(window);
	g_clear_object(&station);
	if (system(rm) != 0)
		g_printerr("cannot remove %s\n", dir);
	return 0;
}
