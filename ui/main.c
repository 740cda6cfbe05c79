/*
 * Nhịp — nhip-station, the kiosk for commune health stations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "nhip-application.h"
#include "nhip-openssl.h"

int
main(int argc, char **argv)
{
	g_autoptr(NhipApplication) app = NULL;
	const gchar *localedir = g_getenv("NHIP_LOCALEDIR");
	const gchar *messages;
	gint status;

	setlocale(LC_ALL, "");
	/* Vietnamese is the default: a box with no language set speaks it; LANGUAGE=en
	 * gives English */
	messages = setlocale(LC_MESSAGES, NULL);
	if (messages == NULL || g_strcmp0(messages, "C") == 0 ||
	    g_strcmp0(messages, "POSIX") == 0) {
		setlocale(LC_ALL, "C.UTF-8");
		if (g_getenv("LANGUAGE") == NULL)
			g_setenv("LANGUAGE", "vi", TRUE);
	}
	/* cairo, without OpenGL (see there): GSK_RENDERER=gl still chooses GL */
	nhip_application_setup_rendering();
	bindtextdomain(GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	if (!nhip_openssl_init_process()) {
		g_printerr(_("nhip-station: the cryptography library (OpenSSL) could not start\n"));
		return 1;
	}
	app = nhip_application_new();
	status = g_application_run(G_APPLICATION(app), argc, argv);
	/* a screenshot that could not be saved */
	if (status == 0)
		status = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(app), "exit-status"));
	return status;
}
