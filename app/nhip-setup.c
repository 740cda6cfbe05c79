/*
 * Nhịp — setting a station up, from a key file or from the kiosk's assistant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "nhip-backup.h"
#include "nhip-decode.h"
#include "nhip-device-manager.h"
#include "nhip-durable.h"
#include "nhip-enroll.h"
#include "nhip-hub-link.h"
#include "nhip-identity.h"
#include "nhip-station-identity.h"
#include "nhip-json.h"
#include "nhip-ops-error.h"
#include "nhip-pin.h"
#include "nhip-setup.h"
#include "nhip-store-private.h"
#include "nhip-validate.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SSL_CTX, SSL_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SSL, SSL_free)

const gchar *
nhip_setup_result_to_string(NhipSetupResult result)
{
	switch (result) {
	case NHIP_SETUP_UNCHANGED:
		return "unchanged";
	case NHIP_SETUP_CHANGED:
		return "changed";
	case NHIP_SETUP_WOULD_CHANGE:
		return "would-change";
	case NHIP_SETUP_PASSED:
		return "passed";
	case NHIP_SETUP_SKIPPED:
		return "skipped";
	case NHIP_SETUP_FAILED:
	default:
		return "failed";
	}
}

void
nhip_setup_step_free(NhipSetupStep *self)
{
	if (self == NULL)
		return;
	g_free(self->step);
	g_free(self->message);
	g_free(self);
}

G_GNUC_PRINTF(3, 4)
static NhipSetupStep *
step_new(const gchar *step, NhipSetupResult result, const gchar *format, ...)
{
	NhipSetupStep *self = g_new0(NhipSetupStep, 1);
	va_list ap;

	self->step = g_strdup(step);
	self->result = result;
	va_start(ap, format);
	self->message = g_strdup_vprintf(format, ap);
	va_end(ap);
	return self;
}

static void
staff_free(NhipSetupStaff *staff)
{
	if (staff == NULL)
		return;
	g_free(staff->name);
	if (staff->pin != NULL)
		memset(staff->pin, 0, strlen(staff->pin));
	g_free(staff->pin);
	g_free(staff);
}

NhipSetupConfig *
nhip_setup_config_new(void)
{
	NhipSetupConfig *self = g_new0(NhipSetupConfig, 1);
	self->staff = g_ptr_array_new_with_free_func((GDestroyNotify)staff_free);
	self->device_timeout = 30;
	self->network_timeout = 10;
	return self;
}

void
nhip_setup_config_free(NhipSetupConfig *self)
{
	if (self == NULL)
		return;
	nhip_facility_free(self->facility);
	g_ptr_array_unref(self->staff);
	g_free(self->hub_url);
	g_free(self->hub_token);
	g_free(self->hub_station);
	g_free(self->backup_certificate);
	g_free(self->backup_mount);
	g_strfreev(self->serial_ports);
	g_free(self);
}

/**
 * nhip_setup_check_admin_code:
 * @what: "province", "district" or "commune"
 * @code: the code
 * @error: return location for a #GError
 *
 * Administrative codes of the General Statistics Office, as the QĐ 130 export writes them:
 * 2 digits for a province, 3 for a district, 5 for a commune.
 *
 * Returns: %TRUE when @code has the right form
 */
gboolean
nhip_setup_check_admin_code(const gchar *what, const gchar *code, GError **error)
{
	gsize want = g_strcmp0(what, "province") == 0	? 2
		     : g_strcmp0(what, "district") == 0 ? 3
							: 5;
	gboolean ok = code != NULL && strlen(code) == want;

	for (gsize i = 0; ok && i < want; i++)
		ok = g_ascii_isdigit(code[i]);
	if (!ok) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    g_strcmp0(what, "province") == 0
				    ? _("“%s” is not a province code: it has 2 digits, e.g. 66")
			    : g_strcmp0(what, "district") == 0
				    ? _("“%s” is not a district code: it has 3 digits, e.g. 660")
				    : _("“%s” is not a commune code: it has 5 digits, e.g. 24166"),
			    code != NULL ? code : "");
		return FALSE;
	}
	return TRUE;
}

/* ----- the key file ----- */

typedef struct {
	const gchar *label;
	gchar **lines;
} Source;

/* the line (from 1) where @key of @group is set, 0 when not found */
static guint
source_line(const Source *source, const gchar *group, const gchar *key)
{
	g_autofree gchar *header = g_strdup_printf("[%s]", group);
	gboolean in_group = FALSE;

	for (guint i = 0; source->lines[i] != NULL; i++) {
		g_autofree gchar *line = g_strstrip(g_strdup(source->lines[i]));
		const gchar *eq;

		if (line[0] == '[') {
			in_group = g_strcmp0(line, header) == 0;
			if (in_group && key == NULL)
				return i + 1;
			continue;
		}
		if (!in_group || key == NULL || (eq = strchr(line, '=')) == NULL)
			continue;
		{
			g_autofree gchar *name = g_strstrip(g_strndup(line, eq - line));
			if (g_strcmp0(name, key) == 0)
				return i + 1;
		}
	}
	return 0;
}

G_GNUC_PRINTF(5, 6)
static gboolean
source_fail(const Source *source,
	    GError **error,
	    const gchar *group,
	    const gchar *key,
	    const gchar *format,
	    ...)
{
	g_autofree gchar *what = NULL;
	g_autofree gchar *where = NULL;
	guint line = source_line(source, group, key);
	va_list ap;

	va_start(ap, format);
	what = g_strdup_vprintf(format, ap);
	va_end(ap);
	if (key != NULL)
		where = g_strdup_printf("[%s] %s", group, key);
	else
		where = g_strdup_printf("[%s]", group);
	if (line > 0)
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID, _("%s line %u, %s: %s"),
			    source->label, line, where, what);
	else
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID, _("%s, %s: %s"),
			    source->label, where, what);
	return FALSE;
}

