"""Deterministic demo data for every table of the curated contract.

`generate(base, seed=..., scale=..., until=...)` writes the 12 contract tables under
`<base>/curated/` and returns their row counts.  The same seed, `until` and scale give
byte-identical Parquet files: every random draw comes from `numpy.random.default_rng`
seeded with the seed plus a fixed label (CRC32, never Python's salted `hash`), nothing
depends on dict/set iteration order or the time of day, and rows are written sorted by
the table's natural key.

What the demo shows (so that every page of the dashboard has a story to tell):

* The **11 pilot committees are chosen by this demo** (`PILOT_PROVINCES`): the real list
  is not public.  Every body of a pilot province has `is_pilot = true`.  Pilots connect
  to shared data early, reuse data in dossiers sooner and keep their data cleaner.
* Three **lagging provinces** (`LAGGING_PROVINCES`) connect late and to few datasets,
  with lower success rates, little reuse, and datasets short of dictionary mappings.
* Sharing rises over time as connections switch on, faster in the pilots.
* `QUALITY_DIP_DATASET` (the central party members database) drops sharply in the
  `correct` and `live` criteria during the last `QUALITY_DIP_DAYS` days before `until`
  (a failed migration), visible in its latest weekly checks.
* Some datasets have no owner or no steward; some roadmap milestones are overdue
  (due before `until` and not done, or done late); one roadmap item is cancelled.
* The seed's story (issue 13): the strategy is a draft collecting comments in November 2025,
  adopted in 2026; pilots start from a low base and every group keeps improving through 2026
  (reuse, pre-fill, quality, connections), so the last year's trends move; datasets go operating
  on dates (`operating_since`), key databases among them; the population database's ministry
  (`POPULATION_DB_OWNER`) is an `external` body; the roadmap agrees with the data (the "first 20
  committees connected" milestone is done when the exchanges show it, the owner-and-steward task
  stays open while datasets lack them).

Scale: `scale` multiplies the communes per province (`COMMUNES_PER_PROVINCE * scale`)
and with them the fact rows.  From `FOLDER_MIN_SCALE` up, `exchanges_daily` and
`dossiers_daily` are written as folders of monthly Parquet parts
(`curated/<table>/part-00000.parquet`, ...), generated one month at a time so memory
stays bounded; below it, each is one file written through `dashboard.data.io.write_table`.
The rows are the same either way.  Last, the weekly rollups of `dashboard.data.rollups` are built from
the facts (`curated/exchanges_weekly.parquet`, `curated/dossiers_weekly.parquet`).

Content: the lists the demo tells its story with (dictionary terms, quality rules, field templates, central
datasets, roadmap items, procedures, the targets of `kpi_targets`) are in `dashboard/data/reference/*.csv`.

Long: one seeded model (`_Model`) from which every dimension and fact table is drawn; the generators share its
state, the random streams and the group curves, so splitting them would only turn those internals into public names.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from dashboard import config
from dashboard.data.contract import CHANNELS, LOAD_ORDER, TABLES, polars_schema
from dashboard.data.io import conform, write_table
from dashboard.data.rollups import ROLLUPS, build_rollups
from dashboard.data.scope_files import build_scope_files
from dashboard.progress import Bar

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

START_DATE = dt.date(2025, 1, 1)  # first day of the daily facts
FIRST_MONDAY = dt.date(2025, 1, 6)  # first week of weekly facts (checks, roadmap updates)

# Chosen by the demo: the real list of the 11 pilot committees is not public.
PILOT_PROVINCES: tuple[str, ...] = ("HNI", "HCM", "HPG", "DNG", "CTO", "QNH", "BNH", "THA", "NAN", "KHA", "LDG")
# Chosen by the demo: provinces that connect late and few, with lower quality and reuse.
LAGGING_PROVINCES: tuple[str, ...] = ("LCU", "DBN", "CMU")
# The dataset whose `correct` and `live` quality drop in the last weeks before `until`.
QUALITY_DIP_DATASET = "TW-DANGVIEN"
QUALITY_DIP_DAYS = 28
# The State ministry owning the national population database: an `external` body (outside the Party's
# organisation), so its data counts in exchanges but not in the Party's denominators.
POPULATION_DB_OWNER = "BCA"
POPULATION_DATASET = "BCA-DANCU"

COMMUNES_PER_PROVINCE = 3  # at scale 1; grows linearly with scale (--scale 33: 99 per province, 3,366 in all)
# The roadmap milestone "first 20 provincial committees connected" (plan "data" in reference/roadmap_items.csv) is
# done when the exchanges show the 20th committee connected.
FIRST_COMMITTEES = 20
FOLDER_MIN_SCALE = 2.0  # from this scale up the two daily facts are written as folders of parts

_EPOCH_DAY0 = (START_DATE - dt.date(1970, 1, 1)).days
_GROUP_CENTRAL, _GROUP_PILOT, _GROUP_NORMAL, _GROUP_LAGGING = 0, 1, 2, 3
_NEVER = 10**7  # an onset day that never comes

# Public holidays (first, last day): lower volumes on those days.
_HOLIDAYS = (
    ("2025-01-01", "2025-01-01"),
    ("2025-01-25", "2025-02-02"),
    ("2025-04-07", "2025-04-07"),
    ("2025-04-30", "2025-05-04"),
    ("2025-08-30", "2025-09-02"),
    ("2026-01-01", "2026-01-01"),
    ("2026-02-14", "2026-02-22"),
    ("2026-04-25", "2026-04-27"),
    ("2026-04-30", "2026-05-03"),
    ("2026-08-29", "2026-09-02"),
    ("2027-01-01", "2027-01-01"),
)


# --------------------------------------------------------------------------- small helpers


def _rng(seed: int, *labels: str | int) -> np.random.Generator:
    """A generator for one named stream: the same seed and labels always give the same draws."""
    words = [int(seed) % 2**64]
    for label in labels:
        words.append(label if isinstance(label, int) else zlib.crc32(str(label).encode("utf-8")))
    return np.random.default_rng(words)


def _day(d: dt.date) -> int:
    """Days since START_DATE."""
    return (d - START_DATE).days


def _date(day: int) -> dt.date:
    return START_DATE + dt.timedelta(days=int(day))


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _monday_on_or_before(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    """Mondays from the Monday of `first`'s week (never before FIRST_MONDAY) to the last Monday <= `last`."""
    m = max(_monday_on_or_before(first), FIRST_MONDAY)
    out = []
    while m <= last:
        out.append(m)
        m += dt.timedelta(days=7)
    return out


def _read_reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _flag(text: str) -> bool:
    return {"true": True, "false": False}[text]


def _reference_rows(name: str, **convert: Callable[[str], Any]) -> tuple[tuple, ...]:
    """The rows of reference/<name> as tuples in the file's column order: an empty cell is None, and the columns
    named in `convert` are converted by their function (text otherwise)."""
    rows = _read_reference(name)
    return tuple(tuple(None if v == "" else convert.get(k, str)(v) for k, v in r.items()) for r in rows)


def _frame(table: str, rows: list[tuple]) -> pl.DataFrame:
    """Rows (in the contract's column order) as a frame in the contract's types, sorted by the key."""
    schema = polars_schema(table)
    df = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return df.sort(list(TABLES[table].key))


# --------------------------------------------------------------------------- reference content

