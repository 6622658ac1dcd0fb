"""The macros of queries/_macros.sql, created in a database: every scope database and workbench database
(dashboard/engine/db.py, sandbox.py) and, at curation time, the connection that writes a scope's dimension rows
(dashboard/data/scope_files.py), which runs queries/scope/ as a scope's database does."""

from __future__ import annotations

import duckdb

from dashboard.config import QUERIES_DIR

# queries/scope/*.sql call the macros of queries/_macros.sql up to this one (tests/test_scope_databases.py checks)
SCOPE_SQL_MACROS_THROUGH = "scope_dataset_ids"


def create_macros(con: duckdb.DuckDBPyConnection, through: str | None = None) -> None:
    """Create the macros of queries/_macros.sql; with `through`, only those up to that macro (a macro comes after
    the ones it calls, so they are all there). Creating a macro binds it, which costs (some 4 ms each, 60 ms for
    all of them with the footers cached); a scope's source database needs only the first few."""
    sql = (QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8")
    if through is not None:
        statements = con.extract_statements(sql)
        last = next(
            (i for i, s in enumerate(statements) if f"macro {through}(" in s.query),
            None,
        )
        if last is None:
            raise ValueError(f"no macro {through} in queries/_macros.sql")
        for statement in statements[: last + 1]:
            con.execute(statement)
        return
    con.execute(sql)
