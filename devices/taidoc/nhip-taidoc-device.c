/*
 * Nhịp — TaiDoc / FORA meter.
 *
 * The meter answers requests (protocol in nhip-taidoc-proto.c): the driver wakes it
 * (0x22), asks for its model (0x24, which tells the decoder the value layout), the number
 * of stored readings (0x2B), and the time (0x25) and value (0x26) of each. A request
 * without a valid answer is sent again, twice; a meter that stays silent is reported.
 * Bytes reach the driver either from a serial port (19200 8N1) or from the CP2110
 * HID-to-UART bridge of the TD-42xx meters, whose input reports carry UART bytes with the
 * byte count as report id (Silicon Labs AN434).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-hidraw.h"
#include "nhip-taidoc-device.h"
#include "nhip-taidoc-proto.h"

typedef enum {
	TAIDOC_STEP_CONNECT,
	TAIDOC_STEP_MODEL,
	TAIDOC_STEP_COUNT,
	TAIDOC_STEP_RECORD_TIME,
	TAIDOC_STEP_RECORD_VALUE,
	TAIDOC_STEP_DONE,
	TAIDOC_STEP_NUM_STEPS
} TaidocStep;

struct _NhipTaidocDevice {
	NhipDevice parent_instance;
	NhipSerialPort *port;
	NhipHidraw *hidraw;
	GSource *timeout;
	TaidocStep step;
	guint8 request[NHIP_TAIDOC_FRAME_SIZE];
	guint tries;
	guint count;
	guint index;
	GByteArray *frames; /* bytes from the meter, scanned for the answer */
};

G_DEFINE_TYPE(NhipTaidocDevice, nhip_taidoc_device, NHIP_TYPE_DEVICE)

static void taidoc_run(NhipTaidocDevice *self);

static void
taidoc_stop_timeout(NhipTaidocDevice *self)
{
	if (self->timeout != NULL) {
		g_source_destroy(self->timeout);
		g_clear_pointer(&self->timeout, g_source_unref);
	}
}

static gboolean
taidoc_send_bytes(NhipTaidocDevice *self, const guint8 *buf, gsize len, GError **error)
{
	if (self->port != NULL)
		return nhip_serial_port_write(self->port, buf, len, error);
	/* CP2110: the report id of an output report is the number of UART bytes */
	return nhip_hidraw_write(self->hidraw, (guint8)len, buf, len, error);
}

static gboolean
taidoc_timeout_cb(gpointer user_data)
{
	NhipTaidocDevice *self = NHIP_TAIDOC_DEVICE(user_data);
	g_autoptr(GError) error = NULL;

	g_clear_pointer(&self->timeout, g_source_unref);
	if (++self->tries < NHIP_TAIDOC_TRIES) {
		g_debug("taidoc: no answer to 0x%02x, asking again", self->request[1]);
		if (!taidoc_send_bytes(self, self->request, sizeof(self->request), &error)) {
			nhipi_device_fail(NHIP_DEVICE(self), error);
			return G_SOURCE_REMOVE;
		}
		self->timeout = nhipi_device_timeout_new(NHIP_DEVICE(self), NHIP_TAIDOC_REPLY_MS,
							 taidoc_timeout_cb);
		return G_SOURCE_REMOVE;
	}
	error = g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_TIMEOUT,
			    _("%s: the meter stopped answering; its battery may be flat — "
			      "replace it, switch the meter on and plug it in again"),
			    nhip_device_get_port(NHIP_DEVICE(self)));
	nhipi_device_fail(NHIP_DEVICE(self), error);
	return G_SOURCE_REMOVE;
}

static void
taidoc_request(NhipTaidocDevice *self, NhipTaidocCommand cmd, gboolean record)
{
	g_autoptr(GError) error = NULL;

	if (record)
		nhip_taidoc_build_record_request(cmd, (guint16)self->index, self->request);
	else
		nhip_taidoc_build_request(cmd, self->request);
	self->tries = 0;
	g_byte_array_set_size(self->frames, 0);
	if (!taidoc_send_bytes(self, self->request, sizeof(self->request), &error)) {
		nhipi_device_fail(NHIP_DEVICE(self), error);
		return;
	}
	taidoc_stop_timeout(self);
	self->timeout = nhipi_device_timeout_new(NHIP_DEVICE(self), NHIP_TAIDOC_REPLY_MS,
						 taidoc_timeout_cb);
}

