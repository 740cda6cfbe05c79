#!/usr/bin/python3
# Nhịp — the doctor's page when a live call carries sound only. The real station
# (`nhipctl live call PACKET_ID`: GStreamer, moving test video, test audio) and the doctor's
# page in headless Chromium (fake camera and microphone, tests/hub/web/live-audio-only.cjs)
# each sit in a network namespace of their own, joined by veth pairs to a bridge in the
# hub's namespace, where the hub (`nhip-hub init` + `live-config`), Janus and coturn run
# from the files live-config wrote. Then:
#   1. the station's uplink is squeezed to 64 kbit/s with tbf (no netem in this kernel; see
#      transport.md): the station falls back to audio only and says so (its "audio-only"
#      event), and the doctor's page shows the notice instead of the frozen picture, in
#      Vietnamese, while the station's sound keeps arriving (getStats()) and the hub's
#      session stays active;
#   2. the limit is lifted: the station sends video again, the notice goes and frames are
#      decoded again on the page;
#   3. the doctor's own uplink is squeezed: the page keeps the call, shows that the
#      doctor's connection is weak, the station's sound still arrives, and the station
#      still receives the doctor's voice (its --stats-json); lifted, the page says the
#      connection is good again;
#   4. the doctor hangs up: the station's call ends cleanly, the hub's session is ended.
# No timing is asserted: each step waits generously for the next (CI runs this on two
# cores, and again with the station built with the sanitizers).
#
# usage: test-live-audio-only.py BUILD_DIR   (TAP; root; exit 77 without janus, turnserver,
#        chromium, node or tc)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HUB_TESTS = os.path.join(HERE, "..", "hub")
sys.path.insert(0, HERE)
sys.path.insert(0, HUB_TESTS)
from livetest import Star, usable  # noqa: E402
from nhiptest import (CHROMIUM, ENV, PASSWORD, Tap, cleanup,  # noqa: E402
                      install_playwright, run_browser, tmpdir, wait_for)

# the hub side's fixtures (media servers, the station's mutual-TLS client, a case)
_spec = importlib.util.spec_from_file_location("hub_live", os.path.join(HUB_TESTS,
                                                                       "test-live.py"))
hub_live = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hub_live)
_spec = importlib.util.spec_from_file_location("live_e2e", os.path.join(HERE,
                                                                       "test-live-e2e.py"))
live_e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(live_e2e)

KBIT = 64             # the squeezed uplink, as in test-live-adapt
UP_WITHIN = 120       # generous waits (seconds): the sanitizers make everything slower
AUDIO_ONLY_WITHIN = 150
STEP_WITHIN = 240
# the station tries video again after 20 s of a clear link (40 s after an attempt that did
# not last); under the sanitizers on a busy machine its round-trip times jitter enough to
# hold it back for minutes (seen: 320 s)
VIDEO_BACK_WITHIN = 600


class Steps:
    """the test and the browser script take turns through files in one folder: each side
    marks what it has done and waits for the other's marks"""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def mark(self, name):
        with open(os.path.join(self.folder, name), "w"):
            pass

    def wait(self, name, timeout):
        return wait_for(lambda: os.path.exists(os.path.join(self.folder, name)), timeout, 0.5)


def outside(build):
    tap = Tap()
    why = usable()
    if why:
        tap.skip_all(why)
    for tool in ("janus", "turnserver", "tc"):
        if not shutil.which(tool):
            tap.skip_all("%s is not installed (tools/dev installs it)" % tool)
    if not os.access(CHROMIUM, os.X_OK) or not shutil.which("node") or not shutil.which("npm"):
        tap.skip_all("needs Debian's chromium, node and npm (tools/dev installs them)")
    modules = install_playwright(build)  # before the namespaces: npm needs the network
    star = Star(["station", "doctor"])
    try:
        rc = subprocess.run(["ip", "netns", "exec", star.hub, sys.executable,
                             os.path.abspath(__file__), build, "--inside", modules,
                             json.dumps(star.describe())]).returncode
    finally:
        star.close()
    sys.exit(rc)


