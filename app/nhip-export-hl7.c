/*
 * Nhịp — HL7 v2.5.1 messages built from the station's records.
 *
 * Field choices (what a district HIS reads):
 *   MSH-3 NHIP, MSH-4 facility name^MA_CSKCB^L, MSH-17 VNM, MSH-18 UNICODE UTF-8
 *   PID-3 repetitions: CCCD^^^BCA^NI, BHYT card^^^BHXH^HC, station id^^^MA_CSKCB^PI
 *   PID-5 family^given^middle^^^^L ("Nguyễn Thị Đào" is Nguyễn^Đào^Thị)
 *   PID-22 ethnic group code^name^99VNDT
 *   PV1-19 MA_LK^^^MA_CSKCB^VN, PV1-44/45 visit opened/closed
 *   OBX per value: NM, LOINC^name^LN, UCUM unit^^UCUM, range low-high, flag L/N/H from
 *   the adult ranges of the vital table, F, measured time, device id in OBX-18; both
 *   blood-pressure values share OBX-4, the number of their reading
 *   ADT adds NK1 (guardian), DG1 (ICD-10 codes, the main one first) and IN1 (BHYT card)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "nhip-codes.h"
#include "nhip-export-hl7.h"

/* LOINC 85353-1, the panel of every vital sign the station records */
#define OBR_PANEL_CODE "85353-1"
#define OBR_PANEL_NAME \
	"Vital signs, weight, height, head circumference, oxygen saturation and BMI panel"

/* LOINC long common names of the blood-pressure components */
static const gchar *const bp_component_names[2] = {
	"Systolic blood pressure",
	"Diastolic blood pressure",
};

/**
 * nhip_export_hl7_type_to_string:
 * @type: a message type
 *
 * Returns: (transfer none): the name used on the command line: `oru`, `adt-a04`, `adt-a08`
 */
const gchar *
nhip_export_hl7_type_to_string(NhipExportHl7Type type)
{
	switch (type) {
	case NHIP_EXPORT_HL7_ORU_R01:
		return "oru";
	case NHIP_EXPORT_HL7_ADT_A04:
		return "adt-a04";
	case NHIP_EXPORT_HL7_ADT_A08:
		return "adt-a08";
	default:
		return NULL;
	}
}

/**
 * nhip_export_hl7_type_from_string:
 * @text: `oru`, `adt-a04` or `adt-a08` (any case; `oru-r01` works too)
 * @type: (out): the type
 *
 * Returns: %TRUE if @text names a type
 */
gboolean
nhip_export_hl7_type_from_string(const gchar *text, NhipExportHl7Type *type)
{
	g_return_val_if_fail(type != NULL, FALSE);

	if (text == NULL)
		return FALSE;
	if (g_ascii_strcasecmp(text, "oru") == 0 || g_ascii_strcasecmp(text, "oru-r01") == 0) {
		*type = NHIP_EXPORT_HL7_ORU_R01;
		return TRUE;
	}
	if (g_ascii_strcasecmp(text, "adt-a04") == 0) {
		*type = NHIP_EXPORT_HL7_ADT_A04;
		return TRUE;
	}
	if (g_ascii_strcasecmp(text, "adt-a08") == 0) {
		*type = NHIP_EXPORT_HL7_ADT_A08;
		return TRUE;
	}
	return FALSE;
}

/**
 * nhip_export_hl7_split_name:
 * @full_name: (nullable): a Vietnamese full name, family name first
 * @family: (out) (transfer full) (nullable): the first word
 * @given: (out) (transfer full) (nullable): the last word
 * @middle: (out) (transfer full) (nullable): the words between, separated by spaces
 *
 * Splits a name the Vietnamese way: "Nguyễn Thị Đào" has the family name "Nguyễn", the
 * given name "Đào" and the middle name "Thị". A one-word name is taken as the family name,
 * the component every receiver indexes. Names of some ethnic groups put the family name
 * last (Ê Đê "H'Hen Niê"); HL7 cannot tell, so they come out in the same order.
 */
