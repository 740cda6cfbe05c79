/*
 * nhip-hub — what the command files share: exit codes, the command table and helpers.
 * Each command group lives in its own file (nhip-hub-ca.c: init, token, revoke, …) with a
 * table of NhipHubCommand ending in a row whose name is %NULL, listed in nhip-hub.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-cli.h"
#include "nhip-hub-db.h"

G_BEGIN_DECLS

typedef enum {
	NHIP_HUB_EXIT_OK = 0,
	NHIP_HUB_EXIT_USAGE = 2,
	NHIP_HUB_EXIT_BAD_INPUT = 3,
	NHIP_HUB_EXIT_NOT_FOUND = 4,
	NHIP_HUB_EXIT_FAILED = 5,
	NHIP_HUB_EXIT_REFUSED = 6,
} NhipHubExit;

typedef gint (*NhipHubFunc)(gint argc, gchar **argv);

/**
 * NhipHubCommand:
 * @name: the command ("init")
 * @args: argument synopsis for the help
 * @summary: one line of help, marked with N_()
 * @func: the handler; argv[0] is the command's name
 */
typedef struct {
	const gchar *name;
	const gchar *args;
	const gchar *summary;
	NhipHubFunc func;
} NhipHubCommand;

gint nhip_hub_usage_error(const gchar *message);
gint nhip_hub_fail(const GError *error);
/* parses a command's options; leaves the positional arguments in argv */
#define nhip_hub_parse nhip_cli_parse

gboolean nhip_hub_parse_options(const gchar *summary,
				GOptionEntry *entries,
				gint *argc,
				gchar ***argv,
				GError **error);
NhipHubDb *
nhip_hub_open_db(const gchar *dir, const gchar *database, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* command groups, each in its own file */
extern const NhipHubCommand nhip_hub_ca_commands[];
extern const NhipHubCommand nhip_hub_transport_commands[]; /* nhip-hub-serve.c */
extern const NhipHubCommand nhip_hub_doctor_commands[];	   /* nhip-hub-doctor.c */
extern const NhipHubCommand nhip_hub_live_commands[];	   /* nhip-hub-live-config.c */

G_END_DECLS
