/*
 * nhip-hub — `nhip-hub live-config`: the media servers of the live consultations.
 *
 * Writes, under D/live/:
 *   janus/janus.jcfg, janus/janus.transport.http.jcfg, janus/janus.plugin.videoroom.jcfg
 *       Janus 1.1.2 with only the VideoRoom plugin and the HTTP transport, stored-token
 *       authentication, the Admin API on the hub's own machine
 *   janus/https-cert.pem, janus/https-key.pem
 *       the certificate the doctors' browsers already accept for the hub's pages
 *   turnserver.conf
 *       coturn 4.6 with TURN REST credentials (use-auth-secret)
 * from the templates in hub/data/live/ (compiled into nhip-hub), and the [live] group of
 * hub.conf that `nhip-hub serve` reads. Secrets (Janus's admin secret, the VideoRoom
 * admin key, coturn's shared secret) are made once and kept when the command runs again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "nhip-ca.h"
#include "nhip-hub-live.h"
#include "nhip-hub-password.h"
#include "nhip-hub-private.h"
#include "nhip-hub-resources.h"
#include "nhip-identity.h"

#define LIVE_CONFIG_RESOURCE "/vn/nhip/hub/live/"

typedef struct {
	gchar *dir;
	gchar *public_host;
	gchar *janus_listen;
	gint janus_port;
	gint janus_tls_port;
	gint janus_admin_port;
	gint turn_port;
	gint turn_tls_port;
	gchar *turn_listen;
	gchar *rtp_ports;
	gchar *relay_ports;
	gchar *nat_1_1;
	gchar *web_origin;
	gint64 max_bitrate;
	gint64 max_minutes;
	gchar **turn_allow_peers;
	gchar *janus_lib;
} LiveOptions;

static void
live_options_clear(LiveOptions *options)
{
	g_free(options->dir);
	g_free(options->public_host);
	g_free(options->janus_listen);
	g_free(options->turn_listen);
	g_free(options->rtp_ports);
	g_free(options->relay_ports);
	g_free(options->nat_1_1);
	g_free(options->web_origin);
	g_strfreev(options->turn_allow_peers);
	g_free(options->janus_lib);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(LiveOptions, live_options_clear)

static gboolean
live_config_fail(GError **error, const gchar *message)
{
	g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
	return FALSE;
}

/* a host name or an IP address: what goes into URLs and configuration files unquoted */
static gboolean
live_host_valid(const gchar *host)
{
	if (host == NULL || host[0] == '\0' || strlen(host) > 253)
		return FALSE;
	if (g_hostname_is_ip_address(host))
		return TRUE;
	for (const gchar *p = host; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			return FALSE;
	}
	return TRUE;
}

static gboolean
live_port_valid(gint port, gboolean optional)
{
	return (optional && port == 0) || (port > 0 && port < 65536);
}

/* "MIN-MAX", two ports with MIN < MAX */
static gboolean
live_range_valid(const gchar *range, guint64 *min, guint64 *max)
{
	g_auto(GStrv) parts = range != NULL ? g_strsplit(range, "-", 3) : NULL;

	return parts != NULL && g_strv_length(parts) == 2 &&
	       g_ascii_string_to_unsigned(parts[0], 10, 1, 65535, min, NULL) &&
	       g_ascii_string_to_unsigned(parts[1], 10, 1, 65535, max, NULL) && *min < *max;
}

/* an address range for coturn's allowed-peer-ip: ADDR or ADDR-ADDR */
static gboolean
live_peer_range_valid(const gchar *range)
{
	g_auto(GStrv) parts = g_strsplit(range, "-", 3);
	guint n = g_strv_length(parts);

	if (n < 1 || n > 2)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		if (!g_hostname_is_ip_address(parts[i]))
			return FALSE;
	}
	return TRUE;
}

/* a URL host: IPv6 addresses in brackets */
static gchar *
live_url_host(const gchar *host)
{
	return strchr(host, ':') != NULL ? g_strdup_printf("[%s]", host) : g_strdup(host);
}

