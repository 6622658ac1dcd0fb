"""What the AppTest page tests read off a rendered page: cards, tables, rows, Plotly figures; the `app` fixture that
opens a page, and `broken_query`, are in tests/conftest.py."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def open_page(at: AppTest, **params) -> AppTest:
    """Open the page (the `app` fixture has switched to it) as a link with these URL parameters would."""
    at.query_params.update(params)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    """The cards on the page: label -> shown value."""
    return {m.label: m.value for m in at.metric}


def table(at: AppTest, *first_columns: str):
    """The one table on the page whose first columns have these labels."""
    n = len(first_columns)
    found = [d.value for d in at.dataframe if list(d.value.columns[:n]) == list(first_columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def table_exactly(at: AppTest, *labels: str):
    """The one table on the page whose columns are exactly these labels."""
    found = [d.value for d in at.dataframe if list(d.value.columns) == list(labels)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def first_table_with(at: AppTest, column: str):
    """The first table on the page with this column label, as a pandas frame."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def rows(df) -> list[list]:
    """A shown table's cells, row by row, with None for an empty cell."""
    return df.astype(object).where(df.notna(), None).values.tolist()


def figures(at: AppTest) -> list[dict]:
    """The Plotly figures on the page, as their JSON specs."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def traces(at: AppTest, kind: str) -> list[dict]:
    """Every trace of this type ("bar", "heatmap", "funnel", ...) in the page's Plotly figures."""
    return [t for fig in figures(at) for t in fig["data"] if t["type"] == kind]


def pct(value: float, lang: str = "vi") -> str:
    """A share as the page shows it: one decimal, a decimal comma in Vietnamese."""
    text = f"{value * 100:.1f}%"
    return text.replace(".", ",") if lang == "vi" else text
