/*
 * Nhịp — identities (a private key and its certificate) and the certificate helpers both
 * the station and the hub use.
 *
 * Keys are EC P-256, made on the box that uses them and written 0600 with fsync and
 * rename; loading refuses a key file that group or others can read, as ssh does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhip-identity.h"
#include "nhip-packet-private.h"

G_DEFINE_QUARK(nhip - identity - error - quark, nhip_identity_error)

struct _NhipIdentity {
	GObject parent_instance;
	EVP_PKEY *key;
	X509 *cert;
	gchar *name;
};

G_DEFINE_TYPE(NhipIdentity, nhip_identity, G_TYPE_OBJECT)

static void
nhip_identity_finalize(GObject *object)
{
	NhipIdentity *self = NHIP_IDENTITY(object);

	EVP_PKEY_free(self->key);
	X509_free(self->cert);
	g_free(self->name);
	G_OBJECT_CLASS(nhip_identity_parent_class)->finalize(object);
}

static void
nhip_identity_class_init(NhipIdentityClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = nhip_identity_finalize;
}

static void
nhip_identity_init(NhipIdentity *self)
{
}

gboolean
nhip_openssl_init_process(void)
{
	return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) == 1;
}

void
nhip_x509_stack_free(NhipX509Stack *stack)
{
	sk_X509_pop_free(stack, X509_free);
}

gchar *
nhipi_openssl_error(void)
{
	GString *text = g_string_new(NULL);
	unsigned long code;

	while ((code = ERR_get_error()) != 0) {
		gchar buf[256] = { 0 };
		ERR_error_string_n(code, buf, sizeof(buf));
		if (text->len > 0)
			g_string_append(text, "; ");
		g_string_append(text, buf);
	}
	if (text->len == 0)
		g_string_append(text, "unknown OpenSSL error");
	return g_string_free(text, FALSE);
}

/* OpenSSL's SHA-256 (several times faster than GChecksum on photos) in lower-case hex */
gchar *
nhipi_sha256_hex(const void *data, gsize length)
{
	guchar md[32] = { 0 };
	gchar *hex = g_malloc(65);

	if (!EVP_Digest(data, length, md, NULL, EVP_sha256(), NULL))
		return g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, length);
	for (gsize i = 0; i < sizeof(md); i++)
		g_snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}

/**
 * nhip_file_write_durable:
 * @path: the file to write
 * @data: the bytes
 * @length: how many
 * @mode: the file mode (0600 for keys)
 * @error: return location for a #GError
 *
 * Writes a file so that after a power cut it is either whole or as it was: a temporary
 * file in the same folder, fsync, rename over @path, fsync of the folder.
 *
 * Returns: %TRUE when written
 */
/* writes all of @data to @fd and syncs it; returns 0 or an errno */
static gint
write_all_sync(gint fd, const guint8 *data, gsize length, guint mode)
{
	gsize done = 0;

	/* the umask must not loosen or tighten what was asked */
	if (fchmod(fd, (mode_t)mode) != 0)
		return errno;
	while (done < length) {
		gssize n = write(fd, data + done, length - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		done += (gsize)n;
	}
	return fsync(fd) != 0 ? errno : 0;
}

static void
sync_dir(const gchar *path)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	gint dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir_fd >= 0) {
		fsync(dir_fd);
		close(dir_fd);
	}
}

/* the durable write; with @replace FALSE an existing file is left alone (EEXIST) */
static gboolean
file_write(const gchar *path,
	   const void *data,
	   gsize length,
	   guint mode,
	   gboolean replace,
	   GError **error)
{
	g_autofree gchar *tmp = g_strdup_printf("%s.XXXXXX", path);
	gint fd;
	gint rc;

	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, (gint)mode);
	if (fd < 0) {
		gint saved = errno;
		g_autofree gchar *dir = g_path_get_dirname(path);
		g_set_error(error, NHIP_IDENTITY_ERROR,
			    saved == ENOENT ? NHIP_IDENTITY_ERROR_NOT_FOUND
					    : NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot create a file in %s: %s"), dir, g_strerror(saved));
		return FALSE;
	}
	rc = write_all_sync(fd, data, length, mode);
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	if (rc == 0 && replace && rename(tmp, path) != 0)
		rc = errno;
	/* link() never replaces: two writers cannot both win */
	if (rc == 0 && !replace && link(tmp, path) != 0)
		rc = errno;
	if (!replace || rc != 0)
		g_unlink(tmp);
	if (rc == EEXIST) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_EXISTS,
			    _("%s exists already; it is left as it is"), path);
		return FALSE;
	}
	if (rc != 0) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot write %s: %s"), path, g_strerror(rc));
		return FALSE;
	}
	sync_dir(path);
	return TRUE;
}

