"""Who speaks when: voices from window embeddings, turns, names from the story's people (pure functions).

The speakers stage (verhalen.pipeline.stage_speakers) measures with verhalen.media.voices and decides
here: clustering of the windows (agglomerative, cosine distance, average linkage), a 10-ms majority vote
into turns, smoothing, names for the voices, matching a re-run's voices to the previous ones, and
splitting transcript segments where the voice changes. Nothing here touches disk or the catalog.

Turns are [start, end, voice] with voices labelled "A", "B", ... in order of first appearance.
"""

from __future__ import annotations

import itertools
import string
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

FRAME = 0.01  # seconds per vote frame
BRIDGE = 0.3  # a pause up to this long inside one voice's talk stays inside its turn
MIN_TURN = 0.3  # a shorter turn is absorbed by its neighbour (a window's blur, not a reply)
MAX_CLUSTERED = 2500  # windows clustered directly (the distance matrix is n^2); the rest join the nearest voice
ESTIMATE_RANGE = (2, 5)  # voices considered when the count is estimated
MIN_VOICE_SHARE = 0.03  # an estimated voice must hold this share of the windows (else it is noise)
# Below this cosine distance between the last two clusters there is one voice, not two: the windows of
# one espeak voice part at 0.21-0.26, two voices at 0.50 (bench/diarize.py). A count asked for is kept.
ONE_VOICE_BELOW = 0.35
# The roles that ask the questions (catalog.ROLES); the other two (narrator, guest) tell the story.
ASKING_ROLES = ("interviewer", "host")
TELLING_ROLES = ("narrator", "guest")
AUTO, EDITOR = "auto", "editor"  # Story.voices[v]["by"]


