"""KPI cards: value, change against the comparison period, a sparkline of the last 12 weeks, RAG colour and word,
and how the KPI is computed, in fixed-width slots of a row that wraps where the screen is narrow. Texts come from
dashboard/engine/kpi_text.py."""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Sequence

import polars as pl
import streamlit as st

from dashboard.engine import kpi_text
from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, KPI_BY_ID
from dashboard.engine.pace import series_week_ends
from dashboard.i18n import fmt_amount, fmt_date, fmt_percent, t
from dashboard.web.memo import shared
from dashboard.web.session import Filters, filters, pace, series

log = logging.getLogger(__name__)

CARD_WIDTH = 210  # px: four cards a row at 1400 px, two at a 900 px tablet, values and status words unclipped
STATUS_BADGE = {
    "green": ("green", ":material/check_circle:"),
    "amber": ("orange", ":material/warning:"),
    "red": ("red", ":material/error:"),
    None: ("gray", ":material/help:"),
}
PACE_BADGE = {  # the pace word is always shown beside its colour
    "reached": ("green", ":material/flag:"),
    "on_pace": ("green", ":material/trending_up:"),
    "off_pace": ("red", ":material/trending_down:"),
    "no_trend": ("gray", ":material/help:"),
    "no_target": ("gray", ":material/help:"),
}


def kpi_card(
    row: dict,
    f: Filters,
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER,
    change_note: str | None = None,
    pace: dict | None = None,
    weeks: tuple[list[dt.date], list[float | None]] | None = None,
) -> None:
    """Value, change against the comparison period, RAG colour and word, and how it is computed; with `pace` (a row
    of compute_pace whose target applies), the target, its date and the pace word; with `weeks` (the 12 week ends
    and the KPI's value in each, None for a week without one), a sparkline of them.

    `change_note`, when given, says what the change is against instead (a stored weekly snapshot)."""
    kpi, lang = KPI_BY_ID[row["kpi_id"]], f.lang
    change = kpi_text.format_card_change(kpi.id, row.get("change"), lang)
    name = kpi_text.kpi_name(kpi.id, lang)
    shown, exact = (
        kpi_text.format_card_value(kpi.id, row["value"], lang),
        kpi_text.format_value(kpi.id, row["value"], lang),
    )
    with st.container(border=True):
        st.markdown(f"**{name}**")
        st.metric(
            name,
            shown,
            delta=change,
            delta_color="off" if not row.get("change") else "normal" if kpi.higher_is_better else "inverse",
            label_visibility="collapsed",
            help=change_note or t("card.change_help", lang),
        )
        if change is None:
            st.caption(t("card.no_change", lang))
        elif change_note:
            st.caption(change_note)
        if weeks is not None and any(v is not None for v in weeks[1]):
            # markdown, not st.html: st.html's sanitiser keeps HTML only and drops an SVG
            st.markdown(shared(sparkline_svg, kpi.id, weeks[0], weeks[1], lang), unsafe_allow_html=True)
        status = row["status"]
        colour, icon = STATUS_BADGE[status]
        st.badge(kpi_text.status_word(kpi.id, status, lang), color=colour, icon=icon)
        has_target = pace is not None and pace["target_value"] is not None
        if has_target:
            st.caption(kpi_text.format_target(kpi.id, pace["target_value"], pace["target_date"], lang))
            colour, icon = PACE_BADGE[pace["status"]]
            st.badge(kpi_text.pace_word(pace["status"], lang), color=colour, icon=icon)
        with st.expander(t("card.how", lang)):
            st.markdown(kpi_text.kpi_formula(kpi.id, lang, minutes_per_dossier))
            if has_target:
                st.caption(t("pace.how", lang))
            if kpi.green is not None:
                st.caption(
                    t(
                        "card.thresholds",
                        lang,
                        green=fmt_percent(kpi.green, lang, 0),
                        amber=fmt_percent(kpi.amber, lang, 0),
                    )
                )
            if exact != shown:
                st.caption(t("card.exact", lang, value=exact))
            exact_change = kpi_text.format_change(kpi.id, row.get("change"), lang)
            if change is not None and exact_change != change:
                st.caption(t("card.exact_change", lang, value=exact_change))
            if row["denominator"] is not None:
                st.caption(
                    t(
                        "card.numbers",
                        lang,
                        numerator=fmt_amount(row["numerator"], lang),
                        denominator=fmt_amount(row["denominator"], lang),
                    )
                )


def card_slots(count: int) -> list:
    """`count` card-wide slots in a row that wraps onto more rows where the screen is narrow; for a page that puts
    something else beside its cards (e.g. an input in the last slot), and gives the others to `kpi_cards`."""
    row = st.container(horizontal=True, gap="small")
    return [row.container(width=CARD_WIDTH) for _ in range(count)]


