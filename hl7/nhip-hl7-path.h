/*
 * Nhịp — addresses of values in an HL7 v2 message ("PID-5-1", "OBX[2]-5", "PID-3(2)-1").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipHl7Path:
 * @segment: the three-character segment id, NUL-terminated
 * @occurrence: which segment of that id, counting from 1
 * @field: the field number (1 is MSH-1, the field separator), or 0 for the whole segment
 * @repetition: the repetition, counting from 1, or 0 when not given (means 1)
 * @component: the component, counting from 1, or 0 when not given
 * @subcomponent: the subcomponent, counting from 1, or 0 when not given
 *
 * The parsed form of a path. The text form is `SEG[n]-F(r)-C-S`: the occurrence in
 * square brackets and the repetition in parentheses are optional, and `.` may be used
 * instead of `-`. Examples: `PID-5-1`, `OBX[2]-5`, `PID-3(2)-4-1`, `MSH.9.2`.
 */
typedef struct {
	gchar segment[4];
	guint occurrence;
	guint field;
	guint repetition;
	guint component;
	guint subcomponent;
} NhipHl7Path;

gboolean
nhip_hl7_path_parse(const gchar *text, NhipHl7Path *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hl7_path_to_string(const NhipHl7Path *path) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
