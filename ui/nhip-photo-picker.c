/*
 * Nhịp — the kiosk's photo picker.
 *
 * A modal window over the kiosk: at the top Cancel, the title and Attach; below, where
 * one is (a USB stick, Pictures, a folder in them) with a Back button that never goes
 * above the allowed folders, and "Look again" for a USB stick put in just now; then a
 * grid of large thumbnails, folders first and photos newest first. One tap chooses a
 * photo (its name, date and size show at the bottom), Attach hands it over: the
 * "photo-chosen" signal with its path and MIME type. A photo that cannot be read, is too
 * large or is damaged shows a warning on its tile and, when tapped, says which file, what
 * is wrong and what to do; it cannot be attached.
 *
 * What may be listed and opened is decided by NhipPhotoScope (nhip-photo-scan.h): never
 * the station's data. Listing a folder and decoding thumbnails happen in threads (two for
 * thumbnails, so that a folder of camera photos neither holds up a frame nor fills the
 * memory); a folder left before it is listed is cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-photo-picker.h"
#include "nhip-photo-scan.h"
#include "nhip-ui-util.h"
#include "nhip-window.h"

/* the longest edge of a thumbnail, in pixels, and the most tiles of one folder */
#define PICKER_THUMB_EDGE 200
#define PICKER_MAX_SHOWN  200

struct _NhipPhotoPicker {
	AdwWindow parent_instance;

	GtkWidget *attach_button;
	AdwWindowTitle *title;
	GtkWidget *back_button;
	GtkLabel *where_label;
	GtkStack *stack;
	GtkWidget *grid;
	AdwStatusPage *empty_page;
	AdwStatusPage *error_page;
	GtkLabel *info_label;
	GtkLabel *more_label;

	NhipStation *station;
	NhipWindow *window; /* (nullable) (weak) the kiosk window it is over */
	NhipPhotoScope *scope;
	gchar **roots; /* (nullable): given by nhip_photo_picker_set_roots() */
	gchar *folder; /* NULL: the list of roots */
	GCancellable *cancellable;
	GThreadPool *thumbs;
	GtkToggleButton *group; /* the first photo tile: the others join its group */
	GtkWidget *selected;
	guint pending; /* listing and thumbnails not done yet */
};

G_DEFINE_TYPE(NhipPhotoPicker, nhip_photo_picker, ADW_TYPE_WINDOW)

enum { SIGNAL_PHOTO_CHOSEN, N_SIGNALS };
static guint signals[N_SIGNALS];

/* what a photo tile carries (object data "entry") */
typedef struct {
	gchar *path;
	gchar *name;
	NhipPhotoFormat format;
	gint64 mtime;
	guint64 size;
	gchar *problem;	  /* why it cannot be attached, or NULL */
	gboolean decoded; /* its thumbnail was made: the file is a whole photo */
} PickerPhoto;

static void
picker_photo_free(PickerPhoto *photo)
{
	g_free(photo->path);
	g_free(photo->name);
	g_free(photo->problem);
	g_free(photo);
}

typedef struct {
	NhipPhotoScope *scope;
	gchar *path;
} ThumbJob;

static void
thumb_job_free(ThumbJob *job)
{
	nhip_photo_scope_unref(job->scope);
	g_free(job->path);
	g_free(job);
}

static void picker_load(NhipPhotoPicker *self);

/* ----- choosing ----- */

static void
picker_show_info(NhipPhotoPicker *self)
{
	PickerPhoto *photo = self->selected != NULL
				     ? g_object_get_data(G_OBJECT(self->selected), "photo")
				     : NULL;
	g_autofree gchar *text = NULL;

	gtk_widget_remove_css_class(GTK_WIDGET(self->info_label), "error");
	if (photo == NULL) {
		gtk_label_set_text(self->info_label,
				   _("Tap a photo to choose it, then tap Attach."));
		gtk_widget_set_sensitive(self->attach_button, FALSE);
		return;
	}
	if (photo->problem != NULL) {
		gtk_widget_add_css_class(GTK_WIDGET(self->info_label), "error");
		gtk_label_set_text(self->info_label, photo->problem);
		gtk_widget_set_sensitive(self->attach_button, FALSE);
		return;
	}
	{
		g_autofree gchar *day = nhip_ui_format_date(photo->mtime);
		g_autofree gchar *when = nhip_ui_format_time(photo->mtime);
		g_autofree gchar *size = g_format_size(photo->size);
		/* TRANSLATORS: the photo chosen: its file name, the day and time it was taken
		 * (or copied), its size */
		text = g_strdup_printf(_("Chosen: %s, %s %s, %s"), photo->name, day, when, size);
	}
	gtk_label_set_text(self->info_label, text);
	/* attached only once its thumbnail shows it is a whole photo */
	gtk_widget_set_sensitive(self->attach_button, photo->decoded);
}

