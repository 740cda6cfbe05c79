/*
 * Nhịp — the devices present now.
 *
 * Enumeration and hotplug come from udev (GUdev: the udev netlink monitor, dispatched in
 * the main context that called nhip_device_manager_start()). Ports are matched against
 * the driver table: ttys and hidraw nodes by the USB ids of the device they belong to
 * (the serial bridge), USB devices by their ids or interface classes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gudev/gudev.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-device-manager.h"
#include "nhip-driver-api.h"

struct _NhipDeviceManager {
	GObject parent_instance;
	GMainContext *context;
	GUdevClient *udev;
	GPtrArray *devices; /* NhipDevice, in order of arrival */
	gboolean started;
	gboolean hotplug;
};

G_DEFINE_TYPE(NhipDeviceManager, nhip_device_manager, G_TYPE_OBJECT)

enum { SIGNAL_DEVICE_ADDED, SIGNAL_DEVICE_REMOVED, SIGNAL_MEASUREMENT, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = { 0 };

static const gchar *const manager_subsystems[] = { "usb", "tty", "hidraw", NULL };

/**
 * nhip_device_manager_new:
 *
 * Returns: (transfer full): a manager that knows no device until it is started
 */
NhipDeviceManager *
nhip_device_manager_new(void)
{
	return g_object_new(NHIP_TYPE_DEVICE_MANAGER, NULL);
}

/**
 * nhip_device_manager_set_hotplug:
 * @self: a manager, not started
 * @hotplug: %FALSE to look at no udev device at all (only ports added by hand)
 */
void
nhip_device_manager_set_hotplug(NhipDeviceManager *self, gboolean hotplug)
{
	g_return_if_fail(NHIP_IS_DEVICE_MANAGER(self));
	g_return_if_fail(!self->started);
	self->hotplug = hotplug;
}

static void
manager_measurement_cb(NhipDevice *device, NhipMeasurement *measurement, gpointer user_data)
{
	NhipDeviceManager *self = NHIP_DEVICE_MANAGER(user_data);
	g_signal_emit(self, signals[SIGNAL_MEASUREMENT], 0, device, measurement);
}

static GMainContext *
manager_context(NhipDeviceManager *self)
{
	if (self->context == NULL)
		self->context = g_main_context_ref_thread_default();
	return self->context;
}

static NhipDevice *
manager_find_by_path(NhipDeviceManager *self, const gchar *path)
{
	for (guint i = 0; i < self->devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(self->devices, i);
		if (g_strcmp0(nhip_device_get_port(device), path) == 0)
			return device;
	}
	return NULL;
}

static NhipDevice *
manager_find_by_sysfs(NhipDeviceManager *self, const gchar *sysfs_path)
{
	for (guint i = 0; i < self->devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(self->devices, i);
		const NhipDevicePort *port = nhipi_device_get_port_info(device);
		if (port->sysfs_path != NULL && g_strcmp0(port->sysfs_path, sysfs_path) == 0)
			return device;
	}
	return NULL;
}

/* makes, opens and announces a device; one that cannot be opened is announced in the
 * ERROR state, so the staff see why */
static NhipDevice *
manager_add_device(NhipDeviceManager *self,
		   GType type,
		   const NhipDevicePort *port,
		   GError **activate_error)
{
	g_autoptr(NhipDevice) device = nhipi_device_new(type, port, manager_context(self));
	g_autoptr(GError) error = NULL;

	g_signal_connect_object(device, "measurement", G_CALLBACK(manager_measurement_cb), self, 0);
	g_ptr_array_add(self->devices, g_object_ref(device));
	if (!nhipi_device_activate(device, &error))
		g_info("%s: %s", nhip_device_get_id(device), error->message);
	else
		g_info("%s: %s", nhip_device_get_id(device), nhip_device_get_display_name(device));
	g_signal_emit(self, signals[SIGNAL_DEVICE_ADDED], 0, device);
	if (error != NULL && activate_error != NULL)
		*activate_error = g_steal_pointer(&error);
	return device;
}

static void
manager_remove_device(NhipDeviceManager *self, NhipDevice *device)
{
	/* the list holds the last reference but one: keep the device through the signal */
	g_object_ref(device);
	g_info("%s: removed", nhip_device_get_id(device));
	g_signal_handlers_disconnect_by_data(device, self);
	g_ptr_array_remove(self->devices, device);
	nhipi_device_remove(device);
	g_signal_emit(self, signals[SIGNAL_DEVICE_REMOVED], 0, device);
	g_object_unref(device);
}

/* ---- udev ports ---------------------------------------------------------------------- */

static guint16
manager_udev_hex_attr(GUdevDevice *device, const gchar *name)
{
	const gchar *text = g_udev_device_get_sysfs_attr(device, name);
	return text != NULL ? (guint16)g_ascii_strtoull(text, NULL, 16) : 0;
}

/* the interface classes of the active configuration, from the sysfs "descriptors" blob
 * (the device descriptor, then the configuration the kernel uses) */
static void
manager_read_interfaces(GUdevDevice *usb, NhipDevicePort *port)
{
	g_autofree gchar *path =
		g_build_filename(g_udev_device_get_sysfs_path(usb), "descriptors", NULL);
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	gsize pos = 18;

	if (!g_file_get_contents(path, &contents, &len, NULL))
		return;
	while (pos + 2 <= len) {
		guint8 blen = (guint8)contents[pos];
		guint8 type = (guint8)contents[pos + 1];
		if (blen < 2 || pos + blen > len)
			break;
		if (type == 0x04 && blen >= 9 &&
		    port->n_interfaces < G_N_ELEMENTS(port->interface_classes))
			port->interface_classes[port->n_interfaces++] = (guint8)contents[pos + 5];
		pos += blen;
	}
}

static void
manager_port_from_usb(GUdevDevice *usb, NhipDevicePort *port)
{
	port->vid = manager_udev_hex_attr(usb, "idVendor");
	port->pid = manager_udev_hex_attr(usb, "idProduct");
	port->busnum = (guint8)g_udev_device_get_sysfs_attr_as_int(usb, "busnum");
	port->devnum = (guint8)g_udev_device_get_sysfs_attr_as_int(usb, "devnum");
	manager_read_interfaces(usb, port);
}

static void
manager_consider(NhipDeviceManager *self, GUdevDevice *udev_device)
{
	const gchar *subsystem = g_udev_device_get_subsystem(udev_device);
	const gchar *devnode = g_udev_device_get_device_file(udev_device);
	const gchar *sysfs_path = g_udev_device_get_sysfs_path(udev_device);
	g_autoptr(GUdevDevice) usb = NULL;
	NhipDevicePort port = { 0 };
	NhipTransportKind transports[2];
	guint n_transports = 0;

	if (subsystem == NULL || devnode == NULL || sysfs_path == NULL)
		return;
	if (manager_find_by_sysfs(self, sysfs_path) != NULL ||
	    manager_find_by_path(self, devnode) != NULL)
		return;
	if (g_strcmp0(subsystem, "usb") == 0) {
		if (g_strcmp0(g_udev_device_get_devtype(udev_device), "usb_device") != 0)
			return;
		usb = g_object_ref(udev_device);
		transports[n_transports++] = NHIP_TRANSPORT_USB_BULK;
		transports[n_transports++] = NHIP_TRANSPORT_USB_HID;
	} else if (g_strcmp0(subsystem, "tty") == 0) {
		usb = g_udev_device_get_parent_with_subsystem(udev_device, "usb", "usb_device");
		transports[n_transports++] = NHIP_TRANSPORT_SERIAL;
	} else if (g_strcmp0(subsystem, "hidraw") == 0) {
		usb = g_udev_device_get_parent_with_subsystem(udev_device, "usb", "usb_device");
		transports[n_transports++] = NHIP_TRANSPORT_HID_UART;
	} else {
		return;
	}
	/* built-in serial ports (ttyS*) and virtual ttys are configured by hand, not found */
	if (usb == NULL)
		return;
	manager_port_from_usb(usb, &port);
	port.path = (gchar *)devnode;
	port.sysfs_path = (gchar *)sysfs_path;
	for (guint t = 0; t < n_transports; t++) {
		port.transport = transports[t];
		for (guint i = 0; nhipi_driver_types[i] != NULL; i++) {
			GType type = nhipi_driver_types[i]();
			NhipDeviceClass *klass = g_type_class_ref(type);
			gboolean match = nhipi_device_class_matches(klass, &port);

			g_type_class_unref(klass);
			if (match) {
				manager_add_device(self, type, &port, NULL);
				return;
			}
		}
	}
}

static void
manager_uevent_cb(GUdevClient *client,
		  const gchar *action,
		  GUdevDevice *udev_device,
		  gpointer user_data)
{
	NhipDeviceManager *self = NHIP_DEVICE_MANAGER(user_data);

	g_debug("uevent %s %s", action, g_udev_device_get_sysfs_path(udev_device));
	if (g_strcmp0(action, "add") == 0) {
		manager_consider(self, udev_device);
	} else if (g_strcmp0(action, "remove") == 0) {
		NhipDevice *device =
			manager_find_by_sysfs(self, g_udev_device_get_sysfs_path(udev_device));
		if (device != NULL)
			manager_remove_device(self, device);
	}
}

/**
 * nhip_device_manager_start:
 * @self: a manager
 * @error: return location for a #GError
 *
 * Finds the supported devices present now, opens them, and follows udev for devices
 * plugged in or out later. Every signal is emitted in the thread-default main context of
 * the caller; nothing blocks it.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_device_manager_start(NhipDeviceManager *self, GError **error)
{
	g_return_val_if_fail(NHIP_IS_DEVICE_MANAGER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (self->started)
		return TRUE;
	manager_context(self);
	self->started = TRUE;
	if (!self->hotplug)
		return TRUE;
	/* GUdev attaches its netlink monitor to the thread-default main context */
	self->udev = g_udev_client_new(manager_subsystems);
	g_signal_connect(self->udev, "uevent", G_CALLBACK(manager_uevent_cb), self);
	for (guint s = 0; manager_subsystems[s] != NULL; s++) {
		GList *list = g_udev_client_query_by_subsystem(self->udev, manager_subsystems[s]);
		for (GList *l = list; l != NULL; l = l->next)
			manager_consider(self, G_UDEV_DEVICE(l->data));
		g_list_free_full(list, g_object_unref);
	}
	return TRUE;
}

