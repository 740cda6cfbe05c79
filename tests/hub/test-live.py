#!/usr/bin/python3
# Nhịp hub — live consultations end to end, with the real media servers started here:
# `nhip-hub init` and `live-config`, Janus 1.1.2 (VideoRoom, HTTP transport, stored tokens)
# and coturn 4.6 from the files live-config wrote, the hub, two enrolled stations that each
# send a case (`nhipctl case send` + `sync`), then
#   (a) the API: sessions over the stations' mutual-TLS listener and the doctors' pages
#       (descriptor shape, 403 for another station, 404, 400), a real Janus join over its
#       HTTP API with one case's token refused in another case's room, the TURN REST
#       credential's HMAC, events both ways with long-polls that wait and wake, the
#       invitations long-poll, hang-up (tokens gone from Janus, events refused), and no
#       chat text, reading or patient name in the hub's log;
#   (b) media (SQLite run only): the doctor in headless Chromium with fake camera and
#       microphone on the live page, and a stand-in for the station (see web/live.cjs)
#       until the station's GStreamer side lands; RTP both ways from getStats(), chat both
#       ways, a reading from the station in the live vitals panel, the transcript on the
#       case view after hang-up; then the same through coturn only (iceTransportPolicy
#       "relay", the selected candidate pairs are relays).
# ICE does not use loopback addresses, so everything runs in a network namespace of its own
# with a veth pair (10.201.0.1 and 10.201.0.2): the test re-runs itself inside it.
#
# usage: test-live.py BUILD_DIR sqlite|postgresql   (TAP; root; exit 77 without janus,
#        turnserver, chromium or node)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from nhiptest import (CHROMIUM, ENV, PASSWORD, Hub, Postgres, Station, Tap,  # noqa: E402
                      add_doctor, build_locale, cleanup, free_port, install_playwright,
                      run_browser, tmpdir, wait_for)

HUB_ADDR = "10.201.0.1"
PEER_ADDR = "10.201.0.2"
CHAT_STATION = "Bệnh nhân khó thở hơn từ sáng"
CHAT_DOCTOR = "Cho bệnh nhân ngồi dậy, đo lại SpO₂ giúp tôi"
DEVICE = "Contec CMS50D+"
PATIENT = "Phạm Thị Hoa"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


# ----- outside: the namespace -----

def outside(build, backend):
    tap = Tap()
    if os.geteuid() != 0:
        tap.skip_all("needs root for a network namespace (CI runs as root)")
    for tool in ("janus", "turnserver"):
        if not shutil.which(tool):
            tap.skip_all("%s is not installed (tools/dev installs it)" % tool)
    modules = None
    if backend == "sqlite":
        if not os.access(CHROMIUM, os.X_OK) or not shutil.which("node") or \
                not shutil.which("npm"):
            tap.skip_all("needs Debian's chromium, node and npm (tools/dev installs them)")
        # before the namespace: npm needs the network
        modules = install_playwright(build)
    if backend == "postgresql" and not os.path.exists(Postgres.BIN + "/initdb"):
        tap.skip_all("PostgreSQL 15 is not installed")
    ns = "nhlive%d" % (os.getpid() % 100000)
    out = sh("ip", "netns", "add", ns, check=False)
    if out.returncode != 0:
        tap.skip_all("ip netns does not work here: " + out.stderr.strip())
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "link", "add", "lv0", "type", "veth", "peer", "name", "lv1")
        sh("ip", "-n", ns, "addr", "add", HUB_ADDR + "/24", "dev", "lv0")
        sh("ip", "-n", ns, "addr", "add", PEER_ADDR + "/24", "dev", "lv1")
        sh("ip", "-n", ns, "link", "set", "lv0", "up")
        sh("ip", "-n", ns, "link", "set", "lv1", "up")
        rc = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                             build, backend, "--inside", modules or ""]).returncode
    finally:
        sh("ip", "netns", "del", ns, check=False)
    sys.exit(rc)


# ----- HTTP clients -----

class StationApi:
    """a station's requests to the hub, with its enrolled certificate (mutual TLS)"""

    def __init__(self, st, port):
        folder = os.path.join(st.dir, "identity")
        self.paths = {"cert": os.path.join(folder, "station.crt"),
                      "key": os.path.join(folder, "station.key"),
                      "ca": os.path.join(folder, "ca.crt")}
        self.ctx = ssl.create_default_context(cafile=self.paths["ca"])
        self.ctx.load_cert_chain(self.paths["cert"], self.paths["key"])
        self.port = port
        self.code = st.code

    def req(self, method, path, body=None, timeout=30):
        conn = http.client.HTTPSConnection(HUB_ADDR, self.port, context=self.ctx,
                                           timeout=timeout)
        data = None
        headers = {}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw


class DoctorApi:
    """a doctor's browser without the browser: the login form, the session cookie and the
    CSRF header of the live requests"""

    def __init__(self, port):
        self.port = port
        self.ctx = ssl._create_unverified_context()
        self.cookies = {}
        self.csrf = None

    def raw(self, method, path, body=None, headers=None):
        conn = http.client.HTTPSConnection(HUB_ADDR, self.port, context=self.ctx, timeout=90)
        all_headers = {"Origin": "https://%s:%d" % (HUB_ADDR, self.port)}
        if self.cookies:
            all_headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        raw = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                k, v = value.split(";")[0].split("=", 1)
                self.cookies[k] = v
        conn.close()
        return response, raw

    def login(self, user):
        _, page = self.raw("GET", "/login")
        token = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"csrf": token, "user": user, "password": PASSWORD})
        response, _ = self.raw("POST", "/login", form.encode(),
                               {"Content-Type": "application/x-www-form-urlencoded"})
        _, page = self.raw("GET", "/cases")
        self.csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
        return response.status

    def req(self, method, path, body=None, csrf=True):
        headers = {}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        response, raw = self.raw(method, path, data, headers)
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw


def janus_post(url, body, token=None):
    """one request to Janus's API over HTTP, as a station would make it"""
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    body = dict(body, transaction="t%d" % time.monotonic_ns())
    if token:
        body["token"] = token
    conn.request("POST", parsed.path, json.dumps(body), {"Content-Type": "application/json"})
    reply = json.loads(conn.getresponse().read())
    conn.close()
    return reply


def janus_event(url, session, token):
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=40)
    conn.request("GET", "%s/%d?maxev=1&token=%s" % (parsed.path, session,
                                                    urllib.parse.quote(token)))
    events = json.loads(conn.getresponse().read())
    conn.close()
    return events[0] if isinstance(events, list) and events else events


def janus_join(url, token, room, display):
    """joins `room` as a publisher with `token`: the VideoRoom plugin's answer"""
    created = janus_post(url, {"janus": "create"}, token)
    if created.get("janus") != "success":
        return created
    sid = created["data"]["id"]
    attached = janus_post("%s/%d" % (url, sid), {"janus": "attach",
                                                 "plugin": "janus.plugin.videoroom"}, token)
    hid = attached["data"]["id"]
    janus_post("%s/%d/%d" % (url, sid, hid),
               {"janus": "message", "body": {"request": "join", "ptype": "publisher",
                                             "room": room, "display": display,
                                             "token": token}}, token)
    event = janus_event(url, sid, token)
    janus_post("%s/%d" % (url, sid), {"janus": "destroy"}, token)
    return event.get("plugindata", {}).get("data", {})


# ----- media servers -----

