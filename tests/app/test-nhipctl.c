/*
 * Nhịp — tests of nhipctl: exit codes, one-line errors, and that bad input leaves the
 * database unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-test-utils.h"

static gchar *dir;
static gchar *db;

typedef NhipTestRun Run;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, nhip_test_run_clear)

static Run
nhipctl(const gchar *first, ...)
{
	Run run;
	va_list ap;

	va_start(ap, first);
	run = nhip_test_run_valist(NHIPCTL_PATH, first, ap);
	va_end(ap);
	return run;
}

/* an error is exactly one line on standard error */
static void
assert_one_line_error(const Run *run, gint status)
{
	if (run->status != status)
		g_error("exit %d, expected %d; stderr: %s", run->status, status, run->err);
	g_assert_true(g_str_has_prefix(run->err, "nhipctl"));
	g_assert_cmpuint(strlen(run->err), >, 10);
	g_assert_true(g_str_has_suffix(run->err, "\n"));
	g_assert_true(strchr(run->err, '\n') == run->err + strlen(run->err) - 1);
}

static void
test_usage(void)
{
	g_auto(Run) none = nhipctl(NULL, NULL);
	g_auto(Run) unknown = nhipctl("--db", db, "frobnicate", NULL);
	g_auto(Run) badopt = nhipctl("--db", db, "patient", "search", "--nope", "x", NULL);
	g_auto(Run) missing = nhipctl("--db", db, "patient", "add", "--name", "An", NULL);
	g_auto(Run) help = nhipctl("--help", NULL);

	g_assert_cmpint(none.status, ==, 2);
	assert_one_line_error(&unknown, 2);
	assert_one_line_error(&badopt, 2);
	assert_one_line_error(&missing, 2);
	g_assert_cmpint(help.status, ==, 0);
	g_assert_nonnull(strstr(help.out, "patient search"));
}

static void
test_no_database(void)
{
	g_autofree gchar *nowhere = g_build_filename(dir, "missing", "station.db", NULL);
	g_auto(Run) run = nhipctl("--db", nowhere, "patient", "show", "1", NULL);
	g_autofree gchar *folder = g_path_get_dirname(nowhere);

	assert_one_line_error(&run, 5);
	g_assert_nonnull(strstr(run.err, "nhipctl init"));
	/* a mistyped path never creates anything */
	g_assert_false(g_file_test(folder, G_FILE_TEST_EXISTS));
}

static void
test_init(void)
{
	g_autofree gchar *other = g_build_filename(dir, "other.db", NULL);
	g_auto(Run) bad = nhipctl("--db", other, "init", "--facility-code", "1", "--facility-name",
				  "Trạm", NULL);
	g_auto(Run) ok = nhipctl("--db", db, "init", "--facility-code", "66181", "--facility-name",
				 "Trạm Y tế xã Tân Hòa", NULL);
	g_auto(Run) again = nhipctl("--db", db, "init", NULL);

	assert_one_line_error(&bad, 3);
	g_assert_false(g_file_test(other, G_FILE_TEST_EXISTS));
	g_assert_cmpint(ok.status, ==, 0);
	g_assert_cmpint(again.status, ==, 0);
}

static void
test_patient_and_visit(void)
{
	g_auto(Run) add = nhipctl("--db", db, "patient", "add", "--name", "Nguyễn Thị Đào", "--dob",
				  "1985-03-27", "--sex", "female", "--cccd", "066185001234",
				  "--bhyt", "DN4660123456789", "--phone", "0912345678",
				  "--ethnicity", "01", "--address", "Thôn 3, xã Tân Hòa", NULL);
	g_auto(Run) show = { 0 };
	g_auto(Run) search = { 0 };
	g_auto(Run) open = { 0 };
	g_auto(Run) vitals = { 0 };
	g_auto(Run) close = { 0 };
	g_auto(Run) vshow = { 0 };
	g_auto(Run) list = { 0 };
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *patient_id = NULL;
	g_autofree gchar *visit_id = NULL;
	JsonArray *array;
	JsonObject *obj;

	g_assert_cmpint(add.status, ==, 0);
	patient_id = g_strstrip(g_strdup(add.out));
	show = nhipctl("--db", db, "patient", "show", patient_id, "--json", NULL);
	g_assert_cmpint(show.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, show.out, -1, NULL));
	obj = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpstr(json_object_get_string_member(obj, "full_name"), ==, "Nguyễn Thị Đào");
	g_assert_cmpstr(json_object_get_string_member(obj, "ethnicity_name"), ==, "Kinh");

	search = nhipctl("--db", db, "patient", "search", "nguyen", "thi", "dao", "--json", NULL);
	g_assert_cmpint(search.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, search.out, -1, NULL));
	array = json_node_get_array(json_parser_get_root(parser));
	g_assert_cmpuint(json_array_get_length(array), ==, 1);

	open = nhipctl("--db", db, "visit", "open", patient_id, "--reason", "Sốt, ho", NULL);
	g_assert_cmpint(open.status, ==, 0);
	visit_id = g_strstrip(g_strdup(open.out));
	vitals = nhipctl("--db", db, "vitals", "add", visit_id, "--bp", "150/95", "--pulse", "88",
			 "--spo2", "97", "--temp", "38,4", "--weight", "52.5", "--height", "155",
			 "--glucose", "6.1", "--resp", "18", NULL);
	g_assert_cmpint(vitals.status, ==, 0);
	close = nhipctl("--db", db, "visit", "close", visit_id, "--icd", "J06.9", "--icd", "I10",
			"--note", "Hẹn tái khám", NULL);
	g_assert_cmpint(close.status, ==, 0);
	vshow = nhipctl("--db", db, "visit", "show", visit_id, "--json", NULL);
	g_assert_cmpint(vshow.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, vshow.out, -1, NULL));
	obj = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(obj, "observations")),
			 ==, 8);
	g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(obj, "visit"),
						      "status"),
			==, "closed");
	list = nhipctl("--db", db, "visit", "list", "--json", NULL);
	g_assert_cmpint(list.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, list.out, -1, NULL));
	g_assert_cmpuint(json_array_get_length(json_node_get_array(json_parser_get_root(parser))),
			 >=, 1);
}

