"""Transcript correction: edit, split, merge, speakers and voices, redaction, history and revert.

Pure functions reshape segment dicts; `TranscriptEditor` applies them in one
transaction with a history row (who, when, before, after), the story's
recomputed keywords and a pending-index row (verhalen.outbox), then brings the
index in line for that story only. Versions: a save names the version the
editor started from; the UPDATE itself compares it (Segment's version_id_col),
so of two saves made from one version at the same moment exactly one lands and
the other is a StaleVersion, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import copy
from difflib import SequenceMatcher
from typing import Any, Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import outbox
from .access import outside_trash
from .catalog import Segment, SegmentEdit, Story
from .errors import Conflict, NotFound, StaleVersion, UsageError
from .exports import mmss
from .pipeline import run, stage_keywords
from .redo import Stretch, touching
from .speakers import AUTO, EDITOR, talk_times
from .transcript_guards import GAP, Span, overlaps_any

Words = list[list[Any]]  # [start, end, word, probability]


def _norm(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def realign_words(old: Words, new_text: str, start: float, end: float) -> Words:
    """Word timings for corrected text: unchanged words keep theirs, new words share the gap around them.

    Corrected words get probability 1.0: a person wrote them.
    """
    tokens = new_text.split()
    if not tokens:
        return []
    old_keys = [_norm(w[2]) for w in old]
    matcher = SequenceMatcher(None, old_keys, [_norm(t) for t in tokens], autojunk=False)
    out: Words = [None] * len(tokens)  # type: ignore[list-item]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(j2 - j1):
                w = old[i1 + k]
                out[j1 + k] = [w[0], w[1], " " + tokens[j1 + k], w[3]]
    j = 0
    while j < len(tokens):
        if out[j] is not None:
            j += 1
            continue
        k = j
        while k < len(tokens) and out[k] is None:
            k += 1
        lo = out[j - 1][1] if j > 0 else start
        hi = out[k][0] if k < len(tokens) else end
        if hi < lo:
            hi = lo
        step = (hi - lo) / (k - j)
        for n in range(j, k):
            out[n] = [round(lo + (n - j) * step, 3), round(lo + (n - j + 1) * step, 3), " " + tokens[n], 1.0]
        j = k
    return out


def split_words(seg: dict, at: int) -> tuple[dict, dict]:
    """Two segments from one, the second starting at word index `at` (1 <= at < number of words)."""
    words = seg["words"] or realign_words([], seg["text"], seg["start"], seg["end"])
    if not 1 <= at < len(words):
        raise UsageError(f"split at word {at}: the segment has {len(words)} words; split between two of them")
    cut = words[at][0]
    first = {**seg, "end": cut, "words": words[:at], "text": "".join(w[2] for w in words[:at])}
    second = {**seg, "start": cut, "words": words[at:], "text": "".join(w[2] for w in words[at:])}
    return first, second


def merge_pair(a: dict, b: dict) -> dict:
    """One segment from two neighbours; the first one's speaker and language win."""
    return {**a, "end": max(a["end"], b["end"]), "text": a["text"].rstrip() + " " + b["text"].strip(),
            "words": (a["words"] or []) + (b["words"] or []),
            "avg_logprob": min(x for x in (a["avg_logprob"], b["avg_logprob"], 0.0) if x is not None),
            # A gap merged into text is no gap any more; a guard's mark stays while any of it is a guard's.
            "guard": next((g for g in (a.get("guard"), b.get("guard")) if g and g != GAP), None)}


