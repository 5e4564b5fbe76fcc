"""The catalog: SQLAlchemy 2 models and the session over the archive's database.

Originals and the catalog are the truth; the index and derived audio can be
rebuilt from them. The schema is created and upgraded only by Alembic
migrations (verhalen/migrations), never by `create_all`, because an archive
outlives its code.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    text as sql_text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker, validates

USER_ROLES = ("admin", "editor", "researcher")
ACCESS_LEVELS = ("public", "researchers", "editors", "embargoed")
ROLES = ("narrator", "interviewer", "host", "guest")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def slugify(text: str) -> str:
    """A URL-safe ASCII slug; falls back to 'verhaal' for scripts without Latin letters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:80].strip("-") or "verhaal"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Series(Base):
    __tablename__ = "series"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    artwork: Mapped[str | None] = mapped_column(String(300))


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    portrait: Mapped[str | None] = mapped_column(String(300))


class Theme(Base):
    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)


class Place(Base):
    __tablename__ = "places"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)


class GlossaryTerm(Base):
    """Archive words the model does not know; passed to it as hotwords."""

    __tablename__ = "glossary"
    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(200), unique=True)


class Story(Base):
    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    recorded: Mapped[dt.date | None] = mapped_column(Date)
    access: Mapped[str] = mapped_column(String(20), default="public")
    embargo_until: Mapped[dt.date | None] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    # The language asked for (--language); None means detect.
    language_requested: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str | None] = mapped_column(String(10))
    # How `language` was decided: given, detected, fallback, imported.
    language_source: Mapped[str | None] = mapped_column(String(20))
    # pending -> ready, or failed / needs_transcript; see pipeline.py.
    status: Mapped[str] = mapped_column(String(30), default="pending")
    consent_notes: Mapped[str] = mapped_column(Text, default="")
    # [{"start": seconds, "title": "..."}], from the file's chapter marks (podcast:chapters in the feed).
    chapters: Mapped[list[Any]] = mapped_column(default=list)
    consent_file: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(String(200))
    # Which worker is processing the story and when it last said so: a job whose
    # worker died (kill -9) is taken over once its heartbeat is old.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    heartbeat: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, onupdate=now)
    # Compare-and-set counter of what editors change by hand (publish, access, consent): a save
    # made from an older version matches no row and is a conflict (verhalen.story_edits).
    meta_version: Mapped[int] = mapped_column(Integer, default=1)
    # In the trash since when and put there by whom (None: not in the trash); see verhalen.trash.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(200))
    # An editor cancelled the story's work left, when and who (None: not cancelled); see verhalen.cancel.
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(200))
    # Who speaks (migration 0013, verhalen.speakers): the speakers stage's turns [[start, end, voice], ...]
    # and a name per voice {"A": {"name": "...", "by": "auto" | "editor"}}. A voice an editor named keeps
    # that name when the stage runs again (its new voices are matched to these by shared talk time).
    turns: Mapped[list[Any]] = mapped_column(default=list)
    voices: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The story's licence or rights statement as a Creative Commons / RightsStatements.org URI
    # (verhalen.licences; migration 0014); None: the archive's default_licence.
    licence: Mapped[str | None] = mapped_column(String(200))

    series: Mapped[Series | None] = relationship()
    recording: Mapped["Recording | None"] = relationship(back_populates="story", uselist=False, cascade="all, delete-orphan")
    credits: Mapped[list["Credit"]] = relationship(cascade="all, delete-orphan", order_by="Credit.id")
    story_themes: Mapped[list["StoryTheme"]] = relationship(cascade="all, delete-orphan", order_by="StoryTheme.id")
    story_places: Mapped[list["StoryPlace"]] = relationship(cascade="all, delete-orphan", order_by="StoryPlace.id")
    segments: Mapped[list["Segment"]] = relationship(cascade="all, delete-orphan", order_by="Segment.start")
    stages: Mapped[list["StageState"]] = relationship(cascade="all, delete-orphan", order_by="StageState.id")
    transcript_run: Mapped["TranscriptRun | None"] = relationship(uselist=False, cascade="all, delete-orphan")
    index_points: Mapped[list["IndexPoint"]] = relationship(cascade="all, delete-orphan", order_by="IndexPoint.start")

    def people(self, role: str | None = None) -> list["Person"]:
        return [c.person for c in self.credits if role is None or c.role == role]

    def themes(self, source: str | None = None) -> list[Theme]:
        return [t.theme for t in self.story_themes if source is None or t.source == source]

    @property
    def places(self) -> list[Place]:
        return [p.place for p in self.story_places]

    def stage(self, name: str) -> "StageState":
        for s in self.stages:
            if s.stage == name:
                return s
        state = StageState(stage=name, state="pending", attempts=0)
        self.stages.append(state)
        return state


