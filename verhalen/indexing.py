"""Catalog story -> index document. The only place that knows both sides."""

from __future__ import annotations

from verhalen.index import SegmentDoc, StoryDoc

from .catalog import Story


def story_doc(story: Story) -> StoryDoc:
    languages = [story.language] if story.language else []
    languages += sorted({s.language for s in story.segments if s.language and s.language not in languages})
    return StoryDoc(
        story_id=story.id,
        slug=story.slug,
        title=story.title,
        # Unpublished stories are indexed under a level of their own, which only
        # editors have (verhalen.access), so the index filter alone hides them.
        access=story.access if story.published else "unpublished",
        embargo_until=story.embargo_until,
        series=story.series.name if story.series else None,
        languages=tuple(languages),
        people=tuple(dict.fromkeys(p.name for p in story.people())),
        themes=tuple(dict.fromkeys(t.name for t in story.themes())),
        places=tuple(p.name for p in story.places),
        year=story.recorded.year if story.recorded else None,
        description=story.description or "",
        segments=tuple(
            SegmentDoc(s.id, s.start, s.end, s.text, s.language, s.speaker,
                       tuple((w[0], w[2]) for w in s.words or ()))
            for s in story.segments if not s.redacted
        ),
    )


def indexable(story: Story) -> bool:
    return story.status in ("ready", "needs_transcript")


def sync(index, story: Story) -> None:
    """Make the index agree with the catalog for one story: present if finished, absent otherwise."""
    if indexable(story):
        index.add(story_doc(story))
    else:
        index.remove(story.id)


REBUILD_BATCH = 100  # stories per commit: bounds memory (a 1,000-hour archive in one go took 2.1 GB)


def rebuild(archive) -> tuple[int, int]:
    """Replace the whole index with documents made from the catalog; returns (stories, segments)."""
    from sqlalchemy import select

    from verhalen.index import SearchIndex, destroy

    if "index" in archive.__dict__:
        archive.index.close()
    destroy(archive.settings.index_dir)
    index = SearchIndex(archive.settings.index_dir, lock_timeout=archive.settings.index_lock_timeout)
    with archive.session() as s:
        ids = list(s.scalars(select(Story.id).order_by(Story.id)))
    stories = segments = 0
    for lo in range(0, len(ids), REBUILD_BATCH):
        with archive.session() as s:
            batch = s.scalars(select(Story).where(Story.id.in_(ids[lo:lo + REBUILD_BATCH])).order_by(Story.id))
            docs = [story_doc(st) for st in batch if indexable(st)]
        index.write(add=docs)
        stories += len(docs)
        segments += sum(len(d.segments) for d in docs)
    index.optimize()  # one segment per index: the batches above left one each
    archive.__dict__["index"] = index
    return stories, segments
