/*
 * Nhịp — tests of the outbox and of `nhipctl hl7 flush` / `nhipctl outbox`: queue order,
 * backoff, states and recovery on a real SQLite file; delivery over MLLP on loopback to
 * python-hl7's hl7.mllp server and to our own listener answering AA, AE and AR; a sender
 * killed between sending and recording the ACK; the flush lock; a lost payload file.
 *
 * Delivery is at least once: a flush killed after the receiver got a message but before
 * the ACK was recorded sends that message again, with the same control id (MSH-10), on
 * the next flush. /outbox/flush/crash shows it; receivers deduplicate by control id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "nhip-hl7.h"
#include "nhip-outbox.h"
#include "nhip-store.h"
#include "nhip-test-utils.h"

static const gchar *python3;

typedef struct {
	gchar *dir;
	gchar *db;
	gchar *visit;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	NhipObservation *o;
	gint64 patient_id;
	gint64 visit_id;

	f->dir = g_dir_make_tmp("nhip-outbox-XXXXXX", &error);
	g_assert_no_error(error);
	f->db = g_build_filename(f->dir, "station.db", NULL);
	store = nhip_store_open(f->db, &error);
	g_assert_no_error(error);
	g_assert_true(nhip_store_facility_set(store, facility, &error));
	patient->full_name = g_strdup("Nguyễn Thị Đào");
	patient->birth = g_strdup("1985-03-27");
	patient->sex = NHIP_SEX_FEMALE;
	patient->cccd = g_strdup("066185001234");
	patient_id = nhip_store_patient_add(store, patient, &error);
	g_assert_no_error(error);
	visit_id = nhip_store_visit_open(store, patient_id, NULL, &error);
	g_assert_no_error(error);
	o = nhip_observation_new(NHIP_VITAL_PULSE, 78, NAN);
	o->measured_at = 1706685900;
	g_ptr_array_add(obs, o);
	g_assert_true(nhip_store_observations_add(store, visit_id, obs, &error));
	g_assert_no_error(error);
	f->visit = g_strdup_printf("%" G_GINT64_FORMAT, visit_id);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	nhip_test_rmrf(f->dir);
	g_free(f->dir);
	g_free(f->db);
	g_free(f->visit);
}

static NhipStore *
open_store(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	NhipStore *store = nhip_store_open(f->db, &error);
	g_assert_no_error(error);
	return store;
}

static gint64
now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static gint64 sql_int(Fixture *f, const gchar *format, ...) G_GNUC_PRINTF(2, 3);

static gint64
sql_int(Fixture *f, const gchar *format, ...)
{
	g_autofree gchar *sql = NULL;
	va_list ap;

	va_start(ap, format);
	sql = g_strdup_vprintf(format, ap);
	va_end(ap);
	return nhip_test_sql_int(f->db, sql);
}

/* ----- the library ----- */

static void
test_order(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) due = NULL;
	g_autoptr(NhipOutboxItem) next = NULL;
	gint64 a, b, c, d;

	a = nhip_outbox_enqueue(store, "hl7", "/a", 0, &error);
	b = nhip_outbox_enqueue(store, "hl7", "/b", 5, &error);
	c = nhip_outbox_enqueue(store, "hl7", "/c", 0, &error);
	d = nhip_outbox_enqueue(store, "case-packet", "visit:1", 9, &error);
	g_assert_no_error(error);
	g_assert_cmpint(a, >, 0);

	/* priority first, then age; kinds apart */
	due = nhip_outbox_list_due(store, "hl7", G_MAXINT64, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(due->len, ==, 3);
	g_assert_cmpint(((NhipOutboxItem *)due->pdata[0])->id, ==, b);
	g_assert_cmpint(((NhipOutboxItem *)due->pdata[1])->id, ==, a);
	g_assert_cmpint(((NhipOutboxItem *)due->pdata[2])->id, ==, c);
	next = nhip_outbox_next_due(store, NULL, G_MAXINT64, &error);
	g_assert_no_error(error);
	g_assert_cmpint(next->id, ==, d);
	g_assert_cmpstr(next->kind, ==, "case-packet");
	g_assert_cmpstr(next->payload_ref, ==, "visit:1");
	g_assert_cmpint(next->state, ==, NHIP_OUTBOX_STATE_QUEUED);
	g_assert_cmpuint(next->attempts, ==, 0);
	g_clear_pointer(&next, nhip_outbox_item_free);

	/* nothing is due before it was queued */
	next = nhip_outbox_next_due(store, "hl7", 1, &error);
	g_assert_no_error(error);
	g_assert_null(next);
	g_clear_pointer(&due, g_ptr_array_unref);
	due = nhip_outbox_list_due(store, "hl7", G_MAXINT64, 2, &error);
	g_assert_cmpuint(due->len, ==, 2);
}

