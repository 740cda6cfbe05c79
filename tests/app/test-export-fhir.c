/*
 * Nhịp — tests of the FHIR R4 export: the Bundle read back value by value, every vital
 * sign, Vietnamese text, a patient known by year of birth only and without CCCD or card,
 * deterministic output, the entries a later caller adds, `nhipctl export fhir`, and an
 * independent check of every Bundle against HL7's R4 JSON schema and the vital-signs
 * profile rules (tests/app/fhir-check.py, run by Debian's /usr/bin/python3).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "nhip-export-fhir.h"
#include "nhip-store.h"
#include "nhip-test-utils.h"

/* measurement times of the fixture: 2024-01-31 07:25:00 UTC and two minutes later */
#define T_BP  G_GINT64_CONSTANT(1706685900)
#define T_ALL G_GINT64_CONSTANT(1706686020)

static gchar *dir;
static gchar *db;
static gint64 patient_id;
static gint64 minimal_patient_id;
static gint64 visit_full_id;	/* closed, every vital sign, two ICD-10 codes */
static gint64 visit_minimal_id; /* open, nothing recorded */

static void
fixture_create(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(db, &error);
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(NhipPatient) minimal = nhip_patient_new();
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	const gchar *icd[] = { "I10", "E11.9", NULL };

	g_assert_no_error(error);
	facility->address = g_strdup("Thôn 1, xã Tân Hòa, huyện Buôn Đôn");
	facility->province_code = g_strdup("66");
	facility->district_code = g_strdup("647");
	facility->commune_code = g_strdup("24241");
	g_assert_true(nhip_store_facility_set(store, facility, &error));
	patient->full_name = g_strdup("Nguyễn Thị Đào");
	patient->birth = g_strdup("1985-03-27");
	patient->sex = NHIP_SEX_FEMALE;
	patient->cccd = g_strdup("066185001234");
	patient->bhyt = g_strdup("DN4660123456789");
	patient->bhyt_valid_from = g_strdup("2024-01-01");
	patient->bhyt_valid_to = g_strdup("2024-12-31");
	patient->bhyt_facility = g_strdup("66181");
	patient->ethnicity = g_strdup("12");
	patient->address = g_strdup("Buôn Ko Siêr, xã Tân Hòa \"A\"");
	patient->province_code = g_strdup("66");
	patient->district_code = g_strdup("647");
	patient->commune_code = g_strdup("24241");
	patient->phone = g_strdup("0912345678");
	patient->guardian_name = g_strdup("Y Bhăm Niê");
	patient->guardian_relation = g_strdup("chồng");
	patient->guardian_phone = g_strdup("0262381234");
	patient_id = nhip_store_patient_add(store, patient, &error);
	g_assert_no_error(error);

	visit_full_id = nhip_store_visit_open(store, patient_id, "Đau đầu, chóng mặt", &error);
	g_assert_no_error(error);
	nhip_test_add_vitals(obs, T_BP, T_ALL, 37.0);
	g_assert_true(nhip_store_observations_add(store, visit_full_id, obs, &error));
	g_assert_no_error(error);
	g_assert_true(nhip_store_visit_close(store, visit_full_id, icd, NULL, &error));
	g_assert_no_error(error);

	/* known by year of birth only, no CCCD, no card, no ethnicity, no address */
	minimal->full_name = g_strdup("Ksor");
	minimal->birth = g_strdup("1950");
	minimal->sex = NHIP_SEX_UNKNOWN;
	minimal_patient_id = nhip_store_patient_add(store, minimal, &error);
	g_assert_no_error(error);
	visit_minimal_id = nhip_store_visit_open(store, minimal_patient_id, NULL, &error);
	g_assert_no_error(error);
}

static gchar *
id_text(gint64 id)
{
	return g_strdup_printf("%" G_GINT64_FORMAT, id);
}

/* builds the Bundle of a visit, writes it and parses the text again: every check reads
 * what a receiver reads */
static JsonNode *
export_parsed(gint64 visit_id, gchar **text_out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(db, &error);
	g_autoptr(JsonNode) bundle = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *text = NULL;

	g_assert_no_error(error);
	bundle = nhip_export_fhir_visit(store, visit_id, NULL, &error);
	g_assert_no_error(error);
	text = nhip_export_fhir_to_string(bundle, FALSE);
	g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
	g_assert_no_error(error);
	if (text_out != NULL)
		*text_out = g_steal_pointer(&text);
	return json_node_copy(json_parser_get_root(parser));
}

static JsonArray *
entries_of(JsonNode *bundle)
{
	return json_object_get_array_member(json_node_get_object(bundle), "entry");
}

