/*
 * Nhịp — one writer with concurrent readers, and crash safety under SIGKILL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "nhip-store-private.h"
#include "nhip-test-utils.h"

#define N_VISITS      150
#define OBS_PER_VISIT 6
#define N_READERS     3

typedef struct {
	const gchar *path;
	gint64 first_patient;
	volatile gint done;
	volatile gint reads;
	volatile gint errors;
} Shared;

static gpointer
writer_thread(gpointer data)
{
	Shared *shared = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(shared->path, &error);

	g_assert_no_error(error);
	/* start once every reader is reading, so the two really overlap */
	while (g_atomic_int_get(&shared->reads) < N_READERS &&
	       g_atomic_int_get(&shared->errors) == 0)
		g_usleep(1000);
	for (gint i = 0; i < N_VISITS; i++) {
		g_autoptr(GPtrArray) obs =
			g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
		gint64 visit =
			nhip_store_visit_open(store, shared->first_patient + i, NULL, &error);
		g_assert_no_error(error);
		for (gint j = 0; j < OBS_PER_VISIT; j++)
			g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_PULSE, 60 + j, NAN));
		g_assert_true(nhip_store_observations_add(store, visit, obs, &error));
		g_assert_no_error(error);
	}
	g_atomic_int_set(&shared->done, 1);
	return NULL;
}

static gpointer
reader_thread(gpointer data)
{
	Shared *shared = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(shared->path, &error);

	g_assert_no_error(error);
	do {
		gint64 visits = 0;
		/* a visit's observations are committed together: a reader sees all or none */
		if (!nhipi_store_count(
			    store,
			    "SELECT count(*) FROM (SELECT v.id, count(o.id) AS n FROM "
			    "visits v LEFT JOIN observations o ON o.visit_id = v.id "
			    "GROUP BY v.id HAVING n != 0 AND n != " G_STRINGIFY(OBS_PER_VISIT) ")",
			    &visits, &error)) {
			g_printerr("reader: %s\n", error->message);
			g_atomic_int_inc(&shared->errors);
			g_clear_error(&error);
			continue;
		}
		g_assert_cmpint(visits, ==, 0);
		{
			g_autoptr(GPtrArray) found =
				nhip_store_patient_search(store, "nguyen", 10, &error);
			if (found == NULL) {
				g_atomic_int_inc(&shared->errors);
				g_clear_error(&error);
			}
		}
		g_atomic_int_inc(&shared->reads);
	} while (!g_atomic_int_get(&shared->done));
	return NULL;
}

static void
test_writer_with_readers(void)
{
	g_autofree gchar *dir = nhip_test_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "concurrent.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(path, &error);
	GThread *readers[N_READERS];
	GThread *writer;
	Shared shared = { .path = path };

	g_assert_no_error(error);
	for (gint i = 0; i < N_VISITS; i++) {
		g_autoptr(NhipPatient) p = nhip_patient_new();
		p->full_name = g_strdup_printf("Nguyễn Văn Số %c%c", 'A' + i % 26, 'A' + i / 26);
		p->birth = g_strdup("1970");
		p->sex = NHIP_SEX_MALE;
		g_assert_cmpint(nhip_store_patient_add(store, p, &error), >, 0);
		if (i == 0)
			shared.first_patient = p->id;
	}
	for (gint i = 0; i < N_READERS; i++)
		readers[i] = g_thread_new("reader", reader_thread, &shared);
	writer = g_thread_new("writer", writer_thread, &shared);
	g_thread_join(writer);
	for (gint i = 0; i < N_READERS; i++)
		g_thread_join(readers[i]);
	g_assert_cmpint(shared.errors, ==, 0);
	g_assert_cmpint(shared.reads, >, 0);
	g_assert_cmpint(nhip_test_sql_int(path, "SELECT count(*) FROM observations"), ==,
			N_VISITS * OBS_PER_VISIT);
	g_assert_true(nhip_store_integrity_check(store, NULL));
	g_test_message("%d consistent reads while writing", shared.reads);
	g_clear_object(&store);
	nhip_test_rmrf(dir);
}

typedef struct {
	GArray *patients;
	GArray *visits; /* pairs: id, n */
} Reported;

