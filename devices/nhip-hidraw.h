/*
 * Nhịp — raw HID transport (/dev/hidraw*): reports with report ids, feature reports,
 * driven from a GLib main context without blocking it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NhipHidraw NhipHidraw;

/**
 * NhipHidrawReportFunc:
 * @report_id: the report id (0 for devices without numbered reports)
 * @data: (array length=len): the report after its id
 * @len: how many bytes
 * @user_data: the data given to nhip_hidraw_watch()
 */
typedef void (*NhipHidrawReportFunc)(guint8 report_id,
				     const guint8 *data,
				     gsize len,
				     gpointer user_data);
typedef void (*NhipHidrawErrorFunc)(const GError *error, gpointer user_data);

NhipHidraw *
nhip_hidraw_open(const gchar *path, gboolean numbered, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hidraw_free(NhipHidraw *self);
void nhip_hidraw_watch(NhipHidraw *self,
		       GMainContext *context,
		       NhipHidrawReportFunc report_func,
		       NhipHidrawErrorFunc error_func,
		       gpointer user_data);
gboolean nhip_hidraw_write(NhipHidraw *self,
			   guint8 report_id,
			   const guint8 *data,
			   gsize len,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hidraw_set_feature(NhipHidraw *self,
				 guint8 report_id,
				 const guint8 *data,
				 gsize len,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHidraw, nhip_hidraw_free)

G_END_DECLS
