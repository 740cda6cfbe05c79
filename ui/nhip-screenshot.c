/*
 * Nhịp — screenshots of the kiosk's screens, for the documentation.
 *
 * `nhip-station --demo --db TMP --screenshot SCREEN --output FILE.png` logs in as a demo
 * account, walks to the screen with demo data (opening a visit with readings where the
 * screen needs one), waits until it has been drawn, renders the window with its own
 * renderer and saves a PNG. tools/screenshots.sh runs it for every screen at 1024×600 and
 * 1280×800.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>

#include "nhip-call-page.h"
#include "nhip-patient-form.h"
#include "nhip-patient-page.h"
#include "nhip-photo-picker.h"
#include "nhip-screenshot.h"
#include "nhip-search-page.h"
#include "nhip-store-packets.h"
#include "nhip-ui-util.h"
#include "nhip-visit-page.h"

const gchar *const nhip_screenshot_pages[] = {
	"login", "home",   "search",   "patient", "trends", "register", "visit", "diagnosis",
	"ask",	 "answer", "settings", "setup",	  "status", "picker",	"call",	 NULL,
};

/* a made-up card whose numbers agree: born 1990, female, registered in Đắk Lắk */
#define SCREENSHOT_QR                                                                                   \
	"066190001234||Hà Thị Mai|12051990|Nữ|Thôn 5, Xã Ea Nuôl, Huyện Buôn Đôn, Đắk " \
	"Lắk|20082021"

typedef struct {
	NhipWindow *window;
	NhipStation *station;
	GtkWidget *target; /* the window drawn: the kiosk's, or the photo picker over it */
	gchar *page;
	gchar *output;
	gchar *photos_dir; /* the picker's demo photos, removed at the end */
	guint frames;
} Shot;

static void
shot_free(Shot *shot)
{
	if (shot->photos_dir != NULL) {
		g_autoptr(GDir) dir = g_dir_open(shot->photos_dir, 0, NULL);
		g_autofree gchar *parent = g_path_get_dirname(shot->photos_dir);
		const gchar *name;
		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *path = g_build_filename(shot->photos_dir, name, NULL);
			g_unlink(path);
		}
		g_rmdir(shot->photos_dir);
		g_rmdir(parent);
		g_free(shot->photos_dir);
	}
	g_clear_object(&shot->target);
	g_object_unref(shot->window);
	g_free(shot->page);
	g_free(shot->output);
	g_free(shot);
}

/**
 * nhip_screenshot_page_known:
 * @page: a screen name
 *
 * Returns: %TRUE when --screenshot can show @page
 */
gboolean
nhip_screenshot_page_known(const gchar *page)
{
	return g_strv_contains(nhip_screenshot_pages, page);
}

/**
 * nhip_screenshot_save:
 * @widget: a realized widget, usually the window
 * @output: the PNG file to write
 * @error: return location for a #GError
 *
 * Renders @widget as it is now with its window's renderer.
 *
 * Returns: %TRUE when the file was written
 */
gboolean
nhip_screenshot_save(GtkWidget *widget, const gchar *output, GError **error)
{
	g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new(widget);
	g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new();
	g_autoptr(GskRenderNode) node = NULL;
	g_autoptr(GdkTexture) texture = NULL;
	GskRenderer *renderer = gtk_native_get_renderer(gtk_widget_get_native(widget));
	gint width = gtk_widget_get_width(widget);
	gint height = gtk_widget_get_height(widget);

	{
		gint min_w = 0, min_h = 0;
		gtk_widget_measure(widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL,
				   NULL);
		gtk_widget_measure(widget, GTK_ORIENTATION_VERTICAL, width, &min_h, NULL, NULL,
				   NULL);
		g_debug("window %d×%d, smallest %d×%d", width, height, min_w, min_h);
	}
	gdk_paintable_snapshot(paintable, GDK_SNAPSHOT(snapshot), width, height);
	node = gtk_snapshot_free_to_node(g_steal_pointer(&snapshot));
	if (node == NULL || renderer == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    _("the window has not been drawn yet"));
		return FALSE;
	}
	texture = gsk_renderer_render_texture(
		renderer, node, &GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height));
	if (!gdk_texture_save_to_png(texture, output)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot write %s"), output);
		return FALSE;
	}
	return TRUE;
}