static JsonObject *
resource_at(JsonNode *bundle, guint index)
{
	JsonObject *entry = json_array_get_object_element(entries_of(bundle), index);
	return json_object_get_object_member(entry, "resource");
}

static JsonObject *
request_at(JsonNode *bundle, guint index)
{
	JsonObject *entry = json_array_get_object_element(entries_of(bundle), index);
	return json_object_get_object_member(entry, "request");
}

static const gchar *
full_url_at(JsonNode *bundle, guint index)
{
	JsonObject *entry = json_array_get_object_element(entries_of(bundle), index);
	return json_object_get_string_member(entry, "fullUrl");
}

/* the value at a path of member names and array indexes: "name/0/given/1" */
static JsonNode *
at(JsonObject *object, const gchar *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	JsonNode *node = NULL;
	g_autoptr(JsonNode) wrapper = json_node_init_object(json_node_alloc(), object);

	node = wrapper;
	for (guint i = 0; parts[i] != NULL; i++) {
		if (JSON_NODE_HOLDS_ARRAY(node)) {
			JsonArray *array = json_node_get_array(node);
			guint64 index = g_ascii_strtoull(parts[i], NULL, 10);
			if (index >= json_array_get_length(array))
				g_error("%s: index %s out of range", path, parts[i]);
			node = json_array_get_element(array, (guint)index);
		} else if (JSON_NODE_HOLDS_OBJECT(node)) {
			JsonObject *o = json_node_get_object(node);
			if (!json_object_has_member(o, parts[i]))
				g_error("%s: no member %s", path, parts[i]);
			node = json_object_get_member(o, parts[i]);
		} else {
			g_error("%s: %s is not inside an object or array", path, parts[i]);
		}
	}
	return node;
}

static void
assert_str(JsonObject *object, const gchar *path, const gchar *expected)
{
	JsonNode *node = at(object, path);
	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		g_error("%s is not a string", path);
	g_assert_cmpstr(json_node_get_string(node), ==, expected);
}

static void
assert_number(JsonObject *object, const gchar *path, gdouble expected, gboolean integer)
{
	JsonNode *node = at(object, path);
	GType type = json_node_get_value_type(node);

	g_assert_true(JSON_NODE_HOLDS_VALUE(node));
	g_assert_true(type == (integer ? G_TYPE_INT64 : G_TYPE_DOUBLE));
	g_assert_cmpfloat_with_epsilon(json_node_get_double(node), expected, 1e-9);
}

static gboolean
has(JsonObject *object, const gchar *member)
{
	return json_object_has_member(object, member);
}

static gchar *
local_time(gint64 unix_time)
{
	g_autoptr(GDateTime) datetime = g_date_time_new_from_unix_local(unix_time);
	return g_date_time_format(datetime, "%Y-%m-%dT%H:%M:%S%:z");
}

static gboolean
fhir_check(JsonNode *bundle, gboolean expect_ok, const gchar *expect_problem)
{
	g_autofree gchar *text = nhip_export_fhir_to_string(bundle, TRUE);
	return nhip_test_fhir_check(dir, text, expect_ok, expect_problem);
}

/* what each Observation of the fixture must say, in order */
static const struct {
	const gchar *profile; /* NULL for glucose */
	const gchar *category;
	const gchar *code;
	const gchar *code2;
	const gchar *ucum;
	gdouble value;
	gboolean integer;
	const gchar *interpretation;
	gboolean device;
} expected_obs[] = {
	{ "bp", "vital-signs", "85354-9", NULL, "mm[Hg]", 0, TRUE, NULL, TRUE },
	{ "heartrate", "vital-signs", "8867-4", NULL, "/min", 78, TRUE, "N", TRUE },
	{ "oxygensat", "vital-signs", "2708-6", "59408-5", "%", 92, TRUE, "L", FALSE },
	{ "bodytemp", "vital-signs", "8310-5", NULL, "Cel", 37.0, FALSE, "N", FALSE },
	{ "bodyweight", "vital-signs", "29463-7", NULL, "kg", 52.4, FALSE, NULL, FALSE },
	{ "bodyheight", "vital-signs", "8302-2", NULL, "cm", 156, TRUE, NULL, FALSE },
	{ NULL, "laboratory", "15074-8", NULL, "mmol/L", 5.6, FALSE, "N", FALSE },
	{ "resprate", "vital-signs", "9279-1", NULL, "/min", 18, TRUE, "N", FALSE },
};

