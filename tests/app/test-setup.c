/*
 * Nhịp — tests of `nhipctl setup --config`: a station set up from a key file, the same
 * file again changing nothing (the database equal by `sqlite3 .dump`), a dry run changing
 * nothing, bad files refused with the line and key named, the device check against
 * nhip-devsim on a pseudo-terminal, and the network check against a real TLS server
 * (`openssl s_server`) on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "nhip-setup.h"
#include "nhip-test-utils.h"

typedef NhipTestRun Run;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, nhip_test_run_clear)

static gchar *dir;
static gchar *cert_path;

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

static gchar *
write_config(const gchar *name, const gchar *text)
{
	gchar *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_chmod(path, 0600);
	return path;
}

static gchar *
good_config(const gchar *extra)
{
	return g_strdup_printf("# Trạm Y tế xã Tân Hòa, set up on 2026-11-23\n"
			       "[facility]\n"
			       "code = 66181\n"
			       "name = Trạm Y tế xã Tân Hòa\n"
			       "province = 66\n"
			       "district = 660\n"
			       "commune = 24166\n"
			       "address = Thôn 3, xã Tân Hòa\n"
			       "\n"
			       "[staff.1]\n"
			       "name = Nguyễn Văn Kỹ\n"
			       "role = technician\n"
			       "pin = 482916\n"
			       "\n"
			       "[staff.2]\n"
			       "name = Lê Thị Hoa\n"
			       "role = staff\n"
			       "pin = 1357\n"
			       "\n"
			       "[backup]\n"
			       "certificate = %s\n"
			       "keep = 10\n"
			       "mount = /media/backup\n"
			       "%s",
			       cert_path, extra != NULL ? extra : "");
}

static JsonArray *
steps_of(JsonParser *parser, const gchar *out)
{
	g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
	return json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
					    "steps");
}

static void
test_setup_idempotent(void)
{
	g_autofree gchar *text = good_config(NULL);
	g_autofree gchar *config = write_config("setup.ini", text);
	g_autofree gchar *db = g_build_filename(dir, "one", "station.db", NULL);
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonArray *steps;

	/* a dry run on a new box creates nothing */
	{
		g_auto(Run) dry = nhipctl("--db", db, "setup", "--config", config, "--dry-run",
					  "--json", NULL);
		nhip_test_assert_ok(&dry);
		g_assert_false(g_file_test(db, G_FILE_TEST_EXISTS));
		g_assert_nonnull(strstr(dry.out, "would-change"));
	}
	{
		g_auto(Run) run = nhipctl("--db", db, "setup", "--config", config, NULL);
		nhip_test_assert_ok(&run);
		g_assert_nonnull(strstr(run.out, "added Nguyễn Văn Kỹ (technician)"));
	}
	/* what the XML130 export needs is stored */
	{
		g_autofree gchar *commune = nhip_test_sql_text(
			db, "SELECT commune_code || '/' || district_code || '/' || "
			    "province_code FROM facility");
		g_assert_cmpstr(commune, ==, "24166/660/66");
	}
	/* the PINs are hashed and work */
	g_assert_cmpint(nhip_test_sql_int(db, "SELECT count(*) FROM staff WHERE pin_hash LIKE "
					      "'%1357%' OR pin_hash LIKE '%482916%'"),
			==, 0);
	{
		g_auto(Run) login =
			nhipctl("--db", db, "user", "login", "1", "--pin", "482916", NULL);
		nhip_test_assert_ok(&login);
	}
	/* the certificate is kept beside the database */
	{
		g_autofree gchar *kept = g_build_filename(dir, "one", "backup.crt", NULL);
		g_autofree gchar *setting = nhip_test_sql_text(
			db, "SELECT value FROM settings WHERE key = 'backup.certificate'");
		g_assert_true(g_file_test(kept, G_FILE_TEST_EXISTS));
		g_assert_cmpstr(setting, ==, kept);
	}
	first = nhip_test_sqlite_dump(db);
	/* again: nothing changes, not even the audit log */
	{
		g_auto(Run) again =
			nhipctl("--db", db, "setup", "--config", config, "--json", NULL);
		nhip_test_assert_ok(&again);
		steps = steps_of(parser, again.out);
		for (guint i = 0; i < json_array_get_length(steps); i++) {
			JsonObject *step = json_array_get_object_element(steps, i);
			g_assert_cmpstr(json_object_get_string_member(step, "result"), ==,
					"unchanged");
		}
	}
	second = nhip_test_sqlite_dump(db);
	g_assert_cmpstr(first, ==, second);
	/* a changed PIN in the file is set, and only that */
	{
		g_autofree gchar *changed_text = NULL;
		g_autofree gchar *changed = NULL;
		g_auto(Run) run = { 0 };
		g_auto(Run) login = { 0 };
		g_auto(GStrv) parts = g_strsplit(text, "pin = 1357", 2);

		changed_text = g_strjoinv("pin = 2468", parts);
		changed = write_config("changed.ini", changed_text);
		run = nhipctl("--db", db, "setup", "--config", changed, NULL);
		nhip_test_assert_ok(&run);
		g_assert_nonnull(strstr(run.out, "set the PIN of Lê Thị Hoa"));
		login = nhipctl("--db", db, "user", "login", "2", "--pin", "2468", NULL);
		nhip_test_assert_ok(&login);
	}
}

