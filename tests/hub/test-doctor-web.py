#!/usr/bin/python3
# Nhịp hub — the doctors' pages end to end: a hub (its pages in Vietnamese, translated by
# vi.po with the fragments not yet merged into it), a doctor account, a station that sends a
# routine case and then an urgent one with a photo and HTML in the patient's name; a doctor
# in headless Chromium (tests/hub/web/doctor-web.cjs: playwright-core from the npm registry,
# installed by `npm ci` into the build folder) logs in, opens the case and answers; then
# the station's `nhipctl inbox` fetches, verifies and stores the answer and the outbox says
# answered. Also: no patient data in the hub's log.
#
# usage: test-doctor-web.py BUILD_DIR     (TAP; exit 77 without chromium, node or npm)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import http.client
import json
import os
import shutil
import signal
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from nhiptest import (CHROMIUM, ENV, PASSWORD, Hub, Station, Tap, add_doctor,  # noqa: E402
                      build_locale, cleanup, install_playwright, make_photo, run_browser,
                      tmpdir)

PATIENT = "<img src=x onerror=alert(document.domain)> Lò Thị <b>Mai</b>"
QUESTION = "Sốt cao 3 ngày, phát ban. Có cần chuyển tuyến không?"
ADVICE = "Chuyển tuyến ngay; truyền dịch trên đường đi."


def send_case(st, name, urgent, photo=None):
    pid = st.ctl_ok("patient", "add", "--name", name, "--dob", "1990-05-02",
                    "--sex", "female").strip().split()[-1]
    vid = st.ctl_ok("visit", "open", pid, "--reason", "sốt, phát ban").strip().split()[-1]
    st.ctl_ok("vitals", "add", vid, "--bp", "150/95", "--pulse", "88", "--temp", "39.2")
    st.ctl_ok("vitals", "add", vid, "--bp", "142/91", "--pulse", "96")
    args = ["--json", "case", "send", vid, "--question", QUESTION]
    if urgent:
        args.append("--urgent")
    if photo:
        args += ["--photo", photo]
    return json.loads(st.ctl_ok(*args))["packet_id"], vid


def web_status(port, method, path):
    """the status of one request to the pages (the test CA is not checked here)"""
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30,
                                       context=ssl._create_unverified_context())
    conn.request(method, path)
    status = conn.getresponse().status
    conn.close()
    return status


def main():
    build = sys.argv[1]
    tap = Tap()
    if not os.access(CHROMIUM, os.X_OK) or not shutil.which("node") or not shutil.which("npm"):
        tap.skip_all("needs Debian's chromium, node and npm (tools/dev installs them)")
    modules = install_playwright(build)
    root = tmpdir()
    hub = None
    try:
        env = dict(ENV, LANGUAGE="vi", NHIP_LOCALEDIR=build_locale(root))
        hub = Hub(build, root)
        add_doctor(hub, "bs.lan", "BS. Trần Thị Lan")
        add_doctor(hub, "bs.khoa", "BS. Lê Văn Khoa")
        hub.start(env=env)
        tap.ok(hub.web_port, "the hub serves the doctors' pages on a port of their own")
        st = Station(build, root, "TYT-WEB")
        st.enroll(hub, "https://127.0.0.1:%d" % hub.port)
        # the pages' listener is not the stations': no packet is taken there
        status = web_status(hub.web_port, "OPTIONS", "/v1/uploads")
        tap.ok(status in (404, 405), "the pages' listener knows nothing of uploads (%d)" % status)

        routine_pid, _ = send_case(st, "Nguyễn Văn An", False)
        photo = os.path.join(root, "rash.jpg")
        make_photo(st.fixture, photo, 200 * 1024)
        urgent_pid, visit = send_case(st, PATIENT, True, photo)
        st.ctl("sync", "--once", "--quiet")
        cases = {c["packet_id"]: c["case"] for c in hub.cases()}
        tap.ok(urgent_pid in cases and routine_pid in cases, "both cases reached the hub")

        config = {
            "url": "https://127.0.0.1:%d" % hub.web_port,
            "chromium": CHROMIUM,
            "user": "bs.lan",
            "lockedUser": "bs.khoa",
            "password": PASSWORD,
            "tries": 5,
            "urgentCase": cases.get(urgent_pid),
            "routineCase": cases.get(routine_pid),
            "patientName": PATIENT,
            "bp": "142/91",
            "pulse": "96",
            "question": QUESTION,
            "station": st.code,
            "advice": ADVICE,
            "screenshots": os.environ.get("NHIP_SCREENSHOTS"),
        }
        run_browser(tap, "doctor-web.cjs", config, modules, 20, 180)

        # the station fetches, verifies and stores the answer with the visit
        inbox = st.ctl("inbox", "--wait", "10", "--json")
        got = json.loads(inbox.stdout) if inbox.returncode == 0 else {}
        replies = [r for r in got.get("replies", []) if r.get("in_reply_to") == urgent_pid]
        tap.ok(len(replies) == 1 and replies[0]["text"] == ADVICE,
               "station: the doctor's answer arrived and verified")
        reply = replies[0] if replies else {}
        tap.ok(reply.get("doctor") == "BS. Trần Thị Lan" and reply.get("referral") is True and
               reply.get("urgency") == "urgent" and str(reply.get("visit_id")) == visit,
               "station: doctor, referral, urgency stored with the visit")
        box = st.outbox()
        tap.ok(box[urgent_pid]["state"] == "answered" and box[routine_pid]["state"] == "delivered",
               "station: the outbox says answered for the answered case only")
        text = st.ctl("inbox")
        tap.ok(text.returncode == 0 and ADVICE in text.stdout and "Referral: yes" in text.stdout,
               "station: nhipctl inbox shows the answer")

        log = hub.logtext()
        tap.ok("Lò Thị" not in log and "onerror" not in log and "Nguyễn Văn An" not in log and
               ADVICE not in log, "the hub's log holds no patient data")
        tap.ok("doctor 1 opened case %s" % cases.get(urgent_pid) in log,
               "the hub's log says which doctor opened which case")
        # a clean stop: under ASan the leak check runs at exit and fails the exit code
        rc = hub.kill(signal.SIGTERM)
        tap.ok(rc == 0, "the hub stops cleanly on SIGTERM (exit %d)" % rc)
    finally:
        if hub and hub.proc and hub.proc.poll() is None:
            hub.kill()
        if tap.failed and hub:
            for line in hub.logtext().splitlines()[-150:]:
                print("# hub: " + line)
        cleanup(root)
    tap.done()


if __name__ == "__main__":
    main()
