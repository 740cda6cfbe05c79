/*
 * Nhịp — parsing a live session descriptor from the hub. It comes over the network, so
 * every member is checked for its type and range, and an error names the member.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-live-descriptor.h"
#include "nhip-live-error.h"

/* a token longer than this is not one the hub minted */
#define TOKEN_MAX 512

G_DEFINE_BOXED_TYPE(NhipLiveDescriptor,
		    nhip_live_descriptor,
		    nhip_live_descriptor_copy,
		    nhip_live_descriptor_free)

static void
ice_server_free(NhipLiveIceServer *server)
{
	if (server == NULL)
		return;
	g_strfreev(server->urls);
	g_free(server->username);
	g_free(server->credential);
	g_free(server);
}

void
nhip_live_descriptor_free(NhipLiveDescriptor *self)
{
	if (self == NULL)
		return;
	g_free(self->session_id);
	g_free(self->packet_id);
	g_free(self->janus_url);
	g_free(self->token);
	g_free(self->display);
	g_ptr_array_unref(self->ice_servers);
	g_free(self->state);
	g_free(self->started_by);
	g_free(self);
}

static NhipLiveDescriptor *
descriptor_new(void)
{
	NhipLiveDescriptor *self = g_new0(NhipLiveDescriptor, 1);
	self->ice_servers = g_ptr_array_new_with_free_func((GDestroyNotify)ice_server_free);
	return self;
}

/**
 * nhip_live_descriptor_copy:
 * @self: a descriptor
 *
 * Returns: (transfer full): a deep copy
 */
NhipLiveDescriptor *
nhip_live_descriptor_copy(const NhipLiveDescriptor *self)
{
	NhipLiveDescriptor *copy = descriptor_new();

	copy->session_id = g_strdup(self->session_id);
	copy->packet_id = g_strdup(self->packet_id);
	copy->janus_url = g_strdup(self->janus_url);
	copy->room = self->room;
	copy->token = g_strdup(self->token);
	copy->display = g_strdup(self->display);
	for (guint i = 0; i < self->ice_servers->len; i++) {
		const NhipLiveIceServer *server = g_ptr_array_index(self->ice_servers, i);
		NhipLiveIceServer *dup = g_new0(NhipLiveIceServer, 1);
		dup->urls = g_strdupv(server->urls);
		dup->username = g_strdup(server->username);
		dup->credential = g_strdup(server->credential);
		g_ptr_array_add(copy->ice_servers, dup);
	}
	copy->max_bitrate = self->max_bitrate;
	copy->expires = self->expires;
	copy->state = g_strdup(self->state);
	copy->started_by = g_strdup(self->started_by);
	return copy;
}

static gboolean
member_is(JsonObject *object, const gchar *name, GType type)
{
	JsonNode *node = json_object_get_member(object, name);
	return node != NULL && JSON_NODE_HOLDS_VALUE(node) &&
	       json_node_get_value_type(node) == type;
}

static gchar *
member_text(JsonObject *object, const gchar *name, gsize max, gboolean required, GError **error)
{
	const gchar *text;

	if (!member_is(object, name, G_TYPE_STRING)) {
		if (!required && (!json_object_has_member(object, name) ||
				  json_object_get_null_member(object, name)))
			return NULL;
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("the live session descriptor has no text “%s”"), name);
		return NULL;
	}
	text = json_object_get_string_member(object, name);
	if (text[0] == '\0' || strlen(text) > max || !g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("the live session descriptor's “%s” is empty, too long or not "
			      "UTF-8"),
			    name);
		return NULL;
	}
	return g_strdup(text);
}

static gboolean
member_one_of(const gchar *value, const gchar *const *allowed, const gchar *name, GError **error)
{
	if (value == NULL || g_strv_contains(allowed, value))
		return TRUE;
	g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
		    _("the live session descriptor's “%s” is “%s”, which is not known"), name,
		    value);
	return FALSE;
}

static gboolean
ice_url_valid(const gchar *url)
{
	const gchar *rest;

	if (g_str_has_prefix(url, "stun:"))
		rest = url + 5;
	else if (g_str_has_prefix(url, "turn:"))
		rest = url + 5;
	else if (g_str_has_prefix(url, "turns:"))
		rest = url + 6;
	else
		return FALSE;
	/* a host, no user part, nothing that would break the URI we build from it */
	return rest[0] != '\0' && rest[0] != '/' && strpbrk(rest, "@ /\\\r\n") == NULL &&
	       strlen(url) < 256;
}

