"""The one way to quote text into SQL, for the few statements that cannot bind a parameter (file lists of views,
DDL): a string literal or an identifier. Values a user typed are bound, never quoted in."""

from __future__ import annotations


def literal(text: str) -> str:
    """A SQL string literal: 'it''s'."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier, double quotes doubled."""
    return '"' + str(name).replace('"', '""') + '"'
