"""The week in words: 1 to 6 plain sentences, in Vietnamese and English, built by rules (no language model) from
the KPI table, the comparison period, the slipped milestones, the province scorecard and the pace to the targets.

`sentences(inputs, lang)` is pure: given its inputs it always writes the same text. `gather` collects the inputs
from the data (one scope, one period); the overview (dashboard/web/session.py) and the weekly report
(dashboard/weekly/snapshot.py) each pass the KPI table they show, so the words agree with their cards.

The sentences, in this order, each only when it has something to say (so at most six):
1. Headline, always: four headline values (sharing coverage, dossier reuse, quality index, roadmap progress; a
   missing one is left out) and how many KPIs are on track, need attention, are off track. No value at all: a
   sentence saying the period has no figures yet.
2. Biggest moves against the comparison period: up to 2 rises and 2 falls among the ratio KPIs whose change is
   not 0 as the cards show it (to 0.1 point); KPIs whose status changed come first, then the largest change, then
   the catalogue's order. Counts are left out (points and counts do not compare), and so are the KPIs that turned
   red (sentence 3 names them). No previous value for any KPI that has a threshold (the first week of data, or no
   stored snapshot of the week before in the report): a sentence saying there is nothing to compare with.
3. Turned red: KPIs off track now that had a status, not off track, in the comparison period.
4. Milestones that slipped in the period, with their owners (queries/summary_slipped_milestones.sql): as of the
   period's end neither done nor cancelled, and either overdue now but not on the day before the period (their
   due date passed within it), or blocked now but not then. Up to 3, earliest due first, then "and N more".
5. Provinces furthest behind (scope `all` only): the scorecard of the Provinces page (queries/provinces_scorecard.sql,
   its seven KPIs), ordered by how many are off track, then how many need attention, then province code; the
   first 3 with at least one of either. A province whose extract is late for the period says "late data" (as the
   scorecard marks it, dashboard/engine/freshness.py), so a late delivery is not read as a lagging province.
6. Targets newly off pace: KPIs whose pace (dashboard/engine/pace.py) is `off_pace` as of the period's end and
   was not `off_pace` as of 7 days before (any other status, or no row then). Up to 3, then "and N more".

Values and changes are written by dashboard/engine/kpi_text.py exactly as the cards write them; the words come
from the [summary] block of the locales. Items of a list are separated by "; " (Vietnamese numbers have commas).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.engine import freshness, kpi_text
from dashboard.engine.kpis import KPI_BY_ID, KPIS, SCORECARD_KPIS, kpi_table, status_for
from dashboard.engine.pace import compute_pace
from dashboard.engine.query import run_query
from dashboard.i18n import LANGS, fmt_date, fmt_number, t
from dashboard.period import Period
from dashboard.scope import Scope

HEADLINE_KPIS = ("sharing_coverage", "dossier_reuse_rate", "quality_index", "roadmap_progress")
MAX_SENTENCES = 6
MOVES_EACH_WAY = 2  # rises and falls named in the moves sentence
MAX_ITEMS = 3  # milestones, provinces, targets named before "and N more"
PACE_LOOKBACK = dt.timedelta(days=7)  # "newly off pace": not off pace as of this long before the end
_ORDER = {k.id: i for i, k in enumerate(KPIS)}
_QUALITY_CRITERIA = ("quality_correct", "quality_sufficient", "quality_clean", "quality_live")


@dataclass(frozen=True)
class Milestone:
    """A milestone that slipped: its title and owner in each language, its due date, why (overdue or blocked)."""

    title: dict[str, str]
    owner: dict[str, str | None]
    planned_due: dt.date
    reason: str  # "overdue" or "blocked"


@dataclass(frozen=True)
class Province:
    """A province's row of the scorecard: its name in each language, how many of its KPIs are red and amber, and
    whether its data is late for the period."""

    code: str
    name: dict[str, str]
    count_red: int
    count_amber: int
    late: bool = False


@dataclass(frozen=True)
class Inputs:
    """What the summary is written from. `kpis`: kpi_id, value and previous_value (the comparison period's, null
    when there is none), as the cards show them; `pace_now` and `pace_before`: compute_pace's rows (kpi_id,
    status, current_value, target_value, target_date) as of the end and 7 days before; no rows: no targets."""

    kpis: pl.DataFrame
    milestones: tuple[Milestone, ...] = ()
    provinces: tuple[Province, ...] = ()
    pace_now: pl.DataFrame | None = None
    pace_before: pl.DataFrame | None = None


@dataclass(frozen=True)
class Summary:
    """The sentences in each language."""

    sentences: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error: str | None = None  # why it could not be written (written_summary)

    def text(self, lang: str) -> str:
        return " ".join(self.sentences[lang])

    def to_dict(self) -> dict[str, list[str]]:
        return {lang: list(s) for lang, s in self.sentences.items()}

    def record(self) -> dict:
        """What a manifest keeps: the sentences by language, and the error when there is one."""
        return self.to_dict() | ({"error": self.error} if self.error else {})


# ---- the sentences ------------------------------------------------------------------------------------------


def name(kpi_id: str, lang: str) -> str:
    """A KPI's name in a sentence: a quality criterion says it is one ('Correct' alone reads as nothing)."""
    if kpi_id in _QUALITY_CRITERIA:
        return t("summary.criterion", lang, name=kpi_text.kpi_name(kpi_id, lang))
    return kpi_text.kpi_name(kpi_id, lang)