static void
picker_photo_toggled(GtkToggleButton *button, gpointer user_data)
{
	NhipPhotoPicker *self = user_data;

	if (gtk_toggle_button_get_active(button))
		self->selected = GTK_WIDGET(button);
	else if (self->selected == GTK_WIDGET(button))
		self->selected = NULL;
	picker_show_info(self);
}

static void
picker_attach(NhipPhotoPicker *self)
{
	PickerPhoto *photo = self->selected != NULL
				     ? g_object_get_data(G_OBJECT(self->selected), "photo")
				     : NULL;

	if (photo == NULL || photo->problem != NULL || !photo->decoded)
		return;
	g_signal_emit(self, signals[SIGNAL_PHOTO_CHOSEN], 0, photo->path,
		      photo->format == NHIP_PHOTO_FORMAT_PNG ? "image/png" : "image/jpeg");
	gtk_window_destroy(GTK_WINDOW(self));
}

static void
picker_cancel(NhipPhotoPicker *self)
{
	gtk_window_destroy(GTK_WINDOW(self));
}

/* ----- thumbnails ----- */

static void
picker_thumb_thread(gpointer data, gpointer user_data)
{
	g_autoptr(GTask) task = data;
	ThumbJob *job = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) pixbuf = NULL;

	if (g_task_return_error_if_cancelled(task))
		return;
	pixbuf = nhip_photo_scope_thumbnail(job->scope, job->path, PICKER_THUMB_EDGE, &error);
	if (pixbuf == NULL)
		g_task_return_error(task, g_steal_pointer(&error));
	else
		g_task_return_pointer(task, gdk_texture_new_for_pixbuf(pixbuf), g_object_unref);
}

/* a thumbnail still queued when the picker closes */
static void
picker_thumb_drop(gpointer data)
{
	GTask *task = data;

	g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "closed");
	g_object_unref(task);
}

static void
picker_set_warning(GtkWidget *tile, const gchar *problem)
{
	PickerPhoto *photo = g_object_get_data(G_OBJECT(tile), "photo");
	GtkWidget *picture = g_object_get_data(G_OBJECT(tile), "picture");
	GtkWidget *icon = g_object_get_data(G_OBJECT(tile), "icon");

	g_free(photo->problem);
	photo->problem = g_strdup(problem);
	gtk_widget_set_visible(picture, FALSE);
	gtk_widget_set_visible(icon, TRUE);
	gtk_widget_add_css_class(tile, "picker-problem");
}

static void
picker_busy_changed(NhipPhotoPicker *self, gint delta)
{
	self->pending = (guint)((gint)self->pending + delta);
}

static void
picker_thumb_loaded(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GtkWidget) tile = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkTexture) texture = g_task_propagate_pointer(G_TASK(result), &error);
	NhipPhotoPicker *self;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self = NHIP_PHOTO_PICKER(g_object_get_data(G_OBJECT(result), "picker"));
	picker_busy_changed(self, -1);
	if (texture != NULL) {
		GtkWidget *picture = g_object_get_data(G_OBJECT(tile), "picture");
		PickerPhoto *photo = g_object_get_data(G_OBJECT(tile), "photo");
		gtk_picture_set_paintable(GTK_PICTURE(picture), GDK_PAINTABLE(texture));
		photo->decoded = TRUE;
		if (self->selected == tile)
			picker_show_info(self);
		return;
	}
	g_message("a photo cannot be shown: %s", error->message);
	picker_set_warning(tile, error->message);
	if (self->selected == tile)
		picker_show_info(self);
}

/* ----- tiles ----- */

static GtkWidget *
picker_tile_box(GtkWidget *top, const gchar *name, const gchar *detail)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
	GtkWidget *label = gtk_label_new(name);

	gtk_box_append(GTK_BOX(box), top);
	gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_MIDDLE);
	gtk_label_set_max_width_chars(GTK_LABEL(label), 16);
	gtk_widget_add_css_class(label, "picker-name");
	gtk_box_append(GTK_BOX(box), label);
	if (detail != NULL) {
		GtkWidget *small = gtk_label_new(detail);
		gtk_widget_add_css_class(small, "dim-label");
		gtk_box_append(GTK_BOX(box), small);
	}
	return box;
}

