/*
 * Nhịp — the driver table and whole-stream decoding (`nhipctl device decode`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "nhip-decode-output.h"
#include "nhip-measurement.h"

G_BEGIN_DECLS

/**
 * NhipTransportKind:
 * @NHIP_TRANSPORT_USB_BULK: libusb bulk transfers (USB PHDC)
 * @NHIP_TRANSPORT_USB_HID: raw HID reports (hidraw or libusb interrupt transfers)
 * @NHIP_TRANSPORT_HID_UART: a HID-to-UART bridge (Silicon Labs CP2110) carrying serial bytes
 * @NHIP_TRANSPORT_SERIAL: a serial tty (CP210x, FTDI, PL2303, CH340, CDC-ACM)
 */
typedef enum {
	NHIP_TRANSPORT_USB_BULK,
	NHIP_TRANSPORT_USB_HID,
	NHIP_TRANSPORT_HID_UART,
	NHIP_TRANSPORT_SERIAL,
} NhipTransportKind;

/**
 * NhipUsbMatch:
 * @vid: USB vendor id, 0 to match any vendor by class
 * @pid: USB product id, 0 for any
 * @interface_class: USB interface class to match (0x0F for PHDC), 0 for any
 * @note: (nullable): what devices this row stands for
 *
 * One row of a driver's match table; tables end with a row of zeros.
 */
typedef struct {
	guint16 vid;
	guint16 pid;
	guint8 interface_class;
	const gchar *note;
} NhipUsbMatch;

typedef gpointer (*NhipDecoderNewFunc)(void);
typedef void (*NhipDecoderFreeFunc)(gpointer decoder);
typedef void (*NhipDecoderFeedFunc)(gpointer decoder,
				    const guint8 *buf,
				    gsize bufsz,
				    NhipDecodeOutput *out);
typedef void (*NhipDecoderFinishFunc)(gpointer decoder, NhipDecodeOutput *out);

/**
 * NhipDriverInfo:
 * @name: the driver name used everywhere ("phdc", "omron-hid", …)
 * @display_name: English display name; translate with _() when showing it
 * @transport: how the device is reached
 * @serial_settings: (nullable): line settings for serial transports, e.g. "9600 8N1"
 * @usb_matches: match table ending with a zero row
 * @vitals: the vital kinds the driver can produce, ending with %NHIP_VITAL_UNKNOWN
 * @decoder_new: creates the pure decoder for the bytes the device sends
 * @decoder_free: frees it
 * @decoder_feed: feeds it bytes
 * @decoder_finish: ends the stream
 *
 * Static facts about a driver, and its pure decoder. Hardware drivers added later
 * register more of these with nhip_driver_info_register().
 */
typedef struct {
	const gchar *name;
	const gchar *display_name;
	NhipTransportKind transport;
	const gchar *serial_settings;
	const NhipUsbMatch *usb_matches;
	const NhipVitalKind *vitals;
	NhipDecoderNewFunc decoder_new;
	NhipDecoderFreeFunc decoder_free;
	NhipDecoderFeedFunc decoder_feed;
	NhipDecoderFinishFunc decoder_finish;
} NhipDriverInfo;

const NhipDriverInfo *nhip_driver_info_lookup(const gchar *name);
GPtrArray *nhip_driver_info_list(void);
gboolean nhip_driver_info_register(const NhipDriverInfo *info,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *nhip_transport_kind_to_string(NhipTransportKind kind);
JsonObject *nhip_driver_info_to_json(const NhipDriverInfo *info) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_decode_stream_full(const gchar *driver,
				 GBytes *bytes,
				 NhipDecodeOutput *out,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_decode_stream(const gchar *driver,
			    GBytes *bytes,
			    GPtrArray **measurements_out,
			    GPtrArray **warnings_out,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *
nhip_hex_text_parse(const gchar *text, gssize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
