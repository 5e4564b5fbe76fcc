"""The command line: --help everywhere, errors as one line with the right exit code."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from verhalen.cli import cli, main


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", list(_commands(cli)))
def test_every_command_has_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert len(cli.get_command(None, path[0]).help or "") > 10


def test_errors_are_one_line_with_exit_codes(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["--home", str(tmp_path / "nothing"), "list"])
    assert e.value.code == 7
    err = capsys.readouterr().err
    assert err.startswith("verhalen: error: no archive at") and "Traceback" not in err
    with pytest.raises(SystemExit) as e:
        main(["--home", str(tmp_path), "ingest", str(tmp_path / "missing.wav")])
    assert e.value.code == 4 and "missing.wav: file not found" in capsys.readouterr().err


def test_bad_option_values(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["--home", str(tmp_path), "ingest", "x.wav", "--recorded", "gisteren"])
    assert e.value.code == 2 and "not a date" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["--home", str(tmp_path), "ingest", "x.wav", "--access", "embargoed"])
    assert e.value.code == 2 and "embargo-until" in capsys.readouterr().err
