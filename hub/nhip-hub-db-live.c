/*
 * Nhịp hub — what the hub keeps of live consultations: the sessions (one open at most for a
 * case, held by a partial unique index), their participants with the Janus token minted for
 * each, and the events of a session (chat, readings, joins and leaves) numbered from 1 in
 * each session. The events are the transcript the case view shows after the call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-hub-db-private.h"

void
nhip_hub_live_session_free(NhipHubLiveSession *session)
{
	if (session == NULL)
		return;
	g_free(session->id);
	g_free(session->packet_id);
	g_free(session->station);
	g_free(session->room_secret);
	g_free(session->started_by);
	g_free(session->state);
	g_free(session);
}

void
nhip_hub_live_participant_free(NhipHubLiveParticipant *participant)
{
	if (participant == NULL)
		return;
	g_free(participant->who);
	g_free(participant->token);
	g_free(participant);
}

void
nhip_hub_live_event_free(NhipHubLiveEvent *event)
{
	if (event == NULL)
		return;
	g_free(event->sender);
	g_free(event->kind);
	g_free(event->body);
	g_free(event);
}

/* ----- sessions ----- */

#define SESSION_COLUMNS                                                                   \
	"id, packet, packet_id, station, room, room_secret, started_by, state, created, " \
	"expires, ended, invited"

static gpointer
session_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubLiveSession *session = g_new0(NhipHubLiveSession, 1);

	session->id = nhip_hub_rows_dup(rows, row, 0);
	session->packet = nhip_hub_rows_int(rows, row, 1);
	session->packet_id = nhip_hub_rows_dup(rows, row, 2);
	session->station = nhip_hub_rows_dup(rows, row, 3);
	session->room = nhip_hub_rows_int(rows, row, 4);
	session->room_secret = nhip_hub_rows_dup(rows, row, 5);
	session->started_by = nhip_hub_rows_dup(rows, row, 6);
	session->state = nhip_hub_rows_dup(rows, row, 7);
	session->created = nhip_hub_rows_int(rows, row, 8);
	session->expires = nhip_hub_rows_int(rows, row, 9);
	session->ended = nhip_hub_rows_int(rows, row, 10);
	session->invited = nhip_hub_rows_int(rows, row, 11);
	return session;
}

static GPtrArray *
session_list(NhipHubDb *self, const gchar *sql, const gchar *const *params, guint n, GError **error)
{
	return nhip_hub_db_query_list(self, sql, params, n, session_from_rows,
				      (GDestroyNotify)nhip_hub_live_session_free, error);
}

static NhipHubLiveSession *
session_one(NhipHubDb *self, const gchar *sql, const gchar *param, GError **error)
{
	const gchar *params[] = { param };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(self, sql, params, 1, error);

	if (rows == NULL)
		return NULL;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
				    _("no such live session"));
		return NULL;
	}
	return session_from_rows(rows, 0);
}

/**
 * nhip_hub_db_live_session_add:
 * @self: the database
 * @session: the new session (every field but @ended and @invited)
 * @error: return location for a #GError; %NHIP_HUB_ERROR_CONFLICT when the case has an open
 *   session already
 *
 * Returns: %TRUE when stored
 */
gboolean
nhip_hub_db_live_session_add(NhipHubDb *self, const NhipHubLiveSession *session, GError **error)
{
	g_autofree gchar *packet = nhip_hub_int_text(session->packet);
	g_autofree gchar *room = nhip_hub_int_text(session->room);
	g_autofree gchar *created = nhip_hub_int_text(session->created);
	g_autofree gchar *expires = nhip_hub_int_text(session->expires);
	const gchar *params[] = { session->id,
				  packet,
				  session->packet_id,
				  session->station,
				  room,
				  session->room_secret,
				  session->started_by,
				  session->state,
				  created,
				  expires };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"INSERT INTO live_sessions (id, packet, packet_id, station, room, room_secret, "
		"started_by, state, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT DO NOTHING RETURNING id",
		params, G_N_ELEMENTS(params), error);

	if (rows == NULL)
		return FALSE;
	if (nhip_hub_rows_count(rows) != 1) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_CONFLICT,
			    _("case %" PRId64 " has an open live session already"),
			    session->packet);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_db_live_session_get:
 * @self: the database
 * @id: the session's UUID
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when there is none
 *
 * Returns: (transfer full) (nullable): the session
 */
