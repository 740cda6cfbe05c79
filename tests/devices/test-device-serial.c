/*
 * Nhịp — the serial drivers end to end: nhip-devsim plays a device on a real
 * pseudo-terminal, the device manager reads it through termios, the driver and the
 * decoder, and the test checks the measurements and the device states.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>

#include "nhip-devices-test-utils.h"
#include "nhip-serial-port.h"

typedef struct {
	NhipDeviceManager *manager;
	NhipTestRecorder *recorder;
	GSubprocess *devsim;
	gchar *tty;
} Fixture;

static void
fixture_start(Fixture *fx, const gchar *driver, const gchar *protocol, const gchar *scenario)
{
	g_autoptr(GError) error = NULL;

	fx->devsim = nhip_test_devsim_start(driver, protocol, scenario, &fx->tty);
	fx->manager = nhip_device_manager_new();
	nhip_device_manager_set_hotplug(fx->manager, FALSE);
	fx->recorder = nhip_test_recorder_new(fx->manager);
	g_assert_true(nhip_device_manager_start(fx->manager, &error));
	g_assert_no_error(error);
	g_assert_true(nhip_device_manager_add_serial_port(fx->manager, driver, fx->tty, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(fx->recorder->added->len, ==, 1);
}

static void
fixture_stop(Fixture *fx)
{
	nhip_device_manager_stop(fx->manager);
	g_assert_cmpuint(fx->recorder->removed->len, ==, 1);
	g_clear_pointer(&fx->recorder, nhip_test_recorder_free);
	g_clear_object(&fx->manager);
	nhip_test_devsim_stop(g_steal_pointer(&fx->devsim));
	g_clear_pointer(&fx->tty, g_free);
}

static NhipDevice *
fixture_device(Fixture *fx)
{
	return g_ptr_array_index(fx->recorder->added, 0);
}

typedef struct {
	Fixture *fx;
	NhipVitalKind kind;
	gdouble value;
} WaitValue;

static gboolean
has_value(gpointer user_data)
{
	WaitValue *w = user_data;
	return nhip_test_recorder_count(w->fx->recorder, w->kind, w->value) > 0;
}

static gboolean
wait_value(Fixture *fx, NhipVitalKind kind, gdouble value, guint timeout_ms)
{
	WaitValue w = { fx, kind, value };
	return nhip_test_wait_for(has_value, &w, timeout_ms);
}

typedef struct {
	Fixture *fx;
	const gchar *pattern;
} WaitState;

static gboolean
has_state(gpointer user_data)
{
	WaitState *w = user_data;
	return nhip_test_recorder_has_state(w->fx->recorder, w->pattern);
}

static gboolean
wait_state(Fixture *fx, const gchar *pattern, guint timeout_ms)
{
	WaitState w = { fx, pattern };
	return nhip_test_wait_for(has_state, &w, timeout_ms);
}

/* every measurement must be one the scenario sent */
static void
assert_only_values(Fixture *fx, const gdouble *spo2, const gdouble *pulse)
{
	for (guint i = 0; i < fx->recorder->measurements->len; i++) {
		NhipMeasurement *m = g_ptr_array_index(fx->recorder->measurements, i);
		const gdouble *allowed =
			nhip_measurement_get_kind(m) == NHIP_VITAL_SPO2 ? spo2 : pulse;
		gboolean found = FALSE;
		for (guint j = 0; !isnan(allowed[j]); j++)
			found |= G_APPROX_VALUE(nhip_measurement_get_value(m), allowed[j], 1e-9);
		if (!found)
			g_error("unexpected %s %g",
				nhip_vital_kind_to_string(nhip_measurement_get_kind(m)),
				nhip_measurement_get_value(m));
	}
}

