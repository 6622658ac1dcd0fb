"""The overview's short lists drawn as HTML tables, with no JavaScript.

Why (issue 11, fresh tab): Streamlit draws a page's elements once the code of every kind of element among them has
loaded, and st.dataframe's grid is the largest there is (DataFrame.js, 486 kB, and a canvas to lay out). On the
overview it came with the three "needs attention" lists right under the cards, so the cards waited for it:
measured in turns on the demo data (docs/performance.md, ninth pass), the cards of a fresh tab showed about 0.4 s
sooner with these lists in HTML. They are five to ten rows a leader reads, not a grid to sort or search; the
downloads beside them (web/tables.py `light_table`) carry the raw values.

Cells are written as the grid writes them (dashboard/engine/kpi_text.py): numbers and dates in the locale, codes
in words, a missing value '–', a share (a percent column of values from 0 to 1) with a bar after its number, a
status mark ('● Đạt') in its colour. Text at the page's size and colour (both themes read it). Pure: the same
inputs give the same markup, so pages share it between runs (web/memo.py `shared`).
"""

from __future__ import annotations

import html

import polars as pl

from dashboard.engine.kpi_text import NUMBER_KINDS, format_cell, formatted, is_share_column, mark_colour
from dashboard.web.charts import PRIMARY

# Selectors under .lt-wrap: more specific than Streamlit's own rules for a table in markdown, which they replace. A
# text cell keeps some width on a narrow screen (the list scrolls sideways rather than a title a word a line).
_STYLE = f"""<style>
.lt-wrap{{overflow-x:auto;margin:0 0 0.5rem 0}}
.lt-wrap .lt{{border-collapse:collapse;width:100%;font-size:0.875rem;line-height:1.35;margin:0;border:none}}
.lt-wrap .lt th{{text-align:left;font-weight:600;padding:0.35rem 0.6rem;border:none;
border-bottom:1px solid rgba(128,128,128,0.45);vertical-align:bottom;background:none}}
.lt-wrap .lt td{{padding:0.35rem 0.6rem;border:none;border-bottom:1px solid rgba(128,128,128,0.18);
vertical-align:middle}}
.lt-wrap .lt td:not(.lt-num){{min-width:8rem}}
.lt-wrap .lt .lt-num{{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}}
.lt-wrap .lt-bar{{display:inline-block;width:56px;height:0.55rem;margin-left:0.45rem;vertical-align:middle;
border-radius:2px;background:rgba(128,128,128,0.2);overflow:hidden}}
.lt-wrap .lt-bar i{{display:block;height:100%;background:{PRIMARY}}}
</style>"""


def _is_number(kind: str | None, dtype) -> bool:
    return kind in NUMBER_KINDS or (kind is None and dtype.is_numeric())


def table_html(shown: pl.DataFrame, labels: dict[str, str], formats: dict[str, str], lang: str) -> str:
    """An HTML table of `shown`'s columns in its order, headed by `labels`; `formats` gives a column's kind
    (kpi_text.format_cell's and formatted's kinds: 'percent', 'number', 'date', 'criterion', 'code:<prefix>', ...);
    a column without one is written by its type. Numbers right-aligned; shares with a bar; every text escaped."""
    kinds = {c: formats.get(c) for c in shown.columns}
    bars = {c for c, k in kinds.items() if k == "percent" and is_share_column(shown[c].to_list())}
    # the columns with a kind as the grid writes them (codes in words, values in the locale); the others by type below
    texts = formatted(shown, {c: k for c, k in kinds.items() if k is not None}, lang)
    numeric = {c for c in shown.columns if _is_number(kinds[c], shown[c].dtype)}

    num = ' class="lt-num"'
    head = "".join(f'<th scope="col"{num if c in numeric else ""}>{html.escape(labels[c])}</th>' for c in shown.columns)
    rows = []
    for i, row in enumerate(shown.iter_rows(named=True)):
        cells = []
        for c in shown.columns:
            value = row[c]
            text = texts[c][i] if kinds[c] is not None else format_cell(value, None, lang)
            text = "–" if text is None else str(text)
            colour = mark_colour(text)
            style = f' style="color:{colour}"' if colour else ""
            bar = ""
            if c in bars and value is not None and value == value:  # a missing share draws no bar
                bar = f'<span class="lt-bar" aria-hidden="true"><i style="width:{100 * value:.1f}%"></i></span>'
            cells.append(f"<td{num if c in numeric else ''}{style}>{html.escape(text)}{bar}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'{_STYLE}<div class="lt-wrap"><table class="lt"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
