/*
 * Nhịp — Omron HEM-7xx0IT blood-pressure monitor on USB HID 0590:0028.
 *
 * Driven raw through libusb, as libomron does: the HID interface is claimed (the kernel's
 * usbhid is detached while we hold it), the mode is chosen with a HID SET_REPORT
 * (feature) on the control endpoint, commands go out as 8-byte interrupt OUT reports and
 * replies come back as 8-byte interrupt IN reports (protocol in nhip-omron-hid-proto.c).
 * The session: device-info mode, VER00 (model), daily mode, GDC (how many readings),
 * GME for each reading, END. One transfer is in flight at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libusb.h>

#include "nhip-omron-hid-device.h"
#include "nhip-omron-hid-proto.h"
#include "nhip-usb-device.h"

typedef enum {
	OMRON_STEP_MODE_INFO,
	OMRON_STEP_VERSION,
	OMRON_STEP_MODE_DAILY,
	OMRON_STEP_COUNT,
	OMRON_STEP_RECORD,
	OMRON_STEP_END,
	OMRON_STEP_DONE,
	OMRON_STEP_NUM_STEPS
} OmronStep;

struct _NhipOmronHidDevice {
	NhipDevice parent_instance;
	NhipUsbDevice *usb;
	guint8 interface_number;
	guint8 ep_in;
	guint8 ep_out;
	OmronStep step;
	GBytes *reports; /* the output reports of the command being sent */
	gsize sent;	 /* of them, how many bytes went out */
	guint tries;
	gint count; /* readings in memory, -1 until GDC answered */
	guint index;
	gboolean answered; /* the decoder produced something for this command */
	gboolean refused;
};

G_DEFINE_TYPE(NhipOmronHidDevice, nhip_omron_hid_device, NHIP_TYPE_DEVICE)

static void omron_run(NhipOmronHidDevice *self);

static gboolean
omron_check(NhipOmronHidDevice *self, const GError *error)
{
	if (error == NULL)
		return TRUE;
	if (g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_CANCELLED))
		return FALSE;
	if (g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_DISCONNECTED)) {
		nhipi_device_lost(NHIP_DEVICE(self), error);
	} else if (g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_TIMEOUT)) {
		g_autoptr(GError) timeout = g_error_new(
			NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_TIMEOUT,
			_("%s: the blood-pressure monitor did not answer; check that its cable is "
			  "in and that it shows the PC-link screen, then plug it in again"),
			nhip_device_get_port(NHIP_DEVICE(self)));
		nhipi_device_fail(NHIP_DEVICE(self), timeout);
	} else {
		nhipi_device_fail(NHIP_DEVICE(self), error);
	}
	return FALSE;
}

static void omron_read(NhipOmronHidDevice *self);
static void
omron_write_cb(NhipUsbDevice *usb, GBytes *data, const GError *error, gpointer user_data);

static void
omron_read_cb(NhipUsbDevice *usb, GBytes *data, const GError *error, gpointer user_data)
{
	NhipOmronHidDevice *self = NHIP_OMRON_HID_DEVICE(user_data);
	gsize len = 0;
	const guint8 *buf;

	if (!omron_check(self, error))
		return;
	buf = g_bytes_get_data(data, &len);
	nhipi_device_feed(NHIP_DEVICE(self), buf, len);
	if (self->usb == NULL)
		return;
	/* a short report ends the reply; so does a reply the decoder understood */
	if ((len > 0 && buf[0] < 7) || self->answered || self->refused) {
		if (self->refused && ++self->tries < NHIP_OMRON_HID_RETRIES) {
			/* "NO": the same command again */
			self->refused = FALSE;
			self->answered = FALSE;
			self->sent = 0;
			omron_write_cb(self->usb, NULL, NULL, self);
			return;
		}
		self->step++;
		omron_run(self);
		return;
	}
	omron_read(self);
}

static void
omron_read(NhipOmronHidDevice *self)
{
	nhip_usb_device_read(self->usb, NHIP_USB_TRANSFER_INTERRUPT, self->ep_in,
			     NHIP_OMRON_HID_REPORT_SIZE, NHIP_OMRON_HID_REPLY_MS, omron_read_cb,
			     self);
}

