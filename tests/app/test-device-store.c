/*
 * Nhịp — tests of device readings into a visit: decoder output on published vectors
 * stored in one transaction, deduplication, the patient's history, clock skew, and the
 * `nhipctl device` commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "nhip-decode.h"
#include "nhip-store-private.h"
#include "nhip-test-utils.h"

/* TaiDoc TD-4277 glucose download built from the glucometerutils vectors: connect, model,
 * count 2, record time 2018-01-01 21:14 (21 24 0E 15), 100 mg/dL before meal, record time
 * 2019-08-04 13:37 (04 27 25 0D), 180 mg/dL after meal, power off */
#define TAIDOC_SESSION                                                                \
	"# TaiDoc TD-4277 glucose download\n"                                         \
	"51 22 00 00 00 00 a5 18\n51 24 77 42 00 00 a5 d3\n51 2b 02 00 00 00 a5 23\n" \
	"51 25 21 24 0e 15 a5 83\n51 26 64 00 00 40 a5 c0\n51 25 04 27 25 0d a5 78\n" \
	"51 26 b4 00 00 80 a5 50\n51 50 00 00 00 00 a5 46\n"
#define TAIDOC_FIRST_VALUE "51 26 64 00 00 40 a5 c0"

/* the published Tanita SC-330 line (weight 89.2 kg, height 191 cm, 2014-09-25 08:20) */
#define TANITA_SC330                                                                               \
	"{0,16,~0,1,~1,1,~2,1,MO,\"SC-330\",SN,\"00000001\",ID,\"0000000000\",Da,\"25/09/2014\","  \
	"TI,\"08:20\",Bt,0,GE,1,AG,34,Hm,191.0,Pt,0.0,Wk,89.2,FW,18.8,fW,16.8,MW,72.4,mW,68.8,sW," \
	"13,bW,3.6,wW,48.0,ww,53.8,MI,24.5,Sw,80.3,OV,11.1,IF,6,rb,8874,rB,2121,rJ,13,rA,29,ZF,"   \
	"501.8,CS,D9}\r\n"

/* captured CMS50 F37 live frames: no finger ×3, then PR 83 / SpO2 97 ×3; no device clock */
#define CMS50_NO_FINGER	   "01 e0 84 80 90 80 80 ff ff "
#define CMS50_PR83_SPO2_97 "01 e0 85 c9 99 d3 e1 ff ff "
#define CMS50_CAPTURE                                                                         \
	CMS50_NO_FINGER CMS50_NO_FINGER CMS50_NO_FINGER CMS50_PR83_SPO2_97 CMS50_PR83_SPO2_97 \
		CMS50_PR83_SPO2_97

typedef struct {
	gchar *dir;
	gchar *path;
	NhipStore *store;
	gint64 patient_id;
} Fixture;

static gint64
utc(gint year, gint month, gint day, gint hour, gint minute)
{
	g_autoptr(GDateTime) dt = g_date_time_new_utc(year, month, day, hour, minute, 0);
	return g_date_time_to_unix(dt);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) patient = nhip_patient_new();

	f->dir = nhip_test_tmpdir();
	f->path = g_build_filename(f->dir, "station.db", NULL);
	f->store = nhip_store_open(f->path, &error);
	g_assert_no_error(error);
	patient->full_name = g_strdup("Trần Văn Bình");
	patient->birth = g_strdup("1960-05-01");
	patient->sex = NHIP_SEX_MALE;
	f->patient_id = nhip_store_patient_add(f->store, patient, &error);
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

static gint64
open_visit_at(Fixture *f, gint64 when)
{
	g_autoptr(GError) error = NULL;
	gint64 id;

	nhipi_store_set_clock(f->store, when);
	id = nhip_store_visit_open(f->store, f->patient_id, NULL, &error);
	g_assert_no_error(error);
	nhipi_store_set_clock(f->store, 0);
	return id;
}

/* decodes a stream as the station would: device clocks in UTC, a fixed receive time */
static GPtrArray *
decode(const gchar *driver, GBytes *bytes, gint64 receive_time)
{
	g_autoptr(NhipDecodeOutput) out = nhip_decode_output_new();
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc();
	g_autoptr(GDateTime) received = g_date_time_new_from_unix_utc(receive_time);

	nhip_decode_output_set_device_timezone(out, tz);
	nhip_decode_output_set_receive_time(out, received);
	g_assert_true(nhip_decode_stream_full(driver, bytes, out, NULL));
	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, >, 0);
	return g_ptr_array_ref(out->measurements);
}

