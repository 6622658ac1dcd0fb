"""What the overview shows is what the command line computes, and a downloaded table opens with its header."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from e2e_browser import ROOT, TODAY, kpi_cards, kpi_ids_by_name, main_text, open_page, parse_number, server_env

from dashboard.engine.kpis import KPI_BY_ID
from dashboard.i18n import t


def cli_kpis(base: Path, start: str, end: str, scope: str) -> dict[str, float | None]:
    """`python -m dashboard kpis --format csv`: kpi_id -> value."""
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "kpis", "--data-dir", str(base), "--start", start, "--end", end]
        + ["--scope", scope, "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**server_env(), "DASHBOARD_TODAY": TODAY.isoformat()},
    ).stdout
    return {r["kpi_id"]: float(r["value"]) if r["value"] else None for r in csv.DictReader(io.StringIO(out))}


def shown_period(text: str) -> tuple[str, str]:
    """The period the page says it shows ('Dữ liệu: 01/09/2025 – 28/09/2025 ...'), as ISO dates."""
    day, month, year, day2, month2, year2 = re.search(r"(\d\d)/(\d\d)/(\d{4}) – (\d\d)/(\d\d)/(\d{4})", text).groups()
    return f"{year}-{month}-{day}", f"{year2}-{month2}-{day2}"


@pytest.mark.parametrize("scope", ["all", "province:HNI"])
def test_overview_cards_equal_the_kpis_command(context, server, e2e_base, scope):
    visit = open_page(context, server.url, "overview", f"scope={scope}")
    cards = kpi_cards(visit.page)
    start, end = shown_period(main_text(visit.page))
    expected = cli_kpis(e2e_base, start, end, scope)
    ids = kpi_ids_by_name("vi", KPI_BY_ID)
    assert len(cards) >= 8
    for name, text in cards.items():
        kpi_id = ids[name]
        value = expected[kpi_id]
        if value is None:
            assert text == "–", f"{kpi_id}: no value, card shows {text!r}"
            continue
        shown, half_unit = parse_number(text, "vi")
        # the card rounds the value to the digits it shows: the exact value lies within half a unit of it
        assert abs(shown - value) <= half_unit + 1e-9, f"{kpi_id}: card {text!r}, command {value!r}"
    assert visit.problems() == []


def test_a_table_downloads_as_csv_and_xlsx_with_its_header(context, server, e2e_base, tmp_path):
    visit = open_page(context, server.url, "overview")
    page = visit.page
    header = [t(f"column.{c}", "vi") for c in ("dataset", "owner", "quality_index", "weakest")]
    buttons = page.locator("[data-testid=stDownloadButton]")
    csv_button = buttons.filter(has_text=t("download.csv", "vi")).first
    with page.expect_download() as event:
        csv_button.click()
    download = event.value
    assert re.fullmatch(r"attention_datasets_2025-09-01_2025-09-28_all\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads the Vietnamese letters right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == header
    assert 1 <= len(rows) - 1 <= 5  # the five worst datasets at most
    assert all(0.0 <= float(r[2]) <= 1.0 for r in rows[1:])  # raw values: a share, not "73,3%"

    xlsx_button = buttons.filter(has_text=t("download.xlsx", "vi")).first
    with page.expect_download() as event:
        xlsx_button.click()
    xlsx = tmp_path / event.value.suggested_filename
    event.value.save_as(xlsx)
    sheet = pl.read_excel(xlsx)
    assert sheet.columns == header
    assert sheet.height == len(rows) - 1
    # each download is a line of the audit log (the workbook is made on the click, the line still written)
    page.wait_for_timeout(500)
    logged = [
        json.loads(line) for f in sorted((e2e_base / "audit").glob("*.jsonl")) for line in f.read_text().splitlines()
    ]
    files = {e.get("file") for e in logged if e.get("event") == "download"}
    assert {download.suggested_filename, event.value.suggested_filename} <= files
    assert visit.problems() == []
