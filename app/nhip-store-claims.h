/*
 * Nhịp — the claim records in the store (schema version 5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-claim.h"
#include "nhip-store.h"

G_BEGIN_DECLS

gboolean
nhip_store_claim_settings_set(NhipStore *self, const NhipClaimSettings *settings, GError **error);
NhipClaimSettings *nhip_store_claim_settings_get(NhipStore *self,
						 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_staff_set_license(NhipStore *self,
				      gint64 staff_id,
				      const gchar *license_no,
				      GError **error);
gchar *nhip_store_staff_get_license(NhipStore *self,
				    gint64 staff_id,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_visit_claim_set(NhipStore *self, const NhipVisitClaim *claim, GError **error);
NhipVisitClaim *nhip_store_visit_claim_get(NhipStore *self,
					   gint64 visit_id,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gint64 nhip_store_visit_service_add(NhipStore *self, NhipVisitService *service, GError **error);
gboolean nhip_store_visit_service_remove(NhipStore *self, gint64 service_id, GError **error);
GPtrArray *nhip_store_visit_service_list(NhipStore *self,
					 gint64 visit_id,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_visit_appointment_set(NhipStore *self,
					  const NhipAppointment *appointment,
					  GError **error);
NhipAppointment *nhip_store_visit_appointment_get(NhipStore *self,
						  gint64 visit_id,
						  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_store_visit_referral_set(NhipStore *self, const NhipReferral *referral, GError **error);
NhipReferral *nhip_store_visit_referral_get(NhipStore *self,
					    gint64 visit_id,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
