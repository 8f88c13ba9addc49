"""Reading back pipeline results: the output of ``sitroom extract --format jsonl`` (or json)."""
from __future__ import annotations

import json
import sys
from typing import Any, Iterator, TextIO


def read_results(paths: list[str]) -> Iterator[dict[str, Any]]:
    """Pipeline results from ``sitroom extract --format jsonl`` (or json) files, ``-`` for stdin.
    JSON Lines are read a line at a time, so a file of any size takes little memory; a JSON array
    (``--format json``) is read whole."""
    for p in paths:
        fh = sys.stdin if p == "-" else open(p, encoding="utf-8")
        try:
            yield from _read(fh, p)
        finally:
            if fh is not sys.stdin:
                fh.close()


def _read(fh: TextIO, p: str) -> Iterator[dict[str, Any]]:
    first = True
    for n, raw in enumerate(fh, 1):     # lines end at "\n" only: U+2028 is no line end
        line = raw.strip()
        if not line:
            continue
        if first:
            first = False
            if line.startswith("["):    # a JSON array (--format json): read whole
                yield from json.loads(raw + fh.read())
                return
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"doc_id": f"{p}:{n}", "error": f"not a JSON line: {exc}"}
