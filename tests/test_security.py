"""Login, roles, provincial scoping and audit (issue 7), on a copy of the tiny fixture with a real login.

These tests do NOT use the suite's DASHBOARD_ALLOW_NO_AUTH: the data is not demo data, so the app must ask for a
login. Hand numbers (tests/test_kpis.py's rows), period 2026-03-02 .. 2026-03-08:
  exchange success  P1: E1 98/100 + E3 18/20 + E4 30/30 = 146/150 = 97,3%   P2: E2 50/50 + E4 30/30 = 80/80 = 100%
  dossier reuse     P1: K1 10/10 + K2 22/30 = 32/40 = 80,0%                P2: K3 6/30 = 20,0%
  dossiers          P1: K1 10 + K2 30 = 40                                 P2: K3 30;  all: 70
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import polars as pl
import pytest
from download_helpers import Downloads
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.access import audit, auth
from dashboard.config import ROOT
from dashboard.engine import query, sandbox
from dashboard.scope import Scope
from dashboard.sqlpages import header as sqlpages
from dashboard.sqlpages import run as sqlpages_run
from dashboard.web import settings

WEEK = {"period": "custom", "start": "2026-03-02", "end": "2026-03-08"}
PASSWORDS = {
    "p1": "p1-secret-pass",
    "p1analyst": "p1-analyst-pass",
    "boss": "boss-secret-pass",
    "lead": "lead-pass-123",
}
EXCHANGE = "Tỷ lệ giao dịch thành công"
REUSE = "Tỷ lệ hồ sơ sử dụng lại dữ liệu"
LEADER_PAGES = ["home", "overview", "sharing", "provinces", "reuse", "quality", "roadmap", "governance", "snapshots"]
SQL_PAGES = [sqlpages.url_path(p) for p in sqlpages.page_files()]
ALL_PATHS = [*LEADER_PAGES, *SQL_PAGES, "workbench", "users", "audit", "snapshot-run"]
DOSSIER_SQL = (
    "select sum(dossiers) as n, sum(dossiers_reusing) as r from dossiers_daily "
    "where dossier_date between date '2026-03-02' and date '2026-03-08'"
)


@pytest.fixture(scope="module")
def secured(tmp_path_factory, tiny_base):
    """The tiny data (not demo data: no marker) with four users in its users file."""
    base = tmp_path_factory.mktemp("secured")
    shutil.copytree(tiny_base / "curated", base / "curated")
    auth.add_user(base, "p1", "provincial", "province:P1", PASSWORDS["p1"])
    auth.add_user(base, "p1analyst", "analyst", "province:P1", PASSWORDS["p1analyst"])
    auth.add_user(base, "boss", "admin", "all", PASSWORDS["boss"])
    auth.add_user(base, "lead", "leader", "all", PASSWORDS["lead"])
    return base


@pytest.fixture
def env(secured, monkeypatch):
    monkeypatch.delenv("DASHBOARD_ALLOW_NO_AUTH", raising=False)
    monkeypatch.setenv("DASHBOARD_AUTH", "password")
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", "test-cookie-secret-0123456789abcdef")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(secured))
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-10")
    return secured


def new_app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update({**WEEK, **params})
    return at


def sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password if password is not None else PASSWORDS[name])
    return at.button(key="login_submit").click().run()


def open_page(at: AppTest, url_path: str) -> AppTest:
    at._page_hash = calc_hash(url_path)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def numbers(at: AppTest) -> list:
    """What a page shows as data: metric values and every table's cells."""
    shown = [("metric", m.label, m.value) for m in at.metric]
    for df in at.dataframe:
        shown.append(("table", [list(map(str, r)) for r in df.value.itertuples(index=False)]))
    return shown


@pytest.fixture
def downloads(monkeypatch):
    """Every file the app offers to the browser's download buttons in this test, fetched as a browser would (a
    deferred download's callable run as Streamlit runs it): tests/download_helpers.py."""
    return Downloads(monkeypatch)


@pytest.fixture
def opened(monkeypatch):
    """The scope of every database a session's queries open (pages, SQL pages, the workbench)."""
    scopes: list[str] = []

    def spy(module, name):
        real = getattr(module, name)

        def wrapper(base, scope):
            scopes.append(scope.key)
            return real(base, scope)

        monkeypatch.setattr(module, name, wrapper)

    spy(query, "database")
    spy(sqlpages_run, "database")
    spy(sandbox, "workbench_database")
    return scopes


