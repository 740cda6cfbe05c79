/*
 * nhipctl — what the command files share: exit codes, the command table, and helpers
 * that parse options, open the database and report errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "nhip-cli.h"
#include "nhip-store.h"

G_BEGIN_DECLS

typedef enum {
	EXIT_OK = 0,
	EXIT_USAGE = 2,
	EXIT_BAD_INPUT = 3,
	EXIT_NOT_FOUND = 4,
	EXIT_STORAGE = 5,
} NhipctlExit;

typedef struct {
	gchar *db_path;
	gboolean json;
} NhipctlGlobal;

typedef gint (*NhipctlFunc)(NhipctlGlobal *global, gint argc, gchar **argv);

/**
 * NhipctlCommand:
 * @name: the command ("patient")
 * @sub: (nullable): the subcommand ("search")
 * @args: argument synopsis for the help
 * @summary: one line of help, marked with N_()
 * @func: the handler; argv[0] is the (sub)command's name
 *
 * A command group is a table of these ending with a row whose @name is %NULL.
 */
typedef struct {
	const gchar *name;
	const gchar *sub;
	const gchar *args;
	const gchar *summary;
	NhipctlFunc func;
} NhipctlCommand;

gint nhipctl_usage_error(const gchar *message);
gint nhipctl_fail(const GError *error);
/* parses a command's options; leaves the positional arguments in argv */
#define nhipctl_parse nhip_cli_parse
gboolean nhipctl_parse_id(const gchar *text, const gchar *what, gint64 *id, GError **error);
NhipStore *nhipctl_open(NhipctlGlobal *global, gboolean create, GError **error);
void nhipctl_print_json(JsonBuilder *builder);
gchar *nhipctl_pad(const gchar *text, glong width) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhipctl_write_stdout(const gchar *data, gsize length, GError **error);
gint nhipctl_ops_fail(const GError *error);
GPtrArray *nhipctl_device_probe(void) G_GNUC_WARN_UNUSED_RESULT;

/* command groups, each in its own file */
extern const NhipctlCommand nhipctl_device_commands[];
extern const NhipctlCommand nhipctl_hl7_commands[];
extern const NhipctlCommand nhipctl_fhir_commands[];
extern const NhipctlCommand nhipctl_outbox_commands[];
extern const NhipctlCommand nhipctl_identity_commands[];
extern const NhipctlCommand nhipctl_sync_commands[];
extern const NhipctlCommand nhipctl_xml130_commands[];
extern const NhipctlCommand nhipctl_appliance_commands[];
extern const NhipctlCommand nhipctl_live_commands[];

G_END_DECLS
