"""Uploads through the real `verhalen serve` (waitress): one body limit, the app's own 413 page for bodies over
it (declared or chunked), bodies spooled under ARCHIVE/incoming/ and removed; a WAV that lies about its length."""

from __future__ import annotations

import http.client
import io
import os
import select
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import PASSWORD, VERHALEN, WORKSPACE_USERS, csrf_of, ffmpeg_make, login
from test_media import lying_wav
from verhalen.catalog import Story

MIB = 1024 * 1024
LIMIT_MB = 1  # VERHALEN_MAX_UPLOAD_MB for the served archive
BOUNDARY = "grens-7d1f"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    port: int
    home: Path
    proc: subprocess.Popen

    def connect(self, timeout: float = 20) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def http(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)

    @property
    def incoming(self) -> list[str]:
        folder = self.home / "incoming"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def served(archive_copy):
    """`verhalen serve --no-worker` over a copy of the demo archive with the workspace users and a 1 MiB limit."""
    from verhalen import users

    with archive_copy.session() as s:
        for name, role in WORKSPACE_USERS.items():
            users.add(s, name, PASSWORD, role)
    port = _free_port()
    env = {**os.environ, "VERHALEN_HOME": str(archive_copy.settings.home), "VERHALEN_MAX_UPLOAD_MB": str(LIMIT_MB)}
    proc = subprocess.Popen([*VERHALEN, "serve", "--port", str(port), "--no-worker", "--threads", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    server = Served(port, archive_copy.settings.home, proc)
    deadline = time.time() + 60
    while True:
        try:
            conn = server.http()
            conn.request("GET", "/robots.txt")
            if conn.getresponse().status == 200:
                break
        except OSError:
            assert proc.poll() is None, proc.communicate()[1]
            if time.time() > deadline:
                proc.terminate()
                pytest.fail(f"the server did not answer within 60 s: {proc.communicate(timeout=20)[1]}")
            time.sleep(0.3)
        finally:
            conn.close()
    yield server
    proc.terminate()
    proc.wait(timeout=20)


def _read_response(sock: socket.socket, timeout: float = 20) -> tuple[int, dict[str, str], str]:
    """Read one whole response (the server closes the connection after it) and split it."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body.decode("utf-8", "replace")


def _assert_friendly_413(status: int, headers: dict[str, str], body: str, language: str = "nl") -> None:
    assert status == 413, (status, body[:300])
    assert "script-src 'self'" in headers.get("content-security-policy", ""), headers
    assert headers.get("x-content-type-options") == "nosniff", headers
    assert headers.get("server") == "verhalen"
    if language == "nl":
        assert "Dit bestand is te groot" in body and f"opnames tot {LIMIT_MB} MB" in body, body[:500]
    else:
        assert "This file is too large" in body and f"recordings up to {LIMIT_MB} MB" in body, body[:500]
    assert "<html" in body


@pytest.mark.parametrize("query, language, expect", [("", "nl", False), ("?lang=en", "en", True)])
def test_a_declared_body_over_the_limit_gets_the_apps_413_page_at_once(served, query, language, expect):
    """3 GiB announced (past waitress's own default limit of 1 GiB, which answered in plain English text):
    answered before a byte of body is sent, and with Expect: 100-continue no "100 Continue" first."""
    with served.connect() as sock:
        sock.sendall((f"POST /editor/upload{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      f"Content-Length: {3 * 1024 * MIB}\r\n" + ("Expect: 100-continue\r\n" if expect else "")
                      + "\r\n").encode())
        status, headers, body = _read_response(sock)
    _assert_friendly_413(status, headers, body, language)
    assert headers.get("connection") == "close"
    assert served.incoming == []


def test_a_declared_body_just_over_the_limit_is_refused_without_reading_it(served):
    """A few bytes over the limit (under waitress's 1 GiB), with the body on its way: 413 without waiting for it."""
    from verhalen.web.editor.upload import FORM_SLACK

    limit = LIMIT_MB * MIB + FORM_SLACK
    with served.connect() as sock:
        sock.sendall((f"POST /editor/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      f"Content-Length: {limit + 1}\r\n\r\n").encode() + b"\0" * 300_000)
        started = time.monotonic()
        status, headers, body = _read_response(sock)
    _assert_friendly_413(status, headers, body)
    assert time.monotonic() - started < 10
    assert served.incoming == []


def test_a_chunked_body_is_answered_413_as_soon_as_it_passes_the_limit(served):
    """No Content-Length: the server counts, and answers once the body passes the limit (the rest is never read)."""
    from verhalen.web.editor.upload import FORM_SLACK

    limit = LIMIT_MB * MIB + FORM_SLACK
    piece = b"\0" * 256 * 1024
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with served.connect() as sock:
        sock.sendall((f"POST /editor/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        sent = 0
        while sent < 3 * limit:  # never the final chunk: only the limit can end this request
            if select.select([sock], [], [], 0)[0]:
                break  # the answer is there
            sock.sendall(chunk)
            sent += len(piece)
        assert limit < sent < 3 * limit, f"no answer after {sent} bytes (limit {limit})"
        # A client that keeps sending (as a browser does until its upload ends) is not reset: the server reads
        # and drops the rest for a while, so the answer is not lost to a TCP reset before the client reads it.
        for _ in range(16):
            sock.sendall(chunk)
        status, headers, body = _read_response(sock)
    _assert_friendly_413(status, headers, body)
    deadline = time.time() + 5
    while served.incoming and time.time() < deadline:
        time.sleep(0.1)
    assert served.incoming == [], "the part spooled before the limit was passed is gone"


def _cookies(response, jar: dict[str, str]) -> str:
    """Keep the response's cookies in `jar`; the Cookie header for the next request."""
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";")[0].partition("=")
        jar[name.strip()] = value
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _login_cookie(served: Served, jar: dict[str, str], name: str = "esseline") -> str:
    conn = served.http()
    try:
        conn.request("GET", "/login")
        r = conn.getresponse()
        cookie, token = _cookies(r, jar), csrf_of(r.read().decode())
        form = urllib.parse.urlencode({"name": name, "password": PASSWORD, "csrf_token": token})
        conn.request("POST", "/login", form, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        assert r.status == 302, r.status
        return _cookies(r, jar)
    finally:
        conn.close()


def _multipart(fields: dict[str, str], filename: str, data: bytes) -> bytes:
    out = b"".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                   for k, v in fields.items())
    out += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="recording"; filename="{filename}"\r\n'
            "Content-Type: audio/wav\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_upload_body_spools_under_incoming_and_is_removed_afterwards(served, tmp_path, chunked):
    """A body past waitress's memory buffer (512 KB) is on disk in ARCHIVE/incoming/ while it arrives, not in
    the system's temporary folder; the upload is taken (chunked too); then incoming/ is empty again."""
    wav = ffmpeg_make(tmp_path / "buurt.wav", "-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-ar", "16000",
                      "-ac", "1")
    jar: dict[str, str] = {}
    conn = served.http()
    conn.request("GET", "/editor/upload", headers={"Cookie": _login_cookie(served, jar)})
    r = conn.getresponse()
    cookie, token = _cookies(r, jar), csrf_of(r.read().decode())
    conn.close()
    body = _multipart({"csrf_token": token, "title": "Buurt", "access": "public", "language": "nl"},
                      "buurt.wav", wav.read_bytes())
    assert 700_000 < len(body) < LIMIT_MB * MIB
    first, rest = body[:650_000], body[650_000:]
    if chunked:
        framing = "Transfer-Encoding: chunked"
        first = f"{len(first):x}\r\n".encode() + first + b"\r\n"
        rest = f"{len(rest):x}\r\n".encode() + rest + b"\r\n0\r\n\r\n"
    else:
        framing = f"Content-Length: {len(body)}"
    with served.connect() as sock:
        sock.sendall((f"POST /editor/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      f"{framing}\r\nConnection: close\r\n\r\n").encode() + first)
        deadline, spooled = time.time() + 10, []
        while not spooled and time.time() < deadline:
            spooled = [n for n in served.incoming if n.startswith("request-") and n.endswith(".part")]
            time.sleep(0.05)
        assert spooled, f"no request-*.part in ARCHIVE/incoming/ while the body arrives: {served.incoming}"
        assert (served.home / "incoming" / spooled[0]).stat().st_size >= 512 * 1024
        sock.sendall(rest)
        status, headers, page = _read_response(sock)
    assert status == 302 and headers["location"].startswith("/editor/jobs#job-buurt"), (status, page[-1500:])
    deadline = time.time() + 5
    while served.incoming and time.time() < deadline:
        time.sleep(0.1)
    assert served.incoming == [], "both the request body and the uploaded file are gone from incoming/"


def test_an_upload_cut_off_halfway_leaves_nothing_in_incoming(served):
    with served.connect() as sock:
        sock.sendall((f"POST /editor/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                      f"Content-Length: {900_000}\r\n\r\n").encode() + b"\0" * 700_000)
        deadline = time.time() + 10
        while not served.incoming and time.time() < deadline:
            time.sleep(0.05)
        assert [n for n in served.incoming if n.startswith("request-")], served.incoming
    # the connection drops here, 200 KB short
    deadline = time.time() + 10
    while served.incoming and time.time() < deadline:
        time.sleep(0.1)
    assert served.incoming == []


# -- a WAV whose header promises far more than the file holds ------------------------------------------------


def test_an_upload_of_a_wav_that_lies_about_its_length_is_refused_with_the_reason(workspace, tmp_path):
    wav = lying_wav(tmp_path / "interview.wav")
    c = workspace.test_client()
    login(c, "esseline")
    token = csrf_of(c.get("/editor/upload").get_data(as_text=True))
    r = c.post("/editor/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "title": "Afgebroken", "access": "public", "language": "nl",
        "recording": (io.BytesIO(wav.read_bytes()), "interview.wav")})
    page = r.get_data(as_text=True)
    assert r.status_code == 415, page[:500]
    assert "interview.wav is afgebroken" in page and "0.1 s" in page
    with workspace.archive.session() as s:
        assert s.scalar(sa.select(sa.func.count(Story.id)).where(Story.title == "Afgebroken")) == 0


def test_an_upload_of_a_truncated_wav_with_minutes_left_is_taken_and_the_editor_is_warned(workspace, tmp_path):
    wav = lying_wav(tmp_path / "gesprek.wav", claimed=16000 * 2 * 600, real=16000 * 2 * 5)
    c = workspace.test_client()
    login(c, "esseline")
    token = csrf_of(c.get("/editor/upload").get_data(as_text=True))
    r = c.post("/editor/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "title": "Half gesprek", "access": "public", "language": "nl",
        "recording": (io.BytesIO(wav.read_bytes()), "gesprek.wav")})
    assert r.status_code == 302
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Let op: gesprek.wav lijkt afgebroken: volgens het bestand zelf duurt het 600.0 s, maar het geluid " \
        "stopt bij 5.0 s." in page
