/*
 * Nhịp hub — live consultations (see nhip-hub-live.h).
 *
 * A session's life: opened for a case by the station or a doctor (a Janus room is created
 * with a secret only the hub knows, an allowed list holding the opener's token), each
 * participant that asks for the session's descriptor gets a Janus token of its own (added
 * with add_token for the VideoRoom plugin and to the room's allowed list) and fresh TURN
 * credentials; it is "waiting" until the station and a doctor both said they joined, then
 * "active"; it ends on hang-up, on an "ended" state event, or when its time is up
 * (checked on every access and by nhip_hub_live_expire()), and then its tokens are removed
 * and its room destroyed. Should Janus be unreachable at that moment, the session is still
 * ended and the removal is tried again by nhip_hub_live_expire() until it succeeds.
 *
 * Long-polls wait on a generation counter per session ("session:ID") and per station
 * ("station:CODE", for invitations) bumped by every change made in this process, and look
 * at the database again every second for changes made by another hub process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "nhip-ca.h"
#include "nhip-hub-http.h"
#include "nhip-hub-janus.h"
#include "nhip-hub-live.h"
#include "nhip-hub-password.h"
#include "nhip-json-member.h"
#include "nhip-json.h"
#include "nhip-tus.h"

#define LIVE_GROUP	 "live"
#define LIVE_EVENT_BATCH 200

struct _NhipHubLive {
	gchar *dir;
	NhipHubDb *db; /* not owned */
	NhipHubLiveConfig *config;
	gchar *unavailable; /* why there are no live sessions, when config is NULL */
	NhipHubJanus *janus;
	GMutex janus_lock; /* one change of rooms and tokens at a time */
	GMutex wait_lock;
	GCond wait_cond;
	GHashTable *generations; /* "session:ID" / "station:CODE" → guint64 */
	gboolean stopping;
};

/* ----- configuration ----- */

void
nhip_hub_live_config_free(NhipHubLiveConfig *config)
{
	if (config == NULL)
		return;
	g_free(config->janus_url);
	g_free(config->janus_web_url);
	g_free(config->janus_admin_url);
	g_free(config->janus_admin_secret);
	g_free(config->room_admin_key);
	g_strfreev(config->ice_urls);
	g_free(config->turn_secret);
	g_free(config);
}

static gchar *
config_string(GKeyFile *file, const gchar *path, const gchar *key, GError **error)
{
	g_autofree gchar *value = g_key_file_get_string(file, LIVE_GROUP, key, NULL);

	if (value == NULL || *g_strstrip(value) == '\0') {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("the [live] group of %s has no “%s”; run nhip-hub live-config again"),
			    path, key);
		return NULL;
	}
	return g_steal_pointer(&value);
}

static gboolean
config_int(GKeyFile *file,
	   const gchar *path,
	   const gchar *key,
	   gint64 fallback,
	   gint64 min,
	   gint64 max,
	   gint64 *out,
	   GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gint64 value;

	if (!g_key_file_has_key(file, LIVE_GROUP, key, NULL)) {
		*out = fallback;
		return TRUE;
	}
	value = g_key_file_get_int64(file, LIVE_GROUP, key, &error_local);
	if (error_local != NULL || value < min || value > max) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("“%s” in the [live] group of %s must be a number from %" PRId64
			      " to %" PRId64),
			    key, path, min, max);
		return FALSE;
	}
	*out = value;
	return TRUE;
}

/**
 * nhip_hub_live_config_load:
 * @hub_dir: the hub folder
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when hub.conf has no
 *   [live] group
 *
 * Returns: (transfer full) (nullable): the [live] settings of hub.conf
 */
NhipHubLiveConfig *
nhip_hub_live_config_load(const gchar *hub_dir, GError **error)
{
	g_autofree gchar *path = nhip_ca_path(hub_dir, NHIP_CA_FILE_CONFIG);
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autoptr(NhipHubLiveConfig) config = g_new0(NhipHubLiveConfig, 1);

	if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, error))
		return NULL;
	if (!g_key_file_has_group(file, LIVE_GROUP)) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
			    _("live consultations are not set up on this hub (%s has no [live] "
			      "group): run nhip-hub live-config"),
			    path);
		return NULL;
	}
	config->janus_url = config_string(file, path, "janus-url", error);
	if (config->janus_url == NULL)
		return NULL;
	config->janus_web_url = config_string(file, path, "janus-web-url", error);
	if (config->janus_web_url == NULL)
		return NULL;
	config->janus_admin_url = config_string(file, path, "janus-admin-url", error);
	if (config->janus_admin_url == NULL)
		return NULL;
	config->janus_admin_secret = config_string(file, path, "janus-admin-secret", error);
	if (config->janus_admin_secret == NULL)
		return NULL;
	config->room_admin_key = config_string(file, path, "room-admin-key", error);
	if (config->room_admin_key == NULL)
		return NULL;
	config->turn_secret = config_string(file, path, "turn-secret", error);
	if (config->turn_secret == NULL)
		return NULL;
	config->ice_urls = g_key_file_get_string_list(file, LIVE_GROUP, "ice-urls", NULL, NULL);
	if (config->ice_urls == NULL || config->ice_urls[0] == NULL) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("the [live] group of %s has no “%s”; run nhip-hub live-config again"),
			    path, "ice-urls");
		return NULL;
	}
	if (!config_int(file, path, "max-bitrate", NHIP_HUB_LIVE_DEFAULT_BITRATE, 32000, 4000000,
			&config->max_bitrate, error) ||
	    !config_int(file, path, "max-minutes", NHIP_HUB_LIVE_DEFAULT_MINUTES, 1, 24 * 60,
			&config->max_minutes, error))
		return NULL;
	return g_steal_pointer(&config);
}

/* ----- replies ----- */

void
nhip_hub_live_reply_clear(NhipHubLiveReply *reply)
{
	g_clear_pointer(&reply->body, g_free);
	reply->status = 0;
}

static void
reply_error(NhipHubLiveReply *reply, guint status, const gchar *word, const gchar *message)
{
	g_free(reply->body);
	reply->status = status;
	reply->body = nhip_hub_http_error_json(word, message);
}

static void
reply_builder(NhipHubLiveReply *reply, guint status, JsonBuilder *builder)
{
	g_free(reply->body);
	reply->status = status;
	reply->body = nhip_json_to_string(builder, FALSE);
}