static GPtrArray *
decode_hex(const gchar *driver, const gchar *hex, gint64 receive_time)
{
	g_autoptr(GBytes) bytes = nhip_hex_text_parse(hex, -1, NULL);
	g_assert_nonnull(bytes);
	return decode(driver, bytes, receive_time);
}

static GPtrArray *
decode_text(const gchar *driver, const gchar *text, gint64 receive_time)
{
	g_autoptr(GBytes) bytes = g_bytes_new_static(text, strlen(text));
	return decode(driver, bytes, receive_time);
}

static NhipStoreDeviceCounts
add(Fixture *f, gint64 visit_id, GPtrArray *measurements, const gint64 *skew)
{
	g_autoptr(GError) error = NULL;
	NhipStoreDeviceCounts counts = { 0 };

	g_assert_true(nhip_store_add_device_measurements(f->store, visit_id, measurements, skew,
							 &counts, &error));
	g_assert_no_error(error);
	return counts;
}

static NhipObservation *
find(GPtrArray *list, NhipVitalKind kind, const gchar *device_id)
{
	for (guint i = 0; i < list->len; i++) {
		NhipObservation *obs = g_ptr_array_index(list, i);
		if (obs->kind == kind && g_strcmp0(obs->device_id, device_id) == 0)
			return obs;
	}
	g_error("no %s observation from %s", nhip_vital_kind_to_string(kind), device_id);
	return NULL;
}

static void
assert_raw(const NhipObservation *obs, const gchar *hex)
{
	g_autoptr(GBytes) expected = nhip_hex_text_parse(hex, -1, NULL);
	g_assert_nonnull(obs->raw_frame);
	g_assert_true(g_bytes_equal(obs->raw_frame, expected));
}