/* a key that must be there; its value, stripped */
static gchar *
source_string(const Source *source,
	      GKeyFile *file,
	      const gchar *group,
	      const gchar *key,
	      gboolean required,
	      GError **error)
{
	g_autofree gchar *value = g_key_file_get_string(file, group, key, NULL);

	if (value != NULL)
		g_strstrip(value);
	if ((value == NULL || value[0] == '\0') && required) {
		source_fail(source, error, group, NULL, _("the key %s is missing"), key);
		return NULL;
	}
	if (value != NULL && value[0] == '\0')
		g_clear_pointer(&value, g_free);
	return g_steal_pointer(&value);
}

static gboolean
source_bool(const Source *source,
	    GKeyFile *file,
	    const gchar *group,
	    const gchar *key,
	    gboolean *value,
	    GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(file, group, key, NULL);

	if (text == NULL)
		return TRUE;
	g_strstrip(text);
	if (g_strv_contains((const gchar *const[]){ "true", "yes", "1", NULL }, text))
		*value = TRUE;
	else if (g_strv_contains((const gchar *const[]){ "false", "no", "0", NULL }, text))
		*value = FALSE;
	else
		return source_fail(source, error, group, key, _("“%s” is not yes or no"), text);
	return TRUE;
}

static gboolean
source_uint(const Source *source,
	    GKeyFile *file,
	    const gchar *group,
	    const gchar *key,
	    guint min,
	    guint max,
	    guint *value,
	    GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(file, group, key, NULL);
	guint64 number = 0;

	if (text == NULL)
		return TRUE;
	g_strstrip(text);
	if (!g_ascii_string_to_unsigned(text, 10, min, max, &number, NULL))
		return source_fail(source, error, group, key,
				   _("“%s” is not a whole number from %u to %u"), text, min, max);
	*value = (guint)number;
	return TRUE;
}

/* refuses a group or key this program does not know: a typo would otherwise be ignored */
static gboolean
source_check_keys(const Source *source,
		  GKeyFile *file,
		  const gchar *group,
		  const gchar *const *known,
		  GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(file, group, NULL, NULL);

	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known, keys[i])) {
			g_autofree gchar *list = g_strjoinv(", ", (gchar **)known);
			return source_fail(source, error, group, keys[i],
					   _("unknown key; the keys of [%s] are %s"), group, list);
		}
	}
	return TRUE;
}

static gboolean
parse_facility(const Source *source, GKeyFile *file, NhipSetupConfig *config, GError **error)
{
	static const gchar *const keys[] = { "code",	"name",	   "province", "district",
					     "commune", "address", NULL };
	static const gchar *const admin[] = { "province", "district", "commune" };
	g_autofree gchar *code = NULL;
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error_local = NULL;
	gchar **admin_fields[3];

	if (!g_key_file_has_group(file, "facility"))
		return source_fail(source, error, "facility", NULL,
				   _("the group [facility] with code and name is missing"));
	if (!source_check_keys(source, file, "facility", keys, error))
		return FALSE;
	code = source_string(source, file, "facility", "code", TRUE, error);
	if (code == NULL)
		return FALSE;
	if (!nhip_validate_facility_code(code, &error_local))
		return source_fail(source, error, "facility", "code", "%s", error_local->message);
	name = source_string(source, file, "facility", "name", TRUE, error);
	if (name == NULL)
		return FALSE;
	if (g_utf8_strlen(name, -1) < 2 || g_utf8_strlen(name, -1) > 200)
		return source_fail(source, error, "facility", "name",
				   _("the name must be 2 to 200 characters"));
	config->facility = nhip_facility_new(code, name);
	admin_fields[0] = &config->facility->province_code;
	admin_fields[1] = &config->facility->district_code;
	admin_fields[2] = &config->facility->commune_code;
	for (guint i = 0; i < G_N_ELEMENTS(admin); i++) {
		gchar *value = source_string(source, file, "facility", admin[i], FALSE, NULL);
		if (value != NULL && !nhip_setup_check_admin_code(admin[i], value, &error_local)) {
			g_free(value);
			return source_fail(source, error, "facility", admin[i], "%s",
					   error_local->message);
		}
		*admin_fields[i] = value;
	}
	config->facility->address = source_string(source, file, "facility", "address", FALSE, NULL);
	return TRUE;
}

static gboolean
parse_staff(const Source *source,
	    GKeyFile *file,
	    const gchar *group,
	    NhipSetupConfig *config,
	    GError **error)
{
	static const gchar *const keys[] = { "name", "role", "pin", NULL };
	NhipSetupStaff *staff = g_new0(NhipSetupStaff, 1);
	g_autofree gchar *role = NULL;
	g_autoptr(GError) error_local = NULL;

	g_ptr_array_add(config->staff, staff);
	if (!source_check_keys(source, file, group, keys, error))
		return FALSE;
	staff->name = source_string(source, file, group, "name", TRUE, error);
	if (staff->name == NULL)
		return FALSE;
	if (!nhip_validate_name(staff->name, &error_local))
		return source_fail(source, error, group, "name", "%s", error_local->message);
	role = source_string(source, file, group, "role", TRUE, error);
	if (role == NULL)
		return FALSE;
	if (!nhip_role_from_string(role, &staff->role, &error_local))
		return source_fail(source, error, group, "role", "%s", error_local->message);
	staff->pin = source_string(source, file, group, "pin", TRUE, error);
	if (staff->pin == NULL)
		return FALSE;
	if (!nhip_pin_check_format(staff->pin, &error_local))
		return source_fail(source, error, group, "pin", "%s", error_local->message);
	for (guint i = 0; i + 1 < config->staff->len; i++) {
		NhipSetupStaff *other = g_ptr_array_index(config->staff, i);
		if (g_strcmp0(other->name, staff->name) == 0)
			return source_fail(source, error, group, "name", _("%s is set up twice"),
					   staff->name);
	}
	return TRUE;
}

