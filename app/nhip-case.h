/*
 * Nhịp — a case for the district doctor, built from a visit in the store: the manifest,
 * case.json (a FHIR R4-shaped Bundle) and the photos re-encoded, ready to seal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-packet.h"
#include "nhip-store.h"

G_BEGIN_DECLS

/* the longest question for the doctor, in characters */
#define NHIP_CASE_QUESTION_MAX 4000
/* photos in one case */
#define NHIP_CASE_MAX_PHOTOS 16

/**
 * NhipCase:
 * @manifest: kind case, the station, urgency; its sequence is 0 until the outbox gives
 *   one (nhip_case_seal())
 * @case_json: the FHIR-shaped Bundle
 * @attachments: (element-type NhipPacketAttachment): the photos as img/1.jpg, img/2.jpg…
 */
typedef struct {
	NhipPacketManifest *manifest;
	GBytes *case_json;
	GPtrArray *attachments;
} NhipCase;

void nhip_case_free(NhipCase *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipCase, nhip_case_free)

NhipCase *nhip_case_build(NhipStore *store,
			  gint64 visit_id,
			  const gchar *station_code,
			  const gchar *question,
			  gboolean urgent,
			  const gchar *const *photo_paths,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_case_seal(NhipCase *self,
		       gint64 sequence,
		       NhipIdentity *station,
		       X509 *hub_encryption_cert,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* the body: a FHIR R4-shaped Bundle of the visit; see the seam in nhip-case.c */
GBytes *nhip_case_bundle_build(NhipStore *store,
			       gint64 visit_id,
			       const gchar *question,
			       gboolean urgent,
			       GPtrArray *attachments,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
