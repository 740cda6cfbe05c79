/*
 * Nhịp — signed update bundles and their safe installation.
 *
 * nhip_update_apply(), step by step; any failure after the install rolls back:
 *   1. verify the bundle (signature first, then every .deb's hash and control fields)
 *      and unpack it into a work folder;
 *   2. find a copy of each installed package's .deb to roll back to: in
 *      STATE/previous/ (filled by every successful update, and by the technician at the
 *      first installation, see docs/updates.md) or in apt's cache; without one the update
 *      is refused before anything changes;
 *   3. snapshot the database (the backup code's online snapshot);
 *   4. dpkg --install the new packages, run the migrations, restart the services when
 *      running under systemd, run the health check of the new version;
 *   5. on success keep the new .debs in STATE/previous/ for the next update; on failure
 *      reinstall the previous .debs (or remove a package that is new), put the snapshot
 *      back into the database and restart the services again.
 *
 * dpkg runs as a command given by the caller so that the tests can install real packages
 * with real dpkg into a root folder of their own (`dpkg --root=DIR --admindir=…`) instead
 * of the machine they run on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>
#include <unistd.h>

#include "nhip-archive.h"
#include "nhip-backup.h"
#include "nhip-durable.h"
#include "nhip-identity.h"
#include "nhip-json-member.h"
#include "nhip-ops-error.h"
#include "nhip-update.h"

#define MANIFEST_FORMAT	  "nhip-update"
#define MANIFEST_VERSION  1
#define MAX_MANIFEST	  (1024 * 1024)
#define ED25519_SIG_BYTES 64

#define MESSAGE_ID_UPDATED     "6f0f2a8e1c7d4b2e9a51d3c4b7e80a31"
#define MESSAGE_ID_ROLLED_BACK "6f0f2a8e1c7d4b2e9a51d3c4b7e80a32"

static void
package_free(NhipUpdatePackage *package)
{
	if (package == NULL)
		return;
	g_free(package->name);
	g_free(package->version);
	g_free(package->architecture);
	g_free(package->file);
	g_free(package->sha256);
	g_free(package);
}

static NhipUpdateManifest *
manifest_new(void)
{
	NhipUpdateManifest *self = g_new0(NhipUpdateManifest, 1);
	self->packages = g_ptr_array_new_with_free_func((GDestroyNotify)package_free);
	return self;
}

void
nhip_update_manifest_free(NhipUpdateManifest *self)
{
	if (self == NULL)
		return;
	g_free(self->release);
	g_clear_pointer(&self->created, g_date_time_unref);
	g_ptr_array_unref(self->packages);
	g_free(self);
}

void
nhip_update_result_free(NhipUpdateResult *self)
{
	if (self == NULL)
		return;
	nhip_update_manifest_free(self->manifest);
	g_clear_pointer(&self->steps, g_ptr_array_unref);
	g_free(self);
}

/* Debian package names: lower-case letters, digits, "+-." , starting alphanumeric */
static gboolean
is_package_name(const gchar *text)
{
	gsize len = text != NULL ? strlen(text) : 0;

	if (len < 2 || len > 100 || !g_ascii_isalnum(text[0]))
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_islower(text[i]) && !g_ascii_isdigit(text[i]) &&
		    strchr("+-.", text[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

/* Debian versions: alphanumerics and ".+-~:", starting with a digit */
static gboolean
is_version(const gchar *text)
{
	gsize len = text != NULL ? strlen(text) : 0;

	if (len == 0 || len > 100 || !g_ascii_isdigit(text[0]))
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(text[i]) && strchr(".+-~:", text[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

static gboolean
manifest_fail(GError **error, const gchar *what)
{
	g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
		    _("the update's manifest is not valid: %s"), what);
	return FALSE;
}

/**
 * nhip_update_manifest_parse:
 * @json: manifest.json of a bundle
 * @error: return location for a #GError
 *
 * Checks the manifest's shape: names, versions, file names ending in .deb that are safe
 * archive names, hashes, no package or file twice.
 *
 * Returns: (transfer full) (nullable): the manifest
 */
NhipUpdateManifest *
nhip_update_manifest_parse(GBytes *json, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(NhipUpdateManifest) self = manifest_new();
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree gchar *why = NULL;
	JsonObject *object;
	JsonNode *node;
	JsonArray *packages;
	const gchar *text;

	object = nhip_ops_parse_object(parser, json, MAX_MANIFEST, &why);
	if (object == NULL) {
		manifest_fail(error, why);
		return NULL;
	}
	if (g_strcmp0(nhip_json_member_string(object, "format"), MANIFEST_FORMAT) != 0 ||
	    nhip_json_member_int(object, "version", 0) != MANIFEST_VERSION) {
		manifest_fail(error, _("it is not the manifest of a Nhịp update of a known "
				       "version"));
		return NULL;
	}
	text = nhip_json_member_string(object, "release");
	if (!is_version(text)) {
		manifest_fail(error, _("the release is missing or not a version"));
		return NULL;
	}
	self->release = g_strdup(text);
	text = nhip_json_member_string(object, "created");
	self->created = text != NULL ? g_date_time_new_from_iso8601(text, NULL) : NULL;
	if (self->created == NULL) {
		manifest_fail(error, _("the time it was made is missing or not ISO 8601"));
		return NULL;
	}
	node = json_object_get_member(object, "packages");
	if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node)) {
		manifest_fail(error, _("the list of packages is missing"));
		return NULL;
	}
	packages = json_node_get_array(node);
	if (json_array_get_length(packages) == 0 ||
	    json_array_get_length(packages) > NHIP_UPDATE_MAX_PACKAGES) {
		manifest_fail(error, _("it must list 1 to 32 packages"));
		return NULL;
	}
	for (guint i = 0; i < json_array_get_length(packages); i++) {
		JsonNode *entry = json_array_get_element(packages, i);
		JsonObject *p;
		NhipUpdatePackage *package;
		JsonNode *size;

		if (!JSON_NODE_HOLDS_OBJECT(entry)) {
			manifest_fail(error, _("a package entry is not an object"));
			return NULL;
		}
		p = json_node_get_object(entry);
		size = json_object_get_member(p, "size");
		package = g_new0(NhipUpdatePackage, 1);
		package->name = g_strdup(nhip_json_member_string(p, "name"));
		package->version = g_strdup(nhip_json_member_string(p, "version"));
		package->architecture = g_strdup(nhip_json_member_string(p, "architecture"));
		package->file = g_strdup(nhip_json_member_string(p, "file"));
		package->sha256 = g_strdup(nhip_json_member_string(p, "sha256"));
		g_ptr_array_add(self->packages, package);
		if (!is_package_name(package->name) || !is_version(package->version) ||
		    !is_package_name(package->architecture) ||
		    !nhip_archive_name_check(package->file, NULL) ||
		    strchr(package->file, '/') != NULL ||
		    !g_str_has_suffix(package->file, ".deb") ||
		    g_str_has_prefix(package->file, "manifest.") ||
		    !nhip_ops_is_sha256_hex(package->sha256) || size == NULL ||
		    !JSON_NODE_HOLDS_VALUE(size) ||
		    json_node_get_value_type(size) != G_TYPE_INT64 ||
		    json_node_get_int(size) <= 0) {
			manifest_fail(error, _("a package entry lacks a name, a version, an "
					       "architecture, a .deb file name, a size or a hash"));
			return NULL;
		}
		package->size = (guint64)json_node_get_int(size);
		if (g_hash_table_contains(seen, package->name) ||
		    g_hash_table_contains(seen, package->file)) {
			manifest_fail(error, _("a package or a file is listed twice"));
			return NULL;
		}
		g_hash_table_add(seen, package->name);
		g_hash_table_add(seen, package->file);
	}
	return g_steal_pointer(&self);
}

/**
 * nhip_update_manifest_to_json:
 * @self: a manifest
 *
 * Returns: (transfer full): manifest.json
 */
GBytes *
nhip_update_manifest_to_json(const NhipUpdateManifest *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *created = nhip_ops_format_time(self->created);

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "format");
	json_builder_add_string_value(builder, MANIFEST_FORMAT);
	json_builder_set_member_name(builder, "version");
	json_builder_add_int_value(builder, MANIFEST_VERSION);
	json_builder_set_member_name(builder, "release");
	json_builder_add_string_value(builder, self->release);
	json_builder_set_member_name(builder, "created");
	json_builder_add_string_value(builder, created);
	json_builder_set_member_name(builder, "packages");
	json_builder_begin_array(builder);
	for (guint i = 0; i < self->packages->len; i++) {
		NhipUpdatePackage *package = g_ptr_array_index(self->packages, i);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "name");
		json_builder_add_string_value(builder, package->name);
		json_builder_set_member_name(builder, "version");
		json_builder_add_string_value(builder, package->version);
		json_builder_set_member_name(builder, "architecture");
		json_builder_add_string_value(builder, package->architecture);
		json_builder_set_member_name(builder, "file");
		json_builder_add_string_value(builder, package->file);
		json_builder_set_member_name(builder, "size");
		json_builder_add_int_value(builder, (gint64)package->size);
		json_builder_set_member_name(builder, "sha256");
		json_builder_add_string_value(builder, package->sha256);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	return nhip_ops_json_bytes(builder);
}

/* ----- keys and signatures ----- */

/**
 * nhip_update_keygen:
 * @key_path: the vendor's private key to write (PEM, 0600); must not exist
 * @public_path: its public key, the file pinned on the stations
 * @error: return location for a #GError
 *
 * The same as `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_update_keygen(const gchar *key_path, const gchar *public_path, GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(BIO) key_pem = BIO_new(BIO_s_mem());
	g_autoptr(BIO) pub_pem = BIO_new(BIO_s_mem());
	const gchar *data = NULL;
	glong length;

	if (g_file_test(key_path, G_FILE_TEST_EXISTS) ||
	    g_file_test(public_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("%s or %s exists already; a signing key is never overwritten"),
			    key_path, public_path);
		return FALSE;
	}
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (key == NULL || !PEM_write_bio_PrivateKey(key_pem, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_PUBKEY(pub_pem, key))
		return nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED,
					     _("cannot make the update signing key"));
	length = BIO_get_mem_data(key_pem, &data);
	if (!nhip_file_write_durable(key_path, data, (gsize)length, 0600, error))
		return FALSE;
	length = BIO_get_mem_data(pub_pem, &data);
	return nhip_file_write_durable(public_path, data, (gsize)length, 0644, error);
}

static EVP_PKEY *
load_key(const gchar *path, gboolean is_private, GError **error)
{
	g_autoptr(BIO) bio = BIO_new_file(path, "rb");
	EVP_PKEY *key;

	if (bio == NULL) {
		gint saved = errno;
		ERR_clear_error();
		g_set_error(error, NHIP_OPS_ERROR,
			    saved == ENOENT ? NHIP_OPS_ERROR_NOT_FOUND : NHIP_OPS_ERROR_FAILED,
			    is_private ? _("cannot read the signing key %s: %s")
				       : _("cannot read the pinned vendor key %s: %s"),
			    path, g_strerror(saved));
		return NULL;
	}
	key = is_private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"")
			 : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (key == NULL || EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		ERR_clear_error();
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    is_private ? _("%s is not an Ed25519 private key in PEM")
				       : _("%s is not an Ed25519 public key in PEM"),
			    path);
		return NULL;
	}
	return key;
}

static GBytes *
sign(EVP_PKEY *key, GBytes *message, GError **error)
{
	g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new();
	guint8 sig[ED25519_SIG_BYTES];
	gsize sig_len = sizeof(sig);

	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &sig_len, g_bytes_get_data(message, NULL),
			   g_bytes_get_size(message)) != 1) {
		nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED, _("cannot sign the update"));
		return NULL;
	}
	return g_bytes_new(sig, sig_len);
}

static gboolean
verify(EVP_PKEY *key, GBytes *message, GBytes *signature, GError **error)
{
	g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestVerify(ctx, g_bytes_get_data(signature, NULL), g_bytes_get_size(signature),
			     g_bytes_get_data(message, NULL), g_bytes_get_size(message)) != 1) {
		ERR_clear_error();
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_BAD_SIGNATURE,
			    _("the update's signature does not verify against the pinned vendor "
			      "key: it was changed, or it is not from the vendor; nothing was "
			      "installed"));
		return FALSE;
	}
	return TRUE;
}

/* ----- programs ----- */

static gboolean
run(gchar **argv, gchar **output, GError **error)
{
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autofree gchar *command = g_strjoinv(" ", argv);
	g_autoptr(GError) exit_error = NULL;
	gint status = 0;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
			  error))
		return FALSE;
	if (output != NULL)
		*output = g_strconcat(out, err, NULL);
	if (!g_spawn_check_wait_status(status, &exit_error)) {
		g_autofree gchar *tail = g_strstrip(g_strdup(err[0] != '\0' ? err : out));
		g_strdelimit(tail, "\r\n", ' ');
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED, _("“%s” failed: %s"),
			    command, tail[0] != '\0' ? tail : exit_error->message);
		return FALSE;
	}
	return TRUE;
}

