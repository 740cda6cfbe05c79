/*
 * Nhịp — tests of the QĐ 130 export: exact values of a Vietnamese visit in both profiles,
 * a demo station exported and checked by our validator and, independently, against the
 * Ministry's field tables with Python's XML parser; visits that cannot be claimed are
 * refused with the visit and field named; the XML-DSig signature is verified by the
 * xmlsec1 command-line tool and tampering is detected; and the nhipctl commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-demo.h"
#include "nhip-export-xml130.h"
#include "nhip-store-claims.h"
#include "nhip-store-private.h"
#include "nhip-test-utils.h"
#include "nhip-xml130-validate.h"

/* 2024-03-05 08:00 +07:00 (the tests run with TZ=Asia/Ho_Chi_Minh) */
#define T_OPEN G_GINT64_CONSTANT(1709600400)

typedef struct {
	NhipTestStation station;
	gchar *path;
	NhipStore *store;
	gint64 doctor;
	gint64 nurse;
	gint64 patient;
	gint64 visit;
} Fixture;

static void
add_vitals(Fixture *f, gint64 visit, gint64 at, gboolean with_height)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	const struct {
		NhipVitalKind kind;
		gdouble value;
		gdouble value2;
		gint64 offset;
	} vitals[] = {
		{ NHIP_VITAL_BLOOD_PRESSURE, 120, 80, 0 },
		{ NHIP_VITAL_PULSE, 78, 0, 10 },
		{ NHIP_VITAL_TEMPERATURE, 37.5, 0, 20 },
		{ NHIP_VITAL_RESP_RATE, 18, 0, 30 },
		{ NHIP_VITAL_SPO2, 97, 0, 40 },
		{ NHIP_VITAL_WEIGHT, 58.25, 0, 50 },
		{ NHIP_VITAL_HEIGHT, 158, 0, 60 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(vitals); i++) {
		NhipObservation *obs;
		if (vitals[i].kind == NHIP_VITAL_HEIGHT && !with_height)
			continue;
		obs = nhip_observation_new(vitals[i].kind, vitals[i].value, vitals[i].value2);
		obs->measured_at = at + vitals[i].offset;
		g_ptr_array_add(list, obs);
	}
	nhipi_store_set_clock(f->store, at + 100);
	g_assert_true(nhip_store_observations_add(f->store, visit, list, &error));
	g_assert_no_error(error);
	nhipi_store_set_clock(f->store, 0);
}

