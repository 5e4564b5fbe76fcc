"""Browse pages: person, series, themes, places, and the sitemap."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for

from verhalen.catalog import Person, Place, Series, Theme

from . import queries, sharing
from .context import get_archive

bp = Blueprint("browse", __name__)


@bp.route("/persoon/<slug>")
def person(slug: str):
    with get_archive().session() as s:
        p = queries.by_slug(s, Person, slug)
        stories = queries.require_any(queries.person_stories(s, p))
        return render_template("person.html", person=p, stories=stories,
                               social=sharing.person_page(p, get_archive().settings))


@bp.route("/serie/<slug>")
def series(slug: str):
    with get_archive().session() as s:
        se = queries.by_slug(s, Series, slug)
        stories = queries.require_any(queries.series_stories(s, se))
        return render_template("series.html", series=se, stories=stories,
                               social=sharing.series_page(se, get_archive().settings))


@bp.route("/themas")
def themes():
    with get_archive().session() as s:
        return render_template("tags.html", kind="theme", rows=queries.visible_tags(s, Theme, get_archive().settings.publish_keywords))


@bp.route("/thema/<slug>")
def theme(slug: str):
    with get_archive().session() as s:
        t = queries.by_slug(s, Theme, slug)
        stories = queries.require_any(queries.theme_stories(s, t, get_archive().settings.publish_keywords))
        return render_template("tag.html", kind="theme", tag=t, stories=stories)


@bp.route("/plaatsen")
def places():
    with get_archive().session() as s:
        return render_template("tags.html", kind="place", rows=queries.visible_tags(s, Place))


@bp.route("/plaats/<slug>")
def place(slug: str):
    with get_archive().session() as s:
        p = queries.by_slug(s, Place, slug)
        stories = queries.require_any(queries.place_stories(s, p))
        return render_template("tag.html", kind="place", tag=p, stories=stories)


@bp.route("/sitemap.xml")
def sitemap():
    with get_archive().session() as s:
        urls = [url_for("public.home", _external=True), url_for("browse.themes", _external=True),
                url_for("browse.places", _external=True)]
        urls += [url_for("public.story", slug=st.slug, _external=True) for st in queries.visible_stories(s)]
        urls += [url_for("browse.series", slug=se.slug, _external=True) for se, _ in queries.visible_series(s)]
        urls += [url_for("browse.person", slug=p.slug, _external=True) for p in queries.visible_people(s)]
        urls += [url_for("browse.theme", slug=t.slug, _external=True) for t, _ in queries.visible_tags(s, Theme, get_archive().settings.publish_keywords)]
        urls += [url_for("browse.place", slug=p.slug, _external=True) for p, _ in queries.visible_tags(s, Place)]
    body = render_template("sitemap.xml", urls=urls)
    return Response(body, mimetype="application/xml")


@bp.route("/robots.txt")
def robots():
    return Response(f"User-agent: *\nAllow: /\nSitemap: {url_for('browse.sitemap', _external=True)}\n",
                    mimetype="text/plain")