# Syllables for commune names: (Vietnamese, without diacritics for the English label).
_NAME_FIRST = (
    ("Tân", "Tan"), ("Phú", "Phu"), ("An", "An"), ("Hòa", "Hoa"), ("Bình", "Binh"), ("Long", "Long"),
    ("Vĩnh", "Vinh"), ("Thạnh", "Thanh"), ("Phước", "Phuoc"), ("Đông", "Dong"), ("Tây", "Tay"),
    ("Nam", "Nam"), ("Bắc", "Bac"), ("Quang", "Quang"), ("Xuân", "Xuan"), ("Hưng", "Hung"),
    ("Thái", "Thai"), ("Mỹ", "My"), ("Hiệp", "Hiep"), ("Thuận", "Thuan"), ("Đức", "Duc"),
    ("Minh", "Minh"), ("Thành", "Thanh"), ("Trung", "Trung"), ("Hồng", "Hong"), ("Kim", "Kim"),
    ("Ngọc", "Ngoc"), ("Sơn", "Son"), ("Thanh", "Thanh"), ("Cẩm", "Cam"), ("Yên", "Yen"),
    ("Quảng", "Quang"), ("Hải", "Hai"), ("Lạc", "Lac"), ("Gia", "Gia"), ("Khánh", "Khanh"),
)  # fmt: skip
_NAME_SECOND = (
    ("Hòa", "Hoa"), ("Phú", "Phu"), ("Lợi", "Loi"), ("Thịnh", "Thinh"), ("Hưng", "Hung"),
    ("Bình", "Binh"), ("An", "An"), ("Lộc", "Loc"), ("Phong", "Phong"), ("Sơn", "Son"),
    ("Thủy", "Thuy"), ("Lâm", "Lam"), ("Điền", "Dien"), ("Thành", "Thanh"), ("Tiến", "Tien"),
    ("Quý", "Quy"), ("Mỹ", "My"), ("Đông", "Dong"), ("Tây", "Tay"), ("Trung", "Trung"),
    ("Khê", "Khe"), ("Hải", "Hai"), ("Lương", "Luong"), ("Phát", "Phat"), ("Tân", "Tan"),
    ("Long", "Long"), ("Xuân", "Xuan"), ("Nghĩa", "Nghia"), ("Đức", "Duc"), ("Vinh", "Vinh"),
)  # fmt: skip
_COMMUNE_NAMES = tuple((a + " " + b, ae + " " + be) for a, ae in _NAME_FIRST for b, be in _NAME_SECOND if a != b)

# Provincial commissions: (id prefix, Vietnamese prefix, English prefix).
_COMMISSIONS = (
    ("VP", "Văn phòng", "Office of the"),
    ("BTC", "Ban Tổ chức", "Organization Commission of the"),
    ("UBKT", "Ủy ban Kiểm tra", "Inspection Commission of the"),
    ("BTGDV", "Ban Tuyên giáo và Dân vận", "Propaganda and Mass Mobilization Commission of the"),
)

# Central party committees that process dossiers of their own members.
_CENTRAL_PARTY_COMMITTEES = ("DUCQDTW", "DUCP", "DUQH", "DUMTTQ")

# Dictionary terms, quality rules (with the dataset kinds each applies to, "*" for all) and the field templates of
# each dataset kind: reference/dictionary_terms.csv, quality_rules.csv, data_elements.csv.
_TERMS = _reference_rows("dictionary_terms.csv")
_RULES = _reference_rows("quality_rules.csv", weight=float, dataset_kinds=lambda k: k if k == "*" else tuple(k.split()))
_ELEMENT_TEMPLATES: dict[str, tuple[tuple[str, str | None, bool, bool], ...]] = {}
for _row in _reference_rows("data_elements.csv", is_mandatory=_flag, is_identifier=_flag):
    _ELEMENT_TEMPLATES[_row[0]] = (*_ELEMENT_TEMPLATES.get(_row[0], ()), _row[1:])

# Procedures of party work: code -> (name_vi, name_en, fields per dossier); reference/procedures.csv.
_PROCEDURES = {r[0]: r[1:] for r in _reference_rows("procedures.csv", fields_per_dossier=int)}
# Weekday mean dossiers per day, by processing body type and procedure.
_DOSSIER_LOAD = {
    "commune": {"KN": 0.25, "CSHD": 0.6, "CT": 0.25, "KT": 0.3, "KL": 0.05, "DP": 0.45},
    "BTC": {"KN": 1.5, "CSHD": 6.0, "CT": 1.0, "TDV": 10.0, "KT": 4.0},
    "UBKT": {"KL": 1.2},
    "VP": {"DP": 3.0},
    "central": {"KN": 1.0, "CSHD": 3.0, "CT": 1.0, "TDV": 1.5, "KT": 2.0, "KL": 0.3, "DP": 1.5},
}
# Reuse (dossiers) and pre-fill (fields) curves by group: (low, high, midpoint day, width in days). Wide and late
# enough that every group still moves in 2026: pilots from a low base to about 0.8 by late 2026, the others later.
_REUSE_CURVE = {
    _GROUP_CENTRAL: (0.20, 0.86, 400, 150),
    _GROUP_PILOT: (0.08, 0.90, 430, 150),
    _GROUP_NORMAL: (0.06, 0.74, 560, 150),
    _GROUP_LAGGING: (0.02, 0.40, 720, 150),
}
_PREFILL_CURVE = {
    _GROUP_CENTRAL: (0.18, 0.88, 420, 150),
    _GROUP_PILOT: (0.08, 0.92, 450, 150),
    _GROUP_NORMAL: (0.05, 0.70, 580, 150),
    _GROUP_LAGGING: (0.02, 0.30, 740, 150),
}
_PROC_REUSE_SHIFT = {"KN": 0.0, "CSHD": 0.05, "CT": 0.03, "TDV": 0.04, "KT": -0.02, "KL": -0.08, "DP": 0.06}


@dataclass
class _Dataset:
    dataset_id: str
    name_vi: str
    name_en: str
    owner: str | None
    steward: str | None
    layer: str
    sharing: str
    key: bool
    stage: str
    api: bool
    meta: bool
    interval: int
    kind: str
    records: int  # records the quality rules check (for the population database: the party members linked to it)
    since: int  # day exchanges may start (and checks start)
    popularity: float = 0.0  # exchange volume factor; 0 = not exchanged
    rpc: float = 1.0  # records per API call
    province: str | None = None
    group: int = _GROUP_CENTRAL


def _central_datasets() -> list[_Dataset]:
    """The central datasets and the national population database."""
    rows = _reference_rows(
        "central_datasets.csv", is_key_database=_flag, api_enabled=_flag, metadata_complete=_flag,
        update_interval_hours=int, records=int, popularity=float, records_per_call=int,
    )  # fmt: skip
    if POPULATION_DATASET not in [r[0] for r in rows]:
        raise ValueError(f"demo dataset {POPULATION_DATASET} is not in reference/central_datasets.csv")
    return [_Dataset(*r[:14], since=_day(_d(r[14])), popularity=r[15], rpc=r[16]) for r in rows]


# --------------------------------------------------------------------------- the model


