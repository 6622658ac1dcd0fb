"""The smallest Streamlit page worth timing: one metric. The render test compares the overview with it."""

import streamlit as st

st.metric("Metric", "42")
