/*
 * Nhịp — the kiosk's patient page screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_PATIENT_PAGE (nhip_patient_page_get_type())
G_DECLARE_FINAL_TYPE(NhipPatientPage, nhip_patient_page, NHIP, PATIENT_PAGE, AdwBin)

GtkWidget *nhip_patient_page_new(NhipStation *station);
void nhip_patient_page_load(NhipPatientPage *self, gint64 patient_id);
gint64 nhip_patient_page_get_patient_id(NhipPatientPage *self);
void nhip_patient_page_show_trends(NhipPatientPage *self, gboolean trends);

G_END_DECLS
