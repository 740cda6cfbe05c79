/*
 * Nhịp — the Janus HTTP API over libcurl, off the main loop.
 *
 * Janus answers `create`, `attach`, `trickle`, `keepalive` and `destroy` in the HTTP reply
 * ("success" or "error"). A plugin `message` is answered with "ack" and its real answer
 * arrives later on the long poll as an "event" with the same transaction (or at once as
 * "success" for a synchronous plugin request). Every request therefore registers its
 * transaction before it is sent, and completes when whichever answer settles it reaches
 * the main context. Events that answer nothing we asked (a participant joined or left,
 * webrtcup, media, slowlink, hangup, trickle) are emitted as the ::event signal.
 *
 * Threads: one sends the requests in order (so a trickle never overtakes the offer it
 * belongs to, and one connection is reused), one holds the long poll. They share only
 * the NhipJanusShared block below, never the GObject; results come back to the main
 * context through g_main_context_invoke_full() and find the client through a weak
 * reference, so a client can be dropped at any time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-janus-client.h"
#include "nhip-live-error.h"

/* Janus ends a session that has been silent for 60 s by default; every long poll also
 * counts, the keepalive covers a poll stuck on a slow link */
#define KEEPALIVE_SECONDS    25
#define POLL_TIMEOUT_SECONDS 65
#define POLL_MAX_EVENTS	     10
#define REPLY_MAX_BYTES	     (4 * 1024 * 1024)

/* Janus core and VideoRoom error codes we tell apart */
#define JANUS_ERROR_UNAUTHORIZED	   403
#define JANUS_ERROR_SESSION_NOT_FOUND	   458
#define JANUS_ERROR_HANDLE_NOT_FOUND	   459
#define JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM 426
#define JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED 428
#define JANUS_VIDEOROOM_ERROR_UNAUTHORIZED 433

typedef struct {
	gatomicrefcount ref;
	gchar *url;
	gchar *token;
	gint stop; /* atomic */
	GAsyncQueue *requests;
	GMainContext *context;
	GWeakRef client;
	gint64 session_id; /* main context only; the poller has its own copy */
	guint request_timeout;
} NhipJanusShared;

typedef struct {
	gchar *path;
	gchar *body;
	gchar *transaction;
	gboolean quit;
} NhipJanusRequest;

typedef enum {
	PENDING_REPLY, /* settled by the HTTP reply */
	PENDING_EVENT, /* settled by the event with the same transaction */
} NhipJanusPendingKind;

typedef struct {
	GTask *task;
	NhipJanusPendingKind kind;
	guint timeout_id;
} NhipJanusPending;

struct _NhipJanusClient {
	GObject parent_instance;
	NhipJanusShared *shared;
	GThread *worker;
	GThread *poller;
	GHashTable *pending; /* transaction → NhipJanusPending */
	guint keepalive_id;
	gboolean reachable;
};

G_DEFINE_TYPE(NhipJanusClient, nhip_janus_client, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, SIGNAL_REACHABLE, SIGNAL_LOST, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CURL, curl_easy_cleanup)

/* ----- the shared block ----- */

static void
request_free(NhipJanusRequest *request)
{
	g_free(request->path);
	g_free(request->body);
	g_free(request->transaction);
	g_free(request);
}

static NhipJanusShared *
shared_ref(NhipJanusShared *shared)
{
	g_atomic_ref_count_inc(&shared->ref);
	return shared;
}

static void
shared_unref(NhipJanusShared *shared)
{
	if (!g_atomic_ref_count_dec(&shared->ref))
		return;
	g_free(shared->url);
	g_free(shared->token);
	g_async_queue_unref(shared->requests);
	g_main_context_unref(shared->context);
	g_weak_ref_clear(&shared->client);
	g_free(shared);
}

static void
pending_free(NhipJanusPending *pending)
{
	if (pending->timeout_id != 0)
		g_source_remove(pending->timeout_id);
	g_clear_object(&pending->task);
	g_free(pending);
}

/* ----- parsing what Janus sends ----- */

/**
 * nhip_janus_member_int:
 * @object: (nullable): an object from Janus
 * @name: a member
 *
 * Returns: the member's integer, or 0 when it is missing or of another type
 */
gint64
nhip_janus_member_int(JsonObject *object, const gchar *name)
{
	JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64)
		return 0;
	return json_node_get_int(node);
}

/**
 * nhip_janus_member_string:
 * @object: (nullable): an object from Janus
 * @name: a member
 *
 * Returns: (transfer none) (nullable): the member's string, or %NULL
 */
