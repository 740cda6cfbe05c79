/*
 * Nhịp hub — reading a case's FHIR Bundle for the doctors' pages. The Bundle was checked
 * when the packet was opened (signature, station); this reads it defensively all the same:
 * a member of the wrong type is skipped, never trusted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-hub-case.h"
#include "nhip-hub-db.h"

#define LOINC "http://loinc.org"

static void
vital_free(NhipHubVital *vital)
{
	g_free(vital->code);
	g_free(vital->unit);
	g_free(vital->flag);
	g_free(vital);
}

void
nhip_hub_case_view_free(NhipHubCaseView *view)
{
	if (view == NULL)
		return;
	g_free(view->patient_name);
	g_free(view->gender);
	g_free(view->birth_date);
	g_free(view->bhyt);
	g_free(view->phone);
	g_free(view->address);
	g_free(view->facility);
	g_free(view->reason);
	g_ptr_array_unref(view->conditions);
	g_ptr_array_unref(view->vitals);
	g_free(view->question);
	g_free(view->notes);
	g_free(view->priority);
	g_ptr_array_unref(view->photos);
	g_free(view);
}

/* the vital signs the station measures, by the LOINC code of their Observation */
static const struct {
	const gchar *loinc;
	const gchar *label;
} vital_labels[] = {
	{ "85354-9", N_("Blood pressure") },
	{ "8867-4", N_("Heart rate") },
	{ "8310-5", N_("Body temperature") },
	{ "2708-6", N_("Oxygen saturation (SpO₂)") },
	{ "59408-5", N_("Oxygen saturation (SpO₂)") },
	{ "9279-1", N_("Respiratory rate") },
	{ "29463-7", N_("Body weight") },
	{ "8302-2", N_("Body height") },
	{ "39156-5", N_("Body mass index") },
	{ "9843-4", N_("Head circumference") },
	{ "15074-8", N_("Blood glucose") },
	{ "2339-0", N_("Blood glucose") },
};

/**
 * nhip_hub_vital_label:
 * @loinc: a LOINC code
 *
 * Returns: (nullable): the translated name of the vital sign, %NULL for a code not known
 */
const gchar *
nhip_hub_vital_label(const gchar *loinc)
{
	for (guint i = 0; i < G_N_ELEMENTS(vital_labels); i++) {
		if (g_strcmp0(vital_labels[i].loinc, loinc) == 0)
			return _(vital_labels[i].label);
	}
	return NULL;
}

/* how the pages write a UCUM unit; the Bundle's own unit text for any other */
static const gchar *
case_unit(const gchar *ucum, const gchar *text)
{
	static const struct {
		const gchar *ucum;
		const gchar *shown;
	} units[] = {
		{ "mm[Hg]", "mmHg" }, { "/min", N_("/min") }, { "Cel", "°C" },
		{ "kg/m2", "kg/m²" }, { "%", "%" },	      { "kg", "kg" },
		{ "cm", "cm" },	      { "mmol/L", "mmol/L" }, { "mg/dL", "mg/dL" },
	};

	for (guint i = 0; ucum != NULL && i < G_N_ELEMENTS(units); i++) {
		if (g_strcmp0(units[i].ucum, ucum) == 0)
			return g_strcmp0(ucum, "/min") == 0 ? _(units[i].shown) : units[i].shown;
	}
	return text;
}

/* ----- defensive JSON reading ----- */