/* @prefix followed by @args */
static gchar **
command_with(gchar **prefix, ...)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	va_list ap;
	const gchar *arg;

	g_strv_builder_addv(builder, (const gchar **)prefix);
	va_start(ap, prefix);
	while ((arg = va_arg(ap, const gchar *)) != NULL)
		g_strv_builder_add(builder, arg);
	va_end(ap);
	return g_strv_builder_end(builder);
}

/**
 * nhip_update_deb_field:
 * @deb: a .deb file
 * @field: a control field, e.g. "Package"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the field's value, read with dpkg-deb
 */
gchar *
nhip_update_deb_field(const gchar *deb, const gchar *field, GError **error)
{
	const gchar *argv[] = { "dpkg-deb", "--field", deb, field, NULL };
	g_autofree gchar *out = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!run((gchar **)argv, &out, &error_local)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("%s is not a Debian package: %s"), deb, error_local->message);
		return NULL;
	}
	g_strstrip(out);
	return g_steal_pointer(&out);
}

/* ----- making and reading bundles ----- */

/**
 * nhip_update_make_bundle:
 * @key_path: the vendor's Ed25519 private key
 * @out_path: the bundle to write
 * @release: (nullable): the release name; the first package's version when %NULL
 * @debs: (array zero-terminated=1): the .deb files
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the bundle is written
 */
