/*
 * Nhịp — sealing and opening packets (CMS SignedData inside AuthEnvelopedData), the
 * manifest, and the replay rule.
 *
 * Opening checks, in this order, and stops at the first failure with its own error code:
 * size → DER → AuthEnvelopedData → a recipient that is us → GCM authentication → inner
 * SignedData with one signer whose certificate it carries → the signature → the signer's
 * chain to the CA (expiry, CRL) → the archive → the manifest → every file's hash → who
 * signed against what the manifest claims → the recipient named in the manifest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/err.h>
#include <string.h>

#include "nhip-packet-private.h"

/* a manifest is small: it names at most NHIP_PACKET_MAX_FILES files */
#define MANIFEST_MAX_SIZE (64 * 1024)
#define MANIFEST_NAME	  "manifest.json"
/* attachment names: "img/1.jpg" */
#define ATTACHMENT_NAME_MAX 64

G_DEFINE_QUARK(nhip - packet - error - quark, nhip_packet_error)

/**
 * nhip_packet_error_to_reason:
 * @code: a #NhipPacketError
 *
 * Returns: a stable word for logs and HTTP answers ("wrong-recipient", "revoked", …)
 */
const gchar *
nhip_packet_error_to_reason(NhipPacketError code)
{
	switch (code) {
	case NHIP_PACKET_ERROR_MALFORMED:
		return "malformed";
	case NHIP_PACKET_ERROR_TOO_LARGE:
		return "too-large";
	case NHIP_PACKET_ERROR_WRONG_RECIPIENT:
		return "wrong-recipient";
	case NHIP_PACKET_ERROR_TAMPERED:
		return "tampered";
	case NHIP_PACKET_ERROR_BAD_SIGNATURE:
		return "bad-signature";
	case NHIP_PACKET_ERROR_UNKNOWN_SIGNER:
		return "unknown-signer";
	case NHIP_PACKET_ERROR_REVOKED:
		return "revoked";
	case NHIP_PACKET_ERROR_EXPIRED:
		return "expired";
	case NHIP_PACKET_ERROR_UNTRUSTED:
		return "untrusted";
	case NHIP_PACKET_ERROR_SIGNER_MISMATCH:
		return "signer-mismatch";
	case NHIP_PACKET_ERROR_BAD_HASH:
		return "bad-hash";
	case NHIP_PACKET_ERROR_REPLAYED:
		return "replayed";
	case NHIP_PACKET_ERROR_WRONG_PACKET:
		return "wrong-packet";
	case NHIP_PACKET_ERROR_INVALID:
		return "invalid";
	case NHIP_PACKET_ERROR_FAILED:
	default:
		return "failed";
	}
}

/**
 * nhip_packet_kind_to_string:
 * @kind: a kind
 *
 * Returns: "case" or "reply", as in the manifest
 */
const gchar *
nhip_packet_kind_to_string(NhipPacketKind kind)
{
	return kind == NHIP_PACKET_KIND_REPLY ? "reply" : "case";
}

static const gchar *
kind_body_name(NhipPacketKind kind)
{
	return kind == NHIP_PACKET_KIND_REPLY ? "reply.json" : "case.json";
}

/* ----- boxed types ----- */

static void
packet_file_free(NhipPacketFile *file)
{
	if (file == NULL)
		return;
	g_free(file->name);
	g_free(file->type);
	g_free(file->sha256);
	g_free(file);
}

static NhipPacketFile *
packet_file_new(const gchar *name, const gchar *type, const gchar *sha256, guint64 size)
{
	NhipPacketFile *file = g_new0(NhipPacketFile, 1);

	file->name = g_strdup(name);
	file->type = g_strdup(type);
	file->sha256 = g_strdup(sha256);
	file->size = size;
	return file;
}

/**
 * nhip_packet_manifest_new:
 * @kind: case or reply
 * @station_code: (nullable): the station (the sender of a case, the addressee of a reply)
 *
 * Returns: (transfer full): a manifest with a new packet id and no files
 */
NhipPacketManifest *
nhip_packet_manifest_new(NhipPacketKind kind, const gchar *station_code)
{
	NhipPacketManifest *self = g_new0(NhipPacketManifest, 1);

	self->kind = kind;
	self->packet_id = nhip_packet_new_id();
	self->station_code = g_strdup(station_code);
	self->files = g_ptr_array_new_with_free_func((GDestroyNotify)packet_file_free);
	return self;
}

/**
 * nhip_packet_manifest_copy:
 * @self: a manifest
 *
 * Returns: (transfer full): a deep copy
 */
NhipPacketManifest *
nhip_packet_manifest_copy(const NhipPacketManifest *self)
{
	NhipPacketManifest *copy = g_new0(NhipPacketManifest, 1);

	copy->kind = self->kind;
	copy->packet_id = g_strdup(self->packet_id);
	copy->station_code = g_strdup(self->station_code);
	copy->sequence = self->sequence;
	copy->recipient = g_strdup(self->recipient);
	copy->created = self->created != NULL ? g_date_time_ref(self->created) : NULL;
	copy->urgent = self->urgent;
	copy->in_reply_to = g_strdup(self->in_reply_to);
	copy->files = g_ptr_array_new_with_free_func((GDestroyNotify)packet_file_free);
	for (guint i = 0; self->files != NULL && i < self->files->len; i++) {
		NhipPacketFile *file = g_ptr_array_index(self->files, i);
		g_ptr_array_add(copy->files,
				packet_file_new(file->name, file->type, file->sha256, file->size));
	}
	return copy;
}

