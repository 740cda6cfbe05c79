/*
 * Nhịp — an HL7 v2.5.1 message in ER7 (pipe-delimited) encoding: parser, model, encoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-hl7-message.h"

/*
 * The model keeps the encoded (escaped) text of every field in one arena and, per segment,
 * an array of spans into it. Parsing splits segments and fields and checks everything that
 * can be wrong (UTF-8, escapes, limits) once; components, repetitions and subcomponents are
 * found on access, which is cheap because fields are short. An edit writes the new field
 * text at the end of the arena and moves the span, so encoding is a walk over the spans.
 */

typedef struct {
	guint32 offset;
	guint32 length;
} NhipHl7Span;

typedef struct {
	gchar id[4];
	gboolean is_header;
	guint first;	     /* index of field 1 in the pool while @fields is NULL */
	guint n_fields;	     /* fields 1..n; MSH-1 is the field separator */
	guint alloc_fields;  /* size of @fields */
	NhipHl7Span *fields; /* own copy once an edit adds fields */
} NhipHl7Segment;

/* the delimiters in the order of MSH-1 + MSH-2 */
typedef struct {
	gchar field;
	gchar component;
	gchar repetition;
	gchar escape;
	gchar subcomponent;
	gchar truncation; /* 0 when MSH-2 has four characters */
} NhipHl7Delimiters;

struct _NhipHl7Message {
	GObject parent_instance;
	GString *text;
	GArray *segments; /* of NhipHl7Segment */
	GArray *pool;	  /* of NhipHl7Span */
	NhipHl7Delimiters delimiters;
	gchar delimiters_str[7];
};

G_DEFINE_TYPE(NhipHl7Message, nhip_hl7_message, G_TYPE_OBJECT)

static void
nhip_hl7_message_finalize(GObject *object)
{
	NhipHl7Message *self = NHIP_HL7_MESSAGE(object);

	for (guint i = 0; i < self->segments->len; i++)
		g_free(g_array_index(self->segments, NhipHl7Segment, i).fields);
	g_array_unref(self->segments);
	g_array_unref(self->pool);
	if (self->text != NULL)
		g_string_free(self->text, TRUE);
	G_OBJECT_CLASS(nhip_hl7_message_parent_class)->finalize(object);
}

static void
nhip_hl7_message_class_init(NhipHl7MessageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = nhip_hl7_message_finalize;
}

static void
nhip_hl7_message_init(NhipHl7Message *self)
{
	self->segments = g_array_sized_new(FALSE, FALSE, sizeof(NhipHl7Segment), 16);
	self->pool = g_array_sized_new(FALSE, FALSE, sizeof(NhipHl7Span), 128);
}

static inline NhipHl7Span *
segment_fields(NhipHl7Message *self, NhipHl7Segment *segment)
{
	if (segment->fields != NULL)
		return segment->fields;
	if (segment->n_fields == 0)
		return NULL;
	return &g_array_index(self->pool, NhipHl7Span, segment->first);
}

static inline const gchar *
span_text(NhipHl7Message *self, const NhipHl7Span *span)
{
	return self->text->str + span->offset;
}

static void
delimiters_sync(NhipHl7Message *self)
{
	NhipHl7Delimiters *d = &self->delimiters;
	self->delimiters_str[0] = d->field;
	self->delimiters_str[1] = d->component;
	self->delimiters_str[2] = d->repetition;
	self->delimiters_str[3] = d->escape;
	self->delimiters_str[4] = d->subcomponent;
	self->delimiters_str[5] = d->truncation;
	self->delimiters_str[6] = '\0';
}

static gboolean
delimiter_char_valid(gchar c)
{
	/* printable ASCII that cannot appear in codes and numbers */
	return c > 0x20 && c < 0x7f && !g_ascii_isalnum(c);
}

static gboolean
delimiters_validate(gchar field, const gchar *encoding, gsize n_encoding, GError **error)
{
	if (!delimiter_char_valid(field)) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_DELIMITERS,
			    _("HL7 segment 1 (MSH) field 1: the field separator 0x%02x is not a "
			      "punctuation character; MSH must start with MSH followed by a "
			      "separator such as |"),
			    (guint)(guchar)field);
		return FALSE;
	}
	if (n_encoding < 4 || n_encoding > 5) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_DELIMITERS,
			    _("HL7 segment 1 (MSH) field 2: %u encoding characters found where 4 "
			      "are needed (component, repetition, escape, subcomponent), e.g. "
			      "^~\\&; check the sender's MSH-2"),
			    (guint)n_encoding);
		return FALSE;
	}
	for (gsize i = 0; i < n_encoding; i++) {
		if (!delimiter_char_valid(encoding[i]) || encoding[i] == field) {
			g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_DELIMITERS,
				    _("HL7 segment 1 (MSH) field 2: encoding character %u (0x%02x) "
				      "is not a punctuation character distinct from the field "
				      "separator; check the sender's MSH-2"),
				    (guint)(i + 1), (guint)(guchar)encoding[i]);
			return FALSE;
		}
		for (gsize j = 0; j < i; j++) {
			if (encoding[i] == encoding[j]) {
				g_set_error(
					error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_DELIMITERS,
					_("HL7 segment 1 (MSH) field 2: the encoding character "
					  "“%c” appears twice; each delimiter must be different"),
					encoding[i]);
				return FALSE;
			}
		}
	}
	return TRUE;
}

static void
delimiters_set(NhipHl7Message *self, gchar field, const gchar *encoding, gsize n_encoding)
{
	self->delimiters.field = field;
	self->delimiters.component = encoding[0];
	self->delimiters.repetition = encoding[1];
	self->delimiters.escape = encoding[2];
	self->delimiters.subcomponent = encoding[3];
	self->delimiters.truncation = n_encoding > 4 ? encoding[4] : '\0';
	delimiters_sync(self);
}

/* escape sequences: LF is the line break (\.br\); CR and other control characters travel
 * as \Xhh\, so that every value reads back exactly as it was written */