static gboolean
parse_hub(const Source *source, GKeyFile *file, NhipSetupConfig *config, GError **error)
{
	static const gchar *const keys[] = { "url", "token", "station", NULL };
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GUri) uri = NULL;

	if (!g_key_file_has_group(file, "hub"))
		return TRUE;
	if (!source_check_keys(source, file, "hub", keys, error))
		return FALSE;
	config->hub_url = source_string(source, file, "hub", "url", TRUE, error);
	if (config->hub_url == NULL)
		return FALSE;
	uri = g_uri_parse(config->hub_url, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL || g_strcmp0(g_uri_get_scheme(uri), "https") != 0 ||
	    g_uri_get_host(uri) == NULL || g_uri_get_host(uri)[0] == '\0')
		return source_fail(source, error, "hub", "url",
				   _("“%s” is not an https:// address, e.g. "
				     "https://hub.ttyt-tanhoa.vn:8443"),
				   config->hub_url);
	config->hub_token = source_string(source, file, "hub", "token", TRUE, error);
	if (config->hub_token == NULL)
		return FALSE;
	config->hub_station = source_string(source, file, "hub", "station", FALSE, NULL);
	if (config->hub_station != NULL &&
	    !nhip_station_code_check(config->hub_station, &error_local))
		return source_fail(source, error, "hub", "station", "%s", error_local->message);
	return TRUE;
}

static gboolean
parse_backup(const Source *source, GKeyFile *file, NhipSetupConfig *config, GError **error)
{
	static const gchar *const keys[] = { "certificate", "keep", "mount", NULL };

	if (!g_key_file_has_group(file, "backup"))
		return TRUE;
	if (!source_check_keys(source, file, "backup", keys, error))
		return FALSE;
	config->backup_certificate =
		source_string(source, file, "backup", "certificate", FALSE, NULL);
	if (config->backup_certificate != NULL) {
		g_autoptr(GError) error_local = NULL;
		g_autoptr(X509) cert = nhip_x509_load(config->backup_certificate, &error_local);
		if (cert == NULL)
			return source_fail(source, error, "backup", "certificate", "%s",
					   error_local->message);
	}
	config->backup_mount = source_string(source, file, "backup", "mount", FALSE, NULL);
	if (config->backup_mount != NULL && !g_path_is_absolute(config->backup_mount))
		return source_fail(source, error, "backup", "mount",
				   _("give the full path of the folder, e.g. /media/backup"));
	return source_uint(source, file, "backup", "keep", 1, 10000, &config->backup_keep, error);
}

static gboolean
parse_checks(const Source *source, GKeyFile *file, NhipSetupConfig *config, GError **error)
{
	static const gchar *const keys[] = { "devices",	    "device-reading", "device-timeout",
					     "serial-port", "network",	      "network-timeout",
					     NULL };

	config->check_devices = FALSE;
	config->check_network = config->hub_url != NULL;
	if (!g_key_file_has_group(file, "checks"))
		return TRUE;
	if (!source_check_keys(source, file, "checks", keys, error) ||
	    !source_bool(source, file, "checks", "devices", &config->check_devices, error) ||
	    !source_bool(source, file, "checks", "device-reading", &config->device_reading,
			 error) ||
	    !source_uint(source, file, "checks", "device-timeout", 1, 600, &config->device_timeout,
			 error) ||
	    !source_bool(source, file, "checks", "network", &config->check_network, error) ||
	    !source_uint(source, file, "checks", "network-timeout", 1, 120,
			 &config->network_timeout, error))
		return FALSE;
	config->serial_ports =
		g_key_file_get_string_list(file, "checks", "serial-port", NULL, NULL);
	for (guint i = 0; config->serial_ports != NULL && config->serial_ports[i] != NULL; i++) {
		const gchar *port = g_strstrip(config->serial_ports[i]);
		const gchar *colon = strchr(port, ':');
		g_autofree gchar *driver = colon != NULL ? g_strndup(port, colon - port) : NULL;

		if (colon == NULL || nhip_driver_info_lookup(driver) == NULL ||
		    !g_str_has_prefix(colon + 1, "/dev/"))
			return source_fail(source, error, "checks", "serial-port",
					   _("“%s” is not DRIVER:/dev/PORT with a known driver, "
					     "e.g. cms50:/dev/ttyUSB0"),
					   port);
	}
	if (config->device_reading)
		config->check_devices = TRUE;
	return TRUE;
}

/**
 * nhip_setup_config_parse:
 * @text: the key file's text
 * @length: its length
 * @label: its name, for messages
 * @error: return location for a #GError; the message names the line and the key
 *
 * Returns: (transfer full) (nullable): the configuration
 */
NhipSetupConfig *
nhip_setup_config_parse(const gchar *text, gsize length, const gchar *label, GError **error)
{
	g_autoptr(NhipSetupConfig) config = nhip_setup_config_new();
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) groups = NULL;
	g_auto(GStrv) lines = NULL;
	Source source = { label, NULL };
	gboolean has_technician = FALSE;

	if (!g_utf8_validate(text, (gssize)length, NULL)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("%s is not UTF-8 text; save it as UTF-8"), label);
		return NULL;
	}
	if (!g_key_file_load_from_data(file, text, length, G_KEY_FILE_NONE, &error_local)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID, "%s: %s", label,
			    error_local->message);
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	source.lines = lines;
	groups = g_key_file_get_groups(file, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		const gchar *group = groups[i];
		if (g_str_has_prefix(group, "staff")) {
			if (!parse_staff(&source, file, group, config, error))
				return NULL;
		} else if (!g_strv_contains((const gchar *const[]){ "facility", "hub", "backup",
								    "checks", NULL },
					    group)) {
			source_fail(&source, error, group, NULL,
				    _("unknown group; the groups are [facility], [staff …], [hub], "
				      "[backup] and [checks]"));
			return NULL;
		}
	}
	if (!parse_facility(&source, file, config, error) ||
	    !parse_hub(&source, file, config, error) ||
	    !parse_backup(&source, file, config, error) ||
	    !parse_checks(&source, file, config, error))
		return NULL;
	for (guint i = 0; i < config->staff->len; i++) {
		NhipSetupStaff *staff = g_ptr_array_index(config->staff, i);
		has_technician |= staff->role == NHIP_ROLE_TECHNICIAN;
	}
	if (!has_technician) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("%s sets up no technician: add a [staff …] group with "
			      "role=technician, who can then look after the station"),
			    label);
		return NULL;
	}
	return g_steal_pointer(&config);
}

