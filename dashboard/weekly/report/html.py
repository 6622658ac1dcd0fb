"""report.html (self-contained: inline CSS, inline plotly.js, no request to any host) and report.pdf (the same
page printed on A4 by headless Chromium)."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.engine import kpi_text
from dashboard.engine.kpi_text import NUMBER_KINDS, format_change, format_value, kpi_formula, kpi_name, status_word
from dashboard.engine.kpis import KPI_BY_ID
from dashboard.i18n import fmt_date
from dashboard.weekly.report import Report, Table, kpis_by_area

CSS = Path(__file__).with_name("report.css")
PRINT_WIDTH = 700  # px: the width of A4 between the print margins (186 mm at 96 px per inch), so charts fit
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_S = 180


def _e(text) -> str:
    return html.escape(str(text), quote=True)


@cache
def plotly_js() -> str:
    """The plotly.js bundled with the installed plotly package (no CDN)."""
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


# ---- parts of the page ----------------------------------------------------------------------------------


def _card(r: Report, row: dict) -> str:
    kpi = KPI_BY_ID[row["kpi_id"]]
    change = format_change(kpi.id, row.get("change"), r.lang)
    if change is None:
        reason = "snapshot.no_change_stored" if r.previous_found else "snapshot.no_change_missing"
        change_html = f'<div class="change none">{_e(r.tr(reason, week=r.previous_week))}</div>'
    else:
        delta = row["change"]
        # What the reader sees decides: a change that rounds to nothing is flat.
        delta = round(delta * 100, 1) if kpi.unit == "ratio" else round(delta)
        good = delta > 0 if kpi.higher_is_better else delta < 0
        kind, arrow = ("flat", "■") if delta == 0 else ("up" if good else "down", "▲" if delta > 0 else "▼")
        # The number and the week never break across lines: "+0,1 điểm %" and "2026-W46" each stay whole.
        text = _e(r.tr("snapshot.change_vs", change="\x00", week="\x01"))
        text = text.replace("\x00", f'<span class="nb">{_e(change)}</span>')
        text = text.replace("\x01", f'<span class="nb">{_e(r.previous_week)}</span>')
        change_html = f'<div class="change {kind}">{arrow} {text}</div>'
    status = row.get("status")
    badge = f'<span class="badge {status or "none"}">{_e(status_word(kpi.id, status, r.lang))}</span>'
    was = ""
    if r.previous_found and row.get("previous_status") != status:
        previous = status_word(kpi.id, row.get("previous_status"), r.lang)
        was = f'<span class="was">{_e(r.tr("snapshot.status_was", status=previous))}</span>'
    return (
        f'<div class="card" data-kpi="{kpi.id}"><div class="name">{_e(kpi_name(kpi.id, r.lang))}</div>'
        f'<div class="value">{_e(format_value(kpi.id, row.get("value"), r.lang))}</div>'
        f"{change_html}{badge}{was}</div>"
    )


def _kpi_section(r: Report) -> str:
    rows = {row["kpi_id"]: row for row in r.kpis.to_dicts()}
    areas = []
    for area, ids in kpis_by_area().items():
        cards = "".join(_card(r, rows[i]) for i in ids if i in rows)
        areas.append(f'<div class="area"><h3>{_e(r.tr(f"area.{area}"))}</h3><div class="cards">{cards}</div></div>')
    return f'<section id="kpis"><h2>{_e(r.tr("snapshot.kpis_heading"))}</h2>{"".join(areas)}</section>'


def format_cell(value, kind: str | None, lang: str) -> tuple[str, bool]:
    """A cell's text in the locale (`kpi_text.format_cell`), and whether it is a number (right-aligned)."""
    number = isinstance(value, int | float) and not isinstance(value, bool) and kind != "date"
    return kpi_text.format_cell(value, kind, lang), kind in NUMBER_KINDS or number


def _table_html(r: Report, table: Table) -> str:
    frame = table.shown
    if frame.is_empty():
        return f'<p class="note">{_e(r.tr("app.empty"))}</p>'
    rows = frame if table.html_rows is None else frame.head(table.html_rows)
    head = "".join(f"<th>{_e(table.columns[c])}</th>" for c in frame.columns)
    body = []
    for values in rows.iter_rows():
        cells = []
        for name, value in zip(frame.columns, values):
            text, numeric = format_cell(value, table.formats.get(name), r.lang)
            cells.append(f'<td class="num">{_e(text)}</td>' if numeric else f"<td>{_e(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = ""
    if rows.height < frame.height:
        more = f'<p class="note">{_e(r.tr("snapshot.rows_shown", shown=rows.height, total=frame.height))}</p>'
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{more}'


def _figure(fig: go.Figure, div_id: str, for_print: bool) -> str:
    fig = go.Figure(fig)
    if for_print:
        fig.update_layout(width=PRINT_WIDTH, autosize=False)
        config = {"staticPlot": True}
    else:
        config = {"displaylogo": False, "responsive": True}
    div = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=config)
    return f'<div class="chart">{div}</div>'