gboolean
nhip_update_make_bundle(const gchar *key_path,
			const gchar *out_path,
			const gchar *release,
			const gchar *const *debs,
			GError **error)
{
	g_autoptr(EVP_PKEY) key = load_key(key_path, TRUE, error);
	g_autoptr(NhipUpdateManifest) manifest = manifest_new();
	g_autoptr(GBytes) json = NULL;
	g_autoptr(GBytes) signature = NULL;
	g_autoptr(BIO) out = NULL;
	g_autoptr(NhipArchiveWriter) writer = NULL;
	g_autofree gchar *tmp = g_strconcat(out_path, ".tmp", NULL);

	if (key == NULL)
		return FALSE;
	if (debs == NULL || debs[0] == NULL) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("give at least one .deb file"));
		return FALSE;
	}
	for (guint i = 0; debs[i] != NULL; i++) {
		NhipUpdatePackage *package = g_new0(NhipUpdatePackage, 1);
		g_autofree gchar *base = g_path_get_basename(debs[i]);

		g_ptr_array_add(manifest->packages, package);
		package->name = nhip_update_deb_field(debs[i], "Package", error);
		if (package->name == NULL)
			return FALSE;
		package->version = nhip_update_deb_field(debs[i], "Version", error);
		if (package->version == NULL)
			return FALSE;
		package->architecture = nhip_update_deb_field(debs[i], "Architecture", error);
		if (package->architecture == NULL)
			return FALSE;
		package->file = g_strdup(base);
		package->sha256 = nhip_archive_sha256_file(debs[i], &package->size, error);
		if (package->sha256 == NULL)
			return FALSE;
	}
	manifest->release = g_strdup(
		release != NULL
			? release
			: ((NhipUpdatePackage *)g_ptr_array_index(manifest->packages, 0))->version);
	manifest->created = g_date_time_new_now_utc();
	json = nhip_update_manifest_to_json(manifest);
	/* what the station will check: refuse to make a bundle it would refuse */
	{
		g_autoptr(NhipUpdateManifest) parsed = nhip_update_manifest_parse(json, error);
		if (parsed == NULL)
			return FALSE;
	}
	signature = sign(key, json, error);
	if (signature == NULL)
		return FALSE;
	out = BIO_new_file(tmp, "wb");
	if (out == NULL) {
		ERR_clear_error();
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED, _("cannot write %s: %s"),
			    tmp, g_strerror(errno));
		return FALSE;
	}
	writer = nhip_archive_writer_new(out);
	if (!nhip_archive_writer_add_bytes(writer, "manifest.json", g_bytes_get_data(json, NULL),
					   g_bytes_get_size(json), error) ||
	    !nhip_archive_writer_add_bytes(writer, "manifest.sig",
					   g_bytes_get_data(signature, NULL),
					   g_bytes_get_size(signature), error))
		goto fail;
	for (guint i = 0; debs[i] != NULL; i++) {
		NhipUpdatePackage *package = g_ptr_array_index(manifest->packages, i);
		g_autofree gchar *sha256 = NULL;
		if (!nhip_archive_writer_add_file(writer, package->file, debs[i], NULL, &sha256,
						  error))
			goto fail;
		if (g_strcmp0(sha256, package->sha256) != 0) {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
				    _("%s changed while the bundle was made"), debs[i]);
			goto fail;
		}
	}
	if (!nhip_archive_writer_finish(writer, error))
		goto fail;
	g_clear_pointer(&writer, nhip_archive_writer_free);
	g_clear_pointer(&out, BIO_free_all);
	if (!nhip_durable_rename(tmp, out_path, error))
		goto fail;
	return TRUE;
