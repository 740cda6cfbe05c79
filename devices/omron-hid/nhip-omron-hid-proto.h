/*
 * Nhịp — Omron HEM-7xx0IT HID protocol: command builders and reply decoder (no I/O).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-decode-output.h"

G_BEGIN_DECLS

#define NHIP_OMRON_HID_DRIVER	    "omron-hid"
#define NHIP_OMRON_HID_VID	    0x0590
#define NHIP_OMRON_HID_PID	    0x0028
#define NHIP_OMRON_HID_REPORT_SIZE  8
#define NHIP_OMRON_HID_RESPONSE_MAX 64

/**
 * NhipOmronHidMode:
 * @NHIP_OMRON_HID_MODE_DEVICE_INFO: VER00, PRF00, SRL00
 * @NHIP_OMRON_HID_MODE_DAILY: GDC (count) and GME (one reading)
 * @NHIP_OMRON_HID_MODE_WEEKLY: GMA / GEA weekly morning / evening averages
 * @NHIP_OMRON_HID_MODE_PEDOMETER: HJ-720IT pedometer data
 *
 * The two bytes of the HID SET_REPORT (feature, report 0) that select a mode, as one
 * big-endian number.
 */
typedef enum {
	NHIP_OMRON_HID_MODE_DEVICE_INFO = 0x0101,
	NHIP_OMRON_HID_MODE_DAILY = 0x74BC,
	NHIP_OMRON_HID_MODE_WEEKLY = 0x1074,
	NHIP_OMRON_HID_MODE_PEDOMETER = 0x0102,
} NhipOmronHidMode;

guint8 nhip_omron_hid_xor(const guint8 *buf, gsize bufsz);
void nhip_omron_hid_build_mode(NhipOmronHidMode mode, guint8 out[2]);
GBytes *nhip_omron_hid_build_command(const gchar *mnemonic,
				     const guint8 *args,
				     gsize n_args) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_omron_hid_build_reports(GBytes *payload) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_omron_hid_build_version(void) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_omron_hid_build_daily_count(guint8 bank) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_omron_hid_build_daily_record(guint8 bank, guint8 index) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_omron_hid_build_weekly_record(guint8 bank,
					   guint8 index,
					   gboolean evening) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_omron_hid_build_end(void) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_omron_hid_build_clear_block(void) G_GNUC_WARN_UNUSED_RESULT;

typedef struct _NhipOmronHidDecoder NhipOmronHidDecoder;

NhipOmronHidDecoder *nhip_omron_hid_decoder_new(void);
void nhip_omron_hid_decoder_free(NhipOmronHidDecoder *self);
void nhip_omron_hid_decoder_feed(NhipOmronHidDecoder *self,
				 const guint8 *buf,
				 gsize bufsz,
				 NhipDecodeOutput *out);
void nhip_omron_hid_decoder_finish(NhipOmronHidDecoder *self, NhipDecodeOutput *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipOmronHidDecoder, nhip_omron_hid_decoder_free)

G_END_DECLS
