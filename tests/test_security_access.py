"""Issue 12, findings 2, 9, 10, 11, 12 and 15: the audit log, the lockout, the OIDC mapping and library, the demo
marker and the cookie secret, and what git must not take in. One test (or more) per finding, named after it."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import sys
import threading
import time
import tomllib
import types

import pytest
from packaging.requirements import Requirement
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.access import audit, auth
from dashboard.config import ROOT, SCOPE_DIR, data_version
from dashboard.data import demo_marker
from dashboard.i18n import t
from dashboard.web import settings

TRICKY = [
    "x\u20281\u2028y",  # the name that broke /audit for a day
    "-- \u2028 hidden\nselect 1",
    "a\u2029b\u0085c\rd\r\ne\x0bf\x0cg\x1c\x1d\x1e",
    "quotes \" and ' and \\ and </script>",
    "Nguyễn Thị Hồng Nhung · Sở Thông tin và Truyền thông",
    "emoji 😀 and a tab\t",
]
LONG_SECRET = "a-test-cookie-secret-of-more-than-32-characters"


@pytest.fixture
def base(tmp_path, monkeypatch):
    monkeypatch.delenv("DASHBOARD_USERS_FILE", raising=False)
    return tmp_path


# ---- finding 2: the audit log -------------------------------------------------------------------------------


def test_finding_02_audit_survives_unicode_line_separators(base):
    day = audit.now().date().isoformat()
    texts = TRICKY
    for text in texts:
        audit.record(base, "sign_in_failed", text, mode="password", reason="failed")
        audit.record(base, "workbench_query", "analyst", sql=text, sql_sha256=audit.sql_hash(text), status="ok")
    raw = (base / "audit" / f"{day}.jsonl").read_bytes()
    assert raw.isascii()  # every character beyond ASCII is escaped in the line
    assert raw.count(b"\n") == 2 * len(texts) and raw.endswith(b"\n")  # one `\n` per event, nothing else breaks
    assert len(raw.decode("ascii").splitlines()) == 2 * len(texts)  # even str.splitlines sees one line per event
    log = audit.read_day(base, day)
    assert log.unreadable == []
    assert [e["user"] for e in log.events if e["event"] == "sign_in_failed"] == texts  # exactly, round trip
    assert [e["sql"] for e in log.events if e["event"] == "workbench_query"] == texts
    assert [e["sql"] for e in audit.read(base, day, user="analyst", event="workbench_query")] == texts


def test_finding_02_unreadable_lines_are_counted_and_old_lines_still_read(base):
    day = audit.now().date().isoformat()
    audit.record(base, "page_view", "a", page="x")
    path = base / "audit" / f"{day}.jsonl"
    old = {"ts": f"{day}T08:00:00.000+07:00", "event": "sign_in_failed", "user": "x\u20281\u2028y"}
    with open(path, "ab") as out:
        out.write((json.dumps(old, ensure_ascii=False) + "\n").encode("utf-8"))  # as the writer did before
        out.write(b'1\n{"ts": 5, "event": "page_view"}\n\xff\xfe\n["a"]\n{"ts": "x", "event": "nope"}\n')
        out.write(b'{"ts": "x", "event": "page_view", "user": 7}\n{"ts": "torn')
    log = audit.read_day(base, day)
    assert [e["user"] for e in log.events] == ["a", "x\u20281\u2028y"]
    assert log.unreadable == [3, 4, 5, 6, 7, 8, 9]


def test_finding_02_audit_page_shows_what_a_name_with_line_separators_did(tiny_base, tmp_path, monkeypatch):
    shutil.copytree(tiny_base / "curated", tmp_path / "curated")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DASHBOARD_ROLE", raising=False)  # mode none on test data: the demo user, an admin
    monkeypatch.delenv("DASHBOARD_SCOPE", raising=False)
    day = audit.now().date().isoformat()
    audit.record(tmp_path, "sign_in_failed", "x\u20281\u2028y", mode="password", reason="failed")
    audit.record(tmp_path, "workbench_query", "p1analyst", sql="select 1 -- \u2028 hidden", status="ok")
    with open(tmp_path / "audit" / f"{day}.jsonl", "ab") as out:
        out.write(b'1\n{"torn": \n')  # two lines that are not events
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at._page_hash = calc_hash("audit")
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning if "không đọc được" in w.value] == [
        t("admin.audit.unreadable", "vi", count=2, lines="3, 4")
    ]
    table = at.dataframe[0].value
    assert "x\u20281\u2028y" in set(table.iloc[:, 2])
    assert any("\u2028 hidden" in cell for cell in table.iloc[:, 3])
    assert "x\u20281\u2028y" in at.selectbox(key="audit_user").options


# ---- finding 9: the lockout ---------------------------------------------------------------------------------


@pytest.fixture
def counted_hashes(monkeypatch):
    """Every password check (a scrypt hash), each made slow like the real one, so parallel attempts overlap."""
    calls: list[str] = []
    real = auth._verify_hash

    def slow(password, stored):
        calls.append(password)
        time.sleep(0.05)
        return real(password, stored)

    monkeypatch.setattr(auth, "_verify_hash", slow)
    monkeypatch.setattr(auth, "_SCRYPT", {"n": 2**10, "r": 8, "p": 1})  # cheap hashes for the test's users
    return calls


def test_finding_09_parallel_sign_ins_cannot_pass_the_lockout(base, counted_hashes):
    auth.add_user(base, "boss", "admin", "all", "the-right-password")
    tries = [f"wrong-{i}" for i in range(30)]
    tries.insert(17, "the-right-password")
    start = threading.Barrier(len(tries))
    outcomes: list[str] = []

    def attempt(password):
        start.wait()
        outcomes.append(auth.check_password(base, "boss", password)[1])

    threads = [threading.Thread(target=attempt, args=(p,)) for p in tries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 31
    assert len(counted_hashes) <= auth.MAX_FAILURES  # at most 5 passwords checked, however many run at once
    assert outcomes.count("locked") >= 31 - auth.MAX_FAILURES
    assert outcomes.count("ok") == ("the-right-password" in counted_hashes)  # signed in only if it was checked
    # a locked name costs no hash at all, the right password included
    auth.reset_failures(base, "boss")
    for i in range(auth.MAX_FAILURES):
        auth.check_password(base, "boss", f"again-{i}")
    checked = len(counted_hashes)
    assert auth.check_password(base, "boss", "the-right-password") == (None, "locked")
    assert len(counted_hashes) == checked


def test_finding_09_unknown_names_do_not_grow_the_lockout_file(base, monkeypatch):
    monkeypatch.setattr(auth, "_verify_hash", lambda password, stored: False)  # no scrypt: the count is the test
    lockout = base / "auth" / "lockout.json"
    now = time.time()
    monkeypatch.setattr(auth.time, "time", lambda: now)
    for i in range(40):
        auth.check_password(base, f"nobody-{i}", "x")
    assert len(json.loads(lockout.read_text())) == 40
    for _ in range(auth.MAX_FAILURES):
        assert auth.check_password(base, "target", "x")[0] is None
    # after the window and the lock, the next attempt leaves only itself: every other entry expired
    later = now + 24 * 3600  # a day later: past any window and lock
    monkeypatch.setattr(auth.time, "time", lambda: later)
    auth.check_password(base, "somebody-else", "x")
    assert list(json.loads(lockout.read_text())) == ["somebody-else"]
    # and within a window, a flood of names is capped, a running lock kept
    monkeypatch.setattr(auth, "MAX_LOCKOUT_ENTRIES", 10)
    for _ in range(auth.MAX_FAILURES):
        auth.check_password(base, "target", "x")
    for i in range(50):
        auth.check_password(base, f"flood-{i}", "x")
    state = json.loads(lockout.read_text())
    assert len(state) <= 11
    assert auth.locked_until(base, "target") and auth.check_password(base, "target", "x") == (None, "locked")


# ---- finding 10: the OIDC mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "who"),
    [
        ({"email": "kate@org.vn", "email_verified": True}, "kate@org.vn"),
        ({"email": "Kate@ORG.vn"}, "kate@org.vn"),  # no claim: the provider does not say; case does not matter
        ({"email": "kate@org.vn", "email_verified": "false"}, None),
        ({"email": "kate@org.vn", "email_verified": "true"}, None),  # only the JSON true
        ({"email": "kate@org.vn", "email_verified": 1}, None),
        ({"email": "kate@org.vn", "email_verified": None}, None),
        ({"email": "kate@org.vn", "email_verified": False}, None),
        ({"email": "\u212aate@org.vn", "email_verified": True}, None),  # Kelvin sign: lower() and NFC give k / K
        ({"email": "\uff4b\uff41\uff54\uff45@org.vn", "email_verified": True}, None),  # fullwidth: NFKC gives kate
        ({"email": "kat\u212f@org.vn", "email_verified": True}, None),  # script e: NFKC gives e
        ({"email": "kate@org.vn\u200b", "email_verified": True}, None),  # zero-width space
        ({"email": "kate\u0301@org.vn", "email_verified": True}, None),  # a combining accent
        ({"email": "ka\u0131e@org.vn", "email_verified": True}, None),  # dotless i
        ({"email": ["kate@org.vn"], "email_verified": True}, None),
        ({"email_verified": True}, None),
        ({"email": "ana@org.vn", "email_verified": True}, "ana@org.vn"),
    ],
)
def test_finding_10_oidc_gives_no_role_to_an_unverified_or_lookalike_email(base, claims, who):
    auth.add_user(base, "kate@org.vn", "admin", "all")
    auth.add_user(base, "ana@org.vn", "leader", "all")
    user = auth.oidc_user(base, claims)
    assert (user.name if user else None) == who
    if who == "kate@org.vn":
        assert user.role == "admin"


# ---- finding 11: OIDC needs Authlib -------------------------------------------------------------------------


def oidc_settings(**section) -> auth.Settings:
    oidc = {"redirect_uri": "https://dash.example/oauth2callback", "cookie_secret": LONG_SECRET, **section}
    return auth.Settings("oidc", False, oidc)


@pytest.fixture
def fake_authlib(monkeypatch):
    """An importable Authlib (the real one is not installed here), version settable."""
    top = types.ModuleType("authlib")
    top.__version__ = "1.9.10"
    monkeypatch.setitem(sys.modules, "authlib", top)
    monkeypatch.setitem(sys.modules, "authlib.integrations", types.ModuleType("authlib.integrations"))
    client = types.ModuleType("authlib.integrations.starlette_client")
    monkeypatch.setitem(sys.modules, "authlib.integrations.starlette_client", client)
    return top


def test_finding_11_oidc_mode_refuses_to_start_without_authlib(base, monkeypatch, capsys):
    auth.add_user(base, "kate@org.vn", "admin", "all")
    monkeypatch.setitem(sys.modules, "authlib", None)  # `import authlib` fails
    with pytest.raises(auth.AuthConfigError) as refused:
        auth.resolve_mode(base, oidc_settings())
    assert refused.value.code == "auth.err_authlib"
    assert "authlib" in refused.value.values["reason"].lower()
    assert "Authlib" in t(refused.value.code, "vi", **refused.value.values)
    assert "streamlit[auth]" in t(refused.value.code, "en", **refused.value.values)
    # the server command says so and stops before serving
    from dashboard.web.serve import serve

    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(base))
    monkeypatch.setenv("DASHBOARD_AUTH", "oidc")
    assert serve(base, 8999) == 1
    assert "Authlib" in capsys.readouterr().err


def test_finding_11_oidc_mode_starts_with_authlib_and_refuses_an_old_one(base, fake_authlib):
    auth.add_user(base, "kate@org.vn", "admin", "all")
    assert auth.oidc_library_problem() is None
    assert auth.resolve_mode(base, oidc_settings()) == "oidc"
    fake_authlib.__version__ = "1.3.1"
    with pytest.raises(auth.AuthConfigError) as refused:
        auth.resolve_mode(base, oidc_settings())
    assert refused.value.code == "auth.err_authlib" and "1.3.1" in refused.value.values["reason"]


def test_finding_11_requirements_pin_authlib_as_streamlit_auth_needs():
    # declared in pyproject.toml; tests/test_lock.py holds requirements.txt (the lock) to these declarations
    lines = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = {Requirement(line).name.lower(): Requirement(line) for line in lines}
    assert "auth" in pins["streamlit"].extras
    authlib = pins["authlib"]
    (pinned,) = [spec.version for spec in authlib.specifier if spec.operator == "=="]
    needed = [Requirement(r) for r in importlib.metadata.requires("streamlit") or [] if 'extra == "auth"' in r]
    asked = next(r for r in needed if r.name.lower() == "authlib")
    assert asked.specifier.contains(pinned), (pinned, str(asked.specifier))


# ---- finding 12: the demo marker and the cookie secret ------------------------------------------------------


def overwrite_keeping_size_and_mtime(path, data: bytes) -> None:
    before = path.stat()
    time.sleep(0.05)  # past the file system's clock tick
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_finding_12_demo_marker_checks_content_not_size_and_mtime(demo_base, tmp_path, monkeypatch):
    monkeypatch.delenv("DASHBOARD_ALLOW_NO_AUTH")
    copy = tmp_path / "copy"
    shutil.copytree(demo_base / "curated", copy / "curated")
    assert auth.is_demo_data(copy)
    target = copy / "curated" / "provinces.parquet"
    original = target.read_bytes()
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0xFF
    overwrite_keeping_size_and_mtime(target, bytes(changed))
    assert data_version(copy) == data_version(demo_base)  # what the marker trusted before: no change seen
    assert not auth.is_demo_data(copy)
    with pytest.raises(auth.AuthConfigError):
        auth.resolve_mode(copy, auth.Settings("none"))
    # with the hashes cached (every file taken as settled), an edit is still seen: its change time moved
    overwrite_keeping_size_and_mtime(target, original)
    monkeypatch.setattr(demo_marker, "SETTLED_SECONDS", -60.0)
    assert auth.is_demo_data(copy) and auth.is_demo_data(copy)
    overwrite_keeping_size_and_mtime(target, bytes(changed))
    assert not auth.is_demo_data(copy)
    # a scope file, folders down, is covered the same way, and so is a file added beside it
    overwrite_keeping_size_and_mtime(target, original)
    assert auth.is_demo_data(copy)
    nested = sorted((copy / "curated" / SCOPE_DIR).rglob("*.parquet"))[0]
    kept = nested.read_bytes()
    overwrite_keeping_size_and_mtime(nested, kept[:-9] + bytes(b ^ 0xFF for b in kept[-9:-8]) + kept[-8:])
    assert not auth.is_demo_data(copy)
    overwrite_keeping_size_and_mtime(nested, kept)
    assert auth.is_demo_data(copy)
    (nested.parent / "extra.parquet").write_bytes(kept)
    assert not auth.is_demo_data(copy)
    # the marker names every file with its content hash
    marker = json.loads((demo_base / "curated" / demo_marker.DEMO_MARKER).read_text())
    assert marker["sha256"]["provinces.parquet"] == demo_marker.file_sha256(demo_base / "curated" / "provinces.parquet")


def test_finding_12_a_short_cookie_secret_is_refused(base, monkeypatch, capsys, fake_authlib):
    auth.add_user(base, "boss", "admin", "all", "a-long-password")
    # as the server reads it: a one-character secret in the environment
    monkeypatch.setenv("DASHBOARD_AUTH", "password")
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", "x")
    with pytest.raises(auth.AuthConfigError) as refused:
        settings.resolve_mode(base)
    assert refused.value.code == "auth.err_cookie_secret_short" and refused.value.values["length"] == 1
    from dashboard.web.serve import serve

    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(base))
    assert serve(base, 8999) == 1
    assert "at least 32" in capsys.readouterr().err
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", LONG_SECRET)
    assert settings.resolve_mode(base) == "password"
    # the rule, at its edge, with its message in both languages
    for length in (1, 16, 31):
        with pytest.raises(auth.AuthConfigError) as refused:
            auth.resolve_mode(base, auth.Settings("password", True, cookie_secret_length=length))
        assert refused.value.code == "auth.err_cookie_secret_short"
        assert f"{length} ký tự" in t(refused.value.code, "vi", **refused.value.values)
        assert "at least 32" in t(refused.value.code, "en", **refused.value.values)
    assert auth.resolve_mode(base, auth.Settings("password", True, cookie_secret_length=32)) == "password"
    # oidc's cookie secret signs the identity cookie: the same minimum
    auth.add_user(base, "kate@org.vn", "admin", "all")
    with pytest.raises(auth.AuthConfigError) as refused:
        auth.resolve_mode(base, oidc_settings(cookie_secret="short"))
    assert refused.value.code == "auth.err_cookie_secret_short"


# ---- finding 15: what git must not take in -----------------------------------------------------------------


def test_finding_15_secrets_users_and_audit_are_git_ignored():
    ignored = {line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()}
    assert {".streamlit/secrets.toml", "data/auth/", "data/audit/"} <= ignored
