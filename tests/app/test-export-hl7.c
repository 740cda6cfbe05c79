/*
 * Nhịp — tests of the HL7 v2 export and the nhipctl HL7 commands: exact field values read
 * back through our parser and through Debian's python3-hl7, an MLLP round trip between
 * `hl7 send` and `hl7 listen`, the outbox when the receiver is down, AE answers and
 * malformed input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "nhip-export-hl7.h"
#include "nhip-store.h"
#include "nhip-test-utils.h"
#include "nhip-hl7-test-utils.h"

/* measurement times of the fixture: 2024-01-31 07:25:00 UTC and two minutes later */
#define T_BP  G_GINT64_CONSTANT(1706685900)
#define T_ALL G_GINT64_CONSTANT(1706686020)

static gchar *dir;
static gchar *db;
static gint64 patient_id;
static gint64 visit_open_id;   /* open, every vital sign */
static gint64 visit_closed_id; /* closed, two ICD-10 codes */
static const gchar *python3;

static gchar *
hl7_time(gint64 unix_time)
{
	g_autoptr(GDateTime) datetime = g_date_time_new_from_unix_local(unix_time);
	return nhip_hl7_message_format_timestamp(datetime);
}

/* @segment is `PID` or `OBX[2]`; compares the encoded text of that segment */
static void
assert_segment(NhipHl7Message *message, const gchar *segment, const gchar *expected)
{
	g_autofree gchar *text = nhip_hl7_message_to_string(message);
	g_auto(GStrv) lines = g_strsplit(text, "\r", -1);
	g_autofree gchar *id = g_strndup(segment, 3);
	guint occurrence = segment[3] == '[' ? (guint)g_ascii_strtoull(segment + 4, NULL, 10) : 1;

	for (guint i = 0; lines[i] != NULL; i++) {
		if (!g_str_has_prefix(lines[i], id) || lines[i][3] != '|' || --occurrence > 0)
			continue;
		g_assert_cmpstr(lines[i], ==, expected);
		return;
	}
	g_error("no segment %s", segment);
}

/* encodes and parses again, so that every check reads what a receiver reads */
static NhipHl7Message *
reparse(NhipHl7Message *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = nhip_hl7_message_to_bytes(message);
	NhipHl7Message *parsed = nhip_hl7_message_parse_bytes(bytes, &error);

	g_assert_no_error(error);
	return parsed;
}

