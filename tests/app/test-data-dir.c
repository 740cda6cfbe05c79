/*
 * Nhịp — tests of the encryption-at-rest check of the data folder (nhip-data-dir.c): mount
 * tables and sysfs trees written by the test for the layouts a station may have (plain
 * disk, LUKS, LVM on LUKS, LVM on a plain disk, tmpfs, escaped and stacked mount points),
 * the rule of station.conf, and the running kernel's own tables. The check on a real LUKS
 * volume is in tests/packaging/test-setup-luks.sh (root and a loop device).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-data-dir.h"
#include "nhip-test-utils.h"

typedef struct {
	gchar *dir;
	gchar *mountinfo;
	gchar *sysfs;
	gchar *config;
} Fixture;

/* the mount table of a station: the system disk, the LUKS data volume, LVM on LUKS, LVM on
 * a plain partition, a tmpfs, a mount point with a space, and one mounted over twice */
static const gchar mountinfo_text[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
	"25 22 0:23 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
	"30 22 253:0 / /var/lib/nhip rw,noatime shared:9 - ext4 /dev/mapper/nhip-data rw\n"
	"31 22 253:2 / /srv/lvm-luks rw shared:10 - ext4 /dev/mapper/vg-data rw\n"
	"32 22 253:3 / /srv/lvm-plain rw shared:11 - xfs /dev/mapper/vg0-plain rw\n"
	"33 22 0:45 / /run/nhip rw,nosuid shared:12 - tmpfs tmpfs rw,size=1024k\n"
	"34 22 253:0 / /srv/my\\040data rw shared:13 - ext4 /dev/mapper/nhip-data rw\n"
	"35 22 8:2 / /srv/stack rw shared:14 - ext4 /dev/sda2 rw\n"
	"36 35 253:0 / /srv/stack rw shared:15 - ext4 /dev/mapper/nhip-data rw\n"
	"garbage line\n";

static void
write_sysfs(Fixture *f, const gchar *dev, const gchar *file, const gchar *text)
{
	g_autofree gchar *path = g_build_filename(f->sysfs, "dev", "block", dev, file, NULL);
	g_autofree gchar *parent = g_path_get_dirname(path);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = nhip_test_tmpdir();
	f->mountinfo = g_build_filename(f->dir, "mountinfo", NULL);
	f->sysfs = g_build_filename(f->dir, "sys", NULL);
	f->config = g_build_filename(f->dir, "station.conf", NULL);
	g_assert_true(g_file_set_contents(f->mountinfo, mountinfo_text, -1, &error));
	g_assert_no_error(error);
	/* 8:1 and 8:2 are partitions: no dm/ folder */
	write_sysfs(f, "8:1", "dev", "8:1\n");
	write_sysfs(f, "8:2", "dev", "8:2\n");
	/* 253:0 the LUKS2 mapping; 253:1 a second one under the LVM of 253:2 */
	write_sysfs(f, "253:0", "dm/uuid",
		    "CRYPT-LUKS2-0f3c1a9e2b7d4c5e8f6a1b2c3d4e5f60-nhip-data\n");
	write_sysfs(f, "253:0", "dm/name", "nhip-data\n");
	write_sysfs(f, "253:1", "dm/uuid",
		    "CRYPT-LUKS1-7d4c5e8f6a1b2c3d4e5f600f3c1a9e2b-luks-sdb\n");
	write_sysfs(f, "253:2", "dm/uuid", "LVM-abcdefghijklmnopqrstuvwxyz012345\n");
	write_sysfs(f, "253:2", "dm/name", "vg-data\n");
	write_sysfs(f, "253:2", "slaves/dm-1/dev", "253:1\n");
	/* LVM on a plain partition */
	write_sysfs(f, "253:3", "dm/uuid", "LVM-0123456789abcdefghijklmnopqrstuv\n");
	write_sysfs(f, "253:3", "dm/name", "vg0-plain\n");
	write_sysfs(f, "253:3", "slaves/sda2/dev", "8:2\n");
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	nhip_test_rmrf(f->dir);
	g_free(f->dir);
	g_free(f->mountinfo);
	g_free(f->sysfs);
	g_free(f->config);
}

static gboolean
check(Fixture *f, const gchar *path, GError **error)
{
	return nhip_data_dir_check_encrypted(path, f->mountinfo, f->sysfs, error);
}

static void
test_layouts(Fixture *f, gconstpointer data)
{
	static const gchar *const encrypted[] = {
		"/var/lib/nhip",	 "/var/lib/nhip/hub",	 "/var/lib/nhip/not/made/yet",
		"/srv/lvm-luks/station", "/srv/my data/station", "/srv/stack/db",
	};

	for (guint i = 0; i < G_N_ELEMENTS(encrypted); i++) {
		g_autoptr(GError) error = NULL;
		g_test_message("%s", encrypted[i]);
		g_assert_true(check(f, encrypted[i], &error));
		g_assert_no_error(error);
	}
}

static void
test_unencrypted(Fixture *f, gconstpointer data)
{
	static const struct {
		const gchar *path;
		const gchar *device;
		const gchar *mount_point;
	} plain[] = {
		/* a name that only starts like the data folder is on the system disk */
		{ "/var/lib/nhipx", "/dev/sda1 (ext4, 8:1)", "mounted at /," },
		{ "/home/nhip", "/dev/sda1 (ext4, 8:1)", "mounted at /," },
		{ "/srv/lvm-plain/db", "/dev/mapper/vg0-plain (253:3)", "/srv/lvm-plain" },
		{ "/run/nhip/db", "tmpfs (tmpfs, 0:45)", "/run/nhip" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(plain); i++) {
		g_autoptr(GError) error = NULL;
		g_test_message("%s", plain[i].path);
		g_assert_false(check(f, plain[i].path, &error));
		g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_UNENCRYPTED);
		g_assert_nonnull(strstr(error->message, plain[i].path));
		g_assert_nonnull(strstr(error->message, plain[i].device));
		g_assert_nonnull(strstr(error->message, plain[i].mount_point));
	}
}

static void
test_unreadable(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *missing = g_build_filename(f->dir, "no-such-mountinfo", NULL);
	g_autofree gchar *empty = g_build_filename(f->dir, "empty-mountinfo", NULL);

	g_assert_false(nhip_data_dir_check_encrypted("/var/lib/nhip", missing, f->sysfs, &error));
	g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, missing));
	g_clear_error(&error);

	/* a table with no root mount holds nothing */
	g_assert_true(g_file_set_contents(empty, "", 0, &error));
	g_assert_false(nhip_data_dir_check_encrypted("/var/lib/nhip", empty, f->sysfs, &error));
	g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_FAILED);
}

