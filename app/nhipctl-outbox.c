/*
 * nhipctl — the outbox command: what waits to be sent, and why it has not gone yet.
 * It shows no patient data: kinds, states, attempts, times and the receivers' reasons.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-json.h"
#include "nhip-outbox.h"
#include "nhipctl-private.h"

static gint
cmd_outbox(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GPtrArray) items = NULL;
	g_autofree gchar *kind = NULL;
	gboolean json = global->json;
	gboolean all = FALSE;
	GOptionEntry entries[] = {
		{ "kind", 0, 0, G_OPTION_ARG_STRING, &kind, N_("Only items of this kind, e.g. hl7"),
		  "K" },
		{ "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Include the items already delivered"),
		  NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("",
			   _("List what waits in the outbox: kind, state, attempts, next try and "
			     "last error."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1)
		return nhipctl_usage_error(_("usage: nhipctl outbox [--kind K] [--all] [--json]"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	items = nhip_outbox_list(store, kind, all, &error);
	if (items == NULL)
		return nhipctl_fail(error);
	if (json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_array(builder);
		for (guint i = 0; i < items->len; i++)
			nhip_outbox_item_to_json(g_ptr_array_index(items, i), builder);
		json_builder_end_array(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	if (items->len == 0) {
		g_print("%s\n", _("The outbox is empty."));
		return EXIT_OK;
	}
	{
		g_autofree gchar *id = nhipctl_pad(_("ID"), 6);
		g_autofree gchar *kind_label = nhipctl_pad(_("KIND"), 12);
		g_autofree gchar *state = nhipctl_pad(_("STATE"), 10);
		g_autofree gchar *tries = nhipctl_pad(_("TRIES"), 8);
		g_autofree gchar *next = nhipctl_pad(_("NEXT TRY"), 25);
		g_print("%s %s %s %s %s %s\n", id, kind_label, state, tries, next, _("LAST ERROR"));
	}
	for (guint i = 0; i < items->len; i++) {
		const NhipOutboxItem *item = g_ptr_array_index(items, i);
		gboolean pending = item->state == NHIP_OUTBOX_STATE_QUEUED ||
				   item->state == NHIP_OUTBOX_STATE_SENDING;
		g_autofree gchar *when = pending ? nhip_format_time(item->next_try_at) : NULL;
		g_autofree gchar *reason =
			g_strdup(item->last_error != NULL ? item->last_error : "");

		g_strdelimit(reason, "\r\n\t", ' ');
		g_print("%-6" PRId64 " %-12s %-10s %-8u %-25s %s\n", item->id, item->kind,
			nhip_outbox_state_to_string(item->state), item->attempts,
			when != NULL ? when : "-", reason);
	}
	return EXIT_OK;
}

const NhipctlCommand nhipctl_outbox_commands[] = {
	{ "outbox", NULL, "[--kind K] [--all] [--json]", N_("list what waits to be sent"),
	  cmd_outbox },
	{ NULL },
};