const gchar *
nhip_janus_member_string(JsonObject *object, const gchar *name)
{
	JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

/**
 * nhip_janus_member_object:
 * @object: (nullable): an object from Janus
 * @name: a member
 *
 * Returns: (transfer none) (nullable): the member's object, or %NULL
 */
JsonObject *
nhip_janus_member_object(JsonObject *object, const gchar *name)
{
	JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	return json_node_get_object(node);
}

/**
 * nhip_janus_parse_events:
 * @data: what a long poll (or a request) returned
 * @length: its length
 * @error: return location for a #GError (%NHIP_LIVE_ERROR_INVALID)
 *
 * Janus returns one message object, or an array of them when asked for several events.
 *
 * Returns: (transfer full) (nullable): a JSON array of message objects, each with a
 *   string member "janus"
 */
JsonNode *
nhip_janus_parse_events(const gchar *data, gsize length, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	g_autoptr(JsonArray) out = json_array_new();
	JsonNode *root;
	JsonNode *result;

	if (length > REPLY_MAX_BYTES ||
	    !json_parser_load_from_data(parser, data, (gssize)length, &error_local)) {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("the media server sent something that is not JSON: %s"),
			    error_local != NULL ? error_local->message : _("too long"));
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root != NULL && JSON_NODE_HOLDS_OBJECT(root)) {
		json_array_add_element(out, json_node_copy(root));
	} else if (root != NULL && JSON_NODE_HOLDS_ARRAY(root)) {
		JsonArray *array = json_node_get_array(root);
		for (guint i = 0; i < json_array_get_length(array); i++)
			json_array_add_element(out,
					       json_node_copy(json_array_get_element(array, i)));
	} else {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("the media server sent JSON that is not a message"));
		return NULL;
	}
	for (guint i = 0; i < json_array_get_length(out); i++) {
		JsonNode *item = json_array_get_element(out, i);
		if (!JSON_NODE_HOLDS_OBJECT(item) ||
		    nhip_janus_member_string(json_node_get_object(item), "janus") == NULL) {
			g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("message %u from the media server has no “janus” member"),
				    i + 1);
			return NULL;
		}
	}
	result = json_node_new(JSON_NODE_ARRAY);
	json_node_take_array(result, g_steal_pointer(&out));
	return result;
}

static gboolean
janus_error(gint64 code, const gchar *reason, GError **error)
{
	NhipLiveError kind;

	if (reason == NULL)
		reason = _("no reason given");
	switch (code) {
	case JANUS_ERROR_UNAUTHORIZED:
	case JANUS_VIDEOROOM_ERROR_UNAUTHORIZED:
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_UNAUTHORIZED,
			    _("the media server refused this session's token (%s); the call "
			      "was not set up for this case or has expired — start it again "
			      "from the case"),
			    reason);
		return FALSE;
	case JANUS_ERROR_SESSION_NOT_FOUND:
	case JANUS_ERROR_HANDLE_NOT_FOUND:
	case JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM:
	case JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED:
		kind = NHIP_LIVE_ERROR_GONE;
		break;
	default:
		kind = NHIP_LIVE_ERROR_JANUS;
		break;
	}
	g_set_error(error, NHIP_LIVE_ERROR, kind,
		    _("the media server answered error %" PRId64 ": %s"), code, reason);
	return FALSE;
}

/**
 * nhip_janus_check_reply:
 * @message: a message from Janus
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set when @message is a Janus error or a plugin's error
 */
gboolean
nhip_janus_check_reply(JsonObject *message, GError **error)
{
	JsonObject *data =
		nhip_janus_member_object(nhip_janus_member_object(message, "plugindata"), "data");

	if (g_strcmp0(nhip_janus_member_string(message, "janus"), "error") == 0) {
		JsonObject *detail = nhip_janus_member_object(message, "error");
		return janus_error(nhip_janus_member_int(detail, "code"),
				   nhip_janus_member_string(detail, "reason"), error);
	}
	if (data != NULL && (nhip_janus_member_int(data, "error_code") != 0 ||
			     nhip_janus_member_string(data, "error") != NULL))
		return janus_error(nhip_janus_member_int(data, "error_code"),
				   nhip_janus_member_string(data, "error"), error);
	return TRUE;
}

/* ----- HTTP on the threads ----- */

static size_t
http_body_cb(char *buffer, size_t size, size_t nitems, void *data)
{
	GByteArray *body = data;
	gsize len = size * nitems;

	if (body->len + len > REPLY_MAX_BYTES)
		return 0;
	g_byte_array_append(body, (const guint8 *)buffer, (guint)len);
	return len;
}