static void
picker_folder_clicked(GtkButton *button, gpointer user_data)
{
	NhipPhotoPicker *self = user_data;
	const gchar *path = g_object_get_data(G_OBJECT(button), "path");

	g_free(self->folder);
	self->folder = g_strdup(path);
	picker_load(self);
}

static GtkWidget *
picker_folder_tile(NhipPhotoPicker *self, const NhipPhotoEntry *entry, const gchar *icon_name)
{
	GtkWidget *button = gtk_button_new();
	GtkWidget *icon = gtk_image_new_from_icon_name(icon_name);

	gtk_image_set_pixel_size(GTK_IMAGE(icon), 96);
	gtk_widget_set_size_request(icon, PICKER_THUMB_EDGE, 150);
	gtk_button_set_child(GTK_BUTTON(button), picker_tile_box(icon, entry->name, NULL));
	gtk_widget_add_css_class(button, "picker-tile");
	nhip_ui_set_label(button, entry->name);
	g_object_set_data_full(G_OBJECT(button), "path", g_strdup(entry->path), g_free);
	g_signal_connect(button, "clicked", G_CALLBACK(picker_folder_clicked), self);
	return button;
}

static GtkWidget *
picker_photo_tile(NhipPhotoPicker *self, const NhipPhotoEntry *entry)
{
	GtkWidget *button = gtk_toggle_button_new();
	GtkWidget *overlay = gtk_overlay_new();
	GtkWidget *picture = gtk_picture_new();
	GtkWidget *icon = gtk_image_new_from_icon_name("dialog-warning-symbolic");
	PickerPhoto *photo = g_new0(PickerPhoto, 1);
	g_autofree gchar *when = nhip_ui_format_date(entry->mtime);

	photo->path = g_strdup(entry->path);
	photo->name = g_strdup(entry->name);
	photo->format = entry->format;
	photo->mtime = entry->mtime;
	photo->size = entry->size;
	gtk_widget_set_size_request(picture, PICKER_THUMB_EDGE, 150);
	gtk_picture_set_can_shrink(GTK_PICTURE(picture), TRUE);
	gtk_picture_set_content_fit(GTK_PICTURE(picture), GTK_CONTENT_FIT_CONTAIN);
	gtk_overlay_set_child(GTK_OVERLAY(overlay), picture);
	gtk_image_set_pixel_size(GTK_IMAGE(icon), 64);
	gtk_widget_set_size_request(icon, PICKER_THUMB_EDGE, 150);
	gtk_widget_set_visible(icon, FALSE);
	gtk_widget_add_css_class(icon, "error");
	gtk_overlay_add_overlay(GTK_OVERLAY(overlay), icon);
	gtk_button_set_child(GTK_BUTTON(button), picker_tile_box(overlay, entry->name, when));
	gtk_widget_add_css_class(button, "picker-tile");
	nhip_ui_set_label(button, entry->name);
	g_object_set_data_full(G_OBJECT(button), "photo", photo, (GDestroyNotify)picker_photo_free);
	g_object_set_data(G_OBJECT(button), "picture", picture);
	g_object_set_data(G_OBJECT(button), "icon", icon);
	if (self->group == NULL)
		self->group = GTK_TOGGLE_BUTTON(button);
	else
		gtk_toggle_button_set_group(GTK_TOGGLE_BUTTON(button), self->group);
	g_signal_connect(button, "toggled", G_CALLBACK(picker_photo_toggled), self);

	if (entry->error != NULL) {
		picker_set_warning(button, entry->error->message);
	} else {
		GTask *task = g_task_new(NULL, self->cancellable, picker_thumb_loaded,
					 g_object_ref(button));
		ThumbJob *job = g_new0(ThumbJob, 1);
		job->scope = nhip_photo_scope_ref(self->scope);
		job->path = g_strdup(entry->path);
		g_task_set_task_data(task, job, (GDestroyNotify)thumb_job_free);
		g_object_set_data(G_OBJECT(task), "picker", self);
		picker_busy_changed(self, +1);
		/* the pool owns the task from here */
		g_thread_pool_push(self->thumbs, task, NULL);
	}
	return button;
}

/* ----- folders ----- */

static void
picker_clear(NhipPhotoPicker *self)
{
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	self->pending = 0;
	self->group = NULL;
	self->selected = NULL;
	nhip_ui_remove_all(self->grid);
	gtk_widget_set_visible(GTK_WIDGET(self->more_label), FALSE);
	picker_show_info(self);
}