static gboolean
parse_ice_servers(NhipLiveDescriptor *self, JsonObject *object, GError **error)
{
	JsonNode *node = json_object_get_member(object, "ice_servers");
	JsonArray *array;

	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return TRUE;
	if (!JSON_NODE_HOLDS_ARRAY(node)) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("the live session descriptor's “ice_servers” is not a list"));
		return FALSE;
	}
	array = json_node_get_array(node);
	if (json_array_get_length(array) > 16) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("the live session descriptor lists too many ICE servers"));
		return FALSE;
	}
	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonNode *item = json_array_get_element(array, i);
		JsonObject *entry;
		JsonNode *urls_node;
		g_autoptr(GStrvBuilder) urls = g_strv_builder_new();
		NhipLiveIceServer *server;
		g_autoptr(GError) error_local = NULL;

		if (!JSON_NODE_HOLDS_OBJECT(item)) {
			g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("ICE server %u of the live session descriptor is not an "
				      "object"),
				    i + 1);
			return FALSE;
		}
		entry = json_node_get_object(item);
		urls_node = json_object_get_member(entry, "urls");
		/* the WebRTC dictionary allows one URL as a string */
		if (member_is(entry, "urls", G_TYPE_STRING)) {
			g_strv_builder_add(urls, json_object_get_string_member(entry, "urls"));
		} else if (urls_node != NULL && JSON_NODE_HOLDS_ARRAY(urls_node) &&
			   json_array_get_length(json_node_get_array(urls_node)) <= 8) {
			JsonArray *list = json_node_get_array(urls_node);
			for (guint u = 0; u < json_array_get_length(list); u++) {
				JsonNode *url = json_array_get_element(list, u);
				if (!JSON_NODE_HOLDS_VALUE(url) ||
				    json_node_get_value_type(url) != G_TYPE_STRING) {
					urls_node = NULL;
					break;
				}
				g_strv_builder_add(urls, json_node_get_string(url));
			}
		} else {
			urls_node = NULL;
		}
		server = g_new0(NhipLiveIceServer, 1);
		server->urls = g_strv_builder_end(urls);
		g_ptr_array_add(self->ice_servers, server);
		if (urls_node == NULL && !member_is(entry, "urls", G_TYPE_STRING)) {
			g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("ICE server %u of the live session descriptor has no "
				      "list of URLs"),
				    i + 1);
			return FALSE;
		}
		for (guint u = 0; server->urls[u] != NULL; u++) {
			if (!ice_url_valid(server->urls[u])) {
				g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
					    _("“%s” is not a STUN or TURN server URL"),
					    server->urls[u]);
				return FALSE;
			}
		}
		server->username = member_text(entry, "username", 256, FALSE, &error_local);
		if (error_local == NULL)
			server->credential =
				member_text(entry, "credential", 256, FALSE, &error_local);
		if (error_local != NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * nhip_live_descriptor_from_object:
 * @object: the descriptor as parsed JSON (from the hub's answer or its invites list)
 * @error: return location for a #GError (%NHIP_LIVE_ERROR_INVALID)
 *
 * Returns: (transfer full) (nullable): the descriptor
 */
NhipLiveDescriptor *
nhip_live_descriptor_from_object(JsonObject *object, GError **error)
{
	static const gchar *const states[] = { "waiting", "active", "ended", NULL };
	static const gchar *const starters[] = { "station", "doctor", NULL };
	g_autoptr(NhipLiveDescriptor) self = descriptor_new();
	g_autoptr(GError) error_local = NULL;
	gint64 bitrate;

	self->session_id = member_text(object, "session_id", 100, TRUE, &error_local);
	if (error_local == NULL)
		self->packet_id = member_text(object, "packet_id", 100, FALSE, &error_local);
	if (error_local == NULL)
		self->janus_url = member_text(object, "janus_url", 1000, TRUE, &error_local);
	if (error_local == NULL)
		self->token = member_text(object, "token", TOKEN_MAX, TRUE, &error_local);
	if (error_local == NULL)
		self->display = member_text(object, "display", 200, TRUE, &error_local);
	if (error_local == NULL)
		self->state = member_text(object, "state", 20, FALSE, &error_local);
	if (error_local == NULL)
		self->started_by = member_text(object, "started_by", 20, FALSE, &error_local);
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return NULL;
	}
	if (!g_str_has_prefix(self->janus_url, "http://") &&
	    !g_str_has_prefix(self->janus_url, "https://")) {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("the media server URL “%s” is not an http:// or https:// URL"),
			    self->janus_url);
		return NULL;
	}
	if (strpbrk(self->janus_url, " ?#\r\n") != NULL) {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("the media server URL “%s” has a query, a fragment or spaces"),
			    self->janus_url);
		return NULL;
	}
	while (g_str_has_suffix(self->janus_url, "/"))
		self->janus_url[strlen(self->janus_url) - 1] = '\0';
	for (const gchar *p = self->token; *p != '\0'; p++) {
		if (!g_ascii_isgraph(*p)) {
			g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
					    _("the live session token has spaces or control "
					      "characters"));
			return NULL;
		}
	}
	if (!member_is(object, "room", G_TYPE_INT64) ||
	    (self->room = json_object_get_int_member(object, "room")) <= 0) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("the live session descriptor has no room number"));
		return NULL;
	}
	bitrate = member_is(object, "max_bitrate", G_TYPE_INT64)
			  ? json_object_get_int_member(object, "max_bitrate")
			  : 300000;
	if (bitrate < 32000 || bitrate > 10000000) {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("the live session's bitrate cap %" PRId64 " bit/s is out of range"),
			    bitrate);
		return NULL;
	}
	self->max_bitrate = (gint)bitrate;
	self->expires = member_is(object, "expires", G_TYPE_INT64)
				? json_object_get_int_member(object, "expires")
				: 0;
	if (!member_one_of(self->state, states, "state", error) ||
	    !member_one_of(self->started_by, starters, "started_by", error) ||
	    !parse_ice_servers(self, object, error))
		return NULL;
	return g_steal_pointer(&self);
}

