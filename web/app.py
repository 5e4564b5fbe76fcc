"""The application factory: settings in, a Flask app out (no module-level app)."""

from __future__ import annotations

import datetime as dt

from flask import Flask, g, request, session
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from verhalen import access
from verhalen.archive import Archive
from verhalen.exports import mmss
from verhalen.settings import Settings

from . import auth, browse, errors, feeds, files, i18n, page_cache, params, public, research_export, search
from . import editor
from . import iiif
from . import embed
from . import oai

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def create_app(settings: Settings, archive: Archive | None = None, today: dt.date | None = None) -> Flask:
    """The viewer over one archive. `today` pins the date for embargo tests (default: the real date)."""
    app = Flask(__name__)
    app.config.update(SETTINGS=settings, TODAY=today, JSON_AS_ASCII=False)
    app.extensions["verhalen_archive"] = archive or Archive(settings, create=False)
    params.init_app(app)  # URL converters and parameter bounds, before any rule is registered
    i18n.init_app(app)

    for bp in (public.bp, browse.bp, search.bp, feeds.bp, files.bp, research_export.bp):
        app.register_blueprint(bp)
    app.register_blueprint(iiif.bp)  # /iiif/<slug>/manifest.json: IIIF Presentation 3 (CORS on its response)
    app.register_blueprint(oai.bp)  # /oai: OAI-PMH 2.0 with oai_dc (verhalen.oai; not in the page cache)
    embed.init_app(app, CSP)  # the embeddable player: the one page other sites may frame
    auth.init_app(app)  # secret key, cookie flags, Flask-Login, CSRF on every POST, login limit
    editor.init_app(app)  # the workspace under /editor/
    errors.register(app)

    @app.before_request
    def _viewer() -> None:
        user = current_user if current_user.is_authenticated else None
        g.levels = access.levels_for(user)  # the access rule decides from the user's role
        g.today = app.config["TODAY"] or dt.date.today()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint in CACHED_ENDPOINTS:
            response.vary.add("Cookie")  # a signed-in user gets another answer: shared HTTP caches keep them apart
        # Made for the public: nobody signed in, and the access rule was asked with the public's levels only.
        for_public = g.get("levels") == access.PUBLIC and not current_user.is_authenticated
        if for_public and not session.modified:
            # Vouch to web/page_cache.py that every anonymous visitor may get this response: only the app
            # knows whom it rendered for, and the cache stores nothing without this mark. Cookies set after
            # this hook (the language cookie, the session) the cache sees on the finished response itself.
            ticket = request.environ.get(page_cache.TICKET)
            if (isinstance(ticket, page_cache.Ticket) and request.method == "GET" and response.status_code == 200
                    and request.endpoint in CACHED_ENDPOINTS and "Set-Cookie" not in response.headers
                    and g.get("lang") == ticket.language):
                ticket.vouched = True
        elif not (g.get("public_content") or request.endpoint == "static"):
            # A signed-in user's view (or a response that will set the session cookie): no shared cache may
            # keep it, and no browser should write it to disk. web/files.py sets g.public_content for files
            # the public may see as well (they keep `public, max-age`).
            response.headers["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response

    _page_cache(app, settings)
    if settings.trusted_proxy_hops > 0:
        # Outermost, so the page cache and the login limit see the client's real address, scheme and
        # host; only when configured, since anyone can send X-Forwarded-For to a server without a proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.jinja_env.filters["mmss"] = mmss
    app.jinja_env.globals["image_base"] = lambda kind, slug: f"{request.script_root}/beeld/{kind}/{slug}"
    return app


# Public endpoints whose anonymous responses web/page_cache.py may keep (never web/files.py or the workspace).
CACHED_ENDPOINTS = frozenset({
    "public.home", "public.story", "public.story_json", "search.search", "feeds.feed",
    "browse.person", "browse.series", "browse.themes", "browse.theme", "browse.places", "browse.place",
    "browse.sitemap", "browse.robots",
    "feeds.site_feed", "embed.embed",  # the embed page's CSP travels with the stored response
    "iiif.manifest",  # its CORS header and IIIF media type too
})


def _page_cache(app: Flask, settings: Settings) -> None:
    import flask_login

    from verhalen import catalog

    archive = app.extensions["verhalen_archive"]
    unknown = CACHED_ENDPOINTS - {r.endpoint for r in app.url_map.iter_rules()}
    assert not unknown, f"CACHED_ENDPOINTS names no route: {unknown}"

    # Whether a path's GET goes to a listed endpoint, remembered: matching it costs a third of a cache hit,
    # and the answer depends on the path alone (the rules are fixed once the app serves; no host matching).
    listed: dict[str, bool] = {}

    def cacheable(environ) -> bool:
        path = environ.get("PATH_INFO", "")
        known = listed.get(path)
        if known is None:
            try:
                endpoint, _ = app.url_map.bind_to_environ(environ).match(method="GET")
                known = endpoint in CACHED_ENDPOINTS
            except HTTPException:  # not found, redirects
                known = False
            if len(listed) >= 10_000:  # any client can make up paths
                listed.clear()
            listed[path] = known
        return known

    def version() -> tuple:
        with archive.engine.connect() as conn:
            gen = catalog.generation(conn)
        return gen, archive.index.generation()

    # Login cookies, by the names Flask and flask-login use here: a request carrying one (even a stale one)
    # is never served or stored by the cache.
    private = (app.config["SESSION_COOKIE_NAME"], app.config.get("REMEMBER_COOKIE_NAME", flask_login.COOKIE_NAME))
    app.wsgi_app = page_cache.PageCache(app.wsgi_app, cacheable, version,
                                        today=lambda: app.config["TODAY"] or dt.date.today(),
                                        language=i18n.choose, private_cookies=private,
                                        max_bytes=settings.page_cache_mb * 2**20)