void
nhip_export_hl7_split_name(const gchar *full_name, gchar **family, gchar **given, gchar **middle)
{
	g_auto(GStrv) words = NULL;
	g_autoptr(GPtrArray) kept = g_ptr_array_new();

	*family = NULL;
	*given = NULL;
	*middle = NULL;
	if (full_name == NULL)
		return;
	words = g_strsplit_set(full_name, " \t\r\n", -1);
	for (guint i = 0; words[i] != NULL; i++) {
		if (words[i][0] != '\0')
			g_ptr_array_add(kept, words[i]);
	}
	if (kept->len == 0)
		return;
	*family = g_strdup(kept->pdata[0]);
	if (kept->len >= 2)
		*given = g_strdup(kept->pdata[kept->len - 1]);
	if (kept->len >= 3) {
		g_ptr_array_remove_index(kept, kept->len - 1);
		g_ptr_array_add(kept, NULL);
		*middle = g_strjoinv(" ", (gchar **)kept->pdata + 1);
	}
}

static gboolean
export_set(NhipHl7Message *message, const gchar *value, GError **error, const gchar *format, ...)
	G_GNUC_PRINTF(4, 5);

/* sets a value when there is one; the path is a format */
static gboolean
export_set(NhipHl7Message *message, const gchar *value, GError **error, const gchar *format, ...)
{
	g_autofree gchar *path = NULL;
	g_autoptr(GError) error_local = NULL;
	va_list args;

	if (value == NULL || value[0] == '\0')
		return TRUE;
	va_start(args, format);
	path = g_strdup_vprintf(format, args);
	va_end(args);
	if (!nhip_hl7_message_set_value(message, path, value, &error_local)) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("cannot put the value of %s into the HL7 message: %s"), path,
			    error_local->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean
export_append(NhipHl7Message *message, const gchar *segment_id, guint *occurrence, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	guint n = nhip_hl7_message_append_segment(message, segment_id, &error_local);

	if (n == 0) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_FAILED,
			    _("cannot add the %s segment: %s"), segment_id, error_local->message);
		return FALSE;
	}
	if (occurrence != NULL)
		*occurrence = n;
	return TRUE;
}

/* an HL7 DTM in the station's time zone, e.g. 20240131142700+0700 */
static gchar *
export_time(gint64 unix_time)
{
	g_autoptr(GDateTime) datetime = g_date_time_new_from_unix_local(unix_time);
	if (datetime == NULL)
		return NULL;
	return nhip_hl7_message_format_timestamp(datetime);
}

