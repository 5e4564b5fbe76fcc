"""Stories one by one: list them, show one, export its transcript, delete it (to the trash: verhalen.trash)."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from .. import catalog, chapter_formats, exports, index_points, trash
from ..access import outside_trash, public_segments
from ..transcript_guards import GAP
from ..errors import Conflict
from .context import Ctx


@click.command("list")
@click.option("--status", type=click.Choice(["ready", "pending", "failed", "needs_transcript"]), help="Only stories in this state.")
@click.option("--trash", "in_trash", is_flag=True, help="List the stories in the trash instead (see `verhalen trash`).")
@click.pass_obj
def list_(c: Ctx, status, in_trash) -> None:
    """List stories: slug, status, language, duration, title (not those in the trash, unless --trash)."""
    archive = c.archive(create=False)
    with archive.session() as s:
        q = select(catalog.Story).order_by(catalog.Story.created_at)
        q = q.where(~outside_trash()) if in_trash else q.where(outside_trash())
        if status:
            q = q.where(catalog.Story.status == status)
        stories = s.scalars(q).all()
        if not stories:
            click.echo("The trash is empty." if in_trash else "No stories yet." if not status
                       else f"No stories with status {status}.")
        for st in stories:
            dur = exports.mmss(st.recording.duration) if st.recording else "-"
            click.echo(f"{st.slug}\t{st.status}\t{st.language or '-'}\t{dur}\t{st.access}\t{st.title}")


def _segments(story: catalog.Story, include_redacted: bool = False) -> list[dict]:
    return exports.rows(story.segments if include_redacted else public_segments(story))


@click.command()
@click.argument("slug")
@click.pass_obj
def show(c: Ctx, slug) -> None:
    """Show a story's metadata, pipeline state and timestamped transcript."""
    archive = c.archive(create=False)
    with archive.session() as s:
        st = trash.require_outside(archive.story(s, slug))
        rec = st.recording
        click.echo(click.style(st.title, bold=True))
        rows = [
            ("slug", st.slug), ("status", st.status), ("access", st.access + (f" until {st.embargo_until}" if st.embargo_until else "")),
            ("series", st.series.name if st.series else ""), ("recorded", st.recorded or ""),
            ("people", ", ".join(f"{c.person.name} ({c.role})" for c in st.credits)),
            ("places", ", ".join(p.name for p in st.places)),
            ("themes", ", ".join(t.name for t in st.themes("editor"))),
            ("keywords", ", ".join(t.name for t in st.themes("accepted"))),
            ("proposed", ", ".join(t.name for t in st.themes("auto"))),
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
            if run.checks:
                again = ", ".join(f"{k} {v}" for k, v in run.checks.items() if k != "covered") or "none needed"
                covered = f"; words or gaps reach {run.checks['covered']:.0%} of the speech" if "covered" in run.checks else ""
                rows.append(("second looks", again + covered))
        rows += [(f"stage {x.stage}", x.state + (f": {x.error}" if x.error else "")) for x in st.stages if x.state != "done"]
        for k, v in rows:
            if v != "":
                click.echo(f"{k:>14}  {v}")
        click.echo("")
        for seg in st.segments:
            label = exports.speaker_label({"speaker": seg.speaker, "voice": seg.voice})
            speaker = f"{label}: " if label else ""
            hidden = "[redacted] " if seg.redacted else ""
            text = seg.text.strip() or (f"[no text recognised, {exports.mmss(seg.end - seg.start)} of speech: "
                                        "listen and fill it in]" if seg.guard == GAP else "")
            click.echo(f"[{exports.mmss(seg.start)}] {hidden}{speaker}{text}")
        if not st.segments:
            click.echo("(no transcript yet)")


@click.command()
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice([*exports.FORMATS, "chapters", "ohms"]), default="vtt",
              show_default=True, help="A transcript format, `chapters`: the story's index as Podcasting 2.0 "
                                      "chapters JSON, or `ohms`: the whole story as OHMS XML 5.4.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout.")
@click.option("--include-redacted", is_flag=True, help="Also export passages editors redacted (for internal use only).")
@click.pass_obj
def export(c: Ctx, slug, fmt, output, include_redacted) -> None:
    """Export a story's transcript as WebVTT, SRT, plain text or JSON (with word timings), its index
    (table of contents) as Podcasting 2.0 chapters JSON, or the story (metadata, transcript, index) as OHMS XML.

    Redacted passages are left out unless --include-redacted (for chapters: draft points whose words were
    redacted, as on the public pages).
    """
    archive = c.archive(create=False)
    with archive.session() as s:
        st = trash.require_outside(archive.story(s, slug))
        meta = {"title": st.title, "slug": st.slug, "language": st.language,
                "people": [{"name": c.person.name, "role": c.role} for c in st.credits]}
        if fmt == "chapters":
            points = ([p.as_dict() for p in st.index_points] if include_redacted
                      else index_points.shown_points(s, st))
            text = chapter_formats.to_chapters_json(points, st.title)
        elif fmt == "ohms":
            from ..ohms_catalog import export as ohms_export  # loads the pipeline: only when asked

            text = ohms_export(s, st, archive.settings, include_redacted=include_redacted).decode("utf-8")
        else:
            text = exports.render(fmt, _segments(st, include_redacted), st.title, meta)
    if output:
        from ..originals import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)



@click.command()
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def delete(c: Ctx, slug, yes) -> None:
    """Move a story to the trash: hidden everywhere at once, restorable for trash_days days
    (`verhalen restore SLUG`); `verhalen trash purge` removes it for good."""
    archive = c.archive(create=False)
    days = archive.settings.trash_days
    with archive.session() as s:
        st = archive.story(s, slug)
        if st.deleted_at is not None:
            raise Conflict(f"{slug!r} is already in the trash (verhalen restore {slug}, or verhalen trash purge)")
        if not yes:
            click.confirm(f"Move to the trash: {what_goes(trash.contents(st))}. It stays there {days} days "
                          f"(verhalen restore {slug}), then it is removed for good. Go on?", abort=True)
        trash.move(archive, s, st, _login())
    click.echo(f"moved {slug} to the trash for {days} days (verhalen restore {slug} brings it back)")


def what_goes(what: trash.Contents) -> str:
    """A deletion's confirmation: the title, the recording and its length, the passages."""
    rec = f"{what.file_name}, {exports.mmss(what.duration or 0)}" if what.file_name else "no recording"
    return f"{what.title!r} ({what.slug}; {rec}; {what.passages} passages)"


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "cli"


COMMANDS = [list_, show, export, delete]
