"""The .xlsx extent guard's fast path (one regex) never misses a cell the element-by-element scan
counts: it refuses whatever the scan refuses, with the same message, and may refuse more."""
import io

import pytest

from etl.intake.guards import Refused, extent

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData>')
TAIL = "</sheetData></worksheet>"

ROWS = {
    "near": '<row r="1"><c r="A1"><v>1</v></c><c r="G42" t="n"><v>2</v></c></row>',
    "far row": '<row r="1"><c r="XFD1048576"><v>1</v></c></row>',
    "far empty cells": '<row r="1"><c r="XFD1048576"/><c r="ZZ9000" s="1"></c></row>',
    "r inside another value": '<row r="1"><c t="x r=\'A1\'" r="XFD1"><v>1</v></c></row>',
    "> inside a value": '<row r="1"><c t="a>b" r="XFD1"><v>1</v></c></row>',
    "prefixed": '<row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></row>',
    "escaped address": '<row r="1"><c r="&#65;1"><v>1</v></c><c r="ZZ1"><v>1</v></c></row>',
    "spaces and quotes": "<row r=\"1\"><c r = 'GZ7' ><v>1</v></c></row>",
    "r not first": '<row r="1"><c s="1" r="HA1"><is><t>x</t></is></c></row>',
    "new lines": '<row r="1"><c\nr="HA1"\n><f>1+1</f></c></row>',
    "no address": '<row r="6000"><c><v>1</v></c></row>',
    "no addresses, wide": "<row>" + "<c><v>1</v></c>" * 250 + "</row>",
    "cell in a cell": '<row r="1"><c r="A1"><c r="XFD1"><v>1</v></c></c></row>',
    "comment inside": '<row r="1"><c r="A1">text<v>1</v></c><c r="GS9999"><!-- x --></c></row>',
    "trailing space": '<row r="1"><c r="A1 "><v>1</v></c></row>',
    "doctype": None,
}


def _outcome(check, data):
    try:
        check(data)
        return None
    except Refused as r:
        return r.rule, r.message


@pytest.mark.parametrize("name", sorted(ROWS))
def test_fast_path_refuses_whatever_the_full_scan_refuses(name):
    if ROWS[name] is None:
        data = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + HEAD.split("?>", 1)[1]
                + TAIL).encode()
    else:
        data = (HEAD + ROWS[name] + TAIL).encode()
    fast = _outcome(lambda d: extent.scan_xlsx_part(d, "p.xml"), data)
    full = _outcome(lambda d: extent.scan_xlsx_part_fully(io.BytesIO(d), "p.xml"), data)
    if full is not None:
        assert fast == full
    if name in ("near", "far empty cells", "trailing space"):
        assert fast is None
    if name in ("cell in a cell", "comment inside"):   # over-counted: refused all the same
        assert fast is not None and fast[0] == "sheet_too_large"


def test_other_encodings_take_the_full_scan():
    data = (HEAD.replace("UTF-8", "UTF-16") + ROWS["far row"] + TAIL).encode("utf-16")
    assert _outcome(lambda d: extent.scan_xlsx_part(d, "p.xml"), data)[0] == "sheet_too_large"