static void
test_bad_config(void)
{
	const struct {
		const gchar *from;
		const gchar *to;
		const gchar *message;
	} cases[] = {
		{ "code = 66181", "code = 6618", "line 3, [facility] code" },
		{ "commune = 24166", "commune = 2416", "line 7, [facility] commune" },
		{ "district = 660", "district = 6600", "line 6, [facility] district" },
		{ "province = 66", "provnce = 66", "line 5, [facility] provnce: unknown key" },
		{ "role = staff", "role = nurse", "line 17, [staff.2] role" },
		{ "pin = 1357", "pin = 12", "line 18, [staff.2] pin" },
		{ "role = technician", "role = doctor", "sets up no technician" },
		{ "keep = 10", "keep = many", "line 22, [backup] keep" },
		{ "[backup]", "[backups]", "line 20, [backups]: unknown group" },
		{ "name = Lê Thị Hoa", "name = Nguyễn Văn Kỹ",
		  "[staff.2] name: Nguyễn Văn Kỹ is set "
		  "up twice" },
		{ "name = Trạm Y tế xã Tân Hòa\n", "", "[facility]: the key name is missing" },
		{ "mount = /media/backup", "mount = media", "line 23, [backup] mount" },
	};
	g_autofree gchar *text = good_config("[hub]\nurl = https://hub.example:8443\ntoken = T\n"
					     "[checks]\nnetwork = maybe\n");
	g_autofree gchar *db = g_build_filename(dir, "bad", "station.db", NULL);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_auto(GStrv) parts = g_strsplit(text, cases[i].from, 2);
		g_autofree gchar *bad_text = NULL;
		g_autofree gchar *bad = NULL;
		g_auto(Run) run = { 0 };

		g_assert_cmpuint(g_strv_length(parts), ==, 2);
		bad_text = g_strjoinv(cases[i].to, parts);
		/* only the first error is reported: make the later ones right */
		{
			g_auto(GStrv) p = g_strsplit(bad_text, "network = maybe", 2);
			g_free(bad_text);
			bad_text = g_strjoinv("network = no", p);
		}
		bad = write_config("bad.ini", bad_text);
		run = nhipctl("--db", db, "setup", "--config", bad, NULL);
		nhip_test_assert_one_line_error(&run, 3);
		if (strstr(run.err, cases[i].message) == NULL)
			g_error("case %u: expected “%s” in: %s", i, cases[i].message, run.err);
		g_assert_false(g_file_test(db, G_FILE_TEST_EXISTS));
	}
	/* a bad yes/no */
	{
		g_autofree gchar *bad = write_config("bad.ini", text);
		g_auto(Run) run = nhipctl("--db", db, "setup", "--config", bad, NULL);
		nhip_test_assert_one_line_error(&run, 3);
		g_assert_nonnull(strstr(run.err, "line 28, [checks] network: “maybe” is not yes or "
						 "no"));
	}
	/* not https */
	{
		g_auto(GStrv) parts = g_strsplit(text, "https://", 2);
		g_autofree gchar *http = g_strjoinv("http://", parts);
		g_autofree gchar *bad = write_config("bad.ini", http);
		g_auto(Run) run = nhipctl("--db", db, "setup", "--config", bad, NULL);
		nhip_test_assert_one_line_error(&run, 3);
		g_assert_nonnull(strstr(run.err, "line 25, [hub] url"));
	}
	/* no file */
	{
		g_auto(Run) run =
			nhipctl("--db", db, "setup", "--config", "/nonexistent.ini", NULL);
		nhip_test_assert_one_line_error(&run, 4);
	}
}

