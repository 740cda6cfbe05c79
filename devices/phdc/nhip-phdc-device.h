/*
 * Nhịp — IEEE 11073-20601 agent on USB PHDC (class 0x0F, bulk): the device driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-driver-api.h"

G_BEGIN_DECLS

#define NHIP_TYPE_PHDC_DEVICE (nhip_phdc_device_get_type())
G_DECLARE_FINAL_TYPE(NhipPhdcDevice, nhip_phdc_device, NHIP, PHDC_DEVICE, NhipDevice)

/* bytes asked for per bulk IN transfer; an APDU longer than this spans several */
#define NHIP_PHDC_READ_SIZE 512
#define NHIP_PHDC_WRITE_MS  5000
#define NHIP_PHDC_ROCHE_VID 0x173a

G_END_DECLS
