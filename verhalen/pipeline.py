"""The pipeline: recording -> probe -> store -> audio -> transcript -> speakers -> keywords -> index.

`STAGES` lists the order in one place; `run` owns skipping finished stages,
recording failures, and the story's status. Each stage takes the archive, a
session and the story, does one job, and writes through the catalog. A crash
(Ctrl-C, kill -9) leaves the interrupted stage not-done; running again picks
up there. A story is searchable only after its index stage, so no half story
is ever visible.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from . import cancel, catalog, index_points, keywords, licences, lifecycle, originals, outbox, speakers, themes
from .access import check_level
from .archive import Archive
from .catalog import Credit, Recording, Segment, Story, StoryPlace, StoryTheme, TranscriptRun
from .errors import ArchiveError, Duplicate, UsageError, VerhalenError
from .lifecycle import NEEDS_HUMAN, NEEDS_TRANSCRIPT, READY, SKIPPED
from .media import convert, probe, voices
from .language_plan import can_transcribe
from .transcript_guards import GAP, Span, covered_share, overlaps_any
from .transcription import Transcriber

Progress = Callable[[str, float, float], None]


@dataclass
class StoryMeta:
    """What an editor says about a recording at ingest."""

    title: str | None = None
    description: str = ""
    recorded: dt.date | None = None
    series: str | None = None
    people: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    places: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    access: str = "public"
    embargo_until: dt.date | None = None
    language: str | None = None  # None = detect
    published: bool = True
    consent_notes: str = ""
    licence: str | None = None  # a code or URI (verhalen.licences); None: the archive's default_licence

    def validate(self, settings=None) -> None:
        if settings is not None:
            self.check_sizes(settings)
        check_level(self.access, self.embargo_until)
        if self.licence:
            self.licence = licences.parse(self.licence).uri
        for _, role in self.people:
            if role not in catalog.ROLES:
                raise UsageError(f"role must be one of {', '.join(catalog.ROLES)}, not {role!r}")

    def check_sizes(self, settings) -> None:
        """Refuse fields longer than the archive's limits (a 120,000-word field broke the index once)."""
        fields = [("title", self.title or "", settings.max_title_chars),
                  ("description", self.description, settings.max_text_chars),
                  ("consent notes", self.consent_notes, settings.max_text_chars),
                  ("series", self.series or "", settings.max_name_chars)]
        fields += [("name", name, settings.max_name_chars) for name, _ in self.people]
        fields += [("place", name, settings.max_name_chars) for name in self.places]
        fields += [("theme", name, settings.max_name_chars) for name in self.themes]
        for label, value, limit in fields:
            if len(value) > limit:
                raise UsageError(f"the {label} {value[:40]!r}... is {len(value):,} characters long; "
                                 f"at most {limit:,} are accepted")


# -- stages ------------------------------------------------------------------


def stage_audio(archive: Archive, session: Session, story: Story, progress: Progress | None) -> None:
    rec = story.recording
    src = archive.original(rec)
    # The pending rows first, then the passages to mute: a redaction saved meanwhile keeps its row.
    up_to = outbox.last_row(session, story.id, outbox.AUDIO)
    mute = list(session.execute(select(Segment.start, Segment.end).where(
        Segment.story_id == story.id, Segment.redacted.is_(True)).order_by(Segment.start)))
    convert(src, archive.derived(story.id, "asr.wav"), archive.derived(story.id, "listen.mp3"),
            archive.derived(story.id, "listen.opus") if archive.settings.opus_copy else None,
            bitrate=archive.settings.listening_bitrate, name=rec.original_name,
            mute=[(a, b) for a, b in mute])
    outbox.audio_done(session, story.id, up_to)


def vocabulary(session: Session, story: Story) -> list[str]:
    """The words the model is told to expect in this story: its people, places, series, the editors'
    themes, then the archive's glossary (also used when an editor re-does a stretch)."""
    words = [p.name for p in story.people()] + [p.name for p in story.places]
    words += [story.series.name] if story.series else []
    words += [t.name for t in story.themes(themes.EDITOR)]
    words += session.scalars(select(catalog.GlossaryTerm.term).order_by(catalog.GlossaryTerm.id)).all()
    return words


