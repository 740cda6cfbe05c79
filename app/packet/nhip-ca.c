/*
 * Nhịp — the district CA kept by the hub (see nhip-ca.h for the folder's layout).
 *
 * Certificate profiles (checked by OpenSSL's purposes when packets are opened):
 *   CA       basicConstraints CA:TRUE pathlen 0, keyUsage keyCertSign cRLSign
 *   station  keyUsage digitalSignature keyAgreement, EKU clientAuth emailProtection
 *            (mutual TLS, signing cases, receiving replies; CMS_verify checks the S/MIME
 *            signing purpose, which refuses an EKU list without emailProtection)
 *   hub-tls  keyUsage digitalSignature, EKU serverAuth, SAN = the names given to init
 *   hub-enc  keyUsage keyAgreement, EKU emailProtection
 *   hub-sign keyUsage digitalSignature, EKU emailProtection
 * Every key is EC P-256 and every signature ECDSA with SHA-256. Serial numbers are 127
 * random bits. Changes to the folder hold an exclusive lock on <dir>/.lock, so the
 * commands and a running hub can issue, revoke and redeem at the same time safely.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "nhip-ca.h"
#include "nhip-enroll.h"
#include "nhip-packet-private.h"

#define TOKEN_ID_BYTES	   5
#define TOKEN_SECRET_BYTES 20
/* issued certificates start a little in the past: station clocks drift */
#define CA_BACKDATE_SECONDS (10 * 60)

static const gchar *const ca_file_names[] = {
	[NHIP_CA_FILE_CONFIG] = "hub.conf",	  [NHIP_CA_FILE_CA_KEY] = "ca.key",
	[NHIP_CA_FILE_CA_CERT] = "ca.crt",	  [NHIP_CA_FILE_CRL] = "crl.pem",
	[NHIP_CA_FILE_TLS_KEY] = "hub-tls.key",	  [NHIP_CA_FILE_TLS_CERT] = "hub-tls.crt",
	[NHIP_CA_FILE_ENC_KEY] = "hub-enc.key",	  [NHIP_CA_FILE_ENC_CERT] = "hub-enc.crt",
	[NHIP_CA_FILE_SIGN_KEY] = "hub-sign.key", [NHIP_CA_FILE_SIGN_CERT] = "hub-sign.crt",
};

/**
 * nhip_ca_path:
 * @dir: a CA folder
 * @file: which file
 *
 * Returns: (transfer full): the file's path
 */
gchar *
nhip_ca_path(const gchar *dir, NhipCaFile file)
{
	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail((guint)file < G_N_ELEMENTS(ca_file_names), NULL);
	return g_build_filename(dir, ca_file_names[file], NULL);
}

/* ----- the folder lock ----- */

typedef struct {
	gint fd;
} CaLock;

static void
ca_lock_free(CaLock *lock)
{
	if (lock == NULL)
		return;
	if (lock->fd >= 0)
		close(lock->fd); /* releases the flock */
	g_free(lock);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CaLock, ca_lock_free)

static CaLock *
ca_lock(const gchar *dir, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, ".lock", NULL);
	g_autofree gchar *ca_key = nhip_ca_path(dir, NHIP_CA_FILE_CA_KEY);
	CaLock *lock;
	gint fd;

	if (!g_file_test(ca_key, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_NOT_FOUND,
			    _("%s is not a hub folder; make one with “nhip-hub init --dir %s”"),
			    dir, dir);
		return NULL;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		gint saved = errno;
		if (fd >= 0)
			close(fd);
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot lock %s: %s"), path, g_strerror(saved));
		return NULL;
	}
	lock = g_new0(CaLock, 1);
	lock->fd = fd;
	return lock;
}

/* ----- certificates ----- */

typedef struct {
	const gchar *basic_constraints;
	const gchar *key_usage;
	const gchar *ext_key_usage; /* nullable */
} CaProfile;

static const CaProfile profile_ca = { "critical,CA:TRUE,pathlen:0", "critical,keyCertSign,cRLSign",
				      NULL };
static const CaProfile profile_tls = { "critical,CA:FALSE", "critical,digitalSignature",
				       "serverAuth" };
static const CaProfile profile_enc = { "critical,CA:FALSE", "critical,keyAgreement",
				       "emailProtection" };
static const CaProfile profile_sign = { "critical,CA:FALSE", "critical,digitalSignature",
					"emailProtection" };

static gboolean
ca_openssl_fail(GError **error, const gchar *what)
{
	g_autofree gchar *why = nhipi_openssl_error();

	g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED, "%s: %s", what, why);
	return FALSE;
}

static gboolean
cert_add_ext(X509 *cert, X509V3_CTX *ctx, gint nid, const gchar *value)
{
	g_autoptr(X509_EXTENSION) ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

	return ext != NULL && X509_add_ext(cert, ext, -1);
}

static gboolean
set_random_serial(X509 *cert)
{
	g_autoptr(BIGNUM) bn = BN_new();
	g_autoptr(ASN1_INTEGER) serial = NULL;

	/* 127 bits: positive, and never zero in practice */
	if (bn == NULL || !BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY))
		return FALSE;
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	return serial != NULL && X509_set_serialNumber(cert, serial);
}

static X509_NAME *
make_name(const gchar *common_name, const gchar *serial_number)
{
	X509_NAME *name = X509_NAME_new();

	if (!X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
					(const guchar *)"Nhịp", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					(const guchar *)common_name, -1, -1, 0) ||
	    (serial_number != NULL &&
	     !X509_NAME_add_entry_by_NID(name, NID_serialNumber, MBSTRING_UTF8,
					 (const guchar *)serial_number, -1, -1, 0))) {
		X509_NAME_free(name);
		return NULL;
	}
	return name;
}

