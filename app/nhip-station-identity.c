/*
 * Nhịp — the station's identity folder (see nhip-station-identity.h): the local half of
 * enrollment. `nhipctl enroll` sends what nhip_station_identity_init() makes and hands
 * the hub's answer to nhip_station_identity_install().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "nhip-enroll.h"
#include "nhip-station-identity.h"

static const gchar *const station_file_names[] = {
	[NHIP_STATION_FILE_KEY] = "station.key",     [NHIP_STATION_FILE_CSR] = "station.csr",
	[NHIP_STATION_FILE_CERT] = "station.crt",    [NHIP_STATION_FILE_CA] = "ca.crt",
	[NHIP_STATION_FILE_HUB_ENC] = "hub-enc.crt", [NHIP_STATION_FILE_HUB_SIGN] = "hub-sign.crt",
	[NHIP_STATION_FILE_HUB_TLS] = "hub-tls.crt", [NHIP_STATION_FILE_PINS] = "hub-pins",
};

/* a folder an older `nhipctl enroll` made: a station key or a hub link in it */
static gboolean
station_folder_in_use(const gchar *dir)
{
	g_autofree gchar *key = g_build_filename(dir, "station.key", NULL);
	g_autofree gchar *ini = g_build_filename(dir, "hub.ini", NULL);

	return g_file_test(dir, G_FILE_TEST_IS_DIR) &&
	       (g_file_test(key, G_FILE_TEST_EXISTS) || g_file_test(ini, G_FILE_TEST_EXISTS));
}

static gboolean
station_folder_move(const gchar *from, const gchar *to, GError **error)
{
	if (g_rename(from, to) == 0)
		return TRUE;
	/* another program (the kiosk, nhipctl) moved it first */
	if (errno == ENOENT && !g_file_test(from, G_FILE_TEST_EXISTS) &&
	    g_file_test(to, G_FILE_TEST_IS_DIR))
		return TRUE;
	{
		gint saved = errno;
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot move the station identity folder %s to %s: %s"), from, to,
			    g_strerror(saved));
	}
	return FALSE;
}

/**
 * nhip_station_identity_dir:
 * @db_path: the station database
 * @error: return location for a #GError
 *
 * The one place the station's identity and its link to the hub live: `identity/` beside
 * the database. Every part of the station (nhipctl enroll, identity, case seal and send,
 * sync, inbox, and the kiosk) asks here.
 *
 * Stations enrolled before kept what `nhipctl enroll` wrote in `hub/`. The first call
 * moves that folder to `identity/` by renaming it, so every file keeps its mode (the key
 * 0600, the folder 0700). When both exist, the one with the hub link (hub.ini, what the
 * sender used) becomes `identity/` and the other is kept beside it as
 * `identity.replaced-TIME` or `hub.replaced-TIME`; nothing is deleted.
 *
 * Returns: (transfer full) (nullable): the identity folder (it need not exist yet)
 */
gchar *
nhip_station_identity_dir(const gchar *db_path, GError **error)
{
	g_autofree gchar *absolute = g_canonicalize_filename(db_path, NULL);
	g_autofree gchar *base = g_path_get_dirname(absolute);
	g_autofree gchar *dir = g_build_filename(base, "identity", NULL);
	g_autofree gchar *legacy = g_build_filename(base, "hub", NULL);
	g_autofree gchar *legacy_ini = g_build_filename(legacy, "hub.ini", NULL);
	g_autofree gchar *suffix = NULL;
	g_autofree gchar *aside = NULL;

	g_return_val_if_fail(db_path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!station_folder_in_use(legacy))
		return g_steal_pointer(&dir);
	suffix = g_strdup_printf(".replaced-%" G_GINT64_FORMAT, g_get_real_time() / G_USEC_PER_SEC);
	if (!g_file_test(dir, G_FILE_TEST_EXISTS)) {
		if (!station_folder_move(legacy, dir, error))
			return NULL;
	} else if (g_file_test(legacy_ini, G_FILE_TEST_EXISTS)) {
		aside = g_strconcat(dir, suffix, NULL);
		if (!station_folder_move(dir, aside, error) ||
		    !station_folder_move(legacy, dir, error))
			return NULL;
	} else {
		aside = g_strconcat(legacy, suffix, NULL);
		if (!station_folder_move(legacy, aside, error))
			return NULL;
	}
	if (g_chmod(dir, 0700) != 0) {
		gint saved = errno;
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot make the folder %s private: %s"), dir, g_strerror(saved));
		return NULL;
	}
	g_message("station identity moved from %s to %s%s%s", legacy, dir,
		  aside != NULL ? "; the other copy is kept as " : "", aside != NULL ? aside : "");
	return g_steal_pointer(&dir);
}