@dataclass
class _Model:
    """Everything the dimension tables hold, plus the hidden parameters the facts are drawn from."""

    seed: int
    scale: float
    until: dt.date
    provinces: list[dict[str, str]]
    province_group: dict[str, int]
    province_ready: dict[str, int]  # day the province starts connecting
    province_size: dict[str, float]  # relative size (party members)
    agencies: list[tuple] = field(default_factory=list)  # contract rows, sorted by agency_id
    agency_index: dict[str, int] = field(default_factory=dict)
    agency_level: list[str] = field(default_factory=list)
    agency_province: list[str | None] = field(default_factory=list)
    agency_group: list[int] = field(default_factory=list)
    agency_type: list[str] = field(default_factory=list)  # central, TU, VP, BTC, UBKT, BTGDV, commune
    committees: dict[str, tuple[str, str]] = field(default_factory=dict)  # province -> (name_vi, name_en)
    datasets: list[_Dataset] = field(default_factory=list)  # sorted by dataset_id
    dataset_index: dict[str, int] = field(default_factory=dict)


def _group_of(province: str | None) -> int:
    if province is None:
        return _GROUP_CENTRAL
    if province in LAGGING_PROVINCES:
        return _GROUP_LAGGING
    if province in PILOT_PROVINCES:
        return _GROUP_PILOT
    return _GROUP_NORMAL


def _committee_names(p: dict[str, str]) -> tuple[str, str]:
    vi, en = p["name_vi"], p["name_en"]
    if p["kind"] == "city":
        if en.endswith(" City"):  # "Ho Chi Minh City": "Thành ủy Thành phố Hồ Chí Minh"
            return f"Thành ủy Thành phố {vi}", f"{en} Party Committee"
        return f"Thành ủy {vi}", f"{en} City Party Committee"
    return f"Tỉnh ủy {vi}", f"{en} Provincial Party Committee"


def _build_model(seed: int, scale: float, until: dt.date) -> _Model:
    provinces = _read_reference("provinces.csv")
    codes = [p["province_code"] for p in provinces]
    for code in PILOT_PROVINCES + LAGGING_PROVINCES:
        if code not in codes:
            raise ValueError(f"demo province {code} is not in reference/provinces.csv")
    rng = _rng(seed, "provinces")
    group = {c: _group_of(c) for c in codes}
    ready, size = {}, {}
    for c in codes:  # file order, one draw each: stable
        g = group[c]
        # Pilots connect first; the others join through 2025-2026 (the nationwide roll-out), laggards last.
        lo, hi = {_GROUP_PILOT: (0, 60), _GROUP_NORMAL: (90, 540), _GROUP_LAGGING: (420, 640)}[g]
        ready[c] = int(rng.integers(lo, hi + 1))
        s = float(rng.lognormal(0.0, 0.35))
        if c in ("HNI", "HCM"):
            s *= 2.6
        if g == _GROUP_LAGGING:
            s *= 0.55
        size[c] = s
    m = _Model(seed, scale, until, provinces, group, ready, size)
    _build_agencies(m)
    _build_datasets(m)
    return m


def _build_agencies(m: _Model) -> None:
    rows: list[tuple] = []
    types: dict[str, str] = {}
    for a in _read_reference("central_agencies.csv"):
        rows.append((a["agency_id"], a["name_vi"], a["name_en"], "central", None, None, False))
        types[a["agency_id"]] = "central"
    if POPULATION_DB_OWNER not in types:
        rows.append((POPULATION_DB_OWNER, "Bộ Công an", "Ministry of Public Security", "external", None, None, False))
        types[POPULATION_DB_OWNER] = "external"
    n_communes = max(1, round(COMMUNES_PER_PROVINCE * m.scale))
    for p in m.provinces:
        code = p["province_code"]
        pilot = code in PILOT_PROVINCES
        c_vi, c_en = _committee_names(p)
        m.committees[code] = (c_vi, c_en)
        tu = f"TU-{code}"
        rows.append((tu, c_vi, c_en, "provincial", None, code, pilot))
        types[tu] = "TU"
        for prefix, pre_vi, pre_en in _COMMISSIONS:
            aid = f"{prefix}-{code}"
            rows.append((aid, f"{pre_vi} {c_vi}", f"{pre_en} {c_en}", "provincial", tu, code, pilot))
            types[aid] = prefix
        # Communes: names drawn without replacement from the syllable pairs (a suffix once they run out).
        rng = _rng(m.seed, "communes", code)
        order = rng.permutation(len(_COMMUNE_NAMES))
        ward_share = 0.55 if p["kind"] == "city" else 0.2
        is_ward = rng.random(n_communes) < ward_share
        width = max(4, len(str(n_communes)))
        for i in range(n_communes):
            vi, en = _COMMUNE_NAMES[int(order[i % len(order)])]
            if i >= len(order):
                vi, en = f"{vi} {i // len(order) + 1}", f"{en} {i // len(order) + 1}"
            kind_vi, kind_en = ("phường", "Ward") if is_ward[i] else ("xã", "Commune")
            aid = f"{code}-X{i + 1:0{width}d}"
            rows.append((aid, f"Đảng ủy {kind_vi} {vi}", f"{en} {kind_en} Party Committee", "commune", tu, code, pilot))
            types[aid] = "commune"
    rows.sort(key=lambda r: r[0])
    m.agencies = rows
    m.agency_index = {r[0]: i for i, r in enumerate(rows)}
    m.agency_level = [r[3] for r in rows]
    m.agency_province = [r[5] for r in rows]
    m.agency_group = [_group_of(r[5]) for r in rows]
    m.agency_type = [types[r[0]] for r in rows]


def _build_datasets(m: _Model) -> None:
    ds = _central_datasets()
    rng = _rng(m.seed, "datasets")
    total_size = sum(m.province_size.values())
    for p in m.provinces:
        code, g = p["province_code"], m.province_group[p["province_code"]]
        c_vi, c_en = m.committees[code]
        members = int(5_600_000 * m.province_size[code] / total_size)
        btc_vi = f"Ban Tổ chức {c_vi}"
        steward = None if code == "DBN" else f"Phòng Tổ chức đảng, đảng viên - {btc_vi}"
        since = m.province_ready[code] + int(rng.integers(0, 30))
        ds.append(
            _Dataset(
                f"{code}-HSDV", f"Hồ sơ đảng viên {c_vi}", f"Party member records, {c_en}", f"BTC-{code}", steward,
                "master", "shared", False, "operating", code not in ("LCU", "DBN"), g != _GROUP_LAGGING,
                24 if g == _GROUP_PILOT else 168, "person", members, since, 1.2, 3, code, g,
            )
        )  # fmt: skip
        if g == _GROUP_PILOT:
            stage = "building" if code == "LDG" else "operating"
            ds.append(
                _Dataset(
                    f"{code}-VBNQ", f"Văn bản - nghị quyết của {c_vi}", f"Documents and resolutions, {c_en}",
                    f"VP-{code}", f"Phòng Hành chính - Lưu trữ - Văn phòng {c_vi}", "transaction", "shared", False,
                    stage, True, code != "NAN", 24, "document", int(members * 0.4), since + 60, 0.8, 4, code, g,
                )
            )  # fmt: skip
    for d in ds:
        if d.province is None:
            d.group = _GROUP_CENTRAL
    ds.sort(key=lambda d: d.dataset_id)
    m.datasets = ds
    m.dataset_index = {d.dataset_id: i for i, d in enumerate(ds)}


# --------------------------------------------------------------------------- dimension tables


