"""Speaker diarization benchmark: the speakers stage's engine (verhalen.media.voices + verhalen.speakers).

    .venv/bin/python bench/diarize.py              # every recording below; writes its section of docs/benchmarks.md
    .venv/bin/python bench/diarize.py --no-docs    # print only
    .venv/bin/python bench/diarize.py --no-hour    # skip the hour-long recording (memory and time on long input)

Recordings, each with exact reference turns (RTTM, from tests/data/make_interviews.py):
- nl_buurtgesprek, nl_marktgesprek: the committed two-voice interviews (tests/data, .tsv -> RTTM);
- nl_driegesprek (three voices, the third with 6 turns) and nl_langgesprek (two voices, ~4.5 min), generated
  here into a temporary folder by `make_interviews.py --bench --out DIR` (needs espeak-ng, sox);
- an hour: nl_langgesprek thirteen times over (~58 min), for time and memory on long input.

Per recording and voice count (2 or 3 given, or estimated), the DER (collar 0.25 s, own frame-based scorer
verhalen.speakers.der: miss + false alarm + confusion over reference speech), whether the interviewer is the
voice that talks less, the real-time factor (audio s / wall s: reading the WAV, Silero VAD, embeddings,
clustering), the CPU seconds, and the extra peak memory (peak RSS during the runs minus RSS before the first
one, with numpy and faster-whisper already imported, as in a worker). Install size added: threadpoolctl and
the encoder's weights (nothing else is new: numpy, onnxruntime and Silero VAD come with faster-whisper).

Targets (issue 12): DER <= 10 % for two voices, >= 50x real time on 2 cores, <= 0.7 GB extra peak memory,
<= 0.6 GB install size added.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
import wave
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _common as C  # noqa: E402
import numpy as np  # noqa: E402

DATA = C.ROOT / "tests" / "data"
TARGET_DER, TARGET_RTF, TARGET_EXTRA_MB, TARGET_INSTALL_MB = 0.10, 50.0, 700, 600
BAD = "❌"
ASKING = ("interviewer",)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def read_tsv(path: Path) -> list[list]:
    with open(path, encoding="utf-8") as f:
        return [[float(r["start_s"]), float(r["end_s"]), r["speaker"]] for r in csv.DictReader(f, delimiter="\t")]


def read_rttm(path: Path) -> list[list]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            out.append([float(f[3]), float(f[3]) + float(f[4]), f[7]])
    return out


def write_rttm(path: Path, name: str, turns: list[list]) -> None:
    path.write_text("".join(f"SPEAKER {name} 1 {a:.3f} {b - a:.3f} <NA> <NA> {w} <NA> <NA>\n" for a, b, w in turns))


def to_wav(src: Path, out: Path, loops: int = 1) -> Path:
    from verhalen.media import ffmpeg_binary

    loop = ["-stream_loop", str(loops - 1)] if loops > 1 else []
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *loop, "-i", str(src), "-ar", "16000", "-ac", "1",
                    "-c:a", "pcm_s16le", str(out)], check=True)
    return out


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def diarize(wav: Path, k: int | None, forced: bool, threads: int) -> tuple[list[list], float, float]:
    """(turns, wall s, cpu s) for the whole engine on one file, as the speakers stage runs it."""
    from verhalen import speakers
    from verhalen.media import voices

    t0, c0 = time.perf_counter(), time.process_time()
    found = voices.embed_file(wav, threads=threads)
    turns = speakers.diarize(found.windows, found.vectors, found.speech, found.duration, k, forced=forced)
    return turns, time.perf_counter() - t0, time.process_time() - c0


def interviewer_right(reference: list[list], turns: list[list], people: list[tuple[str, str]]) -> str:
    """Whether the voice named after the interviewer (talks less) is mostly the reference interviewer."""
    from verhalen import speakers

    names = speakers.names_from_people(turns, people)
    asker = next((v for v, n in names.items() if n == "Interviewer"), None)
    if asker is None:
        return "unnamed"
    shared: dict[str, float] = {}
    for a0, a1, who in reference:
        for b0, b1, v in turns:
            if v == asker and min(a1, b1) > max(a0, b0):
                shared[who] = shared.get(who, 0.0) + min(a1, b1) - max(a0, b0)
    return "yes" if shared and max(shared, key=shared.get) in ASKING else f"{BAD} no"


def install_size_mb() -> tuple[float, list[str]]:
    """What the speakers stage adds to an install: threadpoolctl's files and the encoder's weights."""
    parts, total = [], 0.0
    dist = metadata.distribution("threadpoolctl")
    size = sum((Path(dist.locate_file(f)).stat().st_size for f in dist.files or [] if Path(dist.locate_file(f)).is_file()))
    parts.append(f"threadpoolctl {dist.version} {size / 1024:.0f} KiB")
    total += size
    media = C.ROOT / "media"
    for name in ("voice_encoder.npz", "voice_encoder.LICENSE", "voice_encoder.NOTICE", "voices.py"):
        total += (media / name).stat().st_size
    parts.append(f"media/voice_encoder.npz {(media / 'voice_encoder.npz').stat().st_size / 2**20:.1f} MiB")
    total += (C.ROOT / "verhalen" / "speakers.py").stat().st_size
    return total / 2**20, parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--no-hour", action="store_true")
    args = ap.parse_args()

    import faster_whisper.vad  # noqa: F401  (a worker has these loaded before the speakers stage runs)

    from verhalen import settings as settings_mod, speakers
    from verhalen.media import voices

    work = Path(tempfile.mkdtemp(prefix="bench-diarize-"))
    subprocess.run([sys.executable, str(DATA / "make_interviews.py"), "--bench", "--out", str(work)], check=True,
                   stdout=subprocess.DEVNULL)
    two = [("Verteller", "narrator"), ("Interviewer", "interviewer")]
    three = two + [("Gast", "guest")]
    cases = []  # (label, wav, reference, k, forced, people)
    for name in ("nl_buurtgesprek", "nl_marktgesprek"):
        ref = read_tsv(DATA / f"{name}.tsv")
        write_rttm(work / f"{name}.rttm", name, ref)
        cases.append((name, to_wav(DATA / f"{name}.opus", work / f"{name}.wav"), read_rttm(work / f"{name}.rttm"),
                      2, False, two))
    lang = to_wav(work / "nl_langgesprek.opus", work / "nl_langgesprek.wav")
    cases.append(("nl_langgesprek", lang, read_rttm(work / "nl_langgesprek.rttm"), 2, False, two))
    drie = to_wav(work / "nl_driegesprek.opus", work / "nl_driegesprek.wav")
    drie_ref = read_rttm(work / "nl_driegesprek.rttm")
    cases.append(("nl_driegesprek", drie, drie_ref, 3, True, three))
    cases.append(("nl_driegesprek", drie, drie_ref, None, False, three))
    if not args.no_hour:
        loops = 13
        hour = to_wav(work / "nl_langgesprek.opus", work / "hour.wav", loops)
        period = wav_seconds(lang)
        base = read_rttm(work / "nl_langgesprek.rttm")
        ref = [[a + i * period, b + i * period, w] for i in range(loops) for a, b, w in base]
        cases.append((f"nl_langgesprek x{loops}", hour, ref, 2, False, two))

    before = rss_mb()
    t_load = time.perf_counter()
    voices.encoder()
    load_s = time.perf_counter() - t_load
    threads = settings_mod.load(work, env={}).threads  # what the speakers stage uses: every core
    load_before = Path("/proc/loadavg").read_text().split()[0]
    rows, worst_rtf, worst_cpu_rtf, der_two = [], float("inf"), float("inf"), []
    for label, wav, ref, k, forced, people in cases:
        audio_s = wav_seconds(wav)
        _, wall_one, _ = diarize(wav, k, forced, 1)  # the baseline: one thread, in the same process
        turns, wall, cpu = diarize(wav, k, forced, threads)
        score = speakers.der(ref, turns)
        score0 = speakers.der(ref, turns, collar=0.0)
        found = len({v for *_, v in turns})
        voices_ref = len({w for *_, w in ref})
        rtf = audio_s / wall if wall else float("inf")
        worst_rtf = min(worst_rtf, rtf)
        if voices_ref == 2:
            der_two.append(score["der"])
        mark = f" {BAD}" if voices_ref == 2 and score["der"] > TARGET_DER else ""
        rows.append([label, f"{audio_s / 60:.1f} min", f"{voices_ref}", "estimated" if k is None else f"{k} given",
                     f"{found}", f"{100 * score['der']:.1f}{mark}",
                     f"{100 * score['miss']:.1f} / {100 * score['false_alarm']:.1f} / {100 * score['confusion']:.1f}",
                     f"{100 * score0['der']:.1f}", interviewer_right(ref, turns, people) if voices_ref == 2 else "-",
                     f"{audio_s / wall_one:.0f}x", f"{rtf:.0f}x" + (f" {BAD}" if rtf < TARGET_RTF else ""),
                     f"{wall_one / wall:.2f}", f"{audio_s / cpu:.0f}x", f"{cpu:.1f}"])
        worst_cpu_rtf = min(worst_cpu_rtf, audio_s / cpu)
        print(" | ".join(rows[-1]), flush=True)
    extra = C.peak_rss_mb() - before
    install, parts = install_size_mb()

    header = ["recording", "length", "voices", "count", "found", "DER %", "miss / FA / confusion %",
              "DER % no collar", "interviewer right", "real time, 1 thread", f"real time, {threads} threads",
              "speed-up", "real time (CPU)", "CPU s"]
    targets = C.table(["target", "measured", "met"], [
        ["DER <= 10 % for two voices (collar 0.25 s)", f"{100 * max(der_two):.1f} % worst", "yes" if max(der_two) <= TARGET_DER else f"{BAD} no"],
        [f">= {TARGET_RTF:.0f}x real time on 2 cores", f"{worst_rtf:.0f}x slowest by wall time with {threads} threads "
         f"({worst_cpu_rtf:.0f}x by CPU time)", "yes" if worst_rtf >= TARGET_RTF else f"{BAD} no", ],
        [f"<= {TARGET_EXTRA_MB} MB extra peak memory", f"{extra:.0f} MB", "yes" if extra <= TARGET_EXTRA_MB else f"{BAD} no"],
        [f"<= {TARGET_INSTALL_MB} MB install size added", f"{install:.1f} MB ({', '.join(parts)})",
         "yes" if install <= TARGET_INSTALL_MB else f"{BAD} no"],
    ])
    print(targets)
    body = "\n".join([
        *C.heading("Speakers (`bench/diarize.py`)"),
        "Generated interviews with exact reference turns (tests/data/make_interviews.py; espeak-ng voices, so a lower "
        "bound: real voices, overlap and room sound will do worse). Engine: Silero VAD (faster-whisper's), "
        f"{voices.WINDOW}-s windows every {voices.HOP} s, resemblyzer's GE2E encoder as a numpy LSTM (batches side by side "
        "in one thread per core, one BLAS thread each), average-linkage clustering, "
        "10-ms vote, turns smoothed (docs/speakers.md). Real time = audio seconds / wall seconds of the whole engine "
        f"per file, weights already loaded (loading them took {load_s:.2f} s once), first with one thread (the "
        f"baseline, same process) and then with {threads} (what the stage uses: `cpu_threads`, 0 = every core); by CPU "
        "time = audio seconds / CPU seconds of this process. Load average on 2 cores: "
        f"{load_before} at the start, {Path('/proc/loadavg').read_text().split()[0]} at the end of the run (other "
        "work on the machine makes the wall-time figures pessimistic).",
        "",
        C.table(header, rows),
        "",
        targets,
        "",
    ])
    if not args.no_docs:
        C.update_section("diarize", body)
        print(f"wrote {C.DOCS.relative_to(C.ROOT)}")


if __name__ == "__main__":
    main()