def kpi_cards(
    table: pl.DataFrame,
    ids: Sequence[str],
    *,
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER,
    change_note: str | None = None,
    slots: Sequence | None = None,
) -> None:
    """KPI cards (see `kpi_card`) for the given KPI ids, in that order, in the `slots` of `card_slots` (new ones
    when not given).

    `change_note` (optional) tells each card what its change is against (see `kpi_card`).
    """
    f = filters()
    rows = {r["kpi_id"]: r for r in table.to_dicts()}
    paces = _paces()
    weekly = _weekly(ids)
    for slot, kpi_id in zip(slots if slots is not None else card_slots(len(ids)), ids):
        with slot:
            kpi_card(
                rows[kpi_id],
                f,
                minutes_per_dossier,
                change_note=change_note,
                pace=paces.get(kpi_id),
                weeks=weekly.get(kpi_id),
            )


def _weekly(ids: Sequence[str]) -> dict[str, tuple[list[dt.date], list[float | None]]]:
    """The 12 week ends and values of each of `ids` the weekly rollups give (session.series: one cached read for
    every card of the page); a KPI without a weekly series is left out (its card shows no sparkline)."""
    try:
        frame = series()
    except Exception:  # noqa: BLE001 - a card without its sparkline beats no card
        log.exception("weekly series for the KPI cards failed")
        return {}
    ends = series_week_ends(filters().period.end)  # the 12 weeks, a week no query row has included (a gap)
    by_week = {(k, w): v for k, w, v in frame.iter_rows()}
    known = set(frame["kpi_id"].to_list())
    return {k: (ends, [by_week.get((k, e)) for e in ends]) for k in ids if k in known}


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 180, 30, 3  # px: the line's area; fits a card (CARD_WIDTH less its padding)
SPARK_LABEL = 14  # px under the line for its label ("12 tuần gần nhất")
# The least a line's height stands for: a ratio's 5 points (a move of 0,3 points must not look like a fall from the
# top to the bottom), a count's tenth of its size.
SPARK_MIN_RATIO_SPAN, SPARK_MIN_COUNT_SPAN = 0.05, 0.1


def sparkline_svg(kpi_id: str, ends: list[dt.date], values: list[float | None], lang: str) -> str:
    """A small inline SVG line of the weekly values, oldest left: drawn in the text's colour (currentColor, so
    readable in the light and the dark theme), a null week a gap, the last value a dot; its title names the weeks
    and the first and last values. Pure: shared between runs (web/memo.py)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    low, high = min(v for _, v in points), max(v for _, v in points)
    ratio = KPI_BY_ID[kpi_id].unit == "ratio"
    span = max(high - low, SPARK_MIN_RATIO_SPAN if ratio else SPARK_MIN_COUNT_SPAN * max(abs(low), abs(high)))
    top = (high + low + span) / 2  # the values centred in the height their span stands for
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> str:
        y = SPARK_HEIGHT / 2 if span == 0 else SPARK_PAD + (top - v) / span * (SPARK_HEIGHT - 2 * SPARK_PAD)
        return f"{SPARK_PAD + i * step:.1f},{y:.1f}"

    runs, current = [], []
    for i, v in enumerate(values):  # a run of weeks with values is one polyline; a null week ends it
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(xy(i, v))
    if current:
        runs.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(r)}" fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
        if len(r) > 1
        else f'<circle cx="{r[0].split(",")[0]}" cy="{r[0].split(",")[1]}" r="1.5" fill="currentColor"/>'
        for r in runs
    )
    last_x, last_y = xy(*points[-1]).split(",")
    first, last = points[0], points[-1]
    title = t(
        "card.sparkline",
        lang,
        start=fmt_date(ends[0] - dt.timedelta(days=6), lang),
        end=fmt_date(ends[-1], lang),
        first=kpi_text.format_value(kpi_id, first[1], lang),
        last=kpi_text.format_value(kpi_id, last[1], lang),
    )
    height = SPARK_HEIGHT + SPARK_LABEL
    return (
        f'<svg class="kpi-sparkline" role="img" aria-label="{html.escape(title)}" width="{SPARK_WIDTH}" '
        f'height="{height}" viewBox="0 0 {SPARK_WIDTH} {height}" style="display:block;opacity:0.75">'
        f"<title>{html.escape(title)}</title>{lines}"
        f'<circle cx="{last_x}" cy="{last_y}" r="2.5" fill="currentColor"/>'
        f'<text x="{SPARK_PAD}" y="{height - 2}" font-size="11" fill="currentColor">'
        f"{html.escape(t('card.sparkline_label', lang))}</text></svg>"
    )


def _paces() -> dict[str, dict]:
    """The pace rows of the current scope and date by KPI; none when the pace cannot be computed (the cards still
    show: the Pace to 2030 page shows the error)."""
    try:
        return {r["kpi_id"]: r for r in pace().to_dicts()}
    except Exception:  # noqa: BLE001 - a card without its target beats no card
        log.exception("pace for the KPI cards failed")
        return {}
