"""Helpers shared by the snapshot tests: a fresh copy of the tiny data set, a hand-made stored week, a SQL page."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl

from dashboard.engine.kpis import KPIS
from dashboard.weekly.snapshot import SCHEMA, Week, snapshot_dir, write_kpis

TODAY = "2026-03-10"  # a Tuesday: the last complete ISO week is 2026-W10 (2026-03-02 .. 2026-03-08)
WEEK = Week(2026, 10)
PAGE = """/* ---
title: {vi: Các tỉnh trong dữ liệu, en: Provinces in the data}
menu_title: {vi: Danh sách tỉnh, en: Provinces}
columns:
  province_code: {vi: Mã tỉnh, en: Code}
  name_vi: {vi: Tên tỉnh, en: Name}
charts:
  - {type: table}
snapshot: true
--- */
select province_code, name_vi from provinces order by province_code
"""
HIDDEN_PAGE = PAGE.replace("snapshot: true", "snapshot: false").replace("Các tỉnh", "Không đưa vào")


def fresh_base(tiny_base: Path, where: Path) -> Path:
    """A data dir of its own holding a copy of the tiny curated data (snapshots are written next to it)."""
    base = where / "data"
    shutil.copytree(tiny_base / "curated", base / "curated")
    return base


def write_pages(folder: Path) -> Path:
    """One SQL page marked `snapshot: true` and one that is not, in `folder/phan_tich/`."""
    (folder / "phan_tich").mkdir(parents=True)
    (folder / "phan_tich" / "cac_tinh.sql").write_text(PAGE, encoding="utf-8")
    (folder / "phan_tich" / "khong_dua_vao.sql").write_text(HIDDEN_PAGE, encoding="utf-8")
    return folder


def store_week(
    base: Path, week: Week, values: dict[str, tuple[float | None, str | None]], scopes=(("all", None),)
) -> Path:
    """A stored snapshot made by hand: the given scopes (default `all` only) with the same (value, status) per
    KPI, null for the other KPIs."""
    rows = [
        {
            "week": week.label,
            "period_start": week.start,
            "period_end": week.end,
            "kpi_id": k.id,
            "scope_type": scope_type,
            "scope_id": scope_id,
            "value": values.get(k.id, (None, None))[0],
            "numerator": None,
            "denominator": None,
            "status": values.get(k.id, (None, None))[1],
        }
        for scope_type, scope_id in scopes
        for k in KPIS
    ]
    folder = snapshot_dir(base, week)
    folder.mkdir(parents=True)
    write_kpis(pl.DataFrame(rows, schema=SCHEMA), folder / "kpis.parquet")
    manifest = {"week": week.label, "created_at": dt.datetime(2026, 3, 2, 7, 0).isoformat() + "+07:00"}
    manifest["parts"] = {"kpis": {"status": "ok"}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def write_pdf(path: Path, pages: int = 2) -> Path:
    """A small valid PDF written by hand (no renderer involved): A4 pages, each filled with one dark-blue rectangle
    (RGB 0.1 0.2 0.6, i.e. about (26, 51, 153)) inside a 50 pt white margin, so a picture of a page is far from
    blank."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    draw = b"0.1 0.2 0.6 rg 50 50 495.28 741.89 re f"
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents {4 + 2 * i} 0 R >>")
        objects.append(f"<< /Length {len(draw)} >>\nstream\n{draw.decode()}\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path
