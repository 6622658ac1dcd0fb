"""SQL pages inside the app (AppTest): the examples render in both languages, widgets live in the URL, a
new file shows on the next run, scope applies, and a broken page stays contained (analysts see the error,
leaders a polite notice). Numbers from the hand sums in tests/test_sqlpages.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_sqlpages import DOSSIERS_BY_AGENCY, write_tiny_plus

from dashboard.config import ROOT

YOY = "phan_tich-tang_truong_khai_thac_theo_tinh"
UNUSED = "phan_tich-du_lieu_chia_se_chua_khai_thac"
REDECLARED = "phan_tich-thu_tuc_khai_bao_lai_theo_tinh"
WEEK = {"period": "custom", "start": "2026-03-02", "end": "2026-03-08"}


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Open a page registered by st.navigation under `url_path`, as a browser visiting /<url_path> would."""
    at._page_hash = calc_hash(url_path)
    return at.run()


def app(monkeypatch, base, today: str, **params) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(base))
    monkeypatch.setenv("DASHBOARD_TODAY", today)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update(params)
    return at


def cells(at: AppTest, index: int = 0) -> list[list[str]]:
    df = at.dataframe[index].value
    return [list(map(str, row)) for row in df.itertuples(index=False)]


@pytest.fixture(scope="module")
def plus_base(tmp_path_factory):
    return write_tiny_plus(tmp_path_factory.mktemp("tiny_plus_app"))


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("url", [YOY, UNUSED, REDECLARED])
def test_each_example_page_renders_on_demo_data(demo_base, monkeypatch, url, lang):
    at = open_page(app(monkeypatch, demo_base, "2025-10-01", lang=lang), url)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value  # the page's own title, not a fallback
    assert at.dataframe, "the page shows its table"
    assert at.dataframe[0].value.shape[0] >= 1


def test_the_yoy_page_shows_the_hand_numbers_in_the_locale(plus_base, monkeypatch):
    at = open_page(app(monkeypatch, plus_base, "2026-03-10", **WEEK, p_min_base="50"), YOY)
    assert not at.exception and not at.error
    assert at.title[0].value == "Tỉnh xếp hạng theo mức tăng khai thác dữ liệu so với cùng kỳ năm trước"
    # the range follows the sidebar's week; min_base 50 came from the URL
    key = f"sqlp_{YOY}"
    assert at.number_input(key=f"{key}_min_base").value == 50
    # P1 146 vs 73: +100,0 %; P2 50 vs 100: -50,0 %
    assert cells(at) == [["1", "Tỉnh P1", "146", "73", "100,0%"], ["2", "Tỉnh P2", "50", "100", "-50,0%"]]
    # KPI cards: the sums 146 + 50 and 73 + 100
    assert [m.value for m in at.metric] == ["196", "173"]


def test_a_page_widget_is_kept_in_the_url_and_read_back(plus_base, monkeypatch):
    at = open_page(app(monkeypatch, plus_base, "2026-03-10", **WEEK, lang="en"), YOY)
    at.selectbox(key=f"sqlp_{YOY}_region").set_value("Mekong River Delta").run()
    assert at.query_params["p_region"] == "Mekong River Delta"
    assert [row[1] for row in cells(at)] == ["Province P2"]
    again = open_page(app(monkeypatch, plus_base, "2026-03-10", **WEEK, lang="en", p_region="Mekong River Delta"), YOY)
    assert again.selectbox(key=f"sqlp_{YOY}_region").value == "Mekong River Delta"
    assert [row[1] for row in cells(again)] == ["Province P2"]


def test_the_page_range_follows_the_sidebar_period(plus_base, monkeypatch):
    at = open_page(app(monkeypatch, plus_base, "2026-03-10", **WEEK), UNUSED)
    key = f"sqlp_{UNUSED}_period"
    assert [d.isoformat() for d in at.date_input(key=key).value] == ["2026-03-02", "2026-03-08"]
    at.selectbox(key="f_period").set_value("last_4_weeks").run()
    # the 4 complete weeks before Tuesday 2026-03-10: Monday 2026-02-09 .. Sunday 2026-03-08
    assert [d.isoformat() for d in at.date_input(key=key).value] == ["2026-02-09", "2026-03-08"]


def test_a_new_page_file_shows_on_the_next_run_and_respects_the_scope(tiny_base, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(tmp_path))
    (tmp_path / "kiem_thu").mkdir()
    at = app(monkeypatch, tiny_base, "2026-03-10", **WEEK, scope="province:P1").run()
    assert not at.exception
    (tmp_path / "kiem_thu" / "ho_so.sql").write_text(DOSSIERS_BY_AGENCY, encoding="utf-8")
    open_page(at, "kiem_thu-ho_so")  # no restart: the next run finds the file
    assert not at.exception and not at.error
    assert at.title[0].value == "Hồ sơ theo cơ quan"
    # under province:P1 only P1's bodies: K1 P1C 10, K2 P1X 30 (P2C's K3 is not in P1's database)
    assert cells(at) == [["P1C", "10"], ["P1X", "30"]]
    at.selectbox(key="f_scope").set_value("all").run()
    assert cells(at) == [["P1C", "10"], ["P1X", "30"], ["P2C", "30"]]


