"""Who may see what: the login modes, the users file, roles and scopes, lockout.

Modes (env DASHBOARD_AUTH, else `auth = "..."` under `[dashboard]` in .streamlit/secrets.toml):

- `oidc`: Streamlit's `st.login` against the organisation's identity provider (`[auth]` in secrets.toml); needs
  Authlib (`streamlit[auth]`), checked before serving. The ID token's expiry (`exp`) is checked on every run.
  The user's e-mail is looked up in the users file (`oidc_user`): only a plain ASCII e-mail, with
  `email_verified` exactly true when the token has it, so no Unicode lookalike takes a listed user's role.
- `password`: a local users file of salted scrypt hashes, managed with `python -m dashboard users ...`;
  5 failed attempts within 15 minutes lock a name for 15 minutes (kept in `<data dir>/auth/lockout.json`). An
  attempt takes its slot in the count (under a process lock and a file lock) before its password is hashed, so
  parallel attempts cannot pass the limit; a locked name costs no hash. Entries expire, and their number is capped.
  The cookie secret must have at least 32 characters (and so must `cookie_secret` of oidc).
- `none`: no login, allowed only on demo data (the marker `curated/DEMO_DATA.json` that
  `python -m dashboard demo` writes, valid while the curated files are the ones it wrote), or when
  DASHBOARD_ALLOW_NO_AUTH=1 (the test suite's fixtures). Unset means `none` on demo data and a refusal
  otherwise: the app is secure by default.

The users file (`<data dir>/auth/users.json`, or DASHBOARD_USERS_FILE) maps a name (an e-mail for oidc) to a
role and a scope. A user whose scope is not `all` is held to it everywhere (see ui.forced_scope).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import fcntl
import getpass
import hashlib
import hmac
import importlib
import json
import os
import re
import secrets as pysecrets
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path

from dashboard.data.demo_marker import is_demo_data
from dashboard.scope import Scope

MODES = ("oidc", "password", "none")
ROLES = ("leader", "provincial", "analyst", "admin")
ANALYST_ROLES = ("analyst", "admin")
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
WINDOW_SECONDS = 15 * 60  # failures older than this (with no lock running) are forgotten
MAX_LOCKOUT_ENTRIES = 5000  # names kept in lockout.json at most; unlocked names with fewest failures go first
MIN_COOKIE_SECRET = 32
MIN_AUTHLIB = (1, 3, 2)  # what streamlit[auth] asks for
_NAME = re.compile(r"^[a-z0-9_.@+\-]{1,128}$")
# scrypt: N=2^15, r=8, p=1 (about 32 MiB, ~0.1 s per check); salt 16 bytes; 32-byte key.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_MAXMEM = 64 * 1024 * 1024
_LOCK = threading.Lock()


class AuthConfigError(RuntimeError):
    """The login is not configured well enough to serve this data."""

    def __init__(self, code: str, **values) -> None:
        super().__init__(code)
        self.code, self.values = code, values


@dataclasses.dataclass(frozen=True)
class User:
    name: str
    role: str
    scope: Scope = Scope()

    @property
    def is_analyst(self) -> bool:
        return self.role in ANALYST_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def forced_scope(self) -> Scope | None:
        """The scope this user is held to, or None when they may choose any."""
        return None if self.scope.type == "all" else self.scope


# ---- configuration -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the server was configured with: the mode asked for (None when none), whether a cookie secret is set,
    and the [auth] section of the secrets (OIDC). Read by web/settings.py from Streamlit's configuration."""

    mode: str | None = None
    cookie_secret_set: bool = False
    oidc: dict = dataclasses.field(default_factory=dict)
    cookie_secret_length: int = 0


def allow_no_auth() -> bool:
    return os.environ.get("DASHBOARD_ALLOW_NO_AUTH", "") == "1"