static int
http_progress_cb(void *data,
		 curl_off_t dltotal,
		 curl_off_t dlnow,
		 curl_off_t ultotal,
		 curl_off_t ulnow)
{
	NhipJanusShared *shared = data;
	return g_atomic_int_get(&shared->stop) ? 1 : 0;
}

/* one HTTP exchange; returns the parsed messages */
static JsonNode *
http_exchange(NhipJanusShared *shared,
	      CURL *handle,
	      const gchar *url,
	      const gchar *body,
	      glong timeout,
	      GError **error)
{
	g_autoptr(GByteArray) reply = g_byte_array_new();
	gchar detail[CURL_ERROR_SIZE] = { 0 };
	struct curl_slist *headers = NULL;
	glong status = 0;
	CURLcode rc;

	curl_easy_reset(handle);
	curl_easy_setopt(handle, CURLOPT_URL, url);
	curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, http_body_cb);
	curl_easy_setopt(handle, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, http_progress_cb);
	curl_easy_setopt(handle, CURLOPT_XFERINFODATA, shared);
	curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(handle, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
	if (body != NULL) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		headers = curl_slist_append(headers, "Expect:");
		curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body);
	}
	rc = curl_easy_perform(handle);
	curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(headers);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_CANCELLED,
				    _("stopped"));
		return NULL;
	}
	if (rc != CURLE_OK) {
		g_set_error(error, NHIP_LIVE_ERROR,
			    rc == CURLE_OPERATION_TIMEDOUT ? NHIP_LIVE_ERROR_TIMEOUT
							   : NHIP_LIVE_ERROR_NETWORK,
			    _("cannot reach the media server at %s: %s"), shared->url,
			    detail[0] != '\0' ? detail : curl_easy_strerror(rc));
		return NULL;
	}
	if (status != 200) {
		/* Janus answers its errors with 200 and a JSON error; anything else is not
		 * Janus (a proxy, a wrong path) */
		g_autofree gchar *start =
			reply->len > 0 ? g_strndup((const gchar *)reply->data, MIN(reply->len, 200))
				       : g_strdup("");
		if (reply->len > 0 && reply->data[0] == '{')
			return nhip_janus_parse_events((const gchar *)reply->data, reply->len,
						       error);
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_JANUS,
			    _("the media server at %s answered HTTP %ld (%s)"), shared->url, status,
			    g_strstrip(start));
		return NULL;
	}
	return nhip_janus_parse_events((const gchar *)reply->data, reply->len, error);
}

typedef struct {
	NhipJanusShared *shared;
	gchar *transaction;
	JsonNode *messages;
	GError *error;
	gboolean from_poll;
} NhipJanusResult;

static void
result_free(NhipJanusResult *result)
{
	shared_unref(result->shared);
	g_free(result->transaction);
	if (result->messages != NULL)
		json_node_unref(result->messages);
	g_clear_error(&result->error);
	g_free(result);
}

static gboolean client_on_result(gpointer data);

static void
dispatch(NhipJanusShared *shared,
	 const gchar *transaction,
	 JsonNode *messages,
	 GError *error,
	 gboolean from_poll)
{
	NhipJanusResult *result = g_new0(NhipJanusResult, 1);

	result->shared = shared_ref(shared);
	result->transaction = g_strdup(transaction);
	result->messages = messages;
	result->error = error;
	result->from_poll = from_poll;
	g_main_context_invoke_full(shared->context, G_PRIORITY_DEFAULT, client_on_result, result,
				   (GDestroyNotify)result_free);
}

static gpointer
worker_thread(gpointer data)
{
	NhipJanusShared *shared = data;
	g_autoptr(CURL) handle = curl_easy_init();

	while (TRUE) {
		NhipJanusRequest *request = g_async_queue_pop(shared->requests);
		g_autofree gchar *url = NULL;
		GError *error = NULL;
		JsonNode *messages = NULL;

		if (request->quit) {
			request_free(request);
			break;
		}
		url = g_strconcat(shared->url, request->path, NULL);
		if (handle == NULL)
			g_set_error_literal(&error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_NETWORK,
					    _("cannot start an HTTP client"));
		else if (!g_atomic_int_get(&shared->stop))
			messages = http_exchange(shared, handle, url, request->body,
						 (glong)shared->request_timeout, &error);
		else
			g_set_error_literal(&error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_CANCELLED,
					    _("stopped"));
		dispatch(shared, request->transaction, messages, error, FALSE);
		request_free(request);
	}
	shared_unref(shared);
	return NULL;
}

