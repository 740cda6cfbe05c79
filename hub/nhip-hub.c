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
	nhip_cli_print_error("nhip-hub", error->message);
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

/* every command group; each table ends with a NULL name */
static const NhipHubCommand *const command_tables[] = {
	nhip_hub_ca_commands,
	nhip_hub_transport_commands,
	nhip_hub_doctor_commands,
	nhip_hub_live_commands,
};

static void
hub_unknown(const gchar *word, gboolean option)
{
	g_printerr(_("nhip-hub: unknown command “%s”; see nhip-hub --help\n"), word);
}

int
main(int argc, char **argv)
{
	g_auto(NhipCli) cli = { 0 };
	const NhipCliCommand *command;
	gint first = 0;
	gint rc;

	/* the hub's operators at the district hospital read Vietnamese by default too */
	nhip_cli_init_i18n();
	if (!nhip_openssl_init_process()) {
		g_printerr(_("nhip-hub: the cryptography library (OpenSSL) could not start\n"));
		return NHIP_HUB_EXIT_FAILED;
	}
	cli.program = "nhip-hub";
	cli.usage = _("Usage: nhip-hub COMMAND [ARGS]");
	cli.exit_codes =
		_("Exit codes: 0 ok, 2 usage, 3 bad input, 4 not found, 5 failure, 6 refused.");
	cli.unknown = hub_unknown;
	for (guint t = 0; t < G_N_ELEMENTS(command_tables); t++) {
		for (const NhipHubCommand *cmd = command_tables[t]; cmd->name != NULL; cmd++)
			nhip_cli_add(&cli, cmd->name, NULL, cmd->args, cmd->summary, cmd);
	}
	command = nhip_cli_find_command(&cli, argc, argv, &first, &rc);
	if (command == NULL)
		return rc;
	/* the command sees its own name as argv[0] */
	return ((const NhipHubCommand *)command->row)->func(argc - first, argv + first);
}
