"""What the browser suites share (tests/test_browser.py, tests/test_browser_xss.py): the reasons to
skip, ``sitroom serve``'s app run by uvicorn in a thread, and how to launch Debian's Chromium with
Playwright (the ``browser`` fixture of tests/serve/conftest.py).

    from tests.helpers.browser_support import SKIP_WITHOUT_BROWSER, serving
"""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("SITROOM_CHROMIUM", "/usr/bin/chromium")   # Debian's, by default
try:
    from playwright.sync_api import sync_playwright  # noqa: F401 - is Playwright there?
    _PLAYWRIGHT_ERROR = None
except Exception as exc:  # noqa: BLE001 - not installed, or broken
    _PLAYWRIGHT_ERROR = f"{type(exc).__name__}: {exc}"

SKIP_WITHOUT_BROWSER = [
    pytest.mark.skipif(_PLAYWRIGHT_ERROR is not None,
                       reason=f"browser tests need Playwright for Python (pip install -e '.[test]'): {_PLAYWRIGHT_ERROR}"),
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                       reason=f"browser tests need Debian's Chromium at {CHROMIUM}: run scripts/browser-deps.sh as root "
                              "(apt-get install chromium)"),
]


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free port of 127.0.0.1; yields its base URL."""
    import uvicorn

    # port 0: the system picks a free port as uvicorn binds it (no race with other processes)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{srv.servers[0].sockets[0].getsockname()[1]}"
    finally:
        srv.should_exit = True
        thread.join(10)


def launch(playwright):
    """Debian's Chromium, headless, as the browser suites run it."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