def label(i: int) -> str:
    """The i-th voice's label: A..Z, then AA, AB, ..."""
    letters = string.ascii_uppercase
    return letters[i] if i < 26 else label(i // 26 - 1) + letters[i % 26]


# -- clustering ---------------------------------------------------------------------------------------


def cosine_distances(vectors: np.ndarray) -> np.ndarray:
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.clip(1.0 - v @ v.T, 0.0, 2.0).astype(np.float64)


def average_linkage(distances: np.ndarray) -> list[tuple[int, int, float]]:
    """Every merge of average-linkage agglomerative clustering, lowest first: (kept, absorbed, height).

    The nearest-neighbour chain algorithm (O(n^2) time, one distance matrix): average linkage is
    reducible, so the chain finds the same merges as the greedy algorithm, in another order; sorting
    them by height gives the dendrogram (scipy's linkage does the same). Clusters are named by one of
    their members, the one that was kept.
    """
    n = len(distances)
    d = np.array(distances, dtype=np.float64)
    np.fill_diagonal(d, np.inf)
    size = np.ones(n)
    active = np.ones(n, dtype=bool)
    merges: list[tuple[int, int, float]] = []
    chain: list[int] = []
    for _ in range(n - 1):
        while True:
            if not chain:
                chain.append(int(np.flatnonzero(active)[0]))
            a = chain[-1]
            b = int(np.argmin(d[a]))
            if len(chain) > 1 and d[a, chain[-2]] <= d[a, b]:
                b = chain[-2]  # ties go back down the chain, or it could cycle
                break
            chain.append(b)
        chain.pop()
        chain.pop()
        height = float(d[a, b])
        keep, gone = min(a, b), max(a, b)
        # Lance-Williams for average linkage: the size-weighted mean of the two rows.
        row = (size[keep] * d[keep] + size[gone] * d[gone]) / (size[keep] + size[gone])
        d[keep], d[:, keep] = row, row
        d[gone], d[:, gone] = np.inf, np.inf
        d[keep, keep] = np.inf
        size[keep] += size[gone]
        active[gone] = False
        merges.append((keep, gone, height))
    # A stable sort keeps a merge after the ones that built its clusters (heights never decrease along them).
    return sorted(merges, key=lambda m: m[2])


def cut(n: int, merges: Sequence[tuple[int, int, float]], k: int) -> np.ndarray:
    """Cluster numbers 0..k-1 of n items after the lowest n-k merges (numbered in order of first member)."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _ in merges[: max(0, n - k)]:
        parent[root(b)] = root(a)
    roots = [root(i) for i in range(n)]
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(r, len(numbers)) for r in roots], dtype=int)


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient (-1..1): how much closer each item is to its own cluster than to the next."""
    ks = np.unique(labels)
    if len(ks) < 2:
        return -1.0
    mean_to = np.stack([distances[:, labels == k].mean(axis=1) for k in ks], axis=1)  # (n, clusters)
    counts = np.array([(labels == k).sum() for k in ks])
    own_idx = np.searchsorted(ks, labels)
    own_counts = counts[own_idx]
    a = mean_to[np.arange(len(labels)), own_idx] * own_counts / np.maximum(own_counts - 1, 1)  # leave itself out
    other = mean_to.copy()
    other[np.arange(len(labels)), own_idx] = np.inf
    b = other.min(axis=1)
    s = np.where(own_counts > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def cluster(vectors: np.ndarray, k: int | None, forced: bool = False) -> np.ndarray:
    """A cluster number per window: k voices, or (k None) the count in 2..5 with the best silhouette; unless
    `forced`, one voice when even the two most different groups are that close (a monologue)."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    # Long recordings: cluster an even subset (bounded memory and time), then give every window the voice
    # whose centre it is nearest.
    picked = np.linspace(0, n - 1, MAX_CLUSTERED).round().astype(int) if n > MAX_CLUSTERED else np.arange(n)
    d = cosine_distances(vectors[picked])
    merges = average_linkage(d)
    if not forced and merges and merges[-1][2] < ONE_VOICE_BELOW:
        k = 1
    elif k is None:
        lo, hi = ESTIMATE_RANGE
        best, best_score = lo, -np.inf
        for candidate in range(lo, min(hi, len(picked) - 1) + 1):
            labels = cut(len(picked), merges, candidate)
            if np.bincount(labels).min() < MIN_VOICE_SHARE * len(picked):
                continue
            score = silhouette(d, labels)
            if score > best_score:
                best, best_score = candidate, score
        k = best
    labels = cut(len(picked), merges, min(k, len(picked)))
    if len(picked) == n:
        return labels
    centres = np.stack([vectors[picked][labels == c].mean(axis=0) for c in range(labels.max() + 1)])
    return np.argmax(vectors @ centres.T, axis=1)


# -- turns --------------------------------------------------------------------------------------------


def turns_from_windows(windows: Sequence[tuple[float, float]], labels: Sequence[int],
                       speech: Sequence[tuple[float, float]], duration: float) -> list[list]:
    """Turns from labelled windows: each 10-ms speech frame goes to the voice most windows over it have
    (a tie or no window: the nearest window's centre), then smoothing and labels by first appearance."""
    if not len(windows) or not speech:
        return []
    n = int(np.ceil(duration / FRAME)) + 1
    k = int(max(labels)) + 1
    votes = np.zeros((n, k), dtype=np.float32)
    for (a, b), lab in zip(windows, labels):
        votes[int(round(a / FRAME)): int(round(b / FRAME)), lab] += 1
    centres = np.array([(a + b) / 2 for a, b in windows])
    order = np.argsort(centres)
    t = (np.arange(n) + 0.5) * FRAME
    pos = np.clip(np.searchsorted(centres[order], t), 1, len(order) - 1) if len(order) > 1 else np.zeros(n, int)
    if len(order) > 1:
        left, right = order[pos - 1], order[pos]
        nearest = np.where(np.abs(centres[left] - t) <= np.abs(centres[right] - t), left, right)
    else:
        nearest = np.zeros(n, dtype=int)
    nearest_label = np.asarray(labels)[nearest]
    votes[np.arange(n), nearest_label] += 0.5  # breaks ties, fills frames no window covers
    frame_voice = votes.argmax(axis=1)
    is_speech = np.zeros(n, dtype=bool)
    for a, b in speech:
        is_speech[int(round(a / FRAME)): int(round(b / FRAME))] = True
    raw: list[list] = []
    for voice, group in itertools.groupby(range(n), key=lambda i: int(frame_voice[i]) if is_speech[i] else -1):
        idx = list(group)
        if voice >= 0:
            raw.append([idx[0] * FRAME, (idx[-1] + 1) * FRAME, voice])
    return relabel(smooth(raw, duration))


def smooth(turns: list[list], duration: float | None = None) -> list[list]:
    """Join a voice's turns across pauses up to 0.3 s; a turn shorter than 0.3 s goes to the longer neighbour."""
    out = [list(t) for t in sorted(turns)]
    changed = True
    while changed:
        changed = False
        # Bridge: consecutive turns of one voice with a short pause between them.
        merged: list[list] = []
        for t in out:
            if merged and merged[-1][2] == t[2] and t[0] - merged[-1][1] <= BRIDGE:
                merged[-1][1] = max(merged[-1][1], t[1])
            else:
                merged.append(t)
        out = merged
        if len(out) < 2:
            break
        # Absorb the shortest short turn into a neighbour next to it in time (the longer one).
        short = [i for i, t in enumerate(out) if t[1] - t[0] < MIN_TURN]
        for i in sorted(short, key=lambda i: out[i][1] - out[i][0]):
            prev_ok = i > 0 and out[i][0] - out[i - 1][1] <= BRIDGE
            next_ok = i + 1 < len(out) and out[i + 1][0] - out[i][1] <= BRIDGE
            if not (prev_ok or next_ok):
                continue
            if prev_ok and next_ok:
                j = i - 1 if out[i - 1][1] - out[i - 1][0] >= out[i + 1][1] - out[i + 1][0] else i + 1
            else:
                j = i - 1 if prev_ok else i + 1
            out[i][2] = out[j][2]
            changed = True
            break
    return [[round(a, 3), round(b, 3), v] for a, b, v in out]


def relabel(turns: list[list]) -> list[list]:
    """Voices named "A", "B", ... in the order they first speak."""
    names: dict = {}
    for _, _, v in sorted(turns):
        names.setdefault(v, label(len(names)))
    return [[a, b, names[v]] for a, b, v in sorted(turns)]


def diarize(windows: Sequence[tuple[float, float]], vectors: np.ndarray, speech: Sequence[tuple[float, float]],
            duration: float, k: int | None = 2, forced: bool = False) -> list[list]:
    """Turns from the embeddings of verhalen.media.voices (k voices, or None: estimated in 2..5; see cluster)."""
    if len(windows) == 0:
        return []
    return turns_from_windows(windows, cluster(np.asarray(vectors), k, forced), speech, duration)


def voice_count(setting: int, people: Sequence[tuple[str, str]]) -> int | None:
    """How many voices to look for: the speaker_count setting when it is set (> 0; `verhalen diarize --speakers N`
    sets it), else 2, or estimated (None) when the story lists more than two people."""
    if setting > 0:
        return setting
    return None if len(people) > 2 else 2


# -- names --------------------------------------------------------------------------------------------


def talk_times(turns: Iterable[Sequence]) -> dict[str, float]:
    """Seconds each voice talks."""
    out: dict[str, float] = {}
    for start, end, voice in turns or []:
        out[voice] = out.get(voice, 0.0) + max(0.0, end - start)
    return out


def names_from_people(turns: Sequence[Sequence], people: Sequence[tuple[str, str]]) -> dict[str, str | None]:
    """A name per voice from the story's people (name, role):

    - two voices, one asker (interviewer or host) and one teller (narrator or guest): the one who talks
      less is the asker;
    - one person listed: the voice that talks most is that person;
    - otherwise every voice stays unnamed (None; pages show "Spreker A").
    """
    times = talk_times(turns)
    voices = sorted(times, key=lambda v: (-times[v], v))  # most talk first
    names: dict[str, str | None] = dict.fromkeys(sorted(times))
    if len(people) == 1 and voices:
        names[voices[0]] = people[0][0]
    elif len(people) == 2 and len(voices) == 2:
        askers = [p for p in people if p[1] in ASKING_ROLES]
        tellers = [p for p in people if p[1] in TELLING_ROLES]
        if len(askers) == 1 and len(tellers) == 1:
            names[voices[0]], names[voices[1]] = tellers[0][0], askers[0][0]
    return names


def shared_talk(previous: Sequence[Sequence], new: Sequence[Sequence]) -> dict[tuple[str, str], float]:
    """(new voice, previous voice) -> seconds both turns cover."""
    shared: dict[tuple[str, str], float] = {}
    for a0, a1, old in previous or []:
        for b0, b1, nv in new:
            overlap = min(a1, b1) - max(a0, b0)
            if overlap > 0:
                shared[(nv, old)] = shared.get((nv, old), 0.0) + overlap
    return shared


def match_voices(previous: Sequence[Sequence], new: Sequence[Sequence]) -> dict[str, str]:
    """Each new voice -> the previous voice it shares the most talk time with (one to one, largest first)."""
    shared = shared_talk(previous, new)
    out: dict[str, str] = {}
    for (nv, old), _ in sorted(shared.items(), key=lambda kv: -kv[1]):
        if nv not in out and old not in out.values():
            out[nv] = old
    return out


def follow_merges(previous: Sequence[Sequence], previous_voices: dict | None, new: Sequence[Sequence]) -> list[list]:
    """New turns with an editor's merges kept: a merge says two voices the stage heard are one person, so a new
    voice left without a match (match_voices is one to one) whose talk lies mostly in a voice an editor merged
    into becomes the new voice matched to that one, instead of coming back as a separate speaker."""
    merged_into = {v for v, e in (previous_voices or {}).items() if e.get("merged")}
    if not merged_into:
        return [list(t) for t in new]
    matched = match_voices(previous, new)
    by_old = {old: nv for nv, old in matched.items()}
    talk = talk_times(new)
    shared = shared_talk(previous, new)
    moved: dict[str, str] = {}
    for nv in talk:
        if nv in matched:
            continue
        olds = {old: t for (v, old), t in shared.items() if v == nv}
        if not olds:
            continue
        old = max(olds, key=olds.get)
        if old in merged_into and old in by_old and olds[old] > 0.5 * talk[nv]:
            moved[nv] = by_old[old]
    return smooth([[a, b, moved.get(v, v)] for a, b, v in new])


def voices_after_run(turns: Sequence[Sequence], people: Sequence[tuple[str, str]],
                     previous_turns: Sequence[Sequence] = (), previous_voices: dict | None = None) -> dict[str, dict]:
    """Story.voices for new turns: names from people, except that a voice matched to one an editor named keeps
    that name (and stays the editor's)."""
    names = names_from_people(turns, people)
    voices = {v: {"name": n, "by": AUTO} for v, n in names.items()}
    kept = {}
    for nv, old in match_voices(previous_turns, turns).items():
        before = (previous_voices or {}).get(old) or {}
        if before.get("by") == EDITOR:
            kept[nv] = {"name": before.get("name"), "by": EDITOR}
    for nv, entry in kept.items():
        # An editor's name moves to the matched voice; the same name given automatically elsewhere goes.
        for v in voices:
            if v not in kept and voices[v]["name"] is not None and voices[v]["name"] == entry["name"]:
                voices[v] = {"name": None, "by": AUTO}
        voices[nv] = entry
    return voices


# -- segments -----------------------------------------------------------------------------------------


@dataclass
class Piece:
    """A segment, or part of one, with its voice. `source` is the index of the segment it came from;
    `words` its words ([start, end, word, probability], unchanged); `text` None: the source's text as it is."""

    source: int
    start: float
    end: float
    words: list
    voice: str | None
    text: str | None = None


def voice_at(start: float, end: float, turns: Sequence[Sequence]) -> str | None:
    """The voice with the most talk over [start, end]; with none, the voice of the nearest turn."""
    if not turns:
        return None
    overlap: dict[str, float] = {}
    for a, b, v in turns:
        o = min(b, end) - max(a, start)
        if o > 0:
            overlap[v] = overlap.get(v, 0.0) + o
    if overlap:
        return max(overlap, key=lambda v: (overlap[v], -ord(v[0])))
    mid = (start + end) / 2
    return min(turns, key=lambda t: (max(t[0] - mid, mid - t[1], 0.0), t[0]))[2]


def split_at_turns(segments: Sequence[tuple[float, float, list]], turns: Sequence[Sequence]) -> list[Piece]:
    """Segments (start, end, words) cut where their words change voice.

    Each word goes to the voice it overlaps most; a run of words of one voice becomes one piece, cut at the
    word boundary (the piece before ends at its last word's end, the next starts at its first word's start;
    the outer edges stay the segment's). A segment without words gets the voice with most overlap.
    """
    out: list[Piece] = []
    for i, (start, end, words) in enumerate(segments):
        if not words:
            out.append(Piece(i, start, end, [], voice_at(start, end, turns)))
            continue
        voices = [voice_at(w[0], w[1], turns) for w in words]
        runs = [(v, [w for _, w in grp]) for v, grp in itertools.groupby(zip(voices, words), key=lambda p: p[0])]
        if len(runs) == 1:
            out.append(Piece(i, start, end, list(words), runs[0][0]))
            continue
        for n, (v, ws) in enumerate(runs):
            a = start if n == 0 else ws[0][0]
            b = end if n == len(runs) - 1 else ws[-1][1]
            out.append(Piece(i, a, max(b, a), ws, v, "".join(w[2] for w in ws)))
    return out


# -- evaluation ---------------------------------------------------------------------------------------


def der(reference: Sequence[Sequence], hypothesis: Sequence[Sequence], collar: float = 0.25) -> dict[str, float]:
    """Diarization error rate on 10-ms frames, one speaker at a time (no overlapped speech):
    (missed + false alarm + confusion) / reference speech, frames within `collar` of a reference
    boundary not scored, hypothesis voices mapped one to one onto reference speakers to agree most."""
    end = max([t[1] for t in list(reference) + list(hypothesis)] + [0.0])
    n = int(np.ceil(end / FRAME)) + 1
    ref_names = sorted({t[2] for t in reference})
    hyp_names = sorted({t[2] for t in hypothesis})
    ref = np.full(n, -1)
    hyp = np.full(n, -1)
    scored = np.ones(n, dtype=bool)
    c = int(round(collar / FRAME))
    for a, b, s in reference:
        i, j = int(round(a / FRAME)), int(round(b / FRAME))
        ref[i:j] = ref_names.index(s)
        if c:
            scored[max(0, i - c): i + c] = False
            scored[max(0, j - c): j + c] = False
    for a, b, s in hypothesis:
        hyp[int(round(a / FRAME)): int(round(b / FRAME))] = hyp_names.index(s)
    r, h = ref[scored], hyp[scored]
    total = int((r >= 0).sum())
    miss = int(((r >= 0) & (h < 0)).sum())
    false_alarm = int(((r < 0) & (h >= 0)).sum())
    both = (r >= 0) & (h >= 0)
    co = np.zeros((len(ref_names), max(1, len(hyp_names))))
    np.add.at(co, (r[both], h[both]), 1)
    best = 0.0
    if len(hyp_names) <= 7 and len(ref_names) <= 7:
        small, large = sorted([len(ref_names), len(hyp_names)])
        for perm in itertools.permutations(range(large), small):
            pairs = zip(range(small), perm) if len(ref_names) <= len(hyp_names) else zip(perm, range(small))
            best = max(best, sum(co[i, j] for i, j in pairs))
    else:  # greedy: fine for the counts a test or the bench uses
        used_r, used_h = set(), set()
        for i, j in sorted(np.ndindex(co.shape), key=lambda ij: -co[ij]):
            if i not in used_r and j not in used_h:
                best += co[i, j]
                used_r.add(i)
                used_h.add(j)
    confusion = int(both.sum() - best)
    rate = (miss + false_alarm + confusion) / total if total else 0.0
    return {"der": rate, "miss": miss / total if total else 0.0, "false_alarm": false_alarm / total if total else 0.0,
            "confusion": confusion / total if total else 0.0, "scored_seconds": total * FRAME}