void
nhip_packet_manifest_free(NhipPacketManifest *self)
{
	if (self == NULL)
		return;
	g_free(self->packet_id);
	g_free(self->station_code);
	g_free(self->recipient);
	g_clear_pointer(&self->created, g_date_time_unref);
	g_free(self->in_reply_to);
	g_clear_pointer(&self->files, g_ptr_array_unref);
	g_free(self);
}

G_DEFINE_BOXED_TYPE(NhipPacketManifest,
		    nhip_packet_manifest,
		    nhip_packet_manifest_copy,
		    nhip_packet_manifest_free)

/**
 * nhip_packet_attachment_new:
 * @name: the name in the archive ("img/1.jpg")
 * @type: the media type
 * @data: the content
 *
 * Returns: (transfer full): an attachment holding a reference to @data
 */
NhipPacketAttachment *
nhip_packet_attachment_new(const gchar *name, const gchar *type, GBytes *data)
{
	NhipPacketAttachment *self = g_new0(NhipPacketAttachment, 1);

	self->name = g_strdup(name);
	self->type = g_strdup(type);
	self->data = g_bytes_ref(data);
	return self;
}

void
nhip_packet_attachment_free(NhipPacketAttachment *self)
{
	if (self == NULL)
		return;
	g_free(self->name);
	g_free(self->type);
	g_bytes_unref(self->data);
	g_free(self);
}

void
nhip_packet_contents_free(NhipPacketContents *self)
{
	if (self == NULL)
		return;
	nhip_packet_manifest_free(self->manifest);
	g_free(self->signer_code);
	X509_free(self->signer_cert);
	g_clear_pointer(&self->body, g_bytes_unref);
	g_clear_pointer(&self->attachments, g_ptr_array_unref);
	g_free(self);
}

/**
 * nhip_packet_new_id:
 *
 * Returns: (transfer full): a new random packet id (a UUID v4)
 */
gchar *
nhip_packet_new_id(void)
{
	return g_uuid_string_random();
}

/* ----- the manifest in JSON ----- */

GBytes *
nhipi_json_to_bytes(JsonBuilder *builder, gboolean pretty)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(builder);
	gchar *text;

	json_generator_set_root(generator, root);
	json_generator_set_pretty(generator, pretty);
	text = json_generator_to_data(generator, NULL);
	return g_bytes_new_take(text, strlen(text));
}

static gchar *
format_time(GDateTime *time)
{
	g_autoptr(GDateTime) utc = g_date_time_to_utc(time);
	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}

GBytes *
nhipi_manifest_to_json(const NhipPacketManifest *manifest)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *created = NULL;

	if (manifest->created != NULL)
		created = format_time(manifest->created);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "v");
	json_builder_add_int_value(builder, 1);
	json_builder_set_member_name(builder, "type");
	json_builder_add_string_value(builder, nhip_packet_kind_to_string(manifest->kind));
	json_builder_set_member_name(builder, "packet_id");
	json_builder_add_string_value(builder, manifest->packet_id);
	json_builder_set_member_name(builder, "station");
	json_builder_add_string_value(builder, manifest->station_code);
	json_builder_set_member_name(builder, "seq");
	json_builder_add_int_value(builder, manifest->sequence);
	json_builder_set_member_name(builder, "recipient");
	json_builder_add_string_value(builder, manifest->recipient);
	json_builder_set_member_name(builder, "created");
	json_builder_add_string_value(builder, created);
	json_builder_set_member_name(builder, "urgent");
	json_builder_add_boolean_value(builder, manifest->urgent);
	json_builder_set_member_name(builder, "in_reply_to");
	if (manifest->in_reply_to != NULL)
		json_builder_add_string_value(builder, manifest->in_reply_to);
	else
		json_builder_add_null_value(builder);
	json_builder_set_member_name(builder, "files");
	json_builder_begin_array(builder);
	for (guint i = 0; i < manifest->files->len; i++) {
		NhipPacketFile *file = g_ptr_array_index(manifest->files, i);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "name");
		json_builder_add_string_value(builder, file->name);
		json_builder_set_member_name(builder, "type");
		json_builder_add_string_value(builder, file->type);
		json_builder_set_member_name(builder, "sha256");
		json_builder_add_string_value(builder, file->sha256);
		json_builder_set_member_name(builder, "size");
		json_builder_add_int_value(builder, (gint64)file->size);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	return nhipi_json_to_bytes(builder, TRUE);
}

static gboolean
manifest_fail(GError **error, const gchar *what)
{
	g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
		    _("the packet's manifest is not valid: %s"), what);
	return FALSE;
}

/* a member of @object of the JSON type wanted; NULL (and an error) when it is not */
static JsonNode *
json_member(JsonObject *object, const gchar *name, GType type, gboolean nullable, GError **error)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node != NULL && nullable && JSON_NODE_HOLDS_NULL(node))
		return node;
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != type) {
		g_autofree gchar *what =
			g_strdup_printf(_("“%s” is missing or of the wrong type"), name);
		manifest_fail(error, what);
		return NULL;
	}
	return node;
}

