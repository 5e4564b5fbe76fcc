"""Voice embeddings: where speech is in a 16 kHz mono WAV, and what each short window of it sounds like.

The speakers stage (verhalen.speakers) clusters these vectors into voices; this module only measures.
The encoder is resemblyzer's GE2E d-vector model (Apache-2.0, converted by bench/convert_voice_encoder.py
into voice_encoder.npz beside this file), run as a 3-layer LSTM in numpy: torch would add ~5.5 GB for
one small LSTM (docs/decisions.md). Its input is a 40-band mel power spectrogram (25 ms / 10 ms),
computed here as librosa computed it for the original model, without librosa.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np

from verhalen.errors import UnsupportedMedia

RATE = 16000
WINDOW = 1.4  # seconds per embedding: long enough for a stable voice, short enough for a turn (bench/diarize.py)
HOP = 0.8
MIN_SPEECH_SHARE = 0.5  # a window counts when at least half of it is speech
MIN_REGION = 0.3  # a speech region no kept window covers gets its own window when it is at least this long
N_FFT, FRAME_HOP, N_MELS = 400, 160, 40
NORM_DBFS = -30.0  # the encoder was trained on audio raised to this level
VAD_PIECE = 300  # seconds of audio given to the VAD at a time
BATCH = 64  # windows per LSTM pass: bounds memory (64 x 150 x 1024 floats per gate buffer)
WEIGHTS = Path(__file__).with_name("voice_encoder.npz")


@dataclass(frozen=True)
class Embeddings:
    """What the speakers stage needs: the speech regions, each window's (start, end) and its unit vector."""

    duration: float
    speech: list[tuple[float, float]]
    windows: list[tuple[float, float]]
    vectors: np.ndarray  # (len(windows), 256) float32, L2-normalised


def read_wav(path: Path) -> np.ndarray:
    """The samples of a 16-bit 16 kHz mono WAV (the story's asr.wav), as int16: an hour is 115 MB so, not 230."""
    try:
        with wave.open(str(path)) as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
                raise UnsupportedMedia(f"{Path(path).name}: expected 16 kHz mono 16-bit audio")
            data = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as e:
        raise UnsupportedMedia(f"{Path(path).name}: not a readable WAV file ({e})") from None
    return np.frombuffer(data, dtype="<i2")


def _floats(audio: np.ndarray, lo: int = 0, hi: int | None = None) -> np.ndarray:
    piece = audio[lo:hi]
    return piece.astype(np.float32) / 32768.0 if piece.dtype == np.int16 else piece.astype(np.float32)


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where someone speaks, in seconds (Silero VAD as shipped in faster-whisper: offline, no new dependency).

    In 5-minute pieces: the VAD pads and copies what it is given, which for an hour would be another 230 MB."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    # Short silences split turns: a reply often follows within half a second.
    options = VadOptions(min_silence_duration_ms=150, speech_pad_ms=60, min_speech_duration_ms=120)
    regions: list[tuple[float, float]] = []
    for lo in range(0, len(audio), VAD_PIECE * RATE):
        for t in get_speech_timestamps(_floats(audio, lo, lo + VAD_PIECE * RATE), options):
            a, b = (lo + t["start"]) / RATE, (lo + t["end"]) / RATE
            if regions and a - regions[-1][1] < 0.01:  # speech across a piece's edge is one region
                regions[-1] = (regions[-1][0], b)
            else:
                regions.append((a, b))
    return regions


def windows_over(speech: list[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """1.5-s windows every 0.75 s that are mostly speech, plus one centred on each short region none covers."""
    if not speech or duration <= 0:
        return []
    grid = np.arange(0.0, max(duration - WINDOW, 0.0) + 1e-9, HOP)
    starts, ends = np.array([a for a, _ in speech]), np.array([b for _, b in speech])
    kept = []
    for t in grid:
        covered = np.clip(np.minimum(ends, t + WINDOW) - np.maximum(starts, t), 0, None).sum()
        if covered >= MIN_SPEECH_SHARE * min(WINDOW, duration):
            kept.append((float(t), float(min(t + WINDOW, duration))))
    for a, b in speech:
        if b - a >= MIN_REGION and not any(s < b and e > a for s, e in kept):
            mid = (a + b) / 2
            lo = min(max(0.0, mid - WINDOW / 2), max(0.0, duration - WINDOW))
            kept.append((lo, min(lo + WINDOW, duration)))
    return sorted(kept)


@cache
def encoder() -> dict:
    """The encoder's weights, read once per process (5 MB), arranged for lstm_embed."""
    try:
        with np.load(WEIGHTS) as z:
            w = {k: z[k].astype(np.float32) for k in z.files}
    except (OSError, ValueError, KeyError) as e:
        raise UnsupportedMedia(f"the voice encoder's weights {WEIGHTS.name} cannot be read ({e})") from None
    layers = []
    for i in range(3):
        w_ih, w_hh = w[f"lstm_weight_ih_l{i}"], w[f"lstm_weight_hh_l{i}"]
        bias = w[f"lstm_bias_ih_l{i}"] + w[f"lstm_bias_hh_l{i}"]
        # torch's gate order is (input, forget, cell, output). Scaling the three sigmoid gates by 1/2 here
        # lets one tanh over all four gates do the work of three sigmoids and a tanh in the inner loop:
        # sigmoid(x) = (tanh(x / 2) + 1) / 2.
        scale = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=np.float32), w_hh.shape[1])
        layers.append((np.ascontiguousarray((w_ih * scale[:, None]).T), np.ascontiguousarray((w_hh * scale[:, None]).T),
                       bias * scale))
    return {"layers": layers, "linear_w": np.ascontiguousarray(w["linear_weight"].T), "linear_b": w["linear_bias"]}