/**
 * nhip_live_descriptor_parse:
 * @json: the descriptor's JSON text
 * @length: its length, or -1 when NUL-terminated
 * @error: return location for a #GError (%NHIP_LIVE_ERROR_INVALID)
 *
 * Returns: (transfer full) (nullable): the descriptor
 */
NhipLiveDescriptor *
nhip_live_descriptor_parse(const gchar *json, gssize length, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;

	if (!json_parser_load_from_data(parser, json, length, &error_local)) {
		g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
			    _("the live session descriptor is not JSON: %s"), error_local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error_literal(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("the live session descriptor is not a JSON object"));
		return NULL;
	}
	return nhip_live_descriptor_from_object(json_node_get_object(root), error);
}

/**
 * nhip_live_descriptor_stun_uri:
 * @self: a descriptor
 *
 * Returns: (transfer full) (nullable): the first STUN server as webrtcbin's `stun-server`
 *   (`stun://host:port`)
 */
gchar *
nhip_live_descriptor_stun_uri(const NhipLiveDescriptor *self)
{
	for (guint i = 0; i < self->ice_servers->len; i++) {
		const NhipLiveIceServer *server = g_ptr_array_index(self->ice_servers, i);
		for (guint u = 0; server->urls[u] != NULL; u++) {
			if (g_str_has_prefix(server->urls[u], "stun:"))
				return g_strconcat("stun://", server->urls[u] + 5, NULL);
		}
	}
	return NULL;
}

/**
 * nhip_live_descriptor_turn_uris:
 * @self: a descriptor
 *
 * The TURN servers as webrtcbin's `add-turn-server` takes them:
 * `turn://user:password@host:port?transport=udp` with the credentials percent-encoded
 * (a TURN REST username holds a colon).
 *
 * Returns: (transfer full) (array zero-terminated=1): the URIs, possibly none
 */
gchar **
nhip_live_descriptor_turn_uris(const NhipLiveDescriptor *self)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

	for (guint i = 0; i < self->ice_servers->len; i++) {
		const NhipLiveIceServer *server = g_ptr_array_index(self->ice_servers, i);
		g_autofree gchar *user = NULL;
		g_autofree gchar *password = NULL;

		if (server->username == NULL || server->credential == NULL)
			continue;
		user = g_uri_escape_string(server->username, NULL, FALSE);
		password = g_uri_escape_string(server->credential, NULL, FALSE);
		for (guint u = 0; server->urls[u] != NULL; u++) {
			const gchar *url = server->urls[u];
			g_autofree gchar *uri = NULL;
			if (g_str_has_prefix(url, "turn:"))
				uri = g_strdup_printf("turn://%s:%s@%s", user, password, url + 5);
			else if (g_str_has_prefix(url, "turns:"))
				uri = g_strdup_printf("turns://%s:%s@%s", user, password, url + 6);
			if (uri != NULL)
				g_strv_builder_add(builder, uri);
		}
	}
	return g_strv_builder_end(builder);
}
