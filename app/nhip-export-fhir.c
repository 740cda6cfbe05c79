/*
 * Nhịp — a FHIR R4 transaction Bundle built from the station's records for one visit.
 *
 * Entries, in this order: Organization (the facility, PUT by MA_CSKCB), Patient (PUT by
 * the best identifier: CCCD, else BHYT card, else the station's patient id), Coverage for
 * a BHYT card (PUT by card number), Encounter (PUT by MA_LK), one Device per device that
 * measured (PUT by its identity), one Observation per reading (POST if none exists with the
 * station's observation id) and one Condition per ICD-10 code (POST likewise).
 *
 * Observations follow the R4 vital-signs profiles (category vital-signs, the profile's
 * LOINC code, UCUM units, subject, effectiveDateTime, value or components; meta.profile
 * names the profile). Blood pressure is the 85354-9 panel with 8480-6 and 8462-4
 * components; SpO2 carries the profile's 2708-6 and the pulse-oximetry code 59408-5;
 * blood glucose has no vital-signs profile and goes as a laboratory observation (15074-8,
 * mmol/L).
 *
 * Decimals keep the precision worth reporting: a value with no decimals is a JSON integer,
 * a temperature of 37.0 stays "37.0". The JSON is written by our own serialiser for that
 * reason (json-glib prints doubles with 17 significant digits).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "nhip-codes.h"
#include "nhip-export-fhir.h"
#include "nhip-json.h"

#define FHIR_SD		    "http://hl7.org/fhir/StructureDefinition/"
#define FHIR_OBS_CATEGORY   "http://terminology.hl7.org/CodeSystem/observation-category"
#define FHIR_INTERPRETATION "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#define FHIR_ACT_CODE	    "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define FHIR_ID_TYPE	    "http://terminology.hl7.org/CodeSystem/v2-0203"
#define FHIR_ORG_TYPE	    "http://terminology.hl7.org/CodeSystem/organization-type"
#define FHIR_CONDITION_CAT  "http://terminology.hl7.org/CodeSystem/condition-category"
#define FHIR_CONDITION_CLIN "http://terminology.hl7.org/CodeSystem/condition-clinical"
#define FHIR_CONDITION_VER  "http://terminology.hl7.org/CodeSystem/condition-ver-status"
#define FHIR_SUBSCRIBER_REL "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
#define FHIR_CONTACT_REL    "http://terminology.hl7.org/CodeSystem/v2-0131"
#define FHIR_INSURANCE_FUND "Bảo hiểm xã hội Việt Nam"
#define FHIR_URN_UUID	    "urn:uuid:"

/* how each vital sign goes into FHIR: its R4 profile (NULL for none), category, the codes
 * of the observation (LOINC long common names) and the human-readable unit */
typedef struct {
	NhipVitalKind kind;
	const gchar *profile;
	const gchar *category;
	const gchar *category_display;
	const gchar *codes[2];
	const gchar *displays[2];
	const gchar *unit_text;
} FhirVital;

static const FhirVital fhir_vitals[] = {
	{ NHIP_VITAL_BLOOD_PRESSURE,
	  FHIR_SD "bp",
	  "vital-signs",
	  "Vital Signs",
	  { "85354-9", NULL },
	  { "Blood pressure panel with all children optional", NULL },
	  "mmHg" },
	{ NHIP_VITAL_PULSE,
	  FHIR_SD "heartrate",
	  "vital-signs",
	  "Vital Signs",
	  { "8867-4", NULL },
	  { "Heart rate", NULL },
	  "beats/minute" },
	{ NHIP_VITAL_SPO2,
	  FHIR_SD "oxygensat",
	  "vital-signs",
	  "Vital Signs",
	  { "2708-6", "59408-5" },
	  { "Oxygen saturation in Arterial blood",
	    "Oxygen saturation in Arterial blood by Pulse oximetry" },
	  "%" },
	{ NHIP_VITAL_TEMPERATURE,
	  FHIR_SD "bodytemp",
	  "vital-signs",
	  "Vital Signs",
	  { "8310-5", NULL },
	  { "Body temperature", NULL },
	  "°C" },
	{ NHIP_VITAL_WEIGHT,
	  FHIR_SD "bodyweight",
	  "vital-signs",
	  "Vital Signs",
	  { "29463-7", NULL },
	  { "Body weight", NULL },
	  "kg" },
	{ NHIP_VITAL_HEIGHT,
	  FHIR_SD "bodyheight",
	  "vital-signs",
	  "Vital Signs",
	  { "8302-2", NULL },
	  { "Body height", NULL },
	  "cm" },
	{ NHIP_VITAL_RESP_RATE,
	  FHIR_SD "resprate",
	  "vital-signs",
	  "Vital Signs",
	  { "9279-1", NULL },
	  { "Respiratory rate", NULL },
	  "breaths/minute" },
	{ NHIP_VITAL_GLUCOSE,
	  NULL,
	  "laboratory",
	  "Laboratory",
	  { "15074-8", NULL },
	  { "Glucose [Moles/volume] in Blood", NULL },
	  "mmol/L" },
};

/* the components of the blood-pressure panel */
static const gchar *const fhir_bp_component_displays[2] = {
	"Systolic blood pressure",
	"Diastolic blood pressure",
};

static const FhirVital *
fhir_vital(NhipVitalKind kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(fhir_vitals); i++) {
		if (fhir_vitals[i].kind == kind)
			return &fhir_vitals[i];
	}
	return NULL;
}

/* ----- identifiers ----- */

static gboolean
fhir_parse_uuid(const gchar *text, guint8 bytes[16])
{
	guint n = 0;

	if (text == NULL || !g_uuid_string_is_valid(text))
		return FALSE;
	for (const gchar *p = text; *p != '\0' && n < 16; p++) {
		if (*p == '-')
			continue;
		bytes[n++] =
			(guint8)((g_ascii_xdigit_value(p[0]) << 4) | g_ascii_xdigit_value(p[1]));
		p++;
	}
	return n == 16;
}

/**
 * nhip_export_fhir_uuid5:
 * @namespace_uuid: a UUID in its 36-character form
 * @name: the name, UTF-8
 *
 * Makes the name-based UUID of RFC 4122 (version 5, SHA-1): the same namespace and name
 * always give the same UUID.
 *
 * Returns: (transfer full): the UUID in lower-case 36-character form
 */