static void
add_exam(Fixture *f, gint64 visit, gint64 opened)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipVisitService) exam = nhip_test_exam(visit, opened);

	exam->staff_id = f->doctor;
	g_assert_cmpint(nhip_store_visit_service_add(f->store, exam, &error), >, 0);
	g_assert_no_error(error);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(NhipVisitClaim) claim = NULL;
	NhipClaimSettings settings = { (gchar *)"K01", (gchar *)"6600123456",
				       (gchar *)"000123/ĐL-GPHN" };
	NhipAppointment appointment = { 0 };
	NhipReferral referral = { 0 };
	const gchar *codes[] = { "J20.9", "R50.9", NULL };

	nhip_test_station_open(&f->station);
	f->path = f->station.path;
	f->store = f->station.store;
	g_assert_true(nhip_store_claim_settings_set(f->store, &settings, &error));
	f->doctor = nhip_store_staff_add(f->store, "Bác sĩ Trần Văn Minh", NHIP_ROLE_DOCTOR, "3456",
					 &error);
	f->nurse = nhip_store_staff_add(f->store, "Điều dưỡng H'Nga Niê", NHIP_ROLE_STAFF, "2345",
					&error);
	g_assert_true(nhip_store_staff_set_license(f->store, f->doctor, "001932/ĐL-CCHN", &error));
	g_assert_true(nhip_store_staff_set_license(f->store, f->nurse, "004877/ĐL-CCHN", &error));

	patient->full_name = g_strdup("Hờ Thị Mỷ");
	patient->birth = g_strdup("1990-04-12");
	patient->sex = NHIP_SEX_FEMALE;
	patient->ethnicity = g_strdup("08");
	patient->cccd = g_strdup("066190001234");
	patient->bhyt = g_strdup("DT2660123456789");
	patient->bhyt_valid_from = g_strdup("2024-01-01");
	patient->bhyt_valid_to = g_strdup("2024-12-31");
	patient->bhyt_facility = g_strdup("66181");
	patient->address = g_strdup("Buôn Drăng, xã Ea Nuôl, huyện Buôn Đôn, tỉnh Đắk Lắk");
	patient->province_code = g_strdup("66");
	patient->district_code = g_strdup("656");
	patient->commune_code = g_strdup("24184");
	f->patient = nhip_store_patient_add(f->store, patient, &error);
	g_assert_no_error(error);

	/* a day of treatment at the station (care type 06) with vitals, a referral and an
	 * appointment */
	nhip_store_set_actor(f->store, f->nurse);
	nhipi_store_set_clock(f->store, T_OPEN);
	f->visit = nhip_store_visit_open(f->store, f->patient, "Sốt cao, ho có đờm", &error);
	g_assert_no_error(error);
	/* the nurse measures the vital signs */
	add_vitals(f, f->visit, T_OPEN + 120, TRUE);
	nhip_store_set_actor(f->store, 0);
	add_exam(f, f->visit, T_OPEN);
	claim = nhip_store_visit_claim_get(f->store, f->visit, &error);
	g_free(claim->care_type);
	claim->care_type = g_strdup("06");
	claim->diagnosis_text = g_strdup("Viêm phế quản cấp; sốt");
	claim->treatment = g_strdup("Hạ sốt, bù nước, theo dõi tại trạm");
	g_assert_true(nhip_store_visit_claim_set(f->store, claim, &error));
	referral.visit_id = f->visit;
	referral.number = (gchar *)"CT000001";
	referral.to_facility = (gchar *)"66001";
	referral.reason = 2;
	referral.signs = (gchar *)"Sốt 39,5 °C, ran phổi";
	referral.course = (gchar *)"Sốt 3 ngày, điều trị tại trạm không đỡ";
	referral.direction = (gchar *)"Chuyển Bệnh viện huyện Buôn Đôn";
	referral.transport = (gchar *)"Xe cứu thương";
	referral.issued_at = T_OPEN + 3600;
	referral.staff_id = f->doctor;
	g_assert_true(nhip_store_visit_referral_set(f->store, &referral, &error));
	appointment.visit_id = f->visit;
	appointment.number = (gchar *)"HK000001";
	appointment.date = (gchar *)"2024-03-19";
	appointment.issued_at = T_OPEN + 3600;
	g_assert_true(nhip_store_visit_appointment_set(f->store, &appointment, &error));
	g_assert_no_error(error);
	nhipi_store_set_clock(f->store, T_OPEN + 7200);
	g_assert_true(nhip_store_visit_close(f->store, f->visit, codes, NULL, &error));
	g_assert_no_error(error);
	nhipi_store_set_clock(f->store, 0);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	nhip_test_station_close(&f->station);
}

/* the decoded documents of the first HOSO, by LOAIHOSO */
static GHashTable *
decode_first_hoso(GBytes *envelope)
{
	GHashTable *docs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	const gchar *text = g_bytes_get_data(envelope, NULL);
	const gchar *end = strstr(text, "</HOSO>");
	const gchar *p = text;

	g_assert_nonnull(end);
	while ((p = strstr(p, "<LOAIHOSO>")) != NULL && p < end) {
		const gchar *type = p + strlen("<LOAIHOSO>");
		const gchar *content = strstr(type, "<NOIDUNGFILE>") + strlen("<NOIDUNGFILE>");
		const gchar *stop = strstr(content, "</NOIDUNGFILE>");
		g_autofree gchar *base64 = g_strndup(content, stop - content);
		gsize size = 0;
		guchar *data = g_base64_decode(base64, &size);
		g_hash_table_insert(docs, g_strndup(type, strchr(type, '<') - type),
				    g_strndup((const gchar *)data, size));
		g_free(data);
		p = stop;
	}
	return docs;
}

static void
assert_has(GHashTable *docs, const gchar *type, const gchar *element)
{
	const gchar *doc = g_hash_table_lookup(docs, type);
	if (doc == NULL || strstr(doc, element) == NULL)
		g_error("%s has no %s:\n%s", type, element, doc != NULL ? doc : "(absent)");
}

static void
assert_valid(GBytes *document, NhipXml130Profile profile)
{
	g_autoptr(GPtrArray) violations = nhip_xml130_validate(
		g_bytes_get_data(document, NULL), g_bytes_get_size(document), profile, NULL);
	for (guint i = 0; i < violations->len; i++) {
		const NhipXml130Violation *v = violations->pdata[i];
		g_printerr("%s: %s\n", v->path, v->message);
	}
	g_assert_cmpuint(violations->len, ==, 0);
}