static void
reply_failure(NhipHubLiveReply *reply, const gchar *what, const GError *error)
{
	g_warning("live: cannot %s: %s", what, error->message);
	reply_error(reply, 503, "hub-failure",
		    _("The hub cannot do this now (the media server or the database failed); try "
		      "again in a moment."));
}

/* ----- waiting ----- */

static guint64
live_generation_locked(NhipHubLive *self, const gchar *key)
{
	guint64 *value = g_hash_table_lookup(self->generations, key);
	return value != NULL ? *value : 0;
}

static guint64
live_generation(NhipHubLive *self, const gchar *key)
{
	G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->wait_lock);
	return live_generation_locked(self, key);
}

/* something changed for @key: wake whoever waits for it */
static void
live_bump(NhipHubLive *self, const gchar *kind, const gchar *id)
{
	g_autofree gchar *key = g_strconcat(kind, ":", id, NULL);
	guint64 *value;

	g_mutex_lock(&self->wait_lock);
	value = g_hash_table_lookup(self->generations, key);
	if (value == NULL) {
		value = g_new0(guint64, 1);
		g_hash_table_insert(self->generations, g_steal_pointer(&key), value);
	}
	(*value)++;
	g_cond_broadcast(&self->wait_cond);
	g_mutex_unlock(&self->wait_lock);
}

/* waits until @key moves past @seen, a second passes or @deadline comes; FALSE when the
 * hub is stopping */
static gboolean
live_wait(NhipHubLive *self, const gchar *key, guint64 seen, gint64 deadline)
{
	G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->wait_lock);
	gint64 until = MIN(deadline, g_get_monotonic_time() + G_USEC_PER_SEC);

	while (!self->stopping && live_generation_locked(self, key) == seen &&
	       g_get_monotonic_time() < until)
		g_cond_wait_until(&self->wait_cond, &self->wait_lock, until);
	return !self->stopping;
}

static gboolean
live_parse_wait(const gchar *text, gint64 *deadline, NhipHubLiveReply *reply)
{
	g_autoptr(GError) error = NULL;
	gint64 wait = 0;

	if (text != NULL && !nhip_tus_parse_size(text, "wait", &wait, &error)) {
		reply_error(reply, 400, "bad-request", error->message);
		return FALSE;
	}
	*deadline = g_get_monotonic_time() + MIN(wait, NHIP_HUB_LIVE_WAIT_MAX) * G_USEC_PER_SEC;
	return TRUE;
}

/* ----- TURN and labels ----- */

/**
 * nhip_hub_live_turn_credential:
 * @secret: coturn's static-auth-secret
 * @username: "<unix-expiry>:<who>"
 *
 * Returns: (transfer full): the TURN REST password, base64(HMAC-SHA1(@secret, @username))
 */
gchar *
nhip_hub_live_turn_credential(const gchar *secret, const gchar *username)
{
	g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)secret, strlen(secret));
	guint8 digest[20] = { 0 };
	gsize len = sizeof(digest);

	g_hmac_update(hmac, (const guchar *)username, -1);
	g_hmac_get_digest(hmac, digest, &len);
	return g_base64_encode(digest, len);
}

static const struct {
	const gchar *code;
	const gchar *label;
} live_vital_labels[] = {
	{ "bp-systolic", N_("Systolic blood pressure") },
	{ "bp-diastolic", N_("Diastolic blood pressure") },
	{ "pulse", N_("Heart rate") },
	{ "spo2", N_("Oxygen saturation (SpO₂)") },
	{ "temperature", N_("Body temperature") },
	{ "glucose", N_("Blood glucose") },
	{ "weight", N_("Body weight") },
	{ "height", N_("Body height") },
	{ "respiratory-rate", N_("Respiratory rate") },
};

/**
 * nhip_hub_live_vital_label:
 * @code: a reading's code in a live session ("bp-systolic")
 *
 * Returns: (transfer none) (nullable): its name for the doctors' pages, %NULL when the code
 *   is not known
 */
const gchar *
nhip_hub_live_vital_label(const gchar *code)
{
	for (guint i = 0; i < G_N_ELEMENTS(live_vital_labels); i++) {
		if (g_strcmp0(live_vital_labels[i].code, code) == 0)
			return _(live_vital_labels[i].label);
	}
	return NULL;
}

/**
 * nhip_hub_live_vital_nth:
 * @n: an index from 0
 * @label: (out) (transfer none) (optional): the reading's name for the doctors' pages
 *
 * Returns: (transfer none) (nullable): the @n-th reading code the pages know, %NULL past
 *   the last
 */
const gchar *
nhip_hub_live_vital_nth(guint n, const gchar **label)
{
	if (n >= G_N_ELEMENTS(live_vital_labels))
		return NULL;
	if (label != NULL)
		*label = _(live_vital_labels[n].label);
	return live_vital_labels[n].code;
}

/* ----- events ----- */

static gboolean
live_bad_event(GError **error, const gchar *message)
{
	g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID, message);
	return FALSE;
}

/* an optional short text member; FALSE when present but not a valid string */
static gboolean
live_short_text(JsonObject *object, const gchar *name, glong max, const gchar **out)
{
	JsonNode *node = json_object_get_member(object, name);

	*out = NULL;
	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return TRUE;
	*out = nhip_json_member_string(object, name);
	return *out != NULL && g_utf8_validate(*out, -1, NULL) && g_utf8_strlen(*out, -1) <= max;
}

static gboolean
live_code_valid(const gchar *code)
{
	gsize len = code != NULL ? strlen(code) : 0;

	if (len == 0 || len > 32 || !g_ascii_isalnum(code[0]))
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!(g_ascii_islower(code[i]) || g_ascii_isdigit(code[i]) || code[i] == '-'))
			return FALSE;
	}
	return TRUE;
}