static void
cms50_normal(const gchar *protocol)
{
	Fixture fx = { 0 };
	NhipMeasurement *m;
	const gdouble spo2[] = { 97, 98, NAN };
	const gdouble pulse[] = { 72, 74, NAN };

	fixture_start(&fx, "cms50", protocol, "normal");
	g_assert_cmpstr(nhip_device_get_driver_name(fixture_device(&fx)), ==, "cms50");
	g_assert_cmpint(nhip_device_get_primary_kind(fixture_device(&fx)), ==, NHIP_VITAL_SPO2);
	g_assert_true(g_str_has_prefix(nhip_device_get_id(fixture_device(&fx)), "cms50:/dev/pts/"));
	g_assert_true(wait_value(&fx, NHIP_VITAL_SPO2, 98, 10000));
	g_assert_true(wait_value(&fx, NHIP_VITAL_PULSE, 74, 2000));
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_SPO2, 97), ==, 1);
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_PULSE, 72), ==, 1);
	assert_only_values(&fx, spo2, pulse);
	m = g_ptr_array_index(fx.recorder->measurements, 0);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_LIVE));
	g_assert_cmpstr(nhip_measurement_get_driver(m), ==, "cms50");
	if (g_strcmp0(protocol, "old") != 0) {
		/* the F37 oximeter told its model and id when asked */
		g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "CMS50E");
		g_assert_cmpstr(nhip_measurement_get_device_serial(m), ==, "SIM0001");
		g_assert_cmpstr(nhip_device_get_model(fixture_device(&fx)), ==, "CMS50E");
	}
	/* the finger was out at first, then the readings came */
	g_assert_true(nhip_test_recorder_has_state(fx.recorder, "error: *no finger*"));
	g_assert_true(nhip_test_recorder_has_state(fx.recorder, "reading"));
	g_assert_cmpint(nhip_device_get_state(fixture_device(&fx)), !=, NHIP_DEVICE_STATE_ERROR);
	g_assert_null(nhip_device_get_error_message(fixture_device(&fx)));
	fixture_stop(&fx);
}

static void
test_cms50_f37_normal(void)
{
	cms50_normal("f37");
}

static void
test_cms50_old_normal(void)
{
	cms50_normal("old");
}

static void
test_cms50_finger_out(void)
{
	Fixture fx = { 0 };

	fixture_start(&fx, "cms50", NULL, "finger-out");
	g_assert_true(wait_value(&fx, NHIP_VITAL_SPO2, 97, 10000));
	g_assert_true(wait_state(&fx, "error: *no finger in the oximeter*", 5000));
	g_assert_cmpint(nhip_device_get_state(fixture_device(&fx)), ==, NHIP_DEVICE_STATE_ERROR);
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_SPO2, 0), ==, 0);
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_PULSE, 0), ==, 0);
	fixture_stop(&fx);
}

static void
test_cms50_low_battery(void)
{
	Fixture fx = { 0 };

	fixture_start(&fx, "cms50", "old", "low-battery");
	g_assert_true(wait_value(&fx, NHIP_VITAL_SPO2, 96, 10000));
	g_assert_true(wait_state(&fx, "error: *stopped sending readings*batteries*", 10000));
	g_assert_cmpuint(fx.recorder->measurements->len, ==, 2);
	fixture_stop(&fx);
}

static void
test_cms50_garbled(void)
{
	Fixture fx = { 0 };
	const gdouble spo2[] = { 97, NAN };
	const gdouble pulse[] = { 72, NAN };

	fixture_start(&fx, "cms50", NULL, "garbled");
	g_assert_true(wait_state(&fx, "error: *sent data that could not be read*", 10000));
	nhip_test_run_for(500);
	assert_only_values(&fx, spo2, pulse);
	fixture_stop(&fx);
}

static void
test_cms50_unplug(void)
{
	Fixture fx = { 0 };

	fixture_start(&fx, "cms50", NULL, "unplug-mid-transfer");
	g_assert_true(wait_state(&fx, "error: *disconnected in the middle of a reading*", 10000));
	g_assert_cmpint(nhip_device_get_state(fixture_device(&fx)), ==, NHIP_DEVICE_STATE_ERROR);
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_SPO2, 97), ==, 1);
	fixture_stop(&fx);
}

static void
test_tanita_normal(void)
{
	Fixture fx = { 0 };
	NhipMeasurement *m;

	fixture_start(&fx, "tanita", NULL, "normal");
	g_assert_cmpint(nhip_device_get_primary_kind(fixture_device(&fx)), ==, NHIP_VITAL_WEIGHT);
	g_assert_true(wait_value(&fx, NHIP_VITAL_WEIGHT, 48.9, 10000));
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_WEIGHT, 62.4), ==, 1);
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_HEIGHT, 152), ==, 1);
	g_assert_cmpuint(fx.recorder->measurements->len, ==, 3);
	m = g_ptr_array_index(fx.recorder->measurements, 2);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_HEIGHT);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED));
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "BC-545N");
	g_assert_nonnull(nhip_measurement_get_device_time(m));
	g_assert_false(nhip_test_recorder_has_state(fx.recorder, "error*"));
	/* a second after the last line the scale is idle again */
	g_assert_true(wait_state(&fx, "connected", 3000));
	fixture_stop(&fx);
}

