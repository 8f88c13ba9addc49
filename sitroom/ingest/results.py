"""Reading back pipeline results: the output of ``sitroom extract --format jsonl`` (or json)."""
from __future__ import annotations

import json
import sys
from typing import Any, Iterator


def read_results(paths: list[str]) -> Iterator[dict[str, Any]]:
    """Pipeline results from ``sitroom extract --format jsonl`` (or json) files, ``-`` for stdin."""
    for p in paths:
        fh = sys.stdin if p == "-" else open(p, encoding="utf-8")
        try:
            text = fh.read()
        finally:
            if fh is not sys.stdin:
                fh.close()
        stripped = text.lstrip()
        if stripped.startswith("["):
            yield from json.loads(stripped)
            continue
        for n, line in enumerate(text.split("\n"), 1):    # not splitlines: U+2028 is no line end
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                yield {"doc_id": f"{p}:{n}", "error": f"not a JSON line: {exc}"}