static void
read_reports(GInputStream *stream, Reported *reported, gboolean *ready)
{
	g_autoptr(GDataInputStream) data = g_data_input_stream_new(stream);
	gchar *line;

	while ((line = g_data_input_stream_read_line(data, NULL, NULL, NULL)) != NULL) {
		gint64 a = 0, b = 0;
		if (line[0] == 'R') {
			*ready = TRUE;
		} else if (sscanf(line, "P %" G_GINT64_FORMAT, &a) == 1) {
			g_array_append_val(reported->patients, a);
		} else if (sscanf(line, "V %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &a, &b) == 2) {
			g_array_append_val(reported->visits, a);
			g_array_append_val(reported->visits, b);
		}
		g_free(line);
	}
}

static void
test_crash_safety(void)
{
	g_autofree gchar *dir = nhip_test_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "crash.db", NULL);
	const gchar *rounds_env = g_getenv("NHIP_CRASH_ROUNDS");
	guint rounds = rounds_env != NULL ? (guint)atoi(rounds_env) : 200;
	g_autoptr(GRand) rand = g_rand_new_with_seed(1122);
	Reported reported = { g_array_new(FALSE, FALSE, sizeof(gint64)),
			      g_array_new(FALSE, FALSE, sizeof(gint64)) };
	guint killed_mid_run = 0;

	for (guint round = 0; round < rounds; round++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GSubprocess) writer = NULL;
		g_autofree gchar *seed = g_strdup_printf("%u", round + 1);
		gboolean ready = FALSE;
		GInputStream *out;
		gchar first[3] = { 0 };
		gsize got = 0;

		writer = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, CRASH_WRITER_PATH,
					  path, seed, NULL);
		g_assert_no_error(error);
		out = g_subprocess_get_stdout_pipe(writer);
		/* wait for "R": the store is open, then let it write for a random while */
		g_assert_true(g_input_stream_read_all(out, first, 2, &got, NULL, &error));
		g_assert_cmpstr(first, ==, "R\n");
		ready = TRUE;
		g_usleep((gulong)g_rand_int_range(rand, 0, 40000));
		g_subprocess_send_signal(writer, SIGKILL);
		read_reports(out, &reported, &ready);
		g_subprocess_wait(writer, NULL, &error);
		g_assert_no_error(error);
		g_assert_true(ready);
		if (g_subprocess_get_if_signaled(writer) &&
		    g_subprocess_get_term_sig(writer) == SIGKILL)
			killed_mid_run++;
	}
	g_assert_cmpuint(killed_mid_run, ==, rounds);

	/* everything reported as committed is there, and the file is sound */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipStore) store = nhip_store_open(path, &error);
		g_assert_no_error(error);
		g_assert_true(nhip_store_integrity_check(store, &error));
		g_assert_no_error(error);
		g_assert_true(nhip_store_audit_verify(store, NULL, NULL, &error));
		g_assert_no_error(error);
		for (guint i = 0; i < reported.patients->len; i++) {
			gint64 id = g_array_index(reported.patients, gint64, i);
			g_autoptr(NhipPatient) p = nhip_store_patient_get(store, id, &error);
			g_assert_no_error(error);
			g_assert_nonnull(p);
		}
		for (guint i = 0; i < reported.visits->len; i += 2) {
			gint64 id = g_array_index(reported.visits, gint64, i);
			gint64 n = g_array_index(reported.visits, gint64, i + 1);
			g_autoptr(GPtrArray) obs = nhip_store_observation_list(store, id, &error);
			g_assert_no_error(error);
			g_assert_cmpint(obs->len, ==, n);
		}
		g_test_message(
			"%u kills; %u patients and %u visits reported committed, all present",
			rounds, reported.patients->len, reported.visits->len / 2);
	}
	g_assert_cmpuint(reported.patients->len, >, 0);
	g_array_unref(reported.patients);
	g_array_unref(reported.visits);
	nhip_test_rmrf(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store/concurrency/writer-with-readers", test_writer_with_readers);
	g_test_add_func("/store/crash/sigkill-rounds", test_crash_safety);
	return g_test_run();
}