fail:
	g_unlink(tmp);
	return FALSE;
}

/**
 * nhip_update_verify:
 * @bundle_path: an update bundle
 * @vendor_key_path: the pinned vendor public key
 * @extract_dir: (nullable): where to unpack the .debs; %NULL only checks them
 * @error: return location for a #GError
 *
 * The manifest and its signature come first in the bundle and are checked before any
 * .deb is looked at; then every .deb must be listed and match its size and hash, every
 * listed one must be there, and (when unpacked) its control fields must be those listed.
 *
 * Returns: (transfer full) (nullable): the verified manifest
 */
NhipUpdateManifest *
nhip_update_verify(const gchar *bundle_path,
		   const gchar *vendor_key_path,
		   const gchar *extract_dir,
		   GError **error)
{
	g_autoptr(EVP_PKEY) key = load_key(vendor_key_path, FALSE, error);
	g_autoptr(BIO) source = NULL;
	g_autoptr(NhipArchiveReader) reader = NULL;
	g_autoptr(GBytes) json = NULL;
	g_autoptr(GBytes) signature = NULL;
	g_autoptr(NhipUpdateManifest) manifest = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree gchar *label = g_strdup_printf(_("the update %s"), bundle_path);

	if (key == NULL)
		return NULL;
	source = BIO_new_file(bundle_path, "rb");
	if (source == NULL) {
		gint saved = errno;
		ERR_clear_error();
		g_set_error(error, NHIP_OPS_ERROR,
			    saved == ENOENT ? NHIP_OPS_ERROR_NOT_FOUND : NHIP_OPS_ERROR_FAILED,
			    _("cannot read %s: %s"), bundle_path, g_strerror(saved));
		return NULL;
	}
	reader = nhip_archive_reader_new(source, label);
	/* the signed manifest first */
	while (json == NULL || signature == NULL) {
		const gchar *name = NULL;
		guint64 size = 0;

		if (!nhip_archive_reader_next(reader, &name, &size, error))
			return NULL;
		if (g_strcmp0(name, "manifest.json") == 0) {
			json = nhip_archive_reader_read(reader, MAX_MANIFEST, error);
			if (json == NULL)
				return NULL;
		} else if (g_strcmp0(name, "manifest.sig") == 0) {
			signature = nhip_archive_reader_read(reader, 4096, error);
			if (signature == NULL)
				return NULL;
		} else {
			g_set_error(
				error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				name == NULL
					? _("%s is not a Nhịp update: its manifest or signature is "
					    "missing")
					: _("%s is not a Nhịp update: it must start with its "
					    "manifest and signature"),
				bundle_path);
			return NULL;
		}
	}
	if (!verify(key, json, signature, error))
		return NULL;
	manifest = nhip_update_manifest_parse(json, error);
	if (manifest == NULL)
		return NULL;
	for (;;) {
		const gchar *name = NULL;
		guint64 size = 0;
		NhipUpdatePackage *package = NULL;
		g_autofree gchar *sha256 = NULL;
		g_autofree gchar *path = NULL;
		g_autoptr(BIO) out = NULL;

		if (!nhip_archive_reader_next(reader, &name, &size, error))
			return NULL;
		if (name == NULL)
			break;
		for (guint i = 0; i < manifest->packages->len && package == NULL; i++) {
			NhipUpdatePackage *p = g_ptr_array_index(manifest->packages, i);
			if (g_strcmp0(p->file, name) == 0)
				package = p;
		}
		if (package == NULL) {
			g_set_error(
				error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				_("the update holds a file %s its signed manifest does not list"),
				name);
			return NULL;
		}
		if (extract_dir != NULL) {
			path = g_build_filename(extract_dir, name, NULL);
			out = BIO_new_file(path, "wb");
			if (out == NULL) {
				ERR_clear_error();
				g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
					    _("cannot write %s: %s"), path, g_strerror(errno));
				return NULL;
			}
		}
		if (!nhip_archive_reader_copy(reader, out, &sha256, error))
			return NULL;
		if (size != package->size || g_strcmp0(sha256, package->sha256) != 0) {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				    _("%s in the update does not match the SHA-256 in its signed "
				      "manifest: the bundle was changed or damaged; nothing was "
				      "installed"),
				    name);
			return NULL;
		}
		g_hash_table_add(seen, package->file);
	}
	for (guint i = 0; i < manifest->packages->len; i++) {
		NhipUpdatePackage *p = g_ptr_array_index(manifest->packages, i);
		g_autofree gchar *path = NULL;
		const gchar *fields[] = { "Package", "Version", "Architecture" };
		const gchar *expected[] = { p->name, p->version, p->architecture };

		if (!g_hash_table_contains(seen, p->file)) {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				    _("the update's manifest lists %s, which is not in the bundle"),
				    p->file);
			return NULL;
		}
		if (extract_dir == NULL)
			continue;
		path = g_build_filename(extract_dir, p->file, NULL);
		for (guint f = 0; f < G_N_ELEMENTS(fields); f++) {
			g_autofree gchar *value = nhip_update_deb_field(path, fields[f], error);
			if (value == NULL)
				return NULL;
			if (g_strcmp0(value, expected[f]) != 0) {
				g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
					    _("%s says %s %s, its manifest %s"), p->file, fields[f],
					    value, expected[f]);
				return NULL;
			}
		}
	}
	return g_steal_pointer(&manifest);
}

