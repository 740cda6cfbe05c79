/*
 * Nhịp — Tanita scale CSV line: parser and incremental decoder (no I/O).
 *
 * A line is `{0,16,~0,1,~1,1,~2,1,KEY,value,…,CS,hh` with an optional `}`, ended by CR LF.
 * hh is the sum of every byte from `{` up to and including the comma before `CS`, mod 256,
 * in upper-case hex. See README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nhip-bytes.h"
#include "nhip-tanita-proto.h"

typedef enum {
	TANITA_STATE_SEEK,
	TANITA_STATE_LINE,
	TANITA_STATE_DISCARD,
} TanitaState;

struct _NhipTanitaDecoder {
	GByteArray *line;
	gsize line_offset;
	gsize offset; /* stream offset of the next byte fed */
	TanitaState state;
	NhipGarbageRun garbage;
};

/**
 * nhip_tanita_checksum:
 * @buf: (array length=bufsz): the line from `{` through the comma before `CS`
 * @bufsz: how many bytes
 *
 * Returns: the byte sum modulo 256
 */
guint8
nhip_tanita_checksum(const guint8 *buf, gsize bufsz)
{
	guint sum = 0;
	for (gsize i = 0; i < bufsz; i++)
		sum += buf[i];
	return (guint8)(sum & 0xff);
}

/**
 * nhip_tanita_parse_line:
 * @line: (array length=len): one line without CR LF, starting with `{`
 * @len: its length
 * @offset: stream offset of @line, for messages
 * @error: return location for a #GError
 *
 * Checks the checksum and splits the line into keys and values. Quoted values lose their
 * quotes. The header fields appear under their own keys (`~0`, `~1`, `~2`).
 *
 * Returns: (transfer full) (element-type utf8 utf8): key → value, or %NULL on error
 */
GHashTable *
nhip_tanita_parse_line(const guint8 *line, gsize len, gsize offset, GError **error)
{
	g_autoptr(GHashTable) fields =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(gsize));
	GString *token = g_string_new(NULL);
	gboolean in_quotes = FALSE;
	gboolean quoted = FALSE;
	gsize token_start = 0;
	gsize cs_index = G_MAXSIZE;
	guint8 expected = 0;
	guint8 computed;
	const gchar *cs_text;
	gchar *end = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (len == 0 || line[0] != '{') {
		g_string_free(token, TRUE);
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("byte %lu: a Tanita line must start with '{'"), offset);
		return NULL;
	}
	for (gsize i = 0; i <= len; i++) {
		gchar c = i < len ? (gchar)line[i] : ',';
		if (i < len && c == '"') {
			in_quotes = !in_quotes;
			quoted = TRUE;
			continue;
		}
		if (c == ',' && !in_quotes) {
			/* a quoted key is never "CS": mark quoted tokens so they cannot match */
			g_ptr_array_add(tokens,
					g_strdup_printf("%s%s", quoted ? "\"" : "", token->str));
			g_array_append_val(starts, token_start);
			g_string_truncate(token, 0);
			quoted = FALSE;
			token_start = i + 1;
			continue;
		}
		if (i < len) {
			if (line[i] < 0x20 || line[i] > 0x7e) {
				g_string_free(token, TRUE);
				g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
					    _("byte %lu"
					      ": control or non-ASCII byte 0x%02x inside a Tanita "
					      "line; check the serial settings (9600 8N1)"),
					    offset + i, line[i]);
				return NULL;
			}
			g_string_append_c(token, c);
		}
	}
	g_string_free(token, TRUE);
	if (in_quotes) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("byte %lu: unbalanced quote in a Tanita line"), offset);
		return NULL;
	}
	for (guint i = 2; i < tokens->len; i += 2) {
		if (g_strcmp0(g_ptr_array_index(tokens, i), "CS") == 0) {
			cs_index = i;
			break;
		}
	}
	if (cs_index == G_MAXSIZE || cs_index + 1 >= tokens->len) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED,
			    _("byte %lu"
			      ": the Tanita line has no checksum field (CS); it was probably cut "
			      "— weigh again"),
			    offset);
		return NULL;
	}
	if (cs_index + 2 < tokens->len) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("byte %lu: fields follow the checksum field"),
			    offset + g_array_index(starts, gsize, cs_index + 2));
		return NULL;
	}
	cs_text = g_ptr_array_index(tokens, cs_index + 1);
	if (g_ascii_isxdigit(cs_text[0]) && g_ascii_isxdigit(cs_text[1]) &&
	    (cs_text[2] == '\0' || g_strcmp0(cs_text + 2, "}") == 0))
		expected = (guint8)g_ascii_strtoull(cs_text, &end, 16);
	if (end == NULL || end != cs_text + 2) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("byte %lu: checksum field '%s' is not two hex digits"),
			    offset + g_array_index(starts, gsize, cs_index + 1), cs_text);
		return NULL;
	}
	computed = nhip_tanita_checksum(line, g_array_index(starts, gsize, cs_index));
	if (computed != expected) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_CHECKSUM,
			    _("byte %lu"
			      ": Tanita line checksum %02X does not match the computed %02X; the "
			      "line was dropped — weigh again"),
			    offset, expected, computed);
		return NULL;
	}
	if (g_strcmp0(g_ptr_array_index(tokens, 0), "{0") != 0 || cs_index % 2 != 0) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("byte %lu: unexpected Tanita line header"), offset);
		return NULL;
	}
	for (gsize i = 2; i + 1 < cs_index; i += 2) {
		const gchar *key = g_ptr_array_index(tokens, i);
		const gchar *value = g_ptr_array_index(tokens, i + 1);
		if (key[0] == '"')
			key++;
		if (value[0] == '"')
			value++;
		g_hash_table_replace(fields, g_strdup(key), g_strdup(value));
	}
	return g_steal_pointer(&fields);
}

