/*
 * Nhịp — HL7 v2 acknowledgments: building the ACK for a received message, reading an ACK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "nhip-hl7-ack.h"

struct _NhipHl7Ack {
	NhipHl7AckCode code;
	gchar *control_id;
	gchar *text;
	guint error_code;
	NhipHl7Message *message;
};

G_DEFINE_BOXED_TYPE(NhipHl7Ack, nhip_hl7_ack, nhip_hl7_ack_ref, nhip_hl7_ack_unref)

static const gchar *const ack_code_names[] = { "AA", "AE", "AR", "CA", "CE", "CR" };

/* MSA-3 is a 80-character ST in v2.5.1 */
#define ACK_MSA3_MAX_CHARS 80

static void
ack_clear(gpointer data)
{
	NhipHl7Ack *self = data;
	g_free(self->control_id);
	g_free(self->text);
	g_clear_object(&self->message);
}

/**
 * nhip_hl7_ack_new:
 * @code: the acknowledgment code
 * @control_id: (nullable): the control id of the acknowledged message
 * @text: (nullable): the error text
 *
 * Creates an acknowledgment from its parts; nhip_hl7_ack_parse() makes one from a message.
 *
 * Returns: (transfer full): a new acknowledgment
 */
NhipHl7Ack *
nhip_hl7_ack_new(NhipHl7AckCode code, const gchar *control_id, const gchar *text)
{
	NhipHl7Ack *self = g_atomic_rc_box_new0(NhipHl7Ack);
	self->code = code;
	self->control_id = g_strdup(control_id != NULL ? control_id : "");
	self->text = g_strdup(text);
	return self;
}

/**
 * nhip_hl7_ack_ref:
 * @self: an acknowledgment
 *
 * Returns: (transfer full): @self, with one more reference
 */
NhipHl7Ack *
nhip_hl7_ack_ref(NhipHl7Ack *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return g_atomic_rc_box_acquire(self);
}

/**
 * nhip_hl7_ack_unref:
 * @self: (nullable): an acknowledgment
 *
 * Drops one reference; the last frees @self.
 */
void
nhip_hl7_ack_unref(NhipHl7Ack *self)
{
	if (self != NULL)
		g_atomic_rc_box_release_full(self, ack_clear);
}

/**
 * nhip_hl7_ack_code_to_string:
 * @code: an acknowledgment code
 *
 * Returns: (transfer none): the MSA-1 text of @code, e.g. `AA`
 */
const gchar *
nhip_hl7_ack_code_to_string(NhipHl7AckCode code)
{
	if ((guint)code >= G_N_ELEMENTS(ack_code_names))
		return "AE";
	return ack_code_names[code];
}

/**
 * nhip_hl7_ack_code_from_string:
 * @text: MSA-1 text, e.g. `AA`
 * @code: (out) (optional): the code
 *
 * Returns: %TRUE if @text is one of the codes of HL7 table 0008
 */
gboolean
nhip_hl7_ack_code_from_string(const gchar *text, NhipHl7AckCode *code)
{
	g_return_val_if_fail(text != NULL, FALSE);
	for (guint i = 0; i < G_N_ELEMENTS(ack_code_names); i++) {
		if (strcmp(text, ack_code_names[i]) == 0) {
			if (code != NULL)
				*code = (NhipHl7AckCode)i;
			return TRUE;
		}
	}
	return FALSE;
}

static const gchar *
ack_error_code_text(guint error_code)
{
	/* HL7 table 0357, message error condition codes */
	switch (error_code) {
	case 0:
		return "Message accepted";
	case 100:
		return "Segment sequence error";
	case 101:
		return "Required field missing";
	case 102:
		return "Data type error";
	case 103:
		return "Table value not found";
	case 200:
		return "Unsupported message type";
	case 201:
		return "Unsupported event code";
	case 202:
		return "Unsupported processing id";
	case 203:
		return "Unsupported version id";
	case 204:
		return "Unknown key identifier";
	case 205:
		return "Duplicate key identifier";
	case 206:
		return "Application record locked";
	default:
		return "Application internal error";
	}
}

/**
 * nhip_hl7_ack_parse:
 * @message: a received acknowledgment message
 * @error: return location for a #GError
 *
 * Reads the acknowledgment code (MSA-1), the acknowledged control id (MSA-2) and the error
 * text: ERR-8, else the text of ERR-3, else MSA-3.
 *
 * Returns: (transfer full) (nullable): the acknowledgment, or %NULL if @message has no
 *   usable MSA segment
 */
