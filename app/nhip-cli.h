/*
 * Nhịp — what the command-line tools (nhipctl, nhip-hub) share: their start (gettext, with
 * Vietnamese unless a language is set), the option parser of one command, one-line error
 * messages, and the runner that takes the global options, prints the help or the version,
 * and finds the command named on the command line in the tool's tables.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the exit codes both tools give the same meaning */
#define NHIP_CLI_EXIT_OK    0
#define NHIP_CLI_EXIT_USAGE 2

/**
 * NhipCliCommand:
 * @name: the command ("patient")
 * @sub: (nullable): its subcommand ("search")
 * @args: the argument synopsis for the help
 * @summary: one line of help, marked with N_()
 * @row: the tool's own table row, with its handler
 */
typedef struct {
	const gchar *name;
	const gchar *sub;
	const gchar *args;
	const gchar *summary;
	gconstpointer row;
} NhipCliCommand;

/* takes the global option at argv[*i], moving *i past it and its value; %FALSE when
 * argv[*i] is not one */
typedef gboolean (*NhipCliOptionFunc)(gint argc, gchar **argv, gint *i, gpointer data);
/* prints the tool's own line for an unknown command (or, with @option, global option) */
typedef void (*NhipCliUnknownFunc)(const gchar *word, gboolean option);

/**
 * NhipCli:
 * @program: the tool's name ("nhipctl"), for --version and the commands' program names
 * @usage: the help's first line, translated
 * @exit_codes: the help's last line, translated
 * @sub_column: the help gives every command a subcommand column, empty for none
 * @option: (nullable): the tool's global options before the command; without, a word
 *   starting with '-' other than --help, -h and --version is taken as a command
 * @unknown: reports an unknown command or option
 * @data: for @option
 * @commands: (element-type NhipCliCommand): every command, in the help's order
 *   (nhip_cli_add())
 */
typedef struct {
	const gchar *program;
	const gchar *usage;
	const gchar *exit_codes;
	gboolean sub_column;
	NhipCliOptionFunc option;
	NhipCliUnknownFunc unknown;
	gpointer data;
	GArray *commands;
} NhipCli;

void nhip_cli_init_i18n(void);
gboolean nhip_cli_parse(const gchar *usage,
			const gchar *summary,
			GOptionEntry *entries,
			gint *argc,
			gchar ***argv,
			GError **error);
void nhip_cli_print_error(const gchar *program, const gchar *message);

void nhip_cli_add(NhipCli *self,
		  const gchar *name,
		  const gchar *sub,
		  const gchar *args,
		  const gchar *summary,
		  gconstpointer row);
const NhipCliCommand *
nhip_cli_find_command(NhipCli *self, gint argc, gchar **argv, gint *first, gint *status);
void nhip_cli_clear(NhipCli *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NhipCli, nhip_cli_clear)

G_END_DECLS