typedef struct {
	NhipJanusShared *shared;
	gint64 session_id;
} NhipJanusPoller;

static gpointer
poller_thread(gpointer data)
{
	g_autofree NhipJanusPoller *poller = data;
	NhipJanusShared *shared = poller->shared;
	g_autoptr(CURL) handle = curl_easy_init();
	g_autofree gchar *token = g_uri_escape_string(shared->token, NULL, FALSE);
	guint failures = 0;

	while (handle != NULL && !g_atomic_int_get(&shared->stop)) {
		g_autofree gchar *url = g_strdup_printf(
			"%s/%" PRId64 "?maxev=%d&rid=%" PRId64 "&token=%s", shared->url,
			poller->session_id, POLL_MAX_EVENTS, g_get_real_time() / 1000, token);
		GError *error = NULL;
		JsonNode *messages =
			http_exchange(shared, handle, url, NULL, POLL_TIMEOUT_SECONDS, &error);

		if (g_atomic_int_get(&shared->stop)) {
			g_clear_error(&error);
			if (messages != NULL)
				json_node_unref(messages);
			break;
		}
		if (messages != NULL) {
			JsonArray *array = json_node_get_array(messages);
			GError *lost = NULL;
			for (guint i = 0; i < json_array_get_length(array); i++) {
				JsonObject *message = json_array_get_object_element(array, i);
				if (g_strcmp0(nhip_janus_member_string(message, "janus"),
					      "error") == 0)
					(void)nhip_janus_check_reply(message, &lost);
				if (lost != NULL)
					break;
			}
			failures = 0;
			dispatch(shared, NULL, messages, lost, TRUE);
			/* the session is gone: nothing more will come */
			if (lost != NULL)
				break;
			continue;
		}
		dispatch(shared, NULL, NULL, error, TRUE);
		/* the link is down: try again soon, then less often */
		failures++;
		for (guint i = 0; i < MIN(failures, 5u) * 10 && !g_atomic_int_get(&shared->stop);
		     i++)
			g_usleep(100 * G_TIME_SPAN_MILLISECOND);
	}
	shared_unref(shared);
	return NULL;
}

/* ----- the main-context side ----- */

static void
client_emit_reachable(NhipJanusClient *self, gboolean reachable, const GError *error)
{
	if (self->reachable == reachable)
		return;
	self->reachable = reachable;
	g_signal_emit(self, signals[SIGNAL_REACHABLE], 0, reachable, error);
}

static void
client_settle(NhipJanusClient *self, const gchar *transaction, JsonObject *message, GError *error)
{
	NhipJanusPending *pending = g_hash_table_lookup(self->pending, transaction);
	g_autoptr(GTask) task = NULL;

	if (pending == NULL)
		return;
	task = g_object_ref(pending->task);
	g_hash_table_remove(self->pending, transaction);
	if (error != NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, json_object_ref(message),
				      (GDestroyNotify)json_object_unref);
}

static void
client_on_reply(NhipJanusClient *self, NhipJanusResult *result)
{
	NhipJanusPending *pending = g_hash_table_lookup(self->pending, result->transaction);
	JsonObject *message;
	GError *error = NULL;

	if (result->error != NULL) {
		if (pending == NULL) {
			if (!g_error_matches(result->error, NHIP_LIVE_ERROR,
					     NHIP_LIVE_ERROR_CANCELLED))
				g_debug("request failed: %s", result->error->message);
			return;
		}
		client_settle(self, result->transaction, NULL, g_steal_pointer(&result->error));
		return;
	}
	message = json_array_get_object_element(json_node_get_array(result->messages), 0);
	if (!nhip_janus_check_reply(message, &error)) {
		if (pending == NULL) {
			g_info("the media server refused a request: %s", error->message);
			g_clear_error(&error);
			return;
		}
		client_settle(self, result->transaction, NULL, error);
		return;
	}
	if (pending == NULL)
		return;
	/* an "ack" only says the plugin got the message; its answer comes as an event */
	if (pending->kind == PENDING_EVENT &&
	    g_strcmp0(nhip_janus_member_string(message, "janus"), "ack") == 0)
		return;
	client_settle(self, result->transaction, message, NULL);
}

