#!/usr/bin/env python3
# Nhịp — delivery over an emulated bad 3G link: 256 kbit/s each way (tbf), 400 ms round trip
# (our delaying relay), 3 % random loss on each receiving side (nftables), and a cut of the
# link (`ip link set down`) in the middle of an upload. Every packet must arrive exactly once
# and verify (receipt checked by the station, hashes equal on both sides).
# The cut lasts NHIP_NETNS_CUT seconds (default 30, the scenario).
#
# usage: test-netns.py BUILD_DIR          (root; skipped with the reason otherwise)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import HUB_ADDR, Link, usable  # noqa: E402
from nhiptest import Hub, Station, Tap, cleanup, tmpdir, wait_for  # noqa: E402

CHUNK = 256 * 1024


def main():
    build = sys.argv[1]
    cut = int(os.environ.get("NHIP_NETNS_CUT", "30"))
    tap = Tap()
    why = usable()
    if why:
        tap.skip_all(why)
    root = tmpdir()
    link = None
    hub = None
    st = None
    try:
        link = Link()
        hub = Hub(build, root, names=("127.0.0.1", HUB_ADDR))
        hub_port = hub.start("127.0.0.1:0", ns=link.hub)
        relay_port = link.start_relay(hub_port)
        st = Station(build, root, "ST-NS", ns=link.st)
        t0 = time.monotonic()
        st.enroll(hub, "https://%s:%d" % (HUB_ADDR, relay_port))
        tap.ok(True, "enrolled over the emulated link in %.1f s" % (time.monotonic() - t0))
        st.set_sync(backoff_base=1, backoff_cap=4, low_speed_time=5, low_speed_limit=200,
                    connect_timeout=5)
        ids = [st.send_case(photo_bytes=600 * 1024), st.send_case(photo_bytes=150 * 1024)]
        st.start_sync()
        t0 = time.monotonic()
        acked = wait_for(lambda: st.outbox()[ids[0]]["acked"] >= CHUNK and
                         st.outbox()[ids[0]]["acked"], 120, 0.2)
        tap.ok(bool(acked), "the first chunk is acknowledged (%s bytes)" % acked)
        link.down()
        time.sleep(cut)
        link.up()
        done = wait_for(lambda: all(p["state"] == "delivered" for p in st.outbox().values()),
                        240, 0.5)
        elapsed = time.monotonic() - t0
        tap.ok(done, "after a %d s cut every packet is delivered (%.0f s in all)" % (cut, elapsed))
        tap.ok(st.stop_sync() == 0, "the sender stops cleanly")
        box = st.outbox()
        cases = hub.cases()
        for pid in ids:
            mine = [c for c in cases if c["packet_id"] == pid]
            sha = st.sql("SELECT sha256 FROM packets WHERE packet_id = ?", pid)[0][0]
            tap.ok(len(mine) == 1 and mine[0]["sha256"] == sha,
                   "packet %s arrived once with the same SHA-256" % pid)
            resent = box[pid]["sent"] - box[pid]["size"]
            tap.ok(resent <= CHUNK, "packet %s: %d bytes re-sent (at most one chunk)" % (pid, resent))
    finally:
        if st and st.sync_proc and st.sync_proc.poll() is None:
            st.stop_sync()
        if hub and hub.proc and hub.proc.poll() is None:
            hub.kill()
        if link:
            link.close()
        cleanup(root)
    tap.done()


if __name__ == "__main__":
    main()