/**
 * nhip_setup_config_load:
 * @path: a setup key file
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the configuration
 */
NhipSetupConfig *
nhip_setup_config_load(const gchar *path, GError **error)
{
	g_autofree gchar *text = NULL;
	gsize length = 0;
	g_autoptr(GError) error_local = NULL;
	NhipSetupConfig *config;

	if (!g_file_get_contents(path, &text, &length, &error_local)) {
		g_set_error(error, NHIP_OPS_ERROR,
			    g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
				    ? NHIP_OPS_ERROR_NOT_FOUND
				    : NHIP_OPS_ERROR_FAILED,
			    "%s", error_local->message);
		return NULL;
	}
	config = nhip_setup_config_parse(text, length, path, error);
	memset(text, 0, length);
	return config;
}

/* ----- the steps ----- */

static gboolean
facility_equal(const NhipFacility *a, const NhipFacility *b)
{
	return g_strcmp0(a->code, b->code) == 0 && g_strcmp0(a->name, b->name) == 0 &&
	       g_strcmp0(a->commune_code, b->commune_code) == 0 &&
	       g_strcmp0(a->district_code, b->district_code) == 0 &&
	       g_strcmp0(a->province_code, b->province_code) == 0 &&
	       g_strcmp0(a->address, b->address) == 0;
}

/**
 * nhip_setup_facility:
 * @store: (nullable): the station database; %NULL in a dry run before it exists
 * @facility: the facility wanted
 * @dry_run: only say what would change
 *
 * Returns: (transfer full): what was done
 */
NhipSetupStep *
nhip_setup_facility(NhipStore *store, const NhipFacility *facility, gboolean dry_run)
{
	g_autoptr(NhipFacility) current =
		store != NULL ? nhip_store_facility_get(store, NULL) : NULL;
	g_autoptr(GError) error = NULL;

	if (current != NULL && facility_equal(current, facility))
		return step_new("facility", NHIP_SETUP_UNCHANGED, _("facility %s — %s"),
				facility->code, facility->name);
	if (dry_run)
		return step_new("facility", NHIP_SETUP_WOULD_CHANGE,
				_("would set the facility to %s — %s"), facility->code,
				facility->name);
	if (!nhip_store_facility_set(store, facility, &error))
		return step_new("facility", NHIP_SETUP_FAILED, "%s", error->message);
	return step_new("facility", NHIP_SETUP_CHANGED, _("facility set to %s — %s"),
			facility->code, facility->name);
}

/* whether @pin is the account's PIN, without counting a wrong one towards the lockout */
static gboolean
staff_pin_matches(NhipStore *store, gint64 id, const gchar *pin, gboolean *matches, GError **error)
{
	g_autoptr(NhipStmt) stmt =
		nhipi_store_prepare(store, "SELECT pin_hash FROM staff WHERE id = ?", error);
	g_autofree gchar *hash = NULL;

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		hash = nhipi_column_text(stmt, 0);
	return nhip_pin_verify(pin, hash, matches, error);
}

/**
 * nhip_setup_staff:
 * @store: (nullable): the station database; %NULL in a dry run before it exists
 * @staff: the account wanted, found by its name
 * @dry_run: only say what would change
 *
 * A new account is added; an account of that name gets the PIN given (which also clears a
 * lockout) unless it has it already. Its role is never changed here: an account with
 * another role is reported as a failure, for a person to decide.
 *
 * Returns: (transfer full): what was done
 */
NhipSetupStep *
nhip_setup_staff(NhipStore *store, const NhipSetupStaff *staff, gboolean dry_run)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *role = nhip_role_to_string(staff->role);
	NhipStaff *found = NULL;
	gboolean matches = FALSE;

	if (store != NULL) {
		list = nhip_store_staff_list(store, &error);
		if (list == NULL)
			return step_new("staff", NHIP_SETUP_FAILED, "%s", error->message);
		for (guint i = 0; i < list->len && found == NULL; i++) {
			NhipStaff *s = g_ptr_array_index(list, i);
			if (g_strcmp0(s->name, staff->name) == 0)
				found = s;
		}
	}
	if (found == NULL) {
		if (dry_run)
			return step_new("staff", NHIP_SETUP_WOULD_CHANGE, _("would add %s (%s)"),
					staff->name, role);
		if (nhip_store_staff_add(store, staff->name, staff->role, staff->pin, &error) == 0)
			return step_new("staff", NHIP_SETUP_FAILED, "%s", error->message);
		return step_new("staff", NHIP_SETUP_CHANGED, _("added %s (%s)"), staff->name, role);
	}
	if (found->role != staff->role)
		return step_new("staff", NHIP_SETUP_FAILED,
				_("%s exists already as %s, not %s; setup does not change roles — "
				  "use another name or change it in the kiosk"),
				staff->name, nhip_role_to_string(found->role), role);
	if (!staff_pin_matches(store, found->id, staff->pin, &matches, &error))
		return step_new("staff", NHIP_SETUP_FAILED, "%s", error->message);
	if (matches && found->active && found->failed_attempts == 0)
		return step_new("staff", NHIP_SETUP_UNCHANGED, _("%s (%s)"), staff->name, role);
	if (dry_run)
		return step_new("staff", NHIP_SETUP_WOULD_CHANGE, _("would set the PIN of %s (%s)"),
				staff->name, role);
	if (!nhip_store_staff_set_pin(store, found->id, staff->pin, &error))
		return step_new("staff", NHIP_SETUP_FAILED, "%s", error->message);
	return step_new("staff", NHIP_SETUP_CHANGED, _("set the PIN of %s (%s)"), staff->name,
			role);
}