static void
shot_after_paint(GdkFrameClock *clock, gpointer user_data)
{
	Shot *shot = user_data;
	g_autoptr(GError) error = NULL;
	GApplication *app = G_APPLICATION(gtk_window_get_application(GTK_WINDOW(shot->window)));

	/* a few frames: toasts fade in, lists lay out, thumbnails arrive */
	if (++shot->frames < 6) {
		gtk_widget_queue_draw(shot->target);
		return;
	}
	g_signal_handlers_disconnect_by_func(clock, shot_after_paint, shot);
	if (!nhip_screenshot_save(shot->target, shot->output, &error)) {
		g_printerr("nhip-station: %s\n", error->message);
		g_object_set_data(G_OBJECT(app), "exit-status", GINT_TO_POINTER(1));
	} else {
		g_print("%s\n", shot->output);
	}
	shot_free(shot);
	g_application_quit(app);
}

static gboolean
shot_take(gpointer user_data)
{
	Shot *shot = user_data;
	GdkFrameClock *clock = gtk_widget_get_frame_clock(shot->target);

	g_signal_connect(clock, "after-paint", G_CALLBACK(shot_after_paint), shot);
	gtk_widget_queue_draw(shot->target);
	return G_SOURCE_REMOVE;
}

static void
shot_later(Shot *shot)
{
	/* let the screen settle (crossfade, toasts) before drawing the picture */
	g_timeout_add(600, shot_take, shot);
}

static void
shot_fail(Shot *shot, const gchar *what, const GError *error)
{
	GApplication *app = G_APPLICATION(gtk_window_get_application(GTK_WINDOW(shot->window)));
	g_printerr("nhip-station: screenshot of %s: %s: %s\n", shot->page, what,
		   error != NULL ? error->message : "");
	g_object_set_data(G_OBJECT(app), "exit-status", GINT_TO_POINTER(1));
	shot_free(shot);
	g_application_quit(app);
}

static void
shot_login(Shot *shot, NhipRole role)
{
	NhipStore *store = nhip_station_get_store(shot->station);
	g_autoptr(GPtrArray) staff = nhip_store_staff_list(store, NULL);

	for (guint i = 0; staff != NULL && i < staff->len; i++) {
		NhipStaff *member = g_ptr_array_index(staff, i);
		if (member->role == role) {
			/* the screenshot tool stands in for a logged-in person of the demo */
			nhip_station_set_staff(shot->station, member);
			return;
		}
	}
}

/* the demo patient with the longest history among those named Nguyễn */
static gint64
shot_patient_with_history(Shot *shot)
{
	NhipStore *store = nhip_station_get_store(shot->station);
	g_autoptr(GPtrArray) found = nhip_store_patient_search(store, "nguyen", 30, NULL);
	gint64 best = 0;
	guint best_n = 0;

	for (guint i = 0; found != NULL && i < found->len; i++) {
		NhipPatient *patient = g_ptr_array_index(found, i);
		g_autoptr(GPtrArray) obs =
			nhip_store_observation_list_for_patient(store, patient->id, NULL);
		if (obs != NULL && obs->len > best_n &&
		    nhip_patient_age_years(patient, NULL) >= 40) {
			best = patient->id;
			best_n = obs->len;
		}
	}
	return best;
}

typedef struct {
	gint64 patient_id;
	gchar *packets_dir; /* for "answer": where the demo's sent case is */
} ShotVisitJob;

static void
shot_visit_job_free(ShotVisitJob *job)
{
	g_free(job->packets_dir);
	g_free(job);
}

/* a case about the visit sent and answered by a district doctor, for the picture of the
 * answer on the visit (the demo database only: no hub took part) */
