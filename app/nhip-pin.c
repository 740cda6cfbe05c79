/*
 * Nhịp — staff PINs stored with a slow, salted key-derivation function.
 *
 * A PIN has few digits, so the stored form must make guessing expensive: scrypt from
 * OpenSSL (memory-hard, 16 MiB and about 50 ms per try on a station box) with a random
 * 16-byte salt. The stored string names its parameters so they can be raised later:
 *   $scrypt$ln=14,r=8,p=1$<salt base64>$<hash base64>
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "nhip-error.h"
#include "nhip-pin.h"

#define PIN_SALT_LEN 16
#define PIN_HASH_LEN 32
#define PIN_LOG_N    14
#define PIN_R	     8
#define PIN_P	     1

/**
 * nhip_pin_check_format:
 * @pin: a PIN as typed
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @pin is 4 to 8 digits
 */
gboolean
nhip_pin_check_format(const gchar *pin, GError **error)
{
	gsize len = pin != NULL ? strlen(pin) : 0;
	gboolean ok = len >= 4 && len <= 8;

	for (gsize i = 0; ok && i < len; i++)
		ok = g_ascii_isdigit(pin[i]);
	if (!ok) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("a PIN must be 4 to 8 digits"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
pin_derive(const gchar *pin,
	   const guint8 *salt,
	   gsize salt_len,
	   guint log_n,
	   guint r,
	   guint p,
	   guint8 *out,
	   gsize out_len,
	   GError **error)
{
	if (EVP_PBE_scrypt(pin, strlen(pin), salt, salt_len, (guint64)1 << log_n, r, p,
			   64 * 1024 * 1024, out, out_len) != 1) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot derive the PIN key: %s"),
			    ERR_reason_error_string(ERR_get_error()));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_pin_hash:
 * @pin: a PIN of 4 to 8 digits
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the string to store, or %NULL on error
 */
gchar *
nhip_pin_hash(const gchar *pin, GError **error)
{
	guint8 salt[PIN_SALT_LEN] = { 0 };
	guint8 hash[PIN_HASH_LEN] = { 0 };
	g_autofree gchar *salt_b64 = NULL;
	g_autofree gchar *hash_b64 = NULL;

	if (!nhip_pin_check_format(pin, error))
		return NULL;
	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
				    _("no random numbers for the PIN salt"));
		return NULL;
	}
	if (!pin_derive(pin, salt, sizeof(salt), PIN_LOG_N, PIN_R, PIN_P, hash, sizeof(hash),
			error))
		return NULL;
	salt_b64 = g_base64_encode(salt, sizeof(salt));
	hash_b64 = g_base64_encode(hash, sizeof(hash));
	OPENSSL_cleanse(hash, sizeof(hash));
	return g_strdup_printf("$scrypt$ln=%u,r=%u,p=%u$%s$%s", (guint)PIN_LOG_N, (guint)PIN_R,
			       (guint)PIN_P, salt_b64, hash_b64);
}

/**
 * nhip_pin_verify:
 * @pin: the PIN as typed
 * @stored: the string made by nhip_pin_hash()
 * @matches: (out): whether @pin is right
 * @error: return location for a #GError
 *
 * Returns: %FALSE only when @stored cannot be read or the key cannot be derived
 */
gboolean
nhip_pin_verify(const gchar *pin, const gchar *stored, gboolean *matches, GError **error)
{
	guint log_n = 0, r = 0, p = 0;
	g_auto(GStrv) parts = NULL;
	g_autofree guint8 *salt = NULL;
	g_autofree guint8 *expected = NULL;
	gsize salt_len = 0, expected_len = 0;
	guint8 hash[64] = { 0 };

	*matches = FALSE;
	parts = g_strsplit(stored != NULL ? stored : "", "$", -1);
	if (g_strv_length(parts) != 5 || g_strcmp0(parts[1], "scrypt") != 0 ||
	    sscanf(parts[2], "ln=%u,r=%u,p=%u", &log_n, &r, &p) != 3 || log_n < 10 || log_n > 20 ||
	    r == 0 || r > 32 || p == 0 || p > 16) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT,
				    _("the stored PIN of this account is damaged; a technician "
				      "must set a new PIN"));
		return FALSE;
	}
	salt = g_base64_decode(parts[3], &salt_len);
	expected = g_base64_decode(parts[4], &expected_len);
	if (salt_len == 0 || expected_len == 0 || expected_len > sizeof(hash)) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT,
				    _("the stored PIN of this account is damaged; a technician "
				      "must set a new PIN"));
		return FALSE;
	}
	if (pin == NULL || pin[0] == '\0')
		return TRUE;
	if (!pin_derive(pin, salt, salt_len, log_n, r, p, hash, expected_len, error))
		return FALSE;
	*matches = CRYPTO_memcmp(hash, expected, expected_len) == 0;
	OPENSSL_cleanse(hash, sizeof(hash));
	return TRUE;
}
