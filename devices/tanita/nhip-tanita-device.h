/*
 * Nhịp — Tanita scale on a serial port (RS-232 or FTDI USB): the device driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-driver-api.h"

G_BEGIN_DECLS

#define NHIP_TYPE_TANITA_DEVICE (nhip_tanita_device_get_type())
G_DECLARE_FINAL_TYPE(NhipTanitaDevice, nhip_tanita_device, NHIP, TANITA_DEVICE, NhipDevice)

#define NHIP_TANITA_SERIAL_SETTINGS "9600 8N1"

G_END_DECLS
