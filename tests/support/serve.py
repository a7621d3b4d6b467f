"""The real app in a subprocess, so a test can SIGKILL it mid-request and start it again.

``ServerProcess(database_url, port=..., server_key=...)`` runs the app on werkzeug's threaded
server (as ``make run``) or on gunicorn (``tests.support.serve:wsgi_app()``, as production).

Werkzeug servers are forked from a *zygote*: a process that has imported Flask, SQLAlchemy and
the app once and forks a fresh server on request. A SIGKILLed server is then back in ~50 ms
instead of the ~0.9 s a cold ``python`` start costs, which is what makes 50 kills affordable in
the test suite. Each server is still its own process with its own sockets, database connections
and memory, killed with SIGKILL exactly like a standalone one (``stack="exec"`` runs one).

The server key is fixed for the object's lifetime (unless a test changes ``server_key``), so
receipts issued before a kill still verify after the restart and usernames (HMAC'd under the
key) still resolve. The app's configuration is ``TestingConfig`` (plain http on 127.0.0.1)
with the database URL, key and overrides (``config=``) passed through the environment; the
schema must already be migrated (the ``database_url`` fixture does it).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
ENV_DB = "SP_SERVE_DATABASE_URL"
ENV_KEY = "SAFEPASSAGE_SERVER_KEY"  # TestingConfig reads it (server/config.py)
ENV_OVERRIDES = "SP_SERVE_CONFIG"  # JSON object of TestingConfig overrides


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wsgi_app() -> Any:
    """The app factory gunicorn calls (``'tests.support.serve:wsgi_app()'``)."""
    from server import create_app
    from server.config import TestingConfig

    overrides = json.loads(os.environ.get(ENV_OVERRIDES) or "{}")
    return create_app(TestingConfig(os.environ[ENV_DB], **overrides))


_sink_engine: Any = None


def raw_sink_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Baselines for the upload benchmark: a bare WSGI app on the same server stack.

    It reads the body in 65552-byte chunks and, by query flag, ``hash=1`` SHA-256s each chunk
    (the least keyless checking the real endpoint must do) and ``store=1`` also stores the
    chunks as rows of a scratch table in the app's database, one transaction per 16 chunks
    (1 MiB), through the app's own engine settings (SQLite: WAL, synchronous=FULL) — the
    storage floor of the design, with no protocol around it.
    """
    import hashlib

    global _sink_engine
    stream = environ["wsgi.input"]
    left = int(environ.get("CONTENT_LENGTH") or 0)
    query = environ.get("QUERY_STRING", "")
    hashing, storing = "hash=1" in query, "store=1" in query
    rows: list[dict[str, Any]] = []
    if storing and _sink_engine is None:
        from sqlalchemy import text

        from server.db import make_engine

        _sink_engine = make_engine(os.environ[ENV_DB])
        with _sink_engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS bench_sink "
                              "(k VARCHAR(40), i INTEGER, data BYTEA, sha BYTEA)"
                              if _sink_engine.dialect.name == "postgresql" else
                              "CREATE TABLE IF NOT EXISTS bench_sink "
                              "(k VARCHAR(40), i INTEGER, data BLOB, sha BLOB)"))
    key, index = os.urandom(8).hex(), 0

    def flush() -> None:
        from sqlalchemy import text

        with _sink_engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_sink VALUES (:k, :i, :data, :sha)"), rows)
        rows.clear()

    while left > 0:
        block = stream.read(min(65552, left))
        if not block:
            break
        left -= len(block)
        digest = hashlib.sha256(block).digest() if hashing or storing else b""
        if storing:
            rows.append({"k": key, "i": index, "data": block, "sha": digest})
            index += 1
            if len(rows) == 16:
                flush()
    if storing and rows:
        flush()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


