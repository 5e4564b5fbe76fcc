"""Whole-response cache for anonymous visitors, in front of Flask (WSGI middleware).

Public pages are the same for every anonymous visitor until the catalog or the
index changes, so each is rendered once per change and then served from memory,
gzip-compressed, without entering Flask at all. bench/web.py measured why: a
1-hour story page is ~0.5 MB of HTML and cost ~30 ms of CPU per view even with
its transcript cached, and a search on a common word ~50 ms, which capped one
server at 15-30 pages/s.

What keeps it correct (docs/viewer.md, "The page cache and who sees what"):
- The app vouches for every response kept here. The middleware hands the app a
  Ticket in the WSGI environ (a key no client header can produce: servers put
  headers under HTTP_*); web/app.py marks it only for a GET answered 200 by a
  listed endpoint, rendered for an anonymous visitor with the public access
  levels, in the language the key was made with. Without that mark nothing is
  stored, whatever the cookies looked like: a blind spot in the cookie check
  below can cost a signed-in user a fresh page, never leak one.
- The request is read with werkzeug's parsers, as Flask's request reads it
  (the first of two duplicate cookies wins), and the language is chosen by the
  app's own function (web/i18n.py `choose`), so the cache and the app cannot
  disagree about the language; the app checks it again when it vouches.
- A request carrying a login cookie (Flask's session, flask-login's remember
  cookie; names from the app's config) is never served or stored here, even an
  expired or forged one. Other cookies (consent banners, analytics) are no
  login: those visitors share the anonymous pages.
- The key holds everything a public page depends on besides the data: path,
  query string, interface language, host and scheme (absolute links), and
  today's date (embargoes lift by date). The data part is the catalog
  generation, bumped by database triggers on every public-facing change by any
  process (migration 0004), and the search index generation.
- What goes on the wire decides too: only 200 responses without Set-Cookie, not
  marked private or no-store, and varying on nothing the key lacks are stored,
  and only for the endpoints the app lists, so media files and Range requests
  never pass through.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from werkzeug import urls as _urls  # noqa: F401 (registers the "werkzeug.url_quote" error handler used below)
from werkzeug.sansio.http import parse_cookie

Key = tuple
TICKET = "verhalen.page_cache.ticket"  # the environ key of the Ticket; not an HTTP_* key, so no client can send it


class FirstWins(dict):
    """Parsed (name, value) pairs as a plain dict in which the first of two duplicates wins, which is what
    `.get` on werkzeug's MultiDict (Flask's request.args and request.cookies) answers; a MultiDict itself costs
    a raised and caught HTTP exception for every name that is missing, on every cache hit."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()):
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, value)


EMPTY = FirstWins()


class Ticket:
    """The middleware's question to the app for one request it would like to store: may this answer, keyed
    on `language`, be given to every anonymous visitor? The app sets `vouched` (web/app.py `_headers`)."""

    __slots__ = ("language", "vouched")

    def __init__(self, language: str):
        self.language = language
        self.vouched = False


@dataclass(frozen=True)
class Entry:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes  # gzip
    etag: str


def accepts_gzip(header: str) -> bool:
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


# What a stored response may vary on: the key holds the encoding (served per request) and the only cookie a
# page for an anonymous visitor depends on (the language); any other Vary would need a key this lacks.
KEYED_VARY = frozenset({"cookie", "accept-encoding"})


def storable(status: str, headers: list[tuple[str, str]]) -> bool:
    if not status.startswith("200"):
        return False
    for name, value in headers:
        lname = name.lower()
        if lname == "set-cookie" or lname == "content-encoding":
            return False
        if lname == "cache-control" and ("private" in value or "no-store" in value):
            return False
        if lname == "vary" and not {v.strip().lower() for v in value.split(",")} <= KEYED_VARY:
            return False
    return True


