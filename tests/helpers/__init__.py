"""What several test modules share, imported as ``tests.helpers.<module>`` (``tests`` is a package;
pytest puts the repository on ``sys.path`` when it imports it):

- ``shared_data``: where the evaluation data beside the repository lives, and the skip reasons;
- ``browser_support``: Debian's Chromium driven by Playwright, ``sitroom serve``'s app in a thread;
- ``ops_corpus``: generated reports for the operations tests (crash safety, backups);
- ``pg``: the throwaway PostgreSQL server behind the ``pg_*`` fixtures of tests/conftest.py.

Fixtures themselves live in the ``conftest.py`` files, not here.
"""
from __future__ import annotations

from pathlib import Path

#: The repository (child processes run its sitroom; data files and docs are read from it).
ROOT = Path(__file__).resolve().parents[2]
#: Test inputs kept with the tests.
TEST_DATA = ROOT / "tests" / "data"


def benchmark_module(name: str):
    """``benchmarks/<name>.py`` imported as a module (the benchmarks are scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"sitroom_{name}_benchmark", ROOT / "benchmarks" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
