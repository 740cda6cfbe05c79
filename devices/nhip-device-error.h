/*
 * Nhịp — error domain of the device runtime (transports, drivers, the device manager).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_DEVICE_ERROR (nhip_device_error_quark())

/**
 * NhipDeviceError:
 * @NHIP_DEVICE_ERROR_NOT_FOUND: the device or port does not exist (any more)
 * @NHIP_DEVICE_ERROR_PERMISSION: the station's user may not open the device
 * @NHIP_DEVICE_ERROR_BUSY: another program holds the device
 * @NHIP_DEVICE_ERROR_IO: reading or writing failed
 * @NHIP_DEVICE_ERROR_TIMEOUT: the device did not answer in time
 * @NHIP_DEVICE_ERROR_DISCONNECTED: the device went away, possibly in the middle of a transfer
 * @NHIP_DEVICE_ERROR_PROTOCOL: the device sent something the protocol does not allow
 * @NHIP_DEVICE_ERROR_NOT_SUPPORTED: the request or setting cannot be done on this device
 * @NHIP_DEVICE_ERROR_INVALID_ARGUMENT: a setting or name given by the caller is wrong
 * @NHIP_DEVICE_ERROR_CANCELLED: the operation was stopped
 * @NHIP_DEVICE_ERROR_INTERNAL: a library call failed for a reason no user can fix
 *
 * Errors of the device runtime. Every message names the device or port and says what to do.
 */
typedef enum {
	NHIP_DEVICE_ERROR_NOT_FOUND,
	NHIP_DEVICE_ERROR_PERMISSION,
	NHIP_DEVICE_ERROR_BUSY,
	NHIP_DEVICE_ERROR_IO,
	NHIP_DEVICE_ERROR_TIMEOUT,
	NHIP_DEVICE_ERROR_DISCONNECTED,
	NHIP_DEVICE_ERROR_PROTOCOL,
	NHIP_DEVICE_ERROR_NOT_SUPPORTED,
	NHIP_DEVICE_ERROR_INVALID_ARGUMENT,
	NHIP_DEVICE_ERROR_CANCELLED,
	NHIP_DEVICE_ERROR_INTERNAL,
} NhipDeviceError;

GQuark nhip_device_error_quark(void);

void nhip_device_error_set_errno(GError **error, gint errsv, const gchar *what, const gchar *path);

G_END_DECLS
