"""``sitroom watch``, ``brief``, ``sources ...``, ``alerts ...``: the verbs of :mod:`sitroom.watch`
(declared in :mod:`sitroom.watch.command`, beside the watcher they drive)."""
from __future__ import annotations

from ..watch.command import alerts_app, register, sources_app

__all__ = ["alerts_app", "register", "sources_app"]