/* sets @key to @value unless it is so already; *changed is set when it was (or would be) */
static gboolean
setting_ensure(NhipStore *store,
	       const gchar *key,
	       const gchar *value,
	       gboolean dry_run,
	       gboolean *changed,
	       GError **error)
{
	g_autofree gchar *current = store != NULL ? nhip_store_setting_get(store, key, NULL) : NULL;

	if (g_strcmp0(current, value) == 0)
		return TRUE;
	*changed = TRUE;
	return dry_run || nhip_store_setting_set(store, key, value, error);
}

/**
 * nhip_setup_backup:
 * @store: (nullable): the station database; %NULL in a dry run before it exists
 * @config: the backup certificate, the number of copies and the mount point wanted
 * @dry_run: only say what would change
 *
 * The certificate is copied beside the database (backup.crt), so backups go on when the
 * USB stick it came on is gone.
 *
 * Returns: (transfer full): what was done
 */
NhipSetupStep *
nhip_setup_backup(NhipStore *store, const NhipSetupConfig *config, gboolean dry_run)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *keep =
		config->backup_keep > 0 ? g_strdup_printf("%u", config->backup_keep) : NULL;
	gboolean changed = FALSE;

	if (config->backup_certificate == NULL && keep == NULL && config->backup_mount == NULL)
		return step_new("backup", NHIP_SETUP_SKIPPED, _("no backup settings given"));
	if (config->backup_certificate != NULL) {
		g_autofree gchar *db_dir = NULL;
		g_autofree gchar *absolute = NULL;
		g_autofree gchar *dest = NULL;
		g_autofree gchar *wanted = NULL;
		g_autofree gchar *current = NULL;
		gsize length = 0;

		absolute = g_canonicalize_filename(
			store != NULL ? nhip_store_get_path(store) : "station.db", NULL);
		db_dir = g_path_get_dirname(absolute);
		dest = g_build_filename(db_dir, "backup.crt", NULL);
		if (!g_file_get_contents(config->backup_certificate, &wanted, &length, &error))
			return step_new("backup", NHIP_SETUP_FAILED, "%s", error->message);
		if (!g_file_get_contents(dest, &current, NULL, NULL) ||
		    g_strcmp0(current, wanted) != 0) {
			changed = TRUE;
			if (!dry_run &&
			    !nhip_durable_write(dest, (const guint8 *)wanted, length, &error))
				return step_new("backup", NHIP_SETUP_FAILED, "%s", error->message);
		}
		if (!setting_ensure(store, NHIP_SETTING_BACKUP_CERTIFICATE, dest, dry_run, &changed,
				    &error))
			return step_new("backup", NHIP_SETUP_FAILED, "%s", error->message);
	}
	if ((keep != NULL &&
	     !setting_ensure(store, NHIP_SETTING_BACKUP_KEEP, keep, dry_run, &changed, &error)) ||
	    (config->backup_mount != NULL &&
	     !setting_ensure(store, NHIP_SETTING_BACKUP_MOUNT, config->backup_mount, dry_run,
			     &changed, &error)))
		return step_new("backup", NHIP_SETUP_FAILED, "%s", error->message);
	if (!changed)
		return step_new("backup", NHIP_SETUP_UNCHANGED, _("backup settings as given"));
	return step_new("backup", dry_run ? NHIP_SETUP_WOULD_CHANGE : NHIP_SETUP_CHANGED,
			dry_run ? _("would install the backup certificate and settings")
				: _("backup certificate and settings installed"));
}

/* the hub link: where the hub is and the pins the identity install wrote, keeping the
 * [sync] timing a technician may have set */
static gboolean
enroll_write_link(const gchar *dir,
		  const gchar *hub,
		  gchar **enrolled_station,
		  gchar **pin,
		  GError **error)
{
	g_autofree gchar *ini_path = g_build_filename(dir, "hub.ini", NULL);
	g_autofree gchar *ini_text = NULL;
	g_autofree gchar *station = nhip_station_identity_get_pin(dir, "station", error);
	g_autofree gchar *recipient = NULL;
	g_autofree gchar *hub_pin = NULL;
	g_autoptr(GKeyFile) ini = g_key_file_new();
	gsize ini_length = 0;

	if (station == NULL)
		return FALSE;
	recipient = nhip_station_identity_get_pin(dir, "recipient", error);
	if (recipient == NULL)
		return FALSE;
	hub_pin = nhip_station_identity_get_pin(dir, "tls", error);
	if (hub_pin == NULL)
		return FALSE;
	g_key_file_load_from_file(ini, ini_path, G_KEY_FILE_KEEP_COMMENTS, NULL);
	g_key_file_set_string(ini, "hub", "url", hub);
	g_key_file_set_string(ini, "hub", "station", station);
	g_key_file_set_string(ini, "hub", "pins", hub_pin);
	g_key_file_set_string(ini, "hub", "recipient", recipient);
	ini_text = g_key_file_to_data(ini, &ini_length, NULL);
	if (!nhip_durable_write(ini_path, (const guint8 *)ini_text, ini_length, error))
		return FALSE;
	if (enrolled_station != NULL)
		*enrolled_station = g_steal_pointer(&station);
	if (pin != NULL)
		*pin = g_steal_pointer(&hub_pin);
	return TRUE;
}