static void
omron_write_cb(NhipUsbDevice *usb, GBytes *data, const GError *error, gpointer user_data)
{
	NhipOmronHidDevice *self = NHIP_OMRON_HID_DEVICE(user_data);
	gsize len = 0;
	const guint8 *buf;

	if (!omron_check(self, error))
		return;
	buf = g_bytes_get_data(self->reports, &len);
	if (self->sent < len) {
		gsize at = self->sent;
		self->sent += NHIP_OMRON_HID_REPORT_SIZE;
		nhip_usb_device_write(self->usb, NHIP_USB_TRANSFER_INTERRUPT, self->ep_out,
				      buf + at, NHIP_OMRON_HID_REPORT_SIZE, NHIP_OMRON_HID_REPLY_MS,
				      omron_write_cb, self);
		return;
	}
	omron_read(self);
}

static void
omron_command(NhipOmronHidDevice *self, GBytes *reports)
{
	g_clear_pointer(&self->reports, g_bytes_unref);
	self->reports = reports;
	self->sent = 0;
	self->tries = 0;
	self->answered = FALSE;
	self->refused = FALSE;
	omron_write_cb(self->usb, NULL, NULL, self);
}

static void
omron_mode_cb(NhipUsbDevice *usb, GBytes *data, const GError *error, gpointer user_data)
{
	NhipOmronHidDevice *self = NHIP_OMRON_HID_DEVICE(user_data);

	if (!omron_check(self, error))
		return;
	self->step++;
	omron_run(self);
}

/* HID SET_REPORT, feature report 0, on the control endpoint */
static void
omron_mode(NhipOmronHidDevice *self, NhipOmronHidMode mode)
{
	guint8 data[2] = { 0 };

	nhip_omron_hid_build_mode(mode, data);
	nhip_usb_device_control(self->usb,
				LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS |
					LIBUSB_RECIPIENT_INTERFACE,
				0x09, 0x0300, self->interface_number, data, sizeof(data),
				NHIP_OMRON_HID_REPLY_MS, omron_mode_cb, self);
}

static void
omron_run(NhipOmronHidDevice *self)
{
	switch (self->step) {
	case OMRON_STEP_MODE_INFO:
		omron_mode(self, NHIP_OMRON_HID_MODE_DEVICE_INFO);
		break;
	case OMRON_STEP_VERSION:
		omron_command(self, nhip_omron_hid_build_version());
		break;
	case OMRON_STEP_MODE_DAILY:
		omron_mode(self, NHIP_OMRON_HID_MODE_DAILY);
		break;
	case OMRON_STEP_COUNT:
		omron_command(self, nhip_omron_hid_build_daily_count(0));
		break;
	case OMRON_STEP_RECORD:
		if (self->count < 0) {
			g_autoptr(GError) error =
				g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PROTOCOL,
					    _("%s: the blood-pressure monitor did not say how many "
					      "readings it holds; plug it in again"),
					    nhip_device_get_port(NHIP_DEVICE(self)));
			nhipi_device_fail(NHIP_DEVICE(self), error);
			return;
		}
		if (self->index >= (guint)self->count) {
			self->step = OMRON_STEP_END;
			omron_run(self);
			return;
		}
		omron_command(self, nhip_omron_hid_build_daily_record(0, (guint8)self->index));
		/* the next command asks for the next reading */
		self->index++;
		self->step = OMRON_STEP_RECORD - 1;
		break;
	case OMRON_STEP_END:
		omron_command(self, nhip_omron_hid_build_end());
		break;
	case OMRON_STEP_DONE:
		g_debug("omron-hid: %d readings read", self->count);
		nhipi_device_set_state(NHIP_DEVICE(self), NHIP_DEVICE_STATE_CONNECTED);
		break;
	case OMRON_STEP_NUM_STEPS:
	default:
		g_assert_not_reached();
	}
}