NhipHubLiveSession *
nhip_hub_db_live_session_get(NhipHubDb *self, const gchar *id, GError **error)
{
	return session_one(self, "SELECT " SESSION_COLUMNS " FROM live_sessions WHERE id = ?", id,
			   error);
}

/**
 * nhip_hub_db_live_session_open_for:
 * @self: the database
 * @packet: the case
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when the case has no
 *   open session
 *
 * Returns: (transfer full) (nullable): the case's open session
 */
NhipHubLiveSession *
nhip_hub_db_live_session_open_for(NhipHubDb *self, gint64 packet, GError **error)
{
	g_autofree gchar *packet_text = nhip_hub_int_text(packet);

	return session_one(self,
			   "SELECT " SESSION_COLUMNS " FROM live_sessions WHERE packet = ? AND "
			   "state <> 'ended'",
			   packet_text, error);
}

/**
 * nhip_hub_db_live_session_list:
 * @self: the database
 * @packet: the case
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubLiveSession) (nullable): the case's
 *   sessions, oldest first
 */
GPtrArray *
nhip_hub_db_live_session_list(NhipHubDb *self, gint64 packet, GError **error)
{
	g_autofree gchar *packet_text = nhip_hub_int_text(packet);
	const gchar *params[] = { packet_text };

	return session_list(self,
			    "SELECT " SESSION_COLUMNS " FROM live_sessions WHERE packet = ? "
			    "ORDER BY created, id",
			    params, 1, error);
}

/**
 * nhip_hub_db_live_session_invites:
 * @self: the database
 * @station: the station
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubLiveSession) (nullable): the open sessions
 *   a doctor started for the station's cases that the station has not joined yet, oldest
 *   first
 */
GPtrArray *
nhip_hub_db_live_session_invites(NhipHubDb *self, const gchar *station, GError **error)
{
	const gchar *params[] = { station };

	return session_list(
		self,
		"SELECT " SESSION_COLUMNS " FROM live_sessions s WHERE s.station = ? AND "
		"s.state <> 'ended' AND s.started_by = 'doctor' AND NOT EXISTS (SELECT 1 FROM "
		"live_participants p WHERE p.session = s.id AND p.who = 'station:' || s.station "
		"AND p.joined > 0) ORDER BY s.created, s.id",
		params, 1, error);
}

/**
 * nhip_hub_db_live_session_due:
 * @self: the database
 * @now: the time
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubLiveSession) (nullable): the open sessions
 *   whose time is up
 */
GPtrArray *
nhip_hub_db_live_session_due(NhipHubDb *self, gint64 now, GError **error)
{
	g_autofree gchar *now_text = nhip_hub_int_text(now);
	const gchar *params[] = { now_text };

	return session_list(self,
			    "SELECT " SESSION_COLUMNS " FROM live_sessions WHERE state <> "
			    "'ended' AND expires <= ? ORDER BY expires",
			    params, 1, error);
}

/**
 * nhip_hub_db_live_open_cases:
 * @self: the database
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the cases with an open session: case id (#gint64) →
 *   who started it ("station" or "doctor") while it waits for the other side, "active"
 *   once both are in
 */
