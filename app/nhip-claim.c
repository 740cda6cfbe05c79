/*
 * Nhịp — the claim records of a visit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-claim.h"

/**
 * nhip_claim_settings_free:
 * @self: (nullable): settings
 */
void
nhip_claim_settings_free(NhipClaimSettings *self)
{
	if (self == NULL)
		return;
	g_free(self->department_code);
	g_free(self->director_code);
	g_free(self->director_license);
	g_free(self);
}

/**
 * nhip_visit_claim_new:
 * @visit_id: the visit
 *
 * Returns: (transfer full): the claim details of an examination (care type "01",
 *   outcome 1) with no category, text or referral
 */
NhipVisitClaim *
nhip_visit_claim_new(gint64 visit_id)
{
	NhipVisitClaim *self = g_new0(NhipVisitClaim, 1);
	self->visit_id = visit_id;
	self->care_type = g_strdup("01");
	self->outcome = 1;
	return self;
}

/**
 * nhip_visit_claim_free:
 * @self: (nullable): claim details
 */
void
nhip_visit_claim_free(NhipVisitClaim *self)
{
	if (self == NULL)
		return;
	g_free(self->care_type);
	g_free(self->category);
	g_free(self->diagnosis_text);
	g_free(self->treatment);
	g_free(self->referred_from);
	g_free(self);
}

/**
 * nhip_visit_service_new:
 * @visit_id: the visit
 *
 * Returns: (transfer full): a service line of one unit, paid fully, inside the benefit
 */
NhipVisitService *
nhip_visit_service_new(gint64 visit_id)
{
	NhipVisitService *self = g_new0(NhipVisitService, 1);
	self->visit_id = visit_id;
	self->quantity = 1;
	self->service_rate = 100;
	self->insurance_rate = 100;
	self->scope = 1;
	self->cost_group = NHIP_CLAIM_COST_GROUP_EXAM;
	return self;
}

/**
 * nhip_visit_service_free:
 * @self: (nullable): a service line
 */
void
nhip_visit_service_free(NhipVisitService *self)
{
	if (self == NULL)
		return;
	g_free(self->code);
	g_free(self->name);
	g_free(self->unit);
	g_free(self);
}

/**
 * nhip_appointment_free:
 * @self: (nullable): an appointment
 */
void
nhip_appointment_free(NhipAppointment *self)
{
	if (self == NULL)
		return;
	g_free(self->number);
	g_free(self->date);
	g_free(self);
}

/**
 * nhip_referral_free:
 * @self: (nullable): a referral
 */
void
nhip_referral_free(NhipReferral *self)
{
	if (self == NULL)
		return;
	g_free(self->number);
	g_free(self->to_facility);
	g_free(self->signs);
	g_free(self->course);
	g_free(self->results);
	g_free(self->direction);
	g_free(self->transport);
	g_free(self->escort_name);
	g_free(self->escort_title);
	g_free(self);
}

/**
 * nhip_claim_care_type_valid:
 * @care_type: (nullable): a MA_LOAI_KCB value
 *
 * Returns: %TRUE for "01" to "10"
 */
gboolean
nhip_claim_care_type_valid(const gchar *care_type)
{
	static const gchar *const types[] = { "01", "02", "03", "04", "05",
					      "06", "07", "08", "09", "10" };
	for (guint i = 0; care_type != NULL && i < G_N_ELEMENTS(types); i++) {
		if (strcmp(care_type, types[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/**
 * nhip_claim_category_valid:
 * @category: (nullable): a MA_DOITUONG_KCB value
 *
 * Returns: %TRUE for a code shaped like those of QĐ 824 Phụ lục 2: a digit, optionally
 *   followed by a dot and one or two digits ("2", "1.1", "1.10")
 */
gboolean
nhip_claim_category_valid(const gchar *category)
{
	gsize n;

	if (category == NULL)
		return FALSE;
	n = strlen(category);
	if (n == 0 || n > 4 || !g_ascii_isdigit(category[0]))
		return FALSE;
	if (n == 1)
		return TRUE;
	if (category[1] != '.' || n < 3)
		return FALSE;
	for (gsize i = 2; i < n; i++) {
		if (!g_ascii_isdigit(category[i]))
			return FALSE;
	}
	return TRUE;
}