static gint
hex_value(gchar c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static gboolean
escape_is_formatting(const gchar *code, gsize length)
{
	static const gchar *const formatting[] = { ".sp", ".fi", ".nf", ".in",
						   ".ti", ".sk", ".ce", NULL };
	if (length == 1 && (code[0] == 'H' || code[0] == 'N'))
		return TRUE;
	/* character set switches and application escapes carry no text of their own */
	if (length >= 1 && (code[0] == 'C' || code[0] == 'M' || code[0] == 'Z'))
		return TRUE;
	for (guint i = 0; formatting[i] != NULL; i++) {
		if (length >= 3 && strncmp(code, formatting[i], 3) == 0)
			return TRUE;
	}
	return FALSE;
}

/*
 * Decodes the escape sequences of [s, s + length). Escape sequences never span a
 * delimiter. Formatting commands other than \.br\ are dropped; unknown sequences are
 * kept as they are (senders write Windows paths unescaped).
 */
static gboolean
delimiters_unescape(const NhipHl7Delimiters *d,
		    const gchar *s,
		    gsize length,
		    GString *out,
		    gboolean *decoded_bytes,
		    GError **error)
{
	const gchar *end = s + length;
	const gchar *p = s;

	while (p < end) {
		const gchar *esc = memchr(p, d->escape, (gsize)(end - p));
		const gchar *code;
		const gchar *close;
		gsize code_len;

		if (esc == NULL) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, esc - p);
		code = esc + 1;
		close = code;
		while (close < end && *close != d->escape && *close != d->component &&
		       *close != d->repetition && *close != d->subcomponent && *close != d->field)
			close++;
		if (close >= end || *close != d->escape) {
			g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ESCAPE,
				    _("the escape sequence starting at character %u is not closed "
				      "by “%c”; a literal “%c” must be written %cE%c"),
				    (guint)(esc - s) + 1, d->escape, d->escape, d->escape,
				    d->escape);
			return FALSE;
		}
		code_len = (gsize)(close - code);
		if (code_len == 1 && code[0] == 'F') {
			g_string_append_c(out, d->field);
		} else if (code_len == 1 && code[0] == 'S') {
			g_string_append_c(out, d->component);
		} else if (code_len == 1 && code[0] == 'T') {
			g_string_append_c(out, d->subcomponent);
		} else if (code_len == 1 && code[0] == 'R') {
			g_string_append_c(out, d->repetition);
		} else if (code_len == 1 && code[0] == 'E') {
			g_string_append_c(out, d->escape);
		} else if (code_len == 1 && code[0] == 'P' && d->truncation != '\0') {
			g_string_append_c(out, d->truncation);
		} else if (code_len == 3 && memcmp(code, ".br", 3) == 0) {
			g_string_append_c(out, '\n');
		} else if (code_len >= 1 && code[0] == 'X') {
			if ((code_len - 1) % 2 != 0) {
				g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ESCAPE,
					    _("the hexadecimal escape at character %u has an odd "
					      "number of digits; write two digits per byte, e.g. "
					      "%cX0D%c"),
					    (guint)(esc - s) + 1, d->escape, d->escape);
				return FALSE;
			}
			for (gsize i = 1; i < code_len; i += 2) {
				gint hi = hex_value(code[i]);
				gint lo = hex_value(code[i + 1]);
				if (hi < 0 || lo < 0) {
					g_set_error(
						error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ESCAPE,
						_("the hexadecimal escape at character %u holds "
						  "characters other than the digits 0-9 and A-F"),
						(guint)(esc - s) + 1);
					return FALSE;
				}
				if (hi == 0 && lo == 0) {
					g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ESCAPE,
						    _("the hexadecimal escape at character %u "
						      "encodes a NUL byte, which text cannot hold"),
						    (guint)(esc - s) + 1);
					return FALSE;
				}
				g_string_append_c(out, (gchar)(hi * 16 + lo));
			}
			if (decoded_bytes != NULL)
				*decoded_bytes = TRUE;
		} else if (escape_is_formatting(code, code_len)) {
			/* dropped: we keep text, not its presentation */
		} else {
			g_string_append_len(out, esc, close + 1 - esc);
		}
		p = close + 1;
	}
	return TRUE;
}

static void
delimiters_escape(const NhipHl7Delimiters *d, const gchar *s, gsize length, GString *out)
{
	const gchar *end = s + length;
	const gchar *run = s;

	for (const gchar *p = s; p < end; p++) {
		gchar c = *p;
		const gchar *code = NULL;
		gchar hex[4] = { 0 };

		if (c == d->field)
			code = "F";
		else if (c == d->component)
			code = "S";
		else if (c == d->subcomponent)
			code = "T";
		else if (c == d->repetition)
			code = "R";
		else if (c == d->escape)
			code = "E";
		else if (d->truncation != '\0' && c == d->truncation)
			code = "P";
		else if (c == '\n')
			code = ".br";
		else if (((guchar)c < 0x20 && c != '\t') || c == 0x7f) {
			g_snprintf(hex, sizeof(hex), "X%02X", (guint)(guchar)c);
			code = hex;
		}
		if (code == NULL)
			continue;
		g_string_append_len(out, run, p - run);
		g_string_append_c(out, d->escape);
		g_string_append(out, code);
		g_string_append_c(out, d->escape);
		run = p + 1;
	}
	g_string_append_len(out, run, end - run);
}

/* checks that a raw field decodes to UTF-8 text; fields without escapes need no work */
static gboolean
field_validate_escapes(NhipHl7Message *self,
		       const gchar *s,
		       gsize length,
		       GString **scratch,
		       GError **error)
{
	gboolean decoded_bytes = FALSE;

	if (memchr(s, self->delimiters.escape, length) == NULL)
		return TRUE;
	if (*scratch == NULL)
		*scratch = g_string_sized_new(length);
	g_string_truncate(*scratch, 0);
	if (!delimiters_unescape(&self->delimiters, s, length, *scratch, &decoded_bytes, error))
		return FALSE;
	if (decoded_bytes && !g_utf8_validate_len((*scratch)->str, (*scratch)->len, NULL)) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ENCODING,
				    _("a hexadecimal escape decodes to bytes that are not UTF-8 "
				      "text; send the characters themselves in UTF-8"));
		return FALSE;
	}
	return TRUE;
}

static void error_at(GError **error,
		     gint code,
		     guint segment_no,
		     const gchar *segment_id,
		     guint field_no,
		     const gchar *format,
		     ...) G_GNUC_PRINTF(6, 7);

static void
error_at(GError **error,
	 gint code,
	 guint segment_no,
	 const gchar *segment_id,
	 guint field_no,
	 const gchar *format,
	 ...)
{
	va_list args;
	g_autofree gchar *detail = NULL;

	va_start(args, format);
	detail = g_strdup_vprintf(format, args);
	va_end(args);
	if (field_no > 0) {
		g_set_error(error, NHIP_HL7_ERROR, code,
			    /* TRANSLATORS: e.g. "HL7 segment 3 (OBX) field 5: value too long" */
			    _("HL7 segment %u (%s) field %u: %s"), segment_no, segment_id, field_no,
			    detail);
	} else {
		g_set_error(error, NHIP_HL7_ERROR, code, _("HL7 segment %u (%s): %s"), segment_no,
			    segment_id, detail);
	}
}

