#!/usr/bin/python3
# Nhịp — a live consultation end to end, the real station with the real doctor's page:
# `nhip-hub init` + `live-config`, Janus and coturn started from the files it wrote, the
# hub serving; a station enrolled with `nhipctl enroll` sends a case (`case send` +
# `sync --once`); then the station calls with `nhipctl live call PACKET_ID` (its own
# GStreamer client, test video and audio, the descriptor asked from the hub over mutual
# TLS, a chat line, and a scale simulated by nhip-devsim on a pseudo-terminal read by the
# device manager as the kiosk does), and the doctor joins from the case view in headless
# Chromium (tests/hub/web/live-e2e.cjs). Checked:
#   1. RTP both ways: the station's --stats-json shows the doctor's audio and video
#      received and decoded, the doctor's getStats() shows the station's bytes growing;
#   2. chat both ways: the station's --chat line on the doctor's page, the doctor's line
#      printed by nhipctl and stored in the station's live_events for the session;
#   3. the weight the scale sends during the call reaches the doctor's live vitals panel;
#   4. the hub's session goes waiting → active → ended (the doctor hangs up: nhipctl ends
#      its call by itself), and the case view shows the transcript and the reading.
# ICE does not use loopback addresses: everything runs in a network namespace with a veth
# address (livetest.Namespace); the test re-runs itself inside it.
#
# usage: test-live-e2e.py BUILD_DIR   (TAP; root; exit 77 without janus, turnserver,
#        chromium or node)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import importlib.util
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HUB_TESTS = os.path.join(HERE, "..", "hub")
sys.path.insert(0, HERE)
sys.path.insert(0, HUB_TESTS)
from livetest import Namespace, usable  # noqa: E402
from nhiptest import (CHROMIUM, ENV, PASSWORD, Hub, Station, Tap, add_doctor,  # noqa: E402
                      build_locale, cleanup, free_port, install_playwright, run_browser,
                      tmpdir, wait_for)

# the hub side's fixtures (media servers, the station's mutual-TLS client, a case)
_spec = importlib.util.spec_from_file_location("hub_live", os.path.join(HUB_TESTS,
                                                                       "test-live.py"))
hub_live = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hub_live)

ADDR = "10.201.0.1"
CHAT_STATION = "Trạm y tế: bệnh nhân đã ngồi trước máy, nghe rõ không ạ?"
CHAT_DOCTOR = "Nghe rõ. Cho bệnh nhân lên cân giúp tôi"
WEIGHT = "61.4"
SCALE = "BC-545N"          # the model nhip-devsim's Tanita announces
VITAL_WAIT_S = 120         # how long the reading may take to reach each side


def outside(build):
    tap = Tap()
    why = usable()
    if why:
        tap.skip_all(why)
    for tool in ("janus", "turnserver"):
        if not shutil.which(tool):
            tap.skip_all("%s is not installed (tools/dev installs it)" % tool)
    if not os.access(CHROMIUM, os.X_OK) or not shutil.which("node") or not shutil.which("npm"):
        tap.skip_all("needs Debian's chromium, node and npm (tools/dev installs them)")
    modules = install_playwright(build)  # before the namespace: npm needs the network
    ns = Namespace(ADDR)
    try:
        rc = subprocess.run(["ip", "netns", "exec", ns.name, sys.executable,
                             os.path.abspath(__file__), build, "--inside", modules]).returncode
    finally:
        ns.close()
    sys.exit(rc)


def hub_state(api, sid):
    status, body = api.req("GET", "/v1/live/sessions/" + sid)
    return body.get("state") if status == 200 and isinstance(body, dict) else "HTTP %d" % status


def station_session(st):
    """the session id nhipctl noted with the visit once the hub gave it the descriptor"""
    try:
        rows = st.sql("SELECT session_id FROM live_sessions ORDER BY id DESC LIMIT 1")
    except sqlite3.Error:
        return None
    return rows[0][0] if rows else None


