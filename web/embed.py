"""The embeddable player, `/embed/<slug>?t=SECONDS`: a story's audio on someone else's site in an <iframe>.

A small page of its own (web/templates/embed.html): the title, who tells it, the native player, where a
`?t=` link starts and what is said there, and a link to the whole story. It works without JavaScript (the
media fragment `#t=` starts the player there); web/static/embed.js adds the "play from" button. Only this
page may be framed by other sites: its Content-Security-Policy carries `frame-ancestors` from
settings.embed_frame_ancestors, every other page keeps web/app.py's `frame-ancestors 'self'`.
The story page offers the snippet (`embed_snippet`, a Jinja global).
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, current_app, render_template, url_for
from markupsafe import escape

from verhalen import access
from verhalen.errors import UsageError
from verhalen.exports import mmss

from . import queries
from .context import get_archive
from .params import query_time

bp = Blueprint("embed", __name__)

# One source of a CSP source list: a keyword, *, a scheme ("https:") or a host source with an optional
# scheme, wildcard subdomain, port and path. Anything else (a ";" or "," would start another directive or
# policy, a quote another keyword) is refused when the app starts.
_SOURCE = re.compile(r"'self'|'none'|\*|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*"
                     r"(?::(?:[0-9]{1,5}|\*))?(?:/[A-Za-z0-9._~%!$&'()*+=:@/-]*)?", re.I)
SNIPPET_HEIGHT = 200  # px: title, narrator, player, the "play from" button and the link fit on a phone


def frame_ancestors(value: str) -> str:
    """settings.embed_frame_ancestors checked as a CSP frame-ancestors source list; UsageError naming it."""
    sources = value.split()
    bad = [s for s in sources if not _SOURCE.fullmatch(s) or ("'" in s and s not in ("'self'", "'none'"))]
    if not sources or bad or ("'none'" in sources and len(sources) > 1):
        raise UsageError(f"setting embed_frame_ancestors: {value!r} is not a frame-ancestors source list "
                         "(for example * or 'self' https://buurt.example)")
    return " ".join(sources)


def framed_policy(csp: str, ancestors: str) -> str:
    """The app's Content-Security-Policy `csp` with its frame-ancestors directive set to `ancestors`."""
    kept = [d.strip() for d in csp.split(";") if d.strip() and not d.strip().startswith("frame-ancestors")]
    return "; ".join([*kept, f"frame-ancestors {ancestors}"])


def init_app(app: Flask, csp: str) -> None:
    """Register the route and work out, once at start-up, the embed page's policy from the app's `csp`."""
    app.register_blueprint(bp)
    app.config["EMBED_CSP"] = framed_policy(csp, frame_ancestors(app.config["SETTINGS"].embed_frame_ancestors))
    app.jinja_env.globals["embed_snippet"] = embed_snippet


def embed_snippet(slug: str, title: str, start: float | None = None) -> str:
    """The <iframe> markup a site owner copies from the story page (a plain string: the page escapes it once
    more to show it; the title is escaped here for the attribute it goes in)."""
    url = url_for("embed.embed", slug=slug, _external=True, **({"t": int(start)} if start else {}))
    return (f'<iframe src="{escape(url)}" title="{escape(title)}" width="100%" height="{SNIPPET_HEIGHT}" '
            'loading="lazy"></iframe>')  # no style: the host site's own CSS (and CSP) decide the look


@bp.route("/embed/<slug>")
def embed(slug: str):
    archive = get_archive()
    with archive.session() as s:
        st = queries.story(s, slug)  # the access rule: a hidden story is a 404 here as everywhere
        duration = st.recording.duration if st.recording else None
        start = query_time("t")
        if start is not None and duration is not None and start >= duration:
            start = None  # past the end: play from the beginning rather than offer a moment that is not there
        line = None
        if start is not None:
            # What is said at that moment, as the public may read it (redacted passages and gaps left out).
            line = access.public_segment_at(s, st, start)
        narrators = [c.person.name for c in st.credits if c.role in ("narrator", "guest")]
        page = render_template(
            "embed.html", story=st, narrators=narrators, start=start,
            start_label=mmss(start) if start is not None else None, line=line,
            has_opus=archive.derived(st.id, "listen.opus").is_file(),
            has_mp3=archive.derived(st.id, "listen.mp3").is_file(),
            archive_name=current_app.config["SETTINGS"].archive_name,
            permalink=url_for("public.story", slug=st.slug, _external=True, **(
                {"t": int(start)} if start is not None else {})))
    response = current_app.make_response(page)
    # Set here, so web/app.py's default (setdefault: frame-ancestors 'self') leaves it; no X-Frame-Options.
    response.headers["Content-Security-Policy"] = current_app.config["EMBED_CSP"]
    return response
