"""Work on part of a transcript from the command line: `verhalen transcript insert | redact | redo | speakers`.

The same operations as the editors' workspace (verhalen.editing, verhalen.redo), each saved with
its history (`verhalen history SLUG` for the details; the workspace shows the transcript's);
passages are named by a time in them, as `verhalen show SLUG` prints them.
"""

from __future__ import annotations

import click

from .. import redo, trash
from ..editing import TranscriptEditor
from ..errors import NotFound, UsageError
from ..exports import mmss, parse_time
from .context import Ctx
from .edit import _login
from .transcripts import transcript


def _seconds(_ctx, param, value: str | None) -> float | None:
    if value is None:
        return None
    t = parse_time(value)
    if t is None:
        raise click.BadParameter(f"{value!r} is not a time like 1:15, 01:02:03 or 75 (seconds)", param=param)
    return t


def _editor(c: Ctx, session, slug: str, user: str | None) -> TranscriptEditor:
    archive = c.archive(create=False)
    editor = TranscriptEditor(archive, session, slug, user or _login())
    trash.require_outside(editor.story)
    return editor


def _passage_at(editor: TranscriptEditor, at: float):
    for seg in sorted(editor.story.segments, key=lambda s: s.start):
        if seg.start - 0.05 <= at < seg.end:
            return seg
    raise NotFound(f"no passage of {editor.story.slug!r} is playing at {mmss(at)} "
                   f"(see `verhalen show {editor.story.slug}` for the times)")


def _words(value: str | None, count: int) -> tuple[int, int]:
    """'3-5' or '4' (1-based, inclusive) as 0-based first, last."""
    first, _, last = (value or "").partition("-")
    try:
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise UsageError(f"--words takes N or N-M (word numbers, 1 to {count}), not {value!r}") from None
    return lo - 1, hi - 1


@transcript.command("insert")
@click.argument("slug")
@click.argument("text")
@click.option("--from", "start", required=True, callback=_seconds, metavar="TIME", help="Where the speech starts (1:15, 75).")
@click.option("--to", "end", required=True, callback=_seconds, metavar="TIME", help="Where it ends.")
@click.option("--speaker", help="Who speaks (optional).")
@click.option("--user", help="Name in the history (default: your login name).")
@click.pass_obj
def insert(c: Ctx, slug, text, start, end, speaker, user) -> None:
    """Type TEXT where the transcript has none (a gap, or speech the model missed), from --from to --to.

    The words are spread over that time. A range that overlaps a passage with text is refused:
    correct that passage in the workspace instead.
    """
    archive = c.archive(create=False)
    with archive.session() as s:
        seg = _editor(c, s, slug, user).insert(start, end, text, speaker)
        click.echo(f"{slug}\tinserted at {mmss(seg.start)}-{mmss(seg.end)}\t{len(seg.words)} words")


@transcript.command("redact")
@click.argument("slug")
@click.option("--at", "at", required=True, callback=_seconds, metavar="TIME", help="A time inside the passage.")
@click.option("--words", metavar="N-M", help="Only these words of the passage (1-based), e.g. 3-5; default the whole passage.")
@click.option("--undo", is_flag=True, help="Show a redacted passage again (whole passages only).")
@click.option("--user", help="Name in the history (default: your login name).")
@click.pass_obj
def redact(c: Ctx, slug, at, words, undo, user) -> None:
    """Hide a passage, or some words of it, from the public, search, feeds and exports, and mute it in the
    listening copies (rebuilt before this command returns)."""
    archive = c.archive(create=False)
    with archive.session() as s:
        editor = _editor(c, s, slug, user)
        seg = _passage_at(editor, at)
        if undo:
            if words:
                raise UsageError("--undo shows a whole passage again; leave out --words")
            editor.redact([seg.id], redacted=False)
            click.echo(f"{slug}\tshown again at {mmss(seg.start)}")
            return
        if words:
            first, last = _words(words, len(seg.words or []))
            hidden = [x for x in editor.redact_words(seg.id, first, last, None) if x.redacted]
        else:
            hidden = editor.redact([seg.id])
        for x in hidden:
            click.echo(f"{slug}\tredacted {mmss(x.start)}-{mmss(x.end)} ({max(1, round(x.end - x.start))} s muted)")


