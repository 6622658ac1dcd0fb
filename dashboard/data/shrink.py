"""The curation run's last check before the swap: a delivery that would empty or shrink a table, or quarantine too
many of its rows, stops the run (issue 12, finding 4).

One bad file in a weekly delivery (`provinces.csv` with only its header row) used to replace 34 provinces with none;
the foreign keys then quarantined 272 agencies and 45 datasets, the pages went nearly empty, and the run said it
succeeded. Now, unless the operator accepts it (`--accept-shrink`), the run stops before anything is swapped when a
table it writes would

- go from some rows to none,
- lose more than `max_shrink` of its rows (default 20 %), or
- quarantine more than `max_quarantine` of the rows read for it (default 5 %),

and says, per table, the rows before and after, and which quarantines follow from another table (the cascade:
"272 agencies refer to provinces not delivered").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.data.contract import LOAD_ORDER, TABLES
from dashboard.data.extracts import CurateError
from dashboard.sqltext import literal

MAX_SHRINK = 0.20
MAX_QUARANTINE = 0.05


class ShrinkRefused(CurateError):
    """The run would empty or shrink a table, or quarantine too much of it: nothing was swapped."""


@dataclass(frozen=True)
class Limits:
    """How much a run may take away before it stops (fractions), and whether the operator accepted it anyway."""

    max_shrink: float = MAX_SHRINK
    max_quarantine: float = MAX_QUARANTINE
    accept: bool = False

    def __post_init__(self) -> None:
        for name in ("max_shrink", "max_quarantine"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 100 %, not {value * 100:g} %")


DEFAULT_LIMITS = Limits()


def percent(text: str) -> float:
    """A command-line threshold: `20`, `20%` or `12.5` (percent) as a fraction; argparse turns ValueError into
    a usage error that names the option."""
    value = float(str(text).strip().removesuffix("%"))
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value / 100


def rows_before(con: duckdb.DuckDBPyConnection, files: Mapping[str, list[Path]]) -> dict[str, int]:
    """The curated rows of each table before the run (0 for a table not curated yet), from its files' footers."""
    out = {}
    for name, paths in files.items():
        listed = ", ".join(literal(str(p)) for p in paths)
        out[name] = con.execute(f"select count(*) from read_parquet([{listed}])").fetchall()[0][0] if paths else 0
    return out


def problems(tables: Mapping, before: Mapping[str, int], limits: Limits) -> list[str]:
    """What is wrong with the run's tables, one line per table (empty when the run may go on). `tables` maps a
    table's name to its curate.TableReport (read, quarantined, rows_after, reasons, action)."""
    out = []
    for name in LOAD_ORDER:
        rep = tables.get(name)
        if rep is None or rep.action == "kept":
            continue
        old, new = before.get(name, 0), rep.rows_after or 0
        counts = f"{name}: {old:,} rows before, {new:,} after"
        if old and not new:
            out.append(f"{counts}: the run would empty it")
        elif old and (old - new) / old > limits.max_shrink:
            out.append(f"{counts}: {(old - new) / old:.1%} fewer, more than {limits.max_shrink:.0%}")
        if rep.read and rep.quarantined / rep.read > limits.max_quarantine:
            share = rep.quarantined / rep.read
            out.append(
                f"{name}: {rep.quarantined:,} of {rep.read:,} rows read quarantined ({share:.1%}, more than "
                f"{limits.max_quarantine:.0%})"
            )
    return out


def cascade(tables: Mapping) -> list[str]:
    """The quarantines that follow from another table: "272 agencies refer to provinces not delivered"."""
    out = []
    for name in LOAD_ORDER:
        rep = tables.get(name)
        if rep is None:
            continue
        for column in TABLES[name].columns:
            n = rep.reasons.get(f"fk: {column.name}", 0) if column.fk else 0
            if n:
                ref_table = column.fk.split(".", 1)[0]
                out.append(f"{n:,} {name} refer to {ref_table} not delivered ({column.name})")
    return out


def guard(tables: Mapping, before: Mapping[str, int], limits: Limits) -> None:
    """Stop the run (ShrinkRefused) when `problems` finds any and the operator has not accepted them."""
    found = problems(tables, before, limits)
    if not found or limits.accept:
        return
    lines = ["the run would take too much away; nothing was changed:", *(f"  - {p}" for p in found)]
    causes = cascade(tables)
    if causes:
        lines += ["  because:", *(f"  - {c}" for c in causes)]
    lines.append(
        "Check the delivered files (see the quarantine folder of this run). If the change is intended, run again "
        "with --accept-shrink (thresholds: --max-shrink, --max-quarantine)."
    )
    raise ShrinkRefused("\n".join(lines))