def listed(items: list[str], lang: str, total: int | None = None) -> str:
    """Items joined by '; ', with 'and N more' when `total` is more than the items shown."""
    text = "; ".join(items)
    if total is not None and total > len(items):
        text += "; " + t("summary.more", lang, n=fmt_number(total - len(items), lang))
    return text


def _rows(kpis: pl.DataFrame) -> list[dict]:
    """kpi_id, value, previous_value, status, previous_status of each KPI (statuses by the thresholds)."""
    previous = "previous_value" in kpis.columns
    out = []
    for row in kpis.iter_rows(named=True):
        before = row["previous_value"] if previous else None
        out.append(
            {
                "kpi_id": row["kpi_id"],
                "value": row["value"],
                "previous_value": before,
                "status": status_for(row["kpi_id"], row["value"]),
                "previous_status": status_for(row["kpi_id"], before),
            }
        )
    return out


def headline(rows: list[dict], lang: str) -> str:
    by_id = {r["kpi_id"]: r for r in rows}
    values = [
        f"{name(k, lang)} {kpi_text.format_value(k, by_id[k]['value'], lang)}"
        for k in HEADLINE_KPIS
        if k in by_id and by_id[k]["value"] is not None
    ]
    counts = {s: sum(r["status"] == s for r in rows) for s in ("green", "amber", "red")}
    if not values and not any(counts.values()):
        return t("summary.headline_empty", lang)
    numbers = {s: fmt_number(n, lang) for s, n in counts.items()}
    words = {f"{s}_word": kpi_text.status_word(None, s, lang) for s in counts}
    status_part = t("summary.statuses", lang, **numbers, **words)
    if not values:
        return t("summary.headline_statuses", lang, statuses=status_part)
    return t("summary.headline", lang, values="; ".join(values), statuses=status_part)


def turned_red(row: dict) -> bool:
    return row["status"] == "red" and row["previous_status"] not in (None, "red")


def has_comparison(rows: list[dict]) -> bool:
    """Whether any KPI with a threshold has a value in the comparison period."""
    return any(r["previous_value"] is not None and KPI_BY_ID[r["kpi_id"]].green is not None for r in rows)


