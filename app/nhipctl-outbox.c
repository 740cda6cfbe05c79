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
#include "nhip-store-packets.h"
#include "nhipctl-private.h"

static const gchar *
outbox_state_label(NhipPacketState state)
{
	switch (state) {
	case NHIP_PACKET_STATE_QUEUED:
		return _("queued");
	case NHIP_PACKET_STATE_SENDING:
		return _("sending");
	case NHIP_PACKET_STATE_DELIVERED:
		return _("delivered");
	case NHIP_PACKET_STATE_ANSWERED:
		return _("answered");
	case NHIP_PACKET_STATE_FAILED:
	default:
		return _("failed");
	}
}

static void
packets_to_json(GPtrArray *packets, JsonBuilder *builder)
{
	json_builder_begin_array(builder);
	for (guint i = 0; i < packets->len; i++) {
		NhipOutboxPacket *packet = g_ptr_array_index(packets, i);
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "packet_id", packet->packet_id);
		nhip_json_add_string(builder, "state", nhip_packet_state_to_string(packet->state));
		nhip_json_add_int(builder, "percent", packet->acked * 100 / MAX(packet->size, 1));
		nhip_json_add_int(builder, "size", packet->size);
		nhip_json_add_int(builder, "acked", packet->acked);
		nhip_json_add_int(builder, "sent", packet->sent);
		json_builder_set_member_name(builder, "urgent");
		json_builder_add_boolean_value(builder, packet->urgent);
		if (packet->visit_id > 0)
			nhip_json_add_int(builder, "visit_id", packet->visit_id);
		nhip_json_add_int(builder, "attempts", packet->attempts);
		nhip_json_add_time(builder, "next_try", packet->next_try_at);
		nhip_json_add_string(builder, "last_error", packet->last_error);
		if (packet->case_id > 0)
			nhip_json_add_int(builder, "case", packet->case_id);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
}

static void
packets_print(GPtrArray *packets)
{
	if (packets->len == 0) {
		g_print("%s\n", _("No case packets."));
		return;
	}
	g_print("%s\n", _("Case packets for the district hub:"));
	for (guint i = 0; i < packets->len; i++) {
		NhipOutboxPacket *packet = g_ptr_array_index(packets, i);
		g_autofree gchar *state = NULL;
		gboolean show_error =
			packet->last_error != NULL && packet->state != NHIP_PACKET_STATE_DELIVERED;

		if (packet->state == NHIP_PACKET_STATE_SENDING)
			state = g_strdup_printf(_("sending %" PRId64 " %%"),
						packet->acked * 100 / MAX(packet->size, 1));
		else
			state = g_strdup(outbox_state_label(packet->state));
		g_print("%s  %-14s %s%s%s\n", packet->packet_id, state,
			packet->urgent ? _("urgent") : "", show_error ? "  " : "",
			show_error ? packet->last_error : "");
	}
}

static gint
cmd_outbox(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(GPtrArray) items = NULL;
	g_autoptr(GPtrArray) packets = NULL;
	g_autofree gchar *kind = NULL;
	gboolean json = global->json;
	gboolean all = FALSE;
	GOptionEntry entries[] = {
		{ "kind", 0, 0, G_OPTION_ARG_STRING, &kind,
		  N_("Only items of this kind: hl7 or case-packet"), "K" },
		{ "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Include the items already delivered"),
		  NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("",
			   _("List what waits to be sent: the case packets for the district hub "
			     "(state and progress) and the other messages, such as HL7 (kind, "
			     "state, attempts, next try and last error)."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1)
		return nhipctl_usage_error(_("usage: nhipctl outbox [--kind K] [--all] [--json]"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	/* case packets have a table of their own and are all listed, delivered and answered
	 * ones too (the technician sees that they went); --kind case-packet shows only them */
	if (kind == NULL || g_strcmp0(kind, "case-packet") == 0) {
		packets = nhip_store_packet_list(store, &error);
		if (packets == NULL)
			return nhipctl_fail(error);
	} else {
		packets = g_ptr_array_new();
	}
	if (g_strcmp0(kind, "case-packet") == 0)
		items = g_ptr_array_new();
	else
		items = nhip_outbox_list(store, kind, all, &error);
	if (items == NULL)
		return nhipctl_fail(error);
	if (json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "packets");
		packets_to_json(packets, builder);
		json_builder_set_member_name(builder, "items");
		json_builder_begin_array(builder);
		for (guint i = 0; i < items->len; i++)
			nhip_outbox_item_to_json(g_ptr_array_index(items, i), builder);
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	if (packets->len == 0 && items->len == 0) {
		g_print("%s\n", _("The outbox is empty."));
		return EXIT_OK;
	}
	if (packets->len > 0)
		packets_print(packets);
	if (items->len == 0)
		return EXIT_OK;
	if (packets->len > 0)
		g_print("\n");
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
