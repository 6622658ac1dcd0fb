"""Entry point: global filters and navigation. Routes only; pages render, dashboard/ decides."""

import streamlit as st

from dashboard import ui

st.set_page_config(page_title="Chiến lược dữ liệu · Data Strategy", page_icon=":material/insights:", layout="wide")

f = ui.global_filters()
overview = st.Page(
    "pages/leaders/overview.py", title=f.tr("nav.overview"), url_path="overview", icon=":material/dashboard:"
)
pages = {
    f.tr("nav.section_leaders"): [overview],
}
# Streamlit serves its default page at "/" only: the root shows the overview too, so that both "/" and
# "/overview" open it (the visible entry in the navigation is /overview).
root = st.Page("pages/leaders/overview.py", title=f.tr("nav.overview"), url_path="home", default=True,
               visibility="hidden")
st.navigation({"": [root], **pages}).run()
