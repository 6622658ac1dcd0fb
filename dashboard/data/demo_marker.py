"""The demo marker: a file beside the curated tables saying they are the demo generator's, as long as they stay
the files it wrote. Login mode `none` is allowed only on such data (access/auth.py)."""

from __future__ import annotations

import json
from pathlib import Path

from dashboard.config import curated_dir, data_version

DEMO_MARKER = "DEMO_DATA.json"


def write_demo_marker(base: Path, **about) -> None:
    """Called by the demo generator: this data dir holds demo data, as long as its files stay those written."""
    marker = {"generator": "python -m dashboard demo", "data_version": data_version(base), **about}
    (curated_dir(base) / DEMO_MARKER).write_text(json.dumps(marker, default=str), encoding="utf-8")


def is_demo_data(base: Path) -> bool:
    """Whether the curated files are exactly the ones the demo generator wrote (its marker and data version)."""
    try:
        marker = json.loads((curated_dir(base) / DEMO_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("data_version") == data_version(base)