/* YYYY-MM-DD → YYYYMMDD, YYYY stays */
static gchar *
export_birth(const gchar *birth)
{
	GString *out;

	if (birth == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (const gchar *p = birth; *p != '\0'; p++) {
		if (g_ascii_isdigit(*p))
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

static const gchar *
export_sex(NhipSex sex)
{
	switch (sex) {
	case NHIP_SEX_MALE:
		return "M";
	case NHIP_SEX_FEMALE:
		return "F";
	case NHIP_SEX_UNKNOWN:
	default:
		return "U";
	}
}

/* a number with the decimals worth showing, always with a dot */
static gchar *
export_number(gdouble value, guint decimals)
{
	gchar buffer[G_ASCII_DTOSTR_BUF_SIZE] = { 0 };
	g_autofree gchar *format = g_strdup_printf("%%.%uf", decimals);
	return g_strdup(g_ascii_formatd(buffer, sizeof(buffer), format, value));
}

/* the value as reported: rounded to the decimals worth showing */
static gdouble
export_round(gdouble value, guint decimals)
{
	gdouble scale = pow(10, decimals);
	return round(value * scale) / scale;
}

static gboolean
export_msh(NhipHl7Message *message,
	   NhipExportHl7Type type,
	   const NhipFacility *facility,
	   const NhipExportHl7Options *options,
	   GError **error)
{
	g_autoptr(GError) error_local = NULL;
	const gchar *code = type == NHIP_EXPORT_HL7_ORU_R01 ? "ORU" : "ADT";
	const gchar *trigger = type == NHIP_EXPORT_HL7_ORU_R01	 ? "R01"
			       : type == NHIP_EXPORT_HL7_ADT_A04 ? "A04"
								 : "A08";
	/* A04 and A08 share the A01 structure */
	const gchar *structure = type == NHIP_EXPORT_HL7_ORU_R01 ? "ORU_R01" : "ADT_A01";

	if (!nhip_hl7_message_set_header(message, code, trigger, structure, options->control_id,
					 &error_local)) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("cannot write the HL7 header: %s"), error_local->message);
		return FALSE;
	}
	if (options->message_time != NULL) {
		g_autofree gchar *when = nhip_hl7_message_format_timestamp(options->message_time);
		if (!export_set(message, when, error, "MSH-7"))
			return FALSE;
	}
	return export_set(message, NHIP_EXPORT_HL7_SENDING_APPLICATION, error, "MSH-3-1") &&
	       export_set(message, facility->name, error, "MSH-4-1") &&
	       export_set(message, facility->code, error, "MSH-4-2") &&
	       export_set(message, "L", error, "MSH-4-3") &&
	       export_set(message, options->receiving_application, error, "MSH-5-1") &&
	       export_set(message, options->receiving_facility, error, "MSH-6-1") &&
	       export_set(message, "VNM", error, "MSH-17");
}

static gboolean
export_identifier(NhipHl7Message *message,
		  guint *repetition,
		  const gchar *id,
		  const gchar *authority,
		  const gchar *type,
		  GError **error)
{
	if (id == NULL || id[0] == '\0')
		return TRUE;
	(*repetition)++;
	return export_set(message, id, error, "PID-3(%u)-1", *repetition) &&
	       export_set(message, authority, error, "PID-3(%u)-4", *repetition) &&
	       export_set(message, type, error, "PID-3(%u)-5", *repetition);
}

static gboolean
export_name(NhipHl7Message *message, const gchar *full_name, const gchar *field, GError **error)
{
	g_autofree gchar *family = NULL;
	g_autofree gchar *given = NULL;
	g_autofree gchar *middle = NULL;

	nhip_export_hl7_split_name(full_name, &family, &given, &middle);
	if (family == NULL)
		return TRUE;
	return export_set(message, family, error, "%s-1", field) &&
	       export_set(message, given, error, "%s-2", field) &&
	       export_set(message, middle, error, "%s-3", field) &&
	       export_set(message, "L", error, "%s-7", field);
}

/* XTN: the number, its use (primary residence) and equipment (mobile or line) */
static gboolean
export_phone(NhipHl7Message *message, const gchar *phone, const gchar *field, GError **error)
{
	gboolean mobile;

	if (phone == NULL || phone[0] == '\0')
		return TRUE;
	/* Vietnamese mobile numbers are 10 digits starting 03, 05, 07, 08 or 09 */
	mobile = strlen(phone) == 10 && phone[0] == '0' && strchr("35789", phone[1]) != NULL;
	return export_set(message, phone, error, "%s-1", field) &&
	       export_set(message, "PRN", error, "%s-2", field) &&
	       export_set(message, mobile ? "CP" : "PH", error, "%s-3", field);
}

static gboolean
export_pid(NhipHl7Message *message,
	   const NhipFacility *facility,
	   const NhipPatient *patient,
	   GError **error)
{
	g_autofree gchar *station_id = NULL;
	g_autofree gchar *birth = export_birth(patient->birth);
	guint repetition = 0;

	if (!export_append(message, "PID", NULL, error) ||
	    !export_set(message, "1", error, "PID-1"))
		return FALSE;
	if (patient->id > 0)
		station_id = g_strdup_printf("%" PRId64, patient->id);
	if (!export_identifier(message, &repetition, patient->cccd, "BCA", "NI", error) ||
	    !export_identifier(message, &repetition, patient->bhyt, "BHXH", "HC", error) ||
	    !export_identifier(message, &repetition, station_id, facility->code, "PI", error))
		return FALSE;
	if (repetition == 0) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    _("the patient has no identifier to send (no CCCD, no health "
				      "insurance card and not stored yet)"));
		return FALSE;
	}
	if (!export_name(message, patient->full_name, "PID-5", error) ||
	    !export_set(message, birth, error, "PID-7") ||
	    !export_set(message, export_sex(patient->sex), error, "PID-8"))
		return FALSE;

	/* XAD: street (the address as written), province, country, type home, and the
	 * administrative codes of the commune (other designation) and district (county) */
	if (patient->address != NULL || patient->province_code != NULL ||
	    patient->district_code != NULL || patient->commune_code != NULL) {
		if (!export_set(message, patient->address, error, "PID-11-1") ||
		    !export_set(message, patient->province_code, error, "PID-11-4") ||
		    !export_set(message, "VNM", error, "PID-11-6") ||
		    !export_set(message, "H", error, "PID-11-7") ||
		    !export_set(message, patient->commune_code, error, "PID-11-8") ||
		    !export_set(message, patient->district_code, error, "PID-11-9"))
			return FALSE;
	}
	if (!export_phone(message, patient->phone, "PID-13", error))
		return FALSE;
	if (patient->ethnicity != NULL && patient->ethnicity[0] != '\0') {
		if (!export_set(message, patient->ethnicity, error, "PID-22-1") ||
		    !export_set(message, nhip_codes_ethnicity_name(patient->ethnicity), error,
				"PID-22-2") ||
		    !export_set(message, NHIP_EXPORT_HL7_ETHNICITY_SYSTEM, error, "PID-22-3"))
			return FALSE;
	}
	return TRUE;
}

