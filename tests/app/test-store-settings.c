/*
 * Nhịp — tests of schema version 7: settings, visit drafts with symptoms, a patient's
 * observation history and backups.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "nhip-store-private.h"
#include "nhip-test-utils.h"

typedef struct {
	gchar *dir;
	gchar *path;
	NhipStore *store;
	gint64 patient_id;
	gint64 visit_id;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");

	f->dir = nhip_test_tmpdir();
	f->path = g_build_filename(f->dir, "station.db", NULL);
	f->store = nhip_store_open(f->path, &error);
	g_assert_no_error(error);
	g_assert_true(nhip_store_facility_set(f->store, facility, &error));
	g_assert_no_error(error);
	patient->full_name = g_strdup("Hoàng Văn Páo");
	patient->birth = g_strdup("2019-06-01");
	patient->sex = NHIP_SEX_MALE;
	f->patient_id = nhip_store_patient_add(f->store, patient, &error);
	g_assert_no_error(error);
	f->visit_id = nhip_store_visit_open(f->store, f->patient_id, "Sốt", &error);
	g_assert_no_error(error);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_clear_object(&f->store);
	nhip_test_rmrf(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

static void
test_settings(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = NULL;
	g_autoptr(NhipStore) other = NULL;

	value = nhip_store_setting_get(f->store, "hub.url", &error);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_assert_null(value);
	g_clear_error(&error);

	g_assert_true(nhip_store_setting_set(f->store, "hub.url", "https://bv-buondon.vn", &error));
	g_assert_no_error(error);
	g_assert_true(
		nhip_store_setting_set(f->store, "hub.url", "https://hub.local:8443", &error));
	g_assert_no_error(error);

	/* another connection sees the committed value */
	other = nhip_store_open(f->path, &error);
	g_assert_no_error(error);
	value = nhip_store_setting_get(other, "hub.url", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(value, ==, "https://hub.local:8443");
	g_clear_pointer(&value, g_free);

	/* NULL removes */
	g_assert_true(nhip_store_setting_set(f->store, "hub.url", NULL, &error));
	g_assert_no_error(error);
	value = nhip_store_setting_get(other, "hub.url", &error);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* bad names are refused with a message naming them */
	g_assert_false(nhip_store_setting_set(f->store, "Hub URL", "x", &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "Hub URL"));
	g_clear_error(&error);
	g_assert_false(nhip_store_setting_set(f->store, "", "x", &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(nhip_store_setting_set(f->store, "ok.key", "\xff\xfe", &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);

	/* every change is audited by key, never by value */
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM audit_log WHERE action = "
						   "'setting.set' AND detail = 'hub.url'"),
			==, 3);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM audit_log WHERE detail "
						   "LIKE '%hub.local%'"),
			==, 0);
	g_assert_true(nhip_store_audit_verify(f->store, NULL, NULL, NULL));
}

