/*
 * Nhịp — finding a patient: results while typing, without diacritics.
 *
 * The search runs on the main thread: the store answers in about 1 ms over 100,000
 * patients (p95 3.2 ms, bench/app/bench-store) and bench/ui/bench-station measures the
 * whole path from keystroke to results drawn, so a thread hop would only add latency.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-search-page.h"
#include "nhip-ui-util.h"
#include "nhip-window.h"

#define SEARCH_LIMIT 20

typedef struct {
	GtkWidget *button;
	GtkWidget *avatar;
	GtkWidget *name;
	GtkWidget *summary;
	GtkWidget *details;
	gint64 patient_id;
} SearchRow;

struct _NhipSearchPage {
	AdwBin parent_instance;

	GtkWidget *entry;
	GtkLabel *count_label;
	GtkStack *stack;
	GtkWidget *scroller;
	GtkWidget *results_box;

	NhipStation *station;
	SearchRow rows[SEARCH_LIMIT];
	guint n_results;
	gint64 first_result;
};

G_DEFINE_TYPE(NhipSearchPage, nhip_search_page, ADW_TYPE_BIN)

static void
search_result_clicked(GtkButton *button, gpointer user_data)
{
	SearchRow *row = user_data;
	nhip_window_open_patient(nhip_window_from_widget(GTK_WIDGET(button)), row->patient_id);
}

/* "0661…1234": enough of an ID number to tell two people apart on screen */
static gchar *
search_mask_id(const gchar *id)
{
	gsize len = strlen(id);
	if (len <= 8)
		return g_strdup(id);
	return g_strdup_printf("%.4s…%s", id, id + len - 4);
}

static GtkWidget *
search_row_label(const gchar *css_class)
{
	GtkWidget *label = nhip_ui_label(NULL, css_class);

	/* one line each: a row never changes height, so typing never reflows the list */
	gtk_label_set_wrap(GTK_LABEL(label), FALSE);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
	return label;
}

/* the rows are made once and reused for every keystroke: building widgets costs more
 * than the search itself */
static void
search_build_rows(NhipSearchPage *self)
{
	for (guint i = 0; i < SEARCH_LIMIT; i++) {
		SearchRow *row = &self->rows[i];
		GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
		GtkWidget *texts = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);

		row->button = gtk_button_new();
		row->avatar = adw_avatar_new(40, NULL, TRUE);
		row->name = search_row_label("row-title");
		row->summary = search_row_label(NULL);
		row->details = search_row_label("dim-label");
		gtk_box_append(GTK_BOX(box), row->avatar);
		gtk_box_append(GTK_BOX(texts), row->name);
		gtk_box_append(GTK_BOX(texts), row->summary);
		gtk_box_append(GTK_BOX(texts), row->details);
		gtk_widget_set_hexpand(texts, TRUE);
		gtk_box_append(GTK_BOX(box), texts);
		gtk_box_append(GTK_BOX(box), gtk_image_new_from_icon_name("go-next-symbolic"));
		gtk_button_set_child(GTK_BUTTON(row->button), box);
		gtk_widget_add_css_class(row->button, "list-button");
		gtk_widget_set_visible(row->button, FALSE);
		g_signal_connect(row->button, "clicked", G_CALLBACK(search_result_clicked), row);
		gtk_box_append(GTK_BOX(self->results_box), row->button);
	}
}

static void
search_fill_row(SearchRow *row, const NhipPatient *patient)
{
	g_autofree gchar *summary = nhip_ui_patient_summary(patient);
	g_autoptr(GString) details = g_string_new(NULL);

	if (patient->cccd != NULL) {
		g_autofree gchar *masked = search_mask_id(patient->cccd);
		g_string_append_printf(details, _("CCCD %s"), masked);
	}
	if (patient->bhyt != NULL) {
		g_autofree gchar *masked = search_mask_id(patient->bhyt);
		if (details->len > 0)
			g_string_append(details, " · ");
		g_string_append_printf(details, _("BHYT %s"), masked);
	}
	if (patient->address != NULL) {
		if (details->len > 0)
			g_string_append(details, " · ");
		g_string_append(details, patient->address);
	}
	row->patient_id = patient->id;
	adw_avatar_set_text(ADW_AVATAR(row->avatar), patient->full_name);
	gtk_label_set_text(GTK_LABEL(row->name), patient->full_name);
	gtk_label_set_text(GTK_LABEL(row->summary), summary);
	gtk_label_set_text(GTK_LABEL(row->details), details->str);
	gtk_widget_set_visible(row->details, details->len > 0);
	nhip_ui_set_label(row->button, patient->full_name);
	gtk_widget_set_visible(row->button, TRUE);
}