/* a certificate for @subject_key named @subject, signed by @issuer (NULL: self-signed) */
static X509 *
ca_make_cert(EVP_PKEY *subject_key,
	     X509_NAME *subject,
	     X509 *issuer,
	     EVP_PKEY *issuer_key,
	     gint64 not_before,
	     gint64 not_after,
	     const CaProfile *profile,
	     const gchar *ext_key_usage,
	     const gchar *subject_alt_name,
	     GError **error)
{
	g_autoptr(X509) cert = X509_new();
	X509V3_CTX ctx = { 0 };

	if (cert == NULL || !X509_set_version(cert, X509_VERSION_3) || !set_random_serial(cert) ||
	    !X509_set_subject_name(cert, subject) ||
	    !X509_set_issuer_name(cert, issuer != NULL ? X509_get_subject_name(issuer) : subject) ||
	    !X509_set_pubkey(cert, subject_key) ||
	    ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)not_after) == NULL) {
		ca_openssl_fail(error, _("cannot make a certificate"));
		return NULL;
	}
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
	if (!cert_add_ext(cert, &ctx, NID_basic_constraints, profile->basic_constraints) ||
	    !cert_add_ext(cert, &ctx, NID_key_usage, profile->key_usage) ||
	    !cert_add_ext(cert, &ctx, NID_subject_key_identifier, "hash") ||
	    !cert_add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always") ||
	    (ext_key_usage != NULL &&
	     !cert_add_ext(cert, &ctx, NID_ext_key_usage, ext_key_usage)) ||
	    (subject_alt_name != NULL &&
	     !cert_add_ext(cert, &ctx, NID_subject_alt_name, subject_alt_name)) ||
	    X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
		ca_openssl_fail(error, _("cannot make a certificate"));
		return NULL;
	}
	return g_steal_pointer(&cert);
}

static gboolean
write_key(const gchar *path, EVP_PKEY *key, GError **error)
{
	g_autoptr(BIO) bio = BIO_new(BIO_s_secmem());
	gchar *data = NULL;
	glong length;

	if (!PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		return ca_openssl_fail(error, _("cannot write a key"));
	length = BIO_get_mem_data(bio, &data);
	return nhip_file_write_durable(path, data, (gsize)length, 0600, error);
}

static gboolean
write_cert(const gchar *path, X509 *cert, GError **error)
{
	g_autoptr(GBytes) pem = nhip_x509_to_pem(cert);

	return nhip_file_write_durable(path, g_bytes_get_data(pem, NULL), g_bytes_get_size(pem),
				       0644, error);
}

/* the hub's key and certificate of one profile, written to two files */
static gboolean
ca_make_hub_identity(const gchar *dir,
		     NhipCaFile key_file,
		     NhipCaFile cert_file,
		     const gchar *common_name,
		     const CaProfile *profile,
		     const gchar *subject_alt_name,
		     gint days,
		     X509 *ca,
		     EVP_PKEY *ca_key,
		     GError **error)
{
	g_autoptr(EVP_PKEY) key = EVP_EC_gen("P-256");
	g_autoptr(X509_NAME) name = make_name(common_name, NULL);
	g_autoptr(X509) cert = NULL;
	g_autofree gchar *key_path = nhip_ca_path(dir, key_file);
	g_autofree gchar *cert_path = nhip_ca_path(dir, cert_file);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	if (key == NULL || name == NULL)
		return ca_openssl_fail(error, _("cannot make a key"));
	cert = ca_make_cert(key, name, ca, ca_key, now - CA_BACKDATE_SECONDS,
			    now + (gint64)days * 86400, profile, profile->ext_key_usage,
			    subject_alt_name, error);
	if (cert == NULL)
		return FALSE;
	return write_key(key_path, key, error) && write_cert(cert_path, cert, error);
}

/* "DNS:hub.example,IP:10.0.0.1" from a list of names and addresses */
static gchar *
subject_alt_names(const gchar *const *names, GError **error)
{
	GString *text = g_string_new(NULL);

	for (guint i = 0; names[i] != NULL; i++) {
		const gchar *name = names[i];
		gboolean ok = name[0] != '\0';

		for (const gchar *p = name; ok && *p != '\0'; p++)
			ok = g_ascii_isalnum(*p) || *p == '.' || *p == '-' || *p == ':' ||
			     *p == '*';
		if (!ok) {
			g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("“%s” is not a host name or IP address"), name);
			g_string_free(text, TRUE);
			return NULL;
		}
		g_string_append_printf(text, "%s%s:%s", i > 0 ? "," : "",
				       g_hostname_is_ip_address(name) ? "IP" : "DNS", name);
	}
	return g_string_free(text, FALSE);
}

static gboolean
district_name_ok(const gchar *name)
{
	if (name == NULL || name[0] == '\0' || !g_utf8_validate(name, -1, NULL) ||
	    g_utf8_strlen(name, -1) > 64)
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p = g_utf8_next_char(p)) {
		if (g_unichar_iscntrl(g_utf8_get_char(p)))
			return FALSE;
	}
	return TRUE;
}