/* the web listener's port from [hub] web (ADDR:PORT), else the default */
static gint
live_web_port(GKeyFile *conf)
{
	g_autofree gchar *web = g_key_file_get_string(conf, "hub", "web", NULL);
	const gchar *colon = web != NULL ? strrchr(web, ':') : NULL;
	guint64 port = 0;

	if (colon != NULL && g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
		return (gint)port;
	return 8444;
}

static gboolean
live_options_check(LiveOptions *options, GKeyFile *conf, GError **error)
{
	guint64 min = 0;
	guint64 max = 0;

	if (options->public_host == NULL) {
		g_auto(GStrv) names =
			g_key_file_get_string_list(conf, "hub", "tls-names", NULL, NULL);
		if (names != NULL && names[0] != NULL)
			options->public_host = g_strdup(names[0]);
	}
	if (!live_host_valid(options->public_host))
		return live_config_fail(error, _("give the hub's public host name or address with "
						 "--public-host"));
	if (!g_hostname_is_ip_address(options->janus_listen))
		return live_config_fail(error, _("--janus-listen takes an IP address"));
	if (options->turn_listen != NULL && !g_hostname_is_ip_address(options->turn_listen))
		return live_config_fail(error, _("--turn-listen takes an IP address"));
	if (options->nat_1_1 != NULL && !g_hostname_is_ip_address(options->nat_1_1))
		return live_config_fail(error, _("--nat-1-1 takes the hub's public IP address"));
	if (!live_port_valid(options->janus_port, FALSE) ||
	    !live_port_valid(options->janus_tls_port, FALSE) ||
	    !live_port_valid(options->janus_admin_port, FALSE) ||
	    !live_port_valid(options->turn_port, FALSE) ||
	    !live_port_valid(options->turn_tls_port, TRUE))
		return live_config_fail(error, _("ports are numbers from 1 to 65535"));
	if (!live_range_valid(options->rtp_ports, &min, &max))
		return live_config_fail(error, _("--rtp-ports takes a range like 20000-40000"));
	if (!live_range_valid(options->relay_ports, &min, &max))
		return live_config_fail(error, _("--relay-ports takes a range like 49152-65535"));
	for (guint i = 0; options->turn_allow_peers != NULL && options->turn_allow_peers[i]; i++) {
		if (!live_peer_range_valid(options->turn_allow_peers[i]))
			return live_config_fail(error,
						_("--turn-allow-peer takes an address or a range "
						  "like 10.0.0.1-10.0.0.9"));
	}
	if (options->max_bitrate < 32000 || options->max_bitrate > 4000000)
		return live_config_fail(error, _("--max-bitrate takes 32000 to 4000000 bits per "
						 "second"));
	if (options->max_minutes < 1 || options->max_minutes > 24 * 60)
		return live_config_fail(error, _("--max-minutes takes 1 to 1440"));
	if (options->web_origin == NULL) {
		g_autofree gchar *host = live_url_host(options->public_host);
		options->web_origin = g_strdup_printf("https://%s:%d", host, live_web_port(conf));
	}
	/* it goes into Janus's configuration between quotes */
	if (!g_str_has_prefix(options->web_origin, "https://") || options->web_origin[8] == '\0' ||
	    strpbrk(options->web_origin + 8, "\"'\\ \t\r\n/") != NULL)
		return live_config_fail(error, _("--web-origin takes the doctors' pages origin, "
						 "like https://hub.example:8444"));
	return TRUE;
}

/* the names of Janus's modules in @folder, but @keep: what the configuration disables */
static gchar *
live_disabled(const gchar *janus_lib, const gchar *folder, const gchar *keep, GError **error)
{
	g_autofree gchar *path = g_build_filename(janus_lib, folder, NULL);
	g_autoptr(GDir) dir = g_dir_open(path, 0, error);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;

	if (dir == NULL) {
		g_prefix_error(error, _("Janus does not seem to be installed (install the janus "
					"package, or give its folder with --janus-lib): "));
		return NULL;
	}
	while ((name = g_dir_read_name(dir)) != NULL) {
		if (g_str_has_suffix(name, ".so") && g_strcmp0(name, keep) != 0)
			g_ptr_array_add(names, g_strdup(name));
	}
	if (keep != NULL) {
		g_autofree gchar *kept = g_build_filename(path, keep, NULL);
		if (!g_file_test(kept, G_FILE_TEST_EXISTS)) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
				    _("Janus's %s is missing: is the janus package complete?"),
				    kept);
			return NULL;
		}
	}
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	g_ptr_array_add(names, NULL);
	return g_strjoinv(",", (gchar **)names->pdata);
}

