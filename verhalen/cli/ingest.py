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
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--sheet", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="A whole collection: a CSV with one row per recording (a `file` column, relative to the sheet, "
                   "and columns named like these options). Instead of FILE arguments. See docs/editors.md.")
@click.option("--dry-run", is_flag=True, help="With --sheet: check every row (file, audio, dates, access, "
                                               "duplicates) and report all problems; ingest nothing.")
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
@click.option("--licence", metavar="CODE|URI", help="Licence or rights statement (CC-BY-4.0, InC, ... or the URI; "
                                                   "`verhalen edit --help` lists them); default: the archive's "
                                                   "default_licence.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.pass_obj
def ingest(c: Ctx, files, sheet, dry_run, title, description, narrator, interviewer, hosts, guest, series, recorded,
           place, theme, access, embargo_until, language, licence, quiet) -> None:
    """Add recordings: probe, store, convert, transcribe, tag and index each FILE.

    A file that fails is reported and skipped; the others go on. The same
    file twice is reported as a duplicate; an interrupted ingest of it resumes.
    With --sheet, the rows of a collection's spreadsheet instead (--dry-run: check only).
    """
    from ..pipeline import StoryMeta, ingest as run_ingest

    if sheet is not None:
        if files:
            raise UsageError("--sheet names the recordings in its `file` column; give either --sheet or FILE "
                             "arguments, not both")
        ctx = click.get_current_context()
        given = [f"--{name.replace('_', '-')}" for name in ("title", "description", "narrator", "interviewer", "hosts",
                                                           "guest", "series", "recorded", "place", "theme", "access",
                                                           "embargo_until", "language", "licence")
                 if ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT]
        if given:
            raise UsageError(f"with --sheet, put {', '.join(g.replace('--hosts', '--host') for g in given)} in the "
                             "sheet's columns (one per option, named like it)")
        _ingest_sheet(c, sheet, dry_run, quiet)
        return
    if dry_run:
        raise UsageError("--dry-run checks a sheet: use it with --sheet FILE")
    if not files:
        raise UsageError("name one or more recordings (FILE ...), or a collection's sheet with --sheet FILE")
    if title and len(files) > 1:
        raise UsageError("--title applies to one file; ingest files one by one to give each a title")
    people = [(n, "narrator") for n in narrator] + [(n, "interviewer") for n in interviewer]
    people += [(n, "host") for n in hosts] + [(n, "guest") for n in guest]
    archive = c.archive()
    failures: list[VerhalenError] = []
    for path in files:
        meta = StoryMeta(title=title, description=description, recorded=recorded, series=series, people=people,
                         places=list(place), themes=list(theme), access=access, embargo_until=embargo_until,
                         language=language, licence=licence)
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


class SheetProgress:
    """One tqdm bar over the whole sheet, in seconds of audio (each row's transcription moves it on)."""

    def __init__(self, total_seconds: float, rows: int, quiet: bool = False):
        self.quiet, self.rows = quiet, rows
        self.base = self.duration = 0.0
        self.bar = None
        if not quiet:
            from tqdm import tqdm

            self.bar = tqdm(total=round(total_seconds, 1), unit="s audio", desc="sheet", file=sys.stderr,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s audio "
                                       "[{elapsed}<{remaining}]")

    def start(self, i: int, row) -> None:
        self.duration = row.duration
        if self.bar is not None:
            self.bar.set_description_str(f"{i}/{self.rows} row {row.number} {row.name}")

    def __call__(self, stage: str, done: float, total: float) -> None:
        if self.bar is not None and stage == "transcript" and total > 0:
            self._to(self.base + self.duration * min(1.0, done / total))

    def done(self) -> None:
        self.base += self.duration
        self._to(self.base)

    def _to(self, position: float) -> None:
        if self.bar is not None:
            self.bar.update(round(min(position, self.bar.total), 1) - self.bar.n)

    def echo(self, line: str, err: bool = False) -> None:
        if self.bar is not None:
            from tqdm import tqdm

            tqdm.write(line, file=sys.stderr if err else sys.stdout)
        else:
            click.echo(line, err=err)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _ingest_sheet(c: Ctx, path: Path, dry_run: bool, quiet: bool) -> None:
    """`ingest --sheet`: check every row, then (unless a dry run) ingest or resume the good ones. Problems go
    to stderr as "row N: ...", one a line; the exit code is the highest of theirs (0: none)."""
    from .. import sheet as sheet_mod
    from ..errors import Duplicate
    from ..pipeline import ingest as run_ingest

    archive = c.archive()
    sheet = sheet_mod.check(archive, sheet_mod.read(path, archive.settings))
    for problem in sheet.all_problems():
        click.echo(str(problem), err=True)
    for row in sheet.rows:
        if row.skipped:
            click.echo(f"row {row.number}: skipped, already in the archive as {row.existing}")
    good = sheet.good
    bad_rows = len({p.row for p in sheet.all_problems()})
    skipped = sum(r.skipped for r in sheet.rows)
    if dry_run or sheet.problems:
        for row in good:
            click.echo(f"row {row.number}: {row.file}: " + (f"resumes the unfinished ingest of {row.existing}"
                                                           if row.existing else "ready to ingest"))
        why = "dry run" if dry_run else "the sheet itself has problems"
        click.echo(f"{why}: {len(good)} of {len(sheet.rows)} rows ready, {skipped} already in the archive, "
                   f"{bad_rows} with problems; nothing was ingested", err=True)
        if sheet.exit_code():
            sys.exit(sheet.exit_code())
        return
    codes = [p.code for p in sheet.all_problems()]
    progress = SheetProgress(sum(r.duration for r in good), len(good), quiet or not good)
    ingested = 0
    try:
        for i, row in enumerate(good, start=1):
            progress.start(i, row)
            try:
                story = run_ingest(archive, row.path, row.meta, progress=progress)
            except Duplicate as e:  # another process took it meanwhile
                progress.echo(f"row {row.number}: skipped, already in the archive" + (f" as {e.slug}" if e.slug else ""))
                skipped += 1
                continue
            except VerhalenError as e:
                progress.echo(f"row {row.number}: {e}", err=True)
                codes.append(e.exit_code)
                continue
            finally:
                progress.done()
            ingested += 1
            how = "resumed" if row.existing else "ingested"
            progress.echo(f"row {row.number}: {how} as {story.slug}\t{story.status}\t{story.language or '-'}")
    finally:
        progress.close()
    failed = len(codes) - len(sheet.all_problems())
    click.echo(f"{ingested} of {len(sheet.rows)} rows ingested, {skipped} already in the archive, "
               f"{bad_rows + failed} with problems", err=True)
    if codes:
        sys.exit(max(codes))


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


# History entries that leave the words alone: a new transcript keeps redacted time hidden and the voices'
# names (the speakers stage matches its new voices to the named ones), so these do not stop a retranscribe.
NOT_CORRECTIONS = ("redact", "unredact", "voice-name", "merge-voices", "swap-voices")


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
            catalog.SegmentEdit.action.not_in(NOT_CORRECTIONS))))
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
