/*
 * Nhịp — an HL7 v2.5.1 message in ER7 (pipe-delimited) encoding: parser, model, encoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-hl7-error.h"
#include "nhip-hl7-path.h"

G_BEGIN_DECLS

/**
 * NhipHl7Message:
 *
 * One HL7 v2 message: segments of fields, with repetitions, components and subcomponents
 * addressed by paths such as `PID-5-1` or `OBX[2]-5`. Parse one with
 * nhip_hl7_message_parse(), or build one with nhip_hl7_message_new(); encode it with
 * nhip_hl7_message_to_string(). Unmodified parts encode exactly as received. A message is
 * not thread-safe; give each thread its own.
 */
#define NHIP_TYPE_HL7_MESSAGE (nhip_hl7_message_get_type())
G_DECLARE_FINAL_TYPE(NhipHl7Message, nhip_hl7_message, NHIP, HL7_MESSAGE, GObject)

/**
 * NHIP_HL7_NULL:
 *
 * The HL7 null value `""`: "delete the value the receiver holds", as opposed to an
 * empty field that means "no change".
 */
#define NHIP_HL7_NULL "\"\""

/**
 * NHIP_HL7_DEFAULT_DELIMITERS:
 *
 * The usual field separator and encoding characters: MSH-1 followed by MSH-2.
 */
#define NHIP_HL7_DEFAULT_DELIMITERS "|^~\\&"

/**
 * NHIP_HL7_DEFAULT_MAX_MESSAGE_SIZE:
 *
 * Default limit of a whole message, in bytes.
 */
#define NHIP_HL7_DEFAULT_MAX_MESSAGE_SIZE (4u * 1024u * 1024u)

/**
 * NHIP_HL7_DEFAULT_MAX_FIELD_LENGTH:
 *
 * Default limit of one field, in bytes of its encoded text.
 */
#define NHIP_HL7_DEFAULT_MAX_FIELD_LENGTH (1024u * 1024u)

/**
 * NHIP_HL7_DEFAULT_MAX_SEGMENTS:
 *
 * Default limit of the number of segments of a message.
 */
#define NHIP_HL7_DEFAULT_MAX_SEGMENTS 10000u

/**
 * NhipHl7ParseLimits:
 * @max_message_size: longest accepted message in bytes, 0 for the default
 * @max_field_length: longest accepted field in bytes of encoded text, 0 for the default
 * @max_segments: most segments accepted in one message, 0 for the default
 *
 * Limits that keep a hostile or broken sender from using up memory.
 */
typedef struct {
	gsize max_message_size;
	gsize max_field_length;
	guint max_segments;
} NhipHl7ParseLimits;

NhipHl7Message *nhip_hl7_message_new(void) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Message *nhip_hl7_message_new_with_delimiters(const gchar *delimiters,
						     GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Message *
nhip_hl7_message_parse(const gchar *data, gsize length, GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Message *nhip_hl7_message_parse_full(const gchar *data,
					    gsize length,
					    const NhipHl7ParseLimits *limits,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Message *nhip_hl7_message_parse_bytes(GBytes *bytes,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_hl7_message_to_string(NhipHl7Message *self) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_hl7_message_to_bytes(NhipHl7Message *self) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hl7_message_append_to(NhipHl7Message *self, GString *out);

const gchar *nhip_hl7_message_get_delimiters(NhipHl7Message *self);
guint nhip_hl7_message_get_n_segments(NhipHl7Message *self);
const gchar *nhip_hl7_message_get_segment_id(NhipHl7Message *self, guint index);
guint nhip_hl7_message_count_segments(NhipHl7Message *self, const gchar *segment_id);
guint nhip_hl7_message_get_n_fields(NhipHl7Message *self, guint index);

gchar *nhip_hl7_message_get_value(NhipHl7Message *self,
				  const gchar *path,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hl7_message_get_value_at(NhipHl7Message *self,
				     const NhipHl7Path *path,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hl7_message_get_raw(NhipHl7Message *self,
				const gchar *path,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hl7_message_get_raw_at(NhipHl7Message *self,
				   const NhipHl7Path *path,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hl7_message_get_n_repetitions(NhipHl7Message *self,
					    const gchar *path,
					    guint *n_repetitions,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_hl7_message_set_value(NhipHl7Message *self,
				    const gchar *path,
				    const gchar *value,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hl7_message_set_value_at(NhipHl7Message *self,
				       const NhipHl7Path *path,
				       const gchar *value,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hl7_message_set_raw(NhipHl7Message *self,
				  const gchar *path,
				  const gchar *raw,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint nhip_hl7_message_append_segment(NhipHl7Message *self,
				      const gchar *segment_id,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hl7_message_set_header(NhipHl7Message *self,
				     const gchar *message_code,
				     const gchar *trigger_event,
				     const gchar *structure,
				     const gchar *control_id,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_hl7_message_escape(NhipHl7Message *self, const gchar *value) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hl7_message_unescape(NhipHl7Message *self,
				 const gchar *raw,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_hl7_message_generate_control_id(void) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hl7_message_format_timestamp(GDateTime *datetime) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