static gboolean
export_pv1(NhipHl7Message *message,
	   const NhipFacility *facility,
	   const NhipVisit *visit,
	   GError **error)
{
	g_autofree gchar *opened = NULL;
	g_autofree gchar *closed = NULL;

	if (!export_append(message, "PV1", NULL, error) ||
	    !export_set(message, "1", error, "PV1-1"))
		return FALSE;
	/* without a visit, the patient class is "not applicable" */
	if (visit == NULL)
		return export_set(message, "N", error, "PV1-2");
	opened = export_time(visit->opened_at);
	if (visit->status == NHIP_VISIT_STATUS_CLOSED && visit->closed_at > 0)
		closed = export_time(visit->closed_at);
	if (!export_set(message, "O", error, "PV1-2") ||
	    !export_set(message, facility->code, error, "PV1-3-4") ||
	    !export_set(message, visit->ma_lk, error, "PV1-19-1") ||
	    !export_set(message, facility->code, error, "PV1-19-4") ||
	    !export_set(message, "VN", error, "PV1-19-5") ||
	    !export_set(message, opened, error, "PV1-44") ||
	    !export_set(message, closed, error, "PV1-45"))
		return FALSE;
	if (visit->reason != NULL && visit->reason[0] != '\0') {
		if (!export_append(message, "PV2", NULL, error) ||
		    !export_set(message, visit->reason, error, "PV2-3-2"))
			return FALSE;
	}
	return TRUE;
}