def stage_transcript(archive: Archive, session: Session, story: Story, progress: Progress | None) -> None:
    language = story.language_requested
    if language and not can_transcribe(language):
        story.language, story.language_source = language, "given"
        story.stage("transcript").state = NEEDS_HUMAN
        return
    hotwords = vocabulary(session, story)
    transcriber = Transcriber(archive.model_dir, archive.settings)
    outcome = transcriber.transcribe(
        archive.derived(story.id, "asr.wav"), language, hotwords,
        progress=(lambda done, total: progress("transcript", done, total)) if progress else None,
    )
    # Replace the transcript in one transaction with the stage's "done". A passage an editor redacted
    # stays hidden: new text over its time is redacted too (the listening copies still mute it).
    hidden = [Span(s.start, s.end) for s in story.segments if s.redacted]
    for seg in list(story.segments):
        session.delete(seg)
    new = [Segment(start=s.start, end=s.end, text=s.text, language=s.language or outcome.language.language,
                   avg_logprob=s.avg_logprob, no_speech_prob=s.no_speech_prob, guard=s.guard,
                   words=[[w.start, w.end, w.word, w.probability] for w in s.words],
                   redacted=overlaps_any(s, hidden))
           for s in outcome.segments]
    # Speech no decode found words in: an empty segment an editor sees in the review queue and fills in.
    new += [Segment(start=g.start, end=g.end, text="", language=outcome.language.language, avg_logprob=None,
                    no_speech_prob=None, guard=GAP, words=[], redacted=overlaps_any(g, hidden))
            for g in outcome.gaps]
    story.segments = sorted(new, key=lambda seg: seg.start)
    story.language = outcome.language.language
    story.language_source = outcome.language.source
    if story.transcript_run is not None:
        session.delete(story.transcript_run)
        session.flush()
    words = [Span(w.start, w.end) for s in outcome.segments for w in s.words]
    story.transcript_run = TranscriptRun(
        source="whisper", model=outcome.model, options=outcome.options, hotwords=outcome.hotwords,
        detected_language=outcome.detected, language_probability=outcome.probability,
        language_note=outcome.language.note, audio_seconds=outcome.duration,
        elapsed_seconds=round(outcome.elapsed, 3), dropped_segments=outcome.dropped,
        checks={**outcome.guards, "covered": round(covered_share(outcome.speech, words + outcome.gaps), 4)},
    )


def stage_speakers(archive: Archive, session: Session, story: Story, progress: Progress | None) -> None:
    """Who speaks when: turns and voices on the story, each segment's voice and speaker, a segment cut in two
    where its words change voice. What editors decided stays: a segment whose speaker they set keeps it
    (and is never cut), a voice they named keeps its name (matched to the new voices by shared talk time)."""
    settings = archive.settings
    if not settings.speakers:
        story.stage("speakers").state = SKIPPED
        return
    people = [(c.person.name, c.role) for c in story.credits]
    found = voices.embed_file(archive.derived(story.id, "asr.wav"),
                              progress=(lambda done, total: progress("speakers", done, total)) if progress else None,
                              threads=settings.threads)
    turns = speakers.diarize(found.windows, found.vectors, found.speech, found.duration,
                             speakers.voice_count(settings.speaker_count, people), forced=settings.speaker_count > 0)
    turns = speakers.follow_merges(story.turns or [], story.voices or {}, turns)
    voices_before = (story.voices or {}, story.turns or [])
    story.voices = speakers.voices_after_run(turns, people, story.turns or [], story.voices or {})
    story.turns = turns
    if (story.voices, story.turns) != voices_before:
        story.meta_version += 1  # a workspace page opened before names voices that may be relabelled now
    if story.stage("transcript").state == NEEDS_HUMAN:
        return  # no transcript yet: the turns wait for one
    names = {v: entry["name"] for v, entry in story.voices.items()}
    segs = sorted(story.segments, key=lambda seg: seg.start)
    # Kept as they are: a speaker an editor set, and one a transcript made elsewhere names (`transcript import`).
    from_model = story.transcript_run is not None and story.transcript_run.source == "whisper"
    fixed = [s for s in segs if s.speaker_fixed or (not from_model and s.speaker)]
    movable = [s for s in segs if s not in fixed]
    pieces = speakers.split_at_turns([(s.start, s.end, s.words or []) for s in movable], turns)
    for seg, group in itertools.groupby(pieces, key=lambda p: movable[p.source]):
        group = list(group)
        if len(group) > 1 and not _words_spell(seg):
            # An editor's text no longer follows the decoded words: keep the passage whole, with its main voice.
            group = [speakers.Piece(group[0].source, seg.start, seg.end, list(seg.words or []),
                                    speakers.voice_at(seg.start, seg.end, turns))]
        first, rest = group[0], group[1:]
        changed = (seg.voice, seg.speaker) != (first.voice, names.get(first.voice)) or bool(rest)
        seg.voice, seg.speaker = first.voice, names.get(first.voice)
        if rest:
            seg.end, seg.words, seg.text = first.end, first.words, first.text
        if changed:
            seg.version += 1  # open editors' pages hold the old version: their save is told to reload
        for piece in rest:
            story.segments.append(Segment(
                start=piece.start, end=piece.end, text=piece.text, words=piece.words, voice=piece.voice,
                speaker=names.get(piece.voice), language=seg.language, avg_logprob=seg.avg_logprob,
                no_speech_prob=seg.no_speech_prob, guard=seg.guard, redacted=seg.redacted, version=1))
    for seg in fixed:
        seg.voice = speakers.voice_at(seg.start, seg.end, turns)


