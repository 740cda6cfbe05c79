/*
 * Nhịp — the kiosk's state: the database connections, who is logged in, the ICD-10 list.
 *
 * Two connections to the same database: the worker's, in its own thread, for every write
 * (durable commits wait for fsync), and the main thread's for reads. Reads on the main
 * thread are the search as you type (about 1 ms over 100,000 patients, see
 * bench/ui/bench-station) and short lists; WAL lets them go on while the worker commits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "nhip-data-dir.h"
#include "nhip-demo.h"
#include "nhip-station.h"

/* device readings taken before a visit is on screen wait this long for one to open */
#define PENDING_READING_SECONDS (15 * 60)
/* readings arriving together (an oximeter's SpO2 and pulse) are stored together */
#define READING_BATCH_MS 250

/* the demo station: enough people for search to mean something, quick to make */
#define DEMO_PATIENTS 400
#define DEMO_SEED     20240601u

struct _NhipStation {
	GObject parent_instance;
	gchar *db_path;
	gboolean demo;
	NhipWorker *worker;
	NhipSync *sync;
	NhipStore *store; /* main thread's read connection */
	NhipIcd10Catalog *icd10;
	NhipStaff *staff;

	NhipDeviceManager *devices;
	GPtrArray *simulators; /* GSubprocess: the demo's nhip-devsim devices */
	GCancellable *cancellable;
	gint64 current_visit; /* where device readings go; 0 while no visit is on screen */
	GPtrArray *pending;   /* NhipMeasurement waiting for a visit or for the batch */
	guint batch_source;
};

G_DEFINE_TYPE(NhipStation, nhip_station, G_TYPE_OBJECT)

enum { PROP_0, PROP_STAFF, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CHANGED, SIGNAL_DEVICES_CHANGED, SIGNAL_READINGS_STORED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
nhip_station_finalize(GObject *object)
{
	NhipStation *self = NHIP_STATION(object);

	g_clear_handle_id(&self->batch_source, g_source_remove);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->devices != NULL) {
		g_signal_handlers_disconnect_by_data(self->devices, self);
		nhip_device_manager_stop(self->devices);
		g_clear_object(&self->devices);
	}
	for (guint i = 0; i < self->simulators->len; i++)
		g_subprocess_send_signal(g_ptr_array_index(self->simulators, i), SIGTERM);
	g_ptr_array_unref(self->simulators);
	g_ptr_array_unref(self->pending);
	nhip_sync_stop(self->sync);
	g_clear_object(&self->sync);
	g_clear_object(&self->worker);
	g_clear_object(&self->store);
	g_clear_pointer(&self->icd10, nhip_icd10_catalog_free);
	g_clear_pointer(&self->staff, nhip_staff_free);
	g_free(self->db_path);
	G_OBJECT_CLASS(nhip_station_parent_class)->finalize(object);
}