static JsonObject *
obj_member(JsonObject *object, const gchar *name)
{
	JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
	return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static JsonArray *
array_member(JsonObject *object, const gchar *name)
{
	JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
	return node != NULL && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

static const gchar *
string_member(JsonObject *object, const gchar *name)
{
	JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

static gboolean
number_member(JsonObject *object, const gchar *name, gdouble *value)
{
	JsonNode *node = object != NULL ? json_object_get_member(object, name) : NULL;
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node))
		return FALSE;
	if (json_node_get_value_type(node) == G_TYPE_DOUBLE)
		*value = json_node_get_double(node);
	else if (json_node_get_value_type(node) == G_TYPE_INT64)
		*value = (gdouble)json_node_get_int(node);
	else
		return FALSE;
	return TRUE;
}

static JsonObject *
array_object(JsonArray *array, guint index)
{
	JsonNode *node;
	if (array == NULL || index >= json_array_get_length(array))
		return NULL;
	node = json_array_get_element(array, index);
	return JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static gchar *
dup_nonempty(const gchar *text)
{
	return text != NULL && text[0] != '\0' ? g_strdup(text) : NULL;
}

/* the first code of @system in a CodeableConcept */
static const gchar *
concept_code(JsonObject *concept, const gchar *system)
{
	JsonArray *codings = array_member(concept, "coding");
	for (guint i = 0; codings != NULL && i < json_array_get_length(codings); i++) {
		JsonObject *coding = array_object(codings, i);
		if (system == NULL || g_strcmp0(string_member(coding, "system"), system) == 0)
			return string_member(coding, "code");
	}
	return NULL;
}

static gint64
parse_time(const gchar *text)
{
	g_autoptr(GDateTime) time = NULL;
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();

	if (text == NULL)
		return 0;
	time = g_date_time_new_from_iso8601(text, utc);
	return time != NULL ? g_date_time_to_unix(time) : 0;
}

/* ----- resources ----- */

static void
view_patient(NhipHubCaseView *view, JsonObject *patient)
{
	JsonObject *name = array_object(array_member(patient, "name"), 0);
	JsonArray *identifiers = array_member(patient, "identifier");

	view->patient_name = dup_nonempty(string_member(name, "text"));
	view->gender = dup_nonempty(string_member(patient, "gender"));
	view->birth_date = dup_nonempty(string_member(patient, "birthDate"));
	view->phone = dup_nonempty(
		string_member(array_object(array_member(patient, "telecom"), 0), "value"));
	view->address = dup_nonempty(
		string_member(array_object(array_member(patient, "address"), 0), "text"));
	for (guint i = 0; identifiers != NULL && i < json_array_get_length(identifiers); i++) {
		JsonObject *identifier = array_object(identifiers, i);
		if (g_strcmp0(string_member(identifier, "system"),
			      "http://fhir.hl7.org.vn/core/sid/bhyt") == 0)
			view->bhyt = dup_nonempty(string_member(identifier, "value"));
	}
}

static void
view_encounter(NhipHubCaseView *view, JsonObject *encounter)
{
	view->reason = dup_nonempty(
		string_member(array_object(array_member(encounter, "reasonCode"), 0), "text"));
	view->visit_start = parse_time(string_member(obj_member(encounter, "period"), "start"));
}

static void
view_observation(NhipHubCaseView *view, JsonObject *obs)
{
	NhipHubVital *vital;
	JsonObject *quantity = obj_member(obs, "valueQuantity");
	JsonArray *components = array_member(obs, "component");
	const gchar *code = concept_code(obj_member(obs, "code"), LOINC);

	if (code == NULL)
		return;
	vital = g_new0(NhipHubVital, 1);
	vital->code = g_strdup(code);
	vital->time = parse_time(string_member(obs, "effectiveDateTime"));
	vital->flag = dup_nonempty(
		concept_code(array_object(array_member(obs, "interpretation"), 0), NULL));
	if (quantity != NULL && number_member(quantity, "value", &vital->values[0])) {
		vital->n_values = 1;
	} else {
		for (guint i = 0; components != NULL && i < json_array_get_length(components) &&
				  vital->n_values < 2;
		     i++) {
			JsonObject *component = array_object(components, i);
			quantity = obj_member(component, "valueQuantity");
			if (number_member(quantity, "value", &vital->values[vital->n_values]))
				vital->n_values++;
		}
	}
	if (vital->n_values == 0) {
		vital_free(vital);
		return;
	}
	vital->unit = g_strdup(
		case_unit(string_member(quantity, "code"), string_member(quantity, "unit")));
	g_ptr_array_add(view->vitals, vital);
}

static void
view_condition(NhipHubCaseView *view, JsonObject *condition)
{
	JsonObject *code = obj_member(condition, "code");
	const gchar *icd = concept_code(code, "http://hl7.org/fhir/sid/icd-10");
	const gchar *text = string_member(code, "text");

	if (icd == NULL)
		return;
	g_ptr_array_add(view->conditions, text != NULL && g_strcmp0(text, icd) != 0
						  ? g_strdup_printf("%s %s", icd, text)
						  : g_strdup(icd));
}

static void
view_communication(NhipHubCaseView *view, JsonObject *communication)
{
	JsonArray *payload = array_member(communication, "payload");
	const gchar *priority = string_member(communication, "priority");

	for (guint i = 0; payload != NULL && i < json_array_get_length(payload); i++) {
		const gchar *text = string_member(array_object(payload, i), "contentString");
		if (text != NULL && view->question == NULL)
			view->question = dup_nonempty(text);
	}
	view->notes = dup_nonempty(
		string_member(array_object(array_member(communication, "note"), 0), "text"));
	g_free(view->priority);
	view->priority =
		g_strdup(g_strcmp0(priority, "urgent") == 0 || g_strcmp0(priority, "asap") == 0 ||
					 g_strcmp0(priority, "stat") == 0
				 ? "urgent"
				 : "routine");
}

static void
view_media(NhipHubCaseView *view, JsonObject *media)
{
	JsonObject *content = obj_member(media, "content");
	const gchar *url = string_member(content, "url");
	const gchar *type = string_member(content, "contentType");

	if (url != NULL && type != NULL && g_str_has_prefix(type, "image/"))
		g_ptr_array_add(view->photos, g_strdup(url));
}

static gint
vital_compare(gconstpointer a, gconstpointer b)
{
	const NhipHubVital *x = *(NhipHubVital *const *)a;
	const NhipHubVital *y = *(NhipHubVital *const *)b;
	return x->time < y->time ? -1 : x->time > y->time;
}

/**
 * nhip_hub_case_view_parse:
 * @case_json: the case's Bundle
 * @error: return location for a #GError (%NHIP_HUB_ERROR_INVALID)
 *
 * Returns: (transfer full) (nullable): what the pages show
 */
NhipHubCaseView *
nhip_hub_case_view_parse(GBytes *case_json, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(NhipHubCaseView) view = g_new0(NhipHubCaseView, 1);
	g_autoptr(GError) error_local = NULL;
	JsonNode *root;
	JsonArray *entries;

	if (!json_parser_load_from_data(parser, g_bytes_get_data(case_json, NULL),
					(gssize)g_bytes_get_size(case_json), &error_local) ||
	    (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root) ||
	    g_strcmp0(string_member(json_node_get_object(root), "resourceType"), "Bundle") != 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("the case is not a FHIR Bundle: %s"),
			    error_local != NULL ? error_local->message : _("wrong JSON"));
		return NULL;
	}
	view->conditions = g_ptr_array_new_with_free_func(g_free);
	view->vitals = g_ptr_array_new_with_free_func((GDestroyNotify)vital_free);
	view->photos = g_ptr_array_new_with_free_func(g_free);
	view->priority = g_strdup("routine");
	entries = array_member(json_node_get_object(root), "entry");
	for (guint i = 0; entries != NULL && i < json_array_get_length(entries); i++) {
		JsonObject *resource = obj_member(array_object(entries, i), "resource");
		const gchar *type = string_member(resource, "resourceType");

		if (g_strcmp0(type, "Patient") == 0 && view->patient_name == NULL)
			view_patient(view, resource);
		else if (g_strcmp0(type, "Encounter") == 0)
			view_encounter(view, resource);
		else if (g_strcmp0(type, "Organization") == 0 && view->facility == NULL)
			view->facility = dup_nonempty(string_member(resource, "name"));
		else if (g_strcmp0(type, "Observation") == 0)
			view_observation(view, resource);
		else if (g_strcmp0(type, "Condition") == 0)
			view_condition(view, resource);
		else if (g_strcmp0(type, "Communication") == 0)
			view_communication(view, resource);
		else if (g_strcmp0(type, "Media") == 0)
			view_media(view, resource);
	}
	g_ptr_array_sort(view->vitals, vital_compare);
	return g_steal_pointer(&view);
}