def _words_spell(seg: Segment) -> bool:
    """Whether a segment's text is its words put together (an editor's rewrite may not be)."""
    return " ".join("".join(w[2] for w in seg.words or []).split()) == " ".join((seg.text or "").split())


def stage_keywords(archive: Archive, session: Session, story: Story, progress: Progress | None) -> None:
    # Unreviewed proposals are replaced; what an editor accepted or rejected stays decided.
    for st in [t for t in story.story_themes if t.source == themes.PROPOSED]:
        story.story_themes.remove(st)
    session.flush()
    decided = {t.theme.name.lower() for t in story.story_themes}
    # Redacted passages must not leak through keywords; a guard's text (decoded again after an echo, a
    # loop or silence) is a rescue, not evidence for what the story is about.
    plain = [s for s in sorted(story.segments, key=lambda s: s.start) if not s.redacted and not s.guard]
    if not keywords.long_enough(" ".join(s.text for s in plain)):
        return
    for word, score in keywords.extract(keywords.confident_text(plain), story.language, archive.settings.keywords):
        if word in decided:
            continue
        theme = catalog.get_or_create(session, catalog.Theme, word)
        story.story_themes.append(StoryTheme(theme=theme, source=themes.PROPOSED, score=score))


def stage_contents(archive: Archive, session: Session, story: Story, progress: Progress | None) -> None:
    # The draft index: replaced; editors' points and the file's chapter marks stay (verhalen.index_points).
    index_points.refresh(session, story, archive.settings)


def stage_index(archive: Archive, session: Session, story: Story, progress: Progress | None) -> None:
    # Noted with the stage's "done"; run() applies it right after the commit (and any applier would).
    outbox.note(session, story.id, outbox.INDEX)


STAGES: dict[str, Callable] = {
    "audio": stage_audio,
    "transcript": stage_transcript,
    "speakers": stage_speakers,
    "keywords": stage_keywords,
    "contents": stage_contents,
    "index": stage_index,
}
assert tuple(STAGES) == lifecycle.RUN_STAGES, "the stage functions follow the lifecycle's order"