static gboolean
check_config(Fixture *f, const gchar *config, const gchar *db, GError **error)
{
	g_autoptr(GError) error_local = NULL;

	g_assert_true(g_file_set_contents(f->config, config, -1, &error_local));
	return nhip_data_dir_check_with(db, f->config, f->mountinfo, f->sysfs, error);
}

static void
test_config(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *missing = g_build_filename(f->dir, "none.conf", NULL);

	/* no configuration (a build tree): no rule */
	g_assert_true(nhip_data_dir_check_with("/home/nhip/station.db", missing, f->mountinfo,
					       f->sysfs, &error));
	g_assert_no_error(error);

	/* the rule not asked for */
	g_assert_true(check_config(f, "[data]\ndir=/home/nhip\n", "/home/nhip/station.db", &error));
	g_assert_no_error(error);
	g_assert_true(check_config(f, "[data]\ndir=/home/nhip\nrequire-encryption=false\n",
				   "/home/nhip/station.db", &error));
	g_assert_no_error(error);

	/* asked for: a database inside the data folder must be on LUKS */
	g_assert_false(check_config(f, "[data]\ndir=/home/nhip\nrequire-encryption=true\n",
				    "/home/nhip/station.db", &error));
	g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_UNENCRYPTED);
	g_assert_nonnull(strstr(error->message, "/home/nhip"));
	g_assert_nonnull(strstr(error->message, "nhip-setup-luks"));
	g_assert_nonnull(strstr(error->message, f->config));
	g_clear_error(&error);
	g_assert_true(check_config(f, "[data]\ndir=/var/lib/nhip\nrequire-encryption=true\n",
				   "/var/lib/nhip/station.db", &error));
	g_assert_no_error(error);

	/* a database elsewhere (a demo, a test, a copy) is not the station's data */
	g_assert_true(check_config(f, "[data]\ndir=/home/nhip\nrequire-encryption=true\n",
				   "/tmp/demo/station.db", &error));
	g_assert_no_error(error);

	/* the explicit exception of a development box */
	g_assert_true(check_config(
		f, "[data]\ndir=/home/nhip\nrequire-encryption=true\nallow-unencrypted=true\n",
		"/home/nhip/station.db", &error));
	g_assert_no_error(error);

	/* mistakes in the file are named */
	g_assert_false(check_config(f, "[data]\nrequire-encryption=yes please\n",
				    "/var/lib/nhip/station.db", &error));
	g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_CONFIG);
	g_assert_nonnull(strstr(error->message, "require-encryption"));
	g_clear_error(&error);
	g_assert_false(check_config(f, "[data]\ndir=var/lib/nhip\nrequire-encryption=true\n",
				    "/var/lib/nhip/station.db", &error));
	g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_CONFIG);
	g_clear_error(&error);
	g_assert_false(check_config(f, "not a key file\n", "/var/lib/nhip/station.db", &error));
	g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_CONFIG);
	g_assert_nonnull(strstr(error->message, f->config));
}

