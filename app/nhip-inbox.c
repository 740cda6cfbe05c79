/*
 * Nhịp — fetching replies: `GET /v1/inbox?after=CURSOR&wait=S` (the hub holds it until a
 * message comes or S seconds pass), then each message with Range resume into a `.part`
 * file, its SHA-256 checked, opened as a reply packet signed by the pinned hub signing
 * certificate and sealed to this station, stored, and the cursor moved — in that order,
 * so a cut at any point fetches the message again and stores it once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-durable.h"
#include "nhip-json-member.h"
#include "nhip-identity.h"
#include "nhip-inbox.h"
#include "nhip-packet.h"
#include "nhip-transport-error.h"
#include "nhip-tus.h"

void
nhip_inbox_item_free(NhipInboxItem *item)
{
	if (item == NULL)
		return;
	g_free(item->id);
	g_free(item->kind);
	g_free(item->in_reply_to);
	g_free(item->sha256);
	g_free(item->url);
	g_free(item);
}

static gboolean
inbox_int_member(JsonObject *object, const gchar *name, gint64 *value)
{
	JsonNode *node = json_object_get_member(object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64)
		return FALSE;
	*value = json_node_get_int(node);
	return *value >= 0;
}

static const gchar *
inbox_string_member(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

/**
 * nhip_inbox_parse:
 * @data: the hub's answer to GET /v1/inbox
 * @len: its length
 * @cursor: (out): the cursor to ask after next time
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR_INVALID)
 *
 * Returns: (transfer full) (element-type NhipInboxItem) (nullable): the messages
 */
GPtrArray *
nhip_inbox_parse(const gchar *data, gsize len, gint64 *cursor, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GPtrArray) items =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_inbox_item_free);
	g_autoptr(GError) error_local = NULL;
	JsonObject *root;
	JsonNode *messages;

	if (len > 4 * 1024 * 1024 ||
	    !json_parser_load_from_data(parser, data, (gssize)len, &error_local) ||
	    json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("the hub's inbox answer is not a JSON object: %s"),
			    error_local != NULL ? error_local->message : _("too large"));
		return NULL;
	}
	root = json_node_get_object(json_parser_get_root(parser));
	messages = json_object_get_member(root, "messages");
	if (!inbox_int_member(root, "cursor", cursor) || messages == NULL ||
	    !JSON_NODE_HOLDS_ARRAY(messages)) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the hub's inbox answer lacks cursor or messages"));
		return NULL;
	}
	for (guint i = 0; i < json_array_get_length(json_node_get_array(messages)); i++) {
		JsonNode *node = json_array_get_element(json_node_get_array(messages), i);
		g_autoptr(NhipInboxItem) item = g_new0(NhipInboxItem, 1);
		JsonObject *object;
		const gchar *in_reply_to;

		if (!JSON_NODE_HOLDS_OBJECT(node)) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("message %u of the hub's inbox answer is not an object"),
				    i + 1);
			return NULL;
		}
		object = json_node_get_object(node);
		item->id = g_strdup(inbox_string_member(object, "id"));
		item->kind = g_strdup(inbox_string_member(object, "kind"));
		item->sha256 = g_strdup(inbox_string_member(object, "sha256"));
		item->url = g_strdup(inbox_string_member(object, "url"));
		in_reply_to = inbox_string_member(object, "in_reply_to");
		item->in_reply_to = g_strdup(in_reply_to);
		if (!inbox_int_member(object, "cursor", &item->cursor) ||
		    !inbox_int_member(object, "size", &item->size) ||
		    !nhip_tus_is_packet_id(item->id) || item->kind == NULL ||
		    !nhip_tus_is_sha256_hex(item->sha256) || item->url == NULL ||
		    !g_str_has_prefix(item->url, "/v1/messages/") ||
		    (in_reply_to != NULL && !nhip_tus_is_packet_id(in_reply_to)) ||
		    item->size <= 0 || item->size > NHIP_TUS_MAX_LENGTH || item->cursor > *cursor) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("message %u of the hub's inbox answer is malformed"), i + 1);
			return NULL;
		}
		g_ptr_array_add(items, g_steal_pointer(&item));
	}
	return g_steal_pointer(&items);
}

