"""Editors' changes to a story's own fields: publishing, access level and embargo, consent notes.

Each change is one compare-and-set UPDATE on `meta_version` (the version the
editor's page showed): of two saves made from one version, exactly one lands
and the other is a StaleVersion. What the index must now show is noted in the
same transaction (verhalen.outbox) and applied right after, so a change that
hides a story never leaves it findable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from . import outbox
from .access import check_level
from .catalog import Story
from .errors import StaleVersion, UsageError


def _save(archive, session: Session, story: Story, version: int | None, values: dict[str, Any], hides: bool) -> Story:
    q = update(Story).where(Story.id == story.id)
    if version is not None:
        q = q.where(Story.meta_version == version)
    result = session.execute(q.values(**values, meta_version=Story.meta_version + 1)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise StaleVersion(f"{story.title!r} was changed by someone else after you opened it; "
                           "reload the page and make your change again")
    outbox.note(session, story.id, outbox.INDEX, hides=hides)
    session.commit()
    outbox.apply(archive, [story.id])
    session.refresh(story)
    return story


def publish(archive, session: Session, story: Story, published: bool, version: int | None) -> Story:
    return _save(archive, session, story, version, {"published": published}, hides=not published)


def set_access(archive, session: Session, story: Story, level: str, embargo_until: dt.date | None,
               version: int | None) -> Story:
    check_level(level, embargo_until)
    values = {"access": level, "embargo_until": embargo_until if level == "embargoed" else None}
    # Any level but public takes the story away from someone who could see it.
    return _save(archive, session, story, version, values, hides=level != "public")


def consent_notes_problem(settings, notes: str) -> int | None:
    """The most characters consent notes may have (the max_text_chars setting) when `notes` has more, else None.
    Callers word it for their reader: set_consent in English, the workspace in Dutch and English."""
    limit = settings.max_text_chars
    return limit if len(notes) > limit else None


def set_consent(archive, session: Session, story: Story, notes: str, consent_file: str | None,
                version: int | None) -> Story:
    limit = consent_notes_problem(archive.settings, notes)
    if limit is not None:
        raise UsageError(f"consent notes have at most {limit:,} characters ({len(notes):,} given)")
    values: dict[str, Any] = {"consent_notes": notes}
    if consent_file:
        values["consent_file"] = consent_file
    return _save(archive, session, story, version, values, hides=False)