/* the template with every @NAME@ replaced; an unknown name is an error */
static gchar *
live_fill(const gchar *template_name, GHashTable *values, GError **error)
{
	g_autofree gchar *path = g_strconcat(LIVE_CONFIG_RESOURCE, template_name, NULL);
	g_autoptr(GBytes) bytes = g_resource_lookup_data(nhip_hub_get_resource(), path, 0, error);
	g_autoptr(GString) out = NULL;
	const gchar *text;
	const gchar *p;

	if (bytes == NULL)
		return NULL;
	text = g_bytes_get_data(bytes, NULL);
	out = g_string_sized_new(g_bytes_get_size(bytes) + 256);
	for (p = text; *p != '\0';) {
		const gchar *end = NULL;
		g_autofree gchar *name = NULL;
		const gchar *value;

		if (*p != '@') {
			g_string_append_c(out, *p++);
			continue;
		}
		end = strchr(p + 1, '@');
		if (end == NULL || end == p + 1 ||
		    strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
			    (gsize)(end - p - 1)) {
			g_string_append_c(out, *p++);
			continue;
		}
		name = g_strndup(p + 1, (gsize)(end - p - 1));
		value = g_hash_table_lookup(values, name);
		if (value == NULL) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "template %s: no value for @%s@", template_name, name);
			return NULL;
		}
		g_string_append(out, value);
		p = end + 1;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static gboolean
live_write(const gchar *folder,
	   const gchar *name,
	   const gchar *template_name,
	   GHashTable *values,
	   GError **error)
{
	g_autofree gchar *text = live_fill(template_name, values, error);
	g_autofree gchar *path = g_build_filename(folder, name, NULL);

	return text != NULL && nhip_file_write_durable(path, text, strlen(text), 0600, error);
}

static gboolean
live_copy(const gchar *from, const gchar *folder, const gchar *name, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autofree gchar *path = g_build_filename(folder, name, NULL);
	gsize length = 0;

	return g_file_get_contents(from, &data, &length, error) &&
	       nhip_file_write_durable(path, data, length, 0600, error);
}

/* a secret kept from the [live] group, or a new one */
static gchar *
live_secret(GKeyFile *conf, const gchar *key)
{
	g_autofree gchar *old = g_key_file_get_string(conf, "live", key, NULL);

	if (old != NULL && strlen(old) >= 24)
		return g_steal_pointer(&old);
	return nhip_hub_random_token(32);
}