def _dim_provinces(m: _Model) -> pl.DataFrame:
    return _frame("provinces", [(p["province_code"], p["name_vi"], p["name_en"], p["region"]) for p in m.provinces])


def _dim_agencies(m: _Model) -> pl.DataFrame:
    return _frame("agencies", m.agencies)


def _operating_since(d: _Dataset) -> dt.date | None:
    """The day an operating dataset entered operation (`since`, when exchanges and checks may start); null when it
    was operating before the facts start, or is not operating."""
    return _date(d.since) if d.stage == "operating" and d.since > 0 else None


def _dim_datasets(m: _Model) -> pl.DataFrame:
    rows = [
        (d.dataset_id, d.name_vi, d.name_en, d.owner, d.steward, d.layer, d.sharing, d.key, d.stage,
         _operating_since(d), d.api, d.meta, d.interval)
        for d in m.datasets
    ]  # fmt: skip
    return _frame("datasets", rows)


def _dim_terms() -> pl.DataFrame:
    return _frame("dictionary_terms", list(_TERMS))


def _dim_elements(m: _Model) -> pl.DataFrame:
    unmapped_p = {_GROUP_CENTRAL: 0.03, _GROUP_PILOT: 0.02, _GROUP_NORMAL: 0.08, _GROUP_LAGGING: 0.45}
    rows = []
    for d in m.datasets:
        rng = _rng(m.seed, "elements", d.dataset_id)
        template = _ELEMENT_TEMPLATES[d.kind]
        if d.province is not None and d.kind == "person":
            # provincial records keep the identifying core and a random part of the rest
            keep = [f for f in template if f[2] or rng.random() < 0.6]
            template = tuple(keep)
        drop = rng.random(len(template)) < unmapped_p[d.group]
        for k, (name, term, mandatory, ident) in enumerate(template):
            mapped = None if (term is None or (drop[k] and not ident)) else term
            rows.append((f"{d.dataset_id}.{k + 1:02d}", d.dataset_id, name, mapped, mandatory, ident))
    return _frame("data_elements", rows)


def _dim_targets() -> pl.DataFrame:
    """The targets (reference/kpi_targets.csv): national ones per phase, and a few of one province."""
    return _frame(
        "kpi_targets", list(_reference_rows("kpi_targets.csv", target_date=dt.date.fromisoformat, target_value=float))
    )


def _dim_rules() -> pl.DataFrame:
    return _frame("quality_rules", [r[:6] for r in _RULES])


# Roadmap (reference/roadmap_items.csv): (item_id, parent, pillar, phase, title_vi, title_en, owner, is_milestone,
# weight, start, due, plan). plan: slip in days of the actual finish against the due date (None: a draw of -14..14),
# or "cancel:<date>", "block:<date>" (blocked from that day on), "block:<from>:<to>" (blocked then resumed).
_ROADMAP = _reference_rows(
    "roadmap_items.csv", is_milestone=_flag, weight=float, plan=lambda p: int(p) if p.lstrip("-").isdigit() else p
)


def _roadmap_dates() -> dict[str, tuple[dt.date, dt.date]]:
    """(planned_start, planned_due) of every item; a parent spans its children."""
    dates: dict[str, tuple[dt.date, dt.date]] = {}
    for r in _ROADMAP:
        if r[9] is not None:
            dates[r[0]] = (_d(r[9]), _d(r[10]))
    for r in _ROADMAP:
        if r[9] is None:
            kids = [dates[c[0]] for c in _ROADMAP if c[1] == r[0]]
            dates[r[0]] = (min(k[0] for k in kids), max(k[1] for k in kids))
    return dates


def _dim_roadmap() -> pl.DataFrame:
    dates = _roadmap_dates()
    rows = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], *dates[r[0]]) for r in _ROADMAP]
    return _frame("roadmap_items", rows)


# --------------------------------------------------------------------------- weekly facts


def _fact_quality_checks(m: _Model) -> pl.DataFrame:
    until_day = _day(m.until)
    rows = []
    for d in m.datasets:
        if d.stage not in ("operating", "building"):
            continue
        rng = _rng(m.seed, "quality", d.dataset_id)
        if d.stage == "building":
            q_end = rng.uniform(0.72, 0.86)
        elif d.group == _GROUP_LAGGING:
            q_end = rng.uniform(0.64, 0.80)
        elif d.dataset_id in ("TW-KHAOSAT", "TW-TCCS", "TW-DAOTAO"):
            q_end = rng.uniform(0.78, 0.88)
        elif d.group == _GROUP_CENTRAL:
            q_end = rng.uniform(0.935, 0.985)
        elif d.group == _GROUP_PILOT:
            q_end = rng.uniform(0.925, 0.98)
        else:
            q_end = rng.uniform(0.80, 0.895) if rng.random() < 0.3 else rng.uniform(0.905, 0.97)
        gap = rng.uniform(0.05, 0.15)  # improvement over the first two years of checks
        mondays = _mondays(_date(max(d.since, 0)), m.until)
        if not mondays:
            continue
        t = np.array([_day(w) for w in mondays])
        t0 = t[0]
        x = np.clip((t - t0) / 730.0, 0.0, 1.0) ** 0.6
        growth = 1.0 + 0.00015 * t
        for rule in _RULES:
            rule_id, criterion, kinds = rule[0], rule[1], rule[6]
            if kinds != "*" and d.kind not in kinds:
                continue
            shift = {"correct": 0.0, "sufficient": 0.004, "clean": 0.0, "live": -0.01}[criterion]
            end = q_end + shift + rng.normal(0.0, 0.012)
            q = end - gap + gap * x + rng.normal(0.0, 0.004, len(t))
            if d.dataset_id == QUALITY_DIP_DATASET and criterion in ("correct", "live"):
                dip = t > until_day - QUALITY_DIP_DAYS
                q = np.where(dip, q * (0.66 if criterion == "correct" else 0.5) + rng.normal(0, 0.01, len(t)), q)
            q = np.clip(q, 0.2, 0.9995)
            checked = np.maximum(np.rint(max(d.records, 500) * growth), 1).astype(np.int64)
            passed = np.minimum(np.rint(checked * q).astype(np.int64), checked)
            for w, c, p in zip(mondays, checked, passed):
                rows.append((w, d.dataset_id, rule_id, int(c), int(p)))
    return _frame("quality_checks", rows)


# Progress notes by band of completion: (below this percent, note).
_NOTES_IN_PROGRESS = (
    (25.0, "Đang khảo sát, xây dựng kế hoạch chi tiết"),
    (60.0, "Đang triển khai theo kế hoạch"),
    (90.0, "Đang hoàn thiện, phối hợp với các đơn vị liên quan"),
    (101.0, "Đang nghiệm thu, chờ phê duyệt"),
)


def _note(pct: float, rng: np.random.Generator) -> str | None:
    """A progress note for about half of the weekly reports."""
    if rng.random() < 0.5:
        return None
    return next(text for limit, text in _NOTES_IN_PROGRESS if pct < limit)


def _committees_connected_on(m: _Model, n: int) -> dt.date | None:
    """The day the n-th provincial committee (TU-*) starts exchanging through the sharing platform (any dataset but
    the legacy document links), plus two weeks for its first successful calls to come in: what the roadmap item of
    plan "data" reports as done. None when fewer than n ever connect."""
    conns = _build_connections(m)
    legacy = {m.dataset_index[d] for d in _LEGACY_LINKS}  # the document exchange that predates the platform
    first: dict[int, int] = {}
    for a, j, onset in zip(conns.cons.tolist(), conns.ds.tolist(), conns.onset.tolist()):
        if m.agency_type[a] == "TU" and j not in legacy and onset < _NEVER:
            first[a] = min(first.get(a, onset), onset)
    days = sorted(first.values())
    return _date(days[n - 1] + 14) if len(days) >= n else None