static void
fixture_create(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(db, &error);
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	const gchar *icd[] = { "I10", "E11.9", NULL };

	g_assert_no_error(error);
	g_assert_true(nhip_store_facility_set(store, facility, &error));
	patient->full_name = g_strdup("Nguyễn Thị Đào");
	patient->birth = g_strdup("1985-03-27");
	patient->sex = NHIP_SEX_FEMALE;
	patient->cccd = g_strdup("066185001234");
	patient->bhyt = g_strdup("DN4660123456789");
	patient->bhyt_valid_from = g_strdup("2024-01-01");
	patient->bhyt_valid_to = g_strdup("2024-12-31");
	patient->ethnicity = g_strdup("01");
	patient->address = g_strdup("Thôn 3, xã Tân Hòa | Đắk Lắk");
	patient->phone = g_strdup("0912345678");
	patient->guardian_name = g_strdup("Trần Văn Bình");
	patient->guardian_relation = g_strdup("chồng");
	patient->guardian_phone = g_strdup("0987654321");
	patient_id = nhip_store_patient_add(store, patient, &error);
	g_assert_no_error(error);

	/* one open visit per patient: the closed one comes first */
	visit_closed_id = nhip_store_visit_open(store, patient_id, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(
		nhip_store_visit_close(store, visit_closed_id, icd, "Tái khám sau 1 tuần", &error));
	g_assert_no_error(error);
	visit_open_id = nhip_store_visit_open(store, patient_id, "Khám định kỳ", &error);
	g_assert_no_error(error);
	nhip_test_add_vitals(obs, T_BP, T_ALL, 37.2);
	g_assert_true(nhip_store_observations_add(store, visit_open_id, obs, &error));
	g_assert_no_error(error);
}

static NhipHl7Message *
export_visit(gint64 visit_id, NhipExportHl7Type type, const gchar *control_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(db, &error);
	g_autoptr(GDateTime) now = g_date_time_new_from_unix_local(T_ALL + 60);
	g_autoptr(NhipHl7Message) message = NULL;
	NhipExportHl7Options options = { 0 };

	g_assert_no_error(error);
	options.control_id = control_id;
	options.message_time = now;
	options.receiving_application = "HIS";
	options.receiving_facility = "BV_HUYEN";
	message = nhip_export_hl7_visit(store, visit_id, type, &options, &error);
	g_assert_no_error(error);
	return reparse(message);
}

/* what the fixture's ORU must say, value by value, in OBX order */
static const struct {
	const gchar *loinc, *name, *sub_id, *value, *unit, *range, *flag, *device;
	gint64 at;
} expected_obx[] = {
	{ "8480-6", "Systolic blood pressure", "1", "142", "mm[Hg]", "90-139", "H",
	  "omron-hid:SN4411", T_BP },
	{ "8462-4", "Diastolic blood pressure", "1", "91", "mm[Hg]", "60-89", "H",
	  "omron-hid:SN4411", T_BP },
	{ "8867-4", "Heart rate", "2", "78", "/min", "60-100", "N", "omron-hid:SN4411", T_BP },
	{ "59408-5", "Oxygen saturation", "3", "92", "%", "94-100", "L", "", T_ALL },
	{ "8310-5", "Body temperature", "4", "37.2", "Cel", "36.0-37.5", "N", "", T_ALL },
	{ "29463-7", "Body weight", "5", "52.4", "kg", "", "", "", T_ALL },
	{ "8302-2", "Body height", "6", "156", "cm", "", "", "", T_ALL },
	{ "15074-8", "Blood glucose", "7", "5.6", "mmol/L", "3.9-7.8", "N", "", T_ALL },
	{ "9279-1", "Respiratory rate", "8", "18", "/min", "12-20", "N", "", T_ALL },
};

static void
test_oru(void)
{
	g_autoptr(NhipHl7Message) message =
		export_visit(visit_open_id, NHIP_EXPORT_HL7_ORU_R01, "ORU0001");
	g_autofree gchar *msh_time = hl7_time(T_ALL + 60);
	g_autofree gchar *pid = NULL;
	g_autofree gchar *obx1 = NULL;
	g_autofree gchar *t_bp = hl7_time(T_BP);
	g_autofree gchar *t_all = hl7_time(T_ALL);

	nhip_hl7_test_assert_value(message, "MSH-3", "NHIP");
	nhip_hl7_test_assert_value(message, "MSH-4-1", "Trạm Y tế xã Tân Hòa");
	nhip_hl7_test_assert_value(message, "MSH-4-2", "66181");
	nhip_hl7_test_assert_value(message, "MSH-5", "HIS");
	nhip_hl7_test_assert_value(message, "MSH-6", "BV_HUYEN");
	nhip_hl7_test_assert_value(message, "MSH-7", msh_time);
	nhip_hl7_test_assert_value(message, "MSH-9-1", "ORU");
	nhip_hl7_test_assert_value(message, "MSH-9-2", "R01");
	nhip_hl7_test_assert_value(message, "MSH-9-3", "ORU_R01");
	nhip_hl7_test_assert_value(message, "MSH-10", "ORU0001");
	nhip_hl7_test_assert_value(message, "MSH-12", "2.5.1");
	nhip_hl7_test_assert_value(message, "MSH-18", "UNICODE UTF-8");

	/* the whole PID, byte for byte: the | in the address is escaped */
	pid = g_strdup_printf("PID|1||066185001234^^^BCA^NI~DN4660123456789^^^BHXH^HC~"
			      "%" G_GINT64_FORMAT "^^^66181^PI||Nguyễn^Đào^Thị^^^^L||19850327|F|||"
			      "Thôn 3, xã Tân Hòa \\F\\ Đắk Lắk^^^^^VNM^H||0912345678^PRN^CP|||||"
			      "||||01^Kinh^99VNDT",
			      patient_id);
	assert_segment(message, "PID", pid);
	nhip_hl7_test_assert_value(message, "PID-3(1)-1", "066185001234");
	nhip_hl7_test_assert_value(message, "PID-3(1)-5", "NI");
	nhip_hl7_test_assert_value(message, "PID-3(2)-1", "DN4660123456789");
	nhip_hl7_test_assert_value(message, "PID-3(2)-5", "HC");
	nhip_hl7_test_assert_value(message, "PID-3(3)-5", "PI");
	nhip_hl7_test_assert_value(message, "PID-5-1", "Nguyễn");
	nhip_hl7_test_assert_value(message, "PID-5-2", "Đào");
	nhip_hl7_test_assert_value(message, "PID-5-3", "Thị");
	nhip_hl7_test_assert_value(message, "PID-11-1", "Thôn 3, xã Tân Hòa | Đắk Lắk");
	nhip_hl7_test_assert_value(message, "PID-22-2", "Kinh");

	nhip_hl7_test_assert_value(message, "PV1-2", "O");
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "PV2"), ==, 1);
	nhip_hl7_test_assert_value(message, "PV2-3-2", "Khám định kỳ");
	nhip_hl7_test_assert_value(message, "OBR-4-1", "85353-1");
	nhip_hl7_test_assert_value(message, "OBR-4-3", "LN");
	nhip_hl7_test_assert_value(message, "OBR-7", t_bp);
	nhip_hl7_test_assert_value(message, "OBR-8", t_all);
	nhip_hl7_test_assert_value(message, "OBR-25", "F");
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "DG1"), ==, 0);

	obx1 = g_strdup_printf("OBX|1|NM|8480-6^Systolic blood pressure^LN|1|142|mm[Hg]^^UCUM|"
			       "90-139|H|||F|||%s||||omron-hid:SN4411",
			       t_bp);
	assert_segment(message, "OBX[1]", obx1);
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "OBX"), ==,
			 G_N_ELEMENTS(expected_obx));
	for (guint i = 0; i < G_N_ELEMENTS(expected_obx); i++) {
		g_autofree gchar *prefix = g_strdup_printf("OBX[%u]", i + 1);
		g_autofree gchar *set_id = g_strdup_printf("%u", i + 1);
		g_autofree gchar *at = hl7_time(expected_obx[i].at);
		struct {
			const gchar *field;
			const gchar *value;
		} checks[] = {
			{ "1", set_id },
			{ "2", "NM" },
			{ "3-1", expected_obx[i].loinc },
			{ "3-2", expected_obx[i].name },
			{ "3-3", "LN" },
			{ "4", expected_obx[i].sub_id },
			{ "5", expected_obx[i].value },
			{ "6-1", expected_obx[i].unit },
			{ "6-3", "UCUM" },
			{ "7", expected_obx[i].range },
			{ "8", expected_obx[i].flag },
			{ "11", "F" },
			{ "14", at },
			{ "18-1", expected_obx[i].device },
		};
		for (guint c = 0; c < G_N_ELEMENTS(checks); c++) {
			g_autofree gchar *path = g_strdup_printf("%s-%s", prefix, checks[c].field);
			nhip_hl7_test_assert_value(message, path, checks[c].value);
		}
	}
}

