/*
 * Nhịp — what the fuzz targets of hl7/ share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);
void nhip_fuzz_check(gboolean condition, const gchar *what);

G_END_DECLS
