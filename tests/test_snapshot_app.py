"""AppTest of the Snapshots page and of the overview's cards against a stored snapshot, on tiny-fixture copies.

Hand-made stored week 2026-W09 (scope `all` only): exchange_success_rate 0.995 (green), dossier_reuse_rate 0.5
(amber). Week 2026-W10 of the fixture (tests/test_kpis.py): exchange_success_rate 196/210 = 0.933 (red),
dossier_reuse_rate 38/70 = 0.543 (amber). Re-querying 2026-W09 instead would give 30/60 = 0.5 and 5/20 = 0.25.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from snapshot_helpers import TODAY, fresh_base, store_week, write_pages, write_pdf
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.weekly import archive, snapshot
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


def make_buttons(at: AppTest) -> list[str]:
    """The labels of the buttons that open /snapshot-run on a week (administrators only)."""
    return [b.label for b in at.button if b.key and b.key.startswith("snapshot_make_")]


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
    # the default user (login mode none) is an administrator: a button to make the week, never a command
    assert make_buttons(at) == ["Tạo báo cáo tuần 2026-W10"] and not at.code
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
    assert make_buttons(at)[1] == "Tạo bù tuần 2026-W08"


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


# ---- the page speaks to leaders; the PDF in the page -----------------------------------------------------------

SHELL = ("python -m", "make ", "$ ", "--data-dir", "--week", "dashboard snapshot")


def page_text(at: AppTest) -> str:
    """Every text the page shows: titles, headings, paragraphs, captions, alerts, code, links, table headers."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "code") for e in at.get(kind)]
    parts += [e.value for kind in ("info", "warning", "error", "success") for e in at.get(kind)]
    parts += [e.label for e in at.button] + [e.label for e in at.selectbox]
    parts += [" ".join(map(str, d.value.columns)) for d in at.dataframe]
    return "\n".join(parts)