static void
test_adt(void)
{
	g_autoptr(NhipHl7Message) a04 =
		export_visit(visit_closed_id, NHIP_EXPORT_HL7_ADT_A04, "ADT0001");
	g_autoptr(NhipHl7Message) a08 =
		export_visit(visit_closed_id, NHIP_EXPORT_HL7_ADT_A08, "ADT0002");
	g_autofree gchar *msh_time = hl7_time(T_ALL + 60);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(db, &error);
	g_autoptr(NhipVisit) visit = nhip_store_visit_get(store, visit_closed_id, &error);
	g_autoptr(NhipPatient) patient = nhip_store_patient_get(store, patient_id, &error);
	g_autofree gchar *opened = hl7_time(visit->opened_at);
	g_autofree gchar *closed = hl7_time(visit->closed_at);
	g_autofree gchar *updated = hl7_time(patient->updated_at);

	g_assert_no_error(error);
	nhip_hl7_test_assert_value(a04, "MSH-9-1", "ADT");
	nhip_hl7_test_assert_value(a04, "MSH-9-2", "A04");
	nhip_hl7_test_assert_value(a04, "MSH-9-3", "ADT_A01");
	nhip_hl7_test_assert_value(a04, "EVN-1", "A04");
	nhip_hl7_test_assert_value(a04, "EVN-2", msh_time);
	nhip_hl7_test_assert_value(a04, "EVN-6", opened);
	assert_segment(a04, "NK1", "NK1|1|Trần^Bình^Văn^^^^L|^chồng||0987654321^PRN^CP");
	nhip_hl7_test_assert_value(a04, "PID-5-1", "Nguyễn");
	nhip_hl7_test_assert_value(a04, "PID-3(1)-1", "066185001234");
	nhip_hl7_test_assert_value(a04, "PV1-2", "O");
	nhip_hl7_test_assert_value(a04, "PV1-19-1", visit->ma_lk);
	nhip_hl7_test_assert_value(a04, "PV1-19-5", "VN");
	nhip_hl7_test_assert_value(a04, "PV1-44", opened);
	nhip_hl7_test_assert_value(a04, "PV1-45", closed);
	g_assert_cmpuint(nhip_hl7_message_count_segments(a04, "PV2"), ==, 0);
	g_assert_cmpuint(nhip_hl7_message_count_segments(a04, "DG1"), ==, 2);
	assert_segment(a04, "DG1[1]", "DG1|1||I10^^I10|||F|||||||||1");
	assert_segment(a04, "DG1[2]", "DG1|2||E11.9^^I10|||F|||||||||2");
	nhip_hl7_test_assert_value(a04, "IN1-2", "BHYT");
	nhip_hl7_test_assert_value(a04, "IN1-12", "20240101");
	nhip_hl7_test_assert_value(a04, "IN1-13", "20241231");
	nhip_hl7_test_assert_value(a04, "IN1-36", "DN4660123456789");
	g_assert_cmpuint(nhip_hl7_message_count_segments(a04, "OBX"), ==, 0);
	/* the segment order of ADT_A01 */
	{
		const gchar *order[] = { "MSH", "EVN", "PID", "NK1", "PV1", "DG1", "DG1", "IN1" };
		g_assert_cmpuint(nhip_hl7_message_get_n_segments(a04), ==, G_N_ELEMENTS(order));
		for (guint i = 0; i < G_N_ELEMENTS(order); i++)
			g_assert_cmpstr(nhip_hl7_message_get_segment_id(a04, i), ==, order[i]);
	}

	nhip_hl7_test_assert_value(a08, "MSH-9-2", "A08");
	nhip_hl7_test_assert_value(a08, "MSH-10", "ADT0002");
	nhip_hl7_test_assert_value(a08, "EVN-1", "A08");
	nhip_hl7_test_assert_value(a08, "EVN-6", updated);
}

