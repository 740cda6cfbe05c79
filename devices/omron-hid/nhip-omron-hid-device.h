/*
 * Nhịp — Omron HEM-7xx0IT blood-pressure monitor on USB HID 0590:0028: the device driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-driver-api.h"

G_BEGIN_DECLS

#define NHIP_TYPE_OMRON_HID_DEVICE (nhip_omron_hid_device_get_type())
G_DECLARE_FINAL_TYPE(NhipOmronHidDevice, nhip_omron_hid_device, NHIP, OMRON_HID_DEVICE, NhipDevice)

/* a monitor that answers nothing for this long is reported */
#define NHIP_OMRON_HID_REPLY_MS 3000
/* a command refused with "NO" is sent again this many times */
#define NHIP_OMRON_HID_RETRIES 3

G_END_DECLS