def run(archive: Archive, story_id: int, redo: tuple[str, ...] = (), progress: Progress | None = None) -> Story:
    """Run every stage of the story that is not done (and those in `redo`), in order.

    A failure is recorded on the stage (state 'failed', the message) and raised. An editor's cancel
    (verhalen.cancel) is asked before each stage and as a stage reports progress: the stage is put back
    as it was, nothing of it written, and cancel.Cancelled raised.
    """
    redo = lifecycle.with_followers(redo)
    watch = cancel.Watch(archive, story_id, redo)
    for name in STAGES:
        with archive.session() as session:
            story = session.get(Story, story_id)
            state = story.stage(name)
            if state.state in lifecycle.SETTLED and name not in redo:
                continue
            watch.before(session, story, name)
            before = state.state
            state.state, state.error = "running", None
            state.attempts += 1
            session.commit()
            try:
                STAGES[name](archive, session, story, watch.progress(progress))
            except cancel.Cancelled:
                session.rollback()
                _stopped(archive, story_id, name, before)
                raise
            except (VerhalenError, OSError) as e:
                session.rollback()
                _fail(archive, story_id, name, str(e))
                raise
            except KeyboardInterrupt:
                session.rollback()
                _fail(archive, story_id, name, "interrupted; run `verhalen resume` to finish")
                raise
            if state.state == "running":
                state.state = "done"
            story.status = _status(story)
            session.commit()
        if name == "index":
            failures = outbox.apply(archive, [story_id])
            if failures:
                # The catalog says done and the row stays: the next applier (server, worker, resume) retries.
                raise ArchiveError(f"the story is saved, but the search index could not be updated ({failures[0][1]}); "
                                   "it is retried by the server and by `verhalen resume`")
        if progress:
            progress(name, 1, 1)
    with archive.session() as session:
        cancel.lift(session, story_id)  # a cancel that came during the last stage: nothing is left to cancel
        session.commit()
    with archive.session() as session:
        # Loaded eagerly: callers read these after the session is gone.
        return session.get(Story, story_id, options=[
            selectinload(Story.transcript_run), selectinload(Story.stages), selectinload(Story.segments),
            selectinload(Story.story_themes).selectinload(StoryTheme.theme),
        ])


def _fail(archive: Archive, story_id: int, stage: str, message: str) -> None:
    with archive.session() as session:
        story = session.get(Story, story_id)
        st = story.stage(stage)
        st.state, st.error = "failed", message
        story.status = _status(story)
        session.commit()


def _stopped(archive: Archive, story_id: int, stage: str, before: str) -> None:
    """A cancelled stage goes back to the state it had (its transaction was rolled back: its results with it)."""
    with archive.session() as session:
        story = session.get(Story, story_id)
        st = story.stage(stage)
        st.state, st.error, st.progress, st.eta_seconds = before, None, None, None
        story.status = _status(story)
        session.commit()


def _status(story: Story) -> str:
    """The story's status from its stages. A finished story stays finished (and visible, with its
    previous transcript) while a stage is redone; a failed redo shows on the stage, not the story."""
    if lifecycle.finished(story.status):
        return NEEDS_TRANSCRIPT if story.stage("transcript").state == NEEDS_HUMAN else READY
    states = {s.stage: s.state for s in story.stages}
    if any(v == "failed" for v in states.values()):
        return "failed"
    if states.get("index") == "done":
        return NEEDS_TRANSCRIPT if states.get("transcript") == NEEDS_HUMAN else READY
    return "pending"


# -- ingest --------------------------------------------------------------------


def accept(archive: Archive, path: Path, meta: StoryMeta, progress: Progress | None = None,
           created_by: str | None = None) -> int:
    """Probe, store and register a recording; return its story id (stages audio..index still to run).

    Nothing is written for a file that is not audio. The same file again: a
    finished story raises Duplicate; an unfinished one (interrupted earlier)
    is returned to be resumed.
    """
    meta.validate(archive.settings)
    path = Path(path)
    info = probe(path)
    if progress:
        progress("probe", 1, 1)
    sha = originals.sha256_of(path)
    with archive.session() as session:
        existing = session.scalar(select(Recording).where(Recording.sha256 == sha))
        if existing is not None:
            story = existing.story
            if story.deleted_at is not None:  # the trash (verhalen.trash) keeps it until purged
                raise Duplicate(f"{path.name} is in the trash as {story.slug!r}; `verhalen restore {story.slug}` "
                                "brings it back", story.slug)
            if lifecycle.finished(story.status):
                raise Duplicate(f"{path.name} is already in the archive as {story.slug!r}", story.slug)
            return story.id
    stored = originals.put(archive.settings.originals_dir, path, sha)
    if progress:
        progress("store", 1, 1)
    return _register(archive, path, info, sha, meta, stored, created_by)


