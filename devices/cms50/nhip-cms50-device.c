/*
 * Nhịp — Contec CMS50 pulse oximeter on a CP210x serial port.
 *
 * The oximeter speaks one of two protocol generations at different line settings (see
 * README.md). The driver opens the port at 115200 8N1 and asks for the F37 live stream;
 * while the decoder has recognised neither generation, it switches between 115200 8N1
 * and 19200 8O1 every two seconds (an old CMS50D+ streams unasked). Once the generation is
 * known, the F37 stream is kept alive, and a stream that stops is reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-cms50-device.h"
#include "nhip-cms50-proto.h"

struct _NhipCms50Device {
	NhipDevice parent_instance;
	NhipSerialPort *port;
	GSource *tick;
	NhipCms50Protocol line; /* the line settings now in use */
	gint64 line_since;
	gint64 last_keepalive;
	gint64 last_byte;
	gboolean silent;
};

G_DEFINE_TYPE(NhipCms50Device, nhip_cms50_device, NHIP_TYPE_DEVICE)

#define TICK_MS 500

static void
cms50_send(NhipCms50Device *self, NhipCms50Command cmd)
{
	guint8 frame[NHIP_CMS50_F37_COMMAND_SIZE] = { 0 };
	g_autoptr(GError) error = NULL;

	nhip_cms50_build_command(cmd, NULL, 0, frame);
	if (!nhip_serial_port_write(self->port, frame, sizeof(frame), &error))
		nhipi_device_fail(NHIP_DEVICE(self), error);
}

/* F37: stop whatever runs, ask who it is, start the live stream */
static void
cms50_f37_hello(NhipCms50Device *self)
{
	cms50_send(self, NHIP_CMS50_CMD_STOP_STORED);
	cms50_send(self, NHIP_CMS50_CMD_STOP_LIVE);
	cms50_send(self, NHIP_CMS50_CMD_MODEL);
	cms50_send(self, NHIP_CMS50_CMD_DEVICE_ID);
	cms50_send(self, NHIP_CMS50_CMD_START_LIVE);
	self->last_keepalive = g_get_monotonic_time();
}

static gboolean
cms50_set_line(NhipCms50Device *self, NhipCms50Protocol line)
{
	NhipSerialSettings settings = { 0 };
	g_autoptr(GError) error = NULL;

	if (!nhip_serial_settings_parse(line == NHIP_CMS50_PROTOCOL_OLD ? NHIP_CMS50_OLD_SETTINGS
									: NHIP_CMS50_F37_SETTINGS,
					&settings, &error) ||
	    !nhip_serial_port_configure(self->port, &settings, &error)) {
		nhipi_device_fail(NHIP_DEVICE(self), error);
		return FALSE;
	}
	g_debug("cms50: %s", line == NHIP_CMS50_PROTOCOL_OLD ? NHIP_CMS50_OLD_SETTINGS
							     : NHIP_CMS50_F37_SETTINGS);
	self->line = line;
	self->line_since = g_get_monotonic_time();
	return TRUE;
}

static void
cms50_read_cb(const guint8 *buf, gsize len, gpointer user_data)
{
	NhipCms50Device *self = NHIP_CMS50_DEVICE(user_data);
	NhipDevice *device = NHIP_DEVICE(self);
	NhipCms50Protocol protocol;

	self->last_byte = g_get_monotonic_time();
	if (self->silent) {
		self->silent = FALSE;
		nhipi_device_set_state(device, NHIP_DEVICE_STATE_READING);
	}
	nhipi_device_feed(device, buf, len);
	if (self->port == NULL)
		return;
	/* the bytes tell which generation this is: follow with the line settings (on a real
	 * port the wrong speed gives no valid frame, so this only tidies up) */
	protocol = nhip_cms50_decoder_get_protocol(nhipi_device_get_decoder(device));
	if (protocol != NHIP_CMS50_PROTOCOL_UNKNOWN && protocol != self->line)
		cms50_set_line(self, protocol);
}

