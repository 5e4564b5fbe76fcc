"""Viewer benchmark: a real waitress server over a synthetic archive, loaded by concurrent HTTP clients.

    .venv/bin/python bench/web.py              # 1,000 h, 20 clients, 20 s per endpoint
    .venv/bin/python bench/web.py --quick      # 10 h, 5 s per endpoint; docs not updated

Steps, each in its own process (one at a time):
1. catalog: a temp archive home; verhalen.archive.Archive(settings) and the SQLAlchemy
   models of verhalen.catalog (Story, Segment, Recording, Series, Person, Credit,
   Theme, Place) filled with one 1-hour story per hour (status "ready", published,
   access "public"), transcripts from bench/search.py's seeded pseudo-Dutch generator
   (~450 segments of 20 words with word timings per hour); a few stories get a real
   listening copy at archive.derived(id, "listen.mp3"), made by ffmpeg from
   tests/data/en_market.wav (looped to 5 minutes, 128 kb/s).
2. reindex: verhalen.indexing.rebuild(archive) (what `verhalen reindex` runs),
   timed, with its peak RSS.
3. serve: waitress.serve(verhalen.web.create_app(settings, archive)) on 127.0.0.1 and
   a free port, 8 threads (the `verhalen serve` default).
4. load (this process): N client threads, each with its own keep-alive
   http.client connection, request one endpoint for a fixed time; latency is
   request sent -> whole body read. Endpoints: the story page /verhaal/<slug>
   (a random story each time), the search page /zoeken?q=eigenlijk (a word in
   every story), and a 256-KiB Range request on /media/<slug>/listen.mp3 at a
   random offset. Loopback only; the clients share the 2 cores with the server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import importlib.util
import json
import os
import random
import shutil
import signal
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
TARGETS = {"story page": 50.0, "story page, popular": 50.0, "search page": 150.0}
POPULAR = 5  # stories viewed again and again (the viewer caches a story's rendered transcript)


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
    from verhalen.indexing import REBUILD_BATCH, rebuild

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

def stage_serve(home: Path, port: int) -> None:
    from waitress import serve

    from verhalen.archive import Archive
    from web import create_app

    settings = load_settings(home)
    archive = Archive(settings, create=False)
    app = create_app(settings, archive)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    serve(app, host="127.0.0.1", port=port, threads=THREADS, ident="verhalen-bench", _quiet=True)


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
           "mean_body_kb": sum(body_bytes) / max(1, len(xs)) / 1024}
    print(f"[{C.now()}] {name}: {json.dumps(res)}", file=sys.stderr, flush=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=int, default=1000, help="archive size: one 1-hour story per hour (default 1000)")
    ap.add_argument("--quick", action="store_true", help="10 h, 5 s per endpoint; docs not touched")
    ap.add_argument("--clients", type=int, default=20, help="concurrent client threads (default 20, max 64)")
    ap.add_argument("--seconds", type=float, default=20, help="load time per endpoint (default 20, max 120)")
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.stage == "catalog":
        print(json.dumps(stage_catalog(Path(a.home), a.hours)))
        return
    if a.stage == "reindex":
        print(json.dumps(stage_reindex(Path(a.home))))
        return
    if a.stage == "serve":
        stage_serve(Path(a.home), a.port)
        return
    hours = 10 if a.quick else a.hours
    seconds = min(120.0, 5.0 if a.quick else a.seconds)
    clients = max(1, min(64, a.clients))

    import psutil

    tmp = Path(tempfile.mkdtemp(prefix="verhalen-bench-web-"))
    home = tmp / "home"
    server = None
    try:
        cat = run_stage(["--stage", "catalog", "--home", str(home), "--hours", str(hours)], timeout=3600)
        rei = run_stage(["--stage", "reindex", "--home", str(home)], timeout=3600)
        port = free_port()
        log = (tmp / "server.log").open("wb")
        server = subprocess.Popen([sys.executable, __file__, "--stage", "serve", "--home", str(home),
                                   "--port", str(port)], stdout=subprocess.DEVNULL, stderr=log)
        sproc = psutil.Process(server.pid)
        t0 = time.perf_counter()
        while True:
            if server.poll() is not None:
                sys.exit("server exited:\n" + (tmp / "server.log").read_text()[-3000:])
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/verhaal/verhaal-1")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    break
                sys.exit(f"story page answered HTTP {r.status}")
            except OSError:
                if time.perf_counter() - t0 > 120:
                    sys.exit("server did not answer within 120 s")
                time.sleep(0.2)
        first_page_s = time.perf_counter() - t0
        media = cat["media"]
        size = cat["mp3_bytes"]

        def story_req(rng):
            return f"/verhaal/verhaal-{rng.randint(1, hours)}", {}, 200

        def popular_req(rng):
            return f"/verhaal/verhaal-{rng.randint(1, min(hours, POPULAR))}", {}, 200

        def search_req(rng):
            return f"/zoeken?q={SEARCH_WORD}", {}, 200

        def range_req(rng):
            lo = rng.randrange(0, size - RANGE_BYTES)
            return (f"/media/verhaal-{rng.choice(media)}/listen.mp3",
                    {"Range": f"bytes={lo}-{lo + RANGE_BYTES - 1}"}, 206)

        endpoints = [("story page", "/verhaal/<slug> (random of all stories)", story_req),
                     ("story page, popular", f"/verhaal/<slug> (random of the first {POPULAR} stories)", popular_req),
                     ("search page", f"/zoeken?q={SEARCH_WORD}", search_req),
                     ("listening copy, Range", f"/media/<slug>/listen.mp3, Range of {RANGE_BYTES // 1024} KiB", range_req)]
        # Warm-up: each endpoint a few times, untimed (first search opens the index searcher).
        warm = {}
        for name, _, mk in endpoints:
            rng = random.Random(99)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            times = []
            for _ in range(3):
                path, headers, expect = mk(rng)
                t = time.perf_counter()
                c.request("GET", path, headers=headers)
                r = c.getresponse()
                body = r.read()
                times.append((time.perf_counter() - t) * 1e3)
                assert r.status == expect, (path, r.status, body[:300])
            c.close()
            warm[name] = times
        server_rss = [sproc.memory_info().rss]
        stop = threading.Event()

        def sample():
            while not stop.wait(0.1):
                try:
                    server_rss.append(sproc.memory_info().rss)
                except psutil.Error:
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        load_before = os.getloadavg()[0]
        results = []
        for n_clients, secs in ((1, min(seconds, 5.0)), (clients, seconds)):
            for name, label, mk in endpoints:
                r = load(port, name, mk, n_clients, secs)
                r["label"], r["clients"] = label, n_clients
                results.append(r)
        stop.set()
        sampler.join()
        server_peak = max(server_rss) / 2**20
        load_after = os.getloadavg()[0]
        # The first server-side traceback, if any request failed.
        log.flush()
        text = (tmp / "server.log").read_text(errors="replace")
        i = text.find("Traceback")
        server_error = text[max(0, text.rfind("\n", 0, max(0, i - 200))):i + 3000] if i >= 0 else ""
        if server_error:
            print("server log:\n" + server_error, file=sys.stderr)
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    def yn(ok):
        return "yes" if ok else "**no**"

    rows = []
    for r in results:
        tgt = TARGETS.get(r["endpoint"])
        rows.append([r["endpoint"], r["clients"], f"`{r['label']}`" if r["label"].startswith("/") else r["label"],
                     f"{r['p50_ms']:.0f}", f"{r['p95_ms']:.0f}", f"{r['p99_ms']:.0f}", f"{r['max_ms']:.0f}",
                     f"{r['rps']:.1f}", f"{r['requests']:,}", str(r["errors"]), f"{r['mean_body_kb']:.0f}",
                     (f"≤ {tgt:.0f} ms: {yn(r['p95_ms'] <= tgt)}" if r["clients"] == clients else f"({tgt:.0f} ms)")
                     if tgt else "none"])
    body = C.table(["endpoint", "clients", "request", "p50 ms", "p95 ms", "p99 ms", "max ms", "requests/s", "requests",
                    "errors", "body KiB", "p95 target"], rows)
    first = {k: ", ".join(f"{x:.0f}" for x in v) for k, v in warm.items()}
    setup = C.table(["measure", "value"], [
        ["stories / segments in the catalog", f"{cat['stories']:,} / {cat['segments']:,}"],
        ["catalog fill (SQLAlchemy Core inserts, s) / catalog.sqlite (MB)", f"{cat['catalog_s']:.0f} / {cat['catalog_mb']:,.0f}"],
        [f"`verhalen.indexing.rebuild` (writes of {rei['batch']} stories, s)", f"{rei['reindex_s']:.0f}"],
        ["peak RSS of the rebuild process (MB)", f"{rei['rss_mb']:,.0f} (before rebuild: {rei['rss_before_mb']:,.0f})"],
        ["index size (MB)", f"{rei['index_mb']:,.0f}" if rei.get("index_mb") else "n/a"],
        ["server start to first story page (s)", f"{first_page_s:.1f}"],
        ["warm-up requests, ms (" + " / ".join(n for n, _, _ in endpoints) + ")",
         " / ".join(first[n] for n, _, _ in endpoints)],
        ["peak RSS of the server during the load (MB)", f"{server_peak:,.0f}"],
        ["machine load average (1 min) before / after the load runs", f"{load_before:.1f} / {load_after:.1f}"],
    ])
    errs = [f"{r['endpoint']} ({r['clients']} clients): {r['errors']} errors, e.g. {r['error_sample'][0]}"
            for r in results if r["errors"]]
    out = "\n".join([body, "", setup] + (["", "Errors: " + "; ".join(errs) + "."] if errs else [])
                    + (["", "First server traceback:", "", "```", server_error.strip()[-2500:], "```"] if server_error else []))
    print(out)
    if not (a.quick or a.no_docs):
        C.update_section("web", "\n".join([
            *C.heading("Viewer under load (`bench/web.py`)"),
            f"Archive: {hours:,} one-hour stories (synthetic pseudo-Dutch transcripts from bench/search.py's "
            "generator, ~450 segments of 20 words with word timings each) in the SQLite catalog, written with "
            "the verhalen.catalog models; the index made by `verhalen.indexing.rebuild`; "
            f"{len(media)} stories have a real 5-min 128 kb/s listen.mp3. Server: `waitress.serve(create_app(settings, "
            f"archive), threads={THREADS})` on 127.0.0.1 in its own process. Load: {clients} client threads "
            f"(http.client, keep-alive, no think time) in another process for {seconds:.0f} s per endpoint, one endpoint at a "
            "time, after 3 untimed warm-up requests each and a 5-s single-client run (the unloaded service time); latency = request sent to whole body read. "
            "The clients share the 2 cores with the server, so figures are a floor for this machine, not "
            "a server-only measure. Smoke run: `.venv/bin/python bench/web.py --quick` (10 h, 5 s per endpoint, "
            "docs untouched).", "",
            out,
        ]))


if __name__ == "__main__":
    main()
