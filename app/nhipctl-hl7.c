/*
 * nhipctl — the HL7 v2 commands: `export hl7`, `hl7 parse`, `hl7 send`, `hl7 flush`,
 * `hl7 listen`.
 *
 * A message that cannot be delivered is saved under the database's folder
 * (`outbox/hl7-<control id>.er7`, written with fsync and rename) and queued in the outbox,
 * so that nothing is lost when the HIS is down. `hl7 flush` sends the queue in order and
 * removes a saved message once the receiver acknowledged it (AA); one flush runs at a time
 * (a lock on `outbox/.hl7-flush.lock`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "nhip-export-hl7.h"
#include "nhip-hl7.h"
#include "nhip-json.h"
#include "nhip-outbox.h"
#include "nhipctl-private.h"

/* how long `hl7 listen --count N` waits for the last sender to read its ACK and hang up */
#define HL7_LISTEN_LINGER_MS 5000

/* print the error; the HL7 and export layers report bad input, files may be missing */
static gint
hl7_fail(GError *error)
{
	gint status = nhipctl_fail(error);

	if (error->domain == NHIP_EXPORT_ERROR || error->domain == NHIP_HL7_ERROR)
		return EXIT_BAD_INPUT;
	if (error->domain == G_FILE_ERROR)
		return error->code == G_FILE_ERROR_NOENT ? EXIT_NOT_FOUND : EXIT_BAD_INPUT;
	return status;
}

static gboolean
hl7_parse_type(const gchar *text, NhipExportHl7Type *type)
{
	if (text == NULL) {
		*type = NHIP_EXPORT_HL7_ORU_R01;
		return TRUE;
	}
	return nhip_export_hl7_type_from_string(text, type);
}

/* ----- export hl7 ----- */

