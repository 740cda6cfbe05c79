/*
 * Nhịp — USB transport: libusb wrapped once. The libusb context runs in a GLib main
 * context through its pollfds, so no transfer ever blocks the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipUsbTransferKind:
 * @NHIP_USB_TRANSFER_BULK: bulk endpoint
 * @NHIP_USB_TRANSFER_INTERRUPT: interrupt endpoint (HID reports)
 * @NHIP_USB_TRANSFER_CONTROL: endpoint 0 (class requests, HID SET_REPORT / GET_REPORT)
 */
typedef enum {
	NHIP_USB_TRANSFER_BULK,
	NHIP_USB_TRANSFER_INTERRUPT,
	NHIP_USB_TRANSFER_CONTROL,
} NhipUsbTransferKind;

typedef struct _NhipUsbDevice NhipUsbDevice;

/**
 * NhipUsbDoneFunc:
 * @usb: the device
 * @data: (nullable): the bytes an IN transfer received (without a control setup packet);
 *   %NULL for OUT transfers and on error
 * @error: (nullable): why the transfer failed; %NHIP_DEVICE_ERROR_CANCELLED when the
 *   device was closed
 * @user_data: the data given with the transfer
 */
typedef void (*NhipUsbDoneFunc)(NhipUsbDevice *usb,
				GBytes *data,
				const GError *error,
				gpointer user_data);

NhipUsbDevice *nhip_usb_device_open(GMainContext *context,
				    guint8 busnum,
				    guint8 devnum,
				    const gchar *name,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_usb_device_free(NhipUsbDevice *self);
gboolean nhip_usb_device_find_interface(NhipUsbDevice *self,
					guint8 interface_class,
					guint8 transfer_type,
					guint8 *interface_number,
					guint8 *endpoint_in,
					guint8 *endpoint_out,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_usb_device_claim_interface(NhipUsbDevice *self,
					 guint8 interface_number,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_usb_device_read(NhipUsbDevice *self,
			  NhipUsbTransferKind kind,
			  guint8 endpoint,
			  gsize length,
			  guint timeout_ms,
			  NhipUsbDoneFunc func,
			  gpointer user_data);
void nhip_usb_device_write(NhipUsbDevice *self,
			   NhipUsbTransferKind kind,
			   guint8 endpoint,
			   const guint8 *data,
			   gsize len,
			   guint timeout_ms,
			   NhipUsbDoneFunc func,
			   gpointer user_data);
void nhip_usb_device_control(NhipUsbDevice *self,
			     guint8 request_type,
			     guint8 request,
			     guint16 value,
			     guint16 index,
			     const guint8 *data,
			     gsize length,
			     guint timeout_ms,
			     NhipUsbDoneFunc func,
			     gpointer user_data);
guint nhip_usb_device_get_pending(NhipUsbDevice *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipUsbDevice, nhip_usb_device_free)

G_END_DECLS
