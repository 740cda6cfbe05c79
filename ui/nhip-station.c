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

#include "nhip-demo.h"
#include "nhip-station.h"

/* the demo station: enough people for search to mean something, quick to make */
#define DEMO_PATIENTS 400
#define DEMO_SEED     20240601u

struct _NhipStation {
	GObject parent_instance;
	gchar *db_path;
	gboolean demo;
	NhipWorker *worker;
	NhipStore *store; /* main thread's read connection */
	NhipIcd10Catalog *icd10;
	NhipStaff *staff;
};

G_DEFINE_TYPE(NhipStation, nhip_station, G_TYPE_OBJECT)

enum { PROP_0, PROP_STAFF, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CHANGED, SIGNAL_DEVICES_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
nhip_station_finalize(GObject *object)
{
	NhipStation *self = NHIP_STATION(object);

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
}

static void
nhip_station_init(NhipStation *self)
{
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
	if (connected != NULL)
		*connected = 0;
	return 0;
}
