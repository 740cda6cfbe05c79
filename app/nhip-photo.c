/*
 * Nhịp — re-encoding photos for case packets with gdk-pixbuf (Debian 12 has it built with
 * the JPEG and PNG loaders; no display is needed).
 *
 * Only JPEG and PNG are accepted: gdk-pixbuf can load many more formats through modules,
 * and a camera or phone gives one of these two. The size is read before the pixels are
 * decoded, so an image that claims huge dimensions is refused without allocating them,
 * and the JPEG loader scales while it decodes. The output is written from the pixels
 * alone, so nothing of the original's metadata (EXIF with GPS position, maker notes,
 * comments, ICC profile) reaches the packet; the EXIF orientation is applied first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-error.h"
#include "nhip-photo.h"

typedef struct {
	guint max_edge;
	gboolean too_large;
} PhotoSize;

static void
photo_size_prepared(GdkPixbufLoader *loader, gint width, gint height, gpointer user_data)
{
	PhotoSize *size = user_data;
	gint longest = MAX(width, height);

	if (width <= 0 || height <= 0 || (gint64)width * height > NHIP_PHOTO_MAX_PIXELS) {
		size->too_large = TRUE;
		/* a size of zero makes the JPEG and PNG loaders stop before they allocate */
		gdk_pixbuf_loader_set_size(loader, 0, 0);
		return;
	}
	if ((guint)longest > size->max_edge) {
		gdouble scale = (gdouble)size->max_edge / longest;
		gdk_pixbuf_loader_set_size(loader, MAX(1, (gint)(width * scale + 0.5)),
					   MAX(1, (gint)(height * scale + 0.5)));
	}
}

static gboolean
photo_fail(GError **error, const gchar *what)
{
	g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
		    _("the photo cannot be used: %s"), what);
	return FALSE;
}

/* JPEG has no transparency: transparent parts of a PNG become white */
static GdkPixbuf *
flatten_on_white(GdkPixbuf *pixbuf)
{
	gint width = gdk_pixbuf_get_width(pixbuf);
	gint height = gdk_pixbuf_get_height(pixbuf);

	if (!gdk_pixbuf_get_has_alpha(pixbuf))
		return g_object_ref(pixbuf);
	return gdk_pixbuf_composite_color_simple(pixbuf, width, height, GDK_INTERP_NEAREST, 255, 8,
						 0xffffffu, 0xffffffu);
}

/**
 * nhip_photo_decode:
 * @input: a JPEG or PNG file's bytes
 * @max_edge: the longest edge of the result, in pixels (at least 16)
 * @error: return location for a #GError
 *
 * Decodes a photo, scaled down while it is decoded where the format allows it (JPEG),
 * turned upright by its EXIF orientation. The format is chosen from the first bytes, never
 * from a name or by sniffing through a loader module.
 *
 * Returns: (transfer full) (nullable): the picture, no larger than @max_edge on its
 *   longest side; %NHIP_STORE_ERROR_INVALID for anything else than a readable JPEG or PNG
 *   of sane dimensions
 */
GdkPixbuf *
nhip_photo_decode(GBytes *input, guint max_edge, GError **error)
{
	g_autoptr(GdkPixbufLoader) loader = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GdkPixbuf) upright = NULL;
	GdkPixbuf *pixbuf;
	PhotoSize size = { max_edge, FALSE };
	const guint8 *data;
	gsize data_len = 0;

	g_return_val_if_fail(input != NULL, NULL);
	g_return_val_if_fail(max_edge >= 16, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	data = g_bytes_get_data(input, &data_len);
	if (data_len > NHIP_PHOTO_MAX_FILE_SIZE) {
		photo_fail(error, _("the file is larger than 40 MB"));
		return NULL;
	}
	/* the format is chosen from the first bytes, before any loader module is involved */
	switch (nhip_photo_sniff(data, data_len)) {
	case NHIP_PHOTO_FORMAT_JPEG:
		loader = gdk_pixbuf_loader_new_with_type("jpeg", &error_local);
		break;
	case NHIP_PHOTO_FORMAT_PNG:
		loader = gdk_pixbuf_loader_new_with_type("png", &error_local);
		break;
	case NHIP_PHOTO_FORMAT_NONE:
	default:
		photo_fail(error, _("it is not a JPEG or PNG image"));
		return NULL;
	}
	if (loader == NULL) {
		photo_fail(error, error_local->message);
		return NULL;
	}
	g_signal_connect(loader, "size-prepared", G_CALLBACK(photo_size_prepared), &size);
	if (!gdk_pixbuf_loader_write(loader, data, data_len, &error_local) ||
	    !gdk_pixbuf_loader_close(loader, &error_local) || size.too_large) {
		if (!size.too_large) {
			photo_fail(error, error_local->message);
			return NULL;
		}
		/* the loader's own error ("zero width") says less than this */
		photo_fail(error, _("the image has more than 100 million pixels"));
		return NULL;
	}
	pixbuf = gdk_pixbuf_loader_get_pixbuf(loader);
	if (pixbuf == NULL || gdk_pixbuf_loader_get_format(loader) == NULL) {
		photo_fail(error, _("the image holds no picture"));
		return NULL;
	}
	upright = gdk_pixbuf_apply_embedded_orientation(pixbuf);
	/* a loader without size scaling (PNG) gives the full image: scale it now */
	if ((guint)MAX(gdk_pixbuf_get_width(upright), gdk_pixbuf_get_height(upright)) > max_edge) {
		gint width = gdk_pixbuf_get_width(upright);
		gint height = gdk_pixbuf_get_height(upright);
		gdouble scale = (gdouble)max_edge / MAX(width, height);
		GdkPixbuf *scaled = gdk_pixbuf_scale_simple(
			upright, MAX(1, (gint)(width * scale + 0.5)),
			MAX(1, (gint)(height * scale + 0.5)), GDK_INTERP_BILINEAR);
		g_object_unref(upright);
		upright = scaled;
	}
	return g_steal_pointer(&upright);
}

