/*
 * Nhịp — Tanita scale CSV line: parser and incremental decoder (no I/O).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-decode-output.h"

G_BEGIN_DECLS

#define NHIP_TANITA_DRIVER   "tanita"
#define NHIP_TANITA_LINE_MAX 2048

guint8 nhip_tanita_checksum(const guint8 *buf, gsize bufsz);
GHashTable *nhip_tanita_parse_line(const guint8 *line, gsize len, gsize offset, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

typedef struct _NhipTanitaDecoder NhipTanitaDecoder;

NhipTanitaDecoder *nhip_tanita_decoder_new(void);
void nhip_tanita_decoder_free(NhipTanitaDecoder *self);
void nhip_tanita_decoder_feed(NhipTanitaDecoder *self,
			      const guint8 *buf,
			      gsize bufsz,
			      NhipDecodeOutput *out);
void nhip_tanita_decoder_finish(NhipTanitaDecoder *self, NhipDecodeOutput *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipTanitaDecoder, nhip_tanita_decoder_free)

G_END_DECLS
