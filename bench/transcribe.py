"""Transcription benchmark: our path (verhalen.transcription.Transcriber) vs bare faster-whisper, same process.

    .venv/bin/python bench/transcribe.py           # ~5-min English clip + both Dutch clips + detection path
    .venv/bin/python bench/transcribe.py --quick   # 60-s English clip, 1 run each; docs not updated

"ours" is `Transcriber(model_dir, settings).transcribe(path, lang, None)` with the
default settings (batched: BatchedInferencePipeline, batch 8, beam 5, timestamps on);
"bare" is `BatchedInferencePipeline(model).transcribe(path, batch_size=8, beam_size=5,
without_timestamps=False, word_timestamps=True, vad_filter=True, language=...)` with
the same remaining decoding options on the same loaded model. The sequential reference
is ours with batch_size=0 vs bare `WhisperModel.transcribe`. Measures real-time factor
(audio s / wall s; target >= 10), overhead ours/bare (target <= 1.10), peak RSS
(target <= 1.5 GB) and WER against the reference text.

The English clip is built from tests/data/en_market.wav and five ffmpeg variants of
it (time-stretched with atempo, pitch-shifted with asetrate, quieter), cycled with
varied pauses, so no two neighbouring repeats are identical audio. The *text* still
repeats (there is only one English recording), which can trip Whisper's
compression-ratio check and its random temperature fallback; the single 10-s clip is
therefore measured too, as the stable WER figure.
"""

from __future__ import annotations

import argparse
import array
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _common as C  # noqa: E402

DATA = C.ROOT / "tests" / "data"
THREADS = 2
BATCH = 8
# ffmpeg filters for the English variants: (label, filter)
VARIANTS = [
    ("original", None),
    ("tempo 0.90", "atempo=0.90"),
    ("pitch +6 %", "asetrate=16960,aresample=16000,atempo=0.9434"),
    ("tempo 1.10", "atempo=1.10"),
    ("pitch -6 %", "asetrate=15040,aresample=16000,atempo=1.0638"),
    ("tempo 0.95, pitch +3 %, -6 dB", "asetrate=16480,aresample=16000,atempo=0.9223,volume=0.5"),
]
GAPS = [0.6, 1.1, 0.8, 1.4, 0.5, 0.9, 1.2]


