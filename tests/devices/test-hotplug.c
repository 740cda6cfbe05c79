/*
 * Nhịp — hotplug through udev, under umockdev: a USB-serial scale appears while the
 * device manager runs (device-added, then a reading through the emulated tty), and is
 * pulled out again (device-removed, state DISCONNECTED). Runs under umockdev-wrapper;
 * skipped outside it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <umockdev.h>
#include <unistd.h>

#include "nhip-devices-test-utils.h"

#define USB_PARENT "/devices/pci0000:00/0000:00:14.0/usb1/1-5"
#define TTY	   USB_PARENT "/1-5:1.0/ttyUSB7/tty/ttyUSB7"

/* an FTDI bridge (Tanita USB models) and its tty, complete with attributes, so that the
 * "add" uevent arrives for a whole device (umockdev issue 173) */
static const gchar *scale_description = "P: " TTY "\n"
					"N: ttyUSB7\n"
					"E: DEVNAME=/dev/ttyUSB7\n"
					"E: SUBSYSTEM=tty\n"
					"A: dev=188:7\n"
					"\n"
					"P: " USB_PARENT "/1-5:1.0/ttyUSB7\n"
					"E: SUBSYSTEM=usb-serial\n"
					"\n"
					"P: " USB_PARENT "/1-5:1.0\n"
					"E: DEVTYPE=usb_interface\n"
					"E: SUBSYSTEM=usb\n"
					"\n"
					"P: " USB_PARENT "\n"
					"N: bus/usb/001/005\n"
					"E: DEVNAME=/dev/bus/usb/001/005\n"
					"E: DEVTYPE=usb_device\n"
					"E: SUBSYSTEM=usb\n"
					"A: busnum=1\n"
					"A: devnum=5\n"
					"A: idVendor=0403\n"
					"A: idProduct=6001\n";

/* the published SC-330 line (weight 89.2 kg, checksum D9) */
#define SC330                                                                                      \
	"{0,16,~0,1,~1,1,~2,1,MO,\"SC-330\",SN,\"00000001\",ID,\"0000000000\",Da,\"25/09/2014\","  \
	"TI,\"08:20\",Bt,0,GE,1,AG,34,Hm,191.0,Pt,0.0,Wk,89.2,FW,18.8,fW,16.8,MW,72.4,mW,68.8,sW," \
	"13,bW,3.6,wW,48.0,ww,53.8,MI,24.5,Sw,80.3,OV,11.1,IF,6,rb,8874,rB,2121,rJ,13,rA,29,ZF,"   \
	"501.8,CS,D9}\r\n"

static gboolean
has_added(gpointer user_data)
{
	NhipTestRecorder *recorder = user_data;
	return recorder->added->len > 0;
}

static gboolean
has_removed(gpointer user_data)
{
	NhipTestRecorder *recorder = user_data;
	return recorder->removed->len > 0;
}

static gboolean
has_weight(gpointer user_data)
{
	NhipTestRecorder *recorder = user_data;
	return nhip_test_recorder_count(recorder, NHIP_VITAL_WEIGHT, 89.2) > 0;
}

static void
test_hotplug_serial(void)
{
	g_autoptr(UMockdevTestbed) testbed = umockdev_testbed_new();
	g_autoptr(NhipDeviceManager) manager = nhip_device_manager_new();
	g_autoptr(NhipTestRecorder) recorder = nhip_test_recorder_new(manager);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) devices = NULL;
	g_autofree gchar *sysfs = g_strconcat("/sys", TTY, NULL);
	NhipDevice *device;
	gint fd;

	g_assert_true(nhip_device_manager_start(manager, &error));
	g_assert_no_error(error);
	devices = nhip_device_manager_get_devices(manager);
	g_assert_cmpuint(devices->len, ==, 0);

	/* plugged in */
	g_assert_true(umockdev_testbed_add_from_string(testbed, scale_description, &error));
	g_assert_no_error(error);
	g_assert_true(nhip_test_wait_for(has_added, recorder, 10000));
	device = g_ptr_array_index(recorder->added, 0);
	g_assert_cmpstr(nhip_device_get_id(device), ==, "tanita:/dev/ttyUSB7");
	g_assert_cmpstr(nhip_device_get_driver_name(device), ==, "tanita");
	g_assert_true(nhip_device_is_hotplugged(device));
	g_assert_cmpuint(nhip_device_get_vid(device), ==, 0x0403);
	g_assert_cmpuint(nhip_device_get_pid(device), ==, 0x6001);
	g_assert_cmpint(nhip_device_get_state(device), ==, NHIP_DEVICE_STATE_CONNECTED);

	/* the scale sends a reading through the tty; the test is the scale */
	fd = umockdev_testbed_get_dev_fd(testbed, "/dev/ttyUSB7");
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(write(fd, SC330, strlen(SC330)), ==, (gssize)strlen(SC330));
	g_assert_true(nhip_test_wait_for(has_weight, recorder, 10000));

	/* pulled out */
	umockdev_testbed_uevent(testbed, sysfs, "remove");
	g_assert_true(nhip_test_wait_for(has_removed, recorder, 10000));
	g_assert_true(g_ptr_array_index(recorder->removed, 0) == (gpointer)device);
	g_assert_cmpint(nhip_device_get_state(device), ==, NHIP_DEVICE_STATE_DISCONNECTED);
	g_clear_pointer(&devices, g_ptr_array_unref);
	devices = nhip_device_manager_get_devices(manager);
	g_assert_cmpuint(devices->len, ==, 0);
	nhip_device_manager_stop(manager);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* the preload must be there from the start for libudev to see the testbed */
	if (g_strrstr(g_getenv("LD_PRELOAD") != NULL ? g_getenv("LD_PRELOAD") : "",
		      "libumockdev-preload") == NULL) {
		g_printerr("not running under umockdev-wrapper; skipped\n");
		return 77;
	}
	g_test_add_func("/devices/hotplug/serial", test_hotplug_serial);
	return g_test_run();
}
