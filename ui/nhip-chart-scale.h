/*
 * Nhịp — axis scales for the trend charts: round ticks, value-to-pixel mapping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipChartScale:
 * @min: the axis start, a multiple of @step
 * @max: the axis end, a multiple of @step
 * @step: the distance between ticks (1, 2 or 5 times a power of ten; days for time axes)
 * @n_ticks: ticks from @min to @max inclusive
 *
 * A linear axis with round ticks that covers the data.
 */
typedef struct {
	gdouble min;
	gdouble max;
	gdouble step;
	guint n_ticks;
} NhipChartScale;

void
nhip_chart_scale_nice(gdouble data_min, gdouble data_max, guint max_ticks, NhipChartScale *scale);
void nhip_chart_scale_time(gint64 first, gint64 last, guint max_ticks, NhipChartScale *scale);
gdouble nhip_chart_scale_map(const NhipChartScale *scale,
			     gdouble value,
			     gdouble pixel_at_min,
			     gdouble pixel_at_max);
gdouble nhip_chart_scale_tick(const NhipChartScale *scale, guint i);

G_END_DECLS
