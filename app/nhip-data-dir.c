/*
 * Nhịp — where the station keeps its data, and whether that place is encrypted at rest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "nhip-data-dir.h"

G_DEFINE_QUARK(nhip - data - dir - error - quark, nhip_data_dir_error)

/* device-mapper stacks deeper than this are not followed (LUKS → LVM is two) */
#define DATA_DIR_MAX_DEPTH 8

/* the folder as the kernel sees it: absolute, with the symlinks of the part that exists
 * resolved; the rest (not made yet) kept as written */
static gchar *
data_dir_resolve(const gchar *path)
{
	g_autofree gchar *absolute = g_canonicalize_filename(path, NULL);
	g_autofree gchar *existing = g_strdup(absolute);
	g_autofree gchar *rest = g_strdup("");

	while (TRUE) {
		g_autofree gchar *real = realpath(existing, NULL);
		g_autofree gchar *parent = NULL;
		g_autofree gchar *base = NULL;
		gchar *joined;

		if (real != NULL)
			return *rest != '\0' ? g_build_filename(real, rest, NULL)
					     : g_steal_pointer(&real);
		if (g_strcmp0(existing, "/") == 0)
			return g_steal_pointer(&absolute);
		parent = g_path_get_dirname(existing);
		base = g_path_get_basename(existing);
		joined = *rest != '\0' ? g_build_filename(base, rest, NULL) : g_strdup(base);
		g_free(rest);
		rest = joined;
		g_free(existing);
		existing = g_steal_pointer(&parent);
	}
}

