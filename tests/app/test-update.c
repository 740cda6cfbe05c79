/*
 * Nhịp — tests of signed update bundles with real dpkg: tiny packages built here with
 * dpkg-deb (a marker file and a health-check script, no maintainer scripts) are installed
 * with `dpkg --root` into a root folder made by the test, never into this machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "nhip-test-utils.h"

typedef NhipTestRun Run;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, nhip_test_run_clear)

typedef struct {
	gchar *dir;
	gchar *root;
	gchar *db;
	gchar *previous;
	gchar *dpkg;
	gchar *health;
	gchar *migrate;
	gchar *key;
	gchar *pub;
	gchar *other_pub;
} Fixture;

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

static void
sh(const gchar *script)
{
	const gchar *argv[] = { "sh", "-ec", script, NULL };
	g_auto(Run) run = nhip_test_runv(argv);
	if (run.status != 0)
		g_error("sh failed (%d): %s\n%s%s", run.status, script, run.out, run.err);
}

/* nhip-test_VERSION_all.deb whose health script exits @health_exit */
static gchar *
make_deb(Fixture *f, const gchar *version, gint health_exit)
{
	g_autofree gchar *script = g_strdup_printf(
		"cd '%s' && rm -rf pkg && mkdir -p pkg/DEBIAN pkg/opt/nhip-test && "
		"printf 'Package: nhip-test\\nVersion: %s\\nArchitecture: all\\nMaintainer: Test "
		"<test@example.org>\\nDescription: update test\\n' > pkg/DEBIAN/control && "
		"echo 'v%s' > pkg/opt/nhip-test/marker && "
		"printf '#!/bin/sh\\nexit %d\\n' > pkg/opt/nhip-test/health && "
		"chmod 755 pkg/opt/nhip-test/health && "
		"dpkg-deb --root-owner-group -Zgzip -b pkg nhip-test_%s_all.deb >/dev/null",
		f->dir, version, version, health_exit, version);
	sh(script);
	return g_strdup_printf("%s/nhip-test_%s_all.deb", f->dir, version);
}

static gchar *
marker(Fixture *f)
{
	g_autofree gchar *path = g_build_filename(f->root, "opt", "nhip-test", "marker", NULL);
	gchar *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return g_strdup("(none)");
	return g_strstrip(text);
}

static gchar *
bundle(Fixture *f, const gchar *deb, const gchar *name)
{
	gchar *out = g_build_filename(f->dir, name, NULL);
	g_auto(Run) run =
		nhipctl("update", "make-bundle", "--key", f->key, "--out", out, deb, NULL);
	nhip_test_assert_ok(&run);
	return out;
}

