/*
 * Nhịp hub — what the hub keeps about uploads, received packets and each station's inbox,
 * behind one small interface with two backends: SQLite (the default, one file in the hub
 * folder) and PostgreSQL (a province-scale hub). Blobs live on disk, not in here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_HUB_ERROR (nhip_hub_error_quark())

/**
 * NhipHubError:
 * @NHIP_HUB_ERROR_INVALID: bad input (a request, a configuration value)
 * @NHIP_HUB_ERROR_NOT_FOUND: no such record
 * @NHIP_HUB_ERROR_CONFLICT: the record clashes with one already stored
 * @NHIP_HUB_ERROR_STORAGE: the database or the disk failed
 * @NHIP_HUB_ERROR_FAILED: anything else
 */
typedef enum {
	NHIP_HUB_ERROR_INVALID,
	NHIP_HUB_ERROR_NOT_FOUND,
	NHIP_HUB_ERROR_CONFLICT,
	NHIP_HUB_ERROR_STORAGE,
	NHIP_HUB_ERROR_FAILED,
} NhipHubError;

GQuark nhip_hub_error_quark(void);

/* one result set: @n_cols columns, cells row by row, NULL for SQL NULL */
typedef struct {
	guint n_cols;
	GPtrArray *cells; /* (element-type utf8) */
} NhipHubRows;

void nhip_hub_rows_free(NhipHubRows *rows);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubRows, nhip_hub_rows_free)

/**
 * NhipHubDbBackend:
 * @name: "sqlite" or "postgresql"
 * @serial_key: the column type of an auto-incremented 64-bit primary key
 * @open: connect to @target (a file, or a libpq connection string)
 * @close: disconnect
 * @query: run one statement with `?` placeholders bound to text parameters (%NULL is SQL
 *   NULL); returns the rows, empty for statements that return none
 * @exec: run statements without parameters
 *
 * A backend is used by one thread at a time; #NhipHubDb serialises the calls.
 */
typedef struct {
	const gchar *name;
	const gchar *serial_key;
	gpointer (*open)(const gchar *target, GError **error);
	void (*close)(gpointer conn);
	NhipHubRows *(*query)(gpointer conn,
			      const gchar *sql,
			      const gchar *const *params,
			      guint n_params,
			      GError **error);
	gboolean (*exec)(gpointer conn, const gchar *sql, GError **error);
} NhipHubDbBackend;

extern const NhipHubDbBackend nhip_hub_db_sqlite;
extern const NhipHubDbBackend nhip_hub_db_postgresql;

typedef enum {
	NHIP_HUB_UPLOAD_OPEN,
	NHIP_HUB_UPLOAD_DONE,
	NHIP_HUB_UPLOAD_REFUSED,
} NhipHubUploadState;

typedef struct {
	gchar *id;
	gchar *station;
	gchar *packet_id;
	gint64 length;
	gint64 acked;
	gchar *sha256;
	NhipHubUploadState state;
	gchar *reason;
	gint64 created;
	gint64 expires;
} NhipHubUpload;

typedef struct {
	gint64 id;
	gchar *station;
	gchar *packet_id;
	gchar *sha256;
	gint64 size;
	gint64 seq;
	gchar *urgency;
	gchar *contents_sha256;
	gchar *receipt_sha256;
	gint64 received;
} NhipHubPacket;

typedef struct {
	gint64 cursor;
	gchar *station;
	gchar *msg_id;
	gchar *kind;
	gchar *in_reply_to;
	gchar *blob_sha256;
	gint64 size;
	gint64 created;
} NhipHubMessage;

void nhip_hub_upload_free(NhipHubUpload *upload);
void nhip_hub_packet_free(NhipHubPacket *packet);
void nhip_hub_message_free(NhipHubMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubUpload, nhip_hub_upload_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubPacket, nhip_hub_packet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubMessage, nhip_hub_message_free)

typedef struct _NhipHubDb NhipHubDb;

