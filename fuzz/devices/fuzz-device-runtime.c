/*
 * Nhịp — libFuzzer target for the parsers of the device runtime: the USB descriptor walk
 * the device manager does on sysfs "descriptors" blobs, and the serial line settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nhip-driver-api.h"
#include "nhip-serial-port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guint8 classes[16] = { 0 };
	guint n = nhipi_usb_descriptors_get_interface_classes(data, size, classes,
							      G_N_ELEMENTS(classes));
	g_autofree gchar *text = g_strndup((const gchar *)data, size);
	NhipSerialSettings settings = { 0 };
	g_autoptr(GError) error = NULL;

	g_assert(n <= G_N_ELEMENTS(classes));
	if (nhip_serial_settings_parse(text, &settings, &error)) {
		/* what parses prints back to something that parses to the same */
		g_autofree gchar *back = nhip_serial_settings_to_string(&settings);
		NhipSerialSettings again = { 0 };
		struct termios tio = { 0 };

		g_assert(nhip_serial_settings_parse(back, &again, NULL));
		g_assert(memcmp(&settings, &again, sizeof(settings)) == 0);
		g_assert(nhip_serial_settings_to_termios(&settings, &tio));
		nhip_serial_settings_from_termios(&tio, &again);
		g_assert(memcmp(&settings, &again, sizeof(settings)) == 0);
	} else {
		g_assert(error != NULL && error->message[0] != '\0');
	}
	return 0;
}