static void
client_on_poll(NhipJanusClient *self, NhipJanusResult *result)
{
	JsonArray *array;

	if (result->messages == NULL) {
		if (result->error != NULL &&
		    !g_error_matches(result->error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_CANCELLED))
			client_emit_reachable(self, FALSE, result->error);
		return;
	}
	client_emit_reachable(self, TRUE, NULL);
	array = json_node_get_array(result->messages);
	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonObject *message = json_array_get_object_element(array, i);
		const gchar *kind = nhip_janus_member_string(message, "janus");
		const gchar *transaction = nhip_janus_member_string(message, "transaction");
		gint64 sender = nhip_janus_member_int(message, "sender");

		if (g_strcmp0(kind, "keepalive") == 0 || g_strcmp0(kind, "error") == 0)
			continue;
		if (transaction != NULL && g_strcmp0(kind, "event") == 0 &&
		    g_hash_table_contains(self->pending, transaction)) {
			GError *error = NULL;
			if (nhip_janus_check_reply(message, &error))
				client_settle(self, transaction, message, NULL);
			else
				client_settle(self, transaction, NULL, error);
			continue;
		}
		g_signal_emit(self, signals[SIGNAL_EVENT], 0, sender, message);
	}
	if (result->error != NULL)
		g_signal_emit(self, signals[SIGNAL_LOST], 0, result->error);
}

static gboolean
client_on_result(gpointer data)
{
	NhipJanusResult *result = data;
	g_autoptr(NhipJanusClient) self = g_weak_ref_get(&result->shared->client);

	if (self == NULL)
		return G_SOURCE_REMOVE;
	if (result->from_poll)
		client_on_poll(self, result);
	else
		client_on_reply(self, result);
	return G_SOURCE_REMOVE;
}

static gboolean
pending_timeout_cb(gpointer data)
{
	GTask *task = data;
	NhipJanusClient *self = g_task_get_source_object(task);
	const gchar *transaction = g_task_get_task_data(task);
	NhipJanusPending *pending = g_hash_table_lookup(self->pending, transaction);

	if (pending != NULL)
		pending->timeout_id = 0;
	client_settle(self, transaction, NULL,
		      g_error_new(NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_TIMEOUT,
				  _("the media server did not answer within %u seconds"),
				  self->shared->request_timeout));
	return G_SOURCE_REMOVE;
}

static gchar *
client_new_transaction(void)
{
	return g_strdup_printf("%08x%08x", g_random_int(), g_random_int());
}

/* sends {"janus": …} plus the token and a transaction to @path; @task (nullable) is
 * settled by the answer */
static void
client_send(NhipJanusClient *self,
	    const gchar *path,
	    JsonObject *message,
	    GTask *task,
	    NhipJanusPendingKind kind)
{
	NhipJanusRequest *request = g_new0(NhipJanusRequest, 1);
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autoptr(JsonGenerator) generator = json_generator_new();

	request->transaction = client_new_transaction();
	request->path = g_strdup(path);
	json_object_set_string_member(message, "transaction", request->transaction);
	json_object_set_string_member(message, "token", self->shared->token);
	json_node_set_object(node, message);
	json_generator_set_root(generator, node);
	request->body = json_generator_to_data(generator, NULL);
	if (task != NULL) {
		NhipJanusPending *pending = g_new0(NhipJanusPending, 1);
		pending->task = g_object_ref(task);
		pending->kind = kind;
		g_task_set_task_data(task, g_strdup(request->transaction), g_free);
		/* the task's own reference is given to the table; the timeout borrows it */
		pending->timeout_id = g_timeout_add_seconds(self->shared->request_timeout + 5,
							    pending_timeout_cb, task);
		g_hash_table_insert(self->pending, g_strdup(request->transaction), pending);
	}
	g_async_queue_push(self->shared->requests, request);
}

static gchar *
client_session_path(NhipJanusClient *self, gint64 handle)
{
	if (handle == 0)
		return g_strdup_printf("/%" PRId64, self->shared->session_id);
	return g_strdup_printf("/%" PRId64 "/%" PRId64, self->shared->session_id, handle);
}

static gboolean
client_keepalive_cb(gpointer data)
{
	NhipJanusClient *self = data;
	g_autoptr(JsonObject) message = json_object_new();
	g_autofree gchar *path = client_session_path(self, 0);

	json_object_set_string_member(message, "janus", "keepalive");
	client_send(self, path, message, NULL, PENDING_REPLY);
	return G_SOURCE_CONTINUE;
}

static gboolean
client_require_session(NhipJanusClient *self, GTask *task)
{
	if (self->shared->session_id != 0)
		return TRUE;
	g_task_return_new_error(task, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_GONE,
				_("there is no session with the media server"));
	return FALSE;
}

/**
 * nhip_janus_client_new:
 * @url: the Janus HTTP API URL (`http://host:8088/janus`)
 * @token: the token sent with every request
 *
 * Returns: (transfer full): a client; nothing is sent before
 *   nhip_janus_client_create_async()
 */
