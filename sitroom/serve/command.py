"""The ``serve`` command: the dashboard and JSON API over an event database, run by uvicorn.

Registered in ``sitroom/cli.py`` with ``app.command("serve")(serve)``.
"""
from __future__ import annotations

import ipaddress
import os
from typing import Optional

import typer

from ..store.command import _db_option, _open, err


def is_loopback(host: str) -> bool:
    """True for names and addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    h = host.strip().strip("[]").lower()
    if h in ("localhost", "localhost.localdomain") or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def serve(
    db: Optional[str] = _db_option(),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but loopback exposes the dashboard to the network."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
) -> None:
    """Serve the dashboard (map, timeline, evidence) and the JSON API (/api, docs at /docs).

    Reading is open to whoever can reach the address; POST /api/documents needs the bearer token in SITROOM_TOKEN and is refused while none is set."""  # noqa: E501
    import uvicorn

    from .app import create_app

    if not is_loopback(host):
        err.print(f"sitroom: warning: listening on {host}, not on loopback: anyone who can reach this machine "
                  "can read the dashboard and the API", markup=False)
    token = os.environ.get("SITROOM_TOKEN") or None
    if token is None:
        err.print("sitroom: SITROOM_TOKEN is not set: POST /api/documents is refused (403)", markup=False)
    store = _open(db)
    app = create_app(store=store, token=token)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"sitroom: dashboard on http://{shown}:{port}/  (API docs: /docs)", markup=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        store.close()
