"""Where the evaluation data lives: ``shared/`` beside the repository (``../shared``).

A user who clones sitroom has no ``../shared``; CI has it. Tests that need it find it here,
relative to the repository, and skip with the reason when it is absent::

    from tests.helpers.shared_data import SEED, missing, need_shared
    pytestmark = pytest.mark.skipif(not SEED.exists(), reason=missing(SEED))
    text = need_shared("seeds/000_c623d46ca901d4fa.txt").read_text()
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT

SHARED = ROOT.parent / "shared"
#: The reference page (a Syria report of January 2020).
SEED = SHARED / "seeds" / "000_c623d46ca901d4fa.txt"


def missing(path: Path) -> str:
    return f"{path} not found: it comes with the evaluation data beside the repository (../shared), not with the repository"


def need_shared(rel: str | Path) -> Path:
    """``../shared/<rel>``, or skip the calling test with the reason."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(missing(p))
    return p