static void
test_into_visit(Fixture *f, gconstpointer data)
{
	/* the visit opened before the meter's readings, so they belong to it */
	gint64 visit_id = open_visit_at(f, utc(2018, 1, 1, 8, 0));
	gint64 received = utc(2019, 8, 4, 13, 40);
	g_autoptr(GPtrArray) taidoc = decode_hex("taidoc", TAIDOC_SESSION, received);
	g_autoptr(GPtrArray) tanita = decode_text("tanita", TANITA_SC330, received);
	g_autoptr(GPtrArray) cms50 = decode_hex("cms50", CMS50_CAPTURE, received);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	NhipStoreDeviceCounts counts;
	NhipObservation *obs;

	counts = add(f, visit_id, taidoc, NULL);
	g_assert_cmpuint(counts.added, ==, 2);
	g_assert_cmpuint(counts.history + counts.duplicates + counts.undated, ==, 0);
	counts = add(f, visit_id, tanita, NULL);
	g_assert_cmpuint(counts.added, ==, 2);
	counts = add(f, visit_id, cms50, NULL);
	g_assert_cmpuint(counts.added, ==, 2);

	list = nhip_store_observation_list(f->store, visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 6);

	/* glucose: device time, converted value, the exact frame, model as identity */
	obs = g_ptr_array_index(list, 2); /* by measured_at: after the scale's two of 2014 */
	g_assert_cmpint(obs->kind, ==, NHIP_VITAL_GLUCOSE);
	g_assert_cmpstr(obs->device_id, ==, "taidoc:TD-4277");
	g_assert_cmpstr(obs->device_model, ==, "TD-4277");
	g_assert_cmpfloat_with_epsilon(obs->value, 5.55, 0.001);
	g_assert_cmpint(obs->measured_at, ==, utc(2018, 1, 1, 21, 14));
	g_assert_cmpint(obs->received_at, ==, received);
	g_assert_cmpint(obs->clock_skew, ==, 0); /* memory read-backs tell nothing of the clock */
	g_assert_cmpint(obs->visit_id, ==, visit_id);
	g_assert_cmpint(obs->patient_id, ==, f->patient_id);
	g_assert_cmpint(obs->staff_id, ==, 0);
	assert_raw(obs, TAIDOC_FIRST_VALUE);
	/* the meter's meal marks reach the row: before meal, then after meal */
	g_assert_cmpint(obs->flags, ==, NHIP_VITAL_FLAG_BEFORE_MEAL);
	obs = g_ptr_array_index(list, 3);
	g_assert_cmpint(obs->kind, ==, NHIP_VITAL_GLUCOSE);
	g_assert_cmpint(obs->flags, ==, NHIP_VITAL_FLAG_AFTER_MEAL);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT flags FROM observations WHERE loinc = "
						   "'15074-8' ORDER BY measured_at LIMIT 1"),
			==, NHIP_VITAL_FLAG_BEFORE_MEAL);

	/* scale: the serial is the identity, the whole line is the raw frame */
	obs = find(list, NHIP_VITAL_WEIGHT, "tanita:00000001");
	g_assert_cmpfloat(obs->value, ==, 89.2);
	g_assert_cmpstr(obs->device_model, ==, "SC-330");
	g_assert_cmpint(obs->measured_at, ==, utc(2014, 9, 25, 8, 20));
	g_assert_nonnull(obs->raw_frame);
	g_assert_cmpuint(g_bytes_get_size(obs->raw_frame), >=, strlen(TANITA_SC330) - 2);
	g_assert_nonnull(memmem(g_bytes_get_data(obs->raw_frame, NULL),
				g_bytes_get_size(obs->raw_frame), "CS,D9", 5));
	/* a reading taken just now: its device time gives the clock skew */
	g_assert_cmpint(obs->clock_skew, ==, utc(2014, 9, 25, 8, 20) - received);
	g_assert_cmpint(obs->flags, ==, NHIP_VITAL_FLAG_NONE);
	obs = find(list, NHIP_VITAL_HEIGHT, "tanita:00000001");
	g_assert_cmpfloat(obs->value, ==, 191.0);
	/* the height was typed on the scale by the staff */
	g_assert_cmpint(obs->flags, ==, NHIP_VITAL_FLAG_OPERATOR_ENTERED);

	/* oximeter without a clock: measured when received, no skew */
	obs = find(list, NHIP_VITAL_SPO2, "cms50:unknown");
	g_assert_cmpfloat(obs->value, ==, 97);
	g_assert_cmpint(obs->measured_at, ==, received);
	g_assert_cmpint(obs->clock_skew, ==, 0);
	/* the store keeps whatever frame the decoder attached (the CMS50 decoder attaches
	 * the frame with bit 7 restored, not the bytes as sent) */
	g_assert_true(g_bytes_equal(obs->raw_frame,
				    nhip_measurement_get_raw(g_ptr_array_index(cms50, 0))));
	obs = find(list, NHIP_VITAL_PULSE, "cms50:unknown");
	g_assert_cmpfloat(obs->value, ==, 83);

	/* every call left one audit row, and the chain still verifies */
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM audit_log WHERE "
						   "action = 'observation.device'"),
			==, 3);
	g_assert_true(nhip_store_audit_verify(f->store, NULL, NULL, &error));
	g_assert_no_error(error);
}

static void
test_duplicates(Fixture *f, gconstpointer data)
{
	gint64 visit_id = open_visit_at(f, utc(2018, 1, 1, 8, 0));
	gint64 received = utc(2019, 8, 4, 13, 40);
	g_autoptr(GPtrArray) taidoc = decode_hex("taidoc", TAIDOC_SESSION, received);
	g_autoptr(GPtrArray) tanita = decode_text("tanita", TANITA_SC330, received);
	g_autoptr(GPtrArray) cms50 = decode_hex("cms50", CMS50_CAPTURE, received);
	g_autoptr(GPtrArray) again = NULL;
	g_autoptr(GPtrArray) both = g_ptr_array_new();
	NhipStoreDeviceCounts counts;

	add(f, visit_id, taidoc, NULL);
	add(f, visit_id, tanita, NULL);
	add(f, visit_id, cms50, NULL);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM observations"), ==, 6);

	/* the same readings fed again add nothing */
	counts = add(f, visit_id, taidoc, NULL);
	g_assert_cmpuint(counts.added, ==, 0);
	g_assert_cmpuint(counts.duplicates, ==, 2);
	counts = add(f, visit_id, tanita, NULL);
	g_assert_cmpuint(counts.duplicates, ==, 2);
	counts = add(f, visit_id, cms50, NULL);
	g_assert_cmpuint(counts.duplicates, ==, 2);

	/* the meter re-sends its memory a day later: same device times, still nothing new */
	again = decode_hex("taidoc", TAIDOC_SESSION, received + 86400);
	counts = add(f, visit_id, again, NULL);
	g_assert_cmpuint(counts.added, ==, 0);
	g_assert_cmpuint(counts.duplicates, ==, 2);

	/* a duplicate inside one batch is counted too */
	g_ptr_array_add(both, g_ptr_array_index(taidoc, 0));
	g_ptr_array_add(both, g_ptr_array_index(taidoc, 0));
	counts = add(f, visit_id, both, NULL);
	g_assert_cmpuint(counts.duplicates, ==, 2);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM observations"), ==, 6);
}