static gboolean
mkdir_private(const gchar *path, GError **error)
{
	if (g_mkdir_with_parents(path, 0700) != 0) {
		gint saved = errno;
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot make the folder %s: %s"), path, g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

static gboolean ca_crl_write(const gchar *dir, X509 *ca, EVP_PKEY *ca_key, GError **error);

/**
 * nhip_ca_init:
 * @dir: the hub folder (made if missing)
 * @district_name: the district's name, in the certificates' names ("Huyện Mèo Vạc")
 * @tls_names: (nullable): host names and IP addresses stations and doctors reach the hub
 *   by, for the TLS certificate; %NULL means localhost, 127.0.0.1 and ::1
 * @error: return location for a #GError
 *
 * Creates the district CA, the hub's TLS, encryption and signing certificates, an empty
 * CRL and hub.conf. Refuses (%NHIP_IDENTITY_ERROR_EXISTS) a folder that has a CA already:
 * a new CA would orphan every enrolled station.
 *
 * Returns: %TRUE when made
 */
gboolean
nhip_ca_init(const gchar *dir,
	     const gchar *district_name,
	     const gchar *const *tls_names,
	     GError **error)
{
	static const gchar *const default_names[] = { "localhost", "127.0.0.1", "::1", NULL };
	g_autofree gchar *ca_key_path = NULL;
	g_autofree gchar *san = NULL;
	g_autofree gchar *ca_name = NULL;
	g_autofree gchar *enc_name = NULL;
	g_autofree gchar *sign_name = NULL;
	g_autofree gchar *sub = NULL;
	g_autofree gchar *conf_path = NULL;
	g_autofree gchar *conf_data = NULL;
	g_autofree gchar *recipient = NULL;
	g_autofree gchar *enc_path = NULL;
	g_autoptr(GKeyFile) conf = g_key_file_new();
	g_autoptr(EVP_PKEY) ca_key = NULL;
	g_autoptr(X509_NAME) name = NULL;
	g_autoptr(X509) ca = NULL;
	g_autoptr(X509) enc = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	gsize conf_len = 0;

	g_return_val_if_fail(dir != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!district_name_ok(district_name)) {
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("the district name must be 1 to 64 characters of text"));
		return FALSE;
	}
	if (tls_names == NULL || tls_names[0] == NULL)
		tls_names = default_names;
	san = subject_alt_names(tls_names, error);
	if (san == NULL)
		return FALSE;
	ca_key_path = nhip_ca_path(dir, NHIP_CA_FILE_CA_KEY);
	if (g_file_test(ca_key_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_EXISTS,
			    _("%s has a CA already; a new one would cut off every enrolled "
			      "station, so it is left as it is"),
			    dir);
		return FALSE;
	}
	if (!mkdir_private(dir, error))
		return FALSE;
	sub = g_build_filename(dir, "issued", NULL);
	if (!mkdir_private(sub, error))
		return FALSE;
	g_free(sub);
	sub = g_build_filename(dir, "tokens", NULL);
	if (!mkdir_private(sub, error))
		return FALSE;

	ca_name = g_strdup_printf("%s CA", district_name);
	ca_key = EVP_EC_gen("P-256");
	name = make_name(ca_name, NULL);
	if (ca_key == NULL || name == NULL)
		return ca_openssl_fail(error, _("cannot make the CA key"));
	ca = ca_make_cert(ca_key, name, NULL, ca_key, now - CA_BACKDATE_SECONDS,
			  now + (gint64)NHIP_CA_DAYS_CA * 86400, &profile_ca, NULL, NULL, error);
	if (ca == NULL)
		return FALSE;
	enc_name = g_strdup_printf("%s hub encryption", district_name);
	sign_name = g_strdup_printf("%s hub signing", district_name);
	if (!ca_make_hub_identity(dir, NHIP_CA_FILE_TLS_KEY, NHIP_CA_FILE_TLS_CERT, tls_names[0],
				  &profile_tls, san, NHIP_CA_DAYS_HUB_TLS, ca, ca_key, error) ||
	    !ca_make_hub_identity(dir, NHIP_CA_FILE_ENC_KEY, NHIP_CA_FILE_ENC_CERT, enc_name,
				  &profile_enc, NULL, NHIP_CA_DAYS_HUB, ca, ca_key, error) ||
	    !ca_make_hub_identity(dir, NHIP_CA_FILE_SIGN_KEY, NHIP_CA_FILE_SIGN_CERT, sign_name,
				  &profile_sign, NULL, NHIP_CA_DAYS_HUB, ca, ca_key, error))
		return FALSE;
	{
		g_autofree gchar *ca_path = nhip_ca_path(dir, NHIP_CA_FILE_CA_CERT);
		g_autofree gchar *revoked = g_build_filename(dir, "revoked", NULL);
		if (!write_cert(ca_path, ca, error) ||
		    !nhip_file_write_durable(revoked, "", 0, 0644, error) ||
		    !ca_crl_write(dir, ca, ca_key, error))
			return FALSE;
	}
	enc_path = nhip_ca_path(dir, NHIP_CA_FILE_ENC_CERT);
	enc = nhip_x509_load(enc_path, error);
	if (enc == NULL)
		return FALSE;
	recipient = nhip_x509_recipient_id(enc);
	g_key_file_set_string(conf, "hub", "district", district_name);
	g_key_file_set_string(conf, "hub", "recipient", recipient);
	g_key_file_set_string_list(conf, "hub", "tls-names", tls_names,
				   g_strv_length((gchar **)tls_names));
	conf_data = g_key_file_to_data(conf, &conf_len, NULL);
	conf_path = nhip_ca_path(dir, NHIP_CA_FILE_CONFIG);
	if (!nhip_file_write_durable(conf_path, conf_data, conf_len, 0644, error))
		return FALSE;
	/* the CA key last: a folder without it is an unfinished init that can be rerun */
	{
		g_autoptr(BIO) bio = BIO_new(BIO_s_secmem());
		gchar *data = NULL;
		glong length;
		if (!PEM_write_bio_PrivateKey(bio, ca_key, NULL, NULL, 0, NULL, NULL))
			return ca_openssl_fail(error, _("cannot write the CA key"));
		length = BIO_get_mem_data(bio, &data);
		if (!nhip_file_write_durable(ca_key_path, data, (gsize)length, 0600, error))
			return FALSE;
	}
	g_info("district CA made in %s", dir);
	return TRUE;
}

/* the CA's key and certificate */
static gboolean
ca_load(const gchar *dir, X509 **ca_out, EVP_PKEY **key_out, GError **error)
{
	g_autofree gchar *key_path = nhip_ca_path(dir, NHIP_CA_FILE_CA_KEY);
	g_autofree gchar *cert_path = nhip_ca_path(dir, NHIP_CA_FILE_CA_CERT);
	g_autoptr(NhipIdentity) identity = nhip_identity_load(key_path, cert_path, error);

	if (identity == NULL)
		return FALSE;
	*ca_out = nhip_identity_get_certificate(identity);
	*key_out = nhip_identity_get_key(identity);
	X509_up_ref(*ca_out);
	EVP_PKEY_up_ref(*key_out);
	return TRUE;
}

/**
 * nhip_ca_load_identity:
 * @dir: a hub folder
 * @role: which of the hub's identities
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the identity
 */
NhipIdentity *
nhip_ca_load_identity(const gchar *dir, NhipCaRole role, GError **error)
{
	NhipCaFile key_file = NHIP_CA_FILE_TLS_KEY;
	NhipCaFile cert_file = NHIP_CA_FILE_TLS_CERT;
	g_autofree gchar *key_path = NULL;
	g_autofree gchar *cert_path = NULL;

	g_return_val_if_fail(dir != NULL, NULL);
	switch (role) {
	case NHIP_CA_ROLE_TLS:
		break;
	case NHIP_CA_ROLE_ENCRYPTION:
		key_file = NHIP_CA_FILE_ENC_KEY;
		cert_file = NHIP_CA_FILE_ENC_CERT;
		break;
	case NHIP_CA_ROLE_SIGNING:
		key_file = NHIP_CA_FILE_SIGN_KEY;
		cert_file = NHIP_CA_FILE_SIGN_CERT;
		break;
	default:
		g_return_val_if_reached(NULL);
	}
	key_path = nhip_ca_path(dir, key_file);
	cert_path = nhip_ca_path(dir, cert_file);
	return nhip_identity_load(key_path, cert_path, error);
}

/**
 * nhip_ca_trust_store:
 * @dir: a hub folder
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the CA with its CRL, CRL checking on: what
 *   nhip_packet_open() takes
 */
X509_STORE *
nhip_ca_trust_store(const gchar *dir, GError **error)
{
	g_autofree gchar *ca = nhip_ca_path(dir, NHIP_CA_FILE_CA_CERT);
	g_autofree gchar *crl = nhip_ca_path(dir, NHIP_CA_FILE_CRL);

	return nhip_trust_store_new(ca, crl, error);
}

/**
 * nhip_ca_recipient_id:
 * @dir: a hub folder
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the recipient id of the hub encryption certificate
 */
gchar *
nhip_ca_recipient_id(const gchar *dir, GError **error)
{
	g_autofree gchar *path = nhip_ca_path(dir, NHIP_CA_FILE_ENC_CERT);
	g_autoptr(X509) cert = nhip_x509_load(path, error);

	return cert != NULL ? nhip_x509_recipient_id(cert) : NULL;
}

/* ----- station certificates ----- */

static X509_REQ *
csr_parse(GBytes *csr_pem, const gchar *station_code, GError **error)
{
	g_autoptr(BIO) bio =
		BIO_new_mem_buf(g_bytes_get_data(csr_pem, NULL), (int)g_bytes_get_size(csr_pem));
	g_autoptr(X509_REQ) req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	EVP_PKEY *key = req != NULL ? X509_REQ_get0_pubkey(req) : NULL;
	gchar group[64] = { 0 };
	X509_NAME *subject;
	gint index;

	if (key == NULL || X509_REQ_verify(req, key) != 1) {
		ERR_clear_error();
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("not a PEM certificate request signed by its own key"));
		return NULL;
	}
	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) ||
	    g_strcmp0(group, "prime256v1") != 0) {
		ERR_clear_error();
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("the certificate request's key is not EC P-256"));
		return NULL;
	}
	/* a request naming a station must name this one */
	subject = X509_REQ_get_subject_name(req);
	index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	if (index >= 0) {
		guchar *utf8 = NULL;
		gint len = ASN1_STRING_to_UTF8(
			&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
		gboolean same = len >= 0 && (gsize)len == strlen(station_code) &&
				memcmp(utf8, station_code, (gsize)len) == 0;
		OPENSSL_free(utf8);
		if (!same) {
			g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("the certificate request names another station than “%s”"),
				    station_code);
			return NULL;
		}
	}
	return g_steal_pointer(&req);
}

