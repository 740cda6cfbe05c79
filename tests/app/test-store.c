/*
 * Nhịp — tests of the station store: schema, migrations, records, audit chain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "nhip-store-claims.h"
#include "nhip-store-private.h"
#include "nhip-test-utils.h"

typedef struct {
	gchar *dir;
	gchar *path;
	NhipStore *store;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	f->dir = nhip_test_tmpdir();
	f->path = g_build_filename(f->dir, "station.db", NULL);
	f->store = nhip_store_open(f->path, &error);
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

static NhipPatient *
make_patient(const gchar *name, const gchar *birth, NhipSex sex)
{
	NhipPatient *patient = nhip_patient_new();
	patient->full_name = g_strdup(name);
	patient->birth = g_strdup(birth);
	patient->sex = sex;
	return patient;
}

static gint64
add_patient(NhipStore *store, const gchar *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) patient = make_patient(name, "1980-01-01", NHIP_SEX_FEMALE);
	gint64 id = nhip_store_patient_add(store, patient, &error);
	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

static void
test_open_fresh(Fixture *f, gconstpointer data)
{
	g_assert_cmpint(nhip_store_get_schema_version(f->store), ==, NHIP_STORE_SCHEMA_VERSION);
	g_assert_cmpint(nhip_test_sql_int(f->path, "PRAGMA application_id"), ==, 0x4E484950);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM pragma_journal_mode WHERE "
						   "journal_mode = 'wal'"),
			==, 1);
	g_assert_true(nhip_store_integrity_check(f->store, NULL));
}

static void
test_pragmas(Fixture *f, gconstpointer data)
{
	/* the store's own connection runs with durable commits and foreign keys */
	g_autoptr(NhipStmt) sync = nhipi_store_prepare(f->store, "PRAGMA synchronous", NULL);
	g_assert_cmpint(sqlite3_step(sync), ==, SQLITE_ROW);
	g_assert_cmpint(sqlite3_column_int(sync, 0), ==, 2 /* FULL */);
	nhipi_stmt_release(g_steal_pointer(&sync));
	{
		g_autoptr(NhipStmt) fk = nhipi_store_prepare(f->store, "PRAGMA foreign_keys", NULL);
		g_assert_cmpint(sqlite3_step(fk), ==, SQLITE_ROW);
		g_assert_cmpint(sqlite3_column_int(fk, 0), ==, 1);
	}
}

/* fill a database made at @version with data its schema can hold */
static void
fill_old_version(const gchar *path, gint version)
{
	if (version >= 1) {
		nhip_test_sql(path,
			      "INSERT INTO facility VALUES (1, '66181', 'Trạm Y tế xã Tân Hòa', "
			      "NULL, NULL, NULL, NULL, 1);"
			      "INSERT INTO patients (id, full_name, name_folded, birth, sex, cccd, "
			      "created_at, updated_at) VALUES (7, 'Nguyễn Thị Đào', 'stale', "
			      "'1985-03-27', 2, '066185001234', 1, 1);"
			      "INSERT INTO visits (id, patient_id, ma_lk, opened_at, status) "
			      "VALUES (3, 7, '66181250101000003', 100, 'open');"
			      "INSERT INTO observations (visit_id, patient_id, loinc, value, unit, "
			      "measured_at, received_at, source) VALUES (3, 7, '8310-5', 37.2, "
			      "'Cel', 100, 100, 'manual');");
	}
	/* a version-4 program indexed the patients it stored */
	if (version >= 4)
		nhip_test_sql(path, "UPDATE patients SET name_folded = 'nguyen thi dao';"
				    "INSERT INTO patient_search (rowid, name, ids) VALUES "
				    "(7, 'nguyen thi dao', '066185001234');");
	if (version >= 2)
		nhip_test_sql(path,
			      "INSERT INTO outbox (kind, payload_ref, next_try_at, created_at, "
			      "updated_at) VALUES ('hl7', 'visit:3', 1, 1, 1);");
}

