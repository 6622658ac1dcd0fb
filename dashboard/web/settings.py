"""The login settings as Streamlit holds them (environment, secrets.toml, its config), for access/auth.py, which
stays free of Streamlit."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from dashboard.access import auth


def secrets_section(name: str) -> dict:
    try:
        import streamlit as st

        section = st.secrets.get(name)
        return dict(section) if section else {}
    except Exception:  # noqa: BLE001 - no secrets.toml is a normal state
        return {}


def configured_mode() -> str | None:
    """The mode asked for, or None when none is configured."""
    mode = os.environ.get("DASHBOARD_AUTH") or secrets_section("dashboard").get("auth")
    return str(mode).strip().lower() if mode else None


def configured_cookie_secret() -> str | None:
    """The cookie secret configured (Streamlit otherwise makes up a random one per process), or None."""
    chosen = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
    if chosen:
        return chosen
    with contextlib.suppress(Exception):
        from streamlit import config

        where = config.get_where_defined("server.cookieSecret")
        if where == "environment variable":  # read once at start: only while the variable is still set
            return None
        if config.is_manually_set("server.cookieSecret"):
            return str(config.get_option("server.cookieSecret") or "") or None
    return None


def cookie_secret_set() -> bool:
    """Whether a cookie secret was configured."""
    return configured_cookie_secret() is not None


def read_settings() -> auth.Settings:
    mode = configured_mode()
    secret = configured_cookie_secret()
    return auth.Settings(
        mode,
        secret is not None,
        secrets_section("auth") if mode == "oidc" else {},
        cookie_secret_length=len(secret or ""),
    )


def resolve_mode(base: Path) -> str:
    """auth.resolve_mode with the settings Streamlit holds: the mode to run in, or AuthConfigError."""
    return auth.resolve_mode(base, read_settings())