gchar *
nhip_export_fhir_uuid5(const gchar *namespace_uuid, const gchar *name)
{
	g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
	guint8 ns[16] = { 0 };
	guint8 digest[20] = { 0 };
	gsize length = sizeof(digest);

	g_return_val_if_fail(name != NULL, NULL);
	g_return_val_if_fail(fhir_parse_uuid(namespace_uuid, ns), NULL);

	g_checksum_update(sha1, ns, sizeof(ns));
	g_checksum_update(sha1, (const guchar *)name, (gssize)strlen(name));
	g_checksum_get_digest(sha1, digest, &length);
	digest[6] = (guint8)((digest[6] & 0x0f) | 0x50);
	digest[8] = (guint8)((digest[8] & 0x3f) | 0x80);
	return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x",
			       digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
			       digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
			       digest[12], digest[13], digest[14], digest[15]);
}

/**
 * nhip_export_fhir_full_url:
 * @name: a stable name of the resource, e.g. `66181/Patient/12`
 *
 * Returns: (transfer full): `urn:uuid:` and the version-5 UUID of @name in
 *   %NHIP_EXPORT_FHIR_UUID_NAMESPACE
 */
gchar *
nhip_export_fhir_full_url(const gchar *name)
{
	g_autofree gchar *uuid = nhip_export_fhir_uuid5(NHIP_EXPORT_FHIR_UUID_NAMESPACE, name);
	return g_strconcat(FHIR_URN_UUID, uuid, NULL);
}

static gchar *fhir_full_url(const gchar *format, ...) G_GNUC_PRINTF(1, 2);

static gchar *
fhir_full_url(const gchar *format, ...)
{
	g_autofree gchar *name = NULL;
	va_list args;

	va_start(args, format);
	name = g_strdup_vprintf(format, args);
	va_end(args);
	return nhip_export_fhir_full_url(name);
}

/* the identifier system of the station's own record ids of @kind */
static gchar *
fhir_station_system(const NhipFacility *facility, const gchar *kind)
{
	g_autofree gchar *code = g_uri_escape_string(facility->code, NULL, FALSE);
	return g_strdup_printf("%s%s/%s", NHIP_EXPORT_FHIR_SID_STATION, code, kind);
}

/* `Patient?identifier=system|value`, the value escaped for a query */
static gchar *
fhir_search_url(const gchar *resource_type, const gchar *system, const gchar *value)
{
	g_autofree gchar *escaped = g_uri_escape_string(value, NULL, FALSE);
	return g_strdup_printf("%s?identifier=%s|%s", resource_type, system, escaped);
}

static gchar *
fhir_if_none_exist(const gchar *system, const gchar *value)
{
	g_autofree gchar *escaped = g_uri_escape_string(value, NULL, FALSE);
	return g_strdup_printf("identifier=%s|%s", system, escaped);
}

/**
 * nhip_export_fhir_split_name:
 * @full_name: (nullable): a Vietnamese full name, family name first
 * @family: (out) (transfer full) (nullable): the first word
 * @given: (out) (transfer full) (nullable): the other words in order
 *
 * Splits a name the Vietnamese way: "Nguyễn Thị Đào" has the family name "Nguyễn" and the
 * given names "Thị", "Đào" (FHIR's given holds middle names too). A one-word name is taken
 * as the family name.
 */
void
nhip_export_fhir_split_name(const gchar *full_name, gchar **family, GStrv *given)
{
	g_auto(GStrv) words = NULL;
	g_autoptr(GStrvBuilder) rest = g_strv_builder_new();
	gboolean first = TRUE;
	guint n_rest = 0;

	*family = NULL;
	*given = NULL;
	if (full_name == NULL)
		return;
	words = g_strsplit_set(full_name, " \t\r\n", -1);
	for (guint i = 0; words[i] != NULL; i++) {
		if (words[i][0] == '\0')
			continue;
		if (first) {
			*family = g_strdup(words[i]);
			first = FALSE;
			continue;
		}
		g_strv_builder_add(rest, words[i]);
		n_rest++;
	}
	if (n_rest > 0)
		*given = g_strv_builder_end(rest);
}

/* ----- builder helpers ----- */

/* "name": "value", left out when there is no value */
static void
fhir_string(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	json_builder_set_member_name(builder, name);
	json_builder_add_string_value(builder, value);
}

/* a Coding object, as an array element or a member value */
static void
fhir_coding(JsonBuilder *builder, const gchar *system, const gchar *code, const gchar *display)
{
	json_builder_begin_object(builder);
	fhir_string(builder, "system", system);
	fhir_string(builder, "code", code);
	fhir_string(builder, "display", display);
	json_builder_end_object(builder);
}

/* "member": a CodeableConcept with one coding */
static void
fhir_codeable(JsonBuilder *builder,
	      const gchar *member,
	      const gchar *system,
	      const gchar *code,
	      const gchar *display,
	      const gchar *text)
{
	json_builder_set_member_name(builder, member);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "coding");
	json_builder_begin_array(builder);
	fhir_coding(builder, system, code, display);
	json_builder_end_array(builder);
	fhir_string(builder, "text", text);
	json_builder_end_object(builder);
}

/* "member": [a CodeableConcept with one coding] */
static void
fhir_codeable_list(JsonBuilder *builder,
		   const gchar *member,
		   const gchar *system,
		   const gchar *code,
		   const gchar *display)
{
	json_builder_set_member_name(builder, member);
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "coding");
	json_builder_begin_array(builder);
	fhir_coding(builder, system, code, display);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
}

static void
fhir_reference(JsonBuilder *builder,
	       const gchar *member,
	       const gchar *full_url,
	       const gchar *display)
{
	json_builder_set_member_name(builder, member);
	json_builder_begin_object(builder);
	fhir_string(builder, "reference", full_url);
	fhir_string(builder, "display", display);
	json_builder_end_object(builder);
}

/* an Identifier object inside an array; @type_code from v2-0203 when not %NULL */
static void
fhir_identifier(JsonBuilder *builder,
		const gchar *use,
		const gchar *type_code,
		const gchar *type_display,
		const gchar *system,
		const gchar *value,
		const gchar *assigner)
{
	json_builder_begin_object(builder);
	fhir_string(builder, "use", use);
	if (type_code != NULL)
		fhir_codeable(builder, "type", FHIR_ID_TYPE, type_code, type_display, NULL);
	fhir_string(builder, "system", system);
	fhir_string(builder, "value", value);
	if (assigner != NULL) {
		json_builder_set_member_name(builder, "assigner");
		json_builder_begin_object(builder);
		fhir_string(builder, "display", assigner);
		json_builder_end_object(builder);
	}
	json_builder_end_object(builder);
}