static void
test_tanita_garbled(void)
{
	Fixture fx = { 0 };

	fixture_start(&fx, "tanita", NULL, "garbled");
	g_assert_true(wait_value(&fx, NHIP_VITAL_WEIGHT, 62.4, 10000));
	g_assert_true(wait_state(&fx, "error: *could not be read*checksum*", 5000));
	nhip_test_run_for(400);
	g_assert_cmpuint(fx.recorder->measurements->len, ==, 1);
	g_assert_cmpint(nhip_device_get_state(fixture_device(&fx)), ==, NHIP_DEVICE_STATE_ERROR);
	fixture_stop(&fx);
}

static void
test_tanita_unplug(void)
{
	Fixture fx = { 0 };

	fixture_start(&fx, "tanita", NULL, "unplug-mid-transfer");
	g_assert_true(wait_state(&fx, "error: *disconnected in the middle of a reading*", 10000));
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_WEIGHT, 62.4), ==, 1);
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_WEIGHT, 70.1), ==, 0);
	fixture_stop(&fx);
}

static void
test_tanita_cue(void)
{
	Fixture fx = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("nhip-devsim-XXXXXX", &error);
	g_autofree gchar *scenario = NULL;

	/* the second weighing waits for the test's cue, however long that takes */
	g_assert_no_error(error);
	scenario = g_build_filename(dir, "cue.scenario", NULL);
	g_assert_true(g_file_set_contents(scenario, "weight 50.0\ncue\nweight 61.4\n", -1, &error));
	g_assert_no_error(error);
	fixture_start(&fx, "tanita", NULL, scenario);
	g_assert_true(wait_value(&fx, NHIP_VITAL_WEIGHT, 50.0, 10000));
	nhip_test_run_for(1500);
	g_assert_cmpuint(nhip_test_recorder_count(fx.recorder, NHIP_VITAL_WEIGHT, 61.4), ==, 0);
	g_subprocess_send_signal(fx.devsim, SIGUSR1);
	g_assert_true(wait_value(&fx, NHIP_VITAL_WEIGHT, 61.4, 10000));
	fixture_stop(&fx);
	g_assert_cmpint(g_unlink(scenario), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
test_tanita_low_battery(void)
{
	Fixture fx = { 0 };

	/* a silent scale cannot be told from an idle one: connected, no error */
	fixture_start(&fx, "tanita", NULL, "low-battery");
	g_assert_true(wait_value(&fx, NHIP_VITAL_WEIGHT, 62.4, 10000));
	g_assert_true(wait_state(&fx, "connected", 3000));
	g_assert_false(nhip_test_recorder_has_state(fx.recorder, "error*"));
	fixture_stop(&fx);
}

static void
test_taidoc_normal(void)
{
	Fixture fx = { 0 };
	NhipMeasurement *m;

	/* a TaiDoc meter on a serial cable: the driver asks, the meter answers */
	fixture_start(&fx, "taidoc", NULL, "normal");
	g_assert_cmpint(nhip_device_get_primary_kind(fixture_device(&fx)), ==, NHIP_VITAL_GLUCOSE);
	g_assert_true(wait_value(&fx, NHIP_VITAL_GLUCOSE, NAN, 10000));
	nhip_test_run_for(1500);
	g_assert_cmpuint(fx.recorder->measurements->len, ==, 2);
	m = g_ptr_array_index(fx.recorder->measurements, 0);
	g_assert_cmpfloat(nhip_measurement_get_original_value(m), ==, 112);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_BEFORE_MEAL));
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_STORED));
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "TD-4277");
	m = g_ptr_array_index(fx.recorder->measurements, 1);
	g_assert_cmpfloat(nhip_measurement_get_original_value(m), ==, 145);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_AFTER_MEAL));
	g_assert_false(nhip_test_recorder_has_state(fx.recorder, "error*"));
	fixture_stop(&fx);
}

