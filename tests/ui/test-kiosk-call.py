#!/usr/bin/python3
"""A live consultation from the real kiosk, with the district doctor in a real browser.

The hub (`nhip-hub serve`), Janus and coturn (from `nhip-hub live-config`) run as in
tests/live/test-live-e2e.py; the kiosk (`nhip-station --demo --kiosk`, test picture and
tone: NHIP_LIVE_SOURCES=test) runs in a private X server with the accessibility bus
(tests/ui/run-atspi.sh) and is driven over AT-SPI; the doctor is headless Chromium with a
fake camera and microphone on the hub's pages (tests/ui/doctor-page.cjs, step by step).
ICE does not use loopback addresses: everything runs in a network namespace with a veth
address (livetest.Namespace); the test re-runs itself inside it.

1. The nurse sends a visit as a case (Ask the district) and goes to the call screen from
   the Ask screen: its call button comes on once the case is delivered, and the call
   makes the hub's session wait for the doctor. The doctor
   joins from the case view: the kiosk says who it is in a call with and how good the
   connection is, the doctor's picture arrives (the picture's accessible description
   gives its size) and the station's own picture is there.
2. Chat both ways: the nurse's line reaches the doctor's page, the doctor's line the
   kiosk's chat; both are stored in the station's live_events.
3. The scale is plugged in during the call (the demo's simulated Tanita, nhip-devsim,
   started only now) and weighs the patient: the kiosk lists the reading as sent, the
   doctor's live vitals panel shows it, and it is stored with the visit.
4. Mute and camera off: the buttons are pressed and say what they do next; the doctor's
   browser receives no more sound energy while muted and no more video while the camera
   is off, and both again afterwards.
5. The doctor hangs up: the kiosk is back on the visit, the hub's session is ended.
6. The doctor calls about the same case from the case view: the kiosk's incoming-call
   banner shows it; "Accept the call" opens the call screen and the call connects; the
   nurse hangs up from the kiosk, which ends the session for the doctor too.

Usage (meson: suite ui, test ui-call; root; exit 77 without janus, turnserver,
chromium, node or the AT-SPI tools):
    test-kiosk-call.py NHIP-STATION BUILD-DIR
"""
import importlib.util
import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
HUB_TESTS = os.path.join(HERE, "..", "hub")
sys.path.insert(0, HERE)
sys.path.insert(0, HUB_TESTS)
sys.path.insert(0, os.path.join(HERE, "..", "live"))
from livetest import Namespace, usable  # noqa: E402
from nhiptest import (CHROMIUM, ENV, PASSWORD, Hub, add_doctor, free_port,  # noqa: E402
                      install_playwright)

ADDR = "10.201.0.1"
STATION_CODE = "TYT-CALL"
QUESTION = "Khó thở từ sáng, xin bác sĩ khám qua video"
CHAT_NURSE = "Bệnh nhân đã ngồi trước máy"
CHAT_DOCTOR = "Tôi thấy rõ. Cho bệnh nhân lên cân giúp tôi"
WEIGHT = 61.4
SCALE = "BC-545N"  # the model nhip-devsim's Tanita announces
STAFF, STAFF_PIN = "Y sĩ Lê Thị Hồng", "1234"
DOCTOR = "bs.lan"
# waits on the network and media (the suite also runs under ASan on two cores)
SLOW = 120


def outside(station, build):
    why = usable()
    if why is None:
        for tool in ("janus", "turnserver", "node", "npm"):
            if not shutil.which(tool):
                why = "%s is not installed (tools/dev installs it)" % tool
        if not os.access(CHROMIUM, os.X_OK):
            why = "Debian's chromium is not installed (tools/dev installs it)"
    if why:
        print("skipping: " + why)
        sys.exit(77)
    modules = install_playwright(build)  # before the namespace: npm needs the network
    ns = Namespace(ADDR)
    try:
        rc = subprocess.run(["ip", "netns", "exec", ns.name,
                             os.path.join(HERE, "run-atspi.sh"), os.path.abspath(__file__),
                             station, build, "--inside", modules]).returncode
    finally:
        ns.close()
    sys.exit(rc)


