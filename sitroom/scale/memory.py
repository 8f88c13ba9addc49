"""Keeping a long extraction run's memory flat.

spaCy's working memory for one ``nlp.pipe`` batch grows with the batch's text: the parser and
the entity recogniser precompute features for every token of the batch, about 3 KB per
character of text at once (measured on ``en_core_web_sm``: 146 MB of transient arrays for a
batch of 48,000 characters). Two things keep a process's peak low without changing a result:

* :func:`text_batches`: the documents of a batch go through spaCy in groups of at most
  :data:`PARSE_CHARS` characters (a longer document alone), so the transient arrays stay bounded
  whatever ``--batch-size`` and the documents' length. spaCy parses each document on its own, so
  the grouping changes no parse.
* :func:`tune_allocator` (glibc only; elsewhere a no-op): arrays above :data:`MMAP_BYTES` are
  mapped and returned to the system when freed. By default glibc raises that threshold after the
  first large free, after which spaCy's large arrays come from the heap, and the heap, fragmented
  by the small objects allocated in between, does not shrink: the process then keeps its largest
  batch's memory for good. :func:`release` (``malloc_trim``) hands free heap pages back after
  each batch.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import Iterator, Sequence

#: the most characters of text that go through spaCy at once (one document longer than this goes alone)
PARSE_CHARS = int(os.environ.get("SITROOM_PARSE_CHARS", "20000"))
#: glibc's mmap threshold: allocations above it are mapped, and unmapped when freed
MMAP_BYTES = 256 * 1024

_M_MMAP_THRESHOLD = -3
_LIBC: list = []


def _libc():
    if not _LIBC:
        lib = None
        if sys.platform.startswith("linux"):
            try:
                lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                lib.mallopt, lib.malloc_trim     # glibc (not musl): both are there
            except (OSError, AttributeError):
                lib = None
        _LIBC.append(lib)
    return _LIBC[0]


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_BYTES` (once per process; True when it applies)."""
    lib = _libc()
    if lib is None or os.environ.get("MALLOC_MMAP_THRESHOLD_"):    # the user's own setting wins
        return False
    return bool(lib.mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES))


def release() -> None:
    """Return free heap memory to the system (glibc ``malloc_trim``; elsewhere nothing)."""
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)


def text_batches(lengths: Sequence[int], limit: int | None = None) -> Iterator[range]:
    """Consecutive index ranges over documents of these lengths, each of at most ``limit``
    (default :data:`PARSE_CHARS`) characters in all, or of one document."""
    limit = PARSE_CHARS if limit is None else limit
    start, total = 0, 0
    for i, n in enumerate(lengths):
        if i > start and total + n > limit:
            yield range(start, i)
            start, total = i, 0
        total += n
    if start < len(lengths):
        yield range(start, len(lengths))