@cache
def _mel_filters() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney's mel scale and area normalisation."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        lin = f / (200.0 / 3)
        log_part = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log_part, lin)

    def mel_to_hz(m):
        m = np.asarray(m, dtype=np.float64)
        return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), m * (200.0 / 3))

    fft_freqs = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(RATE / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2: N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return weights.T.astype(np.float32)  # (201, 40)


def mel_frames(clips: np.ndarray) -> np.ndarray:
    """(batch, samples) -> (batch, frames, 40) mel power, centred frames with zero padding (librosa >= 0.10)."""
    pad = N_FFT // 2
    x = np.pad(clips, ((0, 0), (pad, pad)))
    n = 1 + (x.shape[1] - N_FFT) // FRAME_HOP
    idx = np.arange(N_FFT)[None, :] + FRAME_HOP * np.arange(n)[:, None]
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
    spec = np.fft.rfft(x[:, idx] * window, axis=-1)
    power = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
    return power @ _mel_filters()


def lstm_embed(mels: np.ndarray) -> np.ndarray:
    """(batch, frames, 40) -> (batch, 256): the GE2E encoder's last hidden state, linear, ReLU, L2 norm."""
    w = encoder()
    x = np.ascontiguousarray(np.swapaxes(mels.astype(np.float32), 0, 1))  # time first: each step's rows contiguous
    t, b, _ = x.shape
    for w_ih, w_hh, bias in w["layers"]:
        hidden = w_hh.shape[0]
        gates_in = (x.reshape(t * b, -1) @ w_ih + bias).reshape(t, b, 4 * hidden)
        h = np.zeros((b, hidden), dtype=np.float32)
        c = np.zeros((b, hidden), dtype=np.float32)
        out = np.empty((t, b, hidden), dtype=np.float32)
        g = np.empty((b, 4 * hidden), dtype=np.float32)
        for step in range(t):
            np.matmul(h, w_hh, out=g)
            g += gates_in[step]
            np.tanh(g, out=g)
            i, f, cell, o = g[:, :hidden], g[:, hidden: 2 * hidden], g[:, 2 * hidden: 3 * hidden], g[:, 3 * hidden:]
            # Sigmoid gates from their tanh (see encoder): (tanh + 1) / 2.
            c *= (f + 1) * 0.5
            c += (i + 1) * 0.5 * cell
            h = np.tanh(c) * ((o + 1) * 0.5)
            out[step] = h
        x = out
    e = np.maximum(h @ w["linear_w"] + w["linear_b"], 0)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)


def embed(audio: np.ndarray, progress: Callable[[int, int], None] | None = None, threads: int = 1) -> Embeddings:
    """Find the speech in 16 kHz samples (int16 or float) and embed each window of it, `threads` batches
    at a time (the stage runs after the transcript, when the model's cores are free again)."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    duration = len(audio) / RATE
    speech = speech_regions(audio) if len(audio) else []
    windows = windows_over(speech, duration)
    if not windows:
        return Embeddings(duration, speech, [], np.zeros((0, 256), dtype=np.float32))
    # Raise quiet recordings to the level the encoder knows (never lower: as the original preprocessing).
    step = VAD_PIECE * RATE
    energy = sum(float(np.square(_floats(audio, lo, lo + step), dtype=np.float64).sum())
                 for lo in range(0, len(audio), step))
    level = (energy / len(audio)) ** 0.5
    gain = max(1.0, 10 ** (NORM_DBFS / 20) / level) if level > 0 else 1.0
    size = int(WINDOW * RATE)
    threads = max(1, threads)
    # The threads share BATCH windows in flight (memory stays what one thread needs), and a short recording
    # still gets a batch per thread.
    batch = max(16, min(BATCH // threads, -(-len(windows) // threads)))

    def one(lo: int) -> np.ndarray:
        clips = np.zeros((len(windows[lo: lo + batch]), size), dtype=np.float32)
        for row, (a, b) in enumerate(windows[lo: lo + batch]):
            piece = _floats(audio, int(a * RATE), int(a * RATE) + size)
            clips[row, : len(piece)] = piece * gain
        return lstm_embed(mel_frames(clips)[:, : int(WINDOW * 100)])

    vectors = []
    # Default BLAS threading swung one file between 1 and 15 s on 2 shared cores; one BLAS thread per batch,
    # batches side by side in threads (numpy lets go of the GIL in its loops), is steady and uses the cores.
    # The limit is lifted when the block ends, so the rest of the process keeps its own setting.
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(threads) as pool:
        starts = range(0, len(windows), batch)
        for lo, done in zip(starts, pool.map(one, starts)):
            vectors.append(done)
            if progress and lo + batch < len(windows):  # the caller reports the end itself
                progress(lo + batch, len(windows))
    return Embeddings(duration, speech, windows, np.concatenate(vectors))


def embed_file(path: Path, progress: Callable[[int, int], None] | None = None, threads: int = 1) -> Embeddings:
    return embed(read_wav(path), progress, threads)