/**
 * nhip_device_manager_stop:
 * @self: a manager
 *
 * Stops following udev and closes every device; each is announced as removed.
 */
void
nhip_device_manager_stop(NhipDeviceManager *self)
{
	g_return_if_fail(NHIP_IS_DEVICE_MANAGER(self));

	if (self->udev != NULL) {
		g_signal_handlers_disconnect_by_data(self->udev, self);
		g_clear_object(&self->udev);
	}
	while (self->devices->len > 0)
		manager_remove_device(self,
				      g_ptr_array_index(self->devices, self->devices->len - 1));
	self->started = FALSE;
}

/**
 * nhip_device_manager_add_serial_port:
 * @self: a manager
 * @driver: a serial driver: "cms50", "tanita" or "taidoc"
 * @path: the tty, e.g. /dev/ttyS0, a USB-serial port, or the pty of nhip-devsim
 * @error: return location for a #GError
 *
 * Adds a device on a serial port that hotplug cannot find (an RS-232 port, a bridge
 * whose USB ids are not in the table, the simulator). The device is announced with
 * "device-added" even when it cannot be opened (then in the ERROR state with the reason).
 *
 * Returns: %TRUE if the device was added and opened
 */
gboolean
nhip_device_manager_add_serial_port(NhipDeviceManager *self,
				    const gchar *driver,
				    const gchar *path,
				    GError **error)
{
	NhipDeviceClass *klass;
	NhipDevicePort port = { 0 };
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(NHIP_IS_DEVICE_MANAGER(self), FALSE);
	g_return_val_if_fail(driver != NULL, FALSE);
	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	klass = nhipi_device_class_lookup(driver);
	if (klass == NULL || !klass->serial_ports) {
		g_autoptr(GString) names = g_string_new(NULL);
		for (guint i = 0; nhipi_driver_types[i] != NULL; i++) {
			NhipDeviceClass *k = g_type_class_ref(nhipi_driver_types[i]());
			g_type_class_unref(k);
			if (!k->serial_ports)
				continue;
			if (names->len > 0)
				g_string_append(names, ", ");
			g_string_append(names, k->info->name);
		}
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT,
			    klass == NULL ? _("there is no driver “%s”; serial drivers are: %s")
					  : _("driver “%s” does not work on a serial port; serial "
					      "drivers are: %s"),
			    driver, names->str);
		return FALSE;
	}
	if (manager_find_by_path(self, path) != NULL) {
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_BUSY,
			    _("%s is already in use by a device; remove it first"), path);
		return FALSE;
	}
	port.transport = NHIP_TRANSPORT_SERIAL;
	port.path = (gchar *)path;
	manager_add_device(self, G_TYPE_FROM_CLASS(klass), &port, &error_local);
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_device_manager_remove_serial_port:
 * @self: a manager
 * @path: a port added with nhip_device_manager_add_serial_port()
 * @error: return location for a #GError
 *
 * Closes the device on @path and announces it as removed.
 *
 * Returns: %TRUE if there was such a device
 */
