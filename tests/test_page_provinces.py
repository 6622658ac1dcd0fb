"""AppTest of the Provinces page on the tiny fixture, period 2026-03-02 .. 03-08; expected cells worked out by hand
(tests/test_provinces_scorecard.py has the arithmetic). Thresholds (green / amber) from metrics.md:
connected 0.90/0.60, exchange 0.99/0.95, dossier reuse 0.80/0.50, pre-fill 0.92/0.42, quality 0.90/0.75,
ownership 0.95/0.80, SPI 0.95/0.85. The held user's view is tested in tests/test_security.py."""

from __future__ import annotations

import pytest
from apptest_helpers import figures, metrics, open_page, rows, table

PAGE = "pages/leaders/provinces.py"
COLUMNS_VI = [  # short headers; the full KPI name is each column's help
    "Cơ quan kết nối",
    "Giao dịch thành công",
    "Hồ sơ dùng lại dữ liệu",
    "Trường điền sẵn",
    "Chất lượng dữ liệu",
    "Có chủ quản, phụ trách",
    "Tiến độ (SPI)",
]
P1_VI = [
    "100,0% · Đạt",  # P1C, P1X connected: 2/2
    "97,3% · Cần chú ý",  # 146/150, between 0.95 and 0.99
    "80,0% · Đạt",  # 32/40 = 0.80, at the green threshold
    "92,5% · Đạt",  # 370/400
    "82,5% · Cần chú ý",  # (0.9 + 0.75) / 2
    "100,0% · Đạt",  # D2, D5 with steward: 2/2
    "58,8% · Chưa đạt",  # 1 / 1.7
]
P2_VI = [
    "50,0% · Chưa đạt",  # P2C of P2C, P2X
    "100,0% · Đạt",  # 80/80
    "20,0% · Chưa đạt",  # 6/30
    "30,0% · Chưa đạt",  # 60/200, under 0.42
    "97,5% · Đạt",  # (1 + 1 + 1 + 0.9) / 4
    "0,0% · Chưa đạt",  # D4 has no steward: 0/1
    "110,0% · Đạt",  # 1.1 / 1
]


def test_groups_provinces_and_map_in_vietnamese(app):
    at = open_page(app)
    assert not at.exception and not at.error
    assert at.title[0].value == "Tỉnh, thành"
    groups = table(at, "Nhóm")
    assert list(groups.columns) == ["Nhóm", *COLUMNS_VI]
    # one province per group on the fixture: each group row is its province's row (the mean of one value)
    assert rows(groups) == [["★ Thí điểm (1 tỉnh)", *P1_VI], ["Còn lại (1 tỉnh)", *P2_VI]]
    provinces = table(at, "Tỉnh, thành phố")
    # the fixture's extracts are late for this period in both provinces (engine/freshness.py): a last column says so
    assert list(provinces.columns) == ["Tỉnh, thành phố", "Số chỉ số chưa đạt", *COLUMNS_VI, "Dữ liệu về muộn"]
    # sorted by the first KPI (connected agencies), lowest first: P2 50 % before P1 100 %; ★ marks the pilot P1;
    # off track: P2 connected, reuse, pre-fill, ownership (4), P1 schedule (1)
    assert rows(provinces) == [
        ["Tỉnh P2", "4", *P2_VI, "▲ Dữ liệu về muộn"],
        ["★ Tỉnh P1", "1", *P1_VI, "▲ Dữ liệu về muộn"],
    ]
    (fig,) = figures(at)
    heat = fig["data"][0]
    hovers = [h for row in heat["text"] for h in row if h]
    assert hovers == [  # the fixture's provinces are not on the reference grid: one row below it, P1 then P2
        "<b>Tỉnh P1</b> · ★ Thí điểm<br>Tỷ lệ cơ quan đã kết nối: 100,0%<br>Đạt<br>▲ Dữ liệu về muộn",
        "<b>Tỉnh P2</b><br>Tỷ lệ cơ quan đã kết nối: 50,0%<br>Chưa đạt<br>▲ Dữ liệu về muộn",
    ]
    assert heat["z"][0][:2] == [2, 0]  # green, red
    legend = [(tr["name"], tr["marker"]["color"]) for tr in fig["data"][1:]]
    assert legend == [
        ("Đạt", "#1e7d3a"),
        ("Cần chú ý", "#c27c0e"),
        ("Chưa đạt", "#c0392b"),
        ("Không có dữ liệu", "#8a8f98"),
    ]
    assert [a["text"] for a in fig["layout"]["annotations"]] == [
        "★ Tỉnh P1<br><b>100,0%</b>",
        "Tỉnh P2<br><b>50,0%</b>",
    ]


def test_the_chosen_kpi_sorts_the_table_and_colours_the_map(app):
    at = open_page(app, kpi="schedule_performance")
    assert at.selectbox(key="provinces_kpi").value == "schedule_performance"
    names = [r[0] for r in rows(table(at, "Tỉnh, thành phố"))]
    assert names == ["★ Tỉnh P1", "Tỉnh P2"]  # SPI 58,8 % before 110 %
    heat = figures(at)[0]["data"][0]
    assert heat["z"][0][:2] == [0, 2]  # P1 red, P2 green
    at.selectbox(key="provinces_kpi").set_value("exchange_success_rate").run()
    assert [r[0] for r in rows(table(at, "Tỉnh, thành phố"))] == ["★ Tỉnh P1", "Tỉnh P2"]  # 97,3 % before 100 %
    assert at.query_params["kpi"] == "exchange_success_rate"