gboolean
nhip_file_write_durable(const gchar *path,
			const void *data,
			gsize length,
			guint mode,
			GError **error)
{
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return file_write(path, data, length, mode, TRUE, error);
}

/* reads a PEM file into memory; a missing file is NOT_FOUND */
static GBytes *
read_pem_file(const gchar *path, const gchar *what, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gchar *data = NULL;
	gsize length = 0;

	if (!g_file_get_contents(path, &data, &length, &error_local)) {
		g_set_error(error, NHIP_IDENTITY_ERROR,
			    g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
				    ? NHIP_IDENTITY_ERROR_NOT_FOUND
				    : NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot read the %s %s: %s"), what, path, error_local->message);
		return NULL;
	}
	return g_bytes_new_take(data, length);
}

EVP_PKEY *
nhipi_key_load(const gchar *path, GError **error)
{
	g_autoptr(GBytes) pem = NULL;
	g_autoptr(BIO) bio = NULL;
	EVP_PKEY *key;
	GStatBuf st = { 0 };

	if (g_stat(path, &st) != 0) {
		gint saved = errno;
		g_set_error(error, NHIP_IDENTITY_ERROR,
			    saved == ENOENT ? NHIP_IDENTITY_ERROR_NOT_FOUND
					    : NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot read the private key %s: %s"), path, g_strerror(saved));
		return NULL;
	}
	if ((st.st_mode & 077) != 0) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_PERMISSIONS,
			    _("the private key %s can be read by other users (mode %04o); "
			      "make it private with “chmod 600 %s”"),
			    path, (guint)(st.st_mode & 07777), path);
		return NULL;
	}
	pem = read_pem_file(path, _("private key"), error);
	if (pem == NULL)
		return NULL;
	bio = BIO_new_mem_buf(g_bytes_get_data(pem, NULL), (int)g_bytes_get_size(pem));
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (key == NULL) {
		ERR_clear_error();
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
			    _("%s is not a PEM private key without a passphrase"), path);
		return NULL;
	}
	if (!EVP_PKEY_is_a(key, "EC")) {
		EVP_PKEY_free(key);
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
			    _("%s is not an EC key; station and hub keys are EC P-256"), path);
		return NULL;
	}
	return key;
}

/**
 * nhip_identity_new:
 * @key: a private key
 * @cert: its certificate
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): an identity holding new references to both, or
 *   %NULL when @key does not belong to @cert
 */
NhipIdentity *
nhip_identity_new(EVP_PKEY *key, X509 *cert, GError **error)
{
	NhipIdentity *self;

	g_return_val_if_fail(key != NULL, NULL);
	g_return_val_if_fail(cert != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (X509_check_private_key(cert, key) != 1) {
		g_autofree gchar *cn = nhip_x509_get_common_name(cert);
		ERR_clear_error();
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
			    _("the private key does not belong to the certificate of “%s”"),
			    cn != NULL ? cn : "?");
		return NULL;
	}
	self = g_object_new(NHIP_TYPE_IDENTITY, NULL);
	EVP_PKEY_up_ref(key);
	X509_up_ref(cert);
	self->key = key;
	self->cert = cert;
	self->name = nhip_x509_get_common_name(cert);
	if (self->name == NULL)
		self->name = g_strdup("");
	return self;
}

/**
 * nhip_identity_load:
 * @key_pem_path: a PEM private key, mode 0600 (0400)
 * @cert_pem_path: its PEM certificate
 * @error: return location for a #GError
 *
 * Loads an identity. A key file readable by group or others is refused with
 * %NHIP_IDENTITY_ERROR_PERMISSIONS: it is not used while anyone else could have copied it.
 *
 * Returns: (transfer full) (nullable): the identity
 */
