"""KPI cards: value, change against the comparison period, RAG colour and word, and how the KPI is computed, in
fixed-width slots of a row that wraps where the screen is narrow. Texts come from dashboard/engine/kpi_text.py."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import polars as pl
import streamlit as st

from dashboard.engine import kpi_text
from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, KPI_BY_ID
from dashboard.i18n import fmt_amount, fmt_percent, t
from dashboard.web.session import Filters, filters, pace

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
) -> None:
    """Value, change against the comparison period, RAG colour and word, and how it is computed; with `pace` (a row
    of compute_pace whose target applies), the target, its date and the pace word.

    `change_note`, when given, says what the change is against instead (a stored weekly snapshot)."""
    kpi, lang = KPI_BY_ID[row["kpi_id"]], f.lang
    change = kpi_text.format_change(kpi.id, row.get("change"), lang)
    name = kpi_text.kpi_name(kpi.id, lang)
    with st.container(border=True):
        st.markdown(f"**{name}**")
        st.metric(
            name,
            kpi_text.format_value(kpi.id, row["value"], lang),
            delta=change,
            delta_color="off" if not row.get("change") else "normal" if kpi.higher_is_better else "inverse",
            label_visibility="collapsed",
            help=change_note or t("card.change_help", lang),
        )
        if change is None:
            st.caption(t("card.no_change", lang))
        elif change_note:
            st.caption(change_note)
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
    for slot, kpi_id in zip(slots if slots is not None else card_slots(len(ids)), ids):
        with slot:
            kpi_card(rows[kpi_id], f, minutes_per_dossier, change_note=change_note, pace=paces.get(kpi_id))


def _paces() -> dict[str, dict]:
    """The pace rows of the current scope and date by KPI; none when the pace cannot be computed (the cards still
    show: the Pace to 2030 page shows the error)."""
    try:
        return {r["kpi_id"]: r for r in pace().to_dicts()}
    except Exception:  # noqa: BLE001 - a card without its target beats no card
        log.exception("pace for the KPI cards failed")
        return {}
