"""Docs that cannot drift: every setting, every command and every exit code is documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from verhalen import errors
from verhalen.cli import ABORTED, INTERNAL_ERROR, INTERRUPTED, cli
from verhalen.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text()
    missing = [f.name for f in dataclasses.fields(Settings) if f"`{f.name}`" not in text]
    assert not missing, f"add these settings to docs/settings.md: {missing}"


def _cli_sections() -> dict[str, str]:
    """docs/cli.md's `## name` sections: heading -> the text under it."""
    parts = re.split(r"^## (.+)$", (DOCS / "cli.md").read_text(), flags=re.M)
    return {name.strip(): body for name, body in zip(parts[1::2], parts[2::2])}


def test_every_command_is_documented():
    sections = _cli_sections()
    missing = [name for name in cli.commands if name not in sections]
    assert not missing, f"add a section to docs/cli.md for: {missing}"


def test_every_subcommand_is_named_in_its_section():
    sections = _cli_sections()
    missing = [f"{name} {sub}" for name, group in cli.commands.items() for sub in getattr(group, "commands", {})
               if f"{name} {sub}" not in sections.get(name, "")]
    assert not missing, f"name these in their sections of docs/cli.md: {missing}"


def test_every_documented_command_exists():
    """The other way round; `serve` missing here means the web's entry point is not installed (pip install -e .)."""
    gone = [name for name in _cli_sections() if name != "Exit codes" and name not in cli.commands]
    assert not gone, f"docs/cli.md documents commands `verhalen` does not have: {gone}"


def test_every_exit_code_is_documented():
    def family(cls):
        yield cls
        for sub in cls.__subclasses__():
            yield from family(sub)

    codes = {cls.exit_code for cls in family(errors.VerhalenError)} | {ABORTED, INTERNAL_ERROR, INTERRUPTED}
    table = set(map(int, re.findall(r"^\| (\d+) \|", _cli_sections()["Exit codes"], flags=re.M)))
    assert not codes - table, f"add these exit codes to the table in docs/cli.md: {sorted(codes - table)}"


def test_readme_test_command_is_what_ci_runs():
    root = DOCS.parent
    assert "make test" in (root / "README.md").read_text()
    assert "make test" in (root / ".ci" / "run").read_text()
