"""Real servers for tests: a throwaway PostgreSQL cluster and a Redis server on this machine.

Started from Debian's packages (installed by `make test`); each lives in a temporary folder,
listens only on a Unix socket or loopback, and is stopped when the test run ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return versions[-1].parent if versions else None


class Postgres:
    """initdb + pg_ctl in a temp dir (as the postgres user when we are root: PostgreSQL refuses root)."""

    def __init__(self):
        bindir = _pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run `make test`, which installs Debian's postgresql")
        self.dir = Path(tempfile.mkdtemp(prefix="verhalen-pg-"))
        self.port = free_port()
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off", "start")
        self.bindir = bindir
        self._run(str(bindir / "createdb"), "-h", str(self.dir), "-p", str(self.port), "-U", "postgres", "verhalen")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/verhalen?host={self.dir}&port={self.port}"

    def stop(self) -> None:
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server on a free loopback port, no persistence."""

    def __init__(self):
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed: run `make test`, which installs Debian's redis-server")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="verhalen-redis-"))
        self.proc = subprocess.Popen([exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.dir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)
