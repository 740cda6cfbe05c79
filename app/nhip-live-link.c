/*
 * Nhịp — the hub's live-session API seen from the station (live-contract.md):
 *   POST   /v1/live/sessions {"packet_id"}               → 201/200 descriptor
 *   GET    /v1/live/sessions/{id}                        → descriptor
 *   DELETE /v1/live/sessions/{id}                        → 204
 *   GET    /v1/live/invites?wait=S                       → {"invites":[descriptor…]}
 *   POST   /v1/live/sessions/{id}/events {kind…}         → 201 {"seq"}
 *   GET    /v1/live/sessions/{id}/events?after=N&wait=S  → {"state","events":[…]}
 * Descriptors are handed on as JSON text for libnhip-live to parse; events are read here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "nhip-json-member.h"
#include "nhip-live-link.h"
#include "nhip-transport-error.h"

static const gchar *const event_kinds[] = { "chat", "vital", "state", NULL };
static const gchar *const event_states[] = {
	"joined", "left", "audio-only", "video", "ended", NULL
};

void
nhip_live_event_free(NhipLiveEvent *event)
{
	if (event == NULL)
		return;
	g_free(event->sender);
	g_free(event->kind);
	g_free(event->text);
	g_free(event->state);
	g_free(event->code);
	g_free(event->unit);
	g_free(event->device);
	g_free(event);
}

static NhipLiveEvent *
event_new(const gchar *kind)
{
	NhipLiveEvent *event = g_new0(NhipLiveEvent, 1);
	event->kind = g_strdup(kind);
	event->at = g_get_real_time() / G_USEC_PER_SEC;
	return event;
}

/**
 * nhip_live_event_new_chat:
 * @text: the message
 *
 * Returns: (transfer full): a chat event
 */
NhipLiveEvent *
nhip_live_event_new_chat(const gchar *text)
{
	NhipLiveEvent *event = event_new("chat");
	event->text = g_strdup(text);
	return event;
}

/**
 * nhip_live_event_new_vital:
 * @code: the vital's code (`bp-systolic`, `pulse`, `spo2`, `temperature` …)
 * @value: its value
 * @unit: (nullable): its unit
 * @device: (nullable): the device that measured it
 * @taken_at: when (Unix time), 0 for now
 *
 * Returns: (transfer full): a live-vital event
 */
NhipLiveEvent *
nhip_live_event_new_vital(const gchar *code,
			  gdouble value,
			  const gchar *unit,
			  const gchar *device,
			  gint64 taken_at)
{
	NhipLiveEvent *event = event_new("vital");
	event->code = g_strdup(code);
	event->value = value;
	event->unit = g_strdup(unit);
	event->device = g_strdup(device);
	event->taken_at = taken_at > 0 ? taken_at : event->at;
	return event;
}

/**
 * nhip_live_event_new_state:
 * @state: `joined`, `left`, `audio-only`, `video` or `ended`
 *
 * Returns: (transfer full): a state event
 */
NhipLiveEvent *
nhip_live_event_new_state(const gchar *state)
{
	NhipLiveEvent *event = event_new("state");
	event->state = g_strdup(state);
	return event;
}

/* the contract's vital codes */
static const gchar *const vital_codes[NHIP_VITAL_LAST] = {
	[NHIP_VITAL_BLOOD_PRESSURE] = "bp-systolic",
	[NHIP_VITAL_PULSE] = "pulse",
	[NHIP_VITAL_SPO2] = "spo2",
	[NHIP_VITAL_TEMPERATURE] = "temperature",
	[NHIP_VITAL_WEIGHT] = "weight",
	[NHIP_VITAL_HEIGHT] = "height",
	[NHIP_VITAL_GLUCOSE] = "glucose",
	[NHIP_VITAL_RESP_RATE] = "resp-rate",
};

/**
 * nhip_live_events_from_reading:
 * @kind: what a device measured
 * @value: the value (systolic for blood pressure)
 * @value2: the diastolic value for blood pressure
 * @device: (nullable): the device's model
 * @taken_at: when (Unix time), 0 for now
 *
 * Returns: (transfer full) (element-type NhipLiveEvent): the live vitals to send for one
 *   reading (two for blood pressure), none for a kind the hub has no code for
 */