static void
test_history(Fixture *f, gconstpointer data)
{
	/* a visit opened on 2019-01-01: the 2018 reading is from before it */
	gint64 visit_id = open_visit_at(f, utc(2019, 1, 1, 8, 0));
	gint64 received = utc(2019, 8, 4, 13, 40);
	g_autoptr(GPtrArray) taidoc = decode_hex("taidoc", TAIDOC_SESSION, received);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sql = NULL;
	NhipStoreDeviceCounts counts;
	NhipObservation *obs;

	counts = add(f, visit_id, taidoc, NULL);
	g_assert_cmpuint(counts.added, ==, 1);
	g_assert_cmpuint(counts.history, ==, 1);

	list = nhip_store_observation_list(f->store, visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 1);
	obs = g_ptr_array_index(list, 0);
	g_assert_cmpint(obs->measured_at, ==, utc(2019, 8, 4, 13, 37));

	sql = g_strdup_printf("SELECT count(*) FROM observations WHERE visit_id IS NULL AND "
			      "patient_id = %" G_GINT64_FORMAT
			      " AND measured_at = %" G_GINT64_FORMAT
			      " AND device_id = 'taidoc:TD-4277' AND source = 'device' AND "
			      "length(raw_frame) = 8",
			      f->patient_id, utc(2018, 1, 1, 21, 14));
	g_assert_cmpint(nhip_test_sql_int(f->path, sql), ==, 1);

	/* the history reading is deduplicated as well */
	counts = add(f, visit_id, taidoc, NULL);
	g_assert_cmpuint(counts.duplicates, ==, 2);
	g_assert_cmpuint(counts.added + counts.history, ==, 0);
}

static void
test_clock_skew(Fixture *f, gconstpointer data)
{
	/* the meter's clock runs 8 months fast: its 2019-08-04 reading was taken before the
	 * visit, its 2018 one long before */
	gint64 visit_id = open_visit_at(f, utc(2019, 1, 1, 8, 0));
	gint64 received = utc(2019, 1, 1, 9, 0);
	gint64 skew = utc(2019, 8, 4, 14, 0) - utc(2018, 12, 1, 0, 0);
	g_autoptr(GPtrArray) taidoc = decode_hex("taidoc", TAIDOC_SESSION, received);
	g_autoptr(GPtrArray) tanita = decode_text("tanita", TANITA_SC330, received);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) error = NULL;
	NhipStoreDeviceCounts counts;

	counts = add(f, visit_id, taidoc, &skew);
	g_assert_cmpuint(counts.history, ==, 2);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(DISTINCT clock_skew) FROM "
						   "observations WHERE device_id = "
						   "'taidoc:TD-4277'"),
			==, 1);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT clock_skew FROM observations WHERE "
						   "device_id = 'taidoc:TD-4277' LIMIT 1"),
			==, skew);

	/* a reading taken now stays in the visit whatever its clock says */
	counts = add(f, visit_id, tanita, &skew);
	g_assert_cmpuint(counts.added, ==, 2);
	list = nhip_store_observation_list(f->store, visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpint(((NhipObservation *)g_ptr_array_index(list, 0))->clock_skew, ==, skew);
}