static void
nhip_station_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	NhipStation *self = NHIP_STATION(object);

	switch (prop_id) {
	case PROP_STAFF:
		g_value_set_boxed(value, self->staff);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void
nhip_station_class_init(NhipStationClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->finalize = nhip_station_finalize;
	object_class->get_property = nhip_station_get_property;

	/**
	 * NhipStation:staff: (nullable)
	 *
	 * Who is logged in; %NULL on the login screen.
	 */
	properties[PROP_STAFF] = g_param_spec_boxed("staff", NULL, NULL, NHIP_TYPE_STAFF,
						    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
							    G_PARAM_EXPLICIT_NOTIFY);
	g_object_class_install_properties(object_class, N_PROPS, properties);

	/**
	 * NhipStation::changed:
	 *
	 * Something was written to the database; screens showing stored data reload.
	 */
	signals[SIGNAL_CHANGED] =
		g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			     NULL, G_TYPE_NONE, 0);

	/**
	 * NhipStation::devices-changed:
	 *
	 * A device was added or removed, or its state changed.
	 */
	signals[SIGNAL_DEVICES_CHANGED] =
		g_signal_new("devices-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
			     NULL, NULL, NULL, G_TYPE_NONE, 0);

	/**
	 * NhipStation::readings-stored:
	 * @self: the station
	 * @visit_id: the visit they went to
	 * @message: what to tell the nurse, e.g. "2 readings from CMS50E"
	 *
	 * Readings from devices were stored in a visit.
	 */
	signals[SIGNAL_READINGS_STORED] =
		g_signal_new("readings-stored", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
			     NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
nhip_station_init(NhipStation *self)
{
	self->simulators = g_ptr_array_new_with_free_func(g_object_unref);
	self->pending = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	self->cancellable = g_cancellable_new();
}

/**
 * nhip_station_new:
 * @db_path: the station database
 * @demo: fill an empty database with demo data and show the demo PINs
 *
 * Returns: (transfer full): the station; open it with nhip_station_open_async()
 */
NhipStation *
nhip_station_new(const gchar *db_path, gboolean demo)
{
	NhipStation *self = g_object_new(NHIP_TYPE_STATION, NULL);

	self->db_path = g_strdup(db_path);
	self->demo = demo;
	self->worker = nhip_worker_new(db_path);
	self->sync = nhip_sync_new(db_path);
	return self;
}

/* today's queue of the demo: two visits done, one in progress */
static gboolean
station_demo_today(NhipStore *store, GError **error)
{
	static const struct {
		const gchar *query;
		const gchar *reason;
		const gchar *code;
	} queue[] = {
		{ "nguyen", "Tái khám tăng huyết áp", "I10" },
		{ "tran", "Sốt, ho", "J06.9" },
		{ "le", "Đau đầu, chóng mặt", NULL },
	};
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) midnight =
		g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
				      g_date_time_get_day_of_month(now), 0, 0, 0);
	g_autoptr(GPtrArray) today = nhip_store_visit_list(
		store, g_date_time_to_unix(midnight), g_date_time_to_unix(midnight) + 86400, error);

	if (today == NULL)
		return FALSE;
	if (today->len > 0)
		return TRUE;
	for (guint i = 0; i < G_N_ELEMENTS(queue); i++) {
		g_autoptr(GPtrArray) found =
			nhip_store_patient_search(store, queue[i].query, 20, error);
		g_autoptr(GPtrArray) vitals =
			g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
		const gchar *codes[] = { queue[i].code, NULL };
		NhipPatient *patient = NULL;
		gint64 visit_id;

		if (found == NULL)
			return FALSE;
		/* an adult without an open visit */
		for (guint j = 0; j < found->len && patient == NULL; j++) {
			NhipPatient *p = g_ptr_array_index(found, j);
			if (nhip_patient_age_years(p, NULL) >= 30)
				patient = p;
		}
		if (patient == NULL)
			continue;
		visit_id = nhip_store_visit_open(store, patient->id, queue[i].reason, error);
		if (visit_id == 0) {
			if (g_error_matches(*error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT)) {
				g_clear_error(error);
				continue;
			}
			return FALSE;
		}
		g_ptr_array_add(vitals, nhip_observation_new(NHIP_VITAL_BLOOD_PRESSURE,
							     i == 0 ? 152 : 118, i == 0 ? 94 : 76));
		g_ptr_array_add(vitals, nhip_observation_new(NHIP_VITAL_PULSE, 78 + i * 9, NAN));
		g_ptr_array_add(vitals, nhip_observation_new(NHIP_VITAL_TEMPERATURE,
							     i == 1 ? 38.6 : 36.7, NAN));
		if (!nhip_store_observations_add(store, visit_id, vitals, error))
			return FALSE;
		if (queue[i].code != NULL &&
		    !nhip_store_visit_close(store, visit_id, codes, NULL, error))
			return FALSE;
	}
	return TRUE;
}

/* in the worker: make the schema current, fill the demo, open the main thread's reader */
static gpointer
station_open_job(NhipStore *store, gpointer data, GError **error)
{
	NhipStation *self = data;
	g_autoptr(GPtrArray) staff = NULL;

	if (self->demo) {
		staff = nhip_store_staff_list(store, error);
		if (staff == NULL)
			return NULL;
		if (staff->len == 0) {
			g_info("making the demo database %s", self->db_path);
			if (!nhip_demo_fill(store, DEMO_PATIENTS, 1.5, DEMO_SEED, error))
				return NULL;
		}
		if (!station_demo_today(store, error))
			return NULL;
	}
	return nhip_store_open(self->db_path, error);
}

static void
station_open_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	NhipStation *self = g_task_get_source_object(task);
	g_autoptr(GError) error = NULL;
	NhipStore *reader = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);

	if (reader == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_clear_object(&self->store);
	self->store = reader;
	g_task_return_boolean(task, TRUE);
}