def pdftoppm() -> None:
    """The PDF is drawn by poppler's pdftoppm: skipped where it is missing, a failure in CI (.ci/run installs it)."""
    if shutil.which("pdftoppm"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("pdftoppm is missing in CI: .ci/run installs poppler-utils")
    pytest.skip("pdftoppm (poppler-utils) is not installed")


@pytest.fixture(scope="module")
def with_pdf(tiny_base, tmp_path_factory) -> Path:
    """Stored weeks: W09 with a 2-page report.pdf (hand-written, tests/snapshot_helpers.write_pdf), W07 without one.
    W10 (the latest complete week) and W08 have none: the banner and the catch-up line show."""
    base = fresh_base(tiny_base, tmp_path_factory.mktemp("pdf"))
    write_pdf(store_week(base, Week(2026, 9), STORED) / "report.pdf", pages=2)
    store_week(base, Week(2026, 7), STORED)
    return base


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", ["admin", "leader"])
def test_the_page_shows_no_shell_command_and_links_admins_to_the_run_page(with_pdf, monkeypatch, role, lang):
    monkeypatch.setenv("DASHBOARD_ROLE", role)
    at = app(with_pdf, monkeypatch, lang=lang).switch_page(PAGE).run()
    assert not at.exception
    text = page_text(at)
    assert "2026-W10" in text and "2026-W08" in text  # the page still says which weeks are missing
    assert not [s for s in SHELL if s in text], text
    assert not at.code
    made = {"vi": ["Tạo báo cáo tuần 2026-W10", "Tạo bù tuần 2026-W08"]}.get(lang)
    made = made or ["Make the report of week 2026-W10", "Catch up week 2026-W08"]
    assert make_buttons(at) == (made if role == "admin" else [])


def test_the_button_opens_the_run_page_on_its_week(with_pdf, monkeypatch):
    at = app(with_pdf, monkeypatch).switch_page(PAGE).run()
    at = at.button(key="snapshot_make_2026-W08").click().run()  # the catch-up button of the earlier week
    assert not at.exception
    assert [t.value for t in at.title] == ["Chạy ảnh chụp tuần"]
    assert at.text_input(key="snaprun_week").value == "2026-W08"  # not the default, the last complete week W10
    # (a rerun of AppTest goes back to the page it started on: typing on the run page is tested below)


def test_the_run_page_opened_by_a_link_takes_its_week(tiny_base, tmp_path, monkeypatch):
    at = app(fresh_base(tiny_base, tmp_path), monkeypatch, week="2026-W08")
    at._page_hash = calc_hash("snapshot-run")
    at = at.run()
    assert not at.exception
    assert at.text_input(key="snaprun_week").value == "2026-W08"
    at.text_input(key="snaprun_week").input("2026-W09").run()  # the URL's week does not come back on a rerun
    assert at.run().text_input(key="snaprun_week").value == "2026-W09"
    at = app(fresh_base(tiny_base, tmp_path / "b"), monkeypatch, week="not-a-week")
    at._page_hash = calc_hash("snapshot-run")
    assert at.run().text_input(key="snaprun_week").value == "2026-W10"


def test_the_pdf_of_the_chosen_week_is_shown_in_the_page(with_pdf, monkeypatch):
    pdftoppm()
    at = app(with_pdf, monkeypatch, week="2026-W09").switch_page(PAGE).run()
    assert not at.exception
    assert at.selectbox(key="snapshot_week").value == "2026-W09"
    assert "Báo cáo PDF tuần 2026-W09" in [h.value for h in at.subheader]
    images = at.get("image")  # one picture per page of the hand-written 2-page PDF
    assert [c for i in images for c in i.captions] == ["Trang 1/2", "Trang 2/2"]
    assert not [i for i in at.info if "PDF" in i.value]
    assert "report.pdf" in [b.proto.label for b in at.get("download_button")]  # the download stays


def test_a_week_without_pdf_says_so(with_pdf, monkeypatch):
    at = app(with_pdf, monkeypatch, week="2026-W07", lang="en").switch_page(PAGE).run()
    assert not at.exception
    assert "Week 2026-W07 has no PDF report. The week's other files can still be downloaded above." in [
        i.value for i in at.info
    ]
    assert not at.get("image")


def test_a_server_without_pdftoppm_offers_the_download(with_pdf, monkeypatch):
    def unavailable(path):
        raise archive.PreviewUnavailable("pdftoppm (poppler-utils) is not installed")

    monkeypatch.setattr(archive, "pdf_preview", unavailable)
    monkeypatch.setenv("DASHBOARD_ROLE", "leader")
    at = app(with_pdf, monkeypatch, week="2026-W09").switch_page(PAGE).run()
    assert not at.exception
    assert any("hãy tải tệp report.pdf ở trên" in i.value for i in at.info)
    assert "poppler" not in page_text(at)  # the package is named to administrators only
    assert not at.get("image")


def test_pdf_preview_draws_the_pages_as_pictures(tmp_path):
    pdftoppm()
    from PIL import Image

    path = write_pdf(tmp_path / "report.pdf", pages=3)
    preview = archive.pdf_preview(path, most=2)
    assert (len(preview.images), preview.pages) == (2, 3)  # two drawn, three counted
    page = Image.open(io.BytesIO(preview.images[0])).convert("RGB")
    # A4 at 130 dpi, rounded up by pdftoppm: 595.28 pt / 72 * 130 = 1074.8 -> 1075 px, 841.89 / 72 * 130 = 1520.1
    # -> 1521 px
    assert page.size == (1075, 1521)
    assert page.getpixel((10, 10)) == (255, 255, 255)  # inside the 50 pt (90 px) white margin
    r, g, b = page.getpixel((537, 760))  # the middle: the rectangle, RGB 0.1 0.2 0.6 = (25.5, 51, 153)
    assert abs(r - 26) <= 2 and abs(g - 51) <= 2 and abs(b - 153) <= 2
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ValueError, match="cannot draw broken.pdf"):
        archive.pdf_preview(tmp_path / "broken.pdf")
