/*
 * Nhịp — the kiosk's patient form screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-cccd-qr.h"
#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_PATIENT_FORM (nhip_patient_form_get_type())
G_DECLARE_FINAL_TYPE(NhipPatientForm, nhip_patient_form, NHIP, PATIENT_FORM, AdwBin)

GtkWidget *nhip_patient_form_new(NhipStation *station);
void nhip_patient_form_load(NhipPatientForm *self, gint64 patient_id, const gchar *name_hint);
void nhip_patient_form_fill_qr(NhipPatientForm *self, const NhipCccdQr *qr);
gint64 nhip_patient_form_get_patient_id(NhipPatientForm *self);

G_END_DECLS
