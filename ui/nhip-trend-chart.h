/*
 * Nhịp — a trend chart of one vital sign over a patient's visits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "nhip-vital-ranges.h"

G_BEGIN_DECLS

#define NHIP_TYPE_TREND_CHART (nhip_trend_chart_get_type())
G_DECLARE_FINAL_TYPE(NhipTrendChart, nhip_trend_chart, NHIP, TREND_CHART, GtkWidget)

GtkWidget *nhip_trend_chart_new(NhipVitalKind kind, gint age_months, NhipSex sex);
void nhip_trend_chart_add_point(NhipTrendChart *self, gint64 time, gdouble value, gdouble value2);
guint nhip_trend_chart_get_n_points(NhipTrendChart *self);

G_END_DECLS
