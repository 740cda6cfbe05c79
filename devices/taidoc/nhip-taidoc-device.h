/*
 * Nhịp — TaiDoc / FORA meter: on the CP2110 HID-to-UART bridge (TD-42xx, 10c4:ea80) or on a
 * serial port; the device driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-driver-api.h"

G_BEGIN_DECLS

#define NHIP_TYPE_TAIDOC_DEVICE (nhip_taidoc_device_get_type())
G_DECLARE_FINAL_TYPE(NhipTaidocDevice, nhip_taidoc_device, NHIP, TAIDOC_DEVICE, NhipDevice)

#define NHIP_TAIDOC_SERIAL_SETTINGS "19200 8N1"
/* a meter that does not answer a request within this time is asked again, then reported */
#define NHIP_TAIDOC_REPLY_MS 2000
#define NHIP_TAIDOC_TRIES    3

/* Silicon Labs CP2110 (AN434) feature reports */
#define NHIP_CP2110_UART_ENABLE 0x41
#define NHIP_CP2110_PURGE_FIFOS 0x43
#define NHIP_CP2110_UART_CONFIG 0x50

G_END_DECLS