class PageCache:
    """WSGI middleware: `cacheable(environ)` says which requests may be cached; `version()` is the data part
    of the key (catalog and index generations); `language(args, cookies)` is the app's own choice of
    interface language; a request with a cookie named in `private_cookies` is never served or stored;
    at most `max_bytes` of compressed bodies are kept (LRU)."""

    def __init__(self, app: Callable, cacheable: Callable[[dict], bool], version: Callable[[], object],
                 today: Callable[[], object], language: Callable[[object, object], str],
                 private_cookies: Iterable[str], max_bytes: int):
        self.app = app
        self.cacheable = cacheable
        self.version = version
        self.today = today
        self.language = language
        self.private_cookies = tuple(private_cookies)
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._current: tuple | None = None  # (version, date) of the entries kept
        self.hits = self.misses = 0

    @staticmethod
    def parse(environ: dict) -> tuple[FirstWins, FirstWins]:
        """(query arguments, cookies) exactly as Flask's request.args and request.cookies read them: werkzeug's
        own parsers, called the way its Request calls them (tests/test_page_cache.py holds the two to agree
        on a corpus of odd headers). Not a Request object: building one costs 5x more on every hit."""
        query, raw = environ.get("QUERY_STRING"), environ.get("HTTP_COOKIE")
        args = FirstWins(parse_qsl(query.encode("latin1").decode(), keep_blank_values=True,
                                   errors="werkzeug.url_quote")) if query else EMPTY
        return args, (parse_cookie(raw, cls=FirstWins) if raw else EMPTY)

    def read(self, environ: dict) -> tuple[FirstWins, str]:
        """(cookies, interface language) of a request, as the app sees them."""
        args, cookies = self.parse(environ)
        return cookies, self.language(args, cookies)

    def private(self, environ: dict) -> bool:
        """True when the request may carry a login cookie (valid or not): then it is none of the cache's business.

        A plain substring test, on purpose looser than any parser: every cookie name a parser finds is text of
        the header, so no parsing quirk can hide a login from it; `xsession=` or a value holding the word
        cost only a fresh page."""
        raw = environ.get("HTTP_COOKIE")
        return bool(raw) and any(name in raw for name in self.private_cookies)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.max_bytes <= 0 or environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        if self.private(environ) or not self.cacheable(environ):
            return self.app(environ, start_response)
        try:
            _, lang = self.read(environ)
        except Exception:  # a request the cache cannot read is the app's to answer (or refuse)
            return self.app(environ, start_response)
        try:
            version = self.version()
        except Exception:  # catalog or index unreadable: the app answers (and shows its error page)
            return self.app(environ, start_response)
        current = (version, self.today())
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""),
               environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), lang, current)
        with self._lock:
            if current != self._current:
                # Nothing stored under an older generation or date can be asked for again.
                self._current = current
                self._entries.clear()
                self._bytes = 0
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if entry is not None:
            return self._respond(environ, entry, start_response, "HIT")
        entry, passthrough = self._render(environ, key, lang)
        if entry is None:
            status, headers, body = passthrough
            start_response(status, headers)
            return [body]
        return self._respond(environ, entry, start_response, "MISS")

    def _render(self, environ: dict, key: Key, lang: str):
        """Run the app; an Entry when the app vouched for the response and it may be kept,
        else (None, (status, headers, body))."""
        captured: list = []
        ticket = environ[TICKET] = Ticket(lang)

        def capture(status, headers, exc_info=None):
            captured[:] = [status, list(headers)]
            return lambda data: body_parts.append(data)

        body_parts: list[bytes] = []
        result = self.app(environ, capture)
        try:
            body_parts.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = captured
        body = b"".join(body_parts)
        # Our own ticket object, not whatever environ[TICKET] holds by now.
        if not ticket.vouched or not storable(status, headers):
            return None, (status, headers, body)
        # Level 4: a 1-hour story page (0.5 MB) in 4.5 ms instead of 8 at level 6, 3 % larger.
        gz = gzip.compress(body, compresslevel=4, mtime=0)
        etag = '"p' + hashlib.blake2b(gz, digest_size=12).hexdigest() + '"'
        kept = tuple((n, v) for n, v in headers if n.lower() not in ("content-length", "etag"))
        entry = Entry(status, kept, gz, etag)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            if len(gz) <= self.max_bytes // 4 and key[-1] == self._current:  # not rendered from old data
                self._entries[key] = entry
                self._bytes += len(gz)
                while self._bytes > self.max_bytes:
                    _, dropped = self._entries.popitem(last=False)
                    self._bytes -= len(dropped.body)
        return entry, None

    def _respond(self, environ: dict, entry: Entry, start_response: Callable, how: str) -> Iterable[bytes]:
        headers = list(entry.headers)
        headers += [("ETag", entry.etag), ("Vary", "Accept-Encoding"), ("X-Cache", how)]
        if entry.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", [(n, v) for n, v in headers if n.lower() != "content-type"])
            return [b""]
        if accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
            body = entry.body
            headers.append(("Content-Encoding", "gzip"))
        else:
            body = gzip.decompress(entry.body)
        headers.append(("Content-Length", str(len(body))))
        start_response(entry.status, headers)
        return [body]