static void
error_prefix_at(GError **error, guint segment_no, const gchar *segment_id, guint field_no)
{
	if (field_no > 0)
		g_prefix_error(error, _("HL7 segment %u (%s) field %u: "), segment_no, segment_id,
			       field_no);
	else
		g_prefix_error(error, _("HL7 segment %u (%s): "), segment_no, segment_id);
}

static gboolean
segment_id_valid(const gchar *s, gsize length)
{
	if (length != 3 || !g_ascii_isupper(s[0]))
		return FALSE;
	return (g_ascii_isupper(s[1]) || g_ascii_isdigit(s[1])) &&
	       (g_ascii_isupper(s[2]) || g_ascii_isdigit(s[2]));
}

/* a printable form of a broken segment id for error messages */
static gchar *
segment_id_for_error(const gchar *s, gsize length)
{
	GString *str = g_string_new(NULL);
	for (gsize i = 0; i < length && i < 8; i++) {
		if (g_ascii_isprint(s[i]))
			g_string_append_c(str, s[i]);
		else
			g_string_append_printf(str, "\\x%02x", (guint)(guchar)s[i]);
	}
	if (length > 8)
		g_string_append(str, "…");
	return g_string_free(str, FALSE);
}

static gboolean
header_check_charset(NhipHl7Message *self, GError **error)
{
	g_autofree gchar *charset = NULL;
	NhipHl7Path path = { "MSH", 1, 18, 1, 1, 1 };

	charset = nhip_hl7_message_get_value_at(self, &path, error);
	if (charset == NULL)
		return FALSE;
	if (charset[0] == '\0' || g_strcmp0(charset, "UNICODE UTF-8") == 0 ||
	    g_strcmp0(charset, "ASCII") == 0 || g_ascii_strcasecmp(charset, "UTF-8") == 0)
		return TRUE;
	error_at(error, NHIP_HL7_ERROR_ENCODING, 1, "MSH", 18,
		 _("the message declares the character set “%s”, but only UNICODE UTF-8 "
		   "(or ASCII) is supported; ask the sender to send UTF-8"),
		 charset);
	return FALSE;
}

static gboolean
parse_segment(NhipHl7Message *self,
	      const gchar *s,
	      const gchar *e,
	      guint segment_no,
	      gsize n_encoding,
	      const NhipHl7ParseLimits *limits,
	      GString **scratch,
	      GError **error)
{
	const gchar *base = self->text->str;
	const gchar *bad = NULL;
	const gchar *cursor;
	const gchar *id_end;
	NhipHl7Segment segment = { 0 };
	gchar fs = self->delimiters.field;

	/* the id first, so that errors can name the segment */
	id_end = memchr(s, fs, (gsize)(e - s));
	if (id_end == NULL)
		id_end = e;
	if (!segment_id_valid(s, (gsize)(id_end - s))) {
		g_autofree gchar *shown = segment_id_for_error(s, (gsize)(id_end - s));
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_SEGMENT,
			    _("HL7 segment %u: “%s” is not a segment id (three capital letters "
			      "or digits, e.g. PID); check the segment terminators"),
			    segment_no, shown);
		return FALSE;
	}
	segment.id[0] = s[0];
	segment.id[1] = s[1];
	segment.id[2] = s[2];
	segment.is_header = segment_no == 1;
	if (!segment.is_header && memcmp(segment.id, "MSH", 3) == 0) {
		error_at(error, NHIP_HL7_ERROR_SEGMENT, segment_no, segment.id, 0,
			 _("a second MSH segment: this looks like two messages run together; "
			   "send one message at a time"));
		return FALSE;
	}

	if (!g_utf8_validate_len(s, (gsize)(e - s), &bad)) {
		guint field_no = 0;
		for (const gchar *p = s; p < bad; p++) {
			if (*p == fs)
				field_no++;
		}
		if (segment.is_header)
			field_no++;
		error_at(error, NHIP_HL7_ERROR_ENCODING, segment_no, segment.id, field_no,
			 _("the bytes at offset %u of the message are not valid UTF-8 (or hold "
			   "a NUL); the message must be UTF-8 text (MSH-18 UNICODE UTF-8)"),
			 (guint)(bad - base));
		return FALSE;
	}

	segment.first = self->pool->len;
	if (segment.is_header) {
		NhipHl7Span separator = { 3, 1 };
		NhipHl7Span encoding = { 4, (guint32)n_encoding };
		g_array_append_val(self->pool, separator);
		g_array_append_val(self->pool, encoding);
		segment.n_fields = 2;
		cursor = s + 4 + n_encoding;
	} else {
		cursor = id_end;
	}

	/* cursor is at a field separator or at the end of the segment */
	while (cursor < e) {
		const gchar *f = cursor + 1;
		const gchar *next = memchr(f, fs, (gsize)(e - f));
		const gchar *f_end = next != NULL ? next : e;
		NhipHl7Span span = { (guint32)(f - base), (guint32)(f_end - f) };
		g_autoptr(GError) error_local = NULL;

		segment.n_fields++;
		if ((gsize)(f_end - f) > limits->max_field_length) {
			error_at(error, NHIP_HL7_ERROR_LIMIT, segment_no, segment.id,
				 segment.n_fields,
				 _("the field is %u bytes long, more than the limit of %u; "
				   "shorten the value or raise the limit"),
				 (guint)(f_end - f), (guint)limits->max_field_length);
			return FALSE;
		}
		if (!field_validate_escapes(self, f, (gsize)(f_end - f), scratch, &error_local)) {
			error_prefix_at(&error_local, segment_no, segment.id, segment.n_fields);
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		g_array_append_val(self->pool, span);
		cursor = f_end;
	}
	g_array_append_val(self->segments, segment);
	return TRUE;
}