static gboolean
live_parse_vital(JsonObject *object, gint64 now, JsonBuilder *out, GError **error)
{
	const gchar *code = nhip_json_member_string(object, "code");
	JsonNode *value_node = json_object_get_member(object, "value");
	const gchar *unit = NULL;
	const gchar *device = NULL;
	const gchar *taken_text = NULL;
	g_autoptr(GDateTime) taken = NULL;
	g_autofree gchar *taken_iso = NULL;
	gdouble value;

	if (!live_code_valid(code))
		return live_bad_event(error, _("a reading needs a “code” of lower-case letters, "
					       "digits and dashes (bp-systolic, pulse, spo2…)"));
	if (value_node == NULL || !JSON_NODE_HOLDS_VALUE(value_node) ||
	    (json_node_get_value_type(value_node) != G_TYPE_INT64 &&
	     json_node_get_value_type(value_node) != G_TYPE_DOUBLE))
		return live_bad_event(error, _("a reading needs a numeric “value”"));
	value = json_node_get_double(value_node);
	if (!isfinite(value) || fabs(value) > 1e6)
		return live_bad_event(error, _("the reading's “value” is out of range"));
	if (!live_short_text(object, "unit", 16, &unit))
		return live_bad_event(error, _("the reading's “unit” must be text of at most "
					       "16 characters"));
	if (!live_short_text(object, "device", 80, &device))
		return live_bad_event(error, _("the reading's “device” must be text of at most "
					       "80 characters"));
	if (!live_short_text(object, "taken_at", 64, &taken_text))
		return live_bad_event(error, _("the reading's “taken_at” must be an ISO 8601 "
					       "time"));
	if (taken_text != NULL) {
		g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
		taken = g_date_time_new_from_iso8601(taken_text, utc);
		/* a reading from before this century is a wrong clock or a wrong field; it
		 * would not be written back in the same four-digit form either */
		if (taken != NULL && g_date_time_get_year(taken) < 2000)
			g_clear_pointer(&taken, g_date_time_unref);
		if (taken == NULL)
			return live_bad_event(error, _("the reading's “taken_at” must be an ISO "
						       "8601 time, like 2026-11-23T08:00:00Z"));
	} else {
		taken = g_date_time_new_from_unix_utc(now);
	}
	{
		g_autoptr(GDateTime) utc_time = g_date_time_to_utc(taken);
		taken_iso = g_date_time_format(utc_time, "%Y-%m-%dT%H:%M:%SZ");
	}
	nhip_json_add_string(out, "code", code);
	nhip_json_add_double(out, "value", value);
	if (unit != NULL)
		nhip_json_add_string(out, "unit", unit);
	if (device != NULL)
		nhip_json_add_string(out, "device", device);
	nhip_json_add_string(out, "taken_at", taken_iso);
	return TRUE;
}

static gboolean
live_parse_chat(JsonObject *object, JsonBuilder *out, GError **error)
{
	const gchar *text = nhip_json_member_string(object, "text");
	g_autofree gchar *stripped = NULL;
	glong length;

	if (text == NULL || !g_utf8_validate(text, -1, NULL))
		return live_bad_event(error, _("a chat message needs a “text”"));
	stripped = g_strstrip(g_strdup(text));
	length = g_utf8_strlen(stripped, -1);
	if (length == 0)
		return live_bad_event(error, _("the chat message is empty"));
	if (length > NHIP_HUB_LIVE_TEXT_MAX)
		return live_bad_event(error, _("a chat message may have at most 2000 characters"));
	nhip_json_add_string(out, "text", stripped);
	return TRUE;
}

static const gchar *const live_states[] = {
	"joined", "left", "audio-only", "video", "ended", NULL
};

/**
 * nhip_hub_live_event_parse:
 * @data: an event's body from a participant
 * @len: its length
 * @now: the time, for a reading without "taken_at"
 * @kind: (out) (transfer full): "chat", "vital" or "state"
 * @body: (out) (transfer full): the kind's fields as the hub stores them (JSON)
 * @error: return location for a #GError; %NHIP_HUB_ERROR_INVALID with the reason for the
 *   participant
 *
 * Takes `{"kind":"chat","text"}` (at most NHIP_HUB_LIVE_TEXT_MAX characters),
 * `{"kind":"vital","code","value","unit","device","taken_at"}` or
 * `{"kind":"state","state":"joined|left|audio-only|video|ended"}`; other members are
 * dropped.
 *
 * Returns: %TRUE when the event is valid
 */
