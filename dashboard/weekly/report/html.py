"""report.html (self-contained: inline CSS, inline plotly.js, no request to any host) and report.pdf (the same
page printed on A4 by headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import jinja2
import plotly
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.engine import kpi_text
from dashboard.engine.kpi_text import (
    NUMBER_KINDS,
    format_change,
    format_value,
    kpi_formula,
    kpi_name,
    mark_colour,
    status_word,
)
from dashboard.engine.kpis import KPI_BY_ID
from dashboard.engine.summary import lead
from dashboard.i18n import fmt_date
from dashboard.weekly.report import Report, Table, kpis_by_area

CSS = Path(__file__).with_name("report.css")
TEMPLATES = Path(__file__).with_name("templates")
PRINT_WIDTH = 700  # px: the width of A4 between the print margins (186 mm at 96 px per inch), so charts fit
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_S = 180
PRINT_BUDGET_MS = 1000


@cache
def plotly_js() -> str:
    """The plotly.js bundled with the installed plotly package (no CDN)."""
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


@cache
def template() -> jinja2.Template:
    """templates/report.html.j2, autoescaped: every value is escaped except the four the template marks `safe`
    (the CSS, plotly.js and Plotly's chart divs, all made by the code; the footer's CSS string by `css_string`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def css_string(text: str) -> str:
    """`text` as a CSS string literal that cannot end the string or the <style> element."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# ---- parts of the page ----------------------------------------------------------------------------------


def _change(r: Report, kpi, row: dict) -> dict | None:
    change = format_change(kpi.id, row.get("change"), r.lang)
    if change is None:
        return None
    delta = row["change"]
    # What the reader sees decides: a change that rounds to nothing is flat.
    delta = round(delta * 100, 1) if kpi.unit == "ratio" else round(delta)
    good = delta > 0 if kpi.higher_is_better else delta < 0
    kind, arrow = ("flat", "■") if delta == 0 else ("up" if good else "down", "▲" if delta > 0 else "▼")
    # The number and the week never break across lines: "+0,1 điểm %" and "2026-W46" each stay whole.
    parts = []
    for piece in re.split("(\x00|\x01)", r.tr("snapshot.change_vs", change="\x00", week="\x01")):
        if piece == "\x00":
            parts.append((change, True))
        elif piece == "\x01":
            parts.append((r.previous_week, True))
        elif piece:
            parts.append((piece, False))
    return {"kind": kind, "arrow": arrow, "parts": parts}


def _card(r: Report, row: dict) -> dict:
    kpi = KPI_BY_ID[row["kpi_id"]]
    status = row.get("status")
    was = None
    if r.previous_found and row.get("previous_status") != status:
        was = r.tr("snapshot.status_was", status=status_word(kpi.id, row.get("previous_status"), r.lang))
    reason = "snapshot.no_change_stored" if r.previous_found else "snapshot.no_change_missing"
    return {
        "id": kpi.id,
        "name": kpi_name(kpi.id, r.lang),
        "value": format_value(kpi.id, row.get("value"), r.lang),
        "change": _change(r, kpi, row),
        "no_change": r.tr(reason, week=r.previous_week),
        "status": status,
        "status_word": status_word(kpi.id, status, r.lang),
        "was": was,
    }


def _areas(r: Report) -> list[dict]:
    rows = {row["kpi_id"]: row for row in r.kpis.to_dicts()}
    return [
        {"title": r.tr(f"area.{area}"), "cards": [_card(r, rows[i]) for i in ids if i in rows]}
        for area, ids in kpis_by_area().items()
    ]


def format_cell(value, kind: str | None, lang: str) -> tuple[str, bool]:
    """A cell's text in the locale (`kpi_text.format_cell`), and whether it is a number (right-aligned)."""
    number = isinstance(value, int | float) and not isinstance(value, bool) and kind != "date"
    return kpi_text.format_cell(value, kind, lang), kind in NUMBER_KINDS or number


def _table(r: Report, table: Table) -> dict | None:
    frame = table.shown
    if frame.is_empty():
        return None
    rows = frame if table.html_rows is None else frame.head(table.html_rows)
    more = None
    if rows.height < frame.height:
        more = r.tr("snapshot.rows_shown", shown=rows.height, total=frame.height)
    return {
        "head": [table.columns[c] for c in frame.columns],
        "rows": [
            [
                (*cell, mark_colour(cell[0]))
                for cell in (
                    format_cell(value, table.formats.get(name), r.lang) for name, value in zip(frame.columns, values)
                )
            ]
            for values in rows.iter_rows()
        ],
        "more": more,
    }


def _figure(fig: go.Figure, div_id: str, for_print: bool) -> str:
    fig = go.Figure(fig)
    if for_print:
        fig.update_layout(width=PRINT_WIDTH, autosize=False)
        config = {"staticPlot": True}
    else:
        config = {"displaylogo": False, "responsive": True}
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=config)


def _block(r: Report, table: Table, index: str, for_print: bool) -> dict:
    chart = table.chart is not None and not table.error
    return {
        "name": table.name,
        "title": table.title,
        "error": r.tr("snapshot.table_failed", error=table.error) if table.error else None,
        "chart": _figure(table.chart, f"chart-{index}", for_print) if chart else None,
        "table": None if table.error or chart else _table(r, table),
        "note": table.note if table.note and not table.error else None,
    }