static void
test_patient_only(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(db, &error);
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(NhipHl7Message) parsed = NULL;

	message = nhip_export_hl7_patient(store, patient_id, NHIP_EXPORT_HL7_ADT_A08, NULL, &error);
	g_assert_no_error(error);
	parsed = reparse(message);
	nhip_hl7_test_assert_value(parsed, "PV1-2", "N");
	nhip_hl7_test_assert_value(parsed, "PV1-19", "");
	g_assert_cmpuint(nhip_hl7_message_count_segments(parsed, "DG1"), ==, 0);
	/* a generated control id is 20 digits */
	{
		g_autofree gchar *id = nhip_hl7_message_get_value(parsed, "MSH-10", NULL);
		g_assert_cmpuint(strlen(id), ==, 20);
	}

	g_assert_null(
		nhip_export_hl7_patient(store, patient_id, NHIP_EXPORT_HL7_ORU_R01, NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_UNSUPPORTED);
	g_clear_error(&error);
	g_assert_null(nhip_export_hl7_visit(store, 9999, NHIP_EXPORT_HL7_ORU_R01, NULL, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(nhip_export_hl7_patient(store, 9999, NHIP_EXPORT_HL7_ADT_A04, NULL, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
}

static void
test_no_facility(void)
{
	g_autofree gchar *other = g_build_filename(dir, "no-facility.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(other, &error);
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	gint64 id;

	patient->full_name = g_strdup("Lò Thị Mỷ");
	patient->birth = g_strdup("1990");
	patient->sex = NHIP_SEX_FEMALE;
	id = nhip_store_patient_add(store, patient, &error);
	g_assert_no_error(error);
	g_assert_null(nhip_export_hl7_patient(store, id, NHIP_EXPORT_HL7_ADT_A04, NULL, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
}

static void
test_build_minimal(void)
{
	/* a patient known by year of birth only, no identifiers but the station id */
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm");
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(NhipHl7Message) parsed = NULL;
	g_autoptr(GError) error = NULL;

	patient->id = 7;
	patient->full_name = g_strdup("Ksor");
	patient->birth = g_strdup("1950");
	patient->sex = NHIP_SEX_UNKNOWN;
	message = nhip_export_hl7_build(NHIP_EXPORT_HL7_ADT_A04, facility, patient, NULL, NULL,
					NULL, &error);
	g_assert_no_error(error);
	parsed = reparse(message);
	assert_segment(parsed, "PID", "PID|1||7^^^66181^PI||Ksor^^^^^^L||1950|U");

	/* nothing to identify the patient by */
	patient->id = 0;
	g_assert_null(nhip_export_hl7_build(NHIP_EXPORT_HL7_ADT_A04, facility, patient, NULL, NULL,
					    NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
	g_clear_error(&error);
	/* an ORU needs a visit */
	patient->id = 7;
	g_assert_null(nhip_export_hl7_build(NHIP_EXPORT_HL7_ORU_R01, facility, patient, NULL, NULL,
					    NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
}

static void
test_split_name(void)
{
	static const struct {
		const gchar *full, *family, *given, *middle;
	} cases[] = {
		{ "Nguyễn Thị Đào", "Nguyễn", "Đào", "Thị" },
		{ "Lò Mỷ", "Lò", "Mỷ", NULL },
		{ "Tôn Nữ Thị Minh Khai", "Tôn", "Khai", "Nữ Thị Minh" },
		{ "  Trần   Văn  Ba ", "Trần", "Ba", "Văn" },
		{ "Ksor", "Ksor", NULL, NULL },
		{ "", NULL, NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *family = NULL;
		g_autofree gchar *given = NULL;
		g_autofree gchar *middle = NULL;
		nhip_export_hl7_split_name(cases[i].full, &family, &given, &middle);
		g_assert_cmpstr(family, ==, cases[i].family);
		g_assert_cmpstr(given, ==, cases[i].given);
		g_assert_cmpstr(middle, ==, cases[i].middle);
	}
}

static void
test_type_names(void)
{
	NhipExportHl7Type type = NHIP_EXPORT_HL7_ORU_R01;

	g_assert_true(nhip_export_hl7_type_from_string("ADT-A08", &type));
	g_assert_cmpint(type, ==, NHIP_EXPORT_HL7_ADT_A08);
	g_assert_cmpstr(nhip_export_hl7_type_to_string(type), ==, "adt-a08");
	g_assert_false(nhip_export_hl7_type_from_string("adt-a99", &type));
	g_assert_false(nhip_export_hl7_type_from_string(NULL, &type));
}

/* ----- nhipctl ----- */

static gchar *
id_text(gint64 id)
{
	return g_strdup_printf("%" G_GINT64_FORMAT, id);
}

static void
test_cli_export(void)
{
	g_autofree gchar *visit = id_text(visit_open_id);
	g_auto(NhipTestRun) oru =
		nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "hl7", visit, NULL);
	g_auto(NhipTestRun) adt = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "hl7", visit,
						"--type", "adt-a04", NULL);
	g_auto(NhipTestRun) bad_type = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "hl7",
						     visit, "--type", "x", NULL);
	g_auto(NhipTestRun) missing =
		nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "hl7", "9999", NULL);
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(oru.status, ==, 0);
	g_assert_cmpstr(oru.err, ==, "");
	/* segments end with CR, and no LF when standard output is not a terminal */
	g_assert_true(g_str_has_prefix(oru.out, "MSH|^~\\&|NHIP|"));
	g_assert_true(g_str_has_suffix(oru.out, "\r"));
	g_assert_null(strchr(oru.out, '\n'));
	message = nhip_hl7_message_parse(oru.out, strlen(oru.out), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "OBX"), ==, 9);
	nhip_hl7_test_assert_value(message, "PID-5-2", "Đào");

	g_assert_cmpint(adt.status, ==, 0);
	g_assert_nonnull(strstr(adt.out, "|ADT^A04^ADT_A01|"));
	g_assert_nonnull(strstr(adt.out, "\rEVN|A04|"));
	nhip_test_assert_one_line_error(&bad_type, 2);
	nhip_test_assert_one_line_error(&missing, 4);
}

/* python-hl7 reads `nhipctl export hl7` output: the values must be what we meant */
static void
test_cli_python_peer(void)
{
	g_autofree gchar *visit = id_text(visit_open_id);
	g_auto(NhipTestRun) oru =
		nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "hl7", visit, NULL);
	g_autofree gchar *message_file = g_build_filename(dir, "peer.hl7", NULL);
	g_autofree gchar *expect_file = g_build_filename(dir, "peer.tsv", NULL);
	g_autofree gchar *script = g_test_build_filename(G_TEST_DIST, "hl7", "peer-parse.py", NULL);
	g_autoptr(GString) expect = g_string_new(NULL);
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *output = NULL;

	if (python3 == NULL) {
		g_test_skip("/usr/bin/python3 with python3-hl7 is not installed");
		return;
	}
	g_assert_cmpint(oru.status, ==, 0);
	g_string_append(expect, "MSH\t1\t9\t1\t1\t1\tORU\n"
				"MSH\t1\t9\t1\t2\t1\tR01\n"
				"MSH\t1\t12\t1\t1\t1\t2.5.1\n"
				"MSH\t1\t18\t1\t1\t1\tUNICODE UTF-8\n"
				"MSH\t1\t4\t1\t1\t1\tTrạm Y tế xã Tân Hòa\n"
				"PID\t1\t3\t1\t1\t1\t066185001234\n"
				"PID\t1\t3\t1\t5\t1\tNI\n"
				"PID\t1\t3\t2\t1\t1\tDN4660123456789\n"
				"PID\t1\t3\t2\t5\t1\tHC\n"
				"PID\t1\t5\t1\t1\t1\tNguyễn\n"
				"PID\t1\t5\t1\t2\t1\tĐào\n"
				"PID\t1\t5\t1\t3\t1\tThị\n"
				"PID\t1\t7\t1\t1\t1\t19850327\n"
				"PID\t1\t8\t1\t1\t1\tF\n"
				"PID\t1\t11\t1\t1\t1\tThôn 3, xã Tân Hòa | Đắk Lắk\n"
				"PID\t1\t22\t1\t2\t1\tKinh\n");
	for (guint i = 0; i < G_N_ELEMENTS(expected_obx); i++) {
		g_string_append_printf(expect,
				       "OBX\t%u\t3\t1\t1\t1\t%s\n"
				       "OBX\t%u\t2\t1\t1\t1\tNM\n"
				       "OBX\t%u\t5\t1\t1\t1\t%s\n"
				       "OBX\t%u\t6\t1\t1\t1\t%s\n"
				       "OBX\t%u\t6\t1\t3\t1\tUCUM\n"
				       "OBX\t%u\t7\t1\t1\t1\t%s\n"
				       "OBX\t%u\t8\t1\t1\t1\t%s\n"
				       "OBX\t%u\t18\t1\t1\t1\t%s\n",
				       i + 1, expected_obx[i].loinc, i + 1, i + 1,
				       expected_obx[i].value, i + 1, expected_obx[i].unit, i + 1,
				       i + 1, expected_obx[i].range, i + 1, expected_obx[i].flag,
				       i + 1, expected_obx[i].device);
	}
	g_assert_true(g_file_set_contents(message_file, oru.out, -1, &error));
	g_assert_true(g_file_set_contents(expect_file, expect->str, -1, &error));
	g_assert_no_error(error);
	proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
				&error, python3, script, message_file, expect_file, NULL);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(proc, NULL, NULL, &output, NULL, &error));
	g_assert_no_error(error);
	g_test_message("python-hl7: %s", output);
	g_assert_true(g_subprocess_get_if_exited(proc));
	g_assert_cmpint(g_subprocess_get_exit_status(proc), ==, 0);
	g_assert_nonnull(strstr(output, " 0 failures"));
}

static void
test_cli_parse(void)
{
	g_autofree gchar *visit = id_text(visit_open_id);
	g_auto(NhipTestRun) oru =
		nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "hl7", visit, NULL);
	g_autofree gchar *good = g_build_filename(dir, "good.hl7", NULL);
	g_autofree gchar *garbage = g_build_filename(dir, "garbage.hl7", NULL);
	g_autofree gchar *bad_escape = g_build_filename(dir, "bad-escape.hl7", NULL);
	g_autofree gchar *nowhere = g_build_filename(dir, "nowhere.hl7", NULL);
	g_auto(NhipTestRun) text = { 0 };
	g_auto(NhipTestRun) json = { 0 };
	g_auto(NhipTestRun) bad = { 0 };
	g_auto(NhipTestRun) bad2 = { 0 };
	g_auto(NhipTestRun) missing = { 0 };
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonObject *root;
	JsonArray *segments;
	JsonArray *pid_fields;
	JsonArray *name;

	g_assert_true(g_file_set_contents(good, oru.out, -1, &error));
	g_assert_true(g_file_set_contents(garbage, "\x01\x02garbage\xff\xfe not HL7", -1, &error));
	g_assert_true(g_file_set_contents(bad_escape,
					  "MSH|^~\\&|A|B|||20240131||ORU^R01|1|P|2.5.1\r"
					  "PID|1||1\r"
					  "OBX|1|NM|8867-4||7\\X4\r",
					  -1, &error));
	g_assert_no_error(error);

	text = nhip_test_run(NHIPCTL_PATH, "hl7", "parse", good, NULL);
	g_assert_cmpint(text.status, ==, 0);
	g_assert_nonnull(strstr(text.out, "\nPID-5\tNguyễn^Đào^Thị^^^^L\n"));
	g_assert_nonnull(strstr(text.out, "\nOBX[4]-8\tL\n"));

	json = nhip_test_run(NHIPCTL_PATH, "hl7", "parse", good, "--json", NULL);
	g_assert_cmpint(json.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, json.out, -1, &error));
	g_assert_no_error(error);
	root = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpstr(json_object_get_string_member(root, "version"), ==, "2.5.1");
	segments = json_object_get_array_member(root, "segments");
	g_assert_cmpuint(json_array_get_length(segments), ==, 14);
	g_assert_cmpstr(
		json_object_get_string_member(json_array_get_object_element(segments, 1), "id"), ==,
		"PID");
	pid_fields =
		json_object_get_array_member(json_array_get_object_element(segments, 1), "fields");
	/* fields[4] is PID-5, components decoded */
	name = json_array_get_array_element(pid_fields, 4);
	g_assert_cmpstr(json_array_get_string_element(name, 0), ==, "Nguyễn");
	g_assert_cmpstr(json_array_get_string_element(name, 2), ==, "Thị");
	/* PID-11-1 holds an escaped | that comes out decoded */
	g_assert_cmpstr(
		json_array_get_string_element(json_array_get_array_element(pid_fields, 10), 0), ==,
		"Thôn 3, xã Tân Hòa | Đắk Lắk");
	/* PID-3 repeats */
	{
		JsonObject *ids = json_array_get_object_element(pid_fields, 2);
		JsonArray *reps = json_object_get_array_member(ids, "repetitions");
		g_assert_cmpuint(json_array_get_length(reps), ==, 3);
		g_assert_cmpstr(
			json_array_get_string_element(json_array_get_array_element(reps, 1), 0), ==,
			"DN4660123456789");
	}

	bad = nhip_test_run(NHIPCTL_PATH, "hl7", "parse", garbage, NULL);
	nhip_test_assert_one_line_error(&bad, 3);
	g_assert_nonnull(strstr(bad.err, garbage));
	bad2 = nhip_test_run(NHIPCTL_PATH, "hl7", "parse", bad_escape, "--json", NULL);
	nhip_test_assert_one_line_error(&bad2, 3);
	g_assert_nonnull(strstr(bad2.err, "segment 3 (OBX)"));
	g_assert_cmpstr(bad2.out, ==, "");
	missing = nhip_test_run(NHIPCTL_PATH, "hl7", "parse", nowhere, NULL);
	nhip_test_assert_one_line_error(&missing, 4);
}

static void
test_cli_send_listen(void)
{
	g_autofree gchar *visit = id_text(visit_open_id);
	g_autofree gchar *port = g_strdup_printf("%u", nhip_test_free_port());
	g_autoptr(GSubprocess) listen = NULL;
	g_autoptr(GDataInputStream) listen_err = NULL;
	g_autofree gchar *ready = NULL;
	g_autofree gchar *received = NULL;
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(NhipTestRun) send = { 0 };

	listen = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
				  &error, NHIPCTL_PATH, "hl7", "listen", "--port", port,
				  "--address", "127.0.0.1", "--count", "1", NULL);
	g_assert_no_error(error);
	listen_err = g_data_input_stream_new(g_subprocess_get_stderr_pipe(listen));
	ready = g_data_input_stream_read_line_utf8(listen_err, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(ready);
	g_assert_nonnull(strstr(ready, port));

	send = nhip_test_run(NHIPCTL_PATH, "--db", db, "hl7", "send", "--host", "127.0.0.1",
			     "--port", port, visit, "--timeout", "10", "--retries", "2", NULL);
	if (send.status != 0)
		g_error("hl7 send: exit %d: %s", send.status, send.err);
	g_assert_cmpstr(send.out, ==, "AA\n");
	g_assert_cmpstr(send.err, ==, "");

	/* the listener stops by itself after one message */
	g_assert_true(g_subprocess_communicate_utf8(listen, NULL, NULL, &received, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(listen));
	g_assert_cmpint(g_subprocess_get_exit_status(listen), ==, 0);
	g_assert_null(strchr(received, '\r'));
	g_assert_true(g_str_has_prefix(received, "MSH|^~\\&|NHIP|"));
	g_assert_nonnull(strstr(received, "\nPID|1||066185001234^^^BCA^NI~"));
	g_assert_nonnull(strstr(received, "\nOBX|9|NM|9279-1^Respiratory rate^LN|8|18|"));
	message = nhip_hl7_message_parse(received, strlen(received), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "OBX"), ==, 9);
}

static void
test_cli_send_closed_port(void)
{
	g_autofree gchar *visit = id_text(visit_open_id);
	g_autofree gchar *port = g_strdup_printf("%u", nhip_test_free_port());
	g_auto(NhipTestRun) send = { 0 };
	g_autofree gchar *path = NULL;
	g_autofree gchar *contents = NULL;
	g_autofree gchar *control_id = NULL;
	g_autofree gchar *expected_path = NULL;
	g_autofree gchar *outbox_dir = g_build_filename(dir, "outbox", NULL);
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(GError) error = NULL;
	gsize length = 0;

	g_assert_cmpint(nhip_test_sql_int(db, "SELECT count(*) FROM outbox"), ==, 0);
	send = nhip_test_run(NHIPCTL_PATH, "--db", db, "hl7", "send", "--host", "127.0.0.1",
			     "--port", port, visit, "--timeout", "2", "--retries", "1", NULL);
	nhip_test_assert_one_line_error(&send, 5);
	g_assert_nonnull(strstr(send.err, "queued"));
	g_assert_cmpstr(send.out, ==, "");

	g_assert_cmpint(nhip_test_sql_int(db, "SELECT count(*) FROM outbox"), ==, 1);
	g_assert_cmpint(nhip_test_sql_int(db, "SELECT count(*) FROM outbox WHERE kind = 'hl7' "
					      "AND state = 'queued'"),
			==, 1);
	/* the row points at the saved message, named after its control id */
	{
		sqlite3 *handle = NULL;
		sqlite3_stmt *stmt = NULL;
		g_assert_cmpint(sqlite3_open_v2(db, &handle, SQLITE_OPEN_READONLY, NULL), ==,
				SQLITE_OK);
		g_assert_cmpint(sqlite3_prepare_v2(handle, "SELECT payload_ref FROM outbox", -1,
						   &stmt, NULL),
				==, SQLITE_OK);
		g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
		path = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
		sqlite3_close(handle);
	}
	g_assert_true(g_path_is_absolute(path));
	g_assert_true(g_file_get_contents(path, &contents, &length, &error));
	g_assert_no_error(error);
	message = nhip_hl7_message_parse(contents, length, &error);
	g_assert_no_error(error);
	control_id = nhip_hl7_message_get_value(message, "MSH-10", NULL);
	{
		g_autofree gchar *name = g_strdup_printf("hl7-%s.er7", control_id);
		g_autofree gchar *canonical_dir = g_canonicalize_filename(outbox_dir, NULL);
		expected_path = g_build_filename(canonical_dir, name, NULL);
	}
	g_assert_cmpstr(path, ==, expected_path);
	g_assert_nonnull(strstr(send.err, control_id));
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "OBX"), ==, 9);
	/* no temporary file is left behind */
	{
		g_autoptr(GDir) folder = g_dir_open(outbox_dir, 0, &error);
		guint n = 0;
		g_assert_no_error(error);
		while (g_dir_read_name(folder) != NULL)
			n++;
		g_assert_cmpuint(n, ==, 1);
	}
}

/* an HIS that answers AE: send exits 3 with the reason */
static NhipHl7Message *
reject_handler(NhipMllpListener *listener,
	       NhipHl7Message *message,
	       gpointer user_data,
	       GError **error)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "không tìm thấy bệnh nhân");
	return NULL;
}