static void
test_bundle(void)
{
	g_autoptr(JsonNode) bundle = export_parsed(visit_full_id, NULL);
	g_autofree gchar *t_bp = local_time(T_BP);
	g_autofree gchar *t_all = local_time(T_ALL);
	g_autofree gchar *patient_sid = g_strdup_printf("%" G_GINT64_FORMAT, patient_id);
	g_autofree gchar *org_url = nhip_export_fhir_full_url("Organization/66181");
	const gchar *types[] = { "Organization", "Patient",	"Coverage",    "Encounter",
				 "Device",	 "Observation", "Observation", "Observation",
				 "Observation",	 "Observation", "Observation", "Observation",
				 "Observation",	 "Condition",	"Condition" };
	JsonObject *root = json_node_get_object(bundle);
	JsonObject *org, *patient, *coverage, *encounter, *device;
	const gchar *patient_url, *encounter_url, *device_url;

	g_assert_cmpstr(json_object_get_string_member(root, "resourceType"), ==, "Bundle");
	g_assert_cmpstr(json_object_get_string_member(root, "type"), ==, "transaction");
	g_assert_false(has(root, "timestamp"));
	g_assert_cmpuint(json_array_get_length(entries_of(bundle)), ==, G_N_ELEMENTS(types));
	for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
		g_assert_cmpstr(
			json_object_get_string_member(resource_at(bundle, i), "resourceType"), ==,
			types[i]);
		g_assert_true(g_str_has_prefix(full_url_at(bundle, i), "urn:uuid:"));
		g_assert_true(g_uuid_string_is_valid(full_url_at(bundle, i) + 9));
	}
	patient_url = full_url_at(bundle, 1);
	encounter_url = full_url_at(bundle, 3);
	device_url = full_url_at(bundle, 4);
	g_assert_cmpstr(full_url_at(bundle, 0), ==, org_url);

	/* the facility, updated by its MA_CSKCB */
	org = resource_at(bundle, 0);
	assert_str(org, "identifier/0/system", "https://nhip.vn/fhir/sid/ma-cskcb");
	assert_str(org, "identifier/0/value", "66181");
	assert_str(org, "name", "Trạm Y tế xã Tân Hòa");
	assert_str(org, "type/0/coding/0/code", "prov");
	assert_str(org, "address/0/text", "Thôn 1, xã Tân Hòa, huyện Buôn Đôn");
	assert_str(org, "address/0/use", "work");
	assert_str(request_at(bundle, 0), "method", "PUT");
	assert_str(request_at(bundle, 0), "url",
		   "Organization?identifier=https://nhip.vn/fhir/sid/ma-cskcb|66181");

	patient = resource_at(bundle, 1);
	assert_str(patient, "identifier/0/system", "http://fhir.hl7.org.vn/core/sid/cccd");
	assert_str(patient, "identifier/0/value", "066185001234");
	assert_str(patient, "identifier/0/type/coding/0/code", "NI");
	assert_str(patient, "identifier/1/system", "http://fhir.hl7.org.vn/core/sid/bhyt");
	assert_str(patient, "identifier/1/value", "DN4660123456789");
	assert_str(patient, "identifier/2/system", "https://nhip.vn/fhir/sid/66181/patient");
	assert_str(patient, "identifier/2/value", patient_sid);
	assert_str(patient, "identifier/2/type/coding/0/code", "MR");
	assert_str(patient, "name/0/text", "Nguyễn Thị Đào");
	assert_str(patient, "name/0/family", "Nguyễn");
	assert_str(patient, "name/0/given/0", "Thị");
	assert_str(patient, "name/0/given/1", "Đào");
	assert_str(patient, "gender", "female");
	assert_str(patient, "birthDate", "1985-03-27");
	assert_str(patient, "telecom/0/value", "0912345678");
	assert_str(patient, "telecom/0/use", "mobile");
	assert_str(patient, "extension/0/url",
		   "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ethnicity");
	assert_str(patient, "extension/0/valueCodeableConcept/coding/0/system",
		   "https://nhip.vn/fhir/CodeSystem/dan-toc");
	assert_str(patient, "extension/0/valueCodeableConcept/coding/0/code", "12");
	assert_str(patient, "extension/0/valueCodeableConcept/coding/0/display", "Ê Đê");
	assert_str(patient, "address/0/text", "Buôn Ko Siêr, xã Tân Hòa \"A\"");
	assert_str(patient, "address/0/state", "Đắk Lắk");
	assert_str(patient, "address/0/country", "VN");
	assert_str(patient, "address/0/extension/0/url",
		   "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-province");
	assert_str(patient, "address/0/extension/0/valueCoding/code", "66");
	assert_str(patient, "address/0/extension/1/url",
		   "https://nhip.vn/fhir/StructureDefinition/district");
	assert_str(patient, "address/0/extension/1/valueCoding/code", "647");
	assert_str(patient, "address/0/extension/2/url",
		   "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ward");
	assert_str(patient, "address/0/extension/2/valueCoding/code", "24241");
	assert_str(patient, "contact/0/name/text", "Y Bhăm Niê");
	assert_str(patient, "contact/0/relationship/0/text", "chồng");
	assert_str(patient, "contact/0/telecom/0/use", "home");
	assert_str(patient, "managingOrganization/reference", org_url);
	assert_str(request_at(bundle, 1), "method", "PUT");
	assert_str(request_at(bundle, 1), "url",
		   "Patient?identifier=http://fhir.hl7.org.vn/core/sid/cccd|066185001234");

	coverage = resource_at(bundle, 2);
	assert_str(coverage, "status", "active");
	assert_str(coverage, "identifier/0/value", "DN4660123456789");
	assert_str(coverage, "type/text", "BHYT");
	assert_str(coverage, "beneficiary/reference", patient_url);
	assert_str(coverage, "period/start", "2024-01-01");
	assert_str(coverage, "period/end", "2024-12-31");
	assert_str(coverage, "payor/0/display", "Bảo hiểm xã hội Việt Nam");
	assert_str(coverage, "extension/0/valueIdentifier/value", "66181");
	assert_str(request_at(bundle, 2), "url",
		   "Coverage?identifier=http://fhir.hl7.org.vn/core/sid/bhyt|DN4660123456789");

	encounter = resource_at(bundle, 3);
	assert_str(encounter, "status", "finished");
	assert_str(encounter, "class/code", "AMB");
	assert_str(encounter, "class/system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
	assert_str(encounter, "identifier/0/system", "http://fhir.hl7.org.vn/core/sid/ma-lk");
	g_assert_cmpuint(strlen(json_node_get_string(at(encounter, "identifier/0/value"))), >, 0);
	assert_str(encounter, "subject/reference", patient_url);
	assert_str(encounter, "serviceProvider/reference", org_url);
	assert_str(encounter, "serviceProvider/display", "Trạm Y tế xã Tân Hòa");
	assert_str(encounter, "reasonCode/0/text", "Đau đầu, chóng mặt");
	g_assert_true(has(json_node_get_object(at(encounter, "period")), "start"));
	g_assert_true(has(json_node_get_object(at(encounter, "period")), "end"));
	assert_str(encounter, "diagnosis/0/condition/reference", full_url_at(bundle, 13));
	assert_number(encounter, "diagnosis/0/rank", 1, TRUE);
	assert_str(encounter, "diagnosis/1/condition/reference", full_url_at(bundle, 14));

	device = resource_at(bundle, 4);
	assert_str(device, "identifier/0/value", "omron-hid:SN4411");
	assert_str(device, "serialNumber", "SN4411");
	assert_str(device, "deviceName/0/name", "HEM-7121");
	assert_str(device, "deviceName/0/type", "model-name");

	for (guint i = 0; i < G_N_ELEMENTS(expected_obs); i++) {
		JsonObject *obs = resource_at(bundle, 5 + i);
		const gchar *when = i < 2 ? t_bp : t_all;

		assert_str(obs, "status", "final");
		assert_str(obs, "category/0/coding/0/system",
			   "http://terminology.hl7.org/CodeSystem/observation-category");
		assert_str(obs, "category/0/coding/0/code", expected_obs[i].category);
		assert_str(obs, "code/coding/0/system", "http://loinc.org");
		assert_str(obs, "code/coding/0/code", expected_obs[i].code);
		if (expected_obs[i].code2 != NULL)
			assert_str(obs, "code/coding/1/code", expected_obs[i].code2);
		if (expected_obs[i].profile != NULL) {
			g_autofree gchar *profile =
				g_strconcat("http://hl7.org/fhir/StructureDefinition/",
					    expected_obs[i].profile, NULL);
			assert_str(obs, "meta/profile/0", profile);
		} else {
			g_assert_false(has(obs, "meta"));
		}
		assert_str(obs, "subject/reference", patient_url);
		assert_str(obs, "encounter/reference", encounter_url);
		assert_str(obs, "effectiveDateTime", when);
		if (expected_obs[i].device)
			assert_str(obs, "device/reference", device_url);
		else
			g_assert_false(has(obs, "device"));
		assert_str(request_at(bundle, 5 + i), "method", "POST");
		assert_str(request_at(bundle, 5 + i), "url", "Observation");
		g_assert_true(g_str_has_prefix(
			json_object_get_string_member(request_at(bundle, 5 + i), "ifNoneExist"),
			"identifier=https://nhip.vn/fhir/sid/66181/observation|"));
		if (g_strcmp0(expected_obs[i].code, "85354-9") == 0) {
			g_assert_false(has(obs, "valueQuantity"));
			assert_str(obs, "component/0/code/coding/0/code", "8480-6");
			assert_number(obs, "component/0/valueQuantity/value", 142, TRUE);
			assert_str(obs, "component/0/valueQuantity/code", "mm[Hg]");
			assert_str(obs, "component/0/valueQuantity/system",
				   "http://unitsofmeasure.org");
			assert_str(obs, "component/0/interpretation/0/coding/0/code", "H");
			assert_number(obs, "component/0/referenceRange/0/high/value", 139, TRUE);
			assert_str(obs, "component/1/code/coding/0/code", "8462-4");
			assert_number(obs, "component/1/valueQuantity/value", 91, TRUE);
			assert_str(obs, "component/1/interpretation/0/coding/0/code", "H");
			continue;
		}
		assert_number(obs, "valueQuantity/value", expected_obs[i].value,
			      expected_obs[i].integer);
		assert_str(obs, "valueQuantity/system", "http://unitsofmeasure.org");
		assert_str(obs, "valueQuantity/code", expected_obs[i].ucum);
		g_assert_nonnull(json_object_get_string_member(
			json_node_get_object(at(obs, "valueQuantity")), "unit"));
		if (expected_obs[i].interpretation != NULL)
			assert_str(obs, "interpretation/0/coding/0/code",
				   expected_obs[i].interpretation);
		else
			g_assert_false(has(obs, "interpretation"));
	}

	for (guint i = 0; i < 2; i++) {
		JsonObject *condition = resource_at(bundle, 13 + i);
		assert_str(condition, "code/coding/0/system", "http://hl7.org/fhir/sid/icd-10");
		assert_str(condition, "code/coding/0/code", i == 0 ? "I10" : "E11.9");
		assert_str(condition, "category/0/coding/0/code", "encounter-diagnosis");
		assert_str(condition, "verificationStatus/coding/0/code", "confirmed");
		assert_str(condition, "subject/reference", patient_url);
		assert_str(condition, "encounter/reference", encounter_url);
	}
	fhir_check(bundle, TRUE, NULL);
}

