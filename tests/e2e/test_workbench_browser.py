"""The workbench in a real browser (issue 12, findings 1, 6, 7): a query that failed with a traceback shows one
sentence; a result downloads as a neutralised CSV through Streamlit's deferred download, and that fetch writes the
audit line; the table's own toolbar offers no CSV export (`client.disableDataExport`, passed by `serve`)."""

from __future__ import annotations

import json

from e2e_browser import main_text, open_page, settle

from dashboard.i18n import t


def run_query(page, sql: str) -> None:
    editor = page.get_by_label(t("workbench.editor", "vi"))
    editor.fill(sql)
    editor.press("Control+Enter")  # commits the text area's value
    settle(page)
    page.get_by_role("button", name=t("workbench.run", "vi")).click()
    page.wait_for_timeout(500)
    settle(page)


def audit_lines(base) -> list[dict]:
    return [json.loads(line) for f in sorted((base / "audit").glob("*.jsonl")) for line in f.read_text().splitlines()]


def test_the_workbench_answers_in_words_and_audits_its_download(context, server, e2e_base, tmp_path):
    visit = open_page(context, server.url, "workbench")
    page = visit.page
    run_query(page, "select interval 1 day as i")  # a Polars ComputeError and a traceback before the fix
    text = main_text(page)
    assert "Traceback" not in text and "ComputeError" not in text
    assert t("workbench.as_text", "vi", names="i") in text  # the table itself is drawn on a canvas
    run_query(page, "select '=1+2' as formula, -3 as n")
    before = [e for e in audit_lines(e2e_base) if e.get("event") == "download"]
    with page.expect_download() as event:
        page.locator("[data-testid=stDownloadButton]").filter(has_text=t("workbench.download_csv", "vi")).click()
    path = tmp_path / event.value.suggested_filename
    event.value.save_as(path)
    assert path.read_bytes().decode("utf-8-sig") == "formula,n\n'=1+2,-3\n"  # text neutralised, number untouched
    page.wait_for_timeout(500)
    after = [e for e in audit_lines(e2e_base) if e.get("event") == "download"]
    assert len(after) == len(before) + 1 and after[-1]["file"] == "workbench_result.csv"
    # the result table's toolbar: no "Download as CSV" of its own
    table = page.locator("[data-testid=stDataFrame]").last
    table.hover()
    page.wait_for_timeout(300)
    toolbar = page.locator("[data-testid=stElementToolbar]").last.inner_html()
    assert "Download" not in toolbar and "download" not in toolbar.lower()
    assert visit.problems() == []