/**
 * nhip_station_open_async:
 * @self: the station
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the database is ready
 * @user_data: for @callback
 *
 * Opens (and creates, migrates, and in demo mode fills) the database in the worker
 * thread, and loads the ICD-10 list.
 */
void
nhip_station_open_async(NhipStation *self,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	g_autoptr(GError) error = NULL;

	/* the installed station's rule (station.conf): no patient data on an unencrypted disk;
	 * checked before the worker makes or opens the database there */
	if (!self->demo && !nhip_data_dir_check(self->db_path, &error)) {
		g_warning("refusing to start: %s", error->message);
		g_task_return_error(task, g_steal_pointer(&error));
		g_object_unref(task);
		return;
	}
	if (self->icd10 == NULL) {
		g_autoptr(GBytes) tsv = g_resources_lookup_data(
			"/vn/nhip/Station/icd10-vi.tsv", G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
		if (tsv != NULL)
			self->icd10 = nhip_icd10_catalog_new(tsv, &error);
		if (self->icd10 == NULL) {
			g_task_return_error(task, g_steal_pointer(&error));
			g_object_unref(task);
			return;
		}
	}
	nhip_worker_run_async(self->worker, 0, station_open_job, g_object_ref(self), g_object_unref,
			      g_object_unref, cancellable, station_open_done, task);
}

/**
 * nhip_station_open_finish:
 * @self: the station
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the station is ready
 */
gboolean
nhip_station_open_finish(NhipStation *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

/**
 * nhip_station_get_store:
 * @self: the station
 *
 * Returns: (transfer none) (nullable): the main thread's read connection; %NULL before the
 * station is open
 */
NhipStore *
nhip_station_get_store(NhipStation *self)
{
	return self->store;
}

/**
 * nhip_station_get_worker:
 * @self: the station
 *
 * Returns: (transfer none): the writer
 */
NhipWorker *
nhip_station_get_worker(NhipStation *self)
{
	return self->worker;
}

/**
 * nhip_station_get_sync:
 * @self: the station
 *
 * Returns: (transfer none): the link to the district (packet queue, replies, enrollment)
 */
NhipSync *
nhip_station_get_sync(NhipStation *self)
{
	return self->sync;
}

/**
 * nhip_station_start_sync:
 * @self: the station, open
 * @send: run the background sender too (nhip_sync_start())
 *
 * Starts watching the packet queue and the replies, and sending.
 */
void
nhip_station_start_sync(NhipStation *self, gboolean send)
{
	g_return_if_fail(self->store != NULL);
	nhip_sync_start(self->sync, self->store, send);
}

/**
 * nhip_station_get_icd10:
 * @self: the station
 *
 * Returns: (transfer none) (nullable): the ICD-10 list, once open
 */
NhipIcd10Catalog *
nhip_station_get_icd10(NhipStation *self)
{
	return self->icd10;
}

/**
 * nhip_station_get_db_path:
 * @self: the station
 *
 * Returns: (transfer none): the database file
 */
const gchar *
nhip_station_get_db_path(NhipStation *self)
{
	return self->db_path;
}

/**
 * nhip_station_is_demo:
 * @self: the station
 *
 * Returns: %TRUE in demo mode
 */
gboolean
nhip_station_is_demo(NhipStation *self)
{
	return self->demo;
}

/**
 * nhip_station_get_staff:
 * @self: the station
 *
 * Returns: (transfer none) (nullable): who is logged in
 */
NhipStaff *
nhip_station_get_staff(NhipStation *self)
{
	return self->staff;
}

/**
 * nhip_station_set_staff:
 * @self: the station
 * @staff: (nullable): who logged in, or %NULL to log out
 */
void
nhip_station_set_staff(NhipStation *self, const NhipStaff *staff)
{
	g_clear_pointer(&self->staff, nhip_staff_free);
	if (staff != NULL)
		self->staff = nhip_staff_copy(staff);
	if (self->store != NULL)
		nhip_store_set_actor(self->store, staff != NULL ? staff->id : 0);
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_STAFF]);
}

/**
 * nhip_station_is_technician:
 * @self: the station
 *
 * Returns: %TRUE when a technician is logged in
 */
gboolean
nhip_station_is_technician(NhipStation *self)
{
	return self->staff != NULL && self->staff->role == NHIP_ROLE_TECHNICIAN;
}

