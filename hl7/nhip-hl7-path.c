/*
 * Nhịp — addresses of values in an HL7 v2 message ("PID-5-1", "OBX[2]-5", "PID-3(2)-1").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-hl7-error.h"
#include "nhip-hl7-path.h"

/* paths come from code and configuration, not from the wire, so numbers stay small */
#define PATH_MAX_NUMBER 100000

static gboolean
path_read_number(const gchar **cursor, guint *value)
{
	const gchar *p = *cursor;
	guint64 number = 0;

	if (!g_ascii_isdigit(*p))
		return FALSE;
	while (g_ascii_isdigit(*p)) {
		number = number * 10 + (guint64)(*p - '0');
		if (number > PATH_MAX_NUMBER)
			return FALSE;
		p++;
	}
	if (number == 0)
		return FALSE;
	*value = (guint)number;
	*cursor = p;
	return TRUE;
}

/* an optional "[n]" or "(n)" index after a segment id or a field number */
static gboolean
path_read_index(const gchar **cursor, guint *value)
{
	const gchar *p = *cursor;
	gchar close;

	if (*p == '[')
		close = ']';
	else if (*p == '(')
		close = ')';
	else
		return TRUE;
	p++;
	if (!path_read_number(&p, value) || *p != close)
		return FALSE;
	*cursor = p + 1;
	return TRUE;
}

static gboolean
path_invalid(const gchar *text, const gchar *what, GError **error)
{
	g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PATH,
		    /* TRANSLATORS: the first %s is the path, the second says what is wrong */
		    _("invalid HL7 path “%s”: %s; paths look like PID-5-1, OBX[2]-5 or PID-3(2)-1"),
		    text, what);
	return FALSE;
}

/**
 * nhip_hl7_path_parse:
 * @text: a path such as `PID-5-1` or `OBX[2]-5`
 * @path: (out caller-allocates): the parsed path
 * @error: return location for a #GError
 *
 * Parses the text form of a path (see #NhipHl7Path).
 *
 * Returns: %TRUE if @text is a valid path
 */
gboolean
nhip_hl7_path_parse(const gchar *text, NhipHl7Path *path, GError **error)
{
	const gchar *p = text;
	guint *levels[3];

	g_return_val_if_fail(text != NULL, FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	memset(path, 0, sizeof(*path));
	path->occurrence = 1;
	for (guint i = 0; i < 3; i++) {
		if (!g_ascii_isupper(p[i]) && !g_ascii_isdigit(p[i]))
			return path_invalid(
				text, _("it must start with a three-character segment id"), error);
		path->segment[i] = p[i];
	}
	if (!g_ascii_isupper(path->segment[0]))
		return path_invalid(text, _("a segment id starts with a letter"), error);
	p += 3;
	if (!path_read_index(&p, &path->occurrence))
		return path_invalid(
			text, _("the segment occurrence must be a number from 1 in [ ]"), error);
	if (*p == '\0')
		return TRUE;
	if (*p != '-' && *p != '.')
		return path_invalid(text, _("expected “-” after the segment id"), error);
	p++;
	if (!path_read_number(&p, &path->field))
		return path_invalid(text, _("expected a field number from 1"), error);
	if (!path_read_index(&p, &path->repetition))
		return path_invalid(text, _("the repetition must be a number from 1 in ( )"),
				    error);

	levels[0] = &path->component;
	levels[1] = &path->subcomponent;
	levels[2] = NULL;
	for (guint i = 0; levels[i] != NULL && *p != '\0'; i++) {
		if (*p != '-' && *p != '.')
			return path_invalid(text, _("expected “-” between numbers"), error);
		p++;
		if (!path_read_number(&p, levels[i]))
			return path_invalid(text, _("expected a component number from 1"), error);
	}
	if (*p != '\0')
		return path_invalid(text, _("unexpected text after the subcomponent"), error);
	return TRUE;
}

/**
 * nhip_hl7_path_to_string:
 * @path: a path
 *
 * Formats @path in its canonical text form (`OBX[2]-5-1`; the occurrence and the
 * repetition appear only when they are not 1).
 *
 * Returns: (transfer full): the text form
 */
gchar *
nhip_hl7_path_to_string(const NhipHl7Path *path)
{
	GString *str = g_string_new(NULL);

	g_return_val_if_fail(path != NULL, NULL);

	g_string_append_len(str, path->segment, 3);
	if (path->occurrence > 1)
		g_string_append_printf(str, "[%u]", path->occurrence);
	if (path->field == 0)
		return g_string_free(str, FALSE);
	g_string_append_printf(str, "-%u", path->field);
	if (path->repetition > 1)
		g_string_append_printf(str, "(%u)", path->repetition);
	if (path->component > 0)
		g_string_append_printf(str, "-%u", path->component);
	if (path->subcomponent > 0)
		g_string_append_printf(str, "-%u", path->subcomponent);
	return g_string_free(str, FALSE);
}