/* ----- installing ----- */

G_GNUC_PRINTF(2, 3)
static void
step(GPtrArray *steps, const gchar *format, ...)
{
	va_list ap;
	gchar *line;

	va_start(ap, format);
	line = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_info("%s", line);
	if (steps != NULL)
		g_ptr_array_add(steps, line);
	else
		g_free(line);
}

/* the installed version of @name, or NULL when it is not installed */
static gchar *
installed_version(gchar **dpkg, const gchar *name)
{
	g_auto(GStrv) argv = command_with(dpkg, "--status", name, NULL);
	g_autofree gchar *out = NULL;
	g_auto(GStrv) lines = NULL;
	gboolean installed = FALSE;
	gchar *version = NULL;

	if (!run(argv, &out, NULL))
		return NULL;
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_str_has_prefix(lines[i], "Status:"))
			installed = g_str_has_suffix(g_strchomp(lines[i]), " installed");
		else if (g_str_has_prefix(lines[i], "Version:") && version == NULL)
			version = g_strstrip(g_strdup(lines[i] + strlen("Version:")));
	}
	if (!installed)
		g_clear_pointer(&version, g_free);
	return version;
}

/* a .deb of @name at @version in @dir, found by its control fields */
static gchar *
find_deb(const gchar *dir, const gchar *name, const gchar *version)
{
	g_autoptr(GDir) handle = dir != NULL ? g_dir_open(dir, 0, NULL) : NULL;
	g_autofree gchar *prefix = g_strconcat(name, "_", NULL);
	const gchar *entry;

	if (handle == NULL)
		return NULL;
	while ((entry = g_dir_read_name(handle)) != NULL) {
		g_autofree gchar *path = NULL;
		g_autofree gchar *p = NULL;
		g_autofree gchar *v = NULL;

		if (!g_str_has_prefix(entry, prefix) || !g_str_has_suffix(entry, ".deb"))
			continue;
		path = g_build_filename(dir, entry, NULL);
		p = nhip_update_deb_field(path, "Package", NULL);
		v = nhip_update_deb_field(path, "Version", NULL);
		if (g_strcmp0(p, name) == 0 && g_strcmp0(v, version) == 0)
			return g_steal_pointer(&path);
	}
	return NULL;
}

