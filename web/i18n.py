"""Dutch-first interface text with an English switch, without compiled .mo files.

Message ids are the Dutch text; web/translations/en.py maps them to English.
The language comes from ?lang=nl|en (remembered in a cookie), then the cookie,
then Dutch. See docs/viewer.md for why this is a dict and not gettext catalogs.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, abort, g, request
from markupsafe import escape
from werkzeug.datastructures import ImmutableMultiDict

from .translations import en

LANGUAGES = ("nl", "en")
CATALOGS = {"nl": {}, "en": en.MESSAGES}
COOKIE = "lang"


class PageText(str):
    """A text as gettext gave it, in the page's language (web/core_messages.py shows it as it is, where a core
    error's English message would be looked up)."""

    __slots__ = ()


def choose(args, cookies) -> str:
    """The language for a request's query arguments and cookies (werkzeug's parsed forms): ?lang=, then the
    cookie, then Dutch. web/page_cache.py keys on this same function, so the two cannot disagree."""
    asked = args.get("lang") or cookies.get(COOKIE)
    return asked if asked in LANGUAGES else LANGUAGES[0]


def current_language() -> str:
    lang = getattr(g, "lang", None)
    if lang:
        return lang
    g.lang = choose(request.args, request.cookies)
    return g.lang


def gettext(message: str, **values: object) -> str:
    """The message in the current language; {name} placeholders filled with escaped values (Markup), else a
    PageText."""
    text = CATALOGS[current_language()].get(message, message)
    if values:
        return escape(text).format(**values)  # Markup.format escapes each value
    return PageText(text)


def init_app(app: Flask) -> None:
    @app.before_request
    def _pick_language() -> None:
        try:
            request.args
        except UnicodeDecodeError:
            # Raw bytes in the query that are not UTF-8: werkzeug cannot read it, so every view, and the error
            # page (it links to this page in the other language), would fail with a 500. Refuse it plainly.
            request.args = ImmutableMultiDict()
            abort(400)
        current_language()

    @app.after_request
    def _remember(response):
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = current_language()
            response.vary.add("Cookie")
        return response

    app.jinja_env.globals.update(_=gettext, current_language=current_language, LANGUAGES=LANGUAGES,
                                 lang_url=lang_url)


def lang_url(code: str) -> str:
    """This page's URL with ?lang=code (other query arguments kept)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)