static const gchar *
json_string(JsonObject *object, const gchar *name, gboolean nullable, GError **error)
{
	JsonNode *node = json_member(object, name, G_TYPE_STRING, nullable, error);
	const gchar *text;

	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return NULL;
	text = json_node_get_string(node);
	/* json-glib turns an escape such as "\337" into a raw byte: check what came out */
	if (!g_utf8_validate(text, -1, NULL)) {
		g_autofree gchar *what = g_strdup_printf(_("“%s” is not UTF-8"), name);
		manifest_fail(error, what);
		return NULL;
	}
	return text;
}

static gboolean
is_sha256_hex(const gchar *text)
{
	if (text == NULL || strlen(text) != 64)
		return FALSE;
	for (gsize i = 0; i < 64; i++) {
		if (!g_ascii_isxdigit(text[i]) || g_ascii_isupper(text[i]))
			return FALSE;
	}
	return TRUE;
}

/* names of attachments: letters, digits, "._-", at most one "/", no ".." */
static gboolean
attachment_name_ok(const gchar *name)
{
	gsize len = name != NULL ? strlen(name) : 0;
	guint slashes = 0;

	if (len == 0 || len > ATTACHMENT_NAME_MAX || name[0] == '/' || name[0] == '.' ||
	    name[len - 1] == '/' || strstr(name, "..") != NULL || strstr(name, "/.") != NULL)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (name[i] == '/')
			slashes++;
		else if (!g_ascii_isalnum(name[i]) && name[i] != '.' && name[i] != '_' &&
			 name[i] != '-')
			return FALSE;
	}
	return slashes <= 1;
}

static gboolean
manifest_parse_files(NhipPacketManifest *manifest, JsonArray *files, GError **error)
{
	guint n = json_array_get_length(files);

	if (n == 0 || n >= NHIP_PACKET_MAX_FILES)
		return manifest_fail(error, _("the file list is empty or too long"));
	for (guint i = 0; i < n; i++) {
		JsonNode *node = json_array_get_element(files, i);
		JsonObject *object;
		const gchar *name;
		const gchar *type;
		const gchar *sha256;
		JsonNode *size;

		if (!JSON_NODE_HOLDS_OBJECT(node))
			return manifest_fail(error, _("a file entry is not an object"));
		object = json_node_get_object(node);
		name = json_string(object, "name", FALSE, error);
		if (name == NULL)
			return FALSE;
		type = json_string(object, "type", FALSE, error);
		if (type == NULL)
			return FALSE;
		sha256 = json_string(object, "sha256", FALSE, error);
		if (sha256 == NULL)
			return FALSE;
		size = json_member(object, "size", G_TYPE_INT64, FALSE, error);
		if (size == NULL)
			return FALSE;
		if (!attachment_name_ok(name) || g_strcmp0(name, MANIFEST_NAME) == 0)
			return manifest_fail(error, _("a file name is not allowed"));
		if (!is_sha256_hex(sha256))
			return manifest_fail(error, _("a file hash is not a SHA-256 in hex"));
		if (json_node_get_int(size) < 0 || json_node_get_int(size) > NHIP_PACKET_MAX_SIZE)
			return manifest_fail(error, _("a file size is out of range"));
		g_ptr_array_add(manifest->files, packet_file_new(name, type, sha256,
								 (guint64)json_node_get_int(size)));
	}
	return TRUE;
}

