"""The overview's two charts drawn in HTML and CSS (and one SVG line), with no JavaScript.

Why (issue 11, fresh tab): a page with a Plotly chart makes the browser load and run Plotly's 4.7 MB bundle, and
Streamlit shows none of the page's KPI cards until that is done. Traced in a fresh tab on the demo data
(docs/performance.md): the overview's script had finished at 1.4 s, its cards appeared at 2.7-3.0 s, when the
bundle had run; without the two Plotly charts at 1.8 s. The overview is the first page a leader opens, and its
charts need none of Plotly's features: a weekly volume with a rate, and progress against plan per phase.

The charts size themselves to their column: horizontal positions are percentages, heights pixels, text at the
page's size and colour (so both themes read it); each bar and point names its values in a tooltip. Pure functions:
the same inputs give the same markup, so pages share it between runs (web/memo.py `shared`).
"""

from __future__ import annotations

import html
import math

import polars as pl

from dashboard.i18n import fmt_day_month, fmt_number, fmt_percent
from dashboard.web.charts import PLANNED, PRIMARY, SECONDARY

PLOT_HEIGHT = 220  # px: the weekly chart's plot area
_STYLE = """<style>
.lc{margin:0 0 1rem 0;font-size:0.8rem;line-height:1.2;container-type:inline-size}
.lc-legend{display:flex;flex-wrap:wrap;gap:0.4rem 1.2rem;margin:0 0 0.6rem 0}
.lc-legend span{display:inline-flex;align-items:center;gap:0.4rem}
.lc-key{display:inline-block;width:0.8rem;height:0.8rem;border-radius:2px}
.lc-key.lc-line{height:3px;border-radius:0}
.lc-body{display:flex;align-items:stretch}
.lc-axis{position:relative;flex:0 0 auto}
.lc-axis span{position:absolute;transform:translateY(50%);white-space:nowrap;opacity:0.8}
.lc-left span{right:0.4rem}
.lc-right span{left:0.4rem}
.lc-plot{position:relative;flex:1 1 auto}
.lc-grid{position:absolute;left:0;right:0;height:1px;background:currentColor;opacity:0.12}
.lc-bar{position:absolute;bottom:0;border-radius:2px 2px 0 0}
.lc-dot{position:absolute;width:7px;height:7px;border-radius:50%;transform:translate(-50%,50%)}
.lc-x{position:relative;height:1.3rem;margin-top:0.3rem}
.lc-x span{position:absolute;transform:translateX(-50%);white-space:nowrap;opacity:0.8}
.lc-title{text-align:center;opacity:0.8;margin-top:0.2rem}
@container (max-width: 480px){.lc-x .lc-alt{display:none}}
.lc-rows{display:grid;grid-template-columns:minmax(5rem,32%) 1fr;gap:0.9rem 0.6rem;align-items:center}
.lc-name{font-size:0.85rem}
.lc-track{display:flex;flex-direction:column;gap:3px}
.lc-hbar{display:flex;align-items:center;gap:0.35rem;white-space:nowrap}
.lc-hbar i{display:inline-block;height:0.9rem;border-radius:0 2px 2px 0;min-width:1px}
</style>"""


def _pct(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".") + "%"


def nice_top(largest: float) -> tuple[float, float]:
    """The axis top and tick step for values up to `largest`: a step of 1, 2, 2.5 or 5 times a power of ten, at
    most five steps, the top the first tick at or above the largest value (1 and 1 for nothing to show)."""
    if not largest or largest <= 0:
        return 1.0, 1.0
    power = 10 ** math.floor(math.log10(largest / 5))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if math.ceil(largest / step - 1e-9) <= 5:
            return step * math.ceil(largest / step - 1e-9), step
    return largest, largest  # not reached: 10 x power always fits


def _number(value: float | None, lang: str) -> str:
    return fmt_number(value, lang, 0 if value is None or float(value).is_integer() else 1)


