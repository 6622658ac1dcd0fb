"""Tables (dashboard/web/tables.py): each share has a bar column right after it (a progress bar from 0 to 1 with
no number of its own) while the share stays printed as the cards write it, both sorted by value, nulls '–'; the
Styler worked out once and shared (`prepared`) marshals exactly as the plain Styler does. Expected cells by hand
from tests/tiny_fixture.py."""

from __future__ import annotations

import json

import polars as pl
import pytest
from apptest_helpers import open_page
from streamlit import dataframe_util
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from dashboard.engine.kpi_text import cell_formatter, is_share_column
from dashboard.web.tables import BAR_MARK, bar_columns, is_bar_column, prepared, styled_table

PAGE = "pages/leaders/sharing.py"


def test_a_share_column_holds_values_from_0_to_1_only():
    assert is_share_column([0.0, 0.5, None, 1.0])
    assert not is_share_column([0.2, 1.3])  # e.g. an index over 100 %: no bar
    assert not is_share_column([-0.1, 0.5])  # e.g. a fall
    assert not is_share_column([None, None])  # nothing to draw
    assert bar_columns(["a", "b"]) == {"a": BAR_MARK, "b": BAR_MARK * 2}
    assert is_bar_column(BAR_MARK * 2) and not is_bar_column("") and not is_bar_column("Tỷ lệ")


def marshalled(styler) -> ArrowData:
    proto = ArrowData()
    marshall_styler(proto, styler, "fallback")
    proto.data = dataframe_util.convert_anything_to_arrow_bytes(styler)
    return proto


def display_values(proto: ArrowData) -> list[list]:
    return dataframe_util.convert_arrow_bytes_to_pandas_df(proto.styler.display_values).values.tolist()


def test_prepared_styler_marshals_as_the_plain_one_and_again_the_same():
    frame = pl.DataFrame({"name": ["A", None, "C"], "share": [0.923, None, 0.5], "count": [1234, 5, None]})
    kinds = {"share": "percent", "count": "number"}
    labels = {"name": "Tên", "share": "Tỷ lệ", "count": "Số"}
    shared = styled_table(frame, {}, kinds, labels, {"share": BAR_MARK}, "vi")
    plain = (
        frame.with_columns(pl.col(pl.String).fill_null("–"), pl.col("share").alias(BAR_MARK))
        # a missing value is held as the sentinel written '–' (a null cell is drawn "None"); a missing bar is null
        .with_columns(pl.col("share", "count").cast(pl.Float64).fill_null(float("inf")))
        .select("name", "share", BAR_MARK, "count")
        .rename(labels)
        .to_pandas()
        .style.format({"Tỷ lệ": cell_formatter("percent", "vi"), "Số": cell_formatter("number", "vi")}, na_rep="–")
    )
    plain.set_uuid(shared.uuid)
    first, second, expected = marshalled(shared), marshalled(shared), marshalled(plain)
    assert first == expected
    assert second == expected  # marshalled again from what was worked out once
    shown = display_values(first)
    assert [[r[0], r[1], r[3]] for r in shown] == [["A", "92,3%", "1.234"], ["–", "–", "5"], ["C", "50,0%", "–"]]
    # the data stays values: a header sorts by the share itself (its bar column too)
    data = dataframe_util.convert_arrow_bytes_to_pandas_df(first.data)
    assert list(data.columns) == ["Tên", "Tỷ lệ", BAR_MARK, "Số"]
    assert data["Tỷ lệ"].tolist()[::2] == data[BAR_MARK].tolist()[::2] == [0.923, 0.5]
    assert data[BAR_MARK].isna().tolist() == [False, True, False]
    assert data["Tỷ lệ"].tolist()[1] == data["Số"].tolist()[2] == float("inf")  # sorts after every value


def test_prepared_keeps_the_cell_colours():
    frame = pl.DataFrame({"x": ["● Đạt", "◆ Chưa đạt"], "v": [0.5, None]}).to_pandas()

    def styled():
        return frame.style.map(lambda v: "color: red" if str(v).startswith("◆") else "", subset=["x"]).format(
            na_rep="–"
        )

    plain, shared = styled(), prepared(styled())
    plain.set_uuid(shared.uuid)
    assert marshalled(shared) == marshalled(plain)
    assert "row1_col0 { color: red }" in marshalled(shared).styler.styles  # the second row's mark only


