/*
 * Nhịp — one vital-sign device that is present: the base class of every driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-driver-api.h"

/* no byte for this long while READING: the transfer is over, back to CONNECTED */
#define NHIP_DEVICE_IDLE_MS 1000

typedef struct {
	NhipDevicePort port;
	gchar *id;
	NhipDeviceState state;
	gchar *error_message;
	gchar *model;
	gchar *serial;
	GMainContext *context;
	gpointer decoder;
	NhipDecodeOutput *out;
	GSource *idle_source;
	gboolean valid_data;
	gboolean active;
	gsize bytes_total;
} NhipDevicePrivate;

G_DEFINE_TYPE_WITH_PRIVATE(NhipDevice, nhip_device, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE(NhipDeviceState,
		   nhip_device_state,
		   G_DEFINE_ENUM_VALUE(NHIP_DEVICE_STATE_CONNECTED, "connected"),
		   G_DEFINE_ENUM_VALUE(NHIP_DEVICE_STATE_READING, "reading"),
		   G_DEFINE_ENUM_VALUE(NHIP_DEVICE_STATE_ERROR, "error"),
		   G_DEFINE_ENUM_VALUE(NHIP_DEVICE_STATE_DISCONNECTED, "disconnected"))

#define GET_PRIVATE(o) (nhip_device_get_instance_private(o))

enum {
	PROP_0,
	PROP_ID,
	PROP_DRIVER_NAME,
	PROP_DISPLAY_NAME,
	PROP_PORT,
	PROP_STATE,
	PROP_ERROR_MESSAGE,
	PROP_LAST
};
static GParamSpec *props[PROP_LAST] = { NULL };

enum { SIGNAL_MEASUREMENT, SIGNAL_EVENT, SIGNAL_LAST };
static guint signals[SIGNAL_LAST] = { 0 };

/**
 * nhip_device_state_to_string:
 * @state: a state
 *
 * Returns: (transfer none): a short stable name: "connected", "reading", "error" or
 *   "disconnected"
 */
const gchar *
nhip_device_state_to_string(NhipDeviceState state)
{
	switch (state) {
	case NHIP_DEVICE_STATE_CONNECTED:
		return "connected";
	case NHIP_DEVICE_STATE_READING:
		return "reading";
	case NHIP_DEVICE_STATE_ERROR:
		return "error";
	case NHIP_DEVICE_STATE_DISCONNECTED:
		return "disconnected";
	default:
		return "unknown";
	}
}

void
nhipi_device_port_clear(NhipDevicePort *port)
{
	g_clear_pointer(&port->path, g_free);
	g_clear_pointer(&port->sysfs_path, g_free);
}

void
nhipi_device_port_copy(NhipDevicePort *dst, const NhipDevicePort *src)
{
	*dst = *src;
	dst->path = g_strdup(src->path);
	dst->sysfs_path = g_strdup(src->sysfs_path);
}

/* ---- class-side helpers for drivers -------------------------------------------------- */

/**
 * nhipi_device_class_set_driver:
 * @klass: a driver class, in its class_init
 * @driver_name: the name of an entry of the driver table (nhip_driver_info_lookup())
 * @primary_kind: what the device mainly measures
 */
void
nhipi_device_class_set_driver(NhipDeviceClass *klass,
			      const gchar *driver_name,
			      NhipVitalKind primary_kind)
{
	klass->info = nhip_driver_info_lookup(driver_name);
	g_assert(klass->info != NULL);
	klass->primary_kind = primary_kind;
	klass->serial_ports = klass->info->transport == NHIP_TRANSPORT_SERIAL;
}

/**
 * nhipi_device_class_matches:
 * @klass: a driver class
 * @port: a port found by enumeration or hotplug
 *
 * Returns: %TRUE if the driver's transport and match table take @port, and its probe
 *   vfunc (if any) agrees
 */
gboolean
nhipi_device_class_matches(NhipDeviceClass *klass, const NhipDevicePort *port)
{
	const NhipDriverInfo *info = klass->info;
	gboolean found = FALSE;

	if (info == NULL || port->transport != info->transport)
		return FALSE;
	for (const NhipUsbMatch *m = info->usb_matches;
	     m->vid != 0 || m->pid != 0 || m->interface_class != 0; m++) {
		if (m->vid != 0) {
			if (m->vid == port->vid && (m->pid == 0 || m->pid == port->pid))
				found = TRUE;
			continue;
		}
		for (guint i = 0; i < port->n_interfaces; i++) {
			if (port->interface_classes[i] == m->interface_class)
				found = TRUE;
		}
	}
	if (!found && klass->probe != NULL)
		return klass->probe(klass, port);
	return found;
}

/**
 * nhipi_device_class_lookup:
 * @driver_name: a driver name
 *
 * Returns: (transfer none) (nullable): the class of the driver with that name
 */
NhipDeviceClass *
nhipi_device_class_lookup(const gchar *driver_name)
{
	for (guint i = 0; nhipi_driver_types[i] != NULL; i++) {
		NhipDeviceClass *klass = g_type_class_ref(nhipi_driver_types[i]());
		/* driver classes live as long as the program */
		g_type_class_unref(klass);
		if (klass->info != NULL && g_strcmp0(klass->info->name, driver_name) == 0)
			return klass;
	}
	return NULL;
}

/* ---- public API --------------------------------------------------------------------- */

/**
 * nhip_device_get_id:
 * @self: a device
 *
 * Returns: (transfer none): a stable id, the driver name and the port: "cms50:/dev/ttyUSB0"
 */
const gchar *
nhip_device_get_id(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NULL);
	priv = GET_PRIVATE(self);
	return priv->id;
}