def resolve_mode(base: Path, settings: Settings) -> str:
    """The mode to run in, or AuthConfigError saying why this data cannot be served."""
    mode = settings.mode
    if mode is not None and mode not in MODES:
        raise AuthConfigError("auth.err_mode", mode=mode)
    if mode in (None, "none"):
        if allow_no_auth() or is_demo_data(base):  # the environment first: no walk of the curated files
            return "none"
        raise AuthConfigError("auth.err_no_login")
    if mode == "password":
        if not settings.cookie_secret_set:
            raise AuthConfigError("auth.err_cookie_secret")
        _check_secret_length(settings.cookie_secret_length)
        if not load_users(users_file(base)):
            raise AuthConfigError("auth.err_no_users")
    if mode == "oidc":
        problem = oidc_library_problem()
        if problem:
            raise AuthConfigError("auth.err_authlib", reason=problem)
        section = settings.oidc
        if not section.get("cookie_secret") or not section.get("redirect_uri"):
            raise AuthConfigError("auth.err_oidc_config")
        _check_secret_length(len(str(section["cookie_secret"])))
        if not load_users(users_file(base)):
            raise AuthConfigError("auth.err_no_users")
    return mode


def _check_secret_length(length: int) -> None:
    if length < MIN_COOKIE_SECRET:
        raise AuthConfigError("auth.err_cookie_secret_short", length=length, minimum=MIN_COOKIE_SECRET)


def oidc_library_problem() -> str | None:
    """Why `st.login` cannot work here (Authlib, or what its Starlette client needs, missing or too old), or None."""
    try:
        authlib = importlib.import_module("authlib")
        importlib.import_module("authlib.integrations.starlette_client")
    except ImportError as missing:
        return f"{type(missing).__name__}: {missing}"
    version = str(getattr(authlib, "__version__", ""))
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:3])
    if parts < MIN_AUTHLIB:
        return f"Authlib {version or '?'} < {'.'.join(map(str, MIN_AUTHLIB))}"
    return None


# ---- users file ---------------------------------------------------------------------------------------


def auth_dir(base: Path) -> Path:
    return Path(base) / "auth"


def users_file(base: Path) -> Path:
    chosen = os.environ.get("DASHBOARD_USERS_FILE")
    return Path(chosen).expanduser().resolve() if chosen else auth_dir(base) / "users.json"


def normal_name(name: str) -> str:
    return (name or "").strip().lower()


def _check_user(name: str, role: str, scope: Scope) -> None:
    if not _NAME.match(name):
        raise ValueError(f"not a valid user name (a-z 0-9 _ . @ + -): {name!r}")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; allowed: {', '.join(ROLES)}")
    if role == "provincial" and scope.type != "province":
        raise ValueError("a provincial user needs --scope province:CODE")


@lru_cache(maxsize=8)
def _read_users(path: str, mtime_ns: int) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return dict(data.get("users", {}))


def load_users(path: Path) -> dict[str, dict]:
    """name -> {"role", "scope", "password"?}; empty when there is no file."""
    try:
        return _read_users(str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return {}


def _save_users(path: Path, users: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"users": users}, out, indent=1, sort_keys=True)
    os.replace(tmp, path)


def lookup(base: Path, name: str) -> User | None:
    entry = load_users(users_file(base)).get(normal_name(name))
    if not entry:
        return None
    try:
        return User(normal_name(name), entry["role"], Scope.parse(entry.get("scope", "all")))
    except (KeyError, ValueError):
        return None  # a broken entry grants nothing


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, maxmem=_MAXMEM, dklen=32, **_SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt).decode()}${b64(key).decode()}"


def _verify_hash(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(base64.b64decode(key)),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(key))


_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(pysecrets.token_hex(16))
    return _DUMMY_HASH


