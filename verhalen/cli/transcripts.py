"""Transcripts made elsewhere (e.g. Kurdish or Tigrinya, which Whisper cannot transcribe)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import catalog, exports, trash
from ..errors import UsageError
from .context import Ctx


@click.group()
def transcript() -> None:
    """Attach transcripts made elsewhere, or work on part of one (insert, redact, redo, speakers)."""


@transcript.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", help="Language of the transcript (default: the story's).")
@click.pass_obj
def transcript_import(c: Ctx, slug, file, language) -> None:
    """Attach a VTT, SRT or plain-text transcript to a story (e.g. Kurdish or Tigrinya), then index it."""
    from ..pipeline import run

    archive = c.archive(create=False)
    with archive.session() as s:
        st = trash.require_outside(archive.story(s, slug))
        duration = st.recording.duration if st.recording else 0.0
        segs = exports.parse_transcript(file.name, file.read_bytes(), duration)
        limit = archive.settings.max_segment_chars
        for x in segs:
            if len(x["text"]) > limit:
                raise UsageError(f"{file.name}: the passage at {exports.mmss(x['start'])} has {len(x['text']):,} "
                                 f"characters; at most {limit:,} fit in one passage (max_segment_chars): split it")
        lang = language or st.language_requested or st.language
        for seg in list(st.segments):
            s.delete(seg)
        st.segments = [catalog.Segment(start=x["start"], end=x["end"], text=x["text"], speaker=x["speaker"],
                                       language=lang, words=[]) for x in segs]
        st.language, st.language_source = lang, "imported"
        if st.transcript_run is not None:
            s.delete(st.transcript_run)
            s.flush()
        st.transcript_run = catalog.TranscriptRun(source="imported", model=file.name, options={}, hotwords=[])
        st.stage("transcript").state = "done"
        s.commit()
        sid = st.id
    st = run(archive, sid, redo=("keywords", "index"))
    click.echo(f"{st.slug}\t{st.status}\t{len(segs)} segments")


COMMANDS = [transcript]
