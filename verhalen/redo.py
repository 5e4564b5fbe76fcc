"""Re-doing a stretch of a transcript with the model: a proposal an editor reviews first.

`propose` transcribes only the stretch (cut from the ASR copy, in another language or
without the vocabulary if the editor asks) and returns the new passages without
saving anything; `verhalen.editing.TranscriptEditor.replace_stretch` puts them in
place if the passages it replaces are still the ones the editor saw.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .archive import Archive
from .catalog import Story
from .errors import UsageError
from .exports import mmss
from .language_plan import can_transcribe
from .media import excerpt_wav
from .pipeline import vocabulary
from .transcript_guards import GAP
from .transcription import Transcriber

SLACK = 0.25  # a passage touching the stretch by less than this is not part of it (word times are approximate)


@dataclass
class Stretch:
    """A time range snapped to the passages it touches, with the version of each as the editor saw it."""

    start: float
    end: float
    replaces: dict[int, int] = field(default_factory=dict)  # segment id -> version

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "replaces": {str(k): v for k, v in self.replaces.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> "Stretch":
        return cls(float(d["start"]), float(d["end"]), {int(k): int(v) for k, v in d["replaces"].items()})


def touching(segments, start: float, end: float) -> list:
    return sorted((s for s in segments if s.start < end - SLACK and s.end > start + SLACK), key=lambda s: s.start)


def stretch(story: Story, start: float, end: float, limit: float) -> Stretch:
    """[start, end] widened to the passages it touches, so none is cut in two; refused above `limit` s."""
    duration = story.recording.duration if story.recording else end
    start, end = max(0.0, start), min(end, duration)
    if end - start < 0.5:
        raise UsageError(f"choose a stretch of at least half a second inside the recording (00:00-{mmss(duration)})")
    segs = touching(story.segments, start, end)
    lo = min([start] + [s.start for s in segs])
    hi = max([end] + [s.end for s in segs])
    if hi - lo > limit:
        raise UsageError(f"{mmss(lo)}-{mmss(hi)} is {hi - lo:.0f} s; at most {limit:.0f} s can be transcribed again "
                         "in one go (max_redo_seconds): choose a shorter stretch")
    return Stretch(round(lo, 3), round(hi, 3), {s.id: s.version for s in segs})


def propose(archive: Archive, session, story: Story, where: Stretch, language: str | None = None,
            with_vocabulary: bool = True) -> list[dict]:
    """The model's text for the stretch, as segment dicts in the story's time (nothing is saved)."""
    language = language or story.language
    if language and not can_transcribe(language):
        raise UsageError(f"the model cannot transcribe {language!r}; type the text instead")
    wav = archive.derived(story.id, "asr.wav")
    if not wav.is_file():
        raise UsageError("this story has no audio to transcribe yet (its audio stage has not run)")
    words = vocabulary(session, story) if with_vocabulary else []
    with tempfile.TemporaryDirectory(prefix="verhalen-redo-") as tmp:
        part = Path(tmp) / "stretch.wav"
        offset = excerpt_wav(wav, part, where.start, where.end)
        outcome = Transcriber(archive.model_dir, archive.settings).transcribe(part, language, words)
    lang = outcome.language.language

    def at(t: float) -> float:
        return round(min(where.end, offset + t), 3)

    out = [{"start": at(s.start), "end": at(s.end), "text": s.text, "language": s.language or lang,
            "avg_logprob": s.avg_logprob, "no_speech_prob": s.no_speech_prob, "guard": s.guard,
            "words": [[at(w.start), at(w.end), w.word, w.probability] for w in s.words]}
           for s in outcome.segments]
    out += [{"start": at(g.start), "end": at(g.end), "text": "", "language": lang, "avg_logprob": None,
             "no_speech_prob": None, "guard": GAP, "words": []} for g in outcome.gaps]
    if not any(d["text"].strip() for d in out):
        raise UsageError(f"the model found no words in {mmss(where.start)}-{mmss(where.end)}; nothing was changed "
                         "(type the text instead, or try another language)")
    return sorted(out, key=lambda d: d["start"])