/* the independent check: Python's parser against the Ministry's tables */
static void
assert_tables(const gchar *profile, const gchar *const *files)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	g_autoptr(GError) error = NULL;
	gint status = 0;

	if (!g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_message("no /usr/bin/python3: the check against the tables is skipped");
		return;
	}
	g_ptr_array_add(argv, g_strdup("/usr/bin/python3"));
	g_ptr_array_add(argv,
			g_test_build_filename(G_TEST_DIST, "app", "check-xml130-tables.py", NULL));
	g_ptr_array_add(argv, g_strdup(profile));
	for (guint i = 0; files[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(files[i]));
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
				   &out, &err, &status, &error));
	g_assert_no_error(error);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("the table check failed:\n%s%s", out, err);
	g_assert_nonnull(strstr(out, ", 0 problems"));
}

static gchar *
write_temp(Fixture *f, const gchar *name, GBytes *bytes)
{
	g_autoptr(GError) error = NULL;
	gchar *path = g_build_filename(f->station.dir, name, NULL);
	g_assert_true(g_file_set_contents(path, g_bytes_get_data(bytes, NULL),
					  (gssize)g_bytes_get_size(bytes), &error));
	g_assert_no_error(error);
	return path;
}

static void
test_visit_values(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	NhipExportXml130Options options = { NHIP_XML130_PROFILE_4750, NULL, NULL, NULL };

	for (guint p = 0; p < 2; p++) {
		g_autoptr(NhipExportXml130) result = NULL;
		g_autoptr(GHashTable) docs = NULL;
		g_autofree gchar *envelope_path = NULL;
		g_autofree gchar *checkin_path = NULL;
		const gchar *files[3] = { NULL, NULL, NULL };

		options.profile = p == 0 ? NHIP_XML130_PROFILE_4750 : NHIP_XML130_PROFILE_3176;
		result = nhip_export_xml130_visit(f->store, f->visit, &options, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(result->n_visits, ==, 1);
		g_assert_cmpuint(result->notes->len, ==, 0);
		g_assert_nonnull(result->checkin);
		assert_valid(result->envelope, options.profile);
		assert_valid(result->checkin, options.profile);
		envelope_path = write_temp(f, "envelope.xml", result->envelope);
		checkin_path = write_temp(f, "checkin.xml", result->checkin);
		files[0] = envelope_path;
		files[1] = checkin_path;
		assert_tables(p == 0 ? "4750" : "3176", files);

		docs = decode_first_hoso(result->envelope);
		g_assert_cmpuint(g_hash_table_size(docs), ==, 5);
		assert_has(docs, "XML1", "<HO_TEN>Hờ Thị Mỷ</HO_TEN>");
		assert_has(docs, "XML1", "<NGAY_SINH>199004120000</NGAY_SINH>");
		assert_has(docs, "XML1", "<GIOI_TINH>2</GIOI_TINH>");
		assert_has(docs, "XML1", "<MA_DANTOC>08</MA_DANTOC>");
		assert_has(docs, "XML1", "<MA_THE_BHYT>DT2660123456789</MA_THE_BHYT>");
		assert_has(docs, "XML1", "<GT_THE_TU>20240101</GT_THE_TU>");
		assert_has(docs, "XML1", "<MA_DOITUONG_KCB>1.1</MA_DOITUONG_KCB>");
		assert_has(docs, "XML1", "<CHAN_DOAN_RV>Viêm phế quản cấp; sốt</CHAN_DOAN_RV>");
		assert_has(docs, "XML1", "<MA_BENH_CHINH>J20.9</MA_BENH_CHINH>");
		assert_has(docs, "XML1", "<MA_BENH_KT>R50.9</MA_BENH_KT>");
		assert_has(docs, "XML1", "<NGAY_VAO>202403050800</NGAY_VAO>");
		assert_has(docs, "XML1", "<NGAY_RA>202403051000</NGAY_RA>");
		assert_has(docs, "XML1", "<SO_NGAY_DTRI>1</SO_NGAY_DTRI>");
		assert_has(docs, "XML1", "<MA_LOAI_KCB>06</MA_LOAI_KCB>");
		assert_has(docs, "XML1", "<MA_LOAI_RV>2</MA_LOAI_RV>");
		assert_has(docs, "XML1", "<MA_NOI_DEN>66001</MA_NOI_DEN>");
		assert_has(docs, "XML1", "<GIAY_CHUYEN_TUYEN>CT000001</GIAY_CHUYEN_TUYEN>");
		assert_has(docs, "XML1", "<T_TONGCHI_BV>38700</T_TONGCHI_BV>");
		assert_has(docs, "XML1", "<T_BHTT>38700</T_BHTT>");
		assert_has(docs, "XML1", "<CAN_NANG>58.25</CAN_NANG>");
		assert_has(docs, "XML1", "<NGAY_TAI_KHAM>20240319</NGAY_TAI_KHAM>");
		assert_has(docs, "XML1", "<MA_CSKCB>66181</MA_CSKCB>");
		assert_has(docs, "XML3", "<MA_DICH_VU>02.1896</MA_DICH_VU>");
		assert_has(docs, "XML3", "<MA_BAC_SI>001932/ĐL-CCHN</MA_BAC_SI>");
		assert_has(docs, "XML3", "<MUC_HUONG>100</MUC_HUONG>");
		assert_has(docs, "XML3", "<MA_BENH>J20.9;R50.9</MA_BENH>");
		/* the vital signs in the CSST convention, by who measured them */
		assert_has(docs, "XML5",
			   "<DIEN_BIEN_LS>CSST&lt;M78_T37.5_HA120/80_NT18_SP97&gt;</DIEN_BIEN_LS>");
		assert_has(docs, "XML5", "<THOI_DIEM_DBLS>202403050802</THOI_DIEM_DBLS>");
		assert_has(docs, "XML5", "<NGUOI_THUC_HIEN>004877/ĐL-CCHN</NGUOI_THUC_HIEN>");
		assert_has(docs, "XML13", "<MA_LYDO_CT>2</MA_LYDO_CT>");
		assert_has(docs, "XML13", "<DAU_HIEU_LS>Sốt 39,5 °C, ran phổi</DAU_HIEU_LS>");
		assert_has(docs, "XML14", "<SO_GIAYHEN_KL>HK000001</SO_GIAYHEN_KL>");
		if (p == 0) {
			assert_has(docs, "XML1", "<MA_NGHE_NGHIEP>00000</MA_NGHE_NGHIEP>");
			assert_has(docs, "XML1", "<MA_TTDV>6600123456</MA_TTDV>");
			assert_has(docs, "XML1", "<DU_PHONG></DU_PHONG>");
			assert_has(docs, "XML14", "<NGAY_HEN_KL>202403190000</NGAY_HEN_KL>");
		} else {
			assert_has(docs, "XML1", "<MA_NGHE_NGHIEP>00</MA_NGHE_NGHIEP>");
			assert_has(docs, "XML1", "<MA_TTDV>000123/ĐL-GPHN</MA_TTDV>");
			/* QĐ 3176: the height in cm */
			assert_has(docs, "XML1", "<DU_PHONG>158</DU_PHONG>");
			assert_has(docs, "XML14", "<NGAY_HEN_KL>20240319</NGAY_HEN_KL>");
		}
		g_clear_pointer(&result, nhip_export_xml130_free);
	}
}

static void
test_demo_station(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	gint64 to = g_date_time_to_unix(now) + 86400;

	g_assert_true(nhip_demo_fill(f->store, 300, 2, 130, &error));
	g_assert_no_error(error);
	for (guint p = 0; p < 2; p++) {
		NhipExportXml130Options options = { p == 0 ? NHIP_XML130_PROFILE_4750
							   : NHIP_XML130_PROFILE_3176,
						    NULL, NULL, NULL };
		g_autoptr(NhipExportXml130) result =
			nhip_export_xml130_range(f->store, T_OPEN - 86400, to, &options, &error);
		g_autofree gchar *envelope_path = NULL;
		g_autofree gchar *checkin_path = NULL;
		const gchar *files[3] = { NULL, NULL, NULL };
		const gchar *text;

		g_assert_no_error(error);
		g_assert_cmpuint(result->n_visits, >, 300);
		g_assert_cmpuint(result->n_open, ==, 0);
		assert_valid(result->envelope, options.profile);
		assert_valid(result->checkin, options.profile);
		envelope_path = write_temp(f, "demo.xml", result->envelope);
		checkin_path = write_temp(f, "demo-checkin.xml", result->checkin);
		files[0] = envelope_path;
		files[1] = checkin_path;
		assert_tables(p == 0 ? "4750" : "3176", files);
		/* the demo has every kind of table */
		text = g_bytes_get_data(result->envelope, NULL);
		g_assert_nonnull(strstr(text, "<LOAIHOSO>XML5</LOAIHOSO>"));
		g_assert_nonnull(strstr(text, "<LOAIHOSO>XML13</LOAIHOSO>"));
		g_assert_nonnull(strstr(text, "<LOAIHOSO>XML14</LOAIHOSO>"));
		/* an export under one profile is checked under the other with its differences */
		if (p == 1) {
			g_autoptr(GPtrArray) violations = nhip_xml130_validate(
				g_bytes_get_data(result->envelope, NULL),
				g_bytes_get_size(result->envelope), NHIP_XML130_PROFILE_4750, NULL);
			g_assert_cmpuint(nhip_xml130_violations_count(violations,
								      NHIP_XML130_SEVERITY_ERROR),
					 >, 0);
		}
	}
}

static void
assert_export_error(NhipStore *store, gint64 visit, GQuark domain, gint code, const gchar *what)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipExportXml130) result = nhip_export_xml130_visit(store, visit, NULL, &error);

	g_assert_null(result);
	g_assert_nonnull(error);
	if (error->domain != domain || error->code != code || strstr(error->message, what) == NULL)
		g_error("expected “%s”, got: %s", what, error->message);
}

