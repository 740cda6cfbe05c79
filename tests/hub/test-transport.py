#!/usr/bin/env python3
# Nhịp — delivery end to end with real processes and real TLS on loopback: a hub
# (`nhip-hub serve`, SQLite or a PostgreSQL started here) and stations (`nhipctl`).
#   upload and signed receipt; exactly once (a second upload of the same packet gets the
#   receipt, no second case); resume after the hub is killed mid-upload and after the
#   station is killed mid-upload; refusals with the hub's logged reasons (wrong CA, expired,
#   revoked, tampered ciphertext, replayed sequence, wrong recipient); the inbox long-poll;
#   one sender at a time per station (two `nhipctl sync` never send the same packet; the
#   second stands by and takes over) and replies fetched by `sync --replies`; the doctors'
#   login lock kept in the hub database across a restart, and lifted when its window ends.
#
# usage: test-transport.py BUILD_DIR sqlite|postgresql
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nhiptest import (ENV, Hub, Postgres, Relay, Station, Tap, cleanup, free_port,  # noqa: E402
                      tmpdir, wait_for)

CHUNK = 256 * 1024


def main():
    build, backend = sys.argv[1], sys.argv[2]
    tap = Tap()
    root = tmpdir()
    pg = None
    hub = None
    try:
        if backend == "postgresql":
            if not os.path.exists(Postgres.BIN + "/initdb"):
                tap.skip_all("PostgreSQL 15 is not installed")
            pg = Postgres(root)
        hub = Hub(build, root, pg.uri if pg else None)
        hub_port = free_port()
        hub.start("127.0.0.1:%d" % hub_port)
        url = "https://127.0.0.1:%d" % hub_port
        run(tap, build, root, hub, hub_port, url)
    finally:
        if hub and hub.proc and hub.proc.poll() is None:
            hub.kill(signal.SIGTERM)
        if pg:
            pg.stop()
        cleanup(root)
    tap.done()


def case_count(hub, packet_id):
    return sum(1 for c in hub.cases() if c["packet_id"] == packet_id)