/**
 * nhip_setup_enroll:
 * @db_path: the station database
 * @hub: the hub's address (https://…)
 * @token: the one-time enrollment token
 * @station: the station code asked for
 * @enrolled_station: (out) (transfer full) (optional): the station code the hub gave
 * @pin: (out) (transfer full) (optional): the hub key pinned
 * @error: return location for a #GError
 *
 * Makes the station key (kept if there is one), sends a certificate request with the token
 * and installs the answer into hub/ beside the database: what `nhipctl enroll` does.
 *
 * Returns: %TRUE when enrolled
 */
gboolean
nhip_setup_enroll(const gchar *db_path,
		  const gchar *hub,
		  const gchar *token,
		  const gchar *station,
		  gchar **enrolled_station,
		  gchar **pin,
		  GError **error)
{
	g_autofree gchar *dir = nhip_station_identity_dir(db_path, error);
	g_autofree gchar *body = NULL;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) answer = NULL;
	g_autoptr(NhipHubResponse) response = NULL;
	g_autoptr(JsonBuilder) builder = json_builder_new();

	if (dir == NULL)
		return FALSE;
	/* the key is made here and never leaves the box; an existing one is kept */
	csr = nhip_station_identity_init(dir, station, error);
	if (csr == NULL)
		return FALSE;
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "token", token);
	{
		g_autofree gchar *csr_text =
			g_strndup(g_bytes_get_data(csr, NULL), g_bytes_get_size(csr));
		nhip_json_add_string(builder, "csr", csr_text);
	}
	json_builder_end_object(builder);
	body = nhip_json_to_string(builder, FALSE);
	response = nhip_hub_enroll_request(hub, body, error);
	if (response == NULL || !nhip_hub_response_check(response, _("enroll"), error))
		return FALSE;
	answer = g_bytes_new(response->body->data, response->body->len);
	/* checks the answer and that the certificate is for this station's key */
	if (!nhip_station_identity_install(dir, answer, token, error) ||
	    !enroll_write_link(dir, hub, enrolled_station, pin, error))
		return FALSE;
	return TRUE;
}

/**
 * nhip_setup_hub:
 * @db_path: the station database
 * @facility_code: (nullable): the facility code, the station code when none is given
 * @url: the hub's address
 * @token: the one-time enrollment token
 * @station: (nullable): the station code asked for
 * @dry_run: only say what would change
 *
 * A station enrolled with this hub already (hub.ini names it and the certificate is
 * there) is left alone: the token is used once.
 *
 * Returns: (transfer full): what was done
 */
NhipSetupStep *
nhip_setup_hub(const gchar *db_path,
	       const gchar *facility_code,
	       const gchar *url,
	       const gchar *token,
	       const gchar *station,
	       gboolean dry_run)
{
	g_autofree gchar *dir = nhip_station_identity_dir_for_db(db_path);
	g_autofree gchar *ini_path = g_build_filename(dir, "hub.ini", NULL);
	g_autofree gchar *cert = g_build_filename(dir, "station.crt", NULL);
	g_autoptr(GKeyFile) ini = g_key_file_new();
	g_autofree gchar *current_url = NULL;
	g_autofree gchar *current_station = NULL;
	g_autofree gchar *enrolled = NULL;
	g_autofree gchar *pin = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *wanted = station != NULL ? station : facility_code;

	if (g_key_file_load_from_file(ini, ini_path, G_KEY_FILE_NONE, NULL)) {
		current_url = g_key_file_get_string(ini, "hub", "url", NULL);
		current_station = g_key_file_get_string(ini, "hub", "station", NULL);
	}
	if (g_strcmp0(current_url, url) == 0 && g_file_test(cert, G_FILE_TEST_EXISTS) &&
	    (station == NULL || g_strcmp0(current_station, station) == 0))
		return step_new("hub", NHIP_SETUP_UNCHANGED, _("enrolled as %s with %s"),
				current_station, url);
	if (wanted == NULL)
		return step_new("hub", NHIP_SETUP_FAILED,
				_("no station code: set the facility first or give [hub] station"));
	if (dry_run)
		return step_new("hub", NHIP_SETUP_WOULD_CHANGE, _("would enroll as %s with %s"),
				wanted, url);
	if (!nhip_setup_enroll(db_path, url, token, wanted, &enrolled, &pin, &error))
		return step_new("hub", NHIP_SETUP_FAILED, _("enrollment with %s failed: %s"), url,
				error->message);
	return step_new("hub", NHIP_SETUP_CHANGED, _("enrolled as %s with %s; hub key pinned (%s)"),
			enrolled, url, pin);
}

typedef struct {
	NhipMeasurement *first;
	gchar *device;
} DeviceWait;

static void
device_measurement_cb(NhipDeviceManager *manager,
		      NhipDevice *device,
		      NhipMeasurement *measurement,
		      gpointer user_data)
{
	DeviceWait *wait = user_data;

	if (wait->first != NULL)
		return;
	wait->first = nhip_measurement_ref(measurement);
	wait->device = g_strdup(nhip_device_get_display_name(device));
}

