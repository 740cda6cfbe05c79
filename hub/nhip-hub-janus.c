/*
 * Nhịp hub — the Janus Admin API client (see nhip-hub-janus.h).
 *
 * Every request carries the admin secret and a random transaction id; the reply must echo
 * the transaction. Replies are read with at most NHIP_HUB_JANUS_MAX_REPLY bytes: Janus is
 * trusted, but not to the point of filling the hub's memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-hub-db.h"
#include "nhip-hub-janus.h"
#include "nhip-json-member.h"
#include "nhip-json.h"

#define NHIP_HUB_JANUS_MAX_REPLY       (256 * 1024)
#define NHIP_HUB_JANUS_CONNECT_TIMEOUT 3L
#define NHIP_HUB_JANUS_TIMEOUT	       10L
#define NHIP_HUB_JANUS_PLUGIN	       "janus.plugin.videoroom"

struct _NhipHubJanus {
	gchar *admin_url;
	gchar *admin_secret;
	gchar *room_admin_key;
};

/**
 * nhip_hub_janus_new:
 * @admin_url: the Admin API's URL (http://127.0.0.1:7088/admin)
 * @admin_secret: Janus's admin_secret
 * @room_admin_key: the VideoRoom plugin's admin_key (needed to create rooms)
 *
 * Returns: (transfer full): the client
 */
NhipHubJanus *
nhip_hub_janus_new(const gchar *admin_url, const gchar *admin_secret, const gchar *room_admin_key)
{
	NhipHubJanus *self = g_new0(NhipHubJanus, 1);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	self->admin_url = g_strdup(admin_url);
	self->admin_secret = g_strdup(admin_secret);
	self->room_admin_key = g_strdup(room_admin_key);
	return self;
}

/**
 * nhip_hub_janus_free:
 * @self: (nullable): the client
 */
void
nhip_hub_janus_free(NhipHubJanus *self)
{
	if (self == NULL)
		return;
	g_free(self->admin_url);
	g_free(self->admin_secret);
	g_free(self->room_admin_key);
	g_free(self);
}

/**
 * nhip_hub_janus_parse_reply:
 * @data: the reply's body
 * @len: its length
 * @transaction: (nullable): the transaction the reply must carry
 * @janus_code: (out) (optional): Janus's error code when it refused, else 0
 * @error: return location for a #GError
 *
 * Reads an Admin API reply: `{"janus":"success", "data"|"response": {…}}` or
 * `{"janus":"error", "error": {"code", "reason"}}`; a plugin's answer in "response" that
 * holds "error_code" is a refusal too.
 *
 * Returns: (transfer full) (nullable): the "response" (a plugin's answer) or "data" object,
 *   an empty object when the reply has neither
 */
JsonObject *
nhip_hub_janus_parse_reply(const gchar *data,
			   gsize len,
			   const gchar *transaction,
			   gint *janus_code,
			   GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	JsonObject *root;
	JsonNode *node;
	const gchar *janus;

	if (janus_code != NULL)
		*janus_code = 0;
	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, data, (gssize)len, NULL) ||
	    json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("Janus answered with something that is not a JSON object"));
		return NULL;
	}
	root = json_node_get_object(json_parser_get_root(parser));
	if (transaction != NULL &&
	    g_strcmp0(nhip_json_member_string(root, "transaction"), transaction) != 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("Janus answered another request (wrong transaction)"));
		return NULL;
	}
	janus = nhip_json_member_string(root, "janus");
	if (g_strcmp0(janus, "error") == 0) {
		JsonNode *error_node = json_object_get_member(root, "error");
		JsonObject *detail = error_node != NULL && JSON_NODE_HOLDS_OBJECT(error_node)
					     ? json_node_get_object(error_node)
					     : NULL;
		const gchar *reason =
			detail != NULL ? nhip_json_member_string(detail, "reason") : NULL;
		gint64 code = detail != NULL ? nhip_json_member_int(detail, "code", 0) : 0;

		if (janus_code != NULL)
			*janus_code = (gint)CLAMP(code, G_MININT, G_MAXINT);
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
			    _("Janus refused: %s (error %" PRId64 ")"),
			    reason != NULL ? reason : "?", code);
		return NULL;
	}
	if (g_strcmp0(janus, "success") != 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("Janus answered neither success nor error"));
		return NULL;
	}
	node = json_object_get_member(root, "response");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT(node)) {
		JsonObject *response = json_node_get_object(node);
		gint64 code = nhip_json_member_int(response, "error_code", 0);

		if (json_object_has_member(response, "error_code") ||
		    json_object_has_member(response, "error")) {
			const gchar *reason = nhip_json_member_string(response, "error");
			if (janus_code != NULL)
				*janus_code = (gint)CLAMP(code, G_MININT, G_MAXINT);
			g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("the VideoRoom plugin refused: %s (error %" PRId64 ")"),
				    reason != NULL ? reason : "?", code);
			return NULL;
		}
		return json_object_ref(response);
	}
	node = json_object_get_member(root, "data");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT(node))
		return json_object_ref(json_node_get_object(node));
	return json_object_new();
}

