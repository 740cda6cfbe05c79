/*
 * Nhịp — a trend chart of one vital sign over a patient's visits.
 *
 * Drawn with GtkSnapshot (lines and dots through its cairo node, labels as Pango layouts):
 * the usual range for the patient's age as a green band, each reading as a dot — red when
 * outside the range — joined by a line; blood pressure draws systolic and diastolic.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-chart-scale.h"
#include "nhip-trend-chart.h"

#define MARGIN_LEFT   52
#define MARGIN_RIGHT  16
#define MARGIN_TOP    34
#define MARGIN_BOTTOM 28

typedef struct {
	gint64 time;
	gdouble value;
	gdouble value2;
} ChartPoint;

struct _NhipTrendChart {
	GtkWidget parent_instance;
	NhipVitalKind kind;
	gint age_months;
	NhipSex sex;
	GArray *points; /* ChartPoint, oldest first */
};

G_DEFINE_TYPE(NhipTrendChart, nhip_trend_chart, GTK_TYPE_WIDGET)

static void
chart_layout_at(NhipTrendChart *self,
		GtkSnapshot *snapshot,
		const gchar *text,
		gdouble x,
		gdouble y,
		gdouble align_x,
		const GdkRGBA *color,
		gboolean bold)
{
	g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), text);
	gint width = 0, height = 0;

	if (bold) {
		g_autoptr(PangoAttrList) attrs = pango_attr_list_new();
		pango_attr_list_insert(attrs, pango_attr_weight_new(PANGO_WEIGHT_BOLD));
		pango_layout_set_attributes(layout, attrs);
	}
	pango_layout_get_pixel_size(layout, &width, &height);
	gtk_snapshot_save(snapshot);
	gtk_snapshot_translate(snapshot, &GRAPHENE_POINT_INIT((float)(x - width * align_x),
							      (float)(y - height / 2.0)));
	gtk_snapshot_append_layout(snapshot, layout, color);
	gtk_snapshot_restore(snapshot);
}

static void
chart_series(cairo_t *cr,
	     NhipTrendChart *self,
	     const NhipChartScale *xs,
	     const NhipChartScale *ys,
	     gdouble x0,
	     gdouble x1,
	     gdouble y0,
	     gdouble y1,
	     gboolean second,
	     gdouble low,
	     gdouble high)
{
	/* the line */
	cairo_set_source_rgba(cr, 0.11, 0.39, 0.76, 1);
	cairo_set_line_width(cr, 2.5);
	for (guint i = 0; i < self->points->len; i++) {
		ChartPoint *p = &g_array_index(self->points, ChartPoint, i);
		gdouble v = second ? p->value2 : p->value;
		gdouble x = nhip_chart_scale_map(xs, (gdouble)p->time, x0, x1);
		gdouble y = nhip_chart_scale_map(ys, v, y0, y1);
		if (i == 0)
			cairo_move_to(cr, x, y);
		else
			cairo_line_to(cr, x, y);
	}
	cairo_stroke(cr);
	/* the dots: red outside the usual range */
	for (guint i = 0; i < self->points->len; i++) {
		ChartPoint *p = &g_array_index(self->points, ChartPoint, i);
		gdouble v = second ? p->value2 : p->value;
		gdouble x = nhip_chart_scale_map(xs, (gdouble)p->time, x0, x1);
		gdouble y = nhip_chart_scale_map(ys, v, y0, y1);
		gboolean out = (!isnan(low) && v < low) || (!isnan(high) && v >= high);
		if (out)
			cairo_set_source_rgb(cr, 0.78, 0.11, 0.16);
		else
			cairo_set_source_rgb(cr, 0.11, 0.39, 0.76);
		cairo_arc(cr, x, y, out ? 6 : 5, 0, 2 * G_PI);
		cairo_fill(cr);
	}
}