gboolean
nhip_hub_live_event_parse(const gchar *data,
			  gsize len,
			  gint64 now,
			  gchar **kind,
			  gchar **body,
			  GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(JsonBuilder) out = json_builder_new();
	JsonObject *object;
	const gchar *kind_text;

	if (len > NHIP_HUB_LIVE_BODY_MAX)
		return live_bad_event(error, _("the event is too large"));
	if (!json_parser_load_from_data(parser, data, (gssize)len, NULL) ||
	    json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return live_bad_event(error, _("the event must be a JSON object with a “kind”"));
	object = json_node_get_object(json_parser_get_root(parser));
	kind_text = nhip_json_member_string(object, "kind");
	json_builder_begin_object(out);
	if (g_strcmp0(kind_text, "chat") == 0) {
		if (!live_parse_chat(object, out, error))
			return FALSE;
	} else if (g_strcmp0(kind_text, "vital") == 0) {
		if (!live_parse_vital(object, now, out, error))
			return FALSE;
	} else if (g_strcmp0(kind_text, "state") == 0) {
		const gchar *state = nhip_json_member_string(object, "state");
		if (state == NULL || !g_strv_contains(live_states, state))
			return live_bad_event(error, _("a state event needs a “state”: joined, "
						       "left, audio-only, video or ended"));
		nhip_json_add_string(out, "state", state);
	} else {
		return live_bad_event(error, _("the event's “kind” must be chat, vital or state"));
	}
	json_builder_end_object(out);
	*kind = g_strdup(kind_text);
	*body = nhip_json_to_string(out, FALSE);
	return TRUE;
}

/* ----- life cycle ----- */

/**
 * nhip_hub_live_new:
 * @hub_dir: the hub folder; its hub.conf says how to reach Janus and coturn
 * @db: the hub database (kept, not owned)
 *
 * Without a usable [live] group the live requests are refused with the reason (logged
 * once here).
 *
 * Returns: (transfer full): the live sessions
 */
NhipHubLive *
nhip_hub_live_new(const gchar *hub_dir, NhipHubDb *db)
{
	NhipHubLive *self = g_new0(NhipHubLive, 1);
	g_autoptr(GError) error = NULL;

	self->dir = g_strdup(hub_dir);
	self->db = db;
	g_mutex_init(&self->janus_lock);
	g_mutex_init(&self->wait_lock);
	g_cond_init(&self->wait_cond);
	self->generations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->config = nhip_hub_live_config_load(hub_dir, &error);
	if (self->config == NULL) {
		self->unavailable = g_strdup(error->message);
		g_message("live consultations are off: %s", error->message);
		return self;
	}
	self->janus =
		nhip_hub_janus_new(self->config->janus_admin_url, self->config->janus_admin_secret,
				   self->config->room_admin_key);
	return self;
}

/**
 * nhip_hub_live_get_config:
 * @self: the live sessions
 *
 * Returns: (transfer none) (nullable): the [live] settings, %NULL when there are none
 */
const NhipHubLiveConfig *
nhip_hub_live_get_config(NhipHubLive *self)
{
	return self->config;
}

/**
 * nhip_hub_live_stop:
 * @self: the live sessions
 *
 * Answers the long-polls now: the hub is stopping.
 */
void
nhip_hub_live_stop(NhipHubLive *self)
{
	g_mutex_lock(&self->wait_lock);
	self->stopping = TRUE;
	g_cond_broadcast(&self->wait_cond);
	g_mutex_unlock(&self->wait_lock);
}

/**
 * nhip_hub_live_free:
 * @self: (nullable): the live sessions; no request may be using them
 */
void
nhip_hub_live_free(NhipHubLive *self)
{
	if (self == NULL)
		return;
	nhip_hub_janus_free(self->janus);
	nhip_hub_live_config_free(self->config);
	g_hash_table_unref(self->generations);
	g_mutex_clear(&self->janus_lock);
	g_mutex_clear(&self->wait_lock);
	g_cond_clear(&self->wait_cond);
	g_free(self->unavailable);
	g_free(self->dir);
	g_free(self);
}

static gboolean
live_ready(NhipHubLive *self, NhipHubLiveReply *reply)
{
	if (self->config != NULL)
		return TRUE;
	reply_error(reply, 503, "live-unavailable", self->unavailable);
	return FALSE;
}

static gint64
live_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* ----- Janus ----- */

/* removes the session's tokens and room from Janus; TRUE when all are gone */
static gboolean
live_release(NhipHubLive *self, const NhipHubLiveSession *session)
{
	G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->janus_lock);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) participants =
		nhip_hub_db_live_participant_list(self->db, session->id, &error);

	if (participants == NULL) {
		g_warning("live session %s: cannot list its participants: %s", session->id,
			  error->message);
		return FALSE;
	}
	/* the room first: its participants still hear that it is gone (their tokens still
	 * carry their long-polls), then the tokens */
	if (!nhip_hub_janus_room_destroy(self->janus, session->room, session->room_secret,
					 &error)) {
		g_warning("live session %s: cannot destroy room %" PRId64 ": %s", session->id,
			  session->room, error->message);
		return FALSE;
	}
	for (guint i = 0; i < participants->len; i++) {
		NhipHubLiveParticipant *participant = g_ptr_array_index(participants, i);
		if (!nhip_hub_janus_remove_token(self->janus, participant->token, &error)) {
			g_warning("live session %s: cannot remove the token of %s from Janus: %s",
				  session->id, participant->who, error->message);
			return FALSE;
		}
	}
	if (!nhip_hub_db_live_session_set_released(self->db, session->id, live_now(), &error)) {
		g_warning("live session %s: %s", session->id, error->message);
		return FALSE;
	}
	return TRUE;
}

static gchar *
live_room_description(const NhipHubLiveSession *session)
{
	/* Janus logs it: the case number only */
	return g_strdup_printf("nhip case %" PRId64, session->packet);
}

/* the room exists in Janus (made again with every participant's token after a restart
 * of Janus) and @token may join it */
static gboolean
live_admit(NhipHubLive *self, NhipHubLiveSession *session, const gchar *token, GError **error)
{
	G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->janus_lock);
	gboolean exists = FALSE;

	if (!nhip_hub_janus_room_exists(self->janus, session->room, &exists, error))
		return FALSE;
	if (!exists) {
		g_autoptr(GPtrArray) participants =
			nhip_hub_db_live_participant_list(self->db, session->id, error);
		g_autoptr(GPtrArray) tokens = g_ptr_array_new();
		g_autofree gchar *description = live_room_description(session);
		gint64 room;

		if (participants == NULL)
			return FALSE;
		for (guint i = 0; i < participants->len; i++) {
			NhipHubLiveParticipant *participant = g_ptr_array_index(participants, i);
			g_ptr_array_add(tokens, participant->token);
		}
		g_ptr_array_add(tokens, NULL);
		room = nhip_hub_janus_room_create(self->janus, description, session->room_secret,
						  self->config->max_bitrate,
						  (const gchar *const *)tokens->pdata, error);
		if (room == 0 ||
		    !nhip_hub_db_live_session_set_room(self->db, session->id, room, error))
			return FALSE;
		g_message("live session %s: Janus had lost room %" PRId64 "; made room %" PRId64,
			  session->id, session->room, room);
		session->room = room;
	}
	return nhip_hub_janus_add_token(self->janus, token, error) &&
	       nhip_hub_janus_room_allow(self->janus, session->room, session->room_secret, token,
					 error);
}

/* ----- descriptors ----- */

static void
live_add_ice_servers(NhipHubLive *self,
		     JsonBuilder *builder,
		     const NhipHubLiveSession *session,
		     const gchar *who)
{
	g_autofree gchar *name = g_strdup(who);
	g_autofree gchar *username = NULL;
	g_autofree gchar *credential = NULL;

	/* "station:CODE" → "station-CODE": the user name's colon separates the expiry */
	*strchr(name, ':') = '-';
	username = g_strdup_printf("%" PRId64 ":%s", session->expires, name);
	credential = nhip_hub_live_turn_credential(self->config->turn_secret, username);
	json_builder_set_member_name(builder, "ice_servers");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "urls");
	json_builder_begin_array(builder);
	for (guint i = 0; self->config->ice_urls[i] != NULL; i++)
		json_builder_add_string_value(builder, self->config->ice_urls[i]);
	json_builder_end_array(builder);
	nhip_json_add_string(builder, "username", username);
	nhip_json_add_string(builder, "credential", credential);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
}

/* the session as @caller sees it; for an open session @caller becomes a participant with a
 * token Janus knows */
