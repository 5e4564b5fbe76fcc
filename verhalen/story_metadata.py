"""Editors' changes to a story's details after ingest, all at once: title, description, recording date,
series, people and their roles, places, themes, language, access and embargo, consent notes, licence,
publishing.

`edit` applies a `Changes` in one transaction through story_edits.save_fields: the compare-and-set on
the story's `meta_version` (a save from a page someone else changed since is a StaleVersion and changes
nothing), a history row of the changed fields before and after (catalog.StoryMetaEdit), and the index
work for the story — and for every other story crediting a person who was renamed — so pages, search,
facets, feeds and exports show the change at once. The rules are the ingest's: the length limits of
pipeline.StoryMeta.check_sizes and the access rule of access.level_problem.

A problem is a MetadataProblem (a UsageError) in English, with a `code`, the `field` and `params`, so the
workspace can word it in the editor's language. Names are compared as get_or_create stores them (runs
of white space made one space), and case-insensitively when a name is looked for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import catalog, licences, story_edits, themes
from .access import level_problem
from .catalog import Credit, Person, Place, Series, Story, StoryMetaEdit, StoryPlace, StoryTheme, Theme
from .errors import UsageError
from .pipeline import StoryMeta

EDITOR_THEME = themes.EDITOR  # the source of themes an editor gives; keywords (proposed, accepted) are left alone
KEEP: Any = object()      # a field of Changes left as it is (None means "clear" where a field can be empty)
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
# The fields history shows, in this order (also the order of `verhalen history` and the workspace).
FIELDS = ("title", "description", "recorded", "series", "people", "places", "themes", "language", "access",
          "embargo_until", "consent_notes", "licence", "published")


class MetadataProblem(UsageError):
    """A change that cannot be made; `code` says which rule (see PROBLEMS), `params` its details."""

    def __init__(self, code: str, message: str, field: str = "", **params: Any):
        super().__init__(message)
        self.code, self.field, self.params = code, field, params


@dataclass
class Changes:
    """What to change; every field left KEEP stays as it is. People are (name, role) pairs; `remove_people`
    takes (name, role or None for every role); `rename_people` renames a person everywhere (old, new);
    `link_people` moves this story's credits of a name to another, existing person (name, existing)."""

    title: Any = KEEP
    description: Any = KEEP
    recorded: Any = KEEP             # a date, or None to clear
    series: Any = KEEP               # a name, or None to take the story out of its series
    language: Any = KEEP             # a code such as nl or ar
    access: Any = KEEP
    embargo_until: Any = KEEP        # a date, or None
    consent_notes: Any = KEEP
    published: Any = KEEP            # True or False
    licence: Any = KEEP              # a code or URI (verhalen.licences), or None for the archive's default
    add_people: list[tuple[str, str]] = field(default_factory=list)
    remove_people: list[tuple[str, str | None]] = field(default_factory=list)
    rename_people: list[tuple[str, str]] = field(default_factory=list)
    link_people: list[tuple[str, str]] = field(default_factory=list)
    add_places: list[str] = field(default_factory=list)
    remove_places: list[str] = field(default_factory=list)
    add_themes: list[str] = field(default_factory=list)
    remove_themes: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        own = (self.title, self.description, self.recorded, self.series, self.language, self.access,
               self.embargo_until, self.consent_notes, self.published, self.licence)
        lists = (self.add_people, self.remove_people, self.rename_people, self.link_people, self.add_places,
                 self.remove_places, self.add_themes, self.remove_themes)
        return all(v is KEEP for v in own) and not any(lists)


def clean(name: str) -> str:
    """A name as the catalog stores it (catalog.get_or_create)."""
    return " ".join((name or "").split())


def snapshot(story: Story) -> dict[str, Any]:
    """The story's details as history shows them (names, ISO dates)."""
    return {
        "title": story.title, "description": story.description or "",
        "recorded": story.recorded.isoformat() if story.recorded else None,
        "series": story.series.name if story.series else None,
        "people": [f"{c.person.name} ({c.role})" for c in story.credits],
        "places": [p.name for p in story.places],
        "themes": [t.name for t in story.themes(EDITOR_THEME)],
        "language": story.language_requested or story.language,
        "access": story.access, "embargo_until": story.embargo_until.isoformat() if story.embargo_until else None,
        "consent_notes": story.consent_notes or "",
        "licence": licences.parse(story.licence).code if story.licence else None,
        "published": bool(story.published),
    }


def history(session: Session, story: Story) -> list[StoryMetaEdit]:
    """The story's saved detail changes, newest first."""
    return list(session.scalars(select(StoryMetaEdit).where(StoryMetaEdit.story_id == story.id)
                                .order_by(StoryMetaEdit.id.desc())))