static void
nhip_trend_chart_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
	NhipTrendChart *self = NHIP_TREND_CHART(widget);
	gdouble width = gtk_widget_get_width(widget);
	gdouble height = gtk_widget_get_height(widget);
	gdouble x0 = MARGIN_LEFT, x1 = width - MARGIN_RIGHT;
	gdouble y0 = height - MARGIN_BOTTOM, y1 = MARGIN_TOP;
	GdkRGBA text_color = { 0.12, 0.12, 0.12, 1 };
	GdkRGBA dim_color = { 0.35, 0.35, 0.35, 1 };
	const NhipVitalInfo *info = nhip_vital_info(self->kind);
	gboolean two = info != NULL && info->n_values == 2;
	NhipVitalRange range;
	NhipChartScale xs, ys;
	gdouble lo = INFINITY, hi = -INFINITY;
	gint64 t_first, t_last;
	cairo_t *cr;
	g_autofree gchar *title = NULL;

	if (self->points->len == 0 || width < 120 || height < 100)
		return;
	nhip_vital_range_for(self->kind, self->age_months, self->sex, &range);
	for (guint i = 0; i < self->points->len; i++) {
		ChartPoint *p = &g_array_index(self->points, ChartPoint, i);
		lo = MIN(lo, p->value);
		hi = MAX(hi, p->value);
		if (two && !isnan(p->value2)) {
			lo = MIN(lo, p->value2);
			hi = MAX(hi, p->value2);
		}
	}
	/* keep the usual range in view when it is near the data */
	if (!isnan(range.high) && range.high < hi * 1.3)
		hi = MAX(hi, range.high);
	if (!isnan(range.low) && range.low > lo * 0.7)
		lo = MIN(lo, range.low);
	if (two && !isnan(range.low2) && range.low2 > lo * 0.7)
		lo = MIN(lo, range.low2);
	nhip_chart_scale_nice(lo, hi, (guint)MAX(3, (y0 - y1) / 36), &ys);
	t_first = g_array_index(self->points, ChartPoint, 0).time;
	t_last = g_array_index(self->points, ChartPoint, self->points->len - 1).time;
	nhip_chart_scale_time(t_first, t_last, (guint)MAX(2, (x1 - x0) / 80), &xs);

	cr = gtk_snapshot_append_cairo(snapshot,
				       &GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height));
	/* usual range bands */
	cairo_set_source_rgba(cr, 0.18, 0.62, 0.30, 0.14);
	if (!isnan(range.low) || !isnan(range.high)) {
		gdouble band_lo = isnan(range.low) ? ys.min : MAX(range.low, ys.min);
		gdouble band_hi = isnan(range.high) ? ys.max : MIN(range.high, ys.max);
		gdouble ya = nhip_chart_scale_map(&ys, band_lo, y0, y1);
		gdouble yb = nhip_chart_scale_map(&ys, band_hi, y0, y1);
		cairo_rectangle(cr, x0, yb, x1 - x0, ya - yb);
		cairo_fill(cr);
	}
	/* grid */
	cairo_set_source_rgba(cr, 0, 0, 0, 0.12);
	cairo_set_line_width(cr, 1);
	for (guint i = 0; i < ys.n_ticks; i++) {
		gdouble y =
			round(nhip_chart_scale_map(&ys, nhip_chart_scale_tick(&ys, i), y0, y1)) +
			0.5;
		cairo_move_to(cr, x0, y);
		cairo_line_to(cr, x1, y);
	}
	cairo_stroke(cr);
	chart_series(cr, self, &xs, &ys, x0, x1, y0, y1, FALSE, range.low, range.high);
	if (two)
		chart_series(cr, self, &xs, &ys, x0, x1, y0, y1, TRUE, range.low2, range.high2);
	cairo_destroy(cr);

	/* labels */
	title = g_strdup_printf("%s (%s)", nhip_vital_display_name(self->kind),
				nhip_vital_display_unit(self->kind));
	chart_layout_at(self, snapshot, title, x0, MARGIN_TOP / 2.0, 0, &text_color, TRUE);
	for (guint i = 0; i < ys.n_ticks; i++) {
		gdouble v = nhip_chart_scale_tick(&ys, i);
		g_autofree gchar *text = g_strdup_printf("%g", v);
		chart_layout_at(self, snapshot, text, x0 - 6, nhip_chart_scale_map(&ys, v, y0, y1),
				1, &dim_color, FALSE);
	}
	for (guint i = 0; i < xs.n_ticks; i++) {
		gdouble t = nhip_chart_scale_tick(&xs, i);
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local((gint64)t);
		g_autofree gchar *text =
			dt != NULL ? g_date_time_format(dt, "%d/%m") : g_strdup("");
		gdouble x = nhip_chart_scale_map(&xs, t, x0, x1);
		chart_layout_at(self, snapshot, text, x, y0 + MARGIN_BOTTOM / 2.0,
				i == 0 ? 0 : (i + 1 == xs.n_ticks ? 1 : 0.5), &dim_color, FALSE);
	}
}