static void
test_migrate_from(gconstpointer data)
{
	gint from = GPOINTER_TO_INT(data);
	g_autofree gchar *dir = nhip_test_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "old.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;

	store = nhipi_store_open_at_version(path, from, &error);
	g_assert_no_error(error);
	g_assert_cmpint(nhip_store_get_schema_version(store), ==, from);
	g_clear_object(&store);
	fill_old_version(path, from);

	store = nhip_store_open(path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(nhip_store_get_schema_version(store), ==, NHIP_STORE_SCHEMA_VERSION);
	g_assert_true(nhip_store_integrity_check(store, NULL));
	if (from >= 1) {
		g_autoptr(NhipPatient) patient = nhip_store_patient_get(store, 7, &error);
		g_autoptr(GPtrArray) found = NULL;
		g_autoptr(GPtrArray) obs = NULL;
		g_assert_no_error(error);
		g_assert_cmpstr(patient->full_name, ==, "Nguyễn Thị Đào");
		/* the search index is built for patients stored before it existed; from
		 * version 4 on, the old program indexed them itself (fill_old_version) */
		found = nhip_store_patient_search(store, "nguyen thi dao", 10, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(found->len, ==, 1);
		obs = nhip_store_observation_list(store, 3, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(obs->len, ==, 1);
		g_assert_cmpfloat(((NhipObservation *)obs->pdata[0])->value, ==, 37.2);
	}
	if (from >= 2)
		g_assert_cmpint(nhip_test_sql_int(path, "SELECT count(*) FROM outbox"), ==, 1);
	if (from >= 1) {
		/* visits stored before version 6 take claim records */
		g_autoptr(NhipVisitClaim) claim = nhip_store_visit_claim_get(store, 3, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(claim->care_type, ==, "01");
		g_free(claim->diagnosis_text);
		claim->diagnosis_text = g_strdup("Sốt");
		g_assert_true(nhip_store_visit_claim_set(store, claim, &error));
		g_assert_no_error(error);
		g_assert_cmpint(nhip_test_sql_int(path, "SELECT count(*) FROM visit_claims"), ==,
				1);
	}
	/* new rows after the upgrade chain into a valid audit log */
	add_patient(store, "Trần Văn Bình");
	g_assert_true(nhip_store_audit_verify(store, NULL, NULL, NULL));
	g_clear_object(&store);
	nhip_test_rmrf(dir);
}

/* a table in the way of migration N makes it fail half-way */
typedef struct {
	gint version;
	const gchar *in_the_way;
} FailingMigration;

static const FailingMigration failing_migrations[] = {
	{ 4, "CREATE TABLE patient_search (x);" },
	/* migration 5 creates the packet tables before it stops */
	{ 5, "CREATE TABLE sync_state (x);" },
	/* migration 6 creates claim_settings and others before it stops */
	{ 6, "CREATE TABLE visit_referrals (x);" },
	/* migration 7 adds the symptoms column after creating settings */
	{ 7, "CREATE TABLE settings (x);" },
	/* migration 8 adds the reply's doctor before it stops */
	{ 8, "ALTER TABLE replies ADD COLUMN urgency TEXT;" },
	/* migration 9 creates live_sessions and its index before it stops */
	{ 9, "CREATE TABLE live_events (x);" },
	/* migration 10 adds read_at before it stops */
	{ 10, "ALTER TABLE replies ADD COLUMN read_by INTEGER;" },
};

static void
test_migrate_failure_rolls_back(gconstpointer data)
{
	const FailingMigration *failing = data;
	g_autofree gchar *dir = nhip_test_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "old.db", NULL);
	g_autofree gchar *version = g_strdup_printf("version %d", failing->version);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	store = nhipi_store_open_at_version(path, failing->version - 1, &error);
	g_assert_no_error(error);
	g_clear_object(&store);
	fill_old_version(path, failing->version - 1);
	nhip_test_sql(path, failing->in_the_way);
	before = nhip_test_db_digest(path);
	store = nhip_store_open(path, &error);
	g_assert_null(store);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, version));
	g_assert_nonnull(strstr(error->message, "unchanged"));
	after = nhip_test_db_digest(path);
	g_assert_cmpstr(before, ==, after);
	g_assert_cmpint(nhip_test_sql_int(path, "PRAGMA user_version"), ==, failing->version - 1);
	nhip_test_rmrf(dir);
}

static void
test_too_new_refused(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autofree gchar *bytes_before = NULL;
	g_autofree gchar *bytes_after = NULL;
	gsize len_before = 0, len_after = 0;

	add_patient(f->store, "Nguyễn Văn An");
	g_clear_object(&f->store);
	nhip_test_sql(f->path, "PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE);");
	before = nhip_test_db_digest(f->path);
	g_assert_true(g_file_get_contents(f->path, &bytes_before, &len_before, NULL));
	store = nhip_store_open(f->path, &error);
	g_assert_null(store);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_TOO_NEW);
	g_assert_nonnull(strstr(error->message, "newer"));
	after = nhip_test_db_digest(f->path);
	g_assert_cmpstr(before, ==, after);
	g_assert_true(g_file_get_contents(f->path, &bytes_after, &len_after, NULL));
	g_assert_cmpmem(bytes_before, len_before, bytes_after, len_after);
}

