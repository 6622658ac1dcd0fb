"""The face pages use (`from dashboard.web import ui`; `ui.query(...)`): the public building blocks of
web/session.py (filters, cached queries, the signed-in user, URL-kept widgets, parts of a page), web/sidebar.py (the
global filters), web/cards.py (KPI cards), web/tables.py (tables with downloads, and short lists in HTML) and
web/memo.py (built charts shared between runs). Nothing is defined here.

A test may monkeypatch a name here (e.g. `ui.query`): pages look it up through this module when they call it."""

from dashboard.web.cards import CARD_WIDTH, card_slots, kpi_card, kpi_cards
from dashboard.web.memo import figure
from dashboard.web.session import (
    Filters,
    current_user,
    filters,
    forced_scope,
    is_admin,
    is_analyst,
    kpis,
    kpis_read,
    late_provinces,
    late_summary,
    markdown_text,
    pace,
    part,
    period_caption,
    prefetch,
    query,
    query_read,
    report_scope,
    series_read,
    summary_markdown,
    url_number_input,
    url_selectbox,
    url_text_input,
    week_summary,
)
from dashboard.web.sidebar import global_filters, open_scope
from dashboard.web.tables import (
    XLSX_MIME,
    audited,
    coded,
    download,
    download_buttons,
    kpi_styler,
    light_table,
    table,
)

__all__ = [
    "CARD_WIDTH",
    "Filters",
    "audited",
    "download",
    "XLSX_MIME",
    "card_slots",
    "coded",
    "current_user",
    "download_buttons",
    "figure",
    "filters",
    "forced_scope",
    "global_filters",
    "is_admin",
    "is_analyst",
    "kpi_card",
    "kpi_styler",
    "kpi_cards",
    "kpis",
    "kpis_read",
    "light_table",
    "late_provinces",
    "late_summary",
    "markdown_text",
    "open_scope",
    "pace",
    "part",
    "period_caption",
    "prefetch",
    "query",
    "query_read",
    "report_scope",
    "series_read",
    "summary_markdown",
    "table",
    "url_number_input",
    "url_selectbox",
    "url_text_input",
    "week_summary",
]
