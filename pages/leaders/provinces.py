"""Provinces: the 34 provinces side by side, the pilot committees against the others, and a tile map. Queries:
provinces_scorecard, province_names."""

import polars as pl
import streamlit as st

from dashboard.engine import freshness, kpi_text
from dashboard.engine.kpis import SCORECARD_KPIS as KPIS
from dashboard.engine.kpis import status_for
from dashboard.scope import Scope
from dashboard.web import tilemap, ui

f = ui.filters()
st.title(f.tr("provinces.title"))
st.caption(f.tr("provinces.intro"))
ui.period_caption()
with st.expander(f.tr("provinces.help_title"), icon=":material/help:"):
    st.markdown(f.tr("provinces.help"))
if f.scope.type == "agency":  # an agency's database holds part of a province only: no honest province row
    st.info(f.tr("provinces.not_a_province"))
    st.stop()

chosen = ui.url_selectbox(
    f.tr("provinces.kpi_pick"),
    KPIS,
    key="provinces_kpi",
    param="kpi",
    format_func=lambda k: kpi_text.kpi_name(k, f.lang),
)
kpi_label = kpi_text.kpi_name(chosen, f.lang)
labels = {k: f.tr(f"provinces.short.{k}") for k in KPIS}  # short headers; the full KPI name on hover
COLUMN_HELP = {labels[k]: st.column_config.TextColumn(help=kpi_text.kpi_name(k, f.lang)) for k in KPIS}
scorecard = ui.query("provinces_scorecard")
provinces = scorecard.filter(pl.col("row_kind") == "province").sort(chosen, "province_name", nulls_last=True)
# A province whose extract is late is marked "late data", so a late delivery is not read as a lagging province.
late = ui.late_provinces()


def cells(df: pl.DataFrame, *first: pl.Series, after: tuple[pl.Series, ...] = ()):
    """The first columns, then each KPI: its value (so a header sorts by it), shown as '97,3% · Đạt' on a tint of
    its status colour (ui.kpi_styler); then the `after` columns."""
    frame = pl.DataFrame([*first, *(df[k].alias(labels[k]) for k in KPIS), *after])
    return ui.kpi_styler(frame, {labels[k]: k for k in KPIS}, f.lang)


def raw(df: pl.DataFrame, *first: pl.Series) -> pl.DataFrame:
    """What the downloads hold: the values as fractions and the status words; for provinces, their code and
    whether they pilot (the group rows have neither)."""
    out = list(first)
    if df["province_code"].is_not_null().any():
        out.append(df["province_code"].alias(f.tr("provinces.col.province_code")))
        out.append(df["is_pilot"].alias(f.tr("provinces.col.is_pilot")))
    for k in KPIS:
        out.append(df[k].alias(labels[k]))
        out.append(
            kpi_text.values_mapped(df[k], lambda v, k=k: kpi_text.status_word(k, status_for(k, v), f.lang)).alias(
                f"{labels[k]} ({f.tr('column.status')})"
            )
        )
    return pl.DataFrame(out)


if f.scope.type == "all":
    with ui.part(f.tr("provinces.groups")):
        st.subheader(f.tr("provinces.groups"))
        groups = scorecard.filter(pl.col("row_kind") != "province")
        names = [
            f.tr(f"provinces.group_{kind}", count=n)
            for kind, n in groups.select("row_kind", "count_provinces").iter_rows()
        ]
        first = pl.Series(f.tr("provinces.col.group"), names, dtype=pl.String)
        if groups.is_empty():
            st.info(f.tr("app.empty"))
        else:
            config = COLUMN_HELP | {first.name: st.column_config.TextColumn(pinned=True)}
            st.dataframe(cells(groups, first), hide_index=True, width="stretch", column_config=config)
            st.caption(f.tr("provinces.groups_note"))
            ui.download_buttons(raw(groups, first), "provinces_groups")
else:
    st.info(f.tr("provinces.one_province"))

