/*
 * Nhịp — where the station keeps its data, and whether that place is encrypted at rest.
 *
 * An installed station reads the [data] group of its configuration file
 * (NHIP_SYSCONFDIR/nhip/station.conf, or the file named by NHIP_CONFIG):
 *
 *   [data]
 *   dir=/var/lib/nhip            the folder that holds the database and its files
 *   require-encryption=true      refuse to run on it unless it is on a LUKS volume
 *   allow-unencrypted=false      a development or training box's explicit exception
 *
 * The rule covers only databases inside that folder: a demo database, a test's temporary
 * folder or a copy a technician opens with --db elsewhere are not patient data on the
 * station's disk, and no configuration file (a build tree) means no rule.
 *
 * Whether a folder is encrypted is read from the kernel: the mount that holds it
 * (/proc/self/mountinfo), its block device's device-mapper UUID
 * (/sys/dev/block/MAJ:MIN/dm/uuid: "CRYPT-LUKS1-…" or "CRYPT-LUKS2-…"), and for a
 * device-mapper device that is not itself a LUKS mapping (LVM on LUKS) the devices under
 * it (…/slaves/), every one of which must be encrypted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_DATA_DIR_ERROR (nhip_data_dir_error_quark())

/**
 * NhipDataDirError:
 * @NHIP_DATA_DIR_ERROR_UNENCRYPTED: the data folder is not on an encrypted volume
 * @NHIP_DATA_DIR_ERROR_CONFIG: the configuration file is malformed
 * @NHIP_DATA_DIR_ERROR_FAILED: the mount table or the device could not be read
 */
typedef enum {
	NHIP_DATA_DIR_ERROR_UNENCRYPTED,
	NHIP_DATA_DIR_ERROR_CONFIG,
	NHIP_DATA_DIR_ERROR_FAILED,
} NhipDataDirError;

GQuark nhip_data_dir_error_quark(void);

gboolean nhip_data_dir_check_encrypted(const gchar *path,
				       const gchar *mountinfo_path,
				       const gchar *sysfs_root,
				       GError **error);
gboolean nhip_data_dir_check_with(const gchar *db_path,
				  const gchar *config_path,
				  const gchar *mountinfo_path,
				  const gchar *sysfs_root,
				  GError **error);
gboolean nhip_data_dir_check(const gchar *db_path, GError **error);
gchar *nhip_data_dir_config_path(void) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_data_dir_get(const gchar *config_path) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
