"""report.xlsx: a cover, the KPIs, every scope's KPIs, one sheet per section and one per snapshot SQL page."""

from __future__ import annotations

import math
import re
from pathlib import Path

import xlsxwriter

from dashboard.engine.kpi_text import kpi_formula, kpi_name, status_word
from dashboard.engine.kpis import KPI_BY_ID, KPIS
from dashboard.i18n import fmt_date
from dashboard.web.charts import PRIMARY, RAG_COLOURS
from dashboard.weekly.report import Report, Table

NUMBER_FORMATS = {"percent": "0.0%", "number": "#,##0", "decimal": "#,##0.0"}
DATE_FORMATS = {"vi": "dd/mm/yyyy", "en": "d mmm yyyy"}
VALUE_FORMATS = {"ratio": "0.0%", "count": "#,##0", "hours": "#,##0"}
MAX_WIDTH = 60
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class _Book:
    """The workbook, its formats and the sheet names already taken."""

    def __init__(self, path: Path, report: Report) -> None:
        self.report = report
        self.wb = xlsxwriter.Workbook(
            str(path),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        # Same inputs, same bytes: the file's creation date is the snapshot's, not the clock's.
        self.wb.set_properties(
            {
                "title": report.tr("snapshot.report_title", week=report.week),
                "created": report.created_at.replace(tzinfo=None),
                "comments": f"data version {report.data_version}",
            }
        )
        add = self.wb.add_format
        self.title = add({"bold": True, "font_size": 14, "font_color": PRIMARY})
        self.subtitle = add({"bold": True, "font_color": PRIMARY})
        self.label = add({"bold": True})
        self.note = add({"italic": True, "font_color": "#555555", "text_wrap": False})
        self.header = add(
            {"bold": True, "bg_color": PRIMARY, "font_color": "white", "text_wrap": True, "valign": "top", "border": 1}
        )
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.date = add({"num_format": DATE_FORMATS.get(report.lang, "dd/mm/yyyy")})
        self.numbers = {kind: add({"num_format": code}) for kind, code in NUMBER_FORMATS.items()}
        points = report.tr("card.points").replace('"', "")
        self.change = {
            "ratio": add({"num_format": f'+0.0" {points}";-0.0" {points}";0.0" {points}"'}),
            "count": add({"num_format": "+#,##0;-#,##0;0"}),
            "hours": add({"num_format": "+#,##0;-#,##0;0"}),
        }
        self.values = {unit: add({"num_format": code}) for unit, code in VALUE_FORMATS.items()}
        self.status = {
            s: add({"bold": True, "font_color": "white", "bg_color": RAG_COLOURS[s]}) for s in ("green", "amber", "red")
        }
        self.taken: set[str] = set()
        self.tables = 0

    def sheet(self, name: str):
        """A new sheet with a valid, unique name of at most 31 characters."""
        base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:31] or "Sheet"
        chosen, n = base, 2
        while chosen.lower() in self.taken:
            suffix = f" ({n})"
            chosen, n = base[: 31 - len(suffix)] + suffix, n + 1
        self.taken.add(chosen.lower())
        return self.wb.add_worksheet(chosen)

    def cell_format(self, kind: str | None):
        if kind == "date":
            return self.date
        return self.numbers.get(kind or "")