static void
nhip_trend_chart_measure(GtkWidget *widget,
			 GtkOrientation orientation,
			 int for_size,
			 int *minimum,
			 int *natural,
			 int *minimum_baseline,
			 int *natural_baseline)
{
	*minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 280 : 190;
	*natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 440 : 210;
}

static void
nhip_trend_chart_finalize(GObject *object)
{
	g_array_unref(NHIP_TREND_CHART(object)->points);
	G_OBJECT_CLASS(nhip_trend_chart_parent_class)->finalize(object);
}

static void
nhip_trend_chart_class_init(NhipTrendChartClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = nhip_trend_chart_finalize;
	widget_class->snapshot = nhip_trend_chart_snapshot;
	widget_class->measure = nhip_trend_chart_measure;
	gtk_widget_class_set_css_name(widget_class, "trendchart");
	gtk_widget_class_set_accessible_role(widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
nhip_trend_chart_init(NhipTrendChart *self)
{
	self->points = g_array_new(FALSE, FALSE, sizeof(ChartPoint));
}

/**
 * nhip_trend_chart_new:
 * @kind: the vital sign
 * @age_months: the patient's age in months, -1 when unknown
 * @sex: the patient's sex
 *
 * Returns: (transfer floating): an empty chart
 */
GtkWidget *
nhip_trend_chart_new(NhipVitalKind kind, gint age_months, NhipSex sex)
{
	NhipTrendChart *self = g_object_new(NHIP_TYPE_TREND_CHART, NULL);

	self->kind = kind;
	self->age_months = age_months;
	self->sex = sex;
	return GTK_WIDGET(self);
}

static void
chart_update_label(NhipTrendChart *self)
{
	ChartPoint *last = &g_array_index(self->points, ChartPoint, self->points->len - 1);
	g_autofree gchar *value = nhip_vital_format(self->kind, last->value, last->value2);
	g_autofree gchar *label = g_strdup_printf(
		g_dngettext(GETTEXT_PACKAGE, "%s chart, %u reading, latest %s %s",
			    "%s chart, %u readings, latest %s %s", self->points->len),
		nhip_vital_display_name(self->kind), self->points->len, value,
		nhip_vital_display_unit(self->kind));
	gtk_accessible_update_property(GTK_ACCESSIBLE(self), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
				       -1);
}

/**
 * nhip_trend_chart_add_point:
 * @self: a chart
 * @time: when, Unix seconds; points must come oldest first
 * @value: the value
 * @value2: the second value (diastolic), NAN for one-valued kinds
 */
void
nhip_trend_chart_add_point(NhipTrendChart *self, gint64 time, gdouble value, gdouble value2)
{
	ChartPoint point = { time, value, value2 };

	g_array_append_val(self->points, point);
	chart_update_label(self);
	gtk_widget_queue_draw(GTK_WIDGET(self));
}

/**
 * nhip_trend_chart_get_n_points:
 * @self: a chart
 *
 * Returns: the number of readings drawn
 */
guint
nhip_trend_chart_get_n_points(NhipTrendChart *self)
{
	return self->points->len;
}
