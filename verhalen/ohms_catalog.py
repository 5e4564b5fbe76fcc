"""OHMS and the catalog: a story as the record verhalen.ohms writes (one function, for `verhalen export --format
ohms` and the public /media/<slug>/ohms.xml alike), and an OHMS file made into a story (`verhalen import-ohms`).

What a reader gets is decided by the access rule's pieces (verhalen.access.public_segments,
verhalen.index_points.shown_points), exactly as for the transcript and chapters exports.

An import is one transaction: the story, its recording, people, series, themes, transcript (speakers fixed, so
the speakers stage leaves them), index points (source "file", so a draft never replaces them), the imported
transcript run and the stages it makes unnecessary. Then the normal pipeline runs (listening copies, speakers,
keywords, search index), everything but the transcript stage, which the file has done. Killed before the
commit: nothing is in the catalog; after it: the story is unfinished (invisible), and the same import again, or
`verhalen resume`, finishes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import catalog, index_points, lifecycle, licences, ohms, originals, pipeline, themes
from .access import shown
from .archive import Archive
from .catalog import Credit, IndexPoint, Recording, Segment, Story, StoryTheme, TranscriptRun
from .errors import Duplicate, UsageError
from .media import probe
from .settings import Settings

IMPORTED = "imported"  # TranscriptRun.source of a transcript made elsewhere
# Where in TranscriptRun.options an import keeps the file's sha256, so the same file is recognised again.
SHA_KEY = "ohms_sha256"


# -- export -----------------------------------------------------------------------------------------------------


def _segments(session: Session, story: Story, include_redacted: bool) -> list[dict]:
    """The passages as exports.rows dicts, their word timings (a JSON column, the bulk of the work to load) read
    only where the writer needs them (ohms.timed_moments); which passages: the access rule's `shown`."""
    cols = (Segment.id, Segment.start, Segment.end, Segment.text, Segment.speaker, Segment.voice, Segment.redacted,
            Segment.guard)
    found = session.execute(select(*cols).where(Segment.story_id == story.id).order_by(Segment.start, Segment.id))
    chosen = [r for r in found if (r.text.strip() if include_redacted else shown(r))]
    return [{"id": r.id, "start": r.start, "end": r.end, "text": r.text, "speaker": r.speaker, "voice": r.voice,
             "words": []} for r in chosen]


def _points(session: Session, story: Story, include_redacted: bool) -> list[ohms.Point]:
    points = ([p.as_dict() for p in story.index_points] if include_redacted
              else index_points.shown_points(session, story))
    return [ohms.Point(start=p["start"], title=p.get("title") or "", synopsis=p.get("synopsis") or "",
                       keywords=list(p.get("keywords") or []), place=p.get("place") or "",
                       latitude=p.get("latitude"), longitude=p.get("longitude")) for p in points]


def record_of(session: Session, story: Story, settings: Settings, *, include_redacted: bool = False,
              media_url: str = "") -> ohms.Record:
    """The story as an OHMS record. By default what readers outside the workspace get: redacted passages and
    gaps left out, the index as shown_points gives it; include_redacted: every passage and point (editors)."""
    segments = _segments(session, story, include_redacted)
    points = _points(session, story, include_redacted)
    wanted = {segments[i]["id"]: segments[i] for i in ohms.timed_moments(segments, points)}
    if wanted:
        for sid, words in session.execute(select(Segment.id, Segment.words).where(Segment.id.in_(list(wanted)))):
            wanted[sid]["words"] = words or []
    rec = story.recording
    return ohms.Record(
        id=story.id, title=story.title, recorded=story.recorded, accession=story.slug,
        duration=rec.duration if rec else None, series=story.series.name if story.series else None,
        repository=settings.archive_name,
        subjects=[t.name for t in story.themes(themes.EDITOR)],
        keywords=[t.name for t in story.themes(themes.ACCEPTED)],
        # OHMS knows interviewees and interviewers; a podcast's guest and host are the nearest of each.
        interviewees=[c.person.name for c in story.credits if c.role in ("narrator", "guest")],
        interviewers=[c.person.name for c in story.credits if c.role in ("interviewer", "host")],
        file_name=rec.original_name if rec else "", media_url=media_url, language=story.language,
        points=points,
        description=story.description or "", rights=licences.of(story.licence, settings.default_licence).uri,
        changed=(story.updated_at or story.created_at).date() if (story.updated_at or story.created_at) else None,
        segments=segments)


def export(session: Session, story: Story, settings: Settings, *, include_redacted: bool = False,
           media_url: str = "") -> bytes:
    """The story as OHMS XML bytes (see record_of for what is in it)."""
    return ohms.build(record_of(session, story, settings, include_redacted=include_redacted, media_url=media_url))