static gboolean
export_obx(NhipHl7Message *message,
	   guint *set_id,
	   guint reading,
	   const NhipObservation *obs,
	   const NhipVitalInfo *info,
	   guint which,
	   GError **error)
{
	gdouble value = which == 0 ? obs->value : obs->value2;
	gdouble low = which == 0 ? info->normal_low : info->normal_low2;
	gdouble high = which == 0 ? info->normal_high : info->normal_high2;
	gdouble reported;
	const gchar *code = info->n_values == 2 ? info->loinc_components[which] : info->loinc;
	const gchar *name = info->n_values == 2 ? bp_component_names[which] : info->display;
	const gchar *flag = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *range = NULL;
	g_autofree gchar *when = export_time(obs->measured_at);
	g_autofree gchar *id = NULL;
	g_autofree gchar *sub_id = g_strdup_printf("%u", reading);
	guint n;

	if (!isfinite(value)) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("observation %" PRId64 " has no value for %s"), obs->id, code);
		return FALSE;
	}
	reported = export_round(value, info->decimals);
	text = export_number(reported, info->decimals);
	if (isfinite(low) && isfinite(high)) {
		g_autofree gchar *low_text = export_number(low, info->decimals);
		g_autofree gchar *high_text = export_number(high, info->decimals);
		range = g_strdup_printf("%s-%s", low_text, high_text);
		flag = reported < low ? "L" : reported > high ? "H" : "N";
	}
	if (!export_append(message, "OBX", &n, error))
		return FALSE;
	(*set_id)++;
	id = g_strdup_printf("%u", *set_id);
	return export_set(message, id, error, "OBX[%u]-1", n) &&
	       export_set(message, "NM", error, "OBX[%u]-2", n) &&
	       export_set(message, code, error, "OBX[%u]-3-1", n) &&
	       export_set(message, name, error, "OBX[%u]-3-2", n) &&
	       export_set(message, "LN", error, "OBX[%u]-3-3", n) &&
	       export_set(message, sub_id, error, "OBX[%u]-4", n) &&
	       export_set(message, text, error, "OBX[%u]-5", n) &&
	       export_set(message, info->unit, error, "OBX[%u]-6-1", n) &&
	       export_set(message, "UCUM", error, "OBX[%u]-6-3", n) &&
	       export_set(message, range, error, "OBX[%u]-7", n) &&
	       export_set(message, flag, error, "OBX[%u]-8", n) &&
	       export_set(message, "F", error, "OBX[%u]-11", n) &&
	       export_set(message, when, error, "OBX[%u]-14", n) &&
	       export_set(message, obs->device_id, error, "OBX[%u]-18-1", n);
}

static gboolean
export_oru_body(NhipHl7Message *message,
		const NhipFacility *facility,
		const NhipVisit *visit,
		GPtrArray *observations,
		GError **error)
{
	gint64 first = visit->opened_at;
	gint64 last = 0;
	guint set_id = 0;
	g_autofree gchar *first_text = NULL;
	g_autofree gchar *last_text = NULL;

	for (guint i = 0; observations != NULL && i < observations->len; i++) {
		const NhipObservation *obs = g_ptr_array_index(observations, i);
		if (i == 0 || obs->measured_at < first)
			first = obs->measured_at;
		last = MAX(last, obs->measured_at);
	}
	first_text = export_time(first);
	if (last > first)
		last_text = export_time(last);
	if (!export_append(message, "OBR", NULL, error) ||
	    !export_set(message, "1", error, "OBR-1") ||
	    !export_set(message, visit->ma_lk, error, "OBR-3-1") ||
	    !export_set(message, facility->code, error, "OBR-3-2") ||
	    !export_set(message, OBR_PANEL_CODE, error, "OBR-4-1") ||
	    !export_set(message, OBR_PANEL_NAME, error, "OBR-4-2") ||
	    !export_set(message, "LN", error, "OBR-4-3") ||
	    !export_set(message, first_text, error, "OBR-7") ||
	    !export_set(message, last_text, error, "OBR-8") ||
	    !export_set(message, "F", error, "OBR-25"))
		return FALSE;
	for (guint i = 0; observations != NULL && i < observations->len; i++) {
		const NhipObservation *obs = g_ptr_array_index(observations, i);
		const NhipVitalInfo *info = nhip_vital_info(obs->kind);
		if (info == NULL) {
			g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    _("observation %" PRId64 " is of an unknown kind %d"), obs->id,
				    (gint)obs->kind);
			return FALSE;
		}
		for (guint which = 0; which < info->n_values; which++) {
			if (!export_obx(message, &set_id, i + 1, obs, info, which, error))
				return FALSE;
		}
	}
	return TRUE;
}

static gboolean
export_evn(NhipHl7Message *message,
	   NhipExportHl7Type type,
	   const NhipPatient *patient,
	   const NhipVisit *visit,
	   const NhipExportHl7Options *options,
	   GError **error)
{
	g_autofree gchar *recorded = nhip_hl7_message_format_timestamp(options->message_time);
	g_autofree gchar *occurred = NULL;
	gint64 at;

	if (type == NHIP_EXPORT_HL7_ADT_A08)
		at = patient->updated_at;
	else
		at = visit != NULL ? visit->opened_at : patient->created_at;
	if (at > 0)
		occurred = export_time(at);
	return export_append(message, "EVN", NULL, error) &&
	       export_set(message, type == NHIP_EXPORT_HL7_ADT_A04 ? "A04" : "A08", error,
			  "EVN-1") &&
	       export_set(message, recorded, error, "EVN-2") &&
	       export_set(message, occurred, error, "EVN-6");
}