def _block(r: Report, table: Table, index: str, for_print: bool) -> str:
    parts = [f"<h3>{_e(table.title)}</h3>"]
    if table.error:
        parts.append(f'<p class="error">{_e(r.tr("snapshot.table_failed", error=table.error))}</p>')
    elif table.chart is not None:
        parts.append(_figure(table.chart, f"chart-{index}", for_print))
    else:
        parts.append(_table_html(r, table))
    if table.note and not table.error:
        parts.append(f'<p class="note">{_e(table.note)}</p>')
    return f'<div class="block" id="{_e(table.name)}">{"".join(parts)}</div>'


def _formulas(r: Report) -> str:
    rows = []
    for ids in kpis_by_area().values():
        for kpi_id in ids:
            kpi = KPI_BY_ID[kpi_id]
            thresholds = ""
            if kpi.green is not None:
                thresholds = " " + r.tr("snapshot.thresholds", green=f"{kpi.green:.0%}", amber=f"{kpi.amber:.0%}")
            formula = kpi_formula(kpi_id, r.lang, r.minutes_per_dossier) + thresholds
            rows.append(f"<tr><td>{_e(kpi_name(kpi_id, r.lang))}</td><td>{_e(formula)}</td></tr>")
    return (
        f'<section class="page" id="formulas"><h2>{_e(r.tr("snapshot.formulas_heading"))}</h2>'
        f'<table class="data formulas"><tbody>{"".join(rows)}</tbody></table></section>'
    )


def comparison_html(r: Report) -> str:
    if r.previous_found:
        text = r.tr("snapshot.compared_with", week=r.previous_week)
        return f'<p class="comparison">{_e(text)}</p>'
    return f'<p class="comparison missing">{_e(r.tr("snapshot.no_previous", week=r.previous_week))}</p>'


def render_html(r: Report, *, for_print: bool = False) -> str:
    """The whole report as one self-contained HTML page; `for_print` fixes the charts' width for A4."""
    title = r.tr("snapshot.report_title", week=r.week)
    period = f"{fmt_date(r.period.start, r.lang)} – {fmt_date(r.period.end, r.lang)}"
    meta = [
        (r.tr("snapshot.scope"), r.scope_name),
        (r.tr("snapshot.created_at"), r.created_at.strftime("%d/%m/%Y %H:%M")),
        (r.tr("snapshot.data_version"), r.data_version),
        (r.tr("snapshot.code_version"), r.code_version),
    ]
    meta_html = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta)
    sections = []
    for s in r.sections:
        blocks = "".join(_block(r, tb, f"{s.key}-{i}", for_print) for i, tb in enumerate(s.tables))
        sections.append(f'<section class="page" id="{_e(s.key)}"><h2>{_e(s.title)}</h2>{blocks}</section>')
    if r.sql_pages:
        blocks = "".join(_block(r, tb, f"sql-{i}", for_print) for i, tb in enumerate(r.sql_pages))
        sections.append(
            f'<section class="page" id="sqlpages"><h2>{_e(r.tr("snapshot.sqlpages_heading"))}</h2>{blocks}</section>'
        )
    footer_text = f"{title} · {r.scope_name}".replace("\\", "\\\\").replace('"', '\\"')
    page_css = (
        "@page { @bottom-left { content: "
        f'"{footer_text}"'
        '; font-family: "Noto Sans", Arial, sans-serif; font-size: 9pt; color: #5b6270; } }'
    )
    has_charts = any(tb.chart is not None for s in r.sections for tb in s.tables)
    script = f"<script>{plotly_js()}</script>" if has_charts else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{r.lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} · {_e(r.scope_name)}</title>"
        f"<style>{CSS.read_text(encoding='utf-8')}{page_css}</style>{script}</head>"
        f'<body><main><header class="report"><h1>{_e(title)}</h1>'
        f'<p class="sub">{_e(period)} · {_e(r.scope_name)}</p><dl class="meta">{meta_html}</dl>'
        f"{comparison_html(r)}</header>"
        f"{_kpi_section(r)}{''.join(sections)}{_formulas(r)}"
        f'<footer class="report">{_e(r.tr("snapshot.footer"))}</footer>'
        "</main></body></html>\n"
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
            "--virtual-time-budget=15000",  # lets the charts draw before printing
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        last = [line for line in done.stderr.splitlines() if line.strip()][-3:]
        raise RuntimeError(f"Chromium could not print the PDF (exit {done.returncode}): {' | '.join(last)}")
