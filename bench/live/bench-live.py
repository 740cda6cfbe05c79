#!/usr/bin/env python3
# Nhịp — live consultation benchmarks (print figures; targets in brackets):
#   1. time from "call" (the station's session starting) to the first picture of the
#      doctor, who is already in the room [< 3 s on loopback, < 6 s on the 3G link]
#   2. mouth-to-ear delay: audiotestsrc clicks every 2 s on each side, found again in the
#      other side's decoded audio as it is played (both stamps on the machine's monotonic
#      clock) [< 400 ms on loopback]
# on a loopback-like link (one network namespace) and on an emulated 3G link: the
# station in its own namespace behind a veth pair shaped with tbf to 256 kbit/s each way
# (queue up to 400 ms). This kernel has no netem and media is UDP (ICE to Janus's host
# candidates), so no fixed propagation delay is added: the 3G figures carry the
# bottleneck's queueing, not a radio network's base latency.
#
# usage: bench-live.py [BUILD_DIR] [--runs N]      (root; skipped otherwise)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = "@SOURCE_ROOT@"
if SOURCE.startswith("@"):
    SOURCE = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(SOURCE, "tests", "live"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "hub"))
from livetest import Janus, Namespace, Peer, cleanup, descriptor, tmpdir, usable  # noqa: E402
from netns import HUB_ADDR, Link  # noqa: E402

CALL_SECONDS = 24


def delays(sent, heard):
    """for each click sent, the delay to the first click heard within 1.5 s"""
    out = []
    heard = sorted(heard)
    for t in sorted(sent):
        later = [h for h in heard if 0 < h - t < 1.5e9]
        if later:
            out.append((later[0] - t) / 1e6)
    return out


def one_call(build, root, janus, ns_doctor, ns_station, room, tag):
    janus.add_token("dr-%s" % tag)
    janus.add_token("st-%s" % tag)
    janus.create_room(room, ["dr-%s" % tag, "st-%s" % tag])
    doctor = Peer(build, root, "doctor-%s" % tag,
                  descriptor(janus, room, "dr-%s" % tag, "doctor:bench"), ns_doctor,
                  audio="ticks", seconds=CALL_SECONDS + 10)
    end = time.monotonic() + 20
    while time.monotonic() < end and doctor.stats().get("state") != "active":
        time.sleep(0.2)
    time.sleep(1)
    station = Peer(build, root, "station-%s" % tag,
                   descriptor(janus, room, "st-%s" % tag, "station:BENCH"), ns_station,
                   audio="ticks", seconds=CALL_SECONDS)
    station.wait(CALL_SECONDS + 60)
    doctor.stop()
    st, dr = station.stats(), doctor.stats()
    return (st.get("first_frame_ms", -1),
            delays(dr.get("ticks_sent", []), st.get("ticks_heard", [])),
            delays(st.get("ticks_sent", []), dr.get("ticks_heard", [])))


def report(name, firsts, down, up):
    firsts = [f for f in firsts if f is not None and f >= 0]
    print("%s:" % name)
    if firsts:
        print("  call → first picture:   median %5.0f ms, worst %5.0f ms  (%d calls) [< %s]"
              % (statistics.median(firsts), max(firsts), len(firsts),
                 "3 s" if "loopback" in name else "6 s"))
    else:
        print("  call → first picture:   no picture")
    for label, values in (("doctor → station", down), ("station → doctor", up)):
        if values:
            values.sort()
            p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
            print("  mouth-to-ear %s: median %4.0f ms, p90 %4.0f ms  (%d clicks)%s"
                  % (label, statistics.median(values), p90, len(values),
                     " [< 400 ms]" if "loopback" in name else ""))
        else:
            print("  mouth-to-ear %s: no click heard" % label)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    build = args[0] if args else os.path.join(SOURCE, "build")
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    why = usable()
    if why:
        print("bench-live: skipped (%s)" % why)
        return
    # 1. loopback-like: everything in one namespace
    ns = Namespace()
    scenario("loopback (one namespace)", build, runs, 6100, ns.close,
             lambda root: Janus(root, ns.name, ns.addr, "nhd0"), ns.name, ns.name)
    # 2. the station behind a 256 kbit/s link
    link = Link(rate_kbit=256, loss_percent=0)
    scenario("3G-like link (256 kbit/s each way, tbf queue ≤ 400 ms)", build, runs, 6200,
             link.close, lambda root: Janus(root, link.hub, HUB_ADDR, link.veth_hub),
             link.hub, link.st)


def scenario(name, build, runs, first_room, close, make_janus, ns_doctor, ns_station):
    root = tmpdir()
    janus = None
    firsts, down, up = [], [], []
    try:
        janus = make_janus(root)
        janus.start()
        for i in range(runs):
            first, d, u = one_call(build, root, janus, ns_doctor, ns_station, first_room + i,
                                   "%d-%d" % (first_room, i))
            firsts.append(first)
            down += d
            up += u
    finally:
        if janus:
            janus.stop()
        close()
        cleanup(root)
    report(name, firsts, down, up)

if __name__ == "__main__":
    main()
