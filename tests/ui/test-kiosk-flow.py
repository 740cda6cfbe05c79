#!/usr/bin/python3
"""The whole visit through the real nhip-station window, driven over AT-SPI.

login (a wrong PIN first) → search without diacritics → a CCCD QR scan typed as fast key
presses fills the register form → a bad phone number is shown next to its field, then
fixed → save → start a visit → readings by hand (one outside the usual range) → symptoms →
ICD-10 diagnosis found without diacritics → close the visit after the confirmation → then
the SQLite file is checked for exactly what was stored.

Usage (tests/ui/run-atspi.sh sets up Xvfb and the accessibility bus):
    test-kiosk-flow.py NHIP-STATION WORKDIR
"""
import os
import shutil
import signal
import subprocess
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi  # noqa: E402
from atspi import click, find, find_all, page, retype, tap, type_text, wait_for, key  # noqa: E402

QR = ("066190001234||Hà Thị Mai|12051990|Nữ|"
      "Thôn 5, Xã Ea Nuôl, Huyện Buôn Đôn, Đắk Lắk|20082021")

station = sys.argv[1]
workdir = tempfile.mkdtemp(prefix="nhip-ui-flow-")
db = os.path.join(workdir, "station.db")
steps = []


def enter_pin(login, pin):
    """Taps the digits on the number pad, each once the one before it shows as a dot."""
    def dots(n):
        return find_all(login, lambda a: a.getRoleName() == "label"
                        and set(atspi.text_of(a)) <= {"●", "○", " "}
                        and atspi.text_of(a).count("●") == n)
    wait_for("an empty PIN", lambda: dots(0), 10)
    for n, digit in enumerate(pin, 1):
        click(find(login, digit, "push button"))
        wait_for(f"{n} dots", lambda: dots(n), 10)


def step(text):
    steps.append(text)
    print(f"# {text}", flush=True)


proc = atspi.start(station, "--demo", "--db", db,
                   env={"LANGUAGE": "en", "NHIP_NON_UNIQUE": "1", "G_DEBUG": "",
                        "G_MESSAGES_DEBUG": "NhipStation"})
