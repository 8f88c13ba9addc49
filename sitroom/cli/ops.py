"""``sitroom doctor`` (is this install healthy?) and ``sitroom backup DEST``; the checks and the
copy are :mod:`sitroom.ops`."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Optional

import typer

from ..ops import (_guard, check_event_texts, guard_list, hide_password, pg_cli_url, check_chromium, check_data_files, check_database,
                   check_gazetteer, check_model, check_pdf, check_pipeline, check_python, err, out, sqlite_backup)


def doctor(
    db: Optional[str] = typer.Option(None, "--db", envvar="SITROOM_DB", show_envvar=True,
                                     help="Database: a SQLite file path (default sitroom.db) or a postgresql:// URL."),
    fix: bool = typer.Option(False, "--fix", help="Build the gazetteer cache when it is missing; write the stored "
                                                  "JSON of /api/events again when it is outdated."),
    quick: bool = typer.Option(False, "--quick", help="Skip loading the model and the test extraction."),
) -> None:
    """Check the install: model, gazetteer cache, data files, database, permissions, stored event texts, PDF, Chromium.

    One line per check (ok, warn, FAIL) with what to do; exit code 1 when something failed."""
    checks = [check_python()]
    if not quick:
        checks.append(check_model())
    checks.append(check_data_files())
    checks.append(check_gazetteer(fix))
    checks += guard_list(lambda: check_database(db))
    if all(c.status != "FAIL" for c in checks if c.name == "database"):
        texts = _guard("event texts", lambda: check_event_texts(db, fix), "check --db / SITROOM_DB")
        if texts is not None:
            checks.append(texts)
    checks.append(check_pdf())
    checks.append(check_chromium())
    if not quick and all(c.status != "FAIL" for c in checks if c.name in ("spaCy model", "data files")):
        checks.append(check_pipeline())
    for c in checks:
        out.print(c.line(), markup=False)
    failed = [c for c in checks if c.status == "FAIL"]
    warned = [c for c in checks if c.status == "warn"]
    out.print(f"sitroom doctor: {len(checks) - len(failed) - len(warned)} ok, {len(warned)} warnings, "
              f"{len(failed)} failed", markup=False)
    if failed:
        raise typer.Exit(1)


def backup(
    dest: Path = typer.Argument(..., help="File to write the copy to (SQLite: a database file; PostgreSQL: a pg_dump archive)."),
    db: Optional[str] = typer.Option(None, "--db", envvar="SITROOM_DB", show_envvar=True,
                                     help="Database: a SQLite file path (default sitroom.db) or a postgresql:// URL."),
    force: bool = typer.Option(False, "--force", help="Replace DEST if it exists."),
) -> None:
    """Back up the database to DEST while it is in use (an ingest or watch may keep writing).

    SQLite: the online backup API, one consistent snapshot, integrity-checked. PostgreSQL:
    pg_dump --format=custom when pg_dump is installed, else the command to run. Restore: see
    docs/reliability.md."""
    from ..store.engine import resolve_url
    url = resolve_url(db)
    shown = db or os.environ.get("SITROOM_DB") or "sitroom.db"
    if dest.exists() and not force:
        err.print(f"sitroom: {dest} exists: choose another name or add --force", markup=False)
        raise typer.Exit(2)
    if dest.is_dir():
        err.print(f"sitroom: {dest} is a directory: give a file name", markup=False)
        raise typer.Exit(2)
    if not dest.parent.exists():
        err.print(f"sitroom: the folder {dest.parent} does not exist", markup=False)
        raise typer.Exit(2)
    if url.startswith("sqlite"):
        src = Path(url.split(":///", 1)[1]) if ":///" in url else None
        if src is None or not src.exists():
            err.print(f"sitroom: no database at {shown}", markup=False)
            raise typer.Exit(2)
        if src.resolve() == dest.resolve():
            err.print("sitroom: the backup must go to another file than the database", markup=False)
            raise typer.Exit(2)
        t0 = time.monotonic()
        try:
            counts = sqlite_backup(src, dest)
        except (sqlite3.Error, RuntimeError, OSError) as exc:
            err.print(f"sitroom: backup failed: {type(exc).__name__}: {exc}", markup=False)
            raise typer.Exit(1)
        size = dest.stat().st_size / 1e6
        err.print(f"sitroom: {shown} backed up to {dest} ({size:.1f} MB, {counts.get('documents', 0)} documents, "
                  f"{counts.get('events', 0)} events, integrity ok, {time.monotonic() - t0:.1f} s)", markup=False)
        return
    cli_url = pg_cli_url(url)
    safe = hide_password(cli_url)
    cmd = ["pg_dump", "--format=custom", "--no-owner", "--file", str(dest), cli_url]
    restore = f"createdb NEWDB && pg_restore --no-owner --dbname postgresql://USER@HOST/NEWDB {dest}"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        err.print("sitroom: pg_dump is not installed here; on a machine with PostgreSQL's client tools run:", markup=False)
        out.print(f"  pg_dump --format=custom --no-owner --file {dest} '{safe}'", markup=False)
        err.print(f"sitroom: restore with: {restore}", markup=False)
        raise typer.Exit(1)
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    cmd[4] = str(tmp)
    r = subprocess.run([pg_dump, *cmd[1:]], capture_output=True, text=True)
    if r.returncode:
        tmp.unlink(missing_ok=True)
        msg = " ".join(r.stderr.split())[:500]
        err.print(f"sitroom: pg_dump failed: {msg}", markup=False)
        err.print(f"sitroom: the command was: pg_dump --format=custom --no-owner --file {dest} '{safe}' "
                  "(pg_dump must be at least the server's major version)", markup=False)
        raise typer.Exit(1)
    os.replace(tmp, dest)
    err.print(f"sitroom: {safe} dumped to {dest} ({dest.stat().st_size / 1e6:.1f} MB, pg_dump custom format); "
              f"restore with: {restore}", markup=False)
