"""The transcription models: what is installed, and the one explicit download (docs/transcription.md)."""

from __future__ import annotations

import sys

import click

from .. import settings as settings_mod
from .. import whisper_model
from .context import Ctx


@click.group()
def model() -> None:
    """Transcription models: the bundled base, and bigger ones downloaded once, on request."""


def _size(entry: whisper_model.ModelEntry) -> str:
    if entry.size:
        return whisper_model.human_size(entry.size)
    if entry.download_mb:
        return f"~{whisper_model.human_size(entry.download_mb * 1_000_000)} download"
    return "-"


@model.command("list")
@click.pass_obj
def model_list(c: Ctx) -> None:
    """The bundled model, the installed ones and those `model install` can fetch; * marks the one in use."""
    s = settings_mod.load(c.home, model=c.model)
    entries = whisper_model.catalogue(s.models_dir, s.model)
    click.echo(f"models in {s.models_dir}")
    for e in entries:
        languages = {True: "multilingual", False: "English only", None: ""}[e.multilingual]
        click.echo(f"{'*' if e.in_use else ' '} {e.name:<18} {e.state:<27} {_size(e):<16} {languages}".rstrip())
    for name, done in whisper_model.partial_downloads(s.models_dir):
        click.echo(f"  ({name}: a download stopped after {whisper_model.human_size(done)}; "
                   f"`verhalen model install {name}` resumes it)")
    name, path = whisper_model.model_choice(s.model, s.models_dir)
    if name is None:
        state = "a model directory" if whisper_model.is_model_dir(path) else "not a model directory"
        click.echo(f"* in use: {path} ({state})")


@model.command("install")
@click.argument("name")
@click.pass_obj
def model_install(c: Ctx, name: str) -> None:
    """Download model NAME once into the archive's models/ folder (needs the internet; nothing else downloads).

    Then transcribe with it: `verhalen --model NAME retranscribe --all`, or `model = "NAME"` in
    verhalen.toml for every ingest. Names: `verhalen model list`.
    """
    s = settings_mod.load(c.home, model=c.model)
    try:
        path, downloaded = whisper_model.install(name, s.models_dir, say=lambda m: click.echo(m, err=True))
    except KeyboardInterrupt:
        click.echo(f"\nverhalen: interrupted; `verhalen model install {name}` resumes the download", err=True)
        sys.exit(130)
    size = whisper_model.human_size(whisper_model.dir_size(path))
    click.echo(f"{name} {'installed' if downloaded else 'already there'}: {path} ({size})")
    if name != whisper_model.BUNDLED_ALIAS:
        click.echo(f"use it: verhalen --model {name} retranscribe --all (or model = \"{name}\" in verhalen.toml)")


COMMANDS = [model]