GPtrArray *
nhip_live_events_from_reading(NhipVitalKind kind,
			      gdouble value,
			      gdouble value2,
			      const gchar *device,
			      gint64 taken_at)
{
	GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_live_event_free);
	const NhipVitalInfo *info = nhip_vital_info(kind);

	if (kind <= NHIP_VITAL_UNKNOWN || kind >= NHIP_VITAL_LAST || info == NULL ||
	    vital_codes[kind] == NULL || !isfinite(value))
		return events;
	g_ptr_array_add(events, nhip_live_event_new_vital(vital_codes[kind], value, info->unit,
							  device, taken_at));
	if (kind == NHIP_VITAL_BLOOD_PRESSURE && isfinite(value2))
		g_ptr_array_add(events, nhip_live_event_new_vital("bp-diastolic", value2,
								  info->unit, device, taken_at));
	return events;
}

/**
 * nhip_live_event_check:
 * @event: an event to send or store
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR_INVALID)
 *
 * Returns: %TRUE when the hub would take it
 */
gboolean
nhip_live_event_check(const NhipLiveEvent *event, GError **error)
{
	if (!g_strv_contains(event_kinds, event->kind != NULL ? event->kind : "")) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("“%s” is not a kind of live-session event"),
			    event->kind != NULL ? event->kind : "");
		return FALSE;
	}
	if (g_strcmp0(event->kind, "chat") == 0) {
		glong length = event->text != NULL && g_utf8_validate(event->text, -1, NULL)
				       ? g_utf8_strlen(event->text, -1)
				       : -1;
		g_autofree gchar *trimmed =
			g_strstrip(g_strdup(event->text != NULL ? event->text : ""));
		if (length < 0 || trimmed[0] == '\0') {
			g_set_error_literal(error, NHIP_TRANSPORT_ERROR,
					    NHIP_TRANSPORT_ERROR_INVALID,
					    _("a chat message needs some text"));
			return FALSE;
		}
		if (length > NHIP_LIVE_CHAT_MAX) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("a chat message can have at most %d characters, this one has "
				      "%ld"),
				    NHIP_LIVE_CHAT_MAX, length);
			return FALSE;
		}
	} else if (g_strcmp0(event->kind, "vital") == 0) {
		if (event->code == NULL || event->code[0] == '\0' || strlen(event->code) > 40 ||
		    !isfinite(event->value)) {
			g_set_error_literal(error, NHIP_TRANSPORT_ERROR,
					    NHIP_TRANSPORT_ERROR_INVALID,
					    _("a live vital needs a code and a number"));
			return FALSE;
		}
	} else if (!g_strv_contains(event_states, event->state != NULL ? event->state : "")) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("“%s” is not a live-session state"),
			    event->state != NULL ? event->state : "");
		return FALSE;
	}
	return TRUE;
}

static void
add_time(JsonBuilder *builder, const gchar *name, gint64 unix_time)
{
	g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc(unix_time);
	g_autofree gchar *text = when != NULL ? g_date_time_format_iso8601(when) : NULL;

	if (text == NULL)
		return;
	json_builder_set_member_name(builder, name);
	json_builder_add_string_value(builder, text);
}

/**
 * nhip_live_event_to_json:
 * @event: a checked event
 *
 * Returns: (transfer full): the body of `POST …/events`
 */
gchar *
nhip_live_event_to_json(const NhipLiveEvent *event)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "kind");
	json_builder_add_string_value(builder, event->kind);
	if (g_strcmp0(event->kind, "chat") == 0) {
		json_builder_set_member_name(builder, "text");
		json_builder_add_string_value(builder, event->text);
	} else if (g_strcmp0(event->kind, "vital") == 0) {
		json_builder_set_member_name(builder, "code");
		json_builder_add_string_value(builder, event->code);
		json_builder_set_member_name(builder, "value");
		json_builder_add_double_value(builder, event->value);
		if (event->unit != NULL) {
			json_builder_set_member_name(builder, "unit");
			json_builder_add_string_value(builder, event->unit);
		}
		if (event->device != NULL) {
			json_builder_set_member_name(builder, "device");
			json_builder_add_string_value(builder, event->device);
		}
		if (event->taken_at > 0)
			add_time(builder, "taken_at", event->taken_at);
	} else {
		json_builder_set_member_name(builder, "state");
		json_builder_add_string_value(builder, event->state);
	}
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	json_generator_set_root(generator, root);
	return json_generator_to_data(generator, NULL);
}

