/*
 * Nhịp — the error domain of the appliance operations: setup, backups, restores, updates
 * and the status check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NHIP_OPS_ERROR (nhip_ops_error_quark())

/**
 * NhipOpsError:
 * @NHIP_OPS_ERROR_INVALID: the input is wrong (a setup file, an option, a key that is not a
 *   key); nothing was changed
 * @NHIP_OPS_ERROR_NOT_FOUND: a file, a backup disk or a setting that is needed is missing
 * @NHIP_OPS_ERROR_DAMAGED: a backup or an update bundle is truncated, corrupt or was
 *   changed after it was written (a hash does not match)
 * @NHIP_OPS_ERROR_BAD_SIGNATURE: a signature does not verify, or is by another key than the
 *   one trusted
 * @NHIP_OPS_ERROR_FOREIGN: a backup of another station
 * @NHIP_OPS_ERROR_WRONG_KEY: a backup encrypted to another backup certificate than the
 *   private key given
 * @NHIP_OPS_ERROR_ROLLED_BACK: an update failed its health check and the previous version
 *   was put back
 * @NHIP_OPS_ERROR_FAILED: anything else (disk full, a program that fails, I/O)
 */
typedef enum {
	NHIP_OPS_ERROR_INVALID,
	NHIP_OPS_ERROR_NOT_FOUND,
	NHIP_OPS_ERROR_DAMAGED,
	NHIP_OPS_ERROR_BAD_SIGNATURE,
	NHIP_OPS_ERROR_FOREIGN,
	NHIP_OPS_ERROR_WRONG_KEY,
	NHIP_OPS_ERROR_ROLLED_BACK,
	NHIP_OPS_ERROR_FAILED,
} NhipOpsError;

GQuark nhip_ops_error_quark(void);
gboolean nhip_ops_journal_wanted(void);

/* helpers the backup and update code share */
gboolean nhip_ops_is_sha256_hex(const gchar *text);
gboolean nhip_ops_openssl_fail(GError **error, gint code, const gchar *what);
JsonObject *nhip_ops_parse_object(JsonParser *parser, GBytes *json, gsize max, gchar **why);
GBytes *nhip_ops_json_bytes(JsonBuilder *builder) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_ops_format_time(GDateTime *time) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
