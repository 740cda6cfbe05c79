/*
 * Nhịp — the Ministry of Health's QĐ 130 XML built from the store: a GIAMDINHHS envelope
 * with one HOSO per visit (XML1, XML3, and XML5, XML13, XML14 where they apply), and the
 * check-in document; optionally signed with the facility's key (XML-DSig, enveloped).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-export-error.h"
#include "nhip-store.h"
#include "nhip-xml130-fields.h"

G_BEGIN_DECLS

/**
 * NhipExportXml130Options:
 * @profile: the field sizes to write to
 * @sign_key: (nullable): the facility's private key (PEM) to sign with
 * @sign_cert: (nullable): its X.509 certificate (PEM), put in the signature's KeyInfo
 * @created: (nullable): the creation date NGAYLAP, %NULL for today
 *
 * Choices of the caller; a zeroed struct (or %NULL) gives an unsigned 4750 export.
 */
typedef struct {
	NhipXml130Profile profile;
	const gchar *sign_key;
	const gchar *sign_cert;
	GDateTime *created;
} NhipExportXml130Options;

/**
 * NhipExportXml130:
 * @envelope: the GIAMDINHHS document (UTF-8 XML)
 * @checkin: (nullable): the check-in document CHI_TIEU_TRANG_THAI_KCB, %NULL when no
 *   visit has a charge to check in
 * @n_visits: visits in the envelope
 * @n_open: visits of the period left out because they are still open
 * @notes: (element-type utf8): what was shortened to fit (free text only), one line each
 *
 * The result of an export.
 */
typedef struct {
	GBytes *envelope;
	GBytes *checkin;
	guint n_visits;
	guint n_open;
	GPtrArray *notes;
} NhipExportXml130;

NhipExportXml130 *nhip_export_xml130_visit(NhipStore *store,
					   gint64 visit_id,
					   const NhipExportXml130Options *options,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipExportXml130 *nhip_export_xml130_range(NhipStore *store,
					   gint64 from,
					   gint64 to,
					   const NhipExportXml130Options *options,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_export_xml130_free(NhipExportXml130 *self);
GBytes *nhip_export_xml130_sign(GBytes *document,
				const gchar *key_path,
				const gchar *cert_path,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_export_xml130_verify(GBytes *document, const gchar *trusted_cert, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipExportXml130, nhip_export_xml130_free)

G_END_DECLS