static void
search_page_run(NhipSearchPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	const gchar *query = gtk_editable_get_text(GTK_EDITABLE(self->entry));
	g_autoptr(GPtrArray) found = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *count = NULL;
	g_autofree gchar *stripped = g_strstrip(g_strdup(query));
	gint64 started = g_get_monotonic_time();

	self->n_results = 0;
	self->first_result = 0;
	if (store == NULL)
		return;
	if (stripped[0] != '\0') {
		found = nhip_store_patient_search(store, query, SEARCH_LIMIT, &error);
		if (found == NULL) {
			nhip_window_error(nhip_window_from_widget(GTK_WIDGET(self)),
					  _("The search failed"), error);
			return;
		}
	}
	for (guint i = 0; i < SEARCH_LIMIT; i++) {
		if (found != NULL && i < found->len)
			search_fill_row(&self->rows[i], g_ptr_array_index(found, i));
		else if (gtk_widget_get_visible(self->rows[i].button))
			gtk_widget_set_visible(self->rows[i].button, FALSE);
	}
	if (found == NULL) {
		gtk_label_set_text(self->count_label, "");
		gtk_stack_set_visible_child_name(self->stack, "start");
		return;
	}
	self->n_results = found->len;
	if (found->len > 0)
		self->first_result = ((NhipPatient *)g_ptr_array_index(found, 0))->id;
	if (found->len >= SEARCH_LIMIT)
		count = g_strdup_printf(_("The first %u patients found; type more to narrow down"),
					found->len);
	else
		count = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%u patient found",
						    "%u patients found", found->len),
					found->len);
	gtk_label_set_text(self->count_label, count);
	gtk_stack_set_visible_child_name(self->stack, found->len > 0 ? "results" : "none");
	gtk_adjustment_set_value(
		gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(self->scroller)), 0);
	g_debug("search of %zu bytes: %u results in %" G_GINT64_FORMAT " µs", strlen(query),
		found->len, g_get_monotonic_time() - started);
}

static void
search_page_changed(NhipSearchPage *self)
{
	search_page_run(self);
}

static void
search_page_activate(NhipSearchPage *self)
{
	/* Enter with exactly one result opens it */
	if (self->n_results == 1)
		nhip_window_open_patient(nhip_window_from_widget(GTK_WIDGET(self)),
					 self->first_result);
}

static void
search_page_register(NhipSearchPage *self)
{
	g_autofree gchar *text = nhip_ui_entry_text(self->entry);
	gboolean looks_like_name = text != NULL && !g_ascii_isdigit(text[0]);

	nhip_window_register_patient(nhip_window_from_widget(GTK_WIDGET(self)),
				     looks_like_name ? text : NULL, NULL);
}

/**
 * nhip_search_page_set_query:
 * @self: the search screen
 * @query: what to search for
 */
void
nhip_search_page_set_query(NhipSearchPage *self, const gchar *query)
{
	gtk_editable_set_text(GTK_EDITABLE(self->entry), query);
	search_page_run(self);
}

/**
 * nhip_search_page_get_n_results:
 * @self: the search screen
 *
 * Returns: how many patients are listed
 */
guint
nhip_search_page_get_n_results(NhipSearchPage *self)
{
	return self->n_results;
}

static void
search_page_map(GtkWidget *widget)
{
	NhipSearchPage *self = NHIP_SEARCH_PAGE(widget);

	GTK_WIDGET_CLASS(nhip_search_page_parent_class)->map(widget);
	gtk_widget_grab_focus(self->entry);
	search_page_run(self);
}

static void
nhip_search_page_dispose(GObject *object)
{
	g_clear_object(&NHIP_SEARCH_PAGE(object)->station);
	G_OBJECT_CLASS(nhip_search_page_parent_class)->dispose(object);
}

static void
nhip_search_page_class_init(NhipSearchPageClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = nhip_search_page_dispose;
	widget_class->map = search_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-search-page.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipSearchPage, entry);
	gtk_widget_class_bind_template_child(widget_class, NhipSearchPage, count_label);
	gtk_widget_class_bind_template_child(widget_class, NhipSearchPage, stack);
	gtk_widget_class_bind_template_child(widget_class, NhipSearchPage, scroller);
	gtk_widget_class_bind_template_child(widget_class, NhipSearchPage, results_box);
	gtk_widget_class_bind_template_callback(widget_class, search_page_changed);
	gtk_widget_class_bind_template_callback(widget_class, search_page_activate);
	gtk_widget_class_bind_template_callback(widget_class, search_page_register);
}

static void
nhip_search_page_init(NhipSearchPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	search_build_rows(self);
	/* results while typing, with no delay: the search is fast enough for every key */
	gtk_search_entry_set_search_delay(GTK_SEARCH_ENTRY(self->entry), 0);
}

/**
 * nhip_search_page_new:
 * @station: the station
 *
 * Returns: (transfer floating): the search screen
 */
GtkWidget *
nhip_search_page_new(NhipStation *station)
{
	NhipSearchPage *self = g_object_new(NHIP_TYPE_SEARCH_PAGE, NULL);
	self->station = g_object_ref(station);
	return GTK_WIDGET(self);
}