NhipHl7Ack *
nhip_hl7_ack_parse(NhipHl7Message *message, GError **error)
{
	g_autoptr(NhipHl7Ack) self = NULL;
	g_autofree gchar *code = NULL;
	g_autofree gchar *text = NULL;
	NhipHl7AckCode ack_code = NHIP_HL7_ACK_CODE_AE;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(message), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (nhip_hl7_message_count_segments(message, "MSA") == 0) {
		g_set_error_literal(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ACK,
				    _("the answer has no MSA segment, so it is not an HL7 "
				      "acknowledgment"));
		return NULL;
	}
	code = nhip_hl7_message_get_value(message, "MSA-1", error);
	if (code == NULL)
		return NULL;
	if (!nhip_hl7_ack_code_from_string(code, &ack_code)) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ACK,
			    _("MSA-1 holds “%s”, which is not an acknowledgment code (AA, AE, AR, "
			      "CA, CE or CR)"),
			    code);
		return NULL;
	}
	self = g_atomic_rc_box_new0(NhipHl7Ack);
	self->code = ack_code;
	self->message = g_object_ref(message);
	self->control_id = nhip_hl7_message_get_value(message, "MSA-2", error);
	if (self->control_id == NULL)
		return NULL;
	if (nhip_hl7_message_count_segments(message, "ERR") > 0) {
		g_autofree gchar *error_code = nhip_hl7_message_get_value(message, "ERR-3-1", NULL);
		text = nhip_hl7_message_get_value(message, "ERR-8", NULL);
		if (text != NULL && text[0] == '\0')
			g_clear_pointer(&text, g_free);
		if (text == NULL)
			text = nhip_hl7_message_get_value(message, "ERR-3-2", NULL);
		if (error_code != NULL)
			self->error_code = (guint)strtoul(error_code, NULL, 10);
	}
	if (text == NULL || text[0] == '\0') {
		g_free(text);
		text = nhip_hl7_message_get_value(message, "MSA-3", NULL);
	}
	if (text != NULL && text[0] != '\0')
		self->text = g_steal_pointer(&text);
	return g_steal_pointer(&self);
}

/**
 * nhip_hl7_ack_parse_data:
 * @data: (array length=length): ER7 text of an acknowledgment
 * @length: length of @data in bytes
 * @error: return location for a #GError
 *
 * Parses an acknowledgment message and reads it; see nhip_hl7_ack_parse().
 *
 * Returns: (transfer full) (nullable): the acknowledgment, or %NULL on error
 */
NhipHl7Ack *
nhip_hl7_ack_parse_data(const gchar *data, gsize length, GError **error)
{
	g_autoptr(NhipHl7Message) message = NULL;

	g_return_val_if_fail(data != NULL || length == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	message = nhip_hl7_message_parse(data, length, error);
	if (message == NULL)
		return NULL;
	return nhip_hl7_ack_parse(message, error);
}

/**
 * nhip_hl7_ack_get_code:
 * @self: an acknowledgment
 *
 * Returns: the acknowledgment code (MSA-1)
 */
NhipHl7AckCode
nhip_hl7_ack_get_code(const NhipHl7Ack *self)
{
	g_return_val_if_fail(self != NULL, NHIP_HL7_ACK_CODE_AE);
	return self->code;
}

/**
 * nhip_hl7_ack_get_control_id:
 * @self: an acknowledgment
 *
 * Returns: (transfer none): the control id of the acknowledged message (MSA-2)
 */
const gchar *
nhip_hl7_ack_get_control_id(const NhipHl7Ack *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->control_id;
}

/**
 * nhip_hl7_ack_get_text:
 * @self: an acknowledgment
 *
 * Returns: (transfer none) (nullable): the error text, or %NULL when there is none
 */
const gchar *
nhip_hl7_ack_get_text(const NhipHl7Ack *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->text;
}

/**
 * nhip_hl7_ack_get_error_code:
 * @self: an acknowledgment
 *
 * Returns: the HL7 table 0357 code of ERR-3, or 0 when there is none
 */
guint
nhip_hl7_ack_get_error_code(const NhipHl7Ack *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->error_code;
}

/**
 * nhip_hl7_ack_get_message:
 * @self: an acknowledgment
 *
 * Returns: (transfer none) (nullable): the acknowledgment message it was read from
 */
NhipHl7Message *
nhip_hl7_ack_get_message(const NhipHl7Ack *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->message;
}

/**
 * nhip_hl7_ack_is_accept:
 * @self: an acknowledgment
 *
 * Returns: %TRUE for AA and CA
 */
gboolean
nhip_hl7_ack_is_accept(const NhipHl7Ack *self)
{
	g_return_val_if_fail(self != NULL, FALSE);
	return self->code == NHIP_HL7_ACK_CODE_AA || self->code == NHIP_HL7_ACK_CODE_CA;
}

/**
 * nhip_hl7_ack_check:
 * @self: an acknowledgment
 * @error: return location for a #GError
 *
 * Turns a negative acknowledgment into a %NHIP_HL7_ERROR_REJECTED error that carries the
 * receiver's reason.
 *
 * Returns: %TRUE for AA and CA
 */
gboolean
nhip_hl7_ack_check(const NhipHl7Ack *self, GError **error)
{
	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (nhip_hl7_ack_is_accept(self))
		return TRUE;
	g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_REJECTED,
		    /* TRANSLATORS: the first %s is AE or AR, the second the receiver's reason */
		    _("the receiver did not accept message %s (%s): %s"), self->control_id,
		    nhip_hl7_ack_code_to_string(self->code),
		    self->text != NULL ? self->text : _("no reason given"));
	return FALSE;
}

