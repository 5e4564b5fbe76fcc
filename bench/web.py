"""Viewer benchmark: the real `verhalen serve` over a synthetic archive, loaded by concurrent HTTP clients.

    .venv/bin/python bench/web.py              # 1,000 h, 20 clients, 20 s per run, 1 and 2 server processes
    .venv/bin/python bench/web.py --quick      # 10 h, 5 s per run; docs not updated
    .venv/bin/python bench/web.py --keep DIR   # build the archive in DIR once, reuse it on later runs

Steps, each in its own process:
1. catalog: a temp archive home; verhalen.archive.Archive(settings) and the SQLAlchemy
   models of verhalen.catalog (Story, Segment, Recording, Series, Person, Credit,
   Theme, Place) filled with one 1-hour story per hour (status "ready", published,
   access "public"), transcripts from bench/search.py's seeded pseudo-Dutch generator
   (~450 segments of 20 words with word timings per hour); a few stories get a real
   listening copy at archive.derived(id, "listen.mp3"), made by ffmpeg from
   tests/data/en_market.wav (looped to 5 minutes, 128 kb/s).
2. reindex: verhalen.index_sync.rebuild(archive) (what `verhalen reindex` runs),
   timed, with its peak RSS.
3. serve: `python -m verhalen.cli --home HOME serve --processes N --no-worker` (the
   product's own command: waitress, 8 threads per process, the page cache on) on
   127.0.0.1 and a free port, once per N in --processes, each time a fresh server.
4. load (this process): client threads, each with its own keep-alive http.client
   connection and `Accept-Encoding: gzip` (as every browser sends), request one kind
   of URL for a fixed time; latency is request sent -> whole body read. The runs, in
   order, on the fresh server: random story pages while nothing is cached yet (first
   views), then a crawl of every story page (what a search engine or a day of
   visitors does), then random story pages again, 5 popular ones, one search over
   and over, a different search word each time (mostly first-time queries), and
   256-KiB Range requests on a listening copy. Each run reports the share of
   responses the page cache answered (its X-Cache header). Loopback only; the
   clients share the 2 cores with the server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import importlib.util
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _common as C  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = C.ROOT / "tests" / "data"
SEARCH_WORD = "eigenlijk"
RANGE_BYTES = 256 * 1024
MEDIA_STORIES = 5
THREADS = 8
POPULAR = 5  # stories viewed again and again
VARIED_WORDS = 3000  # the varied search draws from this many words of the generator's vocabulary
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def bench_search():
    """bench/search.py as a module (its seeded corpus generator)."""
    spec = importlib.util.spec_from_file_location("bench_search", HERE / "search.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_settings(home: Path):
    from verhalen import settings as settings_mod

    return settings_mod.load(home, env={})


# -- step 1: catalog -------------------------------------------------------------

def stage_catalog(home: Path, hours: int) -> dict:
    from sqlalchemy import insert

    from media.audio import ffmpeg_binary
    from verhalen.archive import Archive
    from verhalen.catalog import Credit, Person, Place, Recording, Segment, Series, Story, StoryPlace, StoryTheme, Theme

    bs = bench_search()
    t0 = time.perf_counter()
    corpus = home.parent / "corpus.jsonl"
    bs.generate(corpus, hours)
    gen_s = time.perf_counter() - t0
    settings = load_settings(home)
    archive = Archive(settings)
    t0 = time.perf_counter()
    with archive.session() as s:
        s.execute(insert(Series), [{"id": i + 1, "name": n, "slug": n, "description": f"Serie {n}"}
                                   for i, n in enumerate(bs.SERIES)])
        s.execute(insert(Person), [{"id": i + 1, "name": n, "slug": n, "bio": ""} for i, n in enumerate(bs.PEOPLE)])
        s.execute(insert(Theme), [{"id": i + 1, "name": n, "slug": n} for i, n in enumerate(bs.THEMES)])
        s.execute(insert(Place), [{"id": i + 1, "name": n, "slug": n} for i, n in enumerate(bs.PLACES)])
        s.commit()
        series_id = {n: i + 1 for i, n in enumerate(bs.SERIES)}
        person_id = {n: i + 1 for i, n in enumerate(bs.PEOPLE)}
        theme_id = {n: i + 1 for i, n in enumerate(bs.THEMES)}
        place_id = {n: i + 1 for i, n in enumerate(bs.PLACES)}
        segments = 0
        batch: dict[str, list] = {k: [] for k in ("stories", "recordings", "credits", "themes", "places", "segs")}

        def flush():
            for model, key in ((Story, "stories"), (Recording, "recordings"), (Credit, "credits"),
                               (StoryTheme, "themes"), (StoryPlace, "places"), (Segment, "segs")):
                if batch[key]:
                    s.execute(insert(model), batch[key])
                    batch[key].clear()
            s.commit()

        for d in bs.read_stories(corpus, 1, hours):
            sid = d["id"]
            batch["stories"].append({
                "id": sid, "slug": f"verhaal-{sid}", "title": d["title"], "description": "Een verhaal.",
                "recorded": dt.date(d["year"], 6, 1), "access": "public", "published": True,
                "series_id": series_id[d["series"]], "language": d["languages"][0], "language_source": "given",
                "status": "ready"})
            batch["recordings"].append({
                "story_id": sid, "sha256": f"{sid:064x}", "original_name": f"verhaal-{sid}.wav", "size": 115_200_000,
                "container": "wav", "codec": "pcm_s16le", "duration": d["segs"][-1][1], "sample_rate": 16000,
                "channels": 1, "has_video": False, "tags": {}, "warnings": []})
            batch["credits"] += [{"story_id": sid, "person_id": person_id[p], "role": "narrator"} for p in d["people"]]
            batch["themes"] += [{"story_id": sid, "theme_id": theme_id[t], "source": "editor"} for t in d["themes"]]
            batch["places"] += [{"story_id": sid, "place_id": place_id[p]} for p in d["places"]]
            for start, end, text, starts in d["segs"]:
                ws = text.split(" ")
                ends = starts[1:] + [end]
                batch["segs"].append({
                    "story_id": sid, "start": start, "end": end, "text": " " + text, "language": d["languages"][0],
                    "avg_logprob": -0.3, "no_speech_prob": 0.01,
                    "words": [[st, en, " " + w, 0.9] for st, en, w in zip(starts, ends, ws)],
                    "redacted": False, "version": 1})
                segments += 1
            if sid % 50 == 0:
                flush()
        flush()
    catalog_s = time.perf_counter() - t0
    # Real listening copies for a few stories (Range requests need a file).
    mp3 = home.parent / "listen.mp3"
    subprocess.run([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y", "-stream_loop", "29",
                    "-i", str(DATA / "en_market.wav"), "-c:a", "libmp3lame", "-b:a", "128k", str(mp3)], check=True)
    media = list(range(1, min(hours, MEDIA_STORIES) + 1))
    for sid in media:
        dst = archive.derived(sid, "listen.mp3")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mp3, dst)
    db = home / "catalog.sqlite"
    archive.close()
    return {"stories": hours, "segments": segments, "generate_s": gen_s, "catalog_s": catalog_s,
            "catalog_mb": db.stat().st_size / 1e6 if db.exists() else None, "media": media,
            "mp3_bytes": mp3.stat().st_size, "rss_mb": C.peak_rss_mb()}


# -- step 2: reindex ----------------------------------------------------------------

def stage_reindex(home: Path) -> dict:
    from verhalen.archive import Archive
    from verhalen.index_sync import REBUILD_BATCH, rebuild

    archive = Archive(load_settings(home), create=False)
    rss0 = C.peak_rss_mb()
    t0 = time.perf_counter()
    stories, segments = rebuild(archive)
    took = time.perf_counter() - t0
    size = archive.index.size_bytes() if hasattr(archive.index, "size_bytes") else None
    archive.close()
    return {"reindex_s": took, "stories": stories, "segments": segments, "rss_before_mb": rss0,
            "rss_mb": C.peak_rss_mb(), "index_mb": size / 1e6 if size else None, "batch": REBUILD_BATCH}


# -- step 3: serve --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_stage(args: list[str], timeout: float) -> dict:
    cmd = [sys.executable, __file__, *args]
    print(f"[{C.now()}] {' '.join(args)} ...", file=sys.stderr, flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        sys.exit(f"stage {args} failed:\n{p.stderr[-4000:]}")
    res = json.loads(p.stdout.strip().splitlines()[-1])
    print(json.dumps(res), file=sys.stderr, flush=True)
    return res


# -- step 4: load ---------------------------------------------------------------------

def load(port: int, name: str, make_request, clients: int, seconds: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, for `seconds`; latencies in ms."""
    lat: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    body_bytes = [0] * clients
    hits = [0] * clients
    start_evt = threading.Event()
    deadline = [0.0]

    def worker(i: int):
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start_evt.wait()
        while time.perf_counter() < deadline[0]:
            path, headers, expect = make_request(rng)
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as e:
                errors.append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            lat[i].append((time.perf_counter() - t) * 1e3)
            body_bytes[i] += len(body)
            hits[i] += resp.getheader("X-Cache") == "HIT"
            if resp.status != expect:
                errors.append(f"{path}: HTTP {resp.status}")
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    deadline[0] = t0 + seconds
    start_evt.set()
    for t in threads:
        t.join(seconds + 60)
    wall = time.perf_counter() - t0
    xs = [x for per in lat for x in per]
    res = {"endpoint": name, "requests": len(xs), "errors": len(errors), "error_sample": errors[:3],
           "rps": len(xs) / wall, "p50_ms": C.percentile(xs, 50), "p95_ms": C.percentile(xs, 95),
           "p99_ms": C.percentile(xs, 99), "max_ms": max(xs) if xs else float("nan"),
           "mean_body_kb": sum(body_bytes) / max(1, len(xs)) / 1024, "hit_pct": 100 * sum(hits) / max(1, len(xs))}
    print(f"[{C.now()}] {name}: {json.dumps(res)}", file=sys.stderr, flush=True)
    return res