def test_opening_a_province_shows_the_pages_in_its_scope(app):
    at = open_page(app)
    at.selectbox(key="provinces_open").set_value("P1")
    at = at.button(key="provinces_open_go").click().run()
    assert not at.exception
    assert at.title[0].value == "Tổng quan"  # the overview, in P1's scope
    assert at.query_params["scope"] == "province:P1"
    assert at.sidebar.selectbox(key="f_scope").value == "province:P1"
    assert metrics(at)["Tỷ lệ giao dịch thành công"] == "97,3%"  # P1's 146/150, not all's 196/210


def test_a_province_scope_shows_its_row_only_and_no_groups(app):
    at = open_page(app, scope="province:P2")
    assert not at.exception
    assert [r[0] for r in rows(table(at, "Tỉnh, thành phố"))] == ["Tỉnh P2"]
    assert not [d for d in at.dataframe if "Nhóm" in d.value.columns]
    assert any("một tỉnh" in i.value for i in at.info)
    heat = figures(at)[0]["data"][0]
    # the 34 reference provinces (the provinces table of the fixture holds P1, P2): P1 outside, P2 red
    hovers = [h for row in heat["text"] for h in row if h]
    assert hovers == [
        "Tỉnh P1: ngoài phạm vi của bạn",
        "<b>Tỉnh P2</b><br>Tỷ lệ cơ quan đã kết nối: 50,0%<br>Chưa đạt<br>▲ Dữ liệu về muộn",
    ]


def test_an_agency_scope_asks_for_a_province(app):
    at = open_page(app, scope="agency:C1")
    assert not at.exception
    assert any("so sánh các tỉnh" in i.value for i in at.info)
    assert not at.dataframe


def test_english(app):
    at = open_page(app, lang="en")
    assert not at.exception
    assert at.title[0].value == "Provinces"
    groups = table(at, "Group")
    assert rows(groups)[0][:3] == ["★ Pilots (1 provinces)", "100.0% · On track", "97.3% · Needs attention"]
    provinces = table(at, "Province")
    assert rows(provinces)[0] == [
        "Province P2",
        "4",
        "50.0% · Off track",
        "100.0% · On track",
        "20.0% · Off track",
        "30.0% · Off track",
        "97.5% · On track",
        "0.0% · Off track",
        "110.0% · On track",
        "▲ Late data",
    ]
    hovers = [h for row in figures(at)[0]["data"][0]["text"] for h in row if h]
    assert hovers[0] == "<b>Province P1</b> · ★ Pilot<br>Agencies connected: 100.0%<br>On track<br>▲ Late data"


def test_the_download_holds_the_values_and_the_words(app, monkeypatch):
    from download_helpers import Downloads

    files = Downloads(monkeypatch)  # the files fetched as a browser does (deferred downloads)
    open_page(app)
    stored = dict(files.files())
    lines = stored["provinces_scorecard_2026-03-02_2026-03-08_all.csv"].decode("utf-8-sig").splitlines()
    assert lines[0].startswith('"Tỉnh, thành phố",Số chỉ số chưa đạt,Mã tỉnh,Thí điểm,Cơ quan kết nối,')
    # P2: connected 1/2, exchange 80/80, reuse 6/30, pre-fill 60/200, quality 3.9/4, ownership 0/1, SPI 1.1/1
    assert lines[1] == (
        "Tỉnh P2,4,P2,false,0.5,Chưa đạt,1.0,Đạt,0.2,Chưa đạt,0.3,Chưa đạt,0.975,Đạt,0.0,Chưa đạt,1.1,Đạt"
    )
    groups = stored["provinces_groups_2026-03-02_2026-03-08_all.csv"].decode("utf-8-sig").splitlines()
    assert groups[0].startswith("Nhóm,Cơ quan kết nối,") and "Mã tỉnh" not in groups[0]
    assert groups[2].startswith("Còn lại (1 tỉnh),0.5,Chưa đạt,1.0,Đạt,")


def test_a_period_without_flows_shows_no_data_not_zero(app):
    # 2026-05-04..10: no exchange, no dossier; quality and ownership are states and still count (as of 05-10)
    at = open_page(app, start="2026-05-04", end="2026-05-10")
    assert not at.exception and not at.error
    p1 = next(r for r in rows(table(at, "Tỉnh, thành phố")) if r[0] == "★ Tỉnh P1")
    assert p1[2:6] == [
        "0,0% · Chưa đạt",  # connected: 0 of 2 bodies (a count over no rows is 0)
        "– · Không có dữ liệu",  # exchange success: no calls, 0/0 is null
        "– · Không có dữ liệu",  # dossier reuse: no dossiers
        "– · Không có dữ liệu",  # pre-fill: no fields
    ]
    # Streamlit draws a null cell as "None" whatever the display value says: a missing value is held as +inf
    # (it sorts after every real value) and written '–'
    grid = next(d for d in at.dataframe if "Tỉnh, thành phố" in d.raw_value.columns)
    assert grid.raw_value.iloc[:, 3:6].notna().all().all()


def test_the_scorecard_sorts_by_value_and_tints_each_cell_by_its_status(app):
    """Under the words, the cells hold the KPI values (a header click sorts by value, not by text), and each cell
    has the tint of its status: P2's connected agencies 50 % (red), P1's 100 % (green)."""
    at = open_page(app)
    grid = next(d for d in at.dataframe if "Tỉnh, thành phố" in d.raw_value.columns)
    connected = grid.raw_value.columns[2]
    assert grid.raw_value[connected].tolist() == [pytest.approx(0.5), pytest.approx(1.0)]
    styles = grid.proto.arrow_data.styler.styles
    assert "rgba(207, 34, 46, 0.18)" in styles and "rgba(26, 127, 55, 0.16)" in styles
