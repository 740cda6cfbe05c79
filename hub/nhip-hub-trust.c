/*
 * Nhịp hub — checking stations' TLS client certificates. GnuTLS (inside libmicrohttpd)
 * asks for a certificate and checks the client holds its key; the chain, the purpose, the
 * validity dates and the CRL are checked here with the same OpenSSL trust store that
 * verifies packet signatures, so both answers always agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/x509v3.h>

#include "nhip-ca.h"
#include "nhip-hub-db.h"
#include "nhip-hub-trust.h"

struct _NhipHubTrust {
	gchar *dir;
	gchar *crl_path;
	GMutex lock;
	X509_STORE *store; /* owned; replaced when the CRL file changes */
	gint64 crl_mtime;
	gint64 crl_size;
};

/**
 * nhip_hub_trust_new:
 * @hub_dir: the hub folder made by `nhip-hub init`
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the trust checker
 */
NhipHubTrust *
nhip_hub_trust_new(const gchar *hub_dir, GError **error)
{
	g_autoptr(NhipHubTrust) self = g_new0(NhipHubTrust, 1);
	g_autoptr(X509_STORE) store = NULL;

	g_mutex_init(&self->lock);
	self->dir = g_strdup(hub_dir);
	self->crl_path = nhip_ca_path(hub_dir, NHIP_CA_FILE_CRL);
	store = nhip_hub_trust_get_store(self, error);
	if (store == NULL)
		return NULL;
	return g_steal_pointer(&self);
}

/**
 * nhip_hub_trust_free:
 * @self: (nullable): the trust checker
 */
void
nhip_hub_trust_free(NhipHubTrust *self)
{
	if (self == NULL)
		return;
	if (self->store != NULL)
		X509_STORE_free(self->store);
	g_mutex_clear(&self->lock);
	g_free(self->dir);
	g_free(self->crl_path);
	g_free(self);
}

/**
 * nhip_hub_trust_get_store:
 * @self: the trust checker
 * @error: return location for a #GError
 *
 * The CA and the current CRL; read again when the CRL file has changed on disk.
 *
 * Returns: (transfer full) (nullable): a reference to the trust store
 */
X509_STORE *
nhip_hub_trust_get_store(NhipHubTrust *self, GError **error)
{
	G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	GStatBuf st = { 0 };

	if (g_stat(self->crl_path, &st) != 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
			    _("the CRL %s is missing; run “nhip-hub init” for this folder"),
			    self->crl_path);
		return NULL;
	}
	if (self->store == NULL || (gint64)st.st_mtime != self->crl_mtime ||
	    (gint64)st.st_size != self->crl_size) {
		X509_STORE *store = nhip_ca_trust_store(self->dir, error);
		if (store == NULL)
			return NULL;
		if (self->store != NULL) {
			X509_STORE_free(self->store);
			g_info("read the CRL again after it changed");
		}
		self->store = store;
		self->crl_mtime = (gint64)st.st_mtime;
		self->crl_size = (gint64)st.st_size;
	}
	X509_STORE_up_ref(self->store);
	return self->store;
}

static const gchar *
trust_reason(gint rc)
{
	switch (rc) {
	case X509_V_ERR_CERT_REVOKED:
		return "revoked-certificate";
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "expired-certificate";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return "unknown-ca";
	case X509_V_ERR_INVALID_PURPOSE:
		return "wrong-certificate-purpose";
	default:
		return "untrusted-certificate";
	}
}

/**
 * nhip_hub_trust_check_client:
 * @self: the trust checker
 * @chain_der: (element-type GBytes): the client's certificates, leaf first, DER; may be
 *   empty when the client sent none
 * @reason: (out): on refusal, a stable word for logs and answers ("no-certificate",
 *   "unknown-ca", "revoked-certificate", "expired-certificate", …)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the station code (the certificate's CN), or %NULL
 *   when the certificate is refused
 */
gchar *
nhip_hub_trust_check_client(NhipHubTrust *self,
			    const GPtrArray *chain_der,
			    const gchar **reason,
			    GError **error)
{
	g_autoptr(X509_STORE) store = NULL;
	g_autoptr(X509) leaf = NULL;
	g_autoptr(X509_STORE_CTX) ctx = NULL;
	g_autoptr(NhipX509Stack) untrusted = sk_X509_new_null();
	g_autofree gchar *code = NULL;
	gint rc;

	*reason = "no-certificate";
	if (chain_der == NULL || chain_der->len == 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
				    _("the client sent no certificate"));
		return NULL;
	}
	for (guint i = 0; i < chain_der->len; i++) {
		GBytes *der = g_ptr_array_index(chain_der, i);
		const guchar *p = g_bytes_get_data(der, NULL);
		X509 *cert = d2i_X509(NULL, &p, (long)g_bytes_get_size(der));
		if (cert == NULL) {
			*reason = "malformed-certificate";
			g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
					    _("the client certificate cannot be read"));
			return NULL;
		}
		if (i == 0)
			leaf = cert;
		else
			sk_X509_push(untrusted, cert);
	}
	store = nhip_hub_trust_get_store(self, error);
	if (store == NULL) {
		*reason = "hub-trust-unavailable";
		return NULL;
	}
	ctx = X509_STORE_CTX_new();
	if (ctx == NULL || !X509_STORE_CTX_init(ctx, store, leaf, untrusted) ||
	    !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT)) {
		*reason = "hub-trust-unavailable";
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("cannot check the client certificate"));
		return NULL;
	}
	if (X509_verify_cert(ctx) != 1) {
		rc = X509_STORE_CTX_get_error(ctx);
		*reason = trust_reason(rc);
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("the client certificate is not accepted: %s"),
			    X509_verify_cert_error_string(rc));
		return NULL;
	}
	code = nhip_x509_get_common_name(leaf);
	if (code == NULL || !nhip_station_code_check(code, NULL)) {
		*reason = "not-a-station-certificate";
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
				    _("the client certificate names no station"));
		return NULL;
	}
	*reason = NULL;
	return g_steal_pointer(&code);
}
