/*
 * Nhịp — Tanita scale on a serial port: the scale sends one CSV line per measurement,
 * unasked, so the driver only listens (protocol in nhip-tanita-proto.c and README.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-driver-api.h"
#include "nhip-tanita-device.h"
#include "nhip-tanita-proto.h"

struct _NhipTanitaDevice {
	NhipDevice parent_instance;
	NhipSerialPort *port;
};

G_DEFINE_TYPE(NhipTanitaDevice, nhip_tanita_device, NHIP_TYPE_DEVICE)

static gboolean
nhip_tanita_device_open(NhipDevice *device, GError **error)
{
	NhipTanitaDevice *self = NHIP_TANITA_DEVICE(device);

	self->port = nhipi_device_open_serial(device, NHIP_TANITA_SERIAL_SETTINGS, NULL, error);
	return self->port != NULL;
}

static void
nhip_tanita_device_close(NhipDevice *device)
{
	NhipTanitaDevice *self = NHIP_TANITA_DEVICE(device);

	g_clear_pointer(&self->port, nhip_serial_port_free);
}

static void
nhip_tanita_device_init(NhipTanitaDevice *self)
{
}

static void
nhip_tanita_device_class_init(NhipTanitaDeviceClass *klass)
{
	NhipDeviceClass *device_class = NHIP_DEVICE_CLASS(klass);

	nhipi_device_class_set_driver(device_class, NHIP_TANITA_DRIVER, NHIP_VITAL_WEIGHT);
	device_class->open = nhip_tanita_device_open;
	device_class->close = nhip_tanita_device_close;
}