static gboolean
live_config_write(LiveOptions *options, GKeyFile *conf, const gchar *conf_path, GError **error)
{
	g_autofree gchar *live_dir = g_build_filename(options->dir, "live", NULL);
	g_autofree gchar *janus_dir = g_build_filename(live_dir, "janus", NULL);
	g_autofree gchar *turn_conf = g_build_filename(live_dir, "turnserver.conf", NULL);
	g_autofree gchar *turn_pid = g_build_filename(live_dir, "turnserver.pid", NULL);
	g_autofree gchar *host = live_url_host(options->public_host);
	g_autofree gchar *admin_secret = live_secret(conf, "janus-admin-secret");
	g_autofree gchar *room_key = live_secret(conf, "room-admin-key");
	g_autofree gchar *turn_secret = live_secret(conf, "turn-secret");
	g_autofree gchar *plugins = NULL;
	g_autofree gchar *transports = NULL;
	g_autofree gchar *loggers = NULL;
	g_autofree gchar *cert = g_key_file_get_string(conf, "web", "cert", NULL);
	g_autofree gchar *key = g_key_file_get_string(conf, "web", "key", NULL);
	g_autoptr(GHashTable) values = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_autoptr(GPtrArray) ice = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) allowed = g_string_new(NULL);
	g_auto(GStrv) relay = g_strsplit(options->relay_ports, "-", 2);
	g_autofree gchar *data = NULL;
	gsize length = 0;

	plugins = live_disabled(options->janus_lib, "plugins", "libjanus_videoroom.so", error);
	if (plugins == NULL)
		return FALSE;
	transports = live_disabled(options->janus_lib, "transports", "libjanus_http.so", error);
	if (transports == NULL)
		return FALSE;
	loggers = live_disabled(options->janus_lib, "loggers", NULL, error);
	if (loggers == NULL)
		return FALSE;
	if (g_mkdir_with_parents(janus_dir, 0700) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    _("cannot create the folder %s: %s"), janus_dir, g_strerror(errno));
		return FALSE;
	}
	/* the browsers reach Janus with the certificate they accept for the pages */
	if (cert == NULL || key == NULL) {
		g_free(cert);
		g_free(key);
		cert = nhip_ca_path(options->dir, NHIP_CA_FILE_TLS_CERT);
		key = nhip_ca_path(options->dir, NHIP_CA_FILE_TLS_KEY);
	}
	if (!live_copy(cert, janus_dir, "https-cert.pem", error) ||
	    !live_copy(key, janus_dir, "https-key.pem", error))
		return FALSE;

	g_hash_table_insert(values, "CONFIG_DIR", g_strdup(janus_dir));
	g_hash_table_insert(values, "JANUS_LIB", g_strdup(options->janus_lib));
	g_hash_table_insert(values, "ADMIN_SECRET", g_strdup(admin_secret));
	g_hash_table_insert(values, "RTP_PORTS", g_strdup(options->rtp_ports));
	g_hash_table_insert(values, "NAT_1_1",
			    options->nat_1_1 != NULL
				    ? g_strdup_printf("nat_1_1_mapping = \"%s\"", options->nat_1_1)
				    : g_strdup("#nat_1_1_mapping = \"203.0.113.10\""));
	g_hash_table_insert(values, "PLUGINS_DISABLED", g_strdup(plugins));
	g_hash_table_insert(values, "TRANSPORTS_DISABLED", g_strdup(transports));
	g_hash_table_insert(values, "LOGGERS_DISABLED", g_strdup(loggers));
	g_hash_table_insert(values, "JANUS_HTTP_ADDR", g_strdup(options->janus_listen));
	g_hash_table_insert(values, "JANUS_PORT", g_strdup_printf("%d", options->janus_port));
	g_hash_table_insert(values, "JANUS_TLS_PORT",
			    g_strdup_printf("%d", options->janus_tls_port));
	g_hash_table_insert(values, "JANUS_ADMIN_ADDR", g_strdup("127.0.0.1"));
	g_hash_table_insert(values, "JANUS_ADMIN_PORT",
			    g_strdup_printf("%d", options->janus_admin_port));
	g_hash_table_insert(values, "JANUS_ADMIN_ACL", g_strdup("127.0.0.1"));
	g_hash_table_insert(values, "WEB_ORIGIN", g_strdup(options->web_origin));
	g_hash_table_insert(values, "ROOM_ADMIN_KEY", g_strdup(room_key));
	g_hash_table_insert(values, "TURN_CONF", g_strdup(turn_conf));
	g_hash_table_insert(values, "TURN_PORT", g_strdup_printf("%d", options->turn_port));
	g_hash_table_insert(values, "TURN_LISTEN",
			    options->turn_listen != NULL
				    ? g_strdup_printf("listening-ip=%s\nrelay-ip=%s",
						      options->turn_listen, options->turn_listen)
				    : g_strdup("# listens and relays on every address"));
	g_hash_table_insert(values, "TURN_EXTERNAL",
			    options->nat_1_1 != NULL
				    ? g_strdup_printf("external-ip=%s", options->nat_1_1)
				    : g_strdup("# no NAT in front of the hub"));
	g_hash_table_insert(values, "TURN_MIN_PORT", g_strdup(relay[0]));
	g_hash_table_insert(values, "TURN_MAX_PORT", g_strdup(relay[1]));
	g_hash_table_insert(values, "TURN_SECRET", g_strdup(turn_secret));
	g_hash_table_insert(values, "REALM", g_strdup(options->public_host));
	g_hash_table_insert(
		values, "TURN_TLS",
		options->turn_tls_port != 0
			? g_strdup_printf("tls-listening-port=%d\ncert=%s/https-cert.pem\n"
					  "pkey=%s/https-key.pem\nno-dtls",
					  options->turn_tls_port, janus_dir, janus_dir)
			: g_strdup("no-tls\nno-dtls"));
	for (guint i = 0; options->turn_allow_peers != NULL && options->turn_allow_peers[i]; i++)
		g_string_append_printf(allowed, "allowed-peer-ip=%s\n",
				       options->turn_allow_peers[i]);
	g_hash_table_insert(values, "TURN_ALLOWED_PEERS",
			    allowed->len > 0 ? g_strdup(allowed->str)
					     : g_strdup("# (no exception)"));
	g_hash_table_insert(values, "TURN_PID", g_strdup(turn_pid));
	g_hash_table_insert(values, "TURN_DB", g_build_filename(live_dir, "turndb", NULL));

	if (!live_write(janus_dir, "janus.jcfg", "janus.jcfg", values, error) ||
	    !live_write(janus_dir, "janus.transport.http.jcfg", "janus.transport.http.jcfg", values,
			error) ||
	    !live_write(janus_dir, "janus.plugin.videoroom.jcfg", "janus.plugin.videoroom.jcfg",
			values, error) ||
	    !live_write(live_dir, "turnserver.conf", "turnserver.conf", values, error))
		return FALSE;

	g_ptr_array_add(ice, g_strdup_printf("stun:%s:%d", host, options->turn_port));
	g_ptr_array_add(ice, g_strdup_printf("turn:%s:%d?transport=udp", host, options->turn_port));
	g_ptr_array_add(ice, g_strdup_printf("turn:%s:%d?transport=tcp", host, options->turn_port));
	if (options->turn_tls_port != 0)
		g_ptr_array_add(ice, g_strdup_printf("turns:%s:%d?transport=tcp", host,
						     options->turn_tls_port));
	g_ptr_array_add(ice, NULL);
	{
		g_autofree gchar *janus_url =
			g_strdup_printf("http://%s:%d/janus", host, options->janus_port);
		g_autofree gchar *janus_web_url =
			g_strdup_printf("https://%s:%d/janus", host, options->janus_tls_port);
		g_autofree gchar *admin_url =
			g_strdup_printf("http://127.0.0.1:%d/admin", options->janus_admin_port);

		g_key_file_remove_group(conf, "live", NULL);
		g_key_file_set_string(conf, "live", "janus-url", janus_url);
		g_key_file_set_string(conf, "live", "janus-web-url", janus_web_url);
		g_key_file_set_string(conf, "live", "janus-admin-url", admin_url);
		g_key_file_set_string(conf, "live", "janus-admin-secret", admin_secret);
		g_key_file_set_string(conf, "live", "room-admin-key", room_key);
		g_key_file_set_string_list(conf, "live", "ice-urls",
					   (const gchar *const *)ice->pdata, ice->len - 1);
		g_key_file_set_string(conf, "live", "turn-secret", turn_secret);
		g_key_file_set_int64(conf, "live", "max-bitrate", options->max_bitrate);
		g_key_file_set_int64(conf, "live", "max-minutes", options->max_minutes);
	}
	/* hub.conf holds secrets from now on */
	data = g_key_file_to_data(conf, &length, NULL);
	return nhip_file_write_durable(conf_path, data, length, 0600, error);
}