/**
 * nhip_device_get_driver_name:
 * @self: a device
 *
 * Returns: (transfer none): "phdc", "omron-hid", "cms50", "taidoc" or "tanita"
 */
const gchar *
nhip_device_get_driver_name(NhipDevice *self)
{
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NULL);
	return NHIP_DEVICE_GET_CLASS(self)->info->name;
}

/**
 * nhip_device_get_display_name:
 * @self: a device
 *
 * Returns: (transfer none): the translated name of the kind of device
 */
const gchar *
nhip_device_get_display_name(NhipDevice *self)
{
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NULL);
	return _(NHIP_DEVICE_GET_CLASS(self)->info->display_name);
}

/**
 * nhip_device_get_primary_kind:
 * @self: a device
 *
 * Returns: what the device mainly measures (for icons)
 */
NhipVitalKind
nhip_device_get_primary_kind(NhipDevice *self)
{
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NHIP_VITAL_UNKNOWN);
	return NHIP_DEVICE_GET_CLASS(self)->primary_kind;
}

/**
 * nhip_device_get_state:
 * @self: a device
 *
 * Returns: the state (property "state", which notifies on change)
 */
NhipDeviceState
nhip_device_get_state(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NHIP_DEVICE_STATE_DISCONNECTED);
	priv = GET_PRIVATE(self);
	return priv->state;
}

/**
 * nhip_device_get_error_message:
 * @self: a device
 *
 * Returns: (transfer none) (nullable): what went wrong and what to do, translated; %NULL
 *   unless the state is %NHIP_DEVICE_STATE_ERROR
 */
const gchar *
nhip_device_get_error_message(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NULL);
	priv = GET_PRIVATE(self);
	return priv->state == NHIP_DEVICE_STATE_ERROR ? priv->error_message : NULL;
}

/**
 * nhip_device_get_port:
 * @self: a device
 *
 * Returns: (transfer none): the node the device is reached through, e.g. /dev/ttyUSB0
 */
const gchar *
nhip_device_get_port(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NULL);
	priv = GET_PRIVATE(self);
	return priv->port.path;
}

/**
 * nhip_device_get_model:
 * @self: a device
 *
 * Returns: (transfer none) (nullable): the model the device reported, once it did
 */
const gchar *
nhip_device_get_model(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NULL);
	priv = GET_PRIVATE(self);
	return priv->model;
}

/**
 * nhip_device_get_serial:
 * @self: a device
 *
 * Returns: (transfer none) (nullable): the serial number the device reported, once it did
 */
const gchar *
nhip_device_get_serial(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), NULL);
	priv = GET_PRIVATE(self);
	return priv->serial;
}