def add_user(base: Path, name: str, role: str, scope: str = "all", password: str | None = None) -> None:
    name, parsed = normal_name(name), Scope.parse(scope)
    _check_user(name, role, parsed)
    path = users_file(base)
    with _file_lock(base):
        users = dict(load_users(path))
        if name in users:
            raise ValueError(f"user {name!r} exists (use set-password, or remove it first)")
        users[name] = {"role": role, "scope": parsed.key}
        if password is not None:
            users[name]["password"] = hash_password(password)
        _save_users(path, users)


def remove_user(base: Path, name: str) -> None:
    path, name = users_file(base), normal_name(name)
    with _file_lock(base):
        users = dict(load_users(path))
        if users.pop(name, None) is None:
            raise ValueError(f"no user {name!r}")
        _save_users(path, users)


def set_password(base: Path, name: str, password: str) -> None:
    path, name = users_file(base), normal_name(name)
    with _file_lock(base):
        users = dict(load_users(path))
        if name not in users:
            raise ValueError(f"no user {name!r}")
        users[name] = {**users[name], "password": hash_password(password)}
        _save_users(path, users)
    reset_failures(base, name)


# ---- lockout, kept on disk ----------------------------------------------------------------------------


@contextlib.contextmanager
def _file_lock(base: Path):
    folder = auth_dir(base)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _LOCK, open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lockout_path(base: Path) -> Path:
    return auth_dir(base) / "lockout.json"


def _read_lockout(base: Path) -> dict:
    try:
        state = json.loads(_lockout_path(base).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_lockout(base: Path, state: dict) -> None:
    path = _lockout_path(base)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out)
    os.replace(tmp, path)


def locked_until(base: Path, name: str, at: float | None = None) -> float | None:
    """The time (epoch seconds) until which a name is locked, or None."""
    entry = _read_lockout(base).get(normal_name(name))
    until = entry.get("locked_until") if isinstance(entry, dict) else None
    return until if isinstance(until, int | float) and until > (at or time.time()) else None


def _live(entry, at: float) -> bool:
    """Whether a lockout entry still matters at `at`: its lock runs, or its failures are within the window."""
    if not isinstance(entry, dict):
        return False
    until, last = entry.get("locked_until"), entry.get("last")
    if isinstance(until, int | float) and until > at:
        return True
    if until:
        return False  # the lock ran out: a fresh count
    return isinstance(last, int | float) and last + WINDOW_SECONDS > at


def _pruned(state: dict, at: float) -> dict:
    """The entries that still matter, at most MAX_LOCKOUT_ENTRIES of them (running locks kept first, then the names
    with the most failures, then the latest), so names tried once cannot grow the file without bound."""
    live = {name: entry for name, entry in state.items() if _live(entry, at)}
    if len(live) <= MAX_LOCKOUT_ENTRIES:
        return live

    def weight(item):
        entry = item[1]
        until = entry.get("locked_until")
        running = isinstance(until, int | float) and until > at
        return (running, entry.get("failures", 0), entry.get("last") or 0)

    return dict(sorted(live.items(), key=weight, reverse=True)[:MAX_LOCKOUT_ENTRIES])


def reserve_attempt(base: Path, name: str, at: float) -> bool:
    """Take one attempt's slot for a name, in one step under the process lock and the file lock: False when the
    name is locked (the caller then computes no hash). The attempt counts as a failure until `reset_failures`
    clears it on success; the slot that reaches MAX_FAILURES sets the lock at once, so however many attempts run
    in parallel, at most MAX_FAILURES passwords are checked per lock period."""
    with _file_lock(base):
        state = _read_lockout(base)
        entry = state.get(name)
        if not _live(entry, at):
            entry = {"failures": 0, "locked_until": None}
        if entry.get("locked_until"):
            return False
        failures = entry.get("failures", 0)
        entry = {
            "failures": (failures if isinstance(failures, int) else 0) + 1,
            "locked_until": None,
            "last": at,
        }
        if entry["failures"] >= MAX_FAILURES:
            entry["locked_until"] = at + LOCK_SECONDS
        state = _pruned({**state, name: entry}, at)
        state[name] = entry  # this attempt's entry stays, whatever the cap dropped
        _write_lockout(base, state)
    return True