class Doctor:
    """tests/ui/doctor-page.cjs: one command at a time, its answer read back"""

    def __init__(self, modules, url, log_path):
        self.log = open(log_path, "w")
        config = {"url": url, "chromium": CHROMIUM}
        self.proc = subprocess.Popen(
            ["node", os.path.join(HERE, "doctor-page.cjs"), json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            env=dict(os.environ, NODE_PATH=modules))
        self.answers = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith("@@ "):
                self.answers.put(json.loads(line[3:]))
        self.answers.put({"ok": False, "error": "the browser script ended"})

    def do(self, op, timeout=60, **args):
        self.proc.stdin.write(json.dumps(dict(args, op=op)) + "\n")
        self.proc.stdin.flush()
        try:
            reply = self.answers.get(timeout=timeout + 30)
        except queue.Empty:
            raise atspi.Fail(f"the browser did not answer {op} within {timeout + 30} s")
        if not reply["ok"]:
            raise atspi.Fail(f"browser {op} {args}: {reply['error']}")
        return reply["value"]

    def wait(self, what, expression, timeout=SLOW):
        step_note(f"the doctor's page: {what}")
        return self.do("wait", timeout=timeout, expression=expression, ms=timeout * 1000)

    def media_until(self, what, predicate, timeout=SLOW, every=2.0):
        """samples the call's stats every `every` s until predicate(before, now) holds"""
        end = time.monotonic() + timeout
        before = self.do("media")
        while time.monotonic() < end:
            time.sleep(every)
            now = self.do("media")
            if before and now and predicate(before, now):
                print(f"#   {what}: {before} → {now}", flush=True)
                return now
            before = now
        raise atspi.Fail(f"timed out after {timeout} s waiting for {what} (last {before})")

    def close(self):
        errors = []
        if self.proc.poll() is None:
            try:
                errors = self.do("close", timeout=30)["errors"]
            except atspi.Fail:
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        return errors


def step_note(text):
    print(f"#   {text}", flush=True)


def inside(station, build, modules):
    workdir = tempfile.mkdtemp(prefix="nhip-ui-call-")
    os.chmod(workdir, 0o755)
    db = os.path.join(workdir, "station.db")
    nhipctl = os.path.join(build, "app", "nhipctl")
    steps = []
    procs = []
    hub = None
    doctor = None
    proc = None

    def step(text):
        steps.append(text)
        print(f"# {text}", flush=True)

    def sql(statement, *params):
        con = sqlite3.connect(db, timeout=30)
        try:
            return con.execute(statement, params).fetchall()
        finally:
            con.close()

    # the demo's devices: the oximeter stays idle; the scale is "plugged in" (its simulator
    # started, which the kiosk then opens) only when the test creates scale-on, and sends
    # one weight once the kiosk has opened it
    scale_on = os.path.join(workdir, "scale-on")
    scenario = os.path.join(workdir, "weigh-once.scenario")
    with open(scenario, "w") as f:
        f.write("# the patient steps on the scale\nwait 1500\nweight %.1f\n" % WEIGHT)
    devsim = os.path.join(workdir, "devsim.sh")
    with open(devsim, "w") as f:
        f.write("#!/bin/sh\n"
                "case \"$*\" in\n"
                "*tanita*) while [ ! -e '%s' ]; do sleep 0.2; done\n"
                "\texec '%s' --driver tanita --scenario '%s' ;;\n"
                "*) exec '%s' --driver cms50 --scenario idle ;;\n"
                "esac\n" % (scale_on, os.path.join(build, "devices", "devsim", "nhip-devsim"),
                            scenario, os.path.join(build, "devices", "devsim",
                                                   "nhip-devsim")))
    os.chmod(devsim, 0o755)

    try:
        hub = Hub(build, workdir, names=(ADDR,))
        add_doctor(hub, DOCTOR, "BS. Trần Thị Lan")
        web_port = free_port()
        ports, out = hub_live.live_config(hub, ADDR, web_port)
        assert out.returncode == 0, "nhip-hub live-config: " + out.stderr
        procs.append(hub_live.start_janus(workdir, hub))
        procs.append(hub_live.start_turn(workdir, hub))
        assert livetest.wait_for(lambda: hub_live.port_open(ports["admin"]) and
                                 hub_live.port_open(ports["janus"], ADDR) and
                                 hub_live.port_open(ports["turn"], ADDR), 30), \
            "Janus and coturn do not start"
        hub.start("%s:0" % ADDR, web="%s:%d" % (ADDR, web_port))
        url = "https://%s:%d" % (ADDR, hub.port)

        step("the kiosk starts, is enrolled with the hub, and a nurse logs in")
        proc, app = start_kiosk(station, db, {
            "NHIP_LIVE_SOURCES": "test", "NHIP_DEVSIM": devsim, "G_DEBUG": "fatal-criticals",
            "G_MESSAGES_DEBUG": "NhipStation NhipLive"})
        atspi.map_keys(QUESTION + CHAT_NURSE)
        out = subprocess.run([nhipctl, "--db", db, "enroll", "--hub", url, "--token",
                              hub.token(STATION_CODE), "--station", STATION_CODE],
                             env=ENV, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        with open(os.path.join(workdir, "identity", "hub.ini"), "a") as f:
            f.write("\n[sync]\nbackoff-base=1\nbackoff-cap=2\n")
        api = hub_live.StationApi(types.SimpleNamespace(dir=workdir, code=STATION_CODE),
                                  hub.port)
        home = log_in(app, STAFF, STAFF_PIN)

        step("a visit of today's queue is sent to the district and delivered")
        row = click_button(home, "a visit in progress", lambda n: n.endswith("in progress"),
                           showing(app, "Visit"))
        patient_name = row.split(" ", 1)[1].rsplit(",", 1)[0]
        visit = page(app, "NhipVisitPage")
        wait_for("the visit screen", lambda: labels(visit, lambda t: t == patient_name))
        visit_id = sql("SELECT v.id FROM visits v JOIN patients p ON p.id = v.patient_id "
                       "WHERE p.full_name = ? AND v.status = 'open'", patient_name)[0][0]
        click(find(visit, "Ask the district", "push button"))
        ask = page(app, "NhipAskPage")
        wait_for("the Ask screen", showing(app, "Ask the district"))
        tap(find(ask, "Question for the doctor", "text"))
        type_text(QUESTION)
        click(find(ask, "Send to the district", "push button"))
        wait_for("the case listed", lambda: find_all(
            ask, lambda a: a.getRoleName() == "push button" and patient_name in a.name))

        step("“Call the district doctor” on the Ask screen: on once the case is delivered")
        # at once, whether the sender has delivered the case yet or not: the call screen's
        # button comes on when it has
        click(find(ask, "Call the district doctor", "push button"))
        call = page(app, "NhipCallPage")
        start = wait_for("the call button, on once the case is at the hub", lambda: [
            a for a in find_all(call, lambda a: a.getRoleName() == "push button"
                                and a.name == "Call the district doctor")
            if atspi.is_sensitive(a)], SLOW)[0]
        packet_id, state = sql("SELECT packet_id, state FROM packets WHERE visit_id = ?",
                               visit_id)[0]
        assert state == "delivered", f"the call button is on for a case {state}"
        case = {c["packet_id"]: c["case"] for c in hub.cases()}[packet_id]

        step("the call: the hub's session waits for the doctor")
        click(start)
        sid = wait_for("the session noted by the kiosk", lambda: (sql(
            "SELECT session_id FROM live_sessions ORDER BY id DESC LIMIT 1") or [[None]])[0][0],
            SLOW)
        state = hub_state(api, sid)
        assert state == "waiting", f"the hub's session is {state}, not waiting"
        wait_for("“The doctor is not here yet”", lambda: labels(
            call, lambda t: t == "The doctor is not here yet"), SLOW)
        wait_for("“Waiting for the doctor…”", lambda: labels(
            call, lambda t: t == "Waiting for the doctor…"))
        print(f"#   session {sid}, state {state}", flush=True)

        step("the doctor joins from the case view: connected, in words, with pictures")
        doctor = Doctor(modules, "https://%s:%d" % (ADDR, web_port),
                        os.path.join(workdir, "browser.log"))
        doctor.do("login", user=DOCTOR, password=PASSWORD)
        doctor.do("goto", path="/cases/%d" % case)
        doctor.do("click", selector="#call-live", navigates=True)
        joined = doctor.wait("the session's descriptor",
                             "window.nhipLive && window.nhipLive.descriptor && "
                             "[window.nhipLive.descriptor.session_id, "
                             "window.nhipLive.descriptor.started_by]")
        assert joined == [sid, "station"], f"the doctor joined {joined}, not {sid}"
        wait_for("“In a call with bs.lan”", lambda: labels(
            call, lambda t: t == "In a call with " + DOCTOR), SLOW)
        quality = wait_for("the connection in words", lambda: labels(
            call, lambda t: t.startswith("Good connection")), SLOW)
        print("#   " + atspi.text_of(quality[0]), flush=True)
        remote = find(call, "The doctor's video", "image")
        text = wait_for("the doctor's picture", lambda: described(
            remote, "Picture from the doctor, "), SLOW)
        print("#   " + text, flush=True)
        mine = find(call, "This station's camera", "image")
        text = wait_for("the station's own picture", lambda: described(
            mine, "Picture from this station's camera, "), SLOW)
        print("#   " + text, flush=True)
        doctor.wait("connected", "window.nhipLive.state === 'connected'")
        doctor.media_until("the station's audio and video reach the doctor",
                           lambda a, b: b["video"] > a["video"] + 1000
                           and b["audio"] > a["audio"] + 1000 and b["framesDecoded"] > 0)
        assert hub_state(api, sid) == "active", hub_state(api, sid)

        step("chat both ways, stored in the station's live_events")
        entry = find(call, "Message to the doctor", "text")
        tap(entry)
        type_text(CHAT_NURSE)
        click(find(call, "Send", "push button"))
        wait_for("the nurse's line in the kiosk's chat", lambda: labels(
            call, lambda t: t == CHAT_NURSE))
        doctor.wait("the nurse's line", "Array.from(document.querySelectorAll("
                    "'#chat-log .text')).some((e) => e.textContent === %s)"
                    % json.dumps(CHAT_NURSE))
        doctor.do("fill", selector="#chat-text", text=CHAT_DOCTOR)
        doctor.do("click", selector="#chat-send")
        wait_for("the doctor's line in the kiosk's chat", lambda: labels(
            call, lambda t: t == CHAT_DOCTOR), SLOW)

        def chat_rows():
            return sql("SELECT e.sender, e.text FROM live_events e JOIN live_sessions s "
                       "ON e.session = s.id WHERE s.session_id = ? AND e.kind = 'chat' "
                       "ORDER BY e.id", sid)
        rows = wait_for("both lines stored", lambda: (
            lambda r: r if len(r) >= 2 else None)(chat_rows()), 60)
        assert ("station:" + STATION_CODE, CHAT_NURSE) in rows, rows
        assert ("doctor:" + DOCTOR, CHAT_DOCTOR) in rows, rows

        step("the scale is plugged in during the call: the weight reaches the doctor")
        with open(scale_on, "w"):
            pass
        sent = "Reading sent to the doctor: Weight %.1f kg, from %s" % (WEIGHT, SCALE)
        wait_for(f"“{sent}”", lambda: labels(call, lambda t: t == sent), SLOW)
        row = doctor.wait("the weight in the live vitals panel", """(() => {
            const r = document.querySelector('#vitals-body tr[data-code="weight"]');
            return r && r.cells[1].textContent.length > 0 &&
                Array.from(r.cells).map((c) => c.textContent); })()""")
        assert row[1].replace(",", ".").startswith("%.1f" % WEIGHT) and row[2] == SCALE, row
        print(f"#   the doctor's panel: {row}", flush=True)
        stored = wait_for("the weight stored with the visit", lambda: sql(
            "SELECT value FROM observations WHERE visit_id = ? AND device_model = ?",
            visit_id, SCALE), 60)
        assert abs(stored[0][0] - WEIGHT) < 0.05, stored
        vitals = sql("SELECT e.code, e.value, e.device FROM live_events e JOIN live_sessions s "
                     "ON e.session = s.id WHERE s.session_id = ? AND e.kind = 'vital'", sid)
        assert vitals == [("weight", WEIGHT, SCALE)], vitals

        step("mute: the button is pressed and says Unmute; the doctor hears nothing")
        click(toggle(call, "Mute"))
        mute = toggle(call, "Unmute")
        assert pressed(mute), "the mute button is not pressed"
        doctor.media_until("no sound energy while muted, the picture still flowing",
                           lambda a, b: b["energy"] - a["energy"] < 1e-6
                           and b["video"] > a["video"] + 1000, every=3)
        click(mute)
        mute = toggle(call, "Mute")
        assert not pressed(mute), "the mute button stays pressed"
        doctor.media_until("the sound again", lambda a, b: b["energy"] > a["energy"] + 1e-4)

        step("camera off: pressed, says Camera on; the doctor receives no video, then again")
        click(toggle(call, "Camera off"))
        camera = toggle(call, "Camera on")
        assert pressed(camera), "the camera button is not pressed"
        wait_for("the self view described as off", lambda: described(
            mine, "Camera off: the doctor does not see the station"))
        doctor.media_until("no video while the camera is off, the sound still flowing",
                           lambda a, b: b["video"] - a["video"] < 500
                           and b["audio"] > a["audio"] + 1000, every=3)
        click(camera)
        assert not pressed(toggle(call, "Camera off")), "the camera button stays pressed"
        doctor.media_until("the video again",
                           lambda a, b: b["video"] > a["video"] + 5000
                           and b["framesDecoded"] > a["framesDecoded"])
        wait_for("the station's own picture again", lambda: described(
            mine, "Picture from this station's camera, "), SLOW)

        step("the doctor hangs up: the kiosk is back on the visit, the session ended")
        doctor.do("click", selector="#hangup", navigates=True)
        wait_for("the visit screen again", showing(app, "Visit"), SLOW)
        wait_for("the visit of the call", lambda: labels(
            page(app, "NhipVisitPage"), lambda t: t == patient_name))
        state = hub_state(api, sid)
        assert state == "ended", f"the hub's session is {state}"
        wait_for("the end noted by the station", lambda: sql(
            "SELECT ended_at FROM live_sessions WHERE session_id = ?", sid)[0][0], 60)

        step("the doctor calls about the case: the kiosk's banner, Accept, connected")
        doctor.do("goto", path="/cases/%d" % case)
        doctor.do("click", selector="#call-live", navigates=True)
        sid2 = doctor.wait("a new session", "window.nhipLive && window.nhipLive.descriptor "
                           "&& window.nhipLive.descriptor.started_by === 'doctor' && "
                           "window.nhipLive.descriptor.session_id")
        assert sid2 != sid and hub_state(api, sid2) == "waiting", (sid2, hub_state(api, sid2))
        banner = "The district doctor is calling about case %s…" % packet_id[:8]
        # the banner's long poll waits 25 s at a time; the hub wakes it when the call opens
        wait_for(f"“{banner}”", lambda: labels(app, lambda t: t == banner), 60)
        click(find(app, "Accept the call", "push button"))
        # the same call screen as before (a walk of the whole window during a call can
        # take long under ASan: the screen's own labels are watched)
        wait_for("“In a call with bs.lan”", lambda: labels(
            call, lambda t: t == "In a call with " + DOCTOR), SLOW)
        remote = find(call, "The doctor's video", "image")
        wait_for("the doctor's picture", lambda: described(
            remote, "Picture from the doctor, "), SLOW)
        doctor.wait("connected", "window.nhipLive.state === 'connected'")
        assert hub_state(api, sid2) == "active", hub_state(api, sid2)

        step("the nurse hangs up: the session ends for the doctor too")
        click(find(call, "Hang up", "push button"))
        wait_for("the visit screen again", showing(app, "Visit"), SLOW)
        ended = doctor.wait("the doctor's page ended", "window.nhipLive.ended && "
                            "[window.nhipLive.state, document.getElementById('call-state')"
                            ".dataset.state]")
        assert ended == ["ended", "ended"], f"the doctor's page says {ended} after the end"
        assert wait_for("the hub's session ended",
                        lambda: hub_state(api, sid2) == "ended", 60)
        rows = sql("SELECT started_by, ended_at IS NOT NULL FROM live_sessions "
                   "WHERE visit_id = ? ORDER BY id", visit_id)
        assert rows == [("station", 1), ("doctor", 1)], rows
        errors = doctor.close()
        doctor = None
        assert not errors, f"errors in the doctor's page: {errors}"

        stop_kiosk(proc)
        proc = None
    except BaseException:
        screenshot_failure("ui-call-failure.png", workdir)
        for name in ("hub.log", "janus.log", "browser.log"):
            path = os.path.join(workdir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    print(f"# {name}:\n" + f.read()[-3000:], flush=True)
        raise
    finally:
        if doctor is not None:
            doctor.close()
        end_kiosk(proc)
        hub_live.stop_servers(procs)
        if hub is not None and hub.proc is not None and hub.proc.poll() is None:
            hub.kill(signal.SIGTERM)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(steps)} steps passed")


def hub_state(api, sid):
    status, body = api.req("GET", "/v1/live/sessions/" + sid)
    return body.get("state") if status == 200 and isinstance(body, dict) else "HTTP %d" % status


def described(acc, prefix):
    """the accessible description when it starts with prefix (read afresh, not cached)"""
    if hasattr(acc, "clear_cache"):
        acc.clear_cache()
    text = acc.description or ""
    return text if text.startswith(prefix) else None


def toggle(root, name):
    """a toggle button by its label (GTK 4.8 gives it the role of a push button)"""
    return wait_for(f"“{name}”", lambda: find_all(
        root, lambda a: a.getRoleName() in ("toggle button", "push button")
        and a.name == name))[0]


def pressed(acc):
    states = acc.getState()
    return states.contains(atspi.pyatspi.STATE_PRESSED) or \
        states.contains(atspi.pyatspi.STATE_CHECKED)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[3] == "--inside":
        # walks of the accessibility tree are slow during a call under ASan
        os.environ.setdefault("NHIP_ATSPI_TIMEOUT", "60")
        import atspi  # noqa: E402
        import livetest  # noqa: E402
        from atspi import click, find, find_all, page, tap, type_text, wait_for  # noqa: E402
        from kiosk import (click_button, end_kiosk, labels, log_in,  # noqa: E402
                           screenshot_failure, showing, start_kiosk, stop_kiosk)
        _spec = importlib.util.spec_from_file_location(
            "hub_live", os.path.join(HUB_TESTS, "test-live.py"))
        hub_live = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(hub_live)
        inside(sys.argv[1], sys.argv[2], sys.argv[4])
    else:
        outside(sys.argv[1], sys.argv[2])
