"""The sharing page's Sankey of flows between levels (web/charts.level_flows): nodes too close to print their
labels apart say their names once, together; hover still names each node and each flow."""

from __future__ import annotations

import polars as pl

from dashboard.web import charts

NAMES = {"central": "Trung ương", "provincial": "Cấp tỉnh", "commune": "Cấp xã", "external": "Ngoài hệ thống Đảng"}


def _flows(rows: list[tuple[str, str, int]]):
    frame = pl.DataFrame(rows, schema=["provider_level", "consumer_level", "count_calls_ok"], orient="row")
    fig = charts.level_flows(frame, names=NAMES, titles=("Bên cung cấp", "Bên khai thác"), lang="vi")
    return fig.data[0]


def test_thin_neighbours_share_one_label_and_keep_their_names_on_hover():
    # Right side: 5, 5 and 990 successful calls of 1,000: centres 0.02 + 0.96 x (2.5, 7.5, 505) / 1000 = 0.0224,
    # 0.0272 and 0.5048; the first two are 0.0048 apart (under 0.08): one label for both, the second none.
    sankey = _flows([("central", "central", 5), ("central", "provincial", 5), ("central", "commune", 990)])
    assert list(sankey.node.label) == ["Trung ương", "Trung ương, Cấp tỉnh", "", "Cấp xã"]
    assert list(sankey.node.customdata) == ["Trung ương", "Trung ương", "Cấp tỉnh", "Cấp xã"]
    assert [round(y, 4) for y in sankey.node.y] == [0.5, 0.0224, 0.0272, 0.5048]
    assert list(sankey.link.customdata) == ["Trung ương → Trung ương", "Trung ương → Cấp tỉnh", "Trung ương → Cấp xã"]


def test_nodes_far_apart_keep_their_own_labels():
    # Left side: 500 and 500: centres 0.26 and 0.74.
    sankey = _flows([("central", "commune", 500), ("provincial", "commune", 500)])
    assert list(sankey.node.label) == ["Trung ương", "Cấp tỉnh", "Cấp xã"]
