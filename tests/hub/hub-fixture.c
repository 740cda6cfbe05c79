/*
 * Nhịp hub tests — makes the identities the transport tests need, through the same CA code
 * `nhip-hub init/token/revoke` use:
 *   hub-fixture init DIR                      district CA + hub certificates (TLS names
 *                                             127.0.0.1, 10.200.0.1, localhost)
 *   hub-fixture token DIR STATION             prints a one-time enrollment token
 *   hub-fixture revoke DIR STATION            revokes the station's certificates (CRL)
 *   hub-fixture expired DIR STATION KEY OUT   a certificate for KEY (made if missing) that
 *                                             expired yesterday
 *   hub-fixture photo OUT W H SEED [QUALITY]  a JPEG photo of coloured noise (noise does
 *                                             not compress: its size follows its pixels)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>
#include <stdlib.h>

#include "nhip-ca.h"
#include "nhip-identity.h"
#include "nhip-packet-private.h"

static int
fail(const GError *error)
{
	g_printerr("hub-fixture: %s\n", error->message);
	return 1;
}

static int
make_photo(const gchar *out, gint width, gint height, guint32 seed, const gchar *quality)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) pixbuf = NULL;
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	guint8 *pixels;
	gint stride;

	if (width < 1 || height < 1 || width > 8000 || height > 8000) {
		g_printerr("hub-fixture: photo size out of range\n");
		return 2;
	}
	pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, width, height);
	pixels = gdk_pixbuf_get_pixels(pixbuf);
	stride = gdk_pixbuf_get_rowstride(pixbuf);
	for (gint y = 0; y < height; y++) {
		for (gint x = 0; x < width * 3; x++)
			pixels[(gsize)y * stride + x] = (guint8)g_rand_int_range(rand, 0, 256);
	}
	if (!gdk_pixbuf_save(pixbuf, out, "jpeg", &error, "quality", quality, NULL))
		return fail(error);
	return 0;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;

	if (argc >= 6 && g_strcmp0(argv[1], "photo") == 0)
		return make_photo(argv[2], atoi(argv[3]), atoi(argv[4]), (guint32)atoi(argv[5]),
				  argc >= 7 ? argv[6] : "90");

	if (argc >= 3 && g_strcmp0(argv[1], "init") == 0) {
		const gchar *names[] = { "127.0.0.1", "10.200.0.1", "localhost", NULL };
		if (!nhip_ca_init(argv[2], "Test District", names, &error))
			return fail(error);
		return 0;
	}
	if (argc >= 4 && g_strcmp0(argv[1], "token") == 0) {
		g_autofree gchar *token = nhip_ca_token_issue(argv[2], argv[3], NULL, &error);
		if (token == NULL)
			return fail(error);
		g_print("%s\n", token);
		return 0;
	}
	if (argc >= 4 && g_strcmp0(argv[1], "revoke") == 0) {
		if (!nhip_ca_revoke(argv[2], argv[3], &error))
			return fail(error);
		return 0;
	}
	if (argc >= 6 && g_strcmp0(argv[1], "expired") == 0) {
		g_autoptr(GBytes) csr = NULL;
		g_autoptr(GBytes) pem = NULL;
		g_autoptr(GDateTime) now = g_date_time_new_now_utc();
		g_autoptr(GDateTime) before = g_date_time_add_days(now, -30);
		g_autoptr(GDateTime) after = g_date_time_add_days(now, -1);

		if (!g_file_test(argv[4], G_FILE_TEST_EXISTS) &&
		    !nhip_identity_generate_key(argv[4], &error))
			return fail(error);
		csr = nhip_identity_make_csr(argv[4], argv[3], &error);
		if (csr == NULL)
			return fail(error);
		pem = nhipi_ca_issue(argv[2], csr, argv[3], before, after, NULL, &error);
		if (pem == NULL)
			return fail(error);
		if (!g_file_set_contents(argv[5], g_bytes_get_data(pem, NULL),
					 (gssize)g_bytes_get_size(pem), &error))
			return fail(error);
		return 0;
	}
	g_printerr("usage: hub-fixture init|token|revoke|expired|photo ...\n");
	return 2;
}
