/*
 * Nhịp — the error domain of delivery to the district hub (tus uploads, receipts, inbox).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_TRANSPORT_ERROR (nhip_transport_error_quark())

/**
 * NhipTransportError:
 * @NHIP_TRANSPORT_ERROR_INVALID: a header, a reply or a file is malformed
 * @NHIP_TRANSPORT_ERROR_NETWORK: the link failed or stalled; try again later (a retry)
 * @NHIP_TRANSPORT_ERROR_BUSY: the hub asked to come back later (408, 423, 429, 5xx)
 * @NHIP_TRANSPORT_ERROR_CONFLICT: the offset moved (409) or the chunk arrived damaged (460);
 *   ask the hub where the upload stands and go on from there
 * @NHIP_TRANSPORT_ERROR_GONE: the upload expired on the hub (404/410); start it again
 * @NHIP_TRANSPORT_ERROR_REFUSED: the hub refused the packet or the station for good
 *   (400, 401, 403, 413, 415, 422); a technician has to look
 * @NHIP_TRANSPORT_ERROR_PIN: the hub's key does not match the pinned key; nothing was sent
 * @NHIP_TRANSPORT_ERROR_NOT_ENROLLED: the station has no certificate for the hub yet
 * @NHIP_TRANSPORT_ERROR_RECEIPT: the hub's receipt does not verify
 * @NHIP_TRANSPORT_ERROR_CANCELLED: stopped on request
 * @NHIP_TRANSPORT_ERROR_LOCKED: another program of the station is sending its packets
 */
typedef enum {
	NHIP_TRANSPORT_ERROR_INVALID,
	NHIP_TRANSPORT_ERROR_NETWORK,
	NHIP_TRANSPORT_ERROR_BUSY,
	NHIP_TRANSPORT_ERROR_CONFLICT,
	NHIP_TRANSPORT_ERROR_GONE,
	NHIP_TRANSPORT_ERROR_REFUSED,
	NHIP_TRANSPORT_ERROR_PIN,
	NHIP_TRANSPORT_ERROR_NOT_ENROLLED,
	NHIP_TRANSPORT_ERROR_RECEIPT,
	NHIP_TRANSPORT_ERROR_CANCELLED,
	NHIP_TRANSPORT_ERROR_LOCKED,
} NhipTransportError;

GQuark nhip_transport_error_quark(void);
gboolean nhip_transport_error_is_retry(const GError *error);

G_END_DECLS