static void
test_backoff(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipOutboxItem) item = NULL;
	g_autoptr(NhipOutboxItem) next = NULL;
	gint64 id;
	gint64 when = 0;
	gint64 before;
	gint64 previous = 0;

	g_assert_cmpint(nhip_outbox_backoff(1, 0), ==, 15);
	g_assert_cmpint(nhip_outbox_backoff(1, 1), ==, 30);
	g_assert_cmpint(nhip_outbox_backoff(2, 1), ==, 60);
	g_assert_cmpint(nhip_outbox_backoff(3, 0), ==, 60);
	g_assert_cmpint(nhip_outbox_backoff(6, 1), ==, 960);
	/* capped at 30 minutes, however many attempts */
	g_assert_cmpint(nhip_outbox_backoff(7, 1), ==, NHIP_OUTBOX_BACKOFF_MAX);
	g_assert_cmpint(nhip_outbox_backoff(1000, 1), ==, NHIP_OUTBOX_BACKOFF_MAX);
	g_assert_cmpint(nhip_outbox_backoff(1000, 0), ==, NHIP_OUTBOX_BACKOFF_MAX / 2);
	g_assert_cmpint(nhip_outbox_backoff(G_MAXUINT, 7.0), ==, NHIP_OUTBOX_BACKOFF_MAX);
	for (guint n = 1; n < 20; n++) {
		gint64 pause = nhip_outbox_backoff(n, 0.5);
		g_assert_cmpint(pause, >=, previous);
		previous = pause;
	}

	id = nhip_outbox_enqueue(store, "hl7", "/x", 0, &error);
	g_assert_no_error(error);
	before = now_s();
	g_assert_true(nhip_outbox_mark_attempt(store, id, "link down", &when, &error));
	g_assert_no_error(error);
	g_assert_cmpint(when, >=, before + 15);
	g_assert_cmpint(when, <=, now_s() + 30);
	item = nhip_outbox_get(store, id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(item->attempts, ==, 1);
	g_assert_cmpint(item->next_try_at, ==, when);
	g_assert_cmpstr(item->last_error, ==, "link down");
	g_assert_cmpint(item->state, ==, NHIP_OUTBOX_STATE_QUEUED);
	/* not due until then */
	next = nhip_outbox_next_due(store, "hl7", now_s(), &error);
	g_assert_no_error(error);
	g_assert_null(next);
	next = nhip_outbox_next_due(store, "hl7", when, &error);
	g_assert_nonnull(next);

	before = now_s();
	g_assert_true(nhip_outbox_mark_attempt(store, id, "still down", &when, &error));
	g_assert_cmpint(when, >=, before + 30);
	g_assert_cmpint(when, <=, now_s() + 60);
}

