/*
 * Nhịp — USB transport: libusb wrapped once.
 *
 * Each open device has its own libusb context. Its file descriptors (libusb_get_pollfds
 * and the pollfd notifiers) are watched by a GSource in the device's main context, which
 * calls libusb_handle_events_timeout_completed() with a zero timeout when one of them is
 * ready: transfers are asynchronous and complete in that main context. Every libusb
 * error and transfer status is mapped to NHIP_DEVICE_ERROR in one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <libusb.h>
#include <string.h>

#include "nhip-device-error.h"
#include "nhip-usb-device.h"

/* at close, transfers still in flight get this long to come back cancelled */
#define NHIP_USB_CLOSE_WAIT_MS 1000

typedef struct {
	GSource source;
	libusb_context *ctx;
	GHashTable *tags; /* fd → tag of g_source_add_unix_fd() */
} UsbSource;

struct _NhipUsbDevice {
	gchar *name;
	libusb_context *ctx;
	libusb_device_handle *handle;
	UsbSource *source;
	gint claimed;	    /* interface number, -1 if none */
	gboolean detached;  /* a kernel driver was detached from it */
	GPtrArray *pending; /* libusb_transfer in flight */
	gboolean closing;
	/* a transfer callback may free the device (a listener closes it): libusb forbids
	 * closing from inside its event handling, so the free is finished from an idle */
	guint in_callback;
	GMainContext *context;
};

static void usb_device_really_free(NhipUsbDevice *self);

typedef struct {
	NhipUsbDevice *usb;
	NhipUsbDoneFunc func;
	gpointer user_data;
	gboolean control;
} UsbTransferData;

/* ---- errors -------------------------------------------------------------------------- */

static void
usb_set_libusb_error(GError **error, gint rc, const gchar *what, const gchar *name)
{
	NhipDeviceError code;
	const gchar *hint;

	switch ((enum libusb_error)rc) {
	case LIBUSB_ERROR_ACCESS:
		code = NHIP_DEVICE_ERROR_PERMISSION;
		hint = _("the station's user must be in group nhip and the udev rules of Nhịp "
			 "must be installed");
		break;
	case LIBUSB_ERROR_NO_DEVICE:
	case LIBUSB_ERROR_NOT_FOUND:
		code = NHIP_DEVICE_ERROR_NOT_FOUND;
		hint = _("check that the device is plugged in and switched on");
		break;
	case LIBUSB_ERROR_BUSY:
		code = NHIP_DEVICE_ERROR_BUSY;
		hint = _("another program is using the device; close it and try again");
		break;
	case LIBUSB_ERROR_TIMEOUT:
		code = NHIP_DEVICE_ERROR_TIMEOUT;
		hint = _("the device did not answer; switch it on and try again");
		break;
	case LIBUSB_ERROR_PIPE:
	case LIBUSB_ERROR_OVERFLOW:
		code = NHIP_DEVICE_ERROR_PROTOCOL;
		hint = _("the device refused the request; unplug it, plug it in again and "
			 "retry");
		break;
	case LIBUSB_ERROR_NOT_SUPPORTED:
	case LIBUSB_ERROR_INVALID_PARAM:
		code = NHIP_DEVICE_ERROR_NOT_SUPPORTED;
		hint = _("this device cannot be used this way; check that it is a supported "
			 "model");
		break;
	case LIBUSB_ERROR_INTERRUPTED:
	case LIBUSB_ERROR_IO:
	case LIBUSB_ERROR_NO_MEM:
	case LIBUSB_ERROR_OTHER:
	case LIBUSB_SUCCESS:
	default:
		code = NHIP_DEVICE_ERROR_IO;
		hint = _("unplug the device, plug it in again and retry");
		break;
	}
	g_set_error(error, NHIP_DEVICE_ERROR, code, _("cannot %s USB device %s: %s; %s"), what,
		    name, libusb_strerror(rc), hint);
}