static NhipHl7Message *
message_parse(const gchar *data, gsize length, const NhipHl7ParseLimits *limits, GError **error)
{
	g_autoptr(NhipHl7Message) self = NULL;
	g_autoptr(GString) scratch = NULL;
	NhipHl7ParseLimits lim = { NHIP_HL7_DEFAULT_MAX_MESSAGE_SIZE,
				   NHIP_HL7_DEFAULT_MAX_FIELD_LENGTH,
				   NHIP_HL7_DEFAULT_MAX_SEGMENTS };
	const gchar *p;
	const gchar *end;
	const gchar *enc;
	const gchar *enc_end;
	guint segment_no = 0;

	if (limits != NULL) {
		if (limits->max_message_size > 0)
			lim.max_message_size = MIN(limits->max_message_size, G_MAXUINT32 / 2);
		if (limits->max_field_length > 0)
			lim.max_field_length = limits->max_field_length;
		if (limits->max_segments > 0)
			lim.max_segments = limits->max_segments;
	}
	if (length > lim.max_message_size) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_LIMIT,
			    _("the HL7 message is %zu bytes, more than the limit "
			      "of %zu; split it or raise the limit"),
			    length, lim.max_message_size);
		return NULL;
	}

	p = data;
	end = data + length;
	/* a byte order mark and blank lines before the header are harmless */
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (p == end) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TRUNCATED,
				    _("the HL7 message is empty"));
		return NULL;
	}
	if ((end - p < 3 && memcmp(p, "MSH", (gsize)(end - p)) == 0) ||
	    (end - p == 3 && memcmp(p, "MSH", 3) == 0)) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TRUNCATED,
				    _("the HL7 message ends inside the MSH segment id; the message "
				      "was cut short"));
		return NULL;
	}
	if (end - p < 3 || memcmp(p, "MSH", 3) != 0) {
		g_autofree gchar *shown = segment_id_for_error(p, MIN((gsize)(end - p), 3));
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_NO_HEADER,
			    _("the data does not start with an MSH segment (it starts with “%s”); "
			      "every HL7 v2 message begins with MSH|^~\\&"),
			    shown);
		return NULL;
	}
	enc = p + 4;
	enc_end = enc;
	while (enc_end < end && *enc_end != p[3] && *enc_end != '\r' && *enc_end != '\n')
		enc_end++;
	if (enc_end == end && enc_end - enc < 4) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TRUNCATED,
				    _("HL7 segment 1 (MSH) field 2: the message ends inside the "
				      "encoding characters; the message was cut short"));
		return NULL;
	}
	if (!delimiters_validate(p[3], enc, (gsize)(enc_end - enc), error))
		return NULL;

	self = g_object_new(NHIP_TYPE_HL7_MESSAGE, NULL);
	/* the arena starts at the header, so MSH-1 is at offset 3 */
	self->text = g_string_sized_new((gsize)(end - p) + 1);
	g_string_append_len(self->text, p, end - p);
	delimiters_set(self, p[3], enc, (gsize)(enc_end - enc));

	p = self->text->str;
	end = p + self->text->len;
	while (p < end) {
		const gchar *e = p;

		while (e < end && *e != '\r' && *e != '\n')
			e++;
		if (e > p) {
			if (++segment_no > lim.max_segments) {
				g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_LIMIT,
					    _("the HL7 message has more than %u segments; split it "
					      "or raise the limit"),
					    lim.max_segments);
				return NULL;
			}
			if (!parse_segment(self, p, e, segment_no, (gsize)(enc_end - enc), &lim,
					   &scratch, error))
				return NULL;
			if (segment_no == 1 && !header_check_charset(self, error))
				return NULL;
		}
		/* one terminator: CR, LF or CR LF; empty lines are skipped */
		if (e < end && *e == '\r' && e + 1 < end && e[1] == '\n')
			e++;
		p = e + 1;
	}
	return g_steal_pointer(&self);
}

/**
 * nhip_hl7_message_parse_full:
 * @data: (array length=length): ER7 text
 * @length: length of @data in bytes
 * @limits: (nullable): limits, or %NULL for the defaults
 * @error: return location for a #GError
 *
 * Parses one HL7 v2 message. The delimiters are read from MSH-1 and MSH-2. Segments may end
 * with CR, LF or CR LF. The text must be UTF-8; MSH-18 may be empty, `UNICODE UTF-8` or
 * `ASCII`. Every escape sequence is checked. Errors name the segment and field.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL on error
 */
NhipHl7Message *
nhip_hl7_message_parse_full(const gchar *data,
			    gsize length,
			    const NhipHl7ParseLimits *limits,
			    GError **error)
{
	g_return_val_if_fail(data != NULL || length == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	return message_parse(data != NULL ? data : "", length, limits, error);
}

/**
 * nhip_hl7_message_parse:
 * @data: (array length=length): ER7 text
 * @length: length of @data in bytes
 * @error: return location for a #GError
 *
 * Parses one HL7 v2 message with the default limits; see nhip_hl7_message_parse_full().
 *
 * Returns: (transfer full) (nullable): the message, or %NULL on error
 */
NhipHl7Message *
nhip_hl7_message_parse(const gchar *data, gsize length, GError **error)
{
	return nhip_hl7_message_parse_full(data, length, NULL, error);
}

/**
 * nhip_hl7_message_parse_bytes:
 * @bytes: ER7 text
 * @error: return location for a #GError
 *
 * Parses one HL7 v2 message with the default limits.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL on error
 */
NhipHl7Message *
nhip_hl7_message_parse_bytes(GBytes *bytes, GError **error)
{
	gsize length = 0;
	const gchar *data;

	g_return_val_if_fail(bytes != NULL, NULL);
	data = g_bytes_get_data(bytes, &length);
	return nhip_hl7_message_parse_full(data, length, NULL, error);
}

/**
 * nhip_hl7_message_new_with_delimiters:
 * @delimiters: MSH-1 followed by MSH-2, e.g. `|^~\&` (a fifth encoding character, the
 *   truncation character of v2.7, is kept)
 * @error: return location for a #GError
 *
 * Creates a message that holds only an MSH segment with the given delimiters.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if @delimiters is unusable
 */
NhipHl7Message *
nhip_hl7_message_new_with_delimiters(const gchar *delimiters, GError **error)
{
	NhipHl7Message *self;
	NhipHl7Segment segment = { "MSH", TRUE, 0, 2, 0, NULL };
	NhipHl7Span spans[2] = { { 3, 1 }, { 4, 0 } };
	gsize n_delimiters;

	g_return_val_if_fail(delimiters != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	n_delimiters = strlen(delimiters);
	if (n_delimiters == 0) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_DELIMITERS,
				    _("no delimiters given; use |^~\\&"));
		return NULL;
	}
	if (!delimiters_validate(delimiters[0], delimiters + 1, n_delimiters - 1, error))
		return NULL;
	self = g_object_new(NHIP_TYPE_HL7_MESSAGE, NULL);
	self->text = g_string_new("MSH");
	g_string_append(self->text, delimiters);
	delimiters_set(self, delimiters[0], delimiters + 1, n_delimiters - 1);
	spans[1].length = (guint32)(n_delimiters - 1);
	g_array_append_vals(self->pool, spans, 2);
	g_array_append_val(self->segments, segment);
	return self;
}

/**
 * nhip_hl7_message_new:
 *
 * Creates a message that holds only `MSH|^~\&`. Fill it with
 * nhip_hl7_message_set_header(), nhip_hl7_message_append_segment() and
 * nhip_hl7_message_set_value().
 *
 * Returns: (transfer full): a new message
 */
NhipHl7Message *
nhip_hl7_message_new(void)
{
	return nhip_hl7_message_new_with_delimiters(NHIP_HL7_DEFAULT_DELIMITERS, NULL);
}

