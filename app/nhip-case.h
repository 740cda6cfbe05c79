/*
 * Nhịp — a case for the district doctor, built from a visit in the store: the manifest,
 * case.json (the FHIR R4 Bundle of the visit with the request to the doctor) and the
 * photos re-encoded, ready to seal and queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hub-link.h"
#include "nhip-packet.h"
#include "nhip-store.h"

G_BEGIN_DECLS

/* the longest question for the doctor, in characters */
#define NHIP_CASE_QUESTION_MAX 4000
/* photos in one case */
#define NHIP_CASE_MAX_PHOTOS 16

/* identifier systems of the resources a case adds to the visit's Bundle */
#define NHIP_CASE_SID_CASE "https://nhip.vn/fhir/sid/case"
#define NHIP_CASE_SID_FILE "https://nhip.vn/fhir/sid/case-file"
/* the Communication's category: a request for the district doctor's opinion */
#define NHIP_CASE_CS_CATEGORY "https://nhip.vn/fhir/CodeSystem/communication-category"

/**
 * NhipCase:
 * @manifest: kind case, the station, urgency; its sequence is 0 until the outbox gives
 *   one (nhip_case_seal())
 * @visit_id: the visit
 * @case_json: the FHIR R4 transaction Bundle
 * @attachments: (element-type NhipPacketAttachment): the photos as img/1.jpg, img/2.jpg…
 */
typedef struct {
	NhipPacketManifest *manifest;
	gint64 visit_id;
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
			  const gchar *const *visit_photos,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_case_seal(NhipCase *self,
		       gint64 sequence,
		       NhipIdentity *station,
		       X509 *hub_encryption_cert,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *nhip_case_queue(NhipCase *self, NhipStore *store, NhipHubLink *link, GError **error);

/**
 * NhipCaseRequest:
 * @visit_id: the visit the case is about
 * @question: (nullable): the question for the doctor
 * @urgent: ask for an urgent answer
 * @photo_paths: (nullable) (array zero-terminated=1): photo files to send besides the
 *   visit's own
 * @visit_photos: (nullable) (array zero-terminated=1): which of the visit's photo
 *   attachments to send, by SHA-256; %NULL sends them all
 */
typedef struct {
	gint64 visit_id;
	const gchar *question;
	gboolean urgent;
	const gchar *const *photo_paths;
	const gchar *const *visit_photos;
} NhipCaseRequest;

gchar *nhip_case_send(NhipStore *store,
		      const gchar *db_path,
		      const NhipCaseRequest *request,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* the body: the FHIR R4 Bundle of the visit with the request to the doctor */
GBytes *nhip_case_bundle_build(NhipStore *store,
			       gint64 visit_id,
			       const gchar *packet_id,
			       const gchar *question,
			       gboolean urgent,
			       GPtrArray *attachments,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
