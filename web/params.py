"""Route parameters, parsed and bounded in one place (see init_app).

Every number a client sends (URL parts, query and form fields) passes through
here, so a 25-digit id or a 309-digit time is a clear 400/404, never a 500
from SQLite or float(). Parsing is pure (`bounded_int`, `parse_time`); the
`query_*`/`form_*` helpers only read the request and apply a default.

- `<int:...>` in every rule is `BoundedInt`: ASCII digits up to MAX_INT, else
  the rule does not match (404), before any handler or query runs.
- `?t=` (a moment in a story) is `query_time`: seconds from 0 to MAX_SECONDS.
- `?page=` and other counts are `query_int(name, default, lo, hi)`: a value out
  of range or unreadable is the default, as a missing one is.
- free text such as `?q=` is `query_text(name, max_chars)`: stripped and cut.
"""

from __future__ import annotations

import unicodedata

from flask import Flask, request
from werkzeug.routing import IntegerConverter, ValidationError

from verhalen.errors import UsageError
from verhalen.exports import MAX_SECONDS, parse_time  # noqa: F401 - the one rule for typed times

from .i18n import gettext as _

# Catalog ids and versions are SQLite/PostgreSQL 64-bit integers; nothing larger can name a row.
MAX_INT = 2**63 - 1
# Longest query text read from a URL (a search, an export): longer ones are cut, not refused.
MAX_QUERY_CHARS = 1000


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


def query_time(name: str = "t") -> float | None:
    """The query parameter `name` (default ?t=) as a moment in seconds, or None (see parse_time)."""
    return parse_time(request.args.get(name))


def query_int(name: str, default: int, lo: int, hi: int) -> int:
    """The query parameter `name` as an integer in [lo, hi]; `default` when missing, unreadable or outside."""
    n = bounded_int(request.args.get(name))
    return n if n is not None and lo <= n <= hi else default


def query_text(name: str, max_chars: int = MAX_QUERY_CHARS) -> str:
    """The query parameter `name`, stripped, control characters (CR, LF, tab...) as spaces, at most `max_chars`
    long. Format characters stay: Persian writes the zero-width non-joiner inside words."""
    value = "".join(" " if unicodedata.category(c) == "Cc" else c for c in request.args.get(name) or "")
    return value.strip()[:max_chars]


class BoundedInt(IntegerConverter):
    """`<int:...>`: ASCII digits naming a 64-bit value (or within the rule's own min/max); anything else,
    such as 25 digits or Arabic-Indic numerals, does not match the rule (404)."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        n = bounded_int(value)
        if n is None or n < 0 and not self.signed:
            raise ValidationError()
        if (self.min is not None and n < self.min) or (self.max is not None and n > self.max):
            raise ValidationError()
        return n

    @property
    def signed_regex(self) -> str:
        return r"-?[0-9]+"


def init_app(app: Flask) -> None:
    """Called first in create_app, before any blueprint registers its rules: every `<int:...>` is bounded."""
    app.url_map.converters["int"] = BoundedInt