static GSubprocess *
tls_server(guint16 port)
{
	g_autofree gchar *key = g_build_filename(dir, "tls.key", NULL);
	g_autofree gchar *crt = g_build_filename(dir, "tls.crt", NULL);
	g_autofree gchar *accept = g_strdup_printf("127.0.0.1:%u", port);
	g_autoptr(GError) error = NULL;
	GSubprocess *server;

	if (!g_file_test(crt, G_FILE_TEST_EXISTS)) {
		g_autofree gchar *script = g_strdup_printf(
			"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
			"-keyout '%s' -out '%s' -subj /CN=hub.test -days 2 2>/dev/null",
			key, crt);
		const gchar *argv[] = { "sh", "-c", script, NULL };
		g_auto(Run) run = nhip_test_runv(argv);
		g_assert_cmpint(run.status, ==, 0);
	}
	server = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
					  G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				  &error, "openssl", "s_server", "-accept", accept, "-cert", crt,
				  "-key", key, "-www", "-quiet", NULL);
	g_assert_no_error(error);
	/* until it listens */
	for (guint i = 0; i < 100; i++) {
		g_autoptr(GSocketClient) client = g_socket_client_new();
		g_autoptr(GSocketConnection) c = NULL;

		g_socket_client_set_enable_proxy(client, FALSE);
		c = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, NULL);
		if (c != NULL)
			break;
		g_usleep(50 * 1000);
	}
	return server;
}

static void
test_network_check(void)
{
	guint16 port = nhip_test_free_port();
	guint16 closed = nhip_test_free_port();
	g_autoptr(GSubprocess) server = tls_server(port);
	g_autofree gchar *db = g_build_filename(dir, "net", "station.db", NULL);
	g_autofree gchar *extra =
		g_strdup_printf("[hub]\nurl = https://127.0.0.1:%u\ntoken = T\n", port);
	g_autofree gchar *text = good_config(extra);
	g_autofree gchar *config = write_config("net.ini", text);

	/* the hub step would enroll; the network step checks DNS, TCP and TLS */
	{
		g_auto(Run) run =
			nhipctl("--db", db, "setup", "--config", config, "--dry-run", NULL);
		nhip_test_assert_ok(&run);
		g_assert_nonnull(strstr(run.out, "would enroll as 66181 with https://127.0.0.1"));
		g_assert_nonnull(strstr(run.out, "TCP: connected"));
		g_assert_nonnull(strstr(run.out, "“hub.test”"));
		g_assert_nonnull(strstr(run.out, "not verified"));
	}
	/* nothing listening */
	{
		g_autofree gchar *extra2 =
			g_strdup_printf("[hub]\nurl = https://127.0.0.1:%u\ntoken = "
					"T\n[checks]\nnetwork-timeout = 3\n",
					closed);
		g_autofree gchar *text2 = good_config(extra2);
		g_autofree gchar *config2 = write_config("closed.ini", text2);
		g_auto(Run) run =
			nhipctl("--db", db, "setup", "--config", config2, "--dry-run", NULL);
		g_assert_cmpint(run.status, ==, 3);
		g_assert_nonnull(strstr(run.out, "TCP: cannot connect"));
		g_assert_nonnull(strstr(run.err, "setup is not complete"));
	}
	/* a name that does not exist */
	{
		g_autofree gchar *text3 =
			good_config("[hub]\nurl = https://nhip-hub.invalid\ntoken = T\n");
		g_autofree gchar *config3 = write_config("nodns.ini", text3);
		g_auto(Run) run =
			nhipctl("--db", db, "setup", "--config", config3, "--dry-run", NULL);
		g_assert_cmpint(run.status, ==, 3);
		g_assert_nonnull(strstr(run.out, "DNS: the name nhip-hub.invalid cannot be found"));
	}
	/* an enrolled station is left alone: the token is used once */
	{
		g_autofree gchar *hub = g_build_filename(dir, "net", "hub", NULL);
		g_autofree gchar *ini = g_build_filename(hub, "hub.ini", NULL);
		g_autofree gchar *crt = g_build_filename(hub, "station.crt", NULL);
		g_autofree gchar *ini_text =
			g_strdup_printf("[hub]\nurl=https://127.0.0.1:%u\nstation=66181\n", port);
		g_autofree gchar *tls_crt = g_build_filename(dir, "tls.crt", NULL);
		g_autofree gchar *pem = NULL;
		g_auto(Run) run = { 0 };

		g_assert_cmpint(g_mkdir_with_parents(hub, 0700), ==, 0);
		g_assert_true(g_file_set_contents(ini, ini_text, -1, NULL));
		g_assert_true(g_file_get_contents(tls_crt, &pem, NULL, NULL));
		g_assert_true(g_file_set_contents(crt, pem, -1, NULL));
		run = nhipctl("--db", db, "setup", "--config", config, "--dry-run", NULL);
		nhip_test_assert_ok(&run);
		g_assert_nonnull(strstr(run.out, "enrolled as 66181"));
	}
	g_subprocess_send_signal(server, SIGTERM);
	g_subprocess_wait(server, NULL, NULL);
}