static gboolean
copy_file(const gchar *from, const gchar *to, GError **error)
{
	g_autoptr(GFile) source = g_file_new_for_path(from);
	g_autofree gchar *tmp = g_strconcat(to, ".tmp", NULL);
	g_autoptr(GFile) tmp_file = g_file_new_for_path(tmp);
	g_autoptr(GError) error_local = NULL;

	if (!g_file_copy(source, tmp_file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error_local)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED, _("cannot copy %s: %s"),
			    from, error_local->message);
		return FALSE;
	}
	{
		gint fd = g_open(tmp, O_RDONLY | O_CLOEXEC, 0);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	if (!nhip_durable_rename(tmp, to, &error_local)) {
		g_unlink(tmp);
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED, "%s",
			    error_local->message);
		return FALSE;
	}
	return TRUE;
}

/* under systemd: `systemctl try-restart` the station's services */
static gboolean
restart_services(const NhipUpdateOptions *options, GPtrArray *steps, GError **error)
{
	g_autoptr(GStrvBuilder) builder = NULL;
	g_auto(GStrv) argv = NULL;

	if (options->services == NULL || options->services[0] == NULL)
		return TRUE;
	if (!g_file_test("/run/systemd/system", G_FILE_TEST_IS_DIR)) {
		step(steps, _("not running under systemd: the services were not restarted"));
		return TRUE;
	}
	builder = g_strv_builder_new();
	g_strv_builder_add_many(builder, "systemctl", "try-restart", NULL);
	g_strv_builder_addv(builder, (const gchar **)options->services);
	argv = g_strv_builder_end(builder);
	if (!run(argv, NULL, error))
		return FALSE;
	{
		g_autofree gchar *units = g_strjoinv(" ", options->services);
		step(steps, _("restarted %s"), units);
	}
	return TRUE;
}