static void
test_states(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) pending = NULL;
	g_autoptr(GPtrArray) all = NULL;
	g_autoptr(NhipOutboxItem) item = NULL;
	NhipStoreStats stats = { 0 };
	guint recovered = 99;
	gint64 a, b, c;

	a = nhip_outbox_enqueue(store, "hl7", "/a", 0, &error);
	b = nhip_outbox_enqueue(store, "hl7", "/b", 0, &error);
	c = nhip_outbox_enqueue(store, "hl7", "/c", 0, &error);
	g_assert_no_error(error);

	/* a sender that died while sending */
	g_assert_true(nhip_outbox_mark_sending(store, a, &error));
	item = nhip_outbox_get(store, a, &error);
	g_assert_cmpint(item->state, ==, NHIP_OUTBOX_STATE_SENDING);
	g_clear_pointer(&item, nhip_outbox_item_free);
	g_assert_true(nhip_outbox_recover(store, "case-packet", &recovered, &error));
	g_assert_cmpuint(recovered, ==, 0);
	g_assert_true(nhip_outbox_recover(store, "hl7", &recovered, &error));
	g_assert_cmpuint(recovered, ==, 1);
	item = nhip_outbox_get(store, a, &error);
	g_assert_cmpint(item->state, ==, NHIP_OUTBOX_STATE_QUEUED);
	g_assert_cmpint(item->next_try_at, <=, now_s());
	g_clear_pointer(&item, nhip_outbox_item_free);

	g_assert_true(nhip_outbox_mark_delivered(store, a, &error));
	g_assert_true(nhip_outbox_mark_failed(store, b, "AR: sai định dạng", &error));
	g_assert_no_error(error);
	item = nhip_outbox_get(store, b, &error);
	g_assert_cmpint(item->state, ==, NHIP_OUTBOX_STATE_FAILED);
	g_assert_cmpuint(item->attempts, ==, 1);
	g_assert_cmpstr(item->last_error, ==, "AR: sai định dạng");
	g_clear_pointer(&item, nhip_outbox_item_free);

	pending = nhip_outbox_list(store, NULL, FALSE, &error);
	g_assert_cmpuint(pending->len, ==, 2);
	g_assert_cmpint(((NhipOutboxItem *)pending->pdata[0])->id, ==, b);
	g_assert_cmpint(((NhipOutboxItem *)pending->pdata[1])->id, ==, c);
	all = nhip_outbox_list(store, "hl7", TRUE, &error);
	g_assert_cmpuint(all->len, ==, 3);
	g_assert_true(nhip_store_get_stats(store, &stats, &error));
	g_assert_cmpint(stats.outbox_pending, ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM audit_log WHERE action IN "
				   "('outbox.delivered', 'outbox.failed', 'outbox.recover')"),
			==, 3);

	/* postponing holds back what is queued, and only that */
	g_assert_true(nhip_outbox_postpone(store, "hl7", now_s() + 600, &error));
	g_assert_cmpint(
		sql_int(f, "SELECT next_try_at FROM outbox WHERE id = %" G_GINT64_FORMAT, c), >=,
		now_s() + 599);
	g_assert_cmpint(
		sql_int(f, "SELECT next_try_at FROM outbox WHERE id = %" G_GINT64_FORMAT, b), <,
		now_s() + 599);

	/* no such item */
	g_assert_false(nhip_outbox_mark_delivered(store, 4242, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(nhip_outbox_mark_attempt(store, 4242, "x", NULL, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(nhip_outbox_get(store, 4242, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_assert_cmpstr(nhip_outbox_state_to_string(NHIP_OUTBOX_STATE_ANSWERED), ==, "answered");
	g_assert_null(nhip_outbox_state_to_string((NhipOutboxState)42));
}

static void
test_restart(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipOutboxItem) item = NULL;
	gint64 id;

	{
		g_autoptr(NhipStore) store = open_store(f);
		id = nhip_outbox_enqueue(store, "hl7", "/kept", 3, &error);
		g_assert_no_error(error);
		g_assert_true(nhip_outbox_mark_attempt(store, id, "down", NULL, &error));
	}
	{
		g_autoptr(NhipStore) store = open_store(f);
		item = nhip_outbox_get(store, id, &error);
		g_assert_no_error(error);
	}
	g_assert_cmpstr(item->payload_ref, ==, "/kept");
	g_assert_cmpint(item->priority, ==, 3);
	g_assert_cmpuint(item->attempts, ==, 1);
	g_assert_cmpstr(item->last_error, ==, "down");
}

/* ----- nhipctl hl7 flush ----- */

/* queues the fixture's visit as an HL7 message while nothing listens; returns its
 * control id */
static gchar *
queue_message(Fixture *f, const gchar *type)
{
	g_autofree gchar *port = g_strdup_printf("%u", nhip_test_free_port());
	g_auto(NhipTestRun) send = { 0 };
	g_autofree gchar *path = NULL;
	g_autofree gchar *name = NULL;

	send = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "hl7", "send", "--host", "127.0.0.1",
			     "--port", port, f->visit, "--type", type, "--retries", "0",
			     "--timeout", "2", NULL);
	nhip_test_assert_one_line_error(&send, 5);
	path = nhip_test_sql_text(f->db, "SELECT payload_ref FROM outbox ORDER BY id DESC LIMIT 1");
	g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
	name = g_path_get_basename(path);
	g_assert_true(g_str_has_prefix(name, "hl7-") && g_str_has_suffix(name, ".er7"));
	return g_strndup(name + 4, strlen(name) - 8);
}

static gchar *
payload_of(Fixture *f, gint64 id)
{
	g_autofree gchar *sql =
		g_strdup_printf("SELECT payload_ref FROM outbox WHERE id = %" G_GINT64_FORMAT, id);
	return nhip_test_sql_text(f->db, sql);
}

/* queue while nothing listens, fail once, then deliver to python-hl7's hl7.mllp server:
 * every message exactly once, in queue order, each nhipctl a new process */
static void
test_flush_in_order(Fixture *f, gconstpointer data)
{
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	g_autofree gchar *third = NULL;
	g_autofree gchar *closed = g_strdup_printf("%u", nhip_test_free_port());
	g_autofree gchar *script = NULL;
	g_autofree gchar *ready = NULL;
	g_autofree gchar *port = NULL;
	g_autofree gchar *received = NULL;
	g_autofree gchar *p1 = NULL;
	g_autofree gchar *last_error = NULL;
	g_autoptr(GSubprocess) server = NULL;
	g_autoptr(GDataInputStream) server_out = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(NhipTestRun) down = { 0 };
	g_auto(NhipTestRun) early = { 0 };
	g_auto(NhipTestRun) flush = { 0 };
	g_auto(NhipTestRun) again = { 0 };
	g_auto(GStrv) lines = NULL;
	guint n_recv = 0;

	if (python3 == NULL || !nhip_test_python_has("hl7.mllp")) {
		g_test_skip("python3-hl7 is not installed (tools/dev installs it)");
		return;
	}
	first = queue_message(f, "adt-a04");
	second = queue_message(f, "oru");
	third = queue_message(f, "adt-a08");
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE state = 'queued'"), ==, 3);

	/* the receiver is still down: the first fails, nothing overtakes it */
	down = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "hl7", "flush", "--host", "127.0.0.1",
			     "--port", closed, "--timeout", "2", NULL);
	nhip_test_assert_one_line_error(&down, 5);
	g_assert_nonnull(strstr(down.err, "3 messages stay in the outbox"));
	g_assert_cmpint(sql_int(f, "SELECT attempts FROM outbox WHERE id = 1"), ==, 1);
	g_assert_cmpint(sql_int(f, "SELECT attempts FROM outbox WHERE id = 2"), ==, 0);
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE state = 'queued' AND "
				   "next_try_at >= (SELECT next_try_at FROM outbox WHERE id = 1)"),
			==, 3);
	last_error = nhip_test_sql_text(f->db, "SELECT last_error FROM outbox WHERE id = 1");
	g_assert_nonnull(strstr(last_error, "could not deliver"));
	p1 = payload_of(f, 1);
	g_assert_true(g_file_test(p1, G_FILE_TEST_EXISTS));

	script = g_test_build_filename(G_TEST_DIST, "hl7", "peer-mllp-server.py", NULL);
	server = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
				  &error, python3, script, NULL);
	g_assert_no_error(error);
	server_out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(server));
	ready = g_data_input_stream_read_line_utf8(server_out, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(ready, "PORT "));
	port = g_strdup(ready + 5);

	/* the backoff holds them until their next try… */
	early = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "hl7", "flush", "--host", "127.0.0.1",
			      "--port", port, NULL);
	g_assert_cmpint(early.status, ==, 0);
	g_assert_nonnull(strstr(early.out, "0 delivered, 0 to retry, 0 refused, 3 still queued"));

	/* …unless a technician says now */
	flush = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "hl7", "flush", "--host", "127.0.0.1",
			      "--port", port, "--now", NULL);
	if (flush.status != 0)
		g_error("hl7 flush: exit %d: %s%s", flush.status, flush.out, flush.err);
	g_assert_nonnull(strstr(flush.out, "3 delivered, 0 to retry, 0 refused, 0 still queued"));
	g_assert_cmpint(sql_int(f, "SELECT count(*) FROM outbox WHERE state = 'delivered'"), ==, 3);
	g_assert_false(g_file_test(p1, G_FILE_TEST_EXISTS));

	/* a new process finds nothing more to send */
	again = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "hl7", "flush", "--host", "127.0.0.1",
			      "--port", port, "--now", "--json", NULL);
	g_assert_cmpint(again.status, ==, 0);
	g_assert_nonnull(strstr(again.out, "\"delivered\" : 0"));

	/* the server stops when its standard input closes; it got each message once, in order */
	g_assert_true(g_output_stream_close(g_subprocess_get_stdin_pipe(server), NULL, &error));
	{
		g_autoptr(GString) all = g_string_new(NULL);
		gchar *line;
		while ((line = g_data_input_stream_read_line_utf8(server_out, NULL, NULL,
								  &error)) != NULL) {
			g_string_append_printf(all, "%s\n", line);
			g_free(line);
		}
		g_assert_no_error(error);
		received = g_string_free(g_steal_pointer(&all), FALSE);
	}
	g_assert_true(g_subprocess_wait(server, NULL, &error));
	lines = g_strsplit(received, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *expected[] = { first, second, third };
		g_auto(GStrv) fields = NULL;
		if (!g_str_has_prefix(lines[i], "RECV\t"))
			continue;
		fields = g_strsplit(lines[i], "\t", -1);
		g_assert_cmpuint(n_recv, <, 3);
		g_assert_cmpstr(fields[1], ==, expected[n_recv]);
		g_assert_cmpstr(fields[2], ==, "Nguyễn");
		n_recv++;
	}
	g_assert_cmpuint(n_recv, ==, 3);
}