static void
test_minimal(void)
{
	g_autoptr(JsonNode) bundle = export_parsed(visit_minimal_id, NULL);
	g_autofree gchar *sid = g_strdup_printf("%" G_GINT64_FORMAT, minimal_patient_id);
	g_autofree gchar *url = g_strdup_printf(
		"Patient?identifier=https://nhip.vn/fhir/sid/66181/patient|%s", sid);
	JsonObject *patient;
	JsonObject *encounter;

	/* no card: no Coverage; no readings, no diagnoses */
	g_assert_cmpuint(json_array_get_length(entries_of(bundle)), ==, 3);
	patient = resource_at(bundle, 1);
	assert_str(patient, "birthDate", "1950");
	assert_str(patient, "gender", "unknown");
	assert_str(patient, "name/0/family", "Ksor");
	g_assert_false(has(json_node_get_object(at(patient, "name/0")), "given"));
	g_assert_cmpuint(json_array_get_length(json_node_get_array(at(patient, "identifier"))), ==,
			 1);
	assert_str(patient, "identifier/0/value", sid);
	g_assert_false(has(patient, "extension"));
	g_assert_false(has(patient, "address"));
	g_assert_false(has(patient, "telecom"));
	assert_str(request_at(bundle, 1), "url", url);
	encounter = resource_at(bundle, 2);
	assert_str(encounter, "status", "in-progress");
	g_assert_false(has(json_node_get_object(at(encounter, "period")), "end"));
	g_assert_false(has(encounter, "diagnosis"));
	g_assert_false(has(encounter, "reasonCode"));
	fhir_check(bundle, TRUE, NULL);
}

