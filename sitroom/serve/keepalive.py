"""A keep-alive connection is closed after :data:`KEEPALIVE_REQUESTS` requests, as nginx's
``keepalive_requests`` and Apache's ``MaxKeepAliveRequests`` do.

Why: ``sitroom serve --workers N`` runs N processes that accept from one listening socket, and a
keep-alive connection stays with the process that accepted it. Clients that hold their
connections (a dashboard, a script with a session, a proxy's upstream pool) keep the split of
their first connects: measured with 8 such clients on 2 processes, 6 and 2, or all 8 on one, so
one process (one core, its own GIL) served most requests while the other idled. Closed now and
then, a connection is opened again, and the process that accepts it is the one waiting in
``accept``: the less busy one. The client sees ``Connection: close`` on a complete response and
reconnects (HTTP/1.1 clients do so by themselves)."""
from __future__ import annotations

#: requests a connection may carry before the response that closes it
KEEPALIVE_REQUESTS = 100
#: connections remembered (per process); beyond, the oldest are forgotten (their count restarts)
REMEMBERED = 4096


class KeepAliveLimit:
    """ASGI middleware: counts the requests of each connection (by the client's address and port)
    and adds ``Connection: close`` to the response of its ``limit``-th."""

    def __init__(self, app, *, limit: int = KEEPALIVE_REQUESTS) -> None:
        self.app = app
        self.limit = limit
        self.served: dict[tuple, int] = {}

    async def __call__(self, scope, receive, send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if not client:
            await self.app(scope, receive, send)
            return
        key = tuple(client)
        n = self.served.pop(key, 0) + 1
        if n < self.limit:
            self.served[key] = n            # re-inserted: the dict stays in order of last use
            if len(self.served) > REMEMBERED:
                del self.served[next(iter(self.served))]
            await self.app(scope, receive, send)
            return

        async def closing_send(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers") or [] if k.lower() != b"connection"]
                message = dict(message, headers=[*headers, (b"connection", b"close")])
            await send(message)
        await self.app(scope, receive, closing_send)