/* our own receiver, answering as the test says */
typedef enum {
	ANSWER_AA,
	ANSWER_AE,
	ANSWER_AR,
	ANSWER_KILL, /* kill the sender once the message is in: a crash before the ACK */
} Answer;

typedef struct {
	Answer answers[8];
	guint n_answers;
	GPtrArray *control_ids; /* what came in, in order */
	GSubprocess *sender;
} Receiver;

static NhipHl7Message *
receiver_handler(NhipMllpListener *listener,
		 NhipHl7Message *message,
		 gpointer user_data,
		 GError **error)
{
	Receiver *receiver = user_data;
	guint n = receiver->control_ids->len;
	Answer answer = n < receiver->n_answers ? receiver->answers[n] : ANSWER_AA;

	g_ptr_array_add(receiver->control_ids, nhip_hl7_message_get_value(message, "MSH-10", NULL));
	switch (answer) {
	case ANSWER_AE:
		return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AE,
					  NHIP_HL7_ACK_ERROR_INTERNAL, "Thiếu mã thẻ BHYT", error);
	case ANSWER_AR:
		return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AR,
					  NHIP_HL7_ACK_ERROR_DATA_TYPE, "Sai định dạng bản tin",
					  error);
	case ANSWER_KILL:
		g_subprocess_force_exit(receiver->sender);
		return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AA, 0, NULL, error);
	case ANSWER_AA:
	default:
		return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AA, 0, NULL, error);
	}
}