/**
 * nhip_photo_sniff:
 * @data: (array length=len): the first bytes of a file
 * @len: how many there are (8 are enough)
 *
 * Returns: whether the bytes begin a JPEG or a PNG file
 */
NhipPhotoFormat
nhip_photo_sniff(const guint8 *data, gsize len)
{
	if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		return NHIP_PHOTO_FORMAT_JPEG;
	if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
		return NHIP_PHOTO_FORMAT_PNG;
	return NHIP_PHOTO_FORMAT_NONE;
}

/**
 * nhip_photo_reencode:
 * @input: a JPEG or PNG file's bytes
 * @max_edge: the longest edge of the result, in pixels
 * @quality: JPEG quality, 1 to 100
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a baseline JPEG no larger than @max_edge on its
 *   longest side, upright, without metadata; %NHIP_STORE_ERROR_INVALID for anything else
 *   than a readable JPEG or PNG of sane dimensions
 */
GBytes *
nhip_photo_reencode(GBytes *input, guint max_edge, guint quality, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GdkPixbuf) upright = NULL;
	g_autoptr(GdkPixbuf) flat = NULL;
	g_autofree gchar *quality_text = NULL;
	gchar *buffer = NULL;
	gsize length = 0;

	g_return_val_if_fail(input != NULL, NULL);
	g_return_val_if_fail(max_edge >= 16, NULL);
	g_return_val_if_fail(quality >= 1 && quality <= 100, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	upright = nhip_photo_decode(input, max_edge, error);
	if (upright == NULL)
		return NULL;
	flat = flatten_on_white(upright);
	quality_text = g_strdup_printf("%u", quality);
	if (!gdk_pixbuf_save_to_buffer(flat, &buffer, &length, "jpeg", &error_local, "quality",
				       quality_text, NULL)) {
		photo_fail(error, error_local->message);
		return NULL;
	}
	g_debug("photo re-encoded to %dx%d, %zu bytes", gdk_pixbuf_get_width(flat),
		gdk_pixbuf_get_height(flat), length);
	return g_bytes_new_take(buffer, length);
}

/**
 * nhip_photo_reencode_file:
 * @path: a JPEG or PNG file
 * @error: return location for a #GError
 *
 * nhip_photo_reencode() of a file with the default size and quality.
 *
 * Returns: (transfer full) (nullable): the JPEG
 */
GBytes *
nhip_photo_reencode_file(const gchar *path, GError **error)
{
	g_autoptr(GMappedFile) file = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error_local = NULL;
	GBytes *result;

	file = g_mapped_file_new(path, FALSE, &error_local);
	if (file == NULL) {
		g_set_error(error, NHIP_STORE_ERROR,
			    g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
				    ? NHIP_STORE_ERROR_NOT_FOUND
				    : NHIP_STORE_ERROR_INVALID,
			    _("cannot read the photo %s: %s"), path, error_local->message);
		return NULL;
	}
	bytes = g_mapped_file_get_bytes(file);
	result = nhip_photo_reencode(bytes, NHIP_PHOTO_MAX_EDGE, NHIP_PHOTO_QUALITY, error);
	if (result == NULL)
		g_prefix_error(error, "%s: ", path);
	return result;
}
