"""Small helpers to drive a GTK 4 program through AT-SPI (python3-pyatspi)."""
import os
import subprocess
import time

import pyatspi

TIMEOUT = float(os.environ.get("NHIP_ATSPI_TIMEOUT", "30"))


class Fail(AssertionError):
    pass


def wait_for(what, predicate, timeout=TIMEOUT):
    end = time.time() + timeout
    last_error = None
    while time.time() < end:
        try:
            result = predicate()
        except Exception as error:  # a widget went away while the tree was walked
            if isinstance(error, Fail):
                raise
            last_error = error
            result = None
        if result:
            return result
        time.sleep(0.1)
    detail = f" (last error: {last_error})" if last_error else ""
    raise Fail(f"timed out after {timeout:.0f} s waiting for {what}{detail}")


def application(name):
    def look():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == name:
                return app
        return None
    return wait_for(f"the application {name} on the accessibility bus", look)


def find(root, name, role=None, timeout=TIMEOUT):
    """The first descendant of root with this accessible name (and role)."""
    def look():
        return pyatspi.findDescendant(
            root, lambda a: a is not None and a.name == name
            and (role is None or a.getRoleName() == role))
    return wait_for(f"“{name}”" + (f" ({role})" if role else ""), look, timeout)


def find_all(root, predicate):
    return pyatspi.findAllDescendants(root, lambda a: a is not None and predicate(a))


def page(app, type_name):
    """A kiosk screen, found by its widget type (its accessible name when it has no label)."""
    return find(app, type_name)


def click(acc):
    """Activates a button through its AT-SPI action, as a screen reader would."""
    action = acc.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ("click", "activate", "press"):
            action.doAction(i)
            return
    raise Fail(f"“{acc.name}” has no click action")


def focused(acc):
    """Whether the widget or a part of it (a GtkEntry's text) has the keyboard focus."""
    if acc.getState().contains(pyatspi.STATE_FOCUSED):
        return True
    return pyatspi.findDescendant(
        acc, lambda a: a is not None and a.getState().contains(pyatspi.STATE_FOCUSED)) is not None


def tap(acc):
    """Gives a text field the focus: a pointer click in its middle when it is on screen,
    else Tab until the focus reaches it (GTK scrolls the field into view).

    GTK 4 reports positions relative to its window; the test's window sits at 0,0 of the
    X screen, so they are screen positions too."""
    x, y, w, h = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    if 0 <= y and y + h <= 540:
        pyatspi.Registry.generateMouseEvent(x + w // 2, y + h // 2, pyatspi.MOUSE_B1C)
        try:
            wait_for(f"the focus in “{acc.name}”", lambda: focused(acc), 2)
            return
        except Fail:
            pass
    for _ in range(60):
        if focused(acc):
            return
        key("Tab")
        time.sleep(0.05)
    wait_for(f"the focus in “{acc.name}”", lambda: focused(acc), 2)


_mapped = set()


def map_keys(text):
    """Puts every non-ASCII character of text on a spare key of the X keyboard map.

    Without this, AT-SPI types such a character by mapping it on one spare key for a
    moment; the next one takes that key over, and a program that reads the first key a
    little late sees the second character. A keyboard with the letters on it, as a
    Vietnamese keyboard or a scanner's keyboard layout has, behaves like this map."""
    from Xlib import display as xdisplay
    wanted = sorted({ch for ch in text if ord(ch) > 127} - _mapped)
    if not wanted:
        return
    d = xdisplay.Display()
    first = d.display.info.min_keycode
    last = d.display.info.max_keycode
    current = d.get_keyboard_mapping(first, last - first + 1)
    free = [first + i for i, syms in enumerate(current) if not any(syms)]
    # X names a few letters with the old Latin keysyms, the rest by Unicode value; a
    # character gets a key for each name, so it is found whichever one is looked up
    legacy = {0x102: 0x1c3, 0x103: 0x1e3, 0x110: 0x1d0, 0x111: 0x1f0,
              0x128: 0x3a5, 0x129: 0x3b5, 0x168: 0x3dd, 0x169: 0x3fd}
    keysyms = []
    for ch in wanted:
        cp = ord(ch)
        keysyms.append(0x1000000 + cp)
        if cp < 0x100:
            keysyms.append(cp)
        elif cp in legacy:
            keysyms.append(legacy[cp])
    if len(free) < len(keysyms):
        raise Fail(f"the X keyboard map has {len(free)} free keys, {len(keysyms)} needed")
    for keycode, keysym in zip(free, keysyms):
        d.change_keyboard_mapping(keycode, [(keysym, keysym)])
    _mapped.update(wanted)
    d.sync()
    d.close()
    time.sleep(0.3)


def type_text(text):
    """Types text as key presses, one character at a time, as a keyboard or scanner does."""
    map_keys(text)
    for ch in text:
        pyatspi.Registry.generateKeyboardEvent(0, ch, pyatspi.KEY_STRING)


KEYSYMS = {"Return": 0xff0d, "BackSpace": 0xff08, "End": 0xff57, "Tab": 0xff09}


def key(name):
    """Presses one named key (Return, BackSpace, End, Tab)."""
    pyatspi.Registry.generateKeyboardEvent(KEYSYMS[name], None, pyatspi.KEY_SYM)


def retype(acc, text, erase=40):
    """Replaces what a field holds: End, then BackSpace, then the new text."""
    tap(acc)
    key("End")
    for _ in range(erase):
        key("BackSpace")
    type_text(text)


def text_of(acc):
    """What a label shows (its text, else its accessible name)."""
    try:
        t = acc.queryText()
        text = t.getText(0, t.characterCount)
    except NotImplementedError:
        text = ""
    return text or acc.name or ""


def is_sensitive(acc):
    return acc.getState().contains(pyatspi.STATE_SENSITIVE)


def start(program, *args, env=None):
    """Starts the program; again if it could not reach the X server just started."""
    e = dict(os.environ)
    e.update(env or {})
    for attempt in range(5):
        proc = subprocess.Popen([program, *args], env=e)
        try:
            proc.wait(1.5)
        except subprocess.TimeoutExpired:
            return proc
        print(f"# {program} exited with {proc.returncode} at start; trying again", flush=True)
        time.sleep(1)
    raise Fail(f"{program} does not start")
