/*
 * nhipctl — the QĐ 130 claim commands: `export xml130`, `validate xml130`, and recording
 * what a claim needs (`claim settings`, `user license`, `visit claim`, `visit service`,
 * `visit appointment`, `visit refer`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "nhip-export-xml130.h"
#include "nhip-json.h"
#include "nhip-store-claims.h"
#include "nhip-validate.h"
#include "nhip-xml130-validate.h"
#include "nhipctl-private.h"

/* the largest file `validate xml130` reads */
#define VALIDATE_MAX_BYTES (256 * 1024 * 1024)

/* export errors list their problems one per line: print every line */
static gint
xml130_fail(const GError *error)
{
	if (error->domain == NHIP_EXPORT_ERROR) {
		g_auto(GStrv) lines = g_strsplit(error->message, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++)
			g_printerr("%s%s\n", i == 0 ? "nhipctl: " : "", lines[i]);
		return EXIT_BAD_INPUT;
	}
	if (error->domain == G_FILE_ERROR) {
		g_printerr("nhipctl: %s\n", error->message);
		return error->code == G_FILE_ERROR_NOENT ? EXIT_NOT_FOUND : EXIT_BAD_INPUT;
	}
	return nhipctl_fail(error);
}

static gboolean
xml130_profile(const gchar *text, NhipXml130Profile *profile)
{
	if (text == NULL) {
		*profile = NHIP_XML130_PROFILE_4750;
		return TRUE;
	}
	return nhip_xml130_profile_from_string(text, profile);
}

/* a day YYYY-MM-DD as the Unix time of its local midnight */
static gboolean
xml130_day(const gchar *text, const gchar *what, gint64 *at, GError **error)
{
	g_autofree gchar *date = nhip_validate_date(text, TRUE, error);
	g_autoptr(GDateTime) day = NULL;
	gint y = 0, m = 0, d = 0;

	if (date == NULL) {
		g_prefix_error(error, "%s: ", what);
		return FALSE;
	}
	if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
		return FALSE;
	day = g_date_time_new_local(y, m, d, 0, 0, 0);
	*at = g_date_time_to_unix(day);
	return TRUE;
}

/* writes a file whole or not at all: temporary file, then rename */
static gboolean
xml130_write(const gchar *path, GBytes *bytes, GError **error)
{
	gsize size = 0;
	gconstpointer data = g_bytes_get_data(bytes, &size);

	if (path == NULL || g_strcmp0(path, "-") == 0)
		return nhipctl_write_stdout(data, size, error);
	return g_file_set_contents_full(
		path, data, (gssize)size,
		G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error);
}

/* ----- export xml130 ----- */