NhipJanusClient *
nhip_janus_client_new(const gchar *url, const gchar *token)
{
	NhipJanusClient *self = g_object_new(NHIP_TYPE_JANUS_CLIENT, NULL);

	self->shared->url = g_strdup(url);
	self->shared->token = g_strdup(token);
	while (g_str_has_suffix(self->shared->url, "/"))
		self->shared->url[strlen(self->shared->url) - 1] = '\0';
	g_weak_ref_set(&self->shared->client, self);
	self->worker = g_thread_new("janus-requests", worker_thread, shared_ref(self->shared));
	return self;
}

/**
 * nhip_janus_client_get_session_id:
 * @self: a client
 *
 * Returns: the Janus session id, or 0 before create or after destroy
 */
gint64
nhip_janus_client_get_session_id(NhipJanusClient *self)
{
	g_return_val_if_fail(NHIP_IS_JANUS_CLIENT(self), 0);
	return self->shared->session_id;
}

/**
 * nhip_janus_client_set_request_timeout:
 * @self: a client
 * @seconds: how long a request may take, from 1 to 300 (default 30)
 */
void
nhip_janus_client_set_request_timeout(NhipJanusClient *self, guint seconds)
{
	g_return_if_fail(NHIP_IS_JANUS_CLIENT(self));
	self->shared->request_timeout = CLAMP(seconds, 1u, 300u);
}

/* the id Janus gives back for a create or an attach ("data": {"id"}), or 0 with @outer
 * settled */
static gint64
reply_new_id(GAsyncResult *result, GTask *outer, const gchar *missing)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) reply = g_task_propagate_pointer(G_TASK(result), &error);
	gint64 id;

	if (reply == NULL) {
		g_task_return_error(outer, g_steal_pointer(&error));
		return 0;
	}
	id = nhip_janus_member_int(nhip_janus_member_object(reply, "data"), "id");
	if (id == 0)
		g_task_return_new_error(outer, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID, "%s",
					missing);
	return id;
}

static void
create_done_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipJanusClient *self = NHIP_JANUS_CLIENT(source);
	g_autoptr(GTask) outer = data;
	NhipJanusPoller *poller;
	gint64 id = reply_new_id(result, outer,
				 _("the media server did not say which session it made"));

	if (id == 0)
		return;
	self->shared->session_id = id;
	poller = g_new0(NhipJanusPoller, 1);
	poller->shared = shared_ref(self->shared);
	poller->session_id = id;
	self->poller = g_thread_new("janus-poll", poller_thread, poller);
	self->keepalive_id = g_timeout_add_seconds(KEEPALIVE_SECONDS, client_keepalive_cb, self);
	self->reachable = TRUE;
	g_task_return_boolean(outer, TRUE);
}

/**
 * nhip_janus_client_create_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in this thread's main context
 * @user_data: for @callback
 *
 * Creates the Janus session (`{"janus":"create"}`), then starts the long poll and the
 * keepalives.
 */
void
nhip_janus_client_create_async(NhipJanusClient *self,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer user_data)
{
	GTask *outer = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GTask) inner = g_task_new(self, cancellable, create_done_cb, outer);
	g_autoptr(JsonObject) message = json_object_new();

	g_task_set_source_tag(outer, nhip_janus_client_create_async);
	if (self->shared->session_id != 0) {
		g_task_return_boolean(outer, TRUE);
		g_object_unref(outer);
		return;
	}
	json_object_set_string_member(message, "janus", "create");
	client_send(self, "", message, inner, PENDING_REPLY);
}

/**
 * nhip_janus_client_create_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError (%NHIP_LIVE_ERROR)
 *
 * Returns: %TRUE when the session exists
 */
gboolean
nhip_janus_client_create_finish(NhipJanusClient *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

static void
attach_done_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GTask) outer = data;
	gint64 id =
		reply_new_id(result, outer, _("the media server did not say which handle it made"));

	if (id != 0)
		g_task_return_int(outer, id);
}

/**
 * nhip_janus_client_attach_async:
 * @self: a client with a session
 * @plugin: the plugin package (`janus.plugin.videoroom`)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in this thread's main context
 * @user_data: for @callback
 */