static GError *
usb_transfer_status_error(const struct libusb_transfer *transfer, const gchar *name)
{
	guint8 ep = transfer->endpoint;

	switch (transfer->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		return NULL;
	case LIBUSB_TRANSFER_TIMED_OUT:
		return g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_TIMEOUT,
				   _("USB device %s did not answer on endpoint 0x%02x in time; "
				     "switch it on and try again"),
				   name, ep);
	case LIBUSB_TRANSFER_CANCELLED:
		return g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_CANCELLED,
				   _("transfer to USB device %s cancelled"), name);
	case LIBUSB_TRANSFER_STALL:
		return g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PROTOCOL,
				   _("USB device %s refused a request on endpoint 0x%02x; unplug "
				     "it, plug it in again and retry"),
				   name, ep);
	case LIBUSB_TRANSFER_NO_DEVICE:
		return g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_DISCONNECTED,
				   _("USB device %s was unplugged; plug it in again and repeat "
				     "the measurement"),
				   name);
	case LIBUSB_TRANSFER_OVERFLOW:
		return g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PROTOCOL,
				   _("USB device %s sent more than was asked for on endpoint "
				     "0x%02x; the reading was dropped"),
				   name, ep);
	case LIBUSB_TRANSFER_ERROR:
	default:
		return g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_IO,
				   _("transfer on endpoint 0x%02x of USB device %s failed; check "
				     "the cable"),
				   ep, name);
	}
}

/* ---- the libusb event source ------------------------------------------------------------ */

static gboolean
usb_source_prepare(GSource *source, gint *timeout)
{
	UsbSource *self = (UsbSource *)source;
	struct timeval tv = { 0 };
	gint rc = libusb_get_next_timeout(self->ctx, &tv);

	if (rc == 1) {
		*timeout = (gint)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
		return *timeout == 0;
	}
	*timeout = -1;
	return FALSE;
}

static gboolean
usb_source_check(GSource *source)
{
	UsbSource *self = (UsbSource *)source;
	GHashTableIter iter;
	gpointer tag;
	struct timeval tv = { 0 };

	g_hash_table_iter_init(&iter, self->tags);
	while (g_hash_table_iter_next(&iter, NULL, &tag)) {
		if (g_source_query_unix_fd(source, tag) != 0)
			return TRUE;
	}
	return libusb_get_next_timeout(self->ctx, &tv) == 1 && tv.tv_sec == 0 && tv.tv_usec == 0;
}

static gboolean
usb_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	UsbSource *self = (UsbSource *)source;
	struct timeval zero = { 0 };

	libusb_handle_events_timeout_completed(self->ctx, &zero, NULL);
	return G_SOURCE_CONTINUE;
}

static void
usb_source_finalize(GSource *source)
{
	UsbSource *self = (UsbSource *)source;
	g_hash_table_unref(self->tags);
}

static GSourceFuncs usb_source_funcs = {
	.prepare = usb_source_prepare,
	.check = usb_source_check,
	.dispatch = usb_source_dispatch,
	.finalize = usb_source_finalize,
};

static void
usb_pollfd_added_cb(gint fd, short events, gpointer user_data)
{
	UsbSource *self = user_data;
	gpointer tag = g_source_add_unix_fd(&self->source, fd, (GIOCondition)events);
	g_hash_table_insert(self->tags, GINT_TO_POINTER(fd), tag);
}

static void
usb_pollfd_removed_cb(gint fd, gpointer user_data)
{
	UsbSource *self = user_data;
	gpointer tag = g_hash_table_lookup(self->tags, GINT_TO_POINTER(fd));

	if (tag == NULL)
		return;
	g_source_remove_unix_fd(&self->source, tag);
	g_hash_table_remove(self->tags, GINT_TO_POINTER(fd));
}

static UsbSource *
usb_source_new(libusb_context *ctx, GMainContext *context)
{
	UsbSource *self = (UsbSource *)g_source_new(&usb_source_funcs, sizeof(UsbSource));
	const struct libusb_pollfd **fds = libusb_get_pollfds(ctx);

	self->ctx = ctx;
	self->tags = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_source_set_static_name(&self->source, "NhipUsbDevice libusb");
	for (guint i = 0; fds != NULL && fds[i] != NULL; i++)
		usb_pollfd_added_cb(fds[i]->fd, fds[i]->events, self);
	libusb_free_pollfds(fds);
	libusb_set_pollfd_notifiers(ctx, usb_pollfd_added_cb, usb_pollfd_removed_cb, self);
	g_source_attach(&self->source, context);
	return self;
}

/* ---- the device ----------------------------------------------------------------------------- */

/**
 * nhip_usb_device_open:
 * @context: (nullable): the main context transfers complete in; %NULL for the thread default
 * @busnum: USB bus number
 * @devnum: USB device address
 * @name: what to call the device in messages, e.g. its node /dev/bus/usb/001/005
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the opened device
 */
