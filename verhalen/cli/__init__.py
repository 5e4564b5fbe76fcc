"""The `verhalen` command. Each verb is a thin shell over pipeline/archive functions.

Errors from the `verhalen.errors` family become one line on stderr and the
error's exit code (`main`); tracebacks only with --debug.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
from sqlalchemy import select

from .. import __version__, catalog, exports, settings as settings_mod
from ..access import ROLE_LEVELS as LEVELS
from ..archive import Archive
from ..errors import ArchiveError, UsageError, VerhalenError


class Ctx:
    def __init__(self, home: str | None, model: str | None):
        self.home, self.model = home, model
        self._archive: Archive | None = None

    def archive(self, create: bool = True) -> Archive:
        if self._archive is None:
            s = settings_mod.load(self.home, model=self.model)
            self._archive = Archive(s, create=create)
        return self._archive


pass_ctx = click.make_pass_decorator(Ctx)


def _date(_ctx, _param, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-05-03") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", envvar="VERHALEN_HOME", metavar="DIR",
              help="Archive home (default ./archive, or $VERHALEN_HOME).")
@click.option("--model", metavar="PATH", help="A CTranslate2 Whisper model directory instead of the bundled base model.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="verhalen")
@click.pass_context
def cli(ctx: click.Context, home: str | None, model: str | None, debug: bool) -> None:
    """verhalen: turn recordings into a searchable, citable story archive.

    \b
    Typical use:
      verhalen ingest interview.m4a --title "Basma bakt" --narrator Basma
      verhalen search '"eigen bakkerij" series:Levensverhalen'
      verhalen show basma-bakt
      verhalen export basma-bakt --format vtt
    """
    ctx.obj = Ctx(home, model)
    ctx.meta["debug"] = debug
    ctx.call_on_close(lambda: ctx.obj._archive and ctx.obj._archive.close())


# -- progress --------------------------------------------------------------------


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


# -- ingest ----------------------------------------------------------------------


@cli.command()
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
@pass_ctx
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


@cli.command()
@pass_ctx
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


# -- reading ---------------------------------------------------------------------


@cli.command()
@click.argument("query")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1))
@click.option("--per-page", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--as", "as_", type=click.Choice(sorted(LEVELS)), default="editor", show_default=True,
              help="Search as this kind of user (what they may see).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--facets/--no-facets", default=True, help="Show facet counts.")
@pass_ctx
def search(c: Ctx, query, page, per_page, as_, as_json, facets) -> None:
    """Search every transcript. Prints story, mm:ss and a highlighted snippet per hit.

    \b
    Query syntax:
      bakkerij              a word (also finds bakkerijen; accents optional)
      "eigen bakkerij"      an exact phrase
      bakk*                 words starting with bakk
      koor OR muziek        either (OF works too); NOT/NIET excludes; AND/EN is implied
      series:Levensverhalen language:nl person:Basma theme:werk place:Rotterdam year:2024
    """
    from verhalen.index import Visibility

    archive = c.archive(create=False)
    result = archive.index.search(query, Visibility(frozenset(LEVELS[as_])), page=page, per_page=per_page)
    if as_json:
        click.echo(json.dumps({
            "query": result.query, "total": result.total, "page": result.page, "facets": result.facets,
            "stories": [{"slug": s.slug, "title": s.title, "score": s.score, "hits": [
                {"time": h.time, "start": h.start, "end": h.end, "text": h.text.strip(), "snippet": h.snippet("<mark>", "</mark>")}
                for h in s.hits]} for s in result.stories]}, ensure_ascii=False, indent=2))
        return
    color = sys.stdout.isatty()
    mark = (click.style("", bold=True, fg="yellow", reset=False), "\x1b[0m") if color else ("[", "]")
    click.echo(f"{result.total} stor{'y' if result.total == 1 else 'ies'} found for {query!r}"
               + (f" (page {result.page} of {result.pages})" if result.pages > 1 else ""))
    for s in result.stories:
        click.echo(f"\n{s.title}  ({s.slug})")
        if not s.hits:
            click.echo("  (matched in its title, description, people, places, series or themes)")
        for h in s.hits:
            click.echo(f"  {exports.mmss(h.time)}  {h.snippet(*mark, escape=lambda t: t)}")
    if facets and result.facets:
        click.echo("")
        for name, values in result.facets.items():
            click.echo(f"{name}: " + ", ".join(f"{v} ({n})" for v, n in values[:8]))


@cli.command("list")
@click.option("--status", type=click.Choice(["ready", "pending", "failed", "needs_transcript"]), help="Only stories in this state.")
@pass_ctx
def list_(c: Ctx, status) -> None:
    """List stories: slug, status, language, duration, title."""
    archive = c.archive(create=False)
    with archive.session() as s:
        q = select(catalog.Story).order_by(catalog.Story.created_at)
        if status:
            q = q.where(catalog.Story.status == status)
        stories = s.scalars(q).all()
        if not stories:
            click.echo("No stories yet." if not status else f"No stories with status {status}.")
        for st in stories:
            dur = exports.mmss(st.recording.duration) if st.recording else "-"
            click.echo(f"{st.slug}\t{st.status}\t{st.language or '-'}\t{dur}\t{st.access}\t{st.title}")


def _segments(story: catalog.Story, include_redacted: bool = False) -> list[dict]:
    from ..access import public_segments

    segments = story.segments if include_redacted else public_segments(story)
    return [{"start": s.start, "end": s.end, "text": s.text, "speaker": s.speaker, "words": s.words}
            for s in segments]


@cli.command()
@click.argument("slug")
@pass_ctx
def show(c: Ctx, slug) -> None:
    """Show a story's metadata, pipeline state and timestamped transcript."""
    archive = c.archive(create=False)
    with archive.session() as s:
        st = archive.story(s, slug)
        rec = st.recording
        click.echo(click.style(st.title, bold=True))
        rows = [
            ("slug", st.slug), ("status", st.status), ("access", st.access + (f" until {st.embargo_until}" if st.embargo_until else "")),
            ("series", st.series.name if st.series else ""), ("recorded", st.recorded or ""),
            ("people", ", ".join(f"{c.person.name} ({c.role})" for c in st.credits)),
            ("places", ", ".join(p.name for p in st.places)),
            ("themes", ", ".join(t.name for t in st.themes("editor"))),
            ("keywords", ", ".join(t.name for t in st.themes("auto"))),
            ("language", f"{st.language or '-'} ({st.language_source or '-'})"),
        ]
        if rec:
            rows.append(("recording", f"{rec.original_name}, {rec.container}/{rec.codec}, {exports.mmss(rec.duration)}, "
                                      f"{rec.sample_rate} Hz, {rec.channels} ch, sha256 {rec.sha256[:12]}…"))
            rows += [("warning", w) for w in rec.warnings]
        run = st.transcript_run
        if run:
            rows.append(("transcript", f"{run.source} {run.model}, beam {run.options.get('beam_size', '-')}, "
                                       f"{run.audio_seconds / max(run.elapsed_seconds, 1e-6):.1f}x real time"
                         if run.source == "whisper" else run.source))
            if run.language_note:
                rows.append(("language note", run.language_note))
            if run.hotwords:
                rows.append(("hotwords", ", ".join(run.hotwords)))
        rows += [(f"stage {x.stage}", x.state + (f": {x.error}" if x.error else "")) for x in st.stages if x.state != "done"]
        for k, v in rows:
            if v != "":
                click.echo(f"{k:>14}  {v}")
        click.echo("")
        for seg in st.segments:
            speaker = f"{seg.speaker}: " if seg.speaker else ""
            hidden = "[redacted] " if seg.redacted else ""
            click.echo(f"[{exports.mmss(seg.start)}] {hidden}{speaker}{seg.text.strip()}")
        if not st.segments:
            click.echo("(no transcript yet)")


