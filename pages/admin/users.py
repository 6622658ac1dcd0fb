"""Users (admins): who may sign in, with which role and scope (dashboard/access/auth.py); add, remove, unlock."""

import polars as pl
import streamlit as st

from dashboard.access import audit, auth
from dashboard.scope import Scope
from dashboard.web import ui

f = ui.filters()
st.title(f.tr("admin.users.title"))
admin = ui.current_user()
if admin is None or not admin.is_admin:
    st.info(f.tr("admin.only"))
    st.stop()
st.caption(f.tr("admin.users.intro", path=str(auth.users_file(f.base))))

users = auth.load_users(auth.users_file(f.base))
with ui.part(f.tr("admin.users.title")):
    frame = pl.DataFrame(
        {
            "name": list(users),
            "role": [
                f.tr(f"auth.role.{u.get('role')}") if u.get("role") in auth.ROLES else "?" for u in users.values()
            ],
            "scope": [u.get("scope", "all") for u in users.values()],
            "login": [f.tr("admin.users.password") if u.get("password") else "OIDC" for u in users.values()],
            "locked": [f.tr("admin.users.locked_yes") if auth.locked_until(f.base, n) else "" for n in users],
        },
        schema={c: pl.String for c in ("name", "role", "scope", "login", "locked")},
    )
    ui.table(frame, "users", frame.columns, prefix="admin.users.col", dashes=True, whole=True)


def _changed(action: str, name: str, **details) -> None:
    audit.record(f.base, "user_change", admin.name, action=action, target=auth.normal_name(name), **details)
    st.success(f.tr("admin.users.done", action=action, name=auth.normal_name(name)))


add, manage = st.columns(2, gap="large")
with add, st.form("users_add", clear_on_submit=True):
    st.subheader(f.tr("admin.users.add"))
    name = st.text_input(f.tr("admin.users.col.name"), key="users_add_name")
    role = st.selectbox(
        f.tr("admin.users.col.role"),
        auth.ROLES,
        key="users_add_role",
        format_func=lambda r: f.tr(f"auth.role.{r}"),
        placeholder=f.tr("app.choose"),
    )
    scope = st.text_input(
        f.tr("admin.users.col.scope"), value="all", key="users_add_scope", help=f.tr("admin.users.scope_help")
    )
    password = st.text_input(
        f.tr("auth.password"), type="password", key="users_add_password", help=f.tr("admin.users.password_help")
    )
    if st.form_submit_button(f.tr("admin.users.add"), key="users_add_submit", type="primary"):
        try:
            if password and len(password) < 10:
                raise ValueError(f.tr("admin.users.too_short"))
            auth.add_user(f.base, name, role, Scope.parse(scope).key, password or None)
            _changed("add", name, role=role, scope=scope)
        except ValueError as exc:
            st.error(str(exc))

with manage, st.form("users_manage"):
    st.subheader(f.tr("admin.users.manage"))
    target = st.selectbox(
        f.tr("admin.users.col.name"), list(users), index=None, key="users_target", placeholder=f.tr("app.choose")
    )
    # one under the other, each as wide as the form: side by side, "Mở khóa" was cut at 900 px
    if st.form_submit_button(f.tr("admin.users.remove"), key="users_remove", width="stretch") and target:
        if auth.normal_name(target) == admin.name:
            st.error(f.tr("admin.users.not_yourself"))
        else:
            auth.remove_user(f.base, target)
            _changed("remove", target)
    if st.form_submit_button(f.tr("admin.users.unlock"), key="users_unlock", width="stretch") and target:
        auth.reset_failures(f.base, target)
        _changed("unlock", target)
