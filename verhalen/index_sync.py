"""Catalog story -> index document. The only place that knows both sides."""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from sqlalchemy import delete, func, select

from verhalen.index import SegmentDoc, StoryDoc, destroy

from .catalog import PendingWork, Story
from . import themes
from .access import in_trash, shown
from .lifecycle import finished

try:
    import fcntl
except ImportError:  # not POSIX: one process per archive, the thread lock is enough
    fcntl = None  # type: ignore[assignment]

_thread_lock = threading.Lock()


def story_doc(story: Story, publish_keywords: bool = False) -> StoryDoc:
    """The index's form of a story; themes as the public sees them (verhalen.themes), unreviewed
    keyword proposals only as words search may match."""
    languages = [story.language] if story.language else []
    shown_themes = themes.shown(story, publish_keywords)
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
        themes=tuple(t.name for t in shown_themes),
        keywords=tuple(t.name for t in themes.searchable(story) if t not in shown_themes),
        places=tuple(p.name for p in story.places),
        year=story.recorded.year if story.recorded else None,
        description=story.description or "",
        segments=tuple(
            SegmentDoc(s.id, s.start, s.end, s.text, s.language, s.speaker,
                       tuple((w[0], w[2]) for w in s.words or ()))
            for s in story.segments if shown(s)
        ),
    )


def indexable(story: Story) -> bool:
    return finished(story.status) and not in_trash(story)


def sync(index, story: Story, publish_keywords: bool = False) -> None:
    """Make the index agree with the catalog for one story: present if finished, absent otherwise."""
    if indexable(story):
        index.add(story_doc(story, publish_keywords))
    else:
        index.remove(story.id)


@contextlib.contextmanager
def exclusive(archive) -> Iterator[None]:
    """One writer of catalog data into the index at a time for this archive home (threads and processes):
    reading the catalog and writing what was read happen under it, so an older read is never written
    over a newer one (verhalen.outbox)."""
    with _thread_lock:
        if fcntl is None:
            yield
            return
        path = archive.settings.index_apply_lock
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


REBUILD_BATCH = 100  # stories per commit: bounds memory (a 1,000-hour archive in one go took 2.1 GB)


def rebuild(archive) -> tuple[int, int]:
    """Replace the whole index with documents made from the catalog; returns (stories, segments).

    Pending index work noted before the rebuild started is done by it and removed."""
    with exclusive(archive):
        return _rebuild(archive)


def _rebuild(archive) -> tuple[int, int]:
    if "index" in archive.__dict__:
        archive.index.close()
    destroy(archive.settings.index_dir)
    index = archive.open_index()
    with archive.session() as s:
        done_up_to = s.scalar(select(func.max(PendingWork.id)).where(PendingWork.kind == "index")) or 0
        ids = list(s.scalars(select(Story.id).order_by(Story.id)))
    stories = segments = 0
    for lo in range(0, len(ids), REBUILD_BATCH):
        with archive.session() as s:
            batch = s.scalars(select(Story).where(Story.id.in_(ids[lo:lo + REBUILD_BATCH])).order_by(Story.id))
            docs = [story_doc(st, archive.settings.publish_keywords) for st in batch if indexable(st)]
        index.write(add=docs)
        stories += len(docs)
        segments += sum(len(d.segments) for d in docs)
    index.optimize()  # one segment per index: the batches above left one each
    archive.__dict__["index"] = index
    with archive.session() as s:
        s.execute(delete(PendingWork).where(PendingWork.kind == "index", PendingWork.id <= done_up_to))
        s.commit()
    return stories, segments