def cut_out(seg: dict, first: int, last: int) -> list[dict]:
    """The segment as up to three pieces around its words first..last (0-based, inclusive); the middle
    piece is redacted. It spans from its first word's start to the next word's start, so the pause after
    the last hidden word is muted too rather than a syllable of it being left audible."""
    words = seg["words"] or realign_words([], seg["text"], seg["start"], seg["end"])
    if not 0 <= first <= last < len(words):
        raise UsageError(f"words {first + 1}-{last + 1}: the passage has {len(words)} words; "
                         f"choose words between 1 and {len(words)}")
    rest, after = split_words({**seg, "words": words}, last + 1) if last + 1 < len(words) else ({**seg, "words": words}, None)
    before, middle = split_words(rest, first) if first > 0 else (None, rest)
    middle = {**middle, "redacted": True}
    return [p for p in (before, middle, after) if p is not None]


def spread_text(text: str, start: float, end: float) -> list[list[Any]]:
    """Word times for text a person typed over a time range: spread evenly, each word sure (1.0)."""
    return realign_words([], text, start, end)


def hidden_spans(segments: Iterable[dict]) -> list[tuple[float, float]]:
    """The (start, end) of each redacted segment, sorted: what the listening copies must mute."""
    return sorted((d["start"], d["end"]) for d in segments if d.get("redacted"))


GAP_SCORE = -10.0  # voiced, yet no text at all: below anything a decode can score


def review_score(seg: Segment) -> float:
    """How unsure the model was (lower = worse): the segment's mean log-prob, or its worst words; a gap
    (speech in which no decode found words) comes first of all."""
    if seg.guard == GAP:
        return GAP_SCORE
    probs = sorted(w[3] for w in seg.words or [] if w[3] is not None)
    worst = sum(probs[:3]) / len(probs[:3]) if probs else 1.0
    return min(seg.avg_logprob if seg.avg_logprob is not None else 0.0, worst - 1.0)


# Snapshots in the history from before migration 0009 have no "guard": read with .get, None = plain text.
MIN_INSERT_SECONDS = 0.3   # a range shorter than this holds no word
MIN_GAP_LEFT = 1.0         # the part of a gap outside a filled range stays a gap if at least this long

_FIELDS = ("start", "end", "text", "speaker", "language", "avg_logprob", "no_speech_prob", "words", "redacted", "guard",
           "voice", "speaker_fixed")


def _field(data: dict, name: str) -> Any:
    """A field of a segment snapshot; snapshots from before migration 0013 have no voice or speaker_fixed."""
    value = data.get(name)
    return bool(value) if name == "speaker_fixed" else value


# -- voices (the speakers stage's labels, Story.voices / Story.turns): pure ---------------------------------

def voice_rows(voices: dict[str, dict], turns: Iterable[list]) -> list[dict]:
    """Each voice as the workspace and the CLI list it: label, name (None: unnamed), who named it ("auto" or
    "editor"), talk time in seconds and its share of all talk (0..1); by label."""
    times = talk_times(turns)
    total = sum(times.values())
    return [{"voice": v, "name": (voices[v] or {}).get("name"), "by": (voices[v] or {}).get("by", AUTO),
             "seconds": times.get(v, 0.0), "share": times.get(v, 0.0) / total if total else 0.0}
            for v in sorted(voices)]


def relabel_turns(turns: Iterable[list], old: str, new: str) -> list[list]:
    """The turns with voice `old` spoken by `new`; consecutive turns of one voice become one."""
    out: list[list] = []
    for start, end, voice in sorted(([t[0], t[1], new if t[2] == old else t[2]] for t in turns or []),
                                    key=lambda t: t[0]):
        if out and out[-1][2] == voice and start <= out[-1][1] + 1e-6:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end, voice])
    return out


STORY_VOICES = "story_voices"  # the key of the story's voices in a history snapshot (see _voices_snapshot)


def is_voices_snapshot(data: dict) -> bool:
    """Whether an element of a history row's before/after is the story's voices rather than a segment."""
    return STORY_VOICES in data


def segment_snapshots(data: Iterable[dict]) -> list[dict]:
    return [d for d in data if not is_voices_snapshot(d)]


def voices_snapshot(data: Iterable[dict]) -> dict | None:
    return next((d for d in data if is_voices_snapshot(d)), None)


