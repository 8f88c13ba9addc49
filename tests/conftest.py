"""Fixtures every test module may use, and the ``quick`` subset.

Session fixtures:

- ``pipeline``: one loaded :class:`sitroom.pipeline.Pipeline` (spaCy model, gazetteer, lexicons) for
  the whole run. It keeps no state between documents; a test may ``monkeypatch`` one of its stages
  (restored after the test), never assign to it.
- ``pg_server``: the base URL of a PostgreSQL server: ``SITROOM_TEST_PG`` when set, otherwise a
  throwaway cluster (tests/helpers/pg.py). Tests that need it skip, with the reason, without one.

Per test:

- ``sqlite_store``: a factory, ``sqlite_store(name="store.db")``, opening a store on a fresh SQLite
  file in the test's directory; every store it opened is closed afterwards.
- ``pg_databases``: a factory of fresh, empty databases on ``pg_server`` (their URLs); dropped afterwards.
- ``pg_url``: one such database.
- ``pg_store``: a factory opening a store on a fresh PostgreSQL database; closed and dropped afterwards.

``pytest -m quick`` runs the developer loop (under a minute): every test except the modules and tests
named in ``NOT_QUICK`` below (browser, crash/kill, child processes, generated-corpus, evaluation-data
and cluster suites), the PostgreSQL variants (tests using ``pg_server``, or parametrized ``"postgresql"``) and the ``slow`` ones. A new test module is quick unless it is added there: add it
when it makes ``pytest -m quick`` take noticeably longer (``pytest -m quick --durations=20`` shows).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from tests.helpers.pg import PgServer, PgUnavailable, admin_execute, create_database, drop_database

# Paths relative to tests/: a module ("serve/test_browser.py") or one test ("stages/test_places.py::test_x").
# Each entry says why it is not in the quick loop.
NOT_QUICK = {
    "serve/test_browser.py": "Chromium over the served reference page",
    "serve/test_browser_xss.py": "Chromium",
    "serve/test_serve.py::test_serve_workers_answer_with_the_same_guard": "server processes in a child process",
    "test_crash.py": "SIGKILLs child processes during ingestion",
    "test_ops.py": "extracts a generated corpus in child processes, backups",
    "test_fuzz.py": "hundreds of generated inputs through the pipeline",
    "test_seed_acceptance.py": "the reference page through the CLI in a child process",
    "scale/test_scale.py": "a local Dask cluster",
    "store/test_readpath.py": "builds databases of 3,000 events",
    "evaluate/test_events.py": "scores the pipeline on the evaluation sets",
    "evaluate/test_evaluate.py::test_real_pipeline_small_case2021_and_ucdp": "the pipeline over evaluation snippets",
    "report/test_report.py::test_command_writes_pdf_md_html_json": "renders a PDF",
    "fuse/test_fuse.py::test_synthetic_fusion_quality_and_near_linear_comparisons": "fuses thousands of mentions",
    "store/test_store.py::test_kill_9_mid_ingest_leaves_whole_documents_and_resumes": "kills child processes",
    "store/test_store.py::test_two_ingests_at_once_store_each_document_once": "two ingesting child processes",
    "watch/test_watch.py::test_kill_9_mid_poll_loses_nothing_and_stores_nothing_twice": "kills a child process",
    "output/test_acled.py::test_extract_csv_reads_as_acled": "extracts every ACLED kind",
    "output/test_acled.py::test_export_csv_jsonl_and_api_carry_the_acled_fields": "extracts every ACLED kind",
    # the CLI in child processes (each loads the model): the JSONL contract and a usage error stay quick
    "ingest/test_fetch.py::test_overall_deadline_cuts_off_a_dripping_server": "waits out a dripping server",
    "watch/test_watch.py::test_fetcher_conditional_get_retry_after_slow_500_and_private_redirect": "waits out retries",
    "watch/test_watch.py::test_sigterm_finishes_cleanly": "a child process",
    "test_cli.py::test_jsonl_batch_contract": "the CLI in a child process",
    "test_cli.py::test_csv_has_acled_columns": "the CLI in a child process",
    "test_cli.py::test_stdin_and_table": "the CLI in a child process",
    "test_cli.py::test_bad_inputs_are_reported_and_skipped": "the CLI in a child process",
    "test_cli.py::test_exit_code_when_nothing_readable": "the CLI in a child process",
}

_TESTS = Path(__file__).resolve().parent


def _not_quick(item: pytest.Item) -> str | None:
    rel = Path(str(item.fspath)).resolve().relative_to(_TESTS).as_posix()
    name = item.name.split("[", 1)[0]
    return NOT_QUICK.get(rel) or NOT_QUICK.get(f"{rel}::{name}")


def _check_not_quick() -> None:
    """Every entry of NOT_QUICK names a module or test that exists (a renamed test must not slip in)."""
    for entry in NOT_QUICK:
        rel, _, name = entry.partition("::")
        path = _TESTS / rel
        if not path.is_file() or (name and f"def {name}(" not in path.read_text(encoding="utf-8")):
            raise pytest.UsageError(f"tests/conftest.py NOT_QUICK names {entry}, which does not exist")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _check_not_quick()
    for item in items:
        # PostgreSQL variants (a database created per test) run in the full suite; their SQLite twins are quick
        callspec = getattr(item, "callspec", None)
        uses_pg = "pg_server" in getattr(item, "fixturenames", ()) or (
            callspec is not None and any(isinstance(v, str) and v == "postgresql" for v in callspec.params.values()))
        if item.get_closest_marker("slow") is None and not uses_pg and _not_quick(item) is None:
            item.add_marker(pytest.mark.quick)


# ------------------------------------------------------------------ the pipeline


@pytest.fixture(scope="session")
def pipeline():
    """The loaded pipeline, built once for the session."""
    from sitroom.pipeline import Pipeline

    return Pipeline()


# ------------------------------------------------------------------ stores


@pytest.fixture
def sqlite_store(tmp_path):
    """``sqlite_store(name="store.db")``: a store on a fresh SQLite file of this test; closed afterwards."""
    from sitroom.store import open_store

    opened = []

    def make(name: str = "store.db"):
        path = tmp_path / name
        assert not path.exists(), f"{path} is not fresh"
        store = open_store(str(path))
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(scope="session")
def pg_server():
    """The base URL of a PostgreSQL server (SITROOM_TEST_PG, or a throwaway one)."""
    env = os.environ.get("SITROOM_TEST_PG")
    if env:
        try:
            admin_execute(env, "SELECT 1")
        except Exception as exc:  # noqa: BLE001
            reason = f"PostgreSQL tests skipped: SITROOM_TEST_PG={env} is not reachable: {exc}"
            warnings.warn(reason, PgUnavailable)
            pytest.skip(reason)
        yield env
        return
    try:
        server = PgServer()
        server.start()
    except Exception as exc:  # noqa: BLE001
        reason = f"PostgreSQL tests skipped: cannot start a throwaway server: {exc}"
        warnings.warn(reason, PgUnavailable)       # shows in the warnings summary even under -q
        pytest.skip(reason)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_databases(pg_server):
    """``pg_databases()``: the URL of a fresh, empty database on the test server; all dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        made.append(create_database(pg_server))
        return made[-1]

    yield make
    for url in made:
        drop_database(pg_server, url)


@pytest.fixture
def pg_url(pg_databases):
    """A fresh, empty database on the test server; dropped afterwards."""
    return pg_databases()


@pytest.fixture
def pg_store(pg_databases):
    """``pg_store()``: a store on a fresh PostgreSQL database; closed (and the database dropped) afterwards."""
    from sitroom.store import open_store

    opened = []

    def make():
        store = open_store(pg_databases())
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
