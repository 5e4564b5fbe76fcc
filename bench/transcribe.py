"""Transcription benchmark: our path (verhalen.transcription.Transcriber) vs bare faster-whisper, same process.

    .venv/bin/python bench/transcribe.py           # ~5-min English clip + Dutch clip
    .venv/bin/python bench/transcribe.py --quick   # 60-s English clip; docs not updated

Measures real-time factor (audio s / wall s, higher is faster), overhead ours/bare
(target <= 1.10), peak RSS while transcribing (target <= 1.5 GB) and WER against
the reference text; compares beam 5 / greedy sequential decoding with
faster-whisper's BatchedInferencePipeline. Model: the bundled Whisper base,
int8, cpu_threads=2. The English clip is tests/data/en_market.wav repeated
(with 0.6 s of silence between repeats); its reference is en_market.txt repeated.
"""

from __future__ import annotations

import argparse
import array
import re
import shutil
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


def make_clip(src: Path, dst: Path, seconds: float, gap: float = 0.6) -> int:
    """Repeat a 16-kHz mono 16-bit wav (with silence between) to about `seconds`; return the repeat count."""
    with wave.open(str(src)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000), w.getparams()
        frames = w.readframes(w.getnframes())
        clip_s = w.getnframes() / 16000
    n = max(1, round(seconds / (clip_s + gap)))
    silence = array.array("h", [0] * int(gap * 16000)).tobytes()
    with wave.open(str(dst), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        for i in range(n):
            out.writeframes(frames + (silence if i < n - 1 else b""))
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="60-s English clip, no batched runs, docs not touched")
    ap.add_argument("--seconds", type=float, default=300, help="length of the English clip (default 300)")
    ap.add_argument("--no-docs", action="store_true")
    a = ap.parse_args()
    seconds = 60 if a.quick else a.seconds

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
        reps = make_clip(DATA / "en_market.wav", en_wav, seconds)
        en_ref = " ".join([(DATA / "en_market.txt").read_text(encoding="utf-8").strip()] * reps)
        nl_file, nl_ref = DATA / "nl_koor.mp3", (DATA / "nl_koor.txt").read_text(encoding="utf-8")

        def settings(beam):
            return settings_mod.load(tmp / "home", env={}, beam_size=beam, cpu_threads=THREADS, compute_type="int8")

        ours5 = Transcriber(model_dir, settings(5))
        rss0 = C.peak_rss_mb()
        t0 = time.perf_counter()
        model = ours5.model  # loaded once per process, shared by every run below
        notes.append(f"model load: {time.perf_counter() - t0:.1f} s; RSS before load {rss0:.0f} MB")

        def run_ours(tr, path, lang):
            with PeakRSS() as m:
                t = time.perf_counter()
                out = tr.transcribe(path, lang, None)
                wall = time.perf_counter() - t
            return wall, "".join(s.text for s in out.segments), out.duration, m.peak

        def bare_kwargs(opts):
            return dict(beam_size=opts.beam_size, vad_filter=opts.vad, word_timestamps=opts.word_timestamps,
                        condition_on_previous_text=opts.condition_on_previous_text,
                        compression_ratio_threshold=opts.compression_ratio_threshold,
                        log_prob_threshold=opts.log_prob_threshold, no_speech_threshold=opts.no_speech_threshold,
                        temperature=list(opts.temperature),
                        hallucination_silence_threshold=opts.hallucination_silence_threshold)

        def run_bare(path, lang, opts, batched=None):
            with PeakRSS() as m:
                t = time.perf_counter()
                if batched:
                    segs, info = BatchedInferencePipeline(model=model).transcribe(
                        str(path), language=lang, batch_size=batched, **bare_kwargs(opts))
                else:
                    segs, info = model.transcribe(str(path), language=lang, **bare_kwargs(opts))
                text = "".join(s.text for s in segs)
                wall = time.perf_counter() - t
            return wall, text, info.duration, m.peak

        def record(clip, setting, path_name, runs, ref):
            wall = min(r[0] for r in runs)
            _, text, dur, _ = runs[0]
            peak = max(r[3] for r in runs) / 2**20
            rows.append({"clip": clip, "setting": setting, "path": path_name, "audio_s": dur, "wall_s": wall,
                         "rtf": dur / wall, "wer": wer(ref, text), "rss_mb": peak, "runs": len(runs)})
            print(f"[{C.now()}] {clip} {setting} {path_name}: {wall:.1f} s, RTF {dur / wall:.1f}, "
                  f"WER {wer(ref, text):.3f}, RSS {peak:.0f} MB", file=sys.stderr, flush=True)
            if len(runs) and rows[-1]["wer"] > 0.2:
                print("  hypothesis: " + text[:400], file=sys.stderr)

        # English, our default (beam 5), alternating ours/bare, min of 2
        ours_runs, bare_runs = [], []
        for _ in range(2):
            ours_runs.append(run_ours(ours5, en_wav, "en"))
            bare_runs.append(run_bare(en_wav, "en", ours5.options))
        record("en", "beam 5, sequential (default)", "ours", ours_runs, en_ref)
        record("en", "beam 5, sequential (default)", "bare", bare_runs, en_ref)
        # Dutch, forced nl, beam 5
        nl_ours = [run_ours(ours5, nl_file, "nl") for _ in range(2)]
        nl_bare = [run_bare(nl_file, "nl", ours5.options) for _ in range(2)]
        record("nl", "beam 5, sequential (default)", "ours", nl_ours, nl_ref)
        record("nl", "beam 5, sequential (default)", "bare", nl_bare, nl_ref)
        # English, greedy
        ours1 = Transcriber(model_dir, settings(1))
        record("en", "beam 1 (greedy), sequential", "ours", [run_ours(ours1, en_wav, "en")], en_ref)
        if not a.quick:
            record("en", "batched (batch 8), beam 1", "bare BatchedInferencePipeline",
                   [run_bare(en_wav, "en", ours1.options, batched=8)], en_ref)
            record("en", "batched (batch 8), beam 5", "bare BatchedInferencePipeline",
                   [run_bare(en_wav, "en", ours5.options, batched=8)], en_ref)
        proc_peak = C.peak_rss_mb()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def ratio(clip):
        o = next(r for r in rows if r["clip"] == clip and r["path"] == "ours" and "default" in r["setting"])
        b = next(r for r in rows if r["clip"] == clip and r["path"] == "bare" and "default" in r["setting"])
        return o["wall_s"] / b["wall_s"]

    body = C.table(
        ["clip", "setting", "path", "audio (s)", "wall (s)", "RTF (audio/wall)", "WER", "peak RSS during run (MB)", "runs (min taken)"],
        [[r["clip"], r["setting"], r["path"], f"{r['audio_s']:.0f}", f"{r['wall_s']:.1f}", f"{r['rtf']:.1f}",
          f"{r['wer'] * 100:.1f} %", f"{r['rss_mb']:,.0f}", r["runs"]] for r in rows])
    summary = C.table(["measure", "value", "target", "met"], [
        ["overhead ours/bare, en beam 5", f"{ratio('en'):.3f}", "≤ 1.10", "yes" if ratio("en") <= 1.10 else "no"],
        ["overhead ours/bare, nl beam 5", f"{ratio('nl'):.3f}", "≤ 1.10", "yes" if ratio("nl") <= 1.10 else "no"],
        ["peak RSS of the whole process (MB, all runs)", f"{proc_peak:,.0f}", "≤ 1,536", "yes" if proc_peak <= 1536 else "no"],
        ["peak RSS during our default path (MB)", f"{max(r['rss_mb'] for r in rows if r['path'] == 'ours'):,.0f}",
         "≤ 1,536", "yes" if max(r["rss_mb"] for r in rows if r["path"] == "ours") <= 1536 else "no"],
    ])
    out = "\n".join([body, "", summary, "", "Notes: " + "; ".join(notes) + "."])
    print(out)
    if not (a.quick or a.no_docs):
        C.update_section("transcribe", "\n".join([
            "## Transcription (`bench/transcribe.py`)", "",
            f"Command: `{C.command()}`  ",
            f"Date: {C.now()}  ",
            f"Machine: {C.machine()}", "",
            f"Model: bundled Whisper base (CTranslate2), int8, cpu_threads={THREADS}, faster-whisper "
            f"{faster_whisper.__version__}. English clip: tests/data/en_market.wav repeated {reps}× with 0.6 s "
            "silence (reference: en_market.txt repeated), language forced en; Dutch clip: tests/data/nl_koor.mp3, "
            "language forced nl. \"ours\" = `Transcriber(model_dir, settings).transcribe(path, lang, None)`; "
            "\"bare\" = `WhisperModel.transcribe(path, ...)` with the same decoding options on the same loaded "
            "model, consuming all segments. Wall time includes audio decoding. WER: word-level Levenshtein on "
            "lower-cased, punctuation-stripped words.", "",
            out,
        ]))


if __name__ == "__main__":
    main()
