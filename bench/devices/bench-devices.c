/*
 * Nhịp — device benchmarks:
 *  1. latency from the last byte of a Tanita line written to a pseudo-terminal to the
 *     measurement committed in the SQLite database, through the device manager, the serial
 *     driver, the decoder and nhip_store_add_device_measurements() (target p95 < 50 ms);
 *  2. CPU time of an idle device manager with five nhip-devsim devices connected
 *     (target < 1 % of one core).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "nhip-device-manager.h"
#include "nhip-store.h"
#include "nhip-tanita-proto.h"

#define BENCH_READINGS 500
#define BENCH_IDLE_S   10

typedef struct {
	NhipStore *store;
	gint64 visit_id;
	gint64 stored_at;
	guint stored;
	guint failed;
} Bench;

static void
bench_measurement_cb(NhipDeviceManager *manager,
		     NhipDevice *device,
		     NhipMeasurement *measurement,
		     gpointer user_data)
{
	Bench *bench = user_data;
	g_autoptr(GPtrArray) one = g_ptr_array_new();
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(one, measurement);
	if (!nhip_store_add_device_measurements(bench->store, bench->visit_id, one, NULL, NULL,
						&error)) {
		g_printerr("bench: %s\n", error->message);
		bench->failed++;
	}
	bench->stored_at = g_get_monotonic_time();
	bench->stored++;
}

static gint
compare_double(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a;
	gdouble y = *(const gdouble *)b;
	return (x > y) - (x < y);
}

static gboolean
bench_latency(const gchar *dir)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename(dir, "station.db", NULL);
	g_autoptr(NhipDeviceManager) manager = nhip_device_manager_new();
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(GArray) ms = g_array_new(FALSE, FALSE, sizeof(gdouble));
	g_autoptr(GDateTime) base = g_date_time_new_now_local();
	Bench bench = { 0 };
	gint master;
	gdouble sum = 0;

	bench.store = nhip_store_open(path, &error);
	if (bench.store == NULL) {
		g_printerr("bench: %s\n", error->message);
		return FALSE;
	}
	patient->full_name = g_strdup("Lò Thị Bench");
	patient->birth = g_strdup("1980-01-01");
	patient->sex = NHIP_SEX_FEMALE;
	bench.visit_id = nhip_store_visit_open(
		bench.store, nhip_store_patient_add(bench.store, patient, &error), NULL, &error);
	if (bench.visit_id <= 0) {
		g_printerr("bench: %s\n", error->message);
		return FALSE;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return FALSE;
	nhip_device_manager_set_hotplug(manager, FALSE);
	g_signal_connect(manager, "measurement", G_CALLBACK(bench_measurement_cb), &bench);
	if (!nhip_device_manager_start(manager, &error) ||
	    !nhip_device_manager_add_serial_port(manager, "tanita", ptsname(master), &error)) {
		g_printerr("bench: %s\n", error->message);
		return FALSE;
	}
	for (guint i = 0; i < BENCH_READINGS; i++) {
		/* a new second each time, so that no reading is a duplicate of another */
		g_autoptr(GDateTime) when = g_date_time_add_seconds(base, -(gdouble)i);
		g_autofree gchar *date = g_date_time_format(when, "%d/%m/%Y");
		g_autofree gchar *time = g_date_time_format(when, "%H:%M:%S");
		g_autofree gchar *body = g_strdup_printf(
			"{0,16,~0,1,~1,1,~2,1,MO,\"BC-545N\",SN,\"BENCH001\",Da,\"%s\",TI,\"%s\","
			"Bt,0,GE,1,AG,40,Hm,0.0,Pt,0.0,Wk,%.1f,FW,20.1,",
			date, time, 50.0 + (i % 300) / 10.0);
		g_autofree gchar *line =
			g_strdup_printf("%sCS,%02X}\r\n", body,
					nhip_tanita_checksum((const guint8 *)body, strlen(body)));
		guint before = bench.stored;
		gint64 t0;
		gdouble latency;

		if (write(master, line, strlen(line)) != (gssize)strlen(line))
			return FALSE;
		t0 = g_get_monotonic_time();
		while (bench.stored == before)
			g_main_context_iteration(NULL, TRUE);
		latency = (gdouble)(bench.stored_at - t0) / 1000.0;
		g_array_append_val(ms, latency);
		sum += latency;
	}
	g_array_sort(ms, compare_double);
	g_print("device → database latency, %u Tanita lines over a pty (manager → driver → "
		"decoder → SQLite commit, synchronous=FULL):\n",
		ms->len);
	g_print("  p50 %.2f ms   p95 %.2f ms   max %.2f ms   mean %.2f ms   (target p95 < 50 ms)\n",
		g_array_index(ms, gdouble, ms->len / 2),
		g_array_index(ms, gdouble, (ms->len * 95) / 100),
		g_array_index(ms, gdouble, ms->len - 1), sum / ms->len);
	if (bench.failed > 0)
		g_print("  %u readings failed to store\n", bench.failed);
	nhip_device_manager_stop(manager);
	close(master);
	g_clear_object(&bench.store);
	return bench.failed == 0;
}

