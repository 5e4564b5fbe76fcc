"""`verhalen serve` starts waitress on the given port and serves the archive."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request

from conftest import VERHALEN


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
