"""A hand-made data set for the pace to 2030 (metrics.md, "Targets and pace to 2030"), worked out by hand.

As-of date END = 2026-03-29 (a Sunday). The 12 complete ISO weeks ending on or before it: week k (k = 0..11) runs
Monday 2026-01-05 + 7k .. Sunday 2026-01-11 + 7k; week 11 is 2026-03-23 .. 2026-03-29, so t0 = END when the last
week has a value.

Bodies: C1 (central) owns D1 and serves it to A1 (the provincial committee of P1). Every fact row is on the
Wednesday of its week (Monday + 2).

- dossier_reuse_rate: 100 dossiers a week at A1, 40 + 2k of them reusing data, except week 5 (no rows: a null
  week). Values 0.40, 0.42, 0.44, 0.46, 0.48, -, 0.52, ..., 0.62: on the line 0.40 + 0.02 k.
- prefill_rate: 1000 fields a week, 500 + 5k pre-filled (week 5 null too): 0.500 + 0.005 k, 0.555 in week 11.
- exchange_success_rate: C1 -> A1, 100 calls a week, 99 ok: 0.99 every week.
- quality_correct: D1 is checked (rule R1, correct) only in weeks 9, 10, 11: 80, 85, 88 of 100 records pass.
- sharing_coverage: D1 is operating, shared, API-enabled: 1 of 1 operating dataset every week.

Targets (the expected pace of each is in tests/test_pace.py, with the arithmetic):
- dossier_reuse_rate, all: 0.50 by 2026-03-01 (passed), 0.80 by 2026-06-28, 0.90 by 2026-12-27;
  province P1: 0.75 by 2026-05-03 (P1's own target beside the national one).
- prefill_rate, all: 0.92 by 2026-06-28.
- exchange_success_rate, all: 0.99 by 2026-12-27.
- quality_correct, all: 0.90 by 2026-12-27.
- sharing_coverage, all: 0.80 by 2026-03-01 only (passed: no target applies).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from dashboard.data.contract import polars_schema
from dashboard.data.io import write_table

END = dt.date(2026, 3, 29)
FIRST_MONDAY = dt.date(2026, 1, 5)
NULL_WEEK = 5


def wednesday(k: int) -> dt.date:
    return FIRST_MONDAY + dt.timedelta(days=7 * k + 2)


def _frame(table: str, rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=polars_schema(table), orient="row")


TARGETS = [
    # (target_id, kpi_id, scope_type, scope_id, target_date, target_value, phase)
    ("RE-OLD", "dossier_reuse_rate", "all", None, "2026-03-01", 0.50, "2025-2026"),  # passed before END
    ("RE-1", "dossier_reuse_rate", "all", None, "2026-06-28", 0.80, "2025-2026"),  # earliest on or after END
    ("RE-2", "dossier_reuse_rate", "all", None, "2026-12-27", 0.90, "2025-2026"),  # later: not the one
    ("RE-P1", "dossier_reuse_rate", "province", "P1", "2026-05-03", 0.75, "2025-2026"),  # P1's own
    ("PF-1", "prefill_rate", "all", None, "2026-06-28", 0.92, "2025-2026"),
    ("EX-1", "exchange_success_rate", "all", None, "2026-12-27", 0.99, "2025-2026"),
    ("QC-1", "quality_correct", "all", None, "2026-12-27", 0.90, "2025-2026"),
    ("SC-OLD", "sharing_coverage", "all", None, "2026-03-01", 0.80, "2025-2026"),  # only target, passed
]


def tables(with_targets: bool = True) -> dict[str, pl.DataFrame]:
    """The curated tables of the pace fixture (without kpi_targets when `with_targets` is false)."""
    out = {
        "provinces": _frame("provinces", [("P1", "Tỉnh P1", "Province P1", "Red River Delta")]),
        "agencies": _frame(
            "agencies",
            [
                ("C1", "Cơ quan C1", "Agency C1", "central", None, None, False),
                ("A1", "Tỉnh ủy P1", "P1 committee", "provincial", None, "P1", True),
            ],
        ),
        "datasets": _frame(
            "datasets",
            [
                (
                    "D1",
                    "CSDL D1",
                    "Dataset D1",
                    "C1",
                    "C1 unit",
                    "master",
                    "shared",
                    True,
                    "operating",
                    None,
                    True,
                    True,
                    24,
                )
            ],
        ),
        "dictionary_terms": _frame("dictionary_terms", [("T1", "Họ tên", "Name", "Họ tên", "Name", "text", None)]),
        "data_elements": _frame("data_elements", [("E1", "D1", "ho_ten", "T1", True, False)]),
        "quality_rules": _frame("quality_rules", [("R1", "correct", "accuracy", "Đúng", "Correct", 1.0)]),
        "roadmap_items": _frame(
            "roadmap_items",
            [
                (
                    "I1",
                    None,
                    "strategy",
                    "2025-2026",
                    "Nhiệm vụ",
                    "Item",
                    "C1",
                    False,
                    1.0,
                    dt.date(2026, 1, 1),
                    dt.date(2026, 12, 31),
                )
            ],
        ),
        "exchanges_daily": _frame(
            "exchanges_daily",
            [(wednesday(k), "C1", "A1", "D1", "api", 100, 99, 10, 100.0) for k in range(12)],
        ),
        "dossiers_daily": _frame(
            "dossiers_daily",
            [
                (wednesday(k), "A1", "X", "Thủ tục X", "Procedure X", 100, 40 + 2 * k, 1000, 500 + 5 * k)
                for k in range(12)
                if k != NULL_WEEK
            ],
        ),
        "quality_checks": _frame(
            "quality_checks", [(wednesday(k), "D1", "R1", 100, passed) for k, passed in ((9, 80), (10, 85), (11, 88))]
        ),
        "roadmap_updates": _frame("roadmap_updates", []),
    }
    if with_targets:
        out["kpi_targets"] = _frame(
            "kpi_targets",
            [
                (tid, kpi, st, sid, dt.date.fromisoformat(day), value, phase, f"Căn cứ {tid}", f"Basis {tid}")
                for tid, kpi, st, sid, day, value, phase in TARGETS
            ],
        )
    return out


def write_pace_fixture(base: Path, with_targets: bool = True) -> None:
    """Write the pace fixture as `<base>/curated/<table>.parquet`."""
    for name, df in tables(with_targets).items():
        write_table(Path(base), name, df)