static GBytes *
ca_issue_locked(const gchar *dir,
		GBytes *csr_pem,
		const gchar *station_code,
		gint64 not_before,
		gint64 not_after,
		const gchar *ext_key_usage,
		GError **error)
{
	static const CaProfile profile_station = { "critical,CA:FALSE",
						   "critical,digitalSignature,keyAgreement",
						   "clientAuth,emailProtection" };
	g_autoptr(X509_REQ) req = NULL;
	g_autoptr(X509) ca = NULL;
	g_autoptr(EVP_PKEY) ca_key = NULL;
	g_autoptr(X509_NAME) name = NULL;
	g_autoptr(X509) cert = NULL;
	g_autofree gchar *serial = NULL;
	g_autofree gchar *file = NULL;
	g_autofree gchar *path = NULL;

	if (!nhip_station_code_check(station_code, error))
		return NULL;
	req = csr_parse(csr_pem, station_code, error);
	if (req == NULL)
		return NULL;
	if (!ca_load(dir, &ca, &ca_key, error))
		return NULL;
	name = make_name(station_code, station_code);
	if (name == NULL) {
		ca_openssl_fail(error, _("cannot make a certificate"));
		return NULL;
	}
	cert = ca_make_cert(X509_REQ_get0_pubkey(req), name, ca, ca_key, not_before, not_after,
			    &profile_station,
			    ext_key_usage != NULL ? ext_key_usage : profile_station.ext_key_usage,
			    NULL, error);
	if (cert == NULL)
		return NULL;
	serial = nhip_x509_get_serial(cert);
	file = g_strconcat(serial, ".pem", NULL);
	path = g_build_filename(dir, "issued", file, NULL);
	if (!write_cert(path, cert, error))
		return NULL;
	g_info("issued certificate %s for station %s", serial, station_code);
	return nhip_x509_to_pem(cert);
}

