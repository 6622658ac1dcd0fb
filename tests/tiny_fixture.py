"""A tiny curated data set whose KPIs can be worked out by hand (see tests/test_kpis.py).

Reference period: 2026-03-02 (Mon) .. 2026-03-08 (Sun); previous period 2026-02-23 .. 2026-03-01.

Bodies:  C1, C2 central;  P1C provincial committee of P1, P1X commune of P1;
         P2C provincial committee of P2, P2X commune of P2 (P2X does nothing at all).
Every row below carries a short comment saying which rule it is there to exercise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from dashboard.data.contract import polars_schema
from dashboard.data.io import write_table


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- provinces: (province_code, region)
PROVINCES = [
    ("P1", "Red River Delta"),  # province with a committee and a commune
    ("P2", "Mekong River Delta"),  # province with a committee and an idle commune
]

# --- agencies: (agency_id, level, parent_agency_id, province_code, is_pilot)
AGENCIES = [
    ("C1", "central", None, None, True),  # central owner/provider of D1, consumer of the failed E5
    ("C2", "central", None, None, False),  # central, only in E5 (calls_ok = 0): never "connected"
    ("P1C", "provincial", None, "P1", True),  # P1 committee: owner of D2 and D7, big consumer
    ("P1X", "commune", "P1C", "P1", False),  # P1 commune: provides D2 to its owner, owns D5
    ("P2C", "provincial", None, "P2", False),  # P2 committee: owner of D4, consumer of D1
    ("P2X", "commune", "P2C", "P2", False),  # P2 commune: no exchange in period, no dossier, no dataset
]

# --- datasets: (dataset_id, owner, steward, data_layer, sharing_class, is_key, stage, api, metadata_complete)
DATASETS = [
    (
        "D1",
        "C1",
        "C1 data unit",
        "master",
        "shared",
        True,
        "operating",
        True,
        True,
    ),  # consumed by P1C and P2C: reused by 2 bodies
    (
        "D2",
        "P1C",
        "P1 data office",
        "master",
        "shared",
        True,
        "operating",
        True,
        True,
    ),  # consumed only by its owner P1C: not "in use"
    (
        "D3",
        None,
        "Orphan unit",
        "open",
        "open",
        False,
        "operating",
        False,
        False,
    ),  # no owner: belongs only to scope all
    (
        "D4",
        "P2C",
        None,
        "transaction",
        "shared",
        False,
        "operating",
        False,
        True,
    ),  # no steward; consumed by P1C (one body)
    (
        "D5",
        "P1X",
        "P1X clerk",
        "transaction",
        "restricted",
        False,
        "operating",
        True,
        True,
    ),  # operating but restricted (not shared)
    ("D6", "C2", "C2 IT", "reference", "shared", True, "building", False, False),  # key database not yet operating
    (
        "D7",
        "P1C",
        None,
        "aggregate",
        "shared",
        True,
        "retired",
        False,
        False,
    ),  # retired: out of governance denominators
]

# --- dictionary_terms: (term_id, data_type)
TERMS = [
    ("T1", "text"),  # a standard term
    ("T2", "date"),  # another standard term
]

# --- data_elements: (element_id, dataset_id, term_id)
ELEMENTS = [
    ("EL1", "D1", "T1"),  # mapped
    ("EL2", "D1", "T2"),  # mapped
    ("EL3", "D1", None),  # not mapped
    ("EL4", "D2", "T1"),  # mapped (P1)
    ("EL5", "D2", None),  # not mapped (P1)
    ("EL6", "D3", "T2"),  # mapped, unowned dataset (all only)
    ("EL7", "D4", None),  # not mapped (P2)
    ("EL8", "D5", "T1"),  # mapped (P1)
    ("EL9", "D6", "T2"),  # mapped (C2)
    ("EL10", "D7", None),  # retired dataset: ignored
    ("EL11", "D7", None),  # retired dataset: ignored
]

# --- quality_rules: (rule_id, criterion, dimension, weight)
RULES = [
    ("R1", "correct", "accuracy", 2.0),  # two "correct" rules with different weights
    ("R2", "correct", "validity", 1.0),
    ("R3", "sufficient", "completeness", 1.0),
    ("R4", "clean", "uniqueness", 1.0),
    ("R5", "live", "timeliness", 1.0),
]

# --- quality_checks: (check_date, dataset_id, rule_id, records_checked, records_passed)
CHECKS = [
    ("2026-03-05", "D1", "R1", 100, 95),  # latest D1/R1 as of 03-08
    ("2026-03-05", "D1", "R2", 100, 80),  # D1 correct = (2*95+80)/(2*100+100) = 0.9 exactly
    ("2026-03-10", "D1", "R1", 100, 10),  # after end: must be ignored
    ("2026-03-05", "D1", "R3", 100, 100),  # D1 sufficient 1.0
    ("2026-03-05", "D1", "R4", 100, 90),  # D1 clean 0.9
    ("2026-03-05", "D1", "R5", 100, 100),  # D1 live 1.0  -> D1 is "ready"
    ("2026-02-10", "D2", "R1", 50, 20),  # older D2/R1 check, superseded by 02-20
    ("2026-02-20", "D2", "R1", 50, 45),  # before start but still the latest D2/R1 check
    ("2026-03-04", "D2", "R3", 200, 150),  # D2 sufficient 0.75; D2 has no clean/live check -> not ready
    ("2026-03-06", "D3", "R4", 100, 50),  # unowned dataset: counts only in scope all
    ("2026-03-03", "D4", "R1", 10, 10),  # D4 all criteria >= 0.9 -> ready
    ("2026-03-03", "D4", "R2", 10, 10),
    ("2026-03-03", "D4", "R3", 10, 10),
    ("2026-03-03", "D4", "R4", 10, 10),
    ("2026-03-03", "D4", "R5", 10, 9),  # D4 live 0.9 exactly
    ("2026-03-09", "D5", "R1", 10, 0),  # D5's only check is after end: D5 has no check as of 03-08
]

# --- roadmap_items: (item_id, parent, owner, is_milestone, weight, planned_start, planned_due)
ITEMS = [
    ("RM1", None, "C1", False, 1.0, "2026-01-01", "2026-03-06"),  # parent of RM1a/RM1b: not a leaf (never counts)
    ("RM1a", "RM1", "C1", False, 2.0, "2026-01-01", "2026-03-31"),  # leaf task, updates before/in/after period
    ("RM1b", "RM1", "P1C", True, 1.0, "2026-02-01", "2026-02-28"),  # milestone cancelled on 02-16
    ("RM2", None, "P1C", False, 3.0, "2026-03-01", "2026-03-31"),  # leaf with no update: 0 %, not_started
    ("RM3", None, "P1X", True, 1.0, "2026-02-01", "2026-03-05"),  # milestone done on time (03-04)
    ("RM4", None, "P2C", True, 1.0, "2026-02-01", "2026-02-20"),  # milestone done late (02-25)
    ("RM5", None, "C2", True, 2.0, "2026-01-15", "2026-03-01"),  # milestone overdue, not done as of 03-08
    ("RM6", None, "P2C", True, 1.0, "2026-04-01", "2026-05-31"),  # planned window not started; not yet due
]

# --- roadmap_updates: (week_start, item_id, pct_complete, status, completed_on)
UPDATES = [
    ("2026-02-23", "RM1a", 30.0, "in_progress", None),  # latest as of 03-01 (previous period)
    ("2026-03-02", "RM1a", 50.0, "in_progress", None),  # latest as of 03-08
    ("2026-03-09", "RM1a", 90.0, "in_progress", None),  # after end: ignored
    ("2026-03-02", "RM1", 20.0, "in_progress", None),  # update of a parent: ignored (not a leaf)
    ("2026-02-16", "RM1b", 0.0, "cancelled", None),  # cancels RM1b from 02-16 on
    ("2026-03-02", "RM3", 100.0, "done", "2026-03-04"),  # done 03-04 <= due 03-05: on time
    ("2026-02-23", "RM4", 100.0, "done", "2026-02-25"),  # done 02-25 > due 02-20: late
    ("2026-02-23", "RM5", 60.0, "in_progress", None),  # latest as of 03-08: still in progress
    ("2026-03-09", "RM5", 100.0, "done", "2026-03-09"),  # after end: ignored, RM5 stays overdue
    ("2026-03-02", "RM6", 10.0, "in_progress", None),  # started early: progress counts, planned fraction 0
]

# --- exchanges_daily: (date, provider, consumer, dataset, channel, calls, calls_ok, records, p95)
EXCHANGES = [
    ("2026-03-03", "C1", "P1C", "D1", "api", 100, 98, 1000, 120.0),  # cross-level (central -> provincial)
    ("2026-03-04", "C1", "P2C", "D1", "api", 50, 50, 500, 100.0),  # cross-level; D1's 2nd consumer
    (
        "2026-03-05",
        "P1X",
        "P1C",
        "D2",
        "file",
        20,
        18,
        200,
        None,
    ),  # cross-level (commune -> provincial); consumer is D2's owner
    (
        "2026-03-06",
        "P2C",
        "P1C",
        "D4",
        "api",
        30,
        30,
        300,
        80.0,
    ),  # same level (provincial <-> provincial), two provinces
    ("2026-03-07", "C2", "C1", "D3", "manual", 10, 0, 0, None),  # same level, calls_ok = 0, unowned dataset
    ("2026-03-01", "C1", "P1X", "D1", "api", 60, 30, 600, 300.0),  # before start: previous period only
    ("2026-03-09", "P2C", "P2X", "D4", "api", 10, 10, 100, 90.0),  # after end: must not count
]

# --- dossiers_daily: (date, agency, procedure_code, dossiers, reusing, fields_total, fields_prefilled)
DOSSIERS = [
    ("2026-03-03", "P1C", "TRANSFER", 10, 10, 100, 100),  # in period, P1
    ("2026-03-05", "P1X", "ADMIT", 30, 22, 300, 270),  # in period, P1 (commune)
    ("2026-03-04", "P2C", "TRANSFER", 30, 6, 200, 60),  # in period, P2
    ("2026-02-27", "P1C", "TRANSFER", 20, 5, 100, 50),  # before start: previous period only
    ("2026-03-10", "P2C", "ADMIT", 50, 50, 500, 500),  # after end: must not count
]


def _frame(table: str, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=polars_schema(table), orient="row")


def tables() -> dict[str, pl.DataFrame]:
    """All 11 curated tables of the tiny data set, in contract types."""
    out: dict[str, pl.DataFrame] = {}
    out["provinces"] = _frame(
        "provinces", [(code, f"Tỉnh {code}", f"Province {code}", region) for code, region in PROVINCES]
    )
    out["agencies"] = _frame(
        "agencies",
        [(a, f"Cơ quan {a}", f"Agency {a}", lvl, parent, prov, pilot) for a, lvl, parent, prov, pilot in AGENCIES],
    )
    out["datasets"] = _frame(
        "datasets",
        [
            (ds, f"CSDL {ds}", f"Dataset {ds}", owner, steward, layer, sharing, key, stage, None, api, meta, 24)
            for ds, owner, steward, layer, sharing, key, stage, api, meta in DATASETS
        ],
    )
    out["dictionary_terms"] = _frame(
        "dictionary_terms",
        [(t, f"Thuật ngữ {t}", f"Term {t}", f"Định nghĩa {t}", f"Definition {t}", typ, None) for t, typ in TERMS],
    )
    out["data_elements"] = _frame(
        "data_elements",
        [(el, ds, f"field_{el.lower()}", term, True, False) for el, ds, term in ELEMENTS],
    )
    out["quality_rules"] = _frame(
        "quality_rules",
        [(r, crit, dim, f"Quy tắc {r}", f"Rule {r}", w) for r, crit, dim, w in RULES],
    )
    out["roadmap_items"] = _frame(
        "roadmap_items",
        [
            (i, parent, "strategy", "2025-2026", f"Nhiệm vụ {i}", f"Item {i}", owner, ms, w, d(s), d(e))
            for i, parent, owner, ms, w, s, e in ITEMS
        ],
    )
    out["exchanges_daily"] = _frame(
        "exchanges_daily",
        [(d(day), p, c, ds, ch, calls, ok, rec, lat) for day, p, c, ds, ch, calls, ok, rec, lat in EXCHANGES],
    )
    out["dossiers_daily"] = _frame(
        "dossiers_daily",
        [
            (d(day), ag, proc, f"Thủ tục {proc}", f"Procedure {proc}", n, reuse, ft, fp)
            for day, ag, proc, n, reuse, ft, fp in DOSSIERS
        ],
    )
    out["quality_checks"] = _frame(
        "quality_checks", [(d(day), ds, r, checked, passed) for day, ds, r, checked, passed in CHECKS]
    )
    out["roadmap_updates"] = _frame(
        "roadmap_updates",
        [(d(wk), i, pct, st, d(done) if done else None, None) for wk, i, pct, st, done in UPDATES],
    )
    return out


def write_tiny(base: Path) -> None:
    """Write the tiny data set as `<base>/curated/<table>.parquet` for all 11 tables."""
    for name, df in tables().items():
        write_table(Path(base), name, df)


def agencies_with_body_moved(agency_id: str, province_code: str) -> pl.DataFrame:
    """tiny's agencies with one body in another province: the same size and row count, other rows."""
    return tables()["agencies"].with_columns(
        pl.when(pl.col("agency_id") == agency_id)
        .then(pl.lit(province_code))
        .otherwise(pl.col("province_code"))
        .alias("province_code")
    )