try:
    app = atspi.application("nhip-station")
    # the letters the test types, on the keyboard map before the program reads it
    atspi.map_keys(QR + "Sốt 3 ngày, đau họng" + "Nguyễn Thị")

    step("a wrong PIN is refused with a message, on the login screen")
    login = page(app, "NhipLoginPage")
    click(find(login, "Y sĩ Lê Thị Hồng"))
    wait_for("the name chosen", lambda: find_all(
        login, lambda a: a.getRoleName() == "label" and atspi.text_of(a) == "Enter your PIN"))
    enter_pin(login, "9999")
    click(find(login, "Log in", "push button"))
    wait_for("the wrong-PIN message", lambda: find_all(
        login, lambda a: a.getRoleName() == "label" and "PIN" in atspi.text_of(a)
        and "wrong" in atspi.text_of(a).lower()))

    step("the right PIN logs in")
    enter_pin(login, "1234")
    click(find(login, "Log in", "push button"))
    home = page(app, "NhipHomePage")
    wait_for("the greeting", lambda: find_all(
        home, lambda a: "Hello, Y sĩ Lê Thị Hồng" in atspi.text_of(a)))

    step("search as you type, without diacritics")
    click(find(home, "Find a patient", "push button"))
    search = page(app, "NhipSearchPage")
    entry = find(search, "Search patients")
    tap(entry)
    type_text("nguyen thi")
    results = wait_for("results for “nguyen thi”", lambda: find_all(
        search, lambda a: a.getRoleName() == "push button" and a.name.startswith("Nguyễn Thị")))
    print(f"#   {len(results)} results, first {results[0].name}")

    step("register: a CCCD QR scan, typed as fast key presses, fills the form")
    click(find(search, "New patient", "push button"))
    form = page(app, "NhipPatientForm")
    name = find(form, "Full name *", "text")
    tap(name)
    type_text(QR)
    key("Return")
    female = find(form, "Female")
    wait_for("the form filled from the card (sex: female)", lambda: any(
        female.getState().contains(s) for s in (atspi.pyatspi.STATE_CHECKED,
                                                 atspi.pyatspi.STATE_PRESSED)))

    step("a bad phone number is shown next to its field and kept for correcting")
    phone = find(form, "Phone", "text")
    tap(phone)
    type_text("12345")
    tap(find(form, "Health insurance card (BHYT)", "text"))
    wait_for("the phone error", lambda: find_all(
        form, lambda a: a.getRoleName() == "label" and "phone" in atspi.text_of(a).lower()
        and "12345" in atspi.text_of(a)))
    type_text("GD4797931234567")
    retype(phone, "0912 345 678")

    step("save the new patient")
    click(find(form, "Save patient", "push button"))
    patient = page(app, "NhipPatientPage")
    wait_for("the patient screen", lambda: find_all(
        patient, lambda a: atspi.text_of(a) == "Hà Thị Mai"))

    step("start a visit")
    click(find(patient, "Start a visit", "push button"))
    visit = page(app, "NhipVisitPage")
    wait_for("the visit screen", lambda: find_all(
        visit, lambda a: a.getRoleName() == "label" and atspi.text_of(a).startswith("Started at")))

    step("readings from the simulated devices (nhip-devsim) appear, with the device and time")
    cards = wait_for("a reading from a device", lambda: find_all(
        visit, lambda a: (a.description or "").startswith("From ")
        and (a.name.startswith("SpO2") or a.name.startswith("Weight"))))
    for card in cards:
        print(f"#   {card.name} — {card.description}")

    def enter_reading(button, fields, expected):
        """Taps “Enter … by hand”, types each value into its field, saves, and waits for
        the reading's card (its accessible name starts with expected)."""
        click(find(visit, button, "push button"))
        for n, (name, value) in enumerate(fields):
            field = find(visit, name, "text")
            if n == 0:
                wait_for(f"the focus in {name}", lambda: atspi.focused(field), 5)
            else:
                tap(field)
            type_text(value)
        click(find(visit, "Save the reading", "push button"))
        wait_for(f"the card “{expected}…”", lambda: find_all(
            visit, lambda a: a.name.startswith(expected)))

    step("a temperature by hand, with a decimal comma")
    enter_reading("Enter Temperature by hand", [("Temperature", "38,6")],
                  "Temperature 38.6 °C, Fever")

    step("a blood pressure by hand, outside the usual range")
    enter_reading("Enter Blood pressure by hand", [("Systolic", "152"), ("Diastolic", "96")],
                  "Blood pressure 152/96 mmHg, High blood pressure")

    step("symptoms")
    tap(find(visit, "Symptoms", "text"))
    type_text("Sốt 3 ngày, đau họng")

    step("an ICD-10 diagnosis found without diacritics")
    click(find(visit, "Add a diagnosis", "push button"))
    picker = find(visit, "Search diagnoses")
    wait_for("the picker's focus", lambda: atspi.focused(picker), 5)
    type_text("viem hong cap")
    click(find(visit, "J02.9 Viêm họng cấp, không đặc hiệu", "push button"))
    wait_for("the diagnosis in the visit", lambda: find_all(
        visit, lambda a: "J02.9 Viêm họng cấp" in atspi.text_of(a)
        and a.getRoleName() == "label"))

    step("close the visit after the confirmation")
    click(find(visit, "Close the visit", "push button"))
    dialog = wait_for("the confirmation", lambda: find_all(
        app, lambda a: a.getRoleName() in ("dialog", "frame", "alert")
        and a.name == "Close the visit?"))[0]
    print("#   the dialog offers:", [a.name for a in find_all(
        dialog, lambda a: a.getRoleName() == "push button")])
    click(wait_for("the dialog's button", lambda: find_all(
        dialog, lambda a: a.getRoleName() == "push button"
        # libadwaita 1.2 names a response button by its label twice, with the mnemonic
        and a.name.replace("_", "").startswith("Close the visit")))[0])
    wait_for("the home screen with the visit done", lambda: find_all(
        home, lambda a: a.getRoleName() == "push button" and "Hà Thị Mai" in a.name
        and a.name.endswith("done")))
