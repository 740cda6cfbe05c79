#!/usr/bin/python3
"""The first-run setup assistant and the technician's status page, through the real
nhip-station window over AT-SPI.

An empty database → the assistant appears instead of the login screen → the technician
gives a name and a PIN (a mistyped second PIN is shown next to the fields and Next waits) →
the facility with its administrative codes (a 4-digit district code is refused as it is
typed) → the hub is skipped → devices and network pages → finish → log in with the new PIN
→ technician settings → the status page lists every check → the SQLite file holds the
facility and a hashed PIN.

Usage (tests/ui/run-atspi.sh sets up Xvfb and the accessibility bus):
    test-setup-flow.py NHIP-STATION
"""
import os
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atspi  # noqa: E402
import pyatspi  # noqa: E402
from atspi import click, find, find_all, page, retype, tap, type_text, wait_for  # noqa: E402

station = sys.argv[1]
workdir = tempfile.mkdtemp(prefix="nhip-ui-setup-")
db = os.path.join(workdir, "station.db")
steps = []


def step(text):
    steps.append(text)
    print(f"# {text}", flush=True)


def field(root, name):
    """A text field by its title (the label beside it has the same name)."""
    return wait_for(f"the field “{name}”", lambda: pyatspi.findDescendant(
        root, lambda a: a is not None and a.name == name
        and a.getRoleName() in ("text", "password text")))


def fill(root, name, text):
    tap(field(root, name))
    type_text(text)


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


def label_with(root, fragment):
    return find_all(root, lambda a: a.getRoleName() == "label" and fragment in atspi.text_of(a))


proc = atspi.start(station, "--db", db,
                   env={"LANGUAGE": "en", "NHIP_NON_UNIQUE": "1", "G_DEBUG": ""})
try:
    app = atspi.application("nhip-station")
    atspi.map_keys("Nguyễn Văn Kỹ" + "Trạm Y tế xã Tân Hòa")

    step("an empty station shows the setup assistant, not the login screen")
    assistant = page(app, "NhipSetupAssistant")
    wait_for("step 1", lambda: label_with(assistant, "Step 1 of 5"))
    next_button = find(assistant, "Next", "push button")
    assert not atspi.is_sensitive(next_button), "Next before anything was typed"

    step("the technician: a mistyped second PIN is shown and Next waits")
    fill(assistant, "Technician's name", "Nguyễn Văn Kỹ")
    fill(assistant, "PIN", "482916")
    fill(assistant, "PIN again", "482917")
    wait_for("the PIN message", lambda: label_with(assistant, "The two PINs differ"))
    assert not atspi.is_sensitive(next_button), "Next with two different PINs"
    retype(field(assistant, "PIN again"), "482916", erase=10)
    wait_for("Next enabled", lambda: atspi.is_sensitive(next_button))
    click(next_button)

    step("the facility: a wrong district code is refused as it is typed")
    wait_for("step 2", lambda: label_with(assistant, "Step 2 of 5"))
    fill(assistant, "Facility code (5 digits)", "66181")
    fill(assistant, "Facility name", "Trạm Y tế xã Tân Hòa")
    fill(assistant, "Province code (2 digits)", "66")
    fill(assistant, "District code (3 digits)", "6600")
    wait_for("the district message", lambda: label_with(assistant, "is not a district code"))
    retype(field(assistant, "District code (3 digits)"), "660", erase=10)
    fill(assistant, "Commune code (5 digits)", "24166")
    facility_next = wait_for("Next of the facility", lambda: [
        b for b in find_all(assistant, lambda a: a.getRoleName() == "push button"
                            and a.name == "Next") if atspi.is_sensitive(b)])
    click(facility_next[0])

    step("the hub is skipped (no network in the test)")
    wait_for("step 3", lambda: label_with(assistant, "Step 3 of 5"))
    click(find(assistant, "Skip", "push button"))

    step("the devices and the network steps")
    wait_for("step 4", lambda: label_with(assistant, "Step 4 of 5"))
    click(find(assistant, "Check devices", "push button"))
    wait_for("a devices answer", lambda: label_with(assistant, "device") or
             label_with(assistant, "•"))
    # the Next buttons of the steps done are off: the one on
    click(wait_for("Next of devices", lambda: [
        b for b in find_all(assistant, lambda a: a.getRoleName() == "push button"
                            and a.name == "Next") if atspi.is_sensitive(b)])[0])
    wait_for("step 5", lambda: label_with(assistant, "Step 5 of 5"))
    click(find(assistant, "Check network", "push button"))
    wait_for("the network answer", lambda: label_with(assistant, "no hub address to check"))
    click(find(assistant, "Finish", "push button"))

    step("the new technician logs in with the PIN just made")
    login = page(app, "NhipLoginPage")
    click(find(login, "Nguyễn Văn Kỹ"))
    wait_for("the name chosen", lambda: label_with(login, "Enter your PIN"))
    enter_pin(login, "482916")
    click(find(login, "Log in", "push button"))
    home = page(app, "NhipHomePage")

    step("technician settings → the status page lists every check")
    click(find(home, "Technician settings", "push button"))
    settings = page(app, "NhipSettingsPage")
    click(find(settings, "Show status", "push button"))
    status = page(app, "NhipStatusPage")
    for title in ("Versions", "Disk space", "Database", "Cases to the hub",
                  "Hospital information system", "Devices", "Station certificate", "Clock",
                  "Backup"):
        find(status, title)
    wait_for("the database intact", lambda: label_with(status, "intact; facility 66181"))
    click(find(status, "Check again", "push button"))
    wait_for("checked again", lambda: label_with(status, "intact; facility 66181"))
finally:
    proc.terminate()
    try:
        proc.wait(10)
    except Exception:
        proc.kill()

step("the database holds the facility, its codes and a hashed PIN")
con = sqlite3.connect(db)
row = con.execute("SELECT code, name, province_code, district_code, commune_code "
                  "FROM facility").fetchone()
assert row == ("66181", "Trạm Y tế xã Tân Hòa", "66", "660", "24166"), row
staff = con.execute("SELECT name, role, pin_hash FROM staff").fetchall()
assert len(staff) == 1 and staff[0][:2] == ("Nguyễn Văn Kỹ", "technician"), staff
assert "482916" not in staff[0][2]
con.close()
shutil.rmtree(workdir)
print(f"{len(steps)} steps passed")