static void
test_device_check(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDataInputStream) lines = NULL;
	g_autoptr(GSubprocess) devsim =
		g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, NHIP_DEVSIM_PATH,
				 "--driver", "tanita", "--scenario", "normal", NULL);
	g_autofree gchar *tty = NULL;
	g_autofree gchar *db = g_build_filename(dir, "dev", "station.db", NULL);
	g_autofree gchar *extra = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *config = NULL;

	g_assert_no_error(error);
	lines = g_data_input_stream_new(g_subprocess_get_stdout_pipe(devsim));
	tty = g_data_input_stream_read_line(lines, NULL, NULL, &error);
	g_assert_nonnull(tty);
	extra = g_strdup_printf("[checks]\ndevices = yes\ndevice-reading = yes\n"
				"device-timeout = 20\nserial-port = tanita:%s\n",
				tty);
	text = good_config(extra);
	config = write_config("dev.ini", text);
	{
		g_auto(Run) run = nhipctl("--db", db, "setup", "--config", config, "--json", NULL);
		g_autoptr(JsonParser) parser = json_parser_new();
		JsonArray *steps;
		JsonObject *last;

		nhip_test_assert_ok(&run);
		steps = steps_of(parser, run.out);
		last = json_array_get_object_element(steps, json_array_get_length(steps) - 1);
		g_assert_cmpstr(json_object_get_string_member(last, "step"), ==, "devices");
		g_assert_cmpstr(json_object_get_string_member(last, "result"), ==, "passed");
		g_assert_nonnull(strstr(json_object_get_string_member(last, "message"),
					"test reading from"));
	}
	g_subprocess_send_signal(devsim, SIGTERM);
	g_subprocess_wait(devsim, NULL, NULL);
}

int
main(int argc, char **argv)
{
	gint rc;

	g_test_init(&argc, &argv, NULL);
	dir = nhip_test_tmpdir();
	cert_path = g_build_filename(dir, "backup.crt", NULL);
	{
		g_autofree gchar *key = g_build_filename(dir, "backup.key", NULL);
		g_auto(Run) keygen =
			nhipctl("backup", "keygen", "--key", key, "--cert", cert_path, NULL);
		nhip_test_assert_ok(&keygen);
	}
	g_test_add_func("/setup/idempotent", test_setup_idempotent);
	g_test_add_func("/setup/bad-config", test_bad_config);
	g_test_add_func("/setup/network-check", test_network_check);
	g_test_add_func("/setup/device-check", test_device_check);
	rc = g_test_run();
	nhip_test_rmrf(dir);
	g_free(dir);
	g_free(cert_path);
	return rc;
}