def run(tap, build, root, hub, hub_port, url):
    st = Station(build, root, "ST-001")
    st.enroll(hub, url)
    st.set_sync(backoff_base=1, backoff_cap=2, low_speed_time=3, low_speed_limit=1000)
    tap.ok(os.stat(os.path.join(st.dir, "identity", "station.key")).st_mode & 0o077 == 0,
           "enroll: the station key is 0600")

    # --- upload, receipt, delivered, the file deleted
    pid = st.send_case(photo_bytes=600 * 1024, urgent=True)
    path = st.sql("SELECT path FROM packets WHERE packet_id = ?", pid)[0][0]
    saved = path + ".copy"
    shutil.copy(path, saved)
    out = st.ctl("sync", "--once")
    box = st.outbox()
    tap.ok(out.returncode == 0 and box[pid]["state"] == "delivered",
           "upload: delivered with a verified receipt (%s)" % out.stderr.strip())
    tap.ok(not os.path.exists(path), "upload: the sealed file is deleted after the receipt")
    tap.ok(case_count(hub, pid) == 1, "upload: the hub lists the case once")
    tap.ok(box[pid]["sent"] == box[pid]["size"], "upload: every byte sent once")

    # --- exactly once: the same packet again is answered with the receipt
    shutil.copy(saved, path)
    st.sql("UPDATE packets SET state = 'queued', acked = 0, upload_url = NULL WHERE "
           "packet_id = ?", pid)
    out = st.ctl("sync", "--once")
    tap.ok(out.returncode == 0 and st.outbox()[pid]["state"] == "delivered",
           "idempotent: a repeated upload gets the stored receipt")
    tap.ok(case_count(hub, pid) == 1, "idempotent: still one case at the hub")

    # --- hub killed mid-upload, restarted; the station resumes at the acknowledged byte
    relay = Relay("127.0.0.1", hub_port, rate=400 * 1024)
    st.set_url("https://127.0.0.1:%d" % relay.port)
    pid = st.send_case(photo_bytes=1800 * 1024)
    st.start_sync()
    acked = wait_for(lambda: st.outbox()[pid]["acked"] >= 2 * CHUNK and st.outbox()[pid]["acked"], 60)
    hub.kill()
    relay.cut()
    time.sleep(1.5)
    hub.start("127.0.0.1:%d" % hub_port)
    ok = wait_for(lambda: st.outbox()[pid]["state"] == "delivered", 90, 0.3)
    box = st.outbox()[pid]
    tap.ok(bool(acked) and ok, "hub killed mid-upload (at %s bytes): delivered after restart" % acked)
    tap.ok(box["sent"] - box["size"] <= 2 * CHUNK,
           "hub killed: re-sent %d bytes (the chunk in flight)" % (box["sent"] - box["size"]))
    tap.ok(case_count(hub, pid) == 1, "hub killed: one case")

    # --- station killed mid-upload (SIGKILL), restarted
    pid = st.send_case(photo_bytes=1800 * 1024)
    acked = wait_for(lambda: st.outbox()[pid]["acked"] >= 2 * CHUNK and st.outbox()[pid]["acked"], 60)
    st.stop_sync(signal.SIGKILL)
    relay.cut()
    before = st.outbox()[pid]
    st.start_sync()
    ok = wait_for(lambda: st.outbox()[pid]["state"] == "delivered", 90, 0.3)
    box = st.outbox()[pid]
    tap.ok(bool(acked) and ok and before["state"] == "sending",
           "station killed mid-upload (at %s bytes): resumed and delivered" % acked)
    tap.ok(box["sent"] - box["size"] <= 2 * CHUNK,
           "station killed: re-sent %d bytes" % (box["sent"] - box["size"]))
    tap.ok(case_count(hub, pid) == 1, "station killed: one case")
    tap.ok(st.stop_sync() == 0, "sync stops cleanly on SIGTERM")
    relay.stop()
    st.set_url(url)

    # --- inbox long-poll: a reply made while the station waits arrives at once
    case_id = [c["case"] for c in hub.cases() if c["packet_id"] == pid][0]
    result = {}

    def poll():
        t0 = time.monotonic()
        result["out"] = st.ctl("inbox", "--wait", "20", "--json")
        result["t"] = time.monotonic() - t0

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(1.0)
    args = ["reply", "--dir", hub.dir, "--case", str(case_id), "--text", "Uống thuốc hạ áp",
            "--referral", "no", "--urgency", "urgent", "--doctor", "BS. Hà"]
    if hub.database:
        args += ["--database", hub.database]
    reply = hub.ctl(*args)
    t.join()
    import json
    answer = json.loads(result["out"].stdout) if result["out"].returncode == 0 else {}
    tap.ok(reply.returncode == 0 and answer.get("new") == 1 and
           answer["replies"][0]["text"] == "Uống thuốc hạ áp" and result["t"] < 8,
           "inbox: the held request returns the verified reply (%.1f s)%s" % (
               result.get("t", 0),
               "" if answer else " [hub reply: %s; nhipctl inbox: %s]" % (
                   reply.stderr.strip(), result["out"].stderr.strip())))
    got = answer["replies"][0] if answer.get("replies") else {}
    tap.ok(got.get("doctor") == "BS. Hà" and got.get("referral") is False and
           got.get("urgency") == "urgent" and got.get("visit_id") is not None,
           "inbox: the reply's doctor, referral and urgency are stored with the visit")
    tap.ok(st.outbox()[pid]["state"] == "answered", "inbox: the case shows answered")
    again = st.ctl("inbox", "--wait", "1", "--json")
    tap.ok(again.returncode == 0 and json.loads(again.stdout)["new"] == 0,
           "inbox: the reply is stored once")

    # --- one sender at a time, and replies fetched by the sender
    one_sender(tap, hub, st)

    # --- refusals, each with the hub's logged reason
    refusals(tap, build, root, hub, url)

    # --- the doctors' login lock outlives a restart of the hub
    login_limits(tap, hub, hub_port)