static gboolean
shot_answer(NhipStore *store, gint64 visit_id, const gchar *packets_dir, GError **error)
{
	g_autoptr(GPtrArray) replies = nhip_store_reply_list_for_visit(store, visit_id, error);
	g_autofree gchar *packet_id = g_uuid_string_random();
	g_autofree gchar *msg_id = g_uuid_string_random();
	g_autofree gchar *name = g_strconcat(packet_id, ".cms", NULL);
	g_autofree gchar *path = g_build_filename(packets_dir, name, NULL);
	NhipReply reply = { 0 };

	if (replies == NULL)
		return FALSE;
	if (replies->len > 0)
		return TRUE;
	if (g_mkdir_with_parents(packets_dir, 0700) != 0 ||
	    !g_file_set_contents(path, "demo", -1, error) ||
	    nhip_store_packet_add(store, packet_id, visit_id, path, TRUE, error) == 0)
		return FALSE;
	reply.msg_id = msg_id;
	reply.in_reply_to = packet_id;
	reply.cursor = 1;
	reply.path = path;
	reply.text = (gchar *)"Nghi viêm phổi: SpO2 93 %, sốt 38,4 °C. Chuyển tuyến huyện trong "
			      "ngày; trong lúc chờ cho hạ sốt bằng paracetamol, theo dõi nhịp thở.";
	reply.doctor = (gchar *)"BS. Hoàng Minh Tuấn, Khoa Nội";
	reply.referral = 1;
	reply.urgency = (gchar *)"urgent";
	return nhip_store_reply_add(store, &reply, error);
}

/* opens (or continues) a visit with a device reading, readings by hand and a draft */
static gpointer
shot_visit_job(NhipStore *store, gpointer data, GError **error)
{
	ShotVisitJob *job = data;
	g_autoptr(GPtrArray) visits =
		nhip_store_visit_list_for_patient(store, job->patient_id, error);
	g_autoptr(GPtrArray) manual =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	g_autoptr(GPtrArray) device =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) taken = g_date_time_add_minutes(now, -3);
	const gchar *codes[] = { "J06.9", NULL };
	NhipMeasurement *m;
	gint64 visit_id = 0;
	gint64 *result;

	if (visits == NULL)
		return NULL;
	for (guint i = 0; i < visits->len; i++) {
		NhipVisit *visit = g_ptr_array_index(visits, i);
		if (visit->status == NHIP_VISIT_STATUS_OPEN)
			visit_id = visit->id;
	}
	if (visit_id == 0) {
		visit_id =
			nhip_store_visit_open(store, job->patient_id, "Sốt, ho, đau họng", error);
		if (visit_id == 0)
			return NULL;
		/* what an Omron arm cuff sends: blood pressure and pulse */
		static const struct {
			NhipVitalKind kind;
			gdouble value, value2;
		} cuff[] = { { NHIP_VITAL_BLOOD_PRESSURE, 148, 92 },
			     { NHIP_VITAL_PULSE, 96, NAN } };
		for (guint i = 0; i < G_N_ELEMENTS(cuff); i++) {
			m = nhip_measurement_new(cuff[i].kind, cuff[i].value, cuff[i].value2,
						 error);
			if (m == NULL)
				return NULL;
			nhip_measurement_set_device_model(m, "Omron HEM-7361T");
			nhip_measurement_set_device_serial(m, "20230514A7");
			nhip_measurement_set_driver(m, "omron-hid");
			nhip_measurement_set_receive_time(m, taken);
			g_ptr_array_add(device, m);
		}
		if (!nhip_store_add_device_measurements(store, visit_id, device, NULL, NULL, error))
			return NULL;
		g_ptr_array_add(manual, nhip_observation_new(NHIP_VITAL_TEMPERATURE, 38.4, NAN));
		g_ptr_array_add(manual, nhip_observation_new(NHIP_VITAL_SPO2, 93, NAN));
		g_ptr_array_add(manual, nhip_observation_new(NHIP_VITAL_WEIGHT, 58.5, NAN));
		if (!nhip_store_observations_add(store, visit_id, manual, error))
			return NULL;
		if (!nhip_store_visit_save_draft(
			    store, visit_id, "Sốt 2 ngày, ho khan, đau họng, không khó thở",
			    "Dặn uống nhiều nước, tái khám sau 3 ngày", codes, error))
			return NULL;
	}
	if (job->packets_dir != NULL && !shot_answer(store, visit_id, job->packets_dir, error))
		return NULL;
	result = g_new(gint64, 1);
	*result = visit_id;
	return result;
}

