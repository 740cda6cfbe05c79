#!/usr/bin/env python3
# Nhịp — a live consultation through a real Janus: two `nhipctl live call` peers (test
# video and audio) join one VideoRoom room with tokens the way the hub mints them, and
# media must flow both ways (from webrtcbin's stats and decoded frames); a token that was
# not issued, or was issued for another case's room, is refused with a clear error; a
# hang-up ends the call cleanly on both sides. Under the sanitizer build every nhipctl
# must also exit without leaks.
#
# Peers and Janus run in a network namespace of their own: libnice gathers no loopback
# candidates.
#
# usage: test-live-call.py BUILD_DIR     (root; skipped with the reason otherwise)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from livetest import Janus, Namespace, Peer, Tap, cleanup, descriptor, tmpdir, usable  # noqa: E402


def main():
    build = sys.argv[1]
    tap = Tap()
    why = usable()
    if why:
        tap.skip_all(why)
    root = tmpdir()
    ns = None
    janus = None
    peers = []
    try:
        ns = Namespace()
        janus = Janus(root, ns.name, ns.addr, "nhd0")
        janus.start()
        for token in ("tok-station", "tok-doctor", "tok-other-case"):
            janus.add_token(token)
        janus.create_room(4101, ["tok-station", "tok-doctor"])
        janus.create_room(4102, ["tok-other-case"])

        # 1. two peers, media both ways
        station = Peer(build, root, "station", descriptor(janus, 4101, "tok-station",
                                                          "station:ST-01"), ns.name, seconds=16)
        peers.append(station)
        time.sleep(1)
        doctor = Peer(build, root, "doctor", descriptor(janus, 4101, "tok-doctor",
                                                        "doctor:bs.lan"), ns.name, seconds=14)
        peers.append(doctor)
        rc_doctor = doctor.wait()
        rc_station = station.wait()
        tap.ok(rc_station == 0 and rc_doctor == 0,
               "both peers end the call cleanly (exit %s and %s)" % (rc_station, rc_doctor))
        for peer, other in ((station, "doctor:bs.lan"), (doctor, "station:ST-01")):
            s = peer.stats()
            tap.ok(s.get("state") == "ended", "%s: the call ends as 'ended' (%s)"
                   % (peer.name, s.get("state")))
            tap.ok(s.get("video_bytes_received", 0) > 20000 and s.get("frames_received", 0) > 50,
                   "%s: video received (%s bytes, %s frames decoded)"
                   % (peer.name, s.get("video_bytes_received"), s.get("frames_received")))
            tap.ok(s.get("audio_bytes_received", 0) > 10000,
                   "%s: audio received (%s bytes)" % (peer.name, s.get("audio_bytes_received")))
            tap.ok(s.get("video_bytes_sent", 0) > 20000 and s.get("audio_bytes_sent", 0) > 10000,
                   "%s: audio and video sent (%s + %s bytes)"
                   % (peer.name, s.get("video_bytes_sent"), s.get("audio_bytes_sent")))
            tap.ok(other + " joined" in peer.output(), "%s: sees %s join" % (peer.name, other))
            tap.ok(s.get("first_frame_ms", -1) >= 0, "%s: first remote frame after %s ms"
                   % (peer.name, s.get("first_frame_ms")))
        tap.ok("the other participant left" in station.output(),
               "the station sees the doctor hang up")

        # 2. tokens that were not issued for this room
        stranger = Peer(build, root, "stranger", descriptor(janus, 4101, "never-issued",
                                                            "station:ST-99"), ns.name)
        peers.append(stranger)
        rc = stranger.wait(60)
        out = stranger.output()
        tap.ok(rc == 7 and "refused this session's token" in out,
               "a token Janus never issued is refused (exit %s): %s"
               % (rc, out.strip().splitlines()[-1] if out.strip() else ""))
        other = Peer(build, root, "other-case", descriptor(janus, 4101, "tok-other-case",
                                                           "station:ST-02"), ns.name)
        peers.append(other)
        rc = other.wait(60)
        out = other.output()
        tap.ok(rc == 7 and "refused this session's token" in out,
               "another case's token cannot join this room (exit %s): %s"
               % (rc, out.strip().splitlines()[-1] if out.strip() else ""))

        # 3. hang up in the middle of a call (SIGTERM = the hang-up button)
        station = Peer(build, root, "station2", descriptor(janus, 4101, "tok-station",
                                                           "station:ST-01"), ns.name, seconds=60)
        doctor = Peer(build, root, "doctor2", descriptor(janus, 4101, "tok-doctor",
                                                         "doctor:bs.lan"), ns.name, seconds=60)
        peers += [station, doctor]
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30 and station.stats().get("frames_received", 0) < 20:
            time.sleep(0.5)
        rc = station.stop()
        tap.ok(rc == 0 and station.stats().get("state") == "ended",
               "the station hangs up mid-call and exits cleanly (exit %s)" % rc)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 20 and "the other participant left" not in doctor.output():
            time.sleep(0.5)
        tap.ok("the other participant left" in doctor.output(),
               "the doctor's side sees the station leave")
        rc = doctor.stop()
        tap.ok(rc == 0, "the doctor hangs up too (exit %s)" % rc)
    except Exception as e:  # a broken fixture is a failure, with what it said
        tap.ok(False, "fixture: %r" % e)
    finally:
        failed = tap.failed
        for peer in peers:
            if peer.proc.poll() is None:
                peer.proc.kill()
            if failed:
                sys.stderr.write("---- %s\n%s\n" % (peer.name, peer.output()[-4000:]))
        if janus:
            janus.stop()
            if failed:
                sys.stderr.write("---- janus\n%s\n" % janus.logtext()[-3000:])
        if ns:
            ns.close()
        cleanup(root)
    tap.done()


if __name__ == "__main__":
    main()
