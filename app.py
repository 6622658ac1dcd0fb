"""Entry point: the door (sign-in), global filters and navigation. Routes only; pages render, dashboard/ decides."""

from pathlib import Path

import streamlit as st

from dashboard.config import data_dir
from dashboard.i18n import DEFAULT_LANG, LANGS, t
from dashboard.sqlpages import view as sqlpages
from dashboard.web import gate, ui

# The tab icon is a file of the project: a ":material/...:" icon would be fetched from Google's font server, which
# an intranet without internet cannot reach.
FAVICON = Path(__file__).parent / "dashboard" / "web" / "static" / "favicon.png"
st.set_page_config(page_title="Chiến lược dữ liệu · Data Strategy", page_icon=str(FAVICON), layout="wide")

PAGES = Path(__file__).parent / "pages"
LEADER_PAGES = PAGES / "leaders"
# (url path = file name, icon); a page shows once its file exists. URL paths are stable English words.
LEADER_PAGE_ORDER = (
    ("overview", ":material/dashboard:"),
    ("pace", ":material/flag:"),
    ("sharing", ":material/share:"),
    ("provinces", ":material/map:"),
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
# st.navigation comes first, with the full page set of this session's user, before anything may stop or rerun
# the run: a deep link opened as the first request of a session (e.g. a leader's e-mailed link after the weekly
# restart) then resolves to its page instead of Streamlit's "Page not found". Signed out: every address is known
# (all pages, menu hidden) but only the sign-in screen is drawn and no page runs.
known, mode = gate.known_user(base)
signed_out = known is None
page = st.navigation(
    sections(lambda key: t(key, lang), lang, signed_out or known.is_analyst, signed_out or known.is_admin),
    position="hidden" if signed_out else "sidebar",
    # every page listed: collapsed, Streamlit ends the menu with its English "View 6 more" on Vietnamese pages
    expanded=True,
)
user = gate.gate(base, lang, mode)
if user is None:
    st.stop()
if signed_out:  # signed in during this run: show the menu of this user's pages
    st.rerun()

f = ui.global_filters()
gate.sidebar(base, user, f.scope_name, f.lang)
gate.page_view(base, user, page, f.scope)
page.run()
