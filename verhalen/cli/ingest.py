"""Recordings through the pipeline: ingest, resume what was interrupted, and re-run one stage
(reindex, retranscribe, retag) on stories already in the archive."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from sqlalchemy import select

from .. import catalog
from ..errors import ArchiveError, UsageError, VerhalenError
from .context import Ctx


def _date(_ctx, _param, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-05-03") from None



class ProgressPrinter:
    """A tqdm bar for transcription (audio seconds, ETA); one line for the quick stages."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.bar = None

    def __call__(self, stage: str, done: float, total: float) -> None:
        if self.quiet:
            return
        if stage == "transcript" and total > 1:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=round(total, 1), unit="s audio", desc="transcript", file=sys.stderr,
                                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s audio [{elapsed}<{remaining}]")
            self.bar.update(round(done, 1) - self.bar.n)
            return
        if done >= total:
            if stage == "transcript" and self.bar is not None:
                self.bar.close()
                self.bar = None
            click.echo(f"  ✓ {stage}", err=True)



@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", help="Story title (default: the file's title tag or name).")
@click.option("--description", default="", help="A short description.")
@click.option("--narrator", multiple=True, help="Narrator's name (repeatable).")
@click.option("--interviewer", multiple=True, help="Interviewer's name (repeatable).")
@click.option("--host", "hosts", multiple=True, help="Host's name (repeatable).")
@click.option("--guest", multiple=True, help="Guest's name (repeatable).")
@click.option("--series", help="Series (podcast or collection) the story belongs to.")
@click.option("--recorded", callback=_date, metavar="YYYY-MM-DD", help="Recording date.")
@click.option("--place", multiple=True, help="Place named in or of the story (repeatable).")
@click.option("--theme", multiple=True, help="Editor's theme/tag (repeatable).")
@click.option("--access", type=click.Choice(catalog.ACCESS_LEVELS), default="public", show_default=True,
              help="Who may see and hear it.")
@click.option("--embargo-until", callback=_date, metavar="YYYY-MM-DD", help="With --access embargoed: public from this date.")
@click.option("--language", help="Language code (nl, ar, ...); default: detect. Kurdish (ku) or Tigrinya (ti) "
                                 "stories wait for `verhalen transcript import`.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.pass_obj
def ingest(c: Ctx, files, title, description, narrator, interviewer, hosts, guest, series, recorded, place, theme,
           access, embargo_until, language, quiet) -> None:
    """Add recordings: probe, store, convert, transcribe, tag and index each FILE.

    A file that fails is reported and skipped; the others go on. The same
    file twice is reported as a duplicate; an interrupted ingest of it resumes.
    """
    from ..pipeline import StoryMeta, ingest as run_ingest

    if title and len(files) > 1:
        raise UsageError("--title applies to one file; ingest files one by one to give each a title")
    people = [(n, "narrator") for n in narrator] + [(n, "interviewer") for n in interviewer]
    people += [(n, "host") for n in hosts] + [(n, "guest") for n in guest]
    archive = c.archive()
    failures: list[VerhalenError] = []
    for path in files:
        meta = StoryMeta(title=title, description=description, recorded=recorded, series=series, people=people,
                         places=list(place), themes=list(theme), access=access, embargo_until=embargo_until,
                         language=language)
        if not quiet:
            click.echo(f"{path.name}", err=True)
        try:
            story = run_ingest(archive, path, meta, progress=ProgressPrinter(quiet))
        except VerhalenError as e:
            if len(files) == 1:
                raise
            click.echo(f"verhalen: {e}", err=True)
            failures.append(e)
            continue
        note = story.transcript_run.language_note if story.transcript_run else ""
        click.echo(f"{story.slug}\t{story.status}\t{story.language or '-'}" + (f"\t({note})" if note else ""))
    if failures:
        sys.exit(max(e.exit_code for e in failures))


@click.command()
@click.pass_obj
def resume(c: Ctx) -> None:
    """Finish what was interrupted: unfinished or failed stories, index and audio work left pending."""
    from .. import outbox
    from ..pipeline import run, unfinished

    archive = c.archive()
    ids = unfinished(archive)
    with archive.session() as s:
        owed_index = {w.story_id for w in outbox.pending(s, outbox.INDEX)}
        owed_audio = [sid for sid in outbox.audio_stories(s) if sid not in ids]
    if not ids and not owed_index and not owed_audio:
        click.echo("Nothing to resume: every story is complete.")
    failures = []
    for sid in ids:
        try:
            story = run(archive, sid, progress=ProgressPrinter())
            click.echo(f"{story.slug}\t{story.status}")
        except VerhalenError as e:
            failures.append(e)
            click.echo(f"verhalen: story {sid}: {e}", err=True)
    for sid in owed_audio:
        story = run(archive, sid, redo=("audio",))
        click.echo(f"{story.slug}\tlistening copies rebuilt")
    if owed_index:
        left = outbox.apply(archive)
        click.echo(f"search index brought in line for {len(owed_index) - len(left)} of {len(owed_index)} stories")
        for sid, error in left:
            failures.append(ArchiveError(f"story {sid}: the search index could not be updated: {error}"))
            click.echo(f"verhalen: story {sid}: the search index could not be updated: {error}", err=True)
    if failures:
        sys.exit(max(e.exit_code for e in failures))



@click.command()
@click.pass_obj
def reindex(c: Ctx) -> None:
    """Rebuild the search index from the catalog (gives the same results as incremental ingest)."""
    from ..index_sync import rebuild

    stories, segments = rebuild(c.archive(create=False))
    click.echo(f"indexed {stories} stories, {segments} segments")


@click.command()
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every story.")
@click.option("--language", help="Transcribe in this language instead of detecting.")
@click.option("--discard-edits", is_flag=True,
              help="Also stories whose transcript a person corrected: their corrections are replaced.")
@click.pass_obj
def retranscribe(c: Ctx, slugs, all_, language, discard_edits) -> None:
    """Transcribe stories again (e.g. with another --model or --language), then retag and reindex them.

    A story whose transcript a person corrected (an edit, split, merge, speaker) is skipped unless
    --discard-edits: a new transcript replaces every segment. Redacted passages stay hidden either way.
    """
    from ..pipeline import run

    archive = c.archive(create=False)
    with archive.session() as s:
        if all_:
            ids = list(s.scalars(select(catalog.Story.id).order_by(catalog.Story.id)))
        elif slugs:
            ids = [archive.story(s, slug).id for slug in slugs]
        else:
            raise UsageError("name one or more stories, or pass --all")
        corrected = set(s.scalars(select(catalog.SegmentEdit.story_id).where(
            catalog.SegmentEdit.story_id.in_(ids), catalog.SegmentEdit.reverted.is_(False),
            catalog.SegmentEdit.action.not_in(("redact", "unredact")))))
        if corrected and not discard_edits:
            names = [s.get(catalog.Story, sid).slug for sid in ids if sid in corrected]
            if not all_:
                raise UsageError(f"a person corrected the transcript of {', '.join(names)}; a new transcript "
                                 "would replace those corrections: pass --discard-edits to do it anyway")
            click.echo(f"skipped (corrected by a person; --discard-edits to include): {', '.join(names)}", err=True)
            ids = [sid for sid in ids if sid not in corrected]
        for sid in ids:
            st = s.get(catalog.Story, sid)
            if language:
                st.language_requested = language
            st.stage("transcript").state = "pending"
        s.commit()
    for sid in ids:
        st = run(archive, sid, redo=("transcript", "keywords", "index"), progress=ProgressPrinter())
        click.echo(f"{st.slug}\t{st.status}\t{st.language}")


@click.command()
@click.argument("slugs", nargs=-1)
@click.pass_obj
def retag(c: Ctx, slugs) -> None:
    """Recompute automatic keywords (and reindex) for the named stories, or all."""
    from ..pipeline import run

    archive = c.archive(create=False)
    with archive.session() as s:
        ids = [archive.story(s, slug).id for slug in slugs] if slugs else list(s.scalars(select(catalog.Story.id)))
    for sid in ids:
        st = run(archive, sid, redo=("keywords", "index"))
        click.echo(f"{st.slug}\t" + ", ".join(t.name for t in st.themes("auto")))


COMMANDS = [ingest, resume, reindex, retranscribe, retag]
