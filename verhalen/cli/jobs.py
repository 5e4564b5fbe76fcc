"""`verhalen jobs`: the pipeline work of the job workers, cancel it (verhalen.cancel) and retry it (verhalen.jobs)."""

from __future__ import annotations

import click
from sqlalchemy import or_, select

from .. import cancel as core
from ..access import outside_trash
from ..catalog import StageState, Story
from ..lifecycle import FAILED, UNFINISHED
from .context import Ctx
from .stories import _login


def _state(story: Story, lease: float) -> str:
    """One job's state in a word or two, with the stage that runs or waits."""
    states = core.stage_states(story)
    rows = {st.stage: st for st in story.stages}
    running = next((n for n, v in states.items() if v == "running"), None)
    if story.cancelled_at is not None:
        how = "stopping" if core.being_run(story, lease) else "cancelled"
        return f"{how} (by {story.cancelled_by or '-'} at {story.cancelled_at:%Y-%m-%d %H:%M})"
    failed = [n for n, v in states.items() if v == FAILED]
    if failed:
        return f"failed at {failed[0]}: {rows[failed[0]].error or '-'}"
    if running:
        progress = rows[running].progress
        return f"{running} running" + (f" {progress:.0%}" if progress is not None else "")
    waiting = next((n for n, v in states.items() if v in core.WORK), None)
    return f"waiting for {waiting}" if waiting else "done"


@click.group(invoke_without_command=True)
@click.pass_context
def jobs(ctx: click.Context) -> None:
    """The stories with pipeline work running, waiting, failed or cancelled: slug, state, title.

    Workers (`verhalen serve`, `verhalen worker`) run the work; `verhalen jobs cancel SLUG` stops it,
    `verhalen jobs retry SLUG` lets it run again."""
    if ctx.invoked_subcommand is not None:
        return
    c: Ctx = ctx.obj
    archive = c.archive(create=False)
    lease = archive.settings.worker_lease_seconds
    busy = or_(Story.status.in_(UNFINISHED), Story.cancelled_at.is_not(None),
               Story.stages.any(StageState.state.in_(("pending", "running", "failed"))))
    with archive.session() as s:
        stories = list(s.scalars(select(Story).where(busy, outside_trash()).order_by(Story.id)))
        if not stories:
            click.echo("No jobs: every story is processed.")
        for st in stories:
            click.echo(f"{st.slug}\t{_state(st, lease)}\t{st.title}")


@jobs.command("cancel")
@click.argument("slug")
@click.option("--remove", is_flag=True,
              help="Also move the story to the trash (only a new upload that never finished; "
                   "`verhalen restore SLUG` brings it back).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (of --remove).")
@click.pass_obj
def jobs_cancel(c: Ctx, slug, remove, yes) -> None:
    """Cancel a story's running or waiting pipeline work: a waiting job will do nothing, a running one stops
    at its next check (within seconds; a transcription at its next decoded batch). The story stays as it
    was: finished stages stay finished, the rest waits for `verhalen jobs retry SLUG`, and a stage being
    redone keeps its previous result. A finished job cannot be cancelled."""
    archive = c.archive(create=False)
    days = archive.settings.trash_days
    with archive.session() as s:
        st = archive.story(s, slug)
        if remove and not yes and core.refusal(st, core.owes_audio(s, st.id), remove) is None:
            click.confirm(f"Cancel the processing of {st.title!r} and move it to the trash (for {days} days, "
                          f"`verhalen restore {slug}`)?", abort=True)
        running = core.request(archive, s, st, _login(), remove=remove)
    if remove:
        click.echo(f"cancelled {slug} and moved it to the trash for {days} days (verhalen restore {slug})")
    elif running:
        click.echo(f"cancelling {slug}: its worker stops at its next check (verhalen jobs retry {slug} resumes it)")
    else:
        click.echo(f"cancelled {slug}: it will not start (verhalen jobs retry {slug} resumes it)")


@jobs.command("retry")
@click.argument("slug")
@click.pass_obj
def jobs_retry(c: Ctx, slug) -> None:
    """Queue a story's failed or cancelled work again (as the jobs page's retry): the failed stage, or the
    first one a cancel left undone, and the ones after it. A worker runs it (`verhalen serve`,
    `verhalen worker`)."""
    from .. import jobs as queue
    from ..trash import require_outside

    archive = c.archive(create=False)
    with archive.session() as s:
        st = require_outside(archive.story(s, slug))
        redo = queue.retry(archive, s, st)
    if not redo:
        click.echo(f"{slug} is no longer cancelled; nothing was left undone")
        return
    queue.enqueue(queue.make_huey(archive.settings), st.id, redo=redo)
    click.echo(f"queued {slug} again: {', '.join(redo)} (a worker runs it: verhalen serve or verhalen worker)")


COMMANDS = [jobs]
