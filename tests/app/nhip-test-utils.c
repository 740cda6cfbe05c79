/*
 * Nhịp — helpers shared by the station-core tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include <math.h>

#include "nhip-observation.h"
#include "nhip-test-utils.h"

/**
 * nhip_test_db_digest:
 * @path: a database file
 *
 * Hashes every row of every table, in rowid order, with the schema: two databases with
 * the same digest hold the same data. Opens read-only and changes nothing.
 *
 * Returns: (transfer full): the SHA-256 in hex
 */
gchar *
nhip_test_db_digest(const gchar *path)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func(g_free);
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db,
					   "SELECT name, sql FROM sqlite_schema WHERE type IN "
					   "('table', 'index', 'trigger') ORDER BY name",
					   -1, &stmt, NULL),
			==, SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const gchar *name = (const gchar *)sqlite3_column_text(stmt, 0);
		const gchar *sql = (const gchar *)sqlite3_column_text(stmt, 1);
		g_checksum_update(sum, (const guchar *)name, -1);
		if (sql != NULL) {
			g_checksum_update(sum, (const guchar *)sql, -1);
			if (g_str_has_prefix(sql, "CREATE TABLE"))
				g_ptr_array_add(tables, g_strdup(name));
		}
	}
	sqlite3_finalize(stmt);
	for (guint i = 0; i < tables->len; i++) {
		g_autofree gchar *sql =
			g_strdup_printf("SELECT * FROM \"%s\"", (const gchar *)tables->pdata[i]);
		g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			for (gint c = 0; c < sqlite3_column_count(stmt); c++) {
				const void *blob = sqlite3_column_blob(stmt, c);
				gint n = sqlite3_column_bytes(stmt, c);
				g_checksum_update(sum, (const guchar *)"\x1f", 1);
				if (blob != NULL)
					g_checksum_update(sum, blob, n);
			}
			g_checksum_update(sum, (const guchar *)"\x1e", 1);
		}
		sqlite3_finalize(stmt);
	}
	{
		sqlite3_stmt *v = NULL;
		sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &v, NULL);
		if (sqlite3_step(v) == SQLITE_ROW)
			g_checksum_update(sum, sqlite3_column_text(v, 0), -1);
		sqlite3_finalize(v);
	}
	sqlite3_close(db);
	return g_strdup(g_checksum_get_string(sum));
}

/**
 * nhip_test_tmpdir:
 *
 * Returns: (transfer full): a new empty folder for one test
 */