void
nhip_janus_client_attach_async(NhipJanusClient *self,
			       const gchar *plugin,
			       GCancellable *cancellable,
			       GAsyncReadyCallback callback,
			       gpointer user_data)
{
	GTask *outer = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GTask) inner = NULL;
	g_autoptr(JsonObject) message = json_object_new();
	g_autofree gchar *path = NULL;

	if (!client_require_session(self, outer)) {
		g_object_unref(outer);
		return;
	}
	inner = g_task_new(self, cancellable, attach_done_cb, outer);
	path = client_session_path(self, 0);
	json_object_set_string_member(message, "janus", "attach");
	json_object_set_string_member(message, "plugin", plugin);
	client_send(self, path, message, inner, PENDING_REPLY);
}

/**
 * nhip_janus_client_attach_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError (%NHIP_LIVE_ERROR)
 *
 * Returns: the handle id, or 0 with @error set
 */
gint64
nhip_janus_client_attach_finish(NhipJanusClient *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), 0);
	return (gint64)g_task_propagate_int(G_TASK(result), error);
}

/**
 * nhip_janus_client_message_async:
 * @self: a client with a session
 * @handle: the plugin handle
 * @body: (transfer none): the plugin request (a JSON object)
 * @jsep: (transfer none) (nullable): an offer or an answer `{"type","sdp"}`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in this thread's main context
 * @user_data: for @callback
 *
 * Sends `{"janus":"message"}` and completes with the plugin's answer: the event that
 * carries the same transaction, or the immediate "success" of a synchronous request.
 * A plugin error (`error_code` in its data) completes with an error.
 */
void
nhip_janus_client_message_async(NhipJanusClient *self,
				gint64 handle,
				JsonNode *body,
				JsonNode *jsep,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(JsonObject) message = json_object_new();
	g_autofree gchar *path = NULL;

	g_task_set_source_tag(task, nhip_janus_client_message_async);
	if (!client_require_session(self, task))
		return;
	path = client_session_path(self, handle);
	json_object_set_string_member(message, "janus", "message");
	json_object_set_member(message, "body", json_node_copy(body));
	if (jsep != NULL)
		json_object_set_member(message, "jsep", json_node_copy(jsep));
	client_send(self, path, message, task, PENDING_EVENT);
}

/**
 * nhip_janus_client_message_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError (%NHIP_LIVE_ERROR)
 *
 * Returns: (transfer full) (nullable): the whole answering message (with "plugindata"
 *   and possibly "jsep")
 */
JsonObject *
nhip_janus_client_message_finish(NhipJanusClient *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * nhip_janus_client_trickle:
 * @self: a client with a session
 * @handle: the plugin handle
 * @mline: the candidate's m-line index
 * @candidate: (nullable): an ICE candidate line, or %NULL when gathering is complete
 *
 * Sends a candidate (or the end of candidates) to Janus; nothing waits for the answer.
 */
void
nhip_janus_client_trickle(NhipJanusClient *self, gint64 handle, guint mline, const gchar *candidate)
{
	g_autoptr(JsonObject) message = json_object_new();
	g_autoptr(JsonObject) cand = json_object_new();
	g_autofree gchar *path = NULL;

	g_return_if_fail(NHIP_IS_JANUS_CLIENT(self));
	if (self->shared->session_id == 0)
		return;
	path = client_session_path(self, handle);
	json_object_set_string_member(message, "janus", "trickle");
	if (candidate != NULL) {
		json_object_set_string_member(cand, "candidate", candidate);
		json_object_set_int_member(cand, "sdpMLineIndex", mline);
	} else {
		json_object_set_boolean_member(cand, "completed", TRUE);
	}
	json_object_set_object_member(message, "candidate", g_steal_pointer(&cand));
	client_send(self, path, message, NULL, PENDING_REPLY);
}

/**
 * nhip_janus_client_detach:
 * @self: a client
 * @handle: the plugin handle to let go of
 */
void
nhip_janus_client_detach(NhipJanusClient *self, gint64 handle)
{
	g_autoptr(JsonObject) message = json_object_new();
	g_autofree gchar *path = NULL;

	g_return_if_fail(NHIP_IS_JANUS_CLIENT(self));
	if (self->shared->session_id == 0 || handle == 0)
		return;
	path = client_session_path(self, handle);
	json_object_set_string_member(message, "janus", "detach");
	client_send(self, path, message, NULL, PENDING_REPLY);
}

static void
client_stop_session(NhipJanusClient *self)
{
	g_clear_handle_id(&self->keepalive_id, g_source_remove);
	self->shared->session_id = 0;
}

static void
destroy_done_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipJanusClient *self = NHIP_JANUS_CLIENT(source);
	g_autoptr(GTask) outer = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) reply = g_task_propagate_pointer(G_TASK(result), &error);

	/* the poller ends on the next turn; Janus ends the poll of a destroyed session */
	g_atomic_int_set(&self->shared->stop, TRUE);
	if (reply == NULL && !g_error_matches(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_GONE)) {
		g_task_return_error(outer, g_steal_pointer(&error));
		return;
	}
	g_task_return_boolean(outer, TRUE);
}