/**
 * nhip_device_get_vid:
 * @self: a device
 *
 * Returns: the USB vendor id of the device or its bridge, 0 if unknown
 */
guint16
nhip_device_get_vid(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), 0);
	priv = GET_PRIVATE(self);
	return priv->port.vid;
}

/**
 * nhip_device_get_pid:
 * @self: a device
 *
 * Returns: the USB product id of the device or its bridge, 0 if unknown
 */
guint16
nhip_device_get_pid(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), 0);
	priv = GET_PRIVATE(self);
	return priv->port.pid;
}

/**
 * nhip_device_is_hotplugged:
 * @self: a device
 *
 * Returns: %TRUE if the device was found by enumeration or hotplug, %FALSE if its port was
 *   added by hand
 */
gboolean
nhip_device_is_hotplugged(NhipDevice *self)
{
	NhipDevicePrivate *priv;
	g_return_val_if_fail(NHIP_IS_DEVICE(self), FALSE);
	priv = GET_PRIVATE(self);
	return priv->port.sysfs_path != NULL;
}

/* ---- driver-side helpers ------------------------------------------------------------ */

/**
 * nhipi_device_new:
 * @type: a driver's GType
 * @port: where the device is
 * @context: the main context every callback and signal runs in
 *
 * Returns: (transfer full): a device, not yet opened
 */
NhipDevice *
nhipi_device_new(GType type, const NhipDevicePort *port, GMainContext *context)
{
	NhipDevice *self = g_object_new(type, NULL);
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	NhipDeviceClass *klass = NHIP_DEVICE_GET_CLASS(self);

	nhipi_device_port_copy(&priv->port, port);
	priv->id = g_strdup_printf("%s:%s", klass->info->name, port->path);
	priv->context = g_main_context_ref(context);
	priv->decoder = klass->info->decoder_new();
	return self;
}

const NhipDevicePort *
nhipi_device_get_port_info(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	return &priv->port;
}

GMainContext *
nhipi_device_get_context(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	return priv->context;
}

/**
 * nhipi_device_get_decoder:
 * @self: a device
 *
 * Returns: (transfer none): the driver's pure decoder for this device (its type is the
 *   driver's, e.g. #NhipCms50Decoder)
 */
gpointer
nhipi_device_get_decoder(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	return priv->decoder;
}

/**
 * nhipi_device_reset_decoder:
 * @self: a device
 *
 * Starts a new decoder, e.g. after a change of line settings made the bytes so far
 * meaningless. What the old one held is dropped without warnings.
 */
void
nhipi_device_reset_decoder(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	const NhipDriverInfo *info = NHIP_DEVICE_GET_CLASS(self)->info;

	info->decoder_free(priv->decoder);
	priv->decoder = info->decoder_new();
	priv->valid_data = FALSE;
}

/**
 * nhipi_device_has_valid_data:
 * @self: a device
 *
 * Returns: %TRUE once the decoder has recognised a valid frame since it was made
 */
gboolean
nhipi_device_has_valid_data(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	return priv->valid_data;
}

/**
 * nhipi_device_timeout_new:
 * @self: a device
 * @interval_ms: milliseconds
 * @func: called with @self
 *
 * Returns: (transfer full): a timeout attached to the device's main context; the driver
 *   destroys and unrefs it when it closes
 */
GSource *
nhipi_device_timeout_new(NhipDevice *self, guint interval_ms, GSourceFunc func)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	GSource *source = g_timeout_source_new(interval_ms);

	g_source_set_callback(source, func, self, NULL);
	g_source_set_static_name(source, "NhipDevice timeout");
	g_source_attach(source, priv->context);
	return source;
}

static void
device_set_error_message(NhipDevice *self, const gchar *message)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);

	if (g_strcmp0(priv->error_message, message) == 0)
		return;
	g_free(priv->error_message);
	priv->error_message = g_strdup(message);
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_ERROR_MESSAGE]);
}

/**
 * nhipi_device_set_state:
 * @self: a device
 * @state: connected, reading or disconnected (use nhipi_device_fail() for an error)
 */