def stats(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def inside(build, modules, topology):
    tap = Tap()
    star = Star.described(topology)   # the namespaces outside() made
    addr = star.hub_addr
    root = tmpdir()
    os.chmod(root, 0o755)
    procs = []
    call = None
    thread = None
    squeezed = set()
    started = time.monotonic()
    steps = Steps(os.path.join(root, "steps"))
    try:
        # the station in its own namespace, enrolled, its case at the hub
        _, web_port, st, pid, case, api = live_e2e.hub_with_case(
            tap, build, root, addr, procs, "TYT-AO", ns=star.namespace("station"))

        # the station calls; it gives up video after 6 s of a congested link at its lowest
        # bitrate and tries again after 20 s of a clear one (--recover-after): long enough
        # for the doctor's page to be looked at while it is audio only
        stats_path = os.path.join(root, "station-stats.json")
        call_out = os.path.join(root, "nhipctl-live.txt")
        call = subprocess.Popen(
            st.argv("live", "call", pid, "--video", "motion", "--audio", "test",
                    "--audio-out", "none", "--seconds", "1200", "--stats-json", stats_path,
                    "--audio-only-after", "6", "--recover-after", "20"),
            stdout=open(call_out, "w"), stderr=subprocess.STDOUT,
            env=dict(ENV, G_MESSAGES_DEBUG="NhipLive"))
        sid = wait_for(lambda: live_e2e.station_session(st), 60, 0.2)
        tap.ok(sid is not None, "nhipctl asked the hub for the session: %s" % sid)

        config = {
            "url": "https://%s:%d" % (addr, web_port),
            "chromium": CHROMIUM,
            "user": "bs.lan",
            "password": PASSWORD,
            "case": case,
            "sessionId": sid,
            "steps": steps.folder,
            "stepWithin": STEP_WITHIN,
            "videoBackWithin": VIDEO_BACK_WITHIN,
            "screenshots": os.environ.get("NHIP_SCREENSHOTS"),
        }
        browser_checks = live_e2e.Deferred()

        def doctor():
            run_browser(browser_checks, "live-audio-only.cjs", config, modules, 14, 1500,
                        ns=star.namespace("doctor"))

        thread = threading.Thread(target=doctor, daemon=True)
        thread.start()
        tap.ok(wait_for(lambda: live_e2e.hub_state(api, sid) == "active", UP_WITHIN, 0.5),
               "the session becomes active once the doctor joins (%s)"
               % live_e2e.hub_state(api, sid))
        tap.ok(steps.wait("call-up", UP_WITHIN + 60),
               "the doctor's page has the station's picture and sound")
        s = stats(stats_path)
        tap.ok(s.get("state") == "active" and s.get("video_bytes_sent", 0) > 20000,
               "before the squeeze the station sends video (%s bytes, %s)"
               % (s.get("video_bytes_sent"), s.get("state")))

        # 1. the station's uplink squeezed
        star.squeeze("station", KBIT)
        squeezed.add("station")
        at = time.monotonic()
        went = wait_for(lambda: stats(stats_path).get("state") == "audio-only",
                        AUDIO_ONLY_WITHIN, 0.5)
        tap.ok(went, "squeezed to %d kbit/s, the station falls back to audio only (after "
               "%.0f s)" % (KBIT, time.monotonic() - at))
        steps.mark("station-audio-only")
        seen = steps.wait("audio-only-seen", STEP_WITHIN)
        tap.ok(seen, "the doctor's page has shown the station's audio-only phase")
        state = live_e2e.hub_state(api, sid)
        tap.ok(state == "active", "meanwhile the hub's session stays active (%s)" % state)

        # 2. lifted: video comes back at the station, then on the page
        star.lift("station")
        squeezed.discard("station")
        lifted = time.monotonic()

        def video_again():
            last = (stats(stats_path).get("timeline") or [{}])[-1]
            return last.get("mono", 0) > lifted and last.get("state") == "active" and \
                last.get("send_video_bps", 0) > 50000

        back = wait_for(video_again, VIDEO_BACK_WITHIN, 1)
        tap.ok(back, "the limit lifted, the station sends video again (after %.0f s)"
               % (time.monotonic() - lifted))
        steps.mark("station-video")
        tap.ok(steps.wait("video-seen", STEP_WITHIN),
               "the doctor's page has shown the station's picture again")

        # 3. the doctor's own uplink squeezed
        star.squeeze("doctor", KBIT)
        squeezed.add("doctor")
        steps.mark("doctor-squeezed")
        weak = steps.wait("doctor-weak-seen", STEP_WITHIN)
        tap.ok(weak, "the doctor's page has rated its own link weak")
        before = stats(stats_path).get("audio_bytes_received", 0)
        time.sleep(12)   # about six of the station's 2-s stats rounds
        after = stats(stats_path).get("audio_bytes_received", 0)
        tap.ok(after > before + 2000,
               "with the doctor's uplink squeezed the station still receives the doctor's "
               "voice (%d → %d bytes)" % (before, after))
        state = live_e2e.hub_state(api, sid)
        tap.ok(state == "active", "and the hub's session stays active (%s)" % state)
        steps.mark("doctor-checked")
        steps.wait("doctor-done", STEP_WITHIN)
        star.lift("doctor")
        squeezed.discard("doctor")
        steps.mark("doctor-lifted")

        # 4. the doctor hangs up once the page has seen the link good again
        steps.wait("hung-up", STEP_WITHIN + 60)
        thread.join(600)
        tap.ok(not thread.is_alive() and browser_checks.results,
               "the browser script has finished")
        rc = call.wait(90)
        s = stats(stats_path)
        tap.ok(rc == 0 and s.get("state") == "ended",
               "the doctor's hang-up ends the station's call: exit %s, %s" % (rc, s.get("state")))
        timeline = s.get("timeline", [])
        up = [i for i, e in enumerate(timeline) if e["state"] == "active"]
        states = sorted({e["state"] for e in timeline[up[0]:-1]}) if up else []
        tap.ok(up and set(states) <= {"active", "audio-only"},
               "the call was never dropped on the station's side (states: %s; %s fallbacks, "
               "%.0f s audio only)" % (states, s.get("audio_only_switches"),
                                       s.get("audio_only_seconds") or 0))
        state = live_e2e.hub_state(api, sid)
        tap.ok(state == "ended", "the hub's session is ended (%s)" % state)
        for ok, what in browser_checks.results:
            tap.ok(ok, what)
        print("# the test took %.0f s" % (time.monotonic() - started))
    except Exception as e:  # a broken fixture is a failure, with what it said
        tap.ok(False, "fixture: %r" % e)
    finally:
        for peer in squeezed:
            star.lift(peer)
        if call is not None and call.poll() is None:
            call.kill()
            call.wait()
        if thread is not None and thread.is_alive():
            steps.mark("abort")
            thread.join(120)
        hub_live.stop_servers(procs)
        if tap.failed:
            hub_live.print_logs(root, ("nhipctl-live.txt", "hub.log", "janus.log"))
            for e in stats(os.path.join(root, "station-stats.json")).get("timeline", []):
                print("# %(t)6.1f %(state)-10s target %(video_bitrate)7d "
                      "sent %(send_video_bps)8.0f/%(send_audio_bps)6.0f "
                      "recv %(recv_video_bps)8.0f/%(recv_audio_bps)6.0f "
                      "loss %(video_loss)s/%(audio_loss)s rtt %(rtt)s" % e)
        cleanup(root)
    tap.done()


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[2] == "--inside":
        inside(sys.argv[1], sys.argv[3], json.loads(sys.argv[4]))
    else:
        outside(sys.argv[1])
