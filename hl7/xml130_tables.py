#!/usr/bin/env python3
# Nhịp — the Ministry of Health's QĐ 130 field tables, read from their text dumps.
#
# The text files in xml130-tables/ are dumps of the appendix workbooks (one line per
# spreadsheet row, cells as `A3=1 | B3=MA_LK | C3=Chuỗi | D3=100 | …`):
#   pl4750.txt  QĐ 130 as amended by QĐ 4750: column C/D hold the QĐ 130 type and size,
#               column F the 4750 amendment ("Đổi kiểu dữ liệu thành chuỗi", "Tăng kích
#               thước tối đa lên N ký tự"), which this reader applies
#   qd3176.txt  the QĐ 3176 revision: column C/D hold the effective type and size
#   valid.txt   the validator workbook: column F "x" marks a required field
#
# Run as a program it writes the C field table that hl7/ compiles (meson does this at
# build time, so the code cannot drift from the tables); imported, it gives the tests the
# same tables to check exported documents against.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys

# table id, LOAIHOSO, sheet number, inner root / list / record element names (spec §1)
TABLES = [
    ('CHECKIN', None, 'Check-in', 'CHI_TIEU_TRANG_THAI_KCB', 'DSACH_TRANG_THAI_KCB',
     'TRANG_THAI_KCB'),
    ('XML1', 'XML1', '1', 'TONG_HOP', None, 'TONG_HOP'),
    ('XML2', 'XML2', '2', 'CHITIEU_CHITIET_THUOC', 'DSACH_CHI_TIET_THUOC', 'CHI_TIET_THUOC'),
    ('XML3', 'XML3', '3', 'CHITIEU_CHITIET_DVKT_VTYT', 'DSACH_CHI_TIET_DVKT', 'CHI_TIET_DVKT'),
    ('XML4', 'XML4', '4', 'CHITIEU_CHITIET_DICHVUCANLAMSANG', 'DSACH_CHI_TIET_CLS',
     'CHI_TIET_CLS'),
    ('XML5', 'XML5', '5', 'CHITIEU_CHITIET_DIENBIENLAMSANG', 'DSACH_CHI_TIET_DIEN_BIEN_BENH',
     'CHI_TIET_DIEN_BIEN_BENH'),
    ('XML6', 'XML6', '6', 'CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS',
     'DSACH_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS',
     'HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS'),
    ('XML7', 'XML7', '7', 'CHI_TIEU_DU_LIEU_GIAY_RA_VIEN', None, 'CHI_TIEU_DU_LIEU_GIAY_RA_VIEN'),
    ('XML8', 'XML8', '8', 'CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN', None,
     'CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN'),
    ('XML9', 'XML9', '9', 'CHI_TIEU_DU_LIEU_GIAY_CHUNG_SINH', 'DSACH_GIAYCHUNGSINH',
     'DU_LIEU_GIAY_CHUNG_SINH'),
    ('XML10', 'XML10', '10', 'CHI_TIEU_DU_LIEU_GIAY_NGHI_DUONG_THAI', None,
     'CHI_TIEU_DU_LIEU_GIAY_NGHI_DUONG_THAI'),
    ('XML11', 'XML11', '11',
     'CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI', None,
     'CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI'),
    # the root of table 12 is not known (spec §1): its contents are not checked
    ('XML12', 'XML12', '12', None, None, None),
    ('XML13', 'XML13', '13', 'CHI_TIEU_GIAYCHUYENTUYEN', None, 'CHI_TIEU_GIAYCHUYENTUYEN'),
    ('XML14', 'XML14', '14', 'CHI_TIEU_GIAYHEN_KHAMLAI', None, 'CHI_TIEU_GIAYHEN_KHAMLAI'),
    ('XML15', 'XML15', '15', 'CHI_TIEU_DIEUTRI_BENHLAO', 'DSACH_CHITIET_DIEUTRI_BENHLAO',
     'CHITIET_DIEUTRI_BENHLAO'),
]

PROFILES = ('4750', '3176')

_CELL = re.compile(r'(?:^| \| )([A-Z]{1,2})\d+=')
_FIELD = re.compile(r'^[A-Z][A-Z0-9_]*$')


