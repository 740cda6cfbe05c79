/*
 * Nhịp — validation of what staff type: ID numbers, card numbers, dates, codes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipSex:
 * @NHIP_SEX_UNKNOWN: not recorded or not determined
 * @NHIP_SEX_MALE: male (QĐ 130 GIOI_TINH 1)
 * @NHIP_SEX_FEMALE: female (QĐ 130 GIOI_TINH 2)
 */
typedef enum {
	NHIP_SEX_UNKNOWN = 0,
	NHIP_SEX_MALE = 1,
	NHIP_SEX_FEMALE = 2,
} NhipSex;

gchar *nhip_validate_cccd(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_validate_cccd_matches(const gchar *cccd, const gchar *birth, NhipSex sex, GError **error);
gchar *nhip_validate_bhyt(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_validate_birth(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_validate_date(const gchar *text,
			  gboolean allow_future,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_validate_phone(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_validate_sex(const gchar *text, NhipSex *sex, GError **error);
const gchar *nhip_sex_to_string(NhipSex sex);
gboolean nhip_validate_ethnicity(const gchar *code, GError **error);
gchar *nhip_validate_icd10(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_validate_facility_code(const gchar *code, GError **error);
gboolean nhip_validate_name(const gchar *name, GError **error);
gint nhip_birth_year(const gchar *birth);

G_END_DECLS
