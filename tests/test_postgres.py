"""The catalog on a real PostgreSQL server: migrations, ingest, search, resume all work the same."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from conftest import DATA
from services import Postgres
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
        story = ingest(archive, DATA / "en_market.wav", StoryMeta(title="Markt", people=[("Basma", "narrator")]))
        assert story.status == "ready"
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