def web_login(hub, user, password):
    """a login on the doctors' pages as a browser makes it; returns the HTTP status"""
    import http.client
    import ssl
    import urllib.parse
    ctx = ssl.create_default_context(cafile=os.path.join(hub.dir, "ca.crt"))
    conn = http.client.HTTPSConnection("127.0.0.1", hub.web_port, context=ctx, timeout=60)
    try:
        conn.request("GET", "/login")
        page = conn.getresponse()
        page.read()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        body = urllib.parse.urlencode({"csrf": cookie.split("=", 1)[1], "user": user,
                                       "password": password})
        conn.request("POST", "/login", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Origin": "https://127.0.0.1:%d" % hub.web_port})
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def hub_sql(hub, statement):
    """runs one statement on the hub's database, SQLite or PostgreSQL"""
    if hub.database:
        subprocess.run(["/usr/lib/postgresql/15/bin/psql", hub.database, "-q", "-c", statement],
                       check=True, capture_output=True)
    else:
        import sqlite3
        con = sqlite3.connect(os.path.join(hub.dir, "hub.db"))
        with con:
            con.execute(statement)
        con.close()


def login_limits(tap, hub, hub_port):
    password = "mật khẩu đủ dài 2026"
    out = subprocess.run([hub.exe, "doctor", "add", "--dir", hub.dir, "--user", "bs.lan",
                          "--name", "BS. Trần Thị Lan", "--password-stdin"] +
                         (["--database", hub.database] if hub.database else []),
                         input=password + "\n", env=ENV, capture_output=True, text=True)
    tap.ok(out.returncode == 0, "login lock: a doctor account (%s)" % out.stderr.strip())
    wrong = [web_login(hub, "bs.lan", "sai mật khẩu %d" % i) for i in range(5)]
    tap.ok(wrong == [401] * 5, "login lock: five wrong passwords refused (%s)" % wrong)
    tap.ok(web_login(hub, "bs.lan", password) == 429,
           "login lock: then even the right password is refused (429)")
    hub.kill(signal.SIGTERM)
    hub.start("127.0.0.1:%d" % hub_port)
    tap.ok(web_login(hub, "bs.lan", password) == 429,
           "login lock: still in force after the hub restarted")
    # the 15 minutes pass (the window's start moved back, as the clock would move on)
    hub_sql(hub, "UPDATE login_failures SET window_start = window_start - 16 * 60")
    tap.ok(web_login(hub, "bs.lan", password) == 303,
           "login lock: lifted when its 15 minutes are over; the right password logs in")
    tap.ok(web_login(hub, "bs.lan", "sai lần nữa") == 401,
           "login lock: a new run of failures starts from one")


def answer(hub, packet_id, text):
    case_id = [c["case"] for c in hub.cases() if c["packet_id"] == packet_id][0]
    args = ["reply", "--dir", hub.dir, "--case", str(case_id), "--text", text]
    if hub.database:
        args += ["--database", hub.database]
    return hub.ctl(*args).returncode == 0


def one_sender(tap, hub, st):
    def start(*args):
        log = open(os.path.join(st.dir, "sync-%d.log" % time.monotonic_ns()), "w+")
        proc = subprocess.Popen(st.argv("sync", *args), env=ENV, stdout=log,
                                stderr=subprocess.STDOUT)
        return proc, log

    def text(log):
        log.flush()
        log.seek(0)
        return log.read()

    lock = os.path.join(st.dir, "identity", "send.lock")
    first, first_log = start("--replies")
    held = wait_for(lambda: os.path.exists(lock) and
                    open(lock).read().strip() == str(first.pid), 20)
    tap.ok(held, "one sender: the running sync holds send.lock")
    out = st.ctl("sync", "--once")
    tap.ok(out.returncode == 6 and "another program" in out.stderr,
           "one sender: `sync --once` meanwhile stops with 6 and says why (%s)" %
           out.stderr.strip())
    second, second_log = start()
    tap.ok(wait_for(lambda: "standing by" in text(second_log), 20),
           "one sender: a second `sync` stands by")
    pids = [st.send_case() for _ in range(3)]
    done = wait_for(lambda: all(st.outbox()[p]["state"] == "delivered" for p in pids), 60, 0.3)
    tap.ok(done and all(case_count(hub, p) == 1 for p in pids),
           "one sender: 3 packets queued with two senders running arrive once each")
    tap.ok(all(st.outbox()[p]["sent"] == st.outbox()[p]["size"] for p in pids),
           "one sender: no byte of them was sent twice")

    # the first one also fetches the replies: an answer arrives without `nhipctl inbox`
    inbox = st.ctl("inbox", "--json")
    tap.ok(inbox.returncode == 0 and "another program" in inbox.stderr,
           "replies: `nhipctl inbox` while the sender fetches lists what is stored")
    tap.ok(answer(hub, pids[0], "Theo dõi tại trạm") and
           wait_for(lambda: st.outbox()[pids[0]]["state"] == "answered", 30, 0.3),
           "replies: `sync --replies` fetches the answer and the case shows answered")

    # the first one stops: the second takes over
    first.send_signal(signal.SIGTERM)
    tap.ok(first.wait(30) == 0, "one sender: the first stops cleanly")
    pid = st.send_case()
    tap.ok(wait_for(lambda: st.outbox()[pid]["state"] == "delivered", 60, 0.3) and
           "sending from here" in text(second_log) and case_count(hub, pid) == 1,
           "one sender: the second takes over and delivers a new packet")
    second.send_signal(signal.SIGTERM)
    tap.ok(second.wait(30) == 0, "one sender: the second stops cleanly")
    first_log.close()
    second_log.close()


def expect_refusal(tap, hub, st, what, word, pid=None):
    out = st.ctl("sync", "--once")
    log = hub.logtext()
    detail = ""
    if pid:
        box = st.outbox()[pid]
        detail = box["last_error"] or ""
        tap.ok(out.returncode == 7 and box["state"] == "failed" and word in detail,
               "%s: the packet is parked as failed (%s)" % (what, detail))
    else:
        tap.ok(out.returncode == 7 and word in out.stderr,
               "%s: sync stops (%s)" % (what, out.stderr.strip()))
    tap.ok(word in log, "%s: the hub logs the reason “%s”" % (what, word))


def refusals(tap, build, root, hub, url):
    other = Hub(build, os.path.join(root, "other"))
    st = Station(build, root, "ST-002")
    st.enroll(hub, url)
    st.set_sync(backoff_base=1, backoff_cap=2)
    keys = os.path.join(st.dir, "identity")

    # tampered ciphertext: one byte flipped in the sealed file (hash updated to match)
    pid = st.send_case()
    path = st.sql("SELECT path FROM packets WHERE packet_id = ?", pid)[0][0]
    data = bytearray(open(path, "rb").read())
    data[len(data) - 40] ^= 0x01
    open(path, "wb").write(data)
    import hashlib
    st.sql("UPDATE packets SET sha256 = ? WHERE packet_id = ?", hashlib.sha256(data).hexdigest(),
           pid)
    expect_refusal(tap, hub, st, "tampered ciphertext", "tampered", pid)

    # replayed: a sequence number used before, with another packet id
    st.sql("UPDATE sync_state SET value = '0' WHERE key = 'packet_seq'")
    first = st.send_case()
    st.ctl("sync", "--once")
    st.sql("UPDATE sync_state SET value = '0' WHERE key = 'packet_seq'")
    pid = st.send_case()
    tap.ok(st.outbox()[first]["state"] == "delivered", "replay: the first packet is delivered")
    expect_refusal(tap, hub, st, "replayed packet", "replayed", pid)

    # wrong recipient: sealed to another hub's encryption certificate
    shutil.copy(os.path.join(keys, "hub-enc.crt"), os.path.join(keys, "hub-enc.crt.good"))
    shutil.copy(os.path.join(other.dir, "hub-enc.crt"), os.path.join(keys, "hub-enc.crt"))
    pid = st.send_case()
    shutil.copy(os.path.join(keys, "hub-enc.crt.good"), os.path.join(keys, "hub-enc.crt"))
    expect_refusal(tap, hub, st, "wrong recipient", "wrong-recipient", pid)

    # a client certificate from another CA
    shutil.copy(os.path.join(keys, "station.crt"), os.path.join(keys, "station.crt.good"))
    csr = os.path.join(root, "st2.csr")
    subprocess.run(["openssl", "req", "-new", "-key", os.path.join(keys, "station.key"), "-subj",
                    "/CN=ST-002", "-out", csr], check=True, capture_output=True)
    ext = os.path.join(root, "ext.cnf")
    open(ext, "w").write("extendedKeyUsage=clientAuth,emailProtection\n"
                         "keyUsage=digitalSignature\n")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(other.dir, "ca.crt"),
                    "-CAkey", os.path.join(other.dir, "ca.key"), "-days", "2", "-extfile", ext,
                    "-out", os.path.join(keys, "station.crt")], check=True, capture_output=True)
    pid = st.send_case()
    expect_refusal(tap, hub, st, "wrong CA", "unknown-ca")
    tap.ok(st.outbox()[pid]["state"] == "queued", "wrong CA: the packet stays queued")

    # an expired certificate
    fixture = os.path.join(build, "tests", "hub", "hub-fixture")
    subprocess.run([fixture, "expired", hub.dir, "ST-002", os.path.join(keys, "station.key"),
                    os.path.join(keys, "station.crt")], check=True, env=ENV)
    expect_refusal(tap, hub, st, "expired certificate", "expired-certificate")

    # revoked
    shutil.copy(os.path.join(keys, "station.crt.good"), os.path.join(keys, "station.crt"))
    revoke = hub.ctl("revoke", "--dir", hub.dir, "--station", "ST-002")
    tap.ok(revoke.returncode == 0, "revoke: the CRL is updated")
    expect_refusal(tap, hub, st, "revoked certificate", "revoked-certificate")

    # a station without a certificate is refused too
    import urllib.request
    import ssl
    ctx = ssl.create_default_context(cafile=os.path.join(hub.dir, "ca.crt"))
    try:
        urllib.request.urlopen(urllib.request.Request(url + "/v1/uploads", method="POST"),
                               context=ctx, timeout=10)
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    tap.ok(status == 403 and "no-certificate" in hub.logtext(),
           "no client certificate: 403 and logged")


if __name__ == "__main__":
    main()
