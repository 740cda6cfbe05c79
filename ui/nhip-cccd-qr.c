/*
 * Nhịp — the QR code on the back of a chip citizen identity card (CCCD).
 *
 * The code holds one line of UTF-8 text, fields separated by '|':
 *   ID (12 digits) | old CMND (9 digits, may be empty) | full name | date of birth
 *   (DDMMYYYY) | sex (Nam/Nữ) | place of residence | issue date (DDMMYYYY)
 * Cards issued from July 2024 add fields after these; they are ignored. A USB scanner in
 * keyboard-wedge mode types this text and presses Enter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-cccd-qr.h"
#include "nhip-codes.h"
#include "nhip-text.h"
#include "nhip-ui-error.h"

#define CCCD_QR_MIN_FIELDS 7

/**
 * nhip_cccd_qr_free:
 * @self: (nullable): a parsed code
 */
void
nhip_cccd_qr_free(NhipCccdQr *self)
{
	if (self == NULL)
		return;
	g_free(self->cccd);
	g_free(self->old_id);
	g_free(self->full_name);
	g_free(self->birth);
	g_free(self->address);
	g_free(self->issue_date);
	g_free(self);
}

/**
 * nhip_cccd_qr_looks_like:
 * @text: (nullable): scanned text
 *
 * A quick test before parsing: 12 digits, then '|', and at least six separators.
 *
 * Returns: %TRUE when @text has the shape of a CCCD QR code
 */
gboolean
nhip_cccd_qr_looks_like(const gchar *text)
{
	guint bars = 0;
	const gchar *p = text;

	if (text == NULL)
		return FALSE;
	while (*p == ' ')
		p++;
	for (guint i = 0; i < 12; i++) {
		if (!g_ascii_isdigit(p[i]))
			return FALSE;
	}
	if (p[12] != '|')
		return FALSE;
	for (; *p != '\0'; p++)
		bars += *p == '|';
	return bars >= CCCD_QR_MIN_FIELDS - 1;
}

static gchar *
cccd_qr_date(const gchar *field, gboolean is_birth, const gchar *what, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gchar *date;

	if (strlen(field) != 8) {
		g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
			    _("the %s in the card's QR code (“%s”) is not a DDMMYYYY date"), what,
			    field);
		return NULL;
	}
	date = is_birth ? nhip_validate_birth(field, &error_local)
			: nhip_validate_date(field, FALSE, &error_local);
	if (date == NULL) {
		g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
			    _("the %s in the card's QR code is wrong: %s"), what,
			    error_local->message);
		return NULL;
	}
	return date;
}

/**
 * nhip_cccd_qr_parse:
 * @text: the scanned text
 * @error: return location for a #GError
 *
 * Parses and checks a CCCD QR code: the number's checks (province, century and sex
 * digits), the dates, and that the number agrees with the date of birth and sex.
 *
 * Returns: (transfer full) (nullable): the fields, or %NULL with %NHIP_UI_ERROR_INVALID
 * saying which field is wrong
 */
