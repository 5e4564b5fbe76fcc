"""/oai: the OAI-PMH 2.0 endpoint (verhalen.oai does the protocol; this is the Flask shell).

GET with the query string or POST with an application/x-www-form-urlencoded body, as the protocol
allows both; a POST carries no CSRF token (harvesters are not browsers, and nothing here changes what
anyone sees). Errors of the protocol are HTTP 200 with `<error>`. Not in the page cache: every answer
has its own responseDate, and the records table is brought in line on each request. Always the
public's view, whoever is signed in.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, request, url_for

from verhalen import oai

from .auth import csrf
from .context import get_archive

bp = Blueprint("oai", __name__)
csrf.exempt(bp)


def host_name(host: str) -> str:
    """The host name of a Host header, lower case, without its port ('[::1]:8000' -> '::1')."""
    host = (host or "").lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0] or "localhost"
    return host.split(":", 1)[0] or "localhost"


def story_urls():
    """slug -> the story page's absolute URL: url_for once per request, not once per record (a thousand
    url_for calls were a fifth of a ListRecords page)."""
    marker = "0"
    prefix = url_for("public.story", slug=marker, _external=True)
    assert prefix.endswith("/" + marker), prefix
    prefix = prefix[:-len(marker)]
    return lambda slug: prefix + quote(slug, safe="")


def context() -> oai.Context:
    settings = current_app.config["SETTINGS"]
    return oai.Context(
        base_url=url_for("oai.endpoint", _external=True),
        host=host_name(request.host),
        story_url=story_urls(),
        secret=current_app.secret_key,
        today=g.today,
        archive_name=settings.archive_name,
        admin_email=settings.admin_email,
        default_licence=settings.default_licence,
        publish_keywords=settings.publish_keywords,
        # A smaller page for tests and benchmarks (app.config["OAI_PAGE_SIZE"]); 1,000 otherwise.
        page_size=current_app.config.get("OAI_PAGE_SIZE", oai.PAGE_SIZE),
    )


@bp.route("/oai", methods=["GET", "POST"])
def endpoint():
    pairs = request.form.items(multi=True) if request.method == "POST" else request.args.items(multi=True)
    with get_archive().session() as session:
        body = oai.respond(session, context(), list(pairs))
    response = Response(body, content_type="text/xml; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"
    return response
