/*
 * Nhịp — tests of the claim records in the store (schema version 6): settings, licence
 * numbers, a visit's claim details, services, appointment and referral papers, their
 * validation and the audit log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-store-claims.h"
#include "nhip-store-private.h"
#include "nhip-test-utils.h"

/* 2024-03-05 08:00 in the station's zone (the tests run with TZ=Asia/Ho_Chi_Minh) */
#define T_OPEN G_GINT64_CONSTANT(1709600400)

typedef struct {
	NhipTestStation station;
	gchar *path;
	NhipStore *store;
	gint64 staff_id;
	gint64 visit_id;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	gint64 patient_id;

	nhip_test_station_open(&f->station);
	f->path = f->station.path;
	f->store = f->station.store;
	f->staff_id = nhip_store_staff_add(f->store, "Bác sĩ Trần Văn Minh", NHIP_ROLE_DOCTOR,
					   "3456", &error);
	g_assert_no_error(error);
	patient->full_name = g_strdup("Hờ Thị Mỷ");
	patient->birth = g_strdup("1990-04-12");
	patient->sex = NHIP_SEX_FEMALE;
	patient_id = nhip_store_patient_add(f->store, patient, &error);
	g_assert_no_error(error);
	nhipi_store_set_clock(f->store, T_OPEN);
	f->visit_id = nhip_store_visit_open(f->store, patient_id, "Sốt, ho", &error);
	g_assert_no_error(error);
	nhipi_store_set_clock(f->store, 0);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	nhip_test_station_close(&f->station);
}

static void
assert_error(GError *error, gint code, const gchar *fragment)
{
	g_assert_nonnull(error);
	g_assert_true(error->domain == NHIP_STORE_ERROR);
	if (error->code != code || strstr(error->message, fragment) == NULL)
		g_error("expected code %d with “%s”, got %d: %s", code, fragment, error->code,
			error->message);
}

static void
test_settings(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipClaimSettings) got = NULL;
	NhipClaimSettings settings = { (gchar *)"K01", (gchar *)"6600123456",
				       (gchar *)"000123/ĐL-GPHN" };
	NhipClaimSettings bad = settings;

	got = nhip_store_claim_settings_get(f->store, &error);
	g_assert_null(got);
	assert_error(error, NHIP_STORE_ERROR_NOT_FOUND, "claim settings");
	g_clear_error(&error);

	bad.department_code = (gchar *)"";
	g_assert_false(nhip_store_claim_settings_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "MA_KHOA");
	g_clear_error(&error);
	bad = settings;
	bad.director_code = (gchar *)"12345";
	g_assert_false(nhip_store_claim_settings_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "10 digits");
	g_clear_error(&error);
	bad = settings;
	bad.director_license = (gchar *)"000123 ĐL";
	g_assert_false(nhip_store_claim_settings_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "without spaces");
	g_clear_error(&error);

	g_assert_true(nhip_store_claim_settings_set(f->store, &settings, &error));
	g_assert_no_error(error);
	got = nhip_store_claim_settings_get(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(got->department_code, ==, "K01");
	g_assert_cmpstr(got->director_code, ==, "6600123456");
	g_assert_cmpstr(got->director_license, ==, "000123/ĐL-GPHN");
}

