/*
 * Nhịp hub — what happens to a packet once all its bytes are in: open it, check who sent
 * it, store the case and sign a receipt; and the way back: reply packets for stations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-hub-db.h"
#include "nhip-hub-trust.h"

G_BEGIN_DECLS

typedef struct _NhipHubIngest NhipHubIngest;

NhipHubIngest *nhip_hub_ingest_new(const gchar *hub_dir,
				   NhipHubDb *db,
				   NhipHubTrust *trust,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hub_ingest_free(NhipHubIngest *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubIngest, nhip_hub_ingest_free)

NhipHubPacket *nhip_hub_ingest_packet(NhipHubIngest *self,
				      const NhipHubUpload *upload,
				      GBytes *sealed,
				      const gchar **reason,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHubMessage *nhip_hub_ingest_answer(NhipHubIngest *self,
				       NhipHubAnswer *answer,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_hub_urgency_is_valid(const gchar *urgency);

G_END_DECLS