BROKEN = """/* ---
title: {vi: Trang hỏng, en: Broken page}
charts:
  - {type: pie}
--- */
select 1 as one
"""


@pytest.mark.parametrize("role", ["analyst", "leader"])
def test_a_broken_page_is_contained(tiny_base, monkeypatch, tmp_path, role):
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(tmp_path))
    monkeypatch.setenv("DASHBOARD_ROLE", role)
    (tmp_path / "kiem_thu").mkdir()
    (tmp_path / "kiem_thu" / "hong.sql").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "kiem_thu" / "ho_so.sql").write_text(DOSSIERS_BY_AGENCY, encoding="utf-8")
    at = open_page(app(monkeypatch, tiny_base, "2026-03-10", **WEEK), "kiem_thu-hong")
    assert not at.exception
    shown = " ".join([e.value for e in at.error] + [c.value for c in at.code] + [i.value for i in at.info])
    if role == "analyst":
        assert "Trang SQL này có lỗi" in at.error[0].value
        assert "hong.sql, line 4: charts[0].type: unknown chart type 'pie'" in at.code[0].value
    else:
        assert not at.error and not at.code
        assert "Trang này tạm thời chưa hiển thị được" in at.info[0].value
        assert "pie" not in shown and "hong.sql" not in shown
    open_page(at, "kiem_thu-ho_so")  # the next page works
    assert not at.exception and not at.error
    assert cells(at) == [["P1C", "10"], ["P1X", "30"], ["P2C", "30"]]
    open_page(at, "overview")
    assert not at.exception and at.title[0].value == "Tổng quan"


def test_a_page_whose_sql_fails_at_run_time_is_contained(tiny_base, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(tmp_path))
    (tmp_path / "kiem_thu").mkdir()
    (tmp_path / "kiem_thu" / "loi.sql").write_text(
        DOSSIERS_BY_AGENCY.replace("sum(dossiers)", "sum(dossier_count)"), encoding="utf-8"
    )
    at = open_page(app(monkeypatch, tiny_base, "2026-03-10", **WEEK), "kiem_thu-loi")
    assert not at.exception
    assert "Trang SQL này có lỗi" in at.error[0].value
    # the header takes lines 1-9, so `select agency_id, sum(dossier_count) ...` is line 10
    assert 'loi.sql, line 10: Binder Error: Referenced column "dossier_count" not found' in at.code[0].value


def test_leaders_do_not_get_the_workbench(tiny_base, monkeypatch):
    monkeypatch.setenv("DASHBOARD_ROLE", "leader")
    at = open_page(app(monkeypatch, tiny_base, "2026-03-10", **WEEK), "overview")
    assert not at.exception
    with pytest.raises(ValueError):
        at.switch_page("pages/tools/workbench.py")


PLAIN = """/* ---
title: {vi: Trang không nhãn, en: Unlabelled page}
params:
  level: {type: select, options: [provincial, central]}
charts:
  - {type: bar, x: agency_id, y: [calls_ok], title: {vi: Lượt gọi, en: Calls}}
  - {type: line, x: agency_id, y: [nothing_yet], title: {vi: Chưa có, en: Not yet}}
  - {type: table}
--- */
select agency_id, 1981363 + row_number() over (order by agency_id) as calls_ok,
       cast(null as double) as nothing_yet, 2 as so_lan_goi
from agencies where level = $level order by agency_id
"""


@pytest.mark.parametrize(
    ("lang", "calls_ok", "own", "level", "empty"),
    [
        ("vi", "Lượt gọi thành công", "So lan goi", "Cấp", "Không có giá trị nào để vẽ biểu đồ"),
        ("en", "Successful calls", "So lan goi", "Level", "There is no value to chart"),
    ],
)
def test_a_page_without_labels_or_formats_reads_as_the_cards_do(
    tiny_base, monkeypatch, tmp_path, lang, calls_ok, own, level, empty
):
    """No labels or formats in the header: a contract column is titled by the contract's name for it, another by
    its name with spaces; a parameter by the contract's name; whole numbers with thousands separators on the
    axis and in the table (never 2e+6); a chart whose values are all null says so instead of drawing nothing."""
    import json

    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(tmp_path))
    (tmp_path / "kiem_thu").mkdir()
    (tmp_path / "kiem_thu" / "tho.sql").write_text(PLAIN, encoding="utf-8")
    at = open_page(app(monkeypatch, tiny_base, "2026-03-10", **WEEK, lang=lang), "kiem_thu-tho")
    assert not at.exception and not at.error, [c.value for c in at.code]
    assert at.selectbox(key="sqlp_kiem_thu-tho_level").label == level
    table = at.dataframe[0].value
    assert list(table.columns) == ["Mã cơ quan" if lang == "vi" else "Body code", calls_ok, "Nothing yet", own]
    first = table.iloc[0, 1]  # 1,981,363 + 1 in the language's grouping
    assert first == ("1.981.364" if lang == "vi" else "1,981,364")
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert bars["layout"]["yaxis"]["tickformat"] == ",d"
    assert bars["layout"]["yaxis"]["title"]["text"] == calls_ok
    assert len(at.get("plotly_chart")) == 1  # the all-null line chart is not drawn ...
    assert any(i.value.startswith(empty) for i in at.info)  # ... it says why
