/*
 * Nhịp — text folding for search: case, diacritics and Đ/đ.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-text.h"

/**
 * nhip_text_fold:
 * @text: UTF-8 text, e.g. "Nguyễn Thị Đào"
 *
 * Folds text the way staff type it: lower case, without tone marks or other diacritics,
 * Đ/đ as d, and every run of characters that are neither letters nor digits as one
 * space. "Nguyễn Thị Đào" and "NGUYEN thi  dao" both fold to "nguyen thi dao". Invalid
 * UTF-8 is folded as far as it is valid.
 *
 * Returns: (transfer full): the folded text, never %NULL
 */
gchar *
nhip_text_fold(const gchar *text)
{
	g_autofree gchar *nfd = NULL;
	GString *out;
	gboolean pending_space = FALSE;
	const gchar *end = NULL;

	if (text == NULL)
		return g_strdup("");
	if (!g_utf8_validate(text, -1, &end))
		nfd = g_utf8_normalize(text, end - text, G_NORMALIZE_NFD);
	else
		nfd = g_utf8_normalize(text, -1, G_NORMALIZE_NFD);
	if (nfd == NULL)
		return g_strdup("");

	out = g_string_sized_new(strlen(nfd));
	for (const gchar *p = nfd; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		GUnicodeType type = g_unichar_type(c);

		/* combining marks carry the tones and the hats of ă â ê ô ơ ư */
		if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK ||
		    type == G_UNICODE_ENCLOSING_MARK)
			continue;
		/* Đ and đ are letters of their own, not d with a mark: NFD keeps them */
		if (c == 0x0110 || c == 0x0111 || c == 0x00D0 || c == 0x0189)
			c = 'd';
		if (!g_unichar_isalnum(c)) {
			pending_space = out->len > 0;
			continue;
		}
		if (pending_space) {
			g_string_append_c(out, ' ');
			pending_space = FALSE;
		}
		g_string_append_unichar(out, g_unichar_tolower(c));
	}
	return g_string_free(out, FALSE);
}

/**
 * nhip_text_tokens:
 * @text: UTF-8 text
 *
 * Returns: (transfer full): the words of the folded @text; an empty vector for none
 */
GStrv
nhip_text_tokens(const gchar *text)
{
	g_autofree gchar *folded = nhip_text_fold(text);
	if (folded[0] == '\0')
		return g_new0(gchar *, 1);
	return g_strsplit(folded, " ", -1);
}

/**
 * nhip_text_normalize_name:
 * @text: a person's name as typed
 *
 * Normalises a name for storage: NFC, surrounding white space removed, inner runs of
 * white space made one space. Letters and marks are kept as typed.
 *
 * Returns: (transfer full): the normalised name
 */
gchar *
nhip_text_normalize_name(const gchar *text)
{
	g_autofree gchar *nfc = g_utf8_normalize(text != NULL ? text : "", -1, G_NORMALIZE_NFC);
	g_auto(GStrv) parts = NULL;
	GString *out = g_string_new(NULL);

	if (nfc == NULL)
		return g_string_free(out, FALSE);
	parts = g_strsplit_set(nfc, " \t\r\n\v\f", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0')
			continue;
		if (out->len > 0)
			g_string_append_c(out, ' ');
		g_string_append(out, parts[i]);
	}
	return g_string_free(out, FALSE);
}