static void
test_vietnamese(void)
{
	g_autofree gchar *text = NULL;
	g_autoptr(JsonNode) bundle = export_parsed(visit_full_id, &text);

	/* UTF-8 as is, not \u escapes; quotes escaped; the names come back byte for byte */
	g_assert_nonnull(strstr(text, "\"text\":\"Nguyễn Thị Đào\""));
	g_assert_nonnull(strstr(text, "\"display\":\"Ê Đê\""));
	g_assert_nonnull(strstr(text, "Buôn Ko Siêr, xã Tân Hòa \\\"A\\\""));
	g_assert_null(strstr(text, "\\u"));
	g_assert_true(g_utf8_validate(text, -1, NULL));
	assert_str(resource_at(bundle, 3), "reasonCode/0/text", "Đau đầu, chóng mặt");
	assert_str(resource_at(bundle, 1), "contact/0/name/family", "Y");
	assert_str(resource_at(bundle, 1), "contact/0/name/given/1", "Niê");
}

static void
test_deterministic(void)
{
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	g_autoptr(JsonNode) a = export_parsed(visit_full_id, &first);
	g_autoptr(JsonNode) b = export_parsed(visit_full_id, &second);
	g_autofree gchar *uuid = NULL;
	g_autofree gchar *expected = NULL;

	g_assert_cmpstr(first, ==, second);
	g_assert_true(json_node_equal(a, b));
	/* the RFC 4122 name-based UUID of "python.org" in the DNS namespace */
	uuid = nhip_export_fhir_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org");
	g_assert_cmpstr(uuid, ==, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	expected = nhip_export_fhir_full_url("66181/Encounter/1");
	g_assert_true(g_str_has_prefix(expected, "urn:uuid:"));
	g_assert_cmpuint(expected[9 + 14], ==, '5');
}

static void
test_decimals(void)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *pretty = NULL;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "a");
	json_builder_add_double_value(builder, 37.0);
	json_builder_set_member_name(builder, "b");
	json_builder_add_double_value(builder, 52.4);
	json_builder_set_member_name(builder, "c");
	json_builder_add_int_value(builder, 142);
	json_builder_set_member_name(builder, "d");
	json_builder_add_string_value(builder, "x\"\\\n\t\001y");
	json_builder_set_member_name(builder, "e");
	json_builder_begin_array(builder);
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "f");
	json_builder_add_boolean_value(builder, FALSE);
	json_builder_set_member_name(builder, "g");
	json_builder_add_null_value(builder);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	text = nhip_export_fhir_to_string(root, FALSE);
	g_assert_cmpstr(text, ==,
			"{\"a\":37.0,\"b\":52.4,\"c\":142,\"d\":\"x\\\"\\\\\\n\\t\\u0001y\","
			"\"e\":[],\"f\":false,\"g\":null}");
	pretty = nhip_export_fhir_to_string(root, TRUE);
	g_assert_true(g_str_has_prefix(pretty, "{\n  \"a\": 37.0,\n  \"b\": 52.4,"));
	g_assert_true(g_str_has_suffix(pretty, "\n  \"g\": null\n}"));
}

