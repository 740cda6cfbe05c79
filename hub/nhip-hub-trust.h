/*
 * Nhịp hub — who is at the other end of a TLS connection: the client certificate checked
 * against the district CA and its CRL, reloaded when `nhip-hub revoke` rewrites the CRL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

typedef struct _NhipHubTrust NhipHubTrust;

NhipHubTrust *nhip_hub_trust_new(const gchar *hub_dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hub_trust_free(NhipHubTrust *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubTrust, nhip_hub_trust_free)

X509_STORE *nhip_hub_trust_get_store(NhipHubTrust *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hub_trust_check_client(NhipHubTrust *self,
				   const GPtrArray *chain_der,
				   const gchar **reason,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