static Run
update(Fixture *f, const gchar *bundle_path, const gchar *pub)
{
	return nhipctl("--db", f->db, "update", "--from", bundle_path, "--vendor-key", pub,
		       "--dpkg", f->dpkg, "--migrate", f->migrate, "--health", f->health, "--json",
		       NULL);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autofree gchar *v1 = NULL;
	g_autofree gchar *script = NULL;
	g_autofree gchar *other_key = NULL;

	f->dir = nhip_test_tmpdir();
	f->root = g_build_filename(f->dir, "root", NULL);
	f->db = g_build_filename(f->dir, "data", "station.db", NULL);
	f->previous = g_build_filename(f->dir, "data", "updates", "previous", NULL);
	f->key = g_build_filename(f->dir, "vendor.key", NULL);
	f->pub = g_build_filename(f->dir, "vendor.pub", NULL);
	f->other_pub = g_build_filename(f->dir, "other.pub", NULL);
	other_key = g_build_filename(f->dir, "other.key", NULL);
	/* a root folder of our own for dpkg; --force-not-root when the tests do not run as
	 * root, and a log of its own so the machine's dpkg.log is not touched */
	f->dpkg = g_strdup_printf("dpkg --root=%s --admindir=%s/var/lib/dpkg --log=%s/dpkg.log%s",
				  f->root, f->root, f->dir,
				  geteuid() != 0 ? " --force-not-root" : "");
	f->health = g_build_filename(f->root, "opt", "nhip-test", "health", NULL);
	/* the "migration" changes the database, so a rollback has something to undo */
	f->migrate = g_strdup_printf("sqlite3 %s \"INSERT INTO settings VALUES ('update.test', "
				     "'migrated', 0)\"",
				     f->db);
	script = g_strdup_printf("mkdir -p '%s/var/lib/dpkg/updates' '%s/var/lib/dpkg/info' && "
				 "touch '%s/var/lib/dpkg/status'",
				 f->root, f->root, f->root);
	sh(script);
	{
		g_auto(Run) init = nhipctl("--db", f->db, "init", "--facility-code", "66181",
					   "--facility-name", "Trạm Y tế xã Tân Hòa", NULL);
		g_auto(Run) demo = nhipctl("--db", f->db, "demo", "--patients", "20", NULL);
		g_auto(Run) keygen =
			nhipctl("update", "keygen", "--key", f->key, "--pub", f->pub, NULL);
		g_auto(Run) other = nhipctl("update", "keygen", "--key", other_key, "--pub",
					    f->other_pub, NULL);
		nhip_test_assert_ok(&init);
		nhip_test_assert_ok(&demo);
		nhip_test_assert_ok(&keygen);
		nhip_test_assert_ok(&other);
	}
	/* version 1.0 installed at the first installation, its .deb kept for rollbacks */
	v1 = make_deb(f, "1.0", 0);
	g_free(script);
	script = g_strdup_printf("%s -i '%s' >/dev/null && mkdir -p '%s' && cp '%s' '%s/'", f->dpkg,
				 v1, f->previous, v1, f->previous);
	sh(script);
	{
		g_autofree gchar *m = marker(f);
		g_assert_cmpstr(m, ==, "v1.0");
	}
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	nhip_test_rmrf(f->dir);
	g_free(f->dir);
	g_free(f->root);
	g_free(f->db);
	g_free(f->previous);
	g_free(f->dpkg);
	g_free(f->health);
	g_free(f->migrate);
	g_free(f->key);
	g_free(f->pub);
	g_free(f->other_pub);
}

static JsonObject *
parse(JsonParser *parser, const gchar *text)
{
	g_assert_true(json_parser_load_from_data(parser, text, -1, NULL));
	return json_node_get_object(json_parser_get_root(parser));
}

