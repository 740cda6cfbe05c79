/*
 * Nhịp hub — HTML for the doctors' pages: every piece of text goes through
 * nhip_hub_html_text() (escaped, made valid UTF-8); page frame, style sheet and the small
 * vital-sign charts drawn as inline SVG on the server (no script runs in the pages).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the style sheet, served at /static/nhip.css */
extern const gchar nhip_hub_html_css[];

void nhip_hub_html_text(GString *out, const gchar *text);
void nhip_hub_html_tag_text(GString *out, const gchar *tag, const gchar *klass, const gchar *text);
void nhip_hub_html_page_begin(GString *out,
			      const gchar *title,
			      const gchar *doctor_name,
			      const gchar *csrf);
void nhip_hub_html_page_end(GString *out);
void nhip_hub_html_hidden(GString *out, const gchar *name, const gchar *value);
void nhip_hub_html_chart(GString *out,
			 const gchar *label,
			 const gdouble *series_a,
			 const gdouble *series_b,
			 guint n_points);
gchar *nhip_hub_html_number(gdouble value) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
