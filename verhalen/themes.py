"""Where a story's themes come from, and which of them the public sees: the rule, defined once.

Editors give themes; the keyword stage proposes keywords (YAKE over the transcript). A proposal is
the machine's guess, so it stays out of public pages, browse lists and search facets until an
editor accepts it (or the archive sets `publish_keywords`); it still helps search find the story.
A rejected keyword is kept only so the keyword stage never proposes it again.
"""

from __future__ import annotations

EDITOR = "editor"        # given by an editor (at ingest or later)
PROPOSED = "auto"        # proposed by the keyword stage, not yet reviewed
ACCEPTED = "accepted"    # a proposal an editor accepted
REJECTED = "rejected"    # a proposal an editor rejected
SOURCES = (EDITOR, PROPOSED, ACCEPTED, REJECTED)


def shown_sources(publish_proposals: bool) -> tuple[str, ...]:
    """The sources whose themes appear on public pages, browse lists and facets."""
    return (EDITOR, ACCEPTED, PROPOSED) if publish_proposals else (EDITOR, ACCEPTED)


def shown(story, publish_proposals: bool) -> list:
    """The story's themes the public sees (Theme rows, each once, in the order given)."""
    sources = shown_sources(publish_proposals)
    return list({t.theme.id: t.theme for t in story.story_themes if t.source in sources}.values())


def searchable(story) -> list:
    """Themes that help search find the story without being shown: every theme but the rejected."""
    return list({t.theme.id: t.theme for t in story.story_themes if t.source != REJECTED}.values())
