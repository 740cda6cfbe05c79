/*
 * Nhịp — HL7 v2 benchmarks: ER7 parse + encode of realistic ORU^R01 messages side by side
 * with python-hl7, and MLLP round trips on loopback.
 *
 * usage: bench-hl7 [--seconds S] [--no-python] [MESSAGES_FILE]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nhip-hl7.h"

static gdouble bench_seconds = 1.5;

/* the messages are separated by an empty line and their segments by LF in the file */
static GPtrArray *
load_messages(const gchar *path)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *contents = NULL;
	g_auto(GStrv) blocks = NULL;
	GPtrArray *messages = g_ptr_array_new_with_free_func(g_free);

	if (!g_file_get_contents(path, &contents, NULL, &error)) {
		g_printerr("cannot read %s: %s\n", path, error->message);
		exit(1);
	}
	g_strstrip(contents);
	blocks = g_strsplit(contents, "\n\n", -1);
	for (guint i = 0; blocks[i] != NULL; i++) {
		g_auto(GStrv) lines = g_strsplit(blocks[i], "\n", -1);
		g_autofree gchar *joined = g_strjoinv("\r", lines);
		g_ptr_array_add(messages, g_strconcat(joined, "\r", NULL));
	}
	return messages;
}

typedef gboolean (*BenchFunc)(const gchar *text, GString *out);

static gboolean
bench_parse_encode(const gchar *text, GString *out)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_parse(text, strlen(text), NULL);
	if (message == NULL)
		return FALSE;
	g_string_truncate(out, 0);
	nhip_hl7_message_append_to(message, out);
	return TRUE;
}

static gboolean
bench_parse_access_encode(const gchar *text, GString *out)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_parse(text, strlen(text), NULL);
	g_autofree gchar *name = NULL;
	NhipHl7Path path = { "OBX", 1, 3, 0, 1, 0 };
	guint n_obx;

	if (message == NULL)
		return FALSE;
	name = nhip_hl7_message_get_value(message, "PID-5-1", NULL);
	n_obx = nhip_hl7_message_count_segments(message, "OBX");
	for (guint i = 1; i <= n_obx; i++) {
		g_autofree gchar *code = NULL;
		g_autofree gchar *value = NULL;
		g_autofree gchar *unit = NULL;
		path.occurrence = i;
		path.field = 3;
		code = nhip_hl7_message_get_value_at(message, &path, NULL);
		path.field = 5;
		value = nhip_hl7_message_get_value_at(message, &path, NULL);
		path.field = 6;
		unit = nhip_hl7_message_get_value_at(message, &path, NULL);
		if (code == NULL || value == NULL || unit == NULL)
			return FALSE;
	}
	g_string_truncate(out, 0);
	nhip_hl7_message_append_to(message, out);
	return name != NULL;
}

static gdouble
measure(BenchFunc func, GPtrArray *messages)
{
	g_autoptr(GString) out = g_string_sized_new(8192);
	g_autoptr(GTimer) timer = NULL;
	guint64 count = 0;

	/* every message must survive the trip unchanged */
	for (guint i = 0; i < messages->len; i++) {
		const gchar *text = g_ptr_array_index(messages, i);
		if (!func(text, out) || strcmp(out->str, text) != 0) {
			g_printerr("message %u does not round-trip\n", i);
			exit(1);
		}
	}
	timer = g_timer_new();
	for (;;) {
		for (guint r = 0; r < 100; r++) {
			for (guint i = 0; i < messages->len; i++)
				func(g_ptr_array_index(messages, i), out);
		}
		count += 100 * messages->len;
		if (g_timer_elapsed(timer, NULL) >= bench_seconds)
			break;
	}
	return (gdouble)count / g_timer_elapsed(timer, NULL);
}

static GHashTable *
run_python(const gchar *script, const gchar *data)
{
	g_autoptr(GSubprocess) process = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *output = NULL;
	g_autofree gchar *seconds = g_strdup_printf("%.1f", bench_seconds);
	g_auto(GStrv) lines = NULL;
	GHashTable *results = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	process = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3",
				   script, data, seconds, NULL);
	if (process == NULL ||
	    !g_subprocess_communicate_utf8(process, NULL, NULL, &output, NULL, &error) ||
	    !g_subprocess_get_successful(process)) {
		g_printerr("python-hl7 benchmark failed: %s\n",
			   error != NULL ? error->message : "non-zero exit");
		return results;
	}
	lines = g_strsplit(output, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) words = g_strsplit(lines[i], " ", 3);
		if (g_strv_length(words) == 3 && g_strcmp0(words[0], "RESULT") == 0)
			g_hash_table_insert(results, g_strdup(words[1]), g_strdup(words[2]));
	}
	return results;
}

/* the listener runs in its own thread and main context, as a HIS would be elsewhere */
typedef struct {
	GMainContext *context;
	GMainLoop *loop;
	NhipMllpListener *listener;
	guint16 port;
	GMutex mutex;
	GCond cond;
	gboolean ready;
} ListenerThread;

static gboolean
listener_thread_quit_cb(gpointer user_data)
{
	ListenerThread *lt = user_data;
	nhip_mllp_listener_stop(lt->listener);
	g_main_loop_quit(lt->loop);
	return G_SOURCE_REMOVE;
}