static void
omron_event_cb(NhipDevice *device, NhipDeviceEvent *event, gpointer user_data)
{
	NhipOmronHidDevice *self = NHIP_OMRON_HID_DEVICE(device);

	switch (nhip_device_event_get_kind(event)) {
	case NHIP_DEVICE_EVENT_REFUSED:
		self->refused = TRUE;
		break;
	case NHIP_DEVICE_EVENT_RECORD_COUNT:
		self->count = (gint)nhip_device_event_get_value(event);
		self->answered = TRUE;
		break;
	case NHIP_DEVICE_EVENT_INFO:
	case NHIP_DEVICE_EVENT_POWER_OFF:
	case NHIP_DEVICE_EVENT_SUMMARY:
		self->answered = TRUE;
		break;
	case NHIP_DEVICE_EVENT_CLOCK:
	case NHIP_DEVICE_EVENT_STORED_BEGIN:
	case NHIP_DEVICE_EVENT_STORED_END:
	case NHIP_DEVICE_EVENT_FINGER_OUT:
	case NHIP_DEVICE_EVENT_PROBE_ERROR:
	case NHIP_DEVICE_EVENT_SEARCHING:
	case NHIP_DEVICE_EVENT_SIGNAL_OK:
	case NHIP_DEVICE_EVENT_ASSOCIATED:
	case NHIP_DEVICE_EVENT_CONFIGURED:
	case NHIP_DEVICE_EVENT_RELEASED:
	case NHIP_DEVICE_EVENT_ABORTED:
	default:
		break;
	}
}

static void
omron_measurement_cb(NhipDevice *device, NhipMeasurement *measurement, gpointer user_data)
{
	NHIP_OMRON_HID_DEVICE(device)->answered = TRUE;
}

static gboolean
nhip_omron_hid_device_open(NhipDevice *device, GError **error)
{
	NhipOmronHidDevice *self = NHIP_OMRON_HID_DEVICE(device);
	const NhipDevicePort *port = nhipi_device_get_port_info(device);

	self->usb = nhip_usb_device_open(nhipi_device_get_context(device), port->busnum,
					 port->devnum, port->path, error);
	if (self->usb == NULL)
		return FALSE;
	if (!nhip_usb_device_find_interface(self->usb, LIBUSB_CLASS_HID,
					    LIBUSB_TRANSFER_TYPE_INTERRUPT, &self->interface_number,
					    &self->ep_in, &self->ep_out, error) ||
	    !nhip_usb_device_claim_interface(self->usb, self->interface_number, error)) {
		g_clear_pointer(&self->usb, nhip_usb_device_free);
		return FALSE;
	}
	/* HEM-7xx0IT: interrupt OUT 0x02 even when the descriptor lists none */
	if (self->ep_out == 0)
		self->ep_out = 0x02;
	return TRUE;
}

static void
nhip_omron_hid_device_start(NhipDevice *device)
{
	NhipOmronHidDevice *self = NHIP_OMRON_HID_DEVICE(device);

	self->step = OMRON_STEP_MODE_INFO;
	self->count = -1;
	self->index = 0;
	omron_run(self);
}

static void
nhip_omron_hid_device_close(NhipDevice *device)
{
	NhipOmronHidDevice *self = NHIP_OMRON_HID_DEVICE(device);

	g_clear_pointer(&self->usb, nhip_usb_device_free);
	g_clear_pointer(&self->reports, g_bytes_unref);
}

static void
nhip_omron_hid_device_init(NhipOmronHidDevice *self)
{
	g_signal_connect(self, "event", G_CALLBACK(omron_event_cb), NULL);
	g_signal_connect(self, "measurement", G_CALLBACK(omron_measurement_cb), NULL);
}

static void
nhip_omron_hid_device_class_init(NhipOmronHidDeviceClass *klass)
{
	NhipDeviceClass *device_class = NHIP_DEVICE_CLASS(klass);

	nhipi_device_class_set_driver(device_class, NHIP_OMRON_HID_DRIVER,
				      NHIP_VITAL_BLOOD_PRESSURE);
	device_class->open = nhip_omron_hid_device_open;
	device_class->start = nhip_omron_hid_device_start;
	device_class->close = nhip_omron_hid_device_close;
}
