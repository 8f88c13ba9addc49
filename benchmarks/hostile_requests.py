"""Hostile requests against the dashboard's API: how many are refused cleanly (422/404/400),
how many answer 500, and how many responses lack the Content-Security-Policy.

    python benchmarks/hostile_requests.py

Over an empty temporary database, through FastAPI's test client (no port opened). The requests
are the ones of tests/serve/test_guard.py: negative, huge and non-integer limit/offset (2**63 and
400 digits included), control characters, overlong and non-UTF-8 values, bad dates, huge and
signed event ids, and a foreign Host header (DNS rebinding). Figures in docs/reliability.md.
"""
from __future__ import annotations

import collections
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> None:
    warnings.filterwarnings("ignore")
    from fastapi.testclient import TestClient
    from test_serve_guard import BAD_QUERIES

    from sitroom.serve import create_app
    from sitroom.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "probe.db"))
        client = TestClient(create_app(store=store, token="t", tile_url="off"), base_url="http://127.0.0.1",
                            raise_server_exceptions=False)
        paths = ("/api/events", "/api/figures", "/api/claims", "/api/agreements")
        reqs = [f"{p}?{q}" for p in paths for q in BAD_QUERIES] + ["/api/events?format=xml"]
        reqs += [f"/api/events/{e}" for e in ("SR" + "9" * 30, "9" * 19, str(2 ** 63), "SR-1")]
        codes: collections.Counter = collections.Counter()
        bare = 0
        for url in reqs:
            r = client.get(url)
            codes[r.status_code] += 1
            bare += "content-security-policy" not in r.headers or "x-content-type-options" not in r.headers
        rebinding = client.get("/api/events", headers={"Host": "evil.example"}).status_code
        store.close()
    print(f"{len(reqs)} hostile requests: status {dict(sorted(codes.items()))}; "
          f"without CSP/nosniff: {bare}; Host: evil.example -> {rebinding}")


if __name__ == "__main__":
    main()