static void
test_license(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *license = NULL;

	g_assert_false(nhip_store_staff_set_license(f->store, 99, "001932/ĐL-CCHN", &error));
	assert_error(error, NHIP_STORE_ERROR_NOT_FOUND, "99");
	g_clear_error(&error);
	g_assert_false(nhip_store_staff_set_license(f->store, f->staff_id, "0019 32", &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "without spaces");
	g_clear_error(&error);

	license = nhip_store_staff_get_license(f->store, f->staff_id, &error);
	g_assert_no_error(error);
	g_assert_null(license);
	g_assert_true(
		nhip_store_staff_set_license(f->store, f->staff_id, "001932/ĐL-CCHN", &error));
	license = nhip_store_staff_get_license(f->store, f->staff_id, &error);
	g_assert_cmpstr(license, ==, "001932/ĐL-CCHN");
	g_clear_pointer(&license, g_free);
	/* blank removes it */
	g_assert_true(nhip_store_staff_set_license(f->store, f->staff_id, "  ", &error));
	license = nhip_store_staff_get_license(f->store, f->staff_id, &error);
	g_assert_no_error(error);
	g_assert_null(license);
}

static void
test_visit_claim(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipVisitClaim) claim = nhip_store_visit_claim_get(f->store, f->visit_id, &error);
	g_autoptr(NhipVisitClaim) bad = NULL;
	g_autoptr(NhipVisitClaim) got = NULL;
	g_autofree gchar *long_text = NULL;
	struct {
		const gchar *care_type;
		const gchar *category;
		gint outcome;
		const gchar *referred_from;
		const gchar *fragment;
	} cases[] = {
		{ "11", NULL, 1, NULL, "MA_LOAI_KCB" },
		{ "1", NULL, 1, NULL, "MA_LOAI_KCB" },
		{ "01", "x", 1, NULL, "MA_DOITUONG_KCB" },
		{ "01", "1.", 1, NULL, "MA_DOITUONG_KCB" },
		{ "01", "12.1", 1, NULL, "MA_DOITUONG_KCB" },
		{ "01", NULL, 9, NULL, "KET_QUA_DTRI" },
		{ "01", NULL, 0, NULL, "KET_QUA_DTRI" },
		{ "01", NULL, 1, "12", "facility code" },
	};

	g_assert_no_error(error);
	/* a visit without claim details has those of an examination */
	g_assert_cmpstr(claim->care_type, ==, "01");
	g_assert_null(claim->category);
	g_assert_cmpint(claim->outcome, ==, 1);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		bad = nhip_visit_claim_new(f->visit_id);
		g_free(bad->care_type);
		bad->care_type = g_strdup(cases[i].care_type);
		bad->category = g_strdup(cases[i].category);
		bad->outcome = cases[i].outcome;
		bad->referred_from = g_strdup(cases[i].referred_from);
		g_assert_false(nhip_store_visit_claim_set(f->store, bad, &error));
		assert_error(error, NHIP_STORE_ERROR_INVALID, cases[i].fragment);
		g_clear_error(&error);
		g_clear_pointer(&bad, nhip_visit_claim_free);
	}
	bad = nhip_visit_claim_new(f->visit_id);
	long_text = g_strnfill(4001, 'x');
	bad->diagnosis_text = g_strdup(long_text);
	g_assert_false(nhip_store_visit_claim_set(f->store, bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "4000");
	g_clear_error(&error);
	bad->visit_id = 999;
	g_clear_pointer(&bad->diagnosis_text, g_free);
	g_assert_false(nhip_store_visit_claim_set(f->store, bad, &error));
	assert_error(error, NHIP_STORE_ERROR_NOT_FOUND, "999");
	g_clear_error(&error);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM visit_claims"), ==, 0);

	g_free(claim->care_type);
	claim->care_type = g_strdup("06");
	claim->category = g_strdup("1.1");
	claim->diagnosis_text = g_strdup("Viêm phế quản cấp; theo dõi sốt");
	claim->treatment = g_strdup("Hạ sốt, bù nước");
	claim->referred_from = g_strdup("66001");
	claim->outcome = 2;
	g_assert_true(nhip_store_visit_claim_set(f->store, claim, &error));
	g_assert_no_error(error);
	got = nhip_store_visit_claim_get(f->store, f->visit_id, &error);
	g_assert_cmpstr(got->care_type, ==, "06");
	g_assert_cmpstr(got->category, ==, "1.1");
	g_assert_cmpstr(got->diagnosis_text, ==, "Viêm phế quản cấp; theo dõi sốt");
	g_assert_cmpstr(got->treatment, ==, "Hạ sốt, bù nước");
	g_assert_cmpstr(got->referred_from, ==, "66001");
	g_assert_cmpint(got->outcome, ==, 2);
	g_assert_cmpint(
		nhip_test_sql_int(f->path,
				  "SELECT count(*) FROM audit_log WHERE action = 'visit.claim'"),
		==, 1);
	g_assert_true(nhip_store_audit_verify(f->store, NULL, NULL, NULL));
}