static gboolean
live_descriptor(NhipHubLive *self,
		NhipHubLiveSession *session,
		const NhipHubLiveCaller *caller,
		JsonBuilder *builder,
		GError **error)
{
	gboolean open = g_strcmp0(session->state, "ended") != 0;
	g_autoptr(NhipHubLiveParticipant) participant = NULL;

	if (open) {
		g_autofree gchar *token = nhip_hub_random_token(24);
		participant = nhip_hub_db_live_participant_add(self->db, session->id, caller->who,
							       token, error);
		if (participant == NULL || !live_admit(self, session, participant->token, error))
			return FALSE;
	}
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "session_id", session->id);
	nhip_json_add_string(builder, "packet_id", session->packet_id);
	nhip_json_add_int(builder, "case", session->packet);
	nhip_json_add_string(builder, "janus_url",
			     caller->station != NULL ? self->config->janus_url
						     : self->config->janus_web_url);
	nhip_json_add_int(builder, "room", session->room);
	nhip_json_add_string(builder, "token", participant != NULL ? participant->token : NULL);
	nhip_json_add_string(builder, "display", caller->who);
	if (open) {
		live_add_ice_servers(self, builder, session, caller->who);
	} else {
		json_builder_set_member_name(builder, "ice_servers");
		json_builder_begin_array(builder);
		json_builder_end_array(builder);
	}
	nhip_json_add_int(builder, "max_bitrate", self->config->max_bitrate);
	nhip_json_add_int(builder, "expires", session->expires);
	nhip_json_add_string(builder, "state", session->state);
	nhip_json_add_string(builder, "started_by", session->started_by);
	json_builder_end_object(builder);
	return TRUE;
}

static void
reply_descriptor(NhipHubLive *self,
		 NhipHubLiveSession *session,
		 const NhipHubLiveCaller *caller,
		 guint status,
		 NhipHubLiveReply *reply)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(GError) error = NULL;

	if (!live_descriptor(self, session, caller, builder, &error)) {
		reply_failure(reply, "admit a participant", error);
		return;
	}
	reply_builder(reply, status, builder);
}

/* ----- ending ----- */

static gint64
live_add_event(NhipHubLive *self,
	       const NhipHubLiveSession *session,
	       const gchar *sender,
	       const gchar *kind,
	       const gchar *body,
	       GError **error)
{
	gint64 seq = nhip_hub_db_live_event_add(self->db, session->id, sender, kind, body,
						live_now(), error);
	if (seq > 0)
		live_bump(self, "session", session->id);
	return seq;
}

/* ends an open session: state, an "ended" event from @by (unless @by posted it already),
 * then Janus's tokens and room; FALSE on a storage failure */
static gboolean
live_end_session(NhipHubLive *self,
		 NhipHubLiveSession *session,
		 const gchar *by,
		 gboolean post_event,
		 GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gint64 now = live_now();

	if (!nhip_hub_db_live_session_set_state(self->db, session->id, "ended", now,
						&error_local)) {
		/* ended already (by the other side, or another hub process) */
		if (g_error_matches(error_local, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND)) {
			g_free(session->state);
			session->state = g_strdup("ended");
			return TRUE;
		}
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	g_free(session->state);
	session->state = g_strdup("ended");
	session->ended = now;
	if (post_event &&
	    live_add_event(self, session, by, "state", "{\"state\":\"ended\"}", error) == 0)
		return FALSE;
	g_message("live session %s of case %" PRId64 " ended by %s", session->id, session->packet,
		  by);
	live_bump(self, "session", session->id);
	live_bump(self, "station", session->station);
	if (!live_release(self, session))
		g_message("live session %s: Janus is asked again later to drop its room",
			  session->id);
	return TRUE;
}

/* a session past its time is ended on the spot */
static gboolean
live_check_time(NhipHubLive *self, NhipHubLiveSession *session, GError **error)
{
	if (g_strcmp0(session->state, "ended") == 0 || session->expires > live_now())
		return TRUE;
	return live_end_session(self, session, "hub", TRUE, error);
}

/**
 * nhip_hub_live_expire:
 * @self: the live sessions
 *
 * Ends the sessions whose time is up, and asks Janus again to drop the rooms and tokens of
 * ended sessions it could not drop before. Called every half minute by `nhip-hub serve`.
 */
void
nhip_hub_live_expire(NhipHubLive *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) due = NULL;
	g_autoptr(GPtrArray) unreleased = NULL;

	if (self->config == NULL)
		return;
	due = nhip_hub_db_live_session_due(self->db, live_now(), &error);
	if (due == NULL) {
		g_warning("live: cannot list the sessions whose time is up: %s", error->message);
		return;
	}
	for (guint i = 0; i < due->len; i++) {
		if (!live_end_session(self, g_ptr_array_index(due, i), "hub", TRUE, &error)) {
			g_warning("live: cannot end a session: %s", error->message);
			return;
		}
	}
	unreleased = nhip_hub_db_live_session_unreleased(self->db, &error);
	if (unreleased == NULL) {
		g_warning("live: cannot list the ended sessions: %s", error->message);
		return;
	}
	for (guint i = 0; i < unreleased->len; i++) {
		if (!live_release(self, g_ptr_array_index(unreleased, i)))
			return;
	}
}

/* ----- requests ----- */

/* the session @caller names, or NULL with the reply made */
static NhipHubLiveSession *
live_session_for(NhipHubLive *self,
		 const NhipHubLiveCaller *caller,
		 const gchar *id,
		 NhipHubLiveReply *reply)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubLiveSession) session = NULL;

	if (!live_ready(self, reply))
		return NULL;
	if (id == NULL || !g_uuid_string_is_valid(id)) {
		reply_error(reply, 404, "not-found", _("There is no such live session."));
		return NULL;
	}
	session = nhip_hub_db_live_session_get(self->db, id, &error);
	if (session == NULL) {
		if (g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND))
			reply_error(reply, 404, "not-found", _("There is no such live session."));
		else
			reply_failure(reply, "read a live session", error);
		return NULL;
	}
	if (caller->station != NULL && g_strcmp0(caller->station, session->station) != 0) {
		g_message("refused live session %s to station %s: the case is another station's",
			  id, caller->station);
		reply_error(reply, 403, "forbidden",
			    _("This live session belongs to another station's case."));
		return NULL;
	}
	if (!live_check_time(self, session, &error)) {
		reply_failure(reply, "end a live session", error);
		return NULL;
	}
	return g_steal_pointer(&session);
}