static size_t
janus_body_cb(char *data, size_t size, size_t n, void *user_data)
{
	GByteArray *body = user_data;

	if (body->len + size * n > NHIP_HUB_JANUS_MAX_REPLY)
		return 0;
	g_byte_array_append(body, (const guint8 *)data, (guint)(size * n));
	return size * n;
}

/* POSTs @request (its admin secret and transaction added here) and reads the reply */
static JsonObject *
janus_call(NhipHubJanus *self, JsonObject *request, gint *janus_code, GError **error)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(GByteArray) body = g_byte_array_new();
	g_autofree gchar *transaction = NULL;
	g_autofree gchar *text = NULL;
	struct curl_slist *headers = NULL;
	gchar detail[CURL_ERROR_SIZE] = { 0 };
	CURL *handle;
	CURLcode rc;
	glong status = 0;

	if (janus_code != NULL)
		*janus_code = 0;
	transaction = g_strdup_printf("nhip-%08x%08x", g_random_int(), g_random_int());
	json_object_set_string_member(request, "transaction", transaction);
	json_object_set_string_member(request, "admin_secret", self->admin_secret);
	json_node_set_object(node, request);
	json_generator_set_root(generator, node);
	text = json_generator_to_data(generator, NULL);

	handle = curl_easy_init();
	if (handle == NULL) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("cannot make an HTTP request to Janus"));
		return NULL;
	}
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(handle, CURLOPT_URL, self->admin_url);
	curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, NHIP_HUB_JANUS_CONNECT_TIMEOUT);
	curl_easy_setopt(handle, CURLOPT_TIMEOUT, NHIP_HUB_JANUS_TIMEOUT);
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(handle, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
	curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, janus_body_cb);
	curl_easy_setopt(handle, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
	rc = curl_easy_perform(handle);
	curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(handle);
	curl_slist_free_all(headers);
	/* the secret is not kept in the request object the caller still holds */
	json_object_remove_member(request, "admin_secret");
	if (rc != CURLE_OK) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
			    _("cannot reach Janus at %s: %s"), self->admin_url,
			    detail[0] != '\0' ? detail : curl_easy_strerror(rc));
		return NULL;
	}
	if (status != 200) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
			    _("Janus at %s answered HTTP %ld (is the hub allowed on its admin "
			      "port?)"),
			    self->admin_url, status);
		return NULL;
	}
	return nhip_hub_janus_parse_reply((const gchar *)body->data, body->len, transaction,
					  janus_code, error);
}

static JsonObject *
janus_request(const gchar *janus)
{
	JsonObject *request = json_object_new();
	json_object_set_string_member(request, "janus", janus);
	return request;
}

/* message_plugin to the VideoRoom plugin; @body is consumed */
static JsonObject *
janus_videoroom(NhipHubJanus *self, JsonObject *body, gint *janus_code, GError **error)
{
	g_autoptr(JsonObject) request = janus_request("message_plugin");

	json_object_set_string_member(request, "plugin", NHIP_HUB_JANUS_PLUGIN);
	json_object_set_object_member(request, "request", body);
	return janus_call(self, request, janus_code, error);
}

/**
 * nhip_hub_janus_add_token:
 * @self: the client
 * @token: a new token, good for the VideoRoom plugin only
 * @error: return location for a #GError
 *
 * Adding a token that is there already succeeds.
 *
 * Returns: %TRUE when Janus takes the token
 */
gboolean
nhip_hub_janus_add_token(NhipHubJanus *self, const gchar *token, GError **error)
{
	g_autoptr(JsonObject) request = janus_request("add_token");
	g_autoptr(JsonArray) plugins = json_array_new();
	g_autoptr(JsonObject) reply = NULL;

	json_array_add_string_element(plugins, NHIP_HUB_JANUS_PLUGIN);
	json_object_set_string_member(request, "token", token);
	json_object_set_array_member(request, "plugins", g_steal_pointer(&plugins));
	reply = janus_call(self, request, NULL, error);
	return reply != NULL;
}

/**
 * nhip_hub_janus_remove_token:
 * @self: the client
 * @token: the token
 * @error: return location for a #GError
 *
 * Janus refuses every later request with the token (the sessions it made stop being
 * served). A token Janus does not know (it restarted) counts as removed.
 *
 * Returns: %TRUE when the token is gone
 */
gboolean
nhip_hub_janus_remove_token(NhipHubJanus *self, const gchar *token, GError **error)
{
	g_autoptr(JsonObject) request = janus_request("remove_token");
	g_autoptr(JsonObject) reply = NULL;
	g_autoptr(GError) error_local = NULL;
	gint code = 0;

	json_object_set_string_member(request, "token", token);
	reply = janus_call(self, request, &code, &error_local);
	if (reply == NULL && code != NHIP_HUB_JANUS_TOKEN_REMOVE_FAILED) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_janus_room_create:
 * @self: the client
 * @description: the room's name (no patient data: it shows in Janus's logs)
 * @secret: the room's secret, needed to change or destroy it
 * @bitrate: the cap on each publisher's video, bits per second
 * @allowed: (array zero-terminated=1): the tokens that may join
 * @error: return location for a #GError
 *
 * Creates a private room for two publishers, VP8 and Opus, which only the @allowed tokens
 * may join, and whose feeds can only be subscribed to with the private id of a publisher
 * in the same room (require_pvtid).
 *
 * Returns: the new room's id, 0 on error
 */
