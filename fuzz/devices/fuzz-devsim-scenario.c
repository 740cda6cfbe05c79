/*
 * Nhịp — libFuzzer target for the scenario files of nhip-devsim.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "nhip-devsim-scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = g_strndup((const gchar *)data, size);

	for (guint kind = NHIP_DEVSIM_CMS50_F37; kind <= NHIP_DEVSIM_TAIDOC; kind++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) steps =
			nhip_devsim_scenario_parse("fuzz", text, (NhipDevsimKind)kind, &error);
		/* either steps or a message saying which line is wrong */
		g_assert((steps == NULL) != (error == NULL));
		if (error != NULL)
			g_assert(g_str_has_prefix(error->message, "fuzz, line "));
	}
	return 0;
}