/**
 * nhip_tanita_decoder_new:
 *
 * Returns: (transfer full): a decoder for the bytes a Tanita scale sends
 */
NhipTanitaDecoder *
nhip_tanita_decoder_new(void)
{
	NhipTanitaDecoder *self = g_new0(NhipTanitaDecoder, 1);
	self->line = g_byte_array_new();
	return self;
}

/**
 * nhip_tanita_decoder_free:
 * @self: (transfer full) (nullable): a decoder
 */
void
nhip_tanita_decoder_free(NhipTanitaDecoder *self)
{
	if (self == NULL)
		return;
	g_byte_array_unref(self->line);
	g_free(self);
}

static gboolean
tanita_parse_number(const gchar *text, gdouble *value)
{
	gchar *end = NULL;
	if (text == NULL || text[0] == '\0')
		return FALSE;
	*value = g_ascii_strtod(text, &end);
	return end != NULL && *end == '\0';
}

static gboolean
tanita_parse_date_fields(const gchar *key,
			 const gchar *date,
			 const gchar *time,
			 gint *year,
			 gint *month,
			 gint *day,
			 gint *hour,
			 gint *minute,
			 gint *second)
{
	g_auto(GStrv) dparts = g_strsplit(date, "/", -1);
	g_auto(GStrv) tparts = NULL;

	if (g_strv_length(dparts) != 3)
		return FALSE;
	for (guint i = 0; i < 3; i++) {
		if (dparts[i][0] == '\0' || strspn(dparts[i], "0123456789") != strlen(dparts[i]) ||
		    strlen(dparts[i]) > 4)
			return FALSE;
	}
	if (strlen(dparts[0]) == 4) {
		*year = atoi(dparts[0]);
		*month = atoi(dparts[1]);
		*day = atoi(dparts[2]);
	} else if (strlen(dparts[2]) == 4) {
		*day = atoi(dparts[0]);
		*month = atoi(dparts[1]);
		*year = atoi(dparts[2]);
	} else if (g_strcmp0(key, "DA") == 0) {
		/* DC-320 style yy/mm/dd */
		*year = 2000 + atoi(dparts[0]);
		*month = atoi(dparts[1]);
		*day = atoi(dparts[2]);
	} else {
		*day = atoi(dparts[0]);
		*month = atoi(dparts[1]);
		*year = 2000 + atoi(dparts[2]);
	}
	*hour = 0;
	*minute = 0;
	*second = 0;
	if (time == NULL)
		return TRUE;
	tparts = g_strsplit(time, ":", -1);
	if (g_strv_length(tparts) < 2 || g_strv_length(tparts) > 3)
		return FALSE;
	for (guint i = 0; tparts[i] != NULL; i++) {
		if (tparts[i][0] == '\0' || strlen(tparts[i]) > 2 ||
		    strspn(tparts[i], "0123456789") != strlen(tparts[i]))
			return FALSE;
	}
	*hour = atoi(tparts[0]);
	*minute = atoi(tparts[1]);
	if (tparts[2] != NULL)
		*second = atoi(tparts[2]);
	return TRUE;
}