typedef struct {
	gchar *name;
	gchar *previous_version; /* NULL: new package, removed on rollback */
	gchar *previous_deb;
} Installed;

static void
installed_free(Installed *item)
{
	g_free(item->name);
	g_free(item->previous_version);
	g_free(item->previous_deb);
	g_free(item);
}

/* puts the previous version and the snapshot back */
static gboolean
roll_back(const NhipUpdateOptions *options,
	  GPtrArray *installed,
	  const gchar *snapshot,
	  GPtrArray *steps,
	  GError **error)
{
	g_autoptr(GStrvBuilder) install = g_strv_builder_new();
	g_autoptr(GStrvBuilder) remove = g_strv_builder_new();
	g_auto(GStrv) install_argv = NULL;
	g_auto(GStrv) remove_argv = NULL;
	guint n_install = 0, n_remove = 0;

	g_strv_builder_addv(install, (const gchar **)options->dpkg);
	g_strv_builder_add(install, "--install");
	g_strv_builder_addv(remove, (const gchar **)options->dpkg);
	g_strv_builder_add(remove, "--remove");
	for (guint i = 0; i < installed->len; i++) {
		Installed *item = g_ptr_array_index(installed, i);
		if (item->previous_deb != NULL) {
			g_strv_builder_add(install, item->previous_deb);
			n_install++;
		} else {
			g_strv_builder_add(remove, item->name);
			n_remove++;
		}
	}
	install_argv = g_strv_builder_end(install);
	remove_argv = g_strv_builder_end(remove);
	if (n_install > 0 && !run(install_argv, NULL, error))
		return FALSE;
	if (n_remove > 0 && !run(remove_argv, NULL, error))
		return FALSE;
	step(steps, _("reinstalled the previous packages"));
	if (snapshot != NULL) {
		if (!nhip_backup_copy_into(snapshot, options->db_path, error))
			return FALSE;
		step(steps, _("put the database back as it was before the update"));
	}
	return restart_services(options, steps, error);
}

/**
 * nhip_update_apply:
 * @bundle_path: an update bundle
 * @options: how to install
 * @steps: (nullable) (element-type utf8): lines describing what was done are added here,
 *   also when it fails
 * @error: return location for a #GError; %NHIP_OPS_ERROR_ROLLED_BACK when the new version
 *   failed and the previous one was put back
 *
 * Returns: (transfer full) (nullable): what was installed
 */