def _check_sizes(settings, ch: Changes) -> None:
    """The ingest's length limits (pipeline.StoryMeta.check_sizes), one field at a time so a problem names it."""
    checks: list[tuple[str, StoryMeta]] = []
    for name in ("title", "description", "consent_notes", "series"):
        value = getattr(ch, name)
        if isinstance(value, str):
            checks.append((name, StoryMeta(**{name: value})))
    checks += [("people", StoryMeta(people=[(n, "narrator")])) for n, _ in ch.add_people]
    checks += [("people", StoryMeta(people=[(n, "narrator")])) for _, n in ch.rename_people]
    checks += [("places", StoryMeta(places=[n])) for n in ch.add_places]
    checks += [("themes", StoryMeta(themes=[n])) for n in ch.add_themes]
    for name, meta in checks:
        try:
            meta.check_sizes(settings)
        except UsageError as e:
            raise MetadataProblem("too_long", str(e), name) from None


def _named(session: Session, model: type, name: str) -> Any:
    """The row of `model` (Person, Place, Theme) called `name`, exactly or else ignoring case; None if none."""
    key = clean(name)
    like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (session.scalar(select(model).where(model.name == key))
            or session.scalars(select(model).where(model.name.ilike(like, escape="\\")).order_by(model.id)).first())


def _row(session: Session, model: type, name: str) -> Any:
    """The existing row of that name (ignoring case), or a new one."""
    return _named(session, model, name) or catalog.get_or_create(session, model, name)


def _unique(names: list[str]) -> list[str]:
    """Names cleaned, empty ones dropped, each once ignoring case (the first spelling wins)."""
    out: dict[str, str] = {}
    for name in map(clean, names):
        if name:
            out.setdefault(name.casefold(), name)
    return list(out.values())


def _credits_of(story: Story, name: str) -> list[Credit]:
    key = clean(name).casefold()
    return [c for c in story.credits if c.person.name.casefold() == key]


