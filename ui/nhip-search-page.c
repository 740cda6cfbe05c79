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

#define SEARCH_LIMIT 30

struct _NhipSearchPage {
	AdwBin parent_instance;

	GtkWidget *entry;
	GtkLabel *count_label;
	GtkStack *stack;
	GtkWidget *scroller;
	GtkWidget *results_box;

	NhipStation *station;
	guint n_results;
	gint64 first_result;
};

G_DEFINE_TYPE(NhipSearchPage, nhip_search_page, ADW_TYPE_BIN)

static void
search_result_clicked(GtkButton *button, gpointer user_data)
{
	NhipSearchPage *self = user_data;
	gint64 id = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(button), "patient-id"));
	nhip_window_open_patient(nhip_window_from_widget(GTK_WIDGET(self)), id);
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
search_result_row(NhipSearchPage *self, const NhipPatient *patient)
{
	GtkWidget *button = gtk_button_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *texts = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
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
	gtk_box_append(GTK_BOX(box), adw_avatar_new(40, patient->full_name, TRUE));
	gtk_box_append(GTK_BOX(texts), nhip_ui_label(patient->full_name, "row-title"));
	gtk_box_append(GTK_BOX(texts), nhip_ui_label(summary, NULL));
	if (details->len > 0) {
		GtkWidget *label = nhip_ui_label(details->str, "dim-label");
		gtk_label_set_wrap(GTK_LABEL(label), FALSE);
		gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
		gtk_box_append(GTK_BOX(texts), label);
	}
	gtk_widget_set_hexpand(texts, TRUE);
	gtk_box_append(GTK_BOX(box), texts);
	gtk_box_append(GTK_BOX(box), gtk_image_new_from_icon_name("go-next-symbolic"));
	gtk_button_set_child(GTK_BUTTON(button), box);
	gtk_widget_add_css_class(button, "list-button");
	nhip_ui_set_label(button, patient->full_name);
	g_object_set_data(G_OBJECT(button), "patient-id", GSIZE_TO_POINTER(patient->id));
	g_signal_connect(button, "clicked", G_CALLBACK(search_result_clicked), self);
	return button;
}

static void
search_page_run(NhipSearchPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	const gchar *query = gtk_editable_get_text(GTK_EDITABLE(self->entry));
	g_autoptr(GPtrArray) found = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *count = NULL;
	gint64 started = g_get_monotonic_time();

	nhip_ui_remove_all(self->results_box);
	self->n_results = 0;
	self->first_result = 0;
	if (store == NULL)
		return;
	{
		g_autofree gchar *stripped = g_strstrip(g_strdup(query));
		if (stripped[0] == '\0') {
			gtk_label_set_text(self->count_label, "");
			gtk_stack_set_visible_child_name(self->stack, "start");
			return;
		}
	}
	found = nhip_store_patient_search(store, query, SEARCH_LIMIT, &error);
	if (found == NULL) {
		nhip_window_error(nhip_window_from_widget(GTK_WIDGET(self)), _("The search failed"),
				  error);
		return;
	}
	for (guint i = 0; i < found->len; i++)
		gtk_box_append(GTK_BOX(self->results_box),
			       search_result_row(self, g_ptr_array_index(found, i)));
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
	g_debug("search of %zu characters: %u results in %" G_GINT64_FORMAT " µs", strlen(query),
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