static void
test_undated_and_refused(Fixture *f, gconstpointer data)
{
	gint64 visit_id = open_visit_at(f, utc(2019, 1, 1, 8, 0));
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	g_autoptr(GError) error = NULL;
	NhipMeasurement *undated;
	NhipStoreDeviceCounts counts;

	/* the impossible cannot even be made, so it can never reach the store */
	g_assert_null(nhip_measurement_new(NHIP_VITAL_SPO2, 140, NAN, &error));
	g_assert_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_OUT_OF_RANGE);
	g_clear_error(&error);

	/* a stored reading without any time (old CMS50 memory) cannot be placed */
	undated = nhip_measurement_new(NHIP_VITAL_SPO2, 97, NAN, &error);
	g_assert_no_error(error);
	nhip_measurement_set_driver(undated, "cms50");
	nhip_measurement_add_flags(undated, NHIP_MEASUREMENT_FLAG_STORED);
	g_ptr_array_add(list, undated);
	counts = add(f, visit_id, list, NULL);
	g_assert_cmpuint(counts.undated, ==, 1);
	g_assert_cmpuint(counts.added + counts.history + counts.duplicates, ==, 0);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM observations"), ==, 0);
}

static void
test_closed_visit(Fixture *f, gconstpointer data)
{
	gint64 visit_id = open_visit_at(f, utc(2018, 1, 1, 8, 0));
	g_autoptr(GPtrArray) taidoc = decode_hex("taidoc", TAIDOC_SESSION, utc(2019, 1, 1, 0, 0));
	g_autoptr(GError) error = NULL;
	NhipStoreDeviceCounts counts = { 7, 7, 7, 7 };

	g_assert_true(nhip_store_visit_close(f->store, visit_id, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_false(nhip_store_add_device_measurements(f->store, visit_id, taidoc, NULL, &counts,
							  &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT);
	g_assert_cmpuint(counts.added, ==, 0);
	g_clear_error(&error);
	g_assert_false(
		nhip_store_add_device_measurements(f->store, 999, taidoc, NULL, NULL, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM observations"), ==, 0);
}

/* ----- nhipctl device ----- */

typedef struct {
	gint status;
	gchar *out;
	gchar *err;
} Run;

static void
run_clear(Run *run)
{
	g_free(run->out);
	g_free(run->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

static Run
nhipctl(const gchar *first, ...)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	Run run = { 0 };
	va_list ap;

	g_ptr_array_add(args, (gpointer)NHIPCTL_PATH);
	va_start(ap, first);
	for (const gchar *arg = first; arg != NULL; arg = va_arg(ap, const gchar *))
		g_ptr_array_add(args, (gpointer)arg);
	va_end(ap);
	g_ptr_array_add(args, NULL);
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					     G_SUBPROCESS_FLAGS_STDERR_PIPE);
	/* device clocks are local time; pin the zone so the expected lines are fixed */
	g_subprocess_launcher_setenv(launcher, "TZ", "UTC", TRUE);
	g_subprocess_launcher_setenv(launcher, "LANGUAGE", "en", TRUE);
	proc = g_subprocess_launcher_spawnv(launcher, (const gchar *const *)args->pdata, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(proc, NULL, NULL, &run.out, &run.err, &error));
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_if_exited(proc));
	run.status = g_subprocess_get_exit_status(proc);
	return run;
}

static gchar *
write_file(const gchar *dir, const gchar *name, const gchar *contents)
{
	g_autoptr(GError) error = NULL;
	gchar *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, contents, -1, &error));
	g_assert_no_error(error);
	return path;
}

static void
test_nhipctl_drivers(Fixture *f, gconstpointer data)
{
	g_auto(Run) text = nhipctl("device", "drivers", NULL);
	g_auto(Run) json = nhipctl("device", "drivers", "--json", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonArray *array;

	g_assert_cmpint(text.status, ==, 0);
	g_assert_nonnull(strstr(text.out, "0590:0028"));
	g_assert_nonnull(strstr(text.out, "interface class 0x0f"));
	g_assert_cmpint(json.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, json.out, -1, NULL));
	array = json_node_get_array(json_parser_get_root(parser));
	g_assert_cmpuint(json_array_get_length(array), >=, 5);
	g_assert_cmpstr(
		json_object_get_string_member(json_array_get_object_element(array, 0), "name"), ==,
		"phdc");
}

static void
test_nhipctl_decode(Fixture *f, gconstpointer data)
{
	g_autofree gchar *hex = write_file(f->dir, "td4277.hex", TAIDOC_SESSION);
	g_autofree gchar *garbage = write_file(f->dir, "garbage.bin", "\x13\x37 not a meter\n");
	g_auto(Run) json =
		nhipctl("device", "decode", "--driver", "taidoc", "--hex", hex, "--json", NULL);
	g_auto(Run) table = nhipctl("device", "decode", "--driver", "taidoc", "--hex", hex, NULL);
	g_auto(Run) bad = nhipctl("device", "decode", "--driver", "taidoc", garbage, NULL);
	g_auto(Run) nohex = nhipctl("device", "decode", "--driver", "taidoc", hex, NULL);
	g_auto(Run) unknown = nhipctl("device", "decode", "--driver", "acme", hex, NULL);
	g_auto(Run) missing = nhipctl("device", "decode", "--driver", "taidoc", "--hex",
				      "/nonexistent/capture.hex", NULL);
	g_auto(GStrv) lines = NULL;

	g_assert_cmpint(json.status, ==, 0);
	g_assert_cmpstr(json.err, ==, "");
	lines = g_strsplit(json.out, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 3);
	g_assert_cmpstr(lines[2], ==, "");
	g_assert_true(g_str_has_prefix(
		lines[0], "{\"driver\":\"taidoc\",\"kind\":\"glucose\",\"loinc\":\"15074-8\","
			  "\"display\":\"Blood glucose\",\"value\":5.55,\"unit\":\"mmol/L\","
			  "\"time\":\"2018-01-01T21:14:00+00:00\","));
	g_assert_true(g_str_has_prefix(
		lines[1], "{\"driver\":\"taidoc\",\"kind\":\"glucose\",\"loinc\":\"15074-8\","
			  "\"display\":\"Blood glucose\",\"value\":9.99,\"unit\":\"mmol/L\","
			  "\"time\":\"2019-08-04T13:37:00+00:00\","));
	g_assert_true(g_str_has_suffix(lines[0], "\"raw\":\"512664000040a5c0\"}"));
	for (guint i = 0; i < 2; i++) {
		g_autoptr(JsonParser) parser = json_parser_new();
		g_assert_true(json_parser_load_from_data(parser, lines[i], -1, NULL));
	}

	g_assert_cmpint(table.status, ==, 0);
	g_assert_nonnull(strstr(table.out, "2018-01-01 21:14:00"));
	g_assert_nonnull(strstr(table.out, "TD-4277"));

	/* nothing valid: exit 3, the garbage warning, then the reason, one line each */
	g_assert_cmpint(bad.status, ==, 3);
	g_assert_cmpstr(bad.out, ==, "");
	g_assert_nonnull(strstr(bad.err, "nhipctl: warning: taidoc: byte 0:"));
	g_assert_nonnull(strstr(bad.err, "no valid measurement"));
	g_assert_true(g_str_has_suffix(bad.err, "sent\n"));
	g_assert_cmpint(nohex.status, ==, 3);
	g_assert_nonnull(strstr(nohex.err, "add --hex"));

	g_assert_cmpint(unknown.status, ==, 2);
	g_assert_nonnull(strstr(unknown.err, "“acme”"));
	g_assert_nonnull(strstr(unknown.err, "phdc, omron-hid, cms50, taidoc, tanita"));
	g_assert_cmpint(missing.status, ==, 4);
}

static void
test_nhipctl_decode_visit(Fixture *f, gconstpointer data)
{
	g_autofree gchar *hex = write_file(f->dir, "td4277.hex", TAIDOC_SESSION);
	g_autofree gchar *scale = write_file(f->dir, "sc330.txt", TANITA_SC330);
	g_autofree gchar *visit = NULL;
	g_autoptr(GError) error = NULL;
	gint64 visit_id;

	/* the fixture's store opened the file; let nhipctl be the only writer */
	visit_id = open_visit_at(f, 0);
	g_clear_object(&f->store);
	visit = g_strdup_printf("%" G_GINT64_FORMAT, visit_id);
	{
		g_auto(Run) first = nhipctl("--db", f->path, "device", "decode", "--driver",
					    "taidoc", "--hex", hex, "--visit", visit, NULL);
		g_auto(Run) again =
			nhipctl("--db", f->path, "device", "decode", "--driver", "taidoc", "--hex",
				hex, "--visit", visit, "--json", NULL);
		g_auto(Run) weigh = nhipctl("--db", f->path, "device", "decode", "--driver",
					    "tanita", scale, "--visit", visit, NULL);
		g_auto(Run) nowhere = nhipctl("--db", f->path, "device", "decode", "--driver",
					      "tanita", scale, "--visit", "999", NULL);

		/* the meter's 2018 and 2019 memory is older than today's visit */
		g_assert_cmpint(first.status, ==, 0);
		g_assert_nonnull(strstr(first.out, "0 added, 0 duplicates, 2 to the patient's "
						   "history"));
		g_assert_cmpint(again.status, ==, 0);
		g_assert_nonnull(strstr(again.err, "0 added, 2 duplicates, 0 to the patient's "
						   "history"));
		g_assert_null(strstr(again.out, "added"));
		g_assert_cmpint(weigh.status, ==, 0);
		g_assert_nonnull(strstr(weigh.out, "2 added, 0 duplicates"));
		g_assert_cmpint(nowhere.status, ==, 4);
	}
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM observations WHERE "
						   "visit_id IS NULL"),
			==, 2);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM observations WHERE "
						   "visit_id IS NOT NULL AND device_id = "
						   "'tanita:00000001'"),
			==, 2);
	f->store = nhip_store_open(f->path, &error);
	g_assert_no_error(error);
}