NhipPacketManifest *
nhipi_manifest_parse(GBytes *json, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(NhipPacketManifest) manifest = NULL;
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;
	JsonObject *object;
	JsonNode *node;
	const gchar *text;
	gsize length = 0;
	const gchar *data = g_bytes_get_data(json, &length);

	if (length == 0 || length > MANIFEST_MAX_SIZE) {
		manifest_fail(error, _("it is empty or too large"));
		return NULL;
	}
	if (!g_utf8_validate_len(data, length, NULL) ||
	    !json_parser_load_from_data(parser, data, (gssize)length, &error_local)) {
		manifest_fail(error,
			      error_local != NULL ? error_local->message : _("it is not UTF-8"));
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		manifest_fail(error, _("it is not a JSON object"));
		return NULL;
	}
	object = json_node_get_object(root);
	node = json_member(object, "v", G_TYPE_INT64, FALSE, error);
	if (node == NULL)
		return NULL;
	if (json_node_get_int(node) != 1) {
		manifest_fail(error, _("unknown version; this program reads version 1"));
		return NULL;
	}
	text = json_string(object, "type", FALSE, error);
	if (text == NULL)
		return NULL;
	if (g_strcmp0(text, "case") == 0)
		manifest = nhip_packet_manifest_new(NHIP_PACKET_KIND_CASE, NULL);
	else if (g_strcmp0(text, "reply") == 0)
		manifest = nhip_packet_manifest_new(NHIP_PACKET_KIND_REPLY, NULL);
	else {
		manifest_fail(error, _("unknown packet type"));
		return NULL;
	}
	text = json_string(object, "packet_id", FALSE, error);
	if (text == NULL)
		return NULL;
	if (!g_uuid_string_is_valid(text)) {
		manifest_fail(error, _("the packet id is not a UUID"));
		return NULL;
	}
	g_free(manifest->packet_id);
	manifest->packet_id = g_ascii_strdown(text, -1);
	text = json_string(object, "station", FALSE, error);
	if (text == NULL)
		return NULL;
	if (!nhip_station_code_check(text, NULL)) {
		manifest_fail(error, _("the station code is not valid"));
		return NULL;
	}
	manifest->station_code = g_strdup(text);
	node = json_member(object, "seq", G_TYPE_INT64, FALSE, error);
	if (node == NULL)
		return NULL;
	manifest->sequence = json_node_get_int(node);
	if (manifest->sequence < 1) {
		manifest_fail(error, _("the sequence number is not positive"));
		return NULL;
	}
	text = json_string(object, "recipient", FALSE, error);
	if (text == NULL)
		return NULL;
	manifest->recipient = g_strdup(text);
	text = json_string(object, "created", FALSE, error);
	if (text == NULL)
		return NULL;
	manifest->created = g_date_time_new_from_iso8601(text, NULL);
	if (manifest->created == NULL) {
		manifest_fail(error, _("the creation time is not ISO 8601"));
		return NULL;
	}
	/* no station made a packet before 2000 or after 9999; such a year would not
	 * write back in four digits either */
	if (g_date_time_get_year(manifest->created) < 2000) {
		manifest_fail(error, _("the creation time is before the year 2000"));
		return NULL;
	}
	node = json_member(object, "urgent", G_TYPE_BOOLEAN, FALSE, error);
	if (node == NULL)
		return NULL;
	manifest->urgent = json_node_get_boolean(node);
	if (json_member(object, "in_reply_to", G_TYPE_STRING, TRUE, error) == NULL)
		return NULL;
	text = json_string(object, "in_reply_to", TRUE, NULL);
	if (text != NULL && !g_uuid_string_is_valid(text)) {
		manifest_fail(error, _("“in_reply_to” is not a UUID"));
		return NULL;
	}
	manifest->in_reply_to = text != NULL ? g_ascii_strdown(text, -1) : NULL;
	node = json_object_get_member(object, "files");
	if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node)) {
		manifest_fail(error, _("“files” is missing or not a list"));
		return NULL;
	}
	if (!manifest_parse_files(manifest, json_node_get_array(node), error))
		return NULL;
	return g_steal_pointer(&manifest);
}

/* ----- sealing ----- */

static NhipTarMember *
tar_member_new(const gchar *name, GBytes *data)
{
	NhipTarMember *member = g_new0(NhipTarMember, 1);

	member->name = g_strdup(name);
	member->data = g_bytes_ref(data);
	return member;
}

GBytes *
nhipi_packet_build_tar(NhipPacketManifest *manifest,
		       GBytes *body_json,
		       GPtrArray *attachments,
		       gboolean fill_hashes,
		       GError **error)
{
	g_autoptr(GPtrArray) members =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhipi_tar_member_free);
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GBytes) manifest_json = NULL;
	const gchar *body_name = kind_body_name(manifest->kind);
	guint n_attachments = attachments != NULL ? attachments->len : 0;

	if (n_attachments + 2 > NHIP_PACKET_MAX_FILES) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_TOO_LARGE,
			    _("a packet holds at most %d attachments"), NHIP_PACKET_MAX_FILES - 2);
		return NULL;
	}
	g_hash_table_add(names, (gpointer)MANIFEST_NAME);
	g_hash_table_add(names, (gpointer)body_name);
	if (fill_hashes) {
		gsize size = g_bytes_get_size(body_json);
		g_autofree gchar *sha = nhipi_sha256_hex(g_bytes_get_data(body_json, NULL), size);
		g_ptr_array_set_size(manifest->files, 0);
		g_ptr_array_add(manifest->files,
				packet_file_new(body_name, "application/fhir+json", sha, size));
	}
	for (guint i = 0; i < n_attachments; i++) {
		NhipPacketAttachment *attachment = g_ptr_array_index(attachments, i);
		gsize size = g_bytes_get_size(attachment->data);
		g_autofree gchar *sha = NULL;

		if (!attachment_name_ok(attachment->name) || attachment->type == NULL ||
		    g_hash_table_contains(names, attachment->name)) {
			g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID,
				    _("“%s” cannot name an attachment: use letters, digits, “.”, "
				      "“_”, “-” and one folder at most, each name once"),
				    attachment->name != NULL ? attachment->name : "");
			return NULL;
		}
		g_hash_table_add(names, attachment->name);
		if (!fill_hashes)
			continue;
		sha = nhipi_sha256_hex(g_bytes_get_data(attachment->data, NULL), size);
		g_ptr_array_add(manifest->files,
				packet_file_new(attachment->name, attachment->type, sha, size));
	}
	manifest_json = nhipi_manifest_to_json(manifest);
	g_ptr_array_add(members, tar_member_new(MANIFEST_NAME, manifest_json));
	g_ptr_array_add(members, tar_member_new(body_name, body_json));
	for (guint i = 0; i < n_attachments; i++) {
		NhipPacketAttachment *attachment = g_ptr_array_index(attachments, i);
		g_ptr_array_add(members, tar_member_new(attachment->name, attachment->data));
	}
	return nhipi_tar_write(members);
}

static GBytes *
bio_to_bytes(BIO *bio)
{
	gchar *data = NULL;
	glong length = BIO_get_mem_data(bio, &data);

	return g_bytes_new(data, (gsize)length);
}

