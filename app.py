"""Entry point: global filters and navigation. Routes only; pages render, dashboard/ decides."""

import streamlit as st

from dashboard import ui

st.set_page_config(page_title="Chiến lược dữ liệu · Data Strategy", page_icon=":material/insights:", layout="wide")

f = ui.global_filters()
pages = {
    f.tr("nav.section_leaders"): [
        st.Page(
            "pages/leaders/overview.py",
            title=f.tr("nav.overview"),
            url_path="overview",
            default=True,
            icon=":material/dashboard:",
        ),
    ],
}
st.navigation(pages).run()