def _fact_roadmap_updates(m: _Model) -> pl.DataFrame:
    dates = _roadmap_dates()
    rows = []
    leaf_states: dict[str, dict[dt.date, tuple[float, str, dt.date | None]]] = {}
    for r in _ROADMAP:
        item_id, plan = r[0], r[11]
        if r[9] is None:
            continue
        start, due = dates[item_id]
        rng = _rng(m.seed, "roadmap", item_id)
        delay = int(rng.integers(0, 11))
        a_start = start + dt.timedelta(days=delay)
        cancel = block_from = block_to = None
        slip = 0
        if isinstance(plan, int):
            slip = plan
        elif plan is None:
            slip = int(rng.integers(-14, 15))
        elif plan.startswith("cancel:"):
            cancel = _d(plan.split(":")[1])
        elif plan.startswith("block:"):
            parts = plan.split(":")
            block_from = _d(parts[1])
            block_to = _d(parts[2]) if len(parts) > 2 else dt.date.max
            slip = (block_to - block_from).days if len(parts) > 2 else 0
        finish = None if (block_to == dt.date.max or cancel) else due + dt.timedelta(days=slip)
        if plan == "data":  # the finish the exchanges show (None: not reached, the item stays in progress)
            finish = _committees_connected_on(m, FIRST_COMMITTEES)
        if finish is not None and finish <= a_start and plan != "data":
            finish = a_start + dt.timedelta(days=1)
        expo = float(rng.uniform(0.8, 1.25))
        paused = (block_to - block_from).days if block_from is not None and block_to != dt.date.max else 0
        span = max(((finish or due) - a_start).days - paused, 1)

        def curve(day: dt.date, a_start=a_start, span=span, expo=expo, block_from=block_from, paused=paused) -> float:
            worked = (day - a_start).days
            if paused:  # no progress while blocked: the finish moved by the same number of days
                worked -= min(max((day - block_from).days, 0), paused)
            x = min(max(worked / span, 0.0), 1.0)
            return round(min(95.0, 100.0 * x**expo), 1)

        states: dict[dt.date, tuple[float, str, dt.date | None]] = {}
        frozen = None
        for w in _mondays(start, m.until):
            end_of_week = min(w + dt.timedelta(days=6), m.until)
            if finish is not None and finish <= end_of_week:
                states[w] = (100.0, "done", finish)
                rows.append((w, item_id, 100.0, "done", finish, "Đã hoàn thành"))
                break
            if cancel is not None and cancel <= end_of_week:
                pct = curve(cancel)
                states[w] = (pct, "cancelled", None)
                rows.append((w, item_id, pct, "cancelled", None, "Dừng thực hiện, chuyển sang dùng ứng dụng chung"))
                break
            if block_from is not None and block_from <= end_of_week and (block_to is None or w <= block_to):
                frozen = curve(block_from) if frozen is None else frozen
                states[w] = (frozen, "blocked", None)
                rows.append((w, item_id, frozen, "blocked", None, "Vướng mắc, chờ ý kiến chỉ đạo"))
                continue
            pct = curve(end_of_week)
            if frozen is not None:
                pct = max(pct, frozen)
            status = "not_started" if pct <= 0 else "in_progress"
            note = None if status == "not_started" else _note(pct, rng)
            states[w] = (pct, status, None)
            rows.append((w, item_id, pct, status, None, note))
        leaf_states[item_id] = states
    # Parents: the weighted progress of their children (cancelled children left out).
    weights = {r[0]: r[8] for r in _ROADMAP}
    for r in _ROADMAP:
        if r[9] is not None:
            continue
        kids = [c[0] for c in _ROADMAP if c[1] == r[0]]
        start, _ = dates[r[0]]
        last: dict[str, tuple[float, str, dt.date | None]] = {}
        for w in _mondays(start, m.until):
            for k in kids:
                if w in leaf_states[k]:
                    last[k] = leaf_states[k][w]
            live = [k for k in kids if last.get(k, (0, "", None))[1] != "cancelled"]
            total = sum(weights[k] for k in live)
            pct = round(sum(weights[k] * last.get(k, (0.0, "", None))[0] for k in live) / total, 1)
            if live and all(last.get(k, (0, "", None))[1] == "done" for k in live):
                done_on = max(last[k][2] for k in live)
                rows.append((w, r[0], 100.0, "done", done_on, "Đã hoàn thành toàn bộ nhiệm vụ"))
                break
            if any(last.get(k, (0, "", None))[1] == "blocked" for k in live):
                status = "blocked"
            else:
                status = "in_progress" if pct > 0 else "not_started"
            rows.append((w, r[0], min(pct, 99.9), status, None, None))
    return _frame("roadmap_updates", rows)


# --------------------------------------------------------------------------- daily facts: shared machinery


