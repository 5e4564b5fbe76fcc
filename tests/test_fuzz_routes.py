"""Hostile route parameters never make a 5xx: every rule in the URL map, every argument and every query/form
field the handlers read, with huge, negative, unicode, CR/LF and very long values, anonymous, as an editor
and as an admin (web/params.py is the one helper that parses them)."""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import LiveServer, csrf_of, login
from verhalen.catalog import Segment, Story

WEB = Path(__file__).resolve().parents[1] / "web"

HOSTILE = [
    "9" * 25,                   # past 64 bits: SQLite's OverflowError
    "9" * 309,                  # past float's range: inf, then OverflowError in int()
    "-1", "0", "1e999", "nan",
    "²", "٣",                   # unicode "digits": str.isdigit() says yes, int() says no (or reads 3)
    "ünïcødé 🙂 \u202e", "%0d%0aSet-Cookie:%20x=1", "..", "../../etc/passwd", "x" * 10_000,
    "' OR 1=1 --", "a:b*?",
]
# The values a query or form field gets (percent-decoded by the client): every HOSTILE value, and raw CR/LF.
FIELD_VALUES = [urllib.parse.unquote(v) for v in HOSTILE] + ["\r\nSet-Cookie: x=1"]
# One field at a time (so an early refusal of another field hides nothing): the values most likely to hurt.
ONE_FIELD_VALUES = ["9" * 25, "9" * 309, "x" * 10_000, "/\r\n/evil.example"]

# Known 5xx in files this test's author does not own: (method, rule, field or argument, value) -> reason.
# The walk skips them; test_known_5xx_still_happen holds each as xfail(strict=True), so when the owner fixes
# one it fails there and the entry is removed here.
KNOWN: dict[tuple, str] = {}

_ARG = r"[\"']([\w-]+)[\"']"
_ARG_READS = [rf"args\.get(?:list)?\(\s*{_ARG}", rf"query_(?:time|int|text)\(\s*{_ARG}"]
_FORM_READS = [rf"(?:form|files)\.get(?:list)?\(\s*{_ARG}", rf"request\.(?:form|files)\[\s*{_ARG}",
               rf"form_int\([\w.]+,\s*{_ARG}", rf"\b_int\(\s*{_ARG}"]


def _reads(module: str, patterns: list[str]) -> set[str]:
    if not module.startswith("verhalen.web."):
        return set()
    path = WEB.joinpath(*module.split(".")[2:]).with_suffix(".py")
    assert path.is_file(), f"the source of {module} is not at {path}"
    src = path.read_text(encoding="utf-8")
    return {name for pattern in patterns for name in re.findall(pattern, src)}


def _fields(app, rule, method: str) -> list[str]:
    """The query (and for POST, form) fields the rule's module reads, and ?lang= which every page reads."""
    module = app.view_functions[rule.endpoint].__module__
    names = _reads(module, _ARG_READS) | {"lang"}
    if method != "GET":
        names |= _reads(module, _FORM_READS)
    return sorted(names)


def _base_values(app) -> dict[str, str]:
    """Plausible values for each URL argument, so the hostile one is the only thing wrong."""
    archive = app.archive
    with archive.session() as s:
        story = s.scalar(select(Story).where(Story.slug == "pop-up-bazaar"))
        segment = s.scalar(select(Segment).where(Segment.story_id == story.id).order_by(Segment.id))
        return {"slug": "pop-up-bazaar", "story_id": str(story.id), "segment_id": str(segment.id), "edit_id": "1",
                "name": "onderzoeker", "width": "320", "filename": "player.js"}


SLUGS = {"/persoon/": "basma", "/serie/": "levensverhalen", "/thema/": "werk", "/plaats/": "rotterdam",
         "/beeld/persoon/": "basma", "/beeld/serie/": "levensverhalen"}


def _url(rule, values: dict[str, str]) -> str:
    """The rule's path with `values` put in, percent-encoded (any(...) arguments get their first choice unless given)."""
    def part(m):
        conv, name = m.group(1) or "", m.group(2)
        if name in values:
            return urllib.parse.quote(values[name], safe="%/" if conv.startswith("path") else "%")
        choices = re.match(r"any\((.*)\)", conv)
        return choices.group(1).split(",")[0].strip() if choices else "x"
    return re.sub(r"<(?:([^<>:]+(?:\([^<>]*\))?):)?([^<>]+)>", part, rule.rule)