static void
test_foreign_refused(void)
{
	g_autofree gchar *dir = nhip_test_tmpdir();
	g_autofree gchar *path = g_build_filename(dir, "other.db", NULL);
	g_autofree gchar *junk = g_build_filename(dir, "junk.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	nhip_test_sql(path, "CREATE TABLE notes (x); INSERT INTO notes VALUES (1);");
	before = nhip_test_db_digest(path);
	store = nhip_store_open(path, &error);
	g_assert_null(store);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT);
	after = nhip_test_db_digest(path);
	g_assert_cmpstr(before, ==, after);
	g_clear_error(&error);

	/* a file that is not SQLite at all */
	g_assert_true(g_file_set_contents(junk,
					  "this is not a database, just some text that is long "
					  "enough to fill a header ......",
					  -1, NULL));
	store = nhip_store_open(junk, &error);
	g_assert_null(store);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT);
	nhip_test_rmrf(dir);
}

static void
test_patient_validation(Fixture *f, gconstpointer data)
{
	struct {
		const gchar *name;
		const gchar *birth;
		NhipSex sex;
		const gchar *cccd;
		const gchar *bhyt;
		const gchar *phone;
		const gchar *ethnicity;
	} bad[] = {
		{ "X", "1980", NHIP_SEX_MALE, NULL, NULL, NULL, NULL },
		{ "Nguyễn Văn 2", "1980", NHIP_SEX_MALE, NULL, NULL, NULL, NULL },
		{ "Nguyễn Văn An", "", NHIP_SEX_MALE, NULL, NULL, NULL, NULL },
		{ "Nguyễn Văn An", "2999-01-01", NHIP_SEX_MALE, NULL, NULL, NULL, NULL },
		{ "Nguyễn Văn An", "1980", NHIP_SEX_MALE, "12345", NULL, NULL, NULL },
		{ "Nguyễn Văn An", "1980", NHIP_SEX_FEMALE, "066080001234", NULL, NULL, NULL },
		{ "Nguyễn Văn An", "1980", NHIP_SEX_MALE, NULL, "DN40101234", NULL, NULL },
		{ "Nguyễn Văn An", "1980", NHIP_SEX_MALE, NULL, NULL, "12345", NULL },
		{ "Nguyễn Văn An", "1980", NHIP_SEX_MALE, NULL, NULL, NULL, "99" },
	};
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	add_patient(f->store, "Lê Thị Hồng");
	before = nhip_test_db_digest(f->path);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipPatient) p = make_patient(bad[i].name, bad[i].birth, bad[i].sex);
		p->cccd = g_strdup(bad[i].cccd);
		p->bhyt = g_strdup(bad[i].bhyt);
		p->phone = g_strdup(bad[i].phone);
		p->ethnicity = g_strdup(bad[i].ethnicity);
		g_assert_cmpint(nhip_store_patient_add(f->store, p, &error), ==, 0);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_assert_cmpint(p->id, ==, 0);
	}
	after = nhip_test_db_digest(f->path);
	g_assert_cmpstr(before, ==, after);
}

