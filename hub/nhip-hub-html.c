/*
 * Nhịp hub — HTML pieces for the doctors' pages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-hub-html.h"

const gchar nhip_hub_html_css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.45 system-ui,'Noto Sans',sans-serif;color:#1b1f23;"
	"background:#f4f6f8}"
	"header{display:flex;align-items:center;gap:1em;padding:.6em 1.2em;background:#0b5d7a;"
	"color:#fff}"
	"header .brand{font-weight:700;font-size:1.15em;color:#fff;text-decoration:none}"
	"header .who{margin-left:auto}"
	"header form{margin:0}"
	"main{max-width:1100px;margin:0 auto;padding:1em 1.2em}"
	"h1{font-size:1.5em;margin:.4em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}"
	"section{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:.8em 1em;"
	"margin:0 0 1em}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{text-align:left;padding:.45em .6em;border-bottom:1px solid #e4e8ec;"
	"vertical-align:middle}"
	"th{font-weight:600;color:#444;background:#f0f3f6}"
	"tr.urgent td{background:#fff3f0}"
	"a{color:#0b5d7a}"
	".badge{display:inline-block;padding:.1em .55em;border-radius:1em;font-size:.85em;"
	"font-weight:600;background:#e4e8ec;color:#333}"
	".badge.urgent{background:#c62828;color:#fff}"
	".badge.answered{background:#2e7d32;color:#fff}"
	".flag{color:#c62828;font-weight:700}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1em;margin:0}"
	"dt{color:#555}dd{margin:0}"
	"blockquote{margin:.3em 0;padding:.5em .8em;border-left:4px solid #0b5d7a;"
	"background:#f0f7fa;white-space:pre-wrap}"
	".notes{white-space:pre-wrap}"
	".photos{display:flex;flex-wrap:wrap;gap:.8em}"
	".photos img{max-width:320px;max-height:320px;border:1px solid #ccc;border-radius:4px}"
	"svg.chart{width:240px;height:60px;background:#fafbfc;border:1px solid #e4e8ec}"
	"svg.chart polyline{fill:none;stroke-width:2}"
	"label{display:block;margin:.6em 0 .2em;font-weight:600}"
	"textarea{width:100%;min-height:8em;font:inherit;padding:.4em}"
	"input[type=text],input[type=password],select{font:inherit;padding:.35em;"
	"min-width:16em}"
	"fieldset{border:0;padding:0;margin:.6em 0}legend{font-weight:600;padding:0}"
	"fieldset label{display:inline;font-weight:400;margin-right:1.2em}"
	"button{font:inherit;padding:.45em 1.1em;border:0;border-radius:4px;background:#0b5d7a;"
	"color:#fff;cursor:pointer}"
	"header button{background:#fff;color:#0b5d7a}"
	".error{color:#b71c1c;background:#fdecea;padding:.5em .8em;border-radius:4px}"
	".notice{color:#1b5e20;background:#e8f5e9;padding:.5em .8em;border-radius:4px}"
	".login{max-width:24em;margin:3em auto}"
	".muted{color:#666}";

/**
 * nhip_hub_html_text:
 * @out: the page
 * @text: (nullable): text from anywhere (a case, a form, the database)
 *
 * Appends @text escaped for an element's content or a quoted attribute: `& < > " '` become
 * character references and invalid UTF-8 is replaced.
 */
void
nhip_hub_html_text(GString *out, const gchar *text)
{
	g_autofree gchar *valid = NULL;

	if (text == NULL)
		return;
	valid = g_utf8_make_valid(text, -1);
	for (const gchar *p = valid; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		case '\'':
			g_string_append(out, "&#39;");
			break;
		default:
			g_string_append_c(out, *p);
			break;
		}
	}
}

/**
 * nhip_hub_html_tag_text:
 * @out: the page
 * @tag: an element name
 * @klass: (nullable): its class
 * @text: (nullable): its text, escaped
 */
void
nhip_hub_html_tag_text(GString *out, const gchar *tag, const gchar *klass, const gchar *text)
{
	g_string_append_printf(out, "<%s", tag);
	if (klass != NULL)
		g_string_append_printf(out, " class=\"%s\"", klass);
	g_string_append_c(out, '>');
	nhip_hub_html_text(out, text);
	g_string_append_printf(out, "</%s>", tag);
}

/**
 * nhip_hub_html_hidden:
 * @out: the page
 * @name: the field's name
 * @value: its value, escaped
 */
void
nhip_hub_html_hidden(GString *out, const gchar *name, const gchar *value)
{
	g_string_append_printf(out, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	nhip_hub_html_text(out, value);
	g_string_append(out, "\">");
}

/**
 * nhip_hub_html_page_begin:
 * @out: the page
 * @title: its title
 * @doctor_name: (nullable): the doctor logged in, for the header and its logout button
 * @csrf: (nullable): the session's form token, for the logout form
 */
void
nhip_hub_html_page_begin(GString *out,
			 const gchar *title,
			 const gchar *doctor_name,
			 const gchar *csrf)
{
	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"");
	/* TRANSLATORS: the language code of the doctors' pages (HTML lang attribute) */
	nhip_hub_html_text(out, C_("html-lang", "en"));
	g_string_append(out, "\"><head><meta charset=\"utf-8\">"
			     "<meta name=\"viewport\" content=\"width=device-width, "
			     "initial-scale=1\"><title>");
	nhip_hub_html_text(out, title);
	g_string_append(out, " — ");
	nhip_hub_html_text(out, _("Nhịp district consultations"));
	g_string_append(out, "</title><link rel=\"stylesheet\" href=\"/static/nhip.css\">"
			     "</head><body><header><a class=\"brand\" href=\"/cases\">");
	nhip_hub_html_text(out, _("Nhịp — district consultations"));
	g_string_append(out, "</a>");
	if (doctor_name != NULL && csrf != NULL) {
		g_string_append(out, "<span class=\"who\">");
		nhip_hub_html_text(out, doctor_name);
		g_string_append(out, "</span><form method=\"post\" action=\"/logout\">");
		nhip_hub_html_hidden(out, "csrf", csrf);
		g_string_append(out, "<button type=\"submit\" id=\"logout\">");
		nhip_hub_html_text(out, _("Log out"));
		g_string_append(out, "</button></form>");
	}
	g_string_append(out, "</header><main>");
}