/* ----- nhipctl device read / list against nhip-devsim ----- */

static GSubprocess *
devsim_start(const gchar *driver, const gchar *scenario, gchar **tty)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDataInputStream) lines = NULL;
	GSubprocess *devsim =
		g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, NHIP_DEVSIM_PATH,
				 "--driver", driver, "--scenario", scenario, NULL);

	g_assert_no_error(error);
	lines = g_data_input_stream_new(g_subprocess_get_stdout_pipe(devsim));
	*tty = g_data_input_stream_read_line(lines, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(*tty);
	return devsim;
}

static void
devsim_stop(GSubprocess *devsim)
{
	g_subprocess_send_signal(devsim, SIGTERM);
	g_subprocess_wait(devsim, NULL, NULL);
	g_object_unref(devsim);
}

static void
test_nhipctl_read(Fixture *f, gconstpointer data)
{
	g_autofree gchar *visit = NULL;
	g_autofree gchar *scale_tty = NULL;
	g_autofree gchar *oxi_tty = NULL;
	g_autofree gchar *idle_tty = NULL;
	g_autoptr(GError) error = NULL;
	GSubprocess *scale = devsim_start("tanita", "normal", &scale_tty);
	GSubprocess *oxi = devsim_start("cms50", "normal", &oxi_tty);
	GSubprocess *idle = devsim_start("tanita", "idle", &idle_tty);
	gint64 visit_id = open_visit_at(f, 0);

	g_clear_object(&f->store);
	visit = g_strdup_printf("%" G_GINT64_FORMAT, visit_id);
	{
		g_auto(Run) weigh =
			nhipctl("--db", f->path, "device", "read", "--driver", "tanita", "--port",
				scale_tty, "--visit", visit, "--json", "--timeout", "20", NULL);
		g_auto(Run) oximeter =
			nhipctl("--db", f->path, "device", "read", "--driver", "cms50", "--port",
				oxi_tty, "--visit", visit, "--timeout", "20", NULL);
		g_auto(Run) nothing =
			nhipctl("--db", f->path, "device", "read", "--driver", "tanita", "--port",
				idle_tty, "--visit", visit, "--timeout", "2", NULL);
		g_auto(Run) missing = nhipctl("device", "read", "--driver", "tanita", "--port",
					      "/dev/ttyNHIP-missing", "--timeout", "1", NULL);
		g_auto(Run) no_driver =
			nhipctl("device", "read", "--port", "/dev/ttyS0", "--timeout", "1", NULL);
		g_auto(Run) closed_visit =
			nhipctl("--db", f->path, "device", "read", "--driver", "tanita", "--port",
				idle_tty, "--visit", "999", "--timeout", "1", NULL);
		g_auto(GStrv) lines = NULL;

		/* the scale: two weights and the typed-in height, as JSON lines */
		g_assert_cmpint(weigh.status, ==, 0);
		lines = g_strsplit(g_strstrip(weigh.out), "\n", -1);
		g_assert_cmpuint(g_strv_length(lines), ==, 3);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autoptr(JsonParser) parser = json_parser_new();
			JsonObject *obj;
			g_assert_true(json_parser_load_from_data(parser, lines[i], -1, &error));
			obj = json_node_get_object(json_parser_get_root(parser));
			g_assert_true(json_object_has_member(obj, "loinc"));
			g_assert_true(json_object_has_member(obj, "value"));
		}
		g_assert_nonnull(strstr(lines[0], "\"29463-7\""));
		g_assert_nonnull(strstr(weigh.err, "3 added, 0 duplicates"));

		/* the oximeter: its live stream settles to one SpO2 and one pulse */
		g_assert_cmpint(oximeter.status, ==, 0);
		g_assert_nonnull(strstr(oximeter.out, "spo2"));
		g_assert_nonnull(strstr(oximeter.out, "2 added, 0 duplicates"));
		/* the finger was out when it started: said on standard error */
		g_assert_nonnull(strstr(oximeter.err, "no finger in the oximeter"));

		/* a device that sends nothing: exit 3 with a message */
		g_assert_cmpint(nothing.status, ==, 3);
		g_assert_nonnull(strstr(nothing.err, "no valid measurement arrived within 2 s"));
		g_assert_cmpint(missing.status, ==, 4);
		g_assert_nonnull(strstr(missing.err, "/dev/ttyNHIP-missing"));
		g_assert_cmpint(no_driver.status, ==, 2);
		g_assert_cmpint(closed_visit.status, ==, 4);
	}
	devsim_stop(scale);
	devsim_stop(oxi);
	devsim_stop(idle);

	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT count(*) FROM observations WHERE "
						   "device_id = 'tanita:SIM00001'"),
			==, 3);
	g_assert_cmpint(nhip_test_sql_int(f->path, "SELECT flags FROM observations WHERE "
						   "loinc = '8302-2'"),
			==, NHIP_VITAL_FLAG_OPERATOR_ENTERED);
	/* one settled value each: the scenario's 97 % / 72 bpm, or 98 % / 74 bpm when the
	 * first ones did not stay long enough to count as settled */
	g_assert_cmpint(nhip_test_sql_int(f->path,
					  "SELECT count(*) FROM observations WHERE "
					  "device_id = 'cms50:SIM0001' AND loinc = '59408-5' "
					  "AND value IN (97, 98)"),
			==, 1);
	g_assert_cmpint(nhip_test_sql_int(f->path,
					  "SELECT count(*) FROM observations WHERE "
					  "device_id = 'cms50:SIM0001' AND loinc = '8867-4' "
					  "AND value IN (72, 74)"),
			==, 1);
	f->store = nhip_store_open(f->path, &error);
	g_assert_no_error(error);
}

