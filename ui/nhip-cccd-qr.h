/*
 * Nhịp — the QR code on the back of a chip citizen identity card (CCCD).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-validate.h"

G_BEGIN_DECLS

/**
 * NhipCccdQr:
 * @cccd: the 12-digit personal identification number
 * @old_id: (nullable): the old 9-digit CMND number, when the card lists one
 * @full_name: the full name as printed
 * @birth: the date of birth as YYYY-MM-DD
 * @sex: sex
 * @address: (nullable): the place of residence
 * @issue_date: (nullable): the card's issue date as YYYY-MM-DD
 *
 * What a CCCD QR code holds.
 */
typedef struct {
	gchar *cccd;
	gchar *old_id;
	gchar *full_name;
	gchar *birth;
	NhipSex sex;
	gchar *address;
	gchar *issue_date;
} NhipCccdQr;

NhipCccdQr *nhip_cccd_qr_parse(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_cccd_qr_looks_like(const gchar *text);
void nhip_cccd_qr_free(NhipCccdQr *self);
const gchar *nhip_cccd_qr_guess_province(const gchar *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipCccdQr, nhip_cccd_qr_free)

G_END_DECLS
