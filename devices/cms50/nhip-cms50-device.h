/*
 * Nhịp — Contec CMS50 pulse oximeter on a CP210x serial port: the device driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-driver-api.h"

G_BEGIN_DECLS

#define NHIP_TYPE_CMS50_DEVICE (nhip_cms50_device_get_type())
G_DECLARE_FINAL_TYPE(NhipCms50Device, nhip_cms50_device, NHIP, CMS50_DEVICE, NhipDevice)

#define NHIP_CMS50_F37_SETTINGS "115200 8N1"
#define NHIP_CMS50_OLD_SETTINGS "19200 8O1 xonxoff"
/* how long each line setting is tried before the other one */
#define NHIP_CMS50_PROBE_MS 2000
/* the F37 live stream stops unless asked again within about 5 s */
#define NHIP_CMS50_KEEPALIVE_MS 4000
/* a streaming oximeter that sends nothing for this long has stopped */
#define NHIP_CMS50_SILENCE_MS 5000

G_END_DECLS