static gboolean
openssl_fail(GError **error, gint code, const gchar *what)
{
	g_autofree gchar *why = nhipi_openssl_error();

	g_set_error(error, NHIP_PACKET_ERROR, code, "%s: %s", what, why);
	return FALSE;
}

GBytes *
nhipi_packet_sign_encrypt(GBytes *payload,
			  NhipIdentity *signer,
			  X509 *recipient_cert,
			  GError **error)
{
	g_autoptr(BIO) in =
		BIO_new_mem_buf(g_bytes_get_data(payload, NULL), (int)g_bytes_get_size(payload));
	g_autoptr(BIO) signed_der = BIO_new(BIO_s_mem());
	g_autoptr(BIO) out = BIO_new(BIO_s_mem());
	g_autoptr(CMS_ContentInfo) sd = NULL;
	g_autoptr(CMS_ContentInfo) env = NULL;
	g_autoptr(NhipX509Stack) recipients = sk_X509_new_null();

	/* SHA-256 named explicitly (the default depends on the key type); CMS_BINARY keeps
	 * the archive byte for byte instead of MIME-canonicalising it */
	sd = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
	if (sd == NULL ||
	    CMS_add1_signer(sd, nhip_identity_get_certificate(signer),
			    nhip_identity_get_key(signer), EVP_sha256(), CMS_BINARY) == NULL ||
	    !CMS_final(sd, in, NULL, CMS_BINARY) || !i2d_CMS_bio(signed_der, sd)) {
		openssl_fail(error, NHIP_PACKET_ERROR_FAILED, _("cannot sign the packet"));
		return NULL;
	}
	/* an AES-GCM cipher makes CMS_encrypt() write AuthEnvelopedData */
	X509_up_ref(recipient_cert);
	sk_X509_push(recipients, recipient_cert);
	env = CMS_encrypt(recipients, signed_der, EVP_aes_256_gcm(), CMS_BINARY);
	if (env == NULL || !i2d_CMS_bio(out, env)) {
		openssl_fail(error, NHIP_PACKET_ERROR_FAILED, _("cannot encrypt the packet"));
		return NULL;
	}
	return bio_to_bytes(out);
}

/**
 * nhip_packet_seal:
 * @manifest: the manifest; seal fills its files, recipient, created and (when %NULL)
 *   packet id
 * @body_json: case.json (reply.json for a reply)
 * @attachments: (element-type NhipPacketAttachment) (nullable): photos and other files
 * @signer: the sender (the station for a case, the hub signing identity for a reply)
 * @recipient_cert: the certificate to encrypt to (the hub encryption certificate for a
 *   case, the station's certificate for a reply)
 * @error: return location for a #GError
 *
 * Builds the archive, signs it and encrypts it.
 *
 * Returns: (transfer full) (nullable): the packet in DER
 */
GBytes *
nhip_packet_seal(NhipPacketManifest *manifest,
		 GBytes *body_json,
		 GPtrArray *attachments,
		 NhipIdentity *signer,
		 X509 *recipient_cert,
		 GError **error)
{
	g_autofree gchar *recipient = NULL;
	g_autoptr(GBytes) tar = NULL;
	g_autoptr(GBytes) sealed = NULL;

	g_return_val_if_fail(manifest != NULL, NULL);
	g_return_val_if_fail(body_json != NULL, NULL);
	g_return_val_if_fail(NHIP_IS_IDENTITY(signer), NULL);
	g_return_val_if_fail(recipient_cert != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (manifest->packet_id == NULL)
		manifest->packet_id = nhip_packet_new_id();
	if (!g_uuid_string_is_valid(manifest->packet_id) || manifest->sequence < 1 ||
	    !nhip_station_code_check(manifest->station_code, NULL) ||
	    (manifest->in_reply_to != NULL && !g_uuid_string_is_valid(manifest->in_reply_to))) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID,
				    _("a packet needs a UUID packet id, a sequence number from 1 "
				      "and a valid station code"));
		return NULL;
	}
	if (manifest->kind == NHIP_PACKET_KIND_CASE &&
	    g_strcmp0(manifest->station_code, nhip_identity_get_name(signer)) != 0) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID,
			    _("the case names station “%s” but the key is that of “%s”"),
			    manifest->station_code, nhip_identity_get_name(signer));
		return NULL;
	}
	recipient = nhip_x509_recipient_id(recipient_cert);
	if (manifest->recipient != NULL && g_strcmp0(manifest->recipient, recipient) != 0) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID,
				    _("the manifest names another recipient than the certificate "
				      "the packet is sealed to"));
		return NULL;
	}
	g_free(manifest->recipient);
	manifest->recipient = g_steal_pointer(&recipient);
	if (manifest->created == NULL)
		manifest->created = g_date_time_new_now_utc();
	tar = nhipi_packet_build_tar(manifest, body_json, attachments, TRUE, error);
	if (tar == NULL)
		return NULL;
	/* the CMS layers add about 1 KiB: keep well under what the receiver accepts */
	if (g_bytes_get_size(tar) > NHIP_PACKET_MAX_SIZE - 16 * 1024) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_TOO_LARGE,
			    _("the packet would be %zu bytes; the most is %d (send fewer or "
			      "smaller photos)"),
			    g_bytes_get_size(tar), NHIP_PACKET_MAX_SIZE);
		return NULL;
	}
	sealed = nhipi_packet_sign_encrypt(tar, signer, recipient_cert, error);
	if (sealed == NULL)
		return NULL;
	g_debug("sealed %s packet %s seq %" PRId64 ": %zu bytes",
		nhip_packet_kind_to_string(manifest->kind), manifest->packet_id, manifest->sequence,
		g_bytes_get_size(sealed));
	return g_steal_pointer(&sealed);
}