/**
 * nhip_hub_live_open:
 * @self: the live sessions
 * @caller: who opens it
 * @packet: the case, known to be one @caller may open a session for
 * @reply: (out caller-allocates): 201 with @caller's descriptor of a new session, or 200
 *   with that of the session open already for the case
 *
 * Opens a live session for a case, or finds the one open.
 */
void
nhip_hub_live_open(NhipHubLive *self,
		   const NhipHubLiveCaller *caller,
		   const NhipHubPacket *packet,
		   NhipHubLiveReply *reply)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubLiveSession) session = NULL;
	g_autofree gchar *id = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *secret = NULL;
	g_autofree gchar *description = NULL;
	g_autoptr(NhipHubLiveParticipant) participant = NULL;
	const gchar *allowed[2] = { NULL, NULL };
	gint64 now = live_now();

	if (!live_ready(self, reply))
		return;
	session = nhip_hub_db_live_session_open_for(self->db, packet->id, &error);
	if (session != NULL && !live_check_time(self, session, &error)) {
		reply_failure(reply, "end a live session", error);
		return;
	}
	if (session != NULL && g_strcmp0(session->state, "ended") != 0) {
		reply_descriptor(self, session, caller, 200, reply);
		return;
	}
	if (session == NULL && !g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND)) {
		reply_failure(reply, "read the live sessions", error);
		return;
	}
	g_clear_pointer(&session, nhip_hub_live_session_free);
	g_clear_error(&error);

	id = g_uuid_string_random();
	secret = nhip_hub_random_token(24);
	token = nhip_hub_random_token(24);
	session = g_new0(NhipHubLiveSession, 1);
	session->id = g_strdup(id);
	session->packet = packet->id;
	session->packet_id = g_strdup(packet->packet_id);
	session->station = g_strdup(packet->station);
	session->room_secret = g_strdup(secret);
	session->started_by = g_strdup(caller->station != NULL ? "station" : "doctor");
	session->state = g_strdup("waiting");
	session->created = now;
	session->expires = now + self->config->max_minutes * 60;
	description = live_room_description(session);
	allowed[0] = token;
	g_mutex_lock(&self->janus_lock);
	if (nhip_hub_janus_add_token(self->janus, token, &error))
		session->room =
			nhip_hub_janus_room_create(self->janus, description, secret,
						   self->config->max_bitrate, allowed, &error);
	g_mutex_unlock(&self->janus_lock);
	if (session->room == 0) {
		reply_failure(reply, "make a room in Janus", error);
		return;
	}
	if (!nhip_hub_db_live_session_add(self->db, session, &error) ||
	    (participant = nhip_hub_db_live_participant_add(self->db, id, caller->who, token,
							    &error)) == NULL) {
		gboolean raced = g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_CONFLICT);

		g_mutex_lock(&self->janus_lock);
		nhip_hub_janus_room_destroy(self->janus, session->room, secret, NULL);
		nhip_hub_janus_remove_token(self->janus, token, NULL);
		g_mutex_unlock(&self->janus_lock);
		if (!raced) {
			reply_failure(reply, "store a live session", error);
			return;
		}
		/* another request opened one for the case a moment ago */
		g_clear_pointer(&session, nhip_hub_live_session_free);
		g_clear_error(&error);
		session = nhip_hub_db_live_session_open_for(self->db, packet->id, &error);
		if (session == NULL) {
			reply_failure(reply, "read the live sessions", error);
			return;
		}
		reply_descriptor(self, session, caller, 200, reply);
		return;
	}
	g_message("live session %s opened for case %" PRId64 " by %s (room %" PRId64 ")", id,
		  packet->id, caller->who, session->room);
	live_bump(self, "station", session->station);
	reply_descriptor(self, session, caller, 201, reply);
}

/**
 * nhip_hub_live_open_for_station:
 * @self: the live sessions
 * @caller: the station
 * @body: the request's body, `{"packet_id": "…"}`
 * @len: its length
 * @reply: (out caller-allocates): what to answer (see nhip_hub_live_open()); 404 when no
 *   such case arrived, 403 when another station sent it
 */
void
nhip_hub_live_open_for_station(NhipHubLive *self,
			       const NhipHubLiveCaller *caller,
			       const gchar *body,
			       gsize len,
			       NhipHubLiveReply *reply)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubPacket) packet = NULL;
	const gchar *packet_id = NULL;
	gboolean elsewhere = FALSE;

	if (!live_ready(self, reply))
		return;
	if (len <= NHIP_HUB_LIVE_BODY_MAX &&
	    json_parser_load_from_data(parser, body, (gssize)len, NULL) &&
	    json_parser_get_root(parser) != NULL &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		packet_id = nhip_json_member_string(
			json_node_get_object(json_parser_get_root(parser)), "packet_id");
	if (!nhip_tus_is_packet_id(packet_id)) {
		reply_error(reply, 400, "bad-request",
			    _("The body must be {\"packet_id\": \"…\"} with the case packet's "
			      "UUID."));
		return;
	}
	packet = nhip_hub_db_packet_get(self->db, caller->station, packet_id, &error);
	if (packet != NULL) {
		nhip_hub_live_open(self, caller, packet, reply);
		return;
	}
	if (!g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND)) {
		reply_failure(reply, "read a case", error);
		return;
	}
	g_clear_error(&error);
	if (!nhip_hub_db_live_packet_elsewhere(self->db, caller->station, packet_id, &elsewhere,
					       &error)) {
		reply_failure(reply, "read a case", error);
		return;
	}
	if (elsewhere) {
		g_message("refused a live session for packet %s to station %s: another station "
			  "sent it",
			  packet_id, caller->station);
		reply_error(reply, 403, "forbidden", _("This case was sent by another station."));
		return;
	}
	reply_error(reply, 404, "not-found",
		    _("No case with this packet id has arrived from this station."));
}

/**
 * nhip_hub_live_get:
 * @self: the live sessions
 * @caller: who asks
 * @session_id: the session
 * @reply: (out caller-allocates): 200 with @caller's descriptor (fresh TURN credentials)
 */