GHashTable *
nhip_hub_db_live_open_cases(NhipHubDb *self, GError **error)
{
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"SELECT packet, CASE WHEN state = 'waiting' THEN started_by ELSE state END FROM "
		"live_sessions WHERE state <> 'ended'",
		NULL, 0, error);
	GHashTable *cases;

	if (rows == NULL)
		return NULL;
	cases = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	for (guint i = 0; i < nhip_hub_rows_count(rows); i++) {
		gint64 *id = g_new(gint64, 1);
		*id = nhip_hub_rows_int(rows, i, 0);
		g_hash_table_insert(cases, id, nhip_hub_rows_dup(rows, i, 1));
	}
	return cases;
}

/* an UPDATE … RETURNING that must find its row */
static gboolean
live_change(NhipHubDb *self, const gchar *sql, const gchar *const *params, guint n, GError **error)
{
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(self, sql, params, n, error);

	if (rows == NULL)
		return FALSE;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
				    _("no such live session"));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_db_live_session_set_state:
 * @self: the database
 * @id: the session
 * @state: "waiting", "active" or "ended"
 * @ended: when it ended (with "ended"), else 0
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when the session is
 *   unknown or ended already
 *
 * An ended session stays ended.
 *
 * Returns: %TRUE when changed
 */
gboolean
nhip_hub_db_live_session_set_state(NhipHubDb *self,
				   const gchar *id,
				   const gchar *state,
				   gint64 ended,
				   GError **error)
{
	g_autofree gchar *ended_text = nhip_hub_int_text(ended);
	const gchar *params[] = { state, ended_text, id };

	return live_change(self,
			   "UPDATE live_sessions SET state = ?, ended = ? WHERE id = ? AND "
			   "state <> 'ended' RETURNING id",
			   params, G_N_ELEMENTS(params), error);
}

/**
 * nhip_hub_db_live_session_set_invited:
 * @self: the database
 * @id: the session
 * @when: when the station was handed the invitation
 * @error: return location for a #GError
 *
 * Keeps the first time, when there was one.
 *
 * Returns: %FALSE on a storage failure
 */
gboolean
nhip_hub_db_live_session_set_invited(NhipHubDb *self, const gchar *id, gint64 when, GError **error)
{
	g_autofree gchar *when_text = nhip_hub_int_text(when);
	const gchar *params[] = { when_text, id };

	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "UPDATE live_sessions SET invited = ? WHERE id = ? AND invited = 0", params,
		G_N_ELEMENTS(params), error);

	return rows != NULL;
}

/**
 * nhip_hub_db_live_session_set_room:
 * @self: the database
 * @id: the session
 * @room: its new Janus room (the old one was lost with a restart of Janus)
 * @error: return location for a #GError
 *
 * Returns: %TRUE when stored
 */
gboolean
nhip_hub_db_live_session_set_room(NhipHubDb *self, const gchar *id, gint64 room, GError **error)
{
	g_autofree gchar *room_text = nhip_hub_int_text(room);
	const gchar *params[] = { room_text, id };

	return live_change(self, "UPDATE live_sessions SET room = ? WHERE id = ? RETURNING id",
			   params, G_N_ELEMENTS(params), error);
}

/**
 * nhip_hub_db_live_session_unreleased:
 * @self: the database
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubLiveSession) (nullable): the ended sessions
 *   whose Janus room and tokens are not known to be gone yet
 */
GPtrArray *
nhip_hub_db_live_session_unreleased(NhipHubDb *self, GError **error)
{
	return session_list(self,
			    "SELECT " SESSION_COLUMNS " FROM live_sessions WHERE state = 'ended' "
			    "AND released = 0 ORDER BY ended",
			    NULL, 0, error);
}

/**
 * nhip_hub_db_live_session_set_released:
 * @self: the database
 * @id: the session
 * @when: when its room and tokens were removed from Janus
 * @error: return location for a #GError
 *
 * Returns: %FALSE on a storage failure
 */