def weekly_trend_html(
    df: pl.DataFrame, *, x: str, bars: str, line: str, bars_label: str, line_label: str, x_label: str, lang: str
) -> str:
    """Bars of a weekly volume (left axis, from 0) and a line of a rate with points (right axis, 0-100 %), one
    slot per row of `df` in its order; a missing rate leaves a gap in the line, a missing volume no bar."""
    weeks, volumes, rates = df[x].to_list(), df[bars].to_list(), df[line].to_list()
    n = max(len(weeks), 1)
    top, step = nice_top(max((v for v in volumes if v is not None), default=0))
    ticks_at = [i * step for i in range(6) if i * step <= top + 1e-9]
    grid = "".join(f'<div class="lc-grid" style="bottom:{_pct(v / top * 100)}"></div>' for v in ticks_at)
    left_texts = [_number(v, lang) for v in ticks_at]
    left = "".join(f'<span style="bottom:{_pct(v / top * 100)}">{text}</span>' for v, text in zip(ticks_at, left_texts))
    # the axes as wide as their longest label (digits are 1ch wide) and a gap; the week labels span the plot only
    left_width = f"calc({max(len(x) for x in left_texts)}ch + 0.5rem)"
    right_width = "calc(4ch + 0.5rem)"
    right = "".join(f'<span style="bottom:{q}%">{fmt_percent(q / 100, lang, 0)}</span>' for q in (0, 25, 50, 75, 100))
    marks, points, runs = [], [], [[]]
    for i, (week, volume, rate) in enumerate(zip(weeks, volumes, rates, strict=True)):
        centre = (i + 0.5) / n * 100
        values = f"{bars_label} {_number(volume, lang)}; {line_label} {fmt_percent(rate, lang)}"
        tip = html.escape(f"{fmt_day_month(week, lang)}: {values}", quote=True)
        if volume is not None and volume > 0:
            marks.append(
                f'<div class="lc-bar" title="{tip}" style="left:{_pct(centre - 30 / n)};width:{_pct(60 / n)};'
                f'height:{_pct(volume / top * 100)};background:{PRIMARY};opacity:0.85"></div>'
            )
        if rate is None:
            runs.append([])
            continue
        height = min(max(rate, 0.0), 1.0) * 100
        runs[-1].append(f"{centre:.3f},{100 - height:.3f}")
        points.append(
            f'<div class="lc-dot" title="{tip}" style="left:{_pct(centre)};bottom:{_pct(height)};'
            f'background:{SECONDARY}"></div>'
        )
    lines = "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{SECONDARY}" stroke-width="2" '
        'vector-effect="non-scaling-stroke" stroke-linejoin="round"/>'
        for run in runs
        if len(run) > 1
    )
    # at most about 6 week labels, the last week's always; in a narrow chart (a column at 900 px) every other one
    every = max(1, math.ceil(n / 6))
    alt = ' class="lc-alt"'
    ticks = "".join(
        f'<span{alt if (n - 1 - i) % (2 * every) else ""} style="left:{_pct((i + 0.5) / n * 100)}">'
        f"{fmt_day_month(week, lang)}</span>"
        for i, week in enumerate(weeks)
        if (n - 1 - i) % every == 0
    )
    label = html.escape(f"{bars_label}; {line_label}")
    return (
        f'{_STYLE}<div class="lc" role="img" aria-label="{label}">'
        '<div class="lc-legend">'
        f'<span><i class="lc-key" style="background:{PRIMARY}"></i>{html.escape(bars_label)}</span>'
        f'<span><i class="lc-key lc-line" style="background:{SECONDARY}"></i>{html.escape(line_label)}</span></div>'
        f'<div class="lc-body" style="height:{PLOT_HEIGHT}px">'
        f'<div class="lc-axis lc-left" style="width:{left_width}">{left}</div>'
        f'<div class="lc-plot">{grid}{"".join(marks)}'
        '<svg viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true" '
        f'style="position:absolute;inset:0;width:100%;height:100%;overflow:visible">{lines}</svg>'
        f"{''.join(points)}</div>"
        f'<div class="lc-axis lc-right" style="width:{right_width}">{right}</div></div>'
        f'<div class="lc-x" style="margin-left:{left_width};margin-right:{right_width}">{ticks}</div>'
        f'<div class="lc-title">{html.escape(x_label)}</div></div>'
    )


def progress_vs_plan_html(
    df: pl.DataFrame, *, category: str, actual: str, planned: str, actual_label: str, planned_label: str, lang: str
) -> str:
    """Per row of `df`, in its order: its name, then a bar of the planned fraction and a bar of the actual progress
    (0-100 % of the track, longer values stopped at its end), each with its value written after it."""
    rows = []
    for name, done, plan in df.select(category, actual, planned).iter_rows():
        bars = []
        for value, colour, what in ((plan, PLANNED, planned_label), (done, PRIMARY, actual_label)):
            text = fmt_percent(value, lang, 0)
            width = 0.0 if value is None else min(max(value, 0.0), 1.0) * 85  # 15 % of the track left for the value
            bars.append(
                f'<div class="lc-hbar" title="{html.escape(f"{name}: {what} {text}", quote=True)}">'
                f'<i style="width:{_pct(width)};background:{colour}"></i>{text}</div>'
            )
        rows.append(f'<div class="lc-name">{html.escape(str(name))}</div><div class="lc-track">{"".join(bars)}</div>')
    label = html.escape(f"{planned_label}; {actual_label}")
    return (
        f'{_STYLE}<div class="lc" role="img" aria-label="{label}">'
        '<div class="lc-legend">'
        f'<span><i class="lc-key" style="background:{PLANNED}"></i>{html.escape(planned_label)}</span>'
        f'<span><i class="lc-key" style="background:{PRIMARY}"></i>{html.escape(actual_label)}</span></div>'
        f'<div class="lc-rows">{"".join(rows)}</div></div>'
    )