static void
test_services(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	gint64 id;
	struct {
		const gchar *field;
		const gchar *fragment;
	} cases[] = {
		{ "code", "MA_DICH_VU" },
		{ "name", "TEN_DICH_VU" },
		{ "unit", "DON_VI_TINH" },
		{ "group", "MA_NHOM" },
		{ "quantity", "quantity" },
		{ "decimals", "3 decimals" },
		{ "price", "999 999 999 999" },
		{ "rate", "percentages" },
		{ "scope", "PHAM_VI" },
		{ "before", "during the visit" },
		{ "order", "after it was ordered" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(NhipVisitService) service = nhip_test_exam(f->visit_id, T_OPEN);
		const gchar *field = cases[i].field;
		if (g_str_equal(field, "code"))
			g_clear_pointer(&service->code, g_free);
		else if (g_str_equal(field, "name"))
			service->name[0] = '\0';
		else if (g_str_equal(field, "unit"))
			g_clear_pointer(&service->unit, g_free);
		else if (g_str_equal(field, "group"))
			service->cost_group = 20;
		else if (g_str_equal(field, "quantity"))
			service->quantity = 0;
		else if (g_str_equal(field, "decimals"))
			service->quantity = 1.2345;
		else if (g_str_equal(field, "price"))
			service->price_hospital = -1;
		else if (g_str_equal(field, "rate"))
			service->insurance_rate = 101;
		else if (g_str_equal(field, "scope"))
			service->scope = 4;
		else if (g_str_equal(field, "before"))
			service->ordered_at = T_OPEN - 60;
		else if (g_str_equal(field, "order"))
			service->performed_at = service->ordered_at - 1;
		g_assert_cmpint(nhip_store_visit_service_add(f->store, service, &error), ==, 0);
		assert_error(error, NHIP_STORE_ERROR_INVALID, cases[i].fragment);
		g_clear_error(&error);
	}
	{
		g_autoptr(NhipVisitService) service = nhip_test_exam(f->visit_id, T_OPEN);
		service->staff_id = 77;
		g_assert_cmpint(nhip_store_visit_service_add(f->store, service, &error), ==, 0);
		assert_error(error, NHIP_STORE_ERROR_NOT_FOUND, "77");
		g_clear_error(&error);
	}
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM visit_services"), ==, 0);

	{
		g_autoptr(NhipVisitService) service = nhip_test_exam(f->visit_id, T_OPEN);
		service->staff_id = f->staff_id;
		service->quantity = 1.5;
		id = nhip_store_visit_service_add(f->store, service, &error);
		g_assert_no_error(error);
		g_assert_cmpint(id, >, 0);
		g_assert_cmpint(service->id, ==, id);
	}
	list = nhip_store_visit_service_list(f->store, f->visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 1);
	{
		NhipVisitService *got = list->pdata[0];
		g_assert_cmpstr(got->code, ==, "02.1896");
		g_assert_cmpstr(got->name, ==, "Khám bệnh tại Trạm Y tế xã");
		g_assert_cmpstr(got->unit, ==, "Lần");
		g_assert_cmpfloat(got->quantity, ==, 1.5);
		g_assert_cmpint(got->price_insurance, ==, 38700);
		g_assert_cmpint(got->staff_id, ==, f->staff_id);
		g_assert_cmpint(got->cost_group, ==, NHIP_CLAIM_COST_GROUP_EXAM);
	}
	g_assert_false(nhip_store_visit_service_remove(f->store, id + 100, &error));
	assert_error(error, NHIP_STORE_ERROR_NOT_FOUND, "service line");
	g_clear_error(&error);
	g_assert_true(nhip_store_visit_service_remove(f->store, id, &error));
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM visit_services"), ==, 0);

	/* after closing, a service cannot have been done after the visit ended */
	nhipi_store_set_clock(f->store, T_OPEN + 900);
	g_assert_true(nhip_store_visit_close(f->store, f->visit_id, NULL, NULL, &error));
	nhipi_store_set_clock(f->store, 0);
	{
		g_autoptr(NhipVisitService) service = nhip_test_exam(f->visit_id, T_OPEN);
		service->performed_at = T_OPEN + 901;
		g_assert_cmpint(nhip_store_visit_service_add(f->store, service, &error), ==, 0);
		assert_error(error, NHIP_STORE_ERROR_INVALID, "during the visit");
		g_clear_error(&error);
		service->performed_at = T_OPEN + 900;
		g_assert_cmpint(nhip_store_visit_service_add(f->store, service, &error), >, 0);
		g_assert_no_error(error);
	}
}

static void
test_appointment(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipAppointment) got = NULL;
	NhipAppointment appointment = { f->visit_id, (gchar *)"HK000001", (gchar *)"2024-03-19", 0,
					0 };
	NhipAppointment bad = appointment;

	got = nhip_store_visit_appointment_get(f->store, f->visit_id, &error);
	g_assert_null(got);
	assert_error(error, NHIP_STORE_ERROR_NOT_FOUND, "no appointment");
	g_clear_error(&error);

	bad.date = (gchar *)"2024-03-05";
	g_assert_false(nhip_store_visit_appointment_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "after the day of the visit");
	g_clear_error(&error);
	bad.date = (gchar *)"2024-02-30";
	g_assert_false(nhip_store_visit_appointment_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "not a real date");
	g_clear_error(&error);
	bad = appointment;
	bad.number = (gchar *)"";
	g_assert_false(nhip_store_visit_appointment_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "appointment paper number");
	g_clear_error(&error);
	bad = appointment;
	bad.issued_at = T_OPEN - 1;
	g_assert_false(nhip_store_visit_appointment_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "before the visit");
	g_clear_error(&error);

	appointment.issued_at = T_OPEN + 600;
	appointment.staff_id = f->staff_id;
	g_assert_true(nhip_store_visit_appointment_set(f->store, &appointment, &error));
	g_assert_no_error(error);
	/* a second paper replaces the first */
	appointment.date = (gchar *)"19/03/2024";
	appointment.number = (gchar *)"HK000002";
	g_assert_true(nhip_store_visit_appointment_set(f->store, &appointment, &error));
	got = nhip_store_visit_appointment_get(f->store, f->visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(got->number, ==, "HK000002");
	g_assert_cmpstr(got->date, ==, "2024-03-19");
	g_assert_cmpint(got->issued_at, ==, T_OPEN + 600);
	g_assert_cmpint(got->staff_id, ==, f->staff_id);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM visit_appointments"), ==,
			1);
}

