"""`verhalen serve` starts waitress on the given port and serves the archive."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request

from helpers import VERHALEN


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_serves_the_viewer(demo_archive):
    port = _free_port()
    env = {**os.environ, "VERHALEN_HOME": str(demo_archive.settings.home)}
    proc = subprocess.Popen([*VERHALEN, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, body = time.time() + 30, None
        while time.time() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/verhaal/pop-up-bazaar", timeout=5) as r:
                    body, headers = r.read().decode(), r.headers
            except OSError:
                assert proc.poll() is None, proc.communicate()[1]
                time.sleep(0.3)
        assert body and "Pop-up bazaar" in body
        assert headers["Server"] == "verhalen" and "script-src 'self'" in headers["Content-Security-Policy"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_help_names_the_defaults():
    out = subprocess.run([*VERHALEN, "serve", "--help"], capture_output=True, text=True).stdout
    assert "127.0.0.1" in out and "8000" in out


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.headers, r.read()


def test_serve_processes_share_the_port_and_replace_a_dead_one(demo_archive):
    import psutil

    port = _free_port()
    env = {**os.environ, "VERHALEN_HOME": str(demo_archive.settings.home)}
    proc = subprocess.Popen([*VERHALEN, "serve", "--port", str(port), "--processes", "2", "--no-worker"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    url = f"http://127.0.0.1:{port}/verhaal/pop-up-bazaar"
    try:
        deadline = time.time() + 60
        while len(parent.children()) < 2 or not _answers(url):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.time() < deadline, "server did not answer within 60 s"
            time.sleep(0.3)
        children = parent.children()
        assert len(children) == 2 and all("--listen-fd" in c.cmdline() for c in children)
        # Both processes answer on the one port: under concurrent requests (distinct URLs, so each
        # is rendered), each connection goes to whichever process accepts it first.
        from concurrent.futures import ThreadPoolExecutor

        cpu_before = [sum(c.cpu_times()[:2]) for c in children]
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: _get(f"{url}?t={i}"), range(120)))
        assert all(status == 200 and b"Pop-up bazaar" in body for status, _, body in answers)
        used = [sum(c.cpu_times()[:2]) - before for c, before in zip(children, cpu_before)]
        assert min(used) > 0.05, used
        # A killed server process is replaced and the port keeps answering.
        children[0].kill()
        deadline = time.time() + 30
        while not ({c.pid for c in parent.children()} - {c.pid for c in children}):
            assert time.time() < deadline, "no replacement process"
            time.sleep(0.2)
        assert all(_get(url)[0] == 200 for _ in range(10))
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "2 processes" in out and "starting another" in err
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not [c for c in parent.children() if c.is_running()] if parent.is_running() else True


def _answers(url: str) -> bool:
    try:
        return _get(url)[0] == 200
    except OSError:
        return False
