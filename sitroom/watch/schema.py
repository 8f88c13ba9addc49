"""The watch tables (SQLAlchemy Core, on the store's metadata so one schema check covers all).

watch_sources     the source registry: what to poll, how often, and its health
watch_items       one row per canonical article URL ever listed by a source: its state
                  (pending, done, skipped, failed), the document it became, its fingerprint
watch_fetches     the fetch log: every HTTP request (listing, robots.txt, article) or folder read,
                  with status, ETag, Last-Modified, result
document_copies   other URLs/outlets carrying the same (or a near-identical, syndicated) text as a
                  stored document, so a document's source list stays complete
alert_rules       saved watches (area, event types, actors, fatalities, words)
alerts_fired      what each rule fired for which fused event, and why; webhook delivery state
"""
from __future__ import annotations

import sqlalchemy as sa

from ..store.schema import JSONType, metadata

watch_sources = sa.Table(
    "watch_sources", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),             # feed, sitemap, site, folder
    sa.Column("url", sa.Text, nullable=False),                    # URL, or folder path
    sa.Column("pattern", sa.String(128)),                         # folder: file names to read (glob)
    sa.Column("language", sa.String(16)),
    sa.Column("region", sa.String(128)),
    sa.Column("scale", sa.String(16)),                            # local, national, regional, international
    sa.Column("interval_s", sa.Integer, nullable=False, server_default="900"),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("feed_url", sa.Text),                               # discovered feed of a site
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_fetch_at", sa.DateTime(timezone=True)),
    sa.Column("last_ok_at", sa.DateTime(timezone=True)),
    sa.Column("last_new_at", sa.DateTime(timezone=True)),
    sa.Column("next_due_at", sa.DateTime(timezone=True)),
    sa.Column("errors_in_row", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("articles_found", sa.Integer, nullable=False, server_default="0"),
)

watch_items = sa.Table(
    "watch_items", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.String(2048), nullable=False, unique=True),   # canonical URL (or folder path)
    sa.Column("source_id", sa.Integer, sa.ForeignKey("watch_sources.id", ondelete="SET NULL"), index=True),
    sa.Column("listed_url", sa.Text),                             # as the listing gave it
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),                              # the listing's date for it
    sa.Column("state", sa.String(16), nullable=False, index=True),    # pending, done, skipped, failed
    sa.Column("result", sa.String(32)),                           # added, duplicate, copy, not_article, ...
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="SET NULL"), index=True),
    sa.Column("content_hash", sa.String(64), index=True),
    sa.Column("fingerprint", sa.Text),                            # bottom-k shingle sketch (canon.sketch)
    sa.Column("detail", sa.Text),
)

watch_fetches = sa.Table(
    "watch_fetches", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("watch_sources.id", ondelete="SET NULL"), index=True),
    sa.Column("kind", sa.String(16), nullable=False),             # listing, article, robots
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("final_url", sa.Text),
    sa.Column("status", sa.Integer),                              # HTTP status (None: no answer)
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("first_seen", sa.DateTime(timezone=True)),          # when this URL was first listed
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("elapsed_ms", sa.Integer),
    sa.Column("bytes", sa.Integer),
    sa.Column("result", sa.String(32), nullable=False),           # ok, not_modified, error, refused, robots, ...
    sa.Column("detail", sa.Text),
)

document_copies = sa.Table(
    "document_copies", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("source", sa.String(512)),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("watch_sources.id", ondelete="SET NULL")),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),
    sa.Column("content_hash", sa.String(64)),
    sa.Column("similarity", sa.Float),                            # 1.0 identical text; less: near-duplicate
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("document_id", "url"),
)

alert_rules = sa.Table(
    "alert_rules", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("spec", JSONType, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

alerts_fired = sa.Table(
    "alerts_fired", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rule_id", sa.Integer, sa.ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("event_id", sa.Integer, nullable=False, index=True),
    sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("reason", sa.String(64), nullable=False),           # new, fatalities, sources, contested
    sa.Column("fatalities", sa.Integer),
    sa.Column("n_sources", sa.Integer),
    sa.Column("contested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("webhook_status", sa.String(16)),                   # None (no webhook), pending, sent, failed
    sa.Column("webhook_attempts", sa.Integer, nullable=False, server_default="0"),
)
