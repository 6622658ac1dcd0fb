"""AppTest of the Pace to 2030 page and of the target on the KPI cards, on tests/pace_fixture.py (as of Sunday
2026-03-29), in Vietnamese and English, with and without kpi_targets. The expected numbers are those worked out by
hand in tests/test_pace.py; here they are checked as the page shows them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_helpers import figures, open_page, rows, table
from pace_fixture import write_pace_fixture

PAGE = "pages/leaders/pace.py"
WEEK = {"start": "2026-03-23", "end": "2026-03-29"}


@pytest.fixture(scope="module")
def app_data(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pace_page")
    write_pace_fixture(base)
    return base


@pytest.fixture(scope="module")
def no_targets(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pace_page_none")
    write_pace_fixture(base, with_targets=False)
    return base


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-31")


def markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_vietnamese_summary_roads_and_phases(app):
    at = open_page(app, **WEEK)
    assert not at.exception
    shown = rows(table(at, "Chỉ tiêu", "Tiến độ"))
    by_kpi = {r[0]: r for r in shown}
    assert [r[0] for r in shown] == [
        "Tỷ lệ CSDL được chia sẻ qua API",
        "Tỷ lệ giao dịch thành công",
        "Tỷ lệ hồ sơ sử dụng lại dữ liệu",
        "Tỷ lệ thông tin được điền sẵn",
        "Đúng",
    ]
    # dossier_reuse_rate (test_pace.py): target 0.80 by 2026-06-28, v 0.62, slope 0.02, required 0.18 / 13 =
    # 0.0138 (1,38 points a week), projected 0.88, expected on 2026-05-31: on pace.
    assert by_kpi["Tỷ lệ hồ sơ sử dụng lại dữ liệu"] == [
        "Tỷ lệ hồ sơ sử dụng lại dữ liệu",
        "Đúng tiến độ",
        "80,0%",
        "28/06/2026",
        "mục tiêu chung toàn quốc",
        "62,0%",
        "+2,00 điểm %/tuần",
        "+1,38 điểm %/tuần",
        "88,0%",
        "31/05/2026",
        "Căn cứ RE-1",
    ]
    # prefill_rate: 0.555 + 0.005 x 13 = 0.62 < 0.92, off pace; required 0.365 / 13 = 2,81 points a week.
    assert by_kpi["Tỷ lệ thông tin được điền sẵn"][1:8] == [
        "Chậm tiến độ",
        "92,0%",
        "28/06/2026",
        "mục tiêu chung toàn quốc",
        "55,5%",
        "+0,50 điểm %/tuần",
        "+2,81 điểm %/tuần",
    ]
    assert by_kpi["Tỷ lệ CSDL được chia sẻ qua API"][1:3] == ["Không còn mục tiêu", "–"]  # its target has passed
    assert by_kpi["Đúng"][1] == "Chưa đủ dữ liệu xu hướng"  # 3 weeks with a value
    assert by_kpi["Tỷ lệ giao dịch thành công"][1] == "Đã đạt mục tiêu"
    # Per targeted KPI: the last 12 weeks close up, then the road to 2030 with the three phases as bands (the
    # series starts on 2026-01-11, in the first phase, so all three show).
    figs = figures(at)
    roads = [fig for fig in figs if fig["layout"].get("shapes")]
    assert len(figs) == 10 and len(roads) == 5
    assert all(len(fig["layout"]["shapes"]) == 3 for fig in roads)
    assert [a["text"] for a in roads[0]["layout"]["annotations"]] == [
        "Giai đoạn 2025-2026",
        "Giai đoạn 2026-2028",
        "Giai đoạn 2028-2030",
    ]
    reuse = roads[2]  # catalogue order: sharing_coverage, exchange_success_rate, dossier_reuse_rate, ...
    names = [t.get("name") for t in reuse["data"]]
    assert names == ["Theo tuần", "Đường đến mục tiêu", "Dự báo", "Mục tiêu"]
    assert reuse["data"][1]["y"] == [0.62, 0.8]  # straight line from the latest value to the target
    assert reuse["data"][2]["y"][-1] == pytest.approx(0.88)  # projected: 0.62 + 0.02 x 13
    assert reuse["data"][0]["y"][5] is None  # the null week is a gap
    assert ":green-badge[:material/trending_up: Đúng tiến độ]" in markdown(at)


def test_english_with_a_province_s_own_target(app):
    at = open_page(app, lang="en", scope="province:P1", **WEEK)
    assert not at.exception
    by_kpi = {r[0]: r for r in rows(table(at, "KPI", "Pace"))}
    # P1's own target 0.75 by 2026-05-03: w = 5, projected 0.72 < 0.75, required 0.13 / 5 = 0.026 (2.60 points),
    # expected after ceil(6.5) = 7 weeks, on 2026-05-17: off pace.
    assert by_kpi["Dossiers reusing data"] == [
        "Dossiers reusing data",
        "Off pace",
        "75.0%",
        "3 May 2026",
        "this scope's own target",
        "62.0%",
        "+2.00 pts/week",
        "+2.60 pts/week",
        "72.0%",
        "17 May 2026",
        "Basis RE-P1",
    ]


def test_cards_show_the_target_and_the_pace_word(app):
    app.switch_page("pages/leaders/overview.py")
    at = open_page(app, **WEEK)
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Mục tiêu 80,0% trước 28/06/2026" in captions  # dossier_reuse_rate's card
    assert "Mục tiêu 92,0% trước 28/06/2026" in captions  # prefill_rate's card
    assert ":red-badge[:material/trending_down: Chậm tiến độ]" in markdown(at)
    # sharing_coverage's only target has passed: its card shows no target.
    assert not any(c.startswith("Mục tiêu 80,0% trước 01/03/2026") for c in captions)


@pytest.mark.parametrize("lang, text", [("vi", "Chưa đặt mục tiêu nào"), ("en", "No targets are set")])
def test_without_kpi_targets_the_page_says_so(app, no_targets, monkeypatch, lang, text):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(no_targets))
    at = open_page(app, lang=lang, **WEEK)
    assert not at.exception
    assert any(i.value.startswith(text) for i in at.info)
    assert not figures(at)


def test_without_kpi_targets_cards_have_no_target(app, no_targets, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(no_targets))
    app.switch_page("pages/leaders/overview.py")
    at = open_page(app, **WEEK)
    assert not at.exception
    assert not [c.value for c in at.caption if c.value.startswith("Mục tiêu")]
    assert not [m for m in markdown(at) if "trending" in m]