static gint
cmd_export_xml130(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipExportXml130) result = NULL;
	g_autofree gchar *visit_text = NULL;
	g_autofree gchar *from_text = NULL;
	g_autofree gchar *to_text = NULL;
	g_autofree gchar *profile_text = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *checkin_out = NULL;
	g_autofree gchar *key = NULL;
	g_autofree gchar *cert = NULL;
	NhipExportXml130Options options = { 0 };
	GOptionEntry entries[] = {
		{ "visit", 0, 0, G_OPTION_ARG_STRING, &visit_text, N_("One closed visit"), "ID" },
		{ "from", 0, 0, G_OPTION_ARG_STRING, &from_text,
		  N_("First day of the period (YYYY-MM-DD)"), "DATE" },
		{ "to", 0, 0, G_OPTION_ARG_STRING, &to_text,
		  N_("Last day of the period, included (YYYY-MM-DD)"), "DATE" },
		{ "profile", 0, 0, G_OPTION_ARG_STRING, &profile_text,
		  N_("Field sizes: 4750 (the default) or 3176"), "P" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		  N_("Write the GIAMDINHHS envelope here (default: standard output)"), "FILE" },
		{ "checkin-out", 0, 0, G_OPTION_ARG_FILENAME, &checkin_out,
		  N_("Also write the check-in document here"), "FILE" },
		{ "sign-key", 0, 0, G_OPTION_ARG_FILENAME, &key,
		  N_("Sign with this private key (PEM)"), "KEY.pem" },
		{ "sign-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert,
		  N_("The key's certificate (PEM)"), "CERT.pem" },
		{ NULL },
	};
	const gchar *usage = _("usage: nhipctl export xml130 (--visit ID | --from DATE --to DATE) "
			       "[--profile 4750|3176] [--out FILE] [--checkin-out FILE] "
			       "[--sign-key KEY.pem --sign-cert CERT.pem]");

	if (!nhipctl_parse("", _("Write visits as the QĐ 130 XML of an insurance claim."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1 || (visit_text == NULL) == (from_text == NULL && to_text == NULL) ||
	    (from_text == NULL) != (to_text == NULL))
		return nhipctl_usage_error(usage);
	if ((key == NULL) != (cert == NULL))
		return nhipctl_usage_error(_("give --sign-key and --sign-cert together"));
	if (!xml130_profile(profile_text, &options.profile))
		return nhipctl_usage_error(_("--profile must be 4750 or 3176"));
	options.sign_key = key;
	options.sign_cert = cert;
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (visit_text != NULL) {
		gint64 id = 0;
		if (!nhipctl_parse_id(visit_text, _("visit id"), &id, &error))
			return nhipctl_fail(error);
		result = nhip_export_xml130_visit(store, id, &options, &error);
	} else {
		gint64 from = 0, to = 0;
		if (!xml130_day(from_text, "--from", &from, &error) ||
		    !xml130_day(to_text, "--to", &to, &error))
			return nhipctl_fail(error);
		if (to < from)
			return nhipctl_usage_error(_("--to must not be before --from"));
		/* the last day is included */
		result = nhip_export_xml130_range(store, from, to + 86400, &options, &error);
	}
	if (result == NULL)
		return xml130_fail(error);
	for (guint i = 0; i < result->notes->len; i++)
		g_printerr(_("nhipctl: note: %s\n"), (const gchar *)result->notes->pdata[i]);
	if (!xml130_write(out, result->envelope, &error))
		return xml130_fail(error);
	if (checkin_out != NULL) {
		if (result->checkin == NULL)
			g_printerr(_("nhipctl: no visit has a charge to check in; %s was not "
				     "written\n"),
				   checkin_out);
		else if (!xml130_write(checkin_out, result->checkin, &error))
			return xml130_fail(error);
	}
	if (out != NULL && g_strcmp0(out, "-") != 0) {
		g_printerr(g_dngettext(GETTEXT_PACKAGE, "exported %u visit to %s\n",
				       "exported %u visits to %s\n", result->n_visits),
			   result->n_visits, out);
	}
	if (result->n_open > 0)
		g_printerr(g_dngettext(GETTEXT_PACKAGE,
				       "nhipctl: %u visit of the period is still open and was "
				       "left out\n",
				       "nhipctl: %u visits of the period are still open and were "
				       "left out\n",
				       result->n_open),
			   result->n_open);
	return EXIT_OK;
}

/* ----- validate xml130 ----- */

static gint
cmd_validate_xml130(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) violations = NULL;
	g_autoptr(GMappedFile) file = NULL;
	g_autofree gchar *profile_text = NULL;
	g_autofree gchar *trusted = NULL;
	NhipXml130Profile profile = NHIP_XML130_PROFILE_4750;
	guint n_errors;
	guint n_warnings;
	GOptionEntry entries[] = {
		{ "profile", 0, 0, G_OPTION_ARG_STRING, &profile_text,
		  N_("Field sizes: 4750 (the default) or 3176"), "P" },
		{ "trusted-cert", 0, 0, G_OPTION_ARG_FILENAME, &trusted,
		  N_("Also verify the signature, trusting this certificate (PEM)"), "CERT.pem" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &global->json, N_("Print JSON"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("FILE", _("Check a QĐ 130 envelope or check-in document."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl validate xml130 FILE [--profile "
					     "4750|3176] [--trusted-cert CERT.pem] [--json]"));
	if (!xml130_profile(profile_text, &profile))
		return nhipctl_usage_error(_("--profile must be 4750 or 3176"));
	file = g_mapped_file_new(argv[1], FALSE, &error);
	if (file == NULL)
		return xml130_fail(error);
	if (g_mapped_file_get_length(file) > VALIDATE_MAX_BYTES) {
		g_printerr(_("nhipctl: %s is larger than %d MiB; split the export\n"), argv[1],
			   VALIDATE_MAX_BYTES / (1024 * 1024));
		return EXIT_BAD_INPUT;
	}
	violations = nhip_xml130_validate((const guint8 *)g_mapped_file_get_contents(file),
					  g_mapped_file_get_length(file), profile, NULL);
	if (trusted != NULL) {
		g_autoptr(GBytes) bytes = g_bytes_new_static(g_mapped_file_get_contents(file),
							     g_mapped_file_get_length(file));
		g_autoptr(GError) error_signature = NULL;
		if (!nhip_export_xml130_verify(bytes, trusted, &error_signature)) {
			NhipXml130Violation *violation = g_new0(NhipXml130Violation, 1);
			violation->severity = NHIP_XML130_SEVERITY_ERROR;
			violation->path = g_strdup("CHUKYDONVI/Signature");
			violation->message = g_strdup(error_signature->message);
			g_ptr_array_add(violations, violation);
		}
	}
	n_errors = nhip_xml130_violations_count(violations, NHIP_XML130_SEVERITY_ERROR);
	n_warnings = nhip_xml130_violations_count(violations, NHIP_XML130_SEVERITY_WARNING);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "file");
		json_builder_add_string_value(builder, argv[1]);
		json_builder_set_member_name(builder, "profile");
		json_builder_add_string_value(builder, nhip_xml130_profile_to_string(profile));
		json_builder_set_member_name(builder, "valid");
		json_builder_add_boolean_value(builder, n_errors == 0);
		json_builder_set_member_name(builder, "errors");
		json_builder_add_int_value(builder, n_errors);
		json_builder_set_member_name(builder, "warnings");
		json_builder_add_int_value(builder, n_warnings);
		json_builder_set_member_name(builder, "violations");
		json_builder_begin_array(builder);
		for (guint i = 0; i < violations->len; i++) {
			const NhipXml130Violation *violation = violations->pdata[i];
			json_builder_begin_object(builder);
			json_builder_set_member_name(builder, "severity");
			json_builder_add_string_value(
				builder, violation->severity == NHIP_XML130_SEVERITY_ERROR
						 ? "error"
						 : "warning");
			json_builder_set_member_name(builder, "path");
			json_builder_add_string_value(builder, violation->path);
			json_builder_set_member_name(builder, "message");
			json_builder_add_string_value(builder, violation->message);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	} else {
		for (guint i = 0; i < violations->len; i++) {
			const NhipXml130Violation *violation = violations->pdata[i];
			if (violation->severity == NHIP_XML130_SEVERITY_ERROR)
				g_print("%s: %s\n", violation->path, violation->message);
			else
				g_print(_("%s: warning: %s\n"), violation->path,
					violation->message);
		}
		if (n_errors == 0)
			g_print(_("%s: valid (QĐ %s), %u warnings\n"), argv[1],
				nhip_xml130_profile_to_string(profile), n_warnings);
		else
			g_print(_("%s: not valid (QĐ %s): %u errors, %u warnings\n"), argv[1],
				nhip_xml130_profile_to_string(profile), n_errors, n_warnings);
	}
	return n_errors == 0 ? EXIT_OK : EXIT_BAD_INPUT;
}

/* ----- recording what a claim needs ----- */

static gint
cmd_claim_settings(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipClaimSettings) current = NULL;
	g_autofree gchar *department = NULL;
	g_autofree gchar *director = NULL;
	g_autofree gchar *director_license = NULL;
	GOptionEntry entries[] = {
		{ "department", 0, 0, G_OPTION_ARG_STRING, &department,
		  N_("Department code MA_KHOA (e.g. K01)"), "CODE" },
		{ "director-code", 0, 0, G_OPTION_ARG_STRING, &director,
		  N_("BHXH number of the head of the facility (MA_TTDV, QĐ 4750)"), "NUMBER" },
		{ "director-license", 0, 0, G_OPTION_ARG_STRING, &director_license,
		  N_("Licence number of the head of the facility (MA_TTDV, QĐ 3176)"), "NUMBER" },
		{ NULL },
	};

	if (!nhipctl_parse("", _("Set or show the facility's claim settings."), entries, &argc,
			   &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1)
		return nhipctl_usage_error(
			_("usage: nhipctl claim settings [--department CODE] "
			  "[--director-code NUMBER] [--director-license NUMBER]"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	current = nhip_store_claim_settings_get(store, NULL);
	if (department != NULL || director != NULL || director_license != NULL) {
		NhipClaimSettings settings = { 0 };
		settings.department_code = department != NULL ? department
					   : current != NULL  ? current->department_code
							      : NULL;
		settings.director_code = director != NULL  ? director
					 : current != NULL ? current->director_code
							   : NULL;
		settings.director_license = director_license != NULL ? director_license
					    : current != NULL	     ? current->director_license
								     : NULL;
		if (!nhip_store_claim_settings_set(store, &settings, &error))
			return nhipctl_fail(error);
		g_clear_pointer(&current, nhip_claim_settings_free);
		current = nhip_store_claim_settings_get(store, &error);
	}
	if (current == NULL) {
		if (error == NULL)
			current = nhip_store_claim_settings_get(store, &error);
		return nhipctl_fail(error);
	}
	g_print(_("department (MA_KHOA): %s\n"), current->department_code);
	g_print(_("head of the facility, BHXH number (MA_TTDV, QĐ 4750): %s\n"),
		current->director_code != NULL ? current->director_code : _("not set"));
	g_print(_("head of the facility, licence number (MA_TTDV, QĐ 3176): %s\n"),
		current->director_license != NULL ? current->director_license : _("not set"));
	return EXIT_OK;
}

static gint
cmd_user_license(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autofree gchar *license = NULL;
	gint64 id = 0;
	GOptionEntry entries[] = {
		{ "license", 0, 0, G_OPTION_ARG_STRING, &license,
		  N_("Practising-licence number (empty to remove)"), "NUMBER" },
		{ NULL },
	};

	if (!nhipctl_parse("ID", _("Record a staff member's practising-licence number."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || license == NULL)
		return nhipctl_usage_error(_("usage: nhipctl user license ID --license NUMBER"));
	if (!nhipctl_parse_id(argv[1], _("staff id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (!nhip_store_staff_set_license(store, id, license, &error))
		return nhipctl_fail(error);
	return EXIT_OK;
}

static gint
cmd_visit_claim(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipVisitClaim) claim = NULL;
	g_autofree gchar *care_type = NULL;
	g_autofree gchar *category = NULL;
	g_autofree gchar *diagnosis = NULL;
	g_autofree gchar *treatment = NULL;
	g_autofree gchar *referred_from = NULL;
	gint outcome = 0;
	gint64 id = 0;
	GOptionEntry entries[] = {
		{ "care-type", 0, 0, G_OPTION_ARG_STRING, &care_type,
		  N_("MA_LOAI_KCB: 01 examination … 06 treatment at the station … 10"), "CODE" },
		{ "category", 0, 0, G_OPTION_ARG_STRING, &category, N_("MA_DOITUONG_KCB, e.g. 1.1"),
		  "CODE" },
		{ "diagnosis-text", 0, 0, G_OPTION_ARG_STRING, &diagnosis,
		  N_("The diagnoses in words"), "TEXT" },
		{ "treatment", 0, 0, G_OPTION_ARG_STRING, &treatment, N_("The treatment given"),
		  "TEXT" },
		{ "referred-from", 0, 0, G_OPTION_ARG_STRING, &referred_from,
		  N_("Code of the facility that sent the patient"), "CODE" },
		{ "outcome", 0, 0, G_OPTION_ARG_INT, &outcome, N_("KET_QUA_DTRI, 1 to 8"), "N" },
		{ NULL },
	};

	if (!nhipctl_parse("VISIT_ID",
			   _("Record a visit's claim details (what is not given is "
			     "kept)."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl visit claim VISIT_ID [--care-type "
					     "CODE] [--category CODE] [--diagnosis-text TEXT] "
					     "[--treatment TEXT] [--referred-from CODE] "
					     "[--outcome N]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	claim = nhip_store_visit_claim_get(store, id, &error);
	if (claim == NULL)
		return nhipctl_fail(error);
	if (care_type != NULL) {
		g_free(claim->care_type);
		claim->care_type = g_steal_pointer(&care_type);
	}
	if (category != NULL) {
		g_free(claim->category);
		claim->category = g_steal_pointer(&category);
	}
	if (diagnosis != NULL) {
		g_free(claim->diagnosis_text);
		claim->diagnosis_text = g_steal_pointer(&diagnosis);
	}
	if (treatment != NULL) {
		g_free(claim->treatment);
		claim->treatment = g_steal_pointer(&treatment);
	}
	if (referred_from != NULL) {
		g_free(claim->referred_from);
		claim->referred_from = g_steal_pointer(&referred_from);
	}
	if (outcome != 0)
		claim->outcome = outcome;
	if (!nhip_store_visit_claim_set(store, claim, &error))
		return nhipctl_fail(error);
	return EXIT_OK;
}

static gboolean
xml130_money(const gchar *text, const gchar *what, gint64 *value, GError **error)
{
	guint64 number = 0;
	if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 0, 999999999999, &number, NULL)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("%s “%s” must be a whole amount of đồng"), what,
			    text != NULL ? text : "");
		return FALSE;
	}
	*value = (gint64)number;
	return TRUE;
}

static gint
cmd_visit_service(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipVisitService) service = NULL;
	g_autofree gchar *code = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *unit = NULL;
	g_autofree gchar *price = NULL;
	g_autofree gchar *price_bh = NULL;
	g_autofree gchar *staff = NULL;
	gdouble quantity = 1;
	gint group = NHIP_CLAIM_COST_GROUP_EXAM;
	gint scope = 1;
	gint64 id = 0;
	gint64 new_id;
	GOptionEntry entries[] = {
		{ "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("Service code MA_DICH_VU"), "CODE" },
		{ "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Service name"), "NAME" },
		{ "price", 0, 0, G_OPTION_ARG_STRING, &price, N_("Price in đồng"), "P" },
		{ "price-bh", 0, 0, G_OPTION_ARG_STRING, &price_bh,
		  N_("Price the insurance pays (default: --price)"), "P" },
		{ "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("Unit (default: Lần)"), "U" },
		{ "quantity", 0, 0, G_OPTION_ARG_DOUBLE, &quantity, N_("Quantity (default 1)"),
		  "N" },
		{ "group", 0, 0, G_OPTION_ARG_INT, &group,
		  N_("Cost group MA_NHOM (default 13, examination)"), "N" },
		{ "scope", 0, 0, G_OPTION_ARG_INT, &scope,
		  N_("PHAM_VI: 1 in the benefit (default), 2 outside, 3 outside but paid"), "N" },
		{ "staff", 0, 0, G_OPTION_ARG_STRING, &staff, N_("Staff id of who gave it"), "ID" },
		{ NULL },
	};

	if (!nhipctl_parse("VISIT_ID", _("Add a charged service to a visit; prints its id."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || code == NULL || name == NULL || price == NULL)
		return nhipctl_usage_error(
			_("usage: nhipctl visit service VISIT_ID --code CODE "
			  "--name NAME --price P [--price-bh P] [--unit U] "
			  "[--quantity N] [--group N] [--scope N] [--staff ID]"));
	service = nhip_visit_service_new(0);
	if (!nhipctl_parse_id(argv[1], _("visit id"), &service->visit_id, &error) ||
	    !xml130_money(price, "--price", &service->price_hospital, &error) ||
	    !xml130_money(price_bh != NULL ? price_bh : price, "--price-bh",
			  &service->price_insurance, &error) ||
	    (staff != NULL && !nhipctl_parse_id(staff, _("staff id"), &id, &error)))
		return nhipctl_fail(error);
	service->code = g_steal_pointer(&code);
	service->name = g_steal_pointer(&name);
	service->unit = unit != NULL ? g_steal_pointer(&unit) : g_strdup("Lần");
	service->quantity = quantity;
	service->cost_group = group;
	service->scope = scope;
	service->staff_id = id;
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	new_id = nhip_store_visit_service_add(store, service, &error);
	if (new_id == 0)
		return nhipctl_fail(error);
	g_print("%" PRId64 "\n", new_id);
	return EXIT_OK;
}

static gint
cmd_visit_appointment(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autofree gchar *date = NULL;
	g_autofree gchar *number = NULL;
	g_autofree gchar *staff = NULL;
	NhipAppointment appointment = { 0 };
	GOptionEntry entries[] = {
		{ "date", 0, 0, G_OPTION_ARG_STRING, &date, N_("Day of the next visit"),
		  "YYYY-MM-DD" },
		{ "number", 0, 0, G_OPTION_ARG_STRING, &number, N_("Number of the paper"), "N" },
		{ "staff", 0, 0, G_OPTION_ARG_STRING, &staff, N_("Staff id of the doctor"), "ID" },
		{ NULL },
	};

	if (!nhipctl_parse("VISIT_ID", _("Record the appointment paper of a visit."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || date == NULL || number == NULL)
		return nhipctl_usage_error(_("usage: nhipctl visit appointment VISIT_ID --date "
					     "YYYY-MM-DD --number N [--staff ID]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &appointment.visit_id, &error) ||
	    (staff != NULL &&
	     !nhipctl_parse_id(staff, _("staff id"), &appointment.staff_id, &error)))
		return nhipctl_fail(error);
	appointment.date = date;
	appointment.number = number;
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (!nhip_store_visit_appointment_set(store, &appointment, &error))
		return nhipctl_fail(error);
	return EXIT_OK;
}

static gint
cmd_visit_refer(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autofree gchar *to = NULL;
	g_autofree gchar *number = NULL;
	g_autofree gchar *signs = NULL;
	g_autofree gchar *course = NULL;
	g_autofree gchar *results = NULL;
	g_autofree gchar *direction = NULL;
	g_autofree gchar *transport = NULL;
	g_autofree gchar *escort = NULL;
	g_autofree gchar *escort_title = NULL;
	g_autofree gchar *staff = NULL;
	NhipReferral referral = { 0 };
	GOptionEntry entries[] = {
		{ "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Code of the facility referred to"),
		  "CODE" },
		{ "number", 0, 0, G_OPTION_ARG_STRING, &number, N_("Number of the paper"), "N" },
		{ "reason", 0, 0, G_OPTION_ARG_INT, &referral.reason,
		  N_("1 meets the rules (default), 2 beyond the station, 3 patient's request"),
		  "N" },
		{ "signs", 0, 0, G_OPTION_ARG_STRING, &signs, N_("Clinical signs"), "TEXT" },
		{ "course", 0, 0, G_OPTION_ARG_STRING, &course, N_("Course of the illness"),
		  "TEXT" },
		{ "results", 0, 0, G_OPTION_ARG_STRING, &results, N_("Summary of results"),
		  "TEXT" },
		{ "direction", 0, 0, G_OPTION_ARG_STRING, &direction, N_("Advised treatment"),
		  "TEXT" },
		{ "transport", 0, 0, G_OPTION_ARG_STRING, &transport, N_("Means of transport"),
		  "TEXT" },
		{ "escort", 0, 0, G_OPTION_ARG_STRING, &escort, N_("Who goes with the patient"),
		  "NAME" },
		{ "escort-title", 0, 0, G_OPTION_ARG_STRING, &escort_title, N_("Their title"),
		  "TEXT" },
		{ "staff", 0, 0, G_OPTION_ARG_STRING, &staff, N_("Staff id of the doctor"), "ID" },
		{ NULL },
	};

	referral.reason = 1;
	if (!nhipctl_parse("VISIT_ID", _("Record the referral paper of a visit."), entries, &argc,
			   &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || to == NULL || number == NULL)
		return nhipctl_usage_error(_("usage: nhipctl visit refer VISIT_ID --to CODE "
					     "--number N [--reason 1|2|3] [--signs T] [--course T] "
					     "[--results T] [--direction T] [--transport T] "
					     "[--escort NAME] [--escort-title T] [--staff ID]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &referral.visit_id, &error) ||
	    (staff != NULL && !nhipctl_parse_id(staff, _("staff id"), &referral.staff_id, &error)))
		return nhipctl_fail(error);
	referral.to_facility = to;
	referral.number = number;
	referral.signs = signs;
	referral.course = course;
	referral.results = results;
	referral.direction = direction;
	referral.transport = transport;
	referral.escort_name = escort;
	referral.escort_title = escort_title;
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (!nhip_store_visit_referral_set(store, &referral, &error))
		return nhipctl_fail(error);
	return EXIT_OK;
}

const NhipctlCommand nhipctl_xml130_commands[] = {
	{ "export", "xml130",
	  "(--visit ID | --from D --to D) [--profile 4750|3176] [--out F] [--sign-key K "
	  "--sign-cert C]",
	  N_("write visits as QĐ 130 claim XML"), cmd_export_xml130 },
	{ "validate", "xml130", "FILE [--profile 4750|3176] [--trusted-cert C] [--json]",
	  N_("check a QĐ 130 XML file"), cmd_validate_xml130 },
	{ "claim", "settings", "[--department C] [--director-code N] [--director-license N]",
	  N_("set the facility's claim settings"), cmd_claim_settings },
	{ "user", "license", "ID --license NUMBER", N_("record a practising-licence number"),
	  cmd_user_license },
	{ "visit", "claim", "ID [--care-type C] [--category C] [--diagnosis-text T] ...",
	  N_("record a visit's claim details"), cmd_visit_claim },
	{ "visit", "service", "ID --code C --name N --price P [...]",
	  N_("add a charged service to a visit"), cmd_visit_service },
	{ "visit", "appointment", "ID --date D --number N", N_("record an appointment paper"),
	  cmd_visit_appointment },
	{ "visit", "refer", "ID --to CODE --number N [...]", N_("record a referral paper"),
	  cmd_visit_refer },
	{ NULL },
};