/**
 * nhip_station_identity_dir_for_db:
 * @db_path: the station database
 *
 * The identity folder for readers that go on without one (status, backups, set-up
 * checks): like nhip_station_identity_dir(), moving a folder left by an older enrollment,
 * but when that move fails the reason is logged and the folder's usual path returned.
 *
 * Returns: (transfer full): the identity folder (it need not exist)
 */
gchar *
nhip_station_identity_dir_for_db(const gchar *db_path)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = nhip_station_identity_dir(db_path, &error);

	if (dir != NULL)
		return dir;
	g_warning("%s", error->message);
	{
		g_autofree gchar *absolute = g_canonicalize_filename(db_path, NULL);
		g_autofree gchar *base = g_path_get_dirname(absolute);
		return g_build_filename(base, "identity", NULL);
	}
}

/**
 * nhip_station_identity_path:
 * @dir: the identity folder
 * @file: which file
 *
 * Returns: (transfer full): its path
 */
gchar *
nhip_station_identity_path(const gchar *dir, NhipStationFile file)
{
	g_return_val_if_fail((guint)file < G_N_ELEMENTS(station_file_names), NULL);
	return g_build_filename(dir, station_file_names[file], NULL);
}

/**
 * nhip_station_identity_init:
 * @dir: the identity folder (made 0700 if missing)
 * @station_code: (nullable): the station code for the request; %NULL leaves it to the hub,
 *   which names the station after the token
 * @error: return location for a #GError
 *
 * Makes the station key if there is none (an existing key is kept: enrolling again
 * certifies the same key) and writes a new certificate request.
 *
 * Returns: (transfer full) (nullable): the request in PEM, also in station.csr
 */
GBytes *
nhip_station_identity_init(const gchar *dir, const gchar *station_code, GError **error)
{
	g_autofree gchar *key = nhip_station_identity_path(dir, NHIP_STATION_FILE_KEY);
	g_autofree gchar *csr_path = nhip_station_identity_path(dir, NHIP_STATION_FILE_CSR);
	g_autoptr(GBytes) csr = NULL;

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		gint saved = errno;
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot make the folder %s: %s"), dir, g_strerror(saved));
		return NULL;
	}
	if (!g_file_test(key, G_FILE_TEST_EXISTS) && !nhip_identity_generate_key(key, error))
		return NULL;
	csr = nhip_identity_make_csr(key, station_code, error);
	if (csr == NULL)
		return NULL;
	if (!nhip_file_write_durable(csr_path, g_bytes_get_data(csr, NULL), g_bytes_get_size(csr),
				     0644, error))
		return NULL;
	return g_steal_pointer(&csr);
}

static gboolean
write_cert(const gchar *dir, NhipStationFile file, X509 *cert, GError **error)
{
	g_autofree gchar *path = nhip_station_identity_path(dir, file);
	g_autoptr(GBytes) pem = nhip_x509_to_pem(cert);

	return nhip_file_write_durable(path, g_bytes_get_data(pem, NULL), g_bytes_get_size(pem),
				       0644, error);
}

/**
 * nhip_station_identity_install:
 * @dir: the identity folder, with the key the request was made from
 * @bundle_json: the hub's enrollment answer
 * @token: the token sent with the request
 * @error: return location for a #GError
 *
 * Checks the answer (nhip_enroll_bundle_parse()) and that the certificate is for this
 * station's key, then installs the certificates and the hub's pins. The station
 * certificate is written last: its presence means "enrolled".
 *
 * Returns: %TRUE when installed
 */
