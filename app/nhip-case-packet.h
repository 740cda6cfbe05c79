/*
 * Nhịp — making a case packet from a visit and putting it in the queue for the hub.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hub-link.h"
#include "nhip-store.h"

G_BEGIN_DECLS

gchar *nhip_case_packet_queue(NhipStore *store,
			      NhipHubLink *link,
			      gint64 visit_id,
			      const gchar *question,
			      gboolean urgent,
			      const gchar *const *photos,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
