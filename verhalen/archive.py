"""The archive home: one object that opens the catalog, the index and the model for a Settings."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from verhalen.index import SearchIndex

from . import catalog, originals, outbox
from .errors import ArchiveError, NotFound
from .index_sync import rebuild
from .settings import Settings


def check_writable(home: Path) -> None:
    """Raise ArchiveError naming the folder unless we can create files in it."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=home, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise ArchiveError(f"archive home {home} is not writable: {e.strerror or e}") from None


class Archive:
    def __init__(self, settings: Settings, create: bool = True):
        self.settings = settings
        home = settings.home
        if create:
            check_writable(home)
        elif not settings.catalog_file.exists() and not settings.database_url:
            raise ArchiveError(f"no archive at {home}: ingest a recording first, or pass --home")
        self.engine = catalog.make_engine(settings.catalog_url)
        try:
            catalog.upgrade(self.engine)
        except OperationalError as e:
            raise ArchiveError(f"catalog {settings.catalog_url} cannot be opened: {e.orig}") from None
        self._sessions = catalog.sessionmaker_for(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s:
            yield s

    def open_index(self) -> SearchIndex:
        """The search index on disk; it leaves out of every search the stories whose hiding change
        (a redaction, unpublishing) has not reached it yet (verhalen.outbox)."""
        return SearchIndex(self.settings.index_dir, lock_timeout=self.settings.index_lock_timeout,
                           withheld=self.withheld)

    @cached_property
    def index(self) -> SearchIndex:
        index = self.open_index()
        if index.stale:  # made by an older verhalen: refill it from the catalog
            self.__dict__["index"] = index
            rebuild(self)
            return self.__dict__["index"]
        return index

    def withheld(self) -> frozenset[int]:
        with self.session() as s:
            return outbox.withheld(s)

    @cached_property
    def model_dir(self) -> Path:
        from .whisper_model import model_path

        return model_path(self.settings.model, self.settings.models_dir)

    def derived_story_dir(self, story_id: int) -> Path:
        """A story's rebuildable files: the ASR wav and the listening copies."""
        return self.settings.derived_dir / str(story_id)

    def derived(self, story_id: int, name: str) -> Path:
        return self.derived_story_dir(story_id) / name

    def original(self, recording: catalog.Recording) -> Path:
        """Where a recording's original is kept (content-addressed, never modified)."""
        return originals.original_path(self.settings.originals_dir, recording.sha256, Path(recording.original_name).suffix)

    def story(self, session: Session, slug: str) -> catalog.Story:
        """The story with this slug, or NotFound naming it."""
        story = session.scalar(select(catalog.Story).where(catalog.Story.slug == slug))
        if story is None:
            raise NotFound(f"no story {slug!r} in the archive (see `verhalen list`)")
        return story

    def close(self) -> None:
        if "index" in self.__dict__:
            self.index.close()
        self.engine.dispose()
