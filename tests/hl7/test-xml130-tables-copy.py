#!/usr/bin/python3
# Nhịp — the copies of the Ministry's QĐ 130 tables in hl7/xml130-tables/ (from which the C
# field table is generated) must be the text of the project's spec folder,
# ../shared/specs/vn-his-tables/, when that folder is beside the source tree; without it the
# test is reported as skipped (TAP).
#
# usage: test-xml130-tables-copy.py SOURCE_ROOT
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import sys


def main():
    root = sys.argv[1]
    shared = os.path.join(root, '..', 'shared', 'specs', 'vn-his-tables')
    if not os.path.isdir(shared):
        print('1..0 # SKIP no ../shared/specs/vn-his-tables beside the source tree')
        return 0
    names = ['pl4750.txt', 'qd3176.txt', 'valid.txt']
    print('1..%d' % len(names))
    status = 0
    for i, name in enumerate(names):
        with open(os.path.join(root, 'hl7', 'xml130-tables', name), 'rb') as f:
            ours = f.read()
        with open(os.path.join(shared, name), 'rb') as f:
            theirs = f.read()
        if ours == theirs:
            print('ok %d %s is the spec\'s text' % (i + 1, name))
        else:
            print('not ok %d %s differs from %s; copy it again' % (i + 1, name, shared))
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
