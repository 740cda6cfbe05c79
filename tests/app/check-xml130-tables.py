#!/usr/bin/python3
# Nhịp — checks exported QĐ 130 documents against the Ministry's field tables, read afresh
# from hl7/xml130-tables/ (the same text the C field table is generated from), with
# Python's own XML parser and base64 decoder: every record must hold every field of its
# table, in the table's order, each within its size in characters, numbers as numbers,
# required fields filled.
#
# usage: check-xml130-tables.py PROFILE FILE...   (GIAMDINHHS envelopes or check-in files)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import base64
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'hl7'))
import xml130_tables  # noqa: E402

NUMBER = re.compile(r'^-?\d+(\.\d+)?$')


def check_record(where, element, fields, problems):
    names = [child.tag for child in element]
    expected = [name for name, _, _, _ in fields]
    if names != expected:
        problems.append('%s: fields %s, the table has %s' % (where, names, expected))
        return
    for child, (name, kind, size, required) in zip(element, fields):
        value = child.text or ''
        if size and len(value) > size:
            problems.append('%s/%s: %d characters, the table allows %d'
                            % (where, name, len(value), size))
        if kind == 'N' and value and not NUMBER.match(value):
            problems.append('%s/%s: "%s" is not a number' % (where, name, value))
        if required and not value:
            problems.append('%s/%s: required but empty' % (where, name))


def check_document(where, root, table_id, tables, problems):
    spec = next(t for t in xml130_tables.TABLES if t[0] == table_id)
    _, _, _, root_name, list_name, record_name = spec
    fields = tables[table_id]
    if root.tag != root_name:
        problems.append('%s: root %s, expected %s' % (where, root.tag, root_name))
        return 0
    if list_name is None:
        check_record('%s/%s' % (where, root_name), root, fields, problems)
        return 1
    lists = root.findall(list_name)
    if len(lists) != 1:
        problems.append('%s: %d %s elements' % (where, len(lists), list_name))
        return 0
    records = list(lists[0])
    for i, record in enumerate(records):
        if record.tag != record_name:
            problems.append('%s: %s in %s' % (where, record.tag, list_name))
            continue
        check_record('%s/%s[%d]' % (where, record_name, i + 1), record, fields, problems)
    return len(records)


def main():
    profile = sys.argv[1]
    tables_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'hl7',
                              'xml130-tables')
    tables = xml130_tables.read_tables(tables_dir)[profile]
    by_type = {spec[1]: spec[0] for spec in xml130_tables.TABLES if spec[1]}
    problems = []
    records = 0
    for path in sys.argv[2:]:
        root = ET.parse(path).getroot()
        if root.tag == 'CHI_TIEU_TRANG_THAI_KCB':
            records += check_document(path, root, 'CHECKIN', tables, problems)
            continue
        if root.tag != 'GIAMDINHHS':
            problems.append('%s: root %s' % (path, root.tag))
            continue
        hosos = root.findall('THONGTINHOSO/DANHSACHHOSO/HOSO')
        if root.findtext('THONGTINHOSO/SOLUONGHOSO') != str(len(hosos)):
            problems.append('%s: SOLUONGHOSO does not count the HOSO' % path)
        for i, hoso in enumerate(hosos):
            for j, file in enumerate(hoso.findall('FILEHOSO')):
                kind = file.findtext('LOAIHOSO')
                where = '%s HOSO[%d]/FILEHOSO[%d](%s)' % (path, i + 1, j + 1, kind)
                data = base64.b64decode(file.findtext('NOIDUNGFILE'), validate=True)
                inner = ET.fromstring(data.decode('utf-8'))
                records += check_document(where, inner, by_type[kind], tables, problems)
    for problem in problems[:50]:
        print(problem)
    print('%d records checked, %d problems' % (records, len(problems)))
    return 1 if problems or records == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