gchar *
nhip_test_tmpdir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("nhip-test-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

static void
rmrf_file(GFile *file)
{
	g_autoptr(GFileEnumerator) children =
		g_file_enumerate_children(file, G_FILE_ATTRIBUTE_STANDARD_NAME,
					  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
	if (children != NULL) {
		GFileInfo *info;
		while ((info = g_file_enumerator_next_file(children, NULL, NULL)) != NULL) {
			g_autoptr(GFile) child = g_file_get_child(file, g_file_info_get_name(info));
			rmrf_file(child);
			g_object_unref(info);
		}
	}
	g_file_delete(file, NULL, NULL);
}

/**
 * nhip_test_rmrf:
 * @path: a folder to remove with everything in it
 */
void
nhip_test_rmrf(const gchar *path)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	rmrf_file(file);
}

/**
 * nhip_test_sql:
 * @path: a database file
 * @sql: statements to run behind the program's back
 */
void
nhip_test_sql(const gchar *path, const gchar *sql)
{
	sqlite3 *db = NULL;
	gchar *message = NULL;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
		g_error("SQL failed: %s: %s", sql, message);
	sqlite3_close(db);
}

/**
 * nhip_test_sql_int:
 * @path: a database file
 * @sql: a query returning one integer
 *
 * Returns: the integer
 */
gint64
nhip_test_sql_int(const gchar *path, const gchar *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	gint64 value;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

/**
 * nhip_test_sql_text:
 * @path: a database file
 * @sql: a query returning one text value
 *
 * Returns: (transfer full) (nullable): the text
 */
gchar *
nhip_test_sql_text(const gchar *path, const gchar *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	gchar *value;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	value = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

/**
 * nhip_test_run_clear:
 * @run: a result
 */
void
nhip_test_run_clear(NhipTestRun *run)
{
	g_clear_pointer(&run->out, g_free);
	g_clear_pointer(&run->err, g_free);
}

/**
 * nhip_test_runv:
 * @argv: the program and its arguments
 *
 * Runs a program to its end and keeps what it printed.
 *
 * Returns: its exit status and output
 */
NhipTestRun
nhip_test_runv(const gchar *const *argv)
{
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	NhipTestRun run = { 0 };

	proc = g_subprocess_newv(
		argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(proc, NULL, NULL, &run.out, &run.err, &error));
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(proc));
	run.status = g_subprocess_get_exit_status(proc);
	return run;
}

/**
 * nhip_test_run_valist:
 * @program: the program to run
 * @first: (nullable): its first argument
 * @ap: the other arguments, ending with %NULL
 *
 * Returns: what the program did, as nhip_test_run()
 */
NhipTestRun
nhip_test_run_valist(const gchar *program, const gchar *first, va_list ap)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();

	g_ptr_array_add(args, (gpointer)program);
	for (const gchar *arg = first; arg != NULL; arg = va_arg(ap, const gchar *))
		g_ptr_array_add(args, (gpointer)arg);
	g_ptr_array_add(args, NULL);
	return nhip_test_runv((const gchar *const *)args->pdata);
}

/**
 * nhip_test_run:
 * @program: the program
 * @...: its arguments, then %NULL
 *
 * Returns: its exit status and output
 */
NhipTestRun
nhip_test_run(const gchar *program, ...)
{
	NhipTestRun run;
	va_list ap;

	va_start(ap, program);
	run = nhip_test_run_valist(program, va_arg(ap, const gchar *), ap);
	va_end(ap);
	return run;
}

/**
 * nhip_test_assert_one_line_error:
 * @run: a result of nhipctl
 * @status: the exit status it must have
 *
 * Checks that nhipctl failed with @status and said why on one line of standard error.
 */
void
nhip_test_assert_one_line_error(const NhipTestRun *run, gint status)
{
	if (run->status != status)
		g_error("exit %d, expected %d; stderr: %s", run->status, status, run->err);
	g_assert_true(g_str_has_prefix(run->err, "nhipctl"));
	g_assert_true(g_str_has_suffix(run->err, "\n"));
	g_assert_true(strchr(run->err, '\n') == run->err + strlen(run->err) - 1);
}

/**
 * nhip_test_free_port:
 *
 * Returns: a TCP port nobody listens on right now
 */
guint16
nhip_test_free_port(void)
{
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GError) error = NULL;
	guint16 port = g_socket_listener_add_any_inet_port(listener, NULL, &error);

	g_assert_no_error(error);
	g_socket_listener_close(listener);
	return port;
}

/**
 * nhip_test_run_communicate_cb:
 * @source: a #GSubprocess
 * @result: the result of g_subprocess_communicate_utf8_async()
 * @user_data: the #NhipTestRun to fill, whose status was negative
 *
 * Fills the run; a process killed by a signal gets the status 128 + the signal.
 */
void
nhip_test_run_communicate_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	NhipTestRun *run = user_data;
	GSubprocess *proc = G_SUBPROCESS(source);
	g_autoptr(GError) error = NULL;

	g_assert_true(
		g_subprocess_communicate_utf8_finish(proc, result, &run->out, &run->err, &error));
	g_assert_no_error(error);
	run->status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc)
						       : 128 + g_subprocess_get_term_sig(proc);
}

