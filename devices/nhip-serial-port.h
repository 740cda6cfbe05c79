/*
 * Nhịp — serial tty transport (termios), for USB-serial bridges (CP210x, FTDI, PL2303,
 * CH340) and CDC-ACM ports, driven from a GLib main context without blocking it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <termios.h>

G_BEGIN_DECLS

/**
 * NhipSerialParity:
 * @NHIP_SERIAL_PARITY_NONE: no parity bit
 * @NHIP_SERIAL_PARITY_ODD: odd parity
 * @NHIP_SERIAL_PARITY_EVEN: even parity
 */
typedef enum {
	NHIP_SERIAL_PARITY_NONE,
	NHIP_SERIAL_PARITY_ODD,
	NHIP_SERIAL_PARITY_EVEN,
} NhipSerialParity;

/**
 * NhipSerialFlow:
 * @NHIP_SERIAL_FLOW_NONE: no flow control
 * @NHIP_SERIAL_FLOW_XONXOFF: software flow control (XON/XOFF)
 * @NHIP_SERIAL_FLOW_RTSCTS: hardware flow control (RTS/CTS)
 */
typedef enum {
	NHIP_SERIAL_FLOW_NONE,
	NHIP_SERIAL_FLOW_XONXOFF,
	NHIP_SERIAL_FLOW_RTSCTS,
} NhipSerialFlow;

/**
 * NhipSerialSettings:
 * @baud: bits per second (one of the standard rates, 300 to 921600)
 * @data_bits: 5 to 8
 * @parity: parity
 * @stop_bits: 1 or 2
 * @flow: flow control
 *
 * Line settings, written like "19200 8O1 xonxoff" (see nhip_serial_settings_parse()).
 */
typedef struct {
	guint baud;
	guint data_bits;
	NhipSerialParity parity;
	guint stop_bits;
	NhipSerialFlow flow;
} NhipSerialSettings;

gboolean nhip_serial_settings_parse(const gchar *text,
				    NhipSerialSettings *settings,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_serial_settings_to_string(const NhipSerialSettings *settings);
gboolean nhip_serial_settings_to_termios(const NhipSerialSettings *settings, struct termios *tio);
void nhip_serial_settings_from_termios(const struct termios *tio, NhipSerialSettings *settings);

typedef struct _NhipSerialPort NhipSerialPort;

/**
 * NhipSerialReadFunc:
 * @buf: (array length=len): bytes that arrived
 * @len: how many
 * @user_data: the data given to nhip_serial_port_watch()
 */
typedef void (*NhipSerialReadFunc)(const guint8 *buf, gsize len, gpointer user_data);

/**
 * NhipSerialErrorFunc:
 * @error: why the port stopped: %NHIP_DEVICE_ERROR_DISCONNECTED when the line hung up
 * @user_data: the data given to nhip_serial_port_watch()
 *
 * Called once; the port reads and writes nothing more after it.
 */
typedef void (*NhipSerialErrorFunc)(const GError *error, gpointer user_data);

NhipSerialPort *nhip_serial_port_open(const gchar *path,
				      const NhipSerialSettings *settings,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_serial_port_free(NhipSerialPort *self);
const gchar *nhip_serial_port_get_path(NhipSerialPort *self);
gboolean nhip_serial_port_configure(NhipSerialPort *self,
				    const NhipSerialSettings *settings,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_serial_port_get_settings(NhipSerialPort *self,
				       NhipSerialSettings *settings,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_serial_port_watch(NhipSerialPort *self,
			    GMainContext *context,
			    NhipSerialReadFunc read_func,
			    NhipSerialErrorFunc error_func,
			    gpointer user_data);
gboolean nhip_serial_port_write(NhipSerialPort *self, const guint8 *buf, gsize len, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
gsize nhip_serial_port_get_pending(NhipSerialPort *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipSerialPort, nhip_serial_port_free)

G_END_DECLS
