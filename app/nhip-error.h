/*
 * Nhịp — the error domain of the station core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_STORE_ERROR (nhip_store_error_quark())

/**
 * NhipStoreError:
 * @NHIP_STORE_ERROR_INVALID: input failed validation; nothing was stored
 * @NHIP_STORE_ERROR_NOT_FOUND: no such record
 * @NHIP_STORE_ERROR_CONFLICT: the record clashes with another (duplicate id, closed visit)
 * @NHIP_STORE_ERROR_WRONG_PIN: the PIN does not match (a retry, not a failure)
 * @NHIP_STORE_ERROR_LOCKED: the account is locked after too many wrong PINs
 * @NHIP_STORE_ERROR_TOO_NEW: the database was made by a newer program and is left alone
 * @NHIP_STORE_ERROR_CORRUPT: the database file is damaged or not a station database
 * @NHIP_STORE_ERROR_FAILED: any other storage failure (disk full, I/O error, busy)
 */
typedef enum {
	NHIP_STORE_ERROR_INVALID,
	NHIP_STORE_ERROR_NOT_FOUND,
	NHIP_STORE_ERROR_CONFLICT,
	NHIP_STORE_ERROR_WRONG_PIN,
	NHIP_STORE_ERROR_LOCKED,
	NHIP_STORE_ERROR_TOO_NEW,
	NHIP_STORE_ERROR_CORRUPT,
	NHIP_STORE_ERROR_FAILED,
} NhipStoreError;

GQuark nhip_store_error_quark(void);

G_END_DECLS