/* the message into <inbox>/<id>.part, resuming with Range, then checked and renamed */
static gchar *
inbox_download(NhipHubLink *link, CURL *handle, NhipInboxItem *item, GError **error)
{
	g_autofree gchar *parent = g_path_get_dirname(link->dir);
	g_autofree gchar *dir = g_build_filename(parent, "inbox", NULL);
	g_autofree gchar *name = g_strconcat(item->id, ".cms", NULL);
	g_autofree gchar *final_path = g_build_filename(dir, name, NULL);
	g_autofree gchar *part_path = g_strconcat(final_path, ".part", NULL);
	g_autoptr(GByteArray) data = g_byte_array_new();
	g_autoptr(NhipHubResponse) response = NULL;
	g_autofree gchar *range = NULL;
	g_autofree gchar *sha256 = NULL;
	gchar *old = NULL;
	gsize old_len = 0;

	if (g_file_test(final_path, G_FILE_TEST_EXISTS))
		return g_steal_pointer(&final_path);
	if (g_file_get_contents(part_path, &old, &old_len, NULL) && old_len < (gsize)item->size)
		g_byte_array_append(data, (const guint8 *)old, (guint)old_len);
	g_free(old);
	range = g_strdup_printf("Range: bytes=%u-", data->len);
	{
		const gchar *headers[] = { range, NULL };
		response =
			nhip_hub_link_request(link, handle, "GET", item->url,
					      data->len > 0 ? headers : NULL, NULL, 0, NULL, error);
	}
	if (response == NULL || !nhip_hub_response_check(response, _("fetch a reply"), error))
		return NULL;
	if (response->status != 206)
		g_byte_array_set_size(data, 0);
	g_byte_array_append(data, response->body->data, response->body->len);
	sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data->data, data->len);
	if (g_strcmp0(sha256, item->sha256) != 0) {
		g_unlink(part_path);
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NETWORK,
			    _("reply %s arrived damaged; it is fetched again next time"), item->id);
		return NULL;
	}
	if (!nhip_durable_write(final_path, data->data, data->len, error))
		return NULL;
	g_unlink(part_path);
	return g_steal_pointer(&final_path);
}

/* the doctor's answer from the reply's FHIR Communication: the advice (the first
 * payload), the doctor (sender), the urgency (priority) and the referral extension */
static gboolean
inbox_reply_read(GBytes *body, NhipReply *reply, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *root;
	JsonNode *node;

	if (!json_parser_load_from_data(parser, g_bytes_get_data(body, NULL),
					(gssize)g_bytes_get_size(body), error))
		return FALSE;
	if (json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the reply holds no text"));
		return FALSE;
	}
	root = json_node_get_object(json_parser_get_root(parser));
	node = json_object_get_member(root, "payload");
	if (node != NULL && JSON_NODE_HOLDS_ARRAY(node) &&
	    json_array_get_length(json_node_get_array(node)) > 0 &&
	    JSON_NODE_HOLDS_OBJECT(json_array_get_element(json_node_get_array(node), 0)))
		reply->text = g_strdup(inbox_string_member(
			json_array_get_object_element(json_node_get_array(node), 0),
			"contentString"));
	if (reply->text == NULL) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the reply holds no text"));
		return FALSE;
	}
	reply->urgency = g_strdup(inbox_string_member(root, "priority"));
	node = json_object_get_member(root, "sender");
	if (node != NULL && JSON_NODE_HOLDS_OBJECT(node))
		reply->doctor =
			g_strdup(inbox_string_member(json_node_get_object(node), "display"));
	reply->referral = -1;
	node = json_object_get_member(root, "extension");
	for (guint i = 0; node != NULL && JSON_NODE_HOLDS_ARRAY(node) &&
			  i < json_array_get_length(json_node_get_array(node));
	     i++) {
		JsonNode *element = json_array_get_element(json_node_get_array(node), i);
		JsonNode *value;

		if (!JSON_NODE_HOLDS_OBJECT(element) ||
		    g_strcmp0(inbox_string_member(json_node_get_object(element), "url"),
			      NHIP_PACKET_EXT_REFERRAL) != 0)
			continue;
		value = json_object_get_member(json_node_get_object(element), "valueBoolean");
		if (value != NULL && JSON_NODE_HOLDS_VALUE(value) &&
		    json_node_get_value_type(value) == G_TYPE_BOOLEAN)
			reply->referral = json_node_get_boolean(value) ? 1 : 0;
	}
	return TRUE;
}

static gboolean
inbox_take(NhipHubLink *link,
	   NhipStore *store,
	   CURL *handle,
	   NhipInboxItem *item,
	   NhipIdentity *station,
	   X509_STORE *trust,
	   X509 *hub_signing,
	   GError **error)
{
	g_autofree gchar *path = inbox_download(link, handle, item, error);
	g_autoptr(GMappedFile) file = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autoptr(GError) error_local = NULL;
	NhipReply reply = { 0 };
	gboolean ok;

	if (path == NULL)
		return FALSE;
	file = g_mapped_file_new(path, FALSE, error);
	if (file == NULL)
		return FALSE;
	sealed = g_mapped_file_get_bytes(file);
	contents = nhip_packet_open_reply(sealed, station, trust, hub_signing, &error_local);
	if (contents == NULL || contents->manifest->kind != NHIP_PACKET_KIND_REPLY) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_RECEIPT,
			    _("reply %s does not verify: %s"), item->id,
			    error_local != NULL ? error_local->message : _("not a reply"));
		return FALSE;
	}
	ok = inbox_reply_read(contents->body, &reply, error);
	reply.msg_id = contents->manifest->packet_id;
	reply.in_reply_to = contents->manifest->in_reply_to;
	reply.cursor = item->cursor;
	reply.path = path;
	ok = ok && nhip_store_reply_add(store, &reply, error);
	g_free(reply.text);
	g_free(reply.doctor);
	g_free(reply.urgency);
	if (!ok)
		return FALSE;
	g_message("reply %s to packet %s received and verified", item->id,
		  reply.in_reply_to != NULL ? reply.in_reply_to : "?");
	return TRUE;
}

