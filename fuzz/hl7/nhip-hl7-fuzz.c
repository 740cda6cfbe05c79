/*
 * Nhịp — what the fuzz targets of hl7/ share: a broken invariant aborts, which is what
 * libFuzzer reports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "nhip-hl7-fuzz.h"

/**
 * nhip_fuzz_check:
 * @condition: what must hold
 * @what: the invariant, for the report
 */
void
nhip_fuzz_check(gboolean condition, const gchar *what)
{
	if (!condition) {
		g_printerr("invariant broken: %s\n", what);
		abort();
	}
}