with ui.part(f.tr("provinces.table")):
    st.subheader(f.tr("provinces.table"))
    st.caption(f.tr("provinces.table_note", kpi=kpi_label))
    names = [
        ("★ " if pilot else "") + name for name, pilot in provinces.select("province_name", "is_pilot").iter_rows()
    ]
    first = pl.Series(f.tr("provinces.col.province_name"), names, dtype=pl.String)
    late_mark = pl.Series(
        f.tr("freshness.late_data"),
        ["▲ " + f.tr("freshness.late_data") if code in late else "" for code in provinces["province_code"]],
        dtype=pl.String,
    )
    # "behind on everything": how many of the seven are off track (a number, so its header sorts by it)
    red = kpi_text.count_with_status(provinces, KPIS, "red").alias(f.tr("provinces.col.count_red"))
    if provinces.is_empty():
        st.info(f.tr("app.empty"))
    else:
        event = st.dataframe(
            cells(provinces, first, red, after=(late_mark,) if late else ()),
            hide_index=True,
            width="stretch",
            height="content",
            column_config=COLUMN_HELP
            | {
                first.name: st.column_config.TextColumn(pinned=True),
                red.name: st.column_config.NumberColumn(format="%d", help=f.tr("provinces.count_red_help")),
            },
            key="provinces_table",
            on_select="rerun",
            selection_mode="single-row",
        )
        for code in [c for c in provinces["province_code"] if c in late]:
            name = provinces.filter(pl.col("province_code") == code)["province_name"][0]
            st.caption(f"▲ {name}: {freshness.late_data_note(late[code], f.lang)}")
        ui.download_buttons(raw(provinces, first, red), "provinces_scorecard")
        codes = provinces["province_code"].to_list()
        # Only a province whose row is shown can be opened; a user held to a province sees their own row only.
        picked = [codes[i] for i in event.selection.rows if i < len(codes)] if event else []
        by_code = dict(zip(codes, provinces["province_name"]))
        pick, go = st.columns([3, 2], vertical_alignment="bottom")
        code = pick.selectbox(
            f.tr("provinces.open_pick"),
            codes,
            format_func=by_code.get,
            key="provinces_open",
            placeholder=f.tr("app.choose"),
        )
        if go.button(f.tr("provinces.open_button"), key="provinces_open_go", icon=":material/open_in_new:"):
            picked = [code]
        if picked:
            ui.open_scope(Scope("province", picked[0]))

with ui.part(f.tr("provinces.map", kpi=kpi_label)):
    shown = {r["province_code"]: r for r in provinces.iter_rows(named=True)}
    tiles = []
    for code, name in ui.query("province_names").iter_rows():
        row = shown.get(code)
        if row is None:
            tiles.append(tilemap.Tile(code, name, tilemap.OUTSIDE, hover=f"{name}: {f.tr('provinces.outside')}"))
            continue
        value = row[chosen]
        status = status_for(chosen, value)
        text = kpi_text.format_value(chosen, value, f.lang)
        word = kpi_text.status_word(chosen, status, f.lang)
        pilot = f" · ★ {f.tr('provinces.pilot')}" if row["is_pilot"] else ""
        hover = f"<b>{name}</b>{pilot}<br>{kpi_label}: {text}<br>{word}"
        if code in late:
            hover += f"<br>▲ {f.tr('freshness.late_data')}"
        tiles.append(tilemap.Tile(code, name, status, text, hover, row["is_pilot"]))
    legend = {s: kpi_text.status_word(chosen, s, f.lang) for s in ("green", "amber", "red", None)}
    if any(tile.status == tilemap.OUTSIDE for tile in tiles):
        legend[tilemap.OUTSIDE] = f.tr("provinces.outside")
    st.subheader(f.tr("provinces.map", kpi=kpi_label))
    fig = tilemap.tile_map(tiles, lang=f.lang, legend=legend)
    st.plotly_chart(fig, width="content")
    st.caption(f.tr("provinces.map_note"))