static const NhipPhotoEntry *
picker_root_of(NhipPhotoPicker *self, const gchar *path)
{
	GPtrArray *roots = nhip_photo_scope_get_roots(self->scope);

	for (guint i = 0; path != NULL && i < roots->len; i++) {
		const NhipPhotoEntry *root = g_ptr_array_index(roots, i);
		if (g_str_has_prefix(path, root->path) &&
		    (path[strlen(root->path)] == '\0' || path[strlen(root->path)] == '/' ||
		     g_strcmp0(root->path, "/") == 0))
			return root;
	}
	return NULL;
}

/* "USB stick “KINGSTON” › DCIM › 100CANON" */
static void
picker_show_where(NhipPhotoPicker *self)
{
	GPtrArray *roots = nhip_photo_scope_get_roots(self->scope);
	const NhipPhotoEntry *root = picker_root_of(self, self->folder);
	g_autoptr(GString) where = g_string_new(NULL);
	g_autofree gchar *parent = NULL;

	if (root == NULL) {
		g_string_append(where, _("Where are the photos?"));
	} else {
		g_auto(GStrv) parts = NULL;
		g_string_append(where, root->name);
		parts = g_strsplit(self->folder + strlen(root->path), "/", -1);
		for (guint i = 0; parts[i] != NULL; i++) {
			g_autofree gchar *display = NULL;
			if (*parts[i] == '\0')
				continue;
			display = g_filename_display_name(parts[i]);
			g_string_append_printf(where, " › %s", display);
		}
	}
	gtk_label_set_text(self->where_label, where->str);
	parent = self->folder != NULL ? nhip_photo_scope_parent(self->scope, self->folder) : NULL;
	gtk_widget_set_sensitive(self->back_button,
				 self->folder != NULL && (roots->len > 1 || parent != NULL));
}

static void
picker_fill(NhipPhotoPicker *self, GPtrArray *entries)
{
	guint photos = 0;
	guint shown = 0;

	for (guint i = 0; i < entries->len; i++) {
		const NhipPhotoEntry *entry = g_ptr_array_index(entries, i);
		GtkWidget *tile;
		if (entry->is_dir) {
			tile = picker_folder_tile(self, entry, "folder-symbolic");
		} else if (++photos <= PICKER_MAX_SHOWN) {
			tile = picker_photo_tile(self, entry);
			shown++;
		} else {
			continue;
		}
		gtk_flow_box_append(GTK_FLOW_BOX(self->grid), tile);
	}
	if (photos > shown) {
		g_autofree gchar *text = g_strdup_printf(
			g_dngettext(GETTEXT_PACKAGE,
				    "The %u newest photos are shown, of %u in this folder. Copy "
				    "the older ones into a folder of their own to see them.",
				    "The %u newest photos are shown, of %u in this folder. Copy "
				    "the older ones into a folder of their own to see them.",
				    shown),
			shown, photos);
		gtk_label_set_text(self->more_label, text);
		gtk_widget_set_visible(GTK_WIDGET(self->more_label), TRUE);
	}
	if (entries->len == 0) {
		adw_status_page_set_title(self->empty_page, _("No photos in this folder"));
		gtk_stack_set_visible_child_name(self->stack, "empty");
	} else {
		gtk_stack_set_visible_child_name(self->stack, "grid");
	}
}

static void
picker_list_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	ThumbJob *job = data;
	GError *error = NULL;
	GPtrArray *entries = nhip_photo_scope_list(job->scope, job->path, cancellable, &error);

	if (entries == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, entries, (GDestroyNotify)g_ptr_array_unref);
}

static void
picker_listed(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipPhotoPicker) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) entries = g_task_propagate_pointer(G_TASK(result), &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	picker_busy_changed(self, -1);
	if (entries == NULL) {
		adw_status_page_set_description(self->error_page, error->message);
		gtk_stack_set_visible_child_name(self->stack, "error");
		return;
	}
	picker_fill(self, entries);
}