def _day_factors(n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-day volume factors for interactive (API) and batch (file, manual) traffic."""
    days = np.arange(n_days)
    weekday = (days + START_DATE.weekday()) % 7  # 0 = Monday
    interactive = np.array([1.1, 1.0, 1.0, 1.0, 0.95, 0.3, 0.12])[weekday]
    batch = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.05, 0.02])[weekday]
    for first, last in _HOLIDAYS:
        a, b = _day(_d(first)), _day(_d(last))
        if a < n_days:
            interactive[a : b + 1] = 0.12
            batch[a : b + 1] = 0.02
    return interactive, batch


def _month_chunks(until: dt.date) -> list[tuple[int, int]]:
    """[first day, last day + 1) of each calendar month from START_DATE to `until` (days since START_DATE)."""
    out = []
    d = START_DATE
    while d <= until:
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        out.append((_day(d), _day(min(nxt - dt.timedelta(days=1), until)) + 1))
        d = nxt
    return out


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32) + _EPOCH_DAY0, dtype=pl.Int32).cast(pl.Date)


# --------------------------------------------------------------------------- exchanges


@dataclass
class _Connections:
    prov: np.ndarray
    cons: np.ndarray
    ds: np.ndarray
    ch: np.ndarray
    onset: np.ndarray
    lam: np.ndarray
    pfail: np.ndarray
    rpc: np.ndarray
    lat: np.ndarray
    prov_row: np.ndarray  # provider's row in the incident matrix


_CENTRAL_EXCHANGED = (
    "TW-DANGVIEN", "TW-TOCHUCDANG", "TW-CANBO", "TW-VANKIEN", "TW-VANBAN", "TW-KTGS", "TW-DANGPHI",
    "TW-TUYENGIAO", "TW-DANHMUC", "TW-DAOTAO", "TW-TCCS", POPULATION_DATASET,
)  # fmt: skip
_CONSUMES = {
    "TU": ("TW-DANGVIEN", "TW-TOCHUCDANG", "TW-CANBO", "TW-VANKIEN", "TW-VANBAN", "TW-DANHMUC", "TW-TUYENGIAO",
           POPULATION_DATASET, "{P}-HSDV", "{P}-VBNQ"),
    "BTC": ("TW-DANGVIEN", "TW-TOCHUCDANG", "TW-CANBO", "TW-DANHMUC", "TW-DAOTAO", POPULATION_DATASET, "{P}-VBNQ"),
    "UBKT": ("TW-KTGS", "TW-DANGVIEN", "TW-VANKIEN", POPULATION_DATASET, "{P}-HSDV"),
    "VP": ("TW-VANBAN", "TW-VANKIEN", "TW-DANGPHI", "TW-DANHMUC", "{P}-HSDV"),
    "BTGDV": ("TW-TUYENGIAO", "TW-VANKIEN", "TW-TCCS", "{P}-VBNQ"),
    "commune": ("TW-DANGVIEN", "TW-TOCHUCDANG", "TW-CANBO", "TW-VANKIEN", "TW-VANBAN", "TW-KTGS", "TW-DANHMUC",
                "TW-DANGPHI", "TW-TUYENGIAO", "TW-DAOTAO", "TW-TCCS", POPULATION_DATASET, "{P}-HSDV", "{P}-VBNQ"),
}  # fmt: skip
_LEGACY_LINKS = ("TW-VANBAN", "TW-VANKIEN")
_BASE_CALLS = {"central": 260.0, "TU": 90.0, "BTC": 60.0, "UBKT": 35.0, "VP": 45.0, "BTGDV": 30.0, "commune": 30.0}
_BASE_PFAIL = {_GROUP_CENTRAL: 0.004, _GROUP_PILOT: 0.005, _GROUP_NORMAL: 0.014, _GROUP_LAGGING: 0.07}
_BASE_LATENCY = {_GROUP_CENTRAL: 170.0, _GROUP_PILOT: 210.0, _GROUP_NORMAL: 320.0, _GROUP_LAGGING: 850.0}


def _exchangeable(d: _Dataset) -> bool:
    return d.stage == "operating" and d.sharing in ("shared", "open") and d.owner is not None and d.popularity > 0


def _candidates(m: _Model, a: int) -> list[str]:
    """The datasets agency `a` may consume, in a fixed order, without duplicates."""
    atype, prov = m.agency_type[a], m.agency_province[a]
    aid = m.agencies[a][0]
    out: list[str] = []
    if atype == "external":
        return []  # an external body provides its database; it consumes no Party data
    if atype == "central":
        out = list(_CENTRAL_EXCHANGED)
        if aid == "BTCTW":  # the centre consolidates every province's records
            out += [d.dataset_id for d in m.datasets if d.dataset_id.endswith("-HSDV")]
        if aid == "VPTW":
            out += [d.dataset_id for d in m.datasets if d.dataset_id.endswith("-VBNQ")]
    else:
        out = [c.replace("{P}", prov or "") for c in _CONSUMES[atype]]
    seen: set[str] = set()
    result = []
    for ds_id in out:
        if ds_id in seen or ds_id not in m.dataset_index:
            continue
        seen.add(ds_id)
        d = m.datasets[m.dataset_index[ds_id]]
        if _exchangeable(d) and d.owner != aid:
            result.append(ds_id)
    return result


def _build_connections(m: _Model) -> _Connections:
    cols: dict[str, list] = {k: [] for k in ("prov", "cons", "ds", "ch", "onset", "lam", "pfail", "rpc", "lat")}
    incl_p = {_GROUP_CENTRAL: 0.55, _GROUP_PILOT: 0.97, _GROUP_NORMAL: 0.92, _GROUP_LAGGING: 0.5}
    provinces_sorted = sorted(m.province_group)
    btc_other = {}  # BTC-X also reads a few other provinces' records (membership transfers)
    for code in provinces_sorted:
        rng = _rng(m.seed, "transfers", code)
        others = [c for c in provinces_sorted if c != code]
        btc_other[code] = [f"{others[j]}-HSDV" for j in sorted(rng.choice(len(others), 3, replace=False))]
    for a, row in enumerate(m.agencies):
        aid, prov = row[0], m.agency_province[a]
        g, atype = m.agency_group[a], m.agency_type[a]
        cands = _candidates(m, a)
        if atype == "BTC" and prov is not None:
            cands += [c for c in btc_other[prov] if c in m.dataset_index and c not in cands]
        if not cands:
            continue
        rng = _rng(m.seed, "connections", aid)
        n = len(cands)
        if g == _GROUP_CENTRAL:  # half of the central links predate the strategy
            ready = 0 if rng.random() < 0.5 else rng.integers(0, 151)
        elif atype == "commune":
            ready = m.province_ready[prov] + rng.integers(0, 151)
        else:
            ready = m.province_ready[prov] + rng.integers(0, 61)
        if g == _GROUP_LAGGING and rng.random() < (0.4 if atype == "commune" else 0.25):
            ready = _NEVER
        size = m.province_size[prov] ** 0.3 if prov else 1.0
        include = rng.random(n) < incl_p[g]
        offsets = rng.integers(0, 61 if g == _GROUP_CENTRAL else 91, n)
        vol = rng.lognormal(0.0, 0.4, n)
        api_u, file_u, manual_u = rng.random(n), rng.random(n), rng.random(n)
        pf = rng.lognormal(0.0, 0.3, n)
        rp = rng.lognormal(0.0, 0.3, n)
        lt = rng.lognormal(0.0, 0.2, n)
        for k, ds_id in enumerate(cands):
            if not include[k]:
                continue
            j = m.dataset_index[ds_id]
            d = m.datasets[j]
            p = m.agency_index[d.owner]
            onset = max(int(ready) + int(offsets[k]), d.since) if ready < _NEVER else _NEVER
            if atype in ("TU", "VP") and ds_id in _LEGACY_LINKS:
                onset = 0  # the Party's document exchange predates the strategy
            channels = []
            if d.api and api_u[k] < (0.5 if g == _GROUP_LAGGING else 0.97):
                channels.append(0)
                if file_u[k] < 0.12:
                    channels.append(1)
            else:
                channels.append(1 if file_u[k] < 0.7 else 2)
            if manual_u[k] < (0.3 if g == _GROUP_LAGGING else 0.04) and 2 not in channels:
                channels.append(2)
            lam_api = _BASE_CALLS[atype] * d.popularity * vol[k] * size * (0.5 if g == _GROUP_LAGGING else 1.0)
            worst = max(g, m.agency_group[p])
            for ch in channels:
                cols["prov"].append(p)
                cols["cons"].append(a)
                cols["ds"].append(j)
                cols["ch"].append(ch)
                cols["onset"].append(onset)
                cols["lam"].append(lam_api if ch == 0 else (0.4 if ch == 1 else 0.15))
                cols["pfail"].append(_BASE_PFAIL[worst] * pf[k] * (1.0, 1.6, 3.0)[ch])
                cols["rpc"].append(d.rpc * rp[k] if ch == 0 else (1500.0 * rp[k] if ch == 1 else 25.0 * rp[k]))
                cols["lat"].append(_BASE_LATENCY[m.agency_group[p]] * lt[k])
    arr = {k: np.asarray(v) for k, v in cols.items()}
    # Sort by the natural key's string order: agency and dataset indexes follow their ids' order,
    # and CHANNELS is in alphabetical order.
    assert list(CHANNELS) == sorted(CHANNELS)
    order = np.lexsort((arr["ch"], arr["ds"], arr["cons"], arr["prov"]))
    arr = {k: v[order] for k, v in arr.items()}
    providers = np.unique(arr["prov"])
    prov_row = np.searchsorted(providers, arr["prov"])
    return _Connections(
        prov=arr["prov"].astype(np.int32), cons=arr["cons"].astype(np.int32), ds=arr["ds"].astype(np.int32),
        ch=arr["ch"].astype(np.int8), onset=arr["onset"].astype(np.int64), lam=arr["lam"].astype(np.float64),
        pfail=arr["pfail"].astype(np.float64), rpc=arr["rpc"].astype(np.float64), lat=arr["lat"].astype(np.float64),
        prov_row=prov_row.astype(np.int64),
    )  # fmt: skip


def _incidents(m: _Model, conns: _Connections, n_days: int) -> np.ndarray:
    """Outage days per provider (rows in provider order): success drops and latency jumps on those days."""
    providers = np.unique(conns.prov)
    out = np.zeros((len(providers), max(n_days, 1)), dtype=bool)
    for r, p in enumerate(providers):
        rng = _rng(m.seed, "incidents", m.agencies[int(p)][0])
        rate = 6.0 if m.agency_group[int(p)] == _GROUP_LAGGING else 2.5  # outages per year
        k = rng.poisson(rate * 6)  # over six years; only those inside the period matter
        days = rng.integers(0, 6 * 365, k)
        days = days[days < n_days]
        out[r, days] = True
    return out


class _Names:
    """Id strings as Polars series, gathered by index (fast, no Python loop per row)."""

    def __init__(self, m: _Model) -> None:
        self.agency = pl.Series([r[0] for r in m.agencies], dtype=pl.String)
        self.dataset = pl.Series([d.dataset_id for d in m.datasets], dtype=pl.String)
        self.channel = pl.Series(list(CHANNELS), dtype=pl.String)


def _exchanges_chunk(m: _Model, c: _Connections, names: _Names, factors, incidents, d0: int, d1: int, chunk: int):
    rng = _rng(m.seed, "exchanges", chunk)
    interactive, batch = factors
    t = np.arange(d0, d1)
    di, ci = np.nonzero(t[:, None] >= c.onset[None, :])
    tt = t[di]
    api = c.ch[ci] == 0
    dayf = np.where(api, interactive[tt], batch[tt])
    age = (tt - c.onset[ci] + 1).astype(np.float64)
    ramp = np.where(api, 1.0 - np.exp(-age / 30.0), 1.0)
    trend = 1.0 + 0.3 * tt / 365.0
    lam = c.lam[ci] * dayf * ramp * np.where(api, trend, 1.0) * rng.lognormal(0.0, 0.25, len(ci))
    calls = rng.poisson(lam)
    keep = calls > 0
    tt, ci, calls, api = tt[keep], ci[keep], calls[keep], api[keep]
    n = len(ci)
    incident = incidents[c.prov_row[ci], tt]
    improve = 1.3 - 0.6 * np.minimum(tt / 900.0, 1.0)
    pfail = c.pfail[ci] * improve * np.where(incident, 25.0, 1.0)
    calls_ok = rng.binomial(calls, 1.0 - np.clip(pfail, 0.0, 0.7))
    records = np.rint(calls_ok * c.rpc[ci] * rng.lognormal(0.0, 0.2, n)).astype(np.int64)
    latency = np.round(c.lat[ci] * rng.lognormal(0.0, 0.15, n) * np.where(incident, 3.0, 1.0), 1)
    latency = np.where(api, latency, np.nan)
    df = pl.DataFrame(
        {
            "exchange_date": _dates(tt),
            "provider_agency_id": names.agency.gather(c.prov[ci]),
            "consumer_agency_id": names.agency.gather(c.cons[ci]),
            "dataset_id": names.dataset.gather(c.ds[ci]),
            "channel": names.channel.gather(c.ch[ci].astype(np.int32)),
            "calls": calls.astype(np.int64),
            "calls_ok": calls_ok.astype(np.int64),
            "records": records,
            "p95_latency_ms": pl.Series(latency, dtype=pl.Float64).fill_nan(None),
        }
    )
    return conform("exchanges_daily", df)


# --------------------------------------------------------------------------- dossiers


@dataclass
class _Lines:
    agency: np.ndarray
    proc: np.ndarray  # index into the sorted procedure codes
    lam: np.ndarray
    group: np.ndarray
    reuse_shift: np.ndarray
    prefill_shift: np.ndarray
    mid_shift: np.ndarray


def _build_lines(m: _Model) -> tuple[_Lines, list[str]]:
    codes = sorted(_PROCEDURES)
    cols: dict[str, list] = {k: [] for k in ("agency", "proc", "lam", "group", "rs", "ps", "ms")}
    for a, row in enumerate(m.agencies):
        aid, atype, prov = row[0], m.agency_type[a], m.agency_province[a]
        if atype == "central":
            load = _DOSSIER_LOAD["central"] if aid in _CENTRAL_PARTY_COMMITTEES else None
        else:
            load = _DOSSIER_LOAD.get(atype)
        if not load:
            continue
        rng = _rng(m.seed, "dossier-lines", aid)
        size = m.province_size[prov] ** 0.5 if prov else 1.0
        body = rng.lognormal(0.0, 0.35)
        rs, ps = rng.normal(0.0, 0.04), rng.normal(0.0, 0.04)
        ms = rng.uniform(-45, 45) + ((m.province_ready[prov] - 150) * 0.5 if prov else 0.0)
        for k, code in enumerate(codes):
            if code not in load:
                continue
            cols["agency"].append(a)
            cols["proc"].append(k)
            cols["lam"].append(load[code] * size * body)
            cols["group"].append(m.agency_group[a])
            cols["rs"].append(rs + _PROC_REUSE_SHIFT[code])
            cols["ps"].append(ps + _PROC_REUSE_SHIFT[code] * 0.5)
            cols["ms"].append(ms)
    lines = _Lines(
        agency=np.asarray(cols["agency"], dtype=np.int32), proc=np.asarray(cols["proc"], dtype=np.int32),
        lam=np.asarray(cols["lam"], dtype=np.float64), group=np.asarray(cols["group"], dtype=np.int64),
        reuse_shift=np.asarray(cols["rs"]), prefill_shift=np.asarray(cols["ps"]), mid_shift=np.asarray(cols["ms"]),
    )  # fmt: skip
    return lines, codes


def _curve(table: dict, group: np.ndarray, t: np.ndarray, mid_shift: np.ndarray) -> np.ndarray:
    lo, hi, mid, width = (np.array([table[g][i] for g in range(4)], dtype=np.float64)[group] for i in range(4))
    return lo + (hi - lo) / (1.0 + np.exp(-(t - mid - mid_shift) / width))


def _dossiers_chunk(m: _Model, lines: _Lines, codes: list[str], names: _Names, factors, d0: int, d1: int, chunk):
    rng = _rng(m.seed, "dossiers", chunk)
    _, batch = factors
    t = np.arange(d0, d1)
    n_lines = len(lines.lam)
    di = np.repeat(np.arange(len(t)), n_lines)
    li = np.tile(np.arange(n_lines), len(t))
    tt = t[di]
    dom = np.array([_date(x).day for x in t])[di]  # day of month
    is_dp = lines.proc[li] == codes.index("DP")
    month_f = np.where(is_dp, np.where(dom <= 10, 2.2, 0.45), 1.0)
    lam = lines.lam[li] * batch[tt] * month_f * rng.lognormal(0.0, 0.2, len(li))
    dossiers = rng.poisson(lam)
    keep = dossiers > 0
    tt, li, dossiers = tt[keep], li[keep], dossiers[keep]
    g = lines.group[li]
    reuse = _curve(_REUSE_CURVE, g, tt, lines.mid_shift[li]) + lines.reuse_shift[li]
    prefill = _curve(_PREFILL_CURVE, g, tt, lines.mid_shift[li]) + lines.prefill_shift[li]
    reusing = rng.binomial(dossiers, np.clip(reuse, 0.0, 0.98))
    fpd = np.array([_PROCEDURES[c][2] for c in codes], dtype=np.int64)[lines.proc[li]]
    fields_total = dossiers * fpd
    prefilled = rng.binomial(fields_total, np.clip(prefill, 0.0, 0.98))
    proc_code = pl.Series(codes, dtype=pl.String)
    proc_vi = pl.Series([_PROCEDURES[c][0] for c in codes], dtype=pl.String)
    proc_en = pl.Series([_PROCEDURES[c][1] for c in codes], dtype=pl.String)
    pi = lines.proc[li]
    df = pl.DataFrame(
        {
            "dossier_date": _dates(tt),
            "agency_id": names.agency.gather(lines.agency[li]),
            "procedure_code": proc_code.gather(pi),
            "procedure_name_vi": proc_vi.gather(pi),
            "procedure_name_en": proc_en.gather(pi),
            "dossiers": dossiers.astype(np.int64),
            "dossiers_reusing": reusing.astype(np.int64),
            "fields_total": fields_total.astype(np.int64),
            "fields_prefilled": prefilled.astype(np.int64),
        }
    )
    return conform("dossiers_daily", df)


# --------------------------------------------------------------------------- writing


def _remove_existing(base: Path) -> None:
    """Remove every curated file or folder of the contract's tables, in either form."""
    cur = config.curated_dir(base)
    if not cur.is_dir():
        return
    for table in (*TABLES, *ROLLUPS):
        single, folder = cur / f"{table}.parquet", cur / table
        if single.is_file() or single.is_symlink():
            single.unlink()
        if folder.is_symlink():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)