static void
taidoc_run(NhipTaidocDevice *self)
{
	switch (self->step) {
	case TAIDOC_STEP_CONNECT:
		taidoc_request(self, NHIP_TAIDOC_CMD_CONNECT, FALSE);
		break;
	case TAIDOC_STEP_MODEL:
		taidoc_request(self, NHIP_TAIDOC_CMD_GET_MODEL, FALSE);
		break;
	case TAIDOC_STEP_COUNT:
		taidoc_request(self, NHIP_TAIDOC_CMD_GET_RECORD_COUNT, FALSE);
		break;
	case TAIDOC_STEP_RECORD_TIME:
		if (self->index >= self->count) {
			self->step = TAIDOC_STEP_DONE;
			taidoc_run(self);
			return;
		}
		taidoc_request(self, NHIP_TAIDOC_CMD_GET_RECORD_TIME, TRUE);
		break;
	case TAIDOC_STEP_RECORD_VALUE:
		taidoc_request(self, NHIP_TAIDOC_CMD_GET_RECORD_VALUE, TRUE);
		break;
	case TAIDOC_STEP_DONE:
		taidoc_stop_timeout(self);
		g_debug("taidoc: %u readings read", self->count);
		break;
	case TAIDOC_STEP_NUM_STEPS:
	default:
		g_assert_not_reached();
	}
}

/* the answer to the request in flight: a meter frame with a good checksum whose command
 * is the request's (a connect may be answered by 0x22, 0x24 or 0x54) */
static gboolean
taidoc_is_answer(NhipTaidocDevice *self, const guint8 *f)
{
	guint8 want = self->request[1];

	if (f[0] != NHIP_TAIDOC_START || f[6] != NHIP_TAIDOC_DIR_FROM_METER ||
	    nhip_taidoc_checksum(f, NHIP_TAIDOC_FRAME_SIZE - 1) != f[7])
		return FALSE;
	if (want == NHIP_TAIDOC_CMD_CONNECT)
		return f[1] == NHIP_TAIDOC_CMD_CONNECT || f[1] == NHIP_TAIDOC_CMD_GET_MODEL ||
		       f[1] == NHIP_TAIDOC_CMD_ENTER_COMM;
	return f[1] == want;
}

static void
taidoc_bytes(NhipTaidocDevice *self, const guint8 *buf, gsize len)
{
	NhipDevice *device = NHIP_DEVICE(self);

	nhipi_device_feed(device, buf, len);
	if (self->port == NULL && self->hidraw == NULL)
		return;
	g_byte_array_append(self->frames, buf, (guint)len);
	for (guint i = 0; i + NHIP_TAIDOC_FRAME_SIZE <= self->frames->len; i++) {
		const guint8 *f = self->frames->data + i;

		if (!taidoc_is_answer(self, f))
			continue;
		if (self->step == TAIDOC_STEP_COUNT)
			self->count = (guint)(f[2] | (f[3] << 8));
		g_byte_array_set_size(self->frames, 0);
		taidoc_stop_timeout(self);
		if (self->step == TAIDOC_STEP_RECORD_VALUE) {
			self->index++;
			self->step = TAIDOC_STEP_RECORD_TIME;
		} else {
			self->step++;
		}
		taidoc_run(self);
		return;
	}
}

static void
taidoc_serial_cb(const guint8 *buf, gsize len, gpointer user_data)
{
	taidoc_bytes(NHIP_TAIDOC_DEVICE(user_data), buf, len);
}

static void
taidoc_report_cb(guint8 report_id, const guint8 *data, gsize len, gpointer user_data)
{
	/* CP2110 input reports 0x01-0x3F carry that many UART bytes; others are status */
	if (report_id == 0 || report_id > 0x3F || report_id > len)
		return;
	taidoc_bytes(NHIP_TAIDOC_DEVICE(user_data), data, report_id);
}

