/*
 * Nhịp hub — what the doctors' web pages keep: the files of each case (blobs), doctor
 * accounts, their login sessions (only a SHA-256 of each session token is stored), the
 * failed logins that lock an account or an address for a while, and the answers given.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-hub-db-private.h"

void
nhip_hub_case_file_free(NhipHubCaseFile *file)
{
	if (file == NULL)
		return;
	g_free(file->name);
	g_free(file->type);
	g_free(file->sha256);
	g_free(file);
}

void
nhip_hub_doctor_free(NhipHubDoctor *doctor)
{
	if (doctor == NULL)
		return;
	g_free(doctor->username);
	g_free(doctor->display_name);
	g_free(doctor->password);
	g_free(doctor);
}

void
nhip_hub_answer_free(NhipHubAnswer *answer)
{
	if (answer == NULL)
		return;
	g_free(answer->msg_id);
	g_free(answer->doctor_name);
	g_free(answer->advice);
	g_free(answer->urgency);
	g_free(answer);
}

/* ----- the files of a case ----- */

/**
 * nhip_hub_db_case_file_add:
 * @self: the database
 * @packet: the case (packets row id)
 * @file: a file of its packet, stored as a blob
 * @error: return location for a #GError
 *
 * Returns: %TRUE when stored (or stored before)
 */
gboolean
nhip_hub_db_case_file_add(NhipHubDb *self,
			  gint64 packet,
			  const NhipHubCaseFile *file,
			  GError **error)
{
	g_autofree gchar *packet_text = nhip_hub_int_text(packet);
	g_autofree gchar *size = nhip_hub_int_text(file->size);
	const gchar *params[] = { packet_text, file->name, file->type, file->sha256, size };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"INSERT INTO case_files (packet, name, type, sha256, size) VALUES (?, ?, ?, ?, ?) "
		"ON CONFLICT DO NOTHING",
		params, G_N_ELEMENTS(params), error);

	return rows != NULL;
}

static gpointer
case_file_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubCaseFile *file = g_new0(NhipHubCaseFile, 1);

	file->name = nhip_hub_rows_dup(rows, row, 0);
	file->type = nhip_hub_rows_dup(rows, row, 1);
	file->sha256 = nhip_hub_rows_dup(rows, row, 2);
	file->size = nhip_hub_rows_int(rows, row, 3);
	return file;
}

/**
 * nhip_hub_db_case_file_list:
 * @self: the database
 * @packet: the case (packets row id)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubCaseFile) (nullable): its files by name
 */
GPtrArray *
nhip_hub_db_case_file_list(NhipHubDb *self, gint64 packet, GError **error)
{
	g_autofree gchar *packet_text = nhip_hub_int_text(packet);
	const gchar *params[] = { packet_text };

	return nhip_hub_db_query_list(
		self,
		"SELECT name, type, sha256, size FROM case_files WHERE packet = ? ORDER BY name",
		params, 1, case_file_from_rows, (GDestroyNotify)nhip_hub_case_file_free, error);
}

/* ----- doctors ----- */

#define DOCTOR_COLUMNS "id, username, display_name, password, created, disabled"

static gpointer
doctor_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubDoctor *doctor = g_new0(NhipHubDoctor, 1);

	doctor->id = nhip_hub_rows_int(rows, row, 0);
	doctor->username = nhip_hub_rows_dup(rows, row, 1);
	doctor->display_name = nhip_hub_rows_dup(rows, row, 2);
	doctor->password = nhip_hub_rows_dup(rows, row, 3);
	doctor->created = nhip_hub_rows_int(rows, row, 4);
	doctor->disabled = nhip_hub_rows_int(rows, row, 5);
	return doctor;
}

/**
 * nhip_hub_db_doctor_add:
 * @self: the database
 * @username: the login name
 * @display_name: the name shown with answers
 * @password_hash: the password's hash
 * @error: return location for a #GError; %NHIP_HUB_ERROR_CONFLICT when the name is taken
 *
 * Returns: the new account's id, or 0 on error
 */