static gint
cmd_live_config(gint argc, gchar **argv)
{
	g_auto(LiveOptions) options = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) conf = g_key_file_new();
	g_autofree gchar *conf_path = NULL;
	g_autofree gchar *live_dir = NULL;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &options.dir, N_("Hub folder (made by init)"),
		  "D" },
		{ "public-host", 0, 0, G_OPTION_ARG_STRING, &options.public_host,
		  N_("Host name or address stations and browsers reach the hub at (default: the "
		     "first --name given to init)"),
		  "HOST" },
		{ "janus-listen", 0, 0, G_OPTION_ARG_STRING, &options.janus_listen,
		  N_("Address Janus's HTTP API listens on (default 0.0.0.0)"), "ADDR" },
		{ "janus-port", 0, 0, G_OPTION_ARG_INT, &options.janus_port,
		  N_("Janus API port for stations, plain HTTP (default 8088)"), "PORT" },
		{ "janus-tls-port", 0, 0, G_OPTION_ARG_INT, &options.janus_tls_port,
		  N_("Janus API port for browsers, HTTPS (default 8089)"), "PORT" },
		{ "janus-admin-port", 0, 0, G_OPTION_ARG_INT, &options.janus_admin_port,
		  N_("Janus Admin API port, on 127.0.0.1 for the hub only (default 7088)"),
		  "PORT" },
		{ "rtp-ports", 0, 0, G_OPTION_ARG_STRING, &options.rtp_ports,
		  N_("UDP ports of Janus's media (default 20000-40000)"), "MIN-MAX" },
		{ "nat-1-1", 0, 0, G_OPTION_ARG_STRING, &options.nat_1_1,
		  N_("The hub's public IP address when a one-to-one NAT is in front of it"), "IP" },
		{ "turn-port", 0, 0, G_OPTION_ARG_INT, &options.turn_port,
		  N_("TURN and STUN port, UDP and TCP (default 3478)"), "PORT" },
		{ "turn-tls-port", 0, 0, G_OPTION_ARG_INT, &options.turn_tls_port,
		  N_("TURN over TLS port, e.g. 443 (default: none)"), "PORT" },
		{ "turn-listen", 0, 0, G_OPTION_ARG_STRING, &options.turn_listen,
		  N_("Address coturn listens and relays on (default: every address)"), "ADDR" },
		{ "relay-ports", 0, 0, G_OPTION_ARG_STRING, &options.relay_ports,
		  N_("UDP ports of coturn's relays (default 49152-65535)"), "MIN-MAX" },
		{ "turn-allow-peer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.turn_allow_peers,
		  N_("A private address coturn may relay to after all (repeat for each)"),
		  "ADDR[-ADDR]" },
		{ "web-origin", 0, 0, G_OPTION_ARG_STRING, &options.web_origin,
		  N_("Origin of the doctors' pages (default https://HOST:8444)"), "URL" },
		{ "max-bitrate", 0, 0, G_OPTION_ARG_INT64, &options.max_bitrate,
		  N_("Video cap of each participant, bits per second (default 300000)"), "BPS" },
		{ "max-minutes", 0, 0, G_OPTION_ARG_INT64, &options.max_minutes,
		  N_("The longest a live session lasts (default 60)"), "N" },
		{ "janus-lib", 0, 0, G_OPTION_ARG_FILENAME, &options.janus_lib,
		  N_("Folder of Janus's plugins and transports (default: the janus package's)"),
		  "DIR" },
		{ NULL }
	};

	options.janus_port = 8088;
	options.janus_tls_port = 8089;
	options.janus_admin_port = 7088;
	options.turn_port = 3478;
	options.max_bitrate = NHIP_HUB_LIVE_DEFAULT_BITRATE;
	options.max_minutes = NHIP_HUB_LIVE_DEFAULT_MINUTES;
	if (!nhip_hub_parse_options(
		    _("Write the configuration of Janus and coturn for live consultations."),
		    entries, &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (options.dir == NULL)
		return nhip_hub_usage_error(_("give the hub folder with --dir"));
	if (options.janus_listen == NULL)
		options.janus_listen = g_strdup("0.0.0.0");
	if (options.rtp_ports == NULL)
		options.rtp_ports = g_strdup("20000-40000");
	if (options.relay_ports == NULL)
		options.relay_ports = g_strdup("49152-65535");
	if (options.janus_lib == NULL)
		options.janus_lib = g_strdup(NHIP_JANUS_LIBDIR);
	conf_path = nhip_ca_path(options.dir, NHIP_CA_FILE_CONFIG);
	if (!g_key_file_load_from_file(conf, conf_path, G_KEY_FILE_KEEP_COMMENTS, &error)) {
		g_prefix_error(&error, _("not a hub folder (run nhip-hub init first): "));
		return nhip_hub_fail(error);
	}
	if (!live_options_check(&options, conf, &error) ||
	    !live_config_write(&options, conf, conf_path, &error))
		return nhip_hub_fail(error);
	live_dir = g_build_filename(options.dir, "live", NULL);
	g_print(_("live consultations configured in %s and the [live] group of %s\n"), live_dir,
		conf_path);
	g_print(_("start the media servers with:\n"));
	g_print("  janus -F %s/janus -C %s/janus/janus.jcfg\n", live_dir, live_dir);
	g_print("  turnserver -c %s/turnserver.conf\n", live_dir);
	g_print(_("then restart nhip-hub serve\n"));
	return NHIP_HUB_EXIT_OK;
}

const NhipHubCommand nhip_hub_live_commands[] = {
	{ "live-config", "--dir D [--public-host HOST] [--janus-port N] [--turn-port N] …",
	  N_("configure Janus and coturn for live consultations"), cmd_live_config },
	{ NULL },
};
