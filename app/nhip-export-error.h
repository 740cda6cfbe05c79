/*
 * Nhịp — the error domain of the exports (HL7 v2, and later FHIR and QĐ 130 XML).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_EXPORT_ERROR (nhip_export_error_quark())

/**
 * NhipExportError:
 * @NHIP_EXPORT_ERROR_INVALID: a record cannot be expressed in the format (a value the
 *   format has no place for, an unknown kind); the record has to change, not the export
 * @NHIP_EXPORT_ERROR_UNSUPPORTED: the message type or profile asked for is not one we make
 * @NHIP_EXPORT_ERROR_FAILED: any other failure while building the document
 *
 * Errors of building an export document. Reading the records fails with
 * %NHIP_STORE_ERROR, and sending the document fails in the transport's own domain.
 */
typedef enum {
	NHIP_EXPORT_ERROR_INVALID,
	NHIP_EXPORT_ERROR_UNSUPPORTED,
	NHIP_EXPORT_ERROR_FAILED,
} NhipExportError;

GQuark nhip_export_error_quark(void);

G_END_DECLS