static void
test_refused(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) patient = nhip_store_patient_get(f->store, f->patient, &error);
	g_autofree gchar *label = g_strdup_printf("visit %" G_GINT64_FORMAT " (MA_LK", f->visit);
	gint64 second;

	assert_export_error(f->store, 999, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    "no visit 999");

	/* a district code of four characters does not fit MAHUYEN_CU_TRU (3) */
	g_free(patient->district_code);
	patient->district_code = g_strdup("6560");
	g_assert_true(nhip_store_patient_update(f->store, patient, &error));
	assert_export_error(f->store, f->visit, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    "XML1/MAHUYEN_CU_TRU: has 4 characters; QĐ 4750 allows at most 3");
	assert_export_error(f->store, f->visit, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    label);
	g_free(patient->district_code);
	patient->district_code = g_strdup("656");

	/* a long address is shortened to its 1024 characters, and said so */
	g_free(patient->address);
	patient->address = g_strnfill(1100, 'a');
	g_assert_true(nhip_store_patient_update(f->store, patient, &error));
	{
		g_autoptr(NhipExportXml130) result =
			nhip_export_xml130_visit(f->store, f->visit, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(result->notes->len, ==, 3);
		g_assert_nonnull(strstr(result->notes->pdata[0], "XML1/DIA_CHI was shortened from "
								 "1100 to 1024 characters"));
		assert_valid(result->envelope, NHIP_XML130_PROFILE_4750);
	}

	/* a second visit, still open, without weight, licence, diagnosis text */
	nhipi_store_set_clock(f->store, T_OPEN + 86400);
	second = nhip_store_visit_open(f->store, f->patient, "Tái khám", &error);
	g_assert_no_error(error);
	assert_export_error(f->store, second, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    "still open");
	{
		/* a period with only that visit: nothing closed to export */
		g_autoptr(NhipExportXml130) result = nhip_export_xml130_range(
			f->store, T_OPEN + 86000, T_OPEN + 90000, NULL, &error);
		g_assert_null(result);
		g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
		g_clear_error(&error);
	}
	{
		/* a period with both: the open one is left out and counted */
		g_autoptr(NhipExportXml130) result = nhip_export_xml130_range(
			f->store, T_OPEN - 10, T_OPEN + 90000, NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(result->n_visits, ==, 1);
		g_assert_cmpuint(result->n_open, ==, 1);
	}
	g_assert_true(nhip_store_staff_set_license(f->store, f->doctor, NULL, &error));
	{
		g_autoptr(NhipVisitService) exam = nhip_test_exam(second, T_OPEN + 86400);
		exam->staff_id = f->doctor;
		g_assert_cmpint(nhip_store_visit_service_add(f->store, exam, &error), >, 0);
	}
	nhipi_store_set_clock(f->store, T_OPEN + 86400 + 600);
	g_assert_true(nhip_store_visit_close(f->store, second, NULL, NULL, &error));
	nhipi_store_set_clock(f->store, 0);
	{
		g_autoptr(NhipExportXml130) result =
			nhip_export_xml130_visit(f->store, second, NULL, &error);
		g_assert_null(result);
		g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "problems to fix"));
		g_assert_nonnull(
			strstr(error->message, "XML1/CAN_NANG: the patient was not weighed"));
		g_assert_nonnull(strstr(error->message, "XML1/CHAN_DOAN_RV"));
		g_assert_nonnull(strstr(error->message, "XML1/MA_BENH_CHINH"));
		g_assert_nonnull(strstr(error->message, "XML3/MA_BAC_SI"));
	}
	/* without claim settings */
	nhip_test_sql(f->path, "DELETE FROM claim_settings");
	assert_export_error(f->store, f->visit, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    "claim settings");
}