static void
test_patient_roundtrip(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) p =
		make_patient("  Nguyễn   Thị Đào ", "27/03/1985", NHIP_SEX_FEMALE);
	g_autoptr(NhipPatient) got = NULL;
	g_autoptr(NhipPatient) dup = NULL;
	gint64 id;

	p->cccd = g_strdup("066 185 001 234");
	p->bhyt = g_strdup("gd4660123456789");
	p->bhyt_valid_from = g_strdup("2026-01-01");
	p->bhyt_valid_to = g_strdup("2026-12-31");
	p->phone = g_strdup("+84 912 345 678");
	p->ethnicity = g_strdup("01");
	p->address = g_strdup("Thôn 3, xã Tân Hòa");
	p->guardian_name = g_strdup("");
	id = nhip_store_patient_add(f->store, p, &error);
	g_assert_no_error(error);
	got = nhip_store_patient_get(f->store, id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(got->full_name, ==, "Nguyễn Thị Đào");
	g_assert_cmpstr(got->birth, ==, "1985-03-27");
	g_assert_cmpstr(got->cccd, ==, "066185001234");
	g_assert_cmpstr(got->bhyt, ==, "GD4660123456789");
	g_assert_cmpstr(got->phone, ==, "0912345678");
	g_assert_null(got->guardian_name);
	g_assert_cmpint(got->sex, ==, NHIP_SEX_FEMALE);

	/* the same citizen ID cannot be registered twice */
	dup = make_patient("Nguyễn Thị Đào", "1985-03-27", NHIP_SEX_FEMALE);
	dup->cccd = g_strdup("066185001234");
	g_assert_cmpint(nhip_store_patient_add(f->store, dup, &error), ==, 0);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT);
	g_clear_error(&error);

	/* an edit changes what it names and is found under the new name */
	g_free(got->full_name);
	got->full_name = g_strdup("Nguyễn Thị Đào Hoa");
	g_free(got->phone);
	got->phone = g_strdup("0987654321");
	g_assert_true(nhip_store_patient_update(f->store, got, &error));
	g_assert_no_error(error);
	{
		g_autoptr(GPtrArray) found =
			nhip_store_patient_search(f->store, "dao hoa", 5, &error);
		g_assert_cmpuint(found->len, ==, 1);
		g_clear_pointer(&found, g_ptr_array_unref);
		found = nhip_store_patient_search(f->store, "0912345678", 5, &error);
		g_assert_cmpuint(found->len, ==, 0);
		g_clear_pointer(&found, g_ptr_array_unref);
		found = nhip_store_patient_search(f->store, "0987654321", 5, &error);
		g_assert_cmpuint(found->len, ==, 1);
	}
	/* the audit log names changed fields, never values */
	g_assert_cmpint(nhip_test_sql_int(f->path,
					  "SELECT count(*) FROM audit_log WHERE action = "
					  "'patient.update' AND detail = 'full_name,phone'"),
			==, 1);
	g_assert_cmpint(nhip_test_sql_int(f->path,
					  "SELECT count(*) FROM audit_log WHERE detail LIKE "
					  "'%Đào%' OR detail LIKE '%0987%'"),
			==, 0);
	{
		g_autoptr(NhipPatient) missing = nhip_store_patient_get(f->store, 9999, &error);
		g_assert_null(missing);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	}
}

