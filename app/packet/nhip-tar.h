/*
 * Nhịp — the fields of a POSIX ustar header, shared by the packet archive (in memory,
 * nhip-tar.c) and the streamed archives of backups and updates (app/nhip-archive.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void nhip_tar_write_octal(guint8 *field, gsize width, guint64 value);
gboolean nhip_tar_parse_octal(const guint8 *field, gsize width, guint64 *value);
guint nhip_tar_header_checksum(const guint8 *header);
gboolean nhip_tar_block_is_zero(const guint8 *block);

G_END_DECLS