/* a demo photo: a hillside under a sky, in the colours of @hue, with a caption */
static gboolean
shot_demo_photo(const gchar *path, gdouble hue, gint64 mtime, GError **error)
{
	const gint width = 640, height = 480;
	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
	cairo_t *cr = cairo_create(surface);
	cairo_pattern_t *sky = cairo_pattern_create_linear(0, 0, 0, height);
	g_autoptr(GdkPixbuf) pixbuf = NULL;
	gboolean ok;

	cairo_pattern_add_color_stop_rgb(sky, 0, 0.35 + hue * 0.3, 0.6, 0.9 - hue * 0.3);
	cairo_pattern_add_color_stop_rgb(sky, 1, 0.95, 0.85 - hue * 0.2, 0.7);
	cairo_set_source(cr, sky);
	cairo_paint(cr);
	cairo_pattern_destroy(sky);
	cairo_set_source_rgb(cr, 1, 0.9, 0.5);
	cairo_arc(cr, width * (0.2 + hue * 0.6), height * 0.25, 40, 0, 2 * G_PI);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.2 + hue * 0.2, 0.5 - hue * 0.15, 0.25);
	cairo_move_to(cr, 0, height * 0.7);
	cairo_curve_to(cr, width * 0.3, height * (0.45 + hue * 0.2), width * 0.6, height * 0.85,
		       width, height * 0.6);
	cairo_line_to(cr, width, height);
	cairo_line_to(cr, 0, height);
	cairo_close_path(cr);
	cairo_fill(cr);
	cairo_destroy(cr);
	pixbuf = gdk_pixbuf_get_from_surface(surface, 0, 0, width, height);
	cairo_surface_destroy(surface);
	ok = gdk_pixbuf_save(pixbuf, path, "jpeg", error, "quality", "85", NULL);
	if (ok) {
		g_autoptr(GFile) file = g_file_new_for_path(path);
		g_autoptr(GFileInfo) info = g_file_info_new();
		g_file_info_set_attribute_uint64(info, G_FILE_ATTRIBUTE_TIME_MODIFIED,
						 (guint64)mtime);
		ok = g_file_set_attributes_from_info(file, info, G_FILE_QUERY_INFO_NONE, NULL,
						     error);
	}
	return ok;
}

static gboolean
shot_picker_ready(gpointer user_data)
{
	Shot *shot = user_data;
	NhipPhotoPicker *picker = NHIP_PHOTO_PICKER(shot->target);

	if (nhip_photo_picker_is_busy(picker))
		return G_SOURCE_CONTINUE;
	nhip_photo_picker_select(picker, "IMG_20240512_093114.jpg");
	shot_later(shot);
	return G_SOURCE_REMOVE;
}