static void
picker_load(NhipPhotoPicker *self)
{
	GPtrArray *roots = nhip_photo_scope_get_roots(self->scope);

	picker_clear(self);
	if (self->folder == NULL && roots->len == 1)
		self->folder = g_strdup(((NhipPhotoEntry *)g_ptr_array_index(roots, 0))->path);
	picker_show_where(self);
	if (roots->len == 0) {
		adw_status_page_set_title(self->empty_page, _("No photos found"));
		gtk_stack_set_visible_child_name(self->stack, "empty");
		return;
	}
	if (self->folder == NULL) {
		/* the USB sticks and Pictures */
		for (guint i = 0; i < roots->len; i++) {
			const NhipPhotoEntry *root = g_ptr_array_index(roots, i);
			const gchar *icon = "drive-removable-media-symbolic";
			if (g_strcmp0(root->name, _("Pictures")) == 0)
				icon = "folder-pictures-symbolic";
			else if (g_getenv("NHIP_PHOTO_ROOTS") != NULL)
				icon = "folder-symbolic";
			gtk_flow_box_append(GTK_FLOW_BOX(self->grid),
					    picker_folder_tile(self, root, icon));
		}
		gtk_stack_set_visible_child_name(self->stack, "grid");
		return;
	}
	{
		g_autoptr(GTask) task =
			g_task_new(NULL, self->cancellable, picker_listed, g_object_ref(self));
		ThumbJob *job = g_new0(ThumbJob, 1);
		job->scope = nhip_photo_scope_ref(self->scope);
		job->path = g_strdup(self->folder);
		g_task_set_task_data(task, job, (GDestroyNotify)thumb_job_free);
		gtk_stack_set_visible_child_name(self->stack, "loading");
		picker_busy_changed(self, +1);
		g_task_run_in_thread(task, picker_list_thread);
	}
}

static void
picker_back(NhipPhotoPicker *self)
{
	g_autofree gchar *parent = NULL;

	if (self->folder == NULL)
		return;
	parent = nhip_photo_scope_parent(self->scope, self->folder);
	g_free(self->folder);
	/* above a root: the list of roots (with one root, picker_load() goes back into it) */
	self->folder = g_steal_pointer(&parent);
	picker_load(self);
}

/* a USB stick put in since the picker opened */
static void
picker_look_again(NhipPhotoPicker *self)
{
	g_clear_pointer(&self->scope, nhip_photo_scope_unref);
	self->scope = nhip_photo_scope_new_for_station(nhip_station_get_db_path(self->station),
						       (const gchar *const *)self->roots);
	if (self->folder != NULL && !nhip_photo_scope_allows(self->scope, self->folder))
		g_clear_pointer(&self->folder, g_free);
	picker_load(self);
}

/* ----- the window ----- */

static GtkWidget *
picker_big_button(const gchar *icon_name, const gchar *label, const gchar *css_class)
{
	GtkWidget *button = gtk_button_new();

	if (icon_name != NULL) {
		GtkWidget *content = adw_button_content_new();
		adw_button_content_set_label(ADW_BUTTON_CONTENT(content), label);
		adw_button_content_set_use_underline(ADW_BUTTON_CONTENT(content), TRUE);
		adw_button_content_set_icon_name(ADW_BUTTON_CONTENT(content), icon_name);
		gtk_button_set_child(GTK_BUTTON(button), content);
	} else {
		gtk_button_set_label(GTK_BUTTON(button), label);
		gtk_button_set_use_underline(GTK_BUTTON(button), TRUE);
	}
	gtk_widget_add_css_class(button, "big-button");
	if (css_class != NULL)
		gtk_widget_add_css_class(button, css_class);
	return button;
}

static GtkWidget *
picker_status_page(const gchar *icon_name, const gchar *title, const gchar *description)
{
	GtkWidget *page = adw_status_page_new();

	adw_status_page_set_icon_name(ADW_STATUS_PAGE(page), icon_name);
	adw_status_page_set_title(ADW_STATUS_PAGE(page), title);
	adw_status_page_set_description(ADW_STATUS_PAGE(page), description);
	return page;
}

