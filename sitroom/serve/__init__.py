"""``sitroom serve``: the dashboard (one page: map, timeline, filters, evidence) and its JSON API."""
from .app import create_app

__all__ = ["create_app"]
