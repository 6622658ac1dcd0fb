"""AppTest of the Snapshots page and of the overview's cards against a stored snapshot, on tiny-fixture copies.

Hand-made stored week 2026-W09 (scope `all` only): exchange_success_rate 0.995 (green), dossier_reuse_rate 0.5
(amber). Week 2026-W10 of the fixture (tests/test_kpis.py): exchange_success_rate 196/210 = 0.933 (red),
dossier_reuse_rate 38/70 = 0.543 (amber). Re-querying 2026-W09 instead would give 30/60 = 0.5 and 5/20 = 0.25.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from snapshot_helpers import TODAY, fresh_base, store_week, write_pages
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.weekly import snapshot
from dashboard.weekly.snapshot import Week

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/leaders/snapshots.py"
STORED = {"exchange_success_rate": (0.995, "green"), "dossier_reuse_rate": (0.5, "amber")}


@pytest.fixture(scope="module")
def stored_base(tiny_base, tmp_path_factory) -> Path:
    """The fixture with a stored W09 only (the latest complete week, W10, has no snapshot)."""
    base = fresh_base(tiny_base, tmp_path_factory.mktemp("stored"))
    store_week(base, Week(2026, 9), STORED)
    return base


@pytest.fixture(scope="module")
def two_weeks(tiny_base, tmp_path_factory) -> Path:
    """The fixture with the stored W09 and a real snapshot of W10."""
    where = tmp_path_factory.mktemp("two")
    base = fresh_base(tiny_base, where)
    store_week(base, Week(2026, 9), STORED, scopes=(("all", None), ("province", "P1")))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_TODAY", TODAY)
        mp.setenv("DASHBOARD_PAGES_DIR", str(write_pages(where / "pages")))
        code = snapshot.run(base, formats="parquet", out=io.StringIO(), err=io.StringIO())
    assert code == 0
    return base


def app(base: Path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(base))
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "custom", "start": "2026-03-02", "end": "2026-03-08", **params})
    return at


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_overview_cards_change_against_the_stored_previous_week(stored_base, monkeypatch):
    at = app(stored_base, monkeypatch).run()
    assert not at.exception
    cards = {m.label: m for m in at.metric}
    # 196/210 - 0.995 = -0.0617: -6,2 points (re-querying W09 would say 0.933 - 0.5 = +43,3)
    assert cards["Tỷ lệ giao dịch thành công"].delta == "-6,2 điểm %"
    # 38/70 - 0.5 = +0.0429: +4,3 points (re-querying: 0.543 - 0.25 = +29,3)
    assert cards["Tỷ lệ hồ sơ sử dụng lại dữ liệu"].delta == "+4,3 điểm %"
    assert "Thay đổi so với báo cáo tuần 2026-W09 đã lưu" in captions(at)


def test_overview_cards_compare_as_before_when_the_period_is_not_one_week(stored_base, monkeypatch):
    at = app(stored_base, monkeypatch, start="2026-03-03", end="2026-03-09").run()  # Tuesday to Monday
    assert not at.exception
    assert "đã lưu" not in captions(at)
    # re-queried: 03-03..03-09 has E1..E5 and E7 (03-09, 10/10): 206/220; 02-24..03-02 has E6 30/60 = 0.5
    cards = {m.label: m for m in at.metric}
    assert cards["Tỷ lệ giao dịch thành công"].delta == "+43,6 điểm %"  # 206/220 - 0.5 = 0.436


def test_page_shows_a_banner_when_the_latest_week_has_no_snapshot(stored_base, monkeypatch):
    at = app(stored_base, monkeypatch).switch_page(PAGE).run()
    assert not at.exception
    assert len(at.warning) == 1 and "2026-W10" in at.warning[0].value and "02/03/2026" in at.warning[0].value
    assert "python -m dashboard snapshot" in at.code[0].value
    listing = at.dataframe[0].value
    assert listing["Tuần"].tolist() == ["2026-W09"]
    assert "Cần ít nhất hai tuần" in " ".join(i.value for i in at.info)


def test_page_lists_weeks_with_files_and_compares_two_weeks(two_weeks, monkeypatch):
    at = app(two_weeks, monkeypatch).switch_page(PAGE).run()
    assert not at.exception
    assert not at.warning  # W10 is stored now
    listing = at.dataframe[0].value
    assert listing["Tuần"].tolist() == ["2026-W10", "2026-W09"]
    assert listing["Các tệp"].tolist()[0] == "kpis.parquet, manifest.json"
    assert at.selectbox(key="snapshot_week").value == "2026-W10"
    downloads = [b.proto.label for b in at.get("download_button")]
    assert {"kpis.parquet", "manifest.json"} <= set(downloads)
    # default comparison: the week before the latest, against the latest
    assert (at.selectbox(key="snapshot_a").value, at.selectbox(key="snapshot_b").value) == ("2026-W09", "2026-W10")
    compared = at.dataframe[1].value.set_index("Chỉ số")
    success = compared.loc["Tỷ lệ giao dịch thành công"]
    assert success["Tuần 2026-W09"] == "99,5%" and success["Tuần 2026-W10"] == "93,3%"
    assert success["Thay đổi"] == "-6,2 điểm %"
    assert success["Trạng thái thay đổi"] == "● Đạt → ◆ Chưa đạt"
    assert compared.loc["Tỷ lệ hồ sơ sử dụng lại dữ liệu"]["Trạng thái thay đổi"] == "▲ Cần chú ý"  # unchanged


def test_page_reads_the_scope_filter(two_weeks, monkeypatch):
    at = app(two_weeks, monkeypatch, scope="province:P1").switch_page(PAGE).run()
    assert not at.exception
    assert "Tỉnh P1" in captions(at)
    success = at.dataframe[1].value.set_index("Chỉ số").loc["Tỷ lệ giao dịch thành công"]
    # P1 in W10: E1 98/100, E3 18/20, E4 30/30 = 146/150 = 0.973 (amber); stored W09: 0.995 (green)
    assert (success["Tuần 2026-W10"], success["Thay đổi"]) == ("97,3%", "-2,2 điểm %")
    assert success["Trạng thái thay đổi"] == "● Đạt → ▲ Cần chú ý"
    at.selectbox(key="snapshot_a").set_value("2026-W10").run()
    assert any("hai tuần khác nhau" in i.value for i in at.info)


def test_page_says_when_a_week_has_no_rows_for_the_scope(two_weeks, monkeypatch):
    at = app(two_weeks, monkeypatch, scope="province:P2").switch_page(PAGE).run()  # the hand-made W09 has no P2
    assert not at.exception
    assert any("Tỉnh P2" in i.value for i in at.info)


def test_page_lists_earlier_weeks_left_out(tiny_base, tmp_path, monkeypatch):
    # stored: W07 and W09; the last complete week is W10: the banner names W10, and W08 is listed to catch up
    base = fresh_base(tiny_base, tmp_path)
    for week in (Week(2026, 7), Week(2026, 9)):
        store_week(base, week, STORED)
    at = app(base, monkeypatch).switch_page(PAGE).run()
    assert not at.exception
    assert "2026-W10" in at.warning[0].value
    assert "Các tuần trước cũng chưa có báo cáo: 2026-W08." in captions(at)
    assert at.code[1].value.endswith("--week 2026-W08")


def test_the_snapshot_run_page_shows_each_step_as_it_comes(tiny_base, tmp_path, monkeypatch):
    """/snapshot-run lists the run's steps in a status box (label = the last step, then the outcome), not a
    spinner: the steps of a parquet-only run are [1/2] (KPIs) and [2/2] (the report's content)."""
    base = fresh_base(tiny_base, tmp_path)
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(write_pages(tmp_path / "pages")))
    monkeypatch.setenv("DASHBOARD_CHROMIUM", str(tmp_path / "no-chromium"))
    at = app(base, monkeypatch)
    at._page_hash = calc_hash("snapshot-run")  # its url path (AppTest.switch_page goes by the file's name)
    at = at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Chạy ảnh chụp tuần"]
    at.text_input(key="snaprun_week").input("2026-W10")
    at = at.button(key="snaprun_go").click().run()
    assert not at.exception
    steps = [m.value for m in at.markdown if m.value.startswith("**[")]
    assert steps and steps[0].startswith("**[1/") and len(steps) >= 2
    assert all(s.endswith("**") for s in steps)
    assert "Kết thúc với mã 0." in [s.value for s in at.success]
    assert (base / "snapshots" / "2026-W10" / "kpis.parquet").exists()
