/*
 * Nhịp — a staff account (station staff, doctor or technician).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-error.h"
#include "nhip-json.h"
#include "nhip-staff.h"

G_DEFINE_BOXED_TYPE(NhipStaff, nhip_staff, nhip_staff_copy, nhip_staff_free)

/**
 * nhip_staff_copy:
 * @self: an account
 *
 * Returns: (transfer full): a deep copy
 */
NhipStaff *
nhip_staff_copy(const NhipStaff *self)
{
	NhipStaff *copy = g_new0(NhipStaff, 1);
	*copy = *self;
	copy->name = g_strdup(self->name);
	return copy;
}

/**
 * nhip_staff_free:
 * @self: (nullable): an account
 */
void
nhip_staff_free(NhipStaff *self)
{
	if (self == NULL)
		return;
	g_free(self->name);
	g_free(self);
}

/**
 * nhip_role_to_string:
 * @role: a role
 *
 * Returns: (transfer none): "staff", "doctor" or "technician"
 */
const gchar *
nhip_role_to_string(NhipRole role)
{
	switch (role) {
	case NHIP_ROLE_DOCTOR:
		return "doctor";
	case NHIP_ROLE_TECHNICIAN:
		return "technician";
	case NHIP_ROLE_STAFF:
	default:
		return "staff";
	}
}

/**
 * nhip_role_from_string:
 * @text: "staff", "doctor" or "technician"
 * @role: (out): the role
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_role_from_string(const gchar *text, NhipRole *role, GError **error)
{
	if (g_strcmp0(text, "staff") == 0) {
		*role = NHIP_ROLE_STAFF;
		return TRUE;
	}
	if (g_strcmp0(text, "doctor") == 0) {
		*role = NHIP_ROLE_DOCTOR;
		return TRUE;
	}
	if (g_strcmp0(text, "technician") == 0) {
		*role = NHIP_ROLE_TECHNICIAN;
		return TRUE;
	}
	g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
		    _("role “%s” must be staff, doctor or technician"), text != NULL ? text : "");
	return FALSE;
}

/**
 * nhip_staff_to_json:
 * @self: an account
 * @builder: a builder positioned where a value may be added
 *
 * Adds the account as one JSON object; the PIN hash is never written.
 */
void
nhip_staff_to_json(const NhipStaff *self, JsonBuilder *builder)
{
	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "id", self->id);
	nhip_json_add_string(builder, "name", self->name);
	nhip_json_add_string(builder, "role", nhip_role_to_string(self->role));
	json_builder_set_member_name(builder, "active");
	json_builder_add_boolean_value(builder, self->active);
	nhip_json_add_int(builder, "failed_attempts", self->failed_attempts);
	nhip_json_add_time(builder, "locked_until", self->locked_until);
	nhip_json_add_time(builder, "created_at", self->created_at);
	json_builder_end_object(builder);
}