void
nhipi_device_set_state(NhipDevice *self, NhipDeviceState state)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);

	if (priv->state == state)
		return;
	/* nothing brings a device back from the dead */
	if (priv->state == NHIP_DEVICE_STATE_DISCONNECTED)
		return;
	g_debug("%s: %s → %s", priv->id, nhip_device_state_to_string(priv->state),
		nhip_device_state_to_string(state));
	priv->state = state;
	g_object_freeze_notify(G_OBJECT(self));
	if (state != NHIP_DEVICE_STATE_ERROR)
		device_set_error_message(self, NULL);
	g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE]);
	g_object_thaw_notify(G_OBJECT(self));
}

/**
 * nhipi_device_fail:
 * @self: a device
 * @error: what went wrong; its message must say what to do
 *
 * Puts the device in the ERROR state with @error's message. A later valid reading brings
 * it back.
 */
void
nhipi_device_fail(NhipDevice *self, const GError *error)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);

	if (priv->state == NHIP_DEVICE_STATE_DISCONNECTED)
		return;
	g_info("%s: %s", priv->id, error->message);
	g_object_freeze_notify(G_OBJECT(self));
	device_set_error_message(self, error->message);
	if (priv->state != NHIP_DEVICE_STATE_ERROR) {
		priv->state = NHIP_DEVICE_STATE_ERROR;
		g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE]);
	}
	g_object_thaw_notify(G_OBJECT(self));
}

static void
device_learn_identity(NhipDevice *self, NhipMeasurement *measurement)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	const gchar *model = nhip_measurement_get_device_model(measurement);
	const gchar *serial = nhip_measurement_get_device_serial(measurement);

	if (model != NULL && g_strcmp0(model, priv->model) != 0) {
		g_free(priv->model);
		priv->model = g_strdup(model);
	}
	if (serial != NULL && g_strcmp0(serial, priv->serial) != 0) {
		g_free(priv->serial);
		priv->serial = g_strdup(serial);
	}
}

static void
device_handle_event(NhipDevice *self, NhipDeviceEvent *event)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	NhipDeviceEventKind kind = nhip_device_event_get_kind(event);

	g_signal_emit(self, signals[SIGNAL_EVENT], 0, event);
	switch (kind) {
	case NHIP_DEVICE_EVENT_FINGER_OUT: {
		g_autoptr(GError) error =
			g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PROTOCOL,
				    _("%s: no finger in the oximeter; put the finger fully into "
				      "the clip and keep it still"),
				    priv->port.path);
		nhipi_device_fail(self, error);
		break;
	}
	case NHIP_DEVICE_EVENT_PROBE_ERROR: {
		g_autoptr(GError) error =
			g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PROTOCOL,
				    _("%s: the oximeter reports a probe error; check the probe "
				      "and its cable, or use another oximeter"),
				    priv->port.path);
		nhipi_device_fail(self, error);
		break;
	}
	case NHIP_DEVICE_EVENT_ABORTED: {
		g_autoptr(GError) error = g_error_new(
			NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PROTOCOL,
			_("%s: the device broke off the session (%s); repeat the measurement"),
			priv->port.path, nhip_device_event_get_message(event));
		nhipi_device_fail(self, error);
		break;
	}
	case NHIP_DEVICE_EVENT_SIGNAL_OK:
	case NHIP_DEVICE_EVENT_SEARCHING:
		priv->valid_data = TRUE;
		nhipi_device_set_state(self, NHIP_DEVICE_STATE_READING);
		break;
	case NHIP_DEVICE_EVENT_INFO:
	case NHIP_DEVICE_EVENT_CLOCK:
	case NHIP_DEVICE_EVENT_RECORD_COUNT:
	case NHIP_DEVICE_EVENT_STORED_BEGIN:
	case NHIP_DEVICE_EVENT_STORED_END:
	case NHIP_DEVICE_EVENT_ASSOCIATED:
	case NHIP_DEVICE_EVENT_CONFIGURED:
	case NHIP_DEVICE_EVENT_RELEASED:
	case NHIP_DEVICE_EVENT_REFUSED:
	case NHIP_DEVICE_EVENT_POWER_OFF:
	case NHIP_DEVICE_EVENT_SUMMARY:
	default:
		priv->valid_data = TRUE;
		break;
	}
}

