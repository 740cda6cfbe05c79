/*
 * Nhịp — serial tty transport (termios).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "nhip-device-error.h"
#include "nhip-serial-port.h"

/* a write that cannot go out at once is queued; a device that takes nothing for this long
 * makes the queue grow past this limit, which is reported */
#define NHIP_SERIAL_WRITE_QUEUE_MAX (64 * 1024)

struct _NhipSerialPort {
	gchar *path;
	gint fd;
	GMainContext *context;
	GSource *read_source;
	GSource *write_source;
	GByteArray *pending;
	NhipSerialReadFunc read_func;
	NhipSerialErrorFunc error_func;
	gpointer user_data;
	gboolean failed;
	/* a callback may free the port (a listener closes the device): the free waits until
	 * the callback returns */
	guint in_callback;
	gboolean free_pending;
};

static void serial_port_really_free(NhipSerialPort *self);

static const struct {
	guint baud;
	speed_t speed;
} serial_bauds[] = {
	{ 300, B300 },	     { 600, B600 },	  { 1200, B1200 },     { 2400, B2400 },
	{ 4800, B4800 },     { 9600, B9600 },	  { 19200, B19200 },   { 38400, B38400 },
	{ 57600, B57600 },   { 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 921600, B921600 },
};

static gboolean
serial_baud_to_speed(guint baud, speed_t *speed)
{
	for (guint i = 0; i < G_N_ELEMENTS(serial_bauds); i++) {
		if (serial_bauds[i].baud == baud) {
			*speed = serial_bauds[i].speed;
			return TRUE;
		}
	}
	return FALSE;
}

static guint
serial_speed_to_baud(speed_t speed)
{
	for (guint i = 0; i < G_N_ELEMENTS(serial_bauds); i++) {
		if (serial_bauds[i].speed == speed)
			return serial_bauds[i].baud;
	}
	return 0;
}

/**
 * nhip_serial_settings_parse:
 * @text: e.g. "9600 8N1", "19200 8O1 xonxoff", "115200 8N1 rtscts"
 * @settings: (out caller-allocates): the settings read
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is a complete, supported line setting
 */
gboolean
nhip_serial_settings_parse(const gchar *text, NhipSerialSettings *settings, GError **error)
{
	g_auto(GStrv) words = NULL;
	NhipSerialSettings result = { 0 };
	speed_t speed;
	guint64 baud = 0;
	guint n_words;

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(settings != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	words = g_strsplit_set(text, " \t", -1);
	n_words = 0;
	for (guint i = 0; words[i] != NULL; i++) {
		if (words[i][0] != '\0')
			words[n_words++] = words[i];
		else
			g_free(words[i]);
	}
	words[n_words] = NULL;
	if (n_words < 2 || n_words > 3 ||
	    !g_ascii_string_to_unsigned(words[0], 10, 1, G_MAXUINT, &baud, NULL) ||
	    !serial_baud_to_speed((guint)baud, &speed) || strlen(words[1]) != 3 ||
	    words[1][0] < '5' || words[1][0] > '8' || words[1][2] < '1' || words[1][2] > '2') {
		g_set_error(
			error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT,
			_("“%s” is not a serial line setting; write it like “9600 8N1” or "
			  "“19200 8O1 xonxoff” (a standard baud rate, 5-8 data bits, parity N, O "
			  "or E, 1 or 2 stop bits, optional xonxoff or rtscts)"),
			text);
		return FALSE;
	}
	result.baud = (guint)baud;
	result.data_bits = (guint)(words[1][0] - '0');
	result.stop_bits = (guint)(words[1][2] - '0');
	switch (g_ascii_toupper(words[1][1])) {
	case 'N':
		result.parity = NHIP_SERIAL_PARITY_NONE;
		break;
	case 'O':
		result.parity = NHIP_SERIAL_PARITY_ODD;
		break;
	case 'E':
		result.parity = NHIP_SERIAL_PARITY_EVEN;
		break;
	default:
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT,
			    _("“%s”: parity must be N, O or E"), text);
		return FALSE;
	}
	result.flow = NHIP_SERIAL_FLOW_NONE;
	if (n_words == 3) {
		if (g_ascii_strcasecmp(words[2], "xonxoff") == 0) {
			result.flow = NHIP_SERIAL_FLOW_XONXOFF;
		} else if (g_ascii_strcasecmp(words[2], "rtscts") == 0) {
			result.flow = NHIP_SERIAL_FLOW_RTSCTS;
		} else if (g_ascii_strcasecmp(words[2], "none") != 0) {
			g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT,
				    _("“%s”: flow control must be none, xonxoff or rtscts"), text);
			return FALSE;
		}
	}
	*settings = result;
	return TRUE;
}

