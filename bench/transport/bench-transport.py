#!/usr/bin/env python3
# Nhịp — transport benchmarks (print figures; targets in brackets):
#   1. a 1 MB case packet over the emulated 3G link (256 kbit/s each way by tbf, 400 ms
#      round trip by our relay, no loss): time and goodput against the link's raw capacity
#      [≥ 85 %]   (root: network namespaces; skipped otherwise)
#   2. the same with a link cut in the middle: bytes re-sent [≤ one 256 KiB chunk]
#   3. 200 simulated stations uploading at once to one hub on loopback: packets/s, p95
#      latency, errors [no errors]
#
# usage: bench-transport.py [BUILD_DIR] [--stations N] [--cut S] [--deadline S] [--no-link]
#   --deadline: seconds the stations of 3. have to deliver (default 180); those still
#   running then are stopped and counted as errors, so the run ends in bounded time
#
# SPDX-License-Identifier: GPL-3.0-or-later

import concurrent.futures
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# the copy in the build folder knows the source folder from meson; the source runs as is
SOURCE = "@SOURCE_ROOT@"
if SOURCE.startswith("@"):
    SOURCE = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(SOURCE, "tests", "hub"))
from netns import HUB_ADDR, Link, usable  # noqa: E402
from nhiptest import Hub, Station, cleanup, make_photo, tmpdir, wait_for  # noqa: E402

RATE_KBIT = 256
CHUNK = 256 * 1024


def link_run(build, cut):
    root = tmpdir()
    link = Link(rate_kbit=RATE_KBIT, loss_percent=0, delay=0.2)
    hub = None
    try:
        hub = Hub(build, root, names=("127.0.0.1", HUB_ADDR))
        port = hub.start("127.0.0.1:0", ns=link.hub)
        relay = link.start_relay(port)
        st = Station(build, root, "ST-BENCH", ns=link.st)
        st.enroll(hub, "https://%s:%d" % (HUB_ADDR, relay))
        st.set_sync(backoff_base=1, backoff_cap=2, low_speed_time=4, low_speed_limit=200,
                    connect_timeout=5)
        pid = st.send_case(photo_bytes=1000 * 1024)
        size = st.outbox()[pid]["size"]
        t0 = time.monotonic()
        st.start_sync()
        if cut:
            wait_for(lambda: st.outbox()[pid]["acked"] >= 2 * CHUNK, 120, 0.05)
            link.down()
            time.sleep(cut)
            link.up()
        wait_for(lambda: st.outbox()[pid]["state"] == "delivered", 600, 0.05)
        elapsed = time.monotonic() - t0
        st.stop_sync()
        box = st.outbox()[pid]
        return size, elapsed, box["sent"] - box["size"], box["state"]
    finally:
        if hub and hub.proc and hub.proc.poll() is None:
            hub.kill()
        link.close()
        cleanup(root)


def many_stations(build, n, deadline):
    """n stations (copies of one station's records, each enrolled with its own key) each
    deliver one case with a 100 kB photo, all at once; a station not done by `deadline`
    seconds is stopped and counted as an error"""
    root = tmpdir()
    hub = Hub(build, root)
    try:
        port = hub.start("127.0.0.1:0", web="off")
        url = "https://127.0.0.1:%d" % port
        template = Station(build, root, "TEMPLATE")
        vid, _ = template.visit()
        photo = os.path.join(root, "photo.jpg")
        make_photo(template.fixture, photo, 100 * 1024)

        def prepare(i):
            st = Station(build, root, "ST-%04d" % i, template=template)
            st.enroll(hub, url)
            st.ctl_ok("case", "send", vid, "--question", "Xin ý kiến bác sĩ", "--photo", photo)
            return st

        t_setup = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            stations = list(pool.map(prepare, range(n)))
        setup = time.monotonic() - t_setup

        t0 = time.monotonic()
        procs = [(time.monotonic(), subprocess.Popen(st.argv("sync", "--once", "--quiet"),
                                                     stdout=subprocess.DEVNULL,
                                                     stderr=subprocess.DEVNULL))
                 for st in stations]
        latencies = []
        errors = 0
        for start, p in procs:
            try:
                rc = p.wait(timeout=max(0.1, t0 + deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = -1
            latencies.append(time.monotonic() - start)
            errors += rc != 0
        elapsed = time.monotonic() - t0
        latencies.sort()
        delivered = len(hub.cases())
        return (n, setup, elapsed, latencies[int(0.95 * (len(latencies) - 1))], errors,
                delivered)
    finally:
        if hub.proc and hub.proc.poll() is None:
            hub.kill()
        cleanup(root)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else \
        os.path.join(HERE, "..", "..")
    n = int(sys.argv[sys.argv.index("--stations") + 1]) if "--stations" in sys.argv else 200
    cut = int(sys.argv[sys.argv.index("--cut") + 1]) if "--cut" in sys.argv else 10
    deadline = int(sys.argv[sys.argv.index("--deadline") + 1]) if "--deadline" in sys.argv \
        else 180
    link = "--no-link" not in sys.argv
    why = usable() if link else "--no-link"
    if why:
        print("emulated 3G link: skipped (%s)" % why)
    else:
        size, elapsed, resent, state = link_run(build, 0)
        raw = size * 8 / (RATE_KBIT * 1000)
        print("1 MB packet over 256 kbit/s, 400 ms RTT: %d bytes in %.1f s (raw link time "
              "%.1f s), goodput %.0f %% [target >= 85 %%], state %s"
              % (size, elapsed, raw, 100 * raw / elapsed, state))
        size, elapsed, resent, state = link_run(build, cut)
        print("same with a %d s cut mid-upload: %.1f s, %d bytes re-sent [target <= %d], "
              "state %s" % (cut, elapsed, resent, CHUNK, state))
    n, setup, elapsed, p95, errors, delivered = many_stations(build, n, deadline)
    print("%d stations at once on loopback (set up in %.0f s): %d packets in %.1f s = "
          "%.1f packets/s, p95 latency %.2f s, %d errors [target 0], %d cases at the hub"
          % (n, setup, delivered, elapsed, delivered / elapsed, p95, errors, delivered))


if __name__ == "__main__":
    main()