GBytes *
nhipi_ca_issue(const gchar *dir,
	       GBytes *csr_pem,
	       const gchar *station_code,
	       GDateTime *not_before,
	       GDateTime *not_after,
	       const gchar *ext_key_usage,
	       GError **error)
{
	g_autoptr(CaLock) lock = ca_lock(dir, error);

	if (lock == NULL)
		return NULL;
	return ca_issue_locked(dir, csr_pem, station_code, g_date_time_to_unix(not_before),
			       g_date_time_to_unix(not_after), ext_key_usage, error);
}

/**
 * nhip_ca_issue_station_cert:
 * @dir: a hub folder
 * @csr_pem: the station's certificate request (EC P-256, signed by its key)
 * @station_code: the station code (from the redeemed token); a request naming another
 *   station is refused
 * @error: return location for a #GError
 *
 * Issues a station certificate valid for %NHIP_CA_DAYS_STATION days and keeps a copy in
 * issued/. Enrolling a station again leaves its earlier certificates valid until revoked.
 *
 * Returns: (transfer full) (nullable): the certificate in PEM
 */
GBytes *
nhip_ca_issue_station_cert(const gchar *dir,
			   GBytes *csr_pem,
			   const gchar *station_code,
			   GError **error)
{
	g_autoptr(CaLock) lock = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(csr_pem != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	lock = ca_lock(dir, error);
	if (lock == NULL)
		return NULL;
	return ca_issue_locked(dir, csr_pem, station_code, now - CA_BACKDATE_SECONDS,
			       now + (gint64)NHIP_CA_DAYS_STATION * 86400, NULL, error);
}

/* ----- revocation ----- */

/* the serials (lower-case hex) on the revoked list */
static GHashTable *
revoked_read(const gchar *dir, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, "revoked", NULL);
	g_autofree gchar *text = NULL;
	g_autoptr(GHashTable) table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &text, NULL, error)) {
		g_prefix_error(error, _("cannot read the revoked list: "));
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) fields = g_strsplit(g_strstrip(lines[i]), " ", 2);
		gint64 when = 0;
		if (fields[0] == NULL || fields[0][0] == '\0')
			continue;
		if (fields[1] == NULL ||
		    !g_ascii_string_to_signed(fields[1], 10, 0, G_MAXINT64, &when, NULL)) {
			g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
				    _("the revoked list %s is damaged at line %u"), path, i + 1);
			return NULL;
		}
		g_hash_table_add(table, g_ascii_strdown(fields[0], -1));
	}
	return g_steal_pointer(&table);
}

static gboolean
ca_crl_write(const gchar *dir, X509 *ca, EVP_PKEY *ca_key, GError **error)
{
	g_autofree gchar *revoked_path = g_build_filename(dir, "revoked", NULL);
	g_autofree gchar *text = NULL;
	g_autofree gchar *crl_path = nhip_ca_path(dir, NHIP_CA_FILE_CRL);
	g_auto(GStrv) lines = NULL;
	g_autoptr(X509_CRL) crl = X509_CRL_new();
	g_autoptr(ASN1_TIME) last = NULL;
	g_autoptr(ASN1_TIME) next = NULL;
	g_autoptr(ASN1_INTEGER) number = ASN1_INTEGER_new();
	g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	gchar *data = NULL;
	glong length;

	if (!g_file_get_contents(revoked_path, &text, NULL, error)) {
		g_prefix_error(error, _("cannot read the revoked list: "));
		return FALSE;
	}
	/* dated a little earlier, as certificates are: a station whose clock is a few minutes
	 * behind (or a clock stepped back) must not find the list "not yet valid" */
	last = ASN1_TIME_set(NULL, (time_t)(now - CA_BACKDATE_SECONDS));
	next = ASN1_TIME_set(NULL, (time_t)(now + (gint64)NHIP_CA_DAYS_CRL * 86400));
	/* the CRL number only has to grow: the time does */
	if (crl == NULL || last == NULL || next == NULL || number == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) ||
	    !X509_CRL_set1_lastUpdate(crl, last) || !X509_CRL_set1_nextUpdate(crl, next) ||
	    !ASN1_INTEGER_set_int64(number, now) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0))
		return ca_openssl_fail(error, _("cannot make the CRL"));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) fields = g_strsplit(g_strstrip(lines[i]), " ", 2);
		g_autoptr(BIGNUM) bn = NULL;
		g_autoptr(ASN1_INTEGER) serial = NULL;
		g_autoptr(ASN1_TIME) when = NULL;
		g_autoptr(X509_REVOKED) entry = X509_REVOKED_new();
		gint64 seconds = 0;

		if (fields[0] == NULL || fields[0][0] == '\0')
			continue;
		if (fields[1] == NULL ||
		    !g_ascii_string_to_signed(fields[1], 10, 0, G_MAXINT64, &seconds, NULL) ||
		    !BN_hex2bn(&bn, fields[0])) {
			g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
				    _("the revoked list %s is damaged at line %u"), revoked_path,
				    i + 1);
			return FALSE;
		}
		serial = BN_to_ASN1_INTEGER(bn, NULL);
		when = ASN1_TIME_set(NULL, (time_t)seconds);
		if (entry == NULL || serial == NULL || when == NULL ||
		    !X509_REVOKED_set_serialNumber(entry, serial) ||
		    !X509_REVOKED_set_revocationDate(entry, when) ||
		    !X509_CRL_add0_revoked(crl, entry))
			return ca_openssl_fail(error, _("cannot make the CRL"));
		entry = NULL; /* owned by the CRL now */
	}
	if (!X509_CRL_sort(crl) || X509_CRL_sign(crl, ca_key, EVP_sha256()) <= 0 ||
	    !PEM_write_bio_X509_CRL(bio, crl))
		return ca_openssl_fail(error, _("cannot sign the CRL"));
	length = BIO_get_mem_data(bio, &data);
	return nhip_file_write_durable(crl_path, data, (gsize)length, 0644, error);
}

