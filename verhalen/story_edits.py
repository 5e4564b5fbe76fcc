"""Editors' changes to a story's own fields: publishing, access level and embargo, consent notes.

Each change is one compare-and-set UPDATE on `meta_version` (the version the
editor's page showed): of two saves made from one version, exactly one lands
and the other is a StaleVersion. What the index must now show is noted in the
same transaction (verhalen.outbox) and applied right after, so a change that
hides a story never leaves it findable. A save that changes something also
writes its history row (catalog.StoryMetaEdit: who, when, the changed fields
before and after) in that transaction; verhalen.story_metadata changes all of
a story's details at once through the same `save_fields`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from . import outbox
from .access import check_level
from .catalog import Story, StoryMetaEdit
from .errors import StaleVersion, UsageError


def shown_value(value: Any) -> Any:
    """A field's value as history keeps it: dates as ISO text, everything else as it is (JSON)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def save_fields(archive, session: Session, story: Story, version: int | None, values: dict[str, Any], hides: bool,
                user: str = "", before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                also: Iterable[int] = ()) -> Story:
    """Write `values` to the story (and whatever else the session holds for it) if the story is still at
    `version`, else StaleVersion; note and apply the index work (`hides`: the change takes something away)
    for the story and the stories in `also` (a person renamed shows in theirs too).

    The history row (who: `user`) holds `before` -> `after` when given, else the fields of `values` that
    change; a save that changes nothing writes none."""
    if before is None:
        old = {k: shown_value(getattr(story, k)) for k in values}
        new = {k: shown_value(v) for k, v in values.items()}
        before = {k: old[k] for k in values if old[k] != new[k]}
        after = {k: new[k] for k in before}
    q = update(Story).where(Story.id == story.id)
    if version is not None:
        q = q.where(Story.meta_version == version)
    result = session.execute(q.values(**values, meta_version=Story.meta_version + 1)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise StaleVersion(f"{story.title!r} was changed by someone else after you opened it; "
                           "reload the page and make your change again")
    if before or after:
        session.add(StoryMetaEdit(story_id=story.id, user=(user or "")[:100], before=before, after=after or {}))
    ids = list(dict.fromkeys([story.id, *also]))
    for story_id in ids:
        outbox.note(session, story_id, outbox.INDEX, hides=hides and story_id == story.id)
    session.commit()
    outbox.apply(archive, ids)
    session.refresh(story)
    return story


def publish(archive, session: Session, story: Story, published: bool, version: int | None, user: str = "") -> Story:
    return save_fields(archive, session, story, version, {"published": published}, hides=not published, user=user)


def set_access(archive, session: Session, story: Story, level: str, embargo_until: dt.date | None,
               version: int | None, user: str = "") -> Story:
    check_level(level, embargo_until)
    values = {"access": level, "embargo_until": embargo_until if level == "embargoed" else None}
    # Any level but public takes the story away from someone who could see it.
    return save_fields(archive, session, story, version, values, hides=level != "public", user=user)


def consent_notes_problem(settings, notes: str) -> int | None:
    """The most characters consent notes may have (the max_text_chars setting) when `notes` has more, else None.
    Callers word it for their reader: set_consent in English, the workspace in Dutch and English."""
    limit = settings.max_text_chars
    return limit if len(notes) > limit else None


def set_consent(archive, session: Session, story: Story, notes: str, consent_file: str | None,
                version: int | None, user: str = "") -> Story:
    limit = consent_notes_problem(archive.settings, notes)
    if limit is not None:
        raise UsageError(f"consent notes have at most {limit:,} characters ({len(notes):,} given)")
    values: dict[str, Any] = {"consent_notes": notes}
    if consent_file:
        values["consent_file"] = consent_file
    return save_fields(archive, session, story, version, values, hides=False, user=user)
