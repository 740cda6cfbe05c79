/*
 * nhipctl — the FHIR R4 command: `export fhir`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "nhip-export-fhir.h"
#include "nhipctl-private.h"

static gint
cmd_export_fhir(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(JsonNode) bundle = NULL;
	g_autofree gchar *out_path = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *contents = NULL;
	gboolean pretty = FALSE;
	gint64 id = 0;
	GOptionEntry entries[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path,
		  N_("Write the Bundle to FILE instead of standard output"), "FILE" },
		{ "pretty", 0, 0, G_OPTION_ARG_NONE, &pretty,
		  N_("Indent the JSON, one member per line"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("VISIT_ID",
			   _("Write a visit as a FHIR R4 transaction Bundle (JSON): patient, "
			     "encounter, vital signs, diagnoses and health insurance."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(
			_("usage: nhipctl export fhir VISIT_ID [--out FILE] [--pretty]"));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	bundle = nhip_export_fhir_visit(store, id, NULL, &error);
	if (bundle == NULL) {
		gint status = nhipctl_fail(error);
		return error->domain == NHIP_EXPORT_ERROR ? EXIT_BAD_INPUT : status;
	}
	text = nhip_export_fhir_to_string(bundle, pretty);
	contents = g_strconcat(text, "\n", NULL);
	if (out_path != NULL) {
		/* whole or absent after a power cut */
		if (!g_file_set_contents_full(out_path, contents, -1,
					      G_FILE_SET_CONTENTS_CONSISTENT |
						      G_FILE_SET_CONTENTS_DURABLE,
					      0644, &error)) {
			g_prefix_error(&error, _("cannot write the FHIR Bundle: "));
			nhipctl_fail(error);
			return EXIT_STORAGE;
		}
		return EXIT_OK;
	}
	if (fputs(contents, stdout) < 0 || fflush(stdout) != 0) {
		g_set_error(&error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot write to standard output: %s"), g_strerror(errno));
		return nhipctl_fail(error);
	}
	return EXIT_OK;
}

const NhipctlCommand nhipctl_fhir_commands[] = {
	{ "export", "fhir", "VISIT_ID [--out FILE] [--pretty]",
	  N_("write a visit as a FHIR R4 Bundle (JSON)"), cmd_export_fhir },
	{ NULL },
};