static void
taidoc_hidraw_error_cb(const GError *error, gpointer user_data)
{
	nhipi_device_lost(NHIP_DEVICE(user_data), error);
}

/* the CP2110 bridge: UART on, 19200 8N1 without flow control, FIFOs emptied */
static gboolean
taidoc_cp2110_setup(NhipTaidocDevice *self, GError **error)
{
	const guint8 enable[] = { 0x01 };
	const guint8 config[] = { 0x00, 0x00, 0x4B, 0x00, /* 19200 baud, big-endian */
				  0x00,			  /* no parity */
				  0x00,			  /* no flow control */
				  0x03,			  /* 8 data bits */
				  0x00 };		  /* 1 stop bit */
	const guint8 purge[] = { 0x03 };

	if (!nhip_hidraw_set_feature(self->hidraw, NHIP_CP2110_UART_ENABLE, enable, sizeof(enable),
				     error) ||
	    !nhip_hidraw_set_feature(self->hidraw, NHIP_CP2110_UART_CONFIG, config, sizeof(config),
				     error) ||
	    !nhip_hidraw_set_feature(self->hidraw, NHIP_CP2110_PURGE_FIFOS, purge, sizeof(purge),
				     error)) {
		g_prefix_error(error, _("the CP2110 bridge of the meter cannot be set up: "));
		return FALSE;
	}
	return TRUE;
}

static gboolean
nhip_taidoc_device_open(NhipDevice *device, GError **error)
{
	NhipTaidocDevice *self = NHIP_TAIDOC_DEVICE(device);
	const NhipDevicePort *port = nhipi_device_get_port_info(device);

	if (port->transport == NHIP_TRANSPORT_SERIAL) {
		self->port = nhipi_device_open_serial(device, NHIP_TAIDOC_SERIAL_SETTINGS,
						      taidoc_serial_cb, error);
		return self->port != NULL;
	}
	self->hidraw = nhip_hidraw_open(port->path, TRUE, error);
	if (self->hidraw == NULL)
		return FALSE;
	if (!taidoc_cp2110_setup(self, error)) {
		g_clear_pointer(&self->hidraw, nhip_hidraw_free);
		return FALSE;
	}
	nhip_hidraw_watch(self->hidraw, nhipi_device_get_context(device), taidoc_report_cb,
			  taidoc_hidraw_error_cb, self);
	return TRUE;
}

static void
nhip_taidoc_device_start(NhipDevice *device)
{
	NhipTaidocDevice *self = NHIP_TAIDOC_DEVICE(device);

	self->step = TAIDOC_STEP_CONNECT;
	self->count = 0;
	self->index = 0;
	taidoc_run(self);
}

static void
nhip_taidoc_device_close(NhipDevice *device)
{
	NhipTaidocDevice *self = NHIP_TAIDOC_DEVICE(device);

	taidoc_stop_timeout(self);
	g_clear_pointer(&self->port, nhip_serial_port_free);
	g_clear_pointer(&self->hidraw, nhip_hidraw_free);
}

static void
nhip_taidoc_device_finalize(GObject *object)
{
	NhipTaidocDevice *self = NHIP_TAIDOC_DEVICE(object);

	g_byte_array_unref(self->frames);
	G_OBJECT_CLASS(nhip_taidoc_device_parent_class)->finalize(object);
}

static void
nhip_taidoc_device_init(NhipTaidocDevice *self)
{
	self->frames = g_byte_array_new();
}

static void
nhip_taidoc_device_class_init(NhipTaidocDeviceClass *klass)
{
	NhipDeviceClass *device_class = NHIP_DEVICE_CLASS(klass);
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->finalize = nhip_taidoc_device_finalize;
	nhipi_device_class_set_driver(device_class, NHIP_TAIDOC_DRIVER, NHIP_VITAL_GLUCOSE);
	device_class->serial_ports = TRUE;
	device_class->open = nhip_taidoc_device_open;
	device_class->start = nhip_taidoc_device_start;
	device_class->close = nhip_taidoc_device_close;
}
