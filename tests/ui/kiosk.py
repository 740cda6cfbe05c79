"""The kiosk's own steps over AT-SPI, shared by the tests that drive nhip-station: starting
and stopping it, logging in on the PIN pad, finding labels and screens, and clicking rows
of lists that are rebuilt while the test looks at them."""
import os
import shutil
import signal
import subprocess
import time

import atspi
from atspi import click, find, find_all, page, wait_for


def start_kiosk(station, db, extra_env=None):
    """nhip-station --demo --kiosk on db, and its application on the accessibility bus"""
    env = {"LANGUAGE": "en", "NHIP_NON_UNIQUE": "1", "G_DEBUG": "",
           "G_MESSAGES_DEBUG": "NhipStation"}
    env.update(extra_env or {})
    if "ASAN_OPTIONS" in os.environ:
        # tests/lsan.supp names frames inside GLib and the file chooser's libraries, which
        # the fast unwinder cannot walk through (they are built without frame pointers)
        env["ASAN_OPTIONS"] = os.environ["ASAN_OPTIONS"] + ":fast_unwind_on_malloc=0"
    p = atspi.start(station, "--demo", "--kiosk", "--db", db, env=env)
    return p, atspi.application("nhip-station")


def stop_kiosk(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()
        raise
    assert p.returncode == 0, f"nhip-station exited with {p.returncode}"


def end_kiosk(p):
    """after a failure: the kiosk stopped if it still runs, whatever its exit status"""
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()


def screenshot_failure(name, workdir):
    """the X screen as it was when the test failed, in the build folder under meson"""
    shot = os.path.join(os.environ.get("MESON_BUILD_ROOT", workdir), name)
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", shot], check=False)
        print(f"# the screen at the failure: {shot}", flush=True)


def labels(root, predicate):
    return find_all(root, lambda a: a.getRoleName() == "label" and predicate(atspi.text_of(a)))


def showing(app, title):
    """Whether the kiosk shows the screen with this title in its header."""
    return lambda: labels(app, lambda t: t == title)


def touch():
    """A tap on the header's title, which does nothing but counts as use (AT-SPI actions do
    not: they are not input events)."""
    atspi.pyatspi.Registry.generateMouseEvent(512, 30, atspi.pyatspi.MOUSE_B1C)


def click_button(root, what, predicate, until):
    """Clicks the first button that matches until `until()` holds, found again if the list
    was redrawn under it (the case list is rebuilt as the sender moves packets on)."""
    for attempt in range(10):
        button = wait_for(what, lambda: find_all(
            root, lambda a: a.getRoleName() == "push button" and predicate(a.name)))[0]
        try:
            name = button.name
            touch()
            click(button)
            wait_for(f"{what} to open", until, 5)
            return name
        except Exception as error:  # the button went away between finding and clicking
            print(f"#   {what}: {error}; again", flush=True)
            time.sleep(0.3)
    raise atspi.Fail(f"cannot click {what}")


def log_in(app, name, pin):
    login = page(app, "NhipLoginPage")
    # the list of names is drawn again when the screen locks: found again if need be
    click_button(login, name, lambda n: n == name,
                 lambda: labels(login, lambda t: t == "Enter your PIN"))

    def dots(n):
        return labels(login, lambda t: set(t) <= {"●", "○", " "} and t.count("●") == n)
    wait_for("an empty PIN", lambda: dots(0), 10)
    for n, digit in enumerate(pin, 1):
        click(find(login, digit, "push button"))
        wait_for(f"{n} dots", lambda: dots(n), 10)
    click(find(login, "Log in", "push button"))
    home = page(app, "NhipHomePage")
    wait_for("the home screen", lambda: find_all(
        home, lambda a: f"Hello, {name}" in atspi.text_of(a)))
    return home