def _cells(line):
    """the cells of one dumped row, by column letter"""
    cells = {}
    matches = list(_CELL.finditer(line))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        cells[m.group(1)] = line[m.end():end].strip()
    return cells


def _sheet_key(title):
    if 'check-in' in title.lower():
        return 'Check-in'
    m = re.search(r'[Bb]ang\s*(\d+)', title)
    return m.group(1) if m else None


def read_sheets(path):
    """{sheet key: [cells of each row that names a field, in order]}"""
    sheets = {}
    key = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('=== SHEET'):
                key = _sheet_key(line[len('=== SHEET'):])
                sheets.setdefault(key, [])
                continue
            if key is None:
                continue
            cells = _cells(line)
            name = cells.get('B', '').strip()
            if _FIELD.match(name) and cells.get('C'):
                sheets[key].append(cells)
    return sheets


def _type(text):
    text = text.strip().lower()
    if text.startswith('số'):
        return 'N'
    if text.startswith('chuỗi'):
        return 'C'
    raise ValueError('unknown type %r' % text)


def _size(text):
    text = text.strip()
    if text == 'n':
        return 0
    return int(text)


def read_tables(tables_dir):
    """{profile: {table id: [(field, type 'C'|'N', max chars or 0 for n, required)]}}"""
    pl4750 = read_sheets(os.path.join(tables_dir, 'pl4750.txt'))
    qd3176 = read_sheets(os.path.join(tables_dir, 'qd3176.txt'))
    valid = read_sheets(os.path.join(tables_dir, 'valid.txt'))
    out = {profile: {} for profile in PROFILES}
    for table_id, _, sheet, _, _, _ in TABLES:
        required = set()
        for cells in valid.get(sheet, []):
            if cells.get('F', '').strip().lower() == 'x' and \
                    'không bắt buộc' not in cells.get('G', '').lower():
                required.add(cells['B'])
        fields = []
        for cells in pl4750[sheet]:
            kind = _type(cells['C'])
            size = _size(cells['D'])
            amendment = cells.get('F', '')
            if 'Đổi kiểu dữ liệu thành chuỗi' in amendment:
                kind = 'C'
            m = re.search(r'Tăng kích thước tối đa lên (\d+)', amendment)
            if m:
                size = int(m.group(1))
            fields.append((cells['B'], kind, size, cells['B'] in required))
        out['4750'][table_id] = fields
        out['3176'][table_id] = [(c['B'], _type(c['C']), _size(c['D']), c['B'] in required)
                                 for c in qd3176[sheet]]
    return out


def _c_string(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"' if text else 'NULL'


def generate(tables_dir, out_path):
    tables = read_tables(tables_dir)
    lines = [
        '/* generated by hl7/xml130_tables.py from the text tables in hl7/xml130-tables: do not edit */',
        '',
        '#include "config.h"',
        '',
        '#include "nhip-xml130-fields.h"',
        '',
    ]
    for profile in PROFILES:
        for table_id, _, _, _, _, _ in TABLES:
            lines.append('static const NhipXml130Field fields_%s_%s[] = {' % (profile, table_id))
            for name, kind, size, required in tables[profile][table_id]:
                lines.append('\t{ "%s", NHIP_XML130_TYPE_%s, %d, %s },' % (
                    name, 'NUMBER' if kind == 'N' else 'STRING', size,
                    'TRUE' if required else 'FALSE'))
            lines.append('};')
            lines.append('')
        lines.append('const NhipXml130Table nhipi_xml130_tables_%s[NHIP_XML130_N_TABLES] = {'
                     % profile)
        for table_id, loaihoso, _, root, lst, record in TABLES:
            lines.append('\t{ NHIP_XML130_TABLE_%s, %s, %s, %s, %s, fields_%s_%s, '
                         'G_N_ELEMENTS(fields_%s_%s) },' % (
                             table_id, _c_string(loaihoso), _c_string(root), _c_string(lst),
                             _c_string(record), profile, table_id, profile, table_id))
        lines.append('};')
        lines.append('')
    with open(out_path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: xml130_tables.py TABLES_DIR OUTPUT.c')
    generate(sys.argv[1], sys.argv[2])
