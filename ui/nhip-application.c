/*
 * Nhịp — the station kiosk application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "nhip-application.h"
#include "nhip-screenshot.h"
#include "nhip-station.h"
#include "nhip-window.h"

struct _NhipApplication {
	AdwApplication parent_instance;

	gboolean demo;
	gboolean kiosk;
	gchar *db_path;
	gchar *screenshot;
	gchar *output;
	gboolean first_frame;
	NhipStation *station;
};

G_DEFINE_TYPE(NhipApplication, nhip_application, ADW_TYPE_APPLICATION)

static gint
application_handle_local_options(GApplication *app, GVariantDict *options)
{
	NhipApplication *self = NHIP_APPLICATION(app);

	if (g_variant_dict_contains(options, "version")) {
		g_print("nhip-station %s\n", PACKAGE_VERSION);
		return 0;
	}
	g_variant_dict_lookup(options, "demo", "b", &self->demo);
	g_variant_dict_lookup(options, "kiosk", "b", &self->kiosk);
	g_variant_dict_lookup(options, "db", "^ay", &self->db_path);
	g_variant_dict_lookup(options, "screenshot", "s", &self->screenshot);
	g_variant_dict_lookup(options, "output", "^ay", &self->output);
	g_variant_dict_lookup(options, "first-frame", "b", &self->first_frame);

	if (self->screenshot != NULL) {
		if (!nhip_screenshot_page_known(self->screenshot)) {
			g_autofree gchar *pages = g_strjoinv(", ", (gchar **)nhip_screenshot_pages);
			g_printerr(_("nhip-station: unknown screen “%s” for --screenshot; the "
				     "screens are: %s\n"),
				   self->screenshot, pages);
			return 2;
		}
		if (self->output == NULL) {
			g_printerr(_("nhip-station: --screenshot needs --output FILE.png\n"));
			return 2;
		}
		if (!self->demo) {
			g_printerr(_("nhip-station: --screenshot works on a demo database only; "
				     "add --demo\n"));
			return 2;
		}
	}
	if (self->db_path == NULL) {
		if (self->demo)
			self->db_path = g_build_filename(g_get_user_data_dir(), "nhip", "demo",
							 "station.db", NULL);
		else
			self->db_path = g_strdup(g_getenv("NHIP_DB") != NULL ? g_getenv("NHIP_DB")
									     : NHIP_DEFAULT_DB);
	}
	/* screenshots and tests run beside a kiosk that may already be running */
	if (self->screenshot != NULL || self->first_frame || g_getenv("NHIP_NON_UNIQUE") != NULL)
		g_application_set_flags(app,
					g_application_get_flags(app) | G_APPLICATION_NON_UNIQUE);
	return -1;
}

static void
application_first_frame(GdkFrameClock *clock, gpointer user_data)
{
	NhipApplication *self = user_data;
	const gchar *t0 = g_getenv("NHIP_BENCH_T0");
	gint64 start = t0 != NULL ? g_ascii_strtoll(t0, NULL, 10) : 0;

	g_signal_handlers_disconnect_by_func(clock, application_first_frame, self);
	/* the figure bench/ui/bench-startup prints: process start to the login screen drawn */
	g_print("first-frame-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time() - start);
	g_application_quit(G_APPLICATION(self));
}

static void
application_station_ready(NhipWindow *window, gpointer user_data)
{
	NhipApplication *self = user_data;

	if (self->screenshot != NULL) {
		nhip_screenshot_run(window, self->screenshot, self->output);
	} else if (self->first_frame) {
		GdkFrameClock *clock = gtk_widget_get_frame_clock(GTK_WIDGET(window));
		g_signal_connect(clock, "after-paint", G_CALLBACK(application_first_frame), self);
		gtk_widget_queue_draw(GTK_WIDGET(window));
	}
}

static void
application_activate(GApplication *app)
{
	NhipApplication *self = NHIP_APPLICATION(app);
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(app));
	NhipWindow *nhip_window;

	if (window != NULL) {
		gtk_window_present(window);
		return;
	}
	self->station = nhip_station_new(self->db_path, self->demo);
	nhip_window = nhip_window_new(GTK_APPLICATION(app), self->station,
				      self->kiosk || self->screenshot != NULL);
	/* pictures of the kiosk as it looks on its 1024×600 screen, or on a screen of the size
	 * NHIP_SCREENSHOT_SIZE gives (e.g. 1280x800) */
	if (self->screenshot != NULL) {
		const gchar *size = g_getenv("NHIP_SCREENSHOT_SIZE");
		guint width = 1024, height = 600;
		if (size != NULL && (sscanf(size, "%ux%u", &width, &height) != 2 || width < 640 ||
				     height < 480 || width > 3840 || height > 2160)) {
			g_warning("NHIP_SCREENSHOT_SIZE=%s is not WIDTHxHEIGHT; using 1024x600",
				  size);
			width = 1024;
			height = 600;
		}
		gtk_window_unfullscreen(GTK_WINDOW(nhip_window));
		gtk_window_set_default_size(GTK_WINDOW(nhip_window), (gint)width, (gint)height);
		gtk_window_set_resizable(GTK_WINDOW(nhip_window), FALSE);
		nhip_window_set_devices_enabled(nhip_window, FALSE);
	}
	g_signal_connect(nhip_window, "station-ready", G_CALLBACK(application_station_ready), self);
	gtk_window_present(GTK_WINDOW(nhip_window));
	nhip_window_start(nhip_window);
}

