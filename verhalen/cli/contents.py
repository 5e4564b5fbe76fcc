"""`verhalen contents`: a story's index (table of contents) from the command line (verhalen.index_points)."""

from __future__ import annotations

COMMANDS: list = []
