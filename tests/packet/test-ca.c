/*
 * Nhịp — keys, the district CA, CRL, enrollment tokens and the enrollment answer, checked
 * with the openssl command line where it can judge.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "nhip-enroll.h"
#include "nhip-packet-private.h"
#include "nhip-packet-test-utils.h"

typedef NhipPacketFixture Fixture;

static void
test_key_mode(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *key = g_build_filename(fixture->tmp, "k.key", NULL);
	g_autofree gchar *cert = g_build_filename(fixture->tmp, "ST-001.crt", NULL);
	g_autoptr(NhipIdentity) identity = NULL;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) before = NULL;
	g_autoptr(GBytes) after = NULL;
	GStatBuf st = { 0 };
	mode_t old_umask = umask(0);

	/* a permissive umask must not make the key readable */
	nhip_identity_generate_key(key, &error);
	umask(old_umask);
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	before = nhip_test_read(key);
	g_assert_nonnull(strstr(g_bytes_get_data(before, NULL), "BEGIN PRIVATE KEY"));

	/* never replaced */
	g_assert_false(nhip_identity_generate_key(key, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_EXISTS);
	g_clear_error(&error);
	after = nhip_test_read(key);
	g_assert_true(g_bytes_equal(before, after));

	/* refused once group or others can read it */
	g_assert_cmpint(g_chmod(fixture->station_key, 0644), ==, 0);
	identity = nhip_identity_load(fixture->station_key, cert, &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_PERMISSIONS);
	g_assert_null(identity);
	g_clear_error(&error);
	csr = nhip_identity_make_csr(fixture->station_key, "ST-001", &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_PERMISSIONS);
	g_clear_error(&error);
	g_assert_cmpint(g_chmod(fixture->station_key, 0400), ==, 0);
	identity = nhip_identity_load(fixture->station_key, cert, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(nhip_identity_get_name(identity), ==, "ST-001");
	g_clear_object(&identity);

	/* a key that is not the certificate's */
	identity = nhip_identity_load(key, cert, &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
	g_clear_error(&error);
	/* a missing file */
	identity = nhip_identity_load("/nonexistent/k.key", cert, &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_NOT_FOUND);
}

/* the key is EC P-256 and the request names the station, as openssl reads them */
static void
test_csr(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) csr = nhip_identity_make_csr(fixture->station_key, "TYT-XA-01", &error);
	g_autofree gchar *path = g_build_filename(fixture->tmp, "r.csr", NULL);
	g_autofree gchar *out = NULL;
	gint status = -1;
	const gchar *argv[] = { "openssl", "req", "-in", path, "-noout", "-verify", "-text", NULL };
	const gchar *key_argv[] = { "openssl", "pkey",	"-in", fixture->station_key,
				    "-noout",  "-text", NULL };

	g_assert_no_error(error);
	nhip_test_write(path, csr);
	out = nhip_packet_test_run(argv, &status);
	g_assert_cmpint(status, ==, 0);
	g_assert_nonnull(strstr(out, "CN = TYT-XA-01"));
	g_assert_nonnull(strstr(out, "serialNumber = TYT-XA-01"));
	g_assert_nonnull(strstr(out, "prime256v1"));
	g_assert_nonnull(strstr(out, "ecdsa-with-SHA256"));
	g_free(out);
	out = nhip_packet_test_run(key_argv, &status);
	g_assert_cmpint(status, ==, 0);
	g_assert_nonnull(strstr(out, "P-256"));

	g_clear_pointer(&csr, g_bytes_unref);
	csr = nhip_identity_make_csr(fixture->station_key, "bad code!", &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
	g_assert_null(csr);
}

static void
test_ca_files(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_CA_CERT);
	g_autofree gchar *tls = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_TLS_CERT);
	g_autofree gchar *enc = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_ENC_CERT);
	g_autofree gchar *sign = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_SIGN_CERT);
	g_autofree gchar *station = g_build_filename(fixture->tmp, "ST-001.crt", NULL);
	g_autofree gchar *named_dir = g_build_filename(fixture->tmp, "named", NULL);
	g_autofree gchar *named_tls = nhip_ca_path(named_dir, NHIP_CA_FILE_TLS_CERT);
	g_autofree gchar *out = NULL;
	const gchar *names[] = { "hub.huyen.vn", "10.1.2.3", NULL };
	const NhipCaFile keys[] = { NHIP_CA_FILE_CA_KEY, NHIP_CA_FILE_TLS_KEY, NHIP_CA_FILE_ENC_KEY,
				    NHIP_CA_FILE_SIGN_KEY };
	gint status = -1;

	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		g_autofree gchar *key = nhip_ca_path(fixture->hub_dir, keys[i]);
		GStatBuf st = { 0 };
		g_assert_cmpint(g_stat(key, &st), ==, 0);
		g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	}
	/* every certificate verifies against the CA for its use, as openssl sees it */
	{
		const gchar *argv[] = { "openssl",  "verify",	 "-CAfile", ca,
					"-purpose", "sslserver", tls,	    NULL };
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
	}
	{
		const gchar *argv[] = { "openssl",  "verify",	 "-CAfile", ca,
					"-purpose", "smimesign", sign,	    NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
	}
	{
		const gchar *argv[] = { "openssl",  "verify",	 "-CAfile", ca,
					"-purpose", "sslclient", station,   NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
	}
	{
		const gchar *argv[] = { "openssl", "x509", "-in",      enc,
					"-noout",  "-ext", "keyUsage", NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
		g_assert_nonnull(strstr(out, "Key Agreement"));
	}
	/* the TLS certificate names the hosts given */
	nhip_ca_init(named_dir, "Huyện Đồng Văn", names, &error);
	g_assert_no_error(error);
	{
		const gchar *argv[] = { "openssl", "x509",	     "-in", named_tls, "-noout",
					"-ext",	   "subjectAltName", NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
		g_assert_nonnull(strstr(out, "DNS:hub.huyen.vn"));
		g_assert_nonnull(strstr(out, "IP Address:10.1.2.3"));
	}
	/* a second init leaves the CA alone */
	g_assert_false(nhip_ca_init(fixture->hub_dir, "Again", NULL, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_EXISTS);
	g_clear_error(&error);
	{
		const gchar *bad[] = { "a b", NULL };
		g_autofree gchar *dir = g_build_filename(fixture->tmp, "bad", NULL);
		g_assert_false(nhip_ca_init(dir, "X", bad, &error));
		g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
	}
}

static void
test_revoke_crl(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_CA_CERT);
	g_autofree gchar *crl = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_CRL);
	g_autofree gchar *station = g_build_filename(fixture->tmp, "ST-001.crt", NULL);
	g_autofree gchar *serial =
		nhip_x509_get_serial(nhip_identity_get_certificate(fixture->station));
	g_autofree gchar *upper = g_ascii_strup(serial, -1);
	g_autofree gchar *out = NULL;
	g_autoptr(NhipIdentity) other = nhip_test_enroll_station(fixture->hub_dir, fixture->tmp,
								 "ST-002", NULL, NULL, NULL);
	g_autofree gchar *other_serial = nhip_x509_get_serial(nhip_identity_get_certificate(other));
	gint status = -1;
	const gchar *verify[] = { "openssl",  "verify", "-crl_check", "-CAfile", ca,
				  "-CRLfile", crl,	station,      NULL };
	const gchar *show[] = { "openssl", "crl", "-in", crl, "-noout", "-text", NULL };

	out = nhip_packet_test_run(verify, &status);
	g_assert_cmpint(status, ==, 0);
	g_assert_true(nhip_ca_revoke(fixture->hub_dir, "ST-001", &error));
	g_assert_no_error(error);
	g_free(out);
	out = nhip_packet_test_run(verify, &status);
	g_assert_cmpint(status, !=, 0);
	g_assert_nonnull(strstr(out, "certificate revoked"));
	g_free(out);
	out = nhip_packet_test_run(show, &status);
	g_assert_cmpint(status, ==, 0);
	g_assert_nonnull(strstr(out, upper));
	g_assert_null(strstr(out, other_serial));
	/* twice is fine; by serial, in the forms people type it */
	g_assert_true(nhip_ca_revoke(fixture->hub_dir, "ST-001", &error));
	g_assert_no_error(error);
	g_assert_true(nhip_ca_revoke(fixture->hub_dir, other_serial, &error));
	g_assert_no_error(error);
	g_assert_false(nhip_ca_revoke(fixture->hub_dir, "NO-SUCH", &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_NOT_ISSUED);
	g_clear_error(&error);
	/* a refreshed CRL keeps the list */
	g_assert_true(nhip_ca_crl_update(fixture->hub_dir, &error));
	g_assert_no_error(error);
	g_free(out);
	out = nhip_packet_test_run(show, &status);
	g_assert_nonnull(strstr(out, upper));
}

static void
test_token(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token = nhip_ca_token_issue(fixture->hub_dir, "TYT-05", NULL, &error);
	g_autofree gchar *station = NULL;
	g_autofree gchar *upper = NULL;
	g_autofree gchar *wrong = NULL;

	g_assert_no_error(error);
	g_assert_cmpuint(strlen(token), ==, 41);
	/* a wrong secret for a real id does not use the token up */
	wrong = g_strdup(token);
	wrong[20] = wrong[20] == 'a' ? 'b' : 'a';
	g_assert_false(nhip_ca_token_redeem(fixture->hub_dir, wrong, &station, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN);
	g_clear_error(&error);
	/* typed in capitals */
	upper = g_ascii_strup(token, -1);
	g_assert_true(nhip_ca_token_redeem(fixture->hub_dir, upper, &station, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(station, ==, "TYT-05");
	g_clear_pointer(&station, g_free);
	/* once only */
	g_assert_false(nhip_ca_token_redeem(fixture->hub_dir, token, &station, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_USED);
	g_clear_error(&error);
	/* made up, malformed */
	g_assert_false(nhip_ca_token_redeem(
		fixture->hub_dir, "aaaaaaaa-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &station, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN);
	g_clear_error(&error);
	g_assert_false(
		nhip_ca_token_redeem(fixture->hub_dir, "../../etc/passwd", &station, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN);
	g_clear_error(&error);
	g_assert_null(nhip_ca_token_issue(fixture->hub_dir, "no spaces", NULL, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
}

static void
test_token_expiry(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) soon = g_date_time_add_seconds(now, 1.5);
	g_autoptr(GDateTime) past = g_date_time_add_seconds(now, -1);
	g_autofree gchar *token = nhip_ca_token_issue(fixture->hub_dir, "TYT-06", soon, &error);
	g_autofree gchar *station = NULL;

	g_assert_no_error(error);
	g_assert_null(nhip_ca_token_issue(fixture->hub_dir, "TYT-06", past, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
	g_clear_error(&error);
	g_usleep(2 * G_USEC_PER_SEC);
	g_assert_false(nhip_ca_token_redeem(fixture->hub_dir, token, &station, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_EXPIRED);
}

static void
test_enroll(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *key = g_build_filename(fixture->tmp, "new.key", NULL);
	g_autofree gchar *token = nhip_ca_token_issue(fixture->hub_dir, "TYT-07", NULL, &error);
	g_autoptr(GBytes) csr_named = NULL;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) answer = NULL;
	g_autoptr(NhipEnrollBundle) bundle = NULL;
	g_autofree gchar *recipient = nhip_ca_recipient_id(fixture->hub_dir, &error);
	g_autofree gchar *station = NULL;

	g_assert_no_error(error);
	nhip_identity_generate_key(key, &error);
	g_assert_no_error(error);
	/* a request naming another station is refused, and the token survives */
	csr_named = nhip_identity_make_csr(key, "TYT-99", &error);
	g_assert_no_error(error);
	answer = nhip_ca_enroll(fixture->hub_dir, token, csr_named, &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
	g_assert_null(answer);
	g_clear_error(&error);
	/* garbage as the request */
	{
		g_autoptr(GBytes) junk =
			g_bytes_new_static("-----BEGIN CERTIFICATE REQUEST-----", 35);
		answer = nhip_ca_enroll(fixture->hub_dir, token, junk, &error);
		g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
		g_clear_error(&error);
	}
	/* a request without a name takes the token's station */
	csr = nhip_identity_make_csr(key, NULL, &error);
	g_assert_no_error(error);
	answer = nhip_ca_enroll(fixture->hub_dir, token, csr, &error);
	g_assert_no_error(error);
	bundle = nhip_enroll_bundle_parse(answer, token, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(bundle->station_code, ==, "TYT-07");
	g_assert_cmpstr(bundle->recipient, ==, recipient);
	g_assert_false(nhip_ca_token_redeem(fixture->hub_dir, token, &station, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_USED);
	g_clear_error(&error);

	/* checked with another token, or altered on the way: refused */
	g_clear_pointer(&bundle, nhip_enroll_bundle_free);
	bundle = nhip_enroll_bundle_parse(answer, "aaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
					  &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_UNTRUSTED);
	g_assert_null(bundle);
	g_clear_error(&error);
	{
		g_autofree gchar *text =
			g_strndup(g_bytes_get_data(answer, NULL), g_bytes_get_size(answer));
		gchar *hit = strstr(text, "urn:nhip:key:");
		g_autoptr(GBytes) altered = NULL;
		hit[13] = hit[13] == '0' ? '1' : '0';
		altered = g_bytes_new(text, strlen(text));
		bundle = nhip_enroll_bundle_parse(altered, token, &error);
		g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_UNTRUSTED);
		g_assert_null(bundle);
		g_clear_error(&error);
	}
	{
		g_autoptr(GBytes) junk = g_bytes_new_static("[1,2]", 5);
		bundle = nhip_enroll_bundle_parse(junk, token, &error);
		g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

#define ADD(path, func)                                                  \
	g_test_add(path, Fixture, NULL, nhip_packet_fixture_setup, func, \
		   nhip_packet_fixture_teardown)
	ADD("/ca/key-mode", test_key_mode);
	ADD("/ca/csr", test_csr);
	ADD("/ca/files", test_ca_files);
	ADD("/ca/revoke-crl", test_revoke_crl);
	ADD("/ca/token", test_token);
	ADD("/ca/token-expiry", test_token_expiry);
	ADD("/ca/enroll", test_enroll);
#undef ADD
	return g_test_run();
}
