/*
 * Nhịp — the kiosk's visit page screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_VISIT_PAGE (nhip_visit_page_get_type())
G_DECLARE_FINAL_TYPE(NhipVisitPage, nhip_visit_page, NHIP, VISIT_PAGE, AdwBin)

GtkWidget *nhip_visit_page_new(NhipStation *station);
void nhip_visit_page_load(NhipVisitPage *self, gint64 visit_id);
gint64 nhip_visit_page_get_visit_id(NhipVisitPage *self);
void nhip_visit_page_save_now(NhipVisitPage *self);
void nhip_visit_page_show_picker(NhipVisitPage *self, const gchar *query);

G_END_DECLS
