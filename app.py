"""Entry point: global filters and navigation. Routes only; pages render, dashboard/ decides."""

from pathlib import Path

import streamlit as st

from dashboard import sqlpages, ui

st.set_page_config(page_title="Chiến lược dữ liệu · Data Strategy", page_icon=":material/insights:", layout="wide")

LEADER_PAGES = Path(__file__).parent / "pages" / "leaders"
# (url path = file name, icon); a page shows once its file exists. URL paths are stable English words.
LEADER_PAGE_ORDER = (
    ("overview", ":material/dashboard:"),
    ("sharing", ":material/share:"),
    ("reuse", ":material/recycling:"),
    ("quality", ":material/verified:"),
    ("roadmap", ":material/timeline:"),
    ("governance", ":material/account_tree:"),
    ("snapshots", ":material/photo_camera:"),
)

f = ui.global_filters()
leader_pages = [
    st.Page(str(LEADER_PAGES / f"{name}.py"), title=f.tr(f"nav.{name}"), url_path=name, icon=icon)
    for name, icon in LEADER_PAGE_ORDER
    if (LEADER_PAGES / f"{name}.py").exists()
]
# Streamlit serves its default page at "/" only: the root shows the overview too, so that both "/" and
# "/overview" open it (the visible entry in the navigation is /overview).
root = st.Page(
    str(LEADER_PAGES / "overview.py"), title=f.tr("nav.overview"), url_path="home", default=True, visibility="hidden"
)
# Analyst SQL pages (pages/<section>/<name>.sql), found again on every run; then the analysts' tools.
sections = {"": [root], f.tr("nav.section_leaders"): leader_pages, **sqlpages.navigation(f.lang)}
if ui.is_analyst():
    workbench = Path(__file__).parent / "pages" / "tools" / "workbench.py"
    sections[f.tr("workbench.nav_section")] = [
        st.Page(str(workbench), title=f.tr("workbench.nav"), url_path="workbench", icon=":material/terminal:")
    ]
st.navigation(sections).run()