static void
test_cli_send_rejected(void)
{
	g_autofree gchar *visit = id_text(visit_open_id);
	g_autoptr(NhipMllpListener) listener = nhip_mllp_listener_new();
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *port = NULL;
	g_auto(NhipTestRun) run = { -1, NULL, NULL };
	gint64 outbox_before = nhip_test_sql_int(db, "SELECT count(*) FROM outbox");

	nhip_mllp_listener_set_handler(listener, reject_handler, NULL, NULL);
	g_assert_true(nhip_mllp_listener_listen(listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);
	port = g_strdup_printf("%u", (guint)nhip_mllp_listener_get_port(listener));
	proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
				&error, NHIPCTL_PATH, "--db", db, "hl7", "send", "--host",
				"127.0.0.1", "--port", port, visit, "--timeout", "10", NULL);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8_async(proc, NULL, NULL, nhip_test_run_communicate_cb, &run);
	while (run.status < 0)
		g_main_context_iteration(NULL, TRUE);
	nhip_test_assert_one_line_error(&run, 3);
	g_assert_cmpstr(run.out, ==, "AE\n");
	g_assert_nonnull(strstr(run.err, "không tìm thấy bệnh nhân"));
	/* an answered message is not queued again */
	g_assert_cmpint(nhip_test_sql_int(db, "SELECT count(*) FROM outbox"), ==, outbox_before);
}