static gboolean
ca_crl_update_locked(const gchar *dir, GError **error)
{
	g_autoptr(X509) ca = NULL;
	g_autoptr(EVP_PKEY) ca_key = NULL;

	if (!ca_load(dir, &ca, &ca_key, error))
		return FALSE;
	return ca_crl_write(dir, ca, ca_key, error);
}

/**
 * nhip_ca_crl_update:
 * @dir: a hub folder
 * @error: return location for a #GError
 *
 * Signs the CRL again with a fresh validity of %NHIP_CA_DAYS_CRL days. A running hub
 * calls this at start and daily: an expired CRL makes every packet fail with
 * %NHIP_PACKET_ERROR_UNTRUSTED.
 *
 * Returns: %TRUE when written
 */
gboolean
nhip_ca_crl_update(const gchar *dir, GError **error)
{
	g_autoptr(CaLock) lock = NULL;

	g_return_val_if_fail(dir != NULL, FALSE);
	lock = ca_lock(dir, error);
	if (lock == NULL)
		return FALSE;
	return ca_crl_update_locked(dir, error);
}

/* a serial as typed ("01:AB:CD", "0x1abcd", "1ABCD") in the form of file names */
static gchar *
serial_normalize(const gchar *text)
{
	GString *out = g_string_new(NULL);
	const gchar *p = text;

	if (g_str_has_prefix(p, "0x") || g_str_has_prefix(p, "0X"))
		p += 2;
	for (; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!g_ascii_isxdigit(*p)) {
			g_string_free(out, TRUE);
			return NULL;
		}
		if (out->len == 0 && *p == '0')
			continue;
		g_string_append_c(out, g_ascii_tolower(*p));
	}
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/**
 * nhip_ca_revoke:
 * @dir: a hub folder
 * @serial_or_station: a certificate serial (hex) or a station code: every certificate
 *   issued to that station is revoked
 * @error: return location for a #GError
 *
 * Adds the certificates to the revoked list and signs a new CRL. Revoking twice is not an
 * error. %NHIP_IDENTITY_ERROR_NOT_ISSUED when nothing issued matches.
 *
 * Returns: %TRUE when the CRL lists them
 */
gboolean
nhip_ca_revoke(const gchar *dir, const gchar *serial_or_station, GError **error)
{
	g_autoptr(CaLock) lock = NULL;
	g_autoptr(GHashTable) revoked = NULL;
	g_autoptr(GDir) issued = NULL;
	g_autofree gchar *issued_path = NULL;
	g_autofree gchar *serial_wanted = NULL;
	g_autofree gchar *revoked_path = NULL;
	g_autofree gchar *old_text = NULL;
	g_autoptr(GString) text = NULL;
	const gchar *file;
	guint matched = 0;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	g_return_val_if_fail(dir != NULL, FALSE);
	g_return_val_if_fail(serial_or_station != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	lock = ca_lock(dir, error);
	if (lock == NULL)
		return FALSE;
	revoked = revoked_read(dir, error);
	if (revoked == NULL)
		return FALSE;
	revoked_path = g_build_filename(dir, "revoked", NULL);
	if (!g_file_get_contents(revoked_path, &old_text, NULL, error))
		return FALSE;
	text = g_string_new(old_text);
	serial_wanted = serial_normalize(serial_or_station);
	issued_path = g_build_filename(dir, "issued", NULL);
	issued = g_dir_open(issued_path, 0, error);
	if (issued == NULL)
		return FALSE;
	while ((file = g_dir_read_name(issued)) != NULL) {
		g_autofree gchar *path = NULL;
		g_autoptr(X509) cert = NULL;
		g_autofree gchar *serial = NULL;
		g_autofree gchar *cn = NULL;

		if (!g_str_has_suffix(file, ".pem"))
			continue;
		path = g_build_filename(issued_path, file, NULL);
		cert = nhip_x509_load(path, error);
		if (cert == NULL)
			return FALSE;
		serial = nhip_x509_get_serial(cert);
		cn = nhip_x509_get_common_name(cert);
		if (g_strcmp0(cn, serial_or_station) != 0 && g_strcmp0(serial, serial_wanted) != 0)
			continue;
		matched++;
		if (g_hash_table_contains(revoked, serial))
			continue;
		g_string_append_printf(text, "%s %" G_GINT64_FORMAT "\n", serial, now);
		g_hash_table_add(revoked, g_steal_pointer(&serial));
		g_info("revoking certificate of station %s", cn != NULL ? cn : "?");
	}
	if (matched == 0) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_NOT_ISSUED,
			    _("no certificate was issued to a station or with a serial “%s”"),
			    serial_or_station);
		return FALSE;
	}
	if (!nhip_file_write_durable(revoked_path, text->str, text->len, 0644, error))
		return FALSE;
	return ca_crl_update_locked(dir, error);
}

