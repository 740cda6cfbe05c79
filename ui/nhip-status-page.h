/*
 * Nhịp — the technician's status page: what `nhipctl status` says, with a refresh button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_STATUS_PAGE (nhip_status_page_get_type())
G_DECLARE_FINAL_TYPE(NhipStatusPage, nhip_status_page, NHIP, STATUS_PAGE, AdwBin)

GtkWidget *nhip_status_page_new(NhipStation *station);
void nhip_status_page_refresh(NhipStatusPage *self);

G_END_DECLS