def _formulas(r: Report) -> list[tuple[str, str]]:
    rows = []
    for ids in kpis_by_area().values():
        for kpi_id in ids:
            kpi = KPI_BY_ID[kpi_id]
            thresholds = ""
            if kpi.green is not None:
                thresholds = " " + r.tr("snapshot.thresholds", green=f"{kpi.green:.0%}", amber=f"{kpi.amber:.0%}")
            rows.append((kpi_name(kpi_id, r.lang), kpi_formula(kpi_id, r.lang, r.minutes_per_dossier) + thresholds))
    return rows


def comparison(r: Report) -> dict:
    if r.previous_found:
        return {"found": True, "text": r.tr("snapshot.compared_with", week=r.previous_week)}
    return {"found": False, "text": r.tr("snapshot.no_previous", week=r.previous_week)}


def render_html(r: Report, *, for_print: bool = False) -> str:
    """The whole report as one self-contained HTML page; `for_print` fixes the charts' width for A4."""
    title = r.tr("snapshot.report_title", week=r.week)
    sections = [
        {
            "key": s.key,
            "title": s.title,
            "blocks": [_block(r, tb, f"{s.key}-{i}", for_print) for i, tb in enumerate(s.tables)],
        }
        for s in r.sections
    ]
    if r.sql_pages:
        sections.append(
            {
                "key": "sqlpages",
                "title": r.tr("snapshot.sqlpages_heading"),
                "blocks": [_block(r, tb, f"sql-{i}", for_print) for i, tb in enumerate(r.sql_pages)],
            }
        )
    page_css = (
        "@page { @bottom-left { content: "
        + css_string(f"{title} · {r.scope_name}")
        + '; font-family: "Noto Sans", Arial, sans-serif; font-size: 9pt; color: #5b6270; } }'
    )
    has_charts = any(b["chart"] for s in sections for b in s["blocks"])
    return template().render(
        lang=r.lang,
        title=title,
        scope_name=r.scope_name,
        period=f"{fmt_date(r.period.start, r.lang)} – {fmt_date(r.period.end, r.lang)}",
        meta=[
            (r.tr("snapshot.scope"), r.scope_name),
            (r.tr("snapshot.created_at"), r.created_at.strftime("%d/%m/%Y %H:%M")),
            (r.tr("snapshot.data_version"), r.data_version),
            (r.tr("snapshot.code_version"), r.code_version),
        ],
        comparison=comparison(r),
        summary={
            "title": r.tr("summary.title"),
            "sentences": [lead(sentence) for sentence in r.summary_sentences],  # (lead-in in bold, the rest)
            "error": r.tr("summary.failed") if r.summary.error else None,
        },
        freshness={"heading": r.tr("freshness.report_heading"), "lines": r.freshness, "late": r.data_late},
        kpis_heading=r.tr("snapshot.kpis_heading"),
        areas=_areas(r),
        sections=sections,
        empty=r.tr("app.empty"),
        formulas_heading=r.tr("snapshot.formulas_heading"),
        formulas=_formulas(r),
        footer=r.tr("snapshot.footer"),
        css=CSS.read_text(encoding="utf-8"),
        page_css=page_css,
        plotly_js=plotly_js() if has_charts else None,
    )


# ---- PDF ------------------------------------------------------------------------------------------------------


class PdfSkipped(Exception):
    """Chromium is not there: the PDF is skipped (the other formats are still written)."""


def chromium_path() -> str:
    """The Chromium to print with: $DASHBOARD_CHROMIUM when set, else the first one found on the PATH."""
    chosen = os.environ.get("DASHBOARD_CHROMIUM")
    if chosen:
        if not (Path(chosen).is_file() and os.access(chosen, os.X_OK)):
            raise PdfSkipped(f"Chromium not found at {chosen} (DASHBOARD_CHROMIUM)")
        return chosen
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfSkipped(
        "Chromium not found on the PATH (looked for " + ", ".join(CHROMIUM_CANDIDATES) + "); "
        "install it (apt-get install chromium) or set DASHBOARD_CHROMIUM"
    )


def print_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None) -> None:
    """Print an HTML file to an A4 PDF with headless Chromium (page numbers from the page's own CSS)."""
    chromium = chromium or chromium_path()
    with tempfile.TemporaryDirectory(prefix="snapshot-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            # The charts are drawn by inline scripts before the load event, so Chromium prints them without any wait
            # (the same pictures with no budget, 1 ms or 15 s); a short budget is left for a chart drawn on a timer.
            # Chromium spends most of the budget in real time on a large report: 15 s of it cost 9 s of the
            # scale-100 snapshot's 27-31 s (docs/performance.md, seventh pass).
            f"--virtual-time-budget={PRINT_BUDGET_MS}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        last = [line for line in done.stderr.splitlines() if line.strip()][-3:]
        raise RuntimeError(f"Chromium could not print the PDF (exit {done.returncode}): {' | '.join(last)}")
