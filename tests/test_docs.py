"""Docs that cannot drift: every setting and every command is documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from verhalen.cli import cli
from verhalen.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text()
    missing = [f.name for f in dataclasses.fields(Settings) if f"`{f.name}`" not in text]
    assert not missing, f"add these settings to docs/settings.md: {missing}"


def test_every_command_is_documented():
    text = (DOCS / "cli.md").read_text()
    missing = [name for name in cli.commands if f"## {name}" not in text]
    assert not missing, f"add a section to docs/cli.md for: {missing}"


def test_readme_test_command_is_what_ci_runs():
    root = DOCS.parent
    assert "make test" in (root / "README.md").read_text()
    assert "make test" in (root / ".ci" / "run").read_text()