static gint64
member_time(JsonObject *object, const gchar *name)
{
	const gchar *text = nhip_json_member_string(object, name);
	g_autoptr(GDateTime) when = NULL;

	if (text == NULL)
		return 0;
	when = g_date_time_new_from_iso8601(text, NULL);
	return when != NULL ? g_date_time_to_unix(when) : 0;
}

static gchar *
member_dup(JsonObject *object, const gchar *name, gsize max)
{
	const gchar *text = nhip_json_member_string(object, name);
	if (text == NULL || !g_utf8_validate(text, -1, NULL))
		return NULL;
	return g_utf8_substring(text, 0, MIN((glong)max, g_utf8_strlen(text, -1)));
}

static NhipLiveEvent *
event_from_object(JsonObject *object)
{
	g_autoptr(NhipLiveEvent) event = g_new0(NhipLiveEvent, 1);
	JsonNode *value;

	event->seq = nhip_json_member_int(object, "seq", 0);
	event->kind = member_dup(object, "kind", 20);
	event->sender = member_dup(object, "from", 200);
	event->text = member_dup(object, "text", NHIP_LIVE_CHAT_MAX);
	event->state = member_dup(object, "state", 20);
	event->code = member_dup(object, "code", 40);
	event->unit = member_dup(object, "unit", 40);
	event->device = member_dup(object, "device", 200);
	value = json_object_get_member(object, "value");
	if (value != NULL && JSON_NODE_HOLDS_VALUE(value) &&
	    (json_node_get_value_type(value) == G_TYPE_DOUBLE ||
	     json_node_get_value_type(value) == G_TYPE_INT64))
		event->value = json_node_get_double(value);
	else
		event->value = NAN;
	event->taken_at = member_time(object, "taken_at");
	event->at = member_time(object, "at");
	/* an event this station cannot understand is skipped, not stored wrong */
	if (event->seq <= 0 || !nhip_live_event_check(event, NULL))
		return NULL;
	return g_steal_pointer(&event);
}

/**
 * nhip_live_events_parse:
 * @json: the answer of `GET …/events`
 * @length: its length
 * @state: (out) (optional) (transfer full): the session's state
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR_INVALID)
 *
 * Events this station cannot understand (an unknown kind, a missing field) are skipped.
 *
 * Returns: (transfer full) (element-type NhipLiveEvent) (nullable): the events in order
 */
GPtrArray *
nhip_live_events_parse(const gchar *json, gsize length, gchar **state, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GPtrArray) events =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_live_event_free);
	JsonNode *root;
	JsonNode *list;
	JsonObject *object;

	if (!json_parser_load_from_data(parser, json, (gssize)length, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the hub's list of live-session events is not a JSON "
				      "object"));
		return NULL;
	}
	object = json_node_get_object(root);
	list = json_object_get_member(object, "events");
	if (list == NULL || !JSON_NODE_HOLDS_ARRAY(list)) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the hub's answer has no list of live-session events"));
		return NULL;
	}
	for (guint i = 0; i < json_array_get_length(json_node_get_array(list)); i++) {
		JsonNode *item = json_array_get_element(json_node_get_array(list), i);
		NhipLiveEvent *event = JSON_NODE_HOLDS_OBJECT(item)
					       ? event_from_object(json_node_get_object(item))
					       : NULL;
		if (event != NULL)
			g_ptr_array_add(events, event);
	}
	if (state != NULL)
		*state = member_dup(object, "state", 20);
	return g_steal_pointer(&events);
}

/* session and packet ids go into the path: nothing but what a UUID is made of */
static gboolean
check_id(const gchar *id, GError **error)
{
	gsize length = id != NULL ? strlen(id) : 0;

	for (gsize i = 0; i < length; i++) {
		if (!g_ascii_isalnum(id[i]) && id[i] != '-') {
			length = 0;
			break;
		}
	}
	if (length == 0 || length > 100) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("“%s” is not a case or session id"), id != NULL ? id : "");
		return FALSE;
	}
	return TRUE;
}