NhipUpdateResult *
nhip_update_apply(const gchar *bundle_path,
		  const NhipUpdateOptions *options,
		  GPtrArray *steps,
		  GError **error)
{
	g_autoptr(NhipUpdateResult) result = g_new0(NhipUpdateResult, 1);
	g_autoptr(GPtrArray) installed =
		g_ptr_array_new_with_free_func((GDestroyNotify)installed_free);
	g_autofree gchar *previous_dir = g_build_filename(options->state_dir, "previous", NULL);
	g_autofree gchar *work = NULL;
	g_autofree gchar *snapshot = NULL;
	g_autoptr(GError) failure = NULL;
	g_autoptr(GStrvBuilder) install = g_strv_builder_new();
	g_auto(GStrv) install_argv = NULL;
	guint todo = 0;

	if (g_mkdir_with_parents(previous_dir, 0700) != 0) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
			    _("cannot create the folder %s: %s"), previous_dir, g_strerror(errno));
		return NULL;
	}
	work = g_build_filename(options->state_dir, "work-XXXXXX", NULL);
	if (g_mkdtemp_full(work, 0700) == NULL) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
			    _("cannot create a working folder in %s: %s"), options->state_dir,
			    g_strerror(errno));
		return NULL;
	}

	/* 1. nothing from the bundle is used before it verifies */
	result->manifest = nhip_update_verify(bundle_path, options->vendor_key, work, error);
	if (result->manifest == NULL)
		goto out;
	step(steps, _("update %s verified: signed by the vendor, every package's hash matches"),
	     result->manifest->release);

	/* 2. what is installed now, and a copy of it to go back to */
	g_strv_builder_addv(install, (const gchar **)options->dpkg);
	g_strv_builder_add(install, "--install");
	for (guint i = 0; i < result->manifest->packages->len; i++) {
		NhipUpdatePackage *package = g_ptr_array_index(result->manifest->packages, i);
		Installed *item = g_new0(Installed, 1);
		g_autofree gchar *deb = g_build_filename(work, package->file, NULL);

		item->name = g_strdup(package->name);
		item->previous_version = installed_version(options->dpkg, package->name);
		g_ptr_array_add(installed, item);
		if (g_strcmp0(item->previous_version, package->version) == 0)
			continue;
		todo++;
		g_strv_builder_add(install, deb);
		if (item->previous_version == NULL)
			continue;
		item->previous_deb = find_deb(previous_dir, package->name, item->previous_version);
		if (item->previous_deb == NULL)
			item->previous_deb =
				find_deb(options->apt_cache, package->name, item->previous_version);
		if (item->previous_deb == NULL) {
			g_set_error(
				error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND,
				_("cannot update safely: there is no copy of the installed %s %s "
				  "to go back to if the update fails; put its .deb into %s (see "
				  "docs/updates.md); nothing was changed"),
				package->name, item->previous_version, previous_dir);
			goto out;
		}
	}
	if (todo == 0) {
		result->up_to_date = TRUE;
		step(steps, _("every package is at version %s already; nothing to do"),
		     result->manifest->release);
		goto done;
	}

	/* 3. the database as it is now */
	if (g_file_test(options->db_path, G_FILE_TEST_EXISTS)) {
		snapshot = g_build_filename(work, "snapshot.db", NULL);
		if (!nhip_backup_snapshot(options->db_path, snapshot, error))
			goto out;
		step(steps, _("database snapshot taken"));
	}

	/* 4. install, migrate, restart, check */
	install_argv = g_strv_builder_end(install);
	if (!run(install_argv, NULL, &failure))
		goto rollback;
	step(steps, _("installed the new packages"));
	if (options->migrate != NULL && options->migrate[0] != NULL) {
		if (!run(options->migrate, NULL, &failure))
			goto rollback;
		step(steps, _("database migrated"));
	}
	if (!restart_services(options, steps, &failure))
		goto rollback;
	if (options->health != NULL && options->health[0] != NULL) {
		if (!run(options->health, NULL, &failure))
			goto rollback;
		step(steps, _("the health check of the new version passed"));
	}

	/* 5. the new packages are what the next update goes back to */
	for (guint i = 0; i < result->manifest->packages->len; i++) {
		NhipUpdatePackage *package = g_ptr_array_index(result->manifest->packages, i);
		Installed *item = g_ptr_array_index(installed, i);
		g_autofree gchar *from = g_build_filename(work, package->file, NULL);
		g_autofree gchar *to = g_build_filename(previous_dir, package->file, NULL);
		g_autoptr(GError) error_local = NULL;

		if (!copy_file(from, to, &error_local)) {
			g_warning("%s", error_local->message);
			continue;
		}
		if (item->previous_deb != NULL &&
		    g_str_has_prefix(item->previous_deb, previous_dir) &&
		    g_strcmp0(item->previous_deb, to) != 0)
			g_unlink(item->previous_deb);
	}
	if (nhip_ops_journal_wanted())
		g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE_ID",
				 MESSAGE_ID_UPDATED, "NHIP_RELEASE", result->manifest->release,
				 "MESSAGE", "updated to %s", result->manifest->release);
done:
	nhip_backup_remove_tree(work);
	result->steps = steps != NULL ? g_ptr_array_ref(steps) : NULL;
	return g_steal_pointer(&result);

rollback:
	step(steps, _("the update failed: %s"), failure->message);
	{
		g_autoptr(GError) rollback_error = NULL;
		if (!roll_back(options, installed, snapshot, steps, &rollback_error)) {
			g_set_error(
				error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
				_("the update failed (%s) and so did going back to the previous "
				  "version (%s); call a technician: the snapshot of the database "
				  "is kept in %s"),
				failure->message, rollback_error->message, work);
			return NULL;
		}
	}
	if (nhip_ops_journal_wanted())
		g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "MESSAGE_ID",
				 MESSAGE_ID_ROLLED_BACK, "NHIP_RELEASE", result->manifest->release,
				 "MESSAGE", "update to %s rolled back: %s",
				 result->manifest->release, failure->message);
	g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_ROLLED_BACK,
		    _("the update to %s failed and the previous version was put back: %s"),
		    result->manifest->release, failure->message);
out:
	nhip_backup_remove_tree(work);
	return NULL;
}
