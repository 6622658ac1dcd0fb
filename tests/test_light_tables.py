"""The overview's short lists in HTML (dashboard/web/light_tables.py): each cell written as the grid writes it,
worked out by hand on two rows; and the overview draws its three lists that way, with their downloads."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from dashboard.web.charts import PRIMARY
from dashboard.web.light_tables import table_html

ROOT = Path(__file__).resolve().parents[1]

FRAME = pl.DataFrame(
    {
        "dataset": ["Hồ sơ <đảng viên> & thẻ", None],
        "quality": [0.601, None],
        "weakest": ["live", None],
        "due": [dt.date(2026, 6, 30), None],
        "days": [1234, 16],
        "growth": [1.5, 0.25],
        "state": ["● Đạt", "◆ Quá hạn"],
    },
    schema_overrides={"quality": pl.Float64},
)
LABELS = {
    "dataset": "Cơ sở dữ liệu",
    "quality": "Chỉ số chất lượng",
    "weakest": "Tiêu chí yếu nhất",
    "due": "Hạn",
    "days": "Số ngày",
    "growth": "Tăng",
    "state": "Tình trạng",
}
FORMATS = {"quality": "percent", "weakest": "criterion", "due": "date", "days": "number", "growth": "percent"}


def rows(markup: str) -> list[list[str]]:
    """The body's cells, each as its markup inside <td>...</td>, with the td's attributes in front: 'attrs|inner'."""
    body = markup.split("<tbody>", 1)[1]
    return [
        [f"{attrs.strip()}|{inner}" for attrs, inner in re.findall(r"<td([^>]*)>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_cells_are_written_as_the_grid_writes_them_in_vietnamese():
    markup = table_html(FRAME, LABELS, FORMATS, "vi")
    first, second = rows(markup)
    assert first == [
        "|Hồ sơ &lt;đảng viên&gt; &amp; thẻ",  # escaped, as it is
        # 0.601 -> 60,1 % with a bar 60.1 % wide after it (a column of shares: every value from 0 to 1)
        'class="lt-num"|60,1%<span class="lt-bar" aria-hidden="true"><i style="width:60.1%"></i></span>',
        "|Sống",  # the criterion's code in words
        "|30/06/2026",
        'class="lt-num"|1.234',  # a thousands dot
        'class="lt-num"|150,0%',  # 1.5 is not a share: the column has no bars
        'style="color:#258a3e"|● Đạt',  # a status mark in its colour
    ]
    assert second == [
        "|–",  # a missing name, share, criterion and date read '–'; a missing share draws no bar
        'class="lt-num"|–',
        "|–",
        "|–",
        'class="lt-num"|16',
        'class="lt-num"|25,0%',
        'style="color:#dc3b42"|◆ Quá hạn',
    ]


def test_headers_are_the_labels_numbers_right_aligned():
    markup = table_html(FRAME, LABELS, FORMATS, "vi")
    heads = re.findall(r"<th(\s[^>]*)>(.*?)</th>", markup)
    assert [h for _, h in heads] == list(LABELS.values())
    assert [h for attrs, h in heads if "lt-num" in attrs] == ["Chỉ số chất lượng", "Số ngày", "Tăng"]
    assert all('scope="col"' in attrs for attrs, _ in heads)
    assert PRIMARY in markup  # the bar in the charts' blue


def test_english_numbers_dates_and_words():
    first, _ = rows(table_html(FRAME, LABELS, FORMATS, "en"))
    assert first[1].startswith('class="lt-num"|60.1%<span')
    assert first[2:6] == ["|Live", "|30 Jun 2026", 'class="lt-num"|1,234', 'class="lt-num"|150.0%']


def test_a_column_without_a_format_is_written_by_its_type():
    frame = pl.DataFrame({"n": [2.5, 3.0], "d": [dt.date(2026, 1, 5), dt.date(2026, 1, 6)]})
    cells = rows(table_html(frame, {"n": "N", "d": "D"}, {}, "vi"))
    assert cells == [['class="lt-num"|2,5', "|05/01/2026"], ['class="lt-num"|3', "|06/01/2026"]]


# The overview's first run in a fresh process (AppTest, as the bench measures app start), once for the tests below:
# what it drew and whether it imported pandas.
FRESH_OVERVIEW = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120)
at.query_params.update({"period": "custom", "start": "2026-03-02", "end": "2026-03-08"})
at.run()
print(json.dumps({
    "pandas": "pandas" in sys.modules,
    "problems": [str(e.value) for e in at.exception] + [e.body for e in at.error],
    "metrics": len(at.metric),
    "dataframes": len(at.dataframe),
    "lists": [m.value for m in at.markdown if '<table class="lt">' in m.value],
    "downloads": len(at.get("download_button")),
}))
"""


@pytest.fixture(scope="module")
def overview(tiny_base) -> dict:
    # test data, served without a login (as conftest.py sets for every test; a module fixture runs before it)
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(tiny_base), "DASHBOARD_TODAY": "2026-03-10"}
    env |= {"DASHBOARD_ALLOW_NO_AUTH": "1"}
    env.pop("DASHBOARD_AUTH", None)
    done = subprocess.run([sys.executable, "-c", FRESH_OVERVIEW], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    drawn = json.loads(done.stdout.strip().splitlines()[-1])
    assert drawn["problems"] == [] and drawn["metrics"] == 13, drawn
    return drawn


def test_the_overview_draws_its_lists_in_html_with_their_downloads(overview):
    """The cards of a fresh tab would wait for the grid's code (issue 11): no st.dataframe on the overview."""
    assert overview["dataframes"] == 0
    lists = overview["lists"]
    assert len(lists) == 3  # lowest-quality datasets, overdue milestones, provinces sharing the least
    assert "Cơ sở dữ liệu" in lists[0] and "Chỉ số chất lượng" in lists[0]
    # Tỉnh P1: exchange rows with P1C or P1X at one end, in the period: E1 98/100, E3 18/20, E4 30/30 -> 146 of 150
    # calls ok (tests/test_app.py): 97,3 % with its bar, and 146 successful calls
    p1 = next(r for r in rows(lists[2]) if r[0] == "|Tỉnh P1")
    assert p1[3] == 'class="lt-num"|97,3%<span class="lt-bar" aria-hidden="true"><i style="width:97.3%"></i></span>'
    assert p1[4] == 'class="lt-num"|146'
    # each list with its CSV and XLSX downloads
    assert overview["downloads"] == 2 * len(lists)


def test_the_overview_of_a_fresh_process_does_not_import_pandas(overview):
    """pandas is imported for the grid's Styler (web/tables.py); the overview has no grid, so a fresh process's first
    overview does without pandas' half second of imports (issue 11, app start as the bench measures it:
    docs/performance.md, ninth pass; `serve` still preloads it, web/serve.py)."""
    assert overview["pandas"] is False