void
nhip_hub_live_get(NhipHubLive *self,
		  const NhipHubLiveCaller *caller,
		  const gchar *session_id,
		  NhipHubLiveReply *reply)
{
	g_autoptr(NhipHubLiveSession) session = live_session_for(self, caller, session_id, reply);

	if (session != NULL)
		reply_descriptor(self, session, caller, 200, reply);
}

/**
 * nhip_hub_live_end:
 * @self: the live sessions
 * @caller: who hangs up
 * @session_id: the session
 * @reply: (out caller-allocates): 204 once the session is ended (ended before, too)
 */
void
nhip_hub_live_end(NhipHubLive *self,
		  const NhipHubLiveCaller *caller,
		  const gchar *session_id,
		  NhipHubLiveReply *reply)
{
	g_autoptr(NhipHubLiveSession) session = live_session_for(self, caller, session_id, reply);
	g_autoptr(GError) error = NULL;

	if (session == NULL)
		return;
	if (g_strcmp0(session->state, "ended") != 0 &&
	    !live_end_session(self, session, caller->who, TRUE, &error)) {
		reply_failure(reply, "end a live session", error);
		return;
	}
	reply->status = 204;
	g_clear_pointer(&reply->body, g_free);
}

/* a participant says it joined or left: the session becomes active once the station and
 * a doctor are in */
static gboolean
live_note_presence(NhipHubLive *self,
		   NhipHubLiveSession *session,
		   const gchar *who,
		   gboolean joined,
		   GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GPtrArray) participants = NULL;
	g_autofree gchar *station_who = NULL;
	gboolean station_in = FALSE;
	gboolean doctor_in = FALSE;

	if (!nhip_hub_db_live_participant_set_joined(self->db, session->id, who,
						     joined ? live_now() : 0, &error_local)) {
		/* not a participant yet (it never asked for the descriptor): nothing to note */
		if (g_error_matches(error_local, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND))
			return TRUE;
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	live_bump(self, "station", session->station);
	if (!joined || g_strcmp0(session->state, "waiting") != 0)
		return TRUE;
	participants = nhip_hub_db_live_participant_list(self->db, session->id, error);
	if (participants == NULL)
		return FALSE;
	station_who = g_strconcat("station:", session->station, NULL);
	for (guint i = 0; i < participants->len; i++) {
		NhipHubLiveParticipant *participant = g_ptr_array_index(participants, i);
		if (participant->joined == 0)
			continue;
		if (g_strcmp0(participant->who, station_who) == 0)
			station_in = TRUE;
		else if (g_str_has_prefix(participant->who, "doctor:"))
			doctor_in = TRUE;
	}
	if (!station_in || !doctor_in)
		return TRUE;
	if (!nhip_hub_db_live_session_set_state(self->db, session->id, "active", 0, &error_local) &&
	    !g_error_matches(error_local, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	g_message("live session %s of case %" PRId64 " is active", session->id, session->packet);
	live_bump(self, "session", session->id);
	return TRUE;
}

/**
 * nhip_hub_live_post_event:
 * @self: the live sessions
 * @caller: who sends it
 * @session_id: the session
 * @body: the event (see nhip_hub_live_event_parse())
 * @len: its length
 * @reply: (out caller-allocates): 201 `{"seq": N}`; 400 with the reason for a bad event,
 *   409 when the session has ended
 */
void
nhip_hub_live_post_event(NhipHubLive *self,
			 const NhipHubLiveCaller *caller,
			 const gchar *session_id,
			 const gchar *body,
			 gsize len,
			 NhipHubLiveReply *reply)
{
	g_autoptr(NhipHubLiveSession) session = live_session_for(self, caller, session_id, reply);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *kind = NULL;
	g_autofree gchar *fields = NULL;
	gint64 seq;

	if (session == NULL)
		return;
	if (g_strcmp0(session->state, "ended") == 0) {
		reply_error(reply, 409, "session-ended", _("The live session has ended."));
		return;
	}
	if (!nhip_hub_live_event_parse(body, len, live_now(), &kind, &fields, &error)) {
		reply_error(reply, 400, "bad-request", error->message);
		return;
	}
	seq = live_add_event(self, session, caller->who, kind, fields, &error);
	if (seq == 0) {
		reply_failure(reply, "store an event", error);
		return;
	}
	if (g_strcmp0(kind, "state") == 0) {
		gboolean ok = TRUE;
		/* the fields as nhip_hub_live_event_parse() wrote them */
		if (g_strcmp0(fields, "{\"state\":\"ended\"}") == 0)
			ok = live_end_session(self, session, caller->who, FALSE, &error);
		else if (g_strcmp0(fields, "{\"state\":\"joined\"}") == 0)
			ok = live_note_presence(self, session, caller->who, TRUE, &error);
		else if (g_strcmp0(fields, "{\"state\":\"left\"}") == 0)
			ok = live_note_presence(self, session, caller->who, FALSE, &error);
		if (!ok) {
			reply_failure(reply, "change a live session's state", error);
			return;
		}
	}
	builder = json_builder_new();
	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "seq", seq);
	json_builder_end_object(builder);
	reply_builder(reply, 201, builder);
}

static void
live_add_event_json(JsonBuilder *builder, const NhipHubLiveEvent *event)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc(event->at);
	g_autofree gchar *at_text = g_date_time_format(at, "%Y-%m-%dT%H:%M:%SZ");

	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "seq", event->seq);
	nhip_json_add_string(builder, "from", event->sender);
	nhip_json_add_string(builder, "kind", event->kind);
	nhip_json_add_string(builder, "at", at_text);
	/* the fields the hub wrote itself (nhip_hub_live_event_parse()) */
	if (json_parser_load_from_data(parser, event->body, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		JsonObject *fields = json_node_get_object(json_parser_get_root(parser));
		JsonObjectIter iter;
		const gchar *name;
		JsonNode *value;

		json_object_iter_init(&iter, fields);
		while (json_object_iter_next(&iter, &name, &value)) {
			json_builder_set_member_name(builder, name);
			json_builder_add_value(builder, json_node_copy(value));
		}
	}
	json_builder_end_object(builder);
}

/**
 * nhip_hub_live_events:
 * @self: the live sessions
 * @caller: who asks
 * @session_id: the session
 * @after: (nullable): the query's "after": only events numbered after it
 * @wait: (nullable): the query's "wait": how long to hold the request for one (at most
 *   NHIP_HUB_LIVE_WAIT_MAX seconds; none by default)
 * @reply: (out caller-allocates): 200 `{"state": …, "events": […]}`, once there are events,
 *   the session has ended, or the wait is over
 */
