"""Many clients on a few server processes: ``KeepAliveLimit`` (a connection's ``limit``-th response
says ``Connection: close``, then its count starts again; each connection counted on its own;
``create_app`` puts it in front) and the listing slots of ``/api/events``."""
from __future__ import annotations

import asyncio

from sitroom.serve.keepalive import KEEPALIVE_REQUESTS, KeepAliveLimit


async def _inner(scope, receive, send):
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"connection", b"keep-alive")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _get(app, client=("127.0.0.1", 50000)) -> dict[bytes, bytes]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "client": client}
    asyncio.run(app(scope, receive, send))
    assert sent[-1]["body"] == b"ok"
    return dict(sent[0]["headers"])


def test_every_limit_th_response_of_a_connection_closes_it():
    app = KeepAliveLimit(_inner, limit=3)
    a, b = ("127.0.0.1", 1), ("127.0.0.1", 2)
    got = [_get(app, a).get(b"connection") for _ in range(7)]
    assert got == [b"keep-alive", b"keep-alive", b"close"] * 2 + [b"keep-alive"]
    assert [_get(app, b).get(b"connection") for _ in range(3)] == [b"keep-alive", b"keep-alive", b"close"]
    assert _get(app, a)[b"connection"] == b"keep-alive"    # a's count went on apart from b's
    assert _get(app, a)[b"connection"] == b"close"


def test_without_a_client_address_nothing_is_counted():
    app = KeepAliveLimit(_inner, limit=1)
    assert _get(app, None)[b"connection"] == b"keep-alive"
    assert app.served == {}


def test_the_app_closes_a_connection_after_its_limit(tmp_path):
    from fastapi.testclient import TestClient

    from sitroom.serve import create_app

    client = TestClient(create_app(str(tmp_path / "k.db"), tile_url="off"), base_url="http://127.0.0.1")
    got = [client.get("/api/config").headers.get("connection") for _ in range(KEEPALIVE_REQUESTS)]
    assert got[:-1] == [None] * (KEEPALIVE_REQUESTS - 1) and got[-1] == "close"


def test_listing_reads_wait_for_a_slot(tmp_path):
    """/api/events runs at most ``listing_slots`` reads at once in one process; the others wait
    and are answered."""
    import threading
    import time

    from fastapi.testclient import TestClient

    from sitroom.serve import create_app

    app = create_app(str(tmp_path / "s.db"), tile_url="off")
    s = app.state.settings
    s.listing_slots = threading.BoundedSemaphore(1)
    inside, most, lock = [0], [0], threading.Lock()
    real = s.store.query_event_docs

    def slow(**kw):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        try:
            return real(**kw)
        finally:
            with lock:
                inside[0] -= 1
    s.store.query_event_docs = slow
    client = TestClient(app, base_url="http://127.0.0.1")
    codes: list[int] = []

    def four_at_once() -> None:
        threads = [threading.Thread(target=lambda: codes.append(client.get("/api/events").status_code))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    four_at_once()
    assert codes == [200] * 4 and most[0] == 1
    s.listing_slots = threading.BoundedSemaphore(3)
    most[0] = 0
    four_at_once()
    assert most[0] > 1         # with more slots, the reads overlap
