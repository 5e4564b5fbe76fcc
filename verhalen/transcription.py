"""Transcription with faster-whisper: options as data, pure decisions, one thin shell around the model.

Pure parts (tested without the model): `decide_language` (trust a detection
only when it is sure and expected), `collapse_repeats` (Whisper's loop
failure: one phrase said six times becomes one), `hotwords_for`.
The shell, `Transcriber`, loads the model once per process and yields
progress as it goes.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import ctranslate2  # noqa: E402

from .errors import ModelError  # noqa: E402
from .settings import Settings  # noqa: E402

SAMPLING_SEED = 1234

# Languages Whisper can transcribe (its tokenizer's list); Kurdish and
# Tigrinya are not among them, so such stories wait for a human transcript.
try:
    from faster_whisper.tokenizer import _LANGUAGE_CODES as WHISPER_LANGUAGES
except ImportError:  # pragma: no cover - older faster-whisper
    WHISPER_LANGUAGES = ()


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding options, recorded with every transcript they produce.

    beam_size: beams per decode (1 = greedy). batch_size: speech chunks decoded
    together by faster-whisper's BatchedInferencePipeline (0 = one 30-s window
    at a time); measured here it is ~5x faster at the same WER (docs/benchmarks.md).
    vad: skip non-speech (Silero).
    condition_on_previous_text: off, because feeding text back is what lets
    Whisper loop. temperature: fallback temperatures when a decode fails the
    compression-ratio (> 2.4, repetitive) or log-prob (< -1.0, unsure) checks;
    kept short so a hard passage costs at most three decodes, not six.
    hallucination_silence_threshold: skip silences (s) around suspected hallucinations.
    """

    beam_size: int = 5
    batch_size: int = 8
    vad: bool = True
    word_timestamps: bool = True
    condition_on_previous_text: bool = False
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    temperature: tuple[float, ...] = (0.0, 0.4, 0.8)
    hallucination_silence_threshold: float | None = 2.0

    @classmethod
    def from_settings(cls, s: Settings) -> "TranscribeOptions":
        # Batched decoding needs VAD: it decodes the speech chunks VAD finds, several at once.
        return cls(beam_size=s.beam_size, batch_size=s.batch_size if s.vad else 0, vad=s.vad)


@dataclass(frozen=True)
class LanguageDecision:
    language: str
    source: str  # given | detected | fallback
    note: str = ""


def decide_language(requested: str | None, detected: str | None, probability: float | None,
                    default: str, expected: Iterable[str], min_probability: float) -> LanguageDecision:
    """Which language to transcribe in, and why.

    A requested language wins. A detection is trusted only if it is sure
    (probability >= min_probability) and names an expected language; else the
    archive's default language is used and the note says what was detected.
    """
    if requested:
        return LanguageDecision(requested, "given")
    expected = tuple(expected)
    if detected and probability is not None and probability >= min_probability and detected in expected:
        return LanguageDecision(detected, "detected")
    if detected is None:
        why = "no speech to detect a language from"
    elif detected not in expected:
        why = f"detected {detected} (p={probability:.2f}) is not one of the expected languages {', '.join(expected)}"
    else:
        why = f"detected {detected} with p={probability:.2f}, below {min_probability:.2f}"
    return LanguageDecision(default, "fallback", f"fell back to {default}: {why}")


@dataclass(frozen=True)
class Window:
    """A stretch of audio (seconds) and what language detection said about it (None: too little speech)."""

    start: float
    end: float
    language: str | None = None
    probability: float | None = None


@dataclass(frozen=True)
class Run:
    start: float
    end: float
    language: str


def plan_languages(windows: list[Window], requested: str | None, default: str, expected: Iterable[str],
                   min_probability: float) -> tuple[LanguageDecision, list[Run]]:
    """The story's language and the runs of audio to transcribe in each language.

    A window's detection counts only when it is sure and expected; a doubtful
    window counts as the default language. The story's language is the one
    most windows have; doubtful windows are transcribed in it, sure windows in
    their own language, so an interview that really moves between Dutch and
    Arabic becomes runs, each in its own language, while one lucky window
    cannot switch a whole story.
    """
    expected = tuple(expected)
    if requested:
        end = windows[-1].end if windows else 0.0
        return LanguageDecision(requested, "given"), [Run(windows[0].start, end, requested)] if windows else []
    if not windows:
        return decide_language(None, None, None, default, expected, min_probability), []

    def sure(w: Window) -> bool:
        return w.language in expected and (w.probability or 0) >= min_probability

    votes: dict[str, int] = {}
    for w in windows:
        lang = w.language if sure(w) else default
        votes[lang] = votes.get(lang, 0) + 1
    story = max(votes, key=lambda lang: (votes[lang], lang == default))
    if any(sure(w) and w.language == story for w in windows):
        decision = LanguageDecision(story, "detected")
    else:
        # Most of the audio gave no sure detection: say what the surest doubtful window said.
        doubtful = [w for w in windows if not sure(w)]
        best = max(doubtful, key=lambda w: w.probability or -1)
        decision = decide_language(None, best.language, best.probability, default, expected, min_probability)
    runs: list[Run] = []
    for w in windows:
        lang = w.language if sure(w) else story
        if runs and runs[-1].language == lang:
            runs[-1] = Run(runs[-1].start, w.end, lang)
        else:
            runs.append(Run(w.start, w.end, lang))
    others = sorted({r.language for r in runs} - {story})
    if others:
        note = "; ".join(filter(None, [decision.note, f"also spoken: {', '.join(others)}"]))
        decision = LanguageDecision(decision.language, decision.source, note)
    return decision, runs


