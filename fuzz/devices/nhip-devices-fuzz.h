/*
 * Nhịp — shared body of the decoder fuzz targets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int nhip_fuzz_decoder(const gchar *driver, const guint8 *data, gsize size);

G_END_DECLS
