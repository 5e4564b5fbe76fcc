"""What every command receives: the options of the main group and the archive they name.

The main group puts a Ctx in click's context object; commands take it with `@click.pass_obj`
(those of other rooms too: `verhalen.web.cli` must not import this package at run time, since
this package loads it). The archive is opened on first use, so `--help` and usage errors never
touch the home.
"""

from __future__ import annotations

from .. import settings as settings_mod
from ..archive import Archive


class Ctx:
    def __init__(self, home: str | None, model: str | None):
        self.home, self.model = home, model
        self._archive: Archive | None = None

    def archive(self, create: bool = True) -> Archive:
        if self._archive is None:
            s = settings_mod.load(self.home, model=self.model)
            self._archive = Archive(s, create=create)
        return self._archive