static GDateTime *
tanita_parse_time(GHashTable *fields, gsize offset, NhipDecodeOutput *out)
{
	const gchar *keys[] = { "DT", "Da", "DA" };
	const gchar *key = NULL;
	const gchar *date = NULL;
	const gchar *time = g_hash_table_lookup(fields, "TI");
	gint year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
	GDateTime *result = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(keys) && date == NULL; i++) {
		date = g_hash_table_lookup(fields, keys[i]);
		key = keys[i];
	}
	if (date == NULL)
		return NULL;
	if (tanita_parse_date_fields(key, date, time, &year, &month, &day, &hour, &minute, &second))
		result = nhip_decode_output_make_time(out, year, month, day, hour, minute, second);
	if (result == NULL) {
		nhip_decode_output_warn(out, NHIP_TANITA_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
					offset,
					_("date '%s' time '%s' cannot be read; the reading is kept "
					  "without a device time — check the scale clock"),
					date, time != NULL ? time : "");
	}
	return result;
}

static void
tanita_handle_line(NhipTanitaDecoder *self, NhipDecodeOutput *out)
{
	const guint8 *line = self->line->data;
	gsize len = self->line->len;
	gsize offset = self->line_offset;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GHashTable) fields = NULL;
	g_autoptr(GDateTime) time = NULL;
	const gchar *weight_text;
	const gchar *height_text;
	const gchar *weight_unit;
	const gchar *height_unit;
	gdouble weight = 0, height = 0;
	NhipMeasurement *m;

	nhip_dump_raw(G_LOG_DOMAIN, "tanita line", line, len);
	fields = nhip_tanita_parse_line(line, len, offset, &error_local);
	if (fields == NULL) {
		/* the parser's message already says where; strip nothing, keep the code */
		g_ptr_array_add(out->warnings,
				g_error_new(NHIP_DECODE_ERROR, error_local->code, "%s: %s",
					    NHIP_TANITA_DRIVER, error_local->message));
		return;
	}
	time = tanita_parse_time(fields, offset, out);
	weight_text = g_hash_table_lookup(fields, "Wk");
	weight_unit = g_hash_table_lookup(fields, "~0");
	height_text = g_hash_table_lookup(fields, "Hm");
	height_unit = g_hash_table_lookup(fields, "~1");

	if (weight_text == NULL) {
		nhip_decode_output_warn(out, NHIP_TANITA_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
					offset, _("the line has no weight (Wk); weigh again"));
	} else if (!tanita_parse_number(weight_text, &weight)) {
		nhip_decode_output_warn(out, NHIP_TANITA_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
					offset, _("weight '%s' is not a number; weigh again"),
					weight_text);
	} else if (weight_unit != NULL && g_strcmp0(weight_unit, "1") != 0 &&
		   g_strcmp0(weight_unit, "2") != 0) {
		nhip_decode_output_warn(
			out, NHIP_TANITA_DRIVER, NHIP_DECODE_ERROR_UNSUPPORTED, offset,
			_("unknown weight unit code ~0=%s; set the scale to kg"), weight_unit);
	} else {
		gboolean pounds = g_strcmp0(weight_unit, "2") == 0;
		gdouble kg =
			pounds ? nhip_vital_round(NHIP_VITAL_WEIGHT, weight * 0.45359237) : weight;
		m = nhip_decode_output_add_measurement(out, NHIP_TANITA_DRIVER, offset,
						       NHIP_VITAL_WEIGHT, kg, NAN, line, len);
		if (m != NULL) {
			if (pounds)
				nhip_measurement_set_original(m, weight, "[lb_av]");
			nhip_measurement_set_device_time(m, time);
			nhip_measurement_set_device_model(m, g_hash_table_lookup(fields, "MO"));
			nhip_measurement_set_device_serial(m, g_hash_table_lookup(fields, "SN"));
		}
	}

	/* height is typed in by staff on these scales; 0 means "not entered" */
	if (height_text != NULL && tanita_parse_number(height_text, &height) && height > 0) {
		if (height_unit != NULL && g_strcmp0(height_unit, "1") != 0) {
			nhip_decode_output_warn(out, NHIP_TANITA_DRIVER,
						NHIP_DECODE_ERROR_UNSUPPORTED, offset,
						_("height unit code ~1=%s is not centimetres; the "
						  "height was not read"),
						height_unit);
			return;
		}
		m = nhip_decode_output_add_measurement(out, NHIP_TANITA_DRIVER, offset,
						       NHIP_VITAL_HEIGHT, height, NAN, line, len);
		if (m != NULL) {
			nhip_measurement_add_flags(m, NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED);
			nhip_measurement_set_device_time(m, time);
			nhip_measurement_set_device_model(m, g_hash_table_lookup(fields, "MO"));
			nhip_measurement_set_device_serial(m, g_hash_table_lookup(fields, "SN"));
		}
	} else if (height_text != NULL && !tanita_parse_number(height_text, &height)) {
		nhip_decode_output_warn(out, NHIP_TANITA_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
					offset, _("height '%s' is not a number"), height_text);
	}
}