/**
 * nhip_test_python3:
 *
 * Returns: (nullable): $NHIP_PYTHON3, else Debian's /usr/bin/python3 (never the first
 *   python3 on PATH), or %NULL when it is not there
 */
const gchar *
nhip_test_python3(void)
{
	const gchar *python3 = g_getenv("NHIP_PYTHON3");

	if (python3 == NULL)
		python3 = "/usr/bin/python3";
	return g_file_test(python3, G_FILE_TEST_IS_EXECUTABLE) ? python3 : NULL;
}

/**
 * nhip_test_python_has:
 * @module: a Python module, e.g. `hl7.mllp`
 *
 * Returns: %TRUE when nhip_test_python3() exists and imports @module
 */
gboolean
nhip_test_python_has(const gchar *module)
{
	const gchar *python3 = nhip_test_python3();
	g_autofree gchar *code = g_strdup_printf("import %s", module);
	g_autoptr(GSubprocess) proc = NULL;

	if (python3 == NULL)
		return FALSE;
	proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
					G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				NULL, python3, "-c", code, NULL);
	return proc != NULL && g_subprocess_wait_check(proc, NULL, NULL);
}

/**
 * nhip_test_add_vitals:
 * @observations: (element-type NhipObservation): where to add them
 * @device_time: when the blood-pressure monitor measured
 * @manual_time: when the rest was typed in
 * @temperature: the body temperature
 *
 * Adds one reading of every vital sign: blood pressure 142/91 and pulse 78 from an Omron
 * HEM-7121 (omron-hid:SN4411), then by hand SpO2 92, @temperature, weight 52.4, height
 * 156, glucose 5.6 and respiratory rate 18.
 */
void
nhip_test_add_vitals(GPtrArray *observations,
		     gint64 device_time,
		     gint64 manual_time,
		     gdouble temperature)
{
	static const struct {
		NhipVitalKind kind;
		gdouble value;
	} manual[] = {
		{ NHIP_VITAL_SPO2, 92 },     { NHIP_VITAL_TEMPERATURE, NAN },
		{ NHIP_VITAL_WEIGHT, 52.4 }, { NHIP_VITAL_HEIGHT, 156 },
		{ NHIP_VITAL_GLUCOSE, 5.6 }, { NHIP_VITAL_RESP_RATE, 18 },
	};
	NhipObservation *o;

	o = nhip_observation_new(NHIP_VITAL_BLOOD_PRESSURE, 142, 91);
	o->measured_at = device_time;
	o->device_id = g_strdup("omron-hid:SN4411");
	o->device_model = g_strdup("HEM-7121");
	g_ptr_array_add(observations, o);
	o = nhip_observation_new(NHIP_VITAL_PULSE, 78, NAN);
	o->measured_at = device_time;
	o->device_id = g_strdup("omron-hid:SN4411");
	o->device_model = g_strdup("HEM-7121");
	g_ptr_array_add(observations, o);
	for (guint i = 0; i < G_N_ELEMENTS(manual); i++) {
		gdouble value =
			manual[i].kind == NHIP_VITAL_TEMPERATURE ? temperature : manual[i].value;
		o = nhip_observation_new(manual[i].kind, value, NAN);
		o->measured_at = manual_time;
		g_ptr_array_add(observations, o);
	}
}

/**
 * nhip_test_station_open:
 * @station: (out caller-allocates): filled with a new station
 *
 * Makes a station database with its facility in a new temporary folder.
 */
void
nhip_test_station_open(NhipTestStation *station)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");

	station->dir = nhip_test_tmpdir();
	station->path = g_build_filename(station->dir, "station.db", NULL);
	station->store = nhip_store_open(station->path, &error);
	g_assert_no_error(error);
	g_assert_true(nhip_store_facility_set(station->store, facility, &error));
	g_assert_no_error(error);
}

/**
 * nhip_test_station_close:
 * @station: a station from nhip_test_station_open()
 *
 * Closes the store and removes the folder.
 */