static gboolean
export_nk1(NhipHl7Message *message, const NhipPatient *patient, GError **error)
{
	if (patient->guardian_name == NULL || patient->guardian_name[0] == '\0')
		return TRUE;
	return export_append(message, "NK1", NULL, error) &&
	       export_set(message, "1", error, "NK1-1") &&
	       export_name(message, patient->guardian_name, "NK1-2", error) &&
	       export_set(message, patient->guardian_relation, error, "NK1-3-2") &&
	       export_phone(message, patient->guardian_phone, "NK1-5", error);
}

static gboolean
export_dg1(NhipHl7Message *message, const NhipVisit *visit, GError **error)
{
	/* working diagnoses while the visit is open, final ones once it is closed */
	const gchar *type = visit->status == NHIP_VISIT_STATUS_CLOSED ? "F" : "W";

	for (guint i = 0; visit->icd_codes != NULL && visit->icd_codes[i] != NULL; i++) {
		g_autofree gchar *number = g_strdup_printf("%u", i + 1);
		guint n;
		if (!export_append(message, "DG1", &n, error) ||
		    !export_set(message, number, error, "DG1[%u]-1", n) ||
		    !export_set(message, visit->icd_codes[i], error, "DG1[%u]-3-1", n) ||
		    !export_set(message, "I10", error, "DG1[%u]-3-3", n) ||
		    !export_set(message, type, error, "DG1[%u]-6", n) ||
		    !export_set(message, number, error, "DG1[%u]-15", n))
			return FALSE;
	}
	return TRUE;
}

/* the health-insurance card: plan, insurer, validity and card number */
static gboolean
export_in1(NhipHl7Message *message, const NhipPatient *patient, GError **error)
{
	g_autofree gchar *from = export_birth(patient->bhyt_valid_from);
	g_autofree gchar *to = export_birth(patient->bhyt_valid_to);

	if (patient->bhyt == NULL || patient->bhyt[0] == '\0')
		return TRUE;
	return export_append(message, "IN1", NULL, error) &&
	       export_set(message, "1", error, "IN1-1") &&
	       export_set(message, "BHYT", error, "IN1-2-1") &&
	       export_set(message, "BHXH", error, "IN1-3-1") &&
	       export_set(message, "Bảo hiểm xã hội Việt Nam", error, "IN1-4-1") &&
	       export_set(message, from, error, "IN1-12") &&
	       export_set(message, to, error, "IN1-13") &&
	       export_set(message, patient->bhyt, error, "IN1-36");
}

/**
 * nhip_export_hl7_build:
 * @type: the message to make
 * @facility: the station's facility (MSH-4)
 * @patient: the patient
 * @visit: (nullable): the visit; required for %NHIP_EXPORT_HL7_ORU_R01
 * @observations: (nullable) (element-type NhipObservation): the visit's observations in
 *   the order to report them, for %NHIP_EXPORT_HL7_ORU_R01
 * @options: (nullable): control id, time and receiver
 * @error: return location for a #GError
 *
 * Builds a message from records already read, without touching the database: ORU^R01
 * (MSH, PID, PV1, PV2 when the visit has a reason, OBR, one OBX per value) or ADT^A04 /
 * ADT^A08 (MSH, EVN, PID, NK1 for a guardian, PV1, PV2, DG1 per ICD-10 code, IN1 for a
 * health-insurance card).
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with %NHIP_EXPORT_ERROR
 */