static void
test_visit_flow(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	g_autoptr(GPtrArray) stored = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
	gint64 patient = add_patient(f->store, "Phạm Văn Cường");
	gint64 visit_id;
	const gchar *icd[] = { "i10", "E11.9", "I10", NULL };
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;

	g_assert_true(nhip_store_facility_set(f->store, facility, &error));
	visit_id = nhip_store_visit_open(f->store, patient, "  Đau đầu  ", &error);
	g_assert_no_error(error);
	/* one open visit per patient */
	g_assert_cmpint(nhip_store_visit_open(f->store, patient, NULL, &error), ==, 0);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_cmpint(nhip_store_visit_open(f->store, 4242, NULL, &error), ==, 0);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_BLOOD_PRESSURE, 150, 95));
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_SPO2, 96, NAN));
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_TEMPERATURE, 43.5, NAN));
	g_assert_true(nhip_store_observations_add(f->store, visit_id, obs, &error));
	g_assert_no_error(error);
	g_assert_cmpint(((NhipObservation *)obs->pdata[0])->flags, ==, 0);
	g_assert_cmpint(((NhipObservation *)obs->pdata[2])->flags, ==, NHIP_VITAL_FLAG_IMPLAUSIBLE);

	/* one impossible value in a batch: nothing of the batch is stored */
	before = nhip_test_db_digest(f->path);
	g_ptr_array_set_size(obs, 0);
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_PULSE, 80, NAN));
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_SPO2, 127, NAN));
	g_assert_false(nhip_store_observations_add(f->store, visit_id, obs, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "127"));
	g_clear_error(&error);
	after = nhip_test_db_digest(f->path);
	g_assert_cmpstr(before, ==, after);

	/* a device re-sending the same stored reading adds it once */
	g_ptr_array_set_size(obs, 0);
	for (gint i = 0; i < 2; i++) {
		NhipObservation *o = nhip_observation_new(NHIP_VITAL_GLUCOSE, 6.1, NAN);
		o->device_id = g_strdup("taidoc:TD4277-0001");
		o->device_model = g_strdup("TaiDoc TD-4277");
		o->measured_at = 1763800000;
		o->raw_frame = g_bytes_new_static("\x51\x26\x00\x00\x00\x00\xa5\x1c", 8);
		g_ptr_array_add(obs, o);
	}
	g_assert_true(nhip_store_observations_add(f->store, visit_id, obs, &error));
	g_assert_cmpint(((NhipObservation *)obs->pdata[0])->id, >, 0);
	g_assert_cmpint(((NhipObservation *)obs->pdata[1])->id, ==, 0);

	stored = nhip_store_observation_list(f->store, visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(stored->len, ==, 4);
	{
		NhipObservation *glucose = NULL;
		for (guint i = 0; i < stored->len; i++) {
			NhipObservation *o = stored->pdata[i];
			if (o->kind == NHIP_VITAL_GLUCOSE)
				glucose = o;
			if (o->kind == NHIP_VITAL_BLOOD_PRESSURE) {
				g_assert_cmpfloat(o->value, ==, 150);
				g_assert_cmpfloat(o->value2, ==, 95);
			}
		}
		g_assert_nonnull(glucose);
		g_assert_cmpstr(glucose->device_id, ==, "taidoc:TD4277-0001");
		g_assert_cmpuint(g_bytes_get_size(glucose->raw_frame), ==, 8);
	}

	g_assert_true(
		nhip_store_visit_close(f->store, visit_id, icd, "Hẹn tái khám sau 1 tuần", &error));
	g_assert_no_error(error);
	visit = nhip_store_visit_get(f->store, visit_id, &error);
	g_assert_cmpint(visit->status, ==, NHIP_VISIT_STATUS_CLOSED);
	g_assert_cmpstr(visit->reason, ==, "Đau đầu");
	g_assert_cmpuint(g_strv_length(visit->icd_codes), ==, 2);
	g_assert_cmpstr(visit->icd_codes[0], ==, "I10");
	g_assert_cmpstr(visit->icd_codes[1], ==, "E11.9");
	g_assert_true(g_str_has_prefix(visit->ma_lk, "66181"));
	g_assert_cmpuint(strlen(visit->ma_lk), <=, 100);

	/* closed visits take no more changes */
	g_ptr_array_set_size(obs, 0);
	g_ptr_array_add(obs, nhip_observation_new(NHIP_VITAL_PULSE, 80, NAN));
	g_assert_false(nhip_store_observations_add(f->store, visit_id, obs, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_false(nhip_store_visit_close(f->store, visit_id, NULL, NULL, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT);
	g_clear_error(&error);
	{
		const gchar *bad_icd[] = { "XYZ", NULL };
		gint64 v2 = nhip_store_visit_open(f->store, patient, NULL, &error);
		g_assert_no_error(error);
		g_assert_false(nhip_store_visit_close(f->store, v2, bad_icd, NULL, &error));
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	}
}

static void
test_attachments(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *photo = g_build_filename(f->dir, "photo.jpg", NULL);
	g_autofree gchar *sha = NULL;
	g_autofree gchar *sha2 = NULL;
	g_autofree gchar *kept = NULL;
	g_autofree gchar *content = NULL;
	g_autoptr(GPtrArray) list = NULL;
	gint64 patient = add_patient(f->store, "Vũ Thị Mai");
	gint64 visit = nhip_store_visit_open(f->store, patient, NULL, &error);

	g_assert_true(g_file_set_contents(photo, "\xff\xd8\xff\xe0 fake jpeg body", -1, NULL));
	sha = nhip_store_attachment_add(f->store, visit, photo, "image/jpeg", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(strlen(sha), ==, 64);
	kept = nhip_store_attachment_path(f->store, sha);
	g_assert_true(g_file_get_contents(kept, &content, NULL, NULL));
	g_assert_cmpstr(content, ==, "\xff\xd8\xff\xe0 fake jpeg body");
	/* the same content twice is one attachment */
	sha2 = nhip_store_attachment_add(f->store, visit, photo, NULL, &error);
	g_assert_cmpstr(sha, ==, sha2);
	list = nhip_store_attachment_list(f->store, visit, &error);
	g_assert_cmpuint(list->len, ==, 1);
	{
		g_autofree gchar *missing = nhip_store_attachment_add(
			f->store, visit, "/nonexistent/file.jpg", NULL, &error);
		g_assert_null(missing);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	}
}

static void
test_audit_tamper(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 rows = 0, bad = 0;

	for (gint i = 0; i < 5; i++)
		add_patient(f->store, "Đỗ Văn Hùng");
	g_assert_true(nhip_store_audit_verify(f->store, &rows, &bad, &error));
	g_assert_cmpint(rows, ==, 5);
	g_assert_cmpint(bad, ==, 0);

	/* the program itself cannot change or delete audit rows */
	g_assert_false(nhipi_store_exec(f->store, "UPDATE audit_log SET detail = 'x'", &error));
	g_assert_nonnull(strstr(error->message, "append-only"));
	g_clear_error(&error);
	g_assert_false(nhipi_store_exec(f->store, "DELETE FROM audit_log", &error));
	g_clear_error(&error);

	/* someone with the file drops the guards and edits row 3 */
	nhip_test_sql(f->path, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
			       "UPDATE audit_log SET entity_id = 99 WHERE id = 3;");
	g_assert_false(nhip_store_audit_verify(f->store, &rows, &bad, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT);
	g_assert_cmpint(bad, ==, 3);
	g_assert_cmpint(rows, ==, 2);
	g_clear_error(&error);
	nhip_test_sql(f->path, "UPDATE audit_log SET entity_id = 3 WHERE id = 3;");
	g_assert_true(nhip_store_audit_verify(f->store, NULL, NULL, NULL));

	/* rewriting a row with a fresh hash breaks the link of the next */
	nhip_test_sql(f->path, "UPDATE audit_log SET hash = 'forged' WHERE id = 2;");
	g_assert_false(nhip_store_audit_verify(f->store, NULL, &bad, &error));
	g_assert_cmpint(bad, ==, 2);
	g_clear_error(&error);
	nhip_test_sql(f->path, "DELETE FROM audit_log WHERE id >= 2 AND id <= 3;");
	g_assert_false(nhip_store_audit_verify(f->store, NULL, &bad, &error));
	g_assert_cmpint(bad, ==, 4);
}

static void
test_staff_lockout(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 id =
		nhip_store_staff_add(f->store, "Y sĩ Lê Thị Hồng", NHIP_ROLE_STAFF, "1234", &error);
	g_autoptr(GPtrArray) list = NULL;

	g_assert_no_error(error);
	g_assert_true(nhip_store_staff_login(f->store, id, "1234", &error));
	for (gint i = 1; i < NHIP_STORE_PIN_MAX_ATTEMPTS; i++) {
		g_assert_false(nhip_store_staff_login(f->store, id, "0000", &error));
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_WRONG_PIN);
		g_clear_error(&error);
	}
	g_assert_false(nhip_store_staff_login(f->store, id, "0000", &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_LOCKED);
	g_clear_error(&error);
	/* locked: even the right PIN is refused */
	g_assert_false(nhip_store_staff_login(f->store, id, "1234", &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_LOCKED);
	g_clear_error(&error);
	/* the PIN hash is not the PIN and is never listed */
	g_assert_cmpint(nhip_test_sql_int(
				f->path, "SELECT count(*) FROM staff WHERE pin_hash LIKE '%1234%'"),
			==, 0);
	g_assert_true(nhip_store_staff_unlock(f->store, id, &error));
	g_assert_true(nhip_store_staff_login(f->store, id, "1234", &error));
	g_assert_no_error(error);
	/* a right PIN resets the count */
	g_assert_false(nhip_store_staff_login(f->store, id, "0000", NULL));
	g_assert_true(nhip_store_staff_login(f->store, id, "1234", NULL));
	list = nhip_store_staff_list(f->store, &error);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_cmpint(((NhipStaff *)list->pdata[0])->failed_attempts, ==, 0);
	g_assert_cmpint(nhip_store_staff_add(f->store, "X", NHIP_ROLE_STAFF, "1234", &error), ==,
			0);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_true(nhip_store_staff_set_pin(f->store, id, "56789", &error));
	g_assert_true(nhip_store_staff_login(f->store, id, "56789", &error));
}

static void
test_facility_and_outbox(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipFacility) none = nhip_store_facility_get(f->store, &error);
	g_autoptr(NhipFacility) bad = nhip_facility_new("1", "Trạm");
	g_autoptr(NhipFacility) good = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
	g_autoptr(NhipFacility) got = NULL;
	NhipStoreStats stats = { 0 };

	g_assert_null(none);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(nhip_store_facility_set(f->store, bad, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);
	good->commune_code = g_strdup("24181");
	g_assert_true(nhip_store_facility_set(f->store, good, &error));
	got = nhip_store_facility_get(f->store, &error);
	g_assert_cmpstr(got->name, ==, "Trạm Y tế xã Tân Hòa");
	g_assert_cmpstr(got->commune_code, ==, "24181");
	g_assert_cmpint(nhip_store_outbox_enqueue(f->store, "hl7", "visit:1", 0, &error), >, 0);
	g_assert_true(nhip_store_get_stats(f->store, &stats, &error));
	g_assert_cmpint(stats.outbox_pending, ==, 1);
	g_assert_cmpint(stats.audit_rows, ==, 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/store/open/fresh", test_open_fresh);
	ADD("/store/open/pragmas", test_pragmas);
	ADD("/store/open/too-new-refused", test_too_new_refused);
	g_test_add_func("/store/open/foreign-refused", test_foreign_refused);
	for (gint v = 0; v < NHIP_STORE_SCHEMA_VERSION; v++) {
		g_autofree gchar *path = g_strdup_printf("/store/migrate/v%d-to-latest", v);
		g_test_add_data_func(path, GINT_TO_POINTER(v), test_migrate_from);
	}
	for (guint i = 0; i < G_N_ELEMENTS(failing_migrations); i++) {
		g_autofree gchar *path = g_strdup_printf("/store/migrate/v%d-failure-rolls-back",
							 failing_migrations[i].version);
		g_test_add_data_func(path, &failing_migrations[i], test_migrate_failure_rolls_back);
	}
	ADD("/store/patient/validation", test_patient_validation);
	ADD("/store/patient/roundtrip", test_patient_roundtrip);
	ADD("/store/visit/flow", test_visit_flow);
	ADD("/store/visit/attachments", test_attachments);
	ADD("/store/audit/tamper", test_audit_tamper);
	ADD("/store/staff/lockout", test_staff_lockout);
	ADD("/store/facility-outbox", test_facility_and_outbox);
#undef ADD
	return g_test_run();
}