/**
 * nhip_hl7_message_append_to:
 * @self: a message
 * @out: a string to append to
 *
 * Appends the ER7 encoding of @self to @out; every segment ends with CR.
 */
void
nhip_hl7_message_append_to(NhipHl7Message *self, GString *out)
{
	gchar fs;

	g_return_if_fail(NHIP_IS_HL7_MESSAGE(self));
	g_return_if_fail(out != NULL);

	fs = self->delimiters.field;
	for (guint i = 0; i < self->segments->len; i++) {
		NhipHl7Segment *segment = &g_array_index(self->segments, NhipHl7Segment, i);
		NhipHl7Span *fields = segment_fields(self, segment);

		g_string_append_len(out, segment->id, 3);
		/* MSH-1 is the separator itself, written once */
		for (guint j = segment->is_header ? 1 : 0; j < segment->n_fields; j++) {
			g_string_append_c(out, fs);
			g_string_append_len(out, span_text(self, &fields[j]), fields[j].length);
		}
		g_string_append_c(out, '\r');
	}
}

/**
 * nhip_hl7_message_to_string:
 * @self: a message
 *
 * Encodes @self in ER7; every segment ends with CR.
 *
 * Returns: (transfer full): the encoded message
 */
gchar *
nhip_hl7_message_to_string(NhipHl7Message *self)
{
	GString *out;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	out = g_string_sized_new(self->text->len + 2 * self->segments->len + 1);
	nhip_hl7_message_append_to(self, out);
	return g_string_free(out, FALSE);
}

/**
 * nhip_hl7_message_to_bytes:
 * @self: a message
 *
 * Encodes @self in ER7; every segment ends with CR.
 *
 * Returns: (transfer full): the encoded message, without a trailing NUL
 */
GBytes *
nhip_hl7_message_to_bytes(NhipHl7Message *self)
{
	GString *out;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	out = g_string_sized_new(self->text->len + 2 * self->segments->len + 1);
	nhip_hl7_message_append_to(self, out);
	return g_string_free_to_bytes(out);
}

/**
 * nhip_hl7_message_get_delimiters:
 * @self: a message
 *
 * Returns: (transfer none): MSH-1 followed by MSH-2, e.g. `|^~\&`
 */
const gchar *
nhip_hl7_message_get_delimiters(NhipHl7Message *self)
{
	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	return self->delimiters_str;
}

/**
 * nhip_hl7_message_get_n_segments:
 * @self: a message
 *
 * Returns: the number of segments, MSH included
 */
guint
nhip_hl7_message_get_n_segments(NhipHl7Message *self)
{
	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), 0);
	return self->segments->len;
}

/**
 * nhip_hl7_message_get_segment_id:
 * @self: a message
 * @index: the position of a segment, from 0
 *
 * Returns: (transfer none) (nullable): the id of the segment at @index, or %NULL when
 *   @index is out of range
 */
const gchar *
nhip_hl7_message_get_segment_id(NhipHl7Message *self, guint index)
{
	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	if (index >= self->segments->len)
		return NULL;
	return g_array_index(self->segments, NhipHl7Segment, index).id;
}

/**
 * nhip_hl7_message_get_n_fields:
 * @self: a message
 * @index: the position of a segment, from 0
 *
 * Returns: the number of fields of the segment at @index as received (MSH-1 counts), or 0
 *   when @index is out of range
 */
guint
nhip_hl7_message_get_n_fields(NhipHl7Message *self, guint index)
{
	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), 0);
	if (index >= self->segments->len)
		return 0;
	return g_array_index(self->segments, NhipHl7Segment, index).n_fields;
}

/**
 * nhip_hl7_message_count_segments:
 * @self: a message
 * @segment_id: a segment id such as `OBX`
 *
 * Returns: how many segments with id @segment_id the message holds
 */
guint
nhip_hl7_message_count_segments(NhipHl7Message *self, const gchar *segment_id)
{
	guint count = 0;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), 0);
	g_return_val_if_fail(segment_id != NULL, 0);
	for (guint i = 0; i < self->segments->len; i++) {
		if (strcmp(g_array_index(self->segments, NhipHl7Segment, i).id, segment_id) == 0)
			count++;
	}
	return count;
}

static NhipHl7Segment *
segment_find(NhipHl7Message *self, const NhipHl7Path *path, GError **error)
{
	guint count = 0;

	for (guint i = 0; i < self->segments->len; i++) {
		NhipHl7Segment *segment = &g_array_index(self->segments, NhipHl7Segment, i);
		if (memcmp(segment->id, path->segment, 4) == 0 && ++count == path->occurrence)
			return segment;
	}
	g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_NOT_FOUND,
		    _("the message has no %s segment number %u (it has %u)"), path->segment,
		    path->occurrence, count);
	return NULL;
}

/* the n-th piece (from 1) of [s, s + length) split at @separator */
static gboolean
text_piece(const gchar *s,
	   gsize length,
	   gchar separator,
	   guint n,
	   const gchar **out,
	   gsize *out_len)
{
	const gchar *end = s + length;
	const gchar *next;

	for (guint i = 1; i < n; i++) {
		next = s < end ? memchr(s, separator, (gsize)(end - s)) : NULL;
		if (next == NULL)
			return FALSE;
		s = next + 1;
	}
	next = s < end ? memchr(s, separator, (gsize)(end - s)) : NULL;
	*out = s;
	*out_len = (gsize)((next != NULL ? next : end) - s);
	return TRUE;
}

/*
 * Finds the encoded text at @path. With @descend, levels the path leaves out are taken
 * as 1 (the first component of the first repetition); otherwise the text of the deepest
 * level named is returned whole. Absent parts give empty text.
 */
static gboolean
message_locate(NhipHl7Message *self,
	       const NhipHl7Path *path,
	       gboolean descend,
	       const gchar **out,
	       gsize *out_len,
	       gboolean *is_delimiter_field,
	       GError **error)
{
	NhipHl7Segment *segment;
	NhipHl7Span *span;
	const NhipHl7Delimiters *d = &self->delimiters;
	const gchar *s;
	gsize length;
	guint repetition = path->repetition;
	guint component = path->component;
	guint subcomponent = path->subcomponent;

	*out = "";
	*out_len = 0;
	*is_delimiter_field = FALSE;
	segment = segment_find(self, path, error);
	if (segment == NULL)
		return FALSE;
	if (path->field == 0) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PATH,
				    _("the path names a whole segment; add a field number, e.g. "
				      "PID-5"));
		return FALSE;
	}
	if (path->field > segment->n_fields)
		return TRUE;
	span = &segment_fields(self, segment)[path->field - 1];
	s = span_text(self, span);
	length = span->length;
	if (segment->is_header && path->field <= 2) {
		*is_delimiter_field = TRUE;
		*out = s;
		*out_len = length;
		return TRUE;
	}
	if (descend) {
		repetition = MAX(repetition, 1);
		component = MAX(component, 1);
		subcomponent = MAX(subcomponent, 1);
	} else {
		if (subcomponent > 0)
			component = MAX(component, 1);
		if (component > 0)
			repetition = MAX(repetition, 1);
	}
	if (repetition > 0 && !text_piece(s, length, d->repetition, repetition, &s, &length))
		return TRUE;
	if (component > 0 && !text_piece(s, length, d->component, component, &s, &length))
		return TRUE;
	if (subcomponent > 0 && !text_piece(s, length, d->subcomponent, subcomponent, &s, &length))
		return TRUE;
	*out = s;
	*out_len = length;
	return TRUE;
}