gint64
nhip_hub_db_doctor_add(NhipHubDb *self,
		       const gchar *username,
		       const gchar *display_name,
		       const gchar *password_hash,
		       GError **error)
{
	g_autofree gchar *now = nhip_hub_int_text(g_get_real_time() / G_USEC_PER_SEC);
	const gchar *params[] = { username, display_name, password_hash, now };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"INSERT INTO doctors (username, display_name, password, created) VALUES "
		"(?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
		params, G_N_ELEMENTS(params), error);

	if (rows == NULL)
		return 0;
	if (nhip_hub_rows_count(rows) != 1) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_CONFLICT,
			    _("there is already a doctor account “%s”"), username);
		return 0;
	}
	return nhip_hub_rows_int(rows, 0, 0);
}

/**
 * nhip_hub_db_doctor_get:
 * @self: the database
 * @username: (nullable): the login name, or %NULL to look up @id
 * @id: the account id when @username is %NULL
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when there is none
 *
 * Returns: (transfer full) (nullable): the account, open or closed
 */
NhipHubDoctor *
nhip_hub_db_doctor_get(NhipHubDb *self, const gchar *username, gint64 id, GError **error)
{
	g_autofree gchar *id_text = nhip_hub_int_text(id);
	const gchar *params[] = { username != NULL ? username : id_text };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		username != NULL ? "SELECT " DOCTOR_COLUMNS " FROM doctors WHERE username = ?"
				 : "SELECT " DOCTOR_COLUMNS " FROM doctors WHERE id = ?",
		params, 1, error);

	if (rows == NULL)
		return NULL;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
				    _("no such doctor account"));
		return NULL;
	}
	return doctor_from_rows(rows, 0);
}

/**
 * nhip_hub_db_doctor_list:
 * @self: the database
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubDoctor) (nullable): every account by name
 */
GPtrArray *
nhip_hub_db_doctor_list(NhipHubDb *self, GError **error)
{
	return nhip_hub_db_query_list(
		self, "SELECT " DOCTOR_COLUMNS " FROM doctors ORDER BY username", NULL, 0,
		doctor_from_rows, (GDestroyNotify)nhip_hub_doctor_free, error);
}

/* an UPDATE or DELETE that must touch a row */
static gboolean
db_change(NhipHubDb *self,
	  const gchar *sql,
	  const gchar *const *params,
	  guint n,
	  gboolean must_match,
	  GError **error)
{
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(self, sql, params, n, error);

	if (rows == NULL)
		return FALSE;
	if (must_match && nhip_hub_rows_count(rows) == 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
				    _("no such doctor account"));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_db_doctor_set_password:
 * @self: the database
 * @id: the account
 * @password_hash: the new password's hash
 * @error: return location for a #GError
 *
 * Sets the password and ends the account's sessions.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_doctor_set_password(NhipHubDb *self,
				gint64 id,
				const gchar *password_hash,
				GError **error)
{
	g_autofree gchar *id_text = nhip_hub_int_text(id);
	const gchar *params[] = { password_hash, id_text };
	const gchar *session_params[] = { id_text };

	return db_change(self, "UPDATE doctors SET password = ? WHERE id = ? RETURNING id", params,
			 2, TRUE, error) &&
	       db_change(self, "DELETE FROM doctor_sessions WHERE doctor = ?", session_params, 1,
			 FALSE, error);
}

/**
 * nhip_hub_db_doctor_disable:
 * @self: the database
 * @id: the account
 * @error: return location for a #GError
 *
 * Closes the account (its answers keep its name) and ends its sessions.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_doctor_disable(NhipHubDb *self, gint64 id, GError **error)
{
	g_autofree gchar *id_text = nhip_hub_int_text(id);
	g_autofree gchar *now = nhip_hub_int_text(g_get_real_time() / G_USEC_PER_SEC);
	const gchar *params[] = { now, id_text };
	const gchar *session_params[] = { id_text };

	return db_change(self, "UPDATE doctors SET disabled = ? WHERE id = ? RETURNING id", params,
			 2, TRUE, error) &&
	       db_change(self, "DELETE FROM doctor_sessions WHERE doctor = ?", session_params, 1,
			 FALSE, error);
}

/* ----- sessions ----- */

/* ----- failed logins ----- */