/* each of these must fail with the given code and leave the file exactly as it was */
static void
test_bad_input_unchanged(void)
{
	g_autofree gchar *before = NULL;
	g_auto(Run) open = { 0 };
	g_autofree gchar *visit = NULL;
	struct {
		gint status;
		const gchar *args[16];
	} cases[] = {
		{ 3,
		  { "patient", "add", "--name", "Lê Văn Tám", "--dob", "2999-01-01", "--sex",
		    "male" } },
		{ 3,
		  { "patient", "add", "--name", "Lê Văn Tám", "--dob", "1980", "--sex", "male",
		    "--cccd", "12345" } },
		{ 3,
		  { "patient", "add", "--name", "Lê Văn Tám", "--dob", "1980", "--sex", "male",
		    "--bhyt", "XX" } },
		{ 3,
		  { "patient", "add", "--name", "Lê Văn Tám", "--dob", "1980", "--sex", "robot" } },
		{ 3,
		  { "patient", "add", "--name", "Trùng Số", "--dob", "1985-03-27", "--sex",
		    "female", "--cccd", "066185001234" } },
		{ 3, { "patient", "edit", "1", "--phone", "12" } },
		{ 3, { "patient", "edit", "1", "--dob", "1985-02-30" } },
		{ 4, { "patient", "edit", "999", "--phone", "0912345678" } },
		{ 4, { "patient", "show", "999" } },
		{ 3, { "patient", "show", "abc" } },
		{ 4, { "visit", "show", "999" } },
		{ 4, { "visit", "open", "999" } },
		{ 3, { "vitals", "add", "VISIT", "--spo2", "127" } },
		{ 3, { "vitals", "add", "VISIT", "--bp", "80/120" } },
		{ 3, { "vitals", "add", "VISIT", "--temp", "hot" } },
		{ 3, { "vitals", "add", "VISIT", "--pulse", "80", "--temp", "50" } },
		{ 3, { "visit", "close", "VISIT", "--icd", "nonsense" } },
		{ 3, { "visit", "open", "1" } }, /* already open */
		{ 3, { "user", "add", "--name", "An", "--role", "boss", "--pin", "1234" } },
		{ 3, { "user", "add", "--name", "An", "--role", "staff", "--pin", "12" } },
	};

	open = nhipctl("--db", db, "visit", "open", "1", NULL);
	g_assert_cmpint(open.status, ==, 0);
	visit = g_strstrip(g_strdup(open.out));
	before = nhip_test_db_digest(db);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GPtrArray) argv = g_ptr_array_new();
		g_autoptr(GSubprocess) proc = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree gchar *err = NULL;
		g_autofree gchar *after = NULL;

		g_ptr_array_add(argv, (gpointer)NHIPCTL_PATH);
		g_ptr_array_add(argv, (gpointer) "--db");
		g_ptr_array_add(argv, db);
		for (guint a = 0; cases[i].args[a] != NULL; a++)
			g_ptr_array_add(argv, g_strcmp0(cases[i].args[a], "VISIT") == 0
						      ? visit
						      : (gpointer)cases[i].args[a]);
		g_ptr_array_add(argv, NULL);
		proc = g_subprocess_newv(
			(const gchar *const *)argv->pdata,
			G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
		g_assert_no_error(error);
		g_assert_true(g_subprocess_communicate_utf8(proc, NULL, NULL, NULL, &err, &error));
		if (g_subprocess_get_exit_status(proc) != cases[i].status)
			g_error("case %u (%s %s): exit %d, expected %d: %s", i, cases[i].args[0],
				cases[i].args[1], g_subprocess_get_exit_status(proc),
				cases[i].status, err);
		/* one line, saying what is wrong */
		g_assert_cmpuint(strlen(err), >, 10);
		g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);
		after = nhip_test_db_digest(db);
		if (g_strcmp0(before, after) != 0)
			g_error("case %u (%s %s) changed the database", i, cases[i].args[0],
				cases[i].args[1]);
	}
}

