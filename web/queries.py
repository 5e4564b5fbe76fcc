"""Catalog look-ups for the viewer, every one filtered by the access rule (verhalen.access)."""

from __future__ import annotations

from flask import g
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from verhalen import access, themes
from verhalen.catalog import Credit, Person, Place, Series, Story, StoryPlace, StoryTheme, Theme
from verhalen.errors import NotFound

_LOAD = (selectinload(Story.series), selectinload(Story.recording),
         selectinload(Story.credits).selectinload(Credit.person))


def visible_stories(session: Session, *where, limit: int | None = None, newest_first: bool = True) -> list[Story]:
    """Stories the current viewer may see, newest first, with optional extra conditions."""
    order = Story.created_at.desc() if newest_first else Story.recorded
    q = select(Story).where(access.clause(g.levels, g.today), *where).options(*_LOAD).order_by(order, Story.id)
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q).unique())


def story(session: Session, slug: str) -> Story:
    """The visible story with this slug; NotFound (404) when it is missing *or* hidden — the same answer."""
    found = session.scalar(select(Story).where(Story.slug == slug))
    return access.require(found, g.levels, g.today)


def by_slug(session: Session, model: type, slug: str):
    row = session.scalar(select(model).where(model.slug == slug))
    if row is None:
        raise NotFound("not found")
    return row


def person_stories(session: Session, person: Person) -> list[tuple[Story, list[str]]]:
    """(story, roles) for each visible story this person took part in."""
    stories = visible_stories(session, Story.credits.any(Credit.person_id == person.id))
    return [(s, [c.role for c in s.credits if c.person_id == person.id]) for s in stories]


def series_stories(session: Session, series: Series) -> list[Story]:
    return visible_stories(session, Story.series_id == series.id)


def theme_stories(session: Session, theme: Theme, publish_keywords: bool = False) -> list[Story]:
    sources = themes.shown_sources(publish_keywords)
    return visible_stories(session, Story.story_themes.any(and_(StoryTheme.theme_id == theme.id,
                                                                StoryTheme.source.in_(sources))))


def place_stories(session: Session, place: Place) -> list[Story]:
    return visible_stories(session, Story.story_places.any(StoryPlace.place_id == place.id))


def require_any(stories: list) -> list:
    """A person, series, theme or place with no visible story does not exist for this viewer."""
    if not stories:
        raise NotFound("not found")
    return stories


def visible_series(session: Session) -> list[tuple[Series, int]]:
    counts: dict[int, list] = {}
    for s in visible_stories(session, Story.series_id.is_not(None)):
        counts.setdefault(s.series.id, [s.series, 0])[1] += 1
    return sorted(((se, n) for se, n in counts.values()), key=lambda x: x[0].name.lower())


def visible_people(session: Session, roles: tuple[str, ...] | None = None) -> list[Person]:
    people: dict[int, Person] = {}
    for s in visible_stories(session):
        for c in s.credits:
            if roles is None or c.role in roles:
                people.setdefault(c.person.id, c.person)
    return sorted(people.values(), key=lambda p: p.name.lower())


def visible_tags(session: Session, model: type, publish_keywords: bool = False) -> list[tuple[object, int]]:
    """Themes (as the public sees them: verhalen.themes) or places with the number of visible stories carrying each."""
    counts: dict[int, list] = {}
    link = Story.story_themes if model is Theme else Story.story_places
    for s in visible_stories(session, link.any()):
        rows = themes.shown(s, publish_keywords) if model is Theme else s.places
        for row in {r.id: r for r in rows}.values():
            counts.setdefault(row.id, [row, 0])[1] += 1
    return sorted(((r, n) for r, n in counts.values()), key=lambda x: x[0].name.lower())
