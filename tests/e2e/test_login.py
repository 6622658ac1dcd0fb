"""Signing in, when a login mode is on: the password mode of dashboard/access/auth.py, on its own server. A fresh tab
on a deep link sees only the sign-in screen; a wrong password is refused; the right one opens the page asked for,
with the filters of the link."""

from __future__ import annotations

import subprocess
import sys

import pytest
from e2e_browser import ROOT, TODAY, kpi_cards, settle, url_params, url_path, watch

from dashboard.devtools.loadtest import Server
from dashboard.i18n import t

NAME, PASSWORD = "lanh.dao@example.vn", "mat-khau-e2e-Đủ-dài-42"


@pytest.fixture(scope="module")
def password_server(e2e_base, tmp_path_factory):
    folder = tmp_path_factory.mktemp("login")
    env = {
        "DASHBOARD_AUTH": "password",
        "DASHBOARD_USERS_FILE": str(folder / "users.json"),
        "STREAMLIT_SERVER_COOKIE_SECRET": "e2e-" + "x" * 40,
    }
    subprocess.run(
        [sys.executable, "-m", "dashboard", "users", "add", NAME, "--role", "leader", "--data-dir", str(e2e_base)],
        input=PASSWORD + "\n",
        text=True,
        cwd=ROOT,
        env={**Server(e2e_base).environment(), **env},
        check=True,
        capture_output=True,
    )
    with Server(e2e_base, today=TODAY, env=env, log=folder / "server.log") as srv:
        yield srv


def _sign_in(page, name: str, password: str) -> None:
    page.get_by_label(t("auth.name", "vi"), exact=True).fill(name)
    page.get_by_label(t("auth.password", "vi"), exact=True).fill(password)
    page.get_by_role("button", name=t("auth.submit", "vi")).click()
    page.wait_for_timeout(300)
    settle(page)


def test_signing_in_opens_the_page_of_the_link(browser, password_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        visit = watch(page, password_server.url)
        page.goto(f"{password_server.url}/sharing?scope=province:HNI&period=last_12_weeks", wait_until="commit")
        settle(page)
        heading = page.locator("[data-testid=stMain] h1").first
        assert heading.inner_text() == t("auth.title", "vi")
        assert page.locator("[data-testid=stSidebarNav] a").count() == 0  # no menu before signing in
        assert kpi_cards(page) == {}

        _sign_in(page, NAME, "wrong password")
        assert t("auth.failed", "vi") in page.locator("[data-testid=stMain]").inner_text()
        assert heading.inner_text() == t("auth.title", "vi")

        _sign_in(page, NAME, PASSWORD)
        assert heading.inner_text() == t("sharing.title", "vi")
        assert url_path(page) == "sharing"
        assert (url_params(page)["scope"], url_params(page)["period"]) == ("province:HNI", "last_12_weeks")
        assert kpi_cards(page)
        assert visit.problems() == []
    finally:
        context.close()