NhipHl7Message *
nhip_export_hl7_build(NhipExportHl7Type type,
		      const NhipFacility *facility,
		      const NhipPatient *patient,
		      const NhipVisit *visit,
		      GPtrArray *observations,
		      const NhipExportHl7Options *options,
		      GError **error)
{
	g_autoptr(NhipHl7Message) message = NULL;
	NhipExportHl7Options defaults = { 0 };

	g_return_val_if_fail(facility != NULL, NULL);
	g_return_val_if_fail(patient != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (options == NULL)
		options = &defaults;
	if (nhip_export_hl7_type_to_string(type) == NULL) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_UNSUPPORTED,
			    _("unknown HL7 message type %d"), (gint)type);
		return NULL;
	}
	if (type == NHIP_EXPORT_HL7_ORU_R01 && visit == NULL) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    _("an ORU^R01 message reports a visit; none was given"));
		return NULL;
	}
	message = nhip_hl7_message_new();
	if (!export_msh(message, type, facility, options, error))
		return NULL;
	switch (type) {
	case NHIP_EXPORT_HL7_ORU_R01:
		if (!export_pid(message, facility, patient, error) ||
		    !export_pv1(message, facility, visit, error) ||
		    !export_oru_body(message, facility, visit, observations, error))
			return NULL;
		break;
	case NHIP_EXPORT_HL7_ADT_A04:
	case NHIP_EXPORT_HL7_ADT_A08:
		if (!export_evn(message, type, patient, visit, options, error) ||
		    !export_pid(message, facility, patient, error) ||
		    !export_nk1(message, patient, error) ||
		    !export_pv1(message, facility, visit, error) ||
		    (visit != NULL && !export_dg1(message, visit, error)) ||
		    !export_in1(message, patient, error))
			return NULL;
		break;
	default:
		g_assert_not_reached();
	}
	return g_steal_pointer(&message);
}

/**
 * nhip_export_hl7_visit:
 * @store: the store
 * @visit_id: a visit
 * @type: %NHIP_EXPORT_HL7_ORU_R01 for its vital signs, or an ADT event for its patient
 * @options: (nullable): control id, time and receiver
 * @error: return location for a #GError
 *
 * Reads the facility, the visit, its patient and (for ORU^R01) its observations, and
 * builds the message with nhip_export_hl7_build().
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with %NHIP_STORE_ERROR (no
 *   such visit, no facility set) or %NHIP_EXPORT_ERROR
 */
NhipHl7Message *
nhip_export_hl7_visit(NhipStore *store,
		      gint64 visit_id,
		      NhipExportHl7Type type,
		      const NhipExportHl7Options *options,
		      GError **error)
{
	g_autoptr(NhipFacility) facility = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(GPtrArray) observations = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_store_visit_get_records(store, visit_id, &facility, &visit, &patient,
					  type == NHIP_EXPORT_HL7_ORU_R01 ? &observations : NULL,
					  error))
		return NULL;
	return nhip_export_hl7_build(type, facility, patient, visit, observations, options, error);
}

/**
 * nhip_export_hl7_patient:
 * @store: the store
 * @patient_id: a patient
 * @type: %NHIP_EXPORT_HL7_ADT_A04 or %NHIP_EXPORT_HL7_ADT_A08
 * @options: (nullable): control id, time and receiver
 * @error: return location for a #GError
 *
 * Builds an ADT message for a patient outside any visit (PV1-2 is `N`).
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with %NHIP_STORE_ERROR or
 *   %NHIP_EXPORT_ERROR
 */
NhipHl7Message *
nhip_export_hl7_patient(NhipStore *store,
			gint64 patient_id,
			NhipExportHl7Type type,
			const NhipExportHl7Options *options,
			GError **error)
{
	g_autoptr(NhipFacility) facility = NULL;
	g_autoptr(NhipPatient) patient = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (type == NHIP_EXPORT_HL7_ORU_R01) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_UNSUPPORTED,
				    _("an ORU^R01 message reports a visit, not a patient"));
		return NULL;
	}
	facility = nhip_store_facility_get(store, error);
	if (facility == NULL)
		return NULL;
	patient = nhip_store_patient_get(store, patient_id, error);
	if (patient == NULL)
		return NULL;
	return nhip_export_hl7_build(type, facility, patient, NULL, NULL, options, error);
}