def _write_chunked(base: Path, table: str, chunks, total: int, split: bool, progress: bool) -> int:
    """Write the frames `chunks` yields as one file (split=False) or a folder of parts; returns the row count."""
    bar = Bar(table, total, progress)
    rows = 0
    if not split:
        frames = []
        for i, df in enumerate(chunks):
            frames.append(df)
            rows += df.height
            bar.update(i + 1)
        full = pl.concat(frames) if frames else pl.DataFrame(schema=polars_schema(table))
        write_table(base, table, full)
        bar.close()
        return rows
    cur = config.curated_dir(base)
    cur.mkdir(parents=True, exist_ok=True)
    tmp = cur / f".{table}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    part = 0
    for i, df in enumerate(chunks):
        if df.height:
            df.write_parquet(tmp / f"part-{part:05d}.parquet", compression="zstd", statistics=True)
            part += 1
            rows += df.height
        bar.update(i + 1)
        del df
    if part == 0:  # keep the table present even when empty
        pl.DataFrame(schema=polars_schema(table)).write_parquet(tmp / "part-00000.parquet", compression="zstd")
    os.replace(tmp, cur / table)
    bar.close()
    return rows


def dimensions(*, seed: int = 42, scale: float = 1.0, until: dt.date | None = None) -> dict[str, pl.DataFrame]:
    """The demo's dimension tables (no facts) as `generate` writes them: cheap at any scale, e.g. to see how many
    bodies `--scale 33` makes (99 communes per province)."""
    m = _build_model(seed, scale, until or config.today())
    return {
        "provinces": _dim_provinces(m),
        "agencies": _dim_agencies(m),
        "datasets": _dim_datasets(m),
        "dictionary_terms": _dim_terms(),
        "data_elements": _dim_elements(m),
        "quality_rules": _dim_rules(),
        "roadmap_items": _dim_roadmap(),
    }