/**
 * nhip_hub_db_login_failures:
 * @self: the database
 * @key: "user:NAME" or "addr:IP"
 * @now: the time now
 * @window: seconds a run of failures counts for
 * @failures: (out): failed logins of @key in the window that is running, 0 after it ended
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_login_failures(NhipHubDb *self,
			   const gchar *key,
			   gint64 now,
			   gint64 window,
			   gint64 *failures,
			   GError **error)
{
	g_autofree gchar *since = nhip_hub_int_text(now - window);
	const gchar *params[] = { key, since };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "SELECT failures FROM login_failures WHERE key = ? AND window_start > ?",
		params, G_N_ELEMENTS(params), error);

	if (rows == NULL)
		return FALSE;
	*failures = nhip_hub_rows_count(rows) > 0 ? nhip_hub_rows_int(rows, 0, 0) : 0;
	return TRUE;
}

/**
 * nhip_hub_db_login_fail:
 * @self: the database
 * @key: "user:NAME" or "addr:IP"
 * @now: the time now
 * @window: seconds a run of failures counts for
 * @error: return location for a #GError
 *
 * Counts a failed login: one more in the window that is running, or the first of a new
 * window when the last one ended. Windows that ended long ago are removed.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_login_fail(NhipHubDb *self, const gchar *key, gint64 now, gint64 window, GError **error)
{
	g_autofree gchar *now_text = nhip_hub_int_text(now);
	g_autofree gchar *window_text = nhip_hub_int_text(window);
	g_autofree gchar *stale = nhip_hub_int_text(now - 24 * 3600 - window);
	const gchar *params[] = { key, now_text, window_text, window_text };
	const gchar *stale_params[] = { stale };

	return db_change(self, "DELETE FROM login_failures WHERE window_start < ?", stale_params, 1,
			 FALSE, error) &&
	       db_change(self,
			 "INSERT INTO login_failures (key, failures, window_start) "
			 "VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET "
			 "failures = CASE WHEN excluded.window_start - "
			 "login_failures.window_start >= ? THEN 1 "
			 "ELSE login_failures.failures + 1 END, "
			 "window_start = CASE WHEN excluded.window_start - "
			 "login_failures.window_start >= ? THEN excluded.window_start "
			 "ELSE login_failures.window_start END",
			 params, G_N_ELEMENTS(params), FALSE, error);
}

/**
 * nhip_hub_db_login_clear:
 * @self: the database
 * @key: "user:NAME" or "addr:IP"
 * @error: return location for a #GError
 *
 * Forgets the failures of @key (after a good login).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_login_clear(NhipHubDb *self, const gchar *key, GError **error)
{
	const gchar *params[] = { key };

	return db_change(self, "DELETE FROM login_failures WHERE key = ?", params, 1, FALSE, error);
}

/**
 * nhip_hub_db_session_add:
 * @self: the database
 * @token_sha256: the SHA-256 of the session token (the token itself is never stored)
 * @doctor: the doctor's id
 * @csrf: the session's form token
 * @expires: when the session ends
 * @error: return location for a #GError
 *
 * Also removes sessions that ended.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_session_add(NhipHubDb *self,
			const gchar *token_sha256,
			gint64 doctor,
			const gchar *csrf,
			gint64 expires,
			GError **error)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autofree gchar *now_text = nhip_hub_int_text(now);
	g_autofree gchar *doctor_text = nhip_hub_int_text(doctor);
	g_autofree gchar *expires_text = nhip_hub_int_text(expires);
	const gchar *params[] = { token_sha256, doctor_text, csrf, now_text, expires_text };
	const gchar *old_params[] = { now_text };

	return db_change(self, "DELETE FROM doctor_sessions WHERE expires < ?", old_params, 1,
			 FALSE, error) &&
	       db_change(self,
			 "INSERT INTO doctor_sessions (token_sha256, doctor, csrf, created, "
			 "expires) VALUES (?, ?, ?, ?, ?)",
			 params, G_N_ELEMENTS(params), FALSE, error);
}

/**
 * nhip_hub_db_session_get:
 * @self: the database
 * @token_sha256: the SHA-256 of the token the browser sent
 * @now: the time now
 * @csrf: (out) (transfer full): the session's form token
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND for no live session of
 *   an open account
 *
 * Returns: the doctor's id, or 0
 */
gint64
nhip_hub_db_session_get(NhipHubDb *self,
			const gchar *token_sha256,
			gint64 now,
			gchar **csrf,
			GError **error)
{
	g_autofree gchar *now_text = nhip_hub_int_text(now);
	const gchar *params[] = { token_sha256, now_text };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"SELECT s.doctor, s.csrf FROM doctor_sessions s JOIN doctors d ON d.id = s.doctor "
		"WHERE s.token_sha256 = ? AND s.expires > ? AND d.disabled = 0",
		params, 2, error);

	if (rows == NULL)
		return 0;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
				    _("the session ended; log in again"));
		return 0;
	}
	*csrf = nhip_hub_rows_dup(rows, 0, 1);
	return nhip_hub_rows_int(rows, 0, 0);
}

