/*
 * Nhịp — realistic demo data for a commune station.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-store.h"

G_BEGIN_DECLS

gboolean nhip_demo_fill(NhipStore *store,
			guint n_patients,
			gdouble visits_per_patient,
			guint32 seed,
			GError **error);
NhipPatient *nhip_demo_make_patient(GRand *rand) G_GNUC_WARN_UNUSED_RESULT;
const gchar *nhip_demo_staff_pin(const gchar *name);

G_END_DECLS