@cli.command()
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="vtt", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout.")
@click.option("--include-redacted", is_flag=True, help="Also export passages editors redacted (for internal use only).")
@pass_ctx
def export(c: Ctx, slug, fmt, output, include_redacted) -> None:
    """Export a story's transcript as WebVTT, SRT, plain text or JSON (with word timings).

    Redacted passages are left out unless --include-redacted.
    """
    archive = c.archive(create=False)
    with archive.session() as s:
        st = archive.story(s, slug)
        meta = {"title": st.title, "slug": st.slug, "language": st.language,
                "people": [{"name": c.person.name, "role": c.role} for c in st.credits]}
        text = exports.render(fmt, _segments(st, include_redacted), st.title, meta)
    if output:
        from ..store import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# -- changing ---------------------------------------------------------------------


@cli.command()
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def delete(c: Ctx, slug, yes) -> None:
    """Delete a story: its catalog rows, index entries, derived audio and original."""
    import shutil

    from .. import outbox, store

    archive = c.archive(create=False)
    with archive.session() as s:
        st = archive.story(s, slug)
        if not yes:
            click.confirm(f"Delete {st.title!r} ({slug}) and its original recording?", abort=True)
        original = None
        if st.recording:
            original = store.original_path(archive.settings.originals_dir, st.recording.sha256,
                                           Path(st.recording.original_name).suffix)
        story_id = st.id
        s.delete(st)
        outbox.note(s, story_id, outbox.INDEX, hides=True)  # with the delete: a crash cannot leave it findable
        s.commit()
    outbox.apply(archive, [story_id])
    shutil.rmtree(archive.settings.derived_dir / str(story_id), ignore_errors=True)
    if original is not None:
        original.unlink(missing_ok=True)
    click.echo(f"deleted {slug}")


@cli.command()
@pass_ctx
def reindex(c: Ctx) -> None:
    """Rebuild the search index from the catalog (gives the same results as incremental ingest)."""
    from ..indexing import rebuild

    stories, segments = rebuild(c.archive(create=False))
    click.echo(f"indexed {stories} stories, {segments} segments")


