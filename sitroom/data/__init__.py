"""The package's data files (YAML): taxonomy, actors, demonyms, place words, gazetteer extensions,
agreement and note lexicons, evaluation code tables. Users change them without touching Python.

Every module reads its data file through :func:`load` (one parse per process and search path;
callers must not mutate what it returns). ``docs/data.md`` lists the files, who reads them and
the checks they get.

**Overrides.** ``SITROOM_DATA`` names a directory, or several separated by ``os.pathsep`` (``:``
on Linux), searched before the packaged files. A file there with the same name as a packaged one:

* *replaces* it, unless
* its top level is a mapping with ``extends: packaged``: then it is *merged* into the file
  beneath it (mappings updated key by key, recursively; lists appended, except that an item of a
  list of mappings whose ``name`` is already there is merged into that item; any other value
  replaced).

The directories apply from the last to the first, so the first one listed has the last word; a
replacing file discards what lies beneath it. The modules' own checks run on the merged result.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

#: the environment variable naming the override directories
ENV = "SITROOM_DATA"
#: the top-level key (and its one value) that makes an override file extend, not replace
EXTENDS_KEY, EXTENDS_VALUE = "extends", "packaged"


class DataFileError(ValueError):
    """A data file (packaged or an override) that cannot be read or merged; the message names
    the file and, for YAML errors, the line."""


def search_path(env: str | None = None) -> tuple[Path, ...]:
    """The override directories, first (strongest) first, from ``SITROOM_DATA``."""
    value = os.environ.get(ENV, "") if env is None else env
    return tuple(Path(p).expanduser() for p in value.split(os.pathsep) if p.strip())


def packaged(name: str):
    """The packaged file ``sitroom/data/<name>`` (a :mod:`importlib.resources` traversable)."""
    return resources.files(__name__).joinpath(name)


def sources(name: str, env: str | None = None) -> list:
    """The files that make up data file ``name``, weakest first: the packaged one (when it
    exists), then each override found on the search path, from the last directory to the first."""
    out = []
    base = packaged(name)
    if base.is_file():
        out.append(base)
    for d in reversed(search_path(env)):
        p = d / name
        if p.is_file():
            out.append(p)
    return out


def parse(source) -> Any:
    """One YAML file (a path or a traversable) parsed, ``{}`` when empty; a syntax error
    becomes a :class:`DataFileError` naming the file and the line."""
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise DataFileError(f"{source}{where}: not valid YAML: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{source}: cannot be read: {exc}") from None


def _extends(source, data: Any) -> bool:
    if not isinstance(data, dict) or EXTENDS_KEY not in data:
        return False
    if data[EXTENDS_KEY] != EXTENDS_VALUE:
        raise DataFileError(f"{source}: '{EXTENDS_KEY}' must be '{EXTENDS_VALUE}' "
                            f"(got {data[EXTENDS_KEY]!r}); leave the key out to replace the file")
    return True


def merge(base: Any, extra: Any) -> Any:
    """``extra`` merged into ``base`` (neither is changed): mappings key by key, recursively;
    lists appended, but an item of a list of named mappings (each with a ``name``) merged into
    the base item of the same name; anything else replaced by ``extra``."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(extra, list):
        if not (base and all(isinstance(x, dict) and "name" in x for x in base)):
            return base + extra
        out = list(base)
        at = {x["name"]: i for i, x in enumerate(out)}
        for x in extra:
            name = x.get("name") if isinstance(x, dict) else None
            if name is not None and name in at:
                out[at[name]] = merge(out[at[name]], x)
                continue
            if name is not None:
                at[name] = len(out)
            out.append(x)
        return out
    return extra


def read(name: str, env: str | None = None) -> Any:
    """Data file ``name`` with every override applied (not cached: see :func:`load`)."""
    srcs = sources(name, env)
    if not srcs:
        raise DataFileError(f"no data file {name!r} (neither packaged nor on {ENV})")
    first_override = 1 if packaged(name).is_file() else 0
    data: Any = None
    for i, src in enumerate(srcs):
        d = parse(src)
        if i >= first_override and _extends(src, d):
            if not isinstance(data, dict):
                raise DataFileError(f"{src}: '{EXTENDS_KEY}: {EXTENDS_VALUE}', but there is no "
                                    f"packaged mapping named {name} to extend")
            data = merge(data, {k: v for k, v in d.items() if k != EXTENDS_KEY})
        else:
            data = d
    return data


@lru_cache(maxsize=None)
def _load(name: str, env: str) -> Any:
    return read(name, env)


def load(name: str) -> Any:
    """The parsed data file ``sitroom/data/<name>`` with the overrides of ``SITROOM_DATA``
    applied; parsed once per process and search path, shared: do not mutate it."""
    return _load(name, os.environ.get(ENV, ""))


def load_file(path: str | Path) -> Any:
    """A data file given by path (a caller's own taxonomy or dictionary): parsed with the same
    errors as :func:`load`, no overrides, not cached."""
    return parse(Path(path))


def fingerprint(name: str) -> str:
    """A short hash of the bytes of every file that makes up data file ``name``: a cache built
    from it (the gazetteer's) is keyed on this. Without overrides it is the packaged file's
    SHA-1, so caches built before overrides existed stay valid."""
    h = hashlib.sha1()
    for i, src in enumerate(sources(name)):
        if i:
            h.update(f"\0{src}\0".encode())
        h.update(src.read_bytes())
    return h.hexdigest()[:8]


def cache_clear() -> None:
    """Forget every parsed file (tests that rewrite an override within one process)."""
    _load.cache_clear()


def require_strings(name: str, key: str, items) -> None:
    """Refuse a word list entry YAML read as something else: a bare ``NO`` (Norway), ``on`` or
    ``yes`` is a boolean, ``1979`` a number. Quote such entries."""
    bad = [x for x in items if not isinstance(x, str)]
    if bad:
        raise ValueError(f"{name}: {key}: quote these entries: {bad}")
