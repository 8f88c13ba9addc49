"""The dashboard and its JSON API: ``create_app(db, token)`` returns a FastAPI application.

Read endpoints are open (the server binds to 127.0.0.1 unless told otherwise); the one write,
``POST /api/documents``, needs ``Authorization: Bearer <SITROOM_TOKEN>`` and is refused (403)
whenever no token is configured. Everything the page shows from articles is untrusted: the page
only ever renders it with ``textContent`` (see ``static/app.js``), and the Content-Security-Policy
sent with every response allows scripts from this server only, none inline.

The routes are one router per resource (:mod:`sitroom.serve.routes`); ``create_app`` puts the
guard in front of them and includes them.
"""
from __future__ import annotations

import mimetypes
import os
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..store import Store
from .deps import COUNT_CAP, MAX_LIMIT, OSM_TILES, REPORT_MAX_EVENTS, Settings
from .guard import add_guard
from .keepalive import KeepAliveLimit
from .routes import agreements, claims, events, figures, ingest, pages, reports

__all__ = ["COUNT_CAP", "MAX_BODY", "MAX_LIMIT", "REPORT_MAX_EVENTS", "create_app"]

STATIC = pages.STATIC
MAX_BODY = 1_000_000          # bytes accepted by POST /api/documents

mimetypes.add_type("application/geo+json", ".geojson")


def _csp(tile_url: str | None) -> str:
    img = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.netloc:
            host = parts.netloc
            img.append(f"{parts.scheme}://{host}")
            if "{s}" in tile_url:     # a, b, c sub-domains
                img.append(f"{parts.scheme}://*.{host.split('.', 1)[1]}")
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {' '.join(img)}; connect-src 'self'; font-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(db: str | None = None, token: str | None = None, *, store: Store | None = None,
               tile_url: str | None = None, max_body: int = MAX_BODY, allowed_hosts: list[str] | None = None,
               read_token: str | None = None, read_only: bool | None = None,
               cors_origins: list[str] | None = None) -> FastAPI:
    """The dashboard + API over the database ``db`` (or an open ``store``).

    ``token`` (default: ``SITROOM_TOKEN``) guards ``POST /api/documents``; with none, writes are
    refused. ``tile_url`` (default: ``SITROOM_TILES`` or OpenStreetMap; "off" for none) is the
    base map; the outlines shipped with the package are always drawn beneath it. ``allowed_hosts``,
    ``read_token``, ``read_only`` and ``cors_origins`` (defaults: ``SITROOM_ALLOWED_HOSTS``,
    ``SITROOM_READ_TOKEN``, ``SITROOM_READ_ONLY``, ``SITROOM_CORS_ORIGINS``) configure the guard
    in front of every route (:mod:`sitroom.serve.guard`): localhost Host names only, no token
    for reading, writes allowed, no cross-origin reads."""
    if token is None:
        token = os.environ.get("SITROOM_TOKEN")
    token = token or None           # "" is no token: writes refused
    if tile_url is None:
        tile_url = os.environ.get("SITROOM_TILES") or OSM_TILES
    if tile_url.strip().lower() in ("off", "none", ""):
        tile_url = None
    own_store = store is None
    store = store or Store.open(db)
    csp = _csp(tile_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        if own_store:
            store.close()

    app = FastAPI(
        title="sitroom", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
        openapi_url="/openapi.json",
        description="Fused, geocoded, source-attributed conflict events. Human-readable docs: /docs. "
                    "All text fields come from articles: untrusted, escape them.")
    app.state.store = store
    read_only = add_guard(app, csp=csp, token=token, max_body=max_body, allowed_hosts=allowed_hosts,
                          read_token=read_token, read_only=read_only, cors_origins=cors_origins)
    app.add_middleware(KeepAliveLimit)      # outermost: long-lived clients spread over --workers processes
    app.state.settings = Settings(store=store, token=token, tile_url=tile_url, read_only=read_only,
                                  max_body=max_body, count_cap=COUNT_CAP, report_max_events=REPORT_MAX_EVENTS)

    from ..watch.web import router as watch_router

    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(watch_router)
    for router in (pages.config_router, events.router, figures.router, claims.router, agreements.router,
                   reports.router, ingest.router):
        app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    """The app each ``sitroom serve --workers N`` process builds for itself (uvicorn's factory):
    every setting comes from the environment the command prepared (``SITROOM_DB``,
    ``SITROOM_TOKEN``, ``SITROOM_READ_TOKEN``, ``SITROOM_ALLOWED_HOSTS``, ``SITROOM_READ_ONLY``,
    ``SITROOM_CORS_ORIGINS``, ``SITROOM_TILES``); each process opens its own connection pool."""
    return settled(create_app(os.environ.get("SITROOM_DB")))


def settled(app: FastAPI) -> FastAPI:
    """``app``, ready to serve: the values the event filters keep are read now (:meth:`Store.warm`,
    not by the first requests: the longest date range is a scan of every event), and everything
    built so far is moved out of the garbage collector's sight (``gc.freeze``): a server's
    start-up objects (routes, the store, data tables) are never garbage, and scanning them in
    every full collection made the slowest requests' pauses. Under 8 clients on 1M SQLite events,
    p99 of /api/events went from 95-103 ms to 65-83 ms with the freeze."""
    import gc
    import logging

    store = getattr(app.state, "store", None)
    if store is not None:
        try:
            store.warm()
        except Exception as exc:    # noqa: BLE001  (a database not reachable yet: the requests say so)
            logging.getLogger(__name__).warning("could not read the event filters' values at start: %s", exc)
    gc.collect()
    gc.freeze()
    return app

