/*
 * Nhịp — HL7 v2 acknowledgments: building the ACK for a received message, reading an ACK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-hl7-message.h"

G_BEGIN_DECLS

/**
 * NhipHl7AckCode:
 * @NHIP_HL7_ACK_CODE_AA: application accept
 * @NHIP_HL7_ACK_CODE_AE: application error: the message was understood but not processed
 * @NHIP_HL7_ACK_CODE_AR: application reject: the message cannot be processed (header,
 *   syntax, type)
 * @NHIP_HL7_ACK_CODE_CA: commit accept (enhanced mode)
 * @NHIP_HL7_ACK_CODE_CE: commit error (enhanced mode)
 * @NHIP_HL7_ACK_CODE_CR: commit reject (enhanced mode)
 *
 * MSA-1 acknowledgment codes (HL7 table 0008).
 */
typedef enum {
	NHIP_HL7_ACK_CODE_AA,
	NHIP_HL7_ACK_CODE_AE,
	NHIP_HL7_ACK_CODE_AR,
	NHIP_HL7_ACK_CODE_CA,
	NHIP_HL7_ACK_CODE_CE,
	NHIP_HL7_ACK_CODE_CR,
} NhipHl7AckCode;

/**
 * NHIP_HL7_ACK_ERROR_SEGMENT_SEQUENCE:
 *
 * HL7 table 0357 code 100, used when a message cannot be parsed at all.
 */
#define NHIP_HL7_ACK_ERROR_SEGMENT_SEQUENCE 100
/**
 * NHIP_HL7_ACK_ERROR_DATA_TYPE:
 *
 * HL7 table 0357 code 102, used when a field cannot be decoded.
 */
#define NHIP_HL7_ACK_ERROR_DATA_TYPE 102
/**
 * NHIP_HL7_ACK_ERROR_INTERNAL:
 *
 * HL7 table 0357 code 207, application internal error.
 */
#define NHIP_HL7_ACK_ERROR_INTERNAL 207

/**
 * NhipHl7Ack:
 *
 * A read acknowledgment: code, acknowledged control id and error text. Reference counted.
 */
#define NHIP_TYPE_HL7_ACK (nhip_hl7_ack_get_type())

typedef struct _NhipHl7Ack NhipHl7Ack;

GType nhip_hl7_ack_get_type(void) G_GNUC_CONST;

NhipHl7Ack *nhip_hl7_ack_new(NhipHl7AckCode code,
			     const gchar *control_id,
			     const gchar *text) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Ack *nhip_hl7_ack_ref(NhipHl7Ack *self);
void nhip_hl7_ack_unref(NhipHl7Ack *self);

NhipHl7Ack *nhip_hl7_ack_parse(NhipHl7Message *message, GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Ack *
nhip_hl7_ack_parse_data(const gchar *data, gsize length, GError **error) G_GNUC_WARN_UNUSED_RESULT;

NhipHl7AckCode nhip_hl7_ack_get_code(const NhipHl7Ack *self);
const gchar *nhip_hl7_ack_get_control_id(const NhipHl7Ack *self);
const gchar *nhip_hl7_ack_get_text(const NhipHl7Ack *self);
guint nhip_hl7_ack_get_error_code(const NhipHl7Ack *self);
NhipHl7Message *nhip_hl7_ack_get_message(const NhipHl7Ack *self);
gboolean nhip_hl7_ack_is_accept(const NhipHl7Ack *self);
gboolean nhip_hl7_ack_check(const NhipHl7Ack *self, GError **error);

NhipHl7Message *nhip_hl7_ack_build(NhipHl7Message *original,
				   NhipHl7AckCode code,
				   guint error_code,
				   const gchar *text,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Message *nhip_hl7_ack_build_for_data(const gchar *data,
					    gsize length,
					    NhipHl7AckCode code,
					    guint error_code,
					    const gchar *text) G_GNUC_WARN_UNUSED_RESULT;

const gchar *nhip_hl7_ack_code_to_string(NhipHl7AckCode code);
gboolean nhip_hl7_ack_code_from_string(const gchar *text, NhipHl7AckCode *code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHl7Ack, nhip_hl7_ack_unref)

G_END_DECLS
