/*
 * Nhịp — the enrollment answer the hub gives a station: its certificate, the CA, and the
 * hub's encryption, signing and TLS certificates, authenticated with the one-time token.
 *
 * The station does not know the CA before it enrolls, so the answer carries a MAC keyed
 * with the token (HMAC-SHA-256 over every field, length-prefixed in a fixed order): only
 * the hub that issued the token can make an answer the station accepts, whatever TLS
 * certificate the enrollment URL showed.
 *
 * JSON: {"v":1,"station":CODE,"certificate":PEM,"ca":PEM,"hub_encryption":PEM,
 *        "hub_signing":PEM,"hub_tls":PEM,"recipient":ID,"mac":HEX}
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-identity.h"

G_BEGIN_DECLS

#define NHIP_TYPE_ENROLL_BUNDLE (nhip_enroll_bundle_get_type())

/**
 * NhipEnrollBundle:
 * @station_code: the station code the certificate names
 * @certificate: the station's certificate
 * @ca: the district CA certificate
 * @hub_encryption: the certificate case packets are sealed to
 * @hub_signing: the certificate that signs receipts and replies (pinned by the station)
 * @hub_tls: the hub's HTTPS certificate (pinned by the station)
 * @recipient: the recipient id written in case manifests (of @hub_encryption)
 */
typedef struct {
	gchar *station_code;
	X509 *certificate;
	X509 *ca;
	X509 *hub_encryption;
	X509 *hub_signing;
	X509 *hub_tls;
	gchar *recipient;
} NhipEnrollBundle;

GType nhip_enroll_bundle_get_type(void);
NhipEnrollBundle *nhip_enroll_bundle_new(void);
void nhip_enroll_bundle_free(NhipEnrollBundle *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipEnrollBundle, nhip_enroll_bundle_free)

GBytes *nhip_enroll_bundle_to_json(const NhipEnrollBundle *self,
				   const gchar *token) G_GNUC_WARN_UNUSED_RESULT;
NhipEnrollBundle *nhip_enroll_bundle_parse(GBytes *json,
					   const gchar *token,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