/**
 * nhip_janus_client_destroy_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in this thread's main context
 * @user_data: for @callback
 *
 * Destroys the Janus session (and with it every handle) and stops the long poll.
 */
void
nhip_janus_client_destroy_async(NhipJanusClient *self,
				GCancellable *cancellable,
				GAsyncReadyCallback callback,
				gpointer user_data)
{
	GTask *outer = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GTask) inner = NULL;
	g_autoptr(JsonObject) message = json_object_new();
	g_autofree gchar *path = NULL;

	if (self->shared->session_id == 0) {
		g_task_return_boolean(outer, TRUE);
		g_object_unref(outer);
		return;
	}
	inner = g_task_new(self, cancellable, destroy_done_cb, outer);
	path = client_session_path(self, 0);
	json_object_set_string_member(message, "janus", "destroy");
	client_send(self, path, message, inner, PENDING_REPLY);
	client_stop_session(self);
}

/**
 * nhip_janus_client_destroy_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError (%NHIP_LIVE_ERROR)
 *
 * Returns: %TRUE when Janus destroyed the session (or it was already gone)
 */
gboolean
nhip_janus_client_destroy_finish(NhipJanusClient *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

static void
nhip_janus_client_dispose(GObject *object)
{
	NhipJanusClient *self = NHIP_JANUS_CLIENT(object);

	client_stop_session(self);
	if (self->worker != NULL) {
		NhipJanusRequest *quit = g_new0(NhipJanusRequest, 1);
		quit->quit = TRUE;
		g_atomic_int_set(&self->shared->stop, TRUE);
		g_async_queue_push(self->shared->requests, quit);
		g_thread_join(g_steal_pointer(&self->worker));
	}
	if (self->poller != NULL)
		g_thread_join(g_steal_pointer(&self->poller));
	/* pending tasks hold a reference to the client: none can be left at dispose, but a
	 * dropped client must still not leak them */
	g_hash_table_remove_all(self->pending);
	G_OBJECT_CLASS(nhip_janus_client_parent_class)->dispose(object);
}

static void
nhip_janus_client_finalize(GObject *object)
{
	NhipJanusClient *self = NHIP_JANUS_CLIENT(object);

	g_hash_table_unref(self->pending);
	shared_unref(self->shared);
	G_OBJECT_CLASS(nhip_janus_client_parent_class)->finalize(object);
}

static void
nhip_janus_client_class_init(NhipJanusClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = nhip_janus_client_dispose;
	object_class->finalize = nhip_janus_client_finalize;

	/**
	 * NhipJanusClient::event:
	 * @self: the client
	 * @sender: the handle the event is about, or 0 for the session
	 * @message: (transfer none): the whole message ("janus": "event", "webrtcup",
	 *   "media", "slowlink", "hangup", "detached", "trickle" …)
	 *
	 * A message from Janus that does not answer one of our requests.
	 */
	signals[SIGNAL_EVENT] =
		g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			     NULL, G_TYPE_NONE, 2, G_TYPE_INT64, JSON_TYPE_OBJECT);
	/**
	 * NhipJanusClient::reachable:
	 * @self: the client
	 * @reachable: whether the long poll works
	 * @error: (nullable): why not
	 *
	 * The link to Janus went down or came back (the long poll keeps retrying).
	 */
	signals[SIGNAL_REACHABLE] =
		g_signal_new("reachable", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_ERROR);
	/**
	 * NhipJanusClient::lost:
	 * @self: the client
	 * @error: why
	 *
	 * Janus no longer knows the session (it timed out or was destroyed); the client
	 * stops polling.
	 */
	signals[SIGNAL_LOST] = g_signal_new("lost", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
					    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
nhip_janus_client_init(NhipJanusClient *self)
{
	static gsize curl_ready = 0;

	if (g_once_init_enter(&curl_ready)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&curl_ready, 1);
	}
	self->shared = g_new0(NhipJanusShared, 1);
	g_atomic_ref_count_init(&self->shared->ref);
	self->shared->requests = g_async_queue_new_full((GDestroyNotify)request_free);
	self->shared->context = g_main_context_ref_thread_default();
	self->shared->request_timeout = 30;
	g_weak_ref_init(&self->shared->client, NULL);
	self->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)pending_free);
}