/* the photo picker over the visit, on a USB stick of demo photos taken a day apart */
static void
shot_picker(Shot *shot)
{
	static const gchar *const names[] = {
		"IMG_20240512_093114.jpg", "IMG_20240511_161502.jpg", "IMG_20240510_080245.jpg",
		"IMG_20240509_142733.jpg", "IMG_20240508_103010.jpg", "IMG_20240507_171948.jpg",
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *tmp = g_dir_make_tmp("nhip-shot-XXXXXX", &error);
	NhipPhotoPicker *picker;

	/* the folder's name is what the picker calls the stick */
	if (tmp != NULL) {
		shot->photos_dir = g_build_filename(tmp, "USB", NULL);
		g_mkdir(shot->photos_dir, 0700);
	}
	for (guint i = 0; shot->photos_dir != NULL && i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *path = g_build_filename(shot->photos_dir, names[i], NULL);
		if (!shot_demo_photo(path, (gdouble)i / G_N_ELEMENTS(names),
				     g_date_time_to_unix(now) - (gint64)i * 86400 - 3600, &error))
			break;
	}
	if (error != NULL) {
		shot_fail(shot, "making the demo photos", error);
		return;
	}
	picker = nhip_photo_picker_new(GTK_WIDGET(shot->window), shot->station, _("Attach a photo"),
				       _("_Attach"));
	nhip_photo_picker_set_roots(picker, (const gchar *const[]){ shot->photos_dir, NULL });
	g_set_object(&shot->target, GTK_WIDGET(picker));
	g_timeout_add(100, shot_picker_ready, shot);
}

/* ----- the call screen in a connected call (no network: pictures drawn here) ----- */

static void
shot_rounded(cairo_t *cr, double x, double y, double w, double h, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x + w - r, y + r, r, -G_PI / 2, 0);
	cairo_arc(cr, x + w - r, y + h - r, r, 0, G_PI / 2);
	cairo_arc(cr, x + r, y + h - r, r, G_PI / 2, G_PI);
	cairo_arc(cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
	cairo_close_path(cr);
}

/* a person from the chest up, centred at cx, in a frame `size` high: a head, hair and
 * shoulders in the given clothes; with a stethoscope for the doctor */
static void
shot_draw_person(cairo_t *cr, double cx, double size, const GdkRGBA *clothes, gboolean doctor)
{
	double head = size * 0.13;
	double top = size * 0.22;

	/* shoulders and body */
	cairo_set_source_rgb(cr, clothes->red, clothes->green, clothes->blue);
	shot_rounded(cr, cx - size * 0.36, top + head * 2.3, size * 0.72, size, size * 0.16);
	cairo_fill(cr);
	/* neck and the collar's V */
	cairo_set_source_rgb(cr, 0.87, 0.70, 0.57);
	cairo_rectangle(cr, cx - head * 0.38, top + head * 1.6, head * 0.76, head * 0.9);
	cairo_fill(cr);
	cairo_move_to(cr, cx - head * 0.55, top + head * 2.3);
	cairo_line_to(cr, cx + head * 0.55, top + head * 2.3);
	cairo_line_to(cr, cx, top + head * 3.3);
	cairo_close_path(cr);
	if (doctor)
		cairo_set_source_rgb(cr, 0.30, 0.55, 0.62); /* scrubs under the white coat */
	cairo_fill(cr);
	/* head and hair */
	cairo_set_source_rgb(cr, 0.90, 0.74, 0.60);
	cairo_arc(cr, cx, top + head, head, 0, 2 * G_PI);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.13, 0.11, 0.10);
	cairo_arc(cr, cx, top + head * 0.85, head * 1.04, G_PI * 1.05, G_PI * 1.95);
	cairo_close_path(cr);
	cairo_fill(cr);
	if (doctor) {
		/* the stethoscope round the neck */
		cairo_set_source_rgb(cr, 0.20, 0.22, 0.25);
		cairo_set_line_width(cr, size * 0.012);
		cairo_move_to(cr, cx - head * 0.8, top + head * 2.4);
		cairo_curve_to(cr, cx - head * 0.9, top + head * 4.2, cx + head * 0.2,
			       top + head * 4.6, cx + head * 0.55, top + head * 3.9);
		cairo_move_to(cr, cx + head * 0.8, top + head * 2.4);
		cairo_line_to(cr, cx + head * 0.62, top + head * 3.6);
		cairo_stroke(cr);
		cairo_arc(cr, cx + head * 0.6, top + head * 3.95, size * 0.022, 0, 2 * G_PI);
		cairo_fill(cr);
	}
}