/* "member": [one Identifier] */
static void
fhir_identifier_list(JsonBuilder *builder, const gchar *system, const gchar *value)
{
	json_builder_set_member_name(builder, "identifier");
	json_builder_begin_array(builder);
	fhir_identifier(builder, NULL, NULL, NULL, system, value, NULL);
	json_builder_end_array(builder);
}

/* a decimal with the precision worth reporting: an integer node without decimals, else a
 * double node that the serialiser prints with at least one decimal */
static void
fhir_decimal(JsonBuilder *builder, gdouble value, guint decimals)
{
	gdouble scale = pow(10, decimals);
	gdouble rounded = round(value * scale) / scale;

	if (decimals == 0)
		json_builder_add_int_value(builder, (gint64)rounded);
	else
		json_builder_add_double_value(builder, rounded);
}

static void
fhir_quantity(JsonBuilder *builder,
	      const gchar *member,
	      gdouble value,
	      const NhipVitalInfo *info,
	      const FhirVital *vital)
{
	json_builder_set_member_name(builder, member);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "value");
	fhir_decimal(builder, value, info->decimals);
	fhir_string(builder, "unit", vital->unit_text);
	fhir_string(builder, "system", NHIP_EXPORT_FHIR_UCUM);
	fhir_string(builder, "code", info->unit);
	json_builder_end_object(builder);
}

/* a date-time with the station's offset; 0 stays out */
static void
fhir_time(JsonBuilder *builder, const gchar *member, gint64 unix_time)
{
	g_autofree gchar *text = unix_time > 0 ? nhip_format_time(unix_time) : NULL;
	fhir_string(builder, member, text);
}

/* YYYY, YYYY-MM or YYYY-MM-DD as FHIR's date type allows */
static gboolean
fhir_date_is_valid(const gchar *text)
{
	gsize length = text != NULL ? strlen(text) : 0;

	if (length != 4 && length != 7 && length != 10)
		return FALSE;
	for (gsize i = 0; i < length; i++) {
		gboolean dash = i == 4 || i == 7;
		if (dash ? text[i] != '-' : !g_ascii_isdigit(text[i]))
			return FALSE;
	}
	if (length >= 7) {
		gint month = (text[5] - '0') * 10 + (text[6] - '0');
		if (month < 1 || month > 12)
			return FALSE;
	}
	if (length == 10) {
		gint day = (text[8] - '0') * 10 + (text[9] - '0');
		if (day < 1 || day > 31)
			return FALSE;
	}
	return TRUE;
}

static gboolean
fhir_check_date(const gchar *text, const gchar *what, GError **error)
{
	if (text == NULL || text[0] == '\0' || fhir_date_is_valid(text))
		return TRUE;
	g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
		    _("the %s “%s” is not a date of the form YYYY-MM-DD or YYYY; correct the "
		      "patient's record"),
		    what, text);
	return FALSE;
}

/* the province's name from a GSO code with or without its leading zero */
static const gchar *
fhir_province_name(const gchar *code)
{
	const gchar *name = nhip_codes_province_name(code);

	if (name == NULL && code != NULL && strlen(code) == 2) {
		g_autofree gchar *padded = g_strconcat("0", code, NULL);
		name = nhip_codes_province_name(padded);
	}
	return name;
}

static void
fhir_coding_extension(JsonBuilder *builder,
		      const gchar *url,
		      const gchar *system,
		      const gchar *code,
		      const gchar *display)
{
	if (code == NULL || code[0] == '\0')
		return;
	json_builder_begin_object(builder);
	fhir_string(builder, "url", url);
	json_builder_set_member_name(builder, "valueCoding");
	fhir_coding(builder, system, code, display);
	json_builder_end_object(builder);
}

/* "address": [one Address] with the VN Core administrative-code extensions */
static void
fhir_address(JsonBuilder *builder,
	     const gchar *text,
	     const gchar *province,
	     const gchar *district,
	     const gchar *commune,
	     const gchar *use)
{
	const gchar *province_name = fhir_province_name(province);

	if ((text == NULL || text[0] == '\0') && province == NULL && district == NULL &&
	    commune == NULL)
		return;
	json_builder_set_member_name(builder, "address");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	if (province != NULL || district != NULL || commune != NULL) {
		json_builder_set_member_name(builder, "extension");
		json_builder_begin_array(builder);
		fhir_coding_extension(builder, NHIP_EXPORT_FHIR_EXT_PROVINCE,
				      NHIP_EXPORT_FHIR_CS_PROVINCE, province, province_name);
		fhir_coding_extension(builder, NHIP_EXPORT_FHIR_EXT_DISTRICT,
				      NHIP_EXPORT_FHIR_CS_DISTRICT, district, NULL);
		fhir_coding_extension(builder, NHIP_EXPORT_FHIR_EXT_WARD,
				      NHIP_EXPORT_FHIR_CS_COMMUNE, commune, NULL);
		json_builder_end_array(builder);
	}
	fhir_string(builder, "use", use);
	fhir_string(builder, "type", "physical");
	fhir_string(builder, "text", text);
	fhir_string(builder, "state", province_name);
	fhir_string(builder, "country", "VN");
	json_builder_end_object(builder);
	json_builder_end_array(builder);
}

/* a ContactPoint for a phone number: mobile or home line */
static void
fhir_phone(JsonBuilder *builder, const gchar *phone)
{
	gboolean mobile;

	/* Vietnamese mobile numbers are 10 digits starting 03, 05, 07, 08 or 09 */
	mobile = strlen(phone) == 10 && phone[0] == '0' && strchr("35789", phone[1]) != NULL;
	json_builder_begin_object(builder);
	fhir_string(builder, "system", "phone");
	fhir_string(builder, "value", phone);
	fhir_string(builder, "use", mobile ? "mobile" : "home");
	json_builder_end_object(builder);
}

static void
fhir_telecom(JsonBuilder *builder, const gchar *phone)
{
	if (phone == NULL || phone[0] == '\0')
		return;
	json_builder_set_member_name(builder, "telecom");
	json_builder_begin_array(builder);
	fhir_phone(builder, phone);
	json_builder_end_array(builder);
}