/**
 * nhip_serial_settings_to_string:
 * @settings: line settings
 *
 * Returns: (transfer full): e.g. "19200 8O1 xonxoff"
 */
gchar *
nhip_serial_settings_to_string(const NhipSerialSettings *settings)
{
	const gchar parity[] = { 'N', 'O', 'E' };
	const gchar *flow = "";

	g_return_val_if_fail(settings != NULL, NULL);
	if (settings->flow == NHIP_SERIAL_FLOW_XONXOFF)
		flow = " xonxoff";
	else if (settings->flow == NHIP_SERIAL_FLOW_RTSCTS)
		flow = " rtscts";
	return g_strdup_printf("%u %u%c%u%s", settings->baud, settings->data_bits,
			       parity[settings->parity % 3], settings->stop_bits, flow);
}

/**
 * nhip_serial_settings_to_termios:
 * @settings: line settings
 * @tio: (inout): termios to change: raw mode (no echo, no line editing, no CR/LF
 *   translation) with @settings
 *
 * Returns: %FALSE if @settings holds a value termios cannot express
 */
gboolean
nhip_serial_settings_to_termios(const NhipSerialSettings *settings, struct termios *tio)
{
	speed_t speed;

	g_return_val_if_fail(settings != NULL, FALSE);
	g_return_val_if_fail(tio != NULL, FALSE);

	if (!serial_baud_to_speed(settings->baud, &speed) || settings->data_bits < 5 ||
	    settings->data_bits > 8 || settings->stop_bits < 1 || settings->stop_bits > 2)
		return FALSE;
	cfmakeraw(tio);
	tio->c_cflag |= CLOCAL | CREAD;
	tio->c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	switch (settings->data_bits) {
	case 5:
		tio->c_cflag |= CS5;
		break;
	case 6:
		tio->c_cflag |= CS6;
		break;
	case 7:
		tio->c_cflag |= CS7;
		break;
	default:
		tio->c_cflag |= CS8;
		break;
	}
	if (settings->parity != NHIP_SERIAL_PARITY_NONE) {
		tio->c_cflag |= PARENB;
		if (settings->parity == NHIP_SERIAL_PARITY_ODD)
			tio->c_cflag |= PARODD;
		/* drop bytes with a parity error instead of passing them on */
		tio->c_iflag |= INPCK;
		tio->c_iflag &= ~(PARMRK | IGNPAR);
	}
	if (settings->stop_bits == 2)
		tio->c_cflag |= CSTOPB;
	tio->c_iflag &= ~(IXON | IXOFF | IXANY);
	if (settings->flow == NHIP_SERIAL_FLOW_XONXOFF)
		tio->c_iflag |= IXON | IXOFF;
	else if (settings->flow == NHIP_SERIAL_FLOW_RTSCTS)
		tio->c_cflag |= CRTSCTS;
	tio->c_cc[VMIN] = 0;
	tio->c_cc[VTIME] = 0;
	return cfsetispeed(tio, speed) == 0 && cfsetospeed(tio, speed) == 0;
}

/**
 * nhip_serial_settings_from_termios:
 * @tio: termios
 * @settings: (out caller-allocates): the line settings @tio holds
 */