static gboolean
data_dir_is_inside(const gchar *path, const gchar *dir)
{
	gsize len = strlen(dir);

	if (g_strcmp0(dir, "/") == 0 || g_strcmp0(path, dir) == 0)
		return TRUE;
	return strncmp(path, dir, len) == 0 && path[len] == '/';
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static gchar *
data_dir_unescape(const gchar *field)
{
	GString *out = g_string_sized_new(strlen(field));

	for (const gchar *p = field; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			g_string_append_c(
				out, (gchar)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
			p += 3;
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

typedef struct {
	gchar *mount_point;
	gchar *fstype;
	gchar *source;
	guint major;
	guint minor;
} DataDirMount;

static void
data_dir_mount_clear(DataDirMount *mount)
{
	g_clear_pointer(&mount->mount_point, g_free);
	g_clear_pointer(&mount->fstype, g_free);
	g_clear_pointer(&mount->source, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(DataDirMount, data_dir_mount_clear)

/* the mount that holds @path: the longest mount point above it; of equal ones the last
 * listed, which is the one on top */
static gboolean
data_dir_find_mount(const gchar *path,
		    const gchar *mountinfo_path,
		    DataDirMount *found,
		    GError **error)
{
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) error_local = NULL;
	gsize best = 0;

	if (!g_file_get_contents(mountinfo_path, &text, NULL, &error_local)) {
		g_set_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_FAILED,
			    _("cannot read the mount table %s: %s"), mountinfo_path,
			    error_local->message);
		return FALSE;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) fields = g_strsplit(lines[i], " ", -1);
		g_autofree gchar *mount_point = NULL;
		guint n = g_strv_length(fields);
		guint dash = 6;
		guint major = 0;
		guint minor = 0;
		gsize len;

		/* id parent MAJ:MIN root mount-point options [optional…] - type source super */
		if (n < 10 || sscanf(fields[2], "%u:%u", &major, &minor) != 2)
			continue;
		while (dash < n && g_strcmp0(fields[dash], "-") != 0)
			dash++;
		if (dash + 2 >= n)
			continue;
		mount_point = data_dir_unescape(fields[4]);
		if (!data_dir_is_inside(path, mount_point))
			continue;
		len = strlen(mount_point);
		if (found->mount_point != NULL && len < best)
			continue;
		data_dir_mount_clear(found);
		best = len;
		found->mount_point = g_steal_pointer(&mount_point);
		found->fstype = g_strdup(fields[dash + 1]);
		found->source = data_dir_unescape(fields[dash + 2]);
		found->major = major;
		found->minor = minor;
	}
	if (found->mount_point == NULL) {
		g_set_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_FAILED,
			    _("no mount in %s holds %s"), mountinfo_path, path);
		return FALSE;
	}
	return TRUE;
}

static gchar *
data_dir_read_line(const gchar *path)
{
	gchar *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	return g_strstrip(text);
}

/* a LUKS mapping, or a device-mapper device (LVM, RAID) made only of encrypted ones */
static gboolean
data_dir_block_is_encrypted(const gchar *sysfs_root, const gchar *dev, guint depth)
{
	g_autofree gchar *block = g_build_filename(sysfs_root, "dev", "block", dev, NULL);
	g_autofree gchar *uuid_path = g_build_filename(block, "dm", "uuid", NULL);
	g_autofree gchar *uuid = data_dir_read_line(uuid_path);
	g_autofree gchar *slaves_path = NULL;
	g_autoptr(GDir) slaves = NULL;
	const gchar *name;
	guint n_slaves = 0;

	if (uuid == NULL || depth >= DATA_DIR_MAX_DEPTH)
		return FALSE;
	if (g_str_has_prefix(uuid, "CRYPT-LUKS"))
		return TRUE;
	slaves_path = g_build_filename(block, "slaves", NULL);
	slaves = g_dir_open(slaves_path, 0, NULL);
	if (slaves == NULL)
		return FALSE;
	while ((name = g_dir_read_name(slaves)) != NULL) {
		g_autofree gchar *dev_path = g_build_filename(slaves_path, name, "dev", NULL);
		g_autofree gchar *slave_dev = data_dir_read_line(dev_path);

		if (slave_dev == NULL ||
		    !data_dir_block_is_encrypted(sysfs_root, slave_dev, depth + 1))
			return FALSE;
		n_slaves++;
	}
	return n_slaves > 0;
}

/* the name a technician knows the device by: /dev/mapper/NAME, else the mount's source */
static gchar *
data_dir_describe(const gchar *sysfs_root, const gchar *dev, const DataDirMount *mount)
{
	g_autofree gchar *name_path =
		g_build_filename(sysfs_root, "dev", "block", dev, "dm", "name", NULL);
	g_autofree gchar *name = data_dir_read_line(name_path);

	if (name != NULL && *name != '\0')
		return g_strdup_printf("/dev/mapper/%s (%s)", name, dev);
	return g_strdup_printf("%s (%s, %s)", mount->source, mount->fstype, dev);
}

/**
 * nhip_data_dir_check_encrypted:
 * @path: a folder (it need not exist yet: the folder above it that does is looked at)
 * @mountinfo_path: (nullable): the mount table; %NULL for /proc/self/mountinfo
 * @sysfs_root: (nullable): where sysfs is mounted; %NULL for /sys
 * @error: return location for a #GError: %NHIP_DATA_DIR_ERROR_UNENCRYPTED when the
 *   folder is not on an encrypted volume, %NHIP_DATA_DIR_ERROR_FAILED when that cannot
 *   be told
 *
 * Tells whether what is written under @path ends up on a LUKS volume. The tests give a
 * mount table and a sysfs tree of their own.
 *
 * Returns: %TRUE when it does
 */
gboolean
nhip_data_dir_check_encrypted(const gchar *path,
			      const gchar *mountinfo_path,
			      const gchar *sysfs_root,
			      GError **error)
{
	g_autofree gchar *resolved = data_dir_resolve(path);
	g_auto(DataDirMount) mount = { NULL };
	g_autofree gchar *dev = NULL;
	g_autofree gchar *what = NULL;
	guint major;
	guint minor;

	if (mountinfo_path == NULL)
		mountinfo_path = "/proc/self/mountinfo";
	if (sysfs_root == NULL)
		sysfs_root = "/sys";
	if (!data_dir_find_mount(resolved, mountinfo_path, &mount, error))
		return FALSE;
	major = mount.major;
	minor = mount.minor;
	/* btrfs and the like have an anonymous device number; their source names the disk */
	if (major == 0 && g_str_has_prefix(mount.source, "/dev/")) {
		GStatBuf st;

		if (g_stat(mount.source, &st) == 0 && S_ISBLK(st.st_mode)) {
			major = major(st.st_rdev);
			minor = minor(st.st_rdev);
		}
	}
	dev = g_strdup_printf("%u:%u", major, minor);
	if (major != 0 && data_dir_block_is_encrypted(sysfs_root, dev, 0))
		return TRUE;
	what = data_dir_describe(sysfs_root, dev, &mount);
	g_set_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_UNENCRYPTED,
		    _("the data folder %s is on %s, mounted at %s, which is not an encrypted "
		      "(LUKS) volume"),
		    resolved, what, mount.mount_point);
	return FALSE;
}

/**
 * nhip_data_dir_config_path:
 *
 * Returns: (transfer full): the station's configuration file: $NHIP_CONFIG, else
 *   station.conf in the installed configuration folder
 */
gchar *
nhip_data_dir_config_path(void)
{
	const gchar *env = g_getenv("NHIP_CONFIG");

	if (env != NULL && *env != '\0')
		return g_strdup(env);
	return g_build_filename(NHIP_SYSCONFDIR, "nhip", "station.conf", NULL);
}

/**
 * nhip_data_dir_get:
 * @config_path: (nullable): the configuration file; %NULL for nhip_data_dir_config_path()
 *
 * The station's data folder as configured, whether or not encryption is required: what
 * nothing shown on screen may ever open (see ui/nhip-photo-scan.c).
 *
 * Returns: (transfer full): `dir` of [data] when the file names an absolute one, else the
 *   folder of the default database
 */
gchar *
nhip_data_dir_get(const gchar *config_path)
{
	g_autofree gchar *default_path = NULL;
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autofree gchar *configured = NULL;

	if (config_path == NULL)
		config_path = default_path = nhip_data_dir_config_path();
	if (g_key_file_load_from_file(file, config_path, G_KEY_FILE_NONE, NULL))
		configured = g_key_file_get_string(file, "data", "dir", NULL);
	if (configured != NULL && g_path_is_absolute(configured))
		return g_steal_pointer(&configured);
	return g_path_get_dirname(NHIP_DEFAULT_DB);
}

static gboolean
data_dir_config_boolean(GKeyFile *file,
			const gchar *config_path,
			const gchar *key,
			gboolean *value,
			GError **error)
{
	g_autoptr(GError) error_local = NULL;

	*value = FALSE;
	if (!g_key_file_has_key(file, "data", key, NULL))
		return TRUE;
	*value = g_key_file_get_boolean(file, "data", key, &error_local);
	if (error_local != NULL) {
		g_set_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_CONFIG,
			    _("%s: %s in [data] must be true or false"), config_path, key);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_data_dir_check_with:
 * @db_path: the station database about to be opened
 * @config_path: the configuration file (it need not exist)
 * @mountinfo_path: (nullable): as for nhip_data_dir_check_encrypted()
 * @sysfs_root: (nullable): as for nhip_data_dir_check_encrypted()
 * @error: return location for a #GError
 *
 * Applies the rule of [data] in @config_path to @db_path: a database inside `dir` when
 * `require-encryption` is set must be on an encrypted volume, unless `allow-unencrypted`
 * is set too (logged at every start).
 *
 * Returns: %TRUE when the station may use @db_path
 */
gboolean
nhip_data_dir_check_with(const gchar *db_path,
			 const gchar *config_path,
			 const gchar *mountinfo_path,
			 const gchar *sysfs_root,
			 GError **error)
{
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *configured = NULL;
	g_autofree gchar *data_dir = NULL;
	g_autofree gchar *db_dir = NULL;
	gboolean require = FALSE;
	gboolean allow = FALSE;

	if (!g_key_file_load_from_file(file, config_path, G_KEY_FILE_NONE, &error_local)) {
		/* a build tree or a developer's box: no rule */
		if (g_error_matches(error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_set_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_CONFIG,
			    _("cannot read the station configuration %s: %s"), config_path,
			    error_local->message);
		return FALSE;
	}
	if (!data_dir_config_boolean(file, config_path, "require-encryption", &require, error) ||
	    !data_dir_config_boolean(file, config_path, "allow-unencrypted", &allow, error))
		return FALSE;
	if (!require)
		return TRUE;
	configured = g_key_file_get_string(file, "data", "dir", NULL);
	if (configured == NULL)
		configured = g_path_get_dirname(NHIP_DEFAULT_DB);
	if (!g_path_is_absolute(configured)) {
		g_set_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_CONFIG,
			    _("%s: dir in [data] must be an absolute path, not “%s”"), config_path,
			    configured);
		return FALSE;
	}
	data_dir = data_dir_resolve(configured);
	{
		g_autofree gchar *parent = g_path_get_dirname(db_path);
		db_dir = data_dir_resolve(parent);
	}
	if (!data_dir_is_inside(db_dir, data_dir))
		return TRUE;
	if (allow) {
		g_message(
			"data folder %s: encryption at rest not checked (allow-unencrypted in %s)",
			db_dir, config_path);
		return TRUE;
	}
	if (!nhip_data_dir_check_encrypted(db_dir, mountinfo_path, sysfs_root, &error_local)) {
		if (error_local->code != NHIP_DATA_DIR_ERROR_UNENCRYPTED) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		g_set_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_UNENCRYPTED,
			    _("%s; patient data must not be stored unencrypted. Set up the "
			      "encrypted data partition with nhip-setup-luks (see "
			      "/usr/share/doc/nhip-station/encryption.md), or, on a development or "
			      "training box with no patient data, set allow-unencrypted=true in "
			      "[data] of %s"),
			    error_local->message, config_path);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_data_dir_check:
 * @db_path: the station database about to be opened
 * @error: return location for a #GError
 *
 * nhip_data_dir_check_with() on the installed configuration and the running kernel.
 *
 * Returns: %TRUE when the station may use @db_path
 */
gboolean
nhip_data_dir_check(const gchar *db_path, GError **error)
{
	g_autofree gchar *config_path = nhip_data_dir_config_path();
	return nhip_data_dir_check_with(db_path, config_path, NULL, NULL, error);
}
