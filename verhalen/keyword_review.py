"""Editors' review of the keyword stage's proposals: accept, reject, rename (verhalen.themes has the rule).

Each review is one change to the story with the compare-and-set on `meta_version` that every
change of a story's own fields uses (verhalen.story_edits), so two editors reviewing the same
story from one page cannot both land; what the index must now show is noted in the same
transaction and applied right after.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import catalog, story_edits, themes
from .access import outside_trash
from .catalog import Story, StoryTheme
from .errors import NotFound, UsageError


def proposals(session: Session, story: Story | None = None, limit: int = 200) -> list[StoryTheme]:
    """Unreviewed proposals, best first (by the keyword stage's score), of one story or all."""
    q = select(StoryTheme).where(StoryTheme.source == themes.PROPOSED,
                                 StoryTheme.story_id.in_(select(Story.id).where(outside_trash())))
    if story is not None:
        q = q.where(StoryTheme.story_id == story.id)
    return list(session.scalars(q.order_by(StoryTheme.story_id, StoryTheme.score.desc().nulls_last()).limit(limit)))


def _proposal(story: Story, name: str) -> StoryTheme:
    key = " ".join(name.split()).lower()
    for st in story.story_themes:
        if st.source == themes.PROPOSED and st.theme.name.lower() == key:
            return st
    raise NotFound(f"{name!r} is not an open keyword proposal of {story.slug!r}")


def review(archive, session: Session, story: Story, accept: Iterable[str] = (), reject: Iterable[str] = (),
           rename: dict[str, str] | None = None, version: int | None = None, user: str = "") -> Story:
    """Accept and reject proposals by name, or rename them (a renamed keyword becomes an editor's theme);
    the story's history records the decisions, by `user`."""
    rename = rename or {}
    accept, reject = list(accept), list(reject)
    limit = archive.settings.max_name_chars
    for name in accept:
        _proposal(story, name).source = themes.ACCEPTED
    for name in reject:
        _proposal(story, name).source = themes.REJECTED
    for old, new in rename.items():
        new = " ".join(new.split())
        if not new:
            raise UsageError(f"the new name for {old!r} is empty")
        if len(new) > limit:
            raise UsageError(f"the theme {new[:40]!r}... is {len(new):,} characters long; at most {limit:,} are accepted")
        st = _proposal(story, old)
        # The old word stays rejected, so the keyword stage does not propose it again.
        st.source = themes.REJECTED
        theme = catalog.get_or_create(session, catalog.Theme, new)
        if not any(t.theme_id == theme.id and t.source == themes.EDITOR for t in story.story_themes):
            story.story_themes.append(StoryTheme(theme=theme, source=themes.EDITOR))
    session.flush()
    after = {k: v for k, v in (("keywords accepted", accept), ("keywords rejected", reject),
                                 ("keywords renamed", {o: " ".join(n.split()) for o, n in rename.items()})) if v}
    return story_edits.save_fields(archive, session, story, version, {}, hides=False, user=user,
                                   before={k: "proposed" for k in after}, after=after)
