#!/usr/bin/python3
"""Ask the district from the real kiosk, to a real hub, and the doctor's answer on the visit.

A hub (`nhip-hub serve`, SQLite) runs on loopback. The kiosk (`nhip-station --kiosk --demo`)
starts before the station is enrolled: the Ask screen says so. The station is enrolled
with `nhipctl enroll` while the kiosk runs, and the hub is stopped. On a visit of the demo
queue a photo is attached through the kiosk's photo picker (a tap on its thumbnail, then
Attach) and stored; the picker's folder holds the station's data folder too, and neither
it, station.db nor links to them are shown, and the kiosk's database locks survive; the Ask
screen has it chosen, shows the summary, and the case is sent as urgent: it stays queued
while the hub is down (the home screen's outbox says 1), is delivered when the hub comes
back, and answered when the hub's `nhip-hub reply` answers it. The kiosk shows a toast,
badges on the home queue and the Ask list, and the answer on the visit; marking it read
is stored. The packet's states are followed in the database too: queued → delivered →
answered.

Then the kiosk is started again with a short idle lock (NHIP_IDLE_LOCK_SECONDS): what was
typed in a visit is kept when the screen locks by itself; the technician settings show
the enrollment; "Back up now" runs the nightly backup with the station's settings: without
the backup stick it says what to do, with it the backup written verifies (`nhipctl backup
verify`) and restores (`nhipctl restore`) with the photo; closing the kiosk (the window manager's close, WM_DELETE_WINDOW) asks for
a technician PIN, refuses a wrong one and closes with the right one.

Usage (tests/ui/run-atspi.sh sets up Xvfb and the accessibility bus):
    test-kiosk-ask.py NHIP-STATION BUILD-DIR
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "hub"))
import atspi  # noqa: E402
import kiosk  # noqa: E402
from atspi import click, find, find_all, page, tap, type_text, wait_for  # noqa: E402
from kiosk import click_button, labels, log_in, stop_kiosk, touch  # noqa: E402
from nhiptest import ENV, Hub, free_port  # noqa: E402

station, build = sys.argv[1], sys.argv[2]
# the photo picker's only root (NHIP_PHOTO_ROOTS) is a folder that also holds the station's
# data folder: what a USB stick mounted carelessly, or Pictures in the kiosk's home, can be
photos = tempfile.mkdtemp(prefix="nhip-ui-photos-")
workdir = os.path.join(photos, "station-data")
os.mkdir(workdir, 0o700)
# the backup stick and the district's backup key, for "Back up now"
media = tempfile.mkdtemp(prefix="nhip-ui-media-")
db = os.path.join(workdir, "station.db")
nhipctl = os.path.join(build, "app", "nhipctl")
fixture = os.path.join(build, "tests", "hub", "hub-fixture")
QUESTION = "Sốt cao 3 ngày, phát ban. Có cần chuyển tuyến không?"
ADVICE = "Chuyển tuyến ngay; truyền dịch trên đường đi."
NOTES = "ho về đêm"
STAFF, STAFF_PIN = "Y sĩ Lê Thị Hồng", "1234"
TECH, TECH_PIN = "Kỹ thuật viên Phạm Quang Huy", "9876"
steps = []
proc = None


def step(text):
    steps.append(text)
    print(f"# {text}", flush=True)


def sql(statement, *params):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(statement, params).fetchall()
    finally:
        con.close()


def showing(title):
    return kiosk.showing(app, title)


def locks_lost():
    """Whether another process could now take the database over: switching it out of WAL
    mode needs every other process's lock gone, as the last user's close that deletes the
    WAL does. While the kiosk holds its locks this fails with "database is locked"."""
    con = sqlite3.connect(db, timeout=0)
    try:
        mode = con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as error:
        assert "locked" in str(error), error
        return False
    finally:
        con.close()
    return mode == "delete"


def start_kiosk(extra_env=None):
    env = {"NHIP_PHOTO_ROOTS": photos}
    env.update(extra_env or {})
    return kiosk.start_kiosk(station, db, env)


def locked():
    """Whether the login screen is back: the header's Lock button is there only while
    someone is logged in (hidden widgets are not in the accessibility tree; the screens
    not shown are)."""
    return not find_all(app, lambda a: a.getRoleName() == "push button" and a.name == "Lock")


def packet_states():
    return [r["state"] for r in sql("SELECT state FROM packets ORDER BY id")]


def window_close_request():
    """What the window manager's close button does: WM_DELETE_WINDOW to the kiosk's window."""
    from Xlib import X, display as xdisplay, protocol
    d = xdisplay.Display()
    wm_protocols = d.intern_atom("WM_PROTOCOLS")
    wm_delete = d.intern_atom("WM_DELETE_WINDOW")
    pid_atom = d.intern_atom("_NET_WM_PID")
    targets = []

    def walk(w):
        try:
            pid = w.get_full_property(pid_atom, X.AnyPropertyType)
            protocols = w.get_wm_protocols() or []
        except Exception:
            return
        if (pid is not None and pid.value[0] == proc.pid and wm_delete in protocols and
                w.get_attributes().map_state == X.IsViewable):
            targets.append(w)
        for child in w.query_tree().children:
            walk(child)
    walk(d.screen().root)
    assert targets, "no window of nhip-station takes WM_DELETE_WINDOW"
    for w in targets:
        event = protocol.event.ClientMessage(window=w, client_type=wm_protocols,
                                             data=(32, [wm_delete, X.CurrentTime, 0, 0, 0]))
        w.send_event(event)
    d.flush()
    d.close()


hub = None
try:
    hub = Hub(build, workdir)
    hub_port = free_port()
    hub.start("127.0.0.1:%d" % hub_port)
    url = "https://127.0.0.1:%d" % hub_port

    proc, app = start_kiosk()
    atspi.map_keys(QUESTION + NOTES)

    step("before enrollment the Ask screen says the station is not connected")
    home = log_in(app, STAFF, STAFF_PIN)
    click(find(home, "Ask the district", "push button"))
    ask = page(app, "NhipAskPage")
    wait_for("the not-enrolled message", lambda: labels(
        ask, lambda t: "not connected to the district hospital" in t and "technician" in t))

    step("nhipctl enroll while the kiosk runs: the message goes away")
    out = subprocess.run([nhipctl, "--db", db, "enroll", "--hub", url, "--token",
                          hub.token("ST-UI"), "--station", "ST-UI"],
                         env=ENV, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    ini = os.path.join(workdir, "identity", "hub.ini")
    with open(ini, "a") as f:
        f.write("\n[sync]\nbackoff-base=1\nbackoff-cap=2\n")
    wait_for("the message gone", lambda: not labels(
        ask, lambda t: "not connected to the district hospital" in t), 15)

    step("the hub goes down, so that the case waits in the queue")
    hub.kill(signal.SIGTERM)

    step("a visit of today's queue: a photo attached through the photo picker is stored")
    click(find(app, "Home", "push button"))
    home = page(app, "NhipHomePage")
    row_name = click_button(home, "a visit in progress", lambda n: n.endswith("in progress"),
                            showing("Visit"))
    patient_name = row_name.split(" ", 1)[1].rsplit(",", 1)[0]
    visit = page(app, "NhipVisitPage")
    wait_for("the visit screen", lambda: labels(visit, lambda t: t == patient_name))
    visit_id = sql("SELECT v.id FROM visits v JOIN patients p ON p.id = v.patient_id "
                   "WHERE p.full_name = ? AND v.status = 'open'", patient_name)[0][0]
    # the photo comes from a USB stick, which here also holds the station's data folder,
    # a link to it, links to the database and a hard link of it with a photo's name: the
    # picker shows none of them and opens none of them (opening and closing station.db
    # would drop the kiosk's SQLite locks, and another program could delete the WAL)
    photo = os.path.join(photos, "ban-do.jpg")
    subprocess.run([fixture, "photo", photo, "800", "600", "7"], check=True)
    os.symlink(workdir, os.path.join(photos, "data-link"))
    os.symlink(db, os.path.join(photos, "db-link.jpg"))
    os.link(db, os.path.join(photos, "copy.jpg"))
    with open(os.path.join(photos, "notes.txt"), "w") as f:
        f.write("not a photo")
    # a copy cut short: the beginning of a JPEG and nothing after
    with open(os.path.join(photos, "hong.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    hidden = ["station-data", "data-link", "db-link.jpg", "copy.jpg", "notes.txt",
              "station.db"]
    click(find(visit, "Attach a photo", "push button"))
    # one tile per photo, named by its file (GTK 4.8 gives a toggle button the push
    # button role)
    tile = find(app, "ban-do.jpg", "push button")
    attach = find(app, "Attach", "push button")
    assert not atspi.is_sensitive(attach), "Attach before a photo is chosen"
    shown = [a.name for a in find_all(app, lambda a: a.name in hidden)]
    assert not shown, f"the photo picker shows the station's data: {shown}"
    assert not locks_lost(), "the kiosk's database locks are gone after the picker opened"
    # a damaged photo says which file, what is wrong and what to do, and is not attached
    click(find(app, "hong.jpg", "push button"))
    wait_for("the damaged photo's error", lambda: labels(app, lambda t: t.startswith(
        "The photo “hong.jpg” cannot be shown: the file is damaged") and "Copy it again" in t))
    assert not atspi.is_sensitive(attach), "a damaged photo can be attached"
    t0 = time.monotonic()
    click(tile)
    wait_for("the photo chosen", lambda: labels(app, lambda t: t.startswith("Chosen: ban-do.jpg")))
    wait_for("Attach possible", lambda: atspi.is_sensitive(attach), 10)
    click(attach)
    wait_for("the picker to close", lambda: not find_all(app, lambda a: a.name == "ban-do.jpg"),
             15)
    wait_for("the photo stored with the visit", lambda: sql(
        "SELECT count(*) FROM attachments WHERE visit_id = ?", visit_id)[0][0] == 1, 60)
    print(f"#   stored {time.monotonic() - t0:.1f} s after the thumbnail was tapped")
    assert not locks_lost(), "the kiosk's database locks are gone after a photo was attached"
    wait_for("the thumbnail", lambda: find_all(visit, lambda a: a.name == "Photo 1"))
    sha = sql("SELECT sha256 FROM attachments WHERE visit_id = ?", visit_id)[0][0]
    stored = os.path.join(workdir, "attachments", sha[:2], sha)
    assert os.path.exists(stored), f"the photo file {stored} is not in the store"
    with open(photo, "rb") as a, open(stored, "rb") as b:
        assert a.read() == b.read(), "the stored photo differs from the file chosen"

    step("Ask the district: the visit's photo is chosen, the summary says what goes")
    click(find(visit, "Ask the district", "push button"))
    ask = page(app, "NhipAskPage")
    check = find(ask, "Photo 1 of the visit", "check box")
    assert check.getState().contains(atspi.pyatspi.STATE_CHECKED), "the photo is not chosen"
    summary = wait_for("the summary with the photo's size", lambda: labels(
        ask, lambda t: t.startswith("Patient: " + patient_name) and "Photos: 1 (" in t
        and "working out" not in t))[0]
    print("#   " + atspi.text_of(summary).replace("\n", "\n#   "))
    for part in ("Vital signs:", "Diagnosis:", "Urgency: routine"):
        assert part in atspi.text_of(summary), f"the summary lacks {part}"

    step("send with an empty question: refused next to the field")
    click(find(ask, "Send to the district", "push button"))
    wait_for("the question error", lambda: labels(
        ask, lambda t: t == "Write the question for the doctor"))
    assert sql("SELECT count(*) FROM packets")[0][0] == 0

    step("the question, urgent, send: the case is queued while the hub is down")
    tap(find(ask, "Question for the doctor", "text"))
    type_text(QUESTION)
    click(find(ask, "Urgent"))
    wait_for("urgent in the summary", lambda: labels(
        ask, lambda t: "Urgency: urgent" in t))
    click(find(ask, "Send to the district", "push button"))
    # the name is read while waiting: the list is rebuilt as the state changes, and a row
    # found a moment ago may be gone by the time it is asked again
    queued_name = wait_for("the case listed as queued", lambda: [
        a.name for a in find_all(ask, lambda a: a.getRoleName() == "push button"
                                 and patient_name in a.name and "Queued" in a.name)])[0]
    print(f"#   {queued_name}")
    seen = [packet_states()[-1]]
    assert seen == ["queued"], seen

    step("the home screen's outbox counts the case waiting")
    click(find(app, "Home", "push button"))
    home = page(app, "NhipHomePage")
    wait_for("“Outbox: 1 waiting”", lambda: labels(home, lambda t: t == "Outbox: 1 waiting"))

    step("the hub is back: the case is delivered, on screen and in the database")
    hub.start("127.0.0.1:%d" % hub_port)
    click(find(home, "Ask the district", "push button"))
    ask = page(app, "NhipAskPage")
    wait_for("the case delivered", lambda: find_all(
        ask, lambda a: a.getRoleName() == "push button" and patient_name in a.name
        and "Delivered" in a.name), 60)
    seen.append(packet_states()[-1])
    cases = hub.cases()
    assert len(cases) == 1 and cases[0]["urgency"] == "urgent", cases
    click(find(app, "Home", "push button"))
    home = page(app, "NhipHomePage")
    wait_for("“Outbox: 0 waiting”", lambda: labels(home, lambda t: t == "Outbox: 0 waiting"))

    step("the doctor answers through the hub: a toast, and badges on home and Ask")
    out = hub.ctl("reply", "--dir", hub.dir, "--case", str(cases[0]["case"]), "--text", ADVICE,
                  "--doctor", "BS. Hà", "--referral", "yes", "--urgency", "urgent")
    assert out.returncode == 0, out.stderr
    wait_for("the toast", lambda: labels(
        app, lambda t: t == f"BS. Hà answered about {patient_name}"), 60)
    seen.append(packet_states()[-1])
    assert seen == ["queued", "delivered", "answered"], seen
    wait_for("the badge on the queue", lambda: find_all(
        home, lambda a: a.getRoleName() == "push button" and patient_name in a.name
        and a.name.endswith("new answer from the district")))
    click(find(home, "Ask the district · 1 new answer", "push button"))
    ask = page(app, "NhipAskPage")
    wait_for("the case answered with a badge", lambda: find_all(
        ask, lambda a: a.getRoleName() == "push button" and patient_name in a.name
        and "Answered by BS. Hà" in a.name and a.name.endswith("new answer")))

    step("the answer on the visit; marked read, and stored")
    click_button(ask, "the answered case", lambda n: patient_name in n and "Answered" in n,
                 showing("Visit"))
    visit = page(app, "NhipVisitPage")
    wait_for("the advice", lambda: labels(visit, lambda t: t == ADVICE))
    for text in ("Answer from the district: BS. Hà", "Referral: yes, refer the patient",
                 "Urgency: urgent"):
        wait_for(f"“{text}”", lambda: labels(visit, lambda t: t == text))
    click(find(visit, "Mark as read", "push button"))
    wait_for("“Read at …”", lambda: labels(visit, lambda t: t.startswith("Read at ")))
    reply = sql("SELECT r.*, s.name AS reader FROM replies r LEFT JOIN staff s "
                "ON s.id = r.read_by")[0]
    assert reply["read_at"] and reply["reader"] == STAFF, dict(reply)
    assert reply["doctor"] == "BS. Hà" and reply["referral"] == 1, dict(reply)
    click(find(app, "Home", "push button"))
    home = page(app, "NhipHomePage")
    wait_for("the badge gone", lambda: not find_all(
        home, lambda a: a.name.endswith("new answer from the district")))
    stop_kiosk(proc)
    proc = None

    step("the kiosk again, locking after 20 s without use; typing in the visit")
    proc, app = start_kiosk({"NHIP_IDLE_LOCK_SECONDS": "20"})
    home = log_in(app, STAFF, STAFF_PIN)
    touch()
    click_button(home, "the visit", lambda n: patient_name in n, showing("Visit"))
    touch()
    visit = page(app, "NhipVisitPage")
    symptoms = find(visit, "Symptoms", "text")
    touch()
    tap(symptoms)
    atspi.key("End")
    type_text(" " + NOTES)
    t0 = time.monotonic()
    wait_for("the login screen after the idle time", locked, 40)
    print(f"#   locked {time.monotonic() - t0:.0f} s after the last key", flush=True)
    kept = sql("SELECT symptoms FROM visits WHERE id = ?", visit_id)[0][0]
    assert kept.endswith(" " + NOTES), f"what was typed before the lock was lost: {kept!r}"

    step("after logging in again what was typed is on the visit")
    home = log_in(app, STAFF, STAFF_PIN)
    click_button(home, "the visit", lambda n: patient_name in n, showing("Visit"))
    visit = page(app, "NhipVisitPage")
    wait_for("the symptoms typed before the lock", lambda: find_all(
        visit, lambda a: a.name == "Symptoms" and atspi.text_of(a) == kept))
    # the screen locks itself again (the taps of the test are not input events)
    wait_for("the login screen", locked, 40)

    step("the technician settings show the enrollment")
    home = log_in(app, TECH, TECH_PIN)
    touch()
    click(find(home, "Technician settings", "push button"))
    settings = page(app, "NhipSettingsPage")
    wait_for("the enrollment row", lambda: labels(
        settings, lambda t: t.startswith("Enrolled as station ST-UI with the hub " + url)))

    step("Back up now: the nightly backup's settings; no backup stick is an error in words")
    key, cert = os.path.join(media, "backup.key"), os.path.join(media, "backup.crt")
    out = subprocess.run([nhipctl, "backup", "keygen", "--key", key, "--cert", cert],
                         env=ENV, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    stick = os.path.join(media, "mnt", "USB-8G")
    os.makedirs(stick)
    con = sqlite3.connect(db, timeout=30)
    with con:
        for name, value in (("backup.certificate", cert),
                            ("backup.mount", os.path.join(media, "mnt"))):
            con.execute("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (name, value))
    con.close()
    backup_button = find(settings, "Back up now", "push button")

    def awake(predicate):
        """the predicate, with a tap now and then: this kiosk locks after 20 s idle"""
        last = [time.monotonic()]

        def check():
            if time.monotonic() - last[0] > 5:
                touch()
                last[0] = time.monotonic()
            return predicate()
        return check
    touch()
    click(backup_button)
    wait_for("the error", awake(lambda: labels(app, lambda t: t.startswith(
        "The backup failed: no backup disk found") and "plug in the backup USB stick" in t)),
        120)
    wait_for("the failure noted", lambda: labels(
        settings, lambda t: "Last backup FAILED on" in t), 10)

    step("Back up now with the backup stick: a backup that verifies and restores")
    with open(os.path.join(stick, "NHIP-BACKUP"), "w"):
        pass
    wait_for("the button back", lambda: atspi.is_sensitive(backup_button), 60)
    t0 = time.monotonic()
    touch()
    click(backup_button)
    # the row says so (the toast waits behind the error's, which stays until dismissed)
    written = wait_for("the backup written", awake(lambda: labels(
        settings, lambda t: "Last backup: " in t and stick in t)), 300)
    print(f"#   {atspi.text_of(written[0])} ({time.monotonic() - t0:.1f} s)", flush=True)
    archives = [n for n in os.listdir(stick) if n.endswith(".nhipbak")]
    assert len(archives) == 1, archives
    archive = os.path.join(stick, archives[0])
    out = subprocess.run([nhipctl, "backup", "verify", archive], env=ENV,
                         capture_output=True, text=True)
    assert out.returncode == 0 and "intact" in out.stdout, out.stdout + out.stderr
    restored = os.path.join(media, "newbox", "station.db")
    out = subprocess.run([nhipctl, "--db", restored, "restore", archive, "--key", key],
                         env=ENV, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    con = sqlite3.connect(restored)
    try:
        assert con.execute("SELECT count(*) FROM attachments").fetchone()[0] == \
            sql("SELECT count(*) FROM attachments")[0][0], "the restored photos differ"
    finally:
        con.close()

    step("closing the kiosk needs a technician PIN: a wrong one is refused")
    def exit_dialog():
        """asks the window to close until the PIN dialog is there (a request that comes
        while the last dialog is still going away finds no window to close)"""
        for attempt in range(3):
            window_close_request()
            try:
                return wait_for("the exit dialog", lambda: find_all(
                    app, lambda a: a.getRoleName() in ("dialog", "frame", "alert")
                    and a.name == "Close the station program?"), 15)[0]
            except atspi.Fail:
                print("#   no exit dialog yet; asking again", flush=True)
        raise atspi.Fail("the kiosk never asked for a technician PIN")
    touch()
    dialog = exit_dialog()
    tap(find(dialog, "Technician PIN"))
    type_text("0000")
    click(wait_for("the close button", lambda: find_all(
        dialog, lambda a: a.getRoleName() == "push button"
        and a.name.replace("_", "").startswith("Close program")))[0])
    wait_for("the refusal", lambda: labels(
        app, lambda t: t.startswith("The program stays open")), 20)
    time.sleep(1)
    assert proc.poll() is None, "the kiosk closed with a wrong PIN"

    step("the right technician PIN closes it")
    dialog = exit_dialog()
    tap(find(dialog, "Technician PIN"))
    type_text(TECH_PIN)
    click(wait_for("the close button", lambda: find_all(
        dialog, lambda a: a.getRoleName() == "push button"
        and a.name.replace("_", "").startswith("Close program")))[0])
    proc.wait(60)
    assert proc.returncode == 0, f"nhip-station exited with {proc.returncode}"
    proc = None
    failed = sql("SELECT count(*) FROM audit_log WHERE action = 'staff.login-failed'")[0][0]
    assert failed == 1, f"{failed} failed logins in the audit log (the wrong exit PIN)"
except BaseException:
    kiosk.screenshot_failure("ui-ask-failure.png", workdir)
    if hub is not None and os.path.exists(hub.log_path):
        print("# hub log:\n" + hub.logtext()[-3000:], flush=True)
    raise
finally:
    kiosk.end_kiosk(proc)
    if hub is not None and hub.proc is not None and hub.proc.poll() is None:
        hub.kill(signal.SIGTERM)

shutil.rmtree(photos)
shutil.rmtree(media)
print(f"{len(steps)} steps passed")
