"""Scopes: all, one province, or one agency. A scope is also a database (see dashboard.engine.db)."""

from __future__ import annotations

import re
from dataclasses import dataclass

SCOPE_TYPES = ("all", "province", "agency")
_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@dataclass(frozen=True)
class Scope:
    type: str = "all"
    id: str | None = None

    def __post_init__(self) -> None:
        if self.type not in SCOPE_TYPES:
            raise ValueError(f"unknown scope type {self.type!r}; allowed: {', '.join(SCOPE_TYPES)}")
        if (self.type == "all") != (self.id is None):
            raise ValueError("scope 'all' takes no id; 'province' and 'agency' need one")
        if self.id is not None and not _ID.match(self.id):
            raise ValueError(f"not a valid code: {self.id!r}")

    @classmethod
    def parse(cls, text: str) -> Scope:
        """'all', 'province:CODE' or 'agency:ID'."""
        text = (text or "all").strip()
        if text == "all":
            return cls()
        kind, sep, ident = text.partition(":")
        if not sep:
            raise ValueError(f"scope must be all, province:CODE or agency:ID, not {text!r}")
        return cls(kind, ident)

    @property
    def key(self) -> str:
        return "all" if self.type == "all" else f"{self.type}:{self.id}"

    def params(self) -> dict[str, str | None]:
        return {"scope_type": self.type, "scope_id": self.id}

    def __str__(self) -> str:
        return self.key
