"""The catalog on a real PostgreSQL server: migrations, ingest, search, resume all work the same."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from helpers import DATA, Postgres
from verhalen import catalog
from verhalen import settings as settings_mod
from verhalen.archive import Archive
from verhalen.errors import Duplicate
from verhalen.index import Visibility
from verhalen.pipeline import StoryMeta, ingest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


def test_archive_on_postgresql(postgres, model_dir, tmp_path):
    s = settings_mod.load(tmp_path / "archive", env={}, model=str(model_dir), database_url=postgres.url)
    archive = Archive(s)
    try:
        assert archive.engine.dialect.name == "postgresql"
        tables = set(inspect(archive.engine).get_table_names())
        assert {"stories", "segments", "recordings", "alembic_version"} <= tables
        assert not (tmp_path / "archive" / "catalog.sqlite").exists()
        generation = _generation(archive)
        story = ingest(archive, DATA / "en_market.wav", StoryMeta(title="Markt", people=[("Basma", "narrator")]))
        assert story.status == "ready"
        # The page cache's key (migration 0004's statement triggers): bumped by the ingest, not by job bookkeeping.
        after = _generation(archive)
        assert after > generation
        with archive.engine.begin() as conn:
            conn.execute(text("UPDATE stories SET heartbeat = now(), claimed_by = 'w1'"))
        assert _generation(archive) == after
        with archive.engine.begin() as conn:
            conn.execute(text("UPDATE people SET bio = 'Verteller'"))
        assert _generation(archive) == after + 1
        with archive.session() as session:
            st = archive.story(session, "markt")
            assert st.segments and st.segments[0].words and st.recording.tags == {}
        assert archive.index.search("perfume", Visibility()).total == 1
        with pytest.raises(Duplicate):
            ingest(archive, DATA / "en_market.wav", StoryMeta())
    finally:
        archive.close()
    # Opening again runs the migrations again: nothing to do, nothing lost.
    again = Archive(s)
    with again.session() as session:
        assert again.story(session, "markt").title == "Markt"
    again.close()


def _generation(archive) -> int:
    with archive.engine.connect() as conn:
        return catalog.generation(conn)