/* ----- opening ----- */

/* d2i of a whole buffer: trailing bytes make it malformed */
static CMS_ContentInfo *
cms_from_der(const guint8 *data, gsize length)
{
	const guchar *p = data;
	CMS_ContentInfo *cms;

	if (length == 0 || length > G_MAXLONG)
		return NULL;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)length);
	if (cms != NULL && p != data + length) {
		CMS_ContentInfo_free(cms);
		cms = NULL;
	}
	ERR_clear_error();
	return cms;
}

static gboolean
cms_has_recipient(CMS_ContentInfo *env, X509 *cert)
{
	STACK_OF(CMS_RecipientInfo) *infos = CMS_get0_RecipientInfos(env);

	for (gint i = 0; infos != NULL && i < sk_CMS_RecipientInfo_num(infos); i++) {
		CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(infos, i);
		gint type = CMS_RecipientInfo_type(ri);

		if (type == CMS_RECIPINFO_TRANS && CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0)
			return TRUE;
		if (type == CMS_RECIPINFO_AGREE) {
			STACK_OF(CMS_RecipientEncryptedKey) *reks =
				CMS_RecipientInfo_kari_get0_reks(ri);
			for (gint k = 0; k < sk_CMS_RecipientEncryptedKey_num(reks); k++) {
				if (CMS_RecipientEncryptedKey_cert_cmp(
					    sk_CMS_RecipientEncryptedKey_value(reks, k), cert) == 0)
					return TRUE;
			}
		}
	}
	ERR_clear_error();
	return FALSE;
}

/* the verify error of the signer's chain as a packet error */
static gboolean
chain_fail(gint rc, const gchar *signer, GError **error)
{
	switch (rc) {
	case X509_V_ERR_CERT_REVOKED:
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_REVOKED,
			    _("the signer's certificate (“%s”) is revoked"), signer);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_EXPIRED,
			    _("the signer's certificate (“%s”) is expired or not valid yet"),
			    signer);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_UNKNOWN_SIGNER,
			    _("the signer (“%s”) is not known to this district's CA"), signer);
		break;
	default:
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_UNTRUSTED,
			    _("the signer's certificate (“%s”) is not accepted: %s"), signer,
			    X509_verify_cert_error_string(rc));
		break;
	}
	return FALSE;
}

/* decrypts @der for @identity; returns the DER SignedData */
static GBytes *
packet_decrypt(GBytes *der, NhipIdentity *identity, GError **error)
{
	g_autoptr(CMS_ContentInfo) env = NULL;
	g_autoptr(BIO) out = BIO_new(BIO_s_mem());
	gsize length = 0;
	const guint8 *data = g_bytes_get_data(der, &length);
	gint type;

	if (length > NHIP_PACKET_MAX_SIZE) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_TOO_LARGE,
			    _("the packet is %zu bytes; the most accepted is %d"), length,
			    NHIP_PACKET_MAX_SIZE);
		return NULL;
	}
	env = cms_from_der(data, length);
	if (env == NULL) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet is not DER CMS (truncated or not a packet)"));
		return NULL;
	}
	type = OBJ_obj2nid(CMS_get0_type(env));
	if (type != NID_id_smime_ct_authEnvelopedData) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
			    _("the packet is CMS %s, not AuthEnvelopedData (AES-256-GCM)"),
			    OBJ_nid2sn(type));
		return NULL;
	}
	if (!cms_has_recipient(env, nhip_identity_get_certificate(identity))) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_WRONG_RECIPIENT,
			    _("the packet is not sealed to this key (“%s”)"),
			    nhip_identity_get_name(identity));
		return NULL;
	}
	if (!CMS_decrypt(env, nhip_identity_get_key(identity),
			 nhip_identity_get_certificate(identity), NULL, out, CMS_BINARY)) {
		openssl_fail(error, NHIP_PACKET_ERROR_TAMPERED,
			     _("the packet fails its authentication check (altered or damaged)"));
		return NULL;
	}
	return bio_to_bytes(out);
}

/* verifies the SignedData; returns the archive and the signer's certificate */
static GBytes *
packet_verify(GBytes *signed_der, X509_STORE *trust, X509 **signer_out, GError **error)
{
	g_autoptr(CMS_ContentInfo) sd = NULL;
	g_autoptr(BIO) out = BIO_new(BIO_s_mem());
	g_autofree gchar *signer_name = NULL;
	STACK_OF(CMS_SignerInfo) * infos;
	X509 *signer = NULL;
	gint rc;

	sd = cms_from_der(g_bytes_get_data(signed_der, NULL), g_bytes_get_size(signed_der));
	if (sd == NULL || OBJ_obj2nid(CMS_get0_type(sd)) != NID_pkcs7_signed ||
	    CMS_get0_content(sd) == NULL || *CMS_get0_content(sd) == NULL) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet does not hold signed content"));
		return NULL;
	}
	infos = CMS_get0_SignerInfos(sd);
	if (sk_CMS_SignerInfo_num(infos) != 1) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet must have exactly one signer"));
		return NULL;
	}
	if (CMS_set1_signers_certs(sd, NULL, 0) < 0)
		ERR_clear_error();
	CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(infos, 0), NULL, &signer, NULL, NULL);
	if (signer == NULL) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet does not carry its signer's certificate"));
		return NULL;
	}
	signer_name = nhip_x509_get_common_name(signer);
	if (signer_name == NULL)
		signer_name = g_strdup("?");
	/* the signature first, the chain after: each failure gets its own reason */
	if (!CMS_verify(sd, NULL, NULL, NULL, out, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY)) {
		g_autofree gchar *why = nhipi_openssl_error();
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_BAD_SIGNATURE,
			    _("the signature of “%s” does not match the packet: %s"), signer_name,
			    why);
		return NULL;
	}
	rc = nhipi_trust_verify(trust, signer, NULL, X509_PURPOSE_SMIME_SIGN);
	if (rc != X509_V_OK) {
		chain_fail(rc, signer_name, error);
		return NULL;
	}
	X509_up_ref(signer);
	*signer_out = signer;
	return bio_to_bytes(out);
}

NhipPacketContents *
nhipi_packet_parse_payload(GBytes *tar, GError **error)
{
	g_autoptr(GPtrArray) members = NULL;
	g_autoptr(NhipPacketContents) contents = g_new0(NhipPacketContents, 1);
	NhipTarMember *first;
	NhipPacketManifest *manifest;

	members = nhipi_tar_read(tar, NHIP_PACKET_MAX_FILES, error);
	if (members == NULL)
		return NULL;
	if (members->len == 0) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet's archive is empty"));
		return NULL;
	}
	first = g_ptr_array_index(members, 0);
	if (g_strcmp0(first->name, MANIFEST_NAME) != 0) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet's archive does not start with manifest.json"));
		return NULL;
	}
	contents->manifest = nhipi_manifest_parse(first->data, error);
	if (contents->manifest == NULL)
		return NULL;
	manifest = contents->manifest;
	if (members->len - 1 != manifest->files->len) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
			    _("the manifest lists %u files but the packet holds %u"),
			    manifest->files->len, members->len - 1);
		return NULL;
	}
	contents->attachments =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);
	for (guint i = 0; i < manifest->files->len; i++) {
		NhipPacketFile *file = g_ptr_array_index(manifest->files, i);
		NhipTarMember *member = g_ptr_array_index(members, i + 1);
		gsize size = g_bytes_get_size(member->data);
		g_autofree gchar *sha = NULL;

		/* the files come in the manifest's order; the first is the body */
		if (g_strcmp0(file->name, member->name) != 0 ||
		    (i == 0 && g_strcmp0(file->name, kind_body_name(manifest->kind)) != 0)) {
			g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet's files do not match its manifest at “%s”"),
				    member->name);
			return NULL;
		}
		sha = nhipi_sha256_hex(g_bytes_get_data(member->data, NULL), size);
		if (file->size != size || g_strcmp0(sha, file->sha256) != 0) {
			g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_BAD_HASH,
				    _("“%s” in the packet differs from its manifest entry "
				      "(SHA-256 or size)"),
				    file->name);
			return NULL;
		}
		if (i == 0)
			contents->body = g_bytes_ref(member->data);
		else
			g_ptr_array_add(
				contents->attachments,
				nhip_packet_attachment_new(file->name, file->type, member->data));
	}
	return g_steal_pointer(&contents);
}

static NhipPacketContents *
packet_open(GBytes *der,
	    NhipIdentity *identity,
	    X509_STORE *trust,
	    NhipPacketKind kind,
	    X509 *expected_signer,
	    GError **error)
{
	g_autoptr(GBytes) signed_der = NULL;
	g_autoptr(GBytes) tar = NULL;
	g_autoptr(X509) signer = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autofree gchar *recipient = NULL;
	NhipPacketManifest *manifest;

	signed_der = packet_decrypt(der, identity, error);
	if (signed_der == NULL)
		return NULL;
	tar = packet_verify(signed_der, trust, &signer, error);
	if (tar == NULL)
		return NULL;
	contents = nhipi_packet_parse_payload(tar, error);
	if (contents == NULL)
		return NULL;
	contents->signer_code = nhip_x509_get_common_name(signer);
	contents->signer_cert = g_steal_pointer(&signer);
	manifest = contents->manifest;
	if (manifest->kind != kind) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
			    _("this is a %s packet where a %s packet was expected"),
			    nhip_packet_kind_to_string(manifest->kind),
			    nhip_packet_kind_to_string(kind));
		return NULL;
	}
	if (kind == NHIP_PACKET_KIND_CASE &&
	    g_strcmp0(manifest->station_code, contents->signer_code) != 0) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_SIGNER_MISMATCH,
			    _("the case claims to come from station “%s” but is signed by “%s”"),
			    manifest->station_code, contents->signer_code);
		return NULL;
	}
	if (kind == NHIP_PACKET_KIND_REPLY) {
		if (X509_cmp(contents->signer_cert, expected_signer) != 0) {
			g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_SIGNER_MISMATCH,
				    _("the reply is signed by “%s”, not by the hub this station "
				      "enrolled with"),
				    contents->signer_code);
			return NULL;
		}
		if (g_strcmp0(manifest->station_code, nhip_identity_get_name(identity)) != 0) {
			g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_WRONG_RECIPIENT,
				    _("the reply is for station “%s”, not for this one (“%s”)"),
				    manifest->station_code, nhip_identity_get_name(identity));
			return NULL;
		}
	}
	recipient = nhip_x509_recipient_id(nhip_identity_get_certificate(identity));
	if (g_strcmp0(manifest->recipient, recipient) != 0) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_WRONG_RECIPIENT,
				    _("the packet was signed for another recipient and sealed "
				      "again to this one (forwarded)"));
		return NULL;
	}
	return g_steal_pointer(&contents);
}

/**
 * nhip_packet_open:
 * @der: a case packet as received
 * @hub_encryption: the hub encryption identity
 * @trust: the district CA and its CRL (nhip_ca_trust_store())
 * @error: return location for a #GError
 *
 * Decrypts and verifies a case packet: sealed to @hub_encryption, signed by a station
 * certificate that chains to @trust now and is not revoked, the manifest's station equal
 * to the signer, the manifest's recipient this hub, every file as hashed in the manifest.
 * Each refusal has its own #NhipPacketError code. Replays are the caller's to check with
 * nhip_packet_replay_check().
 *
 * Returns: (transfer full) (nullable): what the packet holds
 */
NhipPacketContents *
nhip_packet_open(GBytes *der, NhipIdentity *hub_encryption, X509_STORE *trust, GError **error)
{
	g_return_val_if_fail(der != NULL, NULL);
	g_return_val_if_fail(NHIP_IS_IDENTITY(hub_encryption), NULL);
	g_return_val_if_fail(trust != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return packet_open(der, hub_encryption, trust, NHIP_PACKET_KIND_CASE, NULL, error);
}

/**
 * nhip_packet_open_reply:
 * @der: a reply packet as fetched
 * @station: the station's identity
 * @trust: the district CA (a CRL is optional on the station)
 * @hub_signing_cert: the hub signing certificate pinned at enrollment
 * @error: return location for a #GError
 *
 * The station's side of nhip_packet_open(): the packet must be a reply, sealed to
 * @station, addressed to its code, and signed by exactly @hub_signing_cert.
 *
 * Returns: (transfer full) (nullable): what the reply holds
 */
NhipPacketContents *
nhip_packet_open_reply(GBytes *der,
		       NhipIdentity *station,
		       X509_STORE *trust,
		       X509 *hub_signing_cert,
		       GError **error)
{
	g_return_val_if_fail(der != NULL, NULL);
	g_return_val_if_fail(NHIP_IS_IDENTITY(station), NULL);
	g_return_val_if_fail(trust != NULL, NULL);
	g_return_val_if_fail(hub_signing_cert != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return packet_open(der, station, trust, NHIP_PACKET_KIND_REPLY, hub_signing_cert, error);
}

/* ----- replays ----- */

/**
 * nhip_packet_replay_check:
 * @state: what the receiver stored about the sender, for this packet
 * @manifest: the opened packet's manifest
 * @verdict: (out): new or duplicate
 * @error: return location for a #GError
 *
 * Decides whether a verified packet is new, a harmless repeat of one already received
 * (same id and sequence: a retry after a lost receipt), or a replay: a sequence number
 * already used by another packet, the same id with another sequence, or a sequence more
 * than %NHIP_PACKET_REPLAY_WINDOW behind the highest seen. Packets may arrive out of
 * order within the window. Pure: the receiver stores the state.
 *
 * Returns: %TRUE with @verdict set, or %FALSE with %NHIP_PACKET_ERROR_REPLAYED
 */
gboolean
nhip_packet_replay_check(const NhipReplayState *state,
			 const NhipPacketManifest *manifest,
			 NhipReplayVerdict *verdict,
			 GError **error)
{
	g_return_val_if_fail(state != NULL, FALSE);
	g_return_val_if_fail(manifest != NULL, FALSE);
	g_return_val_if_fail(verdict != NULL, FALSE);

	if (manifest->sequence < 1) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
				    _("the packet's sequence number is not positive"));
		return FALSE;
	}
	if (state->sequence_of_packet_id != 0) {
		if (state->sequence_of_packet_id == manifest->sequence) {
			*verdict = NHIP_REPLAY_DUPLICATE;
			return TRUE;
		}
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_REPLAYED,
			    _("packet %s was received before with sequence number %" PRId64
			      ", now with %" PRId64),
			    manifest->packet_id, state->sequence_of_packet_id, manifest->sequence);
		return FALSE;
	}
	if (state->packet_id_at_sequence != NULL) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_REPLAYED,
			    _("sequence number %" PRId64 " of station “%s” was used by another "
			      "packet"),
			    manifest->sequence, manifest->station_code);
		return FALSE;
	}
	if (state->highest_sequence > NHIP_PACKET_REPLAY_WINDOW &&
	    manifest->sequence <= state->highest_sequence - NHIP_PACKET_REPLAY_WINDOW) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_REPLAYED,
			    _("sequence number %" PRId64 " is too far behind the highest seen "
			      "(%" PRId64 ")"),
			    manifest->sequence, state->highest_sequence);
		return FALSE;
	}
	*verdict = NHIP_REPLAY_NEW;
	return TRUE;
}
