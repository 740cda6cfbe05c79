/*
 * Nhịp — what device drivers see: the NhipDevice class struct and the nhipi_ helpers of
 * the base class. Only drivers (devices/<family>/nhip-<family>-device.c) and the device
 * manager include this header; the application uses nhip-device.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-decode.h"
#include "nhip-device.h"
#include "nhip-serial-port.h"

G_BEGIN_DECLS

/**
 * NhipDevicePort:
 * @transport: how the device is reached
 * @path: the node: a tty (/dev/ttyUSB0), a hidraw node (/dev/hidraw3) or a USB device
 *   node (/dev/bus/usb/001/005)
 * @sysfs_path: (nullable): the udev device the port was found as; %NULL for a port added
 *   by hand (nhip_device_manager_add_serial_port())
 * @busnum: USB bus number (0 if not USB)
 * @devnum: USB device address (0 if not USB)
 * @vid: USB vendor id of the device or its bridge (0 if unknown)
 * @pid: USB product id of the device or its bridge (0 if unknown)
 * @interface_classes: the USB interface classes of the device's active configuration
 * @n_interfaces: how many of them are set
 *
 * Where a device was found.
 */
typedef struct {
	NhipTransportKind transport;
	gchar *path;
	gchar *sysfs_path;
	guint8 busnum;
	guint8 devnum;
	guint16 vid;
	guint16 pid;
	guint8 interface_classes[16];
	guint n_interfaces;
} NhipDevicePort;

void nhipi_device_port_clear(NhipDevicePort *port);
void nhipi_device_port_copy(NhipDevicePort *dst, const NhipDevicePort *src);

/**
 * NhipDeviceClass:
 * @parent_class: the parent
 * @info: the driver's static facts and pure decoder (set by nhipi_device_class_set_driver())
 * @primary_kind: what the device mainly measures
 * @serial_ports: the driver also works on a plain serial port given by hand (for drivers
 *   whose transport is not %NHIP_TRANSPORT_SERIAL, e.g. TaiDoc meters with a serial cable)
 * @probe: (nullable): whether this driver takes a port that its match table did not
 *   match (e.g. by looking at the port's descriptors); rows of the match table with a
 *   vendor id match by id, rows without one by interface class
 * @open: opens the transport; on success the device is CONNECTED
 * @start: starts talking to the device (send the first request, start reading); problems
 *   are reported with nhipi_device_fail(), never by blocking
 * @stop: (nullable): tells the device we stop (e.g. release the association)
 * @close: closes the transport; no callback of the driver may run after it
 * @send_response: (nullable): sends a frame the decoder wants answered (IEEE 11073)
 *
 * Each driver is a final subclass of #NhipDevice; its class_init sets @info,
 * @primary_kind and the vfuncs. Every vfunc runs in the main context of the device
 * manager and must never block.
 */
struct _NhipDeviceClass {
	GObjectClass parent_class;

	const NhipDriverInfo *info;
	NhipVitalKind primary_kind;
	gboolean serial_ports;

	gboolean (*probe)(NhipDeviceClass *klass, const NhipDevicePort *port);
	gboolean (*open)(NhipDevice *self, GError **error);
	void (*start)(NhipDevice *self);
	void (*stop)(NhipDevice *self);
	void (*close)(NhipDevice *self);
	void (*send_response)(NhipDevice *self, GBytes *frame);

	/*< private >*/
	gpointer padding[8];
};

/* GType getters of every built-in driver, from the generated driver table; ends in NULL */
typedef GType (*NhipDriverTypeFunc)(void);
extern const NhipDriverTypeFunc nhipi_driver_types[];

void nhipi_device_class_set_driver(NhipDeviceClass *klass,
				   const gchar *driver_name,
				   NhipVitalKind primary_kind);
gboolean nhipi_device_class_matches(NhipDeviceClass *klass, const NhipDevicePort *port);
NhipDeviceClass *nhipi_device_class_lookup(const gchar *driver_name);

NhipDevice *nhipi_device_new(GType type, const NhipDevicePort *port, GMainContext *context);
gboolean nhipi_device_activate(NhipDevice *self, GError **error);
void nhipi_device_deactivate(NhipDevice *self);
void nhipi_device_remove(NhipDevice *self);

const NhipDevicePort *nhipi_device_get_port_info(NhipDevice *self);
GMainContext *nhipi_device_get_context(NhipDevice *self);
gpointer nhipi_device_get_decoder(NhipDevice *self);
void nhipi_device_reset_decoder(NhipDevice *self);
gboolean nhipi_device_has_valid_data(NhipDevice *self);
GSource *nhipi_device_timeout_new(NhipDevice *self, guint interval_ms, GSourceFunc func);
void nhipi_device_feed(NhipDevice *self, const guint8 *buf, gsize len);
void nhipi_device_set_state(NhipDevice *self, NhipDeviceState state);
void nhipi_device_fail(NhipDevice *self, const GError *error);
void nhipi_device_lost(NhipDevice *self, const GError *error);

NhipSerialPort *nhipi_device_open_serial(NhipDevice *self,
					 const gchar *settings,
					 NhipSerialReadFunc read_func,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