/**
 * nhip_hub_html_page_end:
 * @out: the page
 */
void
nhip_hub_html_page_end(GString *out)
{
	g_string_append(out, "</main></body></html>\n");
}

/**
 * nhip_hub_html_number:
 * @value: a measurement
 *
 * Returns: (transfer full): @value with at most one decimal, a point as separator
 */
gchar *
nhip_hub_html_number(gdouble value)
{
	gchar buffer[G_ASCII_DTOSTR_BUF_SIZE] = { 0 };

	g_ascii_formatd(buffer, sizeof(buffer), fabs(value - round(value)) < 0.05 ? "%.0f" : "%.1f",
			value);
	return g_strdup(buffer);
}

#define CHART_W	  240.0
#define CHART_H	  60.0
#define CHART_PAD 8.0
/* room on the left for the lowest and highest value */
#define CHART_LEFT 30.0

static void
chart_series(GString *out,
	     const gdouble *values,
	     guint n,
	     gdouble low,
	     gdouble high,
	     const gchar *colour)
{
	gchar x_text[G_ASCII_DTOSTR_BUF_SIZE];
	gchar y_text[G_ASCII_DTOSTR_BUF_SIZE];

	if (n > 1) {
		g_string_append_printf(out, "<polyline stroke=\"%s\" points=\"", colour);
		for (guint i = 0; i < n; i++) {
			gdouble x = CHART_LEFT + (CHART_W - CHART_LEFT - CHART_PAD) * i / (n - 1);
			gdouble y = CHART_H - CHART_PAD -
				    (CHART_H - 2 * CHART_PAD) * (values[i] - low) / (high - low);
			g_string_append_printf(out, "%s%s,%s", i > 0 ? " " : "",
					       g_ascii_formatd(x_text, sizeof(x_text), "%.1f", x),
					       g_ascii_formatd(y_text, sizeof(y_text), "%.1f", y));
		}
		g_string_append(out, "\"/>");
	}
	for (guint i = 0; i < n; i++) {
		gdouble x =
			n > 1 ? CHART_PAD + (CHART_W - 2 * CHART_PAD) * i / (n - 1) : CHART_W / 2;
		gdouble y = CHART_H - CHART_PAD -
			    (CHART_H - 2 * CHART_PAD) * (values[i] - low) / (high - low);
		g_string_append_printf(out, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>",
				       g_ascii_formatd(x_text, sizeof(x_text), "%.1f", x),
				       g_ascii_formatd(y_text, sizeof(y_text), "%.1f", y), colour);
	}
}

/**
 * nhip_hub_html_chart:
 * @out: the page
 * @label: what is measured, for the chart's accessible name
 * @series_a: the values in time order
 * @series_b: (nullable): a second series (diastolic pressure) of the same length
 * @n_points: how many values
 *
 * Draws the values as a small line chart in inline SVG, scaled to their own range, with
 * the lowest and highest value written at the side.
 */
void
nhip_hub_html_chart(GString *out,
		    const gchar *label,
		    const gdouble *series_a,
		    const gdouble *series_b,
		    guint n_points)
{
	gdouble low = INFINITY;
	gdouble high = -INFINITY;
	g_autofree gchar *low_text = NULL;
	g_autofree gchar *high_text = NULL;

	if (n_points == 0)
		return;
	for (guint i = 0; i < n_points; i++) {
		low = MIN(low, series_a[i]);
		high = MAX(high, series_a[i]);
		if (series_b != NULL) {
			low = MIN(low, series_b[i]);
			high = MAX(high, series_b[i]);
		}
	}
	low_text = nhip_hub_html_number(low);
	high_text = nhip_hub_html_number(high);
	if (high - low < 1e-9) {
		/* one level: a flat line in the middle */
		low -= 1;
		high += 1;
	}
	g_string_append(out, "<svg class=\"chart\" viewBox=\"0 0 240 60\" role=\"img\" "
			     "xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"");
	nhip_hub_html_text(out, label);
	g_string_append(out, "\"><title>");
	nhip_hub_html_text(out, label);
	g_string_append(out, ": ");
	nhip_hub_html_text(out, low_text);
	g_string_append(out, " – ");
	nhip_hub_html_text(out, high_text);
	g_string_append(out, "</title>");
	chart_series(out, series_a, n_points, low, high, "#0b5d7a");
	if (series_b != NULL)
		chart_series(out, series_b, n_points, low, high, "#d9822b");
	g_string_append(out, "<text x=\"2\" y=\"10\" font-size=\"9\" fill=\"#666\">");
	nhip_hub_html_text(out, high_text);
	g_string_append(out, "</text><text x=\"2\" y=\"58\" font-size=\"9\" fill=\"#666\">");
	nhip_hub_html_text(out, low_text);
	g_string_append(out, "</text></svg>");
}