static void
test_split_name(void)
{
	static const struct {
		const gchar *full, *family, *given;
	} cases[] = {
		{ "Nguyễn Thị Đào", "Nguyễn", "Thị|Đào" },
		{ "  Lò   Văn  Mạnh ", "Lò", "Văn|Mạnh" },
		{ "Ksor", "Ksor", NULL },
		{ "Tôn Nữ Thị Ngọc Hân", "Tôn", "Nữ|Thị|Ngọc|Hân" },
		{ "", NULL, NULL },
		{ NULL, NULL, NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *family = NULL;
		g_auto(GStrv) given = NULL;
		g_autofree gchar *joined = NULL;

		nhip_export_fhir_split_name(cases[i].full, &family, &given);
		g_assert_cmpstr(family, ==, cases[i].family);
		joined = given != NULL ? g_strjoinv("|", given) : NULL;
		g_assert_cmpstr(joined, ==, cases[i].given);
	}
}

/* what the case-packet work does: add its own entries that refer to ours */
static void
test_extensible(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = nhip_store_open(db, &error);
	g_autoptr(GDateTime) now = g_date_time_new_from_unix_local(T_ALL + 600);
	NhipExportFhirOptions options = { .timestamp = now };
	g_autoptr(JsonNode) bundle = NULL;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *url = nhip_export_fhir_full_url("66181/Communication/question/1");
	g_autofree gchar *when = local_time(T_ALL + 600);
	const gchar *patient_url;
	const gchar *encounter_url;
	guint n;

	g_assert_no_error(error);
	bundle = nhip_export_fhir_visit(store, visit_full_id, &options, &error);
	g_assert_no_error(error);
	assert_str(json_node_get_object(bundle), "timestamp", when);
	n = json_array_get_length(entries_of(bundle));
	patient_url = nhip_export_fhir_find_full_url(bundle, "Patient");
	encounter_url = nhip_export_fhir_find_full_url(bundle, "Encounter");
	g_assert_cmpstr(patient_url, ==, full_url_at(bundle, 1));
	g_assert_cmpstr(encounter_url, ==, full_url_at(bundle, 3));
	g_assert_null(nhip_export_fhir_find_full_url(bundle, "Communication"));

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "resourceType");
	json_builder_add_string_value(builder, "Communication");
	json_builder_set_member_name(builder, "status");
	json_builder_add_string_value(builder, "in-progress");
	json_builder_set_member_name(builder, "priority");
	json_builder_add_string_value(builder, "urgent");
	json_builder_set_member_name(builder, "subject");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "reference");
	json_builder_add_string_value(builder, patient_url);
	json_builder_end_object(builder);
	json_builder_set_member_name(builder, "encounter");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "reference");
	json_builder_add_string_value(builder, encounter_url);
	json_builder_end_object(builder);
	json_builder_set_member_name(builder, "payload");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "contentString");
	json_builder_add_string_value(builder, "Xin bác sĩ cho ý kiến về huyết áp.");
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	nhip_export_fhir_add_entry(bundle, url, json_builder_get_root(builder), "POST",
				   "Communication", NULL);
	g_assert_cmpuint(json_array_get_length(entries_of(bundle)), ==, n + 1);
	g_assert_cmpstr(nhip_export_fhir_find_full_url(bundle, "Communication"), ==, url);
	assert_str(request_at(bundle, n), "method", "POST");
	fhir_check(bundle, TRUE, NULL);
}