NhipHubDb *
nhip_hub_db_open(const gchar *uri, const gchar *hub_dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hub_db_free(NhipHubDb *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubDb, nhip_hub_db_free)
const gchar *nhip_hub_db_get_backend(NhipHubDb *self);

NhipHubUpload *nhip_hub_db_upload_create(NhipHubDb *self,
					 const NhipHubUpload *upload,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHubUpload *
nhip_hub_db_upload_get(NhipHubDb *self, const gchar *id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_db_upload_set_acked(NhipHubDb *self,
				      const gchar *id,
				      gint64 from,
				      gint64 to,
				      GError **error);
gboolean nhip_hub_db_upload_finish(NhipHubDb *self,
				   const gchar *id,
				   NhipHubUploadState state,
				   const gchar *reason,
				   GError **error);
gboolean
nhip_hub_db_upload_restart(NhipHubDb *self, const gchar *id, gint64 expires, GError **error);
guint nhip_hub_db_upload_expire(NhipHubDb *self, gint64 now, GPtrArray *ids, GError **error);

gboolean nhip_hub_db_packet_add(NhipHubDb *self, NhipHubPacket *packet, GError **error);
NhipHubPacket *nhip_hub_db_packet_get(NhipHubDb *self,
				      const gchar *station,
				      const gchar *packet_id,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_db_packet_replay_state(NhipHubDb *self,
					 const gchar *station,
					 const gchar *packet_id,
					 gint64 seq,
					 gint64 *highest,
					 gint64 *seq_of_packet_id,
					 gchar **packet_id_at_seq,
					 GError **error);
GPtrArray *nhip_hub_db_packet_list(NhipHubDb *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHubPacket *
nhip_hub_db_packet_by_case(NhipHubDb *self, gint64 id, GError **error) G_GNUC_WARN_UNUSED_RESULT;

gint64 nhip_hub_db_message_add(NhipHubDb *self, NhipHubMessage *message, GError **error);
GPtrArray *nhip_hub_db_message_list(NhipHubDb *self,
				    const gchar *station,
				    gint64 after,
				    guint limit,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHubMessage *nhip_hub_db_message_get(NhipHubDb *self,
					const gchar *station,
					const gchar *msg_id,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ----- the doctors' web pages (nhip-hub-db-web.c) ----- */

/**
 * NhipHubCaseFile:
 * @name: the file's name in the packet (img/1.jpg)
 * @type: its media type
 * @sha256: its blob
 * @size: its size
 */
typedef struct {
	gchar *name;
	gchar *type;
	gchar *sha256;
	gint64 size;
} NhipHubCaseFile;

/**
 * NhipHubDoctor:
 * @id: row id
 * @username: the login name
 * @display_name: the name shown to stations with the answers
 * @password: the password's scrypt hash (nhip-hub-password.c)
 * @created: when the account was made
 * @disabled: when the account was closed, 0 while open
 */
typedef struct {
	gint64 id;
	gchar *username;
	gchar *display_name;
	gchar *password;
	gint64 created;
	gint64 disabled;
} NhipHubDoctor;

/**
 * NhipHubAnswer:
 * @msg_id: the reply packet's id
 * @packet: the case (packets row id)
 * @doctor: the doctor's id, 0 for an answer given with `nhip-hub reply`
 * @doctor_name: the doctor's name as the station sees it
 * @advice: the advice
 * @referral: 1 refer the patient, 0 do not, -1 not said
 * @urgency: "routine", "urgent" or "stat" (FHIR Communication.priority)
 * @created: when it was given
 */
typedef struct {
	gchar *msg_id;
	gint64 packet;
	gint64 doctor;
	gchar *doctor_name;
	gchar *advice;
	gint referral;
	gchar *urgency;
	gint64 created;
} NhipHubAnswer;

void nhip_hub_case_file_free(NhipHubCaseFile *file);
void nhip_hub_doctor_free(NhipHubDoctor *doctor);
void nhip_hub_answer_free(NhipHubAnswer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubCaseFile, nhip_hub_case_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubDoctor, nhip_hub_doctor_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubAnswer, nhip_hub_answer_free)

gboolean nhip_hub_db_case_file_add(NhipHubDb *self,
				   gint64 packet,
				   const NhipHubCaseFile *file,
				   GError **error);
GPtrArray *nhip_hub_db_case_file_list(NhipHubDb *self,
				      gint64 packet,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

gint64 nhip_hub_db_doctor_add(NhipHubDb *self,
			      const gchar *username,
			      const gchar *display_name,
			      const gchar *password_hash,
			      GError **error);
NhipHubDoctor *nhip_hub_db_doctor_get(NhipHubDb *self,
				      const gchar *username,
				      gint64 id,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_hub_db_doctor_list(NhipHubDb *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_db_doctor_set_password(NhipHubDb *self,
					 gint64 id,
					 const gchar *password_hash,
					 GError **error);
gboolean nhip_hub_db_doctor_disable(NhipHubDb *self, gint64 id, GError **error);

gboolean nhip_hub_db_login_failures(NhipHubDb *self,
				    const gchar *key,
				    gint64 now,
				    gint64 window,
				    gint64 *failures,
				    GError **error);
gboolean nhip_hub_db_login_fail(NhipHubDb *self,
				const gchar *key,
				gint64 now,
				gint64 window,
				GError **error);
gboolean nhip_hub_db_login_clear(NhipHubDb *self, const gchar *key, GError **error);

gboolean nhip_hub_db_session_add(NhipHubDb *self,
				 const gchar *token_sha256,
				 gint64 doctor,
				 const gchar *csrf,
				 gint64 expires,
				 GError **error);
gint64 nhip_hub_db_session_get(NhipHubDb *self,
			       const gchar *token_sha256,
			       gint64 now,
			       gchar **csrf,
			       GError **error);
gboolean nhip_hub_db_session_delete(NhipHubDb *self, const gchar *token_sha256, GError **error);

gboolean nhip_hub_db_answer_add(NhipHubDb *self, const NhipHubAnswer *answer, GError **error);
gboolean nhip_hub_db_answer_delete(NhipHubDb *self, const gchar *msg_id, GError **error);
GPtrArray *
nhip_hub_db_answer_list(NhipHubDb *self, gint64 packet, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GHashTable *nhip_hub_db_answered(NhipHubDb *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ----- live consultations (nhip-hub-db-live.c) ----- */

/**
 * NhipHubLiveSession:
 * @id: the session's UUID
 * @packet: the case (packets row id)
 * @packet_id: the case packet's UUID
 * @station: the station that sent the case
 * @room: the Janus VideoRoom room
 * @room_secret: the room's secret (only the hub knows it)
 * @started_by: "station" or "doctor"
 * @state: "waiting", "active" or "ended"
 * @created: when it was opened
 * @expires: when it ends at the latest
 * @ended: when it ended, 0 while open
 * @invited: when the station was first handed the doctor's invitation, 0 if not yet
 */
typedef struct {
	gchar *id;
	gint64 packet;
	gchar *packet_id;
	gchar *station;
	gint64 room;
	gchar *room_secret;
	gchar *started_by;
	gchar *state;
	gint64 created;
	gint64 expires;
	gint64 ended;
	gint64 invited;
} NhipHubLiveSession;

/**
 * NhipHubLiveParticipant:
 * @who: "station:CODE" or "doctor:LOGIN"
 * @token: the Janus token minted for this participant only
 * @joined: when the participant last said it joined, 0 if never
 */
typedef struct {
	gchar *who;
	gchar *token;
	gint64 joined;
} NhipHubLiveParticipant;

/**
 * NhipHubLiveEvent:
 * @seq: its number in the session, from 1
 * @sender: "station:CODE" or "doctor:LOGIN"
 * @kind: "chat", "vital" or "state"
 * @body: the kind's fields, a JSON object the hub wrote
 * @at: when the hub received it
 */
typedef struct {
	gint64 seq;
	gchar *sender;
	gchar *kind;
	gchar *body;
	gint64 at;
} NhipHubLiveEvent;

void nhip_hub_live_session_free(NhipHubLiveSession *session);
void nhip_hub_live_participant_free(NhipHubLiveParticipant *participant);
void nhip_hub_live_event_free(NhipHubLiveEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubLiveSession, nhip_hub_live_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubLiveParticipant, nhip_hub_live_participant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubLiveEvent, nhip_hub_live_event_free)

gboolean
nhip_hub_db_live_session_add(NhipHubDb *self, const NhipHubLiveSession *session, GError **error);
NhipHubLiveSession *nhip_hub_db_live_session_get(NhipHubDb *self,
						 const gchar *id,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHubLiveSession *nhip_hub_db_live_session_open_for(NhipHubDb *self,
						      gint64 packet,
						      GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_hub_db_live_session_list(NhipHubDb *self,
					 gint64 packet,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_hub_db_live_session_invites(NhipHubDb *self,
					    const gchar *station,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *
nhip_hub_db_live_session_due(NhipHubDb *self, gint64 now, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GHashTable *nhip_hub_db_live_open_cases(NhipHubDb *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_db_live_session_set_state(NhipHubDb *self,
					    const gchar *id,
					    const gchar *state,
					    gint64 ended,
					    GError **error);
gboolean
nhip_hub_db_live_session_set_invited(NhipHubDb *self, const gchar *id, gint64 when, GError **error);
gboolean
nhip_hub_db_live_session_set_room(NhipHubDb *self, const gchar *id, gint64 room, GError **error);
GPtrArray *nhip_hub_db_live_session_unreleased(NhipHubDb *self,
					       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_db_live_session_set_released(NhipHubDb *self,
					       const gchar *id,
					       gint64 when,
					       GError **error);
gboolean nhip_hub_db_live_packet_elsewhere(NhipHubDb *self,
					   const gchar *station,
					   const gchar *packet_id,
					   gboolean *found,
					   GError **error);

NhipHubLiveParticipant *nhip_hub_db_live_participant_add(NhipHubDb *self,
							 const gchar *session,
							 const gchar *who,
							 const gchar *token,
							 GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_hub_db_live_participant_list(NhipHubDb *self,
					     const gchar *session,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_db_live_participant_set_joined(NhipHubDb *self,
						 const gchar *session,
						 const gchar *who,
						 gint64 joined,
						 GError **error);

gint64 nhip_hub_db_live_event_add(NhipHubDb *self,
				  const gchar *session,
				  const gchar *sender,
				  const gchar *kind,
				  const gchar *body,
				  gint64 at,
				  GError **error);
GPtrArray *nhip_hub_db_live_event_list(NhipHubDb *self,
				       const gchar *session,
				       gint64 after,
				       guint limit,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