/* runs `nhipctl hl7 flush` against @listener while this process serves it */
static NhipTestRun
flush_to(Fixture *f, NhipMllpListener *listener, Receiver *receiver, gboolean json)
{
	g_autofree gchar *port = g_strdup_printf("%u", nhip_mllp_listener_get_port(listener));
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	NhipTestRun run = { -1, NULL, NULL };

	proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
				&error, NHIPCTL_PATH, "--db", f->db, "hl7", "flush", "--host",
				"127.0.0.1", "--port", port, "--timeout", "10", "--now",
				json ? "--json" : NULL, NULL);
	g_assert_no_error(error);
	receiver->sender = proc;
	g_subprocess_communicate_utf8_async(proc, NULL, NULL, nhip_test_run_communicate_cb, &run);
	while (run.status < 0)
		g_main_context_iteration(NULL, TRUE);
	receiver->sender = NULL;
	return run;
}

static NhipMllpListener *
receiver_start(Receiver *receiver)
{
	g_autoptr(GError) error = NULL;
	NhipMllpListener *listener = nhip_mllp_listener_new();

	receiver->control_ids = g_ptr_array_new_with_free_func(g_free);
	nhip_mllp_listener_set_handler(listener, receiver_handler, receiver, NULL);
	g_assert_true(nhip_mllp_listener_listen(listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);
	return listener;
}

/* AE: try again later; AR: refused for good; neither loses the saved message */
static void
test_flush_ae_ar(Fixture *f, gconstpointer data)
{
	Receiver receiver = { .answers = { ANSWER_AE, ANSWER_AR }, .n_answers = 2 };
	g_autoptr(NhipMllpListener) listener = receiver_start(&receiver);
	g_autofree gchar *first = queue_message(f, "oru");
	g_autofree gchar *second = queue_message(f, "adt-a04");
	g_autofree gchar *p1 = payload_of(f, 1);
	g_autofree gchar *p2 = payload_of(f, 2);
	g_autofree gchar *e1 = NULL;
	g_autofree gchar *e2 = NULL;
	g_auto(NhipTestRun) run = { 0 };
	g_auto(NhipTestRun) again = { 0 };
	g_auto(NhipTestRun) list = { 0 };

	run = flush_to(f, listener, &receiver, FALSE);
	g_assert_cmpint(run.status, ==, 3);
	g_assert_nonnull(strstr(run.out, "0 delivered, 1 to retry, 1 refused, 1 still queued"));
	g_assert_cmpuint(receiver.control_ids->len, ==, 2);
	g_assert_cmpstr(receiver.control_ids->pdata[0], ==, first);
	g_assert_cmpstr(receiver.control_ids->pdata[1], ==, second);

	g_assert_cmpint(sql_int(f, "SELECT state = 'queued' AND attempts = 1 AND next_try_at > "
				   "strftime('%%s', 'now') FROM outbox WHERE id = 1"),
			==, 1);
	e1 = nhip_test_sql_text(f->db, "SELECT last_error FROM outbox WHERE id = 1");
	g_assert_cmpstr(e1, ==, "AE: Thiếu mã thẻ BHYT");
	g_assert_cmpint(sql_int(f, "SELECT state = 'failed' FROM outbox WHERE id = 2"), ==, 1);
	e2 = nhip_test_sql_text(f->db, "SELECT last_error FROM outbox WHERE id = 2");
	g_assert_cmpstr(e2, ==, "AR: Sai định dạng bản tin");
	g_assert_true(g_file_test(p1, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(p2, G_FILE_TEST_EXISTS));

	/* the technician lists the queue: reasons, no patient data */
	list = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "outbox", NULL);
	g_assert_cmpint(list.status, ==, 0);
	g_assert_nonnull(strstr(list.out, "failed"));
	g_assert_nonnull(strstr(list.out, "AR: Sai định dạng bản tin"));
	g_assert_null(strstr(list.out, "Nguyễn"));
	g_assert_null(strstr(list.out, "066185001234"));

	/* next time the receiver accepts: the AE one goes, the refused one stays */
	again = flush_to(f, listener, &receiver, FALSE);
	g_assert_cmpint(again.status, ==, 0);
	g_assert_cmpuint(receiver.control_ids->len, ==, 3);
	g_assert_cmpstr(receiver.control_ids->pdata[2], ==, first);
	g_assert_cmpint(sql_int(f, "SELECT state = 'delivered' AND attempts = 1 FROM outbox "
				   "WHERE id = 1"),
			==, 1);
	g_assert_cmpint(sql_int(f, "SELECT state = 'failed' FROM outbox WHERE id = 2"), ==, 1);
	g_assert_false(g_file_test(p1, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(p2, G_FILE_TEST_EXISTS));
	nhip_mllp_listener_stop(listener);
	g_ptr_array_unref(receiver.control_ids);
}

/* killed between sending and recording the ACK: the next flush sends the same message
 * again, with the same control id; the receiver sees it twice (at least once) */
static void
test_flush_crash(Fixture *f, gconstpointer data)
{
	Receiver receiver = { .answers = { ANSWER_KILL }, .n_answers = 1 };
	g_autoptr(NhipMllpListener) listener = receiver_start(&receiver);
	g_autofree gchar *control_id = queue_message(f, "oru");
	g_autofree gchar *path = payload_of(f, 1);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_auto(NhipTestRun) killed = { 0 };
	g_auto(NhipTestRun) resumed = { 0 };
	JsonObject *result;

	killed = flush_to(f, listener, &receiver, FALSE);
	g_assert_cmpint(killed.status, ==, 128 + SIGKILL);
	g_assert_cmpuint(receiver.control_ids->len, ==, 1);
	/* the receiver has it, the station does not know: still `sending`, file kept */
	g_assert_cmpint(sql_int(f, "SELECT state = 'sending' FROM outbox WHERE id = 1"), ==, 1);
	g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

	resumed = flush_to(f, listener, &receiver, TRUE);
	g_assert_cmpint(resumed.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, resumed.out, -1, &error));
	g_assert_no_error(error);
	result = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpint(json_object_get_int_member(result, "recovered"), ==, 1);
	g_assert_cmpint(json_object_get_int_member(result, "delivered"), ==, 1);
	g_assert_cmpuint(receiver.control_ids->len, ==, 2);
	g_assert_cmpstr(receiver.control_ids->pdata[0], ==, control_id);
	g_assert_cmpstr(receiver.control_ids->pdata[1], ==, control_id);
	g_assert_cmpint(sql_int(f, "SELECT state = 'delivered' FROM outbox WHERE id = 1"), ==, 1);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	nhip_mllp_listener_stop(listener);
	g_ptr_array_unref(receiver.control_ids);
}

static void
test_flush_lock(Fixture *f, gconstpointer data)
{
	g_autofree gchar *control_id = queue_message(f, "oru");
	g_autofree gchar *lock = g_build_filename(f->dir, "outbox", ".hl7-flush.lock", NULL);
	g_autofree gchar *port = g_strdup_printf("%u", nhip_test_free_port());
	g_auto(NhipTestRun) run = { 0 };
	gint fd = g_open(lock, O_RDWR | O_CREAT, 0600);

	/* as another flush would */
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(flock(fd, LOCK_EX), ==, 0);
	run = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "hl7", "flush", "--host", "127.0.0.1",
			    "--port", port, NULL);
	nhip_test_assert_one_line_error(&run, 5);
	g_assert_nonnull(strstr(run.err, "another"));
	g_assert_cmpint(sql_int(f, "SELECT attempts FROM outbox WHERE id = 1"), ==, 0);
	g_assert_null(strstr(run.err, control_id));
	close(fd);
}

