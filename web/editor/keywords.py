"""Keyword review in the workspace: the keyword stage's proposals, story by story, to accept, reject or rename.

Each form posts one decision with the story's meta_version (verhalen.keyword_review); a stale
version is a conflict page (web/errors.py), never a silent overwrite.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from verhalen import keyword_review
from verhalen.catalog import Story
from verhalen.errors import UsageError

from ..context import get_archive
from ..i18n import gettext as _
from ..params import form_int
from .workspace import workspace_blueprint

bp = workspace_blueprint("editor_keywords", __name__)


@bp.route("/keywords")
def proposals():
    """Open proposals of every story (or of ?story=SLUG), best first within a story."""
    archive = get_archive()
    with archive.session() as s:
        slug = request.args.get("story")
        story = archive.story(s, slug) if slug else None
        rows = keyword_review.proposals(s, story)
        stories = {st.id: st for st in s.scalars(select(Story).where(Story.id.in_({r.story_id for r in rows})))}
        groups: dict[int, dict] = {}
        for r in rows:
            st = stories[r.story_id]
            groups.setdefault(st.id, {"slug": st.slug, "title": st.title, "meta_version": st.meta_version,
                                      "proposals": []})["proposals"].append({"name": r.theme.name, "score": r.score})
        return render_template("editor/keywords.html", groups=list(groups.values()), one=story is not None,
                               publish_keywords=archive.settings.publish_keywords)


@bp.route("/keywords/<slug>", methods=["POST"])
def decide(slug: str):
    archive = get_archive()
    name, action = request.form.get("name", ""), request.form.get("action", "")
    version = form_int(request.form, "meta_version")
    with archive.session() as s:
        story = archive.story(s, slug)
        if action == "accept":
            keyword_review.review(archive, s, story, accept=[name], version=version, user=current_user.name)
            flash(_("{name} staat nu bij {title}.", name=name, title=story.title))
        elif action == "reject":
            keyword_review.review(archive, s, story, reject=[name], version=version, user=current_user.name)
            flash(_("{name} is afgewezen.", name=name))
        elif action == "rename":
            new = request.form.get("new", "")
            if not new.strip():
                raise UsageError(_("Geef de nieuwe naam voor {name}.", name=name))
            keyword_review.review(archive, s, story, rename={name: new}, version=version, user=current_user.name)
            flash(_("{name} heet nu {new} (een thema).", name=name, new=" ".join(new.split())))
        else:
            raise UsageError(_("Kies aanvaarden, afwijzen of hernoemen."))
    back = request.form.get("back") == "story"
    return redirect(url_for("editor_keywords.proposals", story=slug if back else None))
