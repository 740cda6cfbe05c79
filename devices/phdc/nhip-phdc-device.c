/*
 * Nhịp — IEEE 11073-20601 agent on USB PHDC.
 *
 * The manager side of 20601 is passive: the agent speaks first (AARQ). The driver reads
 * the bulk IN endpoint, feeds the pure manager state machine (nhip-phdc-proto.c), and
 * writes each APDU the state machine answers with to bulk OUT, one after the other, then
 * reads again. One transfer is in flight at a time, as the agent waits for each answer.
 * Roche meters want a GET_STATUS on the control endpoint before they send their AARQ.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libusb.h>

#include "nhip-phdc-device.h"
#include "nhip-phdc-proto.h"
#include "nhip-usb-device.h"

struct _NhipPhdcDevice {
	NhipDevice parent_instance;
	NhipUsbDevice *usb;
	guint8 interface_number;
	guint8 ep_in;
	guint8 ep_out;
	GQueue outgoing; /* GBytes: APDUs to send before reading again */
};

G_DEFINE_TYPE(NhipPhdcDevice, nhip_phdc_device, NHIP_TYPE_DEVICE)

static void phdc_read(NhipPhdcDevice *self);

/* a failed transfer ends the session: a cut cable is "lost", anything else an error */
static gboolean
phdc_check(NhipPhdcDevice *self, const GError *error)
{
	if (error == NULL)
		return TRUE;
	if (g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_CANCELLED))
		return FALSE;
	if (g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_DISCONNECTED))
		nhipi_device_lost(NHIP_DEVICE(self), error);
	else
		nhipi_device_fail(NHIP_DEVICE(self), error);
	return FALSE;
}

static void phdc_send_next(NhipPhdcDevice *self);

static void
phdc_write_cb(NhipUsbDevice *usb, GBytes *data, const GError *error, gpointer user_data)
{
	NhipPhdcDevice *self = NHIP_PHDC_DEVICE(user_data);

	if (!phdc_check(self, error))
		return;
	phdc_send_next(self);
}

static void
phdc_send_next(NhipPhdcDevice *self)
{
	g_autoptr(GBytes) apdu = g_queue_pop_head(&self->outgoing);
	gsize len = 0;
	const guint8 *buf;

	if (apdu == NULL) {
		phdc_read(self);
		return;
	}
	buf = g_bytes_get_data(apdu, &len);
	nhip_usb_device_write(self->usb, NHIP_USB_TRANSFER_BULK, self->ep_out, buf, len,
			      NHIP_PHDC_WRITE_MS, phdc_write_cb, self);
}

static void
phdc_read_cb(NhipUsbDevice *usb, GBytes *data, const GError *error, gpointer user_data)
{
	NhipPhdcDevice *self = NHIP_PHDC_DEVICE(user_data);
	gsize len = 0;
	const guint8 *buf;

	if (!phdc_check(self, error))
		return;
	buf = g_bytes_get_data(data, &len);
	/* answers the state machine wants sent arrive through send_response */
	nhipi_device_feed(NHIP_DEVICE(self), buf, len);
	if (self->usb != NULL)
		phdc_send_next(self);
}

static void
phdc_read(NhipPhdcDevice *self)
{
	nhip_usb_device_read(self->usb, NHIP_USB_TRANSFER_BULK, self->ep_in, NHIP_PHDC_READ_SIZE, 0,
			     phdc_read_cb, self);
}

static void
phdc_status_cb(NhipUsbDevice *usb, GBytes *data, const GError *error, gpointer user_data)
{
	NhipPhdcDevice *self = NHIP_PHDC_DEVICE(user_data);

	/* only some agents need it; one that refuses it may still associate */
	if (error != NULL && g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_CANCELLED))
		return;
	if (error != NULL)
		g_debug("phdc: GET_STATUS: %s", error->message);
	phdc_read(self);
}

static void
nhip_phdc_device_send_response(NhipDevice *device, GBytes *frame)
{
	NhipPhdcDevice *self = NHIP_PHDC_DEVICE(device);
	g_queue_push_tail(&self->outgoing, g_bytes_ref(frame));
}

static gboolean
nhip_phdc_device_open(NhipDevice *device, GError **error)
{
	NhipPhdcDevice *self = NHIP_PHDC_DEVICE(device);
	const NhipDevicePort *port = nhipi_device_get_port_info(device);

	self->usb = nhip_usb_device_open(nhipi_device_get_context(device), port->busnum,
					 port->devnum, port->path, error);
	if (self->usb == NULL)
		return FALSE;
	if (!nhip_usb_device_find_interface(self->usb, NHIP_PHDC_USB_CLASS,
					    LIBUSB_TRANSFER_TYPE_BULK, &self->interface_number,
					    &self->ep_in, &self->ep_out, error) ||
	    !nhip_usb_device_claim_interface(self->usb, self->interface_number, error)) {
		g_clear_pointer(&self->usb, nhip_usb_device_free);
		return FALSE;
	}
	if (self->ep_out == 0) {
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_SUPPORTED,
			    _("USB device %s has no bulk OUT endpoint on its health-device "
			      "interface; it cannot be used"),
			    port->path);
		g_clear_pointer(&self->usb, nhip_usb_device_free);
		return FALSE;
	}
	return TRUE;
}

static void
nhip_phdc_device_start(NhipDevice *device)
{
	NhipPhdcDevice *self = NHIP_PHDC_DEVICE(device);
	const NhipDevicePort *port = nhipi_device_get_port_info(device);

	if (port->vid == NHIP_PHDC_ROCHE_VID) {
		nhip_usb_device_control(self->usb, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_STATUS, 0,
					0, NULL, 2, 1000, phdc_status_cb, self);
		return;
	}
	phdc_read(self);
}

static void
nhip_phdc_device_close(NhipDevice *device)
{
	NhipPhdcDevice *self = NHIP_PHDC_DEVICE(device);

	g_clear_pointer(&self->usb, nhip_usb_device_free);
	g_queue_clear_full(&self->outgoing, (GDestroyNotify)g_bytes_unref);
}

static void
nhip_phdc_device_init(NhipPhdcDevice *self)
{
	g_queue_init(&self->outgoing);
}

static void
nhip_phdc_device_class_init(NhipPhdcDeviceClass *klass)
{
	NhipDeviceClass *device_class = NHIP_DEVICE_CLASS(klass);

	nhipi_device_class_set_driver(device_class, NHIP_PHDC_DRIVER, NHIP_VITAL_GLUCOSE);
	device_class->open = nhip_phdc_device_open;
	device_class->start = nhip_phdc_device_start;
	device_class->close = nhip_phdc_device_close;
	device_class->send_response = nhip_phdc_device_send_response;
}