/**
 * nhip_station_run:
 * @self: the station
 * @func: the job
 * @data: (nullable): its data, owned by the job
 * @data_free: (nullable): frees @data
 * @result_free: (nullable): frees an uncollected result
 * @callback: called on the main context when done
 * @user_data: for @callback
 *
 * Runs a job in the worker as the logged-in staff member.
 */
void
nhip_station_run(NhipStation *self,
		 NhipWorkerFunc func,
		 gpointer data,
		 GDestroyNotify data_free,
		 GDestroyNotify result_free,
		 GAsyncReadyCallback callback,
		 gpointer user_data)
{
	nhip_worker_run_async(self->worker, self->staff != NULL ? self->staff->id : 0, func, data,
			      data_free, result_free, NULL, callback, user_data);
}

/**
 * nhip_station_run_finish:
 * @self: the station
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the job's result
 */
gpointer
nhip_station_run_finish(NhipStation *self, GAsyncResult *result, GError **error)
{
	return nhip_worker_run_finish(self->worker, result, error);
}

/**
 * nhip_station_notify_changed:
 * @self: the station
 *
 * Tells the screens that stored data changed.
 */
void
nhip_station_notify_changed(NhipStation *self)
{
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

/**
 * nhip_station_get_setting:
 * @self: the station
 * @key: a settings key
 * @fallback: (nullable): the value when unset or unreadable
 *
 * Returns: (transfer full) (nullable): the value
 */
gchar *
nhip_station_get_setting(NhipStation *self, const gchar *key, const gchar *fallback)
{
	g_autoptr(GError) error = NULL;
	gchar *value = NULL;

	if (self->store != NULL)
		value = nhip_store_setting_get(self->store, key, &error);
	if (value == NULL && error != NULL &&
	    !g_error_matches(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND))
		g_warning("cannot read setting %s: %s", key, error->message);
	return value != NULL ? value : g_strdup(fallback);
}

/**
 * nhip_station_get_idle_lock_minutes:
 * @self: the station
 *
 * Returns: minutes without a touch before the screen locks (1 to 120)
 */
guint
nhip_station_get_idle_lock_minutes(NhipStation *self)
{
	g_autofree gchar *text = nhip_station_get_setting(self, NHIP_SETTING_IDLE_LOCK, NULL);
	guint64 minutes = 0;

	if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 1, 120, &minutes, NULL))
		return NHIP_DEFAULT_IDLE_LOCK_MINUTES;
	return (guint)minutes;
}

/* ----- devices ----- */

/**
 * nhip_station_get_device_manager:
 * @self: the station
 *
 * Returns: (transfer none) (nullable): the device manager, once devices are started
 */
NhipDeviceManager *
nhip_station_get_device_manager(NhipStation *self)
{
	return self->devices;
}

/**
 * nhip_station_get_devices:
 * @self: the station
 *
 * Returns: (transfer none) (element-type NhipDevice) (nullable): the devices known
 */
GPtrArray *
nhip_station_get_devices(NhipStation *self)
{
	return self->devices != NULL ? nhip_device_manager_get_devices(self->devices) : NULL;
}

/**
 * nhip_station_count_devices:
 * @self: the station
 * @connected: (out) (optional): how many are connected and ready
 *
 * Returns: how many devices the station knows
 */
guint
nhip_station_count_devices(NhipStation *self, guint *connected)
{
	GPtrArray *devices = nhip_station_get_devices(self);
	guint ready = 0;

	for (guint i = 0; devices != NULL && i < devices->len; i++) {
		NhipDeviceState state = nhip_device_get_state(g_ptr_array_index(devices, i));
		ready += state == NHIP_DEVICE_STATE_CONNECTED || state == NHIP_DEVICE_STATE_READING;
	}
	if (connected != NULL)
		*connected = ready;
	return devices != NULL ? devices->len : 0;
}

typedef struct {
	gint64 visit_id;
	GPtrArray *measurements;
	gchar *source;
} ReadingsJob;

static void
readings_job_free(ReadingsJob *job)
{
	g_ptr_array_unref(job->measurements);
	g_free(job->source);
	g_free(job);
}

static gpointer
readings_job(NhipStore *store, gpointer data, GError **error)
{
	ReadingsJob *job = data;
	NhipStoreDeviceCounts *counts = g_new0(NhipStoreDeviceCounts, 1);

	if (!nhip_store_add_device_measurements(store, job->visit_id, job->measurements, NULL,
						counts, error)) {
		g_free(counts);
		return NULL;
	}
	return counts;
}