static void
device_handle_warning(NhipDevice *self, const GError *warning)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	g_autoptr(GError) error = NULL;

	/* joining a stream in the middle of a frame is normal: bytes skipped before the
	 * first valid frame are no fault of the device */
	if (!priv->valid_data &&
	    g_error_matches(warning, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_SYNC)) {
		g_debug("%s: before the first frame: %s", priv->id, warning->message);
		return;
	}
	error = g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_PROTOCOL,
			    _("%s sent data that could not be read (%s); nothing from it was "
			      "saved — repeat the measurement, and check the cable if it happens "
			      "again"),
			    priv->port.path, warning->message);
	nhipi_device_fail(self, error);
}

/* hands what the decoder produced to the driver and the listeners, in this order:
 * frames to answer, events, measurements, then problems (so that an error in this
 * chunk stays visible) */
static void
device_process_output(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	NhipDeviceClass *klass = NHIP_DEVICE_GET_CLASS(self);
	g_autoptr(GPtrArray) responses = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(GPtrArray) measurements = NULL;
	g_autoptr(GPtrArray) warnings = NULL;

	/* a listener may drop its reference; take the arrays out first: a handler may feed
	 * the device again */
	g_object_ref(self);
	responses = g_steal_pointer(&priv->out->responses);
	priv->out->responses = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	events = g_steal_pointer(&priv->out->events);
	priv->out->events = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_device_event_unref);
	measurements = g_steal_pointer(&priv->out->measurements);
	priv->out->measurements =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	warnings = g_steal_pointer(&priv->out->warnings);
	priv->out->warnings = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);

	for (guint i = 0; i < responses->len; i++) {
		if (klass->send_response != NULL)
			klass->send_response(self, g_ptr_array_index(responses, i));
	}
	for (guint i = 0; i < events->len; i++)
		device_handle_event(self, g_ptr_array_index(events, i));
	for (guint i = 0; i < measurements->len; i++) {
		NhipMeasurement *measurement = g_ptr_array_index(measurements, i);

		priv->valid_data = TRUE;
		device_learn_identity(self, measurement);
		if (priv->state == NHIP_DEVICE_STATE_ERROR)
			nhipi_device_set_state(self, NHIP_DEVICE_STATE_READING);
		g_signal_emit(self, signals[SIGNAL_MEASUREMENT], 0, measurement);
	}
	for (guint i = 0; i < warnings->len; i++)
		device_handle_warning(self, g_ptr_array_index(warnings, i));
	g_object_unref(self);
}

static gboolean
device_idle_cb(gpointer user_data)
{
	NhipDevice *self = NHIP_DEVICE(user_data);
	NhipDevicePrivate *priv = GET_PRIVATE(self);

	g_clear_pointer(&priv->idle_source, g_source_unref);
	if (priv->state == NHIP_DEVICE_STATE_READING)
		nhipi_device_set_state(self, NHIP_DEVICE_STATE_CONNECTED);
	return G_SOURCE_REMOVE;
}

static void
device_stop_idle(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);

	if (priv->idle_source != NULL) {
		g_source_destroy(priv->idle_source);
		g_clear_pointer(&priv->idle_source, g_source_unref);
	}
}

/**
 * nhipi_device_feed:
 * @self: a device
 * @buf: (array length=len): bytes the device sent, split anywhere
 * @len: how many
 *
 * Runs the bytes through the driver's decoder; emits "event" and "measurement", sends the
 * answers the decoder asks for through the send_response vfunc, and moves the state:
 * READING while bytes come, CONNECTED a second after the last, ERROR with a message for a
 * garbled frame, a finger out of the oximeter or an aborted session.
 */
void
nhipi_device_feed(NhipDevice *self, const guint8 *buf, gsize len)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	const NhipDriverInfo *info = NHIP_DEVICE_GET_CLASS(self)->info;

	if (!priv->active || len == 0)
		return;
	priv->bytes_total += len;
	if (priv->state == NHIP_DEVICE_STATE_CONNECTED)
		nhipi_device_set_state(self, NHIP_DEVICE_STATE_READING);
	device_stop_idle(self);
	priv->idle_source = nhipi_device_timeout_new(self, NHIP_DEVICE_IDLE_MS, device_idle_cb);
	nhip_decode_output_set_receive_time(priv->out, NULL);
	info->decoder_feed(priv->decoder, buf, len, priv->out);
	device_process_output(self);
}