def _voices_snapshot(voices: dict, turns: list, **extra) -> dict:
    """The story's voices and turns as one element of a history row (after its segments). It carries a start and
    a text like a segment's, so a reader that only knows segments (`verhalen history`) still shows it."""
    names = ", ".join(f"{v}: {(voices[v] or {}).get('name') or '-'}" for v in sorted(voices))
    start = min((t[0] for t in turns or []), default=0.0)
    return {STORY_VOICES: copy.deepcopy(voices), "turns": copy.deepcopy(turns or []), "start": start,
            "text": f"voices {names}", **extra}


class TranscriptEditor:
    """Changes to one story's transcript on behalf of `user`, each saved with its history."""

    def __init__(self, archive, session: Session, slug: str, user: str, remix_here: bool = True):
        """With `remix_here` the listening copies are rebuilt in this call when a change alters what they
        must mute (the CLI); the web passes False and a job does it (the pending row makes sure it happens)."""
        self.archive, self.session, self.user = archive, session, user
        self.remix_here = remix_here
        self.story: Story = archive.story(session, slug)

    # -- helpers ---------------------------------------------------------------
    def _segment(self, segment_id: int, version: int | None) -> Segment:
        seg = self.session.get(Segment, segment_id)
        if seg is None or seg.story_id != self.story.id:
            raise NotFound(f"segment {segment_id} is not part of {self.story.slug!r} (it may have been merged)")
        if version is not None and seg.version != version:
            raise self._stale()
        return seg

    def _stale(self) -> StaleVersion:
        self.session.rollback()
        last = self.session.scalar(select(SegmentEdit).where(SegmentEdit.story_id == self.story.id)
                                   .order_by(SegmentEdit.id.desc()))
        who = f" by {last.user} at {last.at:%H:%M}" if last else ""
        return StaleVersion(f"this passage was changed{who} after you opened it; reload to see the current text "
                            "and apply your correction again")

    def _check_text(self, text: str) -> str:
        text = " ".join(text.split())
        if not text:
            raise UsageError("a segment cannot be empty; merge it with a neighbour or redact it instead")
        limit = self.archive.settings.max_segment_chars
        if len(text) > limit:
            raise UsageError(f"this passage has {len(text):,} characters; at most {limit:,} fit in one passage: "
                             "split it into several")
        return text

    def _check_name(self, name: str | None) -> str | None:
        name = " ".join(name.split()) if name else None
        limit = self.archive.settings.max_name_chars
        if name and len(name) > limit:
            raise UsageError(f"a speaker's name has at most {limit} characters ({len(name):,} given)")
        return name

    def _record(self, action: str, before: list[dict], after: list[Segment], remix_audio: bool = False,
                hides: bool = False, voices_after: dict | None = None, text_changed: bool = True) -> SegmentEdit:
        """Save the change, its history row, the story's keywords and what the index (and the listening
        copies) must now do, in one transaction; then bring the index in line.

        Keywords are recomputed here because a corrected or redacted word must not keep the story
        findable through an automatic keyword; a change of who speaks (`text_changed` False) leaves them.
        The version check happens at the flush (the UPDATE names the version read): a concurrent save makes
        it match no row. `voices_after`: the story's voices after a voice change (`before` ends with theirs
        before it).
        """
        story = self.story
        try:
            self.session.flush()
            # The story's passages as they are now: a deleted or added passage (merge, split, insert, a
            # re-done stretch) is not in the loaded collection, and keywords must come from what is there.
            self.session.expire(story, ["segments"])
            if text_changed and story.stage("keywords").state == "done":
                stage_keywords(self.archive, self.session, story, None)
            edit = SegmentEdit(story_id=story.id, user=self.user, action=action, before=before,
                               after=[s.as_dict() for s in after] + ([voices_after] if voices_after else []))
            self.session.add(edit)
            outbox.note(self.session, story.id, outbox.INDEX, hides=hides)
            if remix_audio:
                outbox.note(self.session, story.id, outbox.AUDIO, hides=hides)
            self.session.commit()
        except StaleDataError:
            raise self._stale() from None
        # A failure stays on its pending row (doctor shows it, appliers retry); a hiding change keeps the
        # story out of every search meanwhile (outbox.withheld), so the edit is saved either way.
        outbox.apply(self.archive, [story.id])
        if remix_audio and self.remix_here:
            run(self.archive, story.id, redo=("audio",))
        self.session.refresh(story)
        return edit

    def _new(self, data: dict, restore: bool = False) -> Segment:
        """A new segment from `data`; with `restore`, under its old id and version (undoing a delete)."""
        keep = {"id": data["id"], "version": data["version"]} if restore else {"version": 1}
        seg = Segment(story_id=self.story.id, **keep, **{k: _field(data, k) for k in _FIELDS})
        self.session.add(seg)
        return seg

    # -- operations ------------------------------------------------------------
    def edit_text(self, segment_id: int, text: str, version: int | None) -> Segment:
        text = self._check_text(text)
        seg = self._segment(segment_id, version)
        before = [seg.as_dict()]
        # A person read the whole passage: every word now counts as sure, so it leaves the review queue.
        seg.words = [[w[0], w[1], w[2], 1.0] for w in realign_words(seg.words or [], text, seg.start, seg.end)]
        seg.text = " " + text
        seg.avg_logprob = 0.0
        seg.guard = None  # a person's text now, whatever a guard made of it (a gap filled in included)
        seg.version += 1
        self._record("edit", before, [seg])
        return seg

    def set_speaker(self, segment_ids: Iterable[int], speaker: str | None, versions: dict[int, int] | None = None) -> list[Segment]:
        """Who speaks in these passages, set by hand: they keep it when their voice is renamed, merged or
        swapped and when the speakers stage runs again (`speaker_fixed`), until `release_speaker`."""
        speaker = self._person_name(self._check_name(speaker))
        segs = [self._segment(i, (versions or {}).get(i)) for i in segment_ids]
        before = [s.as_dict() for s in segs]
        for s in segs:
            s.speaker = speaker
            s.speaker_fixed = True
            s.version += 1
        self._record("speaker", before, segs, text_changed=False)
        return segs

    def release_speaker(self, segment_ids: Iterable[int], versions: dict[int, int] | None = None) -> list[Segment]:
        """Give passages back to their voice: the voice's name (or none) again, and it follows the voice from
        now on. A passage without a voice (text a person typed) just stops being fixed."""
        segs = [self._segment(i, (versions or {}).get(i)) for i in segment_ids]
        before = [s.as_dict() for s in segs]
        voices = self.story.voices or {}
        for s in segs:
            if s.voice is not None:
                s.speaker = (voices.get(s.voice) or {}).get("name")
            s.speaker_fixed = False
            s.version += 1
        self._record("speaker", before, segs, text_changed=False)
        return segs

    def rename_speaker(self, old: str, new: str) -> list[Segment]:
        """Map a label ("speaker 1") to a name in every segment of the story."""
        ids = [s.id for s in self.story.segments if s.speaker == old]
        if not ids:
            raise NotFound(f"no segment in {self.story.slug!r} has the speaker {old!r}")
        return self.set_speaker(ids, new)

    # -- voices: the speakers stage's labels, named, merged and swapped by editors ---------------------
    def _person_name(self, name: str | None) -> str | None:
        """A name as the story's people spell it when it is one of them (in other case), else as typed."""
        if not name:
            return name
        key = name.casefold()
        return next((p.name for p in self.story.people() if p.name.casefold() == key), name)

    def _voices(self, *labels: str) -> dict[str, dict]:
        """A copy of the story's voices, after checking that each label is one of them."""
        voices = copy.deepcopy(self.story.voices or {})
        for label in labels:
            if label not in voices:
                known = ", ".join(sorted(voices))
                if known:
                    raise NotFound(f"{self.story.slug!r} has no voice {label!r}; its voices are {known}")
                raise NotFound(f"{self.story.slug!r} has no voices yet: the speakers stage has not run on it")
        return voices

    def _change_voices(self, action: str, voices: dict, turns: list, segs: list[Segment], before: list[dict],
                       version: int | None, **note) -> SegmentEdit:
        """Save the story's new voices and turns with the passages changed for them, as one change: the passages
        by their versions, the story by its `meta_version` (None: the one these voices were read with) — so a
        page opened before either changed, or another process changing them meanwhile, saves nothing over it."""
        story = self.story
        was = _voices_snapshot(story.voices or {}, story.turns or [])
        expected = story.meta_version if version is None else version
        try:
            self.session.flush()
        except StaleDataError:
            raise self._stale() from None
        q = update(Story).where(Story.id == story.id, Story.meta_version == expected)
        result = self.session.execute(q.values(voices=voices, turns=turns, meta_version=Story.meta_version + 1)
                                      .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            self.session.rollback()
            raise StaleVersion(f"the speakers of {story.title!r} were changed by someone else after you opened "
                               "the page; reload it and make your change again")
        self.session.expire(story, ["voices", "turns", "meta_version"])
        return self._record(action, before + [was], segs, voices_after=_voices_snapshot(voices, turns, **note),
                            text_changed=False)

    def _follow(self, voices: dict, labels: Iterable[str]) -> tuple[list[Segment], list[dict]]:
        """The passages of these voices not set by hand, given their voice's (new) name; those that change."""
        segs, before = [], []
        for s in self.story.segments:
            if s.voice in labels and not s.speaker_fixed:
                name = (voices.get(s.voice) or {}).get("name")
                if s.speaker != name:
                    before.append(s.as_dict())
                    s.speaker = name
                    s.version += 1
                    segs.append(s)
        return segs, before

    def name_voice(self, voice: str, name: str | None, version: int | None = None) -> SegmentEdit:
        """Give a voice a name (one of the story's people, or a new one; None: no name): its passages show it,
        except those whose speaker was set by hand, and the speakers stage keeps it when it runs again."""
        name = self._person_name(self._check_name(name))
        voices = self._voices(voice)
        voices[voice] = {**voices[voice], "name": name, "by": EDITOR}
        segs, before = self._follow(voices, [voice])
        return self._change_voices("voice-name", voices, copy.deepcopy(self.story.turns or []), segs, before, version)

    def merge_voices(self, voice: str, into: str, version: int | None = None) -> SegmentEdit:
        """One person that the stage heard as two voices: `voice`'s turns and passages become `into`'s, and
        `voice` is gone. `into` keeps its name (or takes `voice`'s when it has none)."""
        if voice == into:
            raise UsageError(f"merge voice {voice!r} into another voice, not into itself")
        voices = self._voices(voice, into)
        gone = voices.pop(voice)
        # "merged" lets the speakers stage keep the merge when it runs again (speakers.follow_merges).
        voices[into] = {**voices[into], "name": voices[into].get("name") or gone.get("name"), "by": EDITOR,
                        "merged": sorted({*voices[into].get("merged", []), *gone.get("merged", []), voice})}
        segs, before = [], []
        for s in self.story.segments:
            if s.voice == voice:
                before.append(s.as_dict())
                s.voice = into
                if not s.speaker_fixed:
                    s.speaker = voices[into]["name"]
                s.version += 1
                segs.append(s)
        more, more_before = self._follow(voices, [into])
        turns = relabel_turns(self.story.turns or [], voice, into)
        return self._change_voices("merge-voices", voices, turns, segs + more, before + more_before, version,
                                   merged={voice: into})

    def swap_voices(self, a: str, b: str, version: int | None = None) -> SegmentEdit:
        """Exchange two voices' names (the interviewer taken for the narrator); passages set by hand keep theirs."""
        if a == b:
            raise UsageError(f"swap voice {a!r} with another voice, not with itself")
        voices = self._voices(a, b)
        name_a, name_b = voices[a].get("name"), voices[b].get("name")
        if not name_a and not name_b:
            raise UsageError(f"voices {a!r} and {b!r} have no names yet: name them instead of swapping")
        voices[a] = {**voices[a], "name": name_b, "by": EDITOR}
        voices[b] = {**voices[b], "name": name_a, "by": EDITOR}
        segs, before = self._follow(voices, [a, b])
        return self._change_voices("swap-voices", voices, copy.deepcopy(self.story.turns or []), segs, before, version)

    def voices(self) -> list[dict]:
        """The story's voices with their names and talk time (see voice_rows)."""
        return voice_rows(self.story.voices or {}, self.story.turns or [])

    def redact(self, segment_ids: Iterable[int], redacted: bool = True,
               versions: dict[int, int] | None = None) -> list[Segment]:
        """Hide passages from the public, search and feeds, recompute keywords without them, and mute
        them in the listening copies (here, or by a job: see `remix_here`)."""
        segs = [self._segment(i, (versions or {}).get(i)) for i in segment_ids]
        before = [s.as_dict() for s in segs]
        for s in segs:
            s.redacted = redacted
            s.version += 1
        self._record("redact" if redacted else "unredact", before, segs, remix_audio=True, hides=redacted)
        return segs

    def redact_words(self, segment_id: int, first: int, last: int, version: int | None) -> list[Segment]:
        """Hide only words first..last (0-based, inclusive) of a passage: it becomes up to three passages,
        the middle one redacted, so only that time is muted and hidden. One change in the history."""
        seg = self._segment(segment_id, version)
        if seg.redacted:
            raise UsageError("this passage is already redacted as a whole")
        before = [seg.as_dict()]
        pieces = cut_out(seg.as_dict(), first, last)
        for k in _FIELDS:
            setattr(seg, k, pieces[0].get(k))
        seg.version += 1
        segs = [seg] + [self._new(p) for p in pieces[1:]]
        self._record("redact", before, segs, remix_audio=True, hides=True)
        return segs

    def insert(self, start: float, end: float, text: str, speaker: str | None = None) -> Segment:
        """Text a person heard where the transcript has none (a gap, or speech the model missed), over
        [start, end]; word times are spread over the range. Gaps in the range are replaced (what sticks out
        of it stays a gap); a passage with text in the range is refused, it is corrected where it is."""
        text, speaker = self._check_text(text), self._person_name(self._check_name(speaker))
        duration = self.story.recording.duration if self.story.recording else end
        start, end = round(max(0.0, start), 3), round(min(end, duration), 3)
        if not end - start >= MIN_INSERT_SECONDS:
            raise UsageError(f"choose a range of at least {MIN_INSERT_SECONDS:g} s inside the recording "
                             f"(00:00-{mmss(duration)}); {mmss(start)}-{mmss(end)} is not")
        inside = touching(self.story.segments, start, end)  # a touch of overlap is not an overlap
        spoken = [s for s in inside if s.guard != GAP]
        if spoken:
            first = min(spoken, key=lambda s: s.start)
            raise Conflict(f"{mmss(start)}-{mmss(end)} overlaps the passage at {mmss(first.start)} "
                           f"(\"{first.text.strip()[:60]}\"): choose a range without text, or correct that passage")
        # Neighbours that only touch the range keep their time: the new passage yields to them.
        for s in self.story.segments:
            if s not in inside and s.guard != GAP:
                if s.end > start and s.start <= start:
                    start = s.end
                if s.start < end and s.end >= end:
                    end = s.start
        before = [g.as_dict() for g in inside]
        redacted = any(g.redacted for g in inside)
        new = self._new({"start": start, "end": end, "text": " " + text, "speaker": speaker,
                         "language": self.story.language, "avg_logprob": 0.0, "no_speech_prob": None,
                         "words": spread_text(text, start, end), "redacted": redacted, "guard": None,
                         # A name a person gave with the text stays when the speakers stage runs again.
                         "speaker_fixed": bool(speaker)})
        rest = []
        for g in inside:
            for lo, hi in ((g.start, start), (end, g.end)):
                if hi - lo >= MIN_GAP_LEFT:
                    rest.append(self._new({**g.as_dict(), "start": lo, "end": hi}))
            self.session.delete(g)
        self._record("insert", before, [new, *rest])
        return new

    def replace_stretch(self, where: Stretch, proposed: list[dict]) -> list[Segment]:
        """Put the model's new text for a stretch (verhalen.redo.propose) in place of the passages there,
        if they are still the ones the editor saw; new text over a redacted time stays redacted."""
        current = touching(self.story.segments, where.start, where.end)
        if {s.id: s.version for s in current} != where.replaces:
            raise self._stale()
        for d in proposed:
            if not (where.start - 0.05 <= d["start"] <= d["end"] <= where.end + 0.05):
                raise UsageError(f"a proposed passage ({mmss(d['start'])}) lies outside {mmss(where.start)}-{mmss(where.end)}")
            if d["text"].strip():
                self._check_text(d["text"])
        hidden = [Span(s.start, s.end) for s in current if s.redacted]
        before = [s.as_dict() for s in current]
        for s in current:
            self.session.delete(s)
        spoken = [s for s in current if s.guard != GAP]
        # One voice before: the same voice after (its label, its name, and whether a person set that name).
        same = {(s.speaker, s.voice, s.speaker_fixed) for s in spoken}
        speaker, voice, fixed = same.pop() if len(same) == 1 else (None, None, False)
        new = [self._new({**{k: d.get(k) for k in _FIELDS}, "speaker": speaker, "voice": voice, "speaker_fixed": fixed,
                          "redacted": overlaps_any(Span(d["start"], d["end"]), hidden)}) for d in proposed]
        muted_changes = hidden_spans(before) != hidden_spans([n.as_dict() for n in new])
        self._record("redo", before, new, remix_audio=muted_changes, hides=bool(hidden))
        return new

    def split(self, segment_id: int, at_word: int, version: int | None) -> list[Segment]:
        seg = self._segment(segment_id, version)
        before = [seg.as_dict()]
        first, second = split_words(seg.as_dict(), at_word)
        for k in _FIELDS:
            setattr(seg, k, first.get(k))
        seg.version += 1
        new = self._new(second)
        self._record("split", before, [seg, new])
        return [seg, new]

    def merge_with_next(self, segment_id: int, version: int | None) -> Segment:
        seg = self._segment(segment_id, version)
        ordered = sorted(self.story.segments, key=lambda s: s.start)
        pos = next(i for i, s in enumerate(ordered) if s.id == seg.id)
        if pos + 1 >= len(ordered):
            raise UsageError("the last segment has no next segment to merge with")
        nxt = ordered[pos + 1]
        before = [seg.as_dict(), nxt.as_dict()]
        merged = merge_pair(seg.as_dict(), nxt.as_dict())
        for k in _FIELDS:
            setattr(seg, k, merged.get(k))
        seg.version += 1
        self.session.delete(nxt)
        self._record("merge", before, [seg])
        return seg

    def revert(self, edit_id: int) -> SegmentEdit:
        """Undo one change: its 'after' segments are replaced by its 'before' ones (if untouched since).

        Undoing a redaction changes what the listening copies must mute (here, or by a job).
        """
        edit = self.session.get(SegmentEdit, edit_id)
        if edit is None or edit.story_id != self.story.id:
            raise NotFound(f"change {edit_id} is not in the history of {self.story.slug!r}")
        if edit.reverted:
            raise Conflict(f"change {edit_id} was already reverted")
        voices_was, voices_now = voices_snapshot(edit.before), voices_snapshot(edit.after)
        if voices_now is not None and ((self.story.voices or {}) != voices_now[STORY_VOICES]
                                       or (self.story.turns or []) != voices_now["turns"]):
            raise Conflict(f"change {edit_id} cannot be reverted: the speakers were changed again since; "
                           "revert the later change first")
        current = []
        for data in segment_snapshots(edit.after):
            seg = self.session.get(Segment, data["id"])
            if seg is None or seg.version != data["version"]:
                raise Conflict(f"change {edit_id} cannot be reverted: the passage was changed again since; "
                               "revert the later change first")
            current.append(seg)
        after_ids = {d["id"] for d in segment_snapshots(edit.after)}
        # Restored segments get back their ids and versions: their content is
        # exactly what they were, so a later revert or a save from an editor
        # who had that version open still lines up.
        restored = []
        for data in segment_snapshots(edit.before):
            seg = self.session.get(Segment, data["id"]) if data["id"] in after_ids else None
            if seg is None:
                seg = self._new(data, restore=True)
            else:
                for k in _FIELDS:
                    setattr(seg, k, _field(data, k))
                seg.version = data["version"]
            restored.append(seg)
        before_ids = {d["id"] for d in segment_snapshots(edit.before)}
        before_snapshot = [s.as_dict() for s in current]
        for seg in current:
            if seg.id not in before_ids:
                self.session.delete(seg)
        edit.reverted = True
        # Compared as muted time, not pair by pair: a partial redaction turned one passage into three.
        restored_hidden = hidden_spans(segment_snapshots(edit.before))
        current_hidden = hidden_spans(segment_snapshots(edit.after))
        redaction = restored_hidden != current_hidden
        hides = any(span not in current_hidden for span in restored_hidden)
        if voices_was is not None:
            # The story's voices as they were too, and its version moves on (a page from before is stale).
            voices, turns = voices_was[STORY_VOICES], voices_was["turns"]
            self.session.flush()
            self.session.execute(update(Story).where(Story.id == self.story.id)
                                 .values(voices=voices, turns=turns, meta_version=Story.meta_version + 1)
                                 .execution_options(synchronize_session=False))
            self.session.expire(self.story, ["voices", "turns", "meta_version"])
            return self._record("revert", before_snapshot + [voices_now], restored, hides=hides,
                                voices_after=_voices_snapshot(voices, turns), text_changed=False)
        return self._record("revert", before_snapshot, restored, remix_audio=redaction, hides=hides)

    def history(self) -> list[SegmentEdit]:
        return list(self.session.scalars(select(SegmentEdit).where(SegmentEdit.story_id == self.story.id)
                                         .order_by(SegmentEdit.id.desc())))


def review_queue(session: Session, limit: int = 50, story_ids: Iterable[int] | None = None) -> list[tuple[Segment, float]]:
    """Segments the model was least sure of, worst first (redacted ones excluded)."""
    # Not the trash's stories: they are hidden from every list outside the trash views.
    q = select(Segment).where(Segment.redacted.is_(False),
                              Segment.story_id.in_(select(Story.id).where(outside_trash())))
    if story_ids is not None:
        q = q.where(Segment.story_id.in_(list(story_ids)))
    # Gaps first, then pre-select by the stored mean log-prob in SQL and rank by words too.
    rows = session.scalars(q.where(Segment.guard == GAP).order_by(Segment.story_id, Segment.start).limit(limit)).all()
    rows += session.scalars(q.where(Segment.guard.is_distinct_from(GAP))
                            .order_by(Segment.avg_logprob.asc().nulls_last()).limit(limit * 4)).all()
    ranked = sorted(((s, review_score(s)) for s in rows), key=lambda x: x[1])
    return [(s, score) for s, score in ranked if score < 0][:limit]