@cli.command()
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every story.")
@click.option("--language", help="Transcribe in this language instead of detecting.")
@pass_ctx
def retranscribe(c: Ctx, slugs, all_, language) -> None:
    """Transcribe stories again (e.g. with another --model or --language), then retag and reindex them."""
    from ..pipeline import run

    archive = c.archive(create=False)
    with archive.session() as s:
        if all_:
            ids = list(s.scalars(select(catalog.Story.id).order_by(catalog.Story.id)))
        elif slugs:
            ids = [archive.story(s, slug).id for slug in slugs]
        else:
            raise UsageError("name one or more stories, or pass --all")
        for sid in ids:
            st = s.get(catalog.Story, sid)
            if language:
                st.language_requested = language
            st.stage("transcript").state = "pending"
        s.commit()
    for sid in ids:
        st = run(archive, sid, redo=("transcript", "tags", "index"), progress=ProgressPrinter())
        click.echo(f"{st.slug}\t{st.status}\t{st.language}")


@cli.command()
@click.argument("slugs", nargs=-1)
@pass_ctx
def retag(c: Ctx, slugs) -> None:
    """Recompute automatic keywords (and reindex) for the named stories, or all."""
    from ..pipeline import run

    archive = c.archive(create=False)
    with archive.session() as s:
        ids = [archive.story(s, slug).id for slug in slugs] if slugs else list(s.scalars(select(catalog.Story.id)))
    for sid in ids:
        st = run(archive, sid, redo=("tags", "index"))
        click.echo(f"{st.slug}\t" + ", ".join(t.name for t in st.themes("auto")))


@cli.group()
def transcript() -> None:
    """Attach transcripts made elsewhere."""


@transcript.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", help="Language of the transcript (default: the story's).")
@pass_ctx
def transcript_import(c: Ctx, slug, file, language) -> None:
    """Attach a VTT, SRT or plain-text transcript to a story (e.g. Kurdish or Tigrinya), then index it."""
    from ..pipeline import run

    archive = c.archive(create=False)
    with archive.session() as s:
        st = archive.story(s, slug)
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
    st = run(archive, sid, redo=("tags", "index"))
    click.echo(f"{st.slug}\t{st.status}\t{len(segs)} segments")


@cli.group()
def glossary() -> None:
    """Words the model does not know (names, places, organisations), passed to it as hotwords."""


@glossary.command("add")
@click.argument("terms", nargs=-1, required=True)
@pass_ctx
def glossary_add(c: Ctx, terms) -> None:
    """Add terms; quote multi-word names: verhalen glossary add "Stadscoalitie Delfshaven"."""
    archive = c.archive()
    with archive.session() as s:
        have = set(s.scalars(select(catalog.GlossaryTerm.term)))
        for t in terms:
            t = " ".join(t.split())
            if t and t not in have:
                s.add(catalog.GlossaryTerm(term=t))
                have.add(t)
        s.commit()
        click.echo(f"{len(have)} glossary terms")


@glossary.command("list")
@pass_ctx
def glossary_list(c: Ctx) -> None:
    """Print the glossary."""
    with c.archive().session() as s:
        for t in s.scalars(select(catalog.GlossaryTerm.term).order_by(catalog.GlossaryTerm.term)):
            click.echo(t)


@glossary.command("remove")
@click.argument("terms", nargs=-1, required=True)
@pass_ctx
def glossary_remove(c: Ctx, terms) -> None:
    """Remove terms from the glossary."""
    with c.archive().session() as s:
        for row in s.scalars(select(catalog.GlossaryTerm).where(catalog.GlossaryTerm.term.in_(terms))):
            s.delete(row)
        s.commit()


@cli.command()
@pass_ctx
def doctor(c: Ctx) -> None:
    """Check the archive: ffmpeg, model, catalog, index and originals agree. Exit 1 if something is wrong."""
    from ..doctor import checks

    problems = 0
    for ok, label, detail in checks(c.archive(create=False)):
        problems += not ok
        mark = click.style("ok", fg="green") if ok else click.style("!!", fg="red")
        click.echo(f"{mark}  {label}" + (f": {detail}" if detail else ""))
    if problems:
        sys.exit(1)


from verhalen.web.cli import register as _register_web  # noqa: E402

from .admin import register as _register_admin  # noqa: E402

_register_web(cli)
_register_admin(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning verhalen errors into a message and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        cli.main(args=argv, prog_name="verhalen", standalone_mode=False)
    except click.exceptions.Abort as e:
        if isinstance(e.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("verhalen: interrupted; run `verhalen resume` to finish unfinished stories", err=True)
            sys.exit(130)
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except VerhalenError as e:
        if debug:
            raise
        click.echo(f"verhalen: error: {e}", err=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("\nverhalen: interrupted; run `verhalen resume` to finish unfinished stories", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - last resort: one line, not a traceback
        if debug:
            raise
        click.echo(f"verhalen: internal error: {e.__class__.__name__}: {e} (run again with --debug for details)", err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