/**
 * nhipi_device_lost:
 * @self: a device
 * @error: why the transport stopped
 *
 * The transport ended (a hang-up, an unplugged cable). The decoder is ended, so a frame
 * cut in the middle is reported; the device goes to ERROR with a message saying so, and
 * its transport is closed. A hotplugged device is then removed by the manager.
 */
void
nhipi_device_lost(NhipDevice *self, const GError *error)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	const NhipDriverInfo *info = NHIP_DEVICE_GET_CLASS(self)->info;
	g_autoptr(GError) lost = NULL;
	gboolean cut = FALSE;

	if (!priv->active)
		return;
	g_object_ref(self);
	info->decoder_finish(priv->decoder, priv->out);
	for (guint i = 0; i < priv->out->warnings->len; i++) {
		const GError *warning = g_ptr_array_index(priv->out->warnings, i);
		if (g_error_matches(warning, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED))
			cut = TRUE;
	}
	/* measurements complete before the cut still count; the cut frame never does */
	g_ptr_array_set_size(priv->out->warnings, 0);
	device_process_output(self);
	nhipi_device_reset_decoder(self);
	if (cut)
		lost = g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_DISCONNECTED,
				   _("%s was disconnected in the middle of a reading; the "
				     "unfinished reading was dropped — plug the device in again "
				     "and repeat the measurement"),
				   priv->port.path);
	else
		lost = g_error_new(NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_DISCONNECTED,
				   _("the connection to %s was lost (%s)"), priv->port.path,
				   error->message);
	nhipi_device_fail(self, lost);
	nhipi_device_deactivate(self);
	g_object_unref(self);
}

static void
device_serial_read_cb(const guint8 *buf, gsize len, gpointer user_data)
{
	nhipi_device_feed(NHIP_DEVICE(user_data), buf, len);
}

static void
device_serial_error_cb(const GError *error, gpointer user_data)
{
	nhipi_device_lost(NHIP_DEVICE(user_data), error);
}

/**
 * nhipi_device_open_serial:
 * @self: a device on a serial port
 * @settings: line settings, e.g. "9600 8N1"
 * @read_func: (nullable): called with the bytes that arrive (the driver then calls
 *   nhipi_device_feed()); %NULL feeds them to the decoder directly
 * @error: return location for a #GError
 *
 * Opens the device's tty and watches it in the device's main context; a hang-up ends in
 * nhipi_device_lost().
 *
 * Returns: (transfer full) (nullable): the port, for the driver to keep and free in close
 */
NhipSerialPort *
nhipi_device_open_serial(NhipDevice *self,
			 const gchar *settings,
			 NhipSerialReadFunc read_func,
			 GError **error)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	NhipSerialSettings line = { 0 };
	NhipSerialPort *port;

	if (!nhip_serial_settings_parse(settings, &line, error))
		return NULL;
	port = nhip_serial_port_open(priv->port.path, &line, error);
	if (port == NULL)
		return NULL;
	nhip_serial_port_watch(port, priv->context,
			       read_func != NULL ? read_func : device_serial_read_cb,
			       device_serial_error_cb, self);
	return port;
}

/**
 * nhipi_device_activate:
 * @self: a device
 * @error: return location for a #GError
 *
 * Opens the transport and starts the driver.
 *
 * Returns: %TRUE if the device is open (it may still fail later)
 */
gboolean
nhipi_device_activate(NhipDevice *self, GError **error)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	NhipDeviceClass *klass = NHIP_DEVICE_GET_CLASS(self);
	g_autoptr(GError) error_local = NULL;

	if (priv->active)
		return TRUE;
	if (!klass->open(self, &error_local)) {
		nhipi_device_fail(self, error_local);
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	priv->active = TRUE;
	priv->valid_data = FALSE;
	nhipi_device_set_state(self, NHIP_DEVICE_STATE_CONNECTED);
	if (klass->start != NULL)
		klass->start(self);
	return TRUE;
}

/**
 * nhipi_device_deactivate:
 * @self: a device
 *
 * Stops the driver and closes the transport; the state stays as it is.
 */