def snap_runs(runs: list[Run], gaps: list[float], reach: float = 8.0) -> list[Run]:
    """Move each boundary between runs to the nearest pause (a gap between speech, in seconds) within `reach`.

    Languages switch when speakers take turns, at a pause; cutting at a fixed
    30-s mark instead would start a run mid-sentence in the other language,
    which is exactly the audio that makes Whisper loop.
    """
    out = list(runs)
    for i in range(1, len(out)):
        b = out[i].start
        near = [g for g in gaps if abs(g - b) <= reach and out[i - 1].start < g < out[i].end]
        if near:
            cut = min(near, key=lambda g: abs(g - b))
            out[i - 1] = Run(out[i - 1].start, cut, out[i - 1].language)
            out[i] = Run(cut, out[i].end, out[i].language)
    return out


def can_transcribe(language: str) -> bool:
    return language in WHISPER_LANGUAGES


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class SegmentText:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: tuple[Word, ...] = ()
    language: str | None = None


def _norm(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def collapse_repeats(words: list[Word], min_repeats: int = 3, max_n: int = 8) -> tuple[list[Word], int]:
    """Collapse a phrase of 1..max_n words repeated min_repeats+ times in a row to one occurrence.

    Returns the kept words and how many were removed. Ordinary speech repeats a
    word twice ("heel heel mooi"), hence three in a row before it counts as a loop.
    """
    keys = [_norm(w.word) for w in words]
    out: list[Word] = []
    out_keys: list[str] = []
    removed = 0
    i = 0
    while i < len(words):
        collapsed = False
        for n in range(1, max_n + 1):
            unit = keys[i:i + n]
            if len(unit) < n or not any(unit):
                break
            reps = 1
            while keys[i + reps * n: i + (reps + 1) * n] == unit:
                reps += 1
            if reps >= min_repeats:
                out.extend(words[i:i + n])
                out_keys.extend(unit)
                removed += (reps - 1) * n
                i += reps * n
                collapsed = True
                break
        if not collapsed:
            out.append(words[i])
            out_keys.append(keys[i])
            i += 1
    return out, removed


def clean_segment(seg: SegmentText) -> SegmentText | None:
    """The segment with loops collapsed; None if nothing trustworthy is left (pure hallucination)."""
    if not seg.words:
        return seg if seg.text.strip() else None
    words, removed = collapse_repeats(list(seg.words))
    if not removed:
        return seg
    if len(words) < 2 and removed >= 4:
        return None
    return SegmentText(seg.start, words[-1].end if words else seg.end, "".join(w.word for w in words),
                       seg.avg_logprob, seg.no_speech_prob, tuple(words), seg.language)


MAX_WORDS_PER_SECOND = 5.0  # faster than anyone speaks: Dutch and English talk runs at 2-4


def repeats_previous(seg: SegmentText, kept: list[SegmentText]) -> bool:
    """True when a segment is Whisper looping: it says word for word what the one before it said
    (3+ words) AND does so implausibly (overlapping it, faster than speech, or with low confidence).

    A sentence really said twice (a refrain, a question read back) is kept: it takes normal time.
    """
    if not kept:
        return False
    prev = kept[-1]
    key = [_norm(w) for w in seg.text.split()]
    if len(key) < 3 or key != [_norm(w) for w in prev.text.split()]:
        return False
    duration = max(seg.end - seg.start, 0.01)
    return (seg.start < prev.end - 0.1 or len(key) / duration > MAX_WORDS_PER_SECOND
            or (seg.avg_logprob is not None and seg.avg_logprob < -1.0))


def hotwords_for(terms: Iterable[str], limit: int = 60) -> list[str]:
    """Unique names and words to prime the model with, in the order given, capped.

    The decoder prompt has room for about 220 tokens; names beyond the cap
    would be cut by faster-whisper anyway.
    """
    seen, out = set(), []
    for t in terms:
        t = " ".join(str(t).split())
        if t and t.lower() not in seen:
            seen.add(t.lower())
            out.append(t)
    return out[:limit]


@dataclass
class Outcome:
    language: LanguageDecision
    detected: str | None
    probability: float | None
    segments: list[SegmentText]
    dropped: int
    duration: float
    elapsed: float
    model: str
    options: dict = field(default_factory=dict)
    hotwords: list[str] = field(default_factory=list)


ProgressFn = Callable[[float, float], None]
_MODELS: dict[tuple, object] = {}


class Transcriber:
    """Loads a CTranslate2 Whisper model from a local directory (once per process) and transcribes."""

    def __init__(self, model_dir: Path, settings: Settings):
        self.model_dir = Path(model_dir)
        self.settings = settings
        self.options = TranscribeOptions.from_settings(settings)

    @property
    def model(self):
        key = (str(self.model_dir), self.settings.device, self.settings.compute_type, self.settings.cpu_threads)
        if key not in _MODELS:
            from faster_whisper import WhisperModel

            try:
                _MODELS[key] = WhisperModel(str(self.model_dir), device=self.settings.device,
                                            compute_type=self.settings.compute_type,
                                            cpu_threads=self.settings.cpu_threads or (os.cpu_count() or 1),
                                            local_files_only=True)
            except (RuntimeError, ValueError, OSError) as e:
                raise ModelError(f"cannot load the model from {self.model_dir}: {e}") from None
        return _MODELS[key]

    @property
    def decoder(self):
        """The model itself, or faster-whisper's batched pipeline over it."""
        if not self.options.batch_size:
            return self.model
        from faster_whisper import BatchedInferencePipeline

        return BatchedInferencePipeline(self.model)

    def windows(self, audio) -> tuple[list[Window], list[float]]:
        """Language detection per 30-s window (windows with under 3 s of speech get none), and the pauses (s)."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        rate, size = 16000, 30 * 16000
        # Short pauses count here (0.3 s, not VAD's default 2 s): turns in a conversation are short.
        speech = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300)) if self.options.vad else [{"start": 0, "end": len(audio)}]
        gaps = [(a["end"] + b["start"]) / 2 / rate for a, b in zip(speech, speech[1:])]
        out = []
        for lo in range(0, len(audio), size):
            hi = min(len(audio), lo + size)
            voiced = sum(max(0, min(hi, c["end"]) - max(lo, c["start"])) for c in speech)
            if voiced < 3 * rate:
                out.append(Window(lo / rate, hi / rate))
                continue
            lang, prob, _ = self.model.detect_language(audio=audio[lo:hi], language_detection_segments=1)
            out.append(Window(lo / rate, hi / rate, lang, float(prob)))
        return out, gaps

    def transcribe(self, wav: Path, requested_language: str | None = None, hotwords: list[str] | None = None,
                   progress: ProgressFn | None = None) -> Outcome:
        from faster_whisper import decode_audio

        started = time.perf_counter()
        audio = decode_audio(str(wav), sampling_rate=16000)
        duration = len(audio) / 16000
        s = self.settings
        windows, gaps = ([Window(0.0, duration)], []) if requested_language else self.windows(audio)
        decision, runs = plan_languages(windows, requested_language, s.default_language,
                                        s.expected_languages, s.language_min_probability)
        runs = snap_runs(runs, gaps)
        # What detection said, for the record: the surest window in the story's
        # language, else the surest window at all.
        probed = sorted((w for w in windows if w.probability is not None),
                        key=lambda w: (w.language == decision.language, w.probability), reverse=True)
        detected, prob = (probed[0].language, probed[0].probability) if probed else (None, None)
        hotwords = hotwords_for(hotwords or [])
        o = self.options
        segments: list[SegmentText] = []
        dropped = 0
        for run in runs:
            offset = run.start
            part = audio[int(run.start * 16000): int(run.end * 16000)]
            # Temperature fallback samples: a fixed seed makes the same audio give the same transcript
            # on every run (tests, re-transcriptions, a reader comparing two runs).
            ctranslate2.set_random_seed(SAMPLING_SEED)
            extra = {"batch_size": o.batch_size, "without_timestamps": False} if o.batch_size else {}
            segments_iter, _info = self.decoder.transcribe(
                part, language=run.language, beam_size=o.beam_size, vad_filter=o.vad, **extra,
                word_timestamps=o.word_timestamps, condition_on_previous_text=o.condition_on_previous_text,
                compression_ratio_threshold=o.compression_ratio_threshold, log_prob_threshold=o.log_prob_threshold,
                no_speech_threshold=o.no_speech_threshold, temperature=list(o.temperature),
                hallucination_silence_threshold=o.hallucination_silence_threshold,
                hotwords=" ".join(hotwords) or None,
            )
            for seg in segments_iter:
                words = tuple(Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word, round(w.probability, 4))
                              for w in (seg.words or []))
                cleaned = clean_segment(SegmentText(round(seg.start + offset, 3), round(seg.end + offset, 3), seg.text,
                                                    seg.avg_logprob, seg.no_speech_prob, words, run.language))
                if cleaned is None or not cleaned.text.strip() or repeats_previous(cleaned, segments):
                    dropped += 1
                else:
                    dropped += len(cleaned.words) < len(words)
                    segments.append(cleaned)
                if progress:
                    progress(min(seg.end + offset, duration), duration)
        if progress:
            progress(duration, duration)
        return Outcome(decision, detected, prob, segments, dropped, duration, time.perf_counter() - started,
                       model=self.model_dir.name, options=asdict(o), hotwords=hotwords)