static void
test_taidoc_garbled(void)
{
	Fixture fx = { 0 };

	/* a reply with a wrong checksum is reported, asked again, and nothing wrong kept */
	fixture_start(&fx, "taidoc", NULL, "garbled");
	g_assert_true(wait_state(&fx, "error: *could not be read*checksum*", 10000));
	g_assert_true(wait_value(&fx, NHIP_VITAL_GLUCOSE, NAN, 10000));
	nhip_test_run_for(4000);
	g_assert_cmpuint(fx.recorder->measurements->len, ==, 2);
	fixture_stop(&fx);
}

static void
test_taidoc_low_battery(void)
{
	Fixture fx = { 0 };

	fixture_start(&fx, "taidoc", NULL, "low-battery");
	g_assert_true(wait_state(&fx, "error: *meter stopped answering*battery*", 15000));
	g_assert_cmpuint(fx.recorder->measurements->len, ==, 0);
	fixture_stop(&fx);
}

static void
test_taidoc_unplug(void)
{
	Fixture fx = { 0 };

	fixture_start(&fx, "taidoc", NULL, "unplug-mid-transfer");
	g_assert_true(wait_state(&fx, "error: *disconnected in the middle of a reading*", 10000));
	g_assert_cmpuint(fx.recorder->measurements->len, ==, 0);
	fixture_stop(&fx);
}

/* termios really gets the settings (a pty keeps them, although it enforces none) */
static void
test_serial_settings(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipSerialPort) port = NULL;
	g_autofree gchar *tty = NULL;
	GSubprocess *devsim = nhip_test_devsim_start("tanita", NULL, "idle", &tty);
	NhipSerialSettings settings = { 0 };
	NhipSerialSettings got = { 0 };
	const gchar *cases[] = { "9600 8N1", "19200 8O1 xonxoff", "115200 8N1", "38400 7E2 rtscts",
				 "2400 8N1" };

	/* what termios gets, field by field */
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct termios tio = { 0 };
		g_autofree gchar *back = NULL;

		g_assert_true(nhip_serial_settings_parse(cases[i], &settings, &error));
		g_assert_true(nhip_serial_settings_to_termios(&settings, &tio));
		/* raw: no echo, no line editing, no CR/LF mangling of binary frames */
		g_assert_cmpint(tio.c_lflag & (ECHO | ICANON | ISIG), ==, 0);
		g_assert_cmpint(tio.c_oflag & OPOST, ==, 0);
		g_assert_cmpint(tio.c_iflag & (ICRNL | INLCR), ==, 0);
		g_assert_cmpint(tio.c_cflag & (CLOCAL | CREAD), ==, CLOCAL | CREAD);
		nhip_serial_settings_from_termios(&tio, &got);
		back = nhip_serial_settings_to_string(&got);
		g_assert_cmpstr(back, ==, cases[i]);
	}

	/* and the tty really gets them; a Linux pty keeps all but the character size and
	 * parity, which it forces to 8N */
	g_assert_true(nhip_serial_settings_parse("9600 8N1", &settings, &error));
	port = nhip_serial_port_open(tty, &settings, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_assert_true(nhip_serial_settings_parse(cases[i], &settings, &error));
		g_assert_true(nhip_serial_port_configure(port, &settings, &error));
		g_assert_true(nhip_serial_port_get_settings(port, &got, &error));
		g_assert_cmpuint(got.baud, ==, settings.baud);
		g_assert_cmpuint(got.stop_bits, ==, settings.stop_bits);
		g_assert_cmpint(got.flow, ==, settings.flow);
	}
	g_clear_pointer(&port, nhip_serial_port_free);
	nhip_test_devsim_stop(devsim);

	/* bad settings are refused with a message that shows how to write them */
	g_assert_false(nhip_serial_settings_parse("9601 8N1", &settings, &error));
	g_assert_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull(strstr(error->message, "9600 8N1"));
	g_clear_error(&error);
	g_assert_false(nhip_serial_settings_parse("9600 8X1", &settings, &error));
	g_clear_error(&error);
	g_assert_false(nhip_serial_settings_parse("9600 8N1 magic", &settings, &error));
	g_clear_error(&error);
	g_assert_false(nhip_serial_settings_parse("", &settings, &error));
	g_clear_error(&error);
}