/* "name": HumanName or [HumanName] */
static void
fhir_human_name(JsonBuilder *builder, const gchar *member, const gchar *full_name, gboolean list)
{
	g_autofree gchar *family = NULL;
	g_auto(GStrv) given = NULL;

	nhip_export_fhir_split_name(full_name, &family, &given);
	if (family == NULL)
		return;
	json_builder_set_member_name(builder, member);
	if (list)
		json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	fhir_string(builder, "use", "official");
	fhir_string(builder, "text", full_name);
	fhir_string(builder, "family", family);
	if (given != NULL) {
		json_builder_set_member_name(builder, "given");
		json_builder_begin_array(builder);
		for (guint i = 0; given[i] != NULL; i++)
			json_builder_add_string_value(builder, given[i]);
		json_builder_end_array(builder);
	}
	json_builder_end_object(builder);
	if (list)
		json_builder_end_array(builder);
}

static JsonNode *
fhir_builder_root(JsonBuilder *builder)
{
	return json_builder_get_root(builder);
}

/* ----- the Bundle ----- */

/**
 * nhip_export_fhir_add_entry:
 * @bundle: a Bundle made by nhip_export_fhir_build()
 * @full_url: the entry's fullUrl, usually `urn:uuid:…`
 * @resource: (transfer full): the resource, a JSON object with resourceType
 * @method: the request method: `POST`, `PUT`, …
 * @url: the request URL: the resource type for POST, a conditional URL for PUT
 * @if_none_exist: (nullable): the search that makes a POST conditional
 *
 * Appends an entry to a transaction Bundle: what later parts (a case packet's question,
 * urgency and photos) use to add resources of their own.
 */
void
nhip_export_fhir_add_entry(JsonNode *bundle,
			   const gchar *full_url,
			   JsonNode *resource,
			   const gchar *method,
			   const gchar *url,
			   const gchar *if_none_exist)
{
	JsonObject *root;
	JsonObject *entry;
	JsonObject *request;
	JsonArray *entries;

	g_return_if_fail(bundle != NULL && JSON_NODE_HOLDS_OBJECT(bundle));
	g_return_if_fail(resource != NULL && JSON_NODE_HOLDS_OBJECT(resource));
	g_return_if_fail(full_url != NULL && method != NULL && url != NULL);

	root = json_node_get_object(bundle);
	if (!json_object_has_member(root, "entry"))
		json_object_set_array_member(root, "entry", json_array_new());
	entries = json_object_get_array_member(root, "entry");
	entry = json_object_new();
	json_object_set_string_member(entry, "fullUrl", full_url);
	json_object_set_member(entry, "resource", resource);
	request = json_object_new();
	json_object_set_string_member(request, "method", method);
	json_object_set_string_member(request, "url", url);
	if (if_none_exist != NULL)
		json_object_set_string_member(request, "ifNoneExist", if_none_exist);
	json_object_set_object_member(entry, "request", request);
	json_array_add_object_element(entries, entry);
}

/**
 * nhip_export_fhir_find_full_url:
 * @bundle: a Bundle
 * @resource_type: e.g. `Patient` or `Encounter`
 *
 * Returns: (transfer none) (nullable): the fullUrl of the first entry holding a resource
 *   of that type, for references from resources added later
 */
const gchar *
nhip_export_fhir_find_full_url(JsonNode *bundle, const gchar *resource_type)
{
	JsonObject *root;
	JsonArray *entries;

	g_return_val_if_fail(bundle != NULL && JSON_NODE_HOLDS_OBJECT(bundle), NULL);
	g_return_val_if_fail(resource_type != NULL, NULL);

	root = json_node_get_object(bundle);
	if (!json_object_has_member(root, "entry"))
		return NULL;
	entries = json_object_get_array_member(root, "entry");
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *entry = json_array_get_object_element(entries, i);
		JsonObject *resource = json_object_get_object_member(entry, "resource");
		if (resource != NULL && g_strcmp0(json_object_get_string_member_with_default(
							  resource, "resourceType", NULL),
						  resource_type) == 0)
			return json_object_get_string_member(entry, "fullUrl");
	}
	return NULL;
}

typedef struct {
	JsonNode *bundle;
	const NhipFacility *facility;
	const NhipPatient *patient;
	const NhipVisit *visit;
	gchar *organization_url;
	gchar *patient_url;
	gchar *encounter_url;
	GHashTable *device_urls; /* device id → fullUrl */
} FhirContext;

