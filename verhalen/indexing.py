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
        access=story.access,
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
            for s in story.segments
        ),
    )


def indexable(story: Story) -> bool:
    return story.status in ("ready", "needs_transcript")