def _plain(value):
    """A value xlsxwriter writes as it is: None for missing and NaN."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _width(values: list, label: str) -> int:
    longest = max([len(label) // 2 + 2] + [len(str(v)) for v in values if v is not None][:500] + [8])
    return min(longest + 2, MAX_WIDTH)


# ---- sheets ------------------------------------------------------------------------------------------------


def _cover(book: _Book) -> None:
    r = book.report
    ws = book.sheet(r.tr("snapshot.sheet_cover"))
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 90)
    ws.write(0, 0, r.tr("snapshot.report_title", week=r.week), book.title)
    rows = []
    if r.summary_sentences or r.summary.error:  # the week in words first (a leader reads it in one minute)
        rows.append((r.tr("summary.title"), "\n".join(r.summary_sentences) or r.tr("summary.failed")))
    rows += [
        (r.tr("snapshot.week"), r.week),
        (r.tr("snapshot.period"), f"{fmt_date(r.period.start, r.lang)} – {fmt_date(r.period.end, r.lang)}"),
        (r.tr("snapshot.scope"), r.scope_name),
        (r.tr("snapshot.created_at"), r.created_at.strftime("%d/%m/%Y %H:%M (%Z)")),
        (r.tr("snapshot.data_version"), r.data_version),
        (r.tr("snapshot.code_version"), r.code_version),
        (r.tr("snapshot.comparison"), comparison_text(r)),
    ]
    if r.freshness:
        rows.append((r.tr("freshness.report_heading"), "\n".join(r.freshness)))
    for i, (label, value) in enumerate(rows, start=2):
        ws.write(i, 0, label, book.label)
        ws.write(i, 1, value, book.wrap)
    row = len(rows) + 3
    ws.write(row, 0, r.tr("snapshot.sheets"), book.subtitle)
    for i, text in enumerate(_sheet_guide(r), start=row + 1):
        ws.write(i, 0, text[0], book.label)
        ws.write(i, 1, text[1], book.wrap)
    ws.activate()


def comparison_text(r: Report) -> str:
    if r.previous_found:
        return r.tr("snapshot.compared_with", week=r.previous_week)
    return r.tr("snapshot.no_previous", week=r.previous_week)


def _sheet_guide(r: Report) -> list[tuple[str, str]]:
    guide = [(r.tr("snapshot.sheet_kpis"), r.tr("snapshot.sheet_kpis_note"))]
    if r.scopes is not None:
        guide.append((r.tr("snapshot.sheet_scopes"), r.tr("snapshot.sheet_scopes_note")))
    guide += [(r.tr(f"nav.{s.key}"), ", ".join(tb.title for tb in s.tables)) for s in r.sections]
    guide += [(tb.short_title or tb.title, f"{tb.title}. {r.tr('snapshot.sheet_sqlpage_note')}") for tb in r.sql_pages]
    return guide


def _kpi_sheet(book: _Book) -> None:
    r = book.report
    ws = book.sheet(r.tr("snapshot.sheet_kpis"))
    headers = [
        r.tr("snapshot.col.area"),
        r.tr("snapshot.col.kpi"),
        r.tr("snapshot.col.value"),
        r.tr("snapshot.col.previous_value", week=r.previous_week),
        r.tr("snapshot.col.change"),
        r.tr("snapshot.col.status"),
        r.tr("snapshot.col.previous_status", week=r.previous_week),
        r.tr("snapshot.col.numerator"),
        r.tr("snapshot.col.denominator"),
        r.tr("snapshot.col.thresholds"),
        r.tr("snapshot.col.formula"),
        r.tr("snapshot.col.kpi_id"),
    ]
    widths = [20, 44, 12, 14, 14, 14, 14, 14, 14, 22, 90, 26]
    for c, (text, width) in enumerate(zip(headers, widths)):
        ws.write(0, c, text, book.header)
        ws.set_column(c, c, width)
    rows = {row["kpi_id"]: row for row in r.kpis.to_dicts()}
    for i, kpi in enumerate(KPIS, start=1):
        row = rows.get(kpi.id, {})
        value, previous = _plain(row.get("value")), _plain(row.get("previous_value"))
        change = _plain(row.get("change"))
        if change is not None and kpi.unit == "ratio":
            change *= 100  # points of a percentage, as the cards show them
        ws.write(i, 0, r.tr(f"area.{kpi.area}"))
        ws.write(i, 1, kpi_name(kpi.id, r.lang), book.wrap)
        ws.write(i, 2, value, book.values[kpi.unit])
        ws.write(i, 3, previous, book.values[kpi.unit])
        ws.write(i, 4, change, book.change[kpi.unit])
        ws.write(i, 5, status_word(kpi.id, row.get("status"), r.lang), book.status.get(row.get("status")))
        previous_status = row.get("previous_status")
        if r.previous_found:
            ws.write(i, 6, status_word(kpi.id, previous_status, r.lang), book.status.get(previous_status))
        ws.write(i, 7, _plain(row.get("numerator")), book.numbers["decimal"] if kpi.unit == "hours" else None)
        ws.write(i, 8, _plain(row.get("denominator")))
        if kpi.green is not None:
            ws.write(i, 9, r.tr("snapshot.thresholds", green=f"{kpi.green:.0%}", amber=f"{kpi.amber:.0%}"))
        ws.write(i, 10, kpi_formula(kpi.id, r.lang, r.minutes_per_dossier), book.wrap)
        ws.write(i, 11, kpi.id)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(KPIS), len(headers) - 1)
    ws.write(len(KPIS) + 2, 0, comparison_text(r), book.note)


def _scopes_sheet(book: _Book) -> None:
    r = book.report
    ws = book.sheet(r.tr("snapshot.sheet_scopes"))
    headers = [
        r.tr("snapshot.col.scope_type"),
        r.tr("snapshot.col.scope_id"),
        r.tr("snapshot.scope"),
        r.tr("snapshot.col.kpi"),
        r.tr("snapshot.col.value"),
        r.tr("snapshot.col.status"),
        r.tr("snapshot.col.numerator"),
        r.tr("snapshot.col.denominator"),
        r.tr("snapshot.col.kpi_id"),
    ]
    widths = [12, 16, 40, 44, 12, 14, 14, 14, 26]
    for c, (text, width) in enumerate(zip(headers, widths)):
        ws.write(0, c, text, book.header)
        ws.set_column(c, c, width)
    for i, row in enumerate(r.scopes.iter_rows(named=True), start=1):
        kpi = KPI_BY_ID[row["kpi_id"]]
        ws.write(i, 0, r.tr(f"snapshot.scope_type.{row['scope_type']}"))
        ws.write(i, 1, row["scope_id"])
        ws.write(i, 2, row["scope_name"])
        ws.write(i, 3, kpi_name(kpi.id, r.lang))
        ws.write(i, 4, _plain(row["value"]), book.values[kpi.unit])
        ws.write(i, 5, status_word(kpi.id, row["status"], r.lang), book.status.get(row["status"]))
        ws.write(i, 6, _plain(row["numerator"]))
        ws.write(i, 7, _plain(row["denominator"]))
        ws.write(i, 8, kpi.id)
    ws.freeze_panes(1, 3)
    ws.autofilter(0, 0, max(r.scopes.height, 1), len(headers) - 1)


HEADER_ROW = 2  # row 0: the sheet's title; row 1: each table's title; row 2: the column names (frozen)


def _tables_sheet(book: _Book, sheet: str, title: str, tables: list[Table]) -> None:
    """Tables side by side as Excel tables (each with its own filter), their column names on one frozen row."""
    ws = book.sheet(sheet)
    ws.write(0, 0, title, book.title)
    col = 0
    for table in tables:
        ws.write(1, col, table.title, book.subtitle)
        if table.note:
            ws.write_comment(1, col, table.note, {"x_scale": 3, "y_scale": 2})
        if table.error:
            ws.write(HEADER_ROW, col, book.report.tr("snapshot.table_failed", error=table.error), book.note)
            col += 2
            continue
        frame = table.shown
        columns = list(frame.columns)
        if not columns:
            col += 2
            continue
        for j, name in enumerate(columns):
            ws.set_column(col + j, col + j, _width(frame[name].to_list(), table.columns[name]))
        if frame.is_empty():
            for j, name in enumerate(columns):
                ws.write(HEADER_ROW, col + j, table.columns[name], book.header)
            ws.write(HEADER_ROW + 1, col, book.report.tr("app.empty"), book.note)
        else:
            book.tables += 1
            ws.add_table(
                HEADER_ROW,
                col,
                HEADER_ROW + frame.height,
                col + len(columns) - 1,
                {
                    "name": f"T{book.tables}_{re.sub(r'[^A-Za-z0-9_]', '_', table.name)}"[:200],
                    "style": "Table Style Light 9",
                    "data": [[_plain(v) for v in row] for row in frame.iter_rows()],
                    "columns": [
                        {
                            "header": table.columns[name],
                            "header_format": book.header,
                            "format": book.cell_format(table.formats.get(name)),
                        }
                        for name in columns
                    ],
                },
            )
        col += len(columns) + 1
    ws.set_row(HEADER_ROW, 45)
    ws.freeze_panes(HEADER_ROW + 1, 0)


def write_xlsx(report: Report, path: Path) -> None:
    """Write report.xlsx to `path`."""
    book = _Book(path, report)
    _cover(book)
    _kpi_sheet(book)
    if report.scopes is not None:
        _scopes_sheet(book)
    for section in report.sections:
        _tables_sheet(book, report.tr(f"nav.{section.key}"), section.title, section.tables)
    for table in report.sql_pages:
        _tables_sheet(book, table.short_title or table.title, table.title, [table])
    book.wb.close()