static void
test_visit_draft(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	const gchar *codes[] = { "j06.9", "R50.9", "J06.9", NULL };
	const gchar *bad[] = { "J06.9", "banana", NULL };

	g_assert_true(nhip_store_visit_save_draft(f->store, f->visit_id, "  Sốt 2 ngày, ho  ",
						  "Uống nhiều nước", codes, &error));
	g_assert_no_error(error);
	visit = nhip_store_visit_get(f->store, f->visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(visit->symptoms, ==, "Sốt 2 ngày, ho");
	g_assert_cmpstr(visit->notes, ==, "Uống nhiều nước");
	g_assert_cmpuint(g_strv_length(visit->icd_codes), ==, 2);
	g_assert_cmpstr(visit->icd_codes[0], ==, "J06.9");
	g_assert_cmpstr(visit->icd_codes[1], ==, "R50.9");
	g_clear_pointer(&visit, nhip_visit_free);

	/* a bad code changes nothing */
	g_assert_false(nhip_store_visit_save_draft(f->store, f->visit_id, "x", "y", bad, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);
	visit = nhip_store_visit_get(f->store, f->visit_id, &error);
	g_assert_cmpstr(visit->symptoms, ==, "Sốt 2 ngày, ho");
	g_clear_pointer(&visit, nhip_visit_free);

	/* empty text clears; close keeps the draft notes when no note is given */
	g_assert_true(nhip_store_visit_save_draft(f->store, f->visit_id, " ", "Hẹn tái khám", codes,
						  &error));
	g_assert_no_error(error);
	g_assert_true(nhip_store_visit_close(f->store, f->visit_id, codes, NULL, &error));
	g_assert_no_error(error);
	visit = nhip_store_visit_get(f->store, f->visit_id, &error);
	g_assert_null(visit->symptoms);
	g_assert_cmpstr(visit->notes, ==, "Hẹn tái khám");
	g_assert_cmpint(visit->status, ==, NHIP_VISIT_STATUS_CLOSED);

	/* a closed visit takes no more drafts */
	g_assert_false(nhip_store_visit_save_draft(f->store, f->visit_id, "x", NULL, NULL, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT);
	g_assert_true(nhip_store_audit_verify(f->store, NULL, NULL, NULL));
}

static void
test_patient_history(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	g_autoptr(GPtrArray) history = NULL;
	NhipObservation *o;
	gint64 second;

	o = nhip_observation_new(NHIP_VITAL_TEMPERATURE, 38.4, NAN);
	o->measured_at = 1000;
	g_ptr_array_add(obs, o);
	g_assert_true(nhip_store_observations_add(f->store, f->visit_id, obs, &error));
	g_assert_no_error(error);
	g_assert_true(nhip_store_visit_close(f->store, f->visit_id, NULL, NULL, &error));
	g_assert_no_error(error);
	second = nhip_store_visit_open(f->store, f->patient_id, NULL, &error);
	g_assert_no_error(error);
	g_ptr_array_set_size(obs, 0);
	o = nhip_observation_new(NHIP_VITAL_TEMPERATURE, 37.0, NAN);
	o->measured_at = 900;
	g_ptr_array_add(obs, o);
	o = nhip_observation_new(NHIP_VITAL_PULSE, 110, NAN);
	o->measured_at = 2000;
	g_ptr_array_add(obs, o);
	g_assert_true(nhip_store_observations_add(f->store, second, obs, &error));
	g_assert_no_error(error);

	history = nhip_store_observation_list_for_patient(f->store, f->patient_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, ==, 3);
	/* oldest first across visits */
	g_assert_cmpint(((NhipObservation *)history->pdata[0])->measured_at, ==, 900);
	g_assert_cmpint(((NhipObservation *)history->pdata[1])->measured_at, ==, 1000);
	g_assert_cmpint(((NhipObservation *)history->pdata[2])->kind, ==, NHIP_VITAL_PULSE);
	g_clear_pointer(&history, g_ptr_array_unref);
	history = nhip_store_observation_list_for_patient(f->store, 9999, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(history->len, ==, 0);
}

static void
test_backup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dest = g_build_filename(f->dir, "backup.db", NULL);
	g_autoptr(NhipStore) copy = NULL;
	g_autoptr(NhipPatient) patient = NULL;

	g_assert_true(nhip_store_backup(f->store, dest, &error));
	g_assert_no_error(error);
	copy = nhip_store_open(dest, &error);
	g_assert_no_error(error);
	g_assert_true(nhip_store_integrity_check(copy, &error));
	patient = nhip_store_patient_get(copy, f->patient_id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(patient->full_name, ==, "Hoàng Văn Páo");
	g_assert_true(nhip_store_audit_verify(copy, NULL, NULL, NULL));

	/* never overwrites */
	g_assert_false(nhip_store_backup(f->store, dest, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT);
	g_clear_error(&error);
	/* an unwritable place is a clear error */
	g_assert_false(nhip_store_backup(f->store, "/proc/nhip-no/backup.db", &error));
	g_assert_nonnull(error);
}

static void
test_migrate_v4(void)
{
	g_autofree gchar *dir = nhip_test_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "v4.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipVisit) visit = NULL;

	store = nhipi_store_open_at_version(path, 4, &error);
	g_assert_no_error(error);
	g_clear_object(&store);
	nhip_test_sql(path, "INSERT INTO patients (id, full_name, name_folded, birth, sex, "
			    "created_at, updated_at) VALUES (7, 'Lò Thị Dợ', 'lo thi do', '1990', "
			    "2, 1, 1);"
			    "INSERT INTO visits (id, patient_id, ma_lk, opened_at, status, notes) "
			    "VALUES (3, 7, '66181250101000003', 100, 'open', 'ghi chú cũ');");
	store = nhip_store_open(path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(nhip_store_get_schema_version(store), ==, NHIP_STORE_SCHEMA_VERSION);
	visit = nhip_store_visit_get(store, 3, &error);
	g_assert_no_error(error);
	g_assert_null(visit->symptoms);
	g_assert_cmpstr(visit->notes, ==, "ghi chú cũ");
	g_assert_true(nhip_store_setting_set(store, "station.idle-lock-minutes", "5", &error));
	g_assert_no_error(error);
	g_clear_object(&store);
	nhip_test_rmrf(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/store/settings/get-set", test_settings);
	ADD("/store/visit/draft", test_visit_draft);
	ADD("/store/observations/patient-history", test_patient_history);
	ADD("/store/backup", test_backup);
	g_test_add_func("/store/migrate/v4-to-v5", test_migrate_v4);
#undef ADD
	return g_test_run();
}