static gboolean
make_certificate(Fixture *f, const gchar *name, const gchar *days, gchar **key, gchar **cert)
{
	g_autofree gchar *subject = g_strdup_printf("/CN=%s/O=66181/C=VN", name);
	g_auto(NhipTestRun) run = { 0 };

	*key = g_strdup_printf("%s/%s-key.pem", f->station.dir, name);
	*cert = g_strdup_printf("%s/%s-cert.pem", f->station.dir, name);
	run = nhip_test_run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
			    *key, "-out", *cert, "-days", days, "-subj", subject, NULL);
	return run.status == 0;
}

static void
test_signature(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *key = NULL;
	g_autofree gchar *cert = NULL;
	g_autofree gchar *other_key = NULL;
	g_autofree gchar *other_cert = NULL;
	g_autoptr(NhipExportXml130) result = NULL;
	g_autofree gchar *signed_path = NULL;
	g_autofree gchar *checkin_path = NULL;
	g_autofree gchar *tampered_path = NULL;
	g_autofree gchar *tampered = NULL;
	NhipExportXml130Options options = { NHIP_XML130_PROFILE_4750, NULL, NULL, NULL };
	gchar *content;

	g_autofree gchar *xmlsec1 = g_find_program_in_path("xmlsec1");
	g_autofree gchar *openssl = g_find_program_in_path("openssl");

	if (xmlsec1 == NULL || openssl == NULL) {
		g_test_skip("the xmlsec1 and openssl tools are needed to check signatures");
		return;
	}
	g_assert_true(make_certificate(f, "tram", "30", &key, &cert));
	g_assert_true(make_certificate(f, "khac", "30", &other_key, &other_cert));
	options.sign_key = key;
	options.sign_cert = cert;
	result = nhip_export_xml130_visit(f->store, f->visit, &options, &error);
	g_assert_no_error(error);
	assert_valid(result->envelope, NHIP_XML130_PROFILE_4750);
	assert_valid(result->checkin, NHIP_XML130_PROFILE_4750);
	signed_path = write_temp(f, "signed.xml", result->envelope);
	checkin_path = write_temp(f, "signed-checkin.xml", result->checkin);

	/* the independent peer: xmlsec1 verifies with the certificate as trust anchor */
	for (guint i = 0; i < 2; i++) {
		g_auto(NhipTestRun) run =
			nhip_test_run("xmlsec1", "--verify", "--trusted-pem", cert,
				      i == 0 ? signed_path : checkin_path, NULL);
		if (run.status != 0)
			g_error("xmlsec1 did not verify: %s", run.err);
		g_assert_nonnull(strstr(run.err, "OK"));
	}
	{
		g_auto(NhipTestRun) run = nhip_test_run("xmlsec1", "--verify", "--trusted-pem",
							other_cert, signed_path, NULL);
		g_assert_cmpint(run.status, !=, 0);
	}
	g_assert_nonnull(strstr(g_bytes_get_data(result->envelope, NULL),
				"<X509SubjectName>C=VN,O=66181,CN=tram</X509SubjectName>"));

	/* one character of a table changed: the signature no longer verifies */
	tampered = g_strndup(g_bytes_get_data(result->envelope, NULL),
			     g_bytes_get_size(result->envelope));
	content = strstr(tampered, "<NOIDUNGFILE>") + strlen("<NOIDUNGFILE>") + 40;
	*content = *content == 'A' ? 'B' : 'A';
	tampered_path = g_build_filename(f->station.dir, "tampered.xml", NULL);
	g_assert_true(g_file_set_contents(tampered_path, tampered, -1, NULL));
	{
		g_auto(NhipTestRun) run = nhip_test_run("xmlsec1", "--verify", "--trusted-pem",
							cert, tampered_path, NULL);
		g_assert_cmpint(run.status, !=, 0);
		g_assert_nonnull(strstr(run.err, "FAIL"));
	}

	/* nhipctl verifies it too, and finds the change */
	{
		g_auto(NhipTestRun) run = nhip_test_run(NHIPCTL_PATH, "validate", "xml130",
							signed_path, "--trusted-cert", cert, NULL);
		if (run.status != 0)
			g_error("%s", run.out);
	}
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "validate", "xml130", tampered_path,
				      "--trusted-cert", cert, NULL);
		g_assert_cmpint(run.status, ==, 3);
		g_assert_nonnull(strstr(run.out, "CHUKYDONVI/Signature: the signature does not "
						 "verify"));
	}
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "validate", "xml130", signed_path,
				      "--trusted-cert", other_cert, NULL);
		g_assert_cmpint(run.status, ==, 3);
	}
	{
		g_autoptr(NhipExportXml130) unsigned_result =
			nhip_export_xml130_visit(f->store, f->visit, NULL, &error);
		g_assert_false(nhip_export_xml130_verify(unsigned_result->envelope, cert, &error));
		g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "not signed"));
		g_clear_error(&error);
		g_assert_true(nhip_export_xml130_verify(result->envelope, cert, &error));
		g_assert_no_error(error);
	}

	/* a key that is not the certificate's is refused before anything is signed */
	{
		g_autoptr(NhipExportXml130) refused = NULL;
		options.sign_key = other_key;
		refused = nhip_export_xml130_visit(f->store, f->visit, &options, &error);
		g_assert_null(refused);
		g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "does not belong"));
		g_clear_error(&error);
		options.sign_key = "/nonexistent/key.pem";
		refused = nhip_export_xml130_visit(f->store, f->visit, &options, &error);
		g_assert_null(refused);
		g_assert_nonnull(strstr(error->message, "cannot read the private key"));
	}
}