class ServerProcess:
    """A server subprocess on a fixed port; ``kill()`` is SIGKILL, ``start()`` brings it back."""

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        server_key: bytes | None = None,
        stack: str = "werkzeug",
        workers: int = 2,
        threads: int = 8,
        app: str = "tests.support.serve:wsgi_app()",
        log_path: Path | None = None,
        config: dict[str, Any] | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server_key = server_key or os.urandom(32)
        self.stack = stack
        self.workers = workers
        self.threads = threads
        self.app = app
        self.log_path = log_path
        self.config = config or {}
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._zygote: subprocess.Popen[str] | None = None
        self._zygote_env: dict[str, str] = {}
        self._child: int | None = None  # the zygote's current server
        self.kills = 0
        self.starts = 0
        self._log: Any = None

    # -- lifecycle -----------------------------------------------------------------------------

    def command(self) -> list[str]:
        if self.stack == "werkzeug":
            return [sys.executable, "-m", "tests.support.serve", "--zygote"]
        if self.stack == "exec":
            return [sys.executable, "-m", "tests.support.serve", "--port", str(self.port)]
        if self.stack == "gunicorn":
            return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                    "--workers", str(self.workers), "--worker-class", "gthread",
                    "--threads", str(self.threads), "--log-level", "warning",
                    "--graceful-timeout", "2", self.app]
        raise ValueError(f"unknown stack {self.stack!r}")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env[ENV_DB] = self.database_url
        env[ENV_KEY] = base64.urlsafe_b64encode(self.server_key).rstrip(b"=").decode()
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "crypto"),
                                             env.get("PYTHONPATH", "")])
        env[ENV_OVERRIDES] = json.dumps(self.config)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30.0) -> None:
        assert not self.alive(), "already running"
        if self._log is None:
            self._log = (open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
                         if self.log_path else subprocess.DEVNULL)
        if self.stack == "werkzeug":
            self._child = self._spawn_from_zygote()
        else:
            self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=self.env(),
                                         stdout=self._log, stderr=self._log)
        self.starts += 1
        self.wait_healthy(timeout)

    def _spawn_from_zygote(self) -> int:
        env = self.env()
        if self._zygote is not None and self._zygote_env != env:
            self._stop_zygote()  # the key or config changed: the next server needs a new zygote
        if self._zygote is None or self._zygote.poll() is not None:
            self._zygote_env = env
            self._zygote = subprocess.Popen(self.command(), cwd=ROOT, env=env, text=True,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=self._log)
            assert self._zygote.stdout is not None
            if self._zygote.stdout.readline().strip() != "ready":
                raise RuntimeError(f"zygote failed (log: {self.log_path})")
        assert self._zygote.stdin is not None and self._zygote.stdout is not None
        log = str(self.log_path) if self.log_path else os.devnull
        self._zygote.stdin.write(f"{self.port} {log}\n")
        self._zygote.stdin.flush()
        return int(self._zygote.stdout.readline())

    def alive(self) -> bool:
        if self.stack == "werkzeug":
            return self._child is not None and _running(self._child)
        return self.proc is not None and self.proc.poll() is None

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Poll GET /api/health until it answers 200 (or the process died / time ran out)."""
        deadline = time.monotonic() + timeout
        with requests.Session() as http:
            http.trust_env = False  # never a proxy from the environment
            while True:
                if not self.alive():
                    raise RuntimeError(f"server exited (log: {self.log_path})")
                try:
                    if http.get(self.url + "/api/health", timeout=2).status_code == 200:
                        return
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"server not healthy after {timeout} s")
                time.sleep(0.02)

    @property
    def pid(self) -> int:
        if self.stack == "werkzeug":
            assert self._child is not None
            return self._child
        assert self.proc is not None
        return self.proc.pid

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: gunicorn's workers, or the server itself."""
        if self.stack != "gunicorn":
            return [self.pid]
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, no goodbye (gunicorn's workers die with the master
        only eventually, so they are killed first)."""
        if not self.alive():
            return
        if self.stack == "werkzeug":
            assert self._child is not None
            _kill_and_wait(self._child)
        else:
            assert self.proc is not None
            for pid in self.worker_pids() if self.stack == "gunicorn" else []:
                _kill_and_wait(pid)
            self.proc.kill()
            self.proc.wait()
        self.kills += 1

    def restart(self, timeout: float = 30.0) -> None:
        self.kill()
        self.start(timeout)

    def stop(self) -> None:
        if self.stack == "werkzeug":
            self.kill()  # a development server has nothing to flush
            self._stop_zygote()
        elif self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        self._log = None

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for a failure message."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _stop_zygote(self) -> None:
        if self._zygote is not None:
            assert self._zygote.stdin is not None and self._zygote.stdout is not None
            self._zygote.stdin.close()
            self._zygote.wait(10)
            self._zygote.stdout.close()
            self._zygote = None

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill_and_wait(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _running(pid):  # the zygote ignores SIGCHLD, so the kernel reaps its children
        time.sleep(0.002)


def rss_kib(pid: int) -> int:
    """VmRSS of a process in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def zygote() -> None:
    """Import everything once, then fork one server per line ``<port> <log path>`` on stdin,
    answering with the new server's pid. Ends when stdin closes."""
    from werkzeug.serving import make_server

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed servers
    wsgi_app()  # warm up: the first create_app imports every module (~0.5 s)
    print("ready", flush=True)
    for line in sys.stdin:
        port, log = line.split(maxsplit=1)
        pid = os.fork()
        if pid == 0:  # the server
            status = 1
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                fd = os.open(log.strip(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                make_server("127.0.0.1", int(port), wsgi_app(), threaded=True).serve_forever()
                status = 0
            finally:
                os._exit(status)
        print(pid, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int)
    parser.add_argument("--zygote", action="store_true")
    args = parser.parse_args()
    if args.zygote:
        zygote()
        return
    from werkzeug.serving import make_server

    make_server("127.0.0.1", args.port, wsgi_app(), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