static void
test_users_and_audit(void)
{
	g_auto(Run) add = nhipctl("--db", db, "user", "add", "--name", "Y sĩ Lê Thị Hồng", "--role",
				  "staff", "--pin", "1234", NULL);
	g_autofree gchar *id = g_strstrip(g_strdup(add.out));
	g_auto(Run) list = nhipctl("--db", db, "user", "list", "--json", NULL);
	g_auto(Run) verify = { 0 };
	g_auto(Run) broken = { 0 };

	g_assert_cmpint(add.status, ==, 0);
	g_assert_cmpint(list.status, ==, 0);
	g_assert_null(strstr(list.out, "scrypt"));
	for (gint i = 0; i < 4; i++) {
		g_auto(Run) wrong = nhipctl("--db", db, "user", "login", id, "--pin", "0000", NULL);
		assert_one_line_error(&wrong, 3);
		g_assert_nonnull(strstr(wrong.err, "wrong PIN"));
	}
	{
		g_auto(Run) locked =
			nhipctl("--db", db, "user", "login", id, "--pin", "0000", NULL);
		g_auto(Run) right = nhipctl("--db", db, "user", "login", id, "--pin", "1234", NULL);
		g_auto(Run) unlock = nhipctl("--db", db, "user", "unlock", id, NULL);
		g_auto(Run) again = nhipctl("--db", db, "user", "login", id, "--pin", "1234", NULL);
		assert_one_line_error(&locked, 3);
		g_assert_nonnull(strstr(locked.err, "locked"));
		assert_one_line_error(&right, 3);
		g_assert_cmpint(unlock.status, ==, 0);
		g_assert_cmpint(again.status, ==, 0);
	}
	verify = nhipctl("--db", db, "audit", "verify", NULL);
	g_assert_cmpint(verify.status, ==, 0);
	nhip_test_sql(db, "DROP TRIGGER audit_log_no_update;"
			  "UPDATE audit_log SET action = 'nothing' WHERE id = 2;");
	broken = nhipctl("--db", db, "audit", "verify", NULL);
	assert_one_line_error(&broken, 5);
	g_assert_nonnull(strstr(broken.err, "row 2"));
}

static void
test_too_new(void)
{
	g_autofree gchar *path = g_build_filename(dir, "newer.db", NULL);
	g_auto(Run) init = nhipctl("--db", path, "init", NULL);
	g_auto(Run) show = { 0 };
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	g_assert_cmpint(init.status, ==, 0);
	nhip_test_sql(path, "PRAGMA user_version = 42;");
	before = nhip_test_db_digest(path);
	show = nhipctl("--db", path, "patient", "search", "x", NULL);
	assert_one_line_error(&show, 5);
	g_assert_nonnull(strstr(show.err, "newer"));
	after = nhip_test_db_digest(path);
	g_assert_cmpstr(before, ==, after);
}

static void
test_demo(void)
{
	g_autofree gchar *path = g_build_filename(dir, "demo.db", NULL);
	g_auto(Run) demo = nhipctl("--db", path, "demo", "--patients", "300", "--json", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *obj;

	g_assert_cmpint(demo.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, demo.out, -1, NULL));
	obj = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpint(json_object_get_int_member(obj, "patients"), ==, 300);
	g_assert_cmpint(json_object_get_int_member(obj, "visits"), >, 300);
	g_assert_cmpint(json_object_get_int_member(obj, "observations"), >, 1500);
	g_assert_cmpint(json_object_get_int_member(obj, "staff"), ==, 4);
	/* the demo's people have several ethnic groups and names with diacritics */
	g_assert_cmpint(nhip_test_sql_int(path, "SELECT count(DISTINCT ethnicity) FROM patients"),
			>=, 5);
	g_assert_cmpint(
		nhip_test_sql_int(path,
				  "SELECT count(*) FROM patients WHERE full_name != name_folded"),
		==, 300);
	g_assert_cmpint(
		nhip_test_sql_int(path, "SELECT count(*) FROM patients WHERE length(cccd) = 12"), >,
		150);
	{
		g_auto(Run) verify = nhipctl("--db", path, "audit", "verify", NULL);
		g_assert_cmpint(verify.status, ==, 0);
	}
}

int
main(int argc, char **argv)
{
	gint rc;

	g_test_init(&argc, &argv, NULL);
	dir = nhip_test_tmpdir();
	db = g_build_filename(dir, "station.db", NULL);
	g_test_add_func("/nhipctl/usage", test_usage);
	g_test_add_func("/nhipctl/no-database", test_no_database);
	g_test_add_func("/nhipctl/init", test_init);
	g_test_add_func("/nhipctl/patient-and-visit", test_patient_and_visit);
	g_test_add_func("/nhipctl/bad-input-unchanged", test_bad_input_unchanged);
	g_test_add_func("/nhipctl/users-and-audit", test_users_and_audit);
	g_test_add_func("/nhipctl/too-new", test_too_new);
	g_test_add_func("/nhipctl/demo", test_demo);
	rc = g_test_run();
	nhip_test_rmrf(dir);
	g_free(dir);
	g_free(db);
	return rc;
}