void
nhipi_device_deactivate(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	NhipDeviceClass *klass = NHIP_DEVICE_GET_CLASS(self);

	if (!priv->active)
		return;
	priv->active = FALSE;
	device_stop_idle(self);
	if (klass->stop != NULL)
		klass->stop(self);
	klass->close(self);
}

/**
 * nhipi_device_remove:
 * @self: a device
 *
 * The device is gone: it is closed and its state becomes DISCONNECTED for good.
 */
void
nhipi_device_remove(NhipDevice *self)
{
	nhipi_device_deactivate(self);
	nhipi_device_set_state(self, NHIP_DEVICE_STATE_DISCONNECTED);
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
nhip_device_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	NhipDevice *self = NHIP_DEVICE(object);

	switch (prop_id) {
	case PROP_ID:
		g_value_set_string(value, nhip_device_get_id(self));
		break;
	case PROP_DRIVER_NAME:
		g_value_set_string(value, nhip_device_get_driver_name(self));
		break;
	case PROP_DISPLAY_NAME:
		g_value_set_string(value, nhip_device_get_display_name(self));
		break;
	case PROP_PORT:
		g_value_set_string(value, nhip_device_get_port(self));
		break;
	case PROP_STATE:
		g_value_set_enum(value, nhip_device_get_state(self));
		break;
	case PROP_ERROR_MESSAGE:
		g_value_set_string(value, nhip_device_get_error_message(self));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
nhip_device_dispose(GObject *object)
{
	NhipDevice *self = NHIP_DEVICE(object);

	nhipi_device_deactivate(self);
	G_OBJECT_CLASS(nhip_device_parent_class)->dispose(object);
}

static void
nhip_device_finalize(GObject *object)
{
	NhipDevice *self = NHIP_DEVICE(object);
	NhipDevicePrivate *priv = GET_PRIVATE(self);
	NhipDeviceClass *klass = NHIP_DEVICE_GET_CLASS(self);

	if (priv->decoder != NULL)
		klass->info->decoder_free(priv->decoder);
	nhip_decode_output_free(priv->out);
	nhipi_device_port_clear(&priv->port);
	g_free(priv->id);
	g_free(priv->error_message);
	g_free(priv->model);
	g_free(priv->serial);
	g_clear_pointer(&priv->context, g_main_context_unref);
	G_OBJECT_CLASS(nhip_device_parent_class)->finalize(object);
}

static void
nhip_device_init(NhipDevice *self)
{
	NhipDevicePrivate *priv = GET_PRIVATE(self);

	priv->state = NHIP_DEVICE_STATE_CONNECTED;
	priv->out = nhip_decode_output_new();
}

static void
nhip_device_class_init(NhipDeviceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = nhip_device_get_property;
	object_class->dispose = nhip_device_dispose;
	object_class->finalize = nhip_device_finalize;

	props[PROP_ID] = g_param_spec_string("id", NULL, NULL, NULL,
					     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_DRIVER_NAME] = g_param_spec_string("driver-name", NULL, NULL, NULL,
						      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_DISPLAY_NAME] = g_param_spec_string("display-name", NULL, NULL, NULL,
						       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_PORT] = g_param_spec_string("port", NULL, NULL, NULL,
					       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	props[PROP_STATE] = g_param_spec_enum(
		"state", NULL, NULL, NHIP_TYPE_DEVICE_STATE, NHIP_DEVICE_STATE_CONNECTED,
		G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
	props[PROP_ERROR_MESSAGE] = g_param_spec_string("error-message", NULL, NULL, NULL,
							G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
								G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, PROP_LAST, props);

	/**
	 * NhipDevice::measurement:
	 * @self: the device
	 * @measurement: a valid measurement
	 */
	signals[SIGNAL_MEASUREMENT] =
		g_signal_new("measurement", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 1, NHIP_TYPE_MEASUREMENT);
	/**
	 * NhipDevice::event:
	 * @self: the device
	 * @event: a state or fact the device reported
	 */
	signals[SIGNAL_EVENT] =
		g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			     NULL, G_TYPE_NONE, 1, NHIP_TYPE_DEVICE_EVENT);
}