def start_server(home: Path, port: int, processes: int, log) -> subprocess.Popen:
    """`verhalen serve` as a user starts it (no job worker: nothing to process)."""
    cmd = [sys.executable, "-m", "verhalen.cli", "--home", str(home), "serve", "--port", str(port),
           "--threads", str(THREADS), "--processes", str(processes), "--no-worker"]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, cwd=C.ROOT)
    t0 = time.perf_counter()
    while True:
        if server.poll() is not None:
            sys.exit(f"server exited with {server.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/robots.txt")  # not a story page: the story runs start uncached
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return server
            sys.exit(f"robots.txt answered HTTP {r.status}")
        except OSError:
            if time.perf_counter() - t0 > 120:
                sys.exit("server did not answer within 120 s")
            time.sleep(0.2)


def crawl(port: int, paths: list[str], passes: int, connections: int) -> dict:
    """Every path `passes` times, each on a new connection (so every server process gets its turn)."""
    todo = [p for _ in range(passes) for p in paths]
    lock = threading.Lock()
    t0 = time.perf_counter()

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                path = todo.pop()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", path, headers={**BROWSER, "Connection": "close"})
            r = c.getresponse()
            r.read()
            c.close()
            assert r.status == 200, (path, r.status)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": passes * len(paths), "seconds": time.perf_counter() - t0}


