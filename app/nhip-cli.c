/*
 * Nhịp — the command-line tools' shared start, option parser and command runner (see
 * nhip-cli.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>

#include "nhip-cli.h"

/**
 * nhip_cli_init_i18n:
 *
 * Sets the locale and the message catalogue (from $NHIP_LOCALEDIR when set). Vietnamese
 * is the default: a station or hub with no language set speaks it, and a technician who
 * wants English sets LANGUAGE=en.
 */
void
nhip_cli_init_i18n(void)
{
	const gchar *localedir = g_getenv("NHIP_LOCALEDIR");
	const gchar *messages;

	setlocale(LC_ALL, "");
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

/**
 * nhip_cli_parse:
 * @usage: the command's synopsis after its name
 * @summary: what it does
 * @entries: its options
 * @argc: (inout): the command's argument count
 * @argv: (inout): its arguments; the positional ones are left
 * @error: return location for a #GError (%G_OPTION_ERROR)
 *
 * Parses a command's options.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_cli_parse(const gchar *usage,
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

/**
 * nhip_cli_print_error:
 * @program: the tool ("nhipctl")
 * @message: what went wrong
 *
 * Prints `PROGRAM: MESSAGE` on standard error as one line, whatever @message holds.
 */
void
nhip_cli_print_error(const gchar *program, const gchar *message)
{
	g_autofree gchar *line = g_strdup(message);

	g_strdelimit(line, "\r\n", ' ');
	g_printerr("%s: %s\n", program, line);
}

/**
 * nhip_cli_add:
 * @self: the tool
 * @name: the command
 * @sub: (nullable): its subcommand
 * @args: the argument synopsis for the help
 * @summary: one line of help, marked with N_()
 * @row: the tool's table row (kept, not owned)
 *
 * Adds a command, after those added before.
 */
void
nhip_cli_add(NhipCli *self,
	     const gchar *name,
	     const gchar *sub,
	     const gchar *args,
	     const gchar *summary,
	     gconstpointer row)
{
	NhipCliCommand command = { name, sub, args, summary, row };

	if (self->commands == NULL)
		self->commands = g_array_new(FALSE, FALSE, sizeof(NhipCliCommand));
	g_array_append_val(self->commands, command);
}

static void
cli_print_help(NhipCli *self, FILE *out)
{
	fprintf(out, "%s\n\n", self->usage);
	fprintf(out, "%s\n", _("Commands:"));
	for (guint c = 0; self->commands != NULL && c < self->commands->len; c++) {
		const NhipCliCommand *cmd = &g_array_index(self->commands, NhipCliCommand, c);
		g_autofree gchar *left =
			self->sub_column
				? g_strdup_printf("%s %s %s", cmd->name,
						  cmd->sub != NULL ? cmd->sub : "", cmd->args)
				: g_strdup_printf("%s %s", cmd->name, cmd->args);

		fprintf(out, "  %-52s %s\n", left, _(cmd->summary));
	}
	fprintf(out, "\n%s\n", self->exit_codes);
}

/**
 * nhip_cli_find_command:
 * @self: the tool
 * @argc: the tool's argument count
 * @argv: its arguments
 * @first: (out): where the command's own arguments start in @argv (its argv[0] is its
 *   name, or its subcommand's)
 * @status: (out): the exit status when there is no command to run
 *
 * Takes the global options, answers --help, -h and --version, and finds the command (and
 * subcommand) that follows; the program is named after it for its messages. No command
 * prints the help on standard error; an unknown one is reported by @self's unknown.
 *
 * Returns: (nullable): the command to run, or %NULL with @status to exit with
 */
const NhipCliCommand *
nhip_cli_find_command(NhipCli *self, gint argc, gchar **argv, gint *first, gint *status)
{
	gint i = 1;

	*status = NHIP_CLI_EXIT_USAGE;
	while (i < argc && argv[i][0] == '-') {
		if (g_strcmp0(argv[i], "--help") == 0 || g_strcmp0(argv[i], "-h") == 0) {
			cli_print_help(self, stdout);
			*status = NHIP_CLI_EXIT_OK;
			return NULL;
		}
		if (g_strcmp0(argv[i], "--version") == 0) {
			g_print("%s %s\n", self->program, PACKAGE_VERSION);
			*status = NHIP_CLI_EXIT_OK;
			return NULL;
		}
		if (self->option == NULL)
			break;
		if (!self->option(argc, argv, &i, self->data)) {
			self->unknown(argv[i], TRUE);
			return NULL;
		}
	}
	if (i >= argc) {
		cli_print_help(self, stderr);
		return NULL;
	}
	for (guint c = 0; self->commands != NULL && c < self->commands->len; c++) {
		const NhipCliCommand *cmd = &g_array_index(self->commands, NhipCliCommand, c);
		g_autofree gchar *prgname = NULL;

		if (g_strcmp0(cmd->name, argv[i]) != 0)
			continue;
		if (cmd->sub != NULL && (i + 1 >= argc || g_strcmp0(cmd->sub, argv[i + 1]) != 0))
			continue;
		*first = cmd->sub != NULL ? i + 1 : i;
		prgname = g_strdup_printf("%s %s%s%s", self->program, cmd->name,
					  cmd->sub != NULL ? " " : "",
					  cmd->sub != NULL ? cmd->sub : "");
		g_set_prgname(prgname);
		return cmd;
	}
	self->unknown(argv[i], FALSE);
	return NULL;
}

/**
 * nhip_cli_clear:
 * @self: the tool
 *
 * Frees its list of commands.
 */
void
nhip_cli_clear(NhipCli *self)
{
	g_clear_pointer(&self->commands, g_array_unref);
}