static gboolean
cms50_tick_cb(gpointer user_data)
{
	NhipCms50Device *self = NHIP_CMS50_DEVICE(user_data);
	NhipDevice *device = NHIP_DEVICE(self);
	NhipCms50Protocol protocol =
		nhip_cms50_decoder_get_protocol(nhipi_device_get_decoder(device));
	gint64 now = g_get_monotonic_time();

	if (protocol == NHIP_CMS50_PROTOCOL_UNKNOWN) {
		/* nothing recognised yet at this speed: try the other generation */
		if (now - self->line_since >= NHIP_CMS50_PROBE_MS * G_TIME_SPAN_MILLISECOND) {
			NhipCms50Protocol next = self->line == NHIP_CMS50_PROTOCOL_F37
							 ? NHIP_CMS50_PROTOCOL_OLD
							 : NHIP_CMS50_PROTOCOL_F37;
			nhipi_device_reset_decoder(device);
			if (!cms50_set_line(self, next))
				return G_SOURCE_CONTINUE;
			if (next == NHIP_CMS50_PROTOCOL_F37)
				cms50_f37_hello(self);
		}
		return G_SOURCE_CONTINUE;
	}
	if (protocol == NHIP_CMS50_PROTOCOL_F37 &&
	    now - self->last_keepalive >= NHIP_CMS50_KEEPALIVE_MS * G_TIME_SPAN_MILLISECOND) {
		cms50_send(self, NHIP_CMS50_CMD_START_LIVE);
		self->last_keepalive = now;
	}
	if (!self->silent &&
	    now - self->last_byte >= NHIP_CMS50_SILENCE_MS * G_TIME_SPAN_MILLISECOND) {
		g_autoptr(GError) error = g_error_new(
			NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_TIMEOUT,
			_("%s: the oximeter stopped sending readings; its batteries may be flat "
			  "— replace them or switch the oximeter on again"),
			nhip_device_get_port(device));
		self->silent = TRUE;
		nhipi_device_fail(device, error);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
nhip_cms50_device_open(NhipDevice *device, GError **error)
{
	NhipCms50Device *self = NHIP_CMS50_DEVICE(device);

	self->port =
		nhipi_device_open_serial(device, NHIP_CMS50_F37_SETTINGS, cms50_read_cb, error);
	if (self->port == NULL)
		return FALSE;
	self->line = NHIP_CMS50_PROTOCOL_F37;
	self->line_since = g_get_monotonic_time();
	self->last_byte = self->line_since;
	self->silent = FALSE;
	return TRUE;
}

static void
nhip_cms50_device_start(NhipDevice *device)
{
	NhipCms50Device *self = NHIP_CMS50_DEVICE(device);

	cms50_f37_hello(self);
	self->tick = nhipi_device_timeout_new(device, TICK_MS, cms50_tick_cb);
}

static void
nhip_cms50_device_stop(NhipDevice *device)
{
	NhipCms50Device *self = NHIP_CMS50_DEVICE(device);
	NhipCms50Protocol protocol =
		nhip_cms50_decoder_get_protocol(nhipi_device_get_decoder(device));

	if (self->port != NULL && protocol == NHIP_CMS50_PROTOCOL_F37)
		cms50_send(self, NHIP_CMS50_CMD_STOP_LIVE);
}

static void
nhip_cms50_device_close(NhipDevice *device)
{
	NhipCms50Device *self = NHIP_CMS50_DEVICE(device);

	if (self->tick != NULL) {
		g_source_destroy(self->tick);
		g_clear_pointer(&self->tick, g_source_unref);
	}
	g_clear_pointer(&self->port, nhip_serial_port_free);
}

static void
nhip_cms50_device_init(NhipCms50Device *self)
{
}

static void
nhip_cms50_device_class_init(NhipCms50DeviceClass *klass)
{
	NhipDeviceClass *device_class = NHIP_DEVICE_CLASS(klass);

	nhipi_device_class_set_driver(device_class, NHIP_CMS50_DRIVER, NHIP_VITAL_SPO2);
	device_class->open = nhip_cms50_device_open;
	device_class->start = nhip_cms50_device_start;
	device_class->stop = nhip_cms50_device_stop;
	device_class->close = nhip_cms50_device_close;
}