def _date(value: Any, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    raise MetadataProblem("date", f"the {name.replace('_', ' ')} must be a date like 2024-05-03", name)


def edit(archive, session: Session, story: Story, ch: Changes, version: int | None, user: str = "") -> Story:
    """Apply `ch` to `story` if it is still at `version` (None: whatever it is); see the module's docstring.
    A change that alters nothing saves nothing (and is no conflict)."""
    _check_sizes(archive.settings, ch)
    before = snapshot(story)
    values: dict[str, Any] = {}
    also: set[int] = set()

    if ch.title is not KEEP:
        title = " ".join(str(ch.title).split())
        if not title:
            raise MetadataProblem("empty_title", "a story needs a title", "title")
        values["title"] = title
    if ch.description is not KEEP:
        values["description"] = str(ch.description or "").strip()
    if ch.recorded is not KEEP:
        values["recorded"] = _date(ch.recorded, "recorded")
    if ch.consent_notes is not KEEP:
        notes = str(ch.consent_notes or "").strip()
        limit = story_edits.consent_notes_problem(archive.settings, notes)
        if limit is not None:
            raise MetadataProblem("too_long", f"consent notes have at most {limit:,} characters "
                                  f"({len(notes):,} given)", "consent_notes")
        values["consent_notes"] = notes
    if ch.published is not KEEP:
        values["published"] = bool(ch.published)
    if ch.licence is not KEEP:
        try:
            values["licence"] = licences.parse(ch.licence).uri if (ch.licence or "").strip() else None
        except UsageError as e:
            raise MetadataProblem("licence", str(e), "licence", value=ch.licence) from None
    if ch.language is not KEEP:
        code = (ch.language or "").strip()
        if not LANGUAGE_CODE.fullmatch(code):
            raise MetadataProblem("language", f"a language is a code such as nl, en or ar, not {code!r}", "language",
                                  value=code)
        if code != before["language"]:  # the same language again leaves how it was decided alone
            values.update(language_requested=code, language=code, language_source="given")

    # Access: the same rule as at ingest and in the access form; an embargo date belongs to an embargo only.
    access = story.access if ch.access is KEEP else ch.access
    embargo = story.embargo_until if ch.embargo_until is KEEP else _date(ch.embargo_until, "embargo_until")
    if ch.access is not KEEP or ch.embargo_until is not KEEP:
        if ch.embargo_until is not KEEP and embargo is not None and access != "embargoed":
            raise MetadataProblem("embargo_without_level", "an embargo date applies only to an embargoed story "
                                  "(--access embargoed)", "embargo_until")
        problem = level_problem(access, embargo)
        if problem == "level":
            raise MetadataProblem("level", f"access must be one of {', '.join(catalog.ACCESS_LEVELS)}, "
                                  f"not {access!r}", "access", value=access)
        if problem == "embargo_date":
            raise MetadataProblem("embargo_date", "an embargoed story needs an end date (--embargo-until DATE)",
                                  "embargo_until")
        values.update(access=access, embargo_until=embargo if access == "embargoed" else None)

    if ch.series is not KEEP:
        name = clean(ch.series or "")
        values["series_id"] = catalog.get_or_create(session, Series, name).id if name else None

    _people(session, story, ch, also)
    _places_and_themes(session, story, ch)

    session.flush()
    after = snapshot(story)
    for k, v in values.items():  # the story's own columns are written by save_fields' UPDATE, not yet on `story`
        if k in after:
            after[k] = story_edits.shown_value(v)
    if "language_requested" in values:
        after["language"] = values["language_requested"]
    if "series_id" in values:
        after["series"] = clean(ch.series or "") or None
    if "licence" in values:
        after["licence"] = licences.parse(values["licence"]).code if values["licence"] else None
    changed = [k for k in FIELDS if before[k] != after[k]]
    if not changed and not also:
        session.rollback()
        return story
    hides = values.get("published") is False or values.get("access", "public") != "public"
    return story_edits.save_fields(archive, session, story, version, values, hides=hides, user=user,
                                   before={k: before[k] for k in changed}, after={k: after[k] for k in changed},
                                   also=sorted(also - {story.id}))


def _people(session: Session, story: Story, ch: Changes, also: set[int]) -> None:
    for name, role in ch.remove_people:
        found = [c for c in _credits_of(story, name) if role is None or c.role == role]
        if not found:
            raise MetadataProblem("not_credited", f"{clean(name)!r} is not credited"
                                  + (f" as {role}" if role else "") + f" in {story.slug!r}", "people", name=clean(name))
        for c in found:
            story.credits.remove(c)
    for old, new in ch.rename_people:
        found = _credits_of(story, old)
        new = clean(new)
        if not found:
            raise MetadataProblem("not_credited", f"{clean(old)!r} is not credited in {story.slug!r}", "people",
                                  name=clean(old))
        if not new:
            raise MetadataProblem("empty_name", f"the new name for {clean(old)!r} is empty", "people")
        person = found[0].person
        other = _named(session, Person, new)
        if other is not None and other.id != person.id:
            raise MetadataProblem("name_taken", f"there is already a person called {other.name!r}; to credit them "
                                  f"instead, link {person.name!r} to them (--link-person)", "people", name=other.name)
        # Everywhere: every story crediting this person shows the new name, so each is indexed again.
        also.update(session.scalars(select(Credit.story_id).where(Credit.person_id == person.id)))
        person.name = new
    for name, existing in ch.link_people:
        found = _credits_of(story, name)
        if not found:
            raise MetadataProblem("not_credited", f"{clean(name)!r} is not credited in {story.slug!r}", "people",
                                  name=clean(name))
        target = _named(session, Person, existing)
        if target is None:
            raise MetadataProblem("unknown_person", f"there is no person called {clean(existing)!r} to link to; "
                                  "add them instead (--add-person NAME:ROLE)", "people", name=clean(existing))
        for c in found:
            if any(o.person_id == target.id and o.role == c.role for o in story.credits if o is not c):
                story.credits.remove(c)  # already credited in that role: one credit is enough
            else:
                c.person = target
    for name, role in ch.add_people:
        if role not in catalog.ROLES:
            raise MetadataProblem("role", f"role must be one of {', '.join(catalog.ROLES)}, not {role!r}", "people",
                                  value=role)
        if not clean(name):
            raise MetadataProblem("empty_name", "a person needs a name", "people")
        person = _row(session, Person, name)
        if not any(c.person_id == person.id and c.role == role for c in story.credits):
            story.credits.append(Credit(person=person, role=role))
    session.flush()


def _places_and_themes(session: Session, story: Story, ch: Changes) -> None:
    for name in ch.remove_places:
        key = clean(name).casefold()
        found = [sp for sp in story.story_places if sp.place.name.casefold() == key]
        if not found:
            raise MetadataProblem("no_place", f"{clean(name)!r} is not a place of {story.slug!r}", "places",
                                  name=clean(name))
        for sp in found:
            story.story_places.remove(sp)
    for name in ch.remove_themes:
        key = clean(name).casefold()
        found = [st for st in story.story_themes if st.source == EDITOR_THEME and st.theme.name.casefold() == key]
        if not found:
            raise MetadataProblem("no_theme", f"{clean(name)!r} is not an editor's theme of {story.slug!r} "
                                  "(automatic keywords are reviewed apart)", "themes", name=clean(name))
        for st in found:
            story.story_themes.remove(st)
    session.flush()
    for name in _unique(ch.add_places):
        place = _row(session, Place, name)
        if not any(sp.place_id == place.id for sp in story.story_places):
            story.story_places.append(StoryPlace(place=place))
    for name in _unique(ch.add_themes):
        theme = _row(session, Theme, name)
        if not any(st.theme_id == theme.id and st.source == EDITOR_THEME for st in story.story_themes):
            story.story_themes.append(StoryTheme(theme=theme, source=EDITOR_THEME))
    session.flush()