gboolean
nhip_station_identity_install(const gchar *dir,
			      GBytes *bundle_json,
			      const gchar *token,
			      GError **error)
{
	g_autofree gchar *key_path = nhip_station_identity_path(dir, NHIP_STATION_FILE_KEY);
	g_autofree gchar *pins_path = nhip_station_identity_path(dir, NHIP_STATION_FILE_PINS);
	g_autoptr(NhipEnrollBundle) bundle = NULL;
	g_autoptr(NhipIdentity) identity = NULL;
	g_autoptr(GKeyFile) pins = g_key_file_new();
	g_autofree gchar *tls_pin = NULL;
	g_autofree gchar *sign_pin = NULL;
	g_autofree gchar *pins_data = NULL;
	gsize pins_len = 0;

	g_return_val_if_fail(dir != NULL, FALSE);
	g_return_val_if_fail(bundle_json != NULL, FALSE);
	g_return_val_if_fail(token != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	bundle = nhip_enroll_bundle_parse(bundle_json, token, error);
	if (bundle == NULL)
		return FALSE;
	/* loading through an identity checks the key's file mode and that it matches */
	{
		g_autofree gchar *tmp_cert = g_build_filename(dir, ".station.crt.check", NULL);
		g_autoptr(GBytes) pem = nhip_x509_to_pem(bundle->certificate);
		if (!nhip_file_write_durable(tmp_cert, g_bytes_get_data(pem, NULL),
					     g_bytes_get_size(pem), 0644, error))
			return FALSE;
		identity = nhip_identity_load(key_path, tmp_cert, error);
		g_unlink(tmp_cert);
		if (identity == NULL) {
			g_prefix_error(error, _("the certificate from the hub does not fit this "
						"station: "));
			return FALSE;
		}
	}
	tls_pin = nhip_x509_spki_pin(bundle->hub_tls);
	sign_pin = nhip_x509_spki_pin(bundle->hub_signing);
	g_key_file_set_string(pins, "hub", "tls", tls_pin);
	g_key_file_set_string(pins, "hub", "signing", sign_pin);
	g_key_file_set_string(pins, "hub", "recipient", bundle->recipient);
	g_key_file_set_string(pins, "hub", "station", bundle->station_code);
	pins_data = g_key_file_to_data(pins, &pins_len, NULL);
	if (!write_cert(dir, NHIP_STATION_FILE_CA, bundle->ca, error) ||
	    !write_cert(dir, NHIP_STATION_FILE_HUB_ENC, bundle->hub_encryption, error) ||
	    !write_cert(dir, NHIP_STATION_FILE_HUB_SIGN, bundle->hub_signing, error) ||
	    !write_cert(dir, NHIP_STATION_FILE_HUB_TLS, bundle->hub_tls, error) ||
	    !nhip_file_write_durable(pins_path, pins_data, pins_len, 0644, error) ||
	    !write_cert(dir, NHIP_STATION_FILE_CERT, bundle->certificate, error))
		return FALSE;
	g_info("station %s enrolled", bundle->station_code);
	return TRUE;
}

/**
 * nhip_station_identity_load:
 * @dir: the identity folder
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the station's identity; %NHIP_IDENTITY_ERROR_NOT_FOUND
 *   before enrollment
 */
NhipIdentity *
nhip_station_identity_load(const gchar *dir, GError **error)
{
	g_autofree gchar *key = nhip_station_identity_path(dir, NHIP_STATION_FILE_KEY);
	g_autofree gchar *cert = nhip_station_identity_path(dir, NHIP_STATION_FILE_CERT);

	if (!g_file_test(cert, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_NOT_FOUND,
			    _("this station is not enrolled with a hub yet; run “nhipctl enroll”"));
		return NULL;
	}
	return nhip_identity_load(key, cert, error);
}

/**
 * nhip_station_identity_load_cert:
 * @dir: the identity folder
 * @file: one of the certificate files
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the certificate
 */
X509 *
nhip_station_identity_load_cert(const gchar *dir, NhipStationFile file, GError **error)
{
	g_autofree gchar *path = nhip_station_identity_path(dir, file);
	return nhip_x509_load(path, error);
}

/**
 * nhip_station_identity_get_pin:
 * @dir: the identity folder
 * @name: "tls", "signing", "recipient" or "station"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the value from hub-pins
 */
gchar *
nhip_station_identity_get_pin(const gchar *dir, const gchar *name, GError **error)
{
	g_autofree gchar *path = nhip_station_identity_path(dir, NHIP_STATION_FILE_PINS);
	g_autoptr(GKeyFile) pins = g_key_file_new();
	g_autoptr(GError) error_local = NULL;
	gchar *value;

	if (!g_key_file_load_from_file(pins, path, G_KEY_FILE_NONE, &error_local) ||
	    (value = g_key_file_get_string(pins, "hub", name, &error_local)) == NULL) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_NOT_FOUND,
			    _("cannot read “%s” from %s: %s"), name, path, error_local->message);
		return NULL;
	}
	return value;
}

/**
 * nhip_station_identity_trust:
 * @dir: the identity folder
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a store with the district CA, for
 *   nhip_packet_open_reply()
 */
X509_STORE *
nhip_station_identity_trust(const gchar *dir, GError **error)
{
	g_autofree gchar *ca = nhip_station_identity_path(dir, NHIP_STATION_FILE_CA);
	return nhip_trust_store_new(ca, NULL, error);
}
