/*
 * Nhịp — the kiosk's search page screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_SEARCH_PAGE (nhip_search_page_get_type())
G_DECLARE_FINAL_TYPE(NhipSearchPage, nhip_search_page, NHIP, SEARCH_PAGE, AdwBin)

GtkWidget *nhip_search_page_new(NhipStation *station);
void nhip_search_page_set_query(NhipSearchPage *self, const gchar *query);
guint nhip_search_page_get_n_results(NhipSearchPage *self);

G_END_DECLS