NhipUsbDevice *
nhip_usb_device_open(GMainContext *context,
		     guint8 busnum,
		     guint8 devnum,
		     const gchar *name,
		     GError **error)
{
	g_autoptr(NhipUsbDevice) self = g_new0(NhipUsbDevice, 1);
	libusb_device **list = NULL;
	ssize_t n;
	gint rc;

	g_return_val_if_fail(name != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	self->name = g_strdup(name);
	self->claimed = -1;
	self->pending = g_ptr_array_new();
	rc = libusb_init(&self->ctx);
	if (rc < 0) {
		usb_set_libusb_error(error, rc, _("start libusb for"), name);
		return NULL;
	}
	n = libusb_get_device_list(self->ctx, &list);
	if (n < 0) {
		usb_set_libusb_error(error, (gint)n, _("list"), name);
		return NULL;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (libusb_get_bus_number(list[i]) == busnum &&
		    libusb_get_device_address(list[i]) == devnum) {
			rc = libusb_open(list[i], &self->handle);
			break;
		}
	}
	libusb_free_device_list(list, 1);
	if (self->handle == NULL) {
		usb_set_libusb_error(error, rc < 0 ? rc : LIBUSB_ERROR_NO_DEVICE, _("open"), name);
		return NULL;
	}
	self->context =
		context != NULL ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	self->source = usb_source_new(self->ctx, self->context);
	return g_steal_pointer(&self);
}

/**
 * nhip_usb_device_find_interface:
 * @self: a device
 * @interface_class: the class wanted (0x0F PHDC, 0x03 HID)
 * @transfer_type: LIBUSB_TRANSFER_TYPE_BULK or _INTERRUPT
 * @interface_number: (out): the interface
 * @endpoint_in: (out): its first IN endpoint of @transfer_type
 * @endpoint_out: (out): its first OUT endpoint of @transfer_type (0 if none)
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the active configuration has such an interface with an IN endpoint
 */
gboolean
nhip_usb_device_find_interface(NhipUsbDevice *self,
			       guint8 interface_class,
			       guint8 transfer_type,
			       guint8 *interface_number,
			       guint8 *endpoint_in,
			       guint8 *endpoint_out,
			       GError **error)
{
	struct libusb_config_descriptor *config = NULL;
	gboolean found = FALSE;
	gint rc;

	g_return_val_if_fail(self != NULL, FALSE);

	rc = libusb_get_active_config_descriptor(libusb_get_device(self->handle), &config);
	if (rc < 0) {
		usb_set_libusb_error(error, rc, _("read the configuration of"), self->name);
		return FALSE;
	}
	for (guint i = 0; i < config->bNumInterfaces && !found; i++) {
		const struct libusb_interface_descriptor *alt;

		if (config->interface[i].num_altsetting < 1)
			continue;
		alt = &config->interface[i].altsetting[0];
		if (alt->bInterfaceClass != interface_class)
			continue;
		*endpoint_in = 0;
		*endpoint_out = 0;
		for (guint e = 0; e < alt->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
			if ((ep->bmAttributes & 0x03) != transfer_type)
				continue;
			if ((ep->bEndpointAddress & 0x80) && *endpoint_in == 0)
				*endpoint_in = ep->bEndpointAddress;
			else if (!(ep->bEndpointAddress & 0x80) && *endpoint_out == 0)
				*endpoint_out = ep->bEndpointAddress;
		}
		if (*endpoint_in != 0) {
			*interface_number = alt->bInterfaceNumber;
			found = TRUE;
		}
	}
	libusb_free_config_descriptor(config);
	if (!found)
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_SUPPORTED,
			    _("USB device %s has no interface of class 0x%02x with the endpoints "
			      "this driver needs; check that it is a supported model"),
			    self->name, interface_class);
	return found;
}

/**
 * nhip_usb_device_claim_interface:
 * @self: a device
 * @interface_number: the interface
 * @error: return location for a #GError
 *
 * Takes the interface (detaching a kernel driver for as long as we hold it).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_usb_device_claim_interface(NhipUsbDevice *self, guint8 interface_number, GError **error)
{
	gint rc;

	g_return_val_if_fail(self != NULL, FALSE);
	/* HID devices are owned by usbhid: detach it while we hold the interface, and give
	 * the interface back at close */
	if (libusb_kernel_driver_active(self->handle, interface_number) == 1) {
		rc = libusb_detach_kernel_driver(self->handle, interface_number);
		if (rc < 0 && rc != LIBUSB_ERROR_NOT_FOUND) {
			usb_set_libusb_error(error, rc, _("take the interface from the kernel for"),
					     self->name);
			return FALSE;
		}
		self->detached = rc == 0;
	}
	rc = libusb_claim_interface(self->handle, interface_number);
	if (rc < 0) {
		usb_set_libusb_error(error, rc, _("claim the interface of"), self->name);
		return FALSE;
	}
	self->claimed = interface_number;
	return TRUE;
}

