/*
 * Nhịp — national code lists: ethnic groups and provinces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipCode:
 * @code: the code as written in records ("01", "079")
 * @name: the Vietnamese name
 */
typedef struct {
	const gchar *code;
	const gchar *name;
} NhipCode;

const NhipCode *nhip_codes_ethnicities(guint *n_codes);
const gchar *nhip_codes_ethnicity_name(const gchar *code);
const NhipCode *nhip_codes_provinces(guint *n_codes);
const gchar *nhip_codes_province_name(const gchar *code);

G_END_DECLS