@transcript.command("redo")
@click.argument("slug")
@click.option("--from", "start", required=True, callback=_seconds, metavar="TIME", help="Start of the stretch.")
@click.option("--to", "end", required=True, callback=_seconds, metavar="TIME", help="End of the stretch.")
@click.option("--language", help="Transcribe in this language (default: the story's).")
@click.option("--no-vocabulary", is_flag=True, help="Without the story's names and the glossary as hints.")
@click.option("--yes", is_flag=True, help="Replace without asking (for scripts).")
@click.option("--user", help="Name in the history (default: your login name).")
@click.pass_obj
def redo_stretch(c: Ctx, slug, start, end, language, no_vocabulary, yes, user) -> None:
    """Have the model transcribe a stretch again; shows the old and the new text and asks before replacing.

    The stretch widens to the passages it touches (at most max_redo_seconds). Redacted time stays
    redacted. Undo in the workspace's history.
    """
    archive = c.archive(create=False)
    with archive.session() as s:
        editor = _editor(c, s, slug, user)
        where = redo.stretch(editor.story, start, end, archive.settings.max_redo_seconds)
        click.echo(f"transcribing {mmss(where.start)}-{mmss(where.end)} again ...", err=True)
        proposal = redo.propose(archive, s, editor.story, where, language, not no_vocabulary)
        click.echo("now:")
        for x in redo.touching(editor.story.segments, where.start, where.end):
            click.echo(f"  [{mmss(x.start)}] {'[redacted] ' if x.redacted else ''}{x.text.strip() or '[no text]'}")
        click.echo("proposed:")
        for d in proposal:
            click.echo(f"  [{mmss(d['start'])}] {d['text'].strip() or '[no text recognised]'}")
        if not yes and not click.confirm("replace the current text with the proposal?", default=False):
            click.echo(f"{slug}\tunchanged")
            return
        new = editor.replace_stretch(where, proposal)
        click.echo(f"{slug}\treplaced {mmss(where.start)}-{mmss(where.end)}\t{len(new)} passages")


def _pair(value: str, sep: str, option: str, example: str) -> tuple[str, str]:
    left, found, right = value.partition(sep)
    if not found or not left.strip():
        raise UsageError(f"{option} takes {example}, not {value!r}")
    return left.strip(), right.strip()


@transcript.command("speakers")
@click.argument("slug")
@click.option("--name", "names", multiple=True, metavar='VOICE="NAME"',
              help='Name a voice, e.g. --name A="Amal Haddad" (one of the story\'s people or a new name; '
                   'VOICE= with nothing after it takes the name away). Repeatable.')
@click.option("--merge", "merges", multiple=True, metavar="VOICE=INTO",
              help="One person heard as two voices: --merge B=A makes B's turns and passages A's. Repeatable.")
@click.option("--swap", "swaps", multiple=True, metavar="A,B",
              help="Exchange two voices' names, e.g. --swap A,B (interviewer and narrator the wrong way round).")
@click.option("--if-version", "version", type=int, metavar="N",
              help="Change only if the story is still at version N (`verhalen history SLUG` prints it).")
@click.option("--user", help="Name in the history (default: your login name).")
@click.pass_obj
def speakers(c: Ctx, slug, names, merges, swaps, version, user) -> None:
    """List a story's voices (label, name, talk time, share), or name, merge and swap them.

    Voices are the labels the speakers stage gives (A, B, ...). A name given here is kept when the stage
    runs again; passages whose speaker was set by hand keep theirs. Changes are made in the order
    --merge, --swap, --name, each its own change in the history (undo in the workspace). Prints the
    voices afterwards, one a line: VOICE, NAME (- for none), who named it (auto, editor), mm:ss, share.
    """
    archive = c.archive(create=False)
    with archive.session() as s:
        editor = _editor(c, s, slug, user)
        changes = [("merge", *_pair(m, "=", "--merge", "VOICE=INTO, e.g. B=A")) for m in merges]
        changes += [("swap", *_pair(w, ",", "--swap", "A,B")) for w in swaps]
        changes += [("name", *_pair(n, "=", "--name", 'VOICE="NAME", e.g. A="Amal Haddad"')) for n in names]
        for kind, left, right in changes:
            if kind == "merge":
                editor.merge_voices(left, right, version)
                click.echo(f"{slug}	merged {left} into {right}", err=True)
            elif kind == "swap":
                editor.swap_voices(left, right, version)
                click.echo(f"{slug}	swapped the names of {left} and {right}", err=True)
            else:
                editor.name_voice(left, right or None, version)
                click.echo(f"{slug}	named {left}", err=True)
            version = None if version is None else editor.story.meta_version  # the next change builds on this one
        rows = editor.voices()
        if not rows:
            click.echo(f"{slug}	no voices yet (the speakers stage has not run)")
        for r in rows:
            click.echo(f"{r['voice']}	{r['name'] or '-'}	{r['by']}	{mmss(r['seconds'])}	{r['share']:.0%}")


COMMANDS: list = []  # the commands above join the `transcript` group of .transcripts