static void
fhir_context_clear(FhirContext *ctx)
{
	g_free(ctx->organization_url);
	g_free(ctx->patient_url);
	g_free(ctx->encounter_url);
	g_clear_pointer(&ctx->device_urls, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(FhirContext, fhir_context_clear)

static void
fhir_add_organization(FhirContext *ctx)
{
	const NhipFacility *facility = ctx->facility;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *url =
		fhir_search_url("Organization", NHIP_EXPORT_FHIR_SID_MA_CSKCB, facility->code);

	json_builder_begin_object(builder);
	fhir_string(builder, "resourceType", "Organization");
	fhir_identifier_list(builder, NHIP_EXPORT_FHIR_SID_MA_CSKCB, facility->code);
	json_builder_set_member_name(builder, "active");
	json_builder_add_boolean_value(builder, TRUE);
	fhir_codeable_list(builder, "type", FHIR_ORG_TYPE, "prov", "Healthcare Provider");
	fhir_string(builder, "name", facility->name);
	fhir_address(builder, facility->address, facility->province_code, facility->district_code,
		     facility->commune_code, "work");
	json_builder_end_object(builder);
	nhip_export_fhir_add_entry(ctx->bundle, ctx->organization_url, fhir_builder_root(builder),
				   "PUT", url, NULL);
}

static gboolean
fhir_add_patient(FhirContext *ctx, GError **error)
{
	const NhipPatient *patient = ctx->patient;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *station_system = fhir_station_system(ctx->facility, "patient");
	g_autofree gchar *station_id = g_strdup_printf("%" PRId64, patient->id);
	g_autofree gchar *url = NULL;
	const gchar *id_system = NULL;
	gboolean has_cccd = patient->cccd != NULL && patient->cccd[0] != '\0';
	gboolean has_bhyt = patient->bhyt != NULL && patient->bhyt[0] != '\0';
	const gchar *gender;

	if (!fhir_check_date(patient->birth, _("date of birth"), error))
		return FALSE;
	if (has_cccd)
		id_system = strlen(patient->cccd) == 9 ? NHIP_EXPORT_FHIR_SID_CMND
						       : NHIP_EXPORT_FHIR_SID_CCCD;
	switch (patient->sex) {
	case NHIP_SEX_MALE:
		gender = "male";
		break;
	case NHIP_SEX_FEMALE:
		gender = "female";
		break;
	case NHIP_SEX_UNKNOWN:
	default:
		gender = "unknown";
		break;
	}

	json_builder_begin_object(builder);
	fhir_string(builder, "resourceType", "Patient");
	if (patient->ethnicity != NULL && patient->ethnicity[0] != '\0') {
		const gchar *name = nhip_codes_ethnicity_name(patient->ethnicity);
		json_builder_set_member_name(builder, "extension");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		fhir_string(builder, "url", NHIP_EXPORT_FHIR_EXT_ETHNICITY);
		fhir_codeable(builder, "valueCodeableConcept", NHIP_EXPORT_FHIR_CS_ETHNICITY,
			      patient->ethnicity, name, name);
		json_builder_end_object(builder);
		json_builder_end_array(builder);
	}
	json_builder_set_member_name(builder, "identifier");
	json_builder_begin_array(builder);
	if (has_cccd)
		fhir_identifier(builder, "official", "NI", "National unique individual identifier",
				id_system, patient->cccd, "Bộ Công an");
	if (has_bhyt)
		fhir_identifier(builder, "secondary", "HC", "Health Card Number",
				NHIP_EXPORT_FHIR_SID_BHYT, patient->bhyt, FHIR_INSURANCE_FUND);
	fhir_identifier(builder, "usual", "MR", "Medical record number", station_system, station_id,
			ctx->facility->name);
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "active");
	json_builder_add_boolean_value(builder, TRUE);
	fhir_human_name(builder, "name", patient->full_name, TRUE);
	fhir_telecom(builder, patient->phone);
	fhir_string(builder, "gender", gender);
	fhir_string(builder, "birthDate", patient->birth);
	fhir_address(builder, patient->address, patient->province_code, patient->district_code,
		     patient->commune_code, "home");
	if (patient->guardian_name != NULL && patient->guardian_name[0] != '\0') {
		json_builder_set_member_name(builder, "contact");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "relationship");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "coding");
		json_builder_begin_array(builder);
		fhir_coding(builder, FHIR_CONTACT_REL, "N", "Next-of-Kin");
		json_builder_end_array(builder);
		fhir_string(builder, "text", patient->guardian_relation);
		json_builder_end_object(builder);
		json_builder_end_array(builder);
		fhir_human_name(builder, "name", patient->guardian_name, FALSE);
		fhir_telecom(builder, patient->guardian_phone);
		json_builder_end_object(builder);
		json_builder_end_array(builder);
	}
	fhir_reference(builder, "managingOrganization", ctx->organization_url, ctx->facility->name);
	json_builder_end_object(builder);

	/* update the patient the receiver knows by the strongest identifier */
	if (has_cccd)
		url = fhir_search_url("Patient", id_system, patient->cccd);
	else if (has_bhyt)
		url = fhir_search_url("Patient", NHIP_EXPORT_FHIR_SID_BHYT, patient->bhyt);
	else
		url = fhir_search_url("Patient", station_system, station_id);
	nhip_export_fhir_add_entry(ctx->bundle, ctx->patient_url, fhir_builder_root(builder), "PUT",
				   url, NULL);
	return TRUE;
}

static gboolean
fhir_add_coverage(FhirContext *ctx, GError **error)
{
	const NhipPatient *patient = ctx->patient;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *full_url = NULL;
	g_autofree gchar *url = NULL;

	if (patient->bhyt == NULL || patient->bhyt[0] == '\0')
		return TRUE;
	if (!fhir_check_date(patient->bhyt_valid_from, _("card's first day of validity"), error) ||
	    !fhir_check_date(patient->bhyt_valid_to, _("card's last day of validity"), error))
		return FALSE;
	builder = json_builder_new();
	full_url = fhir_full_url("Coverage/%s", patient->bhyt);
	url = fhir_search_url("Coverage", NHIP_EXPORT_FHIR_SID_BHYT, patient->bhyt);

	json_builder_begin_object(builder);
	fhir_string(builder, "resourceType", "Coverage");
	if (patient->bhyt_facility != NULL && patient->bhyt_facility[0] != '\0') {
		json_builder_set_member_name(builder, "extension");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		fhir_string(builder, "url", NHIP_EXPORT_FHIR_EXT_BHYT_FACILITY);
		json_builder_set_member_name(builder, "valueIdentifier");
		json_builder_begin_object(builder);
		fhir_string(builder, "system", NHIP_EXPORT_FHIR_SID_MA_CSKCB);
		fhir_string(builder, "value", patient->bhyt_facility);
		json_builder_end_object(builder);
		json_builder_end_object(builder);
		json_builder_end_array(builder);
	}
	fhir_identifier_list(builder, NHIP_EXPORT_FHIR_SID_BHYT, patient->bhyt);
	fhir_string(builder, "status", "active");
	fhir_codeable(builder, "type", FHIR_ACT_CODE, "PUBLICPOL", "public healthcare", "BHYT");
	fhir_reference(builder, "beneficiary", ctx->patient_url, NULL);
	fhir_codeable(builder, "relationship", FHIR_SUBSCRIBER_REL, "self", "Self", NULL);
	if (patient->bhyt_valid_from != NULL || patient->bhyt_valid_to != NULL) {
		json_builder_set_member_name(builder, "period");
		json_builder_begin_object(builder);
		fhir_string(builder, "start", patient->bhyt_valid_from);
		fhir_string(builder, "end", patient->bhyt_valid_to);
		json_builder_end_object(builder);
	}
	json_builder_set_member_name(builder, "payor");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	fhir_string(builder, "type", "Organization");
	fhir_string(builder, "display", FHIR_INSURANCE_FUND);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	nhip_export_fhir_add_entry(ctx->bundle, full_url, fhir_builder_root(builder), "PUT", url,
				   NULL);
	return TRUE;
}

/* the fullUrl of the Condition for an ICD-10 code of the visit */
static gchar *
fhir_condition_url(FhirContext *ctx, const gchar *icd)
{
	return fhir_full_url("%s/Condition/%" PRId64 "/%s", ctx->facility->code, ctx->visit->id,
			     icd);
}

static void
fhir_add_encounter(FhirContext *ctx)
{
	const NhipVisit *visit = ctx->visit;
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *station_system = fhir_station_system(ctx->facility, "encounter");
	g_autofree gchar *station_id = g_strdup_printf("%" PRId64, visit->id);
	g_autofree gchar *url = NULL;
	gboolean has_ma_lk = visit->ma_lk != NULL && visit->ma_lk[0] != '\0';
	gboolean closed = visit->status == NHIP_VISIT_STATUS_CLOSED;

	json_builder_begin_object(builder);
	fhir_string(builder, "resourceType", "Encounter");
	json_builder_set_member_name(builder, "identifier");
	json_builder_begin_array(builder);
	if (has_ma_lk)
		fhir_identifier(builder, "official", NULL, NULL, NHIP_EXPORT_FHIR_SID_MA_LK,
				visit->ma_lk, NULL);
	fhir_identifier(builder, "usual", NULL, NULL, station_system, station_id, NULL);
	json_builder_end_array(builder);
	fhir_string(builder, "status", closed ? "finished" : "in-progress");
	json_builder_set_member_name(builder, "class");
	fhir_coding(builder, FHIR_ACT_CODE, "AMB", "ambulatory");
	fhir_reference(builder, "subject", ctx->patient_url, NULL);
	json_builder_set_member_name(builder, "period");
	json_builder_begin_object(builder);
	fhir_time(builder, "start", visit->opened_at);
	if (closed)
		fhir_time(builder, "end", visit->closed_at);
	json_builder_end_object(builder);
	if (visit->reason != NULL && visit->reason[0] != '\0') {
		json_builder_set_member_name(builder, "reasonCode");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		fhir_string(builder, "text", visit->reason);
		json_builder_end_object(builder);
		json_builder_end_array(builder);
	}
	if (visit->icd_codes != NULL && visit->icd_codes[0] != NULL) {
		json_builder_set_member_name(builder, "diagnosis");
		json_builder_begin_array(builder);
		for (guint i = 0; visit->icd_codes[i] != NULL; i++) {
			g_autofree gchar *condition_url =
				fhir_condition_url(ctx, visit->icd_codes[i]);
			json_builder_begin_object(builder);
			fhir_reference(builder, "condition", condition_url, NULL);
			/* the main diagnosis comes first */
			json_builder_set_member_name(builder, "rank");
			json_builder_add_int_value(builder, i + 1);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
	}
	fhir_reference(builder, "serviceProvider", ctx->organization_url, ctx->facility->name);
	json_builder_end_object(builder);

	url = has_ma_lk ? fhir_search_url("Encounter", NHIP_EXPORT_FHIR_SID_MA_LK, visit->ma_lk)
			: fhir_search_url("Encounter", station_system, station_id);
	nhip_export_fhir_add_entry(ctx->bundle, ctx->encounter_url, fhir_builder_root(builder),
				   "PUT", url, NULL);
}

/* one Device per device that measured, the serial number after the driver's name */
static const gchar *
fhir_device_url(FhirContext *ctx, const NhipObservation *obs)
{
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *full_url = NULL;
	g_autofree gchar *url = NULL;
	const gchar *known;
	const gchar *serial;

	if (obs->device_id == NULL || obs->device_id[0] == '\0')
		return NULL;
	known = g_hash_table_lookup(ctx->device_urls, obs->device_id);
	if (known != NULL)
		return known;
	full_url = fhir_full_url("Device/%s", obs->device_id);
	url = fhir_search_url("Device", NHIP_EXPORT_FHIR_SID_DEVICE, obs->device_id);
	serial = strchr(obs->device_id, ':');
	builder = json_builder_new();
	json_builder_begin_object(builder);
	fhir_string(builder, "resourceType", "Device");
	fhir_identifier_list(builder, NHIP_EXPORT_FHIR_SID_DEVICE, obs->device_id);
	fhir_string(builder, "status", "active");
	if (serial != NULL)
		fhir_string(builder, "serialNumber", serial + 1);
	if (obs->device_model != NULL && obs->device_model[0] != '\0') {
		json_builder_set_member_name(builder, "deviceName");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		fhir_string(builder, "name", obs->device_model);
		fhir_string(builder, "type", "model-name");
		json_builder_end_object(builder);
		json_builder_end_array(builder);
		fhir_string(builder, "modelNumber", obs->device_model);
	}
	fhir_reference(builder, "owner", ctx->organization_url, ctx->facility->name);
	json_builder_end_object(builder);
	nhip_export_fhir_add_entry(ctx->bundle, full_url, fhir_builder_root(builder), "PUT", url,
				   NULL);
	g_hash_table_insert(ctx->device_urls, g_strdup(obs->device_id), g_strdup(full_url));
	return g_hash_table_lookup(ctx->device_urls, obs->device_id);
}

/* interpretation and reference range from the adult ranges of the vital table */
static void
fhir_interpretation(JsonBuilder *builder,
		    gdouble value,
		    gdouble low,
		    gdouble high,
		    const NhipVitalInfo *info,
		    const FhirVital *vital)
{
	gdouble scale = pow(10, info->decimals);
	gdouble reported = round(value * scale) / scale;
	const gchar *code;
	const gchar *display;

	if (!isfinite(low) || !isfinite(high))
		return;
	if (reported < low) {
		code = "L";
		display = "Low";
	} else if (reported > high) {
		code = "H";
		display = "High";
	} else {
		code = "N";
		display = "Normal";
	}
	fhir_codeable_list(builder, "interpretation", FHIR_INTERPRETATION, code, display);
	json_builder_set_member_name(builder, "referenceRange");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	fhir_quantity(builder, "low", low, info, vital);
	fhir_quantity(builder, "high", high, info, vital);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
}

static void
fhir_observation_code(JsonBuilder *builder, const FhirVital *vital, const NhipVitalInfo *info)
{
	json_builder_set_member_name(builder, "code");
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "coding");
	json_builder_begin_array(builder);
	for (guint i = 0; i < G_N_ELEMENTS(vital->codes) && vital->codes[i] != NULL; i++)
		fhir_coding(builder, NHIP_EXPORT_FHIR_LOINC, vital->codes[i], vital->displays[i]);
	json_builder_end_array(builder);
	fhir_string(builder, "text", info->display);
	json_builder_end_object(builder);
}

