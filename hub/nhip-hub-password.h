/*
 * Nhịp hub — doctors' passwords: scrypt (RFC 7914) through OpenSSL, N = 2^15, r = 8,
 * p = 1 (32 MiB and some tens of milliseconds a try), a 16-byte random salt, a 32-byte
 * key; stored as `scrypt$LOG2N$R$P$SALT$KEY` (base64). Checked in constant time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the shortest password an account may have, in characters */
#define NHIP_HUB_PASSWORD_MIN 10
#define NHIP_HUB_PASSWORD_MAX 1024

gboolean nhip_hub_password_check_quality(const gchar *password, GError **error);
gchar *nhip_hub_password_hash(const gchar *password, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_password_verify(const gchar *password, const gchar *stored);
gchar *nhip_hub_random_token(gsize n_bytes) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