/**
 * nhip_hl7_message_get_value_at:
 * @self: a message
 * @path: where the value is
 * @error: return location for a #GError
 *
 * Like nhip_hl7_message_get_value() with a parsed path.
 *
 * Returns: (transfer full) (nullable): the decoded value, or %NULL on error
 */
gchar *
nhip_hl7_message_get_value_at(NhipHl7Message *self, const NhipHl7Path *path, GError **error)
{
	const gchar *s = NULL;
	gsize length = 0;
	gboolean is_delimiter_field = FALSE;
	GString *out;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!message_locate(self, path, TRUE, &s, &length, &is_delimiter_field, error))
		return NULL;
	if (is_delimiter_field || memchr(s, self->delimiters.escape, length) == NULL)
		return g_strndup(s, length);
	out = g_string_sized_new(length);
	if (!delimiters_unescape(&self->delimiters, s, length, out, NULL, error)) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/**
 * nhip_hl7_message_get_value:
 * @self: a message
 * @path: where the value is, e.g. `PID-5-1`, `OBX[2]-5` or `PID-3(2)-1`
 * @error: return location for a #GError
 *
 * Gets one value with its escape sequences decoded (`\.br\` becomes a line feed). Levels the
 * path leaves out are taken as 1, so `PID-5` is the first component of the first
 * repetition, as in other HL7 libraries. A value that is absent from a segment that exists
 * is the empty string; the HL7 null value is returned as #NHIP_HL7_NULL. MSH-1 and MSH-2
 * are returned as they are.
 *
 * Returns: (transfer full) (nullable): the decoded value, or %NULL if the path is invalid or
 *   its segment is missing
 */
gchar *
nhip_hl7_message_get_value(NhipHl7Message *self, const gchar *path, GError **error)
{
	NhipHl7Path parsed;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_hl7_path_parse(path, &parsed, error))
		return NULL;
	return nhip_hl7_message_get_value_at(self, &parsed, error);
}

/**
 * nhip_hl7_message_get_raw_at:
 * @self: a message
 * @path: where the text is
 * @error: return location for a #GError
 *
 * Like nhip_hl7_message_get_raw() with a parsed path.
 *
 * Returns: (transfer full) (nullable): the encoded text, or %NULL on error
 */
gchar *
nhip_hl7_message_get_raw_at(NhipHl7Message *self, const NhipHl7Path *path, GError **error)
{
	const gchar *s = NULL;
	gsize length = 0;
	gboolean is_delimiter_field = FALSE;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!message_locate(self, path, FALSE, &s, &length, &is_delimiter_field, error))
		return NULL;
	return g_strndup(s, length);
}

/**
 * nhip_hl7_message_get_raw:
 * @self: a message
 * @path: where the text is, e.g. `PID-5` (the whole field) or `PID-3(2)`
 * @error: return location for a #GError
 *
 * Gets the encoded text of the deepest level the path names, with its delimiters and
 * escape sequences as they are in the message.
 *
 * Returns: (transfer full) (nullable): the encoded text, or %NULL if the path is invalid or
 *   its segment is missing
 */
gchar *
nhip_hl7_message_get_raw(NhipHl7Message *self, const gchar *path, GError **error)
{
	NhipHl7Path parsed;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_hl7_path_parse(path, &parsed, error))
		return NULL;
	return nhip_hl7_message_get_raw_at(self, &parsed, error);
}

/**
 * nhip_hl7_message_get_n_repetitions:
 * @self: a message
 * @path: a field, e.g. `PID-3`
 * @n_repetitions: (out): the number of repetitions, 0 for an empty or absent field
 * @error: return location for a #GError
 *
 * Counts the repetitions of a field.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hl7_message_get_n_repetitions(NhipHl7Message *self,
				   const gchar *path,
				   guint *n_repetitions,
				   GError **error)
{
	NhipHl7Path parsed;
	const gchar *s = NULL;
	gsize length = 0;
	gboolean is_delimiter_field = FALSE;
	guint count = 1;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(n_repetitions != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!nhip_hl7_path_parse(path, &parsed, error))
		return FALSE;
	parsed.repetition = 0;
	parsed.component = 0;
	parsed.subcomponent = 0;
	if (!message_locate(self, &parsed, FALSE, &s, &length, &is_delimiter_field, error))
		return FALSE;
	if (length == 0) {
		*n_repetitions = 0;
		return TRUE;
	}
	if (!is_delimiter_field) {
		for (gsize i = 0; i < length; i++) {
			if (s[i] == self->delimiters.repetition)
				count++;
		}
	}
	*n_repetitions = count;
	return TRUE;
}

/* makes sure the segment owns its field array and has at least @n_fields fields */
static void
segment_ensure_fields(NhipHl7Message *self, NhipHl7Segment *segment, guint n_fields)
{
	if (segment->fields == NULL || n_fields > segment->alloc_fields) {
		guint alloc = MAX(MAX(n_fields, segment->n_fields), 8);
		NhipHl7Span *fields = g_new0(NhipHl7Span, alloc);
		NhipHl7Span *old = segment_fields(self, segment);
		for (guint i = 0; old != NULL && i < segment->n_fields; i++)
			fields[i] = old[i];
		g_free(segment->fields);
		segment->fields = fields;
		segment->alloc_fields = alloc;
	}
	for (guint i = segment->n_fields; i < n_fields; i++) {
		segment->fields[i].offset = 0;
		segment->fields[i].length = 0;
	}
	segment->n_fields = MAX(segment->n_fields, n_fields);
}

/*
 * Writes [s, s + length) to @out with the piece @index[0] (split at @separators[0])
 * replaced, recursively, by @value at the deepest level; missing pieces are added.
 */