gboolean
nhip_device_manager_remove_serial_port(NhipDeviceManager *self, const gchar *path, GError **error)
{
	NhipDevice *device;

	g_return_val_if_fail(NHIP_IS_DEVICE_MANAGER(self), FALSE);
	g_return_val_if_fail(path != NULL, FALSE);

	device = manager_find_by_path(self, path);
	if (device == NULL || nhip_device_is_hotplugged(device)) {
		g_set_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_FOUND,
			    _("no serial port %s was added"), path);
		return FALSE;
	}
	manager_remove_device(self, device);
	return TRUE;
}

/**
 * nhip_device_manager_get_devices:
 * @self: a manager
 *
 * Returns: (transfer container) (element-type NhipDevice): the devices present now, in
 *   order of arrival
 */
GPtrArray *
nhip_device_manager_get_devices(NhipDeviceManager *self)
{
	GPtrArray *devices;

	g_return_val_if_fail(NHIP_IS_DEVICE_MANAGER(self), NULL);
	devices = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < self->devices->len; i++)
		g_ptr_array_add(devices, g_object_ref(g_ptr_array_index(self->devices, i)));
	return devices;
}

/**
 * nhip_device_manager_find_device:
 * @self: a manager
 * @id: a device id, e.g. "cms50:/dev/ttyUSB0"
 *
 * Returns: (transfer none) (nullable): the device with that id
 */