/* the checker has teeth: it rejects what the schema or the profiles forbid */
static void
test_checker_rejects(void)
{
	struct {
		guint entry;
		const gchar *member;
		const gchar *problem;
	} cases[] = {
		/* a member FHIR does not know */
		{ 1, "nickname", "Additional properties are not allowed" },
		/* the heart rate without its vital-signs category */
		{ 6, "category", "category vital-signs is missing" },
		/* a temperature in a unit the profile does not allow */
		{ 8, "valueQuantity", "UCUM code 'degC'" },
		/* blood pressure without its components */
		{ 5, "component", "the systolic component (8480-6) is missing" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(JsonNode) bundle = export_parsed(visit_full_id, NULL);
		JsonObject *resource = resource_at(bundle, cases[i].entry);

		if (g_strcmp0(cases[i].member, "nickname") == 0)
			json_object_set_string_member(resource, "nickname", "Đào");
		else if (g_strcmp0(cases[i].member, "valueQuantity") == 0)
			json_object_set_string_member(
				json_object_get_object_member(resource, "valueQuantity"), "code",
				"degC");
		else
			json_object_remove_member(resource, cases[i].member);
		if (!fhir_check(bundle, FALSE, cases[i].problem))
			return;
	}
	{
		/* a reference to nothing in the Bundle */
		g_autoptr(JsonNode) bundle = export_parsed(visit_full_id, NULL);
		g_autofree gchar *nowhere = nhip_export_fhir_full_url("nowhere");
		json_object_set_string_member(
			json_object_get_object_member(resource_at(bundle, 5), "subject"),
			"reference", nowhere);
		fhir_check(bundle, FALSE, "points at no entry");
	}
}

static void
test_invalid_records(void)
{
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm");
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(NhipVisit) visit = nhip_visit_new();
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) bundle = NULL;
	NhipObservation *o;

	patient->id = 3;
	patient->full_name = g_strdup("Hà Văn Tú");
	patient->birth = g_strdup("27/03/1985");
	visit->id = 4;
	visit->patient_id = 3;
	visit->opened_at = T_ALL;
	g_assert_null(nhip_export_fhir_build(facility, patient, visit, NULL, NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "27/03/1985"));
	g_clear_error(&error);

	g_free(patient->birth);
	patient->birth = g_strdup("1985-13");
	g_assert_null(nhip_export_fhir_build(facility, patient, visit, NULL, NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
	g_clear_error(&error);

	g_free(patient->birth);
	patient->birth = g_strdup("1985-03");
	o = nhip_observation_new(NHIP_VITAL_PULSE, NAN, NAN);
	o->id = 9;
	o->measured_at = T_ALL;
	g_ptr_array_add(obs, o);
	g_assert_null(nhip_export_fhir_build(facility, patient, visit, obs, NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "8867-4"));
	g_clear_error(&error);

	o->value = 80;
	o->measured_at = 0;
	g_assert_null(nhip_export_fhir_build(facility, patient, visit, obs, NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
	g_clear_error(&error);

	o->kind = NHIP_VITAL_UNKNOWN;
	o->measured_at = T_ALL;
	g_assert_null(nhip_export_fhir_build(facility, patient, visit, obs, NULL, &error));
	g_assert_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID);
	g_clear_error(&error);

	/* a month of birth alone is a FHIR date, and the rest is fine */
	o->kind = NHIP_VITAL_PULSE;
	bundle = nhip_export_fhir_build(facility, patient, visit, obs, NULL, &error);
	g_assert_no_error(error);
	assert_str(resource_at(bundle, 1), "birthDate", "1985-03");
	fhir_check(bundle, TRUE, NULL);
}

static void
test_cli(void)
{
	g_autofree gchar *visit = id_text(visit_full_id);
	g_autofree gchar *out_path = g_build_filename(dir, "bundle.json", NULL);
	g_autofree gchar *contents = NULL;
	g_autofree gchar *expected = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) bundle = export_parsed(visit_full_id, &expected);
	g_auto(NhipTestRun) compact = { 0 };
	g_auto(NhipTestRun) pretty = { 0 };
	g_auto(NhipTestRun) to_file = { 0 };
	g_auto(NhipTestRun) unknown = { 0 };
	g_auto(NhipTestRun) bad_id = { 0 };
	g_auto(NhipTestRun) usage = { 0 };
	g_auto(NhipTestRun) bad_out = { 0 };
	g_autofree gchar *no_db = g_build_filename(dir, "absent.db", NULL);
	g_auto(NhipTestRun) missing_db = { 0 };

	/* the same Bundle as the library builds */
	g_assert_cmpuint(json_array_get_length(entries_of(bundle)), ==, 15);
	compact = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "fhir", visit, NULL);
	g_assert_cmpint(compact.status, ==, 0);
	g_assert_cmpstr(compact.err, ==, "");
	g_assert_true(g_str_has_suffix(compact.out, "\n"));
	compact.out[strlen(compact.out) - 1] = '\0';
	g_assert_cmpstr(compact.out, ==, expected);

	pretty = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "fhir", visit, "--pretty", NULL);
	g_assert_cmpint(pretty.status, ==, 0);
	g_assert_true(g_str_has_prefix(pretty.out, "{\n  \"resourceType\": \"Bundle\",\n"));
	g_assert_nonnull(strstr(pretty.out, "\"value\": 37.0"));
	g_assert_nonnull(strstr(pretty.out, "\"value\": 52.4"));
	nhip_test_fhir_check(dir, pretty.out, TRUE, NULL);

	to_file = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "fhir", visit, "--out",
				out_path, NULL);
	g_assert_cmpint(to_file.status, ==, 0);
	g_assert_cmpstr(to_file.out, ==, "");
	g_assert_true(g_file_get_contents(out_path, &contents, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(contents, expected));

	unknown = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "fhir", "999999", NULL);
	nhip_test_assert_one_line_error(&unknown, 4);
	g_assert_nonnull(strstr(unknown.err, "999999"));
	g_assert_cmpstr(unknown.out, ==, "");

	bad_id = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "fhir", "abc", NULL);
	nhip_test_assert_one_line_error(&bad_id, 3);

	usage = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "fhir", NULL);
	nhip_test_assert_one_line_error(&usage, 2);

	bad_out = nhip_test_run(NHIPCTL_PATH, "--db", db, "export", "fhir", visit, "--out",
				"/nonexistent-folder/b.json", NULL);
	nhip_test_assert_one_line_error(&bad_out, 5);

	missing_db = nhip_test_run(NHIPCTL_PATH, "--db", no_db, "export", "fhir", visit, NULL);
	nhip_test_assert_one_line_error(&missing_db, 5);
	g_assert_false(g_file_test(no_db, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
	gint rc;

	g_test_init(&argc, &argv, NULL);
	dir = nhip_test_tmpdir();
	db = g_build_filename(dir, "station.db", NULL);
	fixture_create();

	g_test_add_func("/export/fhir/bundle", test_bundle);
	g_test_add_func("/export/fhir/minimal", test_minimal);
	g_test_add_func("/export/fhir/vietnamese", test_vietnamese);
	g_test_add_func("/export/fhir/deterministic", test_deterministic);
	g_test_add_func("/export/fhir/decimals", test_decimals);
	g_test_add_func("/export/fhir/split-name", test_split_name);
	g_test_add_func("/export/fhir/extensible", test_extensible);
	g_test_add_func("/export/fhir/checker-rejects", test_checker_rejects);
	g_test_add_func("/export/fhir/invalid-records", test_invalid_records);
	g_test_add_func("/export/fhir/nhipctl", test_cli);
	rc = g_test_run();
	nhip_test_rmrf(dir);
	g_free(dir);
	g_free(db);
	return rc;
}