NhipIdentity *
nhip_identity_load(const gchar *key_pem_path, const gchar *cert_pem_path, GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(X509) cert = NULL;

	g_return_val_if_fail(key_pem_path != NULL, NULL);
	g_return_val_if_fail(cert_pem_path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	key = nhipi_key_load(key_pem_path, error);
	if (key == NULL)
		return NULL;
	cert = nhip_x509_load(cert_pem_path, error);
	if (cert == NULL)
		return NULL;
	return nhip_identity_new(key, cert, error);
}

/**
 * nhip_identity_get_key:
 * @self: an identity
 *
 * Returns: (transfer none): the private key
 */
EVP_PKEY *
nhip_identity_get_key(NhipIdentity *self)
{
	g_return_val_if_fail(NHIP_IS_IDENTITY(self), NULL);
	return self->key;
}

/**
 * nhip_identity_get_certificate:
 * @self: an identity
 *
 * Returns: (transfer none): the certificate
 */
X509 *
nhip_identity_get_certificate(NhipIdentity *self)
{
	g_return_val_if_fail(NHIP_IS_IDENTITY(self), NULL);
	return self->cert;
}

/**
 * nhip_identity_get_name:
 * @self: an identity
 *
 * Returns: (transfer none): the certificate's common name (a station's code)
 */
const gchar *
nhip_identity_get_name(NhipIdentity *self)
{
	g_return_val_if_fail(NHIP_IS_IDENTITY(self), NULL);
	return self->name;
}

/**
 * nhip_identity_generate_key:
 * @key_path: where to write the key
 * @error: return location for a #GError
 *
 * Makes an EC P-256 key and writes it as unencrypted PKCS#8 PEM, mode 0600, durably. An
 * existing file is never replaced (%NHIP_IDENTITY_ERROR_EXISTS): a station's key is its
 * identity, and losing it means enrolling again.
 *
 * Returns: %TRUE when written
 */
gboolean
nhip_identity_generate_key(const gchar *key_path, GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(BIO) bio = NULL;
	gchar *data = NULL;
	glong length;
	gboolean ok;

	g_return_val_if_fail(key_path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (g_file_test(key_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_EXISTS,
			    _("%s exists already; it is left as it is"), key_path);
		return FALSE;
	}
	key = EVP_EC_gen("P-256");
	bio = BIO_new(BIO_s_secmem());
	if (key == NULL || bio == NULL ||
	    !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
		g_autofree gchar *why = nhipi_openssl_error();
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot make an EC P-256 key: %s"), why);
		return FALSE;
	}
	length = BIO_get_mem_data(bio, &data);
	ok = file_write(key_path, data, (gsize)length, 0600, FALSE, error);
	return ok;
}

/**
 * nhip_station_code_check:
 * @code: a station code
 * @error: return location for a #GError
 *
 * A station code is what the CA writes into a station certificate: 1 to 64 ASCII letters,
 * digits, '.', '_' or '-', starting with a letter or digit ("VN-HN-001", "12345").
 *
 * Returns: %TRUE when @code is one
 */
gboolean
nhip_station_code_check(const gchar *code, GError **error)
{
	gsize len = code != NULL ? strlen(code) : 0;
	gboolean ok = len >= 1 && len <= 64 && g_ascii_isalnum(code[0]);

	for (gsize i = 0; ok && i < len; i++)
		ok = g_ascii_isalnum(code[i]) || code[i] == '.' || code[i] == '_' || code[i] == '-';
	if (!ok) {
		g_set_error(
			error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
			_("“%s” is not a station code: use 1 to 64 letters, digits, “.”, “_” or "
			  "“-”, starting with a letter or digit"),
			code != NULL ? code : "");
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_identity_make_csr:
 * @key_path: the station's private key (0600)
 * @station_code: (nullable): the station code, written as CN and serialNumber; %NULL
 *   for an empty subject (the CA names the station after its enrollment token)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a PEM certificate signing request, signed with
 *   the key (SHA-256)
 */
GBytes *
nhip_identity_make_csr(const gchar *key_path, const gchar *station_code, GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(X509_REQ) req = X509_REQ_new();
	g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
	X509_NAME *name;
	gchar *data = NULL;
	glong length;

	g_return_val_if_fail(key_path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (station_code != NULL && !nhip_station_code_check(station_code, error))
		return NULL;
	key = nhipi_key_load(key_path, error);
	if (key == NULL)
		return NULL;
	name = X509_REQ_get_subject_name(req);
	if (!X509_REQ_set_version(req, 0) ||
	    (station_code != NULL &&
	     (!X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					  (const guchar *)station_code, -1, -1, 0) ||
	      !X509_NAME_add_entry_by_NID(name, NID_serialNumber, MBSTRING_UTF8,
					  (const guchar *)station_code, -1, -1, 0))) ||
	    !X509_REQ_set_pubkey(req, key) || X509_REQ_sign(req, key, EVP_sha256()) <= 0 ||
	    !PEM_write_bio_X509_REQ(bio, req)) {
		g_autofree gchar *why = nhipi_openssl_error();
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot make a certificate request: %s"), why);
		return NULL;
	}
	length = BIO_get_mem_data(bio, &data);
	return g_bytes_new(data, (gsize)length);
}

/* ----- certificates ----- */

/**
 * nhip_x509_from_pem:
 * @pem: a PEM certificate
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the first certificate in @pem
 */
X509 *
nhip_x509_from_pem(GBytes *pem, GError **error)
{
	g_autoptr(BIO) bio = NULL;
	X509 *cert;

	g_return_val_if_fail(pem != NULL, NULL);
	bio = BIO_new_mem_buf(g_bytes_get_data(pem, NULL), (int)g_bytes_get_size(pem));
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (cert == NULL) {
		ERR_clear_error();
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("not a PEM certificate"));
	}
	return cert;
}

/**
 * nhip_x509_load:
 * @path: a PEM certificate file
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the certificate
 */
X509 *
nhip_x509_load(const gchar *path, GError **error)
{
	g_autoptr(GBytes) pem = read_pem_file(path, _("certificate"), error);
	X509 *cert;

	if (pem == NULL)
		return NULL;
	cert = nhip_x509_from_pem(pem, error);
	if (cert == NULL)
		g_prefix_error(error, "%s: ", path);
	return cert;
}

/**
 * nhip_x509_to_pem:
 * @cert: a certificate
 *
 * Returns: (transfer full): @cert in PEM
 */
GBytes *
nhip_x509_to_pem(X509 *cert)
{
	g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
	gchar *data = NULL;
	glong length;

	g_return_val_if_fail(cert != NULL, NULL);
	PEM_write_bio_X509(bio, cert);
	length = BIO_get_mem_data(bio, &data);
	return g_bytes_new(data, (gsize)length);
}

/**
 * nhip_x509_get_common_name:
 * @cert: a certificate
 *
 * Returns: (transfer full) (nullable): the subject's CN in UTF-8
 */
gchar *
nhip_x509_get_common_name(X509 *cert)
{
	X509_NAME *name = X509_get_subject_name(cert);
	gint index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	guchar *utf8 = NULL;
	gchar *result;
	gint length;

	if (index < 0)
		return NULL;
	length = ASN1_STRING_to_UTF8(&utf8,
				     X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
	if (length < 0)
		return NULL;
	result = g_strndup((const gchar *)utf8, (gsize)length);
	OPENSSL_free(utf8);
	if (!g_utf8_validate(result, -1, NULL) || strlen(result) != (gsize)length) {
		g_free(result);
		return NULL;
	}
	return result;
}

/**
 * nhip_x509_get_serial:
 * @cert: a certificate
 *
 * Returns: (transfer full): the serial number in lower-case hex
 */
gchar *
nhip_x509_get_serial(X509 *cert)
{
	g_autoptr(BIGNUM) bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	gchar *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	gchar *result;

	if (hex == NULL)
		return g_strdup("");
	result = g_ascii_strdown(hex, -1);
	OPENSSL_free(hex);
	return result;
}

/* SHA-256 of the DER SubjectPublicKeyInfo */
static gboolean
spki_sha256(X509 *cert, guint8 digest[32])
{
	guchar *der = NULL;
	gint length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	gsize digest_len = 32;
	g_autoptr(GChecksum) checksum = g_checksum_new(G_CHECKSUM_SHA256);

	if (length <= 0)
		return FALSE;
	g_checksum_update(checksum, der, (gssize)length);
	g_checksum_get_digest(checksum, digest, &digest_len);
	OPENSSL_free(der);
	return TRUE;
}

/**
 * nhip_x509_spki_pin:
 * @cert: a certificate
 *
 * Returns: (transfer full): the key pin as libcurl's CURLOPT_PINNEDPUBLICKEY takes it:
 *   "sha256//" and the base64 of the SHA-256 of the DER SubjectPublicKeyInfo
 */
gchar *
nhip_x509_spki_pin(X509 *cert)
{
	guint8 digest[32] = { 0 };
	g_autofree gchar *b64 = NULL;

	g_return_val_if_fail(cert != NULL, NULL);
	if (!spki_sha256(cert, digest))
		return g_strdup("");
	b64 = g_base64_encode(digest, sizeof(digest));
	return g_strconcat("sha256//", b64, NULL);
}

/**
 * nhip_x509_recipient_id:
 * @cert: a recipient's (encryption) certificate
 *
 * The id written as "recipient" in a packet's signed manifest: "urn:nhip:key:" and the
 * hex SHA-256 of the certificate's public key. The receiver refuses a packet whose id is
 * not that of its own key, so a packet cannot be re-sealed to someone else unnoticed.
 *
 * Returns: (transfer full): the id
 */
gchar *
nhip_x509_recipient_id(X509 *cert)
{
	guint8 digest[32] = { 0 };
	GString *text = g_string_new("urn:nhip:key:");

	g_return_val_if_fail(cert != NULL, NULL);
	if (spki_sha256(cert, digest)) {
		for (gsize i = 0; i < sizeof(digest); i++)
			g_string_append_printf(text, "%02x", digest[i]);
	}
	return g_string_free(text, FALSE);
}

/**
 * nhip_x509_fingerprint:
 * @cert: a certificate
 *
 * Returns: (transfer full): its SHA-256 fingerprint as "AB:CD:…", as `openssl x509
 *   -fingerprint -sha256` prints it (for a technician to compare by eye)
 */
gchar *
nhip_x509_fingerprint(X509 *cert)
{
	guchar md[EVP_MAX_MD_SIZE] = { 0 };
	guint md_len = 0;
	GString *text = g_string_new(NULL);

	g_return_val_if_fail(cert != NULL, NULL);
	if (X509_digest(cert, EVP_sha256(), md, &md_len)) {
		for (guint i = 0; i < md_len; i++)
			g_string_append_printf(text, "%s%02X", i > 0 ? ":" : "", md[i]);
	}
	return g_string_free(text, FALSE);
}

/**
 * nhip_x509_get_not_after:
 * @cert: a certificate
 *
 * Returns: (transfer full) (nullable): the end of its validity, in UTC
 */
GDateTime *
nhip_x509_get_not_after(X509 *cert)
{
	struct tm tm = { 0 };

	if (!ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
		return NULL;
	return g_date_time_new_utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				   tm.tm_min, tm.tm_sec);
}

/* ----- trust ----- */

/**
 * nhip_trust_store_new:
 * @ca_pem_path: the district CA certificate(s)
 * @crl_pem_path: (nullable): its CRL; when given, every certificate is checked against
 *   it and a missing or expired CRL fails verification
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a trust store for nhip_packet_open()
 */
X509_STORE *
nhip_trust_store_new(const gchar *ca_pem_path, const gchar *crl_pem_path, GError **error)
{
	g_autoptr(X509_STORE) store = X509_STORE_new();
	g_autoptr(X509) ca = NULL;

	g_return_val_if_fail(ca_pem_path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	/* read once ourselves for a clear message when the file is missing or not PEM */
	ca = nhip_x509_load(ca_pem_path, error);
	if (ca == NULL)
		return NULL;
	if (!X509_STORE_load_file(store, ca_pem_path)) {
		g_autofree gchar *why = nhipi_openssl_error();
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
			    _("cannot load the CA %s: %s"), ca_pem_path, why);
		return NULL;
	}
	if (crl_pem_path != NULL) {
		g_autoptr(GBytes) pem = read_pem_file(crl_pem_path, _("CRL"), error);
		g_autoptr(BIO) bio = NULL;
		g_autoptr(X509_CRL) crl = NULL;

		if (pem == NULL)
			return NULL;
		bio = BIO_new_mem_buf(g_bytes_get_data(pem, NULL), (int)g_bytes_get_size(pem));
		crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		if (crl == NULL || !X509_STORE_add_crl(store, crl)) {
			ERR_clear_error();
			g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("%s is not a PEM CRL"), crl_pem_path);
			return NULL;
		}
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	return g_steal_pointer(&store);
}

gint
nhipi_trust_verify(X509_STORE *trust, X509 *cert, STACK_OF(X509) * untrusted, gint purpose)
{
	g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new();
	gint rc;

	if (ctx == NULL || !X509_STORE_CTX_init(ctx, trust, cert, untrusted))
		return X509_V_ERR_OUT_OF_MEM;
	if (purpose != 0)
		X509_STORE_CTX_set_purpose(ctx, purpose);
	rc = X509_verify_cert(ctx);
	ERR_clear_error();
	if (rc == 1)
		return X509_V_OK;
	rc = X509_STORE_CTX_get_error(ctx);
	return rc != X509_V_OK ? rc : X509_V_ERR_UNSPECIFIED;
}

/**
 * nhip_trust_check:
 * @trust: a trust store
 * @cert: a certificate
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @cert chains to @trust now (and is not revoked when @trust has a CRL)
 */
gboolean
nhip_trust_check(X509_STORE *trust, X509 *cert, GError **error)
{
	gint rc;

	g_return_val_if_fail(trust != NULL, FALSE);
	g_return_val_if_fail(cert != NULL, FALSE);

	rc = nhipi_trust_verify(trust, cert, NULL, 0);
	if (rc != X509_V_OK) {
		g_autofree gchar *cn = nhip_x509_get_common_name(cert);
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_UNTRUSTED,
			    _("the certificate of “%s” is not trusted: %s"), cn != NULL ? cn : "?",
			    X509_verify_cert_error_string(rc));
		return FALSE;
	}
	return TRUE;
}