/* the live API says why it refuses a request in its JSON body ({"error", "message"}),
 * not in the packet API's Nhip-Refusal header; a bad request or an ended session (400,
 * 409) is final: sending it again cannot succeed */
static void
live_refusal(NhipHubResponse *response, const gchar *what, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;
	JsonObject *object;
	const gchar *message;

	if (error == NULL || (response->status != 400 && response->status != 409) ||
	    response->body == NULL || response->body->len == 0 ||
	    !json_parser_load_from_data(parser, (const gchar *)response->body->data,
					(gssize)response->body->len, NULL))
		return;
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	object = json_node_get_object(root);
	message = json_object_get_string_member_with_default(object, "message", NULL);
	if (message == NULL)
		message = json_object_get_string_member_with_default(object, "error", NULL);
	if (message == NULL)
		return;
	g_clear_error(error);
	g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_REFUSED,
		    _("cannot %s: the hub refused it (%s)"), what, message);
}

static NhipHubResponse *
live_request(NhipHubLink *link,
	     CURL *handle,
	     const gchar *method,
	     const gchar *path,
	     const gchar *body,
	     const gchar *what,
	     GError **error)
{
	static const gchar *const json_headers[] = { "Content-Type: application/json",
						     "Accept: application/json", NULL };
	g_autoptr(NhipHubResponse) response = nhip_hub_link_request(
		link, handle, method, path, json_headers, (const guint8 *)body,
		body != NULL ? strlen(body) : 0, NULL, error);

	if (response == NULL)
		return NULL;
	if (response->status == 503) {
		const gchar *word = nhip_hub_response_header(response, "nhip-refusal");
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_BUSY,
			    _("cannot %s: the hub does not offer live consultations now (%s)"),
			    what, word != NULL ? word : _("no reason given"));
		return NULL;
	}
	if (!nhip_hub_response_check(response, what, error)) {
		live_refusal(response, what, error);
		return NULL;
	}
	return g_steal_pointer(&response);
}

static gchar *
response_text(NhipHubResponse *response)
{
	return g_strndup((const gchar *)response->body->data, response->body->len);
}

/**
 * nhip_live_link_open:
 * @link: the hub link
 * @handle: a curl handle (nhip_hub_link_new_handle())
 * @packet_id: a case packet this station delivered
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR; GONE for a case the hub
 *   does not know)
 *
 * Opens the case's live session, or returns the one already open.
 *
 * Returns: (transfer full) (nullable): the descriptor's JSON
 */
gchar *
nhip_live_link_open(NhipHubLink *link, CURL *handle, const gchar *packet_id, GError **error)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr(NhipHubResponse) response = NULL;

	if (!check_id(packet_id, error))
		return NULL;
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "packet_id");
	json_builder_add_string_value(builder, packet_id);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	json_generator_set_root(generator, root);
	body = json_generator_to_data(generator, NULL);
	response = live_request(link, handle, "POST", "/v1/live/sessions", body,
				_("start a live consultation"), error);
	return response != NULL ? response_text(response) : NULL;
}

/**
 * nhip_live_link_get:
 * @link: the hub link
 * @handle: a curl handle
 * @session_id: a live session of this station
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR)
 *
 * Returns: (transfer full) (nullable): the session's descriptor with fresh credentials
 */
gchar *
nhip_live_link_get(NhipHubLink *link, CURL *handle, const gchar *session_id, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autoptr(NhipHubResponse) response = NULL;

	if (!check_id(session_id, error))
		return NULL;
	path = g_strdup_printf("/v1/live/sessions/%s", session_id);
	response = live_request(link, handle, "GET", path, NULL, _("read the live consultation"),
				error);
	return response != NULL ? response_text(response) : NULL;
}

/**
 * nhip_live_link_hang_up:
 * @link: the hub link
 * @handle: a curl handle
 * @session_id: a live session of this station
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR)
 *
 * Ends the session for everyone (the room is closed, the tokens stop working).
 *
 * Returns: %TRUE when the hub ended it
 */
gboolean
nhip_live_link_hang_up(NhipHubLink *link, CURL *handle, const gchar *session_id, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autoptr(NhipHubResponse) response = NULL;

	if (!check_id(session_id, error))
		return FALSE;
	path = g_strdup_printf("/v1/live/sessions/%s", session_id);
	response = live_request(link, handle, "DELETE", path, NULL, _("end the live consultation"),
				error);
	return response != NULL;
}