static gint
cmd_export_hl7(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autofree gchar *type_text = NULL;
	NhipExportHl7Type type = NHIP_EXPORT_HL7_ORU_R01;
	gint64 id = 0;
	gsize length = 0;
	const gchar *data;
	GOptionEntry entries[] = {
		{ "type", 't', 0, G_OPTION_ARG_STRING, &type_text,
		  N_("Message type: oru (the default), adt-a04 or adt-a08"), "TYPE" },
		{ NULL },
	};

	if (!nhipctl_parse("VISIT_ID",
			   _("Write a visit as an HL7 v2.5.1 message (ER7, segments end with CR)."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(
			_("usage: nhipctl export hl7 VISIT_ID [--type oru|adt-a04|adt-a08]"));
	if (!hl7_parse_type(type_text, &type))
		return nhipctl_usage_error(_("--type must be oru, adt-a04 or adt-a08"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	message = nhip_export_hl7_visit(store, id, type, NULL, &error);
	if (message == NULL)
		return hl7_fail(error);
	bytes = nhip_hl7_message_to_bytes(message);
	data = g_bytes_get_data(bytes, &length);
	if (!nhipctl_write_stdout(data, length, &error))
		return nhipctl_fail(error);
	/* the standard ends segments with CR only; a terminal also wants a line feed */
	if (isatty(STDOUT_FILENO) && !nhipctl_write_stdout("\n", 1, &error))
		return nhipctl_fail(error);
	return EXIT_OK;
}

/* ----- hl7 parse ----- */

/* a leaf value, decoded */
static void
hl7_json_leaf(NhipHl7Message *message, JsonBuilder *builder, const gchar *raw)
{
	g_autofree gchar *value = nhip_hl7_message_unescape(message, raw, NULL);
	/* the parser checked every escape already; keep the text if one still fails */
	json_builder_add_string_value(builder, value != NULL ? value : raw);
}

/* a component: a string, or an array of its subcomponents */
static void
hl7_json_component(NhipHl7Message *message,
		   JsonBuilder *builder,
		   const gchar *raw,
		   gchar subcomponent)
{
	g_auto(GStrv) parts = NULL;
	gchar separator[2] = { subcomponent, '\0' };

	if (subcomponent == '\0' || strchr(raw, subcomponent) == NULL) {
		hl7_json_leaf(message, builder, raw);
		return;
	}
	parts = g_strsplit(raw, separator, -1);
	json_builder_begin_array(builder);
	for (guint i = 0; parts[i] != NULL; i++)
		hl7_json_leaf(message, builder, parts[i]);
	json_builder_end_array(builder);
}

/* a repetition: a string, or an array of components */
static void
hl7_json_repetition(NhipHl7Message *message, JsonBuilder *builder, const gchar *raw)
{
	const gchar *delimiters = nhip_hl7_message_get_delimiters(message);
	gchar component[2] = { delimiters[1], '\0' };
	gchar subcomponent = strlen(delimiters) >= 5 ? delimiters[4] : '\0';
	g_auto(GStrv) parts = NULL;

	if (strchr(raw, component[0]) == NULL) {
		if (subcomponent != '\0' && strchr(raw, subcomponent) != NULL) {
			/* one component made of subcomponents */
			json_builder_begin_array(builder);
			hl7_json_component(message, builder, raw, subcomponent);
			json_builder_end_array(builder);
			return;
		}
		hl7_json_leaf(message, builder, raw);
		return;
	}
	parts = g_strsplit(raw, component, -1);
	json_builder_begin_array(builder);
	for (guint i = 0; parts[i] != NULL; i++)
		hl7_json_component(message, builder, parts[i], subcomponent);
	json_builder_end_array(builder);
}

/* a field: a string, an array of components, or {"repetitions": [...]} */
static void
hl7_json_field(NhipHl7Message *message, JsonBuilder *builder, const gchar *raw)
{
	const gchar *delimiters = nhip_hl7_message_get_delimiters(message);
	gchar repetition[2] = { delimiters[2], '\0' };
	g_auto(GStrv) parts = NULL;

	if (strchr(raw, repetition[0]) == NULL) {
		hl7_json_repetition(message, builder, raw);
		return;
	}
	parts = g_strsplit(raw, repetition, -1);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "repetitions");
	json_builder_begin_array(builder);
	for (guint i = 0; parts[i] != NULL; i++)
		hl7_json_repetition(message, builder, parts[i]);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

/* the path of field @field of the segment at @index, e.g. `OBX[2]-5` or `PID-3` */
static gchar *
hl7_field_label(NhipHl7Message *message, guint index, guint field, gboolean with_occurrence)
{
	const gchar *id = nhip_hl7_message_get_segment_id(message, index);
	guint occurrence = 0;

	for (guint i = 0; i <= index; i++) {
		if (g_strcmp0(nhip_hl7_message_get_segment_id(message, i), id) == 0)
			occurrence++;
	}
	if (with_occurrence || nhip_hl7_message_count_segments(message, id) > 1)
		return g_strdup_printf("%s[%u]-%u", id, occurrence, field);
	return g_strdup_printf("%s-%u", id, field);
}

static gboolean
hl7_print_json(NhipHl7Message *message, GError **error)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	const gchar *header_paths[][2] = {
		{ "message_type", "MSH-9" },
		{ "control_id", "MSH-10" },
		{ "version", "MSH-12" },
		{ "character_set", "MSH-18" },
	};

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "delimiters");
	json_builder_add_string_value(builder, nhip_hl7_message_get_delimiters(message));
	for (guint i = 0; i < G_N_ELEMENTS(header_paths); i++) {
		g_autofree gchar *raw =
			nhip_hl7_message_get_raw(message, header_paths[i][1], error);
		if (raw == NULL)
			return FALSE;
		json_builder_set_member_name(builder, header_paths[i][0]);
		json_builder_add_string_value(builder, raw);
	}
	json_builder_set_member_name(builder, "segments");
	json_builder_begin_array(builder);
	for (guint s = 0; s < nhip_hl7_message_get_n_segments(message); s++) {
		guint n_fields = nhip_hl7_message_get_n_fields(message, s);
		gboolean msh = s == 0;

		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "id");
		json_builder_add_string_value(builder, nhip_hl7_message_get_segment_id(message, s));
		/* fields[n - 1] is SEG-n, as HL7 counts (MSH-1 is the field separator) */
		json_builder_set_member_name(builder, "fields");
		json_builder_begin_array(builder);
		for (guint f = 1; f <= n_fields; f++) {
			g_autofree gchar *path = hl7_field_label(message, s, f, TRUE);
			g_autofree gchar *raw = nhip_hl7_message_get_raw(message, path, error);
			if (raw == NULL)
				return FALSE;
			if (msh && f <= 2)
				json_builder_add_string_value(builder, raw);
			else
				hl7_json_field(message, builder, raw);
		}
		json_builder_end_array(builder);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	nhipctl_print_json(builder);
	return TRUE;
}

/* one line per non-empty field: its path, a tab and its encoded text */
static gboolean
hl7_print_text(NhipHl7Message *message, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);

	for (guint s = 0; s < nhip_hl7_message_get_n_segments(message); s++) {
		guint n_fields = nhip_hl7_message_get_n_fields(message, s);
		for (guint f = 1; f <= n_fields; f++) {
			g_autofree gchar *label = hl7_field_label(message, s, f, FALSE);
			g_autofree gchar *path = hl7_field_label(message, s, f, TRUE);
			g_autofree gchar *raw = nhip_hl7_message_get_raw(message, path, error);
			if (raw == NULL)
				return FALSE;
			if (raw[0] == '\0')
				continue;
			g_string_append_printf(out, "%s\t%s\n", label, raw);
		}
	}
	return nhipctl_write_stdout(out->str, out->len, error);
}

static gboolean
hl7_read_input(const gchar *path, gchar **contents, gsize *length, GError **error)
{
	g_autoptr(GByteArray) data = NULL;
	guint8 buffer[65536] = { 0 };

	if (g_strcmp0(path, "-") != 0)
		return g_file_get_contents(path, contents, length, error);
	data = g_byte_array_new();
	for (;;) {
		gsize n = fread(buffer, 1, sizeof(buffer), stdin);
		if (n > 0)
			g_byte_array_append(data, buffer, (guint)n);
		if (n < sizeof(buffer))
			break;
	}
	if (ferror(stdin)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
			    _("cannot read standard input: %s"), g_strerror(errno));
		return FALSE;
	}
	*length = data->len;
	g_byte_array_append(data, (const guint8 *)"", 1);
	*contents = (gchar *)g_byte_array_free(g_steal_pointer(&data), FALSE);
	return TRUE;
}

static gint
cmd_hl7_parse(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) message = NULL;
	g_autofree gchar *contents = NULL;
	gboolean json = global->json;
	gsize length = 0;
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  N_("Print JSON: segments with their fields, components and repetitions"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("FILE",
			   _("Check an HL7 v2 message (ER7) and print its fields; “-” reads "
			     "standard input."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl hl7 parse FILE [--json]"));
	if (!hl7_read_input(argv[1], &contents, &length, &error))
		return hl7_fail(error);
	message = nhip_hl7_message_parse(contents, length, &error);
	if (message == NULL) {
		g_prefix_error(&error, "%s: ", argv[1]);
		return hl7_fail(error);
	}
	if (!(json ? hl7_print_json(message, &error) : hl7_print_text(message, &error)))
		return nhipctl_fail(error);
	return EXIT_OK;
}

/* ----- hl7 send ----- */

/* only letters, digits, dot, dash and underscore go into a file name */
static gchar *
hl7_file_safe(const gchar *text)
{
	gchar *safe = g_strdup(text != NULL && text[0] != '\0' ? text : "message");

	for (gchar *p = safe; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != '_')
			*p = '_';
	}
	if (safe[0] == '.')
		safe[0] = '_';
	return safe;
}

static gboolean
hl7_write_all(gint fd, const gchar *data, gsize length)
{
	gsize written = 0;

	while (written < length) {
		gssize n = write(fd, data + written, length - written);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		written += (gsize)n;
	}
	return TRUE;
}

/* <dbdir>/outbox, made when missing */
static gchar *
hl7_outbox_dir(NhipStore *store, GError **error)
{
	g_autofree gchar *db_path = g_canonicalize_filename(nhip_store_get_path(store), NULL);
	g_autofree gchar *db_dir = g_path_get_dirname(db_path);
	g_autofree gchar *dir = g_build_filename(db_dir, "outbox", NULL);

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot create the folder %s: %s"), dir, g_strerror(errno));
		return NULL;
	}
	return g_steal_pointer(&dir);
}

/* saves the message as <dbdir>/outbox/hl7-<control id>.er7: temporary file, fsync,
 * rename, fsync of the folder, so the file is whole or absent after a power cut */
static gchar *
hl7_outbox_save(NhipStore *store, const gchar *control_id, GBytes *bytes, GError **error)
{
	g_autofree gchar *dir = hl7_outbox_dir(store, error);
	g_autofree gchar *safe = hl7_file_safe(control_id);
	g_autofree gchar *name = g_strdup_printf("hl7-%s.er7", safe);
	g_autofree gchar *final_path = NULL;
	g_autofree gchar *tmp_path = NULL;
	gsize length = 0;
	const gchar *data = g_bytes_get_data(bytes, &length);
	gint fd;
	gint dir_fd;
	gint saved_errno;

	if (dir == NULL)
		return NULL;
	final_path = g_build_filename(dir, name, NULL);
	tmp_path = g_build_filename(dir, ".incoming-hl7-XXXXXX", NULL);
	fd = g_mkstemp_full(tmp_path, O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot create a file in %s: %s"), dir, g_strerror(errno));
		return NULL;
	}
	if (!hl7_write_all(fd, data, length) || fsync(fd) != 0) {
		saved_errno = errno;
		close(fd);
		g_unlink(tmp_path);
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot save the message in %s: %s"), dir, g_strerror(saved_errno));
		return NULL;
	}
	if (close(fd) != 0 || g_rename(tmp_path, final_path) != 0) {
		saved_errno = errno;
		g_unlink(tmp_path);
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot save the message as %s: %s"), final_path,
			    g_strerror(saved_errno));
		return NULL;
	}
	dir_fd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dir_fd < 0 || fsync(dir_fd) != 0) {
		saved_errno = errno;
		if (dir_fd >= 0)
			close(dir_fd);
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot make the folder %s durable: %s"), dir,
			    g_strerror(saved_errno));
		return NULL;
	}
	close(dir_fd);
	return g_steal_pointer(&final_path);
}