# ---- signed out --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_signed_out_session_sees_only_the_sign_in_screen(env, path, opened):
    at = new_app(scope="province:P2")
    at.run()
    at = open_page(at, path)
    assert not at.exception
    assert at.text_input(key="login_name") and at.text_input(key="login_password")
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not at.sidebar.selectbox  # no filters, no menu
    assert opened == []  # not one query ran


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(env):
    known = sign_in(new_app(), "lead", "wrong-password")
    unknown = sign_in(new_app(), "nobody-here", "wrong-password")
    assert (
        [e.value for e in known.error]
        == [e.value for e in unknown.error]
        == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    )
    assert not known.metric and not unknown.metric


def test_lockout_after_five_failures_persists_and_ends(env, monkeypatch):
    for attempt in range(1, 6):
        at = sign_in(new_app(), "boss", f"wrong-{attempt}")
    assert "tạm khóa" in at.error[0].value  # the 5th failure locks
    state = json.loads((env / "auth" / "lockout.json").read_text())
    assert state["boss"]["failures"] == 5 and state["boss"]["locked_until"]
    # the right password in a new session (the count is on disk, not in the session) is still refused
    at = sign_in(new_app(), "boss")
    assert "tạm khóa" in at.error[0].value and not at.metric
    # an unknown name locks the same way, so the lock does not tell who exists
    for attempt in range(5):
        at = sign_in(new_app(), "ghost", f"x{attempt}")
    assert "tạm khóa" in at.error[0].value
    # after the lock time the right password works again
    later = auth.time.time() + auth.LOCK_SECONDS + 1
    monkeypatch.setattr(auth.time, "time", lambda: later)
    at = sign_in(new_app(), "boss")
    assert not at.error and metrics(at)[EXCHANGE] == "93,3%"  # all: 196/210 (tests/test_app.py)
    auth.reset_failures(env, "ghost")


def test_passwords_are_stored_as_salted_scrypt_hashes(env):
    text = (env / "auth" / "users.json").read_text()
    assert "p1-secret-pass" not in text
    users = auth.load_users(env / "auth" / "users.json")
    assert users["p1"]["password"].startswith("scrypt$")
    assert users["p1"]["password"] != auth.hash_password(PASSWORDS["p1"])  # salted: a new hash each time


