"""The ``serve`` command: the dashboard and JSON API over an event database, run by uvicorn.

The application is :func:`sitroom.serve.app.create_app`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from ..scale import default_workers
from ..serve.guard import is_loopback
from .options import db_option, err, open_db


def serve(
    db: Optional[str] = db_option(),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but loopback exposes the dashboard to the network."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host", help="Host name the server answers to, besides the localhost names (repeatable; .example.org also allows its sub-domains; env SITROOM_ALLOWED_HOSTS, comma-separated)."),  # noqa: E501
    read_only: bool = typer.Option(False, "--read-only", envvar="SITROOM_READ_ONLY", help="Refuse every write (POST /api/documents) whatever the token."),  # noqa: E501
    cors_origin: Optional[list[str]] = typer.Option(None, "--cors-origin", help="Origin (https://host[:port]) whose pages may read the API (repeatable; env SITROOM_CORS_ORIGINS; default none)."),  # noqa: E501
    workers: int = typer.Option(1, "--workers", "-w", min=0, help="Server processes answering requests (0: one per core). More than one answers concurrent readers in parallel; each opens the database itself. A keep-alive connection is closed after 100 requests, so long-lived clients spread over the processes."),  # noqa: E501
) -> None:
    """Serve the dashboard (map, timeline, evidence) and the JSON API (/api, docs at /docs).

    Reading is open to whoever can reach the address unless SITROOM_READ_TOKEN is set (then every request needs it: Authorization: Bearer, or open /?token=... once in a browser); POST /api/documents needs the bearer token in SITROOM_TOKEN and is refused while none is set. Only requests whose Host header is a localhost name, the --host address or an --allow-host name are answered (DNS rebinding)."""  # noqa: E501
    import uvicorn

    from ..serve.app import create_app, settled
    from ..serve.guard import LOCAL_HOSTS, split_hosts

    hosts = [*LOCAL_HOSTS, *split_hosts(os.environ.get("SITROOM_ALLOWED_HOSTS")), *split_hosts(allow_host)]
    if host not in ("0.0.0.0", "::", ""):
        hosts += split_hosts([host])
    read_token = os.environ.get("SITROOM_READ_TOKEN") or None
    if not is_loopback(host):
        if read_token is None:
            err.print(f"sitroom: warning: listening on {host}, not on loopback: anyone who can reach this machine "
                      "can read the dashboard and the API (set SITROOM_READ_TOKEN to require a token)", markup=False)
        if not allow_host and not os.environ.get("SITROOM_ALLOWED_HOSTS"):
            err.print(f"sitroom: only requests for {', '.join(split_hosts([host]) if host not in ('0.0.0.0', '::') else ['localhost'])} "
                      "are answered: add the names clients use with --allow-host", markup=False)
    token = os.environ.get("SITROOM_TOKEN") or None
    if read_only:
        err.print("sitroom: read-only: every write is refused (403)", markup=False)
    elif token is None:
        err.print("sitroom: SITROOM_TOKEN is not set: POST /api/documents is refused (403)", markup=False)
    store = open_db(db)     # also checks the database (and migrates it) once, before any worker starts
    if workers != 1:
        store.close()
        _serve_in_processes(workers or default_workers(), db=db, host=host, port=port, hosts=hosts,
                            read_only=read_only, cors_origins=cors_origin)
        return
    app = create_app(store=store, token=token, allowed_hosts=hosts, read_token=read_token, read_only=read_only,
                     cors_origins=cors_origin or None)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"sitroom: dashboard on http://{shown}:{port}/  (API docs: /docs)", markup=False)
    try:
        uvicorn.run(settled(app), host=host, port=port, log_level="warning")
    finally:
        store.close()


def _serve_in_processes(workers: int, *, db: Optional[str], host: str, port: int, hosts: list[str],
                        read_only: bool, cors_origins: Optional[list[str]]) -> None:
    """uvicorn with ``workers`` processes, each building the app from the environment set here
    (:func:`sitroom.serve.app.app_from_environment`): the same guard and settings as one process."""
    import uvicorn

    from ..store.engine import resolve_url

    url = resolve_url(db)
    if url.startswith("sqlite:///"):        # the workers may not share this directory's meaning
        url = "sqlite:///" + str(Path(url[len("sqlite:///"):]).resolve())
    os.environ["SITROOM_DB"] = url
    os.environ["SITROOM_ALLOWED_HOSTS"] = ",".join(hosts)
    if read_only:
        os.environ["SITROOM_READ_ONLY"] = "1"
    if cors_origins:
        os.environ["SITROOM_CORS_ORIGINS"] = ",".join(cors_origins)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"sitroom: dashboard on http://{shown}:{port}/  (API docs: /docs; {workers} server processes)",
              markup=False)
    uvicorn.run("sitroom.serve.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning")

