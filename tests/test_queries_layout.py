"""Each definition in queries/ exists once: no two files hold the same CTE.

A CTE needed by more than one query becomes a table macro in queries/_macros.sql. The check compares the body of
every CTE (`name as (body)`, nested ones too) of every file under queries/, except queries/rollups/ (the rollups'
own SQL, read by dashboard/data/rollups.py) and the tests' reference SQL (tests/rollup_reference/, the oracle the
rollup queries are compared with). Bodies are compared without comments, in lower case, whitespace collapsed.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
EXCLUDED = ("rollups",)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def without_comments(sql: str) -> str:
    """The SQL with its `--` and `/* */` comments blanked out, string literals and quoted names kept whole."""
    out, i, n = [], 0, len(sql)
    while i < n:
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif sql[i] in "'\"":
            end = _quoted_end(sql, i)
            out.append(sql[i:end])
            i = end
        else:
            out.append(sql[i])
            i += 1
    return "".join(out)


def _quoted_end(sql: str, start: int) -> int:
    """The index just after the quoted text opening at `start` (a doubled quote stays inside)."""
    quote, i = sql[start], start + 1
    while i < len(sql):
        if sql[i] == quote:
            if sql.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    return len(sql)


def _closing(sql: str, open_at: int) -> int:
    """The index of the parenthesis closing the one at `open_at`."""
    depth, i = 0, open_at
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            i = _quoted_end(sql, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced parenthesis at {open_at}")


def _skip_space(sql: str, i: int) -> int:
    while i < len(sql) and sql[i].isspace():
        i += 1
    return i


def _word_at(sql: str, i: int) -> str:
    m = _WORD.match(sql, i)
    return m.group(0) if m else ""


def cte_bodies(sql: str) -> list[tuple[str, str]]:
    """Every CTE of the SQL as (name, normalised body), nested ones included, in the order they appear."""
    sql = without_comments(sql)
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            i = _quoted_end(sql, i)
            continue
        word = _word_at(sql, i)
        if not word:
            i += 1
            continue
        starts_word = i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")
        if starts_word and word.lower() == "with":
            i = _read_ctes(sql, i + len(word), found)
        else:
            i += len(word)
    return found


def _read_ctes(sql: str, i: int, found: list[tuple[str, str]]) -> int:
    """Read `[recursive] name [(columns)] as [[not] materialized] (body) [, ...]` from i; the index after it."""
    i = _skip_space(sql, i)
    if _word_at(sql, i).lower() == "recursive":
        i = _skip_space(sql, i + len("recursive"))
    while True:
        name = _word_at(sql, i)
        if not name:
            return i
        j = _skip_space(sql, i + len(name))
        if j < len(sql) and sql[j] == "(":  # a column list
            j = _skip_space(sql, _closing(sql, j) + 1)
        if _word_at(sql, j).lower() != "as":
            return i
        j = _skip_space(sql, j + 2)
        for keyword in ("not", "materialized"):
            if _word_at(sql, j).lower() == keyword:
                j = _skip_space(sql, j + len(keyword))
        if j >= len(sql) or sql[j] != "(":
            return i
        end = _closing(sql, j)
        body = sql[j + 1 : end]
        found.append((name.lower(), " ".join(body.lower().split())))
        found.extend(cte_bodies(body))  # CTEs nested in this one
        i = _skip_space(sql, end + 1)
        if i < len(sql) and sql[i] == ",":
            i = _skip_space(sql, i + 1)
            continue
        return i


def repeated_ctes(files: dict[str, str]) -> list[str]:
    """One line per CTE body that two or more files hold: which files, under which names, and the body."""
    holders: dict[str, dict[str, set[str]]] = {}
    for path, sql in files.items():
        for name, body in cte_bodies(sql):
            holders.setdefault(body, {}).setdefault(path, set()).add(name)
    lines = []
    for body, where in holders.items():
        if len(where) > 1:
            files_and_names = ", ".join(f"{path} ({'/'.join(sorted(names))})" for path, names in sorted(where.items()))
            lines.append(f"{files_and_names}: {body}")
    return lines


def query_files() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted(QUERIES.rglob("*.sql"))
        if not set(path.relative_to(QUERIES).parts[:-1]) & set(EXCLUDED)
    }


def test_no_two_query_files_hold_the_same_cte():
    repeats = repeated_ctes(query_files())
    assert not repeats, "CTEs repeated across queries/ (make each a macro in queries/_macros.sql):\n" + "\n".join(
        repeats
    )


def test_the_check_reads_the_ctes_of_the_real_files():
    files = query_files()
    assert "queries/_macros.sql" in files and "queries/scope/datasets.sql" in files
    assert not any(path.startswith("queries/rollups/") for path in files)
    names = {name for sql in files.values() for name, _ in cte_bodies(sql)}
    # top-level CTEs of queries and CTEs inside the macros (within `as table ... with ...`)
    assert {"ratios", "final", "dataset_groups", "latest_updates", "operating_shared"} <= names
    assert sum(len(cte_bodies(sql)) for sql in files.values()) > 60


def test_the_check_fails_on_a_repeated_cte_whatever_its_name_case_spacing_and_comments():
    first = """
        -- consumers of the period
        with
        period_rows as (
            select * from period_exchange_weeks($start, $end)  -- whole weeks and edge days
        ),
        final as (select count(*) from period_rows)
        select * from final
    """
    second = """
        with recursive Exchanges AS MATERIALIZED (
            SELECT *
            FROM   period_exchange_weeks($start,  $end)
        ), other (n) as (select 1), last as (select 2)
        select * from exchanges
    """
    repeats = repeated_ctes({"queries/a.sql": first, "queries/b.sql": second})
    assert repeats == [
        "queries/a.sql (period_rows), queries/b.sql (exchanges): select * from period_exchange_weeks($start, $end)"
    ]
    # the same CTE twice in one file is not a repeat across files; a body differing by a column is not the same
    assert repeated_ctes({"queries/a.sql": first + first}) == []
    near = second.replace("SELECT *", "SELECT week_start")
    assert repeated_ctes({"queries/a.sql": first, "queries/b.sql": near}) == []


def test_nested_ctes_and_quoted_text_are_read_right():
    sql = """
        create or replace macro m(a) as table
            with inner_rows as (select ')' as paren, 'with x as (' as text from t where a = a)
            select * from inner_rows;
        select * from (with deeper as (select "weird )"" name" from u) select * from deeper)
    """
    assert cte_bodies(sql) == [
        ("inner_rows", "select ')' as paren, 'with x as (' as text from t where a = a"),
        ("deeper", 'select "weird )"" name" from u'),
    ]