void
nhip_serial_settings_from_termios(const struct termios *tio, NhipSerialSettings *settings)
{
	g_return_if_fail(tio != NULL);
	g_return_if_fail(settings != NULL);

	settings->baud = serial_speed_to_baud(cfgetospeed(tio));
	switch (tio->c_cflag & CSIZE) {
	case CS5:
		settings->data_bits = 5;
		break;
	case CS6:
		settings->data_bits = 6;
		break;
	case CS7:
		settings->data_bits = 7;
		break;
	default:
		settings->data_bits = 8;
		break;
	}
	if ((tio->c_cflag & PARENB) == 0)
		settings->parity = NHIP_SERIAL_PARITY_NONE;
	else if (tio->c_cflag & PARODD)
		settings->parity = NHIP_SERIAL_PARITY_ODD;
	else
		settings->parity = NHIP_SERIAL_PARITY_EVEN;
	settings->stop_bits = (tio->c_cflag & CSTOPB) ? 2 : 1;
	if (tio->c_cflag & CRTSCTS)
		settings->flow = NHIP_SERIAL_FLOW_RTSCTS;
	else if (tio->c_iflag & IXON)
		settings->flow = NHIP_SERIAL_FLOW_XONXOFF;
	else
		settings->flow = NHIP_SERIAL_FLOW_NONE;
}

/**
 * nhip_serial_port_open:
 * @path: the tty, e.g. /dev/ttyUSB0 or /dev/ttyACM0 (or a pseudo-terminal)
 * @settings: line settings
 * @error: return location for a #GError
 *
 * Opens the tty without blocking and without making it our controlling terminal, takes it
 * for ourselves (TIOCEXCL), puts it in raw mode with @settings and drops what was waiting
 * in it. Nothing is read until nhip_serial_port_watch().
 *
 * Returns: (transfer full) (nullable): the port
 */
NhipSerialPort *
nhip_serial_port_open(const gchar *path, const NhipSerialSettings *settings, GError **error)
{
	g_autoptr(NhipSerialPort) self = NULL;
	struct termios tio = { 0 };
	gint fd;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(settings != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		nhip_device_error_set_errno(error, errno, _("open"), path);
		return NULL;
	}
	self = g_new0(NhipSerialPort, 1);
	self->fd = fd;
	self->path = g_strdup(path);
	self->pending = g_byte_array_new();
	/* tcgetattr rather than isatty: the same test, and one that umockdev's emulated ttys
	 * answer too */
	if (tcgetattr(fd, &tio) < 0) {
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_SUPPORTED,
			    _("%s is not a serial port; give the tty of the device, e.g. "
			      "/dev/ttyUSB0"),
			    path);
		return NULL;
	}
	/* a second program on the same port would steal half of the bytes */
	if (ioctl(fd, TIOCEXCL) < 0)
		g_debug("%s: TIOCEXCL: %s", path, g_strerror(errno));
	if (!nhip_serial_port_configure(self, settings, error))
		return NULL;
	/* bytes sent before we listened belong to no request of ours */
	if (tcflush(fd, TCIOFLUSH) < 0)
		g_debug("%s: tcflush: %s", path, g_strerror(errno));
	return g_steal_pointer(&self);
}

