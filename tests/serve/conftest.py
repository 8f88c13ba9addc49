"""Fixtures of the dashboard's browser suites (test_browser.py, test_browser_xss.py)."""
from __future__ import annotations

import pytest

from tests.helpers.browser_support import launch


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (headless) driven by Playwright; the modules using it skip without them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