static void
test_referral(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipReferral) got = NULL;
	NhipReferral referral = { 0 };
	NhipReferral bad;

	referral.visit_id = f->visit_id;
	referral.number = (gchar *)"CT000001";
	referral.to_facility = (gchar *)"66001";
	referral.reason = 3;
	referral.signs = (gchar *)"Sốt cao 39,5 °C, khó thở";
	referral.direction = (gchar *)"Chuyển Bệnh viện huyện Buôn Đôn";
	referral.transport = (gchar *)"Xe cứu thương";
	referral.escort_name = (gchar *)"Y Bhin Niê";
	referral.issued_at = T_OPEN + 600;

	bad = referral;
	bad.to_facility = (gchar *)"66181";
	g_assert_false(nhip_store_visit_referral_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "this facility itself");
	g_clear_error(&error);
	bad = referral;
	bad.to_facility = (gchar *)"661";
	g_assert_false(nhip_store_visit_referral_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "facility code");
	g_clear_error(&error);
	bad = referral;
	bad.reason = 4;
	g_assert_false(nhip_store_visit_referral_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "MA_LYDO_CT");
	g_clear_error(&error);
	bad = referral;
	bad.transport = g_strnfill(256, 'x');
	g_assert_false(nhip_store_visit_referral_set(f->store, &bad, &error));
	assert_error(error, NHIP_STORE_ERROR_INVALID, "255");
	g_free(bad.transport);
	g_clear_error(&error);

	g_assert_true(nhip_store_visit_referral_set(f->store, &referral, &error));
	g_assert_no_error(error);
	got = nhip_store_visit_referral_get(f->store, f->visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(got->number, ==, "CT000001");
	g_assert_cmpstr(got->to_facility, ==, "66001");
	g_assert_cmpint(got->reason, ==, 3);
	g_assert_cmpstr(got->signs, ==, "Sốt cao 39,5 °C, khó thở");
	g_assert_cmpstr(got->escort_name, ==, "Y Bhin Niê");
	g_assert_null(got->course);
	g_assert_true(nhip_store_audit_verify(f->store, NULL, NULL, NULL));
}

int
main(int argc, char **argv)
{
	g_setenv("TZ", "Asia/Ho_Chi_Minh", TRUE);
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/claims/settings", test_settings);
	ADD("/claims/license", test_license);
	ADD("/claims/visit-claim", test_visit_claim);
	ADD("/claims/services", test_services);
	ADD("/claims/appointment", test_appointment);
	ADD("/claims/referral", test_referral);
#undef ADD
	return g_test_run();
}
