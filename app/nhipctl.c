/*
 * nhipctl — the station's command-line tool for technicians and scripts.
 *
 * Exit codes: 0 ok, 2 usage, 3 bad input, 4 not found, 5 storage error. Every error is
 * one line on standard error, and a command that fails leaves the database as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "nhip-codes.h"
#include "nhip-demo.h"
#include "nhip-json.h"
#include "nhip-openssl.h"
#include "nhip-store.h"
#include "nhip-text.h"
#include "nhip-validate.h"
#include "nhipctl-private.h"

gint
nhipctl_usage_error(const gchar *message)
{
	g_printerr("nhipctl: %s\n", message);
	return EXIT_USAGE;
}

/* print one error line and map its domain and code to an exit code */
gint
nhipctl_fail(const GError *error)
{
	nhip_cli_print_error("nhipctl", error->message);
	if (error->domain == G_OPTION_ERROR)
		return EXIT_USAGE;
	if (error->domain == NHIP_VITAL_ERROR)
		return EXIT_BAD_INPUT;
	if (error->domain == NHIP_STORE_ERROR) {
		switch ((NhipStoreError)error->code) {
		case NHIP_STORE_ERROR_INVALID:
		case NHIP_STORE_ERROR_CONFLICT:
		case NHIP_STORE_ERROR_WRONG_PIN:
		case NHIP_STORE_ERROR_LOCKED:
			return EXIT_BAD_INPUT;
		case NHIP_STORE_ERROR_NOT_FOUND:
			return EXIT_NOT_FOUND;
		case NHIP_STORE_ERROR_TOO_NEW:
		case NHIP_STORE_ERROR_CORRUPT:
		case NHIP_STORE_ERROR_FAILED:
		default:
			return EXIT_STORAGE;
		}
	}
	return EXIT_STORAGE;
}

gboolean
nhipctl_parse_id(const gchar *text, const gchar *what, gint64 *id, GError **error)
{
	guint64 value = 0;

	if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &value, NULL)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("%s “%s” must be a positive whole number"), what,
			    text != NULL ? text : "");
		return FALSE;
	}
	*id = (gint64)value;
	return TRUE;
}

NhipStore *
nhipctl_open(NhipctlGlobal *global, gboolean create, GError **error)
{
	if (!create && !g_file_test(global->db_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("there is no station database at %s; run “nhipctl init” first or "
			      "give the right --db"),
			    global->db_path);
		return NULL;
	}
	return nhip_store_open(global->db_path, error);
}

/* pad to a width in characters, not bytes: names are UTF-8 */
gchar *
nhipctl_pad(const gchar *text, glong width)
{
	glong len = text != NULL ? g_utf8_strlen(text, -1) : 0;
	g_autofree gchar *spaces = g_strnfill(len < width ? (gsize)(width - len) : 0, ' ');
	return g_strconcat(text != NULL ? text : "", spaces, NULL);
}