def test_the_users_command_reads_the_password_from_stdin(env, tmp_path):
    users = tmp_path / "users.json"
    cmd = [sys.executable, "-m", "dashboard", "users", "add", "Ana", "--role", "provincial", "--scope", "province:P2"]
    run = subprocess.run(
        [*cmd, "--data-dir", str(env)],
        input="a-long-password\n",
        capture_output=True,
        text=True,
        env={"DASHBOARD_USERS_FILE": str(users), "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    entry = json.loads(users.read_text())["users"]["ana"]
    assert entry["role"] == "provincial" and entry["scope"] == "province:P2"
    assert entry["password"].startswith("scrypt$") and "a-long-password" not in users.read_text()
    bad = subprocess.run(
        [*cmd[:5], "bob", "--role", "provincial", "--data-dir", str(env)],
        input="a-long-password\n",
        capture_output=True,
        text=True,
        env={"DASHBOARD_USERS_FILE": str(users), "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "province:CODE" in bad.stderr


# ---- mode none and configuration ---------------------------------------------------------------------------


def test_real_data_with_mode_none_refuses_to_start(env, monkeypatch):
    monkeypatch.setenv("DASHBOARD_AUTH", "none")
    at = new_app().run()
    assert not at.exception
    assert "không phải dữ liệu mẫu" in at.error[0].value
    assert not at.metric and not at.text_input
    monkeypatch.delenv("DASHBOARD_AUTH")  # unset is the same: secure by default
    at = new_app().run()
    assert "không phải dữ liệu mẫu" in at.error[0].value and not at.metric
    # and the server command stops with a non-zero exit before serving
    from dashboard.web.serve import serve

    assert serve(env, 8999) == 1


def test_mode_none_serves_demo_data_only(demo_base, tmp_path, monkeypatch):
    monkeypatch.delenv("DASHBOARD_ALLOW_NO_AUTH", raising=False)
    assert auth.is_demo_data(demo_base)
    monkeypatch.setenv("DASHBOARD_AUTH", "none")
    assert settings.resolve_mode(demo_base) == "none"
    # the same files plus one real extract are no longer demo data
    copy = tmp_path / "copy"
    shutil.copytree(demo_base / "curated", copy / "curated")
    assert auth.is_demo_data(copy)
    shutil.copy(copy / "curated" / "provinces.parquet", copy / "curated" / "extra.parquet")
    assert not auth.is_demo_data(copy)
    with pytest.raises(auth.AuthConfigError):
        settings.resolve_mode(copy)


def test_password_mode_needs_a_cookie_secret(env, monkeypatch):
    monkeypatch.delenv("STREAMLIT_SERVER_COOKIE_SECRET")
    at = new_app().run()
    assert "cookieSecret" in at.error[0].value and not at.text_input


def test_an_expired_id_token_signs_the_user_out(env, monkeypatch):
    assert auth.token_expired({"exp": 1_000})
    assert auth.token_expired({})  # no expiry claim: not trusted
    assert not auth.token_expired({"exp": auth.time.time() + 600})


# ---- provincial scope, on every path -----------------------------------------------------------------------


def test_a_provincial_user_sees_their_province_whatever_the_url_says(env, opened, downloads):
    at = sign_in(new_app(scope="province:P2"), "p1")
    assert not at.exception
    shown = metrics(at)
    assert shown[EXCHANGE] == "97,3%"  # P1 146/150, never P2's 80/80
    assert shown[REUSE] == "80,0%"  # P1 32/40, never P2's 6/30 = 20,0%
    assert at.query_params["scope"] == "province:P1"
    assert any("chỉ xem được Tỉnh P1" in w.value for w in at.warning)
    assert "f_scope" not in [s.key for s in at.sidebar.selectbox]  # no choice of scope
    assert at.text_input(key="f_scope_fixed").value == "Tỉnh P1" and at.text_input(key="f_scope_fixed").disabled
    assert opened and set(opened) == {"province:P1"}  # never the all database, never P2's
    # downloads of this page hold P1 rows only
    assert downloads.files()
    for name, data in downloads.files():
        assert "province-P1" in name, name
        if name.endswith(".csv"):
            text = data.decode("utf-8-sig")
            assert "Tỉnh P2" not in text and "P2X" not in text  # P2's own name and its commune never appear


@pytest.mark.parametrize("path", [p for p in LEADER_PAGES if p != "snapshots"] + SQL_PAGES)
def test_every_page_shows_a_provincial_user_exactly_their_province(env, path, opened, monkeypatch):
    # what an administrator sees for P1, and for P2, on this page
    admin = sign_in(new_app(scope="province:P1"), "boss")
    p1 = numbers(open_page(admin, path))
    admin_p2 = sign_in(new_app(scope="province:P2"), "boss")
    p2 = numbers(open_page(admin_p2, path))
    opened.clear()
    # the provincial user asks for P2 in the URL
    user = sign_in(new_app(scope="province:P2"), "p1")
    got = numbers(open_page(user, path))
    assert not user.exception
    assert got == p1
    assert got, "the page shows some data"
    if p1 != p2:
        assert got != p2
    assert set(opened) <= {"province:P1"}
    # and changing the URL mid-session does not widen it either
    user.query_params["scope"] = "all"
    assert numbers(open_page(user, path)) == p1
    assert set(opened) <= {"province:P1"}


def test_the_province_scorecard_shows_a_provincial_user_their_own_row_only(env, opened, downloads):
    # Decision (page help, docs/security-access.md): a user held to P1 sees P1's row only, no group rows (they are
    # built from other provinces), and the map names the other provinces without any number.
    at = open_page(sign_in(new_app(scope="all"), "p1"), "provinces")
    assert not at.exception
    tables = [list(d.value.columns)[0] for d in at.dataframe]
    assert tables == ["Tỉnh, thành phố"]  # no "Nhóm" (pilots / others) table
    cells = [list(map(str, r)) for r in at.dataframe[0].value.itertuples(index=False)]
    assert [r[0] for r in cells] == ["★ Tỉnh P1"]
    assert at.selectbox(key="provinces_open").options == ["Tỉnh P1"]  # only their own row can be opened
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    hovers = [h for row in spec["data"][0]["text"] for h in row if h]
    p2 = [h for h in hovers if "Tỉnh P2" in h]
    assert p2 == ["Tỉnh P2: ngoài phạm vi của bạn"]  # a name, no value, no status
    p2_tiles = [a["text"] for a in spec["layout"]["annotations"] if "Tỉnh P2" in a["text"]]
    assert p2_tiles == ["Tỉnh P2"]
    assert set(opened) <= {"province:P1"}
    assert any(name.startswith("provinces_scorecard_") for name, _ in downloads.files())
    for name, data in downloads.files():
        assert "province-P1" in name, name
        if name.endswith(".csv"):
            assert "P2" not in data.decode("utf-8-sig")


def test_the_workbench_of_a_provincial_analyst_holds_only_their_rows(env, opened, secured):
    at = sign_in(new_app(scope="all"), "p1analyst")
    at = open_page(at, "workbench")
    assert not at.exception
    at.text_area(key="wb_sql").input(DOSSIER_SQL)
    at = at.button(key="wb_run").click().run()
    _, _, outcome = at.session_state["wb_last"]
    assert outcome.frame.rows() == [(40, 32)]  # P1: K1 10 + K2 30 dossiers, 10 + 22 reusing; all would be 70/38
    for attempt in (
        f"select * from read_parquet('{secured}/curated/dossiers_daily.parquet')",
        f"select sum(dossiers) from '{secured}/curated/dossiers_daily.parquet'",
        "select * from read_csv('/etc/passwd')",
    ):
        at.text_area(key="wb_sql").input(attempt)
        at = at.button(key="wb_run").click().run()
        _, _, outcome = at.session_state["wb_last"]
        assert isinstance(outcome, sandbox.Refused), attempt
        assert not any(m.value == "70" for m in at.metric)
    # the same file read, straight in the sandbox of P1, is refused too; the database has no file access at all
    with pytest.raises(sandbox.Refused):
        sandbox.run_workbench(
            secured, Scope.parse("province:P1"), f"select * from read_parquet('{secured}/curated/*.parquet')", {}
        )
    rows = sandbox.run_workbench(
        secured, Scope.parse("province:P1"), "select count(*) as n from dossiers_daily where agency_id like 'P2%'", {}
    )
    assert rows.frame.rows() == [(0,)]  # P2's dossier rows are not in P1's database
    assert set(opened) <= {"province:P1"}


def test_a_leader_and_a_provincial_user_get_no_workbench_and_no_admin_pages(env):
    for name in ("lead", "p1"):
        at = sign_in(new_app(), name)
        for path in ("workbench", "users", "audit", "snapshot-run"):
            at = open_page(at, path)
            assert not at.exception
            titles = [t.value for t in at.title]
            assert "Nhật ký truy cập" not in titles and "Người dùng" not in titles and "SQL" not in " ".join(titles)
            assert not at.text_area


def test_page_errors_show_details_to_analysts_only(env, monkeypatch):
    from dashboard.web import session

    def broken(*args, **kwargs):
        raise RuntimeError("secret path /srv/data/curated/x.parquet")

    monkeypatch.setattr(session, "cached_kpis", broken)
    leader = sign_in(new_app(), "lead")
    assert leader.error and not any("/srv/data" in c.value for c in leader.code)
    analyst = sign_in(new_app(), "boss")
    assert any("/srv/data" in c.value for c in analyst.code)


def test_a_provincial_user_gets_only_their_province_snapshots(env):
    from dashboard.weekly import snapshot

    # one stored week per archive: all W08, P1 W10, P2 W09
    for scope, week in (("all", "2026-W08"), ("province:P1", "2026-W10"), ("province:P2", "2026-W09")):
        folder = snapshot.snapshot_dir(env, snapshot.Week.parse(week), Scope.parse(scope))
        folder.mkdir(parents=True, exist_ok=True)
        # a kpis.parquet of the archive's own scope (a province's archive holding other scopes is not offered:
        # tests/test_security_data.py, finding 3)
        kind, _, ident = scope.partition(":")
        pl.DataFrame(
            {"scope_type": [kind], "scope_id": [ident or None]}, schema={"scope_type": pl.String, "scope_id": pl.String}
        ).write_parquet(folder / snapshot.KPI_FILE)
        (folder / snapshot.MANIFEST_FILE).write_text(json.dumps({"created_at": "2026-03-09T08:00:00", "parts": {}}))
    try:
        for name, week in (("p1", "2026-W10"), ("boss", "2026-W08")):
            at = open_page(sign_in(new_app(week="2026-W09"), name), "snapshots")
            assert not at.exception
            assert at.selectbox(key="snapshot_week").options == [week]  # its own archive; W09 (P2) never
            labels = [b.label for b in at.download_button if b.key.startswith("snapshot_file_")]
            assert labels == [snapshot.KPI_FILE, snapshot.MANIFEST_FILE]
    finally:
        shutil.rmtree(env / "snapshots")


# ---- audit -------------------------------------------------------------------------------------------------


def test_the_audit_log_records_each_event_kind(env, monkeypatch, downloads):
    today = audit.now().date().isoformat()
    at = sign_in(new_app(), "p1analyst")
    sign_in(new_app(), "p1analyst", "wrong-password")
    at = open_page(at, "workbench")
    at.text_area(key="wb_sql").input(DOSSIER_SQL)
    at = at.button(key="wb_run").click().run()
    at = open_page(at, "sharing")
    button = next(b for b in at.download_button if b.key.startswith("csv_"))
    downloads.fetch_button(button)  # the file fetched as a browser does: its bytes are made, and audited, then
    at = at.button(key="sign_out").click().run()
    assert at.text_input(key="login_name")  # signed out: the sign-in screen again
    admin = sign_in(new_app(), "boss")
    admin = open_page(admin, "snapshot-run")
    admin.text_input(key="snaprun_week").input("2026-W10")
    admin = admin.button(key="snaprun_go").click().run()
    events = audit.read(env, today, user="p1analyst")
    kinds = {e["event"] for e in events}
    assert {"sign_in", "sign_in_failed", "page_view", "workbench_query", "download", "sign_out"} <= kinds
    query_event = next(e for e in events if e["event"] == "workbench_query")
    assert query_event["sql"] == DOSSIER_SQL and query_event["sql_sha256"] == audit.sql_hash(DOSSIER_SQL)
    assert query_event["rows"] == 1 and query_event["status"] == "ok" and query_event["scope"] == "province:P1"
    assert query_event["duration_ms"] >= 0
    assert any(e["event"] == "download" and e["scope"] == "province:P1" for e in events)
    runs = audit.read(env, today, user="boss", event="snapshot_run")
    assert runs and runs[-1]["week"] == "2026-W10"
    # the admin page shows them, filtered by user
    admin = open_page(admin, "audit")
    admin.selectbox(key="audit_user").set_value("p1analyst").run()
    table = admin.dataframe[0].value
    assert set(table.iloc[:, 2]) == {"p1analyst"}
    assert len(table) == len(audit.read(env, today, user="p1analyst"))


def test_audit_lines_are_whole_json_lines_in_append_only_daily_files(env):
    today = audit.now().date().isoformat()
    path = env / "audit" / f"{today}.jsonl"
    before = path.read_bytes() if path.exists() else b""
    audit.record(env, "page_view", "tester", page="x")
    after = path.read_bytes()
    assert after.startswith(before)  # appended, nothing rewritten
    assert all(json.loads(line) for line in after.decode().splitlines())
    with pytest.raises(ValueError):
        audit.record(env, "not_an_event", "tester")


def test_the_users_file_and_the_audit_log_are_out_of_reach_of_sql(env):
    # they sit outside curated/, the only folder the `all` database may read; scope databases read no file
    assert (env / "auth" / "users.json").is_file()
    for sql in (f"select * from read_json('{env}/auth/users.json')", f"select * from read_text('{env}/audit/*')"):
        with pytest.raises(sandbox.Refused):
            sandbox.run_workbench(env, Scope(), sql, {})
