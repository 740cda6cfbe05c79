#!/usr/bin/python3
# Nhịp — python-hl7 on the same ORU^R01 messages as bench-hl7, for comparison.
# usage: bench-python-hl7.py MESSAGES_FILE [SECONDS]
# prints "RESULT <name> <messages per second>" lines.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import sys
import time

import hl7


def load(path):
    with open(path, encoding="utf-8") as f:
        blocks = f.read().strip("\n").split("\n\n")
    return ["\r".join(block.split("\n")) + "\r" for block in blocks]


def parse_encode(text):
    return str(hl7.parse(text))


def parse_access_encode(text):
    message = hl7.parse(text)
    message.extract_field("PID", 1, 5, 1, 1)
    for n in range(1, len(message.segments("OBX")) + 1):
        message.extract_field("OBX", n, 3, 1, 1)
        message.extract_field("OBX", n, 5, 1, 1)
        message.extract_field("OBX", n, 6, 1, 1)
    return str(message)


def measure(fn, messages, seconds):
    for text in messages:
        assert fn(text) == text
    count = 0
    start = time.perf_counter()
    while True:
        for text in messages:
            fn(text)
        count += len(messages)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def main():
    messages = load(sys.argv[1])
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 1.5
    print("RESULT parse_encode %.1f" % measure(parse_encode, messages, seconds), flush=True)
    print("RESULT parse_access_encode %.1f" % measure(parse_access_encode, messages, seconds),
          flush=True)


if __name__ == "__main__":
    main()