/**
 * nhip_tanita_decoder_feed:
 * @self: a decoder
 * @buf: (array length=bufsz): the next bytes the scale sent, split anywhere
 * @bufsz: how many
 * @out: where measurements and warnings go
 *
 * Lines start at `{` and end at CR or LF. Bytes outside a line are reported as garbage; a
 * line longer than %NHIP_TANITA_LINE_MAX is dropped; a `{` inside a line means the
 * previous line was cut, which is reported.
 */
void
nhip_tanita_decoder_feed(NhipTanitaDecoder *self,
			 const guint8 *buf,
			 gsize bufsz,
			 NhipDecodeOutput *out)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);
	g_return_if_fail(buf != NULL || bufsz == 0);

	for (gsize i = 0; i < bufsz; i++, self->offset++) {
		guint8 c = buf[i];
		gboolean eol = c == '\r' || c == '\n';

		switch (self->state) {
		case TANITA_STATE_SEEK:
			if (c == '{') {
				nhip_garbage_run_flush(&self->garbage, out, NHIP_TANITA_DRIVER);
				self->state = TANITA_STATE_LINE;
				self->line_offset = self->offset;
				g_byte_array_set_size(self->line, 0);
				g_byte_array_append(self->line, &c, 1);
			} else if (!eol && c != '\0') {
				nhip_garbage_run_add(&self->garbage, out, NHIP_TANITA_DRIVER,
						     self->offset);
			}
			break;
		case TANITA_STATE_LINE:
			if (eol) {
				tanita_handle_line(self, out);
				self->state = TANITA_STATE_SEEK;
			} else if (c == '{') {
				nhip_decode_output_warn(
					out, NHIP_TANITA_DRIVER, NHIP_DECODE_ERROR_TRUNCATED,
					self->line_offset,
					_("line cut after %u bytes by the start of another; it was "
					  "dropped — weigh again"),
					self->line->len);
				self->line_offset = self->offset;
				g_byte_array_set_size(self->line, 0);
				g_byte_array_append(self->line, &c, 1);
			} else if (self->line->len >= NHIP_TANITA_LINE_MAX) {
				nhip_decode_output_warn(out, NHIP_TANITA_DRIVER,
							NHIP_DECODE_ERROR_OVERSIZE,
							self->line_offset,
							_("line longer than %d bytes without an "
							  "end; it was dropped — "
							  "check the serial settings (9600 8N1)"),
							NHIP_TANITA_LINE_MAX);
				g_byte_array_set_size(self->line, 0);
				self->state = TANITA_STATE_DISCARD;
			} else {
				g_byte_array_append(self->line, &c, 1);
			}
			break;
		case TANITA_STATE_DISCARD:
			if (eol) {
				self->state = TANITA_STATE_SEEK;
			} else if (c == '{') {
				self->state = TANITA_STATE_LINE;
				self->line_offset = self->offset;
				g_byte_array_set_size(self->line, 0);
				g_byte_array_append(self->line, &c, 1);
			}
			break;
		default:
			g_assert_not_reached();
		}
	}
}

/**
 * nhip_tanita_decoder_finish:
 * @self: a decoder
 * @out: where warnings go
 *
 * Ends the stream: a line without its end is reported as truncated.
 */
void
nhip_tanita_decoder_finish(NhipTanitaDecoder *self, NhipDecodeOutput *out)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);

	nhip_garbage_run_flush(&self->garbage, out, NHIP_TANITA_DRIVER);
	if (self->state == TANITA_STATE_LINE) {
		nhip_decode_output_warn(out, NHIP_TANITA_DRIVER, NHIP_DECODE_ERROR_TRUNCATED,
					self->line_offset,
					_("the stream ends inside a line (%u bytes, no CR LF); "
					  "it was dropped — weigh again"),
					self->line->len);
	}
	g_byte_array_set_size(self->line, 0);
	self->state = TANITA_STATE_SEEK;
}