static void
test_flush_missing_file(Fixture *f, gconstpointer data)
{
	Receiver receiver = { 0 };
	g_autoptr(NhipMllpListener) listener = receiver_start(&receiver);
	g_autofree gchar *control_id = queue_message(f, "oru");
	g_autofree gchar *path = payload_of(f, 1);
	g_autofree gchar *reason = NULL;
	g_auto(NhipTestRun) run = { 0 };

	g_assert_nonnull(strstr(path, control_id));
	g_assert_cmpint(g_unlink(path), ==, 0);
	run = flush_to(f, listener, &receiver, FALSE);
	g_assert_cmpint(run.status, ==, 3);
	g_assert_cmpuint(receiver.control_ids->len, ==, 0);
	reason = nhip_test_sql_text(f->db, "SELECT last_error FROM outbox WHERE id = 1");
	g_assert_nonnull(strstr(reason, path));
	g_assert_cmpint(sql_int(f, "SELECT state = 'failed' FROM outbox WHERE id = 1"), ==, 1);
	nhip_mllp_listener_stop(listener);
	g_ptr_array_unref(receiver.control_ids);
}

static void
test_cli_list(Fixture *f, gconstpointer data)
{
	g_autofree gchar *control_id = queue_message(f, "oru");
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_auto(NhipTestRun) json = { 0 };
	g_auto(NhipTestRun) other = { 0 };
	g_auto(NhipTestRun) usage = { 0 };
	JsonObject *root;
	JsonArray *items;
	JsonObject *item;

	json = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "outbox", "--json", NULL);
	g_assert_cmpint(json.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, json.out, -1, &error));
	g_assert_no_error(error);
	root = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(root, "packets")), ==,
			 0);
	items = json_object_get_array_member(root, "items");
	g_assert_cmpuint(json_array_get_length(items), ==, 1);
	item = json_array_get_object_element(items, 0);
	g_assert_cmpstr(json_object_get_string_member(item, "kind"), ==, "hl7");
	g_assert_cmpstr(json_object_get_string_member(item, "state"), ==, "queued");
	g_assert_cmpint(json_object_get_int_member(item, "attempts"), ==, 0);
	g_assert_nonnull(json_object_get_string_member(item, "next_try_at"));
	g_assert_true(json_object_get_null_member(item, "last_error"));
	g_assert_nonnull(strstr(json_object_get_string_member(item, "payload_ref"), control_id));
	g_assert_null(strstr(json.out, "Nguyễn"));

	other = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "outbox", "--kind", "case-packet", NULL);
	g_assert_cmpint(other.status, ==, 0);
	g_assert_cmpstr(other.out, ==, "The outbox is empty.\n");
	usage = nhip_test_run(NHIPCTL_PATH, "--db", f->db, "outbox", "extra", NULL);
	nhip_test_assert_one_line_error(&usage, 2);
}

int
main(int argc, char **argv)
{
	gint rc;

	g_test_init(&argc, &argv, NULL);
	python3 = nhip_test_python3();

#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
	ADD("/outbox/order", test_order);
	ADD("/outbox/backoff", test_backoff);
	ADD("/outbox/states", test_states);
	ADD("/outbox/restart", test_restart);
	ADD("/outbox/flush/in-order", test_flush_in_order);
	ADD("/outbox/flush/ae-ar", test_flush_ae_ar);
	ADD("/outbox/flush/crash", test_flush_crash);
	ADD("/outbox/flush/lock", test_flush_lock);
	ADD("/outbox/flush/missing-file", test_flush_missing_file);
	ADD("/outbox/nhipctl/list", test_cli_list);
#undef ADD
	rc = g_test_run();
	return rc;
}