/**
 * nhip_live_link_invites:
 * @link: the hub link
 * @handle: a curl handle
 * @wait: seconds the hub may hold the request while there is none (0–60)
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR)
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the descriptors (JSON) of
 *   the sessions doctors started for this station's cases and it has not joined
 */
GPtrArray *
nhip_live_link_invites(NhipHubLink *link, CURL *handle, guint wait, GError **error)
{
	g_autofree gchar *path = g_strdup_printf("/v1/live/invites?wait=%u", MIN(wait, 60u));
	g_autoptr(NhipHubResponse) response = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GPtrArray) invites = g_ptr_array_new_with_free_func(g_free);
	JsonNode *root;
	JsonNode *list;

	response = live_request(link, handle, "GET", path, NULL,
				_("ask the hub for call invitations"), error);
	if (response == NULL)
		return NULL;
	if (!json_parser_load_from_data(parser, (const gchar *)response->body->data,
					(gssize)response->body->len, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root) ||
	    (list = json_object_get_member(json_node_get_object(root), "invites")) == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(list)) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the hub's list of call invitations is not understood"));
		return NULL;
	}
	for (guint i = 0; i < json_array_get_length(json_node_get_array(list)); i++) {
		JsonNode *item = json_array_get_element(json_node_get_array(list), i);
		if (JSON_NODE_HOLDS_OBJECT(item))
			g_ptr_array_add(invites, json_to_string(item, FALSE));
	}
	return g_steal_pointer(&invites);
}

/**
 * nhip_live_link_post:
 * @link: the hub link
 * @handle: a curl handle
 * @session_id: a live session of this station
 * @event: a chat message, a live vital or a state
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR)
 *
 * Returns: the event's sequence number on the hub, or 0 with @error set
 */
gint64
nhip_live_link_post(NhipHubLink *link,
		    CURL *handle,
		    const gchar *session_id,
		    const NhipLiveEvent *event,
		    GError **error)
{
	g_autofree gchar *path = NULL;
	g_autofree gchar *body = NULL;
	g_autoptr(NhipHubResponse) response = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;
	gint64 seq = 0;

	if (!check_id(session_id, error) || !nhip_live_event_check(event, error))
		return 0;
	path = g_strdup_printf("/v1/live/sessions/%s/events", session_id);
	body = nhip_live_event_to_json(event);
	response = live_request(link, handle, "POST", path, body,
				_("send to the live consultation"), error);
	if (response == NULL)
		return 0;
	if (json_parser_load_from_data(parser, (const gchar *)response->body->data,
				       (gssize)response->body->len, NULL) &&
	    (root = json_parser_get_root(parser)) != NULL && JSON_NODE_HOLDS_OBJECT(root))
		seq = nhip_json_member_int(json_node_get_object(root), "seq", 0);
	if (seq <= 0) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the hub took the message but did not number it"));
		return 0;
	}
	return seq;
}

/**
 * nhip_live_link_events:
 * @link: the hub link
 * @handle: a curl handle
 * @session_id: a live session of this station
 * @after: the last sequence number already seen (0 for all)
 * @wait: seconds the hub may hold the request while nothing new comes (0–60)
 * @state: (out) (optional) (transfer full): the session's state
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR)
 *
 * Returns: (transfer full) (element-type NhipLiveEvent) (nullable): the events after
 *   @after, in order
 */
GPtrArray *
nhip_live_link_events(NhipHubLink *link,
		      CURL *handle,
		      const gchar *session_id,
		      gint64 after,
		      guint wait,
		      gchar **state,
		      GError **error)
{
	g_autofree gchar *path = NULL;
	g_autoptr(NhipHubResponse) response = NULL;

	if (!check_id(session_id, error))
		return NULL;
	path = g_strdup_printf("/v1/live/sessions/%s/events?after=%" PRId64 "&wait=%u", session_id,
			       MAX(after, (gint64)0), MIN(wait, 60u));
	response = live_request(link, handle, "GET", path, NULL,
				_("read the live consultation's messages"), error);
	if (response == NULL)
		return NULL;
	return nhip_live_events_parse((const gchar *)response->body->data, response->body->len,
				      state, error);
}