static gboolean
flag_cb(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

/**
 * nhip_setup_devices:
 * @reading: wait for a test reading as well
 * @timeout: seconds to wait for it
 * @serial_ports: (nullable) (array zero-terminated=1): "driver:/dev/PORT" serial devices
 *
 * Lists the supported devices plugged in now and, when asked, waits for one measurement
 * (the technician takes one on any device). Runs the thread-default main context.
 *
 * Returns: (transfer full): what was found
 */
NhipSetupStep *
nhip_setup_devices(gboolean reading, guint timeout, const gchar *const *serial_ports)
{
	g_autoptr(NhipDeviceManager) manager = nhip_device_manager_new();
	g_autoptr(GPtrArray) devices = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) names = g_string_new(NULL);
	DeviceWait wait = { 0 };
	gboolean done = FALSE;
	gint64 deadline;
	NhipSetupStep *result;

	g_signal_connect(manager, "measurement", G_CALLBACK(device_measurement_cb), &wait);
	if (!nhip_device_manager_start(manager, &error))
		return step_new("devices", NHIP_SETUP_FAILED, "%s", error->message);
	for (guint i = 0; serial_ports != NULL && serial_ports[i] != NULL; i++) {
		const gchar *colon = strchr(serial_ports[i], ':');
		g_autofree gchar *driver =
			colon != NULL ? g_strndup(serial_ports[i], colon - serial_ports[i]) : NULL;
		if (colon == NULL ||
		    !nhip_device_manager_add_serial_port(manager, driver, colon + 1, &error)) {
			nhip_device_manager_stop(manager);
			return step_new("devices", NHIP_SETUP_FAILED, "%s",
					error != NULL ? error->message : serial_ports[i]);
		}
	}
	/* let hotplug enumeration settle */
	g_timeout_add(700, flag_cb, &done);
	while (!done)
		g_main_context_iteration(NULL, TRUE);
	deadline = g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_SECOND;
	while (reading && wait.first == NULL && g_get_monotonic_time() < deadline) {
		guint tick = g_timeout_add(100, flag_cb, &done);
		done = FALSE;
		while (!done && wait.first == NULL)
			g_main_context_iteration(NULL, TRUE);
		if (!done)
			g_source_remove(tick);
	}
	devices = nhip_device_manager_get_devices(manager);
	for (guint i = 0; i < devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(devices, i);
		if (names->len > 0)
			g_string_append(names, ", ");
		g_string_append_printf(names, "%s (%s)", nhip_device_get_display_name(device),
				       nhip_device_state_to_string(nhip_device_get_state(device)));
	}
	g_signal_handlers_disconnect_by_data(manager, &wait);
	nhip_device_manager_stop(manager);
	if (devices->len == 0)
		result =
			step_new("devices", NHIP_SETUP_FAILED,
				 _("no supported device is plugged in: plug the devices in, switch "
				   "them on and check again"));
	else if (reading && wait.first == NULL)
		result = step_new("devices", NHIP_SETUP_FAILED,
				  _("found %s, but no reading came within %u s: take a measurement "
				    "on a device and check again"),
				  names->str, timeout);
	else if (reading)
		result = step_new("devices", NHIP_SETUP_PASSED,
				  _("found %s; test reading from %s: %s %.1f %s"), names->str,
				  wait.device,
				  nhip_vital_kind_to_string(nhip_measurement_get_kind(wait.first)),
				  nhip_measurement_get_value(wait.first),
				  nhip_measurement_get_unit(wait.first));
	else
		result = step_new("devices", NHIP_SETUP_PASSED, _("found %s"), names->str);
	g_clear_pointer(&wait.first, nhip_measurement_unref);
	g_free(wait.device);
	return result;
}

/* the TLS handshake on a connected socket; fills @what with the result */
static gboolean
network_tls(gint fd,
	    const gchar *host,
	    const gchar *ca_path,
	    const gchar *pins,
	    guint timeout,
	    GString *what,
	    GError **error)
{
	g_autoptr(SSL_CTX) ctx = SSL_CTX_new(TLS_client_method());
	g_autoptr(SSL) ssl = NULL;
	g_autoptr(X509) peer = NULL;
	struct timeval tv = { .tv_sec = timeout, .tv_usec = 0 };
	g_autofree gchar *cn = NULL;
	g_autofree gchar *pin = NULL;

	/* GSocket keeps its descriptor non-blocking; OpenSSL here reads and writes it
	 * blocking, bounded by the socket timeouts */
	if (!g_unix_set_fd_nonblocking(fd, FALSE, error))
		return FALSE;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
			    _("TLS cannot be set up here"));
		return FALSE;
	}
	if (ca_path != NULL) {
		if (!SSL_CTX_load_verify_locations(ctx, ca_path, NULL)) {
			ERR_clear_error();
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
				    _("cannot read the district CA %s"), ca_path);
			return FALSE;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, host);
	if (SSL_connect(ssl) != 1) {
		glong verify = SSL_get_verify_result(ssl);
		gulong e = ERR_get_error();
		gchar buf[256] = { 0 };

		if (e != 0)
			ERR_error_string_n(e, buf, sizeof(buf));
		ERR_clear_error();
		if (ca_path != NULL && verify != X509_V_OK)
			g_set_error(
				error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
				_("TLS: the hub's certificate is not from the district CA (%s): "
				  "is this the right address?"),
				X509_verify_cert_error_string(verify));
		else
			g_set_error(
				error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
				_("TLS: the handshake failed (%s): is this the hub's HTTPS port?"),
				buf[0] != '\0' ? buf : _("the connection was closed"));
		return FALSE;
	}
	peer = SSL_get1_peer_certificate(ssl);
	cn = peer != NULL ? nhip_x509_get_common_name(peer) : NULL;
	pin = peer != NULL ? nhip_x509_spki_pin(peer) : NULL;
	g_string_append_printf(what, _("TLS: %s, certificate “%s”"), SSL_get_version(ssl),
			       cn != NULL ? cn : "?");
	if (pins != NULL && pin != NULL && strstr(pins, pin) == NULL) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
			    _("TLS: the hub's key (%s) is not the one pinned at enrollment: the "
			      "hub was replaced, or this is not the hub; ask the district"),
			    pin);
		return FALSE;
	}
	if (ca_path != NULL)
		g_string_append(what, pins != NULL ? _(" verified against the district CA and the "
						       "pinned key")
						   : _(" verified against the district CA"));
	else
		g_string_append(what, _(" (not verified: the station is not enrolled yet)"));
	SSL_shutdown(ssl);
	return TRUE;
}

