"""Route parameters, parsed and bounded in one place (see init_app).

Every number a client sends (URL parts, query and form fields) passes through
here, so a 25-digit id or a 309-digit time is a clear 400/404, never a 500
from SQLite or float().
"""

from __future__ import annotations

from flask import Flask

from verhalen.errors import UsageError

from .i18n import gettext as _

# Catalog ids and versions are SQLite/PostgreSQL 64-bit integers; nothing larger can name a row.
MAX_INT = 2**63 - 1


def bounded_int(value: str | None) -> int | None:
    """An integer in [-MAX_INT, MAX_INT] from plain ASCII digits (optionally signed), else None."""
    if value is None:
        return None
    value = value.strip()
    digits = value[1:] if value[:1] in ("-", "+") else value
    if not digits or len(digits) > 19 or not digits.isascii() or not digits.isdigit():
        return None
    n = int(value)
    return n if -MAX_INT <= n <= MAX_INT else None


def form_int(form, name: str, required: bool = True) -> int | None:
    """The form field `name` as a bounded integer; UsageError (400, in the user's words) when required and
    missing or not a number."""
    n = bounded_int(form.get(name))
    if n is None and required:
        raise UsageError(_("Het veld {name} ontbreekt of is geen getal.", name=name))
    return n


def init_app(app: Flask) -> None:
    """Called first in create_app, before any blueprint registers its rules."""
