"""Canonical article URLs and near-duplicate sketches.

* :func:`canonical_url` lower-cases scheme and host, drops the default port, the fragment and the
  tracking parameters listed in ``sitroom/data/tracking_params.yaml``, and sorts what remains, so
  ``https://Site.example/a?utm_source=x&id=2#top`` and ``https://site.example/a?id=2`` are one URL.
* :func:`sketch` is a bottom-k MinHash sketch of a text's five-word shingles; :func:`similarity`
  estimates the Jaccard similarity of two texts from their sketches. A syndicated wire copy with
  its own header, byline or footer still shares nearly all of its shingles with the original.
"""
from __future__ import annotations

import hashlib
import re
import urllib.parse
from functools import lru_cache

SHINGLE = 5
K = 128
#: Estimated Jaccard similarity from which two texts count as copies of one document.
NEAR_DUPLICATE = 0.7
#: Texts with fewer shingles than this are compared by their exact hash only.
MIN_SHINGLES = 20

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _tracking() -> tuple[tuple[str, ...], frozenset[str]]:
    from ..data import load, require_strings

    data = load("tracking_params.yaml")
    prefixes, names = data.get("prefixes") or [], data.get("names") or []
    require_strings("tracking_params.yaml", "prefixes", prefixes)
    require_strings("tracking_params.yaml", "names", names)
    return tuple(p.lower() for p in prefixes), frozenset(n.lower() for n in names)


def is_tracking(param: str) -> bool:
    prefixes, names = _tracking()
    p = param.lower()
    return p in names or p.startswith(prefixes)


def canonical_url(url: str) -> str:
    """The URL an article is known by (see the module docstring). Non-http(s) input is returned
    stripped of whitespace only."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    path = re.sub(r"/{2,}", "/", path)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking(k)]
    query.sort()
    return urllib.parse.urlunsplit((scheme, host, path, urllib.parse.urlencode(query), ""))


def _shingles(text: str) -> set[int]:
    words = [w.casefold() for w in _WORD.findall(text)]
    out = set()
    for i in range(max(0, len(words) - SHINGLE + 1)):
        h = hashlib.blake2b(" ".join(words[i:i + SHINGLE]).encode("utf-8"), digest_size=8).digest()
        out.add(int.from_bytes(h, "big"))
    return out


def sketch(text: str) -> str | None:
    """The ``K`` smallest shingle hashes, as hex separated by spaces; None for a short text."""
    sh = _shingles(text)
    if len(sh) < MIN_SHINGLES:
        return None
    return " ".join(f"{h:016x}" for h in sorted(sh)[:K])


def parse_sketch(value: str | None) -> frozenset[int] | None:
    if not value:
        return None
    try:
        return frozenset(int(x, 16) for x in value.split())
    except ValueError:
        return None


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Estimated Jaccard similarity of two texts from their bottom-k sketches."""
    if not a or not b:
        return 0.0
    k = min(K, len(a), len(b))
    union_bottom = sorted(a | b)[:k]
    both = a & b
    return sum(1 for h in union_bottom if h in both) / k


class SketchIndex:
    """Recent documents' sketches in memory: which stored document is a text a copy of?"""

    def __init__(self) -> None:
        self._items: list[tuple[int, frozenset[int]]] = []     # (document id, sketch)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, document_id: int, sk: frozenset[int] | None) -> None:
        if sk:
            self._items.append((document_id, sk))

    def best(self, sk: frozenset[int] | None, threshold: float = NEAR_DUPLICATE) -> tuple[int, float] | None:
        """(document id, similarity) of the most similar text at or above ``threshold``."""
        if not sk:
            return None
        best: tuple[int, float] | None = None
        for doc_id, other in self._items:
            if len(sk & other) < threshold * min(len(sk), len(other)) * 0.5:   # cheap prefilter
                continue
            s = similarity(sk, other)
            if s >= threshold and (best is None or s > best[1]):
                best = (doc_id, s)
        return best