/**
 * nhip_setup_network:
 * @db_path: the station database (for the hub address, CA and pin after enrollment)
 * @url: (nullable): the hub's address; the enrolled one when %NULL
 * @timeout: seconds for each of the three
 *
 * Resolves the hub's name, opens a TCP connection and completes a TLS handshake, and says
 * which of the three fails and what to do.
 *
 * Returns: (transfer full): what was found
 */
NhipSetupStep *
nhip_setup_network(const gchar *db_path, const gchar *url, guint timeout)
{
	g_autofree gchar *dir = nhip_station_identity_dir_for_db(db_path);
	g_autofree gchar *ini_path = g_build_filename(dir, "hub.ini", NULL);
	g_autofree gchar *ca_path = g_build_filename(dir, "ca.crt", NULL);
	g_autoptr(GKeyFile) ini = g_key_file_new();
	g_autofree gchar *enrolled_url = NULL;
	g_autofree gchar *pins = NULL;
	g_autoptr(GUri) uri = NULL;
	g_autoptr(GResolver) resolver = g_resolver_get_default();
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) connection = NULL;
	g_autoptr(GSocketAddress) address = NULL;
	g_autoptr(GString) what = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ip = NULL;
	GList *addresses = NULL;
	gint port;
	gint64 start;

	if (g_key_file_load_from_file(ini, ini_path, G_KEY_FILE_NONE, NULL)) {
		enrolled_url = g_key_file_get_string(ini, "hub", "url", NULL);
		pins = g_key_file_get_string(ini, "hub", "pins", NULL);
	}
	if (url == NULL)
		url = enrolled_url;
	if (url == NULL)
		return step_new("network", NHIP_SETUP_SKIPPED,
				_("no hub address to check: give one or enroll first"));
	/* the pin and CA belong to the enrolled hub only */
	if (g_strcmp0(url, enrolled_url) != 0) {
		g_clear_pointer(&pins, g_free);
		g_clear_pointer(&ca_path, g_free);
	} else if (!g_file_test(ca_path, G_FILE_TEST_EXISTS)) {
		g_clear_pointer(&ca_path, g_free);
	}
	uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL || g_uri_get_host(uri) == NULL)
		return step_new("network", NHIP_SETUP_FAILED, _("“%s” is not an address"), url);
	port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : 443;

	start = g_get_monotonic_time();
	addresses = g_resolver_lookup_by_name(resolver, g_uri_get_host(uri), NULL, &error);
	if (addresses == NULL)
		return step_new("network", NHIP_SETUP_FAILED,
				_("DNS: the name %s cannot be found (%s): check the network cable "
				  "or SIM and the address"),
				g_uri_get_host(uri), error->message);
	ip = g_inet_address_to_string(addresses->data);
	address = g_inet_socket_address_new(addresses->data, (guint16)port);
	g_resolver_free_addresses(addresses);
	g_string_append_printf(what, _("DNS: %s is %s (%" PRId64 " ms); "), g_uri_get_host(uri), ip,
			       (g_get_monotonic_time() - start) / 1000);

	start = g_get_monotonic_time();
	g_socket_client_set_timeout(client, timeout);
	/* straight to the hub: the check is of this station's own route */
	g_socket_client_set_enable_proxy(client, FALSE);
	connection = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(address), NULL, &error);
	if (connection == NULL)
		return step_new("network", NHIP_SETUP_FAILED,
				_("%sTCP: cannot connect to %s port %d (%s): the hub is down or a "
				  "firewall blocks the port"),
				what->str, ip, port, error->message);
	g_string_append_printf(what, _("TCP: connected to port %d (%" PRId64 " ms); "), port,
			       (g_get_monotonic_time() - start) / 1000);
	if (!network_tls(g_socket_get_fd(g_socket_connection_get_socket(connection)),
			 g_uri_get_host(uri), ca_path, pins, timeout, what, &error))
		return step_new("network", NHIP_SETUP_FAILED, "%s%s", what->str, error->message);
	g_io_stream_close(G_IO_STREAM(connection), NULL, NULL);
	return step_new("network", NHIP_SETUP_PASSED, "%s", what->str);
}

/**
 * nhip_setup_run:
 * @db_path: the station database; created unless @dry_run
 * @config: what to set up
 * @dry_run: change nothing, say what would change
 *
 * Runs every step; a failed step does not stop the others.
 *
 * Returns: (transfer full) (element-type NhipSetupStep): one entry per step
 */
GPtrArray *
nhip_setup_run(const gchar *db_path, const NhipSetupConfig *config, gboolean dry_run)
{
	GPtrArray *steps = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_setup_step_free);
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GError) error = NULL;

	if (!dry_run || g_file_test(db_path, G_FILE_TEST_EXISTS)) {
		store = nhip_store_open(db_path, &error);
		if (store == NULL) {
			g_ptr_array_add(steps, step_new("database", NHIP_SETUP_FAILED, "%s",
							error->message));
			return steps;
		}
	}
	g_ptr_array_add(steps, nhip_setup_facility(store, config->facility, dry_run));
	for (guint i = 0; i < config->staff->len; i++)
		g_ptr_array_add(steps, nhip_setup_staff(store, g_ptr_array_index(config->staff, i),
							dry_run));
	g_ptr_array_add(steps, nhip_setup_backup(store, config, dry_run));
	if (config->hub_url != NULL)
		g_ptr_array_add(steps,
				nhip_setup_hub(db_path, config->facility->code, config->hub_url,
					       config->hub_token, config->hub_station, dry_run));
	if (config->check_devices)
		g_ptr_array_add(steps,
				nhip_setup_devices(config->device_reading, config->device_timeout,
						   (const gchar *const *)config->serial_ports));
	if (config->check_network)
		g_ptr_array_add(steps, nhip_setup_network(db_path, config->hub_url,
							  config->network_timeout));
	return steps;
}