/**
 * nhip_hub_db_session_delete:
 * @self: the database
 * @token_sha256: the SHA-256 of the session token
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success (also when there was no such session)
 */
gboolean
nhip_hub_db_session_delete(NhipHubDb *self, const gchar *token_sha256, GError **error)
{
	const gchar *params[] = { token_sha256 };

	return db_change(self, "DELETE FROM doctor_sessions WHERE token_sha256 = ?", params, 1,
			 FALSE, error);
}

/* ----- answers ----- */

#define ANSWER_COLUMNS "msg_id, packet, doctor, doctor_name, advice, referral, urgency, created"

static gpointer
answer_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubAnswer *answer = g_new0(NhipHubAnswer, 1);

	answer->msg_id = nhip_hub_rows_dup(rows, row, 0);
	answer->packet = nhip_hub_rows_int(rows, row, 1);
	answer->doctor = nhip_hub_rows_int(rows, row, 2);
	answer->doctor_name = nhip_hub_rows_dup(rows, row, 3);
	answer->advice = nhip_hub_rows_dup(rows, row, 4);
	answer->referral = (gint)nhip_hub_rows_int(rows, row, 5);
	answer->urgency = nhip_hub_rows_dup(rows, row, 6);
	answer->created = nhip_hub_rows_int(rows, row, 7);
	return answer;
}

/**
 * nhip_hub_db_answer_add:
 * @self: the database
 * @answer: the answer given
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_answer_add(NhipHubDb *self, const NhipHubAnswer *answer, GError **error)
{
	g_autofree gchar *packet = nhip_hub_int_text(answer->packet);
	g_autofree gchar *doctor = nhip_hub_int_text(answer->doctor);
	g_autofree gchar *referral = nhip_hub_int_text(answer->referral);
	g_autofree gchar *created = nhip_hub_int_text(answer->created);
	const gchar *params[] = { answer->msg_id, packet,   doctor,	     answer->doctor_name,
				  answer->advice, referral, answer->urgency, created };

	return db_change(self,
			 "INSERT INTO answers (" ANSWER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			 params, G_N_ELEMENTS(params), FALSE, error);
}

/**
 * nhip_hub_db_answer_delete:
 * @self: the database
 * @msg_id: an answer whose reply packet could not be made
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_answer_delete(NhipHubDb *self, const gchar *msg_id, GError **error)
{
	const gchar *params[] = { msg_id };

	return db_change(self, "DELETE FROM answers WHERE msg_id = ?", params, 1, FALSE, error);
}

/**
 * nhip_hub_db_answer_list:
 * @self: the database
 * @packet: the case (packets row id)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubAnswer) (nullable): its answers, oldest
 *   first
 */
GPtrArray *
nhip_hub_db_answer_list(NhipHubDb *self, gint64 packet, GError **error)
{
	g_autofree gchar *packet_text = nhip_hub_int_text(packet);
	const gchar *params[] = { packet_text };

	return nhip_hub_db_query_list(
		self,
		"SELECT " ANSWER_COLUMNS " FROM answers WHERE packet = ? ORDER BY created, msg_id",
		params, 1, answer_from_rows, (GDestroyNotify)nhip_hub_answer_free, error);
}

/**
 * nhip_hub_db_answered:
 * @self: the database
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the cases answered: packets row id (gint64 key) →
 *   time of the last answer (gint64)
 */
GHashTable *
nhip_hub_db_answered(NhipHubDb *self, GError **error)
{
	g_autoptr(GHashTable) answered =
		g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "SELECT packet, max(created) FROM answers GROUP BY packet", NULL, 0, error);

	if (rows == NULL)
		return NULL;
	for (guint i = 0; i < nhip_hub_rows_count(rows); i++) {
		g_hash_table_insert(
			answered,
			g_memdup2(&(gint64){ nhip_hub_rows_int(rows, i, 0) }, sizeof(gint64)),
			g_memdup2(&(gint64){ nhip_hub_rows_int(rows, i, 1) }, sizeof(gint64)));
	}
	return g_steal_pointer(&answered);
}
