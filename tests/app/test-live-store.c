/*
 * Nhịp — live consultations in the station database (schema 9) and the hub's event
 * lists: a session attached to the visit of its case, chat and live vitals stored once
 * each however often the long poll brings them, bad events refused, the events read back
 * per session and per visit, and the hub's JSON parsed with odd entries skipped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "nhip-live-link.h"
#include "nhip-store-live.h"
#include "nhip-store-packets.h"
#include "nhip-test-utils.h"
#include "nhip-transport-error.h"

#define PACKET	"9b0d2f8e-1111-4c3b-8d5e-000000004101"
#define SESSION "3f6c1c5e-7a53-4a0c-9a36-000000004101"

static gint64
add_visit(NhipStore *store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	gint64 patient_id;
	gint64 visit_id;

	patient->full_name = g_strdup("Lò Thị Mai");
	patient->birth = g_strdup("1990-05-02");
	patient->sex = NHIP_SEX_FEMALE;
	patient->cccd = g_strdup("011190001234");
	patient_id = nhip_store_patient_add(store, patient, &error);
	g_assert_no_error(error);
	visit_id = nhip_store_visit_open(store, patient_id, NULL, &error);
	g_assert_no_error(error);
	return visit_id;
}

static void
test_live_store(void)
{
	NhipTestStation station;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipLiveRecord) record = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(NhipLiveEvent) chat = nhip_live_event_new_chat("Chào bác sĩ, em gửi huyết áp");
	g_autoptr(NhipLiveEvent) vital = nhip_live_event_new_vital("bp-systolic", 152, "mmHg",
								   "Omron HEM-7361T", 1763884800);
	g_autoptr(NhipLiveEvent) answer = nhip_live_event_new_chat("Đo lại sau 5 phút nhé");
	g_autoptr(NhipLiveEvent) unsent = nhip_live_event_new_chat("(chưa gửi được)");
	g_autofree gchar *long_text = g_strnfill(NHIP_LIVE_CHAT_MAX + 1, 'a');
	g_autoptr(NhipLiveEvent) too_long = nhip_live_event_new_chat(long_text);
	g_autofree gchar *packet_path = NULL;
	gint64 visit_id;

	nhip_test_station_open(&station);
	visit_id = add_visit(station.store);
	/* the case this session is about, as `nhipctl case send` queued it */
	packet_path = g_build_filename(station.dir, PACKET ".p7m", NULL);
	g_assert_true(g_file_set_contents(packet_path, "sealed case", -1, NULL));
	g_assert_cmpint(
		nhip_store_packet_add(station.store, PACKET, visit_id, packet_path, FALSE, &error),
		>, 0);
	g_assert_no_error(error);

	/* a doctor's call names the case: its visit is found from it */
	g_assert_cmpint(nhip_store_live_visit_for_packet(station.store, PACKET, &error), ==,
			visit_id);
	g_assert_no_error(error);
	g_assert_cmpint(nhip_store_live_visit_for_packet(
				station.store, "9b0d2f8e-1111-4c3b-8d5e-00000000dead", &error),
			==, 0);
	g_assert_no_error(error);
	/* queued, not at the hub yet: no call about it */
	g_assert_null(nhip_store_live_packet_for_visit(station.store, visit_id, &error));
	g_assert_no_error(error);

	g_assert_true(
		nhip_store_live_session_begin(station.store, SESSION, PACKET, "doctor", &error));
	g_assert_no_error(error);
	/* joining again changes nothing */
	g_assert_true(
		nhip_store_live_session_begin(station.store, SESSION, PACKET, "station", &error));
	record = nhip_store_live_session_get(station.store, SESSION, &error);
	g_assert_no_error(error);
	g_assert_cmpint(record->visit_id, ==, visit_id);
	g_assert_cmpstr(record->started_by, ==, "doctor");
	g_assert_cmpint(record->ended_at, ==, 0);

	chat->seq = 1;
	chat->sender = g_strdup("station:66181");
	vital->seq = 2;
	vital->sender = g_strdup("station:66181");
	answer->seq = 3;
	answer->sender = g_strdup("doctor:bs.lan");
	answer->at = chat->at + 40;
	for (guint round = 0; round < 2; round++) {
		/* the next long poll brings them again: stored once */
		g_assert_true(nhip_store_live_event_add(station.store, SESSION, chat, &error));
		g_assert_true(nhip_store_live_event_add(station.store, SESSION, vital, &error));
		g_assert_true(nhip_store_live_event_add(station.store, SESSION, answer, &error));
		g_assert_no_error(error);
	}
	/* not numbered yet (the hub was not reachable): kept, and not merged */
	g_assert_true(nhip_store_live_event_add(station.store, SESSION, unsent, &error));
	g_assert_true(nhip_store_live_event_add(station.store, SESSION, unsent, &error));
	g_assert_false(nhip_store_live_event_add(station.store, SESSION, too_long, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "2000"));
	g_clear_error(&error);
	g_assert_cmpint(nhip_store_live_last_seq(station.store, SESSION, &error), ==, 3);

	events = nhip_store_live_events(station.store, NULL, visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(events->len, ==, 5);
	g_assert_cmpstr(((NhipLiveEvent *)events->pdata[0])->text, ==,
			"Chào bác sĩ, em gửi huyết áp");
	g_assert_cmpstr(((NhipLiveEvent *)events->pdata[1])->code, ==, "bp-systolic");
	g_assert_cmpfloat(((NhipLiveEvent *)events->pdata[1])->value, ==, 152);
	g_assert_cmpstr(((NhipLiveEvent *)events->pdata[1])->device, ==, "Omron HEM-7361T");
	g_assert_cmpint(((NhipLiveEvent *)events->pdata[1])->taken_at, ==, 1763884800);
	g_assert_cmpstr(((NhipLiveEvent *)events->pdata[4])->sender, ==, "doctor:bs.lan");
	g_clear_pointer(&events, g_ptr_array_unref);
	events = nhip_store_live_events(station.store, "no-such-session", 0, &error);
	g_assert_cmpuint(events->len, ==, 0);

	g_assert_true(nhip_store_live_session_end(station.store, SESSION, &error));
	g_clear_pointer(&record, nhip_live_record_free);
	record = nhip_store_live_session_get(station.store, SESSION, &error);
	g_assert_cmpint(record->ended_at, >, 0);
	g_assert_null(nhip_store_live_session_get(station.store, "nope", &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(nhip_store_audit_verify(station.store, NULL, NULL, NULL));
	nhip_test_station_close(&station);
}

static void
test_live_events_parse(void)
{
	const gchar *json = "{\"state\":\"active\",\"events\":["
			    "{\"seq\":1,\"from\":\"doctor:bs.lan\",\"kind\":\"chat\",\"at\":\"2026-"
			    "11-23T08:00:00Z\","
			    "\"text\":\"Xin chào\"},"
			    "{\"seq\":2,\"from\":\"station:66181\",\"kind\":\"vital\",\"at\":"
			    "\"2026-11-23T08:00:05Z\","
			    "\"code\":\"spo2\",\"value\":97,\"unit\":\"%\",\"taken_at\":\"2026-11-"
			    "23T08:00:04Z\"},"
			    "{\"seq\":3,\"from\":\"doctor:bs.lan\",\"kind\":\"state\",\"state\":"
			    "\"audio-only\"},"
			    "{\"seq\":4,\"kind\":\"video-call\"},"
			    "{\"seq\":5,\"kind\":\"chat\"},"
			    "{\"kind\":\"chat\",\"text\":\"no seq\"},"
			    "{\"seq\":7,\"kind\":\"vital\",\"code\":\"pulse\",\"value\":\"x\"},"
			    "7]}";
	g_autoptr(GError) error = NULL;
	g_autofree gchar *state = NULL;
	g_autoptr(GPtrArray) events = nhip_live_events_parse(json, strlen(json), &state, &error);
	g_autoptr(GPtrArray) none = NULL;
	NhipLiveEvent *vital;

	g_assert_no_error(error);
	g_assert_cmpstr(state, ==, "active");
	g_assert_cmpuint(events->len, ==, 3);
	g_assert_cmpstr(((NhipLiveEvent *)events->pdata[0])->text, ==, "Xin chào");
	g_assert_cmpint(((NhipLiveEvent *)events->pdata[0])->at, ==, 1795420800);
	vital = events->pdata[1];
	g_assert_cmpstr(vital->code, ==, "spo2");
	g_assert_cmpfloat(vital->value, ==, 97);
	g_assert_cmpint(vital->taken_at, ==, 1795420804);
	g_assert_cmpstr(((NhipLiveEvent *)events->pdata[2])->state, ==, "audio-only");
	none = nhip_live_events_parse("{\"state\":\"ended\"}", 17, NULL, &error);
	g_assert_null(none);
	g_assert_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID);
}

static void
test_live_event_readings(void)
{
	g_autoptr(GPtrArray) bp = nhip_live_events_from_reading(NHIP_VITAL_BLOOD_PRESSURE, 152, 94,
								"Omron HEM-7361T", 0);
	g_autoptr(GPtrArray) spo2 =
		nhip_live_events_from_reading(NHIP_VITAL_SPO2, 97, NAN, NULL, 5);
	g_autoptr(GPtrArray) none =
		nhip_live_events_from_reading(NHIP_VITAL_UNKNOWN, 1, NAN, NULL, 0);
	NhipLiveEvent *e;

	g_assert_cmpuint(bp->len, ==, 2);
	e = bp->pdata[0];
	g_assert_cmpstr(e->code, ==, "bp-systolic");
	g_assert_cmpfloat(e->value, ==, 152);
	g_assert_cmpstr(e->unit, ==, "mm[Hg]");
	g_assert_cmpstr(e->device, ==, "Omron HEM-7361T");
	g_assert_cmpint(e->taken_at, >, 0);
	e = bp->pdata[1];
	g_assert_cmpstr(e->code, ==, "bp-diastolic");
	g_assert_cmpfloat(e->value, ==, 94);
	g_assert_cmpuint(spo2->len, ==, 1);
	g_assert_cmpstr(((NhipLiveEvent *)spo2->pdata[0])->code, ==, "spo2");
	g_assert_cmpint(((NhipLiveEvent *)spo2->pdata[0])->taken_at, ==, 5);
	g_assert_cmpuint(none->len, ==, 0);
}

static void
test_live_event_json(void)
{
	g_autoptr(NhipLiveEvent) vital =
		nhip_live_event_new_vital("pulse", 88, "/min", NULL, 1795420804);
	g_autoptr(NhipLiveEvent) state = nhip_live_event_new_state("audio-only");
	g_autoptr(NhipLiveEvent) bad_state = nhip_live_event_new_state("paused");
	g_autoptr(NhipLiveEvent) blank = nhip_live_event_new_chat("   ");
	g_autofree gchar *vital_json = nhip_live_event_to_json(vital);
	g_autofree gchar *state_json = nhip_live_event_to_json(state);
	g_autoptr(GError) error = NULL;

	g_assert_cmpstr(vital_json, ==,
			"{\"kind\":\"vital\",\"code\":\"pulse\",\"value\":88.0,\"unit\":\"/min\","
			"\"taken_at\":\"2026-11-23T08:00:04Z\"}");
	g_assert_cmpstr(state_json, ==, "{\"kind\":\"state\",\"state\":\"audio-only\"}");
	g_assert_false(nhip_live_event_check(bad_state, &error));
	g_assert_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(nhip_live_event_check(blank, &error));
	g_assert_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/live-store/sessions-and-events", test_live_store);
	g_test_add_func("/live-store/events-parse", test_live_events_parse);
	g_test_add_func("/live-store/event-json", test_live_event_json);
	g_test_add_func("/live-store/event-readings", test_live_event_readings);
	return g_test_run();
}