/**
 * nhip_inbox_lock:
 * @link: the hub link
 * @error: return location for a #GError: %G_IO_ERROR_BUSY when another program of this
 *   station (the kiosk, the sync service) is fetching the replies
 *
 * One program at a time fetches the replies: two would download into the same files.
 *
 * Returns: (transfer full) (nullable): the lock on `inbox.lock` in the identity folder
 */
NhipFileLock *
nhip_inbox_lock(NhipHubLink *link, GError **error)
{
	g_autofree gchar *path = g_build_filename(link->dir, "inbox.lock", NULL);
	return nhip_file_lock_try(path, error);
}

/**
 * nhip_inbox_poll:
 * @link: the hub link
 * @handle: a curl handle kept from one poll to the next (the connection stays open)
 * @store: the station database
 * @wait: seconds the hub may hold the request when nothing is there (≤ 25)
 * @n_new: (out): replies stored
 * @error: return location for a #GError
 *
 * Reads the inbox once; the caller holds nhip_inbox_lock().
 *
 * Returns: %TRUE when the inbox was read (whether or not anything came)
 */
gboolean
nhip_inbox_poll(NhipHubLink *link,
		CURL *handle,
		NhipStore *store,
		guint wait,
		guint *n_new,
		GError **error)
{
	g_autoptr(NhipIdentity) station = NULL;
	g_autoptr(X509_STORE) trust = NULL;
	g_autoptr(X509) hub_signing = NULL;
	g_autoptr(NhipHubResponse) response = NULL;
	g_autoptr(GPtrArray) items = NULL;
	g_autofree gchar *cursor_text = NULL;
	g_autofree gchar *path = NULL;
	gint64 cursor = 0;
	gint64 next_cursor = 0;
	g_autoptr(GError) error_local = NULL;

	*n_new = 0;
	station = nhip_identity_load(link->key_path, link->cert_path, error);
	if (station == NULL)
		return FALSE;
	trust = nhip_trust_store_new(link->ca_path, NULL, error);
	if (trust == NULL)
		return FALSE;
	hub_signing = nhip_x509_load(link->sign_cert_path, error);
	if (hub_signing == NULL)
		return FALSE;
	cursor_text = nhip_store_sync_get(store, "inbox_cursor", &error_local);
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	cursor = cursor_text != NULL ? g_ascii_strtoll(cursor_text, NULL, 10) : 0;
	path = g_strdup_printf("/v1/inbox?after=%" PRId64 "&wait=%u", cursor, MIN(wait, 25u));
	response = nhip_hub_link_request(link, handle, "GET", path, NULL, NULL, 0, NULL, error);
	if (response == NULL || !nhip_hub_response_check(response, _("read the inbox"), error))
		return FALSE;
	items = nhip_inbox_parse((const gchar *)response->body->data, response->body->len,
				 &next_cursor, error);
	if (items == NULL)
		return FALSE;
	for (guint i = 0; i < items->len; i++) {
		NhipInboxItem *item = g_ptr_array_index(items, i);
		if (item->cursor <= cursor || g_strcmp0(item->kind, "reply") != 0)
			continue;
		if (!inbox_take(link, store, handle, item, station, trust, hub_signing, error))
			return FALSE;
		(*n_new)++;
	}
	return TRUE;
}

/**
 * nhip_inbox_fetch:
 * @link: the hub link
 * @store: the station database
 * @wait: seconds the hub may hold the request when nothing is there (≤ 25)
 * @n_new: (out): replies stored
 * @error: return location for a #GError; %G_IO_ERROR_BUSY when another program of this
 *   station is fetching the replies (they arrive in the store all the same)
 *
 * Takes the inbox lock and reads the inbox once.
 *
 * Returns: %TRUE when the inbox was read (whether or not anything came)
 */
gboolean
nhip_inbox_fetch(NhipHubLink *link, NhipStore *store, guint wait, guint *n_new, GError **error)
{
	g_autoptr(NhipFileLock) lock = NULL;
	g_autoptr(CURL) handle = NULL;

	*n_new = 0;
	lock = nhip_inbox_lock(link, error);
	if (lock == NULL)
		return FALSE;
	handle = nhip_hub_link_new_handle(error);
	if (handle == NULL)
		return FALSE;
	return nhip_inbox_poll(link, handle, store, wait, n_new, error);
}
