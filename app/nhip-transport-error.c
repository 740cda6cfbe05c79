/*
 * Nhịp — the error domain of delivery to the district hub.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-transport-error.h"

G_DEFINE_QUARK(nhip - transport - error - quark, nhip_transport_error)

/**
 * nhip_transport_error_is_retry:
 * @error: an error from the uploader or the hub client
 *
 * Returns: %TRUE when trying again later may succeed without anyone doing anything
 */
gboolean
nhip_transport_error_is_retry(const GError *error)
{
	if (error == NULL || error->domain != NHIP_TRANSPORT_ERROR)
		return FALSE;
	switch ((NhipTransportError)error->code) {
	case NHIP_TRANSPORT_ERROR_NETWORK:
	case NHIP_TRANSPORT_ERROR_BUSY:
	case NHIP_TRANSPORT_ERROR_CONFLICT:
	case NHIP_TRANSPORT_ERROR_GONE:
		return TRUE;
	case NHIP_TRANSPORT_ERROR_INVALID:
	case NHIP_TRANSPORT_ERROR_REFUSED:
	case NHIP_TRANSPORT_ERROR_PIN:
	case NHIP_TRANSPORT_ERROR_NOT_ENROLLED:
	case NHIP_TRANSPORT_ERROR_RECEIPT:
	case NHIP_TRANSPORT_ERROR_CANCELLED:
	case NHIP_TRANSPORT_ERROR_LOCKED:
	default:
		return FALSE;
	}
}