void
nhip_hub_live_events(NhipHubLive *self,
		     const NhipHubLiveCaller *caller,
		     const gchar *session_id,
		     const gchar *after,
		     const gchar *wait,
		     NhipHubLiveReply *reply)
{
	g_autoptr(NhipHubLiveSession) session = live_session_for(self, caller, session_id, reply);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *key = NULL;
	gint64 after_seq = 0;
	gint64 deadline = 0;

	if (session == NULL)
		return;
	if (after != NULL && !nhip_tus_parse_size(after, "after", &after_seq, &error)) {
		reply_error(reply, 400, "bad-request", error->message);
		return;
	}
	if (!live_parse_wait(wait, &deadline, reply))
		return;
	key = g_strconcat("session:", session->id, NULL);
	for (;;) {
		guint64 seen = live_generation(self, key);

		events = nhip_hub_db_live_event_list(self->db, session->id, after_seq,
						     LIVE_EVENT_BATCH, &error);
		if (events == NULL) {
			reply_failure(reply, "read the events", error);
			return;
		}
		if (events->len > 0 || g_strcmp0(session->state, "ended") == 0 ||
		    g_get_monotonic_time() >= deadline)
			break;
		g_clear_pointer(&events, g_ptr_array_unref);
		if (!live_wait(self, key, seen, deadline)) {
			reply_error(reply, 503, "stopping", _("The hub is stopping; ask again."));
			return;
		}
		/* the state may have changed meanwhile (ended, active, time up) */
		nhip_hub_live_session_free(session);
		session = live_session_for(self, caller, session_id, reply);
		if (session == NULL)
			return;
	}
	builder = json_builder_new();
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "state", session->state);
	json_builder_set_member_name(builder, "events");
	json_builder_begin_array(builder);
	for (guint i = 0; i < events->len; i++)
		live_add_event_json(builder, g_ptr_array_index(events, i));
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	reply_builder(reply, 200, builder);
}

/**
 * nhip_hub_live_session_request:
 * @self: the live sessions
 * @caller: who asks
 * @method: the request's method
 * @session_id: the session in its path
 * @events: whether the path goes on with /events
 * @after: (nullable): the query's "after"
 * @wait: (nullable): the query's "wait"
 * @body: the request's body
 * @len: its length
 * @reply: (out caller-allocates): the answer
 *
 * The requests on one session both listeners take: GET and DELETE on the session, GET and
 * POST on its events.
 *
 * Returns: %FALSE when @method is not one of them (nothing is answered)
 */
gboolean
nhip_hub_live_session_request(NhipHubLive *self,
			      const NhipHubLiveCaller *caller,
			      const gchar *method,
			      const gchar *session_id,
			      gboolean events,
			      const gchar *after,
			      const gchar *wait,
			      const gchar *body,
			      gsize len,
			      NhipHubLiveReply *reply)
{
	gboolean get = g_strcmp0(method, "GET") == 0;

	if (events && get)
		nhip_hub_live_events(self, caller, session_id, after, wait, reply);
	else if (events && g_strcmp0(method, "POST") == 0)
		nhip_hub_live_post_event(self, caller, session_id, body, len, reply);
	else if (!events && get)
		nhip_hub_live_get(self, caller, session_id, reply);
	else if (!events && g_strcmp0(method, "DELETE") == 0)
		nhip_hub_live_end(self, caller, session_id, reply);
	else
		return FALSE;
	return TRUE;
}

/**
 * nhip_hub_live_invites:
 * @self: the live sessions
 * @caller: the station
 * @wait: (nullable): the query's "wait" (at most NHIP_HUB_LIVE_WAIT_MAX seconds)
 * @reply: (out caller-allocates): 200 `{"invites": [descriptor…]}`
 *
 * The open sessions a doctor started for the station's cases that the station has not
 * joined. The request is answered at once when one of them was never handed to the
 * station, else when they change or the wait is over: a station that keeps asking sees a
 * new invitation at once and the whole list at least every @wait seconds, without
 * spinning.
 */
void
nhip_hub_live_invites(NhipHubLive *self,
		      const NhipHubLiveCaller *caller,
		      const gchar *wait,
		      NhipHubLiveReply *reply)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) invites = NULL;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *key = NULL;
	gint64 deadline = 0;
	guint64 start;

	if (!live_ready(self, reply))
		return;
	if (caller->station == NULL) {
		reply_error(reply, 403, "forbidden", _("Only stations are invited."));
		return;
	}
	if (!live_parse_wait(wait, &deadline, reply))
		return;
	key = g_strconcat("station:", caller->station, NULL);
	start = live_generation(self, key);
	for (;;) {
		guint64 seen = live_generation(self, key);
		gboolean fresh = FALSE;

		invites = nhip_hub_db_live_session_invites(self->db, caller->station, &error);
		if (invites == NULL) {
			reply_failure(reply, "read the invitations", error);
			return;
		}
		for (guint i = 0; i < invites->len; i++) {
			NhipHubLiveSession *session = g_ptr_array_index(invites, i);
			if (session->invited == 0 && session->expires > live_now())
				fresh = TRUE;
		}
		if (fresh || seen != start || g_get_monotonic_time() >= deadline)
			break;
		g_clear_pointer(&invites, g_ptr_array_unref);
		if (!live_wait(self, key, seen, deadline)) {
			reply_error(reply, 503, "stopping", _("The hub is stopping; ask again."));
			return;
		}
	}
	builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "invites");
	json_builder_begin_array(builder);
	for (guint i = 0; i < invites->len; i++) {
		NhipHubLiveSession *session = g_ptr_array_index(invites, i);

		if (!live_check_time(self, session, &error)) {
			reply_failure(reply, "end a live session", error);
			return;
		}
		if (g_strcmp0(session->state, "ended") == 0)
			continue;
		if (!nhip_hub_db_live_session_set_invited(self->db, session->id, live_now(),
							  &error) ||
		    !live_descriptor(self, session, caller, builder, &error)) {
			reply_failure(reply, "hand out an invitation", error);
			return;
		}
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	reply_builder(reply, 200, builder);
}