def moves(rows: list[dict], lang: str) -> str | None:
    candidates = []
    for r in rows:
        kpi = KPI_BY_ID[r["kpi_id"]]
        if kpi.unit != "ratio" or r["value"] is None or r["previous_value"] is None or turned_red(r):
            continue
        change = r["value"] - r["previous_value"]
        if round(change * 100, 1) == 0:  # the card would show +0,0
            continue
        changed = r["status"] != r["previous_status"]
        candidates.append((not changed, -abs(change), _ORDER[r["kpi_id"]], change, r))
    candidates.sort(key=lambda c: c[:3])
    rises = [c for c in candidates if c[3] > 0][:MOVES_EACH_WAY]
    falls = [c for c in candidates if c[3] < 0][:MOVES_EACH_WAY]
    chosen = sorted(rises + falls, key=lambda c: c[:3])
    if not chosen:
        return None
    items = []
    for *_, change, r in chosen:
        item = f"{name(r['kpi_id'], lang)} {kpi_text.format_change(r['kpi_id'], change, lang)}"
        if r["status"] != r["previous_status"]:
            before = kpi_text.status_word(r["kpi_id"], r["previous_status"], lang)
            after = kpi_text.status_word(r["kpi_id"], r["status"], lang)
            item += f" ({before} → {after})"
        items.append(item)
    return t("summary.moves", lang, items=listed(items, lang))


def reds(rows: list[dict], lang: str) -> str | None:
    items = [
        f"{name(r['kpi_id'], lang)} {kpi_text.format_value(r['kpi_id'], r['value'], lang)}"
        for r in rows
        if turned_red(r)
    ]
    if not items:
        return None
    return t("summary.turned_red", lang, word=kpi_text.status_word(None, "red", lang), items=listed(items, lang))


def slipped(milestones: tuple[Milestone, ...], lang: str) -> str | None:
    if not milestones:
        return None
    items = []
    for m in milestones[:MAX_ITEMS]:
        owner = m.owner.get(lang) or t("summary.no_owner", lang)
        key = "summary.milestone_blocked" if m.reason == "blocked" else "summary.milestone_overdue"
        items.append(t(key, lang, title=m.title[lang], owner=owner, due=fmt_date(m.planned_due, lang)))
    return t("summary.slipped", lang, items=listed(items, lang, len(milestones)))


def behind(provinces: tuple[Province, ...], lang: str) -> str | None:
    ranked = sorted(
        (p for p in provinces if p.count_red or p.count_amber), key=lambda p: (-p.count_red, -p.count_amber, p.code)
    )
    if not ranked:
        return None
    items = []
    for p in ranked[:MAX_ITEMS]:
        parts = []
        if p.count_red:
            parts.append(t("summary.count_red", lang, n=fmt_number(p.count_red, lang)))
        if p.count_amber:
            parts.append(t("summary.count_amber", lang, n=fmt_number(p.count_amber, lang)))
        if p.late:
            parts.append(t("summary.late_data", lang))
        items.append(f"{p.name[lang]} ({', '.join(parts)})")
    return t("summary.provinces", lang, items=listed(items, lang))


def newly_off_pace(now: pl.DataFrame | None, before: pl.DataFrame | None, lang: str) -> str | None:
    if now is None or now.is_empty():
        return None
    was = {} if before is None else dict(before.select("kpi_id", "status").iter_rows())
    rows = [r for r in now.iter_rows(named=True) if r["status"] == "off_pace" and was.get(r["kpi_id"]) != "off_pace"]
    if not rows:
        return None
    rows.sort(key=lambda r: _ORDER[r["kpi_id"]])
    items = [
        t(
            "summary.pace_item",
            lang,
            name=name(r["kpi_id"], lang),
            value=kpi_text.format_value(r["kpi_id"], r["current_value"], lang),
            target=kpi_text.format_value(r["kpi_id"], r["target_value"], lang),
            date=fmt_date(r["target_date"], lang),
        )
        for r in rows[:MAX_ITEMS]
    ]
    return t("summary.off_pace", lang, word=kpi_text.pace_word("off_pace", lang), items=listed(items, lang, len(rows)))


def sentences(inputs: Inputs, lang: str) -> list[str]:
    """The summary in one language: the headline, then each other sentence that has content, at most six."""
    rows = _rows(inputs.kpis)
    out = [headline(rows, lang)]
    if has_comparison(rows):
        out.append(moves(rows, lang))
        out.append(reds(rows, lang))
    elif any(r["value"] is not None for r in rows if KPI_BY_ID[r["kpi_id"]].green is not None):
        out.append(t("summary.no_comparison", lang))
    out.append(slipped(inputs.milestones, lang))
    out.append(behind(inputs.provinces, lang))
    out.append(newly_off_pace(inputs.pace_now, inputs.pace_before, lang))
    return [s for s in out if s][:MAX_SENTENCES]