typedef struct {
	NhipStation *station;
	gint64 visit_id;
	gchar *source;
} ReadingsDone;

static void
readings_stored(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ReadingsDone *done = user_data;
	NhipStation *self = done->station;
	g_autoptr(GError) error = NULL;
	g_autofree NhipStoreDeviceCounts *counts =
		nhip_worker_run_finish(NHIP_WORKER(source), result, &error);
	g_autofree gchar *message = NULL;

	if (counts == NULL) {
		g_warning("device readings were not stored: %s", error->message);
		message = g_strdup_printf(_("Readings from %s were not stored: %s"), done->source,
					  error->message);
	} else if (counts->added + counts->history > 0) {
		message = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%u new reading from %s",
						      "%u new readings from %s",
						      counts->added + counts->history),
					  counts->added + counts->history, done->source);
		nhip_station_notify_changed(self);
	}
	if (message != NULL)
		g_signal_emit(self, signals[SIGNAL_READINGS_STORED], 0, done->visit_id, message);
	g_object_unref(done->station);
	g_free(done->source);
	g_free(done);
}

/* stores what waits, if a visit is on screen; forgets readings too old to belong to it */
static void
station_flush_readings(NhipStation *self)
{
	ReadingsJob *job;
	ReadingsDone *done;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GString *source = g_string_new(NULL);

	for (guint i = self->pending->len; i > 0; i--) {
		NhipMeasurement *m = g_ptr_array_index(self->pending, i - 1);
		GDateTime *received = nhip_measurement_get_receive_time(m);
		if (received != NULL &&
		    now - g_date_time_to_unix(received) > PENDING_READING_SECONDS) {
			g_info("a device reading waited too long for a visit and was dropped");
			g_ptr_array_remove_index(self->pending, i - 1);
		}
	}
	if (self->current_visit == 0 || self->pending->len == 0) {
		g_string_free(source, TRUE);
		return;
	}
	job = g_new0(ReadingsJob, 1);
	job->visit_id = self->current_visit;
	job->measurements = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	for (guint i = 0; i < self->pending->len; i++) {
		NhipMeasurement *m = g_ptr_array_index(self->pending, i);
		const gchar *model = nhip_measurement_get_device_model(m);
		if (model != NULL && strstr(source->str, model) == NULL) {
			if (source->len > 0)
				g_string_append(source, ", ");
			g_string_append(source, model);
		}
		g_ptr_array_add(job->measurements, nhip_measurement_ref(m));
	}
	g_ptr_array_set_size(self->pending, 0);
	job->source = g_string_free(source, FALSE);
	done = g_new0(ReadingsDone, 1);
	done->station = g_object_ref(self);
	done->visit_id = job->visit_id;
	done->source = g_strdup(job->source);
	/* stored as the system (no staff member typed them); the device is in each row */
	nhip_worker_run_async(self->worker, 0, readings_job, job, (GDestroyNotify)readings_job_free,
			      g_free, NULL, readings_stored, done);
}

static gboolean
station_batch_timeout(gpointer user_data)
{
	NhipStation *self = user_data;
	self->batch_source = 0;
	station_flush_readings(self);
	return G_SOURCE_REMOVE;
}

static void
station_measurement(NhipDeviceManager *manager,
		    NhipDevice *device,
		    NhipMeasurement *measurement,
		    gpointer user_data)
{
	NhipStation *self = user_data;

	if (nhip_measurement_get_device_model(measurement) == NULL)
		nhip_measurement_set_device_model(measurement,
						  nhip_device_get_display_name(device));
	g_ptr_array_add(self->pending, nhip_measurement_ref(measurement));
	if (self->batch_source == 0)
		self->batch_source = g_timeout_add(READING_BATCH_MS, station_batch_timeout, self);
}

static void
station_device_state(NhipDevice *device, GParamSpec *pspec, gpointer user_data)
{
	g_signal_emit(user_data, signals[SIGNAL_DEVICES_CHANGED], 0);
}

static void
station_device_added(NhipDeviceManager *manager, NhipDevice *device, gpointer user_data)
{
	NhipStation *self = user_data;

	g_info("device %s (%s) added", nhip_device_get_id(device),
	       nhip_device_get_display_name(device));
	g_signal_connect_object(device, "notify::state", G_CALLBACK(station_device_state), self, 0);
	g_signal_emit(self, signals[SIGNAL_DEVICES_CHANGED], 0);
}

