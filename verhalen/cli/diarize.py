"""`verhalen diarize`: who speaks when (verhalen.speakers), run again for a story."""

from __future__ import annotations

COMMANDS: list = []