gint64
nhip_hub_janus_room_create(NhipHubJanus *self,
			   const gchar *description,
			   const gchar *secret,
			   gint64 bitrate,
			   const gchar *const *allowed,
			   GError **error)
{
	JsonObject *body = json_object_new();
	g_autoptr(JsonArray) tokens = json_array_new();
	g_autoptr(JsonObject) reply = NULL;
	gint64 room;

	for (guint i = 0; allowed != NULL && allowed[i] != NULL; i++)
		json_array_add_string_element(tokens, allowed[i]);
	json_object_set_string_member(body, "request", "create");
	json_object_set_string_member(body, "admin_key", self->room_admin_key);
	json_object_set_string_member(body, "description", description);
	json_object_set_string_member(body, "secret", secret);
	json_object_set_boolean_member(body, "is_private", TRUE);
	json_object_set_boolean_member(body, "permanent", FALSE);
	json_object_set_array_member(body, "allowed", g_steal_pointer(&tokens));
	json_object_set_boolean_member(body, "require_pvtid", TRUE);
	json_object_set_int_member(body, "publishers", 2);
	json_object_set_int_member(body, "bitrate", bitrate);
	json_object_set_boolean_member(body, "bitrate_cap", TRUE);
	json_object_set_int_member(body, "fir_freq", 10);
	json_object_set_string_member(body, "audiocodec", "opus");
	json_object_set_string_member(body, "videocodec", "vp8");
	json_object_set_boolean_member(body, "opus_fec", TRUE);
	json_object_set_boolean_member(body, "record", FALSE);
	json_object_set_boolean_member(body, "lock_record", TRUE);
	reply = janus_videoroom(self, body, NULL, error);
	if (reply == NULL)
		return 0;
	room = nhip_json_member_int(reply, "room", 0);
	if (room <= 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
				    _("Janus created a room but did not say its number"));
		return 0;
	}
	return room;
}

/**
 * nhip_hub_janus_room_exists:
 * @self: the client
 * @room: the room
 * @exists: (out): whether Janus has it (not after a restart of Janus)
 * @error: return location for a #GError
 *
 * Returns: %TRUE when Janus answered
 */
gboolean
nhip_hub_janus_room_exists(NhipHubJanus *self, gint64 room, gboolean *exists, GError **error)
{
	JsonObject *body = json_object_new();
	g_autoptr(JsonObject) reply = NULL;
	JsonNode *node;

	json_object_set_string_member(body, "request", "exists");
	json_object_set_int_member(body, "room", room);
	reply = janus_videoroom(self, body, NULL, error);
	if (reply == NULL)
		return FALSE;
	node = json_object_get_member(reply, "exists");
	*exists = node != NULL && JSON_NODE_HOLDS_VALUE(node) &&
		  json_node_get_value_type(node) == G_TYPE_BOOLEAN && json_node_get_boolean(node);
	return TRUE;
}

/**
 * nhip_hub_janus_room_allow:
 * @self: the client
 * @room: the room
 * @secret: its secret
 * @token: a token that may join it from now on
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the room's allowed list holds @token
 */
gboolean
nhip_hub_janus_room_allow(NhipHubJanus *self,
			  gint64 room,
			  const gchar *secret,
			  const gchar *token,
			  GError **error)
{
	JsonObject *body = json_object_new();
	g_autoptr(JsonArray) tokens = json_array_new();
	g_autoptr(JsonObject) reply = NULL;

	json_array_add_string_element(tokens, token);
	json_object_set_string_member(body, "request", "allowed");
	json_object_set_int_member(body, "room", room);
	json_object_set_string_member(body, "secret", secret);
	json_object_set_string_member(body, "action", "add");
	json_object_set_array_member(body, "allowed", g_steal_pointer(&tokens));
	reply = janus_videoroom(self, body, NULL, error);
	return reply != NULL;
}

/**
 * nhip_hub_janus_room_destroy:
 * @self: the client
 * @room: the room
 * @secret: its secret
 * @error: return location for a #GError
 *
 * Janus tells the participants still in the room that it is gone. A room Janus does not
 * know (it restarted) counts as destroyed.
 *
 * Returns: %TRUE when the room is gone
 */
gboolean
nhip_hub_janus_room_destroy(NhipHubJanus *self, gint64 room, const gchar *secret, GError **error)
{
	JsonObject *body = json_object_new();
	g_autoptr(JsonObject) reply = NULL;
	g_autoptr(GError) error_local = NULL;
	gint code = 0;

	json_object_set_string_member(body, "request", "destroy");
	json_object_set_int_member(body, "room", room);
	json_object_set_string_member(body, "secret", secret);
	reply = janus_videoroom(self, body, &code, &error_local);
	if (reply == NULL && code != NHIP_HUB_JANUS_ROOM_NO_SUCH_ROOM) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}