static void
nhip_photo_picker_init(NhipPhotoPicker *self)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	GtkWidget *header = adw_header_bar_new();
	GtkWidget *cancel = picker_big_button(NULL, _("_Cancel"), NULL);
	GtkWidget *where_bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *look_again = picker_big_button("view-refresh-symbolic", _("Look again"), NULL);
	GtkWidget *look_again_empty =
		picker_big_button("view-refresh-symbolic", _("Look again"), "suggested-action");
	GtkWidget *scrolled = gtk_scrolled_window_new();
	GtkWidget *loading = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
	GtkWidget *spinner = gtk_spinner_new();
	GtkWidget *error_back = picker_big_button("go-previous-symbolic", _("Back"), NULL);
	GtkWidget *bottom = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);

	self->cancellable = g_cancellable_new();
	self->thumbs = g_thread_pool_new_full(picker_thumb_thread, NULL, picker_thumb_drop, 2,
					      FALSE, NULL);
	gtk_widget_add_css_class(GTK_WIDGET(self), "photo-picker");
	gtk_window_set_modal(GTK_WINDOW(self), TRUE);

	/* Cancel, the title, Attach */
	adw_header_bar_set_show_start_title_buttons(ADW_HEADER_BAR(header), FALSE);
	adw_header_bar_set_show_end_title_buttons(ADW_HEADER_BAR(header), FALSE);
	self->title = ADW_WINDOW_TITLE(adw_window_title_new("", NULL));
	adw_header_bar_set_title_widget(ADW_HEADER_BAR(header), GTK_WIDGET(self->title));
	g_signal_connect_swapped(cancel, "clicked", G_CALLBACK(picker_cancel), self);
	adw_header_bar_pack_start(ADW_HEADER_BAR(header), cancel);
	self->attach_button = picker_big_button("mail-attachment-symbolic", "", "suggested-action");
	gtk_widget_set_sensitive(self->attach_button, FALSE);
	g_signal_connect_swapped(self->attach_button, "clicked", G_CALLBACK(picker_attach), self);
	adw_header_bar_pack_end(ADW_HEADER_BAR(header), self->attach_button);
	gtk_box_append(GTK_BOX(box), header);

	/* Back, where one is, Look again */
	gtk_widget_set_margin_start(where_bar, 12);
	gtk_widget_set_margin_end(where_bar, 12);
	gtk_widget_set_margin_top(where_bar, 8);
	self->back_button = picker_big_button("go-previous-symbolic", _("Back"), NULL);
	g_signal_connect_swapped(self->back_button, "clicked", G_CALLBACK(picker_back), self);
	gtk_box_append(GTK_BOX(where_bar), self->back_button);
	self->where_label = GTK_LABEL(gtk_label_new(""));
	gtk_label_set_xalign(self->where_label, 0);
	gtk_label_set_ellipsize(self->where_label, PANGO_ELLIPSIZE_START);
	gtk_widget_set_hexpand(GTK_WIDGET(self->where_label), TRUE);
	gtk_widget_add_css_class(GTK_WIDGET(self->where_label), "row-title");
	gtk_box_append(GTK_BOX(where_bar), GTK_WIDGET(self->where_label));
	g_signal_connect_swapped(look_again, "clicked", G_CALLBACK(picker_look_again), self);
	gtk_box_append(GTK_BOX(where_bar), look_again);
	gtk_box_append(GTK_BOX(box), where_bar);

	/* the tiles, or why there are none */
	self->stack = GTK_STACK(gtk_stack_new());
	gtk_widget_set_vexpand(GTK_WIDGET(self->stack), TRUE);
	self->grid = gtk_flow_box_new();
	gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(self->grid), GTK_SELECTION_NONE);
	gtk_flow_box_set_homogeneous(GTK_FLOW_BOX(self->grid), TRUE);
	gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(self->grid), 8);
	gtk_flow_box_set_row_spacing(GTK_FLOW_BOX(self->grid), 12);
	gtk_flow_box_set_column_spacing(GTK_FLOW_BOX(self->grid), 12);
	gtk_widget_set_valign(self->grid, GTK_ALIGN_START);
	gtk_widget_set_margin_start(self->grid, 12);
	gtk_widget_set_margin_end(self->grid, 12);
	gtk_widget_set_margin_top(self->grid, 12);
	gtk_widget_set_margin_bottom(self->grid, 12);
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scrolled), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scrolled), self->grid);
	gtk_stack_add_named(self->stack, scrolled, "grid");

	self->empty_page = ADW_STATUS_PAGE(picker_status_page(
		"drive-removable-media-symbolic", _("No photos found"),
		_("Insert a USB stick with the photos, or copy them into Pictures. Then tap "
		  "Look again.")));
	gtk_widget_set_halign(look_again_empty, GTK_ALIGN_CENTER);
	g_signal_connect_swapped(look_again_empty, "clicked", G_CALLBACK(picker_look_again), self);
	adw_status_page_set_child(self->empty_page, look_again_empty);
	gtk_stack_add_named(self->stack, GTK_WIDGET(self->empty_page), "empty");

	self->error_page = ADW_STATUS_PAGE(picker_status_page(
		"dialog-warning-symbolic", _("This folder cannot be shown"), NULL));
	gtk_widget_set_halign(error_back, GTK_ALIGN_CENTER);
	g_signal_connect_swapped(error_back, "clicked", G_CALLBACK(picker_back), self);
	adw_status_page_set_child(self->error_page, error_back);
	gtk_stack_add_named(self->stack, GTK_WIDGET(self->error_page), "error");

	gtk_spinner_set_spinning(GTK_SPINNER(spinner), TRUE);
	gtk_widget_set_size_request(spinner, 48, 48);
	gtk_box_append(GTK_BOX(loading), spinner);
	gtk_box_append(GTK_BOX(loading), gtk_label_new(_("Looking for photos…")));
	gtk_widget_set_valign(loading, GTK_ALIGN_CENTER);
	gtk_stack_add_named(self->stack, loading, "loading");
	gtk_box_append(GTK_BOX(box), GTK_WIDGET(self->stack));

	/* what is chosen, or what is wrong with it */
	gtk_widget_add_css_class(bottom, "picker-info");
	self->more_label = GTK_LABEL(nhip_ui_label("", "dim-label"));
	gtk_widget_set_visible(GTK_WIDGET(self->more_label), FALSE);
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(self->more_label));
	self->info_label = GTK_LABEL(nhip_ui_label("", "row-title"));
	gtk_box_append(GTK_BOX(bottom), GTK_WIDGET(self->info_label));
	gtk_box_append(GTK_BOX(box), bottom);

	adw_window_set_content(ADW_WINDOW(self), box);
}