def reset_failures(base: Path, name: str) -> None:
    with _file_lock(base):
        state = _read_lockout(base)
        if state.pop(normal_name(name), None) is not None:
            _write_lockout(base, state)


def check_password(base: Path, name: str, password: str) -> tuple[User | None, str]:
    """(user, "ok") or (None, "failed" | "locked"). Unknown names count failures and lock like known ones, and
    cost the same hash, so neither the answer nor its timing says whether a user exists. The attempt takes its
    slot before the hash (`reserve_attempt`); a locked name is refused without one."""
    name, at = normal_name(name), time.time()
    valid = bool(_NAME.match(name))
    if valid and not reserve_attempt(base, name, at):
        return None, "locked"
    entry = load_users(users_file(base)).get(name) if valid else None
    stored = (entry or {}).get("password") or _dummy_hash()
    ok = _verify_hash(password or "", stored) and entry is not None and "password" in entry
    user = lookup(base, name) if ok else None
    if user is None:
        if valid and locked_until(base, name, at):
            return None, "locked"  # this failure was the last one allowed
        return None, "failed"
    reset_failures(base, name)
    return user, "ok"


def token_expired(claims: dict, at: float | None = None) -> bool:
    """An ID token without a numeric `exp`, or past it, is expired (Streamlit keeps its cookie regardless)."""
    exp = claims.get("exp")
    try:
        return float(exp) <= (at or time.time())
    except (TypeError, ValueError):
        return True


def oidc_email(claims: dict) -> str | None:
    """The e-mail of an ID token as a users-file name, or None when it may not be trusted: `email_verified` present
    and not exactly True (the string "false" is not True), or an e-mail that is not plain ASCII. Non-ASCII is refused
    before any normalisation (NFC itself turns the Kelvin sign U+212A into K; lower() does too; NFKC turns fullwidth
    letters into ASCII), so only an address spelt in ASCII by the identity provider matches, compared casefolded."""
    if "email_verified" in claims and claims["email_verified"] is not True:
        return None
    email = claims.get("email")
    if not isinstance(email, str) or not email.isascii():
        return None
    email = email.strip().lower()  # ASCII only here: lower() is casefold
    return email if _NAME.match(email) else None


def oidc_user(base: Path, claims: dict) -> User | None:
    """The listed user an ID token's claims name (`oidc_email`), or None."""
    email = oidc_email(claims)
    return lookup(base, email) if email else None


# ---- command line: python -m dashboard users ... ---------------------------------------------------------


def _ask_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Again: "):
            raise ValueError("the two passwords differ")
    else:
        first = sys.stdin.readline().rstrip("\n")
    if len(first) < 10:
        raise ValueError("a password needs at least 10 characters")
    return first


def run_users_command(base: Path, args) -> int:
    try:
        if args.action == "list":
            for name, entry in sorted(load_users(users_file(base)).items()):
                login = "password" if entry.get("password") else "oidc only"
                print(f"{name}\t{entry.get('role')}\t{entry.get('scope', 'all')}\t{login}")
            return 0
        if not args.name:
            raise ValueError(f"users {args.action} needs a NAME")
        if args.action == "add":
            if not args.role:
                raise ValueError("users add needs --role")
            password = None if args.no_password else _ask_password()
            add_user(base, args.name, args.role, args.scope or "all", password)
        elif args.action == "remove":
            remove_user(base, args.name)
        elif args.action == "set-password":
            set_password(base, args.name, _ask_password())
        elif args.action == "unlock":
            reset_failures(base, args.name)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"users {args.action} {normal_name(args.name or '')}: done ({users_file(base)})")
    return 0


def lock_remaining_minutes(base: Path, name: str) -> int:
    until = locked_until(base, name)
    return max(1, round((until - time.time()) / 60)) if until else 0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