static void LIBUSB_CALL
usb_transfer_cb(struct libusb_transfer *transfer)
{
	UsbTransferData *data = transfer->user_data;
	NhipUsbDevice *self = data->usb;
	g_autoptr(GError) error = usb_transfer_status_error(transfer, self->name);
	g_autoptr(GBytes) bytes = NULL;

	g_ptr_array_remove_fast(self->pending, transfer);
	if (error == NULL && (transfer->endpoint & 0x80)) {
		const guint8 *buf = data->control ? libusb_control_transfer_get_data(transfer)
						  : transfer->buffer;
		bytes = g_bytes_new(buf, (gsize)transfer->actual_length);
	}
	/* a closing device tells nobody: its owner is gone */
	if (!self->closing && data->func != NULL) {
		self->in_callback++;
		data->func(self, bytes, error, data->user_data);
		self->in_callback--;
	}
	g_free(transfer->buffer);
	libusb_free_transfer(transfer);
	g_free(data);
}

static void
usb_submit(NhipUsbDevice *self,
	   struct libusb_transfer *transfer,
	   NhipUsbDoneFunc func,
	   gpointer user_data)
{
	gint rc = libusb_submit_transfer(transfer);

	if (rc < 0) {
		UsbTransferData *data = transfer->user_data;
		g_autoptr(GError) error = NULL;

		usb_set_libusb_error(&error, rc, _("send a request to"), self->name);
		if (rc == LIBUSB_ERROR_NO_DEVICE)
			error->code = NHIP_DEVICE_ERROR_DISCONNECTED;
		g_free(transfer->buffer);
		libusb_free_transfer(transfer);
		g_free(data);
		if (func != NULL)
			func(self, NULL, error, user_data);
		return;
	}
	g_ptr_array_add(self->pending, transfer);
}

static struct libusb_transfer *
usb_transfer_new(NhipUsbDevice *self, NhipUsbDoneFunc func, gpointer user_data, gboolean control)
{
	struct libusb_transfer *transfer = libusb_alloc_transfer(0);
	UsbTransferData *data = g_new0(UsbTransferData, 1);

	data->usb = self;
	data->func = func;
	data->user_data = user_data;
	data->control = control;
	transfer->user_data = data;
	return transfer;
}

static void
usb_fill(NhipUsbDevice *self,
	 struct libusb_transfer *transfer,
	 NhipUsbTransferKind kind,
	 guint8 endpoint,
	 guint8 *buf,
	 gsize len,
	 guint timeout_ms)
{
	if (kind == NHIP_USB_TRANSFER_BULK)
		libusb_fill_bulk_transfer(transfer, self->handle, endpoint, buf, (gint)len,
					  usb_transfer_cb, transfer->user_data, timeout_ms);
	else
		libusb_fill_interrupt_transfer(transfer, self->handle, endpoint, buf, (gint)len,
					       usb_transfer_cb, transfer->user_data, timeout_ms);
}

/**
 * nhip_usb_device_read:
 * @self: a device
 * @kind: bulk or interrupt
 * @endpoint: an IN endpoint
 * @length: the most bytes wanted
 * @timeout_ms: 0 to wait for ever
 * @func: called in the device's main context with the bytes or an error
 * @user_data: for @func
 */
void
nhip_usb_device_read(NhipUsbDevice *self,
		     NhipUsbTransferKind kind,
		     guint8 endpoint,
		     gsize length,
		     guint timeout_ms,
		     NhipUsbDoneFunc func,
		     gpointer user_data)
{
	struct libusb_transfer *transfer;

	g_return_if_fail(self != NULL);
	g_return_if_fail(kind != NHIP_USB_TRANSFER_CONTROL);
	transfer = usb_transfer_new(self, func, user_data, FALSE);
	usb_fill(self, transfer, kind, endpoint | 0x80, g_malloc0(length), length, timeout_ms);
	usb_submit(self, transfer, func, user_data);
}

/**
 * nhip_usb_device_write:
 * @self: a device
 * @kind: bulk or interrupt
 * @endpoint: an OUT endpoint
 * @data: (array length=len): the bytes
 * @len: how many
 * @timeout_ms: 0 to wait for ever
 * @func: (nullable): called in the device's main context when sent, or with an error
 * @user_data: for @func
 */