/**
 * nhip_ca_is_revoked:
 * @dir: a hub folder
 * @cert: a certificate the CA issued
 * @revoked: (out): whether it is on the revoked list
 * @error: return location for a #GError
 *
 * For checks outside OpenSSL's chain verification (a TLS library that does not read the
 * CRL).
 *
 * Returns: %TRUE when the list could be read
 */
gboolean
nhip_ca_is_revoked(const gchar *dir, X509 *cert, gboolean *revoked, GError **error)
{
	g_autoptr(GHashTable) table = revoked_read(dir, error);
	g_autofree gchar *serial = NULL;

	if (table == NULL)
		return FALSE;
	serial = nhip_x509_get_serial(cert);
	*revoked = g_hash_table_contains(table, serial);
	return TRUE;
}

/* ----- enrollment tokens ----- */

static gchar *
base32_lower(const guint8 *data, gsize length)
{
	static const gchar alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	GString *out = g_string_new(NULL);
	guint buffer = 0;
	guint bits = 0;

	for (gsize i = 0; i < length; i++) {
		buffer = (buffer << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			g_string_append_c(out, alphabet[(buffer >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits > 0)
		g_string_append_c(out, alphabet[(buffer << (5 - bits)) & 31]);
	return g_string_free(out, FALSE);
}

static gchar *
token_path(const gchar *dir, const gchar *id, gboolean used)
{
	g_autofree gchar *file = g_strconcat(id, used ? ".used" : "", NULL);
	return g_build_filename(dir, "tokens", file, NULL);
}

/**
 * nhip_ca_token_issue:
 * @dir: a hub folder
 * @station_code: the station the token enrolls
 * @expires: (nullable): when it stops working; %NULL for %NHIP_CA_TOKEN_DEFAULT_HOURS
 * @error: return location for a #GError
 *
 * Makes a one-time enrollment token "<id>-<secret>" (8 + 32 base32 characters, 160 bits
 * of secret). The hub keeps only the SHA-256 of the secret.
 *
 * Returns: (transfer full) (nullable): the token, to hand to the technician
 */
gchar *
nhip_ca_token_issue(const gchar *dir, const gchar *station_code, GDateTime *expires, GError **error)
{
	g_autoptr(CaLock) lock = NULL;
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autofree gchar *id = NULL;
	g_autofree gchar *secret = NULL;
	g_autofree gchar *secret_sha = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *data = NULL;
	guint8 id_bytes[TOKEN_ID_BYTES] = { 0 };
	guint8 secret_bytes[TOKEN_SECRET_BYTES] = { 0 };
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	gint64 expiry;
	gsize length = 0;

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_station_code_check(station_code, error))
		return NULL;
	expiry = expires != NULL ? g_date_time_to_unix(expires)
				 : now + NHIP_CA_TOKEN_DEFAULT_HOURS * 3600;
	if (expiry <= now) {
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID,
				    _("the token's expiry is in the past"));
		return NULL;
	}
	lock = ca_lock(dir, error);
	if (lock == NULL)
		return NULL;
	if (RAND_bytes(id_bytes, sizeof(id_bytes)) != 1 ||
	    RAND_bytes(secret_bytes, sizeof(secret_bytes)) != 1) {
		ca_openssl_fail(error, _("cannot make a random token"));
		return NULL;
	}
	id = base32_lower(id_bytes, sizeof(id_bytes));
	secret = base32_lower(secret_bytes, sizeof(secret_bytes));
	OPENSSL_cleanse(secret_bytes, sizeof(secret_bytes));
	secret_sha = nhipi_sha256_hex(secret, strlen(secret));
	g_key_file_set_string(file, "token", "station", station_code);
	g_key_file_set_int64(file, "token", "issued", now);
	g_key_file_set_int64(file, "token", "expires", expiry);
	g_key_file_set_string(file, "token", "secret-sha256", secret_sha);
	data = g_key_file_to_data(file, &length, NULL);
	path = token_path(dir, id, FALSE);
	if (!nhip_file_write_durable(path, data, length, 0600, error))
		return NULL;
	g_info("enrollment token %s issued for station %s", id, station_code);
	return g_strconcat(id, "-", secret, NULL);
}

/* checks a token without using it up; returns the station and the token file */
static gboolean
token_check(const gchar *dir,
	    const gchar *token,
	    gchar **station_out,
	    gchar **path_out,
	    GError **error)
{
	g_autofree gchar *lower = g_ascii_strdown(token, -1);
	g_autofree gchar *path = NULL;
	g_autofree gchar *used = NULL;
	g_autofree gchar *stored_sha = NULL;
	g_autofree gchar *given_sha = NULL;
	g_autofree gchar *station = NULL;
	g_autoptr(GKeyFile) file = g_key_file_new();
	const gchar *dash = strchr(lower, '-');
	g_autofree gchar *id = NULL;
	gint64 expires;
	gboolean ok = dash != NULL && dash - lower == 8 && strlen(dash + 1) == 32;

	for (const gchar *p = lower; ok && *p != '\0'; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '2' && *p <= '7') || p == dash;
	if (!ok) {
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN,
				    _("this is not an enrollment token (8 and 32 characters "
				      "joined by “-”); check what was typed"));
		return FALSE;
	}
	id = g_strndup(lower, 8);
	used = token_path(dir, id, TRUE);
	path = token_path(dir, id, FALSE);
	if (g_file_test(used, G_FILE_TEST_EXISTS)) {
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_USED,
				    _("this enrollment token was used already; ask the hub for a "
				      "new one"));
		return FALSE;
	}
	if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, NULL) ||
	    (stored_sha = g_key_file_get_string(file, "token", "secret-sha256", NULL)) == NULL ||
	    strlen(stored_sha) != 64) {
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN,
				    _("the hub does not know this enrollment token; check what was "
				      "typed"));
		return FALSE;
	}
	/* constant time: how much of a guess matches must not show in the answer's timing */
	given_sha = nhipi_sha256_hex(dash + 1, 32);
	if (CRYPTO_memcmp(given_sha, stored_sha, 64) != 0) {
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN,
				    _("the hub does not know this enrollment token; check what was "
				      "typed"));
		return FALSE;
	}
	expires = g_key_file_get_int64(file, "token", "expires", NULL);
	if (g_get_real_time() / G_USEC_PER_SEC >= expires) {
		g_set_error_literal(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_TOKEN_EXPIRED,
				    _("this enrollment token has expired; ask the hub for a new "
				      "one"));
		return FALSE;
	}
	station = g_key_file_get_string(file, "token", "station", NULL);
	if (station == NULL || !nhip_station_code_check(station, NULL)) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("the token file %s is damaged"), path);
		return FALSE;
	}
	*station_out = g_steal_pointer(&station);
	*path_out = g_steal_pointer(&path);
	return TRUE;
}