static gpointer
listener_thread_run(gpointer user_data)
{
	ListenerThread *lt = user_data;
	g_autoptr(GError) error = NULL;

	g_main_context_push_thread_default(lt->context);
	lt->listener = nhip_mllp_listener_new();
	if (!nhip_mllp_listener_listen(lt->listener, "127.0.0.1", 0, &error)) {
		g_printerr("cannot listen: %s\n", error->message);
		exit(1);
	}
	g_mutex_lock(&lt->mutex);
	lt->port = nhip_mllp_listener_get_port(lt->listener);
	lt->ready = TRUE;
	g_cond_signal(&lt->cond);
	g_mutex_unlock(&lt->mutex);
	g_main_loop_run(lt->loop);
	g_clear_object(&lt->listener);
	/* let the cancelled connections finish */
	while (g_main_context_iteration(lt->context, FALSE))
		;
	g_main_context_pop_thread_default(lt->context);
	return NULL;
}

static gdouble
measure_mllp(NhipHl7Message *message, gboolean keep_alive, guint *n_out)
{
	ListenerThread lt = { 0 };
	g_autoptr(GThread) thread = NULL;
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(GTimer) timer = NULL;
	guint n = 0;
	gdouble elapsed;

	lt.context = g_main_context_new();
	lt.loop = g_main_loop_new(lt.context, FALSE);
	g_mutex_init(&lt.mutex);
	g_cond_init(&lt.cond);
	thread = g_thread_new("mllp-listener", listener_thread_run, &lt);
	g_mutex_lock(&lt.mutex);
	while (!lt.ready)
		g_cond_wait(&lt.cond, &lt.mutex);
	g_mutex_unlock(&lt.mutex);

	client = nhip_mllp_client_new("127.0.0.1", lt.port);
	nhip_mllp_client_set_keep_alive(client, keep_alive);
	timer = g_timer_new();
	while (g_timer_elapsed(timer, NULL) < bench_seconds) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHl7Ack) ack = nhip_mllp_client_send(client, message, NULL, &error);
		if (ack == NULL || !nhip_hl7_ack_is_accept(ack)) {
			g_printerr("MLLP round trip failed: %s\n",
				   error != NULL ? error->message : "not accepted");
			exit(1);
		}
		n++;
	}
	elapsed = g_timer_elapsed(timer, NULL);
	g_clear_object(&client);

	g_main_context_invoke(lt.context, listener_thread_quit_cb, &lt);
	g_thread_join(g_steal_pointer(&thread));
	g_main_loop_unref(lt.loop);
	g_main_context_unref(lt.context);
	g_mutex_clear(&lt.mutex);
	g_cond_clear(&lt.cond);
	*n_out = n;
	return n / elapsed;
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) messages = NULL;
	g_autoptr(GHashTable) python = NULL;
	g_autoptr(NhipHl7Message) first = NULL;
	g_autofree gchar *data = NULL;
	g_autofree gchar *script = NULL;
	gboolean no_python = FALSE;
	gsize total_bytes = 0;
	const gchar *names[] = { "parse_encode", "parse_access_encode" };
	const gchar *labels[] = { "ER7 parse + encode", "ER7 parse + 31 reads + encode" };
	BenchFunc funcs[] = { bench_parse_encode, bench_parse_access_encode };
	guint n_rt = 0;
	gdouble rate;

	for (gint i = 1; i < argc; i++) {
		if (g_strcmp0(argv[i], "--seconds") == 0 && i + 1 < argc)
			bench_seconds = g_ascii_strtod(argv[++i], NULL);
		else if (g_strcmp0(argv[i], "--no-python") == 0)
			no_python = TRUE;
		else
			data = g_strdup(argv[i]);
	}
	if (data == NULL)
		data = g_build_filename(BENCH_HL7_SRCDIR, "oru-r01.hl7", NULL);
	script = g_build_filename(BENCH_HL7_SRCDIR, "bench-python-hl7.py", NULL);
	messages = load_messages(data);
	for (guint i = 0; i < messages->len; i++)
		total_bytes += strlen(g_ptr_array_index(messages, i));

	g_print("HL7 v2 benchmark: %u ORU^R01 messages (%" G_GSIZE_FORMAT
		" bytes on average, 15 segments each), %.1f s per figure\n\n",
		messages->len, total_bytes / messages->len, bench_seconds);
	if (!no_python && g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
		python = run_python(script, data);

	g_print("%-32s %14s %14s %8s\n", "", "Nhip msg/s", "python-hl7", "ratio");
	for (guint i = 0; i < G_N_ELEMENTS(funcs); i++) {
		const gchar *py = python != NULL ? g_hash_table_lookup(python, names[i]) : NULL;
		rate = measure(funcs[i], messages);
		if (py != NULL) {
			gdouble py_rate = g_ascii_strtod(py, NULL);
			g_print("%-32s %14.0f %14.0f %7.0fx\n", labels[i], rate, py_rate,
				py_rate > 0 ? rate / py_rate : 0);
		} else {
			g_print("%-32s %14.0f %14s %8s\n", labels[i], rate, "n/a", "");
		}
	}

	first = nhip_hl7_message_parse(g_ptr_array_index(messages, 0),
				       strlen(g_ptr_array_index(messages, 0)), NULL);
	g_print("\n");
	rate = measure_mllp(first, TRUE, &n_rt);
	g_print("%-32s %14.0f round trips/s (%u, one kept connection)\n",
		"MLLP send + ACK, loopback", rate, n_rt);
	rate = measure_mllp(first, FALSE, &n_rt);
	g_print("%-32s %14.0f round trips/s (%u, a connection each)\n", "MLLP send + ACK, loopback",
		rate, n_rt);
	return 0;
}
