"""The analyst guide stays honest: its pages pass the checker, its error example is what the checker
prints, and its reference names every header field, parameter type and chart type."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard.config import ROOT
from dashboard.engine.db import database
from dashboard.scope import Scope
from dashboard.sqlpages.check import check_page
from dashboard.sqlpages.header import CHART_TYPES, PARAM_TYPES, PageHeader

GUIDE = (ROOT / "docs" / "analyst-guide.md").read_text(encoding="utf-8")
AS_OF = dt.date(2025, 9, 29)  # the demo fixture's data end on 2025-09-30


def final_page() -> tuple[str, str]:
    """(file path, text) of the page that follows the guide's `guide-final-page` marker."""
    m = re.search(r"<!-- guide-final-page: (\S+) -->\n```sql\n(.*?)```", GUIDE, re.DOTALL)
    assert m, "the guide lost its final page"
    return m.group(1), m.group(2)


def check(text: str, tmp_path, demo_base):
    path = tmp_path / "phan_tich" / "dien_san_theo_tinh.sql"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    con = database(demo_base, Scope()).cursor()
    try:
        return check_page(path, con, AS_OF)
    finally:
        con.close()


def test_the_final_page_of_the_guide_passes_the_checker(tmp_path, demo_base):
    name, text = final_page()
    assert name == "pages/phan_tich/dien_san_theo_tinh.sql"
    problems, rows = check(text, tmp_path, demo_base)
    assert problems == []
    assert rows == 34  # one row per province: every demo province processes dossiers


def test_the_first_page_of_the_guide_passes_the_checker(tmp_path, demo_base):
    first = re.search(r"## Step 1.*?```sql\n(.*?)```", GUIDE, re.DOTALL).group(1)
    problems, rows = check(first, tmp_path, demo_base)
    assert problems == []
    assert rows == 35  # grouped by province_code: the 34 provinces and the central bodies (no province)


def test_the_guides_error_example_is_what_the_checker_prints(tmp_path, demo_base):
    _, text = final_page()
    problems, _ = check(text.replace("y: prefill_rate", "y: prefill_rte"), tmp_path, demo_base)
    (problem,) = problems
    message = str(problem).split("dien_san_theo_tinh.sql", 1)[1]
    assert f"pages/phan_tich/dien_san_theo_tinh.sql{message}" in GUIDE


@pytest.mark.parametrize("field", list(PageHeader.model_fields))
def test_every_header_field_is_in_the_reference(field):
    assert f"| `{field}` |" in GUIDE


def test_every_parameter_and_chart_type_is_in_the_reference():
    for kind in PARAM_TYPES:
        assert f"| `{kind}` |" in GUIDE, kind
    for kind in CHART_TYPES:
        assert f"`{kind}`" in GUIDE.split("**Charts**", 1)[1], kind