static void
test_nhipctl_list(Fixture *f, gconstpointer data)
{
	g_auto(Run) text = nhipctl("device", "list", NULL);
	g_auto(Run) json = nhipctl("device", "list", "--json", NULL);
	g_auto(Run) bad = nhipctl("device", "list", "extra", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	/* whatever is plugged into this machine, the output has its shape */
	g_assert_cmpint(text.status, ==, 0);
	g_assert_cmpint(json.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, json.out, -1, &error));
	g_assert_true(JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser)));
	g_assert_cmpint(bad.status, ==, 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/store/devices/into-visit", Fixture, NULL, fixture_setup, test_into_visit,
		   fixture_teardown);
	g_test_add("/store/devices/duplicates", Fixture, NULL, fixture_setup, test_duplicates,
		   fixture_teardown);
	g_test_add("/store/devices/history", Fixture, NULL, fixture_setup, test_history,
		   fixture_teardown);
	g_test_add("/store/devices/clock-skew", Fixture, NULL, fixture_setup, test_clock_skew,
		   fixture_teardown);
	g_test_add("/store/devices/undated-and-refused", Fixture, NULL, fixture_setup,
		   test_undated_and_refused, fixture_teardown);
	g_test_add("/store/devices/closed-visit", Fixture, NULL, fixture_setup, test_closed_visit,
		   fixture_teardown);
	g_test_add("/nhipctl/device/drivers", Fixture, NULL, fixture_setup, test_nhipctl_drivers,
		   fixture_teardown);
	g_test_add("/nhipctl/device/decode", Fixture, NULL, fixture_setup, test_nhipctl_decode,
		   fixture_teardown);
	g_test_add("/nhipctl/device/decode-visit", Fixture, NULL, fixture_setup,
		   test_nhipctl_decode_visit, fixture_teardown);
	g_test_add("/nhipctl/device/read", Fixture, NULL, fixture_setup, test_nhipctl_read,
		   fixture_teardown);
	g_test_add("/nhipctl/device/list", Fixture, NULL, fixture_setup, test_nhipctl_list,
		   fixture_teardown);
	return g_test_run();
}