except BaseException:
    # what the screen showed when it failed
    shot = os.path.join(os.environ.get("MESON_BUILD_ROOT", workdir), "ui-flow-failure.png")
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", shot], check=False)
        print(f"# the screen at the failure: {shot}", flush=True)
    try:
        named = find_all(app, lambda a: a.getRoleName() in ("entry", "text", "password text", "combo box", "toggle button"))
        print("# fields and buttons:", [(a.getRoleName(), a.name) for a in named][:80])
    except Exception:
        pass
    raise
finally:
    # as systemd stops the kiosk: queued writes finish, then a clean exit (and, under
    # AddressSanitizer, a leak check)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except Exception:
        proc.kill()
        raise

step("nhip-station stops cleanly on SIGTERM")
assert proc.returncode == 0, f"nhip-station exited with {proc.returncode}"

step("what was stored")
con = sqlite3.connect(db)
con.row_factory = sqlite3.Row
p = con.execute("SELECT * FROM patients WHERE cccd = '066190001234'").fetchone()
assert p is not None, "the patient from the QR code was not stored"
assert p["full_name"] == "Hà Thị Mai", p["full_name"]
assert p["birth"] == "1990-05-12", p["birth"]
assert p["sex"] == 2, p["sex"]
assert p["bhyt"] == "GD4797931234567", p["bhyt"]
assert p["phone"] == "0912345678", p["phone"]
assert p["province_code"] == "66", p["province_code"]
assert "Ea Nuôl" in p["address"], p["address"]
visits = con.execute("SELECT * FROM visits WHERE patient_id = ?", (p["id"],)).fetchall()
assert len(visits) == 1, f"{len(visits)} visits"
v = visits[0]
assert v["status"] == "closed", v["status"]
assert v["closed_at"] >= v["opened_at"]
assert v["symptoms"] == "Sốt 3 ngày, đau họng", v["symptoms"]
codes = [r[0] for r in con.execute(
    "SELECT icd10 FROM visit_diagnoses WHERE visit_id = ? ORDER BY seq", (v["id"],))]
assert codes == ["J02.9"], codes
obs = {r["loinc"]: r for r in con.execute(
    "SELECT * FROM observations WHERE visit_id = ?", (v["id"],))}
assert obs["8310-5"]["value"] == 38.6 and obs["8310-5"]["source"] == "manual", dict(obs["8310-5"])
assert (obs["85354-9"]["value"], obs["85354-9"]["value2"]) == (152, 96)
manual = [o for o in obs.values() if o["source"] == "manual"]
assert all(o["staff_id"] is not None for o in manual), "readings lack who entered them"
devices = con.execute(
    "SELECT loinc, value, device_id, device_model FROM observations "
    "WHERE visit_id = ? AND source = 'device'", (v["id"],)).fetchall()
assert devices, "no reading from the simulated devices in the visit"
assert any(d["device_id"].startswith(("cms50:", "tanita:")) for d in devices), devices
actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY id")]
for needed in ("staff.login", "patient.add", "visit.open", "observation.add", "visit.close"):
    assert needed in actions, f"no {needed} in the audit log"
failed_logins = con.execute(
    "SELECT count(*) FROM audit_log WHERE action = 'staff.login-failed'").fetchone()[0]
assert failed_logins == 1, f"{failed_logins} failed logins in the audit log"
print(f"#   patient {p['id']}, visit {v['id']}: {len(manual)} readings by hand, "
      f"{len(devices)} from devices, diagnoses {codes}")
con.close()
shutil.rmtree(workdir)
print(f"{len(steps)} steps passed")
