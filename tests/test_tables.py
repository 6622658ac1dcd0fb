"""Tables (dashboard/web/tables.py): shares drawn as bars before their value, still sorted by value, nulls '–'; the
Styler worked out once and shared (`prepared`) marshals exactly as the plain Styler does. Expected cells by hand."""

from __future__ import annotations

import polars as pl
import pytest
from apptest_helpers import open_page
from streamlit import dataframe_util
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from dashboard.engine.kpi_text import cell_formatter, is_share_column, share_bar
from dashboard.web.tables import prepared, styled_table

PAGE = "pages/leaders/sharing.py"


@pytest.mark.parametrize(
    ("value", "bar"),
    [
        (0.923, "████▋"),  # 0.923 * 40 eighths = 36.92 -> 37 = 4 full + 5/8 (▋)
        (0.5, "██▌░░"),  # 20 eighths = 2 full + 4/8 (▌), then 2 of track
        (0.755, "███▊░"),  # 30.2 -> 30 = 3 full + 6/8 (▊)
        (0.0, "░░░░░"),
        (1.0, "█████"),
        (1.7, "█████"),  # clipped
        (-0.2, "░░░░░"),
    ],
)
def test_share_bar(value, bar):
    assert share_bar(value) == bar


def test_a_share_column_holds_values_from_0_to_1_only():
    assert is_share_column([0.0, 0.5, None, 1.0])
    assert not is_share_column([0.2, 1.3])  # e.g. an index over 100 %: no bar
    assert not is_share_column([-0.1, 0.5])  # e.g. a fall
    assert not is_share_column([None, None])  # nothing to draw
    assert cell_formatter("share", "vi")(0.923) == "████▋ 92,3%"
    assert cell_formatter("share", "en")(0.923) == "████▋ 92.3%"
    assert cell_formatter("share", "vi")(float("nan")) == "–"


def marshalled(styler) -> ArrowData:
    proto = ArrowData()
    marshall_styler(proto, styler, "fallback")
    proto.data = dataframe_util.convert_anything_to_arrow_bytes(styler)
    return proto


def display_values(proto: ArrowData) -> list[list]:
    return dataframe_util.convert_arrow_bytes_to_pandas_df(proto.styler.display_values).values.tolist()


def test_prepared_styler_marshals_as_the_plain_one_and_again_the_same():
    frame = pl.DataFrame({"name": ["A", None, "C"], "share": [0.923, None, 0.5], "count": [1234, 5, None]})
    kinds = {"share": "share", "count": "number"}
    labels = {"name": "Tên", "share": "Tỷ lệ", "count": "Số"}
    shared = styled_table(frame, {}, kinds, labels, "vi")
    plain = (
        frame.with_columns(pl.col(pl.String).fill_null("–"))
        .rename(labels)
        .to_pandas()
        .style.format({"Tỷ lệ": cell_formatter("share", "vi"), "Số": cell_formatter("number", "vi")}, na_rep="–")
    )
    plain.set_uuid(shared.uuid)
    first, second, expected = marshalled(shared), marshalled(shared), marshalled(plain)
    assert first == expected
    assert second == expected  # marshalled again from what was worked out once
    assert display_values(first) == [["A", "████▋ 92,3%", "1.234"], ["–", "–", "5"], ["C", "██▌░░ 50,0%", "–"]]
    # the data stays values: a header sorts by the share itself, a missing one is null
    data = dataframe_util.convert_arrow_bytes_to_pandas_df(first.data)
    assert data["Tỷ lệ"].tolist()[::2] == [0.923, 0.5]
    assert data["Tỷ lệ"].isna().tolist() == [False, True, False]


def test_prepared_keeps_the_cell_colours():
    styler = prepared(pl.DataFrame({"x": ["● Đạt", "◆ Chưa đạt"]}).to_pandas().style.map(lambda v: "color: red"))
    assert "color: red" in marshalled(styler).styler.styles


@pytest.mark.parametrize(
    ("lang", "half", "zero"), [("vi", "██▌░░ 50,0%", "░░░░░ 0,0%"), ("en", "██▌░░ 50.0%", "░░░░░ 0.0%")]
)
def test_sharing_province_table_shows_bars_and_values_and_sorts_by_value(app, lang, half, zero):
    at = open_page(app, lang=lang)
    assert not at.exception
    header = {"vi": "CSDL chia sẻ qua API", "en": "Datasets shared through APIs"}[lang]
    first = {"vi": "Tỉnh, thành phố", "en": "Province"}[lang]
    element = next(d for d in at.dataframe if list(d.value.columns[:1]) == [first])
    shown = element.displayed
    # coverage as of 03-08: P1 has D2 (API, shared) of D2, D5 operating -> 1/2; P2 has D4 (no API) of D4 -> 0/1
    assert shown[header].tolist() == [zero, half]  # P2 first (worst status first), then P1
    assert element.raw_value[header].tolist() == [0.0, 0.5]  # values under the text: a click sorts by them
    config = element.proto.columns
    assert '"alignment": "left"' in config or '"alignment":"left"' in config


def test_the_page_tests_read_the_values_without_the_bars(app):
    at = open_page(app)
    element = next(d for d in at.dataframe if "Độ trễ p95 (ms)" in d.value.columns)
    # D3 (10 calls, 0 ok): a success rate of 0 (an empty bar); no latency: '–'
    assert element.displayed["Tỷ lệ thành công"].tolist()[-1] == "░░░░░ 0,0%"
    assert element.value["Tỷ lệ thành công"].tolist()[-1] == "0,0%"  # tests/conftest.py: what page tests compare
    assert element.value["Độ trễ p95 (ms)"].tolist()[-1] == "–"
