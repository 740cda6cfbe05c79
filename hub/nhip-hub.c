/*
 * nhip-hub — the district hub: its CA and enrollment (nhip-hub-ca.c), and the service
 * that receives case packets.
 *
 * Exit codes: 0 ok, 2 usage, 3 bad input, 4 not found, 5 failure, 6 refused (a token used
 * or expired, a CA that exists already). Every error is one line on standard error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>

#include "nhip-hub-private.h"
#include "nhip-identity.h"
#include "nhip-openssl.h"
#include "nhip-packet.h"

gint
nhip_hub_usage_error(const gchar *message)
{
	g_printerr("nhip-hub: %s\n", message);
	return NHIP_HUB_EXIT_USAGE;
}

/* print one error line and map its domain and code to an exit code */
gint
nhip_hub_fail(const GError *error)
{
	g_autofree gchar *line = g_strdup(error->message);

	g_strdelimit(line, "\r\n", ' ');
	g_printerr("nhip-hub: %s\n", line);
	if (error->domain == G_OPTION_ERROR)
		return NHIP_HUB_EXIT_USAGE;
	if (error->domain == NHIP_IDENTITY_ERROR) {
		switch ((NhipIdentityError)error->code) {
		case NHIP_IDENTITY_ERROR_NOT_FOUND:
		case NHIP_IDENTITY_ERROR_NOT_ISSUED:
			return NHIP_HUB_EXIT_NOT_FOUND;
		case NHIP_IDENTITY_ERROR_INVALID:
		case NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN:
			return NHIP_HUB_EXIT_BAD_INPUT;
		case NHIP_IDENTITY_ERROR_EXISTS:
		case NHIP_IDENTITY_ERROR_PERMISSIONS:
		case NHIP_IDENTITY_ERROR_UNTRUSTED:
		case NHIP_IDENTITY_ERROR_TOKEN_USED:
		case NHIP_IDENTITY_ERROR_TOKEN_EXPIRED:
			return NHIP_HUB_EXIT_REFUSED;
		case NHIP_IDENTITY_ERROR_FAILED:
		default:
			return NHIP_HUB_EXIT_FAILED;
		}
	}
	if (error->domain == NHIP_PACKET_ERROR)
		return error->code == NHIP_PACKET_ERROR_FAILED ? NHIP_HUB_EXIT_FAILED
							       : NHIP_HUB_EXIT_REFUSED;
	if (error->domain == G_FILE_ERROR)
		return error->code == G_FILE_ERROR_NOENT ? NHIP_HUB_EXIT_NOT_FOUND
							 : NHIP_HUB_EXIT_FAILED;
	return NHIP_HUB_EXIT_FAILED;
}

/* parse a command's options; leaves the positional arguments in argv */
gboolean
nhip_hub_parse(const gchar *usage,
	       const gchar *summary,
	       GOptionEntry *entries,
	       gint *argc,
	       gchar ***argv,
	       GError **error)
{
	g_autoptr(GOptionContext) context = g_option_context_new(usage);

	g_option_context_set_summary(context, summary);
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	return g_option_context_parse(context, argc, argv, error);
}

/* every command group; each table ends with a NULL name */
static const NhipHubCommand *const command_tables[] = {
	nhip_hub_ca_commands,
	nhip_hub_transport_commands,
	nhip_hub_doctor_commands,
	nhip_hub_live_commands,
};

static void
print_help(FILE *out)
{
	fprintf(out, "%s\n\n", _("Usage: nhip-hub COMMAND [ARGS]"));
	fprintf(out, "%s\n", _("Commands:"));
	for (guint t = 0; t < G_N_ELEMENTS(command_tables); t++) {
		for (const NhipHubCommand *cmd = command_tables[t]; cmd->name != NULL; cmd++) {
			g_autofree gchar *left = g_strdup_printf("%s %s", cmd->name, cmd->args);
			fprintf(out, "  %-52s %s\n", left, _(cmd->summary));
		}
	}
	fprintf(out, "\n%s\n",
		_("Exit codes: 0 ok, 2 usage, 3 bad input, 4 not found, 5 failure, 6 refused."));
}

static void
nhip_hub_init_i18n(void)
{
	const gchar *localedir = g_getenv("NHIP_LOCALEDIR");
	const gchar *messages;

	setlocale(LC_ALL, "");
	/* the hub's operators at the district hospital read Vietnamese by default too */
	messages = setlocale(LC_MESSAGES, NULL);
	if (messages == NULL || g_strcmp0(messages, "C") == 0 ||
	    g_strcmp0(messages, "POSIX") == 0) {
		setlocale(LC_ALL, "C.UTF-8");
		if (g_getenv("LANGUAGE") == NULL)
			g_setenv("LANGUAGE", "vi", TRUE);
	}
	bindtextdomain(GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
}

int
main(int argc, char **argv)
{
	nhip_hub_init_i18n();
	if (!nhip_openssl_init_process()) {
		g_printerr(_("nhip-hub: the cryptography library (OpenSSL) could not start\n"));
		return NHIP_HUB_EXIT_FAILED;
	}
	if (argc < 2) {
		print_help(stderr);
		return NHIP_HUB_EXIT_USAGE;
	}
	if (g_strcmp0(argv[1], "--help") == 0 || g_strcmp0(argv[1], "-h") == 0) {
		print_help(stdout);
		return NHIP_HUB_EXIT_OK;
	}
	if (g_strcmp0(argv[1], "--version") == 0) {
		g_print("nhip-hub %s\n", PACKAGE_VERSION);
		return NHIP_HUB_EXIT_OK;
	}
	for (guint t = 0; t < G_N_ELEMENTS(command_tables); t++) {
		for (const NhipHubCommand *cmd = command_tables[t]; cmd->name != NULL; cmd++) {
			g_autofree gchar *prgname = NULL;

			if (g_strcmp0(cmd->name, argv[1]) != 0)
				continue;
			prgname = g_strdup_printf("nhip-hub %s", cmd->name);
			g_set_prgname(prgname);
			/* the command sees its own name as argv[0] */
			return cmd->func(argc - 1, argv + 1);
		}
	}
	g_printerr(_("nhip-hub: unknown command “%s”; see nhip-hub --help\n"), argv[1]);
	return NHIP_HUB_EXIT_USAGE;
}
