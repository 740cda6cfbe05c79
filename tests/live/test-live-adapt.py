#!/usr/bin/env python3
# Nhịp — a live call degrades instead of freezing: the station (in its own network
# namespace, joined to the hub's by a veth pair) sends moving test video ("motion": about
# 200 kbit/s of VP8, like a camera) to a real Janus in the hub namespace, where the
# doctor's peer receives it. Then the station's uplink is squeezed with tbf (no netem in
# this kernel; see transport.md): the station must fall back to audio only without
# dropping the call — the doctor keeps hearing it — and come back to video once the limit
# is lifted.
#
# usage: test-live-adapt.py BUILD_DIR [KBIT]   (root; skipped with the reason otherwise)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "hub"))
from livetest import Janus, Peer, Tap, cleanup, descriptor, tmpdir, usable  # noqa: E402
from netns import HUB_ADDR, Link, sh  # noqa: E402

UP_WITHIN = 60       # seconds for the call to come up (slow under the sanitizers)
SQUEEZE_FOR = 40
BACK_WITHIN = 90     # seconds for video to come back once the limit is lifted


def window(timeline, start, end):
    return [e for e in timeline if start <= e["mono"] < end]


def main():
    build = sys.argv[1]
    kbit = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    tap = Tap()
    why = usable()
    if why:
        tap.skip_all(why)
    root = tmpdir()
    link = None
    janus = None
    peers = []
    try:
        link = Link(rate_kbit=0, loss_percent=0)
        janus = Janus(root, link.hub, HUB_ADDR, link.veth_hub)
        janus.start()
        janus.add_token("tok-st")
        janus.add_token("tok-dr")
        janus.create_room(5201, ["tok-st", "tok-dr"])
        doctor = Peer(build, root, "doctor", descriptor(janus, 5201, "tok-dr", "doctor:bs.lan"),
                      link.hub, seconds=600)
        peers.append(doctor)
        time.sleep(1)
        station = Peer(build, root, "station",
                       descriptor(janus, 5201, "tok-st", "station:ST-01"), link.st,
                       video="motion", seconds=600,
                       extra=["--audio-only-after", "6", "--recover-after", "10"])
        peers.append(station)

        end = time.monotonic() + UP_WITHIN
        while time.monotonic() < end and station.stats().get("state") != "active":
            time.sleep(0.5)
        time.sleep(6)
        s = station.stats()
        tap.ok(s.get("state") == "active" and s.get("video_bytes_sent", 0) > 20000,
               "before the squeeze the station sends video (%s bytes, %s)"
               % (s.get("video_bytes_sent"), s.get("state")))
        squeezed = time.monotonic()
        sh("ip", "netns", "exec", link.st, "tc", "qdisc", "add", "dev", link.veth_st, "root",
           "tbf", "rate", "%dkbit" % kbit, "burst", "4kbit", "latency", "300ms")
        time.sleep(SQUEEZE_FOR)
        lifted = time.monotonic()
        sh("ip", "netns", "exec", link.st, "tc", "qdisc", "del", "dev", link.veth_st, "root")
        end = time.monotonic() + BACK_WITHIN
        while time.monotonic() < end:
            last = (station.stats().get("timeline") or [{}])[-1]
            if last.get("mono", 0) > lifted and last.get("state") == "active" and \
                    last.get("send_video_bps", 0) > 50000:
                break
            time.sleep(1)
        # the doctor's side gets some of it
        time.sleep(20)
        rc_station = station.stop()
        rc_doctor = doctor.stop()
        st = station.stats()
        dr = doctor.stats()
        timeline = st.get("timeline", [])
        # from the moment the call was up
        up = [i for i, e in enumerate(timeline) if e["state"] == "active"]
        timeline = timeline[up[0]:] if up else []
        during = window(timeline, squeezed, lifted)
        audio_only = [e for e in during if e["state"] == "audio-only"]
        first = audio_only[0]["mono"] - squeezed if audio_only else None
        tap.ok(bool(audio_only),
               "squeezed to %d kbit/s, the station falls back to audio only (after %s s)"
               % (kbit, "%.0f" % first if first is not None else "never"))
        tap.ok(all(e["state"] in ("active", "audio-only") for e in timeline),
               "the call never drops (states: %s)" % sorted({e["state"] for e in timeline}))
        if audio_only:
            # what the doctor heard while the station was audio-only
            heard = window(dr.get("timeline", []), audio_only[0]["mono"] + 4, lifted)
            audio = [e["recv_audio_bps"] for e in heard]
            video = [e["recv_video_bps"] for e in heard]
            tap.ok(audio and min(audio) > 5000,
                   "the doctor keeps hearing the station (%s bit/s at worst)"
                   % (int(min(audio)) if audio else "nothing"))
            tap.ok(video and max(video) < 60000,
                   "and gets next to no video meanwhile (%s bit/s at most)"
                   % (int(max(video)) if video else "-"))
        else:
            tap.ok(False, "the doctor keeps hearing the station (no audio-only phase)")
            tap.ok(False, "and gets next to no video meanwhile (no audio-only phase)")
        after = window(timeline, lifted, lifted + 1000)
        back = [e for e in after if e["state"] == "active" and e["send_video_bps"] > 50000]
        tap.ok(bool(back), "after the limit is lifted video comes back (after %s s)"
               % ("%.0f" % (back[0]["mono"] - lifted) if back else "never"))
        late = window(dr.get("timeline", []), back[0]["mono"] if back else lifted, lifted + 1000)
        tap.ok(late and max(e["recv_video_bps"] for e in late) > 50000,
               "the doctor receives video again (%s bit/s)"
               % (int(max(e["recv_video_bps"] for e in late)) if late else "-"))
        tap.ok(st.get("audio_only_switches", 0) >= 1 and rc_station == 0 and rc_doctor == 0,
               "both sides end cleanly (exit %s and %s; %s fallbacks, %.0f s audio only)"
               % (rc_station, rc_doctor, st.get("audio_only_switches"),
                  st.get("audio_only_seconds") or 0))
    except Exception as e:  # a broken fixture is a failure, with what it said
        tap.ok(False, "fixture: %r" % e)
    finally:
        failed = tap.failed
        for peer in peers:
            if peer.proc.poll() is None:
                peer.proc.kill()
            if failed:
                sys.stderr.write("---- %s\n%s\n" % (peer.name, peer.output()[-30000:]))
                for e in peer.stats().get("timeline", []):
                    sys.stderr.write("%(t)6.1f %(state)-10s target %(video_bitrate)7d "
                                     "sent %(send_video_bps)8.0f/%(send_audio_bps)6.0f "
                                     "recv %(recv_video_bps)8.0f/%(recv_audio_bps)6.0f "
                                     "loss %(video_loss)s/%(audio_loss)s rtt %(rtt)s\n"
                                     % e)
        if janus:
            janus.stop()
            if failed:
                sys.stderr.write("---- janus\n%s\n" % janus.logtext()[-4000:])
        if link:
            link.close()
        cleanup(root)
    tap.done()


if __name__ == "__main__":
    main()