/**
 * nhip_serial_port_configure:
 * @self: a port
 * @settings: new line settings
 * @error: return location for a #GError
 *
 * Sets raw mode (no echo, no line editing, no CR/LF translation) and @settings, e.g. to
 * switch a CMS50 probe from 115200 8N1 to 19200 8O1.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_serial_port_configure(NhipSerialPort *self, const NhipSerialSettings *settings, GError **error)
{
	struct termios tio = { 0 };

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(settings != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (tcgetattr(self->fd, &tio) < 0) {
		nhip_device_error_set_errno(error, errno, _("read the line settings of"),
					    self->path);
		return FALSE;
	}
	if (!nhip_serial_settings_to_termios(settings, &tio)) {
		g_autofree gchar *text = nhip_serial_settings_to_string(settings);
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT,
			    _("%s: the line setting %s is not supported"), self->path, text);
		return FALSE;
	}
	if (tcsetattr(self->fd, TCSANOW, &tio) < 0) {
		g_autofree gchar *text = nhip_serial_settings_to_string(settings);
		g_autofree gchar *what = g_strdup_printf(_("set %s on"), text);
		nhip_device_error_set_errno(error, errno, what, self->path);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_serial_port_get_settings:
 * @self: a port
 * @settings: (out caller-allocates): the settings the tty has now
 * @error: return location for a #GError
 *
 * Reads the line settings back from the tty (tests check them: a pseudo-terminal accepts
 * every setting but enforces none).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_serial_port_get_settings(NhipSerialPort *self, NhipSerialSettings *settings, GError **error)
{
	struct termios tio = { 0 };

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(settings != NULL, FALSE);

	if (tcgetattr(self->fd, &tio) < 0) {
		nhip_device_error_set_errno(error, errno, _("read the line settings of"),
					    self->path);
		return FALSE;
	}
	nhip_serial_settings_from_termios(&tio, settings);
	return TRUE;
}

const gchar *
nhip_serial_port_get_path(NhipSerialPort *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->path;
}

static void
serial_port_stop_sources(NhipSerialPort *self)
{
	if (self->read_source != NULL) {
		g_source_destroy(self->read_source);
		g_clear_pointer(&self->read_source, g_source_unref);
	}
	if (self->write_source != NULL) {
		g_source_destroy(self->write_source);
		g_clear_pointer(&self->write_source, g_source_unref);
	}
}

/* the port is dead: stop every source and tell the owner once */
static void
serial_port_fail(NhipSerialPort *self, GError *error)
{
	g_autoptr(GError) error_owned = error;

	if (self->failed)
		return;
	self->failed = TRUE;
	serial_port_stop_sources(self);
	g_byte_array_set_size(self->pending, 0);
	if (self->error_func != NULL) {
		self->in_callback++;
		self->error_func(error_owned, self->user_data);
		self->in_callback--;
	}
}

static gboolean
serial_port_read_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	NhipSerialPort *self = user_data;
	guint8 buf[4096] = { 0 };

	/* drain what is there first: the last bytes before a hang-up still count */
	for (;;) {
		gssize n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			if (self->read_func != NULL) {
				self->in_callback++;
				self->read_func(buf, (gsize)n, self->user_data);
				self->in_callback--;
			}
			if (self->free_pending) {
				serial_port_really_free(self);
				return G_SOURCE_REMOVE;
			}
			if (self->failed)
				return G_SOURCE_REMOVE;
			if ((gsize)n < sizeof(buf))
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == 0 || errno == EIO) {
			/* end of file on a tty: the line hung up (pseudo-terminals give EIO) */
			g_autoptr(GError) error = NULL;
			nhip_device_error_set_errno(&error, EIO, _("read from"), self->path);
			g_clear_pointer(&self->read_source, g_source_unref);
			serial_port_fail(self, g_steal_pointer(&error));
			if (self->free_pending)
				serial_port_really_free(self);
			return G_SOURCE_REMOVE;
		} else {
			g_autoptr(GError) error = NULL;
			nhip_device_error_set_errno(&error, errno, _("read from"), self->path);
			g_clear_pointer(&self->read_source, g_source_unref);
			serial_port_fail(self, g_steal_pointer(&error));
			if (self->free_pending)
				serial_port_really_free(self);
			return G_SOURCE_REMOVE;
		}
	}
	if (condition & (G_IO_HUP | G_IO_ERR)) {
		g_autoptr(GError) error = NULL;
		nhip_device_error_set_errno(&error, EIO, _("read from"), self->path);
		g_clear_pointer(&self->read_source, g_source_unref);
		serial_port_fail(self, g_steal_pointer(&error));
		if (self->free_pending)
			serial_port_really_free(self);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/**
 * nhip_serial_port_watch:
 * @self: a port
 * @context: (nullable): the main context that runs the callbacks; %NULL for the thread
 *   default
 * @read_func: called with each chunk of bytes that arrives
 * @error_func: called once when the port stops (hang-up, unplug, I/O error)
 * @user_data: passed to both
 *
 * Starts reading. Every call is made from @context; nothing ever blocks.
 */
void
nhip_serial_port_watch(NhipSerialPort *self,
		       GMainContext *context,
		       NhipSerialReadFunc read_func,
		       NhipSerialErrorFunc error_func,
		       gpointer user_data)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(self->read_source == NULL);

	self->context = context != NULL ? context : g_main_context_get_thread_default();
	self->read_func = read_func;
	self->error_func = error_func;
	self->user_data = user_data;
	self->read_source = g_unix_fd_source_new(self->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(self->read_source, G_SOURCE_FUNC(serial_port_read_cb), self, NULL);
	g_source_set_static_name(self->read_source, "NhipSerialPort read");
	g_source_attach(self->read_source, self->context);
}

/* writes what the queue holds; FALSE on a hard error */
static gboolean
serial_port_flush(NhipSerialPort *self, GError **error)
{
	while (self->pending->len > 0) {
		gssize n = write(self->fd, self->pending->data, self->pending->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE;
		if (n < 0) {
			nhip_device_error_set_errno(error, errno, _("write to"), self->path);
			return FALSE;
		}
		g_byte_array_remove_range(self->pending, 0, (guint)n);
	}
	return TRUE;
}

static gboolean
serial_port_write_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	NhipSerialPort *self = user_data;
	g_autoptr(GError) error = NULL;

	if (!serial_port_flush(self, &error)) {
		g_clear_pointer(&self->write_source, g_source_unref);
		serial_port_fail(self, g_steal_pointer(&error));
		if (self->free_pending)
			serial_port_really_free(self);
		return G_SOURCE_REMOVE;
	}
	if (self->pending->len > 0)
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&self->write_source, g_source_unref);
	return G_SOURCE_REMOVE;
}