def _slug_for(rule) -> str:
    for prefix, slug in SLUGS.items():
        if rule.rule.startswith(prefix):
            return slug
    return "pop-up-bazaar"


def _requests(app):
    """(method, rule, path, query/form dict, what) for every rule: each URL argument hostile in turn, then all
    the fields it reads at once with each hostile value, then each field alone."""
    base = _base_values(app)
    # Reads first, then the POSTs (which may unpublish the story or change its access), admin pages last.
    walk = [(method, rule) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}]
    walk.sort(key=lambda mr: (mr[0] != "GET", mr[1].rule.startswith("/editor/users"), mr[1].rule, mr[0]))
    for method, rule in walk:
        good = {**base, "slug": _slug_for(rule)}
        fields = _fields(app, rule, method)
        for arg in sorted(rule.arguments):
            for value in HOSTILE:
                yield method, rule, _url(rule, {**good, arg: value}), {}, (arg, value)
        path = _url(rule, good)
        # ?lang= alone (read by every page, in web/i18n.py) gets the short list; the full list where the
        # rule reads fields of its own, which then are also sent one at a time.
        own = len(fields) > 1
        for value in FIELD_VALUES if own else ONE_FIELD_VALUES:
            yield method, rule, path, dict.fromkeys(fields, value), ("*", value)
        for name in fields if own else ():
            for value in ONE_FIELD_VALUES:
                yield method, rule, path, {name: value}, (name, value)


def _clients(workspace):
    workspace.config["WTF_CSRF_ENABLED"] = False  # so the POST handlers themselves are reached
    anonymous = workspace.test_client()
    editor = workspace.test_client()
    assert login(editor, "karim").status_code == 302
    admin = workspace.test_client()
    assert login(admin, "beheer").status_code == 302
    return {"anonymous": anonymous, "editor": editor, "admin": admin}


def _who(rule, what: tuple[str, str]) -> tuple[str, ...]:
    """Who sends a request: the workspace's as an editor (an anonymous visitor only meets the sign-in redirect
    there, tried once per rule by the walk), the admin pages' as the admin, the public pages' anonymously and,
    with all fields at once, as an editor too (who sees more stories)."""
    if rule.rule.startswith("/editor/users"):
        return ("admin",)
    if rule.rule.startswith("/editor/"):
        return ("editor",)
    if rule.endpoint.startswith("auth."):
        return ("anonymous",)  # a sign-in form is the same for all; signed in, /logout would end the walk's session
    return ("anonymous", "editor") if what[0] == "*" else ("anonymous",)


def _send(client, method: str, path: str, data: dict):
    return client.get(path, query_string=data) if method == "GET" else client.open(path, method=method, data=data)


def test_no_route_answers_5xx_to_hostile_parameters(workspace):
    clients = _clients(workspace)
    failures, count, started, tried_anonymously = [], 0, time.monotonic(), set()
    for method, rule, path, data, what in _requests(workspace):
        who = _who(rule, what)
        if rule.rule.startswith("/editor/") and (method, rule.rule) not in tried_anonymously:
            tried_anonymously.add((method, rule.rule))
            who = (*who, "anonymous")
        key = (method, rule.rule, *what)
        if key in KNOWN:
            continue
        for name in who:
            r = _send(clients[name], method, path, data)
            count += 1
            if r.status_code >= 500:
                failures.append(f"{name} {method} {path[:100]} {str(data)[:80]} -> {r.status_code}")
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} of {count} requests answered 5xx:\n" + "\n".join(failures[:40])
    assert len({r.rule for r in workspace.url_map.iter_rules()}) > 40 and count > 1500, count
    print(f"{count} hostile requests in {elapsed:.1f} s")


@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=why), id=" ".join(k)[:80])
                                 for k, why in sorted(KNOWN.items())])
def test_known_5xx_still_happen(workspace, key):
    """Each KNOWN case, held as xfail(strict=True) for its owner: it fails here the day it is fixed."""
    method, rule_text, name, value = key
    rule = next(r for r in workspace.url_map.iter_rules() if r.rule == rule_text and method in r.methods)
    base = {**_base_values(workspace), "slug": _slug_for(rule)}
    if name in rule.arguments:
        path, data = _url(rule, {**base, name: value}), {}
    else:
        path = _url(rule, base)
        data = dict.fromkeys(_fields(workspace, rule, method), value) if name == "*" else {name: value}
    client = _clients(workspace)[_who(rule, (name, value))[0]]
    assert _send(client, method, path, data).status_code < 500


