"""The door of the app (Streamlit side of access/auth.py): the refusal page, the sign-in screens, the signed-in
user of this session, sign-out, and the audit of sign-ins and page views.

The user is worked out again on every run (from the users file, so a removed user or a changed role takes effect
at once) and kept in `st.session_state["_user"]`, which `ui.current_user()` reads; no widget writes that key.
Password sessions live in Streamlit's server-side session state: a reload of the page means signing in again.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from dashboard.access import audit, auth
from dashboard.access.auth import AuthConfigError, User
from dashboard.i18n import t
from dashboard.scope import Scope
from dashboard.web import settings

USER_KEY = "_user"
MODE_KEY = "_auth_mode"
_NAME_KEY = "_auth_name"
_OIDC_SEEN = "_auth_oidc_seen"
_EXPIRED = "_auth_expired"
_LAST_PAGE = "_audit_last_page"


def demo_user() -> User:
    """Mode `none` (demo data only): role from DASHBOARD_ROLE (default admin), scope from DASHBOARD_SCOPE."""
    role = (os.environ.get("DASHBOARD_ROLE") or "admin").strip().lower()
    scope = Scope.parse(os.environ.get("DASHBOARD_SCOPE") or "all")
    if role == "provincial" and scope.type != "province":
        role = "leader"
    return User("demo", role if role in auth.ROLES else "leader", scope)


def known_user(base: Path) -> tuple[User | None, str | None]:
    """The user this session is already signed in as, worked out without drawing anything (None when signed out
    or refused), and the login mode (None when the configuration is refused). app.py gives st.navigation this
    user's page set before anything can stop or rerun the run, so that a deep link opened as a session's first
    request is never "page not found"; `gate` then decides and draws, with the mode worked out here."""
    try:
        mode = settings.resolve_mode(base)
    except AuthConfigError:
        return None, None
    if mode == "none":
        return demo_user(), mode
    if mode == "password":
        name = st.session_state.get(_NAME_KEY)
        return (auth.lookup(base, name) if name else None), mode
    if not st.user.is_logged_in:
        return None, mode
    claims = st.user.to_dict()
    return (None if auth.token_expired(claims) else auth.oidc_user(base, claims)), mode


def gate(base: Path, lang: str, mode: str | None = None) -> User | None:
    """The signed-in user, or None after drawing the sign-in screen. Stops the run on a configuration that may
    not serve this data (e.g. no login on real data). `mode`: the login mode already worked out in this run
    (known_user), so it is resolved once per run; None works it out (and draws the refusal)."""
    st.session_state[USER_KEY] = None
    try:
        mode = mode or settings.resolve_mode(base)
    except AuthConfigError as refused:
        st.title(t("auth.refused_title", lang))
        st.error(t(refused.code, lang, **refused.values), icon=":material/lock:")
        st.stop()
    st.session_state[MODE_KEY] = mode
    if mode == "none":
        user = demo_user()
    elif mode == "password":
        user = _password_user(base, lang)
    else:
        user = _oidc_user(base, lang)
    st.session_state[USER_KEY] = user
    return user


def _password_user(base: Path, lang: str) -> User | None:
    name = st.session_state.get(_NAME_KEY)
    if name:
        user = auth.lookup(base, name)
        if user is not None:
            return user
        audit.record(base, "sign_out", name, mode="password", reason="user_removed")
        st.session_state.pop(_NAME_KEY, None)
    st.title(t("auth.title", lang))
    st.caption(t("auth.intro", lang))
    with st.form("login_form", clear_on_submit=True):
        typed = st.text_input(t("auth.name", lang), key="login_name", autocomplete="username")
        password = st.text_input(t("auth.password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.submit", lang), key="login_submit", type="primary")
    if submitted:
        user, outcome = auth.check_password(base, typed, password)
        if user is not None:
            audit.record(base, "sign_in", user.name, mode="password")
            st.session_state[_NAME_KEY] = user.name
            st.rerun()
        shown = auth.normal_name(typed)[:128]
        audit.record(base, "sign_in_failed", shown or None, mode="password", reason=outcome)
        if outcome == "locked":
            st.error(t("auth.locked", lang, minutes=auth.LOCK_SECONDS // 60), icon=":material/lock_clock:")
        else:
            st.error(t("auth.failed", lang), icon=":material/error:")
    return None


def _oidc_user(base: Path, lang: str) -> User | None:
    if not st.user.is_logged_in:
        st.title(t("auth.title", lang))
        if st.session_state.pop(_EXPIRED, False):
            st.info(t("auth.expired", lang))
        if st.button(t("auth.oidc_button", lang), key="login_oidc", type="primary", icon=":material/login:"):
            st.login()
        return None
    claims = st.user.to_dict()
    email = auth.normal_name(str(claims.get("email") or ""))[:254]  # as claimed, for the audit line only
    if auth.token_expired(claims):
        audit.record(base, "sign_out", email or None, mode="oidc", reason="token_expired")
        st.session_state[_EXPIRED] = True
        st.session_state.pop(_OIDC_SEEN, None)
        st.logout()
        st.stop()
    user = auth.oidc_user(base, claims)  # a verified, plain ASCII e-mail of the users file, or None
    if user is None:
        if st.session_state.get(_OIDC_SEEN) != f"refused:{email}":
            reason = "not_in_users_file" if auth.oidc_email(claims) else "email_not_trusted"
            audit.record(base, "sign_in_failed", email or None, mode="oidc", reason=reason)
            st.session_state[_OIDC_SEEN] = f"refused:{email}"
        st.title(t("auth.title", lang))
        st.error(t("auth.not_allowed", lang), icon=":material/block:")
        if st.button(t("auth.sign_out", lang), key="sign_out_refused"):
            st.logout()
        return None
    if st.session_state.get(_OIDC_SEEN) != user.name:
        audit.record(base, "sign_in", user.name, mode="oidc")
        st.session_state[_OIDC_SEEN] = user.name
    return user


def sidebar(base: Path, user: User, scope_name: str, lang: str) -> None:
    """Who is signed in, with what role and scope; the sign-out button (not in mode none)."""
    side = st.sidebar
    side.divider()
    side.caption(t("auth.signed_in_as", lang, name=user.name, role=t(f"auth.role.{user.role}", lang), scope=scope_name))
    mode = st.session_state.get(MODE_KEY)
    if mode in ("password", "oidc") and side.button(t("auth.sign_out", lang), key="sign_out", icon=":material/logout:"):
        audit.record(base, "sign_out", user.name, mode=mode)
        st.session_state.pop(_NAME_KEY, None)
        st.session_state.pop(_OIDC_SEEN, None)
        st.session_state[USER_KEY] = None
        if mode == "oidc":
            st.logout()
        st.rerun()


def page_view(base: Path, user: User, page, scope: Scope) -> None:
    """One audit line per page opened (not per rerun of the same page)."""
    if st.session_state.get(_LAST_PAGE) != page.url_path:
        audit.record(base, "page_view", user.name, page=page.url_path or "home", scope=scope.key)
        st.session_state[_LAST_PAGE] = page.url_path