# -- import -----------------------------------------------------------------------------------------------------


@dataclass
class Imported:
    story_id: int
    slug: str
    notes: list[str]
    resumed: bool = False


def read(path: Path) -> tuple[ohms.Record, str]:
    """The record in an OHMS file and the file's sha256; UsageError for a file that is not one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path.name}: file not found") from None
    except OSError as e:
        raise UsageError(f"{path.name}: cannot read it ({e.strerror or e})") from None
    return ohms.parse(data, path.name), hashlib.sha256(data).hexdigest()


def recording_for(xml_path: Path, record: ohms.Record, audio: Path | None) -> Path:
    """The recording to import with the file: --audio, else the file the record names (<file_name>) in the
    XML's own folder; without either, a UsageError: verhalen's stories are recordings first."""
    if audio is not None:
        if not audio.is_file():
            raise UsageError(f"{audio.name}: file not found (--audio)")
        return audio
    # Only the name, never a path the file gives (C:\\interviews\\x.wav, ../../x): the XML's folder only.
    name = record.file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name and (xml_path.parent / name).is_file():
        return xml_path.parent / name
    said = f" (its <file_name> is {name!r}, which is not in {xml_path.parent})" if name else " (it names no <file_name>)"
    raise UsageError(f"{xml_path.name} comes without its recording{said}: give it with --audio FILE")


def _meta(record: ohms.Record, settings: Settings) -> pipeline.StoryMeta:
    people = [(n, "narrator") for n in record.interviewees] + [(n, "interviewer") for n in record.interviewers]
    meta = pipeline.StoryMeta(title=record.title, description=record.description, recorded=record.recorded,
                              series=record.series, people=list(dict.fromkeys(people)),
                              themes=list(record.subjects), language=record.language, published=True)
    meta.validate(settings)  # the archive's limits on titles, names and texts, as for an ingest
    return meta


def _existing(session: Session, xml_sha: str, audio_sha: str) -> Story | None:
    """A story this import already made (the same OHMS file), or one holding the same recording."""
    for run in session.scalars(select(TranscriptRun).where(TranscriptRun.source == IMPORTED)):
        if (run.options or {}).get(SHA_KEY) == xml_sha:
            return session.get(Story, run.story_id)
    found = session.scalar(select(Recording).where(Recording.sha256 == audio_sha))
    return found.story if found is not None else None


def _licence(record: ohms.Record) -> tuple[str | None, str]:
    """The licence URI when <rights> is one verhalen knows, else None and a note for the editors."""
    if not record.rights:
        return None, ""
    try:
        return licences.parse(record.rights).uri, ""
    except UsageError:
        return None, record.rights


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _new_points(record: ohms.Record, duration: float) -> list[IndexPoint]:
    out: list[IndexPoint] = []
    for p in record.points:
        if duration and p.start >= duration:
            continue  # past the end of this recording: an index made for another cut of it
        if any(abs(q.start - p.start) < 0.5 for q in out):
            continue
        keywords = index_points.check_keywords([_clip(k, index_points.MAX_KEYWORD) for k in p.keywords]
                                               [:index_points.MAX_KEYWORDS])
        lat, lon = (p.latitude, p.longitude) if p.latitude is not None and p.longitude is not None else (None, None)
        out.append(IndexPoint(start=float(p.start), title=_clip(p.title or "—", index_points.MAX_TITLE),
                              synopsis=_clip(p.synopsis, index_points.MAX_SYNOPSIS), keywords=keywords,
                              place=_clip(p.place, index_points.MAX_PLACE), latitude=lat, longitude=lon,
                              source=index_points.FILE, version=1))
    return out


def import_file(archive: Archive, xml_path: Path, audio: Path | None = None, slug: str | None = None,
                progress: pipeline.Progress | None = None) -> Imported:
    """Make a story of an OHMS file and its recording (see the module's docstring); return what was made."""
    settings = archive.settings
    record, xml_sha = read(xml_path)
    meta = _meta(record, settings)
    audio_path = recording_for(xml_path, record, audio)
    info = probe(audio_path)  # UnsupportedMedia for a file that is not audio: nothing written yet
    audio_sha = originals.sha256_of(audio_path)
    if slug is not None:
        slug = slug.strip()
        if not slug or catalog.slugify(slug) != slug:
            raise UsageError(f"--slug {slug!r}: use lower-case letters, digits and hyphens "
                             f"(e.g. {catalog.slugify(slug or record.title)!r})")
    with archive.session() as session:
        found = _existing(session, xml_sha, audio_sha)
        if found is not None:
            same = found.transcript_run is not None and (found.transcript_run.options or {}).get(SHA_KEY) == xml_sha
            if found.deleted_at is not None:
                raise Duplicate(f"{xml_path.name} is in the trash as {found.slug!r}; `verhalen restore {found.slug}` "
                                "brings it back", found.slug)
            if same and not lifecycle.finished(found.status):
                story_id, found_slug = found.id, found.slug  # an import interrupted after its commit: finish it
                session.rollback()
                pipeline.run(archive, story_id, progress=progress)
                return Imported(story_id, found_slug, [], resumed=True)
            what = xml_path.name if same else f"the recording {audio_path.name}"
            raise Duplicate(f"{what} is already in the archive as {found.slug!r}", found.slug)
        if slug is not None and session.scalar(select(Story.id).where(Story.slug == slug)) is not None:
            raise UsageError(f"--slug {slug!r} is taken by another story; choose another one")
    segments = ohms.segments_for(record, info.duration)
    limit = settings.max_segment_chars
    for seg in segments:
        if len(seg["text"]) > limit:  # _pieces keeps them far below; a tiny max_segment_chars could not
            raise UsageError(f"{xml_path.name}: a passage has {len(seg['text']):,} characters; at most {limit:,} "
                             "fit in one (max_segment_chars)")
    licence, unknown_rights = _licence(record)
    notes = []
    if unknown_rights:
        notes.append(f"<rights> {unknown_rights[:80]!r} is not a licence verhalen knows: the story has the "
                     f"archive's default licence ({settings.default_licence}) until an editor sets one")
    if not record.sync and not any(len(p.partial_transcript.split()) >= 3 for p in record.points):
        notes.append("the file gives no times for its transcript (no <sync>): passages are spread evenly over "
                     "the recording; correct them in the workspace")
    originals.put(settings.originals_dir, audio_path, audio_sha)  # content-addressed: found again by its hash
    consent = f"Rights statement in the OHMS file: {unknown_rights}" if unknown_rights else ""
    provenance = {SHA_KEY: xml_sha, "file": xml_path.name, "record_id": record.id, "accession": record.accession,
                  "repository": record.repository, "media_url": record.media_url}
    with archive.session() as session:
        story = Story(
            slug=slug or catalog.unique_slug(session, Story, record.title), title=meta.title,
            description=meta.description, recorded=meta.recorded, access=meta.access, published=meta.published,
            language_requested=record.language, language=record.language,
            language_source=IMPORTED if record.language else None, status=lifecycle.PENDING,
            consent_notes=consent, chapters=[], licence=licence, created_by="import-ohms")
        if meta.series:
            story.series = catalog.get_or_create(session, catalog.Series, meta.series)
        for name, role in meta.people:
            story.credits.append(Credit(person=catalog.get_or_create(session, catalog.Person, name), role=role))
        given = {n.lower() for n in meta.themes}
        for name in dict.fromkeys(meta.themes):
            story.story_themes.append(StoryTheme(theme=catalog.get_or_create(session, catalog.Theme, name),
                                                 source=themes.EDITOR))
        # The other archive's keywords were chosen by people there: accepted, not the machine's proposals.
        for name in dict.fromkeys(k for k in record.keywords if k.lower() not in given):
            story.story_themes.append(StoryTheme(theme=catalog.get_or_create(session, catalog.Theme, name),
                                                 source=themes.ACCEPTED))
        story.recording = Recording(
            sha256=audio_sha, original_name=audio_path.name, size=info.size, container=info.container,
            codec=info.codec, duration=info.duration, sample_rate=info.sample_rate, channels=info.channels,
            has_video=info.has_video, tags=info.tags, cover_art=None, warnings=list(info.warnings))
        story.segments = [Segment(start=s["start"], end=s["end"], text=s["text"], speaker=s["speaker"],
                                  speaker_fixed=s["speaker"] is not None, language=record.language, words=[],
                                  version=1) for s in segments]
        story.index_points = _new_points(record, info.duration)
        story.transcript_run = TranscriptRun(source=IMPORTED, model=f"OHMS {xml_path.name}"[:300],
                                             options=provenance, hotwords=[], audio_seconds=info.duration)
        for name in ("probe", "store", "transcript"):
            story.stage(name).state = lifecycle.DONE
        session.add(story)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another process took the slug or the recording at the same moment
            raise Duplicate(f"{xml_path.name} or its recording is being imported by another process", "") from None
        story_id, made_slug = story.id, story.slug
    # A failing stage is recorded on it and raised, as for an ingest: `verhalen resume` retries it.
    pipeline.run(archive, story_id, progress=progress)
    return Imported(story_id, made_slug, notes)
