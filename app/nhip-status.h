/*
 * Nhịp — the technician's view of a station's health: versions, disk space, database
 * integrity, the outbox to the hub, the HIS link, devices, the station certificate, time
 * synchronisation and the last backup. Read-only: collecting it never changes anything
 * (the database is opened read-only, without migrations).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * NhipStatusLevel:
 * @NHIP_STATUS_OK: fine
 * @NHIP_STATUS_UNKNOWN: cannot be determined here (time sync in a container)
 * @NHIP_STATUS_WARNING: needs attention soon (no backup for days, certificate expiring)
 * @NHIP_STATUS_PROBLEM: wrong now; `nhipctl status --check` fails
 */
typedef enum {
	NHIP_STATUS_OK,
	NHIP_STATUS_UNKNOWN,
	NHIP_STATUS_WARNING,
	NHIP_STATUS_PROBLEM,
} NhipStatusLevel;

const gchar *nhip_status_level_to_string(NhipStatusLevel level);

/**
 * NhipStatusItem:
 * @name: a stable id: "versions", "disk", "database", "outbox", "his", "devices",
 *   "certificate", "time", "backup"
 * @title: what is checked, translated
 * @level: how it stands
 * @message: one line for a person, translated
 */
typedef struct {
	gchar *name;
	gchar *title;
	NhipStatusLevel level;
	gchar *message;
} NhipStatusItem;

/**
 * NhipStatusDevice:
 * @id: the device id
 * @name: its display name
 * @state: its state ("ready", "error", …)
 */
typedef struct {
	gchar *id;
	gchar *name;
	gchar *state;
} NhipStatusDevice;

NhipStatusDevice *nhip_status_device_new(const gchar *id, const gchar *name, const gchar *state);
void nhip_status_device_free(NhipStatusDevice *self);

typedef struct _NhipStatus NhipStatus;

NhipStatus *nhip_status_collect(const gchar *db_path, GPtrArray *devices) G_GNUC_WARN_UNUSED_RESULT;
void nhip_status_free(NhipStatus *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipStatus, nhip_status_free)

GPtrArray *nhip_status_get_items(NhipStatus *self);
gboolean nhip_status_is_healthy(NhipStatus *self);
void nhip_status_to_json(NhipStatus *self, JsonBuilder *builder);
void nhip_status_log(NhipStatus *self);

G_END_DECLS
