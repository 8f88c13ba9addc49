"""What the routers of :mod:`sitroom.serve.routes` share: the settings :func:`~sitroom.serve.app.create_app`
put on the application, and the limits of the API."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from fastapi import Request
from pydantic import BaseModel, Field

from ..store import Store

#: OpenStreetMap's standard tiles; ``SITROOM_TILES`` (or ``tile_url=``) replaces them, "off" disables.
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000    # deeper pages: the `cursor` of /api/events
#: ``total`` of a page counts matches up to this many (``total_exact`` false beyond; /api/events
#: ``total=exact`` counts them all). The dashboard loads at most this many events.
COUNT_CAP = 10_000
#: /api/report reads at most this many events (422 beyond, asking for filters).
REPORT_MAX_EVENTS = 5_000


#: /api/events reads at once per server process (``SITROOM_LISTING_SLOTS``). Measured with 8
#: clients on 2 cores (``serve --workers 2``, PostgreSQL): p99 100-105 ms with no limit, 80-95
#: with 2, 69-87 with 1, at the same throughput (docs/scale.md).
def _listing_slots(default: int = 2) -> int:
    value = os.environ.get("SITROOM_LISTING_SLOTS")
    if value and value.strip().isdigit() and int(value) >= 1:
        return int(value)
    if value:
        logging.getLogger("sitroom.serve").warning(
            "SITROOM_LISTING_SLOTS=%r is not a whole number of at least 1: %d slots", value, default)
    return default


LISTING_SLOTS = _listing_slots()


@dataclass
class Settings:
    """One application's configuration and shared state (``app.state.settings``)."""
    store: Store
    token: str | None
    tile_url: str | None
    read_only: bool
    max_body: int
    #: ``total`` of a page counts matches up to this many (``total_exact`` false beyond)
    count_cap: int
    #: /api/report reads at most this many events (422 beyond, asking for filters)
    report_max_events: int
    #: /api/events joins the events' stored JSON texts (``sitroom.store.listing``); false: it
    #: builds every event from its rows (the reference the texts are tested against)
    stored_json: bool = True
    #: at most this many /api/events reads run at once in one server process (the others wait
    #: their turn): fewer queries share the cores at a time, so the slow ones finish sooner
    listing_slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(
        LISTING_SLOTS))
    pipeline: Any = None        # loaded on the first POST /api/documents
    pipeline_lock: threading.Lock = field(default_factory=threading.Lock)


def settings(request: Request) -> Settings:
    return request.app.state.settings


def store(request: Request) -> Store:
    return request.app.state.store


class _Error(BaseModel):
    detail: str


#: an error response's body ({"detail": ...}); the class keeps its name, which is the OpenAPI schema's
Error = _Error


class DocumentIn(BaseModel):
    """A document to extract and store."""
    text: str = Field(..., min_length=1, description="The article text (plain text).")
    title: Optional[str] = Field(None, max_length=2000)
    url: Optional[str] = Field(None, max_length=4000)
    source: Optional[str] = Field(None, max_length=512, description="Outlet or site name.")
    published: Optional[date] = Field(None, description="Publication date, YYYY-MM-DD.")
    id: Optional[str] = Field(None, max_length=512, description="Document id (default: api:<content hash>).")


def page(rows: list, n: int, limit: int, offset: int, key: str, cap: int) -> dict[str, Any]:
    """A page read in SQL with a count bounded by ``cap`` (``n`` is at most ``cap + 1``)."""
    from ..model import to_jsonable

    return to_jsonable({"total": min(n, cap), "total_exact": n <= cap, "limit": limit, "offset": offset, key: rows})