static void
station_device_removed(NhipDeviceManager *manager, NhipDevice *device, gpointer user_data)
{
	g_signal_emit(user_data, signals[SIGNAL_DEVICES_CHANGED], 0);
}

static void
station_simulator_port(GObject *source, GAsyncResult *result, gpointer user_data)
{
	NhipStation *self = user_data;
	GDataInputStream *stream = G_DATA_INPUT_STREAM(source);
	const gchar *driver = g_object_get_data(G_OBJECT(stream), "driver");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_data_input_stream_read_line_finish(stream, result, NULL, &error);

	if (path == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning("the %s simulator gave no port: %s", driver,
				  error != NULL ? error->message : "it exited");
		return;
	}
	if (!nhip_device_manager_add_serial_port(self->devices, driver, path, &error))
		g_warning("cannot add the simulated %s on %s: %s", driver, path, error->message);
}

static gchar *
station_find_devsim(void)
{
	const gchar *env = g_getenv("NHIP_DEVSIM");
	g_autofree gchar *installed = g_build_filename(NHIP_BINDIR, "nhip-devsim", NULL);

	if (env != NULL)
		return g_strdup(env);
	if (g_file_test(NHIP_DEVSIM_BUILD_PATH, G_FILE_TEST_IS_EXECUTABLE))
		return g_strdup(NHIP_DEVSIM_BUILD_PATH);
	if (g_file_test(installed, G_FILE_TEST_IS_EXECUTABLE))
		return g_steal_pointer(&installed);
	return g_find_program_in_path("nhip-devsim");
}

/* the demo's devices: an oximeter and a scale, simulated on pseudo-terminals */
static void
station_start_simulators(NhipStation *self)
{
	static const gchar *const drivers[] = { "cms50", "tanita" };
	g_autofree gchar *devsim = station_find_devsim();

	if (devsim == NULL) {
		g_warning("nhip-devsim is not installed: the demo has no simulated devices");
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS(drivers); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GDataInputStream) stream = NULL;
		const gchar *scenario = g_getenv("NHIP_DEMO_SCENARIO");
		GSubprocess *process = g_subprocess_new(
			G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, devsim, "--driver", drivers[i],
			"--scenario", scenario != NULL ? scenario : "normal", NULL);

		if (process == NULL) {
			g_warning("cannot start the %s simulator: %s", drivers[i], error->message);
			continue;
		}
		g_ptr_array_add(self->simulators, process);
		stream = g_data_input_stream_new(g_subprocess_get_stdout_pipe(process));
		g_object_set_data_full(G_OBJECT(stream), "driver", g_strdup(drivers[i]), g_free);
		g_data_input_stream_read_line_async(stream, G_PRIORITY_DEFAULT, self->cancellable,
						    station_simulator_port, self);
	}
}

/**
 * nhip_station_start_devices:
 * @self: the station
 *
 * Starts the device manager (USB hotplug and the configured ports) and, in demo mode,
 * the simulated devices.
 */
void
nhip_station_start_devices(NhipStation *self)
{
	g_autoptr(GError) error = NULL;

	if (self->devices != NULL)
		return;
	self->devices = nhip_device_manager_new();
	g_signal_connect(self->devices, "device-added", G_CALLBACK(station_device_added), self);
	g_signal_connect(self->devices, "device-removed", G_CALLBACK(station_device_removed), self);
	g_signal_connect(self->devices, "measurement", G_CALLBACK(station_measurement), self);
	if (!nhip_device_manager_start(self->devices, &error))
		g_warning("devices are not watched: %s", error->message);
	if (self->demo)
		station_start_simulators(self);
	g_signal_emit(self, signals[SIGNAL_DEVICES_CHANGED], 0);
}

/**
 * nhip_station_set_current_visit:
 * @self: the station
 * @visit_id: the open visit on screen, or 0
 *
 * Readings from devices go to this visit; those taken while no visit was on screen (in
 * the last 15 minutes) go to it when it is set.
 */
void
nhip_station_set_current_visit(NhipStation *self, gint64 visit_id)
{
	self->current_visit = visit_id;
	if (visit_id != 0)
		station_flush_readings(self);
}

/**
 * nhip_station_get_current_visit:
 * @self: the station
 *
 * Returns: the visit device readings go to, 0 if none
 */
gint64
nhip_station_get_current_visit(NhipStation *self)
{
	return self->current_visit;
}