def lead(sentence: str) -> tuple[str, str]:
    """A sentence split after its lead-in ('Biggest changes against the previous period:'), which pages and the
    report set in bold; ('', sentence) when it has none. Every template puts its lead-in before the first ': '."""
    head, sep, rest = sentence.partition(": ")
    return (head + ":", rest) if sep else ("", sentence)


def summarize(inputs: Inputs, langs: tuple[str, ...] = LANGS) -> Summary:
    return Summary({lang: tuple(sentences(inputs, lang)) for lang in langs})


# ---- the inputs from the data -------------------------------------------------------------------------------


def milestones_from(frame: pl.DataFrame) -> tuple[Milestone, ...]:
    """The rows of queries/summary_slipped_milestones.sql as Milestones (the query's order)."""
    return tuple(
        Milestone(
            {lang: r[f"title_{lang}"] for lang in LANGS},
            {lang: r[f"owner_name_{lang}"] for lang in LANGS},
            r["planned_due"],
            r["reason"],
        )
        for r in frame.iter_rows(named=True)
    )


def provinces_from(
    scorecard: pl.DataFrame, names: dict[str, dict[str, str]], late: Collection[str] = ()
) -> tuple[Province, ...]:
    """The province rows of queries/provinces_scorecard.sql with their red and amber counts over its seven KPIs
    (as the Provinces page counts them); `names`: {lang: {province_code: name}}; `late`: the provinces whose data
    is late for the period."""
    rows = scorecard.filter(pl.col("row_kind") == "province")
    red = kpi_text.count_with_status(rows, SCORECARD_KPIS, "red")
    amber = kpi_text.count_with_status(rows, SCORECARD_KPIS, "amber")
    return tuple(
        Province(code, {lang: names[lang][code] for lang in names}, int(r), int(a), code in late)
        for code, r, a in zip(rows["province_code"], red, amber, strict=True)
    )


def gather(
    base: Path,
    period: Period,
    scope: Scope,
    kpis: pl.DataFrame | None = None,
    *,
    langs: tuple[str, ...] = LANGS,
) -> Inputs:
    """The inputs of the summary of (period, scope) from the data; `kpis` as the caller's cards show them (default:
    the KPI table with the comparison period re-queried)."""
    if kpis is None:
        kpis = kpi_table(base, period, scope)
    params = {**period.params(), **scope.params()}
    milestones = milestones_from(run_query(base, scope, "summary_slipped_milestones", params))
    provinces: tuple[Province, ...] = ()
    if scope.type == "all":
        scorecard = run_query(base, scope, "provinces_scorecard", {**params, "lang": langs[0]})
        names = {lang: dict(run_query(base, scope, "province_names", {"lang": lang}).iter_rows()) for lang in langs}
        provinces = provinces_from(scorecard, names, freshness.late_provinces(base, scope, period.end))
    return Inputs(
        kpis=kpis,
        milestones=milestones,
        provinces=provinces,
        pace_now=compute_pace(base, scope, period.end),
        pace_before=compute_pace(base, scope, period.end - PACE_LOOKBACK),
    )


def week_summary(
    base: Path, period: Period, scope: Scope, kpis: pl.DataFrame | None = None, *, langs: tuple[str, ...] = LANGS
) -> Summary:
    """The summary of (period, scope) in each of `langs`, from the data."""
    return summarize(gather(base, period, scope, kpis, langs=langs), langs)


def written_summary(
    base: Path, period: Period, scope: Scope, kpis: pl.DataFrame | None = None, *, langs: tuple[str, ...] = LANGS
) -> Summary:
    """week_summary, or an empty Summary saying why it could not be written: the weekly report goes on without it."""
    try:
        return week_summary(base, period, scope, kpis, langs=langs)
    except Exception as exc:  # noqa: BLE001 - the summary is one section of the report, not the report
        return Summary(error=f"{type(exc).__name__}: {exc}")