static void
text_replace_nested(GString *out,
		    const gchar *s,
		    gsize length,
		    const gchar *separators,
		    const guint *index,
		    guint depth,
		    const gchar *value,
		    gsize value_len)
{
	const gchar *end = s + length;
	const gchar *p = s;
	const gchar *next;
	const gchar *piece_end;
	guint i = 1;

	if (depth == 0) {
		g_string_append_len(out, value, value_len);
		return;
	}
	while (i < index[0]) {
		next = p < end ? memchr(p, separators[0], (gsize)(end - p)) : NULL;
		if (next == NULL) {
			g_string_append_len(out, p, end - p);
			p = end;
			for (; i < index[0]; i++)
				g_string_append_c(out, separators[0]);
			break;
		}
		g_string_append_len(out, p, next + 1 - p);
		p = next + 1;
		i++;
	}
	next = p < end ? memchr(p, separators[0], (gsize)(end - p)) : NULL;
	piece_end = next != NULL ? next : end;
	text_replace_nested(out, p, (gsize)(piece_end - p), separators + 1, index + 1, depth - 1,
			    value, value_len);
	g_string_append_len(out, piece_end, end - piece_end);
}

static gboolean
message_store(NhipHl7Message *self,
	      const NhipHl7Path *path,
	      const gchar *raw,
	      gsize raw_len,
	      GError **error)
{
	NhipHl7Segment *segment;
	NhipHl7Span *span;
	gchar separators[3];
	guint index[3];
	guint depth = 0;
	gsize offset;

	if (path->field == 0) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PATH,
				    _("the path names a whole segment; add a field number, e.g. "
				      "PID-5"));
		return FALSE;
	}
	segment = segment_find(self, path, error);
	if (segment == NULL)
		return FALSE;
	if (segment->is_header && path->field <= 2) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE,
				    _("MSH-1 and MSH-2 hold the delimiters and cannot be set; "
				      "create the message with the delimiters instead"));
		return FALSE;
	}
	if (self->text->len + raw_len + 1024 > G_MAXUINT32 / 2) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_LIMIT,
				    _("the message has grown too large"));
		return FALSE;
	}
	segment_ensure_fields(self, segment, path->field);
	span = &segment->fields[path->field - 1];

	if (path->repetition > 0 || path->component > 0 || path->subcomponent > 0) {
		separators[depth] = self->delimiters.repetition;
		index[depth++] = MAX(path->repetition, 1);
	}
	if (path->component > 0 || path->subcomponent > 0) {
		separators[depth] = self->delimiters.component;
		index[depth++] = MAX(path->component, 1);
	}
	if (path->subcomponent > 0) {
		separators[depth] = self->delimiters.subcomponent;
		index[depth++] = path->subcomponent;
	}

	offset = self->text->len;
	if (depth == 0) {
		g_string_append_len(self->text, raw, raw_len);
	} else {
		g_autoptr(GString) field = g_string_sized_new(span->length + raw_len + 8);
		text_replace_nested(field, span_text(self, span), span->length, separators, index,
				    depth, raw, raw_len);
		g_string_append_len(self->text, field->str, field->len);
	}
	span->offset = (guint32)offset;
	span->length = (guint32)(self->text->len - offset);
	return TRUE;
}

/**
 * nhip_hl7_message_set_value_at:
 * @self: a message
 * @path: where to put the value
 * @value: (nullable): UTF-8 text, or %NULL for empty
 * @error: return location for a #GError
 *
 * Like nhip_hl7_message_set_value() with a parsed path.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hl7_message_set_value_at(NhipHl7Message *self,
			      const NhipHl7Path *path,
			      const gchar *value,
			      GError **error)
{
	g_autoptr(GString) escaped = NULL;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (value == NULL)
		value = "";
	if (!g_utf8_validate(value, -1, NULL)) {
		g_autofree gchar *where = nhip_hl7_path_to_string(path);
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE,
			    _("the value for %s is not valid UTF-8 text"), where);
		return FALSE;
	}
	escaped = g_string_sized_new(strlen(value) + 8);
	delimiters_escape(&self->delimiters, value, strlen(value), escaped);
	return message_store(self, path, escaped->str, escaped->len, error);
}

/**
 * nhip_hl7_message_set_value:
 * @self: a message
 * @path: where to put the value, e.g. `PID-5-1`; the segment must exist
 * @value: (nullable): UTF-8 text, or %NULL for empty
 * @error: return location for a #GError
 *
 * Stores @value, escaping delimiters and line breaks. Missing fields, repetitions and
 * components before the addressed one are added empty. A path without repetition or
 * component replaces the whole field.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hl7_message_set_value(NhipHl7Message *self,
			   const gchar *path,
			   const gchar *value,
			   GError **error)
{
	NhipHl7Path parsed;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!nhip_hl7_path_parse(path, &parsed, error))
		return FALSE;
	return nhip_hl7_message_set_value_at(self, &parsed, value, error);
}

/**
 * nhip_hl7_message_set_raw:
 * @self: a message
 * @path: where to put the text; the segment must exist
 * @raw: (nullable): encoded text, e.g. `ORU^R01^ORU_R01` for MSH-9, or %NULL for empty
 * @error: return location for a #GError
 *
 * Stores already encoded text. It may hold the delimiters of the levels below the one
 * @path names, and must hold well-formed escape sequences.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hl7_message_set_raw(NhipHl7Message *self, const gchar *path, const gchar *raw, GError **error)
{
	NhipHl7Path parsed;
	const NhipHl7Delimiters *d;
	g_autoptr(GString) scratch = NULL;
	g_autoptr(GError) error_local = NULL;
	gchar forbidden[6] = { 0 };
	guint n_forbidden = 0;
	gsize raw_len;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!nhip_hl7_path_parse(path, &parsed, error))
		return FALSE;
	d = &self->delimiters;
	if (raw == NULL)
		raw = "";
	raw_len = strlen(raw);
	if (!g_utf8_validate_len(raw, raw_len, NULL)) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE,
			    _("the text for %s is not valid UTF-8"), path);
		return FALSE;
	}
	forbidden[n_forbidden++] = d->field;
	if (parsed.repetition > 0 || parsed.component > 0 || parsed.subcomponent > 0)
		forbidden[n_forbidden++] = d->repetition;
	if (parsed.component > 0 || parsed.subcomponent > 0)
		forbidden[n_forbidden++] = d->component;
	if (parsed.subcomponent > 0)
		forbidden[n_forbidden++] = d->subcomponent;
	for (gsize i = 0; i < raw_len; i++) {
		if (raw[i] == '\r' || raw[i] == '\n' || memchr(forbidden, raw[i], n_forbidden)) {
			g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE,
				    _("the text for %s holds a line break or a delimiter of its "
				      "own level; use nhip_hl7_message_set_value() for plain text"),
				    path);
			return FALSE;
		}
	}
	if (!field_validate_escapes(self, raw, raw_len, &scratch, &error_local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&error_local), "%s: ", path);
		return FALSE;
	}
	return message_store(self, &parsed, raw, raw_len, error);
}

/**
 * nhip_hl7_message_append_segment:
 * @self: a message
 * @segment_id: a segment id such as `PID` or `ZXT`
 * @error: return location for a #GError
 *
 * Appends an empty segment at the end of the message.
 *
 * Returns: the occurrence number of the new segment among those with the same id (1 for
 *   the first `OBX`), usable in a path as `OBX[n]`, or 0 on error
 */