def ingest(archive: Archive, path: Path, meta: StoryMeta, progress: Progress | None = None) -> Story:
    """Accept a recording and run the rest of its pipeline here and now (the CLI's way)."""
    return run(archive, accept(archive, path, meta, progress), progress=progress)


def _register(archive: Archive, path: Path, info, sha: str, meta: StoryMeta, stored: Path,
              created_by: str | None = None) -> int:
    title = meta.title or info.tags.get("title") or path.stem
    cover = None
    if info.cover:
        data, mime = info.cover
        cover_path = archive.settings.cover_file(sha, mime)
        originals.atomic_write_bytes(cover_path, data)
        cover = archive.settings.home_relative(cover_path)
    for attempt in range(5):
        with archive.session() as session:
            story = Story(
                slug=catalog.unique_slug(session, Story, title), title=title, description=meta.description,
                recorded=meta.recorded, access=meta.access, embargo_until=meta.embargo_until,
                published=meta.published, language_requested=meta.language, status="pending",
                consent_notes=meta.consent_notes, created_by=created_by, chapters=list(info.chapters),
                licence=licences.parse(meta.licence).uri if meta.licence else None,
            )
            if meta.series:
                story.series = catalog.get_or_create(session, catalog.Series, meta.series)
            for name, role in meta.people:
                story.credits.append(Credit(person=catalog.get_or_create(session, catalog.Person, name), role=role))
            for name in dict.fromkeys(meta.places):
                story.story_places.append(StoryPlace(place=catalog.get_or_create(session, catalog.Place, name)))
            for name in dict.fromkeys(meta.themes):
                story.story_themes.append(StoryTheme(theme=catalog.get_or_create(session, catalog.Theme, name), source=themes.EDITOR))
            story.recording = Recording(
                sha256=sha, original_name=path.name, size=info.size, container=info.container, codec=info.codec,
                duration=info.duration, sample_rate=info.sample_rate, channels=info.channels,
                has_video=info.has_video, tags=info.tags, cover_art=cover, warnings=list(info.warnings),
            )
            for name in ("probe", "store"):
                story.stage(name).state = "done"
            session.add(story)
            try:
                session.commit()
                return story.id
            except IntegrityError:
                # Another ingest took the slug (or the same file) at the same moment.
                session.rollback()
                if session.scalar(select(Recording).where(Recording.sha256 == sha)) is not None:
                    raise Duplicate(f"{path.name} is being ingested by another process", "") from None
    raise VerhalenError(f"could not register {path.name}: too many concurrent ingests")


def unfinished(archive: Archive) -> list[int]:
    """Stories with pipeline work left that nobody is doing: an unfinished or failed ingest, a stage of a
    finished story (a retag, an audio remix) left running by a process that died or left failed, or a stage
    the story is older than (lifecycle.LATER_STAGES); not those an editor cancelled, nor those in the trash.
    `verhalen doctor` and `verhalen resume` both ask this, so they never disagree."""
    stale = catalog.now() - dt.timedelta(seconds=archive.settings.worker_lease_seconds)
    live = Story.claimed_by.is_not(None) & Story.heartbeat.is_not(None) & (Story.heartbeat >= stale)
    cancelled = Story.cancelled_at.is_not(None)  # an editor stopped it: it waits for a retry (verhalen.cancel)
    trashed = Story.deleted_at.is_not(None)  # in the trash: nothing is done for it until it is restored
    stage_left = Story.stages.any(catalog.StageState.stage.in_(lifecycle.RUN_STAGES)
                                  & catalog.StageState.state.in_(lifecycle.UNFINISHED_STATES))
    for name in lifecycle.LATER_STAGES:  # a story older than the stage: its work is left too
        stage_left |= (Story.status == lifecycle.READY) & ~Story.stages.any(catalog.StageState.stage == name)
    with archive.session() as session:
        return list(session.scalars(select(Story.id).where(
            (Story.status.in_(lifecycle.UNFINISHED) | stage_left) & ~live & ~cancelled & ~trashed).order_by(Story.id)))
