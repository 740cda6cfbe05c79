/*
 * Nhịp — errors of the station kiosk's own logic (scans, data files).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_UI_ERROR (nhip_ui_error_quark())

/**
 * NhipUiError:
 * @NHIP_UI_ERROR_INVALID: input that cannot be used, e.g. a scan that is not a CCCD QR code
 * @NHIP_UI_ERROR_DATA: a data file shipped with the program is damaged
 *
 * Error codes in %NHIP_UI_ERROR.
 */
typedef enum {
	NHIP_UI_ERROR_INVALID,
	NHIP_UI_ERROR_DATA,
} NhipUiError;

GQuark nhip_ui_error_quark(void);

G_END_DECLS