void
nhip_test_station_close(NhipTestStation *station)
{
	g_clear_object(&station->store);
	nhip_test_rmrf(station->dir);
	g_clear_pointer(&station->dir, g_free);
	g_clear_pointer(&station->path, g_free);
}

/**
 * nhip_test_exam:
 * @visit_id: a visit
 * @opened: when it was opened
 *
 * Returns: (transfer full): the examination fee of a commune station, ordered a minute
 *   after @opened and done four minutes later
 */
NhipVisitService *
nhip_test_exam(gint64 visit_id, gint64 opened)
{
	NhipVisitService *service = nhip_visit_service_new(visit_id);
	service->code = g_strdup("02.1896");
	service->name = g_strdup("Khám bệnh tại Trạm Y tế xã");
	service->unit = g_strdup("Lần");
	service->price_hospital = 38700;
	service->price_insurance = 38700;
	service->ordered_at = opened + 60;
	service->performed_at = opened + 300;
	return service;
}

/**
 * nhip_test_fhir_check:
 * @dir: a temporary folder for the Bundle's file
 * @text: a FHIR Bundle in JSON
 * @expect_ok: whether the check must pass
 * @expect_problem: (nullable): when it must fail, a problem it must report
 *
 * Runs tests/app/fhir-check.py (HL7's R4 JSON schema, the vital-signs profiles, the
 * Bundle's references) on @text; aborts the test when the outcome is not the one expected.
 *
 * Returns: %FALSE with the test marked skipped when python3 or python3-jsonschema is missing
 */
gboolean
nhip_test_fhir_check(const gchar *dir,
		     const gchar *text,
		     gboolean expect_ok,
		     const gchar *expect_problem)
{
	g_autofree gchar *path = g_build_filename(dir, "check.json", NULL);
	g_autofree gchar *script = g_test_build_filename(G_TEST_DIST, "app", "fhir-check.py", NULL);
	g_autofree gchar *schema =
		g_test_build_filename(G_TEST_DIST, "data", "fhir", "fhir.schema.json.xz", NULL);
	const gchar *python3 = nhip_test_python3();
	g_autoptr(GError) error = NULL;
	g_auto(NhipTestRun) run = { 0 };

	if (python3 == NULL) {
		g_test_skip("no /usr/bin/python3");
		return FALSE;
	}
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
	run = nhip_test_run(python3, script, schema, path, NULL);
	if (run.status == 77) {
		g_test_skip("python3-jsonschema is not installed (tools/dev installs it)");
		return FALSE;
	}
	if (expect_ok && run.status != 0)
		g_error("fhir-check.py rejected the Bundle (exit %d):\n%s%s", run.status, run.out,
			run.err);
	if (!expect_ok) {
		g_assert_cmpint(run.status, ==, 1);
		if (expect_problem != NULL && strstr(run.out, expect_problem) == NULL)
			g_error("fhir-check.py did not report “%s”:\n%s", expect_problem, run.out);
	}
	return TRUE;
}

/**
 * nhip_test_assert_ok:
 * @run: what a program did
 *
 * Fails the test with the program's output unless it exited 0.
 */
void
nhip_test_assert_ok(const NhipTestRun *run)
{
	if (run->status != 0)
		g_error("exit %d: %s%s", run->status, run->out, run->err);
}

/**
 * nhip_test_sqlite_dump:
 * @path: an SQLite file
 *
 * Returns: (transfer full): what `sqlite3 FILE .dump` prints: its schema and every row, as
 *   SQL, to compare two databases by content
 */
gchar *
nhip_test_sqlite_dump(const gchar *path)
{
	const gchar *argv[] = { "sqlite3", path, ".dump", NULL };
	NhipTestRun run = nhip_test_runv(argv);
	gchar *out;

	g_assert_cmpint(run.status, ==, 0);
	out = g_steal_pointer(&run.out);
	nhip_test_run_clear(&run);
	return out;
}