static void
test_good(Fixture *f, gconstpointer data)
{
	g_autofree gchar *v2 = make_deb(f, "2.0", 0);
	g_autofree gchar *b = bundle(f, v2, "u2.nhipupd");
	g_autofree gchar *kept_v1 = g_build_filename(f->previous, "nhip-test_1.0_all.deb", NULL);
	g_autofree gchar *kept_v2 = g_build_filename(f->previous, "nhip-test_2.0_all.deb", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_auto(Run) run = update(f, b, f->pub);
	g_autofree gchar *m = marker(f);
	JsonObject *obj;

	nhip_test_assert_ok(&run);
	obj = parse(parser, run.out);
	g_assert_true(json_object_get_boolean_member(obj, "ok"));
	g_assert_cmpstr(json_object_get_string_member(obj, "release"), ==, "2.0");
	g_assert_cmpstr(m, ==, "v2.0");
	{
		g_autofree gchar *value = nhip_test_sql_text(f->db, "SELECT value FROM settings "
								    "WHERE key = 'update.test'");
		g_assert_cmpstr(value, ==, "migrated");
	}
	/* the next update goes back to 2.0 */
	g_assert_true(g_file_test(kept_v2, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(kept_v1, G_FILE_TEST_EXISTS));
	/* the same bundle again changes nothing */
	{
		g_auto(Run) again = update(f, b, f->pub);
		g_autoptr(JsonParser) p2 = json_parser_new();
		nhip_test_assert_ok(&again);
		g_assert_true(json_object_get_boolean_member(parse(p2, again.out), "up_to_date"));
	}
	/* verify without installing */
	{
		g_auto(Run) verify = nhipctl("update", "verify", b, "--vendor-key", f->pub, NULL);
		nhip_test_assert_ok(&verify);
		g_assert_nonnull(strstr(verify.out, "nhip-test 2.0 (all)"));
	}
}

/* a refused bundle: exit 6, the reason in one line, nothing installed or changed */
static void
assert_refused(Fixture *f, const gchar *bundle_path, const gchar *pub, const gchar *reason)
{
	g_autofree gchar *before = nhip_test_sqlite_dump(f->db);
	g_auto(Run) run = update(f, bundle_path, pub);
	g_autofree gchar *after = nhip_test_sqlite_dump(f->db);
	g_autofree gchar *m = marker(f);

	g_assert_cmpint(run.status, ==, 6);
	if (strstr(run.err, reason) == NULL)
		g_error("expected “%s” in: %s", reason, run.err);
	g_assert_cmpstr(m, ==, "v1.0");
	g_assert_cmpstr(before, ==, after);
}

static void
test_bad_signature(Fixture *f, gconstpointer data)
{
	g_autofree gchar *v2 = make_deb(f, "2.0", 0);
	g_autofree gchar *b = bundle(f, v2, "u2.nhipupd");
	g_autofree gchar *bad = g_build_filename(f->dir, "bad.nhipupd", NULL);
	g_autofree gchar *script = g_strdup_printf(
		"cd '%s' && mkdir x && cd x && tar xf '%s' && "
		"printf '\\001' | dd of=manifest.sig bs=1 seek=10 conv=notrunc 2>/dev/null && "
		"tar --format=ustar -cf '%s' manifest.json manifest.sig nhip-test_2.0_all.deb",
		f->dir, b, bad);

	sh(script);
	assert_refused(f, bad, f->pub, "signature does not verify");
}

static void
test_wrong_vendor_key(Fixture *f, gconstpointer data)
{
	g_autofree gchar *v2 = make_deb(f, "2.0", 0);
	g_autofree gchar *b = bundle(f, v2, "u2.nhipupd");

	assert_refused(f, b, f->other_pub, "signature does not verify");
}

static void
test_hash_mismatch(Fixture *f, gconstpointer data)
{
	g_autofree gchar *v2 = make_deb(f, "2.0", 0);
	g_autofree gchar *b = bundle(f, v2, "u2.nhipupd");
	g_autofree gchar *bad = g_build_filename(f->dir, "bad.nhipupd", NULL);
	g_autofree gchar *script = NULL;

	/* the signed manifest is kept, the package swapped for another build */
	script = g_strdup_printf("cd '%s' && mkdir x && cd x && tar xf '%s' && "
				 "echo extra >> nhip-test_2.0_all.deb && "
				 "tar --format=ustar -cf '%s' manifest.json manifest.sig "
				 "nhip-test_2.0_all.deb",
				 f->dir, b, bad);
	sh(script);
	assert_refused(f, bad, f->pub, "does not match the SHA-256");
	/* a file the manifest does not list */
	g_free(script);
	script = g_strdup_printf("cd '%s/x' && cp '%s' ../u2.nhipupd.copy && tar xf '%s' && "
				 "cp nhip-test_2.0_all.deb extra.deb && "
				 "tar --format=ustar -cf '%s' manifest.json manifest.sig "
				 "nhip-test_2.0_all.deb extra.deb",
				 f->dir, b, b, bad);
	sh(script);
	assert_refused(f, bad, f->pub, "does not list");
}

static void
test_rollback(Fixture *f, gconstpointer data)
{
	g_autofree gchar *v2 = make_deb(f, "2.0", 1);
	g_autofree gchar *b = bundle(f, v2, "u2.nhipupd");
	g_autofree gchar *before = nhip_test_sqlite_dump(f->db);
	g_autofree gchar *kept_v1 = g_build_filename(f->previous, "nhip-test_1.0_all.deb", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_auto(Run) run = update(f, b, f->pub);
	g_autofree gchar *after = nhip_test_sqlite_dump(f->db);
	g_autofree gchar *m = marker(f);
	JsonObject *obj;

	g_assert_cmpint(run.status, ==, 7);
	g_assert_nonnull(strstr(run.err, "previous version was put back"));
	obj = parse(parser, run.out);
	g_assert_true(json_object_get_boolean_member(obj, "rolled_back"));
	/* the previous package is installed again, the database as it was */
	g_assert_cmpstr(m, ==, "v1.0");
	g_assert_cmpstr(before, ==, after);
	g_assert_cmpint(nhip_test_sql_int(f->db, "SELECT count(*) FROM settings WHERE key = "
						 "'update.test'"),
			==, 0);
	g_assert_true(g_file_test(kept_v1, G_FILE_TEST_EXISTS));
	{
		g_autofree gchar *script =
			g_strdup_printf("%s --status nhip-test | grep '^Version: 1.0$'", f->dpkg);
		sh(script);
	}
}

static void
test_no_previous_copy(Fixture *f, gconstpointer data)
{
	g_autofree gchar *v2 = make_deb(f, "2.0", 0);
	g_autofree gchar *b = bundle(f, v2, "u2.nhipupd");
	g_autofree gchar *kept_v1 = g_build_filename(f->previous, "nhip-test_1.0_all.deb", NULL);
	g_autofree gchar *before = NULL;
	g_auto(Run) run = { 0 };
	g_autofree gchar *m = NULL;

	g_assert_cmpint(g_unlink(kept_v1), ==, 0);
	before = nhip_test_sqlite_dump(f->db);
	run = update(f, b, f->pub);
	m = marker(f);
	g_assert_cmpint(run.status, ==, 4);
	g_assert_nonnull(strstr(run.err, "no copy of the installed nhip-test 1.0"));
	g_assert_cmpstr(m, ==, "v1.0");
	{
		g_autofree gchar *after = nhip_test_sqlite_dump(f->db);
		g_assert_cmpstr(before, ==, after);
	}
}

static void
test_make_bundle_refuses(Fixture *f, gconstpointer data)
{
	g_autofree gchar *notdeb = g_build_filename(f->dir, "readme.deb", NULL);
	g_autofree gchar *out = g_build_filename(f->dir, "x.nhipupd", NULL);
	g_auto(Run) run = { 0 };

	g_assert_true(g_file_set_contents(notdeb, "not a package", -1, NULL));
	run = nhipctl("update", "make-bundle", "--key", f->key, "--out", out, notdeb, NULL);
	nhip_test_assert_one_line_error(&run, 6);
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	/* the public key is not a signing key */
	{
		g_autofree gchar *deb = make_deb(f, "2.0", 0);
		g_auto(Run) wrong =
			nhipctl("update", "make-bundle", "--key", f->pub, "--out", out, deb, NULL);
		nhip_test_assert_one_line_error(&wrong, 3);
	}
}

int
main(int argc, char **argv)
{
	g_autofree gchar *dpkg = g_find_program_in_path("dpkg");
	g_autofree gchar *dpkg_deb = g_find_program_in_path("dpkg-deb");
	g_autofree gchar *sqlite = g_find_program_in_path("sqlite3");

	g_test_init(&argc, &argv, NULL);
	/* dpkg looks for ldconfig and start-stop-daemon on PATH */
	g_setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", TRUE);
	if (dpkg == NULL || dpkg_deb == NULL || sqlite == NULL) {
		g_test_skip(
			"dpkg, dpkg-deb and sqlite3 are needed (Debian packages dpkg, sqlite3)");
		return g_test_run();
	}
	g_test_add("/update/good", Fixture, NULL, fixture_setup, test_good, fixture_teardown);
	g_test_add("/update/bad-signature", Fixture, NULL, fixture_setup, test_bad_signature,
		   fixture_teardown);
	g_test_add("/update/wrong-vendor-key", Fixture, NULL, fixture_setup, test_wrong_vendor_key,
		   fixture_teardown);
	g_test_add("/update/hash-mismatch", Fixture, NULL, fixture_setup, test_hash_mismatch,
		   fixture_teardown);
	g_test_add("/update/rollback", Fixture, NULL, fixture_setup, test_rollback,
		   fixture_teardown);
	g_test_add("/update/no-previous-copy", Fixture, NULL, fixture_setup, test_no_previous_copy,
		   fixture_teardown);
	g_test_add("/update/make-bundle-refuses", Fixture, NULL, fixture_setup,
		   test_make_bundle_refuses, fixture_teardown);
	return g_test_run();
}