/* systemd stopping the kiosk, or Ctrl+C: finish the queued writes, then quit */
static gboolean
application_terminate(gpointer user_data)
{
	GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(user_data));

	g_message("stopping on a signal");
	if (NHIP_IS_WINDOW(window))
		nhip_window_allow_close(NHIP_WINDOW(window));
	else
		g_application_quit(G_APPLICATION(user_data));
	return G_SOURCE_CONTINUE;
}

static void
application_startup(GApplication *app)
{
	g_autoptr(GtkCssProvider) css = gtk_css_provider_new();

	G_APPLICATION_CLASS(nhip_application_parent_class)->startup(app);
	gtk_css_provider_load_from_resource(css, "/vn/nhip/Station/style.css");
	gtk_style_context_add_provider_for_display(gdk_display_get_default(),
						   GTK_STYLE_PROVIDER(css),
						   GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	/* a kiosk in a bright room: the light style, whatever the desktop says */
	adw_style_manager_set_color_scheme(adw_style_manager_get_default(),
					   ADW_COLOR_SCHEME_FORCE_LIGHT);
	g_unix_signal_add(SIGTERM, application_terminate, app);
	g_unix_signal_add(SIGINT, application_terminate, app);
}

static void
nhip_application_finalize(GObject *object)
{
	NhipApplication *self = NHIP_APPLICATION(object);

	g_clear_object(&self->station);
	g_free(self->db_path);
	g_free(self->screenshot);
	g_free(self->output);
	G_OBJECT_CLASS(nhip_application_parent_class)->finalize(object);
}

static void
nhip_application_class_init(NhipApplicationClass *klass)
{
	GApplicationClass *app_class = G_APPLICATION_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = nhip_application_finalize;
	app_class->handle_local_options = application_handle_local_options;
	app_class->activate = application_activate;
	app_class->startup = application_startup;
}

static void
nhip_application_init(NhipApplication *self)
{
	static const GOptionEntry entries[] = {
		{ "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
		  N_("Open a demo database (made on first use) and show the demo PINs"), NULL },
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
		  N_("The station database (default: NHIP_DB or the installed location)"),
		  N_("PATH") },
		{ "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
		  N_("Full screen with no way out without a technician PIN"), NULL },
		{ "screenshot", 0, 0, G_OPTION_ARG_STRING, NULL,
		  N_("Show a screen with demo data, save it as a PNG and quit"), N_("SCREEN") },
		{ "output", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Where --screenshot saves"),
		  N_("FILE") },
		{ "first-frame", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL,
		  "Print the time to the first frame of the login screen and quit", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and quit"),
		  NULL },
		{ NULL },
	};

	g_application_add_main_option_entries(G_APPLICATION(self), entries);
	g_application_set_option_context_summary(
		G_APPLICATION(self), _("The Nhịp station kiosk for commune health stations."));
}

/**
 * nhip_application_setup_rendering:
 *
 * How the kiosk draws, set before GTK starts (nhip-station's main() and the benchmark
 * call it, so that bench/ui/bench-station measures what the kiosk runs).
 *
 * The kiosk draws flat 2D screens: GTK's cairo renderer draws them as fast as its GL one
 * on the station boxes. With cairo nothing is drawn with OpenGL, yet GDK's X11 backend
 * still sets up OpenGL at start to choose the window's visual: Mesa loads its driver
 * (llvmpipe, or the GPU's, with libLLVM) and that alone kept about 55 MiB resident —
 * 122.7 MiB after a full visit instead of 64.3 MiB, and a start twice as slow. So with the
 * cairo renderer GL is turned off too (GDK_DEBUG=gl-disable, GTK 4.8's switch for it).
 * GSK_RENDERER=gl (or ngl) keeps GL on, and a GDK_DEBUG set by hand is left alone.
 */
void
nhip_application_setup_rendering(void)
{
	const gchar *renderer;

	g_setenv("GSK_RENDERER", "cairo", FALSE);
	renderer = g_getenv("GSK_RENDERER");
	if (g_strcmp0(renderer, "cairo") == 0 && g_getenv("GDK_DEBUG") == NULL)
		g_setenv("GDK_DEBUG", "gl-disable", TRUE);
}

/**
 * nhip_application_new:
 *
 * Returns: (transfer full): the application
 */
NhipApplication *
nhip_application_new(void)
{
	return g_object_new(NHIP_TYPE_APPLICATION, "application-id", APP_ID, "flags",
			    G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", "/vn/nhip/Station",
			    NULL);
}
