#!/usr/bin/env python3
# Nhịp — `nhipctl sync --daemon`, what nhip-sender.service runs, with a real hub over TLS on
# loopback: started on a box that is not set up yet, it waits for the database, then for
# the enrollment (saying once in its log what it waits for), then delivers the cases queued
# while it runs, and stops cleanly on SIGTERM, both while waiting and while sending.
# --daemon and --once together are a usage error.
#
# usage: test-sender-daemon.py BUILD_DIR
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nhiptest import ENV, Hub, Station, Tap, cleanup, free_port, tmpdir, wait_for  # noqa: E402

DAEMON_ENV = dict(ENV, NHIP_SYNC_POLL_SECONDS="1")


def start_daemon(exe, db, log_path):
    log = open(log_path, "w")
    proc = subprocess.Popen([exe, "--db", db, "sync", "--daemon"], env=DAEMON_ENV, stdout=log,
                            stderr=subprocess.STDOUT)
    return proc, log


def read(path):
    with open(path) as f:
        return f.read()


def main():
    build = sys.argv[1]
    tap = Tap()
    root = tmpdir()
    hub = None
    procs = []
    try:
        exe = os.path.join(build, "app", "nhipctl")
        out = subprocess.run([exe, "--db", os.path.join(root, "x.db"), "sync", "--once",
                              "--daemon"], env=ENV, capture_output=True, text=True)
        tap.ok(out.returncode == 2 and "--once | --daemon" in out.stderr,
               "--once and --daemon together: a usage error")

        # stopped while waiting for a database that never comes
        log_path = os.path.join(root, "idle.log")
        proc, log = start_daemon(exe, os.path.join(root, "nothing", "station.db"), log_path)
        procs.append(proc)
        waited = wait_for(lambda: "there is no station database" in read(log_path), 30)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        log.close()
        tap.ok(waited and rc == 0, "waiting for the set-up, it stops on SIGTERM with status 0")

        hub = Hub(build, root)
        hub_port = free_port()
        hub.start("127.0.0.1:%d" % hub_port)
        url = "https://127.0.0.1:%d" % hub_port

        db = os.path.join(root, "ST-100", "station.db")
        log_path = os.path.join(root, "daemon.log")
        proc, log = start_daemon(exe, db, log_path)
        procs.append(proc)
        tap.ok(wait_for(lambda: "there is no station database at %s" % db in read(log_path), 30),
               "no database yet: the daemon says it waits for the set-up")
        st = Station(build, root, "ST-100")
        tap.ok(wait_for(lambda: "not enrolled" in read(log_path), 30),
               "set up but not enrolled: it says it waits for the enrollment")
        tap.ok(proc.poll() is None, "and keeps running")
        st.enroll(hub, url)
        tap.ok(wait_for(lambda: "sending to %s as station ST-100" % url in read(log_path), 30),
               "enrolled: it starts sending")
        first = st.send_case(urgent=True)
        second = st.send_case()
        delivered = wait_for(lambda: all(st.outbox()[p]["state"] == "delivered"
                                         for p in (first, second)), 60, 0.3)
        tap.ok(delivered, "cases queued while it runs are delivered")
        cases = [c["packet_id"] for c in hub.cases()]
        tap.ok(cases.count(first) == 1 and cases.count(second) == 1, "the hub has each case once")
        text = read(log_path)
        tap.ok(text.count("not enrolled") == 1,
               "each wait is logged once, not at every poll")
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        log.close()
        tap.ok(rc == 0, "it stops on SIGTERM with status 0")
        if rc != 0 or not delivered:
            print("# " + read(log_path).replace("\n", "\n# "))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if hub and hub.proc and hub.proc.poll() is None:
            hub.kill(signal.SIGTERM)
        cleanup(root)
    tap.done()


if __name__ == "__main__":
    main()
