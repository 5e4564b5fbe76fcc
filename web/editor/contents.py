"""The editors' page for a story's index (table of contents): add, move, merge, delete and rewrite points."""

from __future__ import annotations

from .workspace import workspace_blueprint

bp = workspace_blueprint("editor_contents", __name__)