def hub_with_case(tap, build, root, addr, procs, code, ns=None):
    """the hub side of a call as deployed: `nhip-hub init` + `live-config`, Janus and coturn
    from the files it wrote, the hub serving its pages in Vietnamese on ADDR (each process
    added to PROCS for hub_live.stop_servers()); then a station CODE (in the network
    namespace NS when given) enrolled, whose case reached the hub.
    Returns (hub, web port, station, packet id, case id, the station's StationApi)"""
    env = dict(ENV, LANGUAGE="vi", NHIP_LOCALEDIR=build_locale(root))
    hub = Hub(build, root, names=(addr,))
    add_doctor(hub, "bs.lan", "BS. Trần Thị Lan")
    web_port = free_port()
    ports, out = hub_live.live_config(hub, addr, web_port)
    tap.ok(out.returncode == 0, "nhip-hub live-config%s" %
           ("" if out.returncode == 0 else ": " + out.stderr))
    procs.append(hub_live.start_janus(root, hub))
    procs.append(hub_live.start_turn(root, hub))
    tap.ok(wait_for(lambda: hub_live.port_open(ports["admin"]) and
                    hub_live.port_open(ports["janus"], addr) and
                    hub_live.port_open(ports["janus-tls"], addr) and
                    hub_live.port_open(ports["turn"], addr), 30),
           "Janus and coturn run from live-config's files")
    hub.start("%s:0" % addr, web="%s:%d" % (addr, web_port), env=env)
    procs.append((hub.proc, hub.log))
    st = Station(build, root, code, ns=ns)
    st.enroll(hub, "https://%s:%d" % (addr, hub.port))
    pid = hub_live.send_case(st, hub_live.PATIENT)
    st.ctl_ok("sync", "--once", "--quiet")
    cases = {c["packet_id"]: c["case"] for c in hub.cases()}
    tap.ok(pid in cases, "the station's case reached the hub")
    return hub, web_port, st, pid, cases.get(pid), hub_live.StationApi(st, hub.port)


