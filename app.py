"""Entry point: the door (sign-in), global filters and navigation. Routes only; pages render, dashboard/ decides."""

from pathlib import Path

import streamlit as st

from dashboard.config import data_dir
from dashboard.i18n import DEFAULT_LANG, LANGS, t
from dashboard.sqlpages import view as sqlpages
from dashboard.web import gate, ui

st.set_page_config(page_title="Chiến lược dữ liệu · Data Strategy", page_icon=":material/insights:", layout="wide")

PAGES = Path(__file__).parent / "pages"
LEADER_PAGES = PAGES / "leaders"
# (url path = file name, icon); a page shows once its file exists. URL paths are stable English words.
LEADER_PAGE_ORDER = (
    ("overview", ":material/dashboard:"),
    ("pace", ":material/flag:"),
    ("sharing", ":material/share:"),
    ("reuse", ":material/recycling:"),
    ("quality", ":material/verified:"),
    ("roadmap", ":material/timeline:"),
    ("governance", ":material/account_tree:"),
    ("snapshots", ":material/photo_camera:"),
)
# Admin pages: (file under pages/admin, url path, icon).
ADMIN_PAGE_ORDER = (
    ("users.py", "users", ":material/group:"),
    ("audit.py", "audit", ":material/policy:"),
    ("snapshot_run.py", "snapshot-run", ":material/photo_camera_back:"),
)


def sections(tr, lang: str, analyst: bool, admin: bool) -> dict:
    leader_pages = [
        st.Page(str(LEADER_PAGES / f"{name}.py"), title=tr(f"nav.{name}"), url_path=name, icon=icon)
        for name, icon in LEADER_PAGE_ORDER
        if (LEADER_PAGES / f"{name}.py").exists()
    ]
    # Streamlit serves its default page at "/" only: the root shows the overview too, so that both "/" and
    # "/overview" open it (the visible entry in the navigation is /overview).
    root = st.Page(
        str(LEADER_PAGES / "overview.py"), title=tr("nav.overview"), url_path="home", default=True, visibility="hidden"
    )
    # Analyst SQL pages (pages/<section>/<name>.sql), found again on every run; then the analysts' tools.
    found = {"": [root], tr("nav.section_leaders"): leader_pages, **sqlpages.navigation(lang)}
    if analyst:
        found[tr("workbench.nav_section")] = [
            st.Page(
                str(PAGES / "tools" / "workbench.py"),
                title=tr("workbench.nav"),
                url_path="workbench",
                icon=":material/terminal:",
            )
        ]
    if admin:
        found[tr("admin.nav_section")] = [
            st.Page(
                str(PAGES / "admin" / file), title=tr(f"admin.nav.{path.replace('-', '_')}"), url_path=path, icon=icon
            )
            for file, path, icon in ADMIN_PAGE_ORDER
            if (PAGES / "admin" / file).exists()
        ]
    return found


base = data_dir()
lang = st.session_state.get("f_lang", st.query_params.get("lang", DEFAULT_LANG))
lang = lang if lang in LANGS else DEFAULT_LANG
user = gate.gate(base, lang)
if user is None:
    # Signed out: every address is known (so a deep link is not "page not found") but shows only the sign-in
    # screen drawn above; no page runs and the menu stays hidden.
    st.navigation(sections(lambda key: t(key, lang), lang, True, True), position="hidden")
    st.stop()

f = ui.global_filters()
gate.sidebar(base, user, f.scope_name, f.lang)
page = st.navigation(sections(f.tr, f.lang, user.is_analyst, user.is_admin))
gate.page_view(base, user, page, f.scope)
page.run()