class Recording(Base):
    __tablename__ = "recordings"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    container: Mapped[str] = mapped_column(String(50))
    codec: Mapped[str] = mapped_column(String(50))
    duration: Mapped[float] = mapped_column(Float)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    has_video: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cover_art: Mapped[str | None] = mapped_column(String(300))
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    story: Mapped[Story] = relationship(back_populates="recording")


class Credit(Base):
    """A person's role in a story (narrator, interviewer, host, guest)."""

    __tablename__ = "credits"
    __table_args__ = (UniqueConstraint("story_id", "person_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(20))
    person: Mapped[Person] = relationship()


class StoryTheme(Base):
    """A theme on a story; source 'editor' or 'auto' (keywords editors may accept or drop)."""

    __tablename__ = "story_themes"
    __table_args__ = (UniqueConstraint("story_id", "theme_id", "source"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    source: Mapped[str] = mapped_column(String(10), default="editor")
    score: Mapped[float | None] = mapped_column(Float)
    theme: Mapped[Theme] = relationship()


class StoryPlace(Base):
    __tablename__ = "story_places"
    __table_args__ = (UniqueConstraint("story_id", "place_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    place: Mapped[Place] = relationship()


class Segment(Base):
    """One transcript segment. Words are a JSON list of [start, end, word, probability]:
    they are always read and written with their segment, never queried on their own."""

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(10))
    avg_logprob: Mapped[float | None] = mapped_column(Float)
    no_speech_prob: Mapped[float | None] = mapped_column(Float)
    words: Mapped[list[Any]] = mapped_column(default=list)
    # Hidden from the public, search and feeds (and muted in the listening copies); kept for editors.
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on every change: a save based on an older version is a conflict. The check is in the
    # UPDATE itself (version_id_col: "... WHERE id = ? AND version = ?"), so two saves made at the
    # same moment cannot both pass it; the code sets the new number (a revert restores an old one).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Which guard of verhalen.transcript_guards made this text (echo, loop, coverage), or "gap": voiced,
    # but no decode found words (text is empty until an editor fills it in). None: a plain decode, or
    # a person's text. Keywords come only from plain decodes.
    guard: Mapped[str | None] = mapped_column(String(20))
    # The speakers stage's voice label ("A", "B", ...) of this segment's words, None before it ran.
    # speaker_fixed: an editor set `speaker` on this segment by hand; re-runs leave it alone.
    voice: Mapped[str | None] = mapped_column(String(20))
    speaker_fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start, "end": self.end, "text": self.text, "speaker": self.speaker,
                "language": self.language, "avg_logprob": self.avg_logprob, "no_speech_prob": self.no_speech_prob,
                "words": self.words, "redacted": self.redacted, "version": self.version, "guard": self.guard,
                "voice": self.voice, "speaker_fixed": self.speaker_fixed}


class IndexPoint(Base):
    """One point of a story's index (its table of contents, OHMS's "index"; migration 0013): where a part
    starts, its title, synopsis, keywords and a place. source: "file" (the recording's chapter marks),
    "draft" (proposed by verhalen.draft_index, replaced when it runs again) or "editor" (made or changed
    by a person; a draft point an editor touches becomes one). A part ends where the next point starts."""

    __tablename__ = "index_points"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    start: Mapped[float] = mapped_column(Float)
    title: Mapped[str] = mapped_column(String(300))
    synopsis: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    place: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10), default="draft")
    # Compare-and-set, as on segments: a save based on an older version is a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start, "title": self.title, "synopsis": self.synopsis,
                "keywords": list(self.keywords or []), "place": self.place, "latitude": self.latitude,
                "longitude": self.longitude, "source": self.source, "version": self.version}


class IndexEdit(Base):
    """One change to a story's index by an editor: who, when, what, and the points before and after."""

    __tablename__ = "index_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # add edit move merge delete
    before: Mapped[list[Any]] = mapped_column(default=list)
    after: Mapped[list[Any]] = mapped_column(default=list)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class TranscriptRun(Base):
    """How the current transcript was made: model, options, hotwords, language decision."""

    __tablename__ = "transcript_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(String(20))  # whisper | imported
    model: Mapped[str] = mapped_column(String(300))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    hotwords: Mapped[list[Any]] = mapped_column(default=list)
    detected_language: Mapped[str | None] = mapped_column(String(10))
    language_probability: Mapped[float | None] = mapped_column(Float)
    language_note: Mapped[str] = mapped_column(Text, default="")
    audio_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    elapsed_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    dropped_segments: Mapped[int] = mapped_column(Integer, default=0)
    # How often each guard decoded a stretch again ({"echo": 1, "gap": 2, ...}) and the share of voiced
    # time the words reach ("covered"), so an editor can tell a clean decode from a rescued one.
    checks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class StageState(Base):
    """Per-story state of one pipeline stage, with the last error, so failures are visible and retryable."""

    __tablename__ = "stage_states"
    __table_args__ = (UniqueConstraint("story_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending running done failed skipped
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float | None] = mapped_column(Float)  # 0..1 while running
    eta_seconds: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, onupdate=now)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # as typed when added; shown
    # The name as compared (User.key_for), unique (migration 0007): `ED1` and `ed1` are one account.
    # Set whenever `name` is, so no code path can store a name without its key. Case folding can
    # make a name longer (`ß` -> `ss`), hence the wider column.
    name_key: Mapped[str] = mapped_column(String(300), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))  # admin | editor | researcher
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    @staticmethod
    def key_for(name: str) -> str:
        """How user names compare: Unicode case folding after NFKC, so `ED1`, `ed1` and the
        full-width `ＥＤ1` are one name. Migration 0007 holds a frozen copy (tested to agree)."""
        return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())

    @validates("name")
    def _keep_key(self, _attribute: str, name: str) -> str:
        self.name_key = self.key_for(name)
        return name