void
nhip_usb_device_write(NhipUsbDevice *self,
		      NhipUsbTransferKind kind,
		      guint8 endpoint,
		      const guint8 *data,
		      gsize len,
		      guint timeout_ms,
		      NhipUsbDoneFunc func,
		      gpointer user_data)
{
	struct libusb_transfer *transfer;

	g_return_if_fail(self != NULL);
	g_return_if_fail(kind != NHIP_USB_TRANSFER_CONTROL);
	transfer = usb_transfer_new(self, func, user_data, FALSE);
	usb_fill(self, transfer, kind, endpoint & 0x7F, g_memdup2(data, len), len, timeout_ms);
	usb_submit(self, transfer, func, user_data);
}

/**
 * nhip_usb_device_control:
 * @self: a device
 * @request_type: bmRequestType (bit 7 set for IN)
 * @request: bRequest
 * @value: wValue
 * @index: wIndex
 * @data: (nullable) (array length=length): the data stage of an OUT request
 * @length: wLength
 * @timeout_ms: 0 to wait for ever
 * @func: (nullable): called with the data stage of an IN request, or an error
 * @user_data: for @func
 */
void
nhip_usb_device_control(NhipUsbDevice *self,
			guint8 request_type,
			guint8 request,
			guint16 value,
			guint16 index,
			const guint8 *data,
			gsize length,
			guint timeout_ms,
			NhipUsbDoneFunc func,
			gpointer user_data)
{
	struct libusb_transfer *transfer;
	guint8 *buf;

	g_return_if_fail(self != NULL);
	g_return_if_fail(length <= G_MAXUINT16);
	buf = g_malloc0(LIBUSB_CONTROL_SETUP_SIZE + length);
	libusb_fill_control_setup(buf, request_type, request, value, index, (guint16)length);
	if (data != NULL && !(request_type & 0x80))
		memcpy(buf + LIBUSB_CONTROL_SETUP_SIZE, data, length);
	transfer = usb_transfer_new(self, func, user_data, TRUE);
	libusb_fill_control_transfer(transfer, self->handle, buf, usb_transfer_cb,
				     transfer->user_data, timeout_ms);
	usb_submit(self, transfer, func, user_data);
}

/**
 * nhip_usb_device_get_pending:
 * @self: a device
 *
 * Returns: how many transfers are in flight
 */
guint
nhip_usb_device_get_pending(NhipUsbDevice *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->pending->len;
}

static gboolean
usb_device_finish_free_cb(gpointer user_data)
{
	usb_device_really_free(user_data);
	return G_SOURCE_REMOVE;
}

/**
 * nhip_usb_device_free:
 * @self: (nullable): a device
 *
 * Cancels what is in flight (no callback runs any more), gives the interface back to the
 * kernel and closes the device.
 */
void
nhip_usb_device_free(NhipUsbDevice *self)
{
	if (self == NULL)
		return;
	self->closing = TRUE;
	if (self->in_callback > 0) {
		GSource *idle = g_idle_source_new();
		g_source_set_callback(idle, (GSourceFunc)usb_device_finish_free_cb, self, NULL);
		g_source_attach(idle, self->context);
		g_source_unref(idle);
		return;
	}
	usb_device_really_free(self);
}

static void
usb_device_really_free(NhipUsbDevice *self)
{
	if (self->handle != NULL) {
		gint64 deadline = g_get_monotonic_time() + NHIP_USB_CLOSE_WAIT_MS * 1000;

		for (guint i = 0; i < self->pending->len; i++)
			libusb_cancel_transfer(g_ptr_array_index(self->pending, i));
		while (self->pending->len > 0 && g_get_monotonic_time() < deadline) {
			struct timeval tv = { 0, 50000 };
			libusb_handle_events_timeout_completed(self->ctx, &tv, NULL);
		}
		if (self->pending->len > 0)
			g_warning("%s: %u USB transfers did not come back at close", self->name,
				  self->pending->len);
		if (self->claimed >= 0) {
			libusb_release_interface(self->handle, self->claimed);
			if (self->detached)
				libusb_attach_kernel_driver(self->handle, self->claimed);
		}
		libusb_close(self->handle);
	}
	if (self->source != NULL) {
		libusb_set_pollfd_notifiers(self->ctx, NULL, NULL, NULL);
		g_source_destroy(&self->source->source);
		g_source_unref(&self->source->source);
	}
	/* transfers that never came back keep their memory: libusb may still write to it */
	if (self->ctx != NULL && self->pending->len == 0)
		libusb_exit(self->ctx);
	g_clear_pointer(&self->context, g_main_context_unref);
	g_ptr_array_unref(self->pending);
	g_free(self->name);
	g_free(self);
}