static gboolean
fhir_add_observation(FhirContext *ctx, const NhipObservation *obs, GError **error)
{
	const NhipVitalInfo *info = nhip_vital_info(obs->kind);
	const FhirVital *vital = fhir_vital(obs->kind);
	g_autoptr(JsonBuilder) builder = NULL;
	g_autofree gchar *full_url = NULL;
	g_autofree gchar *station_system = NULL;
	g_autofree gchar *station_id = NULL;
	g_autofree gchar *if_none_exist = NULL;
	const gchar *device_url;
	gint64 effective = obs->measured_at > 0 ? obs->measured_at : obs->received_at;

	if (info == NULL || vital == NULL) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("observation %" PRId64 " is of an unknown kind %d"), obs->id,
			    (gint)obs->kind);
		return FALSE;
	}
	if (!isfinite(obs->value) || (info->n_values == 2 && !isfinite(obs->value2))) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("observation %" PRId64 " has no value for %s"), obs->id, info->loinc);
		return FALSE;
	}
	if (effective <= 0) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("observation %" PRId64 " has no measurement time"), obs->id);
		return FALSE;
	}
	device_url = fhir_device_url(ctx, obs);
	full_url = fhir_full_url("%s/Observation/%" PRId64, ctx->facility->code, obs->id);
	station_system = fhir_station_system(ctx->facility, "observation");
	station_id = g_strdup_printf("%" PRId64, obs->id);
	if_none_exist = fhir_if_none_exist(station_system, station_id);

	builder = json_builder_new();
	json_builder_begin_object(builder);
	fhir_string(builder, "resourceType", "Observation");
	if (vital->profile != NULL) {
		json_builder_set_member_name(builder, "meta");
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "profile");
		json_builder_begin_array(builder);
		json_builder_add_string_value(builder, vital->profile);
		json_builder_end_array(builder);
		json_builder_end_object(builder);
	}
	fhir_identifier_list(builder, station_system, station_id);
	fhir_string(builder, "status", "final");
	json_builder_set_member_name(builder, "category");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "coding");
	json_builder_begin_array(builder);
	fhir_coding(builder, FHIR_OBS_CATEGORY, vital->category, vital->category_display);
	json_builder_end_array(builder);
	fhir_string(builder, "text", vital->category_display);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	fhir_observation_code(builder, vital, info);
	fhir_reference(builder, "subject", ctx->patient_url, NULL);
	fhir_reference(builder, "encounter", ctx->encounter_url, NULL);
	fhir_time(builder, "effectiveDateTime", effective);
	fhir_time(builder, "issued", obs->received_at);
	if (info->n_values == 1) {
		fhir_quantity(builder, "valueQuantity", obs->value, info, vital);
		fhir_interpretation(builder, obs->value, info->normal_low, info->normal_high, info,
				    vital);
	}
	if (device_url != NULL)
		fhir_reference(builder, "device", device_url, obs->device_model);
	if (info->n_values == 2) {
		json_builder_set_member_name(builder, "component");
		json_builder_begin_array(builder);
		for (guint which = 0; which < 2; which++) {
			gdouble value = which == 0 ? obs->value : obs->value2;
			json_builder_begin_object(builder);
			fhir_codeable(builder, "code", NHIP_EXPORT_FHIR_LOINC,
				      info->loinc_components[which],
				      fhir_bp_component_displays[which],
				      fhir_bp_component_displays[which]);
			fhir_quantity(builder, "valueQuantity", value, info, vital);
			fhir_interpretation(
				builder, value, which == 0 ? info->normal_low : info->normal_low2,
				which == 0 ? info->normal_high : info->normal_high2, info, vital);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
	}
	json_builder_end_object(builder);
	nhip_export_fhir_add_entry(ctx->bundle, full_url, fhir_builder_root(builder), "POST",
				   "Observation", if_none_exist);
	return TRUE;
}

static void
fhir_add_conditions(FhirContext *ctx)
{
	const NhipVisit *visit = ctx->visit;
	gboolean closed = visit->status == NHIP_VISIT_STATUS_CLOSED;
	g_autofree gchar *station_system = fhir_station_system(ctx->facility, "condition");

	for (guint i = 0; visit->icd_codes != NULL && visit->icd_codes[i] != NULL; i++) {
		const gchar *icd = visit->icd_codes[i];
		g_autoptr(JsonBuilder) builder = json_builder_new();
		g_autofree gchar *full_url = fhir_condition_url(ctx, icd);
		g_autofree gchar *station_id = g_strdup_printf("%" PRId64 "/%s", visit->id, icd);
		g_autofree gchar *if_none_exist = fhir_if_none_exist(station_system, station_id);

		json_builder_begin_object(builder);
		fhir_string(builder, "resourceType", "Condition");
		fhir_identifier_list(builder, station_system, station_id);
		fhir_codeable(builder, "clinicalStatus", FHIR_CONDITION_CLIN, "active", "Active",
			      NULL);
		/* final once the visit is closed, working while it is open */
		fhir_codeable(builder, "verificationStatus", FHIR_CONDITION_VER,
			      closed ? "confirmed" : "provisional",
			      closed ? "Confirmed" : "Provisional", NULL);
		fhir_codeable_list(builder, "category", FHIR_CONDITION_CAT, "encounter-diagnosis",
				   "Encounter Diagnosis");
		fhir_codeable(builder, "code", NHIP_EXPORT_FHIR_ICD10, icd, NULL, icd);
		fhir_reference(builder, "subject", ctx->patient_url, NULL);
		fhir_reference(builder, "encounter", ctx->encounter_url, NULL);
		fhir_time(builder, "recordedDate",
			  closed && visit->closed_at > 0 ? visit->closed_at : visit->opened_at);
		json_builder_end_object(builder);
		nhip_export_fhir_add_entry(ctx->bundle, full_url, fhir_builder_root(builder),
					   "POST", "Condition", if_none_exist);
	}
}

/**
 * nhip_export_fhir_build:
 * @facility: the station's facility
 * @patient: the visit's patient, stored (its id is used)
 * @visit: the visit, stored
 * @observations: (nullable) (element-type NhipObservation): the visit's observations in the
 *   order to report them
 * @options: (nullable): the Bundle's timestamp
 * @error: return location for a #GError
 *
 * Builds the transaction Bundle from records already read, without touching the database.
 * Append more entries with nhip_export_fhir_add_entry() and write it with
 * nhip_export_fhir_to_string().
 *
 * Returns: (transfer full) (nullable): the Bundle as a JSON object, or %NULL with
 *   %NHIP_EXPORT_ERROR_INVALID when a record cannot be expressed (a malformed date, an
 *   observation without a value or time)
 */
