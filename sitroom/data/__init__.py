"""The package's data files (YAML): taxonomy, actors, demonyms, place words, gazetteer extensions,
agreement and note lexicons, evaluation code tables. Users extend them without touching Python.

:func:`load` reads one file once per process; callers must not mutate what it returns.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The parsed YAML file ``sitroom/data/<name>`` (read once, shared)."""
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def require_strings(name: str, key: str, items) -> None:
    """Refuse a word list entry YAML read as something else: a bare ``NO`` (Norway), ``on`` or
    ``yes`` is a boolean, ``1979`` a number. Quote such entries."""
    bad = [x for x in items if not isinstance(x, str)]
    if bad:
        raise ValueError(f"{name}: {key}: quote these entries: {bad}")
