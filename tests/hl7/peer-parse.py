#!/usr/bin/python3
# Nhịp — an independent check of our ER7 output: python-hl7 parses a message we encoded and
# every listed value must be what we put in.
#
# usage: peer-parse.py MESSAGE_FILE EXPECTATIONS_FILE
#   EXPECTATIONS_FILE has one line per value, tab-separated:
#   SEGMENT  OCCURRENCE  FIELD  REPETITION  COMPONENT  SUBCOMPONENT  VALUE
#   where VALUE uses \n for a line break and \\ for a backslash.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import sys

import hl7


def unquote(text):
    out = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def main():
    with open(sys.argv[1], "rb") as f:
        raw = f.read().decode("utf-8")
    message = hl7.parse(raw)
    failures = 0

    # python-hl7 keeps the encoded text, so writing it back must give our bytes
    if str(message) != raw:
        print("re-encoded text differs:\n%r\n%r" % (str(message), raw))
        failures += 1

    checked = 0
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            seg, occ, field, rep, comp, sub, expected = line.split("\t", 6)
            expected = unquote(expected)
            got = message.extract_field(seg, int(occ), int(field), int(rep), int(comp), int(sub))
            # python-hl7 turns \.br\ into CR where we give LF
            got = str(got).replace("\r", "\n")
            checked += 1
            if got != expected:
                print("%s[%s]-%s(%s)-%s-%s: python-hl7 read %r, expected %r"
                      % (seg, occ, field, rep, comp, sub, got, expected))
                failures += 1
    print("checked %d values, %d failures" % (checked, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
