#!/usr/bin/python3
# Nhịp — transport + driver end to end through umockdev: for each case folder under
# umockdev/ (a hand-written .umockdev device description and a .ioctl (usbdevfs) or
# .script (tty) replay), run `nhipctl device list` and `nhipctl device read` under
# umockdev-run and check the measurements against case.json. The real udev enumeration
# (GUdev), libusb and termios code runs; only the kernel is replayed.
#
# usage: test-umockdev.py NHIPCTL CASES_DIR   (TAP output; exit 77 when umockdev is missing)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import subprocess
import sys


def main():
    nhipctl, cases_dir = sys.argv[1], sys.argv[2]
    runner = shutil.which("umockdev-run")
    if runner is None:
        print("1..0 # SKIP umockdev-run is not installed (Debian package umockdev)")
        return 77
    env = dict(os.environ, TZ="UTC", LANGUAGE="en", LC_ALL="C.UTF-8")
    # under AddressSanitizer the preload library comes second; ASan checks the order
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
    cases = sorted(d for d in os.listdir(cases_dir)
                   if os.path.isfile(os.path.join(cases_dir, d, "case.json")))
    print("1..%d" % (2 * len(cases)))
    n = 0
    failed = 0
    for name in cases:
        folder = os.path.join(cases_dir, name)
        with open(os.path.join(folder, "case.json")) as f:
            case = json.load(f)
        base = [runner, "-d", os.path.join(folder, "device.umockdev")]
        replay = []
        for arg in case["replay"]:
            if "=" in arg:
                node, file = arg.split("=", 1)
                arg = node + "=" + os.path.join(folder, file)
            replay.append(arg)

        # device list: the device is found with its driver
        n += 1
        proc = subprocess.run(base + replay + ["--", nhipctl, "device", "list", "--json"],
                              env=env, capture_output=True, text=True, timeout=60)
        problems = []
        try:
            devices = json.loads(proc.stdout)
        except ValueError:
            devices = []
            problems.append("device list printed no JSON: %r" % proc.stdout)
        driver = case["driver"]
        if proc.returncode != 0:
            problems.append("device list exited %d" % proc.returncode)
        if not any(d.get("driver") == driver for d in devices):
            problems.append("device list did not show a %s device: %s" % (driver, proc.stdout))
        report(n, "%s: device list" % name, problems, proc)
        failed += bool(problems)

        # device read: the measurements
        n += 1
        proc = subprocess.run(base + replay + ["--", nhipctl] + case["args"],
                              env=env, capture_output=True, text=True, timeout=120)
        problems = []
        if proc.returncode != case["exit"]:
            problems.append("exit %d, expected %d" % (proc.returncode, case["exit"]))
        got = []
        for line in proc.stdout.splitlines():
            try:
                got.append(json.loads(line))
            except ValueError:
                problems.append("not a JSON line: %r" % line)
        if len(got) != len(case["expect"]):
            problems.append("%d measurements, expected %d" % (len(got), len(case["expect"])))
        for i, (want, have) in enumerate(zip(case["expect"], got)):
            for key, value in want.items():
                if have.get(key) != value:
                    problems.append("measurement %d: %s is %r, expected %r"
                                    % (i + 1, key, have.get(key), value))
            for key in ("loinc", "value", "unit", "time", "raw"):
                if key not in have:
                    problems.append("measurement %d has no %s" % (i + 1, key))
        for text in case.get("stderr", []):
            if text not in proc.stderr:
                problems.append("standard error does not say %r" % text)
        report(n, "%s: device read" % name, problems, proc)
        failed += bool(problems)
    return 1 if failed else 0


def report(n, title, problems, proc):
    if problems:
        print("not ok %d %s" % (n, title))
        for p in problems:
            print("# " + p)
        for line in proc.stderr.splitlines()[-20:]:
            print("# stderr: " + line)
    else:
        print("ok %d %s" % (n, title))


if __name__ == "__main__":
    sys.exit(main())
