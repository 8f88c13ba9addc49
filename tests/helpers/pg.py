"""A throwaway PostgreSQL server for the store tests.

``SITROOM_TEST_PG`` (a ``postgresql://`` URL to a server where we may CREATE DATABASE) is used when
set. Otherwise Debian's PostgreSQL binaries (``/usr/lib/postgresql/*/bin`` or ``initdb`` on PATH)
are used to ``initdb`` a cluster into a temporary directory and start it on a free local port, as
an unprivileged user (``postgres`` or ``nobody`` when running as root, since initdb refuses root).
Every test gets a fresh database. When no server can be had, PostgreSQL tests are skipped with the
reason. The fixtures (``pg_server``, ``pg_url``, ``pg_databases``, ``pg_store``) are in tests/conftest.py;
this module is the machinery behind them.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path



class PgUnavailable(UserWarning):
    """No PostgreSQL server could be had for the tests."""


def _pg_bindir() -> str | None:
    found = shutil.which("initdb")
    if found:
        return str(Path(found).parent)
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0)
    for d in reversed(dirs):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unprivileged():
    """(uid, gid, name) to run the server as, or None when already unprivileged."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
            return pw.pw_uid, pw.pw_gid, name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) to run initdb as")


class PgServer:
    def __init__(self) -> None:
        self.bindir = _pg_bindir()
        if self.bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (install Debian's postgresql package)")
        self.tmp = tempfile.mkdtemp(prefix="sitroom-pg-")
        self.data = os.path.join(self.tmp, "data")
        self.port = _free_port()
        self.user_info = _unprivileged()
        if self.user_info:
            os.chmod(self.tmp, 0o755)
            os.chown(self.tmp, self.user_info[0], self.user_info[1])
        self.user = self.user_info[2] if self.user_info else pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        def demote():
            if self.user_info:
                os.setgid(self.user_info[1])
                os.setuid(self.user_info[0])
        env = dict(os.environ, LC_ALL="C", LANG="C")
        return subprocess.run(args, preexec_fn=demote, env=env, cwd=self.tmp, capture_output=True,
                              text=True, timeout=120, **kw)

    def start(self) -> None:
        r = self._run([os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", self.user,
                       "--auth=trust", "--encoding=UTF8", "--no-sync"])
        if r.returncode:
            raise RuntimeError(f"initdb failed: {r.stderr.strip()[-500:]}")
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.tmp} "
                f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        r = self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-o", opts, "-w", "-t", "60",
                       "-l", os.path.join(self.tmp, "log"), "start"])
        if r.returncode:
            log = Path(self.tmp, "log").read_text(errors="replace")[-800:] if Path(self.tmp, "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr.strip()[-300:]} {log}")
        self.url = f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def admin_execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def create_database(server_url: str) -> str:
    """A fresh, empty database on the server at ``server_url``; returns its URL."""
    name = "sitroom_test_" + uuid.uuid4().hex[:10]
    admin_execute(server_url, f'CREATE DATABASE "{name}"')
    return f"{server_url.rsplit('/', 1)[0]}/{name}"


def drop_database(server_url: str, url: str) -> None:
    """Drop the database at ``url`` (its connections closed by force); a few tries, then give up."""
    name = url.rsplit("/", 1)[1]
    for _ in range(3):
        try:
            admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except Exception:  # noqa: BLE001
            time.sleep(0.2)
