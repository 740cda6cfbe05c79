/*
 * Nhịp — raw HID transport (/dev/hidraw*).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <linux/hidraw.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "nhip-device-error.h"
#include "nhip-hidraw.h"

#define NHIP_HIDRAW_REPORT_MAX 64

struct _NhipHidraw {
	gchar *path;
	gint fd;
	gboolean numbered;
	GSource *source;
	NhipHidrawReportFunc report_func;
	NhipHidrawErrorFunc error_func;
	gpointer user_data;
	/* a callback may free the device: the free waits until it returns */
	guint in_callback;
	gboolean free_pending;
};

static void hidraw_really_free(NhipHidraw *self);

/**
 * nhip_hidraw_open:
 * @path: a hidraw node, e.g. /dev/hidraw3
 * @numbered: whether the device's reports start with a report id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the opened node
 */
NhipHidraw *
nhip_hidraw_open(const gchar *path, gboolean numbered, GError **error)
{
	NhipHidraw *self;
	gint fd;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		nhip_device_error_set_errno(error, errno, _("open"), path);
		return NULL;
	}
	self = g_new0(NhipHidraw, 1);
	self->path = g_strdup(path);
	self->fd = fd;
	self->numbered = numbered;
	return self;
}

static void
hidraw_stop(NhipHidraw *self)
{
	if (self->source != NULL) {
		g_source_destroy(self->source);
		g_clear_pointer(&self->source, g_source_unref);
	}
}

static gboolean
hidraw_read_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	NhipHidraw *self = user_data;
	guint8 buf[NHIP_HIDRAW_REPORT_MAX + 1] = { 0 };
	gssize n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		g_autoptr(GError) error = NULL;
		/* the node goes away with the device: a read error is an unplug */
		nhip_device_error_set_errno(&error, n == 0 ? EIO : errno, _("read from"),
					    self->path);
		g_clear_pointer(&self->source, g_source_unref);
		self->in_callback++;
		if (self->error_func != NULL)
			self->error_func(error, self->user_data);
		self->in_callback--;
		if (self->free_pending)
			hidraw_really_free(self);
		return G_SOURCE_REMOVE;
	}
	self->in_callback++;
	if (self->report_func != NULL) {
		if (self->numbered)
			self->report_func(buf[0], buf + 1, (gsize)n - 1, self->user_data);
		else
			self->report_func(0, buf, (gsize)n, self->user_data);
	}
	self->in_callback--;
	if (self->free_pending) {
		hidraw_really_free(self);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/**
 * nhip_hidraw_watch:
 * @self: a hidraw node
 * @context: (nullable): the main context of the callbacks
 * @report_func: called with each input report
 * @error_func: called once when the node fails (unplug)
 * @user_data: for both
 */
void
nhip_hidraw_watch(NhipHidraw *self,
		  GMainContext *context,
		  NhipHidrawReportFunc report_func,
		  NhipHidrawErrorFunc error_func,
		  gpointer user_data)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(self->source == NULL);

	self->report_func = report_func;
	self->error_func = error_func;
	self->user_data = user_data;
	self->source = g_unix_fd_source_new(self->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(self->source, G_SOURCE_FUNC(hidraw_read_cb), self, NULL);
	g_source_set_static_name(self->source, "NhipHidraw read");
	g_source_attach(self->source,
			context != NULL ? context : g_main_context_get_thread_default());
}

/**
 * nhip_hidraw_write:
 * @self: a hidraw node
 * @report_id: the output report id (0 for devices without numbered reports)
 * @data: (array length=len): the report after its id
 * @len: how many bytes (at most 64)
 * @error: return location for a #GError
 *
 * Sends one output report. A report is small and the kernel queues it: this does not
 * block.
 *
 * Returns: %TRUE if the report was sent
 */
gboolean
nhip_hidraw_write(NhipHidraw *self, guint8 report_id, const guint8 *data, gsize len, GError **error)
{
	guint8 buf[NHIP_HIDRAW_REPORT_MAX + 1] = { 0 };
	gssize n;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(len <= NHIP_HIDRAW_REPORT_MAX, FALSE);

	buf[0] = report_id;
	for (gsize i = 0; i < len; i++)
		buf[i + 1] = data[i];
	do {
		n = write(self->fd, buf, len + 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		nhip_device_error_set_errno(error, errno, _("write to"), self->path);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hidraw_set_feature:
 * @self: a hidraw node
 * @report_id: the feature report id
 * @data: (array length=len): the report after its id
 * @len: how many bytes (at most 64)
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the device took the feature report
 */
gboolean
nhip_hidraw_set_feature(NhipHidraw *self,
			guint8 report_id,
			const guint8 *data,
			gsize len,
			GError **error)
{
	guint8 buf[NHIP_HIDRAW_REPORT_MAX + 1] = { 0 };

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(len <= NHIP_HIDRAW_REPORT_MAX, FALSE);

	buf[0] = report_id;
	for (gsize i = 0; i < len; i++)
		buf[i + 1] = data[i];
	if (ioctl(self->fd, HIDIOCSFEATURE(len + 1), buf) < 0) {
		g_autofree gchar *what =
			g_strdup_printf(_("set feature report 0x%02x of"), report_id);
		nhip_device_error_set_errno(error, errno, what, self->path);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hidraw_free:
 * @self: (nullable): a hidraw node
 */
void
nhip_hidraw_free(NhipHidraw *self)
{
	if (self == NULL)
		return;
	hidraw_stop(self);
	if (self->in_callback > 0) {
		self->free_pending = TRUE;
		return;
	}
	hidraw_really_free(self);
}

static void
hidraw_really_free(NhipHidraw *self)
{
	hidraw_stop(self);
	close(self->fd);
	g_free(self->path);
	g_free(self);
}
