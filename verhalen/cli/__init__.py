"""The `verhalen` command: the main group, its commands, and errors turned into exit codes.

Each command is a thin shell over pipeline/archive functions. The commands live in one module per
group of verbs; each module exposes COMMANDS, the click commands and groups it adds, and this
module adds every list in one loop: the core's modules by import, other rooms' (the web's `serve`)
through the `verhalen.commands` entry point, since the core may not import them.

Errors from the `verhalen.errors` family become one line on stderr and the
error's exit code (`main`); tracebacks only with --debug.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import click

from .. import __version__
from ..errors import VerhalenError
from . import (admin, contents, diarize, edit, glossary, ingest, jobs, keyword_review, model, ohms, passages, people,
               search, stories, transcripts, trash)
from .context import Ctx

# main's own exit codes; the errors family carries the rest (docs/cli.md lists both, tests/test_docs.py checks).
ABORTED, INTERNAL_ERROR, INTERRUPTED = 1, 70, 130

ENTRY_POINTS = "verhalen.commands"
CORE_MODULES = (ingest, search, stories, edit, transcripts, passages, diarize, contents, glossary, keyword_review, people, trash,
                jobs, admin, model, ohms)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", envvar="VERHALEN_HOME", metavar="DIR",
              help="Archive home (default ./archive, or $VERHALEN_HOME).")
@click.option("--model", metavar="NAME|PATH",
              help="A model installed with `verhalen model install NAME`, or a CTranslate2 Whisper model "
                   "directory, instead of the bundled base model.")
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


def _command_lists():
    """COMMANDS of the core's modules, then of each installed `verhalen.commands` entry point."""
    for module in CORE_MODULES:
        yield module.COMMANDS
    for ep in sorted(entry_points(group=ENTRY_POINTS), key=lambda ep: ep.name):
        yield ep.load()


for _commands in _command_lists():
    for _command in _commands:
        if _command.name in cli.commands:  # a second module claiming a name is a bug, not an override
            raise RuntimeError(f"two modules define `verhalen {_command.name}`")
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning verhalen errors into a message and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        cli.main(args=argv, prog_name="verhalen", standalone_mode=False)
    except click.exceptions.Abort as e:
        if isinstance(e.__cause__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("verhalen: interrupted; run `verhalen resume` to finish unfinished stories", err=True)
            sys.exit(INTERRUPTED)
        click.echo("Aborted.", err=True)
        sys.exit(ABORTED)
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
        sys.exit(INTERRUPTED)
    except Exception as e:  # noqa: BLE001 - last resort: one line, not a traceback
        if debug:
            raise
        click.echo(f"verhalen: internal error: {e.__class__.__name__}: {e} (run again with --debug for details)", err=True)
        sys.exit(INTERNAL_ERROR)

