/*
 * Nhịp — the error domain of the appliance operations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>

#include "nhip-ops-error.h"

G_DEFINE_QUARK(nhip - ops - error - quark, nhip_ops_error)

/**
 * nhip_ops_journal_wanted:
 *
 * The structured entries of backups, restores, updates and status checks are for the
 * journal; on a technician's terminal the command prints its own lines instead.
 *
 * Returns: %TRUE when standard error goes to journald (a systemd unit)
 */
gboolean
nhip_ops_journal_wanted(void)
{
	return g_log_writer_is_journald(fileno(stderr));
}
