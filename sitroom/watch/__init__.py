"""Continuous monitoring: a registry of sources, polite polling, deduplication, alerts and a daily brief.

Modules (each importable on its own; nothing heavy is loaded here):

``schema``    the tables (on the store's metadata; Alembic revision 0005 creates them)
``registry``  sources: add, list, remove, show, import from YAML, health
``canon``     canonical URLs and near-duplicate fingerprints
``fetcher``   the polite HTTP client (robots.txt, per-host delay, conditional GET, retries)
``discover``  feed entries, news sitemaps, feed discovery on a front page, local folders
``poller``    one poll of the due sources: fetch, extract, deduplicate, ingest and fuse
``alerts``    rules, matching fused events, firing once per event and on material change
``outputs``   Atom feeds, webhook delivery, JSON Lines
``brief``     the daily situation report
``command``   the ``sources``, ``watch``, ``alerts`` and ``brief`` commands
``web``       the FastAPI router: ``/alerts/NAME.atom``, ``/sources``, ``/api/sources``
"""
