/*
 * Nhịp — tests of the trend charts' axis scales.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-chart-scale.h"

static void
assert_scale(gdouble lo, gdouble hi, guint max_ticks, gdouble min, gdouble max, gdouble step)
{
	NhipChartScale s;

	nhip_chart_scale_nice(lo, hi, max_ticks, &s);
	if (fabs(s.min - min) > 1e-9 || fabs(s.max - max) > 1e-9 || fabs(s.step - step) > 1e-9)
		g_error("[%g, %g] in %u ticks: got %g..%g step %g, expected %g..%g step %g", lo, hi,
			max_ticks, s.min, s.max, s.step, min, max, step);
	g_assert_cmpuint(s.n_ticks, <=, max_ticks);
	g_assert_cmpfloat(s.min, <=, lo);
	g_assert_cmpfloat(s.max, >=, hi);
	g_assert_cmpuint(s.n_ticks, ==, (guint)llround((s.max - s.min) / s.step) + 1);
}

static void
test_nice(void)
{
	/* blood pressure 65..170 in five ticks */
	assert_scale(65, 170, 5, 50, 200, 50);
	/* temperatures */
	assert_scale(36.4, 38.6, 6, 36, 39, 1);
	assert_scale(36.4, 38.6, 12, 36.4, 38.6, 0.2);
	/* SpO2 */
	assert_scale(91, 99, 5, 90, 100, 5);
	/* glucose */
	assert_scale(4.2, 13.8, 6, 4, 14, 2);
	/* one value gets a little room around it */
	assert_scale(72, 72, 5, 60, 80, 5);
	assert_scale(0, 0, 5, -1, 1, 0.5);
	/* reversed and missing input still give an axis */
	assert_scale(170, 65, 5, 50, 200, 50);
	assert_scale(0, 1, 5, 0, 1, 0.5);
	{
		NhipChartScale s;
		nhip_chart_scale_nice(NAN, 3, 5, &s);
		g_assert_cmpfloat(s.min, ==, 0);
		g_assert_cmpfloat(s.max, ==, 1);
	}
}

static void
test_map(void)
{
	NhipChartScale s = { 50, 200, 50, 4 };

	/* a y axis: larger values higher, so at smaller pixel y */
	g_assert_cmpfloat(nhip_chart_scale_map(&s, 50, 300, 0), ==, 300);
	g_assert_cmpfloat(nhip_chart_scale_map(&s, 200, 300, 0), ==, 0);
	g_assert_cmpfloat(nhip_chart_scale_map(&s, 125, 300, 0), ==, 150);
	g_assert_cmpfloat(nhip_chart_scale_tick(&s, 3), ==, 200);
	s.max = s.min;
	g_assert_cmpfloat(nhip_chart_scale_map(&s, 99, 300, 0), ==, 150);
}

static void
test_time(void)
{
	g_autoptr(GDateTime) a = g_date_time_new_local(2025, 1, 10, 9, 30, 0);
	g_autoptr(GDateTime) b = g_date_time_new_local(2025, 1, 12, 16, 0, 0);
	g_autoptr(GDateTime) c = g_date_time_new_local(2025, 11, 20, 8, 0, 0);
	g_autoptr(GDateTime) tick = NULL;
	NhipChartScale s;

	/* two and a half days in six ticks: daily ticks from midnight */
	nhip_chart_scale_time(g_date_time_to_unix(a), g_date_time_to_unix(b), 6, &s);
	g_assert_cmpfloat(s.step, ==, 86400);
	tick = g_date_time_new_from_unix_local((gint64)s.min);
	g_assert_cmpint(g_date_time_get_day_of_month(tick), ==, 10);
	g_assert_cmpint(g_date_time_get_hour(tick), ==, 0);
	g_assert_cmpfloat(s.max, >=, (gdouble)g_date_time_to_unix(b));
	g_assert_cmpuint(s.n_ticks, <=, 6);
	/* ten months in five ticks: quarter-year steps */
	nhip_chart_scale_time(g_date_time_to_unix(a), g_date_time_to_unix(c), 5, &s);
	g_assert_cmpfloat(s.step, ==, 91 * 86400.0);
	g_assert_cmpfloat(s.max, >=, (gdouble)g_date_time_to_unix(c));
	g_assert_cmpuint(s.n_ticks, <=, 5);
	/* one reading */
	nhip_chart_scale_time(g_date_time_to_unix(a), g_date_time_to_unix(a), 5, &s);
	g_assert_cmpuint(s.n_ticks, ==, 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui/chart-scale/nice", test_nice);
	g_test_add_func("/ui/chart-scale/map", test_map);
	g_test_add_func("/ui/chart-scale/time", test_time);
	return g_test_run();
}