def test_an_unbounded_id_is_a_404_before_any_query(workspace):
    """25-digit ids in segment save, revert and job retry: the URL does not match (404), SQLite is never asked."""
    c = _clients(workspace)["editor"]
    big = "9" * 25
    for path in (f"/editor/story/pop-up-bazaar/segment/{big}/save", f"/editor/story/pop-up-bazaar/revert/{big}",
                 f"/editor/jobs/{big}/retry", "/editor/jobs/%D9%A3/retry"):
        assert c.post(path, data={"text": "x", "version": "1"}).status_code == 404, path
    assert c.post("/editor/jobs/9223372036854775807/retry").status_code == 404, "the largest id is looked up: none"


def test_a_309_digit_moment_is_ignored_not_a_500(client):
    r = client.get("/verhaal/pop-up-bazaar?t=" + "9" * 309)
    assert r.status_code == 200 and "Deze link begint bij" not in r.get_data(as_text=True)
    for t in ("1e999", "nan", "inf", "99999999:00", "9" * 25 + "h", "٣"):
        assert client.get(f"/verhaal/pop-up-bazaar?t={t}").status_code == 200, t
    assert "Deze link begint bij 01:15." in client.get("/verhaal/pop-up-bazaar?t=1m15s").get_data(as_text=True)


@pytest.mark.parametrize("value, seconds", [
    ("75", 75), ("1:15", 75), ("01:02:03", 3723), ("1m15s", 75), ("2.5", 2.5), ("0", 0.0),
    ("9" * 309, None), ("1e999", None), ("nan", None), ("inf", None), ("-5", None), ("٣", None),
    ("99999999", None), ("2000h", None), ("168h", 604800.0), ("9" * 25 + "h", None), (" 12 ", 12),
])
def test_parse_time_bounds(value, seconds):
    from verhalen.web.params import parse_time

    assert parse_time(value) == seconds


def test_search_page_numbers_beyond_reason_are_the_first_page(client):
    for page in ("²", "9" * 25, "-3", "0", "10000", "１２"):
        r = client.get("/zoeken", query_string={"q": "bazaar", "page": page})
        assert r.status_code == 200 and "Pop-up bazaar" in r.get_data(as_text=True), page


def test_query_text_drops_control_characters_keeps_persian_joiners_and_is_bounded(web_app):
    from verhalen.web.params import MAX_QUERY_CHARS, query_text

    with web_app.test_request_context("/zoeken", query_string={"q": " می\u200cخواهم\r\nbazaar\t"}):
        assert query_text("q") == "می\u200cخواهم  bazaar"
    with web_app.test_request_context("/zoeken", query_string={"q": "x" * 10_000}):
        assert query_text("q") == "x" * MAX_QUERY_CHARS


# -- over a real HTTP server: the raw request line, as a client sends it -------------------------------------


def _raw(server: LiveServer, method: str, target: str, body: bytes = b"", headers: dict | None = None):
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def test_raw_309_digit_moment_over_http(live_server):
    status, headers, body = _raw(live_server, "GET", "/verhaal/pop-up-bazaar?t=" + "9" * 309)
    assert status == 200 and b"Pop-up bazaar" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_raw_crlf_next_after_login_over_http(workspace):
    """next= with CR/LF (percent-encoded, as a browser sends it) after a sign-in: a safe redirect, no 500."""
    server = LiveServer(workspace)
    try:
        status, headers, body = _raw(server, "GET", "/login")
        cookie = headers["Set-Cookie"].split(";")[0]
        token = csrf_of(body.decode())
        form = urllib.parse.urlencode({"name": "karim", "password": "correct horse battery", "csrf_token": token})
        status, headers, _ = _raw(server, "POST", "/login?next=/%0d%0aSet-Cookie:%20x=1", form.encode(),
                                  {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        assert status in (302, 303) and "\n" not in headers["Location"] and "Set-Cookie: x" not in str(headers)
    finally:
        server.close()