/**
 * nhip_serial_port_write:
 * @self: a port
 * @buf: (array length=len): bytes to send
 * @len: how many
 * @error: return location for a #GError
 *
 * Sends bytes without blocking: what the tty cannot take now is queued and sent from the
 * main context given to nhip_serial_port_watch() as soon as it can.
 *
 * Returns: %TRUE if the bytes were sent or queued
 */
gboolean
nhip_serial_port_write(NhipSerialPort *self, const guint8 *buf, gsize len, GError **error)
{
	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(buf != NULL || len == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->failed) {
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_DISCONNECTED,
			    _("cannot write to %s: the port is closed; plug the device in again"),
			    self->path);
		return FALSE;
	}
	if (self->pending->len + len > NHIP_SERIAL_WRITE_QUEUE_MAX) {
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_TIMEOUT,
			    _("cannot write to %s: the device takes no data (%u bytes wait); "
			      "check the cable and the flow control setting"),
			    self->path, self->pending->len);
		return FALSE;
	}
	g_byte_array_append(self->pending, buf, (guint)len);
	if (!serial_port_flush(self, error))
		return FALSE;
	if (self->pending->len > 0 && self->write_source == NULL) {
		self->write_source = g_unix_fd_source_new(self->fd, G_IO_OUT);
		g_source_set_callback(self->write_source, G_SOURCE_FUNC(serial_port_write_cb), self,
				      NULL);
		g_source_set_static_name(self->write_source, "NhipSerialPort write");
		g_source_attach(self->write_source, self->context);
	}
	return TRUE;
}

/**
 * nhip_serial_port_get_pending:
 * @self: a port
 *
 * Returns: how many bytes wait to be sent
 */
gsize
nhip_serial_port_get_pending(NhipSerialPort *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->pending->len;
}

/**
 * nhip_serial_port_free:
 * @self: (nullable): a port
 *
 * Stops reading and closes the tty; queued bytes are dropped. No callback runs after this.
 */
void
nhip_serial_port_free(NhipSerialPort *self)
{
	if (self == NULL)
		return;
	serial_port_stop_sources(self);
	if (self->in_callback > 0) {
		self->free_pending = TRUE;
		self->failed = TRUE;
		return;
	}
	serial_port_really_free(self);
}

static void
serial_port_really_free(NhipSerialPort *self)
{
	serial_port_stop_sources(self);
	if (self->fd >= 0)
		close(self->fd);
	g_byte_array_unref(self->pending);
	g_free(self->path);
	g_free(self);
}