/* writes all of @data to standard output */
gboolean
nhipctl_write_stdout(const gchar *data, gsize length, GError **error)
{
	if ((length > 0 && fwrite(data, 1, length, stdout) != length) || fflush(stdout) != 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot write to standard output: %s"), g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

void
nhipctl_print_json(JsonBuilder *builder)
{
	g_autofree gchar *text = nhip_json_to_string(builder, TRUE);
	g_print("%s\n", text);
}

/* ----- init ----- */

static gint
cmd_init(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *code = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *commune = NULL;
	g_autofree gchar *district = NULL;
	g_autofree gchar *province = NULL;
	g_autofree gchar *address = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	GOptionEntry entries[] = {
		{ "facility-code", 0, 0, G_OPTION_ARG_STRING, &code, N_("Facility code (MA_CSKCB)"),
		  "C" },
		{ "facility-name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Facility name"), "N" },
		{ "commune-code", 0, 0, G_OPTION_ARG_STRING, &commune, N_("Commune code"), "C" },
		{ "district-code", 0, 0, G_OPTION_ARG_STRING, &district, N_("District code"), "C" },
		{ "province-code", 0, 0, G_OPTION_ARG_STRING, &province, N_("Province code"), "C" },
		{ "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("Postal address"), "A" },
		{ NULL }
	};

	if (!nhipctl_parse("", _("Create or update the station database."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc > 1)
		return nhipctl_usage_error(_("init takes no arguments"));
	if ((code == NULL) != (name == NULL))
		return nhipctl_usage_error(_("give --facility-code and --facility-name together"));
	/* check what was typed before a file is made */
	if (code != NULL && !nhip_validate_facility_code(code, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, TRUE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (code != NULL) {
		g_autoptr(NhipFacility) facility = nhip_facility_new(code, name);
		facility->commune_code = g_steal_pointer(&commune);
		facility->district_code = g_steal_pointer(&district);
		facility->province_code = g_steal_pointer(&province);
		facility->address = g_steal_pointer(&address);
		if (!nhip_store_facility_set(store, facility, &error))
			return nhipctl_fail(error);
	}
	g_print(_("station database ready at %s (schema version %d)\n"), nhip_store_get_path(store),
		nhip_store_get_schema_version(store));
	return EXIT_OK;
}

/* ----- users ----- */

static gint
cmd_user_add(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *name = NULL;
	g_autofree gchar *role_text = NULL;
	g_autofree gchar *pin = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	NhipRole role;
	gint64 id;
	GOptionEntry entries[] = {
		{ "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Display name"), "N" },
		{ "role", 0, 0, G_OPTION_ARG_STRING, &role_text, N_("staff, doctor or technician"),
		  "R" },
		{ "pin", 0, 0, G_OPTION_ARG_STRING, &pin, N_("PIN of 4 to 8 digits"), "P" },
		{ NULL }
	};

	if (!nhipctl_parse("", _("Add a staff account."), entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (name == NULL || role_text == NULL || pin == NULL || argc > 1)
		return nhipctl_usage_error(_("usage: nhipctl user add --name N --role R --pin P"));
	if (!nhip_role_from_string(role_text, &role, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	id = nhip_store_staff_add(store, name, role, pin, &error);
	if (id == 0)
		return nhipctl_fail(error);
	g_print("%" PRId64 "\n", id);
	return EXIT_OK;
}

static gint
cmd_user_list(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GPtrArray) staff = NULL;
	GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("", _("List staff accounts."), entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1)
		return nhipctl_usage_error(_("user list takes no arguments"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	staff = nhip_store_staff_list(store, &error);
	if (staff == NULL)
		return nhipctl_fail(error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_array(builder);
		for (guint i = 0; i < staff->len; i++)
			nhip_staff_to_json(g_ptr_array_index(staff, i), builder);
		json_builder_end_array(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	for (guint i = 0; i < staff->len; i++) {
		NhipStaff *s = g_ptr_array_index(staff, i);
		const gchar *state = "";
		if (!s->active)
			state = _(" (switched off)");
		else if (s->locked_until > g_get_real_time() / G_USEC_PER_SEC)
			state = _(" (locked)");
		g_print("%4" PRId64 "  %-11s %s%s\n", s->id, nhip_role_to_string(s->role), s->name,
			state);
	}
	return EXIT_OK;
}

static gint
cmd_user_pin(NhipctlGlobal *global, gint argc, gchar **argv, const gchar *verb)
{
	g_autofree gchar *pin = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	gint64 id = 0;
	gboolean ok;
	GOptionEntry entries[] = { { "pin", 0, 0, G_OPTION_ARG_STRING, &pin, N_("PIN"), "P" },
				   { NULL } };
	GOptionEntry no_entries[] = { { NULL } };
	gboolean wants_pin = g_strcmp0(verb, "unlock") != 0;

	if (!nhipctl_parse("ID", "", wants_pin ? entries : no_entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || (wants_pin && pin == NULL))
		return nhipctl_usage_error(
			wants_pin ? _("usage: nhipctl user login|set-pin ID --pin P")
				  : _("usage: nhipctl user unlock ID"));
	if (!nhipctl_parse_id(argv[1], _("staff id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (g_strcmp0(verb, "login") == 0)
		ok = nhip_store_staff_login(store, id, pin, &error);
	else if (g_strcmp0(verb, "set-pin") == 0)
		ok = nhip_store_staff_set_pin(store, id, pin, &error);
	else
		ok = nhip_store_staff_unlock(store, id, &error);
	if (!ok)
		return nhipctl_fail(error);
	return EXIT_OK;
}

static gint
cmd_user_login(NhipctlGlobal *global, gint argc, gchar **argv)
{
	return cmd_user_pin(global, argc, argv, "login");
}

static gint
cmd_user_set_pin(NhipctlGlobal *global, gint argc, gchar **argv)
{
	return cmd_user_pin(global, argc, argv, "set-pin");
}

static gint
cmd_user_unlock(NhipctlGlobal *global, gint argc, gchar **argv)
{
	return cmd_user_pin(global, argc, argv, "unlock");
}

/* ----- patients ----- */

typedef struct {
	gchar *name;
	gchar *dob;
	gchar *sex;
	gchar *cccd;
	gchar *bhyt;
	gchar *bhyt_from;
	gchar *bhyt_to;
	gchar *bhyt_facility;
	gchar *phone;
	gchar *ethnicity;
	gchar *address;
	gchar *province;
	gchar *district;
	gchar *commune;
	gchar *guardian;
	gchar *guardian_phone;
	gchar *guardian_relation;
} PatientArgs;

static void
patient_args_clear(PatientArgs *args)
{
	g_free(args->name);
	g_free(args->dob);
	g_free(args->sex);
	g_free(args->cccd);
	g_free(args->bhyt);
	g_free(args->bhyt_from);
	g_free(args->bhyt_to);
	g_free(args->bhyt_facility);
	g_free(args->phone);
	g_free(args->ethnicity);
	g_free(args->address);
	g_free(args->province);
	g_free(args->district);
	g_free(args->commune);
	g_free(args->guardian);
	g_free(args->guardian_phone);
	g_free(args->guardian_relation);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PatientArgs, patient_args_clear)

#define PATIENT_ENTRIES(a)                                                                              \
	{ "name", 0, 0, G_OPTION_ARG_STRING, &(a).name, N_("Full name"), "N" },                         \
		{ "dob", 0, 0, G_OPTION_ARG_STRING, &(a).dob, N_("Birth date YYYY-MM-DD, or year"),     \
		  "D" },                                                                                \
		{ "sex", 0, 0, G_OPTION_ARG_STRING, &(a).sex, N_("male or female"), "S" },              \
		{ "cccd", 0, 0, G_OPTION_ARG_STRING, &(a).cccd, N_("Citizen ID (12 digits)"), "D" },    \
		{ "bhyt", 0, 0, G_OPTION_ARG_STRING, &(a).bhyt, N_("Insurance card number"), "B" },     \
		{ "bhyt-from", 0, 0, G_OPTION_ARG_STRING, &(a).bhyt_from, N_("Card valid from"), "D" }, \
		{ "bhyt-to", 0, 0, G_OPTION_ARG_STRING, &(a).bhyt_to, N_("Card valid to"), "D" },       \
		{ "bhyt-facility",                                                                      \
		  0,                                                                                    \
		  0,                                                                                    \
		  G_OPTION_ARG_STRING,                                                                  \
		  &(a).bhyt_facility,                                                                   \
		  N_("Registered facility on the card"),                                                \
		  "C" },                                                                                \
		{ "phone", 0, 0, G_OPTION_ARG_STRING, &(a).phone, N_("Phone number"), "P" },            \
		{ "ethnicity", 0, 0, G_OPTION_ARG_STRING, &(a).ethnicity, N_("Ethnic group code"),      \
		  "C" },                                                                                \
		{ "address", 0, 0, G_OPTION_ARG_STRING, &(a).address, N_("Address"), "A" },             \
		{ "province-code",     0,  0, G_OPTION_ARG_STRING, &(a).province,                       \
		  N_("Province code"), "C" },                                                           \
		{ "district-code",     0,  0, G_OPTION_ARG_STRING, &(a).district,                       \
		  N_("District code"), "C" },                                                           \
		{ "commune-code", 0, 0, G_OPTION_ARG_STRING, &(a).commune, N_("Commune code"), "C" },   \
		{ "guardian", 0, 0, G_OPTION_ARG_STRING, &(a).guardian, N_("Guardian's name"), "N" },   \
		{ "guardian-phone",	  0,  0, G_OPTION_ARG_STRING, &(a).guardian_phone,              \
		  N_("Guardian's phone"), "P" },                                                        \
	{                                                                                               \
		"guardian-relation", 0, 0, G_OPTION_ARG_STRING, &(a).guardian_relation,                 \
			N_("Guardian's relation, e.g. mẹ"), "R"                                         \
	}

/* put each given option into the patient; an empty string clears an optional field */
static gboolean
patient_apply_args(NhipPatient *patient, PatientArgs *args, GError **error)
{
	struct {
		gchar **src;
		gchar **dst;
	} fields[] = {
		{ &args->name, &patient->full_name },
		{ &args->dob, &patient->birth },
		{ &args->cccd, &patient->cccd },
		{ &args->bhyt, &patient->bhyt },
		{ &args->bhyt_from, &patient->bhyt_valid_from },
		{ &args->bhyt_to, &patient->bhyt_valid_to },
		{ &args->bhyt_facility, &patient->bhyt_facility },
		{ &args->phone, &patient->phone },
		{ &args->ethnicity, &patient->ethnicity },
		{ &args->address, &patient->address },
		{ &args->province, &patient->province_code },
		{ &args->district, &patient->district_code },
		{ &args->commune, &patient->commune_code },
		{ &args->guardian, &patient->guardian_name },
		{ &args->guardian_phone, &patient->guardian_phone },
		{ &args->guardian_relation, &patient->guardian_relation },
	};

	for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
		if (*fields[i].src == NULL)
			continue;
		g_free(*fields[i].dst);
		*fields[i].dst = g_steal_pointer(fields[i].src);
	}
	if (args->sex != NULL && !nhip_validate_sex(args->sex, &patient->sex, error))
		return FALSE;
	return TRUE;
}

static void
patient_print(const NhipPatient *patient)
{
	gint age = nhip_patient_age_years(patient, NULL);
	const gchar *ethnicity = nhip_codes_ethnicity_name(patient->ethnicity);

	g_print(_("Patient %" PRId64 "\n"), patient->id);
	g_print(_("  Name:       %s\n"), patient->full_name);
	if (age >= 0)
		g_print(_("  Born:       %s (age %d)\n"), patient->birth, age);
	g_print(_("  Sex:        %s\n"), nhip_sex_to_string(patient->sex));
	if (ethnicity != NULL)
		g_print(_("  Ethnicity:  %s (%s)\n"), ethnicity, patient->ethnicity);
	if (patient->cccd != NULL)
		g_print(_("  CCCD:       %s\n"), patient->cccd);
	if (patient->bhyt != NULL)
		g_print(_("  BHYT:       %s  %s … %s\n"), patient->bhyt,
			patient->bhyt_valid_from != NULL ? patient->bhyt_valid_from : "?",
			patient->bhyt_valid_to != NULL ? patient->bhyt_valid_to : "?");
	if (patient->phone != NULL)
		g_print(_("  Phone:      %s\n"), patient->phone);
	if (patient->address != NULL)
		g_print(_("  Address:    %s\n"), patient->address);
	if (patient->guardian_name != NULL)
		g_print(_("  Guardian:   %s %s %s\n"), patient->guardian_name,
			patient->guardian_relation != NULL ? patient->guardian_relation : "",
			patient->guardian_phone != NULL ? patient->guardian_phone : "");
}

static gint
cmd_patient_add(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_auto(PatientArgs) args = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	GOptionEntry entries[] = { PATIENT_ENTRIES(args), { NULL } };

	if (!nhipctl_parse("", _("Register a patient; prints the new id."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc > 1 || args.name == NULL || args.dob == NULL || args.sex == NULL)
		return nhipctl_usage_error(
			_("usage: nhipctl patient add --name N --dob YYYY-MM-DD|YYYY "
			  "--sex male|female [--cccd D] [--bhyt B] [--phone P] "
			  "[--ethnicity C] [--address A]"));
	if (!patient_apply_args(patient, &args, &error))
		return nhipctl_fail(error);
	/* validate before opening, so bad input never touches the file */
	if (!nhip_store_patient_check(patient, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (nhip_store_patient_add(store, patient, &error) == 0)
		return nhipctl_fail(error);
	g_print("%" PRId64 "\n", patient->id);
	return EXIT_OK;
}

static gint
cmd_patient_show(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(GPtrArray) visits = NULL;
	gint64 id = 0;
	GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("ID", _("Show a patient and their visits."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl patient show ID [--json]"));
	if (!nhipctl_parse_id(argv[1], _("patient id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	patient = nhip_store_patient_get(store, id, &error);
	if (patient == NULL)
		return nhipctl_fail(error);
	visits = nhip_store_visit_list_for_patient(store, id, &error);
	if (visits == NULL)
		return nhipctl_fail(error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		nhip_patient_to_json(patient, builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	patient_print(patient);
	g_print(_("  Visits:     %u\n"), visits->len);
	for (guint i = 0; i < visits->len; i++) {
		NhipVisit *visit = g_ptr_array_index(visits, i);
		g_autofree gchar *when = nhip_format_time(visit->opened_at);
		g_print("    %" PRId64 "  %.16s  %-6s %s\n", visit->id, when,
			nhip_visit_status_to_string(visit->status),
			visit->reason != NULL ? visit->reason : "");
	}
	return EXIT_OK;
}

static gint
cmd_patient_edit(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_auto(PatientArgs) args = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	gint64 id = 0;
	GOptionEntry entries[] = { PATIENT_ENTRIES(args), { NULL } };

	if (!nhipctl_parse("ID",
			   _("Change a patient's fields; an empty value clears an optional field."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl patient edit ID [--name N] [--dob D] "
					     "[--phone P] …"));
	if (!nhipctl_parse_id(argv[1], _("patient id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	patient = nhip_store_patient_get(store, id, &error);
	if (patient == NULL)
		return nhipctl_fail(error);
	if (!patient_apply_args(patient, &args, &error))
		return nhipctl_fail(error);
	if (!nhip_store_patient_update(store, patient, &error))
		return nhipctl_fail(error);
	return EXIT_OK;
}

static gint
cmd_patient_search(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GPtrArray) results = NULL;
	g_autofree gchar *query = NULL;
	gint limit = 20;
	GOptionEntry entries[] = {
		{ "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Most results (default 20)"), "N" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &global->json, N_("Print JSON"), NULL },
		{ NULL }
	};

	if (!nhipctl_parse("QUERY",
			   _("Find patients by name (with or without tone marks), CCCD, BHYT or "
			     "phone."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc < 2)
		return nhipctl_usage_error(
			_("usage: nhipctl patient search QUERY [--limit N] [--json]"));
	if (limit < 1 || limit > 1000)
		return nhipctl_usage_error(_("--limit must be 1 to 1000"));
	query = g_strjoinv(" ", argv + 1);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	results = nhip_store_patient_search(store, query, (guint)limit, &error);
	if (results == NULL)
		return nhipctl_fail(error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_array(builder);
		for (guint i = 0; i < results->len; i++)
			nhip_patient_to_json(g_ptr_array_index(results, i), builder);
		json_builder_end_array(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	for (guint i = 0; i < results->len; i++) {
		NhipPatient *p = g_ptr_array_index(results, i);
		g_autofree gchar *name = nhipctl_pad(p->full_name, 28);
		g_print("%6" PRId64 "  %s %-10s %-6s %-12s %s\n", p->id, name, p->birth,
			nhip_sex_to_string(p->sex), p->cccd != NULL ? p->cccd : "-",
			p->bhyt != NULL ? p->bhyt : "-");
	}
	if (results->len == 0)
		g_printerr(_("no patient matches “%s”\n"), query);
	return EXIT_OK;
}

/* ----- visits ----- */

static gint
cmd_visit_open(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *reason = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	gint64 patient_id = 0;
	gint64 id;
	GOptionEntry entries[] = { { "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
				     N_("Reason for the visit"), "R" },
				   { NULL } };

	if (!nhipctl_parse("PATIENT_ID", _("Open a visit; prints its id."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl visit open PATIENT_ID [--reason R]"));
	if (!nhipctl_parse_id(argv[1], _("patient id"), &patient_id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	id = nhip_store_visit_open(store, patient_id, reason, &error);
	if (id == 0)
		return nhipctl_fail(error);
	g_print("%" PRId64 "\n", id);
	return EXIT_OK;
}

static gint
cmd_visit_show(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autoptr(GPtrArray) observations = NULL;
	g_autoptr(GPtrArray) attachments = NULL;
	g_autofree gchar *opened = NULL;
	g_autofree gchar *closed = NULL;
	gint64 id = 0;
	GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("ID", _("Show a visit with its vital signs."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl visit show ID [--json]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	visit = nhip_store_visit_get(store, id, &error);
	if (visit == NULL)
		return nhipctl_fail(error);
	observations = nhip_store_observation_list(store, id, &error);
	if (observations == NULL)
		return nhipctl_fail(error);
	attachments = nhip_store_attachment_list(store, id, &error);
	if (attachments == NULL)
		return nhipctl_fail(error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "visit");
		nhip_visit_to_json(visit, builder);
		json_builder_set_member_name(builder, "observations");
		json_builder_begin_array(builder);
		for (guint i = 0; i < observations->len; i++)
			nhip_observation_to_json(g_ptr_array_index(observations, i), builder);
		json_builder_end_array(builder);
		json_builder_set_member_name(builder, "attachments");
		json_builder_begin_array(builder);
		for (guint i = 0; i < attachments->len; i++)
			json_builder_add_string_value(builder, g_ptr_array_index(attachments, i));
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	opened = nhip_format_time(visit->opened_at);
	closed = nhip_format_time(visit->closed_at);
	g_print(_("Visit %" PRId64 " (MA_LK %s), %s\n"), visit->id, visit->ma_lk,
		nhip_visit_status_to_string(visit->status));
	g_print(_("  Patient:    %" PRId64 " %s\n"), visit->patient_id, visit->patient_name);
	g_print(_("  Opened:     %s\n"), opened);
	if (closed != NULL)
		g_print(_("  Closed:     %s\n"), closed);
	if (visit->reason != NULL)
		g_print(_("  Reason:     %s\n"), visit->reason);
	if (visit->icd_codes != NULL && visit->icd_codes[0] != NULL) {
		g_autofree gchar *codes = g_strjoinv(", ", visit->icd_codes);
		g_print(_("  Diagnoses:  %s\n"), codes);
	}
	if (visit->notes != NULL)
		g_print(_("  Notes:      %s\n"), visit->notes);
	for (guint i = 0; i < observations->len; i++) {
		NhipObservation *obs = g_ptr_array_index(observations, i);
		const NhipVitalInfo *info = nhip_vital_info(obs->kind);
		g_autofree gchar *value = nhip_observation_format_value(obs);
		g_autofree gchar *when = nhip_format_time(obs->measured_at);
		g_print("  %-18s %-16s %.16s %s%s\n", info != NULL ? _(info->display) : "?", value,
			when, obs->device_id != NULL ? obs->device_id : _("manual"),
			(obs->flags & NHIP_VITAL_FLAG_IMPLAUSIBLE) ? _("  [re-check]") : "");
	}
	for (guint i = 0; i < attachments->len; i++)
		g_print(_("  Attachment: %s\n"), (const gchar *)g_ptr_array_index(attachments, i));
	return EXIT_OK;
}

static gint
cmd_visit_list(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *date = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GPtrArray) visits = NULL;
	g_autoptr(GDateTime) day = NULL;
	g_autoptr(GDateTime) next = NULL;
	GOptionEntry entries[] = { { "date", 0, 0, G_OPTION_ARG_STRING, &date,
				     N_("Day YYYY-MM-DD (default today)"), "D" },
				   { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("", _("List the visits of a day."), entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1)
		return nhipctl_usage_error(
			_("usage: nhipctl visit list [--date YYYY-MM-DD] [--json]"));
	if (date != NULL) {
		g_autofree gchar *checked = nhip_validate_date(date, TRUE, &error);
		gint y = 0, m = 0, d = 0;
		if (checked == NULL)
			return nhipctl_fail(error);
		sscanf(checked, "%d-%d-%d", &y, &m, &d);
		day = g_date_time_new_local(y, m, d, 0, 0, 0);
	} else {
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		day = g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
					    g_date_time_get_day_of_month(now), 0, 0, 0);
	}
	next = g_date_time_add_days(day, 1);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	visits = nhip_store_visit_list(store, g_date_time_to_unix(day), g_date_time_to_unix(next),
				       &error);
	if (visits == NULL)
		return nhipctl_fail(error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_array(builder);
		for (guint i = 0; i < visits->len; i++)
			nhip_visit_to_json(g_ptr_array_index(visits, i), builder);
		json_builder_end_array(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	for (guint i = 0; i < visits->len; i++) {
		NhipVisit *visit = g_ptr_array_index(visits, i);
		g_autoptr(GDateTime) at = g_date_time_new_from_unix_local(visit->opened_at);
		g_autofree gchar *hm = g_date_time_format(at, "%H:%M");
		g_autofree gchar *name = nhipctl_pad(visit->patient_name, 28);
		g_print("%6" PRId64 "  %s  %-6s %s %s\n", visit->id, hm,
			nhip_visit_status_to_string(visit->status), name,
			visit->reason != NULL ? visit->reason : "");
	}
	return EXIT_OK;
}

static gint
cmd_visit_close(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_auto(GStrv) icd = NULL;
	g_autofree gchar *note = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	gint64 id = 0;
	GOptionEntry entries[] = { { "icd", 0, 0, G_OPTION_ARG_STRING_ARRAY, &icd,
				     N_("ICD-10 code (repeat; main first)"), "CODE" },
				   { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("A closing note"),
				     "TEXT" },
				   { NULL } };

	if (!nhipctl_parse("ID", _("Close a visit."), entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(
			_("usage: nhipctl visit close ID [--icd CODE]... [--note TEXT]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (!nhip_store_visit_close(store, id, (const gchar *const *)icd, note, &error))
		return nhipctl_fail(error);
	return EXIT_OK;
}

static gint
cmd_visit_attach(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *mime = NULL;
	g_autofree gchar *sha = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	gint64 id = 0;
	GOptionEntry entries[] = { { "mime", 0, 0, G_OPTION_ARG_STRING, &mime,
				     N_("MIME type (guessed if not given)"), "M" },
				   { NULL } };

	if (!nhipctl_parse("ID FILE", _("Attach a file (a photo) to an open visit."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 3)
		return nhipctl_usage_error(_("usage: nhipctl visit attach ID FILE [--mime M]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	sha = nhip_store_attachment_add(store, id, argv[2], mime, &error);
	if (sha == NULL)
		return nhipctl_fail(error);
	g_print("%s\n", sha);
	return EXIT_OK;
}

/* ----- vitals ----- */

static gboolean
vitals_parse_number(const gchar *text, const gchar *option, gdouble *value, GError **error)
{
	g_autofree gchar *copy = g_strstrip(g_strdup(text));
	gchar *end = NULL;

	/* accept the decimal comma Vietnamese writing uses */
	g_strdelimit(copy, ",", '.');
	*value = g_ascii_strtod(copy, &end);
	if (copy[0] == '\0' || end == NULL || *end != '\0' || !isfinite(*value)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("--%s “%s” is not a number"), option, text);
		return FALSE;
	}
	return TRUE;
}

static gint
cmd_vitals_add(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *bp = NULL;
	g_autofree gchar *pulse = NULL;
	g_autofree gchar *spo2 = NULL;
	g_autofree gchar *temp = NULL;
	g_autofree gchar *weight = NULL;
	g_autofree gchar *height = NULL;
	g_autofree gchar *glucose = NULL;
	g_autofree gchar *resp = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	gint64 id = 0;
	GOptionEntry entries[] = {
		{ "bp", 0, 0, G_OPTION_ARG_STRING, &bp, N_("Blood pressure SYS/DIA in mmHg"),
		  "SYS/DIA" },
		{ "pulse", 0, 0, G_OPTION_ARG_STRING, &pulse, N_("Pulse per minute"), "N" },
		{ "spo2", 0, 0, G_OPTION_ARG_STRING, &spo2, N_("SpO2 in %"), "N" },
		{ "temp", 0, 0, G_OPTION_ARG_STRING, &temp, N_("Temperature in °C"), "C" },
		{ "weight", 0, 0, G_OPTION_ARG_STRING, &weight, N_("Weight in kg"), "KG" },
		{ "height", 0, 0, G_OPTION_ARG_STRING, &height, N_("Height in cm"), "CM" },
		{ "glucose", 0, 0, G_OPTION_ARG_STRING, &glucose, N_("Blood glucose in mmol/L"),
		  "MMOL_L" },
		{ "resp", 0, 0, G_OPTION_ARG_STRING, &resp, N_("Breaths per minute"), "N" },
		{ NULL }
	};
	struct {
		const gchar *option;
		gchar **text;
		NhipVitalKind kind;
	} singles[] = {
		{ "pulse", &pulse, NHIP_VITAL_PULSE },
		{ "spo2", &spo2, NHIP_VITAL_SPO2 },
		{ "temp", &temp, NHIP_VITAL_TEMPERATURE },
		{ "weight", &weight, NHIP_VITAL_WEIGHT },
		{ "height", &height, NHIP_VITAL_HEIGHT },
		{ "glucose", &glucose, NHIP_VITAL_GLUCOSE },
		{ "resp", &resp, NHIP_VITAL_RESP_RATE },
	};

	if (!nhipctl_parse("VISIT_ID", _("Record vital signs typed by hand."), entries, &argc,
			   &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(
			_("usage: nhipctl vitals add VISIT_ID [--bp SYS/DIA] [--pulse N] "
			  "[--spo2 N] [--temp C] [--weight KG] [--height CM] "
			  "[--glucose MMOL_L] [--resp N]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	if (bp != NULL) {
		g_auto(GStrv) parts = g_strsplit(bp, "/", -1);
		gdouble sys = 0, dia = 0;
		if (g_strv_length(parts) != 2) {
			g_set_error(&error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("--bp “%s” must be systolic/diastolic, e.g. 120/80"), bp);
			return nhipctl_fail(error);
		}
		if (!vitals_parse_number(parts[0], "bp", &sys, &error) ||
		    !vitals_parse_number(parts[1], "bp", &dia, &error))
			return nhipctl_fail(error);
		g_ptr_array_add(list, nhip_observation_new(NHIP_VITAL_BLOOD_PRESSURE, sys, dia));
	}
	for (guint i = 0; i < G_N_ELEMENTS(singles); i++) {
		gdouble value = 0;
		if (*singles[i].text == NULL)
			continue;
		if (!vitals_parse_number(*singles[i].text, singles[i].option, &value, &error))
			return nhipctl_fail(error);
		g_ptr_array_add(list, nhip_observation_new(singles[i].kind, value, NAN));
	}
	if (list->len == 0)
		return nhipctl_usage_error(_("give at least one vital sign, e.g. --bp 120/80"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (!nhip_store_observations_add(store, id, list, &error))
		return nhipctl_fail(error);
	for (guint i = 0; i < list->len; i++) {
		NhipObservation *obs = g_ptr_array_index(list, i);
		if (obs->flags & NHIP_VITAL_FLAG_IMPLAUSIBLE) {
			g_autofree gchar *value = nhip_observation_format_value(obs);
			g_printerr(
				_("nhipctl: note: %s is unusual; it was stored and flagged for a "
				  "re-check\n"),
				value);
		}
	}
	return EXIT_OK;
}

/* ----- audit, summary, demo ----- */

static gint
cmd_audit_verify(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	gint64 rows = 0, bad_row = 0;
	gboolean ok;
	GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("", _("Check the audit log's hash chain."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc > 1)
		return nhipctl_usage_error(_("audit verify takes no arguments"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	ok = nhip_store_audit_verify(store, &rows, &bad_row, &error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "intact");
		json_builder_add_boolean_value(builder, ok);
		nhip_json_add_int(builder, "rows", rows);
		if (!ok) {
			nhip_json_add_int(builder, "first_bad_row", bad_row);
			nhip_json_add_string(builder, "reason", error->message);
		}
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	} else if (ok) {
		g_print(_("audit log intact: %" PRId64 " rows verified\n"), rows);
	}
	if (!ok)
		return nhipctl_fail(error);
	return EXIT_OK;
}

static gint
print_summary(NhipctlGlobal *global, NhipStore *store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipFacility) facility = NULL;
	NhipStoreStats stats = { 0 };

	if (!nhip_store_get_stats(store, &stats, &error))
		return nhipctl_fail(error);
	facility = nhip_store_facility_get(store, NULL);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "database", nhip_store_get_path(store));
		nhip_json_add_int(builder, "schema_version", nhip_store_get_schema_version(store));
		json_builder_set_member_name(builder, "facility");
		if (facility != NULL)
			nhip_facility_to_json(facility, builder);
		else
			json_builder_add_null_value(builder);
		nhip_json_add_int(builder, "patients", stats.patients);
		nhip_json_add_int(builder, "visits", stats.visits);
		nhip_json_add_int(builder, "visits_open", stats.visits_open);
		nhip_json_add_int(builder, "observations", stats.observations);
		nhip_json_add_int(builder, "staff", stats.staff);
		nhip_json_add_int(builder, "attachments", stats.attachments);
		nhip_json_add_int(builder, "outbox_pending", stats.outbox_pending);
		nhip_json_add_int(builder, "audit_rows", stats.audit_rows);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	g_print(_("Station database %s (schema version %d)\n"), nhip_store_get_path(store),
		nhip_store_get_schema_version(store));
	if (facility != NULL)
		g_print(_("  Facility:      %s — %s\n"), facility->code, facility->name);
	g_print(_("  Patients:      %" PRId64 "\n"), stats.patients);
	g_print(_("  Visits:        %" PRId64 " (%" PRId64 " open)\n"), stats.visits,
		stats.visits_open);
	g_print(_("  Vital signs:   %" PRId64 "\n"), stats.observations);
	g_print(_("  Staff:         %" PRId64 "\n"), stats.staff);
	g_print(_("  Attachments:   %" PRId64 "\n"), stats.attachments);
	g_print(_("  Outbox:        %" PRId64 " waiting\n"), stats.outbox_pending);
	g_print(_("  Audit log:     %" PRId64 " rows\n"), stats.audit_rows);
	return EXIT_OK;
}

static gint
cmd_summary(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("", _("Summarise what the database holds."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	return print_summary(global, store);
}

static gint
cmd_demo(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	gint patients = 1000;
	gdouble visits = 2.0;
	gint seed = 20261122;
	gint64 start;
	GOptionEntry entries[] = { { "patients", 0, 0, G_OPTION_ARG_INT, &patients,
				     N_("Patients to add (default 1000)"), "N" },
				   { "visits", 0, 0, G_OPTION_ARG_DOUBLE, &visits,
				     N_("Average visits per patient (default 2)"), "N" },
				   { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Random seed"),
				     "S" },
				   { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print the summary as JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("", _("Fill the database with realistic demo data."), entries, &argc,
			   &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || patients < 0 || patients > 10000000 || visits < 0 || visits > 50)
		return nhipctl_usage_error(
			_("usage: nhipctl demo [--patients N] [--visits AVG] [--seed S]"));
	store = nhipctl_open(global, TRUE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	start = g_get_monotonic_time();
	if (!nhip_demo_fill(store, (guint)patients, visits, (guint32)seed, &error))
		return nhipctl_fail(error);
	if (!global->json)
		g_print(_("added %d demo patients in %.1f s\n"), patients,
			(g_get_monotonic_time() - start) / 1e6);
	return print_summary(global, store);
}

static const NhipctlCommand core_commands[] = {
	{ "init", NULL, "[--facility-code C --facility-name N]",
	  N_("create or update the database"), cmd_init },
	{ "user", "add", "--name N --role R --pin P", N_("add a staff account"), cmd_user_add },
	{ "user", "list", "[--json]", N_("list staff accounts"), cmd_user_list },
	{ "user", "login", "ID --pin P", N_("check a PIN (counts towards lockout)"),
	  cmd_user_login },
	{ "user", "set-pin", "ID --pin P", N_("set a new PIN and clear a lockout"),
	  cmd_user_set_pin },
	{ "user", "unlock", "ID", N_("clear a lockout"), cmd_user_unlock },
	{ "patient", "add", "--name N --dob D --sex S [...]", N_("register a patient"),
	  cmd_patient_add },
	{ "patient", "show", "ID [--json]", N_("show a patient"), cmd_patient_show },
	{ "patient", "edit", "ID [fields]", N_("change a patient's fields"), cmd_patient_edit },
	{ "patient", "search", "QUERY [--limit N] [--json]", N_("find patients"),
	  cmd_patient_search },
	{ "visit", "open", "PATIENT_ID [--reason R]", N_("open a visit"), cmd_visit_open },
	{ "visit", "show", "ID [--json]", N_("show a visit"), cmd_visit_show },
	{ "visit", "list", "[--date D] [--json]", N_("list a day's visits"), cmd_visit_list },
	{ "visit", "close", "ID [--icd CODE]... [--note TEXT]", N_("close a visit"),
	  cmd_visit_close },
	{ "visit", "attach", "ID FILE", N_("attach a file to a visit"), cmd_visit_attach },
	{ "vitals", "add", "VISIT_ID [--bp S/D] [--pulse N] ...", N_("record vital signs"),
	  cmd_vitals_add },
	{ "audit", "verify", "[--json]", N_("verify the audit log"), cmd_audit_verify },
	{ "summary", NULL, "[--json]", N_("summarise the database"), cmd_summary },
	{ "demo", NULL, "[--patients N]", N_("fill the database with demo data"), cmd_demo },
	{ NULL },
};

/* every command group; each table ends with a NULL name */
static const NhipctlCommand *const command_tables[] = {
	core_commands,	       nhipctl_device_commands, nhipctl_hl7_commands,
	nhipctl_fhir_commands, nhipctl_outbox_commands, nhipctl_identity_commands,
	nhipctl_sync_commands, nhipctl_xml130_commands, nhipctl_appliance_commands,
	nhipctl_live_commands,
};

/* the global options before the command: --db PATH (or --db=PATH) and --json */
static gboolean
nhipctl_global_option(gint argc, gchar **argv, gint *i, gpointer data)
{
	NhipctlGlobal *global = data;

	if (g_strcmp0(argv[*i], "--db") == 0 && *i + 1 < argc) {
		g_free(global->db_path);
		global->db_path = g_strdup(argv[*i + 1]);
		*i += 2;
	} else if (g_str_has_prefix(argv[*i], "--db=")) {
		g_free(global->db_path);
		global->db_path = g_strdup(argv[*i] + 5);
		(*i)++;
	} else if (g_strcmp0(argv[*i], "--json") == 0) {
		global->json = TRUE;
		(*i)++;
	} else {
		return FALSE;
	}
	return TRUE;
}

static void
nhipctl_unknown(const gchar *word, gboolean option)
{
	if (option)
		g_printerr(_("nhipctl: unknown option %s; see nhipctl --help\n"), word);
	else
		g_printerr(_("nhipctl: unknown command “%s”; see nhipctl --help\n"), word);
}

int
main(int argc, char **argv)
{
	NhipctlGlobal global = { 0 };
	g_auto(NhipCli) cli = { 0 };
	const NhipCliCommand *command;
	const gchar *env_db = g_getenv("NHIP_DB");
	gint first = 0;
	gint rc;

	nhip_cli_init_i18n();
	if (!nhip_openssl_init_process()) {
		g_printerr(_("nhipctl: the cryptography library (OpenSSL) could not start\n"));
		return EXIT_FAILURE;
	}
	global.db_path = g_strdup(env_db != NULL ? env_db : NHIP_DEFAULT_DB);
	cli.program = "nhipctl";
	cli.usage = _("Usage: nhipctl [--db PATH] COMMAND [ARGS]");
	cli.exit_codes = _("Exit codes: 0 ok, 2 usage, 3 bad input, 4 not found, 5 storage error.");
	cli.sub_column = TRUE;
	cli.option = nhipctl_global_option;
	cli.unknown = nhipctl_unknown;
	cli.data = &global;
	for (guint t = 0; t < G_N_ELEMENTS(command_tables); t++) {
		for (const NhipctlCommand *cmd = command_tables[t]; cmd->name != NULL; cmd++)
			nhip_cli_add(&cli, cmd->name, cmd->sub, cmd->args, cmd->summary, cmd);
	}
	command = nhip_cli_find_command(&cli, argc, argv, &first, &rc);
	/* the command sees its own name as argv[0] */
	if (command != NULL)
		rc = ((const NhipctlCommand *)command->row)
			     ->func(&global, argc - first, argv + first);
	g_free(global.db_path);
	return rc;
}