/* marks a checked token used: renamed to <id>.used, durably */
static gboolean
token_consume(const gchar *path, GError **error)
{
	g_autofree gchar *used = g_strconcat(path, ".used", NULL);
	g_autofree gchar *dir = g_path_get_dirname(path);
	gint dir_fd;

	if (g_rename(path, used) != 0) {
		gint saved = errno;
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_FAILED,
			    _("cannot mark the enrollment token used: %s"), g_strerror(saved));
		return FALSE;
	}
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd >= 0) {
		fsync(dir_fd);
		close(dir_fd);
	}
	return TRUE;
}

/**
 * nhip_ca_token_redeem:
 * @dir: a hub folder
 * @token: the token as typed (case does not matter)
 * @station_code_out: (out) (transfer full): the station it was issued for
 * @error: return location for a #GError
 *
 * Uses a token up: it works once, before its expiry, and the secret is compared in
 * constant time. Errors: %NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN, _TOKEN_USED, _TOKEN_EXPIRED.
 *
 * Returns: %TRUE when the token was good and is now used
 */
gboolean
nhip_ca_token_redeem(const gchar *dir, const gchar *token, gchar **station_code_out, GError **error)
{
	g_autoptr(CaLock) lock = NULL;
	g_autofree gchar *station = NULL;
	g_autofree gchar *path = NULL;

	g_return_val_if_fail(dir != NULL, FALSE);
	g_return_val_if_fail(token != NULL, FALSE);
	g_return_val_if_fail(station_code_out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	lock = ca_lock(dir, error);
	if (lock == NULL)
		return FALSE;
	if (!token_check(dir, token, &station, &path, error) || !token_consume(path, error))
		return FALSE;
	*station_code_out = g_steal_pointer(&station);
	return TRUE;
}

/**
 * nhip_ca_enroll:
 * @dir: a hub folder
 * @token: the one-time token the technician typed
 * @csr_pem: the station's certificate request
 * @error: return location for a #GError
 *
 * The hub's half of enrollment, in one locked step: check the token, check the request,
 * issue the certificate, use the token up (only once all went well, so a bad request does
 * not waste it), and answer with the bundle (nhip-enroll.h) MAC'd with the token.
 *
 * Returns: (transfer full) (nullable): the bundle's JSON
 */
GBytes *
nhip_ca_enroll(const gchar *dir, const gchar *token, GBytes *csr_pem, GError **error)
{
	g_autoptr(CaLock) lock = NULL;
	g_autoptr(NhipEnrollBundle) bundle = nhip_enroll_bundle_new();
	g_autofree gchar *station = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GBytes) cert_pem = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	struct {
		NhipCaFile file;
		X509 **slot;
	} certs[] = {
		{ NHIP_CA_FILE_CA_CERT, &bundle->ca },
		{ NHIP_CA_FILE_ENC_CERT, &bundle->hub_encryption },
		{ NHIP_CA_FILE_SIGN_CERT, &bundle->hub_signing },
		{ NHIP_CA_FILE_TLS_CERT, &bundle->hub_tls },
	};

	g_return_val_if_fail(dir != NULL, NULL);
	g_return_val_if_fail(token != NULL, NULL);
	g_return_val_if_fail(csr_pem != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	lock = ca_lock(dir, error);
	if (lock == NULL)
		return NULL;
	if (!token_check(dir, token, &station, &path, error))
		return NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(certs); i++) {
		g_autofree gchar *cert_path = nhip_ca_path(dir, certs[i].file);
		*certs[i].slot = nhip_x509_load(cert_path, error);
		if (*certs[i].slot == NULL)
			return NULL;
	}
	cert_pem = ca_issue_locked(dir, csr_pem, station, now - CA_BACKDATE_SECONDS,
				   now + (gint64)NHIP_CA_DAYS_STATION * 86400, NULL, error);
	if (cert_pem == NULL)
		return NULL;
	bundle->certificate = nhip_x509_from_pem(cert_pem, error);
	if (bundle->certificate == NULL || !token_consume(path, error))
		return NULL;
	bundle->station_code = g_steal_pointer(&station);
	bundle->recipient = nhip_x509_recipient_id(bundle->hub_encryption);
	return nhip_enroll_bundle_to_json(bundle, token);
}