def generate(
    base: Path,
    *,
    seed: int = 42,
    scale: float = 1.0,
    until: dt.date | None = None,
    progress: bool = True,
    split_facts: bool | None = None,
) -> dict[str, int]:
    """Write demo data for every contract table under `<base>/curated/`; return the row count per table.

    `until` is the last day of the daily facts (default: today in Asia/Ho_Chi_Minh, see
    `config.today`).  `split_facts` forces (True) or prevents (False) writing the two daily
    facts as folders of monthly parts; by default they are split from `FOLDER_MIN_SCALE` up.
    """
    base = Path(base)
    until = until or config.today()
    if until < START_DATE:
        raise ValueError(f"until must be on or after {START_DATE.isoformat()}, got {until.isoformat()}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    split = scale >= FOLDER_MIN_SCALE if split_facts is None else split_facts

    _remove_existing(base)
    counts: dict[str, int] = {}

    bar = Bar("dimensions", 9, progress)
    m = _build_model(seed, scale, until)
    bar.update(1)
    dims = {
        "provinces": lambda: _dim_provinces(m),
        "agencies": lambda: _dim_agencies(m),
        "datasets": lambda: _dim_datasets(m),
        "dictionary_terms": _dim_terms,
        "data_elements": lambda: _dim_elements(m),
        "quality_rules": _dim_rules,
        "roadmap_items": _dim_roadmap,
        "kpi_targets": _dim_targets,
    }
    for i, (table, build) in enumerate(dims.items()):
        df = build()
        write_table(base, table, df)
        counts[table] = df.height
        bar.update(i + 2)
    bar.close()

    n_days = _day(until) + 1
    factors = _day_factors(n_days)
    months = _month_chunks(until)
    names = _Names(m)

    conns = _build_connections(m)
    incidents = _incidents(m, conns, n_days)
    chunks = (_exchanges_chunk(m, conns, names, factors, incidents, d0, d1, i) for i, (d0, d1) in enumerate(months))
    counts["exchanges_daily"] = _write_chunked(base, "exchanges_daily", chunks, len(months), split, progress)
    del conns, incidents

    lines, codes = _build_lines(m)
    chunks = (_dossiers_chunk(m, lines, codes, names, factors, d0, d1, i) for i, (d0, d1) in enumerate(months))
    counts["dossiers_daily"] = _write_chunked(base, "dossiers_daily", chunks, len(months), split, progress)

    bar = Bar("weekly facts", 2, progress)
    for i, (table, build) in enumerate(
        (("quality_checks", _fact_quality_checks), ("roadmap_updates", _fact_roadmap_updates))
    ):
        df = build(m)
        write_table(base, table, df)
        counts[table] = df.height
        bar.update(i + 1)
    bar.close()

    bar = Bar("rollups", 1, progress)
    build_rollups(base)  # the weekly rollups pages read instead of the daily facts (dashboard/data/rollups.py)
    build_scope_files(base)  # each scope's rows of the large tables (dashboard/data/scope_files.py)
    bar.update(1)
    bar.close()
    # Marks these files as demo data: the only data the app serves without a login (dashboard/access/auth.py).
    from dashboard.data.demo_marker import write_demo_marker

    write_demo_marker(base, seed=seed, scale=scale, until=until)
    return {t: counts[t] for t in LOAD_ORDER}
