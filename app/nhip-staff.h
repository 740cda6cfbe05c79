/*
 * Nhịp — a staff account (station staff, doctor or technician).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NHIP_TYPE_STAFF (nhip_staff_get_type())

/**
 * NhipRole:
 * @NHIP_ROLE_STAFF: nurse, assistant doctor, midwife: records visits
 * @NHIP_ROLE_DOCTOR: doctor: also diagnoses and answers
 * @NHIP_ROLE_TECHNICIAN: installs, enrolls, maintains; may unlock accounts
 */
typedef enum {
	NHIP_ROLE_STAFF,
	NHIP_ROLE_DOCTOR,
	NHIP_ROLE_TECHNICIAN,
} NhipRole;

/**
 * NhipStaff:
 * @id: row id
 * @name: display name
 * @role: role
 * @failed_attempts: wrong PINs since the last right one
 * @locked_until: Unix time the lockout ends, 0 when not locked
 * @active: whether the account may log in
 * @created_at: Unix time of creation
 */
typedef struct {
	gint64 id;
	gchar *name;
	NhipRole role;
	gint failed_attempts;
	gint64 locked_until;
	gboolean active;
	gint64 created_at;
} NhipStaff;

GType nhip_staff_get_type(void);
NhipStaff *nhip_staff_copy(const NhipStaff *self);
void nhip_staff_free(NhipStaff *self);
const gchar *nhip_role_to_string(NhipRole role);
gboolean nhip_role_from_string(const gchar *text, NhipRole *role, GError **error);
void nhip_staff_to_json(const NhipStaff *self, JsonBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipStaff, nhip_staff_free)

G_END_DECLS