static gboolean
ack_fill(NhipHl7Message *ack,
	 NhipHl7Message *original,
	 const gchar *control_id,
	 NhipHl7AckCode code,
	 guint error_code,
	 const gchar *text,
	 GError **error)
{
	g_autofree gchar *trigger = NULL;
	guint msa;

	if (original != NULL) {
		static const gchar *const swap[][2] = {
			{ "MSH-3", "MSH-5" },
			{ "MSH-4", "MSH-6" },
			{ "MSH-5", "MSH-3" },
			{ "MSH-6", "MSH-4" },
		};
		for (guint i = 0; i < G_N_ELEMENTS(swap); i++) {
			g_autofree gchar *raw =
				nhip_hl7_message_get_raw(original, swap[i][1], error);
			if (raw == NULL)
				return FALSE;
			if (!nhip_hl7_message_set_raw(ack, swap[i][0], raw, error))
				return FALSE;
		}
		trigger = nhip_hl7_message_get_value(original, "MSH-9-2", error);
		if (trigger == NULL)
			return FALSE;
	}
	if (!nhip_hl7_message_set_header(ack, "ACK",
					 trigger != NULL && trigger[0] != '\0' ? trigger : NULL,
					 "ACK", NULL, error))
		return FALSE;
	if (original != NULL) {
		/* answer in the processing mode and version the sender used */
		static const gchar *const copy[] = { "MSH-11", "MSH-12" };
		for (guint i = 0; i < G_N_ELEMENTS(copy); i++) {
			g_autofree gchar *raw = nhip_hl7_message_get_raw(original, copy[i], error);
			if (raw == NULL)
				return FALSE;
			if (raw[0] != '\0' && !nhip_hl7_message_set_raw(ack, copy[i], raw, error))
				return FALSE;
		}
	}

	msa = nhip_hl7_message_append_segment(ack, "MSA", error);
	if (msa == 0)
		return FALSE;
	if (!nhip_hl7_message_set_value(ack, "MSA-1", nhip_hl7_ack_code_to_string(code), error))
		return FALSE;
	if (!nhip_hl7_message_set_value(ack, "MSA-2", control_id, error))
		return FALSE;
	if (text != NULL && text[0] != '\0') {
		g_autofree gchar *short_text =
			g_utf8_substring(text, 0, MIN(g_utf8_strlen(text, -1), ACK_MSA3_MAX_CHARS));
		if (!nhip_hl7_message_set_value(ack, "MSA-3", short_text, error))
			return FALSE;
	}
	if (code != NHIP_HL7_ACK_CODE_AA && code != NHIP_HL7_ACK_CODE_CA) {
		g_autofree gchar *number = NULL;
		if (error_code == 0)
			error_code = NHIP_HL7_ACK_ERROR_INTERNAL;
		number = g_strdup_printf("%u", error_code);
		if (nhip_hl7_message_append_segment(ack, "ERR", error) == 0)
			return FALSE;
		if (!nhip_hl7_message_set_value(ack, "ERR-3-1", number, error))
			return FALSE;
		if (!nhip_hl7_message_set_value(ack, "ERR-3-2", ack_error_code_text(error_code),
						error))
			return FALSE;
		if (!nhip_hl7_message_set_value(ack, "ERR-3-3", "HL70357", error))
			return FALSE;
		if (!nhip_hl7_message_set_value(ack, "ERR-4", "E", error))
			return FALSE;
		if (text != NULL && !nhip_hl7_message_set_value(ack, "ERR-8", text, error))
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hl7_ack_build:
 * @original: the received message
 * @code: the acknowledgment code
 * @error_code: an HL7 table 0357 code for ERR-3, or 0 for 207 (internal error) when @code
 *   is not an accept
 * @text: (nullable): the reason, put in ERR-8 (and, shortened, in MSA-3)
 * @error: return location for a #GError
 *
 * Builds the original-mode acknowledgment of @original: sender and receiver swapped, the
 * same delimiters, MSH-9 `ACK^<trigger>^ACK`, a new control id, MSA-1 @code, MSA-2 the
 * control id of @original, and an ERR segment unless @code is AA or CA.
 *
 * Returns: (transfer full) (nullable): the acknowledgment message, or %NULL on error
 */
NhipHl7Message *
nhip_hl7_ack_build(NhipHl7Message *original,
		   NhipHl7AckCode code,
		   guint error_code,
		   const gchar *text,
		   GError **error)
{
	g_autoptr(NhipHl7Message) ack = NULL;
	g_autofree gchar *control_id = NULL;

	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(original), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	ack = nhip_hl7_message_new_with_delimiters(nhip_hl7_message_get_delimiters(original),
						   error);
	if (ack == NULL)
		return NULL;
	control_id = nhip_hl7_message_get_value(original, "MSH-10", error);
	if (control_id == NULL)
		return NULL;
	if (!ack_fill(ack, original, control_id, code, error_code, text, error))
		return NULL;
	return g_steal_pointer(&ack);
}

/* the control id of a message that failed to parse, if its header is readable */
static gchar *
ack_salvage_control_id(const gchar *data, gsize length)
{
	const gchar *end;
	const gchar *p = data;
	g_auto(GStrv) fields = NULL;
	g_autofree gchar *header = NULL;
	gchar separator[2] = { 0 };

	if (length < 9 || memcmp(data, "MSH", 3) != 0)
		return NULL;
	end = data + length;
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	header = g_strndup(data, (gsize)(p - data));
	separator[0] = data[3];
	if (separator[0] == '\0')
		return NULL;
	fields = g_strsplit(header, separator, 11);
	/* fields[0] is "MSH", fields[1] MSH-2, fields[9] MSH-10 */
	if (g_strv_length(fields) < 10 || strchr(fields[9], data[6]) != NULL)
		return NULL;
	if (!g_utf8_validate(fields[9], -1, NULL))
		return NULL;
	return g_strdup(fields[9]);
}

/**
 * nhip_hl7_ack_build_for_data:
 * @data: (array length=length): the received bytes, which may not parse
 * @length: length of @data in bytes
 * @code: the acknowledgment code, usually AR or AE
 * @error_code: an HL7 table 0357 code, or 0 for 207
 * @text: (nullable): the reason
 *
 * Builds the best acknowledgment possible for bytes that may not be a valid message: when
 * the header can be read it is used as by nhip_hl7_ack_build(), otherwise the answer uses
 * the default delimiters and carries whatever control id could be recovered.
 *
 * Returns: (transfer full): the acknowledgment message
 */
NhipHl7Message *
nhip_hl7_ack_build_for_data(const gchar *data,
			    gsize length,
			    NhipHl7AckCode code,
			    guint error_code,
			    const gchar *text)
{
	g_autoptr(NhipHl7Message) original = NULL;
	g_autoptr(NhipHl7Message) ack = NULL;
	g_autofree gchar *control_id = NULL;
	const gchar *p;
	const gchar *end;

	g_return_val_if_fail(data != NULL || length == 0, NULL);

	if (data == NULL)
		data = "";
	p = data;
	end = data + length;
	/* the header alone may parse when a later segment does not */
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	original = nhip_hl7_message_parse(data, (gsize)(p - data), NULL);
	if (original != NULL) {
		ack = nhip_hl7_ack_build(original, code, error_code, text, NULL);
		if (ack != NULL)
			return g_steal_pointer(&ack);
	}
	control_id = ack_salvage_control_id(data, length);
	ack = nhip_hl7_message_new();
	if (!ack_fill(ack, NULL, control_id != NULL ? control_id : "", code, error_code, text,
		      NULL)) {
		/* cannot happen with the default delimiters and UTF-8 text */
		g_warning("could not build an acknowledgment");
	}
	return g_steal_pointer(&ack);
}