gboolean
nhip_hub_db_live_session_set_released(NhipHubDb *self, const gchar *id, gint64 when, GError **error)
{
	g_autofree gchar *when_text = nhip_hub_int_text(when);
	const gchar *params[] = { when_text, id };
	g_autoptr(NhipHubRows) rows =
		nhip_hub_db_query(self, "UPDATE live_sessions SET released = ? WHERE id = ?",
				  params, G_N_ELEMENTS(params), error);

	return rows != NULL;
}

/**
 * nhip_hub_db_live_packet_elsewhere:
 * @self: the database
 * @station: a station
 * @packet_id: a packet id
 * @found: (out): whether another station delivered a packet with this id
 * @error: return location for a #GError
 *
 * Returns: %FALSE on a storage failure
 */
gboolean
nhip_hub_db_live_packet_elsewhere(NhipHubDb *self,
				  const gchar *station,
				  const gchar *packet_id,
				  gboolean *found,
				  GError **error)
{
	const gchar *params[] = { packet_id, station };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "SELECT 1 FROM packets WHERE packet_id = ? AND station <> ? LIMIT 1", params,
		G_N_ELEMENTS(params), error);

	if (rows == NULL)
		return FALSE;
	*found = nhip_hub_rows_count(rows) > 0;
	return TRUE;
}

/* ----- participants ----- */

#define PARTICIPANT_COLUMNS "who, token, joined"

static gpointer
participant_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubLiveParticipant *participant = g_new0(NhipHubLiveParticipant, 1);

	participant->who = nhip_hub_rows_dup(rows, row, 0);
	participant->token = nhip_hub_rows_dup(rows, row, 1);
	participant->joined = nhip_hub_rows_int(rows, row, 2);
	return participant;
}

static GPtrArray *
participant_list(NhipHubDb *self,
		 const gchar *sql,
		 const gchar *const *params,
		 guint n,
		 GError **error)
{
	return nhip_hub_db_query_list(self, sql, params, n, participant_from_rows,
				      (GDestroyNotify)nhip_hub_live_participant_free, error);
}

/**
 * nhip_hub_db_live_participant_add:
 * @self: the database
 * @session: the session
 * @who: "station:CODE" or "doctor:LOGIN"
 * @token: a new Janus token for @who
 * @error: return location for a #GError
 *
 * Adds @who to @session with @token, unless @who is there already.
 *
 * Returns: (transfer full) (nullable): the participant as stored: with @token, or with the
 *   token minted before
 */
NhipHubLiveParticipant *
nhip_hub_db_live_participant_add(NhipHubDb *self,
				 const gchar *session,
				 const gchar *who,
				 const gchar *token,
				 GError **error)
{
	const gchar *params[] = { session, who, token };
	const gchar *get_params[] = { session, who };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"INSERT INTO live_participants (session, who, token) VALUES (?, ?, ?) "
		"ON CONFLICT DO NOTHING",
		params, G_N_ELEMENTS(params), error);
	g_autoptr(GPtrArray) list = NULL;

	if (rows == NULL)
		return NULL;
	list = participant_list(self,
				"SELECT " PARTICIPANT_COLUMNS " FROM live_participants WHERE "
				"session = ? AND who = ?",
				get_params, G_N_ELEMENTS(get_params), error);
	if (list == NULL)
		return NULL;
	if (list->len != 1) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_STORAGE,
				    _("a participant of the live session was not stored"));
		return NULL;
	}
	return g_steal_pointer(&g_ptr_array_index(list, 0));
}

/**
 * nhip_hub_db_live_participant_list:
 * @self: the database
 * @session: the session
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubLiveParticipant) (nullable): its
 *   participants
 */
GPtrArray *
nhip_hub_db_live_participant_list(NhipHubDb *self, const gchar *session, GError **error)
{
	const gchar *params[] = { session };

	return participant_list(self,
				"SELECT " PARTICIPANT_COLUMNS
				" FROM live_participants WHERE session = ? ORDER BY who",
				params, 1, error);
}