JsonNode *
nhip_export_fhir_build(const NhipFacility *facility,
		       const NhipPatient *patient,
		       const NhipVisit *visit,
		       GPtrArray *observations,
		       const NhipExportFhirOptions *options,
		       GError **error)
{
	g_autoptr(JsonNode) bundle = NULL;
	g_auto(FhirContext) ctx = { 0 };
	JsonObject *root;

	g_return_val_if_fail(facility != NULL && facility->code != NULL, NULL);
	g_return_val_if_fail(patient != NULL, NULL);
	g_return_val_if_fail(visit != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	root = json_object_new();
	json_object_set_string_member(root, "resourceType", "Bundle");
	json_object_set_string_member(root, "type", "transaction");
	if (options != NULL && options->timestamp != NULL) {
		g_autofree gchar *timestamp =
			g_date_time_format(options->timestamp, "%Y-%m-%dT%H:%M:%S%:z");
		json_object_set_string_member(root, "timestamp", timestamp);
	}
	json_object_set_array_member(root, "entry", json_array_new());
	bundle = json_node_init_object(json_node_alloc(), root);
	json_object_unref(root);

	ctx.bundle = bundle;
	ctx.facility = facility;
	ctx.patient = patient;
	ctx.visit = visit;
	ctx.organization_url = fhir_full_url("Organization/%s", facility->code);
	ctx.patient_url = fhir_full_url("%s/Patient/%" PRId64, facility->code, patient->id);
	ctx.encounter_url = fhir_full_url("%s/Encounter/%" PRId64, facility->code, visit->id);
	ctx.device_urls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	fhir_add_organization(&ctx);
	if (!fhir_add_patient(&ctx, error) || !fhir_add_coverage(&ctx, error))
		return NULL;
	fhir_add_encounter(&ctx);
	for (guint i = 0; observations != NULL && i < observations->len; i++) {
		if (!fhir_add_observation(&ctx, g_ptr_array_index(observations, i), error))
			return NULL;
	}
	fhir_add_conditions(&ctx);
	return g_steal_pointer(&bundle);
}

/**
 * nhip_export_fhir_visit:
 * @store: the store
 * @visit_id: a visit
 * @options: (nullable): the Bundle's timestamp
 * @error: return location for a #GError
 *
 * Reads the facility, the visit, its patient and its observations, and builds the Bundle
 * with nhip_export_fhir_build().
 *
 * Returns: (transfer full) (nullable): the Bundle, or %NULL with %NHIP_STORE_ERROR (no
 *   such visit, no facility set) or %NHIP_EXPORT_ERROR
 */
JsonNode *
nhip_export_fhir_visit(NhipStore *store,
		       gint64 visit_id,
		       const NhipExportFhirOptions *options,
		       GError **error)
{
	g_autoptr(NhipFacility) facility = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(GPtrArray) observations = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_store_visit_get_records(store, visit_id, &facility, &visit, &patient,
					  &observations, error))
		return NULL;
	return nhip_export_fhir_build(facility, patient, visit, observations, options, error);
}

/* ----- serialising ----- */

static void
fhir_write_string(GString *out, const gchar *text)
{
	g_string_append_c(out, '"');
	for (const guchar *p = (const guchar *)text; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (gchar)*p);
			break;
		}
	}
	g_string_append_c(out, '"');
}

/* the shortest text that reads back as the same double, with a decimal point */
static void
fhir_write_double(GString *out, gdouble value)
{
	gchar buffer[G_ASCII_DTOSTR_BUF_SIZE] = { 0 };

	/* 15 significant digits give back any decimal written with 15 digits or fewer */
	g_ascii_formatd(buffer, sizeof(buffer), "%.15g", value);
	g_string_append(out, buffer);
	if (strpbrk(buffer, ".eE") == NULL)
		g_string_append(out, ".0");
}

static void
fhir_write_indent(GString *out, gboolean pretty, guint depth)
{
	if (!pretty)
		return;
	g_string_append_c(out, '\n');
	for (guint i = 0; i < depth; i++)
		g_string_append(out, "  ");
}

static void
fhir_write_node(GString *out, JsonNode *node, gboolean pretty, guint depth)
{
	switch (json_node_get_node_type(node)) {
	case JSON_NODE_OBJECT: {
		JsonObject *object = json_node_get_object(node);
		g_autoptr(GList) members = json_object_get_members(object);
		gboolean first = TRUE;

		g_string_append_c(out, '{');
		for (GList *l = members; l != NULL; l = l->next) {
			if (!first)
				g_string_append_c(out, ',');
			first = FALSE;
			fhir_write_indent(out, pretty, depth + 1);
			fhir_write_string(out, l->data);
			g_string_append(out, pretty ? ": " : ":");
			fhir_write_node(out, json_object_get_member(object, l->data), pretty,
					depth + 1);
		}
		if (members != NULL)
			fhir_write_indent(out, pretty, depth);
		g_string_append_c(out, '}');
		break;
	}
	case JSON_NODE_ARRAY: {
		JsonArray *array = json_node_get_array(node);
		guint length = json_array_get_length(array);

		g_string_append_c(out, '[');
		for (guint i = 0; i < length; i++) {
			if (i > 0)
				g_string_append_c(out, ',');
			fhir_write_indent(out, pretty, depth + 1);
			fhir_write_node(out, json_array_get_element(array, i), pretty, depth + 1);
		}
		if (length > 0)
			fhir_write_indent(out, pretty, depth);
		g_string_append_c(out, ']');
		break;
	}
	case JSON_NODE_VALUE:
		switch (json_node_get_value_type(node)) {
		case G_TYPE_INT64:
			g_string_append_printf(out, "%" G_GINT64_FORMAT, json_node_get_int(node));
			break;
		case G_TYPE_DOUBLE:
			fhir_write_double(out, json_node_get_double(node));
			break;
		case G_TYPE_BOOLEAN:
			g_string_append(out, json_node_get_boolean(node) ? "true" : "false");
			break;
		case G_TYPE_STRING:
			fhir_write_string(out, json_node_get_string(node));
			break;
		default:
			g_string_append(out, "null");
			break;
		}
		break;
	case JSON_NODE_NULL:
	default:
		g_string_append(out, "null");
		break;
	}
}

/**
 * nhip_export_fhir_to_string:
 * @node: a JSON value, usually a Bundle
 * @pretty: indent by two spaces, one member per line
 *
 * Writes JSON the way FHIR wants it: UTF-8 as is, members in the order they were added,
 * decimals with the precision they were built with (`37.0`, not `37` or
 * `37.000000000000000`).
 *
 * Returns: (transfer full): the JSON text, without a final newline
 */
gchar *
nhip_export_fhir_to_string(JsonNode *node, gboolean pretty)
{
	GString *out = g_string_new(NULL);

	g_return_val_if_fail(node != NULL, NULL);
	fhir_write_node(out, node, pretty, 0);
	return g_string_free(out, FALSE);
}