NhipDevice *
nhip_device_manager_find_device(NhipDeviceManager *self, const gchar *id)
{
	g_return_val_if_fail(NHIP_IS_DEVICE_MANAGER(self), NULL);
	g_return_val_if_fail(id != NULL, NULL);

	for (guint i = 0; i < self->devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(self->devices, i);
		if (g_strcmp0(nhip_device_get_id(device), id) == 0)
			return device;
	}
	return NULL;
}

static void
nhip_device_manager_dispose(GObject *object)
{
	NhipDeviceManager *self = NHIP_DEVICE_MANAGER(object);

	if (self->devices != NULL)
		nhip_device_manager_stop(self);
	G_OBJECT_CLASS(nhip_device_manager_parent_class)->dispose(object);
}

static void
nhip_device_manager_finalize(GObject *object)
{
	NhipDeviceManager *self = NHIP_DEVICE_MANAGER(object);

	g_ptr_array_unref(self->devices);
	g_clear_pointer(&self->context, g_main_context_unref);
	G_OBJECT_CLASS(nhip_device_manager_parent_class)->finalize(object);
}

static void
nhip_device_manager_init(NhipDeviceManager *self)
{
	self->devices = g_ptr_array_new_with_free_func(g_object_unref);
	self->hotplug = TRUE;
}

static void
nhip_device_manager_class_init(NhipDeviceManagerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = nhip_device_manager_dispose;
	object_class->finalize = nhip_device_manager_finalize;

	/**
	 * NhipDeviceManager::device-added:
	 * @self: the manager
	 * @device: a device that is now present (it may be in the ERROR state)
	 */
	signals[SIGNAL_DEVICE_ADDED] =
		g_signal_new("device-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 1, NHIP_TYPE_DEVICE);
	/**
	 * NhipDeviceManager::device-removed:
	 * @self: the manager
	 * @device: a device that is gone; its state is DISCONNECTED
	 */
	signals[SIGNAL_DEVICE_REMOVED] =
		g_signal_new("device-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 1, NHIP_TYPE_DEVICE);
	/**
	 * NhipDeviceManager::measurement:
	 * @self: the manager
	 * @device: the device it came from
	 * @measurement: a valid measurement
	 */
	signals[SIGNAL_MEASUREMENT] =
		g_signal_new("measurement", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 2, NHIP_TYPE_DEVICE, NHIP_TYPE_MEASUREMENT);
}