def inside(build, modules):
    tap = Tap()
    root = tmpdir()
    os.chmod(root, 0o755)
    procs = []
    hub = None
    call = None
    devsim = None
    started = time.monotonic()
    try:
        hub, web_port, st, pid, case, api = hub_with_case(tap, build, root, ADDR, procs,
                                                          "TYT-E2E")

        # the scale: a Tanita on a pseudo-terminal, stepped on during the call
        scenario = os.path.join(root, "weigh-during-call.scenario")
        with open(scenario, "w") as f:
            f.write("# the patient steps on the scale when the test cues it, once the doctor "
                    "is in the call\ncue\nweight %s\n" % WEIGHT)
        devsim = subprocess.Popen([os.path.join(build, "devices", "devsim", "nhip-devsim"),
                                   "--driver", "tanita", "--scenario", scenario],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        pty = devsim.stdout.readline().strip()
        tap.ok(pty.startswith("/dev/pts/"), "nhip-devsim's scale is on %s" % pty)

        # the station calls about its case
        stats_path = os.path.join(root, "station-stats.json")
        call_out = os.path.join(root, "nhipctl-live.txt")
        t_call = time.monotonic()
        call = subprocess.Popen(
            st.argv("live", "call", pid, "--video", "test", "--audio", "test",
                    "--audio-out", "none", "--seconds", "150", "--stats-json", stats_path,
                    "--chat", CHAT_STATION, "--device", "tanita:" + pty),
            stdout=open(call_out, "w"), stderr=subprocess.STDOUT,
            env=dict(ENV, G_MESSAGES_DEBUG="NhipLive"))

        def call_text():
            with open(call_out, errors="replace") as f:
                return f.read()

        sid = wait_for(lambda: station_session(st), 30, 0.2)
        tap.ok(sid is not None, "nhipctl asked the hub for the session: %s" % sid)
        state = hub_state(api, sid) if sid else None
        tap.ok(state == "waiting", "the session waits for the doctor (%s)" % state)

        # the doctor, in Chromium, alongside; the states and the station are watched here
        flag = os.path.join(root, "hang-up-now")
        config = {
            "url": "https://%s:%d" % (ADDR, web_port),
            "chromium": CHROMIUM,
            "user": "bs.lan",
            "password": PASSWORD,
            "case": case,
            "sessionId": sid,
            "chatStation": CHAT_STATION,
            "chatDoctor": CHAT_DOCTOR,
            "vitalCode": "weight",
            "vitalPattern": WEIGHT.replace(".", "[.,]"),
            "vitalWait": VITAL_WAIT_S,
            "device": SCALE,
            "hangupFlag": flag,
            "screenshots": os.environ.get("NHIP_SCREENSHOTS"),
        }
        browser_checks = Deferred()

        def doctor():
            run_browser(browser_checks, "live-e2e.cjs", config, modules, 13, 300)

        thread = threading.Thread(target=doctor)
        thread.start()
        mine = []
        active = wait_for(lambda: hub_state(api, sid) == "active", 90, 0.5)
        mine.append((active, "the session becomes active once the doctor joins (%s)"
                     % hub_state(api, sid)))
        # the patient steps on the scale once the station sees the doctor
        wait_for(lambda: "doctor:bs.lan joined" in call_text(), 90, 0.5)
        devsim.send_signal(signal.SIGUSR1)
        got = wait_for(lambda: st.sql(
            "SELECT e.sender FROM live_events e JOIN live_sessions s ON e.session = s.id "
            "WHERE s.session_id = ? AND e.kind = 'chat' AND e.text = ?", sid, CHAT_DOCTOR),
            VITAL_WAIT_S, 0.5)
        mine.append((got and got[0][0] == "doctor:bs.lan",
                     "the doctor's chat line is stored in the station's live_events (%s)" % got))
        mine.append(("doctor:bs.lan: " + CHAT_DOCTOR in call_text(),
                     "nhipctl prints the doctor's chat line"))
        weighed = wait_for(lambda: "sent to the doctor" in call_text(),
                           VITAL_WAIT_S, 0.5)
        text = call_text()
        joined = re.search(r"\[ *([0-9.]+) s\] doctor:bs\.lan joined", text)
        sent = re.search(r"\[ *([0-9.]+) s\] reading from %s sent to the doctor" % SCALE, text)
        mine.append((weighed and joined and sent and
                     float(sent.group(1)) > float(joined.group(1)),
                     "nhipctl sent the scale's reading to the doctor during the call "
                     "(the doctor joined at %s s, the reading went at %s s)"
                     % (joined and joined.group(1), sent and sent.group(1))))
        # the doctor hangs up once the station has had a fair share of the doctor's media
        # (on a loaded machine the first picture can take half a minute)
        wait_for(lambda: received_enough(stats_path), 120, 1)
        with open(flag, "w"):
            pass
        thread.join(330)
        rc = call.wait(60)
        took = time.monotonic() - t_call
        for ok, what in mine:
            tap.ok(ok, what)

        # what the station measured of the doctor's media
        with open(stats_path) as f:
            s = json.load(f)
        tap.ok(rc == 0 and s.get("state") == "ended",
               "the doctor's hang-up ends the station's call: exit %s, %s, %.0f s"
               % (rc, s.get("state"), took))
        tap.ok(s.get("video_bytes_received", 0) > 20000 and s.get("frames_received", 0) > 50,
               "the station received and decoded the doctor's video (%s bytes, %s frames)"
               % (s.get("video_bytes_received"), s.get("frames_received")))
        tap.ok(s.get("audio_bytes_received", 0) > 10000,
               "the station received the doctor's audio (%s bytes)" % s.get("audio_bytes_received"))
        tap.ok(s.get("remote") is None and "doctor:bs.lan" in call_text(),
               "the station saw doctor:bs.lan join and leave")
        tap.ok(s.get("first_frame_ms", -1) >= 0,
               "the station's first picture from the doctor after %s ms" % s.get("first_frame_ms"))
        state = hub_state(api, sid)
        tap.ok(state == "ended", "the hub's session is ended (%s)" % state)
        rows = st.sql("SELECT kind, sender, code, value, device FROM live_events e "
                      "JOIN live_sessions s ON e.session = s.id WHERE s.session_id = ? "
                      "AND e.kind = 'vital'", sid)
        tap.ok(rows == [("vital", "station:TYT-E2E", "weight", float(WEIGHT), SCALE)],
               "the station keeps the reading it sent with the session: %s" % rows)
        rows = st.sql("SELECT sender FROM live_events e JOIN live_sessions s "
                      "ON e.session = s.id WHERE s.session_id = ? AND e.kind = 'chat' "
                      "AND e.text = ?", sid, CHAT_STATION)
        tap.ok(rows == [("station:TYT-E2E",)],
               "the station keeps its own chat line, from itself: %s" % rows)
        ended = st.sql("SELECT ended_at FROM live_sessions WHERE session_id = ?", sid)
        tap.ok(ended and ended[0][0] is not None, "the station noted the end of the session")

        for ok, what in browser_checks.results:
            tap.ok(ok, what)
        print("# the test took %.0f s, the call %.0f s" % (time.monotonic() - started, took))
    except Exception as e:  # a broken fixture is a failure, with what it said
        tap.ok(False, "fixture: %r" % e)
    finally:
        if call is not None and call.poll() is None:
            call.kill()
            call.wait()
        if devsim is not None and devsim.poll() is None:
            devsim.terminate()
            devsim.wait()
        hub_live.stop_servers(procs)
        if hub and hub.proc and hub.proc.poll() is None:
            hub.kill(signal.SIGTERM)
        if tap.failed:
            hub_live.print_logs(root, ("nhipctl-live.txt", "hub.log", "janus.log"))
        cleanup(root)
    tap.done()


def received_enough(stats_path):
    """the station's stats file (rewritten every 2 s) shows the doctor's video and audio"""
    try:
        with open(stats_path) as f:
            s = json.load(f)
    except (OSError, ValueError):
        return False
    return (s.get("video_bytes_received", 0) > 20000 and s.get("frames_received", 0) > 50
            and s.get("audio_bytes_received", 0) > 10000)


class Deferred:
    """the browser's checks (it runs in a thread), numbered after the test's own"""

    def __init__(self):
        self.results = []

    def ok(self, cond, what):
        self.results.append((bool(cond), what))
        return cond


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[2] == "--inside":
        inside(sys.argv[1], sys.argv[3])
    else:
        outside(sys.argv[1])