def cpu_seconds(proc) -> float:
    import psutil

    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def build(home: Path, hours: int, kept: Path | None) -> tuple[dict, dict]:
    """The archive (catalog + index), or the one built before in --keep DIR."""
    record = kept / "build.json" if kept else None
    if record and record.exists():
        saved = json.loads(record.read_text())
        if saved["hours"] == hours:
            print(f"[{C.now()}] reusing the archive in {home}", file=sys.stderr)
            return saved["catalog"], saved["reindex"]
        sys.exit(f"{kept} holds a {saved['hours']}-h archive; remove it or pass --hours {saved['hours']}")
    cat = run_stage(["--stage", "catalog", "--home", str(home), "--hours", str(hours)], timeout=3600)
    rei = run_stage(["--stage", "reindex", "--home", str(home)], timeout=3600)
    if record:
        record.write_text(json.dumps({"hours": hours, "catalog": cat, "reindex": rei}))
    return cat, rei


def runs_for(hours: int, media: list[int], size: int) -> list[tuple]:
    """(name, request label, make_request, target p95 ms or None, before-hook name, clients or None for the
    --clients given) in the order they run."""
    bs = bench_search()
    import numpy as np

    vocab = bs.pseudo_vocab(np.random.default_rng(bs.SEED))[len(bs.FUNCTION_WORDS):][:VARIED_WORDS]

    def story(rng):
        return f"/verhaal/verhaal-{rng.randint(1, hours)}", BROWSER, 200

    def popular(rng):
        return f"/verhaal/verhaal-{rng.randint(1, min(hours, POPULAR))}", BROWSER, 200

    def search(rng):
        return f"/zoeken?q={SEARCH_WORD}", BROWSER, 200

    def varied(rng):
        return f"/zoeken?q={rng.choice(vocab)}", BROWSER, 200

    def ranged(rng):
        lo = rng.randrange(0, size - RANGE_BYTES)
        return (f"/media/verhaal-{rng.choice(media)}/listen.mp3",
                {"Range": f"bytes={lo}-{lo + RANGE_BYTES - 1}"}, 206)

    def manifest(rng):
        return f"/iiif/verhaal-{rng.randint(1, hours)}/manifest.json", {"Accept-Encoding": "gzip"}, 200

    def harvest(rng):
        return "/oai?verb=ListRecords&metadataPrefix=oai_dc", {"Accept-Encoding": "gzip"}, 200

    return [
        ("story page, first views", "/verhaal/<slug>, random of all, fresh server", story, 50.0, None, None),
        ("story page", "/verhaal/<slug>, random of all, after the crawl", story, 50.0, "crawl", None),
        ("story page, popular", f"/verhaal/<slug>, random of the first {POPULAR}", popular, 50.0, None, None),
        ("search page", f"/zoeken?q={SEARCH_WORD}", search, 150.0, None, None),
        ("search page, varied", f"/zoeken?q=<word>, random of {len(vocab):,} words", varied, 150.0, None, None),
        ("listening copy, Range", f"/media/<slug>/listen.mp3, Range of {RANGE_BYTES // 1024} KiB", ranged, None,
         None, None),
        ("IIIF manifest", "/iiif/<slug>/manifest.json, random of all", manifest, 100.0, None, None),
        # A harvester asks for one page after the other: one client, the first page of 1,000 records over and over.
        ("OAI-PMH ListRecords, 1 harvester", "/oai?verb=ListRecords&metadataPrefix=oai_dc (1,000 records)",
         harvest, 100.0, None, 1),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=int, default=1000, help="archive size: one 1-hour story per hour (default 1000)")
    ap.add_argument("--quick", action="store_true", help="10 h, 5 s per run; docs not touched")
    ap.add_argument("--clients", type=int, default=20, help="concurrent client threads (default 20, max 64)")
    ap.add_argument("--seconds", type=float, default=20, help="load time per run (default 20, max 120)")
    ap.add_argument("--processes", default="1,2", help="server process counts to measure, comma-separated (default 1,2)")
    ap.add_argument("--keep", metavar="DIR", help="build the archive in DIR (or reuse the one there) instead of a temp dir")
    ap.add_argument("--only", default="", help="comma-separated name substrings: only these runs (docs not touched)")
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.stage == "catalog":
        print(json.dumps(stage_catalog(Path(a.home), a.hours)))
        return
    if a.stage == "reindex":
        print(json.dumps(stage_reindex(Path(a.home))))
        return
    hours = 10 if a.quick else a.hours
    seconds = min(120.0, 5.0 if a.quick else a.seconds)
    clients = max(1, min(64, a.clients))
    process_counts = [max(1, min(8, int(x))) for x in a.processes.split(",")]

    import psutil

    kept = Path(a.keep).resolve() if a.keep else None
    tmp = kept or Path(tempfile.mkdtemp(prefix="verhalen-bench-web-"))
    tmp.mkdir(parents=True, exist_ok=True)
    home = tmp / "home"
    results, servers = [], []
    server = None
    me = psutil.Process()
    try:
        cat, rei = build(home, hours, kept)
        media, size = cat["media"], cat["mp3_bytes"]
        runs = runs_for(hours, media, size)
        if a.only:
            runs = [r for r in runs if any(w.strip() and w.strip() in r[0] for w in a.only.split(","))]
        for n in process_counts:
            port = free_port()
            log_path = tmp / f"server-{n}.log"
            log = log_path.open("wb")
            t0 = time.perf_counter()
            server = start_server(home, port, n, log)
            start_s = time.perf_counter() - t0
            sproc = psutil.Process(server.pid)
            rss = [0]
            stop = threading.Event()

            def sample():
                while not stop.wait(0.1):
                    try:
                        rss.append(sum(p.memory_info().rss for p in [sproc, *sproc.children(recursive=True)]))
                    except psutil.Error:
                        pass

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            crawled = None
            for name, label, mk, target, before, run_clients in runs:
                if before == "crawl":
                    crawled = crawl(port, [f"/verhaal/verhaal-{i}" for i in range(1, hours + 1)],
                                    passes=2 * n, connections=4 * n)
                server_cpu, client_cpu = cpu_seconds(sproc), sum(me.cpu_times()[:2])
                r = load(port, name, mk, run_clients or clients, seconds)
                wall = seconds
                r.update(label=label, clients=run_clients or clients, processes=n, target=target,
                         server_cpu_pct=100 * (cpu_seconds(sproc) - server_cpu) / wall,
                         client_cpu_pct=100 * (sum(me.cpu_times()[:2]) - client_cpu) / wall)
                results.append(r)
            stop.set()
            sampler.join()
            server.terminate()
            server.wait(30)
            log.close()
            text = log_path.read_text(errors="replace")
            i = text.find("Traceback")
            servers.append({"processes": n, "start_s": start_s, "peak_rss_mb": max(rss) / 2**20, "crawl": crawled,
                            "traceback": text[i:i + 3000] if i >= 0 else ""})
            server = None
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not kept:
            shutil.rmtree(tmp, ignore_errors=True)

    def yn(ok):
        return "yes" if ok else "**no**"

    rows = []
    for r in results:
        tgt = r["target"]
        rows.append([str(r["processes"]), r["endpoint"], f"`{r['label']}`" if r["label"].startswith("/") else r["label"],
                     f"{r['p50_ms']:.0f}", f"{r['p95_ms']:.0f}", f"{r['p99_ms']:.0f}", f"{r['max_ms']:.0f}",
                     f"{r['rps']:.0f}", f"{r['requests']:,}", str(r["errors"]), f"{r['mean_body_kb']:.0f}",
                     f"{r['hit_pct']:.0f}", f"{r['server_cpu_pct']:.0f} / {r['client_cpu_pct']:.0f}",
                     f"≤ {tgt:.0f} ms: {yn(r['p95_ms'] <= tgt)}" if tgt else "none"])
    body = C.table(["server processes", "run", "request", "p50 ms", "p95 ms", "p99 ms", "max ms", "requests/s",
                    "requests", "errors", "body KiB", "cache hits %", "CPU % server / clients", "p95 target"], rows)
    setup_rows = [
        ["stories / segments in the catalog", f"{cat['stories']:,} / {cat['segments']:,}"],
        ["catalog fill (SQLAlchemy Core inserts, s) / catalog.sqlite (MB)", f"{cat['catalog_s']:.0f} / {cat['catalog_mb']:,.0f}"],
        [f"`verhalen.index_sync.rebuild` (writes of {rei['batch']} stories, s)", f"{rei['reindex_s']:.0f}"],
        ["peak RSS of the rebuild process (MB)", f"{rei['rss_mb']:,.0f} (before rebuild: {rei['rss_before_mb']:,.0f})"],
        ["index size (MB)", f"{rei['index_mb']:,.0f}" if rei.get("index_mb") else "n/a"],
    ]
    for sv in servers:
        n = sv["processes"]
        setup_rows += [
            [f"{n} process(es): `verhalen serve` start to first answer (s)", f"{sv['start_s']:.1f}"],
            *([[f"{n} process(es): crawl of every story page ({sv['crawl']['requests']:,} requests, "
                f"{4 * n} connections, s)", f"{sv['crawl']['seconds']:.0f}"]] if sv["crawl"] else []),
            [f"{n} process(es): peak RSS of the server, all processes (MB)", f"{sv['peak_rss_mb']:,.0f}"],
        ]
    setup = C.table(["measure", "value"], setup_rows)
    errs = [f"{r['endpoint']} ({r['processes']} processes): {r['errors']} errors, e.g. {r['error_sample'][0]}"
            for r in results if r["errors"]]
    tracebacks = [sv["traceback"] for sv in servers if sv["traceback"]]
    out = "\n".join([body, "", setup] + (["", "Errors: " + "; ".join(errs) + "."] if errs else [])
                    + (["", "First server traceback:", "", "```", tracebacks[0].strip()[-2500:], "```"] if tracebacks else []))
    print(out)
    if not (a.quick or a.no_docs):
        # A run of some kinds of request only (--only) gets its own section: the full table stays as measured.
        C.update_section("web-only" if a.only else "web", "\n".join([
            *C.heading(f"Viewer under load, only {a.only} (`bench/web.py --only`)" if a.only
                       else "Viewer under load (`bench/web.py`)"),
            f"Archive: {hours:,} one-hour stories (synthetic pseudo-Dutch transcripts from bench/search.py's "
            "generator, ~450 segments of 20 words with word timings each) in the SQLite catalog, written with "
            "the verhalen.catalog models; the index made by `verhalen.index_sync.rebuild`; "
            f"{len(media)} stories have a real 5-min 128 kb/s listen.mp3. Server: `verhalen serve --processes N "
            f"--no-worker` ({THREADS} waitress threads per process, default settings: the page cache on) on 127.0.0.1, "
            f"a fresh server for each N. Load: {clients} client threads (http.client, keep-alive, "
            f"`Accept-Encoding: gzip` like a browser, no think time) in another process for {seconds:.0f} s per run, "
            "in the order shown; latency = request sent to whole body read. The crawl before the second run "
            "requests every story page 2×N times on new connections. \"cache hits\" = share of responses with "
            "`X-Cache: HIT`; CPU % = CPU seconds per wall second × 100 (200 = both cores). The clients share "
            "the 2 cores with the server, so figures are a floor for this machine, not a server-only measure. "
            "Smoke run: `.venv/bin/python bench/web.py --quick` (10 h, 5 s per run, docs untouched).", "",
            out,
        ]))


if __name__ == "__main__":
    main()
