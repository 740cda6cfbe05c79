/*
 * Nhịp — measurements from vital-sign devices into a visit or the patient's history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-store-private.h"

/* the device's remarks that an observation keeps, with the same bits in both enums */
#define DEVICE_KEPT_FLAGS                                                       \
	(NHIP_MEASUREMENT_FLAG_BEFORE_MEAL | NHIP_MEASUREMENT_FLAG_AFTER_MEAL | \
	 NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED)
G_STATIC_ASSERT((gint)NHIP_MEASUREMENT_FLAG_BEFORE_MEAL == (gint)NHIP_VITAL_FLAG_BEFORE_MEAL);
G_STATIC_ASSERT((gint)NHIP_MEASUREMENT_FLAG_AFTER_MEAL == (gint)NHIP_VITAL_FLAG_AFTER_MEAL);
G_STATIC_ASSERT((gint)NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED ==
		(gint)NHIP_VITAL_FLAG_OPERATOR_ENTERED);

/* "driver:serial", or "driver:model" when the device gave no serial: the identity the
 * unique index observations_device_once keys on */
static gchar *
device_measurement_device_id(const NhipMeasurement *measurement)
{
	const gchar *driver = nhip_measurement_get_driver(measurement);
	const gchar *serial = nhip_measurement_get_device_serial(measurement);
	const gchar *model = nhip_measurement_get_device_model(measurement);
	const gchar *which = serial != NULL && serial[0] != '\0' ? serial : model;

	return g_strdup_printf("%s:%s", driver != NULL && driver[0] != '\0' ? driver : "device",
			       which != NULL && which[0] != '\0' ? which : "unknown");
}

/* device clock minus station clock in seconds; 0 when the device has no clock */
static gint64
device_measurement_clock_skew(const NhipMeasurement *measurement, const gint64 *clock_skew)
{
	GDateTime *device_time = nhip_measurement_get_device_time(measurement);
	GDateTime *receive_time = nhip_measurement_get_receive_time(measurement);

	/* without a device time, measured_at is the station's own clock */
	if (device_time == NULL)
		return 0;
	if (clock_skew != NULL)
		return *clock_skew;
	/* a reading taken just now carries the device clock of this moment; one read back
	 * from memory tells nothing about the clock */
	if (!nhip_measurement_has_flag(measurement, NHIP_MEASUREMENT_FLAG_STORED) &&
	    receive_time != NULL)
		return g_date_time_difference(device_time, receive_time) / G_TIME_SPAN_SECOND;
	return 0;
}

