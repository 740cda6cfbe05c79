/*
 * Nhịp — setting a station up: the facility, its administrative codes, staff accounts,
 * the backup certificate, enrollment with the district hub, and the device and network
 * checks. `nhipctl setup --config FILE` runs every step from a key file (see
 * docs/setup.md); the kiosk's first-run assistant runs the same steps one screen at a time.
 * Every step compares before it changes, so running it twice changes nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-facility.h"
#include "nhip-staff.h"
#include "nhip-store.h"

G_BEGIN_DECLS

/**
 * NhipSetupResult:
 * @NHIP_SETUP_UNCHANGED: already as asked
 * @NHIP_SETUP_CHANGED: changed now
 * @NHIP_SETUP_WOULD_CHANGE: would change (dry run)
 * @NHIP_SETUP_PASSED: a check passed
 * @NHIP_SETUP_SKIPPED: not asked for, or not possible in a dry run
 * @NHIP_SETUP_FAILED: the step failed; the message says why
 */
typedef enum {
	NHIP_SETUP_UNCHANGED,
	NHIP_SETUP_CHANGED,
	NHIP_SETUP_WOULD_CHANGE,
	NHIP_SETUP_PASSED,
	NHIP_SETUP_SKIPPED,
	NHIP_SETUP_FAILED,
} NhipSetupResult;

const gchar *nhip_setup_result_to_string(NhipSetupResult result);

/**
 * NhipSetupStep:
 * @step: which step: "facility", "staff", "backup", "hub", "devices", "network"
 * @result: what happened
 * @message: one line for the technician
 */
typedef struct {
	gchar *step;
	NhipSetupResult result;
	gchar *message;
} NhipSetupStep;

void nhip_setup_step_free(NhipSetupStep *self);

/**
 * NhipSetupStaff:
 * @name: display name
 * @role: role
 * @pin: the PIN (4 to 8 digits); stored only as its hash
 */
typedef struct {
	gchar *name;
	NhipRole role;
	gchar *pin;
} NhipSetupStaff;

/**
 * NhipSetupConfig:
 * @facility: (nullable): the facility and its administrative codes
 * @staff: (element-type NhipSetupStaff): accounts to create or bring up to date
 * @hub_url: (nullable): the district hub
 * @hub_token: (nullable): the one-time enrollment token
 * @hub_station: (nullable): the station code asked for (default: the facility code)
 * @backup_certificate: (nullable): the district's backup certificate to install
 * @backup_keep: backups kept on the backup disk, 0 to leave the setting alone
 * @backup_mount: (nullable): where the backup disk is mounted
 * @check_devices: list the connected devices
 * @device_reading: and wait for a test reading
 * @device_timeout: seconds to wait for it
 * @serial_ports: (nullable) (array zero-terminated=1): "driver:/dev/ttyUSB0" for serial
 *   devices
 * @check_network: check DNS, TCP and TLS to the hub
 * @network_timeout: seconds for each
 */
typedef struct {
	NhipFacility *facility;
	GPtrArray *staff;
	gchar *hub_url;
	gchar *hub_token;
	gchar *hub_station;
	gchar *backup_certificate;
	guint backup_keep;
	gchar *backup_mount;
	gboolean check_devices;
	gboolean device_reading;
	guint device_timeout;
	gchar **serial_ports;
	gboolean check_network;
	guint network_timeout;
} NhipSetupConfig;

NhipSetupConfig *nhip_setup_config_new(void) G_GNUC_WARN_UNUSED_RESULT;
void nhip_setup_config_free(NhipSetupConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipSetupConfig, nhip_setup_config_free)
NhipSetupConfig *nhip_setup_config_load(const gchar *path,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipSetupConfig *nhip_setup_config_parse(const gchar *text,
					 gsize length,
					 const gchar *label,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_setup_check_admin_code(const gchar *what, const gchar *code, GError **error);

NhipSetupStep *
nhip_setup_facility(NhipStore *store, const NhipFacility *facility, gboolean dry_run);
NhipSetupStep *nhip_setup_staff(NhipStore *store, const NhipSetupStaff *staff, gboolean dry_run);
NhipSetupStep *nhip_setup_backup(NhipStore *store, const NhipSetupConfig *config, gboolean dry_run);
NhipSetupStep *nhip_setup_hub(const gchar *db_path,
			      const gchar *facility_code,
			      const gchar *url,
			      const gchar *token,
			      const gchar *station,
			      gboolean dry_run);
NhipSetupStep *
nhip_setup_devices(gboolean reading, guint timeout, const gchar *const *serial_ports);
NhipSetupStep *nhip_setup_network(const gchar *db_path, const gchar *url, guint timeout);
GPtrArray *nhip_setup_run(const gchar *db_path,
			  const NhipSetupConfig *config,
			  gboolean dry_run) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_setup_enroll(const gchar *db_path,
			   const gchar *hub,
			   const gchar *token,
			   const gchar *station,
			   gchar **enrolled_station,
			   gchar **pin,
			   GError **error);

G_END_DECLS