/* a frame as a webcam would send it: a wall, a shelf or a window, and the person */
static GdkTexture *
shot_draw_frame(gint width, gint height, gboolean doctor)
{
	g_autoptr(GBytes) bytes = NULL;
	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
	cairo_t *cr = cairo_create(surface);
	cairo_pattern_t *wall = cairo_pattern_create_linear(0, 0, 0, height);
	GdkRGBA coat = { 0.96, 0.97, 0.98, 1 };
	GdkRGBA shirt = { 0.55, 0.42, 0.30, 1 };
	GdkTexture *texture;

	if (doctor) {
		cairo_pattern_add_color_stop_rgb(wall, 0, 0.80, 0.86, 0.90);
		cairo_pattern_add_color_stop_rgb(wall, 1, 0.62, 0.70, 0.76);
	} else {
		cairo_pattern_add_color_stop_rgb(wall, 0, 0.88, 0.90, 0.80);
		cairo_pattern_add_color_stop_rgb(wall, 1, 0.70, 0.74, 0.62);
	}
	cairo_set_source(cr, wall);
	cairo_paint(cr);
	cairo_pattern_destroy(wall);
	if (doctor) {
		/* a shelf of files behind the doctor */
		cairo_set_source_rgb(cr, 0.55, 0.45, 0.36);
		cairo_rectangle(cr, width * 0.62, height * 0.30, width * 0.34, height * 0.03);
		cairo_fill(cr);
		for (guint i = 0; i < 7; i++) {
			static const double hues[][3] = { { 0.75, 0.30, 0.28 },
							  { 0.30, 0.45, 0.65 },
							  { 0.85, 0.70, 0.30 } };
			cairo_set_source_rgb(cr, hues[i % 3][0], hues[i % 3][1], hues[i % 3][2]);
			cairo_rectangle(cr, width * (0.64 + i * 0.045), height * 0.16,
					width * 0.035, height * 0.14);
			cairo_fill(cr);
		}
	} else {
		/* a window of the station's room */
		cairo_set_source_rgb(cr, 0.93, 0.96, 0.98);
		cairo_rectangle(cr, width * 0.06, height * 0.10, width * 0.22, height * 0.36);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.60, 0.58, 0.52);
		cairo_set_line_width(cr, width * 0.01);
		cairo_rectangle(cr, width * 0.06, height * 0.10, width * 0.22, height * 0.36);
		cairo_move_to(cr, width * 0.17, height * 0.10);
		cairo_line_to(cr, width * 0.17, height * 0.46);
		cairo_stroke(cr);
	}
	shot_draw_person(cr, width * (doctor ? 0.42 : 0.55), height, doctor ? &coat : &shirt,
			 doctor);
	cairo_destroy(cr);
	cairo_surface_flush(surface);
	bytes = g_bytes_new(cairo_image_surface_get_data(surface),
			    (gsize)cairo_image_surface_get_stride(surface) * (gsize)height);
	/* cairo's ARGB32 is GDK's default memory format */
	texture = gdk_memory_texture_new(width, height, GDK_MEMORY_DEFAULT, bytes,
					 (gsize)cairo_image_surface_get_stride(surface));
	cairo_surface_destroy(surface);
	return texture;
}

static void
shot_call(Shot *shot, gint64 visit_id)
{
	GtkWidget *page = nhip_window_get_page_widget(shot->window, "call");
	g_autoptr(GdkTexture) remote = shot_draw_frame(640, 480, TRUE);
	g_autoptr(GdkTexture) local = shot_draw_frame(320, 240, FALSE);
	g_autoptr(NhipMeasurement) reading = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GError) error = NULL;
	gint64 t = g_date_time_to_unix(now);
	const NhipCallDemoMessage messages[] = {
		{ "doctor:bs.tuan",
		  "Chào chị, tôi nghe và thấy rõ. Chị cho bệnh nhân ngồi gần máy giúp tôi.",
		  t - 240 },
		{ "station:TYT-EANUOL", "Dạ, bệnh nhân sốt 2 ngày, ho khan, sáng nay SpO2 93 %.",
		  t - 180 },
		{ "doctor:bs.tuan", "Chị đo lại SpO2 khi bệnh nhân đã nghỉ 5 phút nhé.", t - 150 },
		{ NULL, NULL, 0 },
	};
	NhipCallDemo demo = {
		.doctor = "doctor:bs.tuan",
		.remote = remote,
		.local = local,
		.rtt = 0.36,
		.messages = messages,
	};

	/* the oximeter on the patient's finger during the call */
	reading = nhip_measurement_new(NHIP_VITAL_SPO2, 94, NAN, &error);
	if (reading == NULL) {
		shot_fail(shot, "a reading", error);
		return;
	}
	nhip_measurement_set_device_model(reading, "CMS50E");
	demo.reading = reading;
	nhip_call_page_set_visit(NHIP_CALL_PAGE(page), visit_id);
	nhip_window_show_page(shot->window, "call");
	nhip_call_page_show_demo(NHIP_CALL_PAGE(page), &demo);
	shot_later(shot);
}

