/*
 * Nhịp — error domain of the device runtime.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "nhip-device-error.h"

G_DEFINE_QUARK(nhip - device - error - quark, nhip_device_error)

/**
 * nhip_device_error_set_errno:
 * @error: return location for a #GError
 * @errsv: the errno value
 * @what: what was being done, e.g. "open"
 * @path: the device node or port
 *
 * Maps an errno of a device node to our error codes, with a message that names the node and
 * says what to do.
 */
void
nhip_device_error_set_errno(GError **error, gint errsv, const gchar *what, const gchar *path)
{
	switch (errsv) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_FOUND,
			    _("cannot %s %s: the device is not there (%s); check that it is "
			      "plugged in and switched on"),
			    what, path, g_strerror(errsv));
		break;
	case EACCES:
	case EPERM:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PERMISSION,
			    _("cannot %s %s: permission denied; the station's user must be in "
			      "group nhip and the udev rules of Nhịp must be installed"),
			    what, path);
		break;
	case EBUSY:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_BUSY,
			    _("cannot %s %s: another program is using the device; close it and "
			      "try again"),
			    what, path);
		break;
	case EIO:
	case EPIPE:
	case ESHUTDOWN:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_DISCONNECTED,
			    _("cannot %s %s: the device was unplugged or switched off (%s); plug "
			      "it in again and repeat the measurement"),
			    what, path, g_strerror(errsv));
		break;
	case ETIMEDOUT:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_TIMEOUT,
			    _("cannot %s %s: the device did not answer in time; switch it on "
			      "and try again"),
			    what, path);
		break;
	case EINVAL:
	case ENOTTY:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_SUPPORTED,
			    _("cannot %s %s: the device does not support this (%s); check that "
			      "the right driver and port are used"),
			    what, path, g_strerror(errsv));
		break;
	default:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_IO,
			    _("cannot %s %s: %s; unplug the device, plug it in again and "
			      "retry"),
			    what, path, g_strerror(errsv));
		break;
	}
}
