/*
 * Nhịp — axis scales for the trend charts: round ticks, value-to-pixel mapping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-chart-scale.h"

/* the smallest of 1, 2, 5 × 10^k that is at least @raw */
static gdouble
chart_nice_step(gdouble raw)
{
	gdouble magnitude = pow(10, floor(log10(raw)));
	gdouble fraction = raw / magnitude;

	if (fraction <= 1.0 + 1e-9)
		return magnitude;
	if (fraction <= 2.0 + 1e-9)
		return 2 * magnitude;
	if (fraction <= 5.0 + 1e-9)
		return 5 * magnitude;
	return 10 * magnitude;
}

/**
 * nhip_chart_scale_nice:
 * @data_min: the smallest value to show
 * @data_max: the largest value to show
 * @max_ticks: at most this many ticks (at least 2)
 * @scale: (out caller-allocates): the scale
 *
 * Finds round ticks that cover [@data_min, @data_max]. A single value, or none (NAN), gets
 * a small range around it so that the chart still has an axis.
 */
void
nhip_chart_scale_nice(gdouble data_min, gdouble data_max, guint max_ticks, NhipChartScale *scale)
{
	gdouble span;
	gdouble step;

	max_ticks = MAX(max_ticks, 2);
	if (isnan(data_min) || isnan(data_max) || isinf(data_min) || isinf(data_max)) {
		data_min = 0;
		data_max = 1;
	}
	if (data_min > data_max) {
		gdouble t = data_min;
		data_min = data_max;
		data_max = t;
	}
	span = data_max - data_min;
	if (span < 1e-9) {
		gdouble pad = fabs(data_min) > 1e-9 ? fabs(data_min) * 0.1 : 1;
		data_min -= pad;
		data_max += pad;
		span = data_max - data_min;
	}
	step = chart_nice_step(span / (max_ticks - 1));
	for (;;) {
		gdouble lo = floor(data_min / step + 1e-9) * step;
		gdouble hi = ceil(data_max / step - 1e-9) * step;
		guint n = (guint)llround((hi - lo) / step) + 1;
		if (n <= max_ticks) {
			scale->min = lo;
			scale->max = hi;
			scale->step = step;
			scale->n_ticks = n;
			return;
		}
		step = chart_nice_step(step * 1.5);
	}
}

/**
 * nhip_chart_scale_time:
 * @first: the earliest time, Unix seconds
 * @last: the latest time, Unix seconds
 * @max_ticks: at most this many ticks (at least 2)
 * @scale: (out caller-allocates): the scale, in Unix seconds, with ticks on whole-day steps
 *   (1, 2, 7, 14, 30, 61, 91, 182 or 365 days) counted from @first's local midnight
 */
void
nhip_chart_scale_time(gint64 first, gint64 last, guint max_ticks, NhipChartScale *scale)
{
	static const gint days[] = { 1, 2, 7, 14, 30, 61, 91, 182, 365, 730, 1825 };
	g_autoptr(GDateTime) start = NULL;
	g_autoptr(GDateTime) midnight = NULL;
	gint64 lo;
	guint i;

	max_ticks = MAX(max_ticks, 2);
	if (last < first) {
		gint64 t = first;
		first = last;
		last = t;
	}
	start = g_date_time_new_from_unix_local(first);
	midnight = g_date_time_new_local(g_date_time_get_year(start), g_date_time_get_month(start),
					 g_date_time_get_day_of_month(start), 0, 0, 0);
	lo = g_date_time_to_unix(midnight);
	for (i = 0; i < G_N_ELEMENTS(days) - 1; i++) {
		gint64 step = (gint64)days[i] * 86400;
		if ((last - lo) / step + 2 <= (gint64)max_ticks)
			break;
	}
	scale->step = (gdouble)days[i] * 86400;
	scale->min = (gdouble)lo;
	scale->n_ticks = (guint)((last - lo) / (gint64)scale->step) + 2;
	scale->max = scale->min + scale->step * (scale->n_ticks - 1);
}

/**
 * nhip_chart_scale_map:
 * @scale: a scale
 * @value: a value on the axis
 * @pixel_at_min: where @scale->min is drawn
 * @pixel_at_max: where @scale->max is drawn (smaller than @pixel_at_min for a y axis)
 *
 * Returns: the pixel position of @value
 */
gdouble
nhip_chart_scale_map(const NhipChartScale *scale,
		     gdouble value,
		     gdouble pixel_at_min,
		     gdouble pixel_at_max)
{
	gdouble span = scale->max - scale->min;
	if (span <= 0)
		return (pixel_at_min + pixel_at_max) / 2;
	return pixel_at_min + (value - scale->min) / span * (pixel_at_max - pixel_at_min);
}

/**
 * nhip_chart_scale_tick:
 * @scale: a scale
 * @i: tick index, below @scale->n_ticks
 *
 * Returns: the value of tick @i
 */
gdouble
nhip_chart_scale_tick(const NhipChartScale *scale, guint i)
{
	return scale->min + scale->step * i;
}
