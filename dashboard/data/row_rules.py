"""The contract's rules for one row, as SQL: which Parquet types a column accepts, and the conditions a row
breaks (null, enum, range, row rule). The checker (`dashboard.data.check`) counts the rows that meet them over
whole tables; the curation step (`dashboard.data.curate`) gives each row its reasons from the same conditions.

The type rule and the semantics of the conditions are those of the checker's module docstring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dashboard.data.contract import Table
from dashboard.sqltext import ident

# Narrower types accepted in place of a contract type (see dashboard.data.check's docstring).
ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    "INTEGER": frozenset({"INTEGER", "SMALLINT", "TINYINT", "USMALLINT", "UTINYINT"}),
    "BIGINT": frozenset({"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT"}),
}
NUMERIC_TYPES = frozenset({"INTEGER", "BIGINT", "DOUBLE"})


def type_ok(expected: str, found: str) -> bool:
    """Whether a column DuckDB reads as `found` satisfies the contract's type `expected`."""
    found = found.upper()
    return found == expected or found in ACCEPTED_TYPES.get(expected, ())


def rule_columns(expr: str, table: Table) -> list[str]:
    """Contract columns mentioned in a row-rule expression (string literals ignored)."""
    stripped = re.sub(r"'(?:[^']|'')*'", " ", expr)
    words = set()
    for quoted, bare in re.findall(r'"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*)', stripped):
        words.add((quoted or bare).lower())
    return [c for c in table.column_names if c.lower() in words]


def row_checks(
    table: Table, unusable: Iterable[str] = (), notes: list[str] | None = None, *, absent: Iterable[str] = ()
) -> list[dict]:
    """The row-level checks of `table` (null, enum, range, row rules) that can run when the columns `unusable`
    (missing or mistyped) cannot be read; what is skipped for them is said in `notes`, when given. The optional
    columns `absent` from every file are all null: their checks (and row rules naming them, which hold for null
    per SQL CHECK semantics) are skipped without a note.

    Each is a dict with `kind`, `column` (None for a row rule), `show` (the columns an example shows), `rule`
    (row rules), `col` (enum and range), `bound` (range, in words), `cond` (the DuckDB condition a violating
    row meets, over the contract's column names) and `params` (the values `cond` binds: DuckDB refuses unused
    parameters)."""
    absent = set(absent)
    unusable = set(unusable) | absent
    notes = [] if notes is None else notes
    checks: list[dict] = []
    for i, col in enumerate(c for c in table.columns if c.name not in unusable):
        q = ident(col.name)
        if not col.nullable:
            checks.append(dict(kind="null", column=col.name, cond=f"{q} IS NULL", show=[col.name], params={}))
        if col.enum is not None:
            checks.append(
                dict(
                    kind="enum",
                    column=col.name,
                    show=[col.name],
                    col=col,
                    params={f"enum_{i}": list(col.enum)},
                    cond=f"{q} IS NOT NULL AND NOT list_contains($enum_{i}, {q})",
                )
            )
        if col.type in NUMERIC_TYPES and (col.min is not None or col.max is not None):
            parts, words, params = [], [], {}
            if col.min is not None:
                params[f"min_{i}"] = col.min
                parts.append(f"{q} {'<=' if col.min_exclusive else '<'} $min_{i}")
                words.append(f"{'>' if col.min_exclusive else '>='} {col.min:g}")
            if col.max is not None:
                params[f"max_{i}"] = col.max
                parts.append(f"{q} > $max_{i}")
                words.append(f"<= {col.max:g}")
            if col.type == "DOUBLE":
                parts.append(f"isnan({q})")
            checks.append(
                dict(
                    kind="range",
                    column=col.name,
                    show=[col.name],
                    col=col,
                    params=params,
                    cond="(" + " OR ".join(parts) + ")",
                    bound=" and ".join(words),
                )
            )
    for rule in table.rules:
        cols = rule_columns(rule.expr, table)
        if any(c in absent for c in cols):
            continue
        blocked = [c for c in cols if c in unusable]
        if blocked:
            notes.append(f"row rule {rule.name} ({rule.expr}) skipped: column {', '.join(blocked)} missing or mistyped")
            continue
        checks.append(
            dict(
                kind="row_rule",
                column=None,
                show=cols,
                rule=rule,
                params={},
                cond=f"NOT coalesce(({rule.expr}), true)",
            )
        )
    skipped = [c for c in table.column_names if c in unusable and c not in absent]
    if skipped:
        notes.append(f"value checks skipped for missing or mistyped column(s): {', '.join(skipped)}")
    return checks
