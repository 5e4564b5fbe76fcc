"""Two editors saving the same thing from the same version at the same moment: exactly one lands.

Real concurrent requests against a real waitress server, on SQLite and on PostgreSQL, for every kind
of edit. Before the version check moved into the UPDATE (Segment.version_id_col, Story.meta_version),
both saves got 200 in most rounds and one correction was silently lost.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from helpers import PASSWORD, LiveServer, Postgres, ffmpeg_make
from verhalen import catalog, lifecycle, outbox, users
from verhalen import settings as settings_mod
from verhalen.archive import Archive
from verhalen.catalog import Segment, Story

ROUNDS = 4
SLUG = "twee-stemmen"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One editor's browser: its own cookies, real HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def request(self, path: str, data: dict | None = None, json: bool = False) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if json:
            req.add_header("Accept", "application/json")
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def token(self, path: str = "/editor/") -> str:
        page = self.request(path)[1]
        m = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'name="csrf-token" content="([^"]+)"', page)
        return m.group(1)

    def login(self, name: str) -> None:
        status, _ = self.request("/login", {"name": name, "password": PASSWORD, "csrf_token": self.token("/login")})
        assert status == 302


def seed(archive: Archive) -> None:
    """A finished story with six timed passages over a real one-minute recording (its listening copies made
    by the real audio stage; no transcription needed) and two editors."""
    from verhalen import pipeline

    tone = ffmpeg_make(archive.settings.home.parent / "twee-stemmen.wav", "-f", "lavfi", "-i",
                       "sine=frequency=220:duration=60", "-ac", "1", "-ar", "16000")
    sid = pipeline.accept(archive, tone, pipeline.StoryMeta(title="Twee stemmen", language="nl"))
    with archive.session() as s:
        st = s.get(Story, sid)
        pipeline.stage_audio(archive, s, st, None)
        st.status, st.language = "ready", "nl"
        for i in range(6):
            words = [[i * 10 + k, i * 10 + k + 0.9, f" woord{i}x{k}", 0.9] for k in range(4)]
            st.segments.append(Segment(start=i * 10, end=i * 10 + 9, text="".join(w[2] for w in words),
                                       language="nl", words=words, avg_logprob=-0.3))
        for name in lifecycle.STAGES:
            st.stage(name).state = "done"
        outbox.note(s, st.id)
        for name in ("esseline", "karim"):
            users.add(s, name, PASSWORD, "editor")
        s.commit()
    outbox.apply(archive)


def versions(archive: Archive, most_words: bool = False) -> list[tuple[int, int]]:
    """(id, version) of the shown passages, in order (or the wordiest first, for a split)."""
    with archive.session() as s:
        segs = [seg for seg in archive.story(s, SLUG).segments if not seg.redacted]
        if most_words:
            segs.sort(key=lambda seg: -len(seg.words))
        return [(seg.id, seg.version) for seg in segs]


def meta_version(archive: Archive) -> int:
    with archive.session() as s:
        return archive.story(s, SLUG).meta_version


def at_once(calls) -> list[int]:
    """Run the calls in threads released by one barrier; their HTTP statuses."""
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def go(i, call):
        barrier.wait()
        out[i] = call()

    threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return [status for status, _ in out]


@pytest.fixture(scope="module")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path, model_dir, make_app):
    url = request.getfixturevalue("postgres").url if request.param == "postgresql" else ""
    if url:  # a fresh database per test on the shared server
        from sqlalchemy import create_engine, text

        name = f"edits_{abs(hash(request.node.name)) % 10**8}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            c.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = url.replace("/verhalen?", f"/{name}?")
    archive = Archive(settings_mod.load(tmp_path / "archive", env={}, model=str(model_dir), database_url=url))
    seed(archive)
    server = LiveServer(make_app(archive))
    a, b = Browser(server.url), Browser(server.url)
    a.login("esseline")
    b.login("karim")
    yield archive, a, b
    server.close()
    archive.close()


def _segment_post(kind: str, seg_id: int, version: int, n: int) -> tuple[str, dict]:
    base = f"/editor/story/{SLUG}/segment/{seg_id}"
    if kind == "text":
        return f"{base}/save", {"text": f"correctie {n}", "version": version}
    if kind == "speaker":
        return f"{base}/speaker", {"speaker": f"Spreker {n}", "version": version}
    if kind == "split":
        return f"{base}/split", {"at_word": 1, "version": version}
    if kind == "merge":
        return f"{base}/merge", {"version": version}
    if kind == "redact":
        return f"{base}/redact", {"redacted": "1", "version": version}
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["text", "speaker", "split", "merge", "redact"])
def test_two_saves_of_one_passage_from_one_version_exactly_one_lands(site, kind):
    archive, a, b = site
    ta, tb = a.token(f"/editor/story/{SLUG}"), b.token(f"/editor/story/{SLUG}")
    for n in range(ROUNDS):
        seg_id, version = versions(archive, most_words=kind == "split")[0]
        path_a, data_a = _segment_post(kind, seg_id, version, n)
        path_b, data_b = _segment_post(kind, seg_id, version, n + 100)
        statuses = at_once([lambda: a.request(path_a, {**data_a, "csrf_token": ta}, json=True),
                            lambda: b.request(path_b, {**data_b, "csrf_token": tb}, json=True)])
        assert sorted(statuses) == [200, 409], f"round {n}: {statuses}"
    with archive.session() as s:
        history = s.scalars(select(catalog.SegmentEdit)).all()
        assert len(history) == ROUNDS  # one change recorded per round, none lost, none doubled


def test_two_reverts_of_one_change_exactly_one_lands(site):
    archive, a, b = site
    ta, tb = a.token(f"/editor/story/{SLUG}"), b.token(f"/editor/story/{SLUG}")
    for n in range(ROUNDS):
        seg_id, version = versions(archive)[0]
        path, data = _segment_post("text", seg_id, version, n)
        assert a.request(path, {**data, "csrf_token": ta}, json=True)[0] == 200
        with archive.session() as s:
            edit_id = max(s.scalars(select(catalog.SegmentEdit.id)))
        revert = f"/editor/story/{SLUG}/revert/{edit_id}"
        statuses = at_once([lambda: a.request(revert, {"csrf_token": ta}, json=True),
                            lambda: b.request(revert, {"csrf_token": tb}, json=True)])
        assert sorted(statuses) == [200, 409], f"round {n}: {statuses}"


@pytest.mark.parametrize("form", ["publish", "access"])
def test_two_story_changes_from_one_version_exactly_one_lands(site, form):
    archive, a, b = site
    ta, tb = a.token(f"/editor/story/{SLUG}"), b.token(f"/editor/story/{SLUG}")
    for n in range(ROUNDS):
        mv = meta_version(archive)
        if form == "publish":
            path, da, db = "publish", {"published": "0"}, {"published": "1"}
        else:
            path, da, db = "access", {"access": "researchers"}, {"access": "public"}
        url = f"/editor/story/{SLUG}/{path}"
        statuses = at_once([lambda: a.request(url, {**da, "meta_version": mv, "csrf_token": ta}),
                            lambda: b.request(url, {**db, "meta_version": mv, "csrf_token": tb})])
        assert sorted(statuses) == [302, 409], f"round {n}: {statuses}"
        assert meta_version(archive) == mv + 1
    # A form without the version it was made from is refused, not applied blindly.
    assert a.request(f"/editor/story/{SLUG}/publish", {"published": "1", "csrf_token": ta})[0] == 400