/* errors of the way to the receiver, not of the message: worth sending again later */
static gboolean
hl7_error_is_transport(const GError *error)
{
	return g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TIMED_OUT) ||
	       g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION) ||
	       g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PROTOCOL) ||
	       g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TLS);
}

/* where to send and how: the options `hl7 send` and `hl7 flush` share */
typedef struct {
	gchar *host;
	gint port;
	gint timeout;
	gint retries;
	gboolean tls;
	gchar *ca_file;
} Hl7Peer;

static void
hl7_peer_clear(Hl7Peer *peer)
{
	g_free(peer->host);
	g_free(peer->ca_file);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Hl7Peer, hl7_peer_clear)

/* fills @entries (room for 7) with the peer's options and the end row */
static void
hl7_peer_entries(Hl7Peer *peer, GOptionEntry *entries, const gchar *retries_help)
{
	GOptionEntry list[] = {
		{ "host", 0, 0, G_OPTION_ARG_STRING, &peer->host,
		  N_("Receiver's host name or address"), "H" },
		{ "port", 0, 0, G_OPTION_ARG_INT, &peer->port, N_("Receiver's TCP port"), "P" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &peer->timeout,
		  N_("Seconds to wait for the connection and for the ACK (default 10 and 30)"),
		  "S" },
		{ "retries", 0, 0, G_OPTION_ARG_INT, &peer->retries, retries_help, "N" },
		{ "tls", 0, 0, G_OPTION_ARG_NONE, &peer->tls, N_("Speak TLS"), NULL },
		{ "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &peer->ca_file,
		  N_("Trust the receiver's certificate if this CA signed it (with --tls)"), "F" },
		{ NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(list); i++)
		entries[i] = list[i];
}

static gboolean
hl7_peer_is_valid(const Hl7Peer *peer)
{
	return peer->host != NULL && peer->port > 0 && peer->port <= G_MAXUINT16 &&
	       peer->timeout >= 0 && peer->retries >= -1 && peer->retries <= 100;
}

static NhipMllpClient *
hl7_peer_client(const Hl7Peer *peer, GError **error)
{
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new(peer->host, (guint16)peer->port);

	if (peer->timeout > 0)
		nhip_mllp_client_set_timeouts(client, (guint)peer->timeout * 1000,
					      (guint)peer->timeout * 1000);
	if (peer->retries >= 0)
		nhip_mllp_client_set_retry(client, (guint)peer->retries + 1, 1000, 60000);
	if (peer->tls)
		nhip_mllp_client_set_tls(client, TRUE);
	if (peer->ca_file != NULL &&
	    !nhip_mllp_client_set_tls_ca_file(client, peer->ca_file, error))
		return NULL;
	return g_steal_pointer(&client);
}

static gint
cmd_hl7_send(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(NhipHl7Ack) ack = NULL;
	g_autofree gchar *type_text = NULL;
	g_autofree gchar *control_id = NULL;
	g_auto(Hl7Peer) peer = { .retries = -1 };
	NhipExportHl7Type type = NHIP_EXPORT_HL7_ORU_R01;
	gint64 id = 0;
	GOptionEntry entries[8] = { { NULL } };

	hl7_peer_entries(&peer, entries,
			 N_("Attempts after the first, with pauses of 1, 2, 4… s (default 4)"));
	entries[6] = (GOptionEntry){
		"type",	    't',
		0,	    G_OPTION_ARG_STRING,
		&type_text, N_("Message type: oru (the default), adt-a04 or adt-a08"),
		"TYPE"
	};
	if (!nhipctl_parse("VISIT_ID",
			   _("Send a visit's HL7 message over MLLP and print the ACK code; an "
			     "undelivered message goes into the outbox."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || !hl7_peer_is_valid(&peer))
		return nhipctl_usage_error(
			_("usage: nhipctl hl7 send --host H --port P VISIT_ID [--type TYPE] "
			  "[--timeout S] [--retries N]"));
	if (!hl7_parse_type(type_text, &type))
		return nhipctl_usage_error(_("--type must be oru, adt-a04 or adt-a08"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	message = nhip_export_hl7_visit(store, id, type, NULL, &error);
	if (message == NULL)
		return hl7_fail(error);
	control_id = nhip_hl7_message_get_value(message, "MSH-10", NULL);

	client = hl7_peer_client(&peer, &error);
	if (client == NULL)
		return hl7_fail(error);
	ack = nhip_mllp_client_send(client, message, NULL, &error);
	if (ack == NULL) {
		g_autoptr(GError) error_queue = NULL;
		g_autoptr(GBytes) bytes = NULL;
		g_autofree gchar *saved = NULL;
		gint64 outbox_id;

		if (!hl7_error_is_transport(error))
			return hl7_fail(error);
		bytes = nhip_hl7_message_to_bytes(message);
		saved = hl7_outbox_save(store, control_id, bytes, &error_queue);
		outbox_id = saved != NULL
				    ? nhip_outbox_enqueue(store, "hl7", saved, 0, &error_queue)
				    : 0;
		if (outbox_id == 0) {
			if (saved != NULL)
				g_unlink(saved);
			g_prefix_error(&error_queue,
				       _("message %s not delivered (%s) and not queued: "),
				       control_id, error->message);
			return nhipctl_fail(error_queue);
		}
		g_prefix_error(&error,
			       _("message %s not delivered after %u attempts; queued as outbox "
				 "item %" PRId64 " (%s): "),
			       control_id, nhip_mllp_client_get_last_attempts(client), outbox_id,
			       saved);
		nhipctl_fail(error);
		return EXIT_STORAGE;
	}
	g_print("%s\n", nhip_hl7_ack_code_to_string(nhip_hl7_ack_get_code(ack)));
	if (!nhip_hl7_ack_check(ack, &error))
		return hl7_fail(error);
	return EXIT_OK;
}

/* ----- hl7 flush ----- */

typedef enum {
	HL7_FLUSH_DELIVERED,
	HL7_FLUSH_RETRY,
	HL7_FLUSH_FAILED,
	HL7_FLUSH_NOT_SENT,
} Hl7FlushResult;

static const gchar *const hl7_flush_results[] = {
	[HL7_FLUSH_DELIVERED] = "delivered",
	[HL7_FLUSH_RETRY] = "retry",
	[HL7_FLUSH_FAILED] = "failed",
	[HL7_FLUSH_NOT_SENT] = "not-sent",
};

/* what became of one item; no patient data, only ids, codes and reasons */
typedef struct {
	gint64 id;
	gchar *control_id;
	Hl7FlushResult result;
	gchar *ack_code;
	gchar *reason;
	gint64 next_try_at;
} Hl7FlushReport;

static void
hl7_flush_report_free(Hl7FlushReport *report)
{
	g_free(report->control_id);
	g_free(report->ack_code);
	g_free(report->reason);
	g_free(report);
}

/* takes the flush lock, or fails when another flush holds it */
static gint
hl7_flush_lock(NhipStore *store, GError **error)
{
	g_autofree gchar *dir = hl7_outbox_dir(store, error);
	g_autofree gchar *path = NULL;
	gint fd;

	if (dir == NULL)
		return -1;
	path = g_build_filename(dir, ".hl7-flush.lock", NULL);
	fd = g_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot open the lock file %s: %s"), path, g_strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		gint saved_errno = errno;
		close(fd);
		if (saved_errno == EWOULDBLOCK) {
			g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
					    _("another “nhipctl hl7 flush” is sending the outbox; "
					      "try again when it has finished"));
		} else {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
				    _("cannot lock %s: %s"), path, g_strerror(saved_errno));
		}
		return -1;
	}
	return fd;
}

/* a message that cannot be read back is refused for good: no retry can fix it */
static NhipHl7Message *
hl7_flush_load(NhipStore *store, const NhipOutboxItem *item, Hl7FlushReport *report, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *contents = NULL;
	gsize length = 0;
	NhipHl7Message *message = NULL;

	if (g_file_get_contents(item->payload_ref, &contents, &length, &error_local))
		message = nhip_hl7_message_parse(contents, length, &error_local);
	if (message != NULL)
		return message;
	report->result = HL7_FLUSH_FAILED;
	report->reason = g_strdup_printf(_("the saved message %s cannot be sent: %s"),
					 item->payload_ref, error_local->message);
	nhip_outbox_mark_failed(store, item->id, report->reason, error);
	return NULL;
}

/* sends one item; %FALSE on a storage error, with @report->result HL7_FLUSH_NOT_SENT when
 * the receiver could not be reached (the flush stops there) */
static gboolean
hl7_flush_one(NhipStore *store,
	      NhipMllpClient *client,
	      const NhipOutboxItem *item,
	      Hl7FlushReport *report,
	      GError **error)
{
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(NhipHl7Ack) ack = NULL;
	g_autoptr(GError) error_send = NULL;
	NhipHl7AckCode code;
	const gchar *text;

	message = hl7_flush_load(store, item, report, error);
	if (message == NULL)
		return error == NULL || *error == NULL;
	report->control_id = nhip_hl7_message_get_value(message, "MSH-10", NULL);
	if (!nhip_outbox_mark_sending(store, item->id, error))
		return FALSE;
	ack = nhip_mllp_client_send(client, message, NULL, &error_send);
	if (ack == NULL) {
		/* the way to the receiver is down: hold the whole queue behind this item */
		report->result = HL7_FLUSH_NOT_SENT;
		report->reason = g_strdup(error_send->message);
		return nhip_outbox_mark_attempt(store, item->id, report->reason,
						&report->next_try_at, error) &&
		       nhip_outbox_postpone(store, item->kind, report->next_try_at, error);
	}
	code = nhip_hl7_ack_get_code(ack);
	text = nhip_hl7_ack_get_text(ack);
	report->ack_code = g_strdup(nhip_hl7_ack_code_to_string(code));
	switch (code) {
	case NHIP_HL7_ACK_CODE_AA:
	case NHIP_HL7_ACK_CODE_CA:
		report->result = HL7_FLUSH_DELIVERED;
		if (!nhip_outbox_mark_delivered(store, item->id, error))
			return FALSE;
		/* only now that the delivery is on record */
		if (g_unlink(item->payload_ref) != 0 && errno != ENOENT)
			g_message("cannot remove the delivered message %s: %s", item->payload_ref,
				  g_strerror(errno));
		return TRUE;
	case NHIP_HL7_ACK_CODE_AE:
	case NHIP_HL7_ACK_CODE_CE:
		/* an application error at the receiver may pass: try again later */
		report->result = HL7_FLUSH_RETRY;
		report->reason = g_strdup_printf("%s: %s", report->ack_code,
						 text != NULL ? text : _("no reason given"));
		return nhip_outbox_mark_attempt(store, item->id, report->reason,
						&report->next_try_at, error);
	case NHIP_HL7_ACK_CODE_AR:
	case NHIP_HL7_ACK_CODE_CR:
	default:
		/* refused: sending it again would not help */
		report->result = HL7_FLUSH_FAILED;
		report->reason = g_strdup_printf("%s: %s", report->ack_code,
						 text != NULL ? text : _("no reason given"));
		return nhip_outbox_mark_failed(store, item->id, report->reason, error);
	}
}

static void
hl7_flush_print(GPtrArray *reports, guint n_recovered, guint n_waiting, gboolean json)
{
	guint counts[G_N_ELEMENTS(hl7_flush_results)] = { 0 };

	for (guint i = 0; i < reports->len; i++) {
		const Hl7FlushReport *report = g_ptr_array_index(reports, i);
		counts[report->result]++;
	}
	if (json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_int(builder, "delivered", counts[HL7_FLUSH_DELIVERED]);
		nhip_json_add_int(builder, "retry", counts[HL7_FLUSH_RETRY]);
		nhip_json_add_int(builder, "failed", counts[HL7_FLUSH_FAILED]);
		nhip_json_add_int(builder, "not_sent", counts[HL7_FLUSH_NOT_SENT]);
		nhip_json_add_int(builder, "recovered", n_recovered);
		nhip_json_add_int(builder, "still_queued", n_waiting);
		json_builder_set_member_name(builder, "items");
		json_builder_begin_array(builder);
		for (guint i = 0; i < reports->len; i++) {
			const Hl7FlushReport *report = g_ptr_array_index(reports, i);
			json_builder_begin_object(builder);
			nhip_json_add_int(builder, "id", report->id);
			nhip_json_add_string(builder, "control_id", report->control_id);
			nhip_json_add_string(builder, "result", hl7_flush_results[report->result]);
			nhip_json_add_string(builder, "ack", report->ack_code);
			nhip_json_add_string(builder, "error", report->reason);
			if (report->next_try_at > 0)
				nhip_json_add_time(builder, "next_try_at", report->next_try_at);
			else
				nhip_json_add_string(builder, "next_try_at", NULL);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
		return;
	}
	for (guint i = 0; i < reports->len; i++) {
		const Hl7FlushReport *report = g_ptr_array_index(reports, i);
		g_autofree gchar *when = nhip_format_time(report->next_try_at);
		switch (report->result) {
		case HL7_FLUSH_DELIVERED:
			g_print(_("outbox item %" PRId64 " (message %s): delivered (%s)\n"),
				report->id, report->control_id, report->ack_code);
			break;
		case HL7_FLUSH_RETRY:
			g_print(_("outbox item %" PRId64 " (message %s): %s; next try at %s\n"),
				report->id, report->control_id, report->reason, when);
			break;
		case HL7_FLUSH_FAILED:
			g_print(_("outbox item %" PRId64 ": refused for good: %s\n"), report->id,
				report->reason);
			break;
		case HL7_FLUSH_NOT_SENT:
		default:
			g_print(_("outbox item %" PRId64 " (message %s): not delivered: %s; next "
				  "try at %s\n"),
				report->id, report->control_id, report->reason, when);
			break;
		}
	}
	g_print(_("%u delivered, %u to retry, %u refused, %u still queued\n"),
		counts[HL7_FLUSH_DELIVERED], counts[HL7_FLUSH_RETRY], counts[HL7_FLUSH_FAILED],
		n_waiting);
}

/* the flush itself, under the lock: recover, then send what is due in queue order */
static gboolean
hl7_flush_run(NhipStore *store,
	      NhipMllpClient *client,
	      gboolean now,
	      GPtrArray *reports,
	      guint *n_recovered,
	      guint *n_waiting,
	      GError **error)
{
	g_autoptr(GPtrArray) items = NULL;
	g_autoptr(GPtrArray) waiting = NULL;
	gint64 due_by = now ? G_MAXINT64 : g_get_real_time() / G_USEC_PER_SEC;

	/* a flush that died left its message `sending`: it goes again (at least once) */
	if (!nhip_outbox_recover(store, "hl7", n_recovered, error))
		return FALSE;
	items = nhip_outbox_list_due(store, "hl7", due_by, 0, error);
	if (items == NULL)
		return FALSE;
	for (guint i = 0; i < items->len; i++) {
		const NhipOutboxItem *item = g_ptr_array_index(items, i);
		Hl7FlushReport *report = g_new0(Hl7FlushReport, 1);

		report->id = item->id;
		g_ptr_array_add(reports, report);
		if (!hl7_flush_one(store, client, item, report, error))
			return FALSE;
		if (report->result == HL7_FLUSH_NOT_SENT)
			break;
	}
	waiting = nhip_outbox_list_due(store, "hl7", G_MAXINT64, 0, error);
	if (waiting == NULL)
		return FALSE;
	*n_waiting = waiting->len;
	return TRUE;
}

static gint
cmd_hl7_flush(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(GPtrArray) reports =
		g_ptr_array_new_with_free_func((GDestroyNotify)hl7_flush_report_free);
	g_auto(Hl7Peer) peer = { .retries = 0 };
	const Hl7FlushReport *last;
	gboolean json = global->json;
	gboolean now = FALSE;
	gboolean refused = FALSE;
	gboolean ok;
	guint n_recovered = 0;
	guint n_waiting = 0;
	gint lock_fd;
	GOptionEntry entries[9] = { { NULL } };

	hl7_peer_entries(&peer, entries,
			 N_("Attempts per message after the first, with pauses of 1, 2, 4… s "
			    "(default 0: the outbox tries again later)"));
	entries[6] = (GOptionEntry){ "now",
				     0,
				     0,
				     G_OPTION_ARG_NONE,
				     &now,
				     N_("Send every queued message now, even those whose next try "
					"is later"),
				     NULL };
	entries[7] = (GOptionEntry){ "json", 0,
				     0,	     G_OPTION_ARG_NONE,
				     &json,  N_("Print what became of each message as JSON"),
				     NULL };
	if (!nhipctl_parse("",
			   _("Send the HL7 messages waiting in the outbox, in order, over MLLP; "
			     "stop at the first connection failure."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1 || !hl7_peer_is_valid(&peer))
		return nhipctl_usage_error(
			_("usage: nhipctl hl7 flush --host H --port P [--tls] [--ca-file F] "
			  "[--timeout S] [--retries N] [--now] [--json]"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	client = hl7_peer_client(&peer, &error);
	if (client == NULL)
		return hl7_fail(error);
	lock_fd = hl7_flush_lock(store, &error);
	if (lock_fd < 0)
		return nhipctl_fail(error);
	ok = hl7_flush_run(store, client, now, reports, &n_recovered, &n_waiting, &error);
	close(lock_fd);
	if (!ok)
		return nhipctl_fail(error);
	hl7_flush_print(reports, n_recovered, n_waiting, json);

	for (guint i = 0; i < reports->len; i++) {
		const Hl7FlushReport *report = g_ptr_array_index(reports, i);
		refused |= report->result == HL7_FLUSH_RETRY || report->result == HL7_FLUSH_FAILED;
	}
	last = reports->len > 0 ? g_ptr_array_index(reports, reports->len - 1) : NULL;
	if (last != NULL && last->result == HL7_FLUSH_NOT_SENT) {
		g_set_error(&error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION,
			    g_dngettext(GETTEXT_PACKAGE,
					"the receiver could not be reached (%s); %u message stays "
					"in the outbox",
					"the receiver could not be reached (%s); %u messages stay "
					"in the outbox",
					n_waiting),
			    last->reason, n_waiting);
		nhipctl_fail(error);
		return EXIT_STORAGE;
	}
	return refused ? EXIT_BAD_INPUT : EXIT_OK;
}

/* ----- hl7 listen ----- */

typedef struct {
	GMainLoop *loop;
	NhipMllpListener *listener;
	guint count;
	gint64 count_reached_at;
	guint check_id;
	gboolean write_failed;
} Hl7Listen;

/* prints each message that parsed, segments on lines of their own, then answers AA as the
 * listener would without a handler */
static NhipHl7Message *
hl7_listen_handler(NhipMllpListener *listener,
		   NhipHl7Message *message,
		   gpointer user_data,
		   GError **error)
{
	Hl7Listen *state = user_data;
	g_autofree gchar *text = nhip_hl7_message_to_string(message);

	g_strdelimit(text, "\r", '\n');
	if (fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 || fflush(stdout) != 0)
		state->write_failed = TRUE;
	return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AA, 0, NULL, error);
}

/* with --count, stop once N frames came in and their senders hung up (or after a while) */
static gboolean
hl7_listen_check_cb(gpointer user_data)
{
	Hl7Listen *state = user_data;
	gint64 now = g_get_monotonic_time();

	if (state->count == 0 || nhip_mllp_listener_get_n_messages(state->listener) < state->count)
		return G_SOURCE_CONTINUE;
	if (state->count_reached_at == 0)
		state->count_reached_at = now;
	if (nhip_mllp_listener_get_n_active(state->listener) == 0 ||
	    now - state->count_reached_at > HL7_LISTEN_LINGER_MS * 1000) {
		g_main_loop_quit(state->loop);
		state->check_id = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
hl7_listen_signal_cb(gpointer user_data)
{
	Hl7Listen *state = user_data;
	g_main_loop_quit(state->loop);
	return G_SOURCE_CONTINUE;
}

static gint
cmd_hl7_listen(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipMllpListener) listener = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autofree gchar *address = NULL;
	g_autofree gchar *cert_file = NULL;
	g_autofree gchar *key_file = NULL;
	Hl7Listen state = { 0 };
	gint port = -1;
	gint count = 0;
	guint sigint_id;
	guint sigterm_id;
	GOptionEntry entries[] = {
		{ "port", 0, 0, G_OPTION_ARG_INT, &port, N_("TCP port, 0 for any free one"), "P" },
		{ "address", 0, 0, G_OPTION_ARG_STRING, &address,
		  N_("Local address to listen on (default: all)"), "A" },
		{ "count", 0, 0, G_OPTION_ARG_INT, &count, N_("Stop after N messages"), "N" },
		{ "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file,
		  N_("Speak TLS with this certificate (PEM)"), "F" },
		{ "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
		  N_("The certificate's private key (PEM)"), "F" },
		{ NULL },
	};

	if (!nhipctl_parse("",
			   _("Receive HL7 messages over MLLP, print them and answer their ACKs."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1 || port < 0 || port > G_MAXUINT16 || count < 0 ||
	    (cert_file == NULL) != (key_file == NULL))
		return nhipctl_usage_error(_("usage: nhipctl hl7 listen --port P [--count N] "
					     "[--address A] [--tls-cert F --tls-key F]"));
	listener = nhip_mllp_listener_new();
	if (cert_file != NULL &&
	    !nhip_mllp_listener_set_tls_files(listener, cert_file, key_file, &error))
		return hl7_fail(error);
	loop = g_main_loop_new(NULL, FALSE);
	state.loop = loop;
	state.listener = listener;
	state.count = (guint)count;
	nhip_mllp_listener_set_handler(listener, hl7_listen_handler, &state, NULL);
	if (!nhip_mllp_listener_listen(listener, address, (guint16)port, &error)) {
		nhipctl_fail(error);
		return EXIT_STORAGE;
	}
	/* on standard error, so that standard output holds only messages; scripts wait for
	 * this line and read the port from it */
	g_printerr(_("nhipctl: listening for HL7 messages on port %u\n"),
		   (guint)nhip_mllp_listener_get_port(listener));
	state.check_id = g_timeout_add(50, hl7_listen_check_cb, &state);
	sigint_id = g_unix_signal_add(SIGINT, hl7_listen_signal_cb, &state);
	sigterm_id = g_unix_signal_add(SIGTERM, hl7_listen_signal_cb, &state);
	g_main_loop_run(loop);
	if (state.check_id != 0)
		g_source_remove(state.check_id);
	g_source_remove(sigint_id);
	g_source_remove(sigterm_id);
	nhip_mllp_listener_stop(listener);
	if (state.write_failed) {
		g_set_error(&error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot write to standard output: %s"), g_strerror(EIO));
		return nhipctl_fail(error);
	}
	return EXIT_OK;
}

const NhipctlCommand nhipctl_hl7_commands[] = {
	{ "export", "hl7", "VISIT_ID [--type oru|adt-a04|adt-a08]",
	  N_("write a visit as an HL7 v2.5.1 message"), cmd_export_hl7 },
	{ "hl7", "parse", "FILE [--json]", N_("check an HL7 message and print its fields"),
	  cmd_hl7_parse },
	{ "hl7", "send", "--host H --port P VISIT_ID [--type T]",
	  N_("send a visit's HL7 message over MLLP"), cmd_hl7_send },
	{ "hl7", "flush", "--host H --port P [--now] [--json]",
	  N_("send the HL7 messages waiting in the outbox"), cmd_hl7_flush },
	{ "hl7", "listen", "--port P [--count N]", N_("receive HL7 messages over MLLP"),
	  cmd_hl7_listen },
	{ NULL },
};