NhipCccdQr *
nhip_cccd_qr_parse(const gchar *text, GError **error)
{
	g_autoptr(NhipCccdQr) qr = g_new0(NhipCccdQr, 1);
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *clean = NULL;
	g_autofree gchar *sex_folded = NULL;
	g_auto(GStrv) fields = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (text == NULL || !g_utf8_validate(text, -1, NULL)) {
		g_set_error_literal(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
				    _("the scanned code is not text; scan the QR code on the back "
				      "of the citizen identity card"));
		return NULL;
	}
	clean = g_utf8_normalize(text, -1, G_NORMALIZE_NFC);
	g_strstrip(clean);
	fields = g_strsplit(clean, "|", -1);
	if (g_strv_length(fields) < CCCD_QR_MIN_FIELDS) {
		g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
			    _("the scanned code has %u fields, a citizen identity card QR code has "
			      "at least %u; scan the QR code on the back of the card"),
			    g_strv_length(fields), (guint)CCCD_QR_MIN_FIELDS);
		return NULL;
	}
	for (guint i = 0; fields[i] != NULL; i++)
		g_strstrip(fields[i]);

	qr->cccd = nhip_validate_cccd(fields[0], &error_local);
	if (qr->cccd == NULL || strlen(qr->cccd) != 12) {
		g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
			    _("the ID number in the card's QR code is wrong: %s"),
			    error_local != NULL ? error_local->message
						: _("a chip card has 12 digits"));
		return NULL;
	}
	if (fields[1][0] != '\0') {
		if (strlen(fields[1]) != 9 || strspn(fields[1], "0123456789") != 9) {
			g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
				    _("the old ID number in the card's QR code (“%s”) is not 9 "
				      "digits"),
				    fields[1]);
			return NULL;
		}
		qr->old_id = g_strdup(fields[1]);
	}
	qr->full_name = nhip_text_normalize_name(fields[2]);
	if (!nhip_validate_name(qr->full_name, &error_local)) {
		g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
			    _("the name in the card's QR code is wrong: %s"), error_local->message);
		return NULL;
	}
	qr->birth = cccd_qr_date(fields[3], TRUE, _("date of birth"), error);
	if (qr->birth == NULL)
		return NULL;
	sex_folded = nhip_text_fold(fields[4]);
	if (g_strcmp0(sex_folded, "nam") == 0 || g_strcmp0(sex_folded, "male") == 0) {
		qr->sex = NHIP_SEX_MALE;
	} else if (g_strcmp0(sex_folded, "nu") == 0 || g_strcmp0(sex_folded, "female") == 0) {
		qr->sex = NHIP_SEX_FEMALE;
	} else {
		g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
			    _("the sex in the card's QR code (“%s”) is neither “Nam” nor “Nữ”"),
			    fields[4]);
		return NULL;
	}
	if (fields[5][0] != '\0')
		qr->address = g_strdup(fields[5]);
	if (fields[6][0] != '\0') {
		qr->issue_date = cccd_qr_date(fields[6], FALSE, _("issue date"), error);
		if (qr->issue_date == NULL)
			return NULL;
	}
	if (!nhip_validate_cccd_matches(qr->cccd, qr->birth, qr->sex, &error_local)) {
		g_set_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID,
			    _("the card's QR code does not agree with itself: %s"),
			    error_local->message);
		return NULL;
	}
	return g_steal_pointer(&qr);
}

/* the province part of an address, folded, without "tinh" or "thanh pho" in front */
static gboolean
cccd_qr_part_is_province(const gchar *part_folded, const gchar *province_folded)
{
	const gchar *p = part_folded;

	if (g_str_has_prefix(p, "tinh "))
		p += 5;
	else if (g_str_has_prefix(p, "thanh pho "))
		p += 10;
	else if (g_str_has_prefix(p, "tp "))
		p += 3;
	return g_strcmp0(p, province_folded) == 0;
}

/**
 * nhip_cccd_qr_guess_province:
 * @address: (nullable): an address as printed on a card, province last
 *
 * Finds the province named in the last part of an address, e.g. "Thôn 3, Xã Tân Hòa,
 * Huyện Buôn Đôn, Đắk Lắk" → "66".
 *
 * Returns: (nullable): the two-digit province code of the General Statistics Office, or
 * %NULL when no province is recognised
 */
const gchar *
nhip_cccd_qr_guess_province(const gchar *address)
{
	g_auto(GStrv) parts = NULL;
	g_autofree gchar *last = NULL;
	const NhipCode *provinces;
	guint n_provinces = 0;
	guint n_parts;

	if (address == NULL)
		return NULL;
	parts = g_strsplit(address, ",", -1);
	n_parts = g_strv_length(parts);
	if (n_parts == 0)
		return NULL;
	last = nhip_text_fold(parts[n_parts - 1]);
	provinces = nhip_codes_provinces(&n_provinces);
	for (guint i = 0; i < n_provinces; i++) {
		g_autofree gchar *name = nhip_text_fold(provinces[i].name);
		/* the three-digit CCCD code is the two-digit GSO code with a leading 0 */
		if (cccd_qr_part_is_province(last, name))
			return provinces[i].code + 1;
	}
	return NULL;
}