/* logged out (the idle lock, the lock button): nothing may be attached now */
static void
picker_staff_changed(NhipStation *station, GParamSpec *pspec, gpointer user_data)
{
	if (nhip_station_get_staff(station) == NULL)
		picker_cancel(NHIP_PHOTO_PICKER(user_data));
}

/* a tap here is use of the kiosk: its idle lock does not see this window */
static gboolean
picker_activity(GtkEventControllerLegacy *controller, GdkEvent *event, gpointer user_data)
{
	NhipPhotoPicker *self = user_data;
	GdkEventType type = gdk_event_get_event_type(event);

	if (self->window != NULL && (type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN ||
				     type == GDK_SCROLL || type == GDK_KEY_PRESS))
		nhip_window_note_activity(self->window);
	return GDK_EVENT_PROPAGATE;
}

static gboolean
picker_key_pressed(GtkEventControllerKey *controller,
		   guint keyval,
		   guint keycode,
		   GdkModifierType state,
		   gpointer user_data)
{
	if (keyval != GDK_KEY_Escape)
		return FALSE;
	picker_cancel(NHIP_PHOTO_PICKER(user_data));
	return TRUE;
}

static void
nhip_photo_picker_dispose(GObject *object)
{
	NhipPhotoPicker *self = NHIP_PHOTO_PICKER(object);

	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	if (self->station != NULL)
		g_signal_handlers_disconnect_by_data(self->station, self);
	g_clear_object(&self->station);
	g_clear_weak_pointer(&self->window);
	if (self->thumbs != NULL) {
		/* the queued thumbnails are dropped; the ones being decoded end by themselves */
		g_thread_pool_free(g_steal_pointer(&self->thumbs), TRUE, FALSE);
	}
	G_OBJECT_CLASS(nhip_photo_picker_parent_class)->dispose(object);
}

static void
nhip_photo_picker_finalize(GObject *object)
{
	NhipPhotoPicker *self = NHIP_PHOTO_PICKER(object);

	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->scope, nhip_photo_scope_unref);
	g_free(self->folder);
	g_strfreev(self->roots);
	G_OBJECT_CLASS(nhip_photo_picker_parent_class)->finalize(object);
}