@pytest.mark.parametrize(
    ("lang", "header", "first", "values"),
    [
        ("vi", "CSDL chia sẻ qua API", "Tỉnh, thành phố", ["0,0%", "50,0%"]),
        ("en", "Datasets shared through APIs", "Province", ["0.0%", "50.0%"]),
    ],
)
def test_sharing_province_table_shows_bars_and_values_sorted_by_value(app, lang, header, first, values):
    at = open_page(app, lang=lang)
    assert not at.exception
    element = next(d for d in at.dataframe if list(d.value.columns[:1]) == [first])
    columns = list(element.displayed.columns)
    # coverage as of 03-08: P1 has D2 (shared, API) of D2 and D5 (restricted) operating -> 1/2; P2 has D4 (no
    # API) of D4 -> 0/1. P2 first (worst status first), then P1.
    assert element.value[header].tolist() == values  # printed as the cards write it
    bar = columns[columns.index(header) + 1]  # its bar right after it
    assert is_bar_column(bar)
    assert element.raw_value[header].tolist() == element.raw_value[bar].tolist() == [0.0, 0.5]  # sorted by these
    config = json.loads(element.proto.columns)[bar]
    assert config["type_config"] == {"type": "progress", "format": " ", "min_value": 0.0, "max_value": 1.0}
    assert config["help"] == header
    # three shares, three bars; the count of calls has none
    assert sum(is_bar_column(c) for c in columns) == 3
    assert columns[-1] == {"vi": "Lượt thành công", "en": "Successful calls"}[lang]


def test_only_shares_get_a_bar_and_a_missing_value_reads_a_dash(app):
    at = open_page(app)
    element = next(d for d in at.dataframe if "Độ trễ p95 (ms)" in d.value.columns)
    columns = list(element.displayed.columns)
    assert is_bar_column(columns[columns.index("Tỷ lệ thành công") + 1])
    assert not any(is_bar_column(c) for c in columns[columns.index("Tỷ lệ thành công") + 2 :])
    # D3 (10 calls, 0 ok): a success rate of 0 (an empty bar); no latency: '–'
    assert element.value["Tỷ lệ thành công"].tolist()[-1] == "0,0%"
    assert element.value["Độ trễ p95 (ms)"].tolist()[-1] == "–"
    # the data under it is the missing-number sentinel, not a null: the browser draws a null cell "None" whatever
    # its display value (the governance page's lifecycle table showed "None" for archived and retired datasets)
    assert element.raw_value["Độ trễ p95 (ms)"].tolist()[-1] == float("inf")


def test_missing_dates_and_times_keep_their_type_and_zone():
    import datetime as dt

    from dashboard.engine.kpi_text import MISSING_DATE
    from dashboard.web.tables import with_missing_marked

    utc = dt.datetime(2026, 1, 1, 5, tzinfo=dt.UTC)
    frame = pl.DataFrame(
        {"at": [utc, None], "local": [dt.datetime(2026, 1, 1, 5), None], "day": [dt.date(2026, 1, 1), None]},
        schema={"at": pl.Datetime("us", "UTC"), "local": pl.Datetime("us"), "day": pl.Date},
    )
    marked = with_missing_marked(frame, ["at", "local", "day"])
    assert marked.schema == frame.schema  # a time zone, a time of day are not lost
    assert marked["at"].to_list() == [utc, dt.datetime(9999, 12, 31, tzinfo=dt.UTC)]
    assert marked["local"].to_list() == [dt.datetime(2026, 1, 1, 5), dt.datetime(9999, 12, 31)]
    assert marked["day"].to_list() == [dt.date(2026, 1, 1), MISSING_DATE]
    # and each is written '–' in a table
    for column, kind in (("at", "datetime"), ("local", "datetime"), ("day", "date")):
        assert cell_formatter(kind, "vi")(marked[column].to_pandas()[1]) == "–"
