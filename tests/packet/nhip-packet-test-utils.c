/*
 * Nhịp — helpers shared by the packet tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "nhip-packet-private.h"
#include "nhip-packet-test-utils.h"
#include "nhip-test-utils.h"

/* runs a program; returns what it printed on stdout and stderr together */
gchar *
nhip_packet_test_run(const gchar *const *argv, gint *status)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint wait_status = 0;

	g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
		     &wait_status, &error);
	g_assert_no_error(error);
	if (status != NULL)
		*status = g_spawn_check_wait_status(wait_status, NULL)
				  ? 0
				  : (WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
	return g_strconcat(out, err, NULL);
}

void
nhip_test_write(const gchar *path, GBytes *bytes)
{
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, g_bytes_get_data(bytes, NULL), (gssize)g_bytes_get_size(bytes),
			    &error);
	g_assert_no_error(error);
}

GBytes *
nhip_test_read(const gchar *path)
{
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize length = 0;

	g_file_get_contents(path, &data, &length, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, length);
}

/* a station key made in @work_dir/<code>.key, certified by the CA in @hub_dir; with
 * @not_before NULL the normal profile and validity */
NhipIdentity *
nhip_test_enroll_station(const gchar *hub_dir,
			 const gchar *work_dir,
			 const gchar *code,
			 GDateTime *not_before,
			 GDateTime *not_after,
			 const gchar *ext_key_usage)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *key_name = g_strconcat(code, ".key", NULL);
	g_autofree gchar *cert_name = g_strconcat(code, ".crt", NULL);
	g_autofree gchar *key_path = g_build_filename(work_dir, key_name, NULL);
	g_autofree gchar *cert_path = g_build_filename(work_dir, cert_name, NULL);
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) cert = NULL;
	NhipIdentity *identity;

	if (!g_file_test(key_path, G_FILE_TEST_EXISTS)) {
		nhip_identity_generate_key(key_path, &error);
		g_assert_no_error(error);
	}
	csr = nhip_identity_make_csr(key_path, code, &error);
	g_assert_no_error(error);
	if (not_before != NULL)
		cert = nhipi_ca_issue(hub_dir, csr, code, not_before, not_after, ext_key_usage,
				      &error);
	else
		cert = nhip_ca_issue_station_cert(hub_dir, csr, code, &error);
	g_assert_no_error(error);
	nhip_test_write(cert_path, cert);
	identity = nhip_identity_load(key_path, cert_path, &error);
	g_assert_no_error(error);
	return identity;
}

void
nhip_packet_fixture_setup(NhipPacketFixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	fixture->tmp = nhip_test_tmpdir();
	fixture->hub_dir = g_build_filename(fixture->tmp, "hub", NULL);
	nhip_ca_init(fixture->hub_dir, "Huyện Thử", NULL, &error);
	g_assert_no_error(error);
	fixture->hub_enc = nhip_ca_load_identity(fixture->hub_dir, NHIP_CA_ROLE_ENCRYPTION, &error);
	g_assert_no_error(error);
	fixture->hub_sign = nhip_ca_load_identity(fixture->hub_dir, NHIP_CA_ROLE_SIGNING, &error);
	g_assert_no_error(error);
	fixture->trust = nhip_ca_trust_store(fixture->hub_dir, &error);
	g_assert_no_error(error);
	fixture->station = nhip_test_enroll_station(fixture->hub_dir, fixture->tmp, "ST-001", NULL,
						    NULL, NULL);
	fixture->station_key = g_build_filename(fixture->tmp, "ST-001.key", NULL);
}

void
nhip_packet_fixture_teardown(NhipPacketFixture *fixture, gconstpointer data)
{
	g_clear_object(&fixture->hub_enc);
	g_clear_object(&fixture->hub_sign);
	g_clear_object(&fixture->station);
	g_clear_pointer(&fixture->trust, X509_STORE_free);
	nhip_test_rmrf(fixture->tmp);
	g_free(fixture->tmp);
	g_free(fixture->hub_dir);
	g_free(fixture->station_key);
}