static void
nhip_photo_picker_class_init(NhipPhotoPickerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = nhip_photo_picker_dispose;
	object_class->finalize = nhip_photo_picker_finalize;

	/**
	 * NhipPhotoPicker::photo-chosen:
	 * @self: the picker
	 * @path: the photo's file
	 * @mime_type: "image/jpeg" or "image/png", from its first bytes
	 *
	 * A photo was chosen and Attach tapped; the picker closes after.
	 */
	signals[SIGNAL_PHOTO_CHOSEN] =
		g_signal_new("photo-chosen", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

/**
 * nhip_photo_picker_new:
 * @parent: a widget of the kiosk window; the picker is modal over it, as large
 * @station: the station: its data folders are never shown, and the picker closes when
 *   staff log out
 * @title: what the photo is for ("Attach a photo")
 * @accept_label: the accept button's label, with a mnemonic ("_Attach")
 *
 * Returns: (transfer none): the picker, shown; connect "photo-chosen". It closes itself
 *   on Attach, Cancel, Escape and logging out.
 */
NhipPhotoPicker *
nhip_photo_picker_new(GtkWidget *parent,
		      NhipStation *station,
		      const gchar *title,
		      const gchar *accept_label)
{
	NhipPhotoPicker *self = g_object_new(NHIP_TYPE_PHOTO_PICKER, NULL);
	GtkRoot *root = parent != NULL ? gtk_widget_get_root(parent) : NULL;
	GtkEventController *keys = gtk_event_controller_key_new();
	GtkEventController *activity = gtk_event_controller_legacy_new();
	GtkWidget *content =
		gtk_button_get_child(GTK_BUTTON(self->attach_button)); /* AdwButtonContent */

	self->station = g_object_ref(station);
	g_signal_connect(station, "notify::staff", G_CALLBACK(picker_staff_changed), self);
	gtk_window_set_title(GTK_WINDOW(self), title);
	adw_window_title_set_title(self->title, title);
	adw_button_content_set_label(ADW_BUTTON_CONTENT(content), accept_label);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(picker_key_pressed), self);
	gtk_widget_add_controller(GTK_WIDGET(self), keys);
	gtk_event_controller_set_propagation_phase(activity, GTK_PHASE_CAPTURE);
	g_signal_connect(activity, "event", G_CALLBACK(picker_activity), self);
	gtk_widget_add_controller(GTK_WIDGET(self), activity);
	if (GTK_IS_WINDOW(root)) {
		if (NHIP_IS_WINDOW(root))
			g_set_weak_pointer(&self->window, NHIP_WINDOW(root));
		gtk_window_set_transient_for(GTK_WINDOW(self), GTK_WINDOW(root));
		gtk_window_set_application(GTK_WINDOW(self),
					   gtk_window_get_application(GTK_WINDOW(root)));
		gint width = 0, height = 0;
		/* as large as the kiosk: its size, or the size it asked for if not shown yet */
		gtk_window_get_default_size(GTK_WINDOW(root), &width, &height);
		width = MAX(width, gtk_widget_get_width(GTK_WIDGET(root)));
		height = MAX(height, gtk_widget_get_height(GTK_WIDGET(root)));
		gtk_window_set_default_size(GTK_WINDOW(self), MAX(width, 640), MAX(height, 480));
		if (gtk_window_is_fullscreen(GTK_WINDOW(root)))
			gtk_window_fullscreen(GTK_WINDOW(self));
	}
	gtk_window_set_destroy_with_parent(GTK_WINDOW(self), TRUE);
	self->scope = nhip_photo_scope_new_for_station(nhip_station_get_db_path(station), NULL);
	picker_load(self);
	gtk_window_present(GTK_WINDOW(self));
	return self;
}

/**
 * nhip_photo_picker_is_busy:
 * @self: the picker
 *
 * Returns: %TRUE while the folder is listed or thumbnails are decoded
 */
gboolean
nhip_photo_picker_is_busy(NhipPhotoPicker *self)
{
	g_return_val_if_fail(NHIP_IS_PHOTO_PICKER(self), FALSE);
	return self->pending > 0;
}

/**
 * nhip_photo_picker_select:
 * @self: the picker
 * @name: a photo's file name in the folder shown
 *
 * Chooses a photo as a tap on its tile does.
 *
 * Returns: %TRUE when the photo is shown
 */
gboolean
nhip_photo_picker_select(NhipPhotoPicker *self, const gchar *name)
{
	g_return_val_if_fail(NHIP_IS_PHOTO_PICKER(self), FALSE);

	for (GtkWidget *child = gtk_widget_get_first_child(self->grid); child != NULL;
	     child = gtk_widget_get_next_sibling(child)) {
		GtkWidget *tile = gtk_flow_box_child_get_child(GTK_FLOW_BOX_CHILD(child));
		PickerPhoto *photo = g_object_get_data(G_OBJECT(tile), "photo");
		if (photo != NULL && g_strcmp0(photo->name, name) == 0) {
			gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(tile), TRUE);
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * nhip_photo_picker_set_roots:
 * @self: the picker
 * @roots: (array zero-terminated=1): the folders to show instead of the USB sticks and
 *   Pictures (the screenshots' demo photos); the station's data is refused all the same
 */
void
nhip_photo_picker_set_roots(NhipPhotoPicker *self, const gchar *const *roots)
{
	g_return_if_fail(NHIP_IS_PHOTO_PICKER(self));

	g_strfreev(self->roots);
	self->roots = g_strdupv((gchar **)roots);
	g_clear_pointer(&self->folder, g_free);
	picker_look_again(self);
}