static void
shot_visit_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Shot *shot = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gint64 *visit_id = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);

	if (visit_id == NULL) {
		shot_fail(shot, "opening a visit", error);
		return;
	}
	if (g_strcmp0(shot->page, "ask") == 0) {
		/* the case about this visit, as staff are about to send it */
		nhip_window_ask_district(shot->window, *visit_id);
		shot_later(shot);
		return;
	}
	if (g_strcmp0(shot->page, "call") == 0) {
		shot_call(shot, *visit_id);
		return;
	}
	nhip_window_open_visit(shot->window, *visit_id);
	if (g_strcmp0(shot->page, "picker") == 0) {
		shot_picker(shot);
		return;
	}
	if (g_strcmp0(shot->page, "diagnosis") == 0)
		nhip_visit_page_show_picker(
			NHIP_VISIT_PAGE(nhip_window_get_page_widget(shot->window, "visit")),
			"viem hong");
	shot_later(shot);
}

/**
 * nhip_screenshot_run:
 * @window: the window, with its station open
 * @page: one of nhip_screenshot_pages
 * @output: the PNG file to write
 *
 * Walks to the screen, saves the picture and quits the application.
 */
void
nhip_screenshot_run(NhipWindow *window, const gchar *page, const gchar *output)
{
	Shot *shot = g_new0(Shot, 1);

	shot->window = g_object_ref(window);
	shot->target = g_object_ref(GTK_WIDGET(window));
	shot->station = nhip_window_get_station(window);
	shot->page = g_strdup(page);
	shot->output = g_strdup(output);

	if (g_strcmp0(page, "login") == 0) {
		shot_later(shot);
		return;
	}
	if (g_strcmp0(page, "setup") == 0) {
		/* the first-run assistant, as an empty station shows it */
		nhip_window_show_page(window, "setup");
		shot_later(shot);
		return;
	}
	shot_login(shot, g_strcmp0(page, "settings") == 0 || g_strcmp0(page, "status") == 0
				 ? NHIP_ROLE_TECHNICIAN
				 : NHIP_ROLE_STAFF);
	if (g_strcmp0(page, "home") == 0 || g_strcmp0(page, "settings") == 0 ||
	    g_strcmp0(page, "status") == 0) {
		if (g_strcmp0(page, "home") != 0)
			nhip_window_show_page(window, page);
	} else if (g_strcmp0(page, "search") == 0) {
		nhip_window_show_page(window, "search");
		nhip_search_page_set_query(
			NHIP_SEARCH_PAGE(nhip_window_get_page_widget(window, "search")),
			"nguyen thi");
	} else if (g_strcmp0(page, "patient") == 0 || g_strcmp0(page, "trends") == 0) {
		nhip_window_open_patient(window, shot_patient_with_history(shot));
		nhip_patient_page_show_trends(
			NHIP_PATIENT_PAGE(nhip_window_get_page_widget(window, "patient")),
			g_strcmp0(page, "trends") == 0);
	} else if (g_strcmp0(page, "register") == 0) {
		nhip_window_show_page(window, "search");
		nhip_window_handle_scan(window, SCREENSHOT_QR);
	} else if (g_strcmp0(page, "visit") == 0 || g_strcmp0(page, "diagnosis") == 0 ||
		   g_strcmp0(page, "ask") == 0 || g_strcmp0(page, "answer") == 0 ||
		   g_strcmp0(page, "picker") == 0 || g_strcmp0(page, "call") == 0) {
		ShotVisitJob *job = g_new0(ShotVisitJob, 1);
		job->patient_id = shot_patient_with_history(shot);
		if (g_strcmp0(page, "answer") == 0) {
			g_autofree gchar *dir =
				g_path_get_dirname(nhip_station_get_db_path(shot->station));
			job->packets_dir = g_build_filename(dir, "packets", NULL);
		}
		nhip_station_run(shot->station, shot_visit_job, job,
				 (GDestroyNotify)shot_visit_job_free, g_free, shot_visit_ready,
				 shot);
		return;
	}
	shot_later(shot);
}