/**
 * nhip_store_add_device_measurements:
 * @self: the store
 * @visit_id: an open visit
 * @measurements: (element-type NhipMeasurement): what the decoders produced, in stream order
 * @clock_skew: (nullable): device clock minus station clock in seconds, when the device
 *   reported its clock (e.g. an %NHIP_DEVICE_EVENT_CLOCK event); %NULL to take it from
 *   readings taken just now that carry a device time, else 0
 * @counts: (out caller-allocates) (optional): what happened to each measurement
 * @error: return location for a #GError
 *
 * Stores device readings in one durable transaction: all of them or none. Each becomes an
 * observation with the device identity ("driver:serial", or "driver:model" without a
 * serial), the model, the raw frame, the device time as measured_at (the receive time
 * when the device has no clock), the station receive time, the clock skew and the
 * device's before-meal / after-meal / operator-entered flags.
 *
 * A reading stored before (same patient, device, LOINC and measured_at) is skipped and
 * counted as a duplicate, so a meter that re-sends its memory adds nothing twice. A
 * reading from the device's memory (%NHIP_MEASUREMENT_FLAG_STORED) taken before the visit
 * was opened (device time corrected by the clock skew) goes to the patient's history
 * (no visit) instead of the visit; one without any time stamp cannot be placed or
 * deduplicated and is skipped as undated. A value that cannot be a real measurement
 * fails the whole call with %NHIP_STORE_ERROR_INVALID.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_add_device_measurements(NhipStore *self,
				   gint64 visit_id,
				   GPtrArray *measurements,
				   const gint64 *clock_skew,
				   NhipStoreDeviceCounts *counts,
				   GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autofree gchar *detail = NULL;
	NhipStoreDeviceCounts result = { 0 };
	gint64 now;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(measurements != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (counts != NULL)
		*counts = result;

	/* measurements are checked when they are made; check again, as nothing wrong may
	 * ever be stored whatever produced the array */
	for (guint i = 0; i < measurements->len; i++) {
		NhipMeasurement *measurement = g_ptr_array_index(measurements, i);
		g_autoptr(GError) error_local = NULL;
		NhipVitalFlags flags = NHIP_VITAL_FLAG_NONE;

		if (!nhip_vital_check(nhip_measurement_get_kind(measurement),
				      nhip_measurement_get_value(measurement),
				      nhip_measurement_get_value2(measurement), &flags,
				      &error_local)) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("reading %u from the device: %s; nothing was saved"), i + 1,
				    error_local->message);
			return FALSE;
		}
	}
	if (measurements->len == 0)
		return TRUE;

	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	visit = nhip_store_visit_get(self, visit_id, error);
	if (visit == NULL)
		return FALSE;
	if (visit->status != NHIP_VISIT_STATUS_OPEN) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT,
			    _("visit %" PRId64 " is closed and can no longer change"), visit_id);
		return FALSE;
	}
	now = nhipi_store_now(self);
	for (guint i = 0; i < measurements->len; i++) {
		NhipMeasurement *measurement = g_ptr_array_index(measurements, i);
		NhipVitalKind kind = nhip_measurement_get_kind(measurement);
		const NhipVitalInfo *info = nhip_vital_info(kind);
		GDateTime *device_time = nhip_measurement_get_device_time(measurement);
		GDateTime *receive_time = nhip_measurement_get_receive_time(measurement);
		GBytes *raw = nhip_measurement_get_raw(measurement);
		gboolean stored =
			nhip_measurement_has_flag(measurement, NHIP_MEASUREMENT_FLAG_STORED);
		g_autofree gchar *device_id = NULL;
		g_autoptr(NhipStmt) stmt = NULL;
		NhipVitalFlags flags = NHIP_VITAL_FLAG_NONE;
		gint64 received_at;
		gint64 measured_at;
		gint64 skew;
		gboolean to_history;

		if (stored && device_time == NULL) {
			result.undated++;
			continue;
		}
		if (!nhip_vital_check(kind, nhip_measurement_get_value(measurement),
				      nhip_measurement_get_value2(measurement), &flags, error))
			return FALSE;
		received_at = receive_time != NULL ? g_date_time_to_unix(receive_time) : now;
		measured_at = device_time != NULL ? g_date_time_to_unix(device_time) : received_at;
		skew = device_measurement_clock_skew(measurement, clock_skew);
		/* only memory read-backs can be older than the visit: a reading taken now
		 * belongs to the visit even when the device clock is wrong */
		to_history = stored && measured_at - skew < visit->opened_at;
		device_id = device_measurement_device_id(measurement);

		stmt = nhipi_store_prepare(
			self,
			"INSERT INTO observations (visit_id, patient_id, loinc, value, value2, "
			"unit, measured_at, received_at, clock_skew, source, device_id, "
			"device_model, raw_frame, flags) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'device', ?, ?, ?, ?) "
			"ON CONFLICT DO NOTHING",
			error);
		if (stmt == NULL)
			return FALSE;
		if (!to_history)
			sqlite3_bind_int64(stmt, 1, visit_id);
		sqlite3_bind_int64(stmt, 2, visit->patient_id);
		nhipi_bind_text(stmt, 3, info->loinc);
		sqlite3_bind_double(stmt, 4, nhip_measurement_get_value(measurement));
		if (info->n_values == 2)
			sqlite3_bind_double(stmt, 5, nhip_measurement_get_value2(measurement));
		nhipi_bind_text(stmt, 6, info->unit);
		sqlite3_bind_int64(stmt, 7, measured_at);
		sqlite3_bind_int64(stmt, 8, received_at);
		sqlite3_bind_int64(stmt, 9, skew);
		nhipi_bind_text(stmt, 10, device_id);
		nhipi_bind_text(stmt, 11, nhip_measurement_get_device_model(measurement));
		if (raw != NULL) {
			gsize size = 0;
			gconstpointer data = g_bytes_get_data(raw, &size);
			sqlite3_bind_blob64(stmt, 12, data, size, SQLITE_TRANSIENT);
		}
		/* implausible as the store judges it, plus the device's meal / typed-in marks */
		flags |= (NhipVitalFlags)(nhip_measurement_get_flags(measurement) &
					  DEVICE_KEPT_FLAGS);
		sqlite3_bind_int(stmt, 13, (gint)flags);
		if (!nhipi_store_step_done(self, stmt, _("save the device readings"), error))
			return FALSE;
		if (sqlite3_changes(self->db) == 0)
			result.duplicates++;
		else if (to_history)
			result.history++;
		else
			result.added++;
	}
	detail = g_strdup_printf("added=%u history=%u duplicates=%u undated=%u", result.added,
				 result.history, result.duplicates, result.undated);
	if (!nhipi_store_audit(self, "observation.device", "visit", visit_id, detail, error))
		return FALSE;
	if (!nhipi_store_txn_commit(txn, error))
		return FALSE;
	if (counts != NULL)
		*counts = result;
	return TRUE;
}