/**
 * nhip_hub_db_live_participant_set_joined:
 * @self: the database
 * @session: the session
 * @who: the participant
 * @joined: when it joined, 0 when it left
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when @who is not a
 *   participant
 *
 * Returns: %TRUE when stored
 */
gboolean
nhip_hub_db_live_participant_set_joined(NhipHubDb *self,
					const gchar *session,
					const gchar *who,
					gint64 joined,
					GError **error)
{
	g_autofree gchar *joined_text = nhip_hub_int_text(joined);
	const gchar *params[] = { joined_text, session, who };

	return live_change(self,
			   "UPDATE live_participants SET joined = ? WHERE session = ? AND who = ? "
			   "RETURNING who",
			   params, G_N_ELEMENTS(params), error);
}

/* ----- events ----- */

static gpointer
event_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubLiveEvent *event = g_new0(NhipHubLiveEvent, 1);

	event->seq = nhip_hub_rows_int(rows, row, 0);
	event->sender = nhip_hub_rows_dup(rows, row, 1);
	event->kind = nhip_hub_rows_dup(rows, row, 2);
	event->body = nhip_hub_rows_dup(rows, row, 3);
	event->at = nhip_hub_rows_int(rows, row, 4);
	return event;
}

/**
 * nhip_hub_db_live_event_add:
 * @self: the database
 * @session: the session
 * @sender: who sent it
 * @kind: "chat", "vital" or "state"
 * @body: the kind's fields as a JSON object
 * @at: when it arrived
 * @error: return location for a #GError
 *
 * Numbers the event after the session's last one. Two writers racing for a number (two
 * hub processes on one PostgreSQL) clash on the primary key; the loser takes the next.
 *
 * Returns: the event's number, 0 on error
 */
gint64
nhip_hub_db_live_event_add(NhipHubDb *self,
			   const gchar *session,
			   const gchar *sender,
			   const gchar *kind,
			   const gchar *body,
			   gint64 at,
			   GError **error)
{
	g_autofree gchar *at_text = nhip_hub_int_text(at);
	const gchar *params[] = { session, sender, kind, body, at_text, session };

	for (guint attempt = 0;; attempt++) {
		g_autoptr(GError) error_local = NULL;
		g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
			self,
			"INSERT INTO live_events (session, seq, sender, kind, body, at) SELECT ?, "
			"COALESCE(MAX(seq), 0) + 1, ?, ?, ?, CAST(? AS BIGINT) FROM live_events "
			"WHERE "
			"session = ? "
			"RETURNING seq",
			params, G_N_ELEMENTS(params), &error_local);

		if (rows != NULL && nhip_hub_rows_count(rows) == 1)
			return nhip_hub_rows_int(rows, 0, 0);
		if (rows != NULL) {
			g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_STORAGE,
					    _("an event of the live session was not stored"));
			return 0;
		}
		if (attempt >= 5 ||
		    !g_error_matches(error_local, NHIP_HUB_ERROR, NHIP_HUB_ERROR_CONFLICT)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return 0;
		}
	}
}

/**
 * nhip_hub_db_live_event_list:
 * @self: the database
 * @session: the session
 * @after: only the events numbered after this
 * @limit: at most this many
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubLiveEvent) (nullable): the events in order
 */
GPtrArray *
nhip_hub_db_live_event_list(NhipHubDb *self,
			    const gchar *session,
			    gint64 after,
			    guint limit,
			    GError **error)
{
	g_autofree gchar *after_text = nhip_hub_int_text(after);
	g_autofree gchar *limit_text = nhip_hub_int_text(limit);
	const gchar *params[] = { session, after_text, limit_text };

	return nhip_hub_db_query_list(self,
				      "SELECT seq, sender, kind, body, at FROM live_events WHERE "
				      "session = ? AND seq > ? ORDER BY seq LIMIT ?",
				      params, G_N_ELEMENTS(params), event_from_rows,
				      (GDestroyNotify)nhip_hub_live_event_free, error);
}