def words(text: str) -> list[str]:
    """Lower-cased tokens with punctuation removed ("pop-up" -> "pop up")."""
    return "".join(ch if ch.isalnum() or ch == "'" else " " for ch in text.lower()).replace("'", "").split()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level Levenshtein distance / reference length."""
    ref, hyp = words(reference), words(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(1, len(ref))


class PeakRSS:
    """Highest RSS of this process sampled every 20 ms while the block runs."""

    def __enter__(self):
        import psutil

        self._p, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self.peak = self._p.memory_info().rss
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._p.memory_info().rss)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self._p.memory_info().rss)


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000), w.getparams()
        return w.readframes(w.getnframes())


def make_clip(src: Path, dst: Path, seconds: float, work: Path) -> int:
    """Cycle src and its ffmpeg variants (varied pauses between) to about `seconds`; return the repeat count."""
    from media.audio import ffmpeg_binary

    pieces = []
    for i, (_, filt) in enumerate(VARIANTS):
        if filt is None:
            pieces.append(read_pcm(src))
            continue
        out = work / f"variant{i}.wav"
        subprocess.run([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y", "-i", str(src), "-af", filt,
                        "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", str(out)], check=True)
        pieces.append(read_pcm(out))
    total, n = 0.0, 0
    with wave.open(str(dst), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        while total < seconds - 5:
            if n:
                gap = GAPS[n % len(GAPS)]
                out.writeframes(array.array("h", [0] * int(gap * 16000)).tobytes())
                total += gap
            piece = pieces[n % len(pieces)]
            out.writeframes(piece)
            total += len(piece) / 32000
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="60-s English clip, one run each, docs not touched")
    ap.add_argument("--seconds", type=float, default=300, help="length of the English clip (default 300)")
    ap.add_argument("--repeats", type=int, default=2, help="runs per cheap measurement, min taken (default 2)")
    ap.add_argument("--no-docs", action="store_true")
    a = ap.parse_args()
    seconds = 60 if a.quick else a.seconds
    reps_n = 1 if a.quick else a.repeats

    import faster_whisper
    from faster_whisper import BatchedInferencePipeline

    from verhalen import settings as settings_mod
    from verhalen.transcription import Transcriber
    from verhalen.whisper_model import bundled_model

    tmp = Path(tempfile.mkdtemp(prefix="verhalen-bench-asr-"))
    rows, notes = [], []
    try:
        t0 = time.perf_counter()
        model_dir = bundled_model(tmp / "models")
        notes.append(f"assembling the bundled model (join + sha256): {time.perf_counter() - t0:.1f} s")
        en_wav = tmp / "en_clip.wav"
        reps = make_clip(DATA / "en_market.wav", en_wav, seconds, tmp)
        en_one = (DATA / "en_market.txt").read_text(encoding="utf-8").strip()
        en_ref = " ".join([en_one] * reps)
        nl_clips = [(p, (DATA / (p.stem + ".txt")).read_text(encoding="utf-8"))
                    for p in (DATA / "nl_koor.mp3", DATA / "nl_wijkagenda.opus")]

        def settings(**kw):
            return settings_mod.load(tmp / "home", env={}, cpu_threads=THREADS, compute_type="int8", **kw)

        ours = Transcriber(model_dir, settings())  # defaults: batched, batch 8, beam 5
        ours_seq = Transcriber(model_dir, settings(batch_size=0))
        assert ours.options.batch_size == BATCH and ours.options.beam_size == 5, ours.options
        rss0 = C.peak_rss_mb()
        t0 = time.perf_counter()
        model = ours.model  # loaded once per process, shared by every run below
        assert ours_seq.model is model
        notes.append(f"model load: {time.perf_counter() - t0:.1f} s; RSS before load {rss0:.0f} MB")

        def run_ours(tr, path, lang):
            with PeakRSS() as m:
                t = time.perf_counter()
                out = tr.transcribe(path, lang, None)
                wall = time.perf_counter() - t
            return (wall, "".join(s.text for s in out.segments), out.duration, m.peak, out.language.language,
                    f"{len(out.segments)} ({out.dropped})")

        def bare_kwargs(opts):
            return dict(beam_size=opts.beam_size, vad_filter=opts.vad, word_timestamps=opts.word_timestamps,
                        condition_on_previous_text=opts.condition_on_previous_text,
                        compression_ratio_threshold=opts.compression_ratio_threshold,
                        log_prob_threshold=opts.log_prob_threshold, no_speech_threshold=opts.no_speech_threshold,
                        temperature=list(opts.temperature),
                        hallucination_silence_threshold=opts.hallucination_silence_threshold)

        def run_bare(path, lang, batched):
            opts = ours.options
            with PeakRSS() as m:
                t = time.perf_counter()
                if batched:
                    segs, info = BatchedInferencePipeline(model).transcribe(
                        str(path), language=lang, batch_size=BATCH, without_timestamps=False, **bare_kwargs(opts))
                else:
                    segs, info = model.transcribe(str(path), language=lang, **bare_kwargs(opts))
                text = "".join(s.text for s in segs)
                wall = time.perf_counter() - t
            return wall, text, info.duration, m.peak, info.language, ""

        def record(clip, setting, path_name, runs, ref):
            wall = min(r[0] for r in runs)
            dur = runs[0][2]
            wers = [wer(ref, r[1]) for r in runs]
            peak = max(r[3] for r in runs) / 2**20
            rows.append({"clip": clip, "setting": setting, "path": path_name, "audio_s": dur, "wall_s": wall,
                         "rtf": dur / wall, "wers": wers, "rss_mb": peak, "runs": len(runs), "lang": runs[0][4],
                         "segs": " / ".join(r[5] for r in runs if r[5])})
            print(f"[{C.now()}] {clip} | {setting} | {path_name}: walls {[round(r[0], 1) for r in runs]} s, "
                  f"RTF {dur / wall:.1f}, WER {[round(w, 3) for w in wers]}, RSS {peak:.0f} MB, lang {runs[0][4]}",
                  file=sys.stderr, flush=True)
            if max(wers) > 0.2:
                print("  hypothesis: " + runs[0][1][:300], file=sys.stderr)

        def pair(clip, setting, path, lang, ref, n, batched):
            """ours and bare alternating, n runs each."""
            tr = ours if batched else ours_seq
            o_runs, b_runs = [], []
            for _ in range(n):
                o_runs.append(run_ours(tr, path, lang))
                b_runs.append(run_bare(path, lang, batched))
            record(clip, setting, "ours", o_runs, ref)
            record(clip, setting, "bare", b_runs, ref)

        en5 = f"en {en_wav.stat().st_size / 32000 / 60:.0f}-min"
        # Warm-up (VAD model, first-call allocations), untimed.
        run_ours(ours, DATA / "en_market.wav", "en")
        pair(en5, "batched 8, beam 5 (default)", en_wav, "en", en_ref, reps_n, True)
        pair("en 10-s single", "batched 8, beam 5 (default)", DATA / "en_market.wav", "en", en_one, reps_n, True)
        for p, ref in nl_clips:
            pair(p.name, "batched 8, beam 5 (default)", p, "nl", ref, reps_n, True)
        # Language-detection path: no language given.
        record(en5, "batched 8, beam 5, no language given (detection per 30-s window)", "ours",
               [run_ours(ours, en_wav, None)], en_ref)
        for p, ref in nl_clips:
            record(p.name, "batched 8, beam 5, no language given", "ours", [run_ours(ours, p, None)], ref)
        # Sequential reference.
        pair(en5, "sequential (batch_size=0), beam 5", en_wav, "en", en_ref, 1, False)
        for p, ref in nl_clips:
            pair(p.name, "sequential (batch_size=0), beam 5", p, "nl", ref, reps_n, False)
        proc_peak = C.peak_rss_mb()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def find(clip, setting_start, path):
        return next(r for r in rows if r["clip"] == clip and r["setting"].startswith(setting_start) and r["path"] == path)

    def ratio(clip, setting_start):
        return find(clip, setting_start, "ours")["wall_s"] / find(clip, setting_start, "bare")["wall_s"]

    def yn(ok):
        return "yes" if ok else "**no**"

    body = C.table(
        ["clip", "setting", "path", "language (result)", "audio (s)", "wall (s, min)", "RTF (audio/wall)",
         "WER (each run)", "segments kept (dropped by our loop filter)", "peak RSS during run (MB)", "runs"],
        [[r["clip"], r["setting"], r["path"], r["lang"], f"{r['audio_s']:.0f}", f"{r['wall_s']:.1f}",
          f"{r['rtf']:.1f}", " / ".join(f"{w * 100:.1f} %" for w in r["wers"]), r["segs"], f"{r['rss_mb']:,.0f}",
          r["runs"]]
         for r in rows])
    srows = []
    for clip in [en5, "en 10-s single"] + [p.name for p, _ in nl_clips]:
        x = ratio(clip, "batched")
        srows.append([f"overhead ours/bare, {clip}, batched (default)", f"{x:.3f}", "≤ 1.10", yn(x <= 1.10)])
    for clip in [en5] + [p.name for p, _ in nl_clips]:
        x = ratio(clip, "sequential")
        srows.append([f"overhead ours/bare, {clip}, sequential (reference)", f"{x:.3f}", "≤ 1.10", yn(x <= 1.10)])
    r = find(en5, "batched", "ours")
    srows.append([f"RTF ours default, {en5}", f"{r['rtf']:.1f}", "≥ 10", yn(r["rtf"] >= 10)])
    r = find(en5, "batched 8, beam 5, no language", "ours")
    srows.append([f"RTF ours with language detection, {en5}", f"{r['rtf']:.1f}", "≥ 10", yn(r["rtf"] >= 10)])
    for p, _ in nl_clips:
        r = find(p.name, "batched", "ours")
        srows.append([f"RTF ours default, {p.name} ({r['audio_s']:.0f} s)", f"{r['rtf']:.1f}", "≥ 10", yn(r["rtf"] >= 10)])
    ours_peak = max(r["rss_mb"] for r in rows if r["path"] == "ours")
    srows.append(["peak RSS during our runs (MB)", f"{ours_peak:,.0f}", "≤ 1,536", yn(ours_peak <= 1536)])
    srows.append(["peak RSS of the whole process (MB, all runs)", f"{proc_peak:,.0f}", "≤ 1,536", yn(proc_peak <= 1536)])
    summary = C.table(["measure", "value", "target", "met"], srows)
    out = "\n".join([body, "", summary, "", "Notes: " + "; ".join(notes) + "."])
    print(out)
    if not (a.quick or a.no_docs):
        C.update_section("transcribe", "\n".join([
            *C.heading("Transcription (`bench/transcribe.py`)"),
            f"Model: bundled Whisper base (CTranslate2), int8, cpu_threads={THREADS}, faster-whisper "
            f"{faster_whisper.__version__}. \"ours\" = `Transcriber(model_dir, settings).transcribe(path, lang, None)` "
            "with default settings (BatchedInferencePipeline, batch 8, beam 5, without_timestamps=False); "
            "\"bare\" = `BatchedInferencePipeline(model).transcribe(path, batch_size=8, beam_size=5, "
            "without_timestamps=False, word_timestamps=True, vad_filter=True, language=...)` plus the same "
            "temperature/threshold options as ours, on the same loaded model in the same process, consuming all "
            "segments; ours and bare alternate. Sequential reference: ours with batch_size=0 vs bare "
            "`WhisperModel.transcribe`. Wall time includes audio decoding; one untimed warm-up run first. "
            f"English clip: tests/data/en_market.wav and 5 ffmpeg variants of it (atempo 0.9/1.1, asetrate pitch "
            f"±6 % and +3 % at −6 dB) cycled, {reps} pieces with 0.5–1.4 s pauses (reference: en_market.txt × {reps}); "
            "the audio never repeats back to back but the text does, so its WER can still swing between runs "
            "(temperature fallback) — the single 10-s clip is the stable English WER. Dutch: tests/data/nl_koor.mp3 "
            "and nl_wijkagenda.opus with their .txt, language forced nl. \"no language given\" = ours with "
            "language detection on every 30-s window (settings' expected languages nl,en,ar,fa,tr, p ≥ 0.8). "
            "WER: word-level Levenshtein on lower-cased, punctuation-stripped words.", "",
            out,
        ]))


if __name__ == "__main__":
    main()