static void
test_serial_errors(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipDeviceManager) manager = nhip_device_manager_new();
	g_autofree gchar *file = g_build_filename(g_get_tmp_dir(), "nhip-not-a-tty", NULL);
	NhipSerialSettings settings = { 9600, 8, NHIP_SERIAL_PARITY_NONE, 1,
					NHIP_SERIAL_FLOW_NONE };
	NhipSerialPort *port;
	g_autoptr(GPtrArray) devices = NULL;

	port = nhip_serial_port_open("/dev/ttyNHIP-missing", &settings, &error);
	g_assert_null(port);
	g_assert_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "/dev/ttyNHIP-missing"));
	g_assert_nonnull(strstr(error->message, "plugged in"));
	g_clear_error(&error);

	g_assert_true(g_file_set_contents(file, "x", 1, NULL));
	port = nhip_serial_port_open(file, &settings, &error);
	g_assert_null(port);
	g_assert_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_SUPPORTED);
	g_assert_nonnull(strstr(error->message, "not a serial port"));
	g_clear_error(&error);
	g_unlink(file);

	nhip_device_manager_set_hotplug(manager, FALSE);
	g_assert_true(nhip_device_manager_start(manager, &error));
	g_assert_false(
		nhip_device_manager_add_serial_port(manager, "nonsense", "/dev/null", &error));
	g_assert_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull(strstr(error->message, "cms50"));
	g_clear_error(&error);
	/* a missing port still gives a device, in the ERROR state, so the staff see why */
	g_assert_false(nhip_device_manager_add_serial_port(manager, "tanita", "/dev/ttyNHIP-gone",
							   &error));
	g_assert_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_FOUND);
	devices = nhip_device_manager_get_devices(manager);
	g_assert_cmpuint(devices->len, ==, 1);
	g_assert_cmpint(nhip_device_get_state(g_ptr_array_index(devices, 0)), ==,
			NHIP_DEVICE_STATE_ERROR);
	g_assert_nonnull(strstr(nhip_device_get_error_message(g_ptr_array_index(devices, 0)),
				"/dev/ttyNHIP-gone"));
	g_clear_error(&error);
	g_assert_false(nhip_device_manager_add_serial_port(manager, "tanita", "/dev/ttyNHIP-gone",
							   &error));
	g_assert_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_BUSY);
	g_clear_error(&error);
	g_assert_true(nhip_device_manager_remove_serial_port(manager, "/dev/ttyNHIP-gone", &error));
	g_assert_false(
		nhip_device_manager_remove_serial_port(manager, "/dev/ttyNHIP-gone", &error));
	g_assert_error(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_setenv("NHIP_DEVSIM_SCENARIOS", NHIP_DEVSIM_SCENARIOS, TRUE);
	g_test_add_func("/devices/serial/settings", test_serial_settings);
	g_test_add_func("/devices/serial/errors", test_serial_errors);
	g_test_add_func("/devices/serial/cms50/f37/normal", test_cms50_f37_normal);
	g_test_add_func("/devices/serial/cms50/old/normal", test_cms50_old_normal);
	g_test_add_func("/devices/serial/cms50/finger-out", test_cms50_finger_out);
	g_test_add_func("/devices/serial/cms50/low-battery", test_cms50_low_battery);
	g_test_add_func("/devices/serial/cms50/garbled", test_cms50_garbled);
	g_test_add_func("/devices/serial/cms50/unplug-mid-transfer", test_cms50_unplug);
	g_test_add_func("/devices/serial/tanita/normal", test_tanita_normal);
	g_test_add_func("/devices/serial/tanita/garbled", test_tanita_garbled);
	g_test_add_func("/devices/serial/tanita/unplug-mid-transfer", test_tanita_unplug);
	g_test_add_func("/devices/serial/tanita/low-battery", test_tanita_low_battery);
	g_test_add_func("/devices/serial/tanita/cue", test_tanita_cue);
	g_test_add_func("/devices/serial/taidoc/normal", test_taidoc_normal);
	g_test_add_func("/devices/serial/taidoc/garbled", test_taidoc_garbled);
	g_test_add_func("/devices/serial/taidoc/low-battery", test_taidoc_low_battery);
	g_test_add_func("/devices/serial/taidoc/unplug-mid-transfer", test_taidoc_unplug);
	return g_test_run();
}
