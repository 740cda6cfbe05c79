/*
 * Nhịp — what an insurance claim (the QĐ 130 tables) needs beyond the medical record: the
 * visit's care type and category, the charged services with their prices, the appointment
 * and referral papers, and the facility's claim settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the MA_NHOM of an examination fee (QĐ 5937 Phụ lục 3, "Khám bệnh") */
#define NHIP_CLAIM_COST_GROUP_EXAM 13

/**
 * NhipClaimSettings:
 * @department_code: MA_KHOA, the department of the station (QĐ 5937 Phụ lục 5), e.g. "K01"
 * @director_code: (nullable): MA_TTDV under QĐ 4750: the BHXH number (10 digits) of the
 *   head of the facility (or the delegate) who signs referral and appointment papers
 * @director_license: (nullable): MA_TTDV under QĐ 3176: the same person's
 *   practising-licence number
 */
typedef struct {
	gchar *department_code;
	gchar *director_code;
	gchar *director_license;
} NhipClaimSettings;

/**
 * NhipVisitClaim:
 * @visit_id: the visit
 * @care_type: MA_LOAI_KCB, "01" (examination) to "10"
 * @category: (nullable): MA_DOITUONG_KCB (QĐ 824 Phụ lục 2), e.g. "1.1"; %NULL takes
 *   "1.1" when the patient's card is registered at this facility
 * @diagnosis_text: (nullable): the diagnoses in words, CHAN_DOAN_VAO and CHAN_DOAN_RV
 * @treatment: (nullable): PP_DIEU_TRI, the treatment given
 * @referred_from: (nullable): MA_NOI_DI, the facility that sent the patient
 * @outcome: KET_QUA_DTRI, 1 (cured) to 8
 */
typedef struct {
	gint64 visit_id;
	gchar *care_type;
	gchar *category;
	gchar *diagnosis_text;
	gchar *treatment;
	gchar *referred_from;
	gint outcome;
} NhipVisitClaim;

/**
 * NhipVisitService:
 * @id: row id, 0 before it is stored
 * @visit_id: the visit
 * @code: MA_DICH_VU, the service code of the national list (DMDC)
 * @name: TEN_DICH_VU
 * @cost_group: MA_NHOM (QĐ 5937 Phụ lục 3), 13 for the examination fee
 * @unit: DON_VI_TINH, e.g. "Lần"
 * @quantity: SO_LUONG
 * @price_hospital: DON_GIA_BV in đồng
 * @price_insurance: DON_GIA_BH in đồng
 * @service_rate: TYLE_TT_DV in percent (100 for most services)
 * @insurance_rate: TYLE_TT_BH in percent
 * @scope: PHAM_VI: 1 inside the BHYT benefit, 2 outside, 3 outside but paid for some
 * @ordered_at: Unix time of the order (NGAY_YL)
 * @performed_at: Unix time it was done (NGAY_TH_YL)
 * @staff_id: who examined or ordered (MA_BAC_SI), 0 when not recorded
 */
typedef struct {
	gint64 id;
	gint64 visit_id;
	gchar *code;
	gchar *name;
	gint cost_group;
	gchar *unit;
	gdouble quantity;
	gint64 price_hospital;
	gint64 price_insurance;
	gint service_rate;
	gint insurance_rate;
	gint scope;
	gint64 ordered_at;
	gint64 performed_at;
	gint64 staff_id;
} NhipVisitService;

/**
 * NhipAppointment:
 * @visit_id: the visit
 * @number: SO_GIAYHEN_KL, the number of the appointment paper
 * @date: the day of the next visit, YYYY-MM-DD
 * @issued_at: Unix time the paper was given
 * @staff_id: the doctor who gave it, 0 when not recorded
 */
typedef struct {
	gint64 visit_id;
	gchar *number;
	gchar *date;
	gint64 issued_at;
	gint64 staff_id;
} NhipAppointment;

/**
 * NhipReferral:
 * @visit_id: the visit
 * @number: SO_CHUYENTUYEN, the number of the referral paper
 * @to_facility: MA_NOI_DEN, the facility the patient is sent to
 * @reason: MA_LYDO_CT: 1 meets the referral rules, 2 beyond what the station can do,
 *   3 at the patient's request (then MA_LOAI_RV is 5, else 2)
 * @signs: (nullable): DAU_HIEU_LS, clinical signs
 * @course: (nullable): QT_BENHLY, course of the illness
 * @results: (nullable): TOMTAT_KQ, summary of test results
 * @direction: (nullable): HUONG_DIEU_TRI, what treatment is advised
 * @transport: (nullable): PHUONGTIEN_VC, how the patient travels
 * @escort_name: (nullable): HOTEN_NGUOI_HT, who goes with the patient
 * @escort_title: (nullable): CHUCDANH_NGUOI_HT, their title
 * @issued_at: Unix time the paper was given
 * @staff_id: the doctor who referred, 0 when not recorded
 */
typedef struct {
	gint64 visit_id;
	gchar *number;
	gchar *to_facility;
	gint reason;
	gchar *signs;
	gchar *course;
	gchar *results;
	gchar *direction;
	gchar *transport;
	gchar *escort_name;
	gchar *escort_title;
	gint64 issued_at;
	gint64 staff_id;
} NhipReferral;

void nhip_claim_settings_free(NhipClaimSettings *self);
NhipVisitClaim *nhip_visit_claim_new(gint64 visit_id);
void nhip_visit_claim_free(NhipVisitClaim *self);
NhipVisitService *nhip_visit_service_new(gint64 visit_id);
void nhip_visit_service_free(NhipVisitService *self);
void nhip_appointment_free(NhipAppointment *self);
void nhip_referral_free(NhipReferral *self);
gboolean nhip_claim_care_type_valid(const gchar *care_type);
gboolean nhip_claim_category_valid(const gchar *category);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipClaimSettings, nhip_claim_settings_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipVisitClaim, nhip_visit_claim_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipVisitService, nhip_visit_service_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipAppointment, nhip_appointment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipReferral, nhip_referral_free)

G_END_DECLS
