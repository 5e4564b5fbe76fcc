"""Whole-response cache for anonymous visitors, in front of Flask (WSGI middleware).

Public pages are the same for every anonymous visitor until the catalog or the
index changes, so each is rendered once per change and then served from memory,
gzip-compressed, without entering Flask at all. bench/web.py measured why: a
1-hour story page is ~0.5 MB of HTML and cost ~30 ms of CPU per view even with
its transcript cached, and a search on a common word ~50 ms, which capped one
server at 15-30 pages/s.

What keeps it correct:
- The key holds everything a public page depends on besides the data: path,
  query string, interface language (?lang, then the cookie), host and scheme
  (absolute links), and today's date (embargoes lift by date). The data part is
  the catalog generation, bumped by database triggers on every public-facing
  change by any process (migration 0004), and the search index generation.
- Only requests without cookies other than the language one are served or
  stored here: signed-in editors and researchers always get a fresh page.
- Only 200 responses without Set-Cookie and not marked private or no-store are
  stored, and only for the endpoints the app lists (pages, feeds, story JSON),
  so media files and Range requests never pass through.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

Key = tuple


@dataclass(frozen=True)
class Entry:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes  # gzip
    etag: str


def language(environ: dict, cookies: dict[str, str], languages: tuple[str, ...]) -> str:
    """The interface language exactly as web.i18n picks it: ?lang=, then the cookie, then the first."""
    asked = (parse_qs(environ.get("QUERY_STRING", "")).get("lang") or [None])[0] or cookies.get("lang")
    return asked if asked in languages else languages[0]


def cookies_of(environ: dict) -> dict[str, str] | None:
    """The request's cookies; None when they cannot be read (then the request is not cached)."""
    raw = environ.get("HTTP_COOKIE", "")
    if not raw:
        return {}
    try:
        jar = SimpleCookie()
        jar.load(raw)
    except CookieError:
        return None
    return {k: m.value for k, m in jar.items()}


def accepts_gzip(header: str) -> bool:
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def storable(status: str, headers: list[tuple[str, str]]) -> bool:
    if not status.startswith("200"):
        return False
    for name, value in headers:
        lname = name.lower()
        if lname == "set-cookie" or lname == "content-encoding":
            return False
        if lname == "cache-control" and ("private" in value or "no-store" in value):
            return False
    return True


class PageCache:
    """WSGI middleware: `cacheable(environ)` says which requests may be cached; `version()` is the data part
    of the key (catalog and index generations); at most `max_bytes` of compressed bodies are kept (LRU)."""

    def __init__(self, app: Callable, cacheable: Callable[[dict], bool], version: Callable[[], object],
                 today: Callable[[], object], languages: tuple[str, ...], max_bytes: int):
        self.app = app
        self.cacheable = cacheable
        self.version = version
        self.today = today
        self.languages = languages
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._current: tuple | None = None  # (version, date) of the entries kept
        self.hits = self.misses = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.max_bytes <= 0 or environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        cookies = cookies_of(environ)
        if cookies is None or set(cookies) - {"lang"} or not self.cacheable(environ):
            return self.app(environ, start_response)
        try:
            version = self.version()
        except Exception:  # catalog or index unreadable: the app answers (and shows its error page)
            return self.app(environ, start_response)
        current = (version, self.today())
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""),
               environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
               language(environ, cookies, self.languages), current)
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
        entry, passthrough = self._render(environ, key)
        if entry is None:
            status, headers, body = passthrough
            start_response(status, headers)
            return [body]
        return self._respond(environ, entry, start_response, "MISS")

    def _render(self, environ: dict, key: Key):
        """Run the app; an Entry when the response may be kept, else (None, (status, headers, body))."""
        captured: list = []

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
        if not storable(status, headers):
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