guint
nhip_hl7_message_append_segment(NhipHl7Message *self, const gchar *segment_id, GError **error)
{
	NhipHl7Segment segment = { 0 };

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), 0);
	g_return_val_if_fail(segment_id != NULL, 0);
	g_return_val_if_fail(error == NULL || *error == NULL, 0);

	if (!segment_id_valid(segment_id, strlen(segment_id))) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_SEGMENT,
			    _("“%s” is not a segment id (three capital letters or digits)"),
			    segment_id);
		return 0;
	}
	if (strcmp(segment_id, "MSH") == 0) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_SEGMENT,
				    _("a message has exactly one MSH segment, and it is first"));
		return 0;
	}
	g_strlcpy(segment.id, segment_id, sizeof(segment.id));
	g_array_append_val(self->segments, segment);
	return nhip_hl7_message_count_segments(self, segment_id);
}

/**
 * nhip_hl7_message_format_timestamp:
 * @datetime: (nullable): a time, or %NULL for now
 *
 * Formats a time as an HL7 DTM with seconds and time zone, e.g. `20240131143005+0700`.
 *
 * Returns: (transfer full): the formatted time
 */
gchar *
nhip_hl7_message_format_timestamp(GDateTime *datetime)
{
	g_autoptr(GDateTime) now = NULL;

	if (datetime == NULL) {
		now = g_date_time_new_now_local();
		datetime = now;
	}
	return g_date_time_format(datetime, "%Y%m%d%H%M%S%z");
}

/**
 * nhip_hl7_message_generate_control_id:
 *
 * Makes a message control id (MSH-10) that is unique on this machine: 20 digits, the
 * longest HL7 v2.5.1 allows.
 *
 * Returns: (transfer full): a new control id
 */
gchar *
nhip_hl7_message_generate_control_id(void)
{
	static gint counter = 0;
	guint serial = (guint)g_atomic_int_add(&counter, 1) % 1000;

	return g_strdup_printf("%013" G_GINT64_FORMAT "%03u%04u",
			       (g_get_real_time() / 1000) % G_GINT64_CONSTANT(10000000000000),
			       serial, (guint)g_random_int_range(0, 10000));
}

/**
 * nhip_hl7_message_set_header:
 * @self: a message
 * @message_code: MSH-9-1, e.g. `ORU`
 * @trigger_event: (nullable): MSH-9-2, e.g. `R01`
 * @structure: (nullable): MSH-9-3, e.g. `ORU_R01`
 * @control_id: (nullable): MSH-10, or %NULL to generate one
 * @error: return location for a #GError
 *
 * Fills the MSH fields every message needs: MSH-7 (now), MSH-9, MSH-10, MSH-11 (`P`),
 * MSH-12 (`2.5.1`) and MSH-18 (`UNICODE UTF-8`). Sender and receiver (MSH-3 to MSH-6) are
 * left to the caller.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hl7_message_set_header(NhipHl7Message *self,
			    const gchar *message_code,
			    const gchar *trigger_event,
			    const gchar *structure,
			    const gchar *control_id,
			    GError **error)
{
	g_autofree gchar *timestamp = nhip_hl7_message_format_timestamp(NULL);
	g_autofree gchar *generated = NULL;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), FALSE);
	g_return_val_if_fail(message_code != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (control_id == NULL) {
		generated = nhip_hl7_message_generate_control_id();
		control_id = generated;
	}
	if (!nhip_hl7_message_set_value(self, "MSH-7", timestamp, error))
		return FALSE;
	if (!nhip_hl7_message_set_value(self, "MSH-9-1", message_code, error))
		return FALSE;
	if (trigger_event != NULL &&
	    !nhip_hl7_message_set_value(self, "MSH-9-2", trigger_event, error))
		return FALSE;
	if (structure != NULL && !nhip_hl7_message_set_value(self, "MSH-9-3", structure, error))
		return FALSE;
	if (!nhip_hl7_message_set_value(self, "MSH-10", control_id, error))
		return FALSE;
	if (!nhip_hl7_message_set_value(self, "MSH-11", "P", error))
		return FALSE;
	if (!nhip_hl7_message_set_value(self, "MSH-12", "2.5.1", error))
		return FALSE;
	return nhip_hl7_message_set_value(self, "MSH-18", "UNICODE UTF-8", error);
}

/**
 * nhip_hl7_message_escape:
 * @self: a message
 * @value: UTF-8 text
 *
 * Encodes @value for this message's delimiters: delimiters become `\F\ \S\ \T\ \R\ \E\`,
 * line breaks `\.br\` and other control characters `\Xhh\`.
 *
 * Returns: (transfer full): the encoded text
 */
gchar *
nhip_hl7_message_escape(NhipHl7Message *self, const gchar *value)
{
	GString *out;
	gsize length;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	g_return_val_if_fail(value != NULL, NULL);

	length = strlen(value);
	out = g_string_sized_new(length + 8);
	delimiters_escape(&self->delimiters, value, length, out);
	return g_string_free(out, FALSE);
}

/**
 * nhip_hl7_message_unescape:
 * @self: a message
 * @raw: encoded text of one component or subcomponent
 * @error: return location for a #GError
 *
 * Decodes the escape sequences of @raw for this message's delimiters. Formatting commands
 * other than `\.br\` are dropped; unknown sequences are kept.
 *
 * Returns: (transfer full) (nullable): the decoded text, or %NULL if @raw is malformed
 */
gchar *
nhip_hl7_message_unescape(NhipHl7Message *self, const gchar *raw, GError **error)
{
	g_autoptr(GString) out = NULL;
	gboolean decoded_bytes = FALSE;
	gsize length;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(self), NULL);
	g_return_val_if_fail(raw != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	length = strlen(raw);
	out = g_string_sized_new(length);
	if (!delimiters_unescape(&self->delimiters, raw, length, out, &decoded_bytes, error))
		return NULL;
	if (!g_utf8_validate_len(out->str, out->len, NULL)) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ENCODING,
				    _("the decoded text is not valid UTF-8"));
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}