/* the running kernel's tables: a temporary folder is found in them, encrypted or not */
static void
test_real_kernel(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *config = g_build_filename(f->dir, "real.conf", NULL);
	g_autofree gchar *text =
		g_strdup_printf("[data]\ndir=%s\nrequire-encryption=true\n", f->dir);
	g_autofree gchar *db = g_build_filename(f->dir, "station.db", NULL);

	if (!nhip_data_dir_check_encrypted(f->dir, NULL, NULL, &error))
		g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_UNENCRYPTED);
	g_clear_error(&error);

	/* the environment names the configuration file */
	g_assert_true(g_file_set_contents(config, text, -1, &error));
	g_setenv("NHIP_CONFIG", config, TRUE);
	{
		g_autofree gchar *named = nhip_data_dir_config_path();
		g_assert_cmpstr(named, ==, config);
	}
	if (!nhip_data_dir_check(db, &error))
		g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_UNENCRYPTED);
	g_unsetenv("NHIP_CONFIG");
}

/* a folder on a real LUKS volume (and one on a plain file system beside it) that
 * tests/packaging/test-setup-luks.sh made on a loop device and names in the environment */
static void
test_luks_volume(gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const gchar *encrypted = g_getenv("NHIP_TEST_ENCRYPTED_DIR");
	const gchar *plain = g_getenv("NHIP_TEST_PLAIN_DIR");

	g_assert_true(nhip_data_dir_check_encrypted(encrypted, NULL, NULL, &error));
	g_assert_no_error(error);
	if (plain != NULL) {
		g_assert_false(nhip_data_dir_check_encrypted(plain, NULL, NULL, &error));
		g_assert_error(error, NHIP_DATA_DIR_ERROR, NHIP_DATA_DIR_ERROR_UNENCRYPTED);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (g_getenv("NHIP_TEST_ENCRYPTED_DIR") != NULL)
		g_test_add_data_func("/data-dir/luks-volume", NULL, test_luks_volume);
	g_test_add("/data-dir/layouts", Fixture, NULL, fixture_setup, test_layouts,
		   fixture_teardown);
	g_test_add("/data-dir/unencrypted", Fixture, NULL, fixture_setup, test_unencrypted,
		   fixture_teardown);
	g_test_add("/data-dir/unreadable", Fixture, NULL, fixture_setup, test_unreadable,
		   fixture_teardown);
	g_test_add("/data-dir/config", Fixture, NULL, fixture_setup, test_config, fixture_teardown);
	g_test_add("/data-dir/real-kernel", Fixture, NULL, fixture_setup, test_real_kernel,
		   fixture_teardown);
	return g_test_run();
}