int
main(int argc, char **argv)
{
	gint rc;

	g_test_init(&argc, &argv, NULL);
	python3 = nhip_test_python3();
	if (!nhip_test_python_has("hl7"))
		python3 = NULL;
	dir = nhip_test_tmpdir();
	db = g_build_filename(dir, "station.db", NULL);
	fixture_create();

	g_test_add_func("/export/hl7/oru", test_oru);
	g_test_add_func("/export/hl7/adt", test_adt);
	g_test_add_func("/export/hl7/patient-only", test_patient_only);
	g_test_add_func("/export/hl7/no-facility", test_no_facility);
	g_test_add_func("/export/hl7/build-minimal", test_build_minimal);
	g_test_add_func("/export/hl7/split-name", test_split_name);
	g_test_add_func("/export/hl7/type-names", test_type_names);
	g_test_add_func("/export/hl7/nhipctl/export", test_cli_export);
	g_test_add_func("/export/hl7/nhipctl/python-peer", test_cli_python_peer);
	g_test_add_func("/export/hl7/nhipctl/parse", test_cli_parse);
	g_test_add_func("/export/hl7/nhipctl/send-listen", test_cli_send_listen);
	g_test_add_func("/export/hl7/nhipctl/send-closed-port", test_cli_send_closed_port);
	g_test_add_func("/export/hl7/nhipctl/send-rejected", test_cli_send_rejected);
	rc = g_test_run();
	nhip_test_rmrf(dir);
	g_free(dir);
	g_free(db);
	return rc;
}