class LoginFailure(Base):
    """A failed sign-in (web/auth.py counts them per address and per name in a sliding window)."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))  # lower-cased
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class UserSession(Base):
    """A signed-in session (migration 0007). The browser's cookie carries a random token; only its
    sha256 is stored, so a copy of the catalog signs nobody in. No row, no session: logout deletes
    the row, so a copied cookie is dead everywhere at once; triggers delete all of a user's rows when
    their password changes or they are disabled, whichever code (or SQL) does it. web/auth.py also
    ends a row unused for `session_idle_minutes` or older than `session_max_hours`."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    # Written at most once a minute (verhalen.users.SESSION_TOUCH), not on every request.
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    # Where and with what the session began: for an admin looking into a leak.
    address: Mapped[str | None] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class SegmentEdit(Base):
    """One change to a transcript: who, when, what, and the segments before and after (for revert)."""

    __tablename__ = "segment_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # edit split merge speaker redact unredact revert
    before: Mapped[list[Any]] = mapped_column(default=list)
    after: Mapped[list[Any]] = mapped_column(default=list)
    reverted: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class StoryMetaEdit(Base):
    """One saved change to a story's details (migration 0010): who, when, and the changed fields before and
    after, as shown to people (names, ISO dates); written by verhalen.story_metadata and story_edits."""

    __tablename__ = "story_meta_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class PendingWork(Base):
    """Work the index or the listening copies still owe the catalog, written in the same transaction
    as the change that caused it (migration 0006; applied by verhalen.outbox)."""

    __tablename__ = "pending_work"
    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # index | audio
    # The change hides something from the public (redaction, access, unpublish): until it is applied,
    # public search leaves the story out altogether.
    hides: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class CatalogGeneration(Base):
    """One row whose counter database triggers bump on every change a public page could show
    (migration 0004): the viewer's page cache is keyed by it."""

    __tablename__ = "catalog_generation"
    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class OAIRecord(Base):
    """A record the OAI-PMH interface has shown (migration 0015, verhalen.oai): kept for good, so a story
    that stops being public (access, unpublish, trash, purge) is harvested as a deleted record. No foreign
    key to stories: the row outlives a purged story (story_id is then cleared if its id comes back)."""

    __tablename__ = "oai_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    local_id: Mapped[str] = mapped_column(String(40), unique=True)  # oai:<repository>:<local_id>
    story_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    story_created: Mapped[dt.datetime | None] = mapped_column(DateTime)  # tells a reused id from the story
    datestamp: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # UTC, whole seconds
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")  # sha256 of what the metadata says


class OAIRecordSet(Base):
    """A set an OAI record belongs to (series:<slug>, theme:<slug>)."""

    __tablename__ = "oai_record_sets"
    record_id: Mapped[int] = mapped_column(ForeignKey("oai_records.id", ondelete="CASCADE"), primary_key=True)
    spec: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)


class OAIState(Base):
    """One row (id 1): the OAI repository identifier once fixed, and the key of the last reconcile."""

    __tablename__ = "oai_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    repository: Mapped[str | None] = mapped_column(String(200))
    reconciled: Mapped[str] = mapped_column(String(200), default="")
    reconciled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


def generation(conn: Any) -> int:
    """The catalog generation: equal numbers mean no public-facing row changed in between."""
    return conn.execute(sql_text("SELECT n FROM catalog_generation WHERE id = 1")).scalar_one()


# -- engine and session -------------------------------------------------


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers (the viewer, `search`) go on while an ingest writes; the
    # busy timeout makes two ingests wait for each other instead of failing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on a new archive)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def sessionmaker_for(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


# -- small lookups used by several stages --------------------------------


def get_or_create(session: Session, model: type, name: str) -> Any:
    """The row of `model` called `name`, created (with a unique slug) if missing."""
    name = " ".join(name.split())
    row = session.scalar(select(model).where(model.name == name))
    if row is None:
        row = model(name=name, slug=unique_slug(session, model, name))
        session.add(row)
        session.flush()
    return row


def unique_slug(session: Session, model: type, text: str) -> str:
    base = slugify(text)
    slug, n = base, 2
    while session.scalar(select(model.id).where(model.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug
