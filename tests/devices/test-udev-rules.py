#!/usr/bin/env python3
# Nhịp — checks packaging/udev/70-nhip-devices.rules against the driver table:
# every USB id of `nhipctl device drivers --json` is given to group nhip on the node its
# transport uses, no other id is, and no rule makes a node wider than 0660.
#
# usage: test-udev-rules.py NHIPCTL RULES
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import re
import subprocess
import sys

# the kernel nodes each transport opens
NODES = {
    "usb-bulk": ["usb"],
    "usb-hid": ["usb", "hidraw"],
    "hid-uart": ["usb", "hidraw"],
    "serial": ["tty"],
}

KEY_RE = re.compile(r'\s*([A-Za-z_]+(?:\{[^}]*\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*,?')


def parse_line(line):
    """returns [(key, op, value)] of one rule line, or raises ValueError"""
    pairs = []
    pos = 0
    while pos < len(line):
        m = KEY_RE.match(line, pos)
        if m is None:
            raise ValueError("cannot read: " + line[pos:])
        pairs.append(m.groups())
        pos = m.end()
    return pairs


def parse_rules(text):
    """returns a list of (subsystem section, [(key, op, value)], line number)"""
    rules = []
    section = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            raise ValueError(f"line {number}: continuation lines are not used here")
        pairs = parse_line(line)
        keys = {k: (op, v) for k, op, v in pairs}
        if "SUBSYSTEM" in keys and keys["SUBSYSTEM"][0] == "!=" and "GOTO" in keys:
            section = keys["SUBSYSTEM"][1]
        rules.append((section, pairs, number))
    return rules


def check(rules_text, drivers):
    """returns a list of problems; empty when the rules match the table"""
    problems = []
    try:
        rules = parse_rules(rules_text)
    except ValueError as e:
        return [str(e)]

    granted = set()  # (section, vid, pid) or (section, "class", cc)
    labels = set()
    gotos = set()
    for section, pairs, number in rules:
        keys = {}
        for k, op, v in pairs:
            keys.setdefault(k, []).append((op, v))
        if "LABEL" in keys:
            labels.add(keys["LABEL"][0][1])
        for op, v in keys.get("GOTO", []):
            gotos.add(v)
        for k in ("OWNER", "RUN", "PROGRAM", "IMPORT{program}"):
            if k in keys:
                problems.append(f"line {number}: {k} has no place in these rules")
        for op, v in keys.get("TAG", []):
            problems.append(f"line {number}: TAG{op}\"{v}\" would give access beyond group nhip")
        modes = keys.get("MODE", [])
        groups = keys.get("GROUP", [])
        if not modes and not groups:
            continue
        for op, v in modes:
            if op not in ("=", ":="):
                problems.append(f"line {number}: MODE{op} is not a plain assignment")
                continue
            try:
                mode = int(v, 8)
            except ValueError:
                problems.append(f"line {number}: MODE \"{v}\" is not octal")
                continue
            if mode & ~0o660:
                problems.append(f"line {number}: MODE {v} is wider than 0660")
        if len(modes) != 1 or len(groups) != 1 or groups[0][1] != "nhip":
            problems.append(f"line {number}: a rule must set exactly GROUP=\"nhip\" and MODE")
            continue
        if section not in ("usb", "hidraw", "tty"):
            problems.append(f"line {number}: rule outside a usb, hidraw or tty section")
            continue
        attr = "ATTR" if section == "usb" else "ATTRS"
        vid = keys.get(attr + "{idVendor}", [(None, None)])[0][1]
        pid = keys.get(attr + "{idProduct}", [(None, None)])[0][1]
        interfaces = keys.get("ENV{ID_USB_INTERFACES}", [(None, None)])[0][1]
        if vid is not None and pid is not None:
            granted.add((section, vid.lower(), pid.lower()))
        elif section == "usb" and interfaces is not None:
            m = re.fullmatch(r"\*:([0-9a-f]{2})\?\?\?\?:\*", interfaces)
            if m is None:
                problems.append(f"line {number}: unexpected interface match {interfaces}")
            else:
                granted.add((section, "class", m.group(1)))
        else:
            problems.append(f"line {number}: rule does not name one VID:PID or a class")

    for target in gotos - labels:
        problems.append(f"GOTO \"{target}\" has no LABEL")

    wanted = set()
    for driver in drivers:
        nodes = NODES.get(driver["transport"])
        if nodes is None:
            problems.append(f"driver {driver['name']}: unknown transport {driver['transport']}")
            continue
        for row in driver["usb"]:
            for node in nodes:
                if row["vid"] is not None and row["pid"] is not None:
                    wanted.add((node, row["vid"].lower(), row["pid"].lower()))
                elif row["vid"] is None and row["interface_class"]:
                    wanted.add((node, "class", "%02x" % row["interface_class"]))
                else:
                    problems.append(f"driver {driver['name']}: cannot express {row} in udev")
    for item in sorted(wanted - granted):
        problems.append(f"{item[0]}: {item[1]}:{item[2]} of the driver table has no rule")
    for item in sorted(granted - wanted):
        problems.append(f"{item[0]}: {item[1]}:{item[2]} is granted but no driver supports it")
    return problems


def main():
    if len(sys.argv) != 3:
        print("usage: test-udev-rules.py NHIPCTL RULES", file=sys.stderr)
        return 2
    nhipctl, rules_path = sys.argv[1], sys.argv[2]
    out = subprocess.run([nhipctl, "device", "drivers", "--json"], check=True,
                         capture_output=True, text=True).stdout
    drivers = json.loads(out)
    with open(rules_path, encoding="utf-8") as f:
        text = f.read()

    failed = 0
    tests = []

    problems = check(text, drivers)
    tests.append(("rules match the driver table", problems == [], problems))
    names = {d["name"] for d in drivers}
    tests.append(("the table holds the five drivers",
                  names >= {"phdc", "omron-hid", "cms50", "taidoc", "tanita"}, sorted(names)))

    # the checker itself must catch what it is for
    wide = text.replace('ATTR{idProduct}=="0028", GROUP="nhip", MODE="0660"',
                        'ATTR{idProduct}=="0028", GROUP="nhip", MODE="0666"')
    tests.append(("a world-writable mode is caught",
                  any("wider than 0660" in p for p in check(wide, drivers)), None))
    missing = "\n".join(l for l in text.splitlines() if '"ea60"' not in l)
    tests.append(("a missing VID:PID is caught",
                  any("10c4:ea60" in p for p in check(missing, drivers)), None))
    extra = text + '\nSUBSYSTEM!="tty", GOTO="x"\nATTRS{idVendor}=="1a86", ' \
        'ATTRS{idProduct}=="7523", GROUP="nhip", MODE="0660"\nLABEL="x"\n'
    tests.append(("an id no driver supports is caught",
                  any("1a86:7523" in p for p in check(extra, drivers)), None))
    nogroup = text.replace('ATTRS{idProduct}=="6001", GROUP="nhip"',
                           'ATTRS{idProduct}=="6001", GROUP="plugdev"')
    tests.append(("another group is caught", check(nogroup, drivers) != [], None))
    uaccess = text + '\nSUBSYSTEM=="usb", TAG+="uaccess"\n'
    tests.append(("uaccess is caught", check(uaccess, drivers) != [], None))

    print(f"1..{len(tests)}")
    for i, (name, ok, detail) in enumerate(tests, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok:
            failed += 1
            if detail:
                for line in detail if isinstance(detail, list) else [detail]:
                    print(f"# {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
