/*
 * Nhịp hub — doctors' passwords (scrypt) and random tokens (sessions, forms).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "nhip-hub-db.h"
#include "nhip-hub-password.h"

#define SCRYPT_LOG2_N  15
#define SCRYPT_R       8
#define SCRYPT_P       1
#define SCRYPT_SALT    16
#define SCRYPT_KEY     32
#define SCRYPT_MAX_MEM (64 * 1024 * 1024)

/**
 * nhip_hub_password_check_quality:
 * @password: a new password
 * @error: return location for a #GError (%NHIP_HUB_ERROR_INVALID)
 *
 * Returns: %TRUE when it is long enough and valid UTF-8
 */
gboolean
nhip_hub_password_check_quality(const gchar *password, GError **error)
{
	glong length;

	if (password == NULL || !g_utf8_validate(password, -1, NULL)) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
				    _("the password is not valid text"));
		return FALSE;
	}
	length = g_utf8_strlen(password, -1);
	if (length < NHIP_HUB_PASSWORD_MIN || strlen(password) > NHIP_HUB_PASSWORD_MAX) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("a password needs %d to %d characters"), NHIP_HUB_PASSWORD_MIN,
			    NHIP_HUB_PASSWORD_MAX);
		return FALSE;
	}
	return TRUE;
}

static gboolean
password_derive(const gchar *password,
		const guint8 *salt,
		gsize salt_len,
		guint log2_n,
		guint64 r,
		guint64 p,
		guint8 *key,
		gsize key_len)
{
	return EVP_PBE_scrypt(password, strlen(password), salt, salt_len, (guint64)1 << log2_n, r,
			      p, SCRYPT_MAX_MEM, key, key_len) == 1;
}

/**
 * nhip_hub_password_hash:
 * @password: the password
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): what to store
 */
gchar *
nhip_hub_password_hash(const gchar *password, GError **error)
{
	guint8 salt[SCRYPT_SALT] = { 0 };
	guint8 key[SCRYPT_KEY] = { 0 };
	g_autofree gchar *salt_text = NULL;
	g_autofree gchar *key_text = NULL;

	if (!nhip_hub_password_check_quality(password, error))
		return NULL;
	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    !password_derive(password, salt, sizeof(salt), SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, key,
			     sizeof(key))) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("cannot derive the password's key (OpenSSL scrypt)"));
		return NULL;
	}
	salt_text = g_base64_encode(salt, sizeof(salt));
	key_text = g_base64_encode(key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	return g_strdup_printf("scrypt$%d$%d$%d$%s$%s", SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P,
			       salt_text, key_text);
}

/**
 * nhip_hub_password_verify:
 * @password: what was typed
 * @stored: (nullable): the stored hash; %NULL (no such account) spends the same time and
 *   fails, so a login does not tell which names exist
 *
 * Returns: %TRUE when the password matches
 */
gboolean
nhip_hub_password_verify(const gchar *password, const gchar *stored)
{
	static const guint8 dummy_salt[SCRYPT_SALT] = { 0 };
	g_auto(GStrv) parts = stored != NULL ? g_strsplit(stored, "$", -1) : NULL;
	guint64 log2_n = 0;
	guint64 r = 0;
	guint64 p = 0;
	g_autofree guint8 *salt = NULL;
	g_autofree guint8 *expected = NULL;
	gsize salt_len = 0;
	gsize expected_len = 0;
	guint8 key[64] = { 0 };
	gboolean ok;

	if (password == NULL || strlen(password) > NHIP_HUB_PASSWORD_MAX)
		return FALSE;
	if (parts == NULL || g_strv_length(parts) != 6 || g_strcmp0(parts[0], "scrypt") != 0 ||
	    !g_ascii_string_to_unsigned(parts[1], 10, 10, 20, &log2_n, NULL) ||
	    !g_ascii_string_to_unsigned(parts[2], 10, 1, 32, &r, NULL) ||
	    !g_ascii_string_to_unsigned(parts[3], 10, 1, 16, &p, NULL)) {
		/* the same work as a real check */
		password_derive(password, dummy_salt, sizeof(dummy_salt), SCRYPT_LOG2_N, SCRYPT_R,
				SCRYPT_P, key, SCRYPT_KEY);
		return FALSE;
	}
	salt = g_base64_decode(parts[4], &salt_len);
	expected = g_base64_decode(parts[5], &expected_len);
	if (salt_len == 0 || expected_len == 0 || expected_len > sizeof(key))
		return FALSE;
	ok = password_derive(password, salt, salt_len, (guint)log2_n, r, p, key, expected_len) &&
	     CRYPTO_memcmp(key, expected, expected_len) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	return ok;
}

/**
 * nhip_hub_random_token:
 * @n_bytes: random bytes in the token (at least 16)
 *
 * Returns: (transfer full): the bytes from OpenSSL's CSPRNG in base64url without padding
 */
gchar *
nhip_hub_random_token(gsize n_bytes)
{
	g_autofree guint8 *bytes = g_malloc(n_bytes);
	gchar *text;

	if (RAND_bytes(bytes, (int)n_bytes) != 1)
		g_error("OpenSSL's random generator failed");
	text = g_base64_encode(bytes, n_bytes);
	g_strdelimit(text, "+", '-');
	g_strdelimit(text, "/", '_');
	g_strdelimit(text, "=", '\0');
	return text;
}