static gint64
cpu_us(void)
{
	struct rusage ru = { 0 };
	getrusage(RUSAGE_SELF, &ru);
	return (gint64)ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec +
	       (gint64)ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
}

static gboolean
bench_done_cb(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
bench_idle(void)
{
	const gchar *drivers[] = { "cms50", "cms50", "tanita", "tanita", "tanita" };
	GSubprocess *sims[G_N_ELEMENTS(drivers)] = { NULL };
	g_autoptr(NhipDeviceManager) manager = nhip_device_manager_new();
	g_autoptr(GError) error = NULL;
	gboolean done = FALSE;
	gint64 cpu0, wall0, cpu1, wall1;

	nhip_device_manager_set_hotplug(manager, FALSE);
	if (!nhip_device_manager_start(manager, &error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(drivers); i++) {
		g_autoptr(GDataInputStream) lines = NULL;
		g_autofree gchar *tty = NULL;

		sims[i] = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, NHIP_DEVSIM_PATH,
					   "--driver", drivers[i], "--scenario", "idle", NULL);
		if (sims[i] == NULL) {
			g_printerr("bench: %s\n", error->message);
			return FALSE;
		}
		lines = g_data_input_stream_new(g_subprocess_get_stdout_pipe(sims[i]));
		tty = g_data_input_stream_read_line(lines, NULL, NULL, &error);
		if (tty == NULL ||
		    !nhip_device_manager_add_serial_port(manager, drivers[i], tty, &error)) {
			g_printerr("bench: %s\n", error != NULL ? error->message : "no tty");
			return FALSE;
		}
	}
	/* let the drivers settle (the oximeters probe both line settings), then measure */
	g_timeout_add(2000, bench_done_cb, &done);
	while (!done)
		g_main_context_iteration(NULL, TRUE);
	done = FALSE;
	cpu0 = cpu_us();
	wall0 = g_get_monotonic_time();
	g_timeout_add_seconds(BENCH_IDLE_S, bench_done_cb, &done);
	while (!done)
		g_main_context_iteration(NULL, TRUE);
	cpu1 = cpu_us();
	wall1 = g_get_monotonic_time();
	g_print("idle device manager, 5 devices connected (2 CMS50 probing, 3 Tanita), %d s:\n",
		BENCH_IDLE_S);
	g_print("  CPU %.3f ms over %.1f s = %.4f %% of one core   (target < 1 %%)\n",
		(cpu1 - cpu0) / 1000.0, (wall1 - wall0) / 1e6,
		100.0 * (gdouble)(cpu1 - cpu0) / (gdouble)(wall1 - wall0));
	nhip_device_manager_stop(manager);
	for (guint i = 0; i < G_N_ELEMENTS(sims); i++) {
		g_subprocess_send_signal(sims[i], SIGTERM);
		g_subprocess_wait(sims[i], NULL, NULL);
		g_object_unref(sims[i]);
	}
	return TRUE;
}

int
main(int argc, char **argv)
{
	g_autofree gchar *dir = g_dir_make_tmp("nhip-bench-devices-XXXXXX", NULL);
	g_autofree gchar *db = NULL;
	gboolean ok;

	ok = bench_latency(dir);
	ok = bench_idle() && ok;
	db = g_build_filename(dir, "station.db", NULL);
	for (const gchar *suffix = ""; suffix != NULL; suffix = g_strcmp0(suffix, "") == 0 ? "-wal"
								: g_strcmp0(suffix, "-wal") == 0
									? "-shm"
									: NULL) {
		g_autofree gchar *file = g_strconcat(db, suffix, NULL);
		g_unlink(file);
	}
	g_rmdir(dir);
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