def start_janus(root, hub):
    folder = os.path.join(hub.dir, "live", "janus")
    log = open(os.path.join(root, "janus.log"), "a")
    proc = subprocess.Popen(["janus", "-F", folder, "-C", os.path.join(folder, "janus.jcfg")],
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, log


def start_turn(root, hub):
    log = open(os.path.join(root, "turnserver.log"), "w")
    proc = subprocess.Popen(["turnserver", "-c", os.path.join(hub.dir, "live", "turnserver.conf")],
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, log


def live_config(hub, addr, web_port):
    """`nhip-hub live-config` for a hub at `addr` (in 10.201.0.0/24) on free ports:
    the ports and what the command said"""
    ports = {name: free_port() for name in ("janus", "janus-tls", "admin", "turn")}
    out = hub.ctl("live-config", "--dir", hub.dir, "--public-host", addr,
                  "--janus-port", str(ports["janus"]),
                  "--janus-tls-port", str(ports["janus-tls"]),
                  "--janus-admin-port", str(ports["admin"]),
                  "--turn-port", str(ports["turn"]),
                  "--rtp-ports", "40000-40400", "--relay-ports", "41000-41400",
                  "--turn-allow-peer", "10.201.0.0-10.201.0.255",
                  "--web-origin", "https://%s:%d" % (addr, web_port))
    return ports, out


def stop_servers(procs):
    """stops the (process, log file) pairs start_janus() and start_turn() gave"""
    for proc, log in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def print_logs(root, names):
    """the end of each log in `root`, as TAP comments"""
    for name in names:
        try:
            with open(os.path.join(root, name), errors="replace") as f:
                lines = f.read().splitlines()
            # a sanitizer's report from its first line (its first stack names the cause)
            first = next((i for i, line in enumerate(lines) if line.startswith("==")), None)
            shown = lines[first:first + 400] if first is not None else lines[-60:]
            for line in shown:
                print("# %s: %s" % (name, line))
        except OSError:
            pass


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def hub_conf(hub):
    import configparser
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(hub.dir, "hub.conf"))
    return parser["live"]


# ----- the API checks -----

def check_descriptor(tap, d, live, who):
    keys = {"session_id", "packet_id", "janus_url", "room", "token", "display", "ice_servers",
            "max_bitrate", "expires", "state", "started_by"}
    tap.ok(isinstance(d, dict) and keys <= set(d), "%s: the descriptor has every field" % who)
    servers = d.get("ice_servers") or [{}]
    urls = servers[0].get("urls", [])
    tap.ok(isinstance(d.get("room"), int) and isinstance(d.get("token"), str) and
           len(d["token"]) >= 32 and d.get("display") == who and
           d.get("max_bitrate") == 300000 and d.get("expires", 0) > time.time() + 3000,
           "%s: room, its own token, display, bitrate cap, expiry" % who)
    tap.ok(any(u.startswith("stun:") for u in urls) and
           "turn:%s:%s?transport=udp" % (HUB_ADDR, live["turn-port"]) in urls and
           any(u.endswith("?transport=tcp") for u in urls),
           "%s: STUN and TURN (UDP and TCP) servers %r" % (who, urls))
    username = servers[0].get("username", "")
    expected = base64.b64encode(hmac.new(live["turn-secret"].encode(), username.encode(),
                                         hashlib.sha1).digest()).decode()
    tap.ok(re.fullmatch(r"\d+:%s" % re.escape(who.replace(":", "-", 1)), username or "") and
           int(username.split(":")[0]) == d["expires"] and
           servers[0].get("credential") == expected,
           "%s: the TURN REST credential is HMAC-SHA1 of <expiry>:<who> (%s)" % (who, username))


def api_checks(tap, hub, live, api_a, api_b, doctor, case_a, case_b, pid_a, pid_b):
    janus_url = live["janus-url"]
    # the station opens a session for its case
    status, d = api_a.req("POST", "/v1/live/sessions", {"packet_id": pid_a})
    tap.ok(status == 201 and d.get("state") == "waiting" and d.get("started_by") == "station"
           and d.get("packet_id") == pid_a and d.get("janus_url") == janus_url,
           "station A opens a session for its case (%d)" % status)
    check_descriptor(tap, d, live, "station:" + api_a.code)
    sid = d["session_id"]
    _, page = doctor.raw("GET", "/cases")
    row = re.search(rb'<tr class="case[^"]*" data-case="%d">.*?</tr>' % case_a, page)
    tap.ok(row is not None and b"badge calling" in row.group(0),
           "the doctors' inbox shows that the station is calling about the case")
    _, page = doctor.raw("GET", "/cases/%d" % case_a)
    button = re.search(rb'<a class="button" id="call-live" href="/cases/%d/live">([^<]+)</a>'
                       % case_a, page)
    tap.ok(button is not None and button.group(1).decode() == "Vào cuộc gọi",
           "the case view offers to join the station's call: %r" %
           (button.group(1).decode() if button else None))
    status, again = api_a.req("POST", "/v1/live/sessions", {"packet_id": pid_a})
    tap.ok(status == 200 and again.get("session_id") == sid and again["token"] == d["token"],
           "asked again: 200 with the open session and the same token (%d)" % status)
    status, other = api_b.req("POST", "/v1/live/sessions", {"packet_id": pid_a})
    tap.ok(status == 403, "station B may not open a session for A's case (%d)" % status)
    status, _ = api_b.req("GET", "/v1/live/sessions/" + sid)
    tap.ok(status == 403, "station B may not read A's session (%d)" % status)
    status, _ = api_b.req("POST", "/v1/live/sessions/%s/events" % sid,
                          {"kind": "chat", "text": "x"})
    tap.ok(status == 403, "station B may not post into A's session (%d)" % status)
    status, _ = api_a.req("POST", "/v1/live/sessions",
                          {"packet_id": "00000000-0000-4000-8000-000000000000"})
    tap.ok(status == 404, "an unknown case: 404 (%d)" % status)
    status, body = api_a.req("POST", "/v1/live/sessions", b"{\"packet\": 1}")
    tap.ok(status == 400 and "packet_id" in body.get("message", ""),
           "a body without packet_id: 400 with the reason (%d)" % status)
    status, _ = api_a.req("GET", "/v1/live/sessions/not-a-uuid")
    tap.ok(status == 404, "a session id that is not a UUID: 404 (%d)" % status)

    # station B's own session: another room, another token
    status, db_ = api_b.req("POST", "/v1/live/sessions", {"packet_id": pid_b})
    tap.ok(status == 201 and db_["room"] != d["room"] and db_["token"] != d["token"],
           "station B's case gets a room and a token of its own")
    refused = janus_join(janus_url, d["token"], db_["room"], "station:" + api_a.code)
    tap.ok(refused.get("error_code") == 433,
           "Janus refuses A's token in B's room: %r" % refused.get("error"))
    joined = janus_join(janus_url, d["token"], d["room"], "station:" + api_a.code)
    tap.ok(joined.get("videoroom") == "joined" and joined.get("room") == d["room"],
           "Janus lets A's token into A's room")
    created = janus_post(janus_url, {"janus": "create"}, "not-a-token-the-hub-made")
    tap.ok(created.get("janus") == "error" and created["error"]["code"] == 403,
           "Janus refuses a token the hub did not make")
    created = janus_post(janus_url, {"janus": "create"})
    tap.ok(created.get("janus") == "error", "Janus refuses a request without a token")

    # the doctor joins A's session from the pages
    status, dd = doctor.req("POST", "/cases/%d/live" % case_a)
    tap.ok(status == 200 and dd.get("session_id") == sid and
           dd.get("janus_url") == live["janus-web-url"] and dd["token"] != d["token"],
           "the doctor joins the open session with a token of his own, Janus over HTTPS "
           "(%d)" % status)
    check_descriptor(tap, dd, live, "doctor:bs.lan")
    status, _ = doctor.req("POST", "/cases/%d/live" % case_a, csrf=False)
    tap.ok(status == 403, "a live request without the X-CSRF-Token header: 403 (%d)" % status)
    status, _ = doctor.req("POST", "/cases/999999/live")
    tap.ok(status == 404, "the doctor asks for an unknown case: 404 (%d)" % status)

    # events both ways, long-polls that wait and wake
    started = time.monotonic()
    status, body = api_a.req("GET", "/v1/live/sessions/%s/events?after=0&wait=2" % sid)
    waited = time.monotonic() - started
    tap.ok(status == 200 and body == {"state": "waiting", "events": []} and waited >= 1.5,
           "no event yet: the long-poll waits its 2 s and answers empty (%.1f s)" % waited)
    result = {}

    def poll():
        result["t0"] = time.monotonic()
        result["reply"] = api_a.req("GET", "/v1/live/sessions/%s/events?after=0&wait=30" % sid,
                                    timeout=60)
        result["t1"] = time.monotonic()

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(1.0)
    status, posted = doctor.req("POST", "/live/%s/events" % sid,
                                {"kind": "chat", "text": "  " + CHAT_DOCTOR + "  "})
    waiter.join(60)
    status2, got = result.get("reply", (0, {}))
    events = got.get("events", []) if isinstance(got, dict) else []
    tap.ok(status == 201 and posted == {"seq": 1} and status2 == 200 and len(events) == 1 and
           events[0].get("text") == CHAT_DOCTOR and events[0].get("from") == "doctor:bs.lan" and
           events[0].get("kind") == "chat" and events[0].get("seq") == 1 and
           result["t1"] - result["t0"] < 5,
           "the doctor's chat wakes the station's long-poll at once (%.1f s)" %
           (result.get("t1", 0) - result.get("t0", 0)))
    status, posted = api_a.req("POST", "/v1/live/sessions/%s/events" % sid,
                               {"kind": "chat", "text": CHAT_STATION})
    status, posted2 = api_a.req("POST", "/v1/live/sessions/%s/events" % sid,
                                {"kind": "vital", "code": "bp-systolic", "value": 152,
                                 "unit": "mmHg", "device": "Omron HEM-7361T",
                                 "taken_at": "2026-11-23T08:00:00+07:00"})
    status3, got = doctor.req("GET", "/live/%s/events?after=1&wait=5" % sid)
    kinds = [(e["kind"], e["from"]) for e in got.get("events", [])]
    vital = got["events"][1] if len(got.get("events", [])) > 1 else {}
    tap.ok(posted == {"seq": 2} and posted2 == {"seq": 3} and status3 == 200 and
           kinds == [("chat", "station:" + api_a.code), ("vital", "station:" + api_a.code)],
           "the doctor reads the station's chat and reading after seq 1: %r" % kinds)
    tap.ok(vital.get("value") == 152 and vital.get("unit") == "mmHg" and
           vital.get("device") == "Omron HEM-7361T" and
           vital.get("taken_at") == "2026-11-23T01:00:00Z" and
           re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", vital.get("at", "")),
           "a reading keeps its value, unit, device and time (in UTC): %r" % vital)
    for bad, why in (({"kind": "chat", "text": "x" * 2001}, "2000"),
                     ({"kind": "chat", "text": "   "}, "trống"),
                     ({"kind": "vital", "code": "Bad Code", "value": 1}, "code"),
                     ({"kind": "vital", "code": "pulse", "value": "88"}, "value"),
                     ({"kind": "vital", "code": "pulse", "value": 88, "taken_at": "hôm qua"},
                      "taken_at"),
                     ({"kind": "state", "state": "sleeping"}, "state"),
                     ({"kind": "poke"}, "kind")):
        status, body = api_a.req("POST", "/v1/live/sessions/%s/events" % sid, bad)
        # the reasons come in the hub's language: Vietnamese here
        tap.ok(status == 400 and why in body.get("message", ""),
               "refused with the reason: %s (%d %s)" % (why, status, body.get("message")))
    status, _ = api_a.req("POST", "/v1/live/sessions/%s/events" % sid, b"{" * 20000)
    tap.ok(status == 413, "an event body past 16 KiB: 413 (%d)" % status)
    status, _ = api_a.req("POST", "/v1/live/sessions/%s/events" % sid,
                          {"kind": "chat", "text": "ồ" * 2000})
    tap.ok(status == 201, "2000 characters of Vietnamese are taken (%d)" % status)

    # both in: active
    api_a.req("POST", "/v1/live/sessions/%s/events" % sid, {"kind": "state", "state": "joined"})
    doctor.req("POST", "/live/%s/events" % sid, {"kind": "state", "state": "joined"})
    status, state = api_a.req("GET", "/v1/live/sessions/" + sid)
    tap.ok(state.get("state") == "active", "the station and a doctor joined: active")

    # invitations: a doctor calls station B about its case
    api_b.req("DELETE", "/v1/live/sessions/" + db_["session_id"])
    status, _ = api_b.req("GET", "/v1/live/invites?wait=1")
    started = time.monotonic()
    status, invite = doctor.req("POST", "/cases/%d/live" % case_b)
    status2, invites = api_b.req("GET", "/v1/live/invites?wait=20")
    took = time.monotonic() - started
    listed = invites.get("invites", []) if isinstance(invites, dict) else []
    tap.ok(status == 201 and invite.get("started_by") == "doctor" and status2 == 200 and
           len(listed) == 1 and listed[0]["session_id"] == invite["session_id"] and
           listed[0]["display"] == "station:" + api_b.code and took < 10,
           "station B is invited to the doctor's call at once (%.1f s)" % took)
    check_descriptor(tap, listed[0] if listed else {}, live, "station:" + api_b.code)
    started = time.monotonic()
    status, invites = api_b.req("GET", "/v1/live/invites?wait=2")
    took = time.monotonic() - started
    tap.ok(status == 200 and len(invites.get("invites", [])) == 1 and took >= 1.5,
           "an invitation handed out already comes again after the wait (%.1f s)" % took)
    status, _ = api_a.req("GET", "/v1/live/invites?wait=0")
    tap.ok(status == 200, "station A has no invitation to read")
    api_b.req("POST", "/v1/live/sessions/%s/events" % invite["session_id"],
              {"kind": "state", "state": "joined"})
    status, invites = api_b.req("GET", "/v1/live/invites?wait=0")
    tap.ok(invites == {"invites": []}, "once joined, the invitation is gone")

    # hang up: the tokens leave Janus, the session takes no more events
    status, _ = api_a.req("DELETE", "/v1/live/sessions/" + sid)
    tap.ok(status == 204, "the station hangs up (%d)" % status)
    status, body = api_a.req("POST", "/v1/live/sessions/%s/events" % sid,
                             {"kind": "chat", "text": "còn đó không?"})
    tap.ok(status == 409 and body.get("error") == "session-ended",
           "an ended session takes no event (%d)" % status)
    status, got = doctor.req("GET", "/live/%s/events?after=5&wait=20" % sid)
    last = got.get("events", [{}])[-1] if got.get("events") else {}
    tap.ok(status == 200 and got.get("state") == "ended" and last.get("kind") == "state" and
           last.get("state") == "ended" and last.get("from") == "station:" + api_a.code,
           "the doctor's long-poll says ended, by the station")
    status, _ = api_a.req("DELETE", "/v1/live/sessions/" + sid)
    tap.ok(status == 204, "hanging up twice is fine (%d)" % status)
    for token, who in ((d["token"], "station"), (dd["token"], "doctor")):
        created = janus_post(janus_url, {"janus": "create"}, token)
        tap.ok(created.get("janus") == "error" and created["error"]["code"] == 403,
               "Janus refuses the %s's token after the hang-up" % who)
    status, again = api_a.req("POST", "/v1/live/sessions", {"packet_id": pid_a})
    tap.ok(status == 201 and again["session_id"] != sid,
           "a new call for the case is a new session (%d)" % status)
    api_a.req("DELETE", "/v1/live/sessions/" + again["session_id"])
    doctor.req("DELETE", "/live/" + invite["session_id"])


def expiry_checks(tap, hub, live, api_a, api_b, pid_a, pid_b):
    """a session ends when its time is up: on the next request, or by the hub's own check
    every half minute; the time is moved back in the hub's SQLite database"""
    import sqlite3
    janus_url = live["janus-url"]
    _, a = api_a.req("POST", "/v1/live/sessions", {"packet_id": pid_a})
    _, b = api_b.req("POST", "/v1/live/sessions", {"packet_id": pid_b})
    con = sqlite3.connect(os.path.join(hub.dir, "hub.db"), timeout=30)
    with con:
        con.execute("UPDATE live_sessions SET expires = ? WHERE id IN (?, ?)",
                    (int(time.time()) - 1, a["session_id"], b["session_id"]))
    con.close()
    status, got = api_a.req("GET", "/v1/live/sessions/%s/events?after=0" % a["session_id"])
    last = got["events"][-1] if got.get("events") else {}
    tap.ok(status == 200 and got["state"] == "ended" and last.get("state") == "ended" and
           last.get("from") == "hub",
           "a session past its time is ended by the hub at the next request")
    created = janus_post(janus_url, {"janus": "create"}, a["token"])
    tap.ok(created.get("janus") == "error", "… and its token is gone from Janus")
    gone = wait_for(lambda: janus_post(janus_url, {"janus": "create"}, b["token"]).get("janus")
                    == "error", 40, step=1)
    status, state = api_b.req("GET", "/v1/live/sessions/" + b["session_id"])
    tap.ok(gone and state.get("state") == "ended",
           "a session nobody asks about is ended by the hub's own check within 30 s")


def restart_checks(tap, hub, live, api_a, pid_a, restart_janus):
    """Janus restarted (its rooms and tokens are gone): the next descriptor makes the room
    again and gives the token back"""
    janus_url = live["janus-url"]
    _, d = api_a.req("POST", "/v1/live/sessions", {"packet_id": pid_a})
    restart_janus()
    created = janus_post(janus_url, {"janus": "create"}, d["token"])
    tap.ok(created.get("janus") == "error", "after a restart Janus knows no token")
    status, again = api_a.req("GET", "/v1/live/sessions/" + d["session_id"])
    tap.ok(status == 200 and again["room"] != d["room"] and again["token"] == d["token"],
           "the descriptor asked again has a new room and the same token (%d)" % status)
    joined = janus_join(janus_url, again["token"], again["room"], again["display"])
    tap.ok(joined.get("videoroom") == "joined", "the station joins the room made again")
    tap.ok("Janus had lost room %d" % d["room"] in hub.logtext(),
           "the hub's log says it made the room again")
    api_a.req("DELETE", "/v1/live/sessions/" + d["session_id"])


# ----- inside the namespace -----

def inside(build, backend, modules):
    tap = Tap()
    root = tmpdir()
    os.chmod(root, 0o755)
    pg = None
    hub = None
    procs = []
    try:
        if backend == "postgresql":
            pg = Postgres(root)
        locale = build_locale(root)
        env = dict(ENV, LANGUAGE="vi", NHIP_LOCALEDIR=locale)
        hub = Hub(build, root, pg.uri if pg else None, names=(HUB_ADDR,))
        add_doctor(hub, "bs.lan", "BS. Trần Thị Lan")
        web_port = free_port()
        ports, out = live_config(hub, HUB_ADDR, web_port)
        tap.ok(out.returncode == 0, "nhip-hub live-config writes Janus's and coturn's files%s"
               % ("" if out.returncode == 0 else ": " + out.stderr))
        live = hub_conf(hub)
        live["turn-port"] = str(ports["turn"])
        tap.ok(oct(os.stat(os.path.join(hub.dir, "hub.conf")).st_mode & 0o777) == "0o600" and
               oct(os.stat(os.path.join(hub.dir, "live", "turnserver.conf")).st_mode & 0o777)
               == "0o600", "the files holding secrets are private (0600)")
        out = hub.ctl("live-config", "--dir", hub.dir, "--public-host", "bad host!")
        tap.ok(out.returncode == 2 and "--public-host" in out.stderr,
               "a bad --public-host is refused with the reason")
        out = hub.ctl("live-config", "--dir", hub.dir, "--web-origin", 'https://hub:8444"x')
        tap.ok(out.returncode == 2 and "--web-origin" in out.stderr,
               "a --web-origin that would break Janus's configuration is refused")

        janus, janus_log = start_janus(root, hub)
        procs.append((janus, janus_log))
        turn, turn_log = start_turn(root, hub)
        procs.append((turn, turn_log))
        tap.ok(wait_for(lambda: port_open(ports["admin"]) and port_open(ports["janus"], HUB_ADDR)
                        and port_open(ports["janus-tls"], HUB_ADDR), 30),
               "Janus serves its API and its Admin API")
        tap.ok(wait_for(lambda: port_open(ports["turn"], HUB_ADDR), 30), "coturn listens")

        def janus_log_text():
            with open(os.path.join(root, "janus.log"), errors="replace") as f:
                return f.read()
        # Janus writes its log from a thread of its own: the lines may come after the ports
        wait_for(lambda: "Loading plugin 'libjanus_videoroom.so'" in janus_log_text() and
                 "Stored-Token based authentication enabled" in janus_log_text(), 30)
        text = janus_log_text()
        tap.ok("Stored-Token based authentication enabled" in text and
               "Loading plugin 'libjanus_videoroom.so'" in text and
               "Loading plugin 'libjanus_echotest.so'" not in text and
               "Loading transport plugin 'libjanus_websockets.so'" not in text,
               "Janus runs with stored tokens, the VideoRoom plugin and no other plugin")

        hub.start("%s:0" % HUB_ADDR, web="%s:%d" % (HUB_ADDR, web_port), env=env)
        url = "https://%s:%d" % (HUB_ADDR, hub.port)
        st_a = Station(build, root, "TYT-A")
        st_b = Station(build, root, "TYT-B")
        st_a.enroll(hub, url)
        st_b.enroll(hub, url)
        pid_a = send_case(st_a, PATIENT)
        pid_b = send_case(st_b, "Lê Văn Bình")
        for st in (st_a, st_b):
            st.ctl("sync", "--once", "--quiet")
        cases = {c["packet_id"]: c["case"] for c in hub.cases()}
        tap.ok(pid_a in cases and pid_b in cases, "both cases reached the hub")
        api_a = StationApi(st_a, hub.port)
        api_b = StationApi(st_b, hub.port)
        doctor = DoctorApi(web_port)
        tap.ok(doctor.login("bs.lan") == 303, "the doctor logs in")

        api_checks(tap, hub, live, api_a, api_b, doctor, cases[pid_a], cases[pid_b], pid_a,
                   pid_b)

        def restart_janus():
            janus, janus_log = procs[0]
            janus.terminate()
            janus.wait(timeout=30)
            janus_log.close()
            procs[0] = start_janus(root, hub)
            wait_for(lambda: port_open(ports["admin"]) and port_open(ports["janus"], HUB_ADDR),
                     30)

        restart_checks(tap, hub, live, api_a, pid_a, restart_janus)
        if backend == "sqlite":
            expiry_checks(tap, hub, live, api_a, api_b, pid_a, pid_b)
        if backend == "sqlite":
            media_checks(tap, hub, live, api_a, api_b, cases[pid_a], pid_a, pid_b, web_port,
                         modules, root)

        unconfigured(tap, build, root)

        log = hub.logtext()
        tap.ok(CHAT_STATION not in log and CHAT_DOCTOR not in log and DEVICE not in log and
               "Omron" not in log and PATIENT not in log,
               "the hub's log holds no chat, reading or patient name")
        tap.ok(re.search(r"live session [0-9a-f-]{36} opened for case \d+ by station:TYT-A",
                         log) is not None,
               "the hub's log says which session opened for which case")
        rc = hub.kill(signal.SIGTERM)
        tap.ok(rc == 0, "the hub stops cleanly on SIGTERM (exit %d)" % rc)
    finally:
        stop_servers(procs)
        if hub and hub.proc and hub.proc.poll() is None:
            hub.kill()
        if tap.failed:
            print_logs(root, ("hub.log", "janus.log", "turnserver.log"))
        if pg:
            pg.stop()
        cleanup(root)
    tap.done()


def unconfigured(tap, build, root):
    """a hub without live-config: the live requests say why they cannot be served"""
    folder = os.path.join(root, "plain")
    os.makedirs(folder)
    hub = Hub(build, folder, names=(HUB_ADDR,))
    try:
        add_doctor(hub, "bs.lan", "BS. Trần Thị Lan")
        web_port = free_port()
        hub.start("%s:0" % HUB_ADDR, web="%s:%d" % (HUB_ADDR, web_port))
        doctor = DoctorApi(web_port)
        doctor.login("bs.lan")
        status, body = doctor.req("POST", "/cases/1/live")
        tap.ok(status == 503 and body.get("error") == "live-unavailable" and
               "live-config" in body.get("message", ""),
               "without [live] in hub.conf a call is refused with the reason (%d)" % status)
        status, body = doctor.req("GET", "/live/00000000-0000-4000-8000-000000000000")
        tap.ok(status == 503, "… and so is every live request (%d)" % status)
        tap.ok("live consultations are off" in hub.logtext(),
               "the hub's log says live consultations are off, and why")
    finally:
        if hub.proc and hub.proc.poll() is None:
            hub.kill(signal.SIGTERM)


def send_case(st, name):
    pid = st.ctl_ok("patient", "add", "--name", name, "--dob", "1958-03-12",
                    "--sex", "female").strip().split()[-1]
    vid = st.ctl_ok("visit", "open", pid, "--reason", "khó thở").strip().split()[-1]
    st.ctl_ok("vitals", "add", vid, "--bp", "150/95", "--pulse", "104")
    return json.loads(st.ctl_ok("--json", "case", "send", vid, "--question",
                                "Xin bác sĩ khám trực tiếp"))["packet_id"]


def media_checks(tap, hub, live, api_a, api_b, case_a, pid_a, pid_b, web_port, modules, root):
    # another case's participant, to show it cannot watch this call
    status, other = api_b.req("POST", "/v1/live/sessions", {"packet_id": pid_b})
    config = {
        "url": "https://%s:%d" % (HUB_ADDR, web_port),
        "chromium": CHROMIUM,
        "user": "bs.lan",
        "password": PASSWORD,
        "case": case_a,
        "packetId": pid_a,
        "hub": {"host": HUB_ADDR, "port": hub.port},
        "station": dict(api_a.paths, code=api_a.code),
        "janusWebUrl": live["janus-web-url"],
        "other": dict(other, janus_url=live["janus-web-url"]) if status == 201 else None,
        "chatStation": CHAT_STATION,
        "chatDoctor": CHAT_DOCTOR,
        "device": DEVICE,
        "screenshots": os.environ.get("NHIP_SCREENSHOTS"),
    }
    run_browser(tap, "live.cjs", config, modules, 30, 400)
    api_b.req("DELETE", "/v1/live/sessions/" + other["session_id"])


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[3] == "--inside":
        inside(sys.argv[1], sys.argv[2], sys.argv[4] if len(sys.argv) > 4 else None)
    else:
        outside(sys.argv[1], sys.argv[2])