static void
test_nhipctl(Fixture *f, gconstpointer data)
{
	g_autofree gchar *out = g_build_filename(f->station.dir, "claim.xml", NULL);
	g_autofree gchar *checkin = g_build_filename(f->station.dir, "checkin.xml", NULL);
	g_autofree gchar *broken = g_build_filename(f->station.dir, "broken.xml", NULL);
	g_autofree gchar *visit = g_strdup_printf("%" G_GINT64_FORMAT, f->visit);
	g_autofree gchar *doctor = g_strdup_printf("%" G_GINT64_FORMAT, f->doctor);
	g_autofree gchar *contents = NULL;
	const gchar *db = f->path;

	g_clear_object(&f->station.store);
	f->store = NULL;
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "xml130", "--visit",
				      visit, "--out", out, "--checkin-out", checkin, NULL);
		g_assert_cmpint(run.status, ==, 0);
		g_assert_nonnull(strstr(run.err, "exported 1 visit to"));
	}
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "validate", "xml130", out, NULL);
		g_assert_cmpint(run.status, ==, 0);
		g_assert_nonnull(strstr(run.out, "valid (QĐ 4750), 0 warnings"));
	}
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "validate", "xml130", checkin, "--json", NULL);
		g_autoptr(JsonParser) parser = json_parser_new();
		JsonObject *object;
		g_assert_cmpint(run.status, ==, 0);
		g_assert_true(json_parser_load_from_data(parser, run.out, -1, NULL));
		object = json_node_get_object(json_parser_get_root(parser));
		g_assert_true(json_object_get_boolean_member(object, "valid"));
		g_assert_cmpint(json_object_get_int_member(object, "errors"), ==, 0);
	}
	/* an export of the 4750 profile checked against 3176: every problem as path: message */
	{
		g_auto(NhipTestRun) run = nhip_test_run(NHIPCTL_PATH, "validate", "xml130", out,
							"--profile", "3176", NULL);
		g_assert_cmpint(run.status, ==, 3);
		g_assert_nonnull(strstr(run.out, "GIAMDINHHS/THONGTINHOSO/DANHSACHHOSO/HOSO[1]/"
						 "FILEHOSO[1](XML1)/TONG_HOP/MA_NGHE_NGHIEP: has 5 "
						 "characters; QĐ 3176 allows at most 2\n"));
		g_assert_nonnull(strstr(run.out, "not valid (QĐ 3176)"));
	}
	g_assert_true(g_file_get_contents(out, &contents, NULL, NULL));
	contents[strlen(contents) / 2] = '\0';
	g_assert_true(g_file_set_contents(broken, contents, -1, NULL));
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "validate", "xml130", broken, "--json", NULL);
		g_assert_cmpint(run.status, ==, 3);
		g_assert_nonnull(strstr(run.out, "\"valid\" : false"));
		g_assert_nonnull(strstr(run.out, "not well-formed XML"));
	}
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "validate", "xml130", "/nonexistent.xml", NULL);
		g_assert_cmpint(run.status, ==, 4);
	}
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "xml130", "--visit",
				      visit, "--from", "2024-03-01", "--to", "2024-03-31", NULL);
		g_assert_cmpint(run.status, ==, 2);
	}
	{
		g_auto(NhipTestRun) run =
			nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "xml130", "--visit",
				      visit, "--profile", "130", NULL);
		g_assert_cmpint(run.status, ==, 2);
	}
	/* a period, to standard output, in the 3176 profile */
	{
		g_auto(NhipTestRun) run = nhip_test_run(NHIPCTL_PATH, "--db", db, "export",
							"xml130", "--from", "2024-03-05", "--to",
							"2024-03-05", "--profile", "3176", NULL);
		g_assert_cmpint(run.status, ==, 0);
		g_assert_true(g_str_has_prefix(run.out, "<?xml"));
		g_assert_nonnull(strstr(run.out, "<SOLUONGHOSO>1</SOLUONGHOSO>"));
	}

	/* recording the claim of a new visit from the command line, then exporting it */
	{
		g_autofree gchar *patient = g_strdup_printf("%" G_GINT64_FORMAT, f->patient);
		g_auto(NhipTestRun) open =
			nhip_test_run(NHIPCTL_PATH, "--db", db, "visit", "open", patient,
				      "--reason", "Đau đầu, chóng mặt", NULL);
		g_autofree gchar *id = NULL;
		g_assert_cmpint(open.status, ==, 0);
		id = g_strstrip(g_strdup(strrchr(g_strstrip(open.out), ' ') != NULL
						 ? strrchr(open.out, ' ') + 1
						 : open.out));
		{
			g_auto(NhipTestRun) run = nhip_test_run(
				NHIPCTL_PATH, "--db", db, "vitals", "add", id, "--weight", "61.4",
				"--bp", "150/95", "--pulse", "88", NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "visit", "claim", id,
					      "--care-type", "11", NULL);
			g_assert_cmpint(run.status, ==, 3);
			g_assert_nonnull(strstr(run.err, "MA_LOAI_KCB"));
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "visit", "claim", id,
					      "--diagnosis-text", "Tăng huyết áp", NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "visit", "service", id,
					      "--code", "02.1896", "--name", "Khám bệnh", "--price",
					      "38700", "--staff", doctor, NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			g_auto(NhipTestRun) run = nhip_test_run(
				NHIPCTL_PATH, "--db", db, "visit", "appointment", id, "--date",
				"2099-01-02", "--number", "HK9", "--staff", doctor, NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "visit", "refer", id,
					      "--to", "66181", "--number", "CT9", NULL);
			g_assert_cmpint(run.status, ==, 3);
			g_assert_nonnull(strstr(run.err, "this facility itself"));
		}
		{
			g_auto(NhipTestRun) run = nhip_test_run(NHIPCTL_PATH, "--db", db, "visit",
								"close", id, "--icd", "I10", NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "user", "license", doctor,
					      "--license", "", NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			/* no licence any more: refused, with the problem on its own line */
			g_auto(NhipTestRun) run = nhip_test_run(NHIPCTL_PATH, "--db", db, "export",
								"xml130", "--visit", id, NULL);
			g_assert_cmpint(run.status, ==, 3);
			g_assert_nonnull(strstr(run.err, "\n  visit "));
			g_assert_nonnull(strstr(run.err, "XML3/MA_BAC_SI"));
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "user", "license", doctor,
					      "--license", "001932/ĐL-CCHN", NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "claim", "settings",
					      "--director-code", "12", NULL);
			g_assert_cmpint(run.status, ==, 3);
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "claim", "settings", NULL);
			g_assert_cmpint(run.status, ==, 0);
			g_assert_nonnull(strstr(run.out, "K01"));
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "xml130",
					      "--visit", id, "--out", out, NULL);
			g_assert_cmpint(run.status, ==, 0);
		}
		{
			g_auto(NhipTestRun) run =
				nhip_test_run(NHIPCTL_PATH, "validate", "xml130", out, NULL);
			if (run.status != 0)
				g_error("%s", run.out);
		}
	}
}

int
main(int argc, char **argv)
{
	g_setenv("TZ", "Asia/Ho_Chi_Minh", TRUE);
	g_setenv("LANGUAGE", "en", TRUE);
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/export/xml130/visit-values", test_visit_values);
	ADD("/export/xml130/demo-station", test_demo_station);
	ADD("/export/xml130/refused", test_refused);
	ADD("/export/xml130/signature", test_signature);
	ADD("/export/xml130/nhipctl", test_nhipctl);
#undef ADD
	return g_test_run();
}
