"""The event database schema (SQLAlchemy 2 Core).

This module is the *current* shape of the schema. Alembic revisions in ``sitroom/migrations``
create and evolve it; ``tests/store/test_store.py`` checks that a migrated database matches this
metadata, so a change here needs a new revision there.

Tables
------
documents       one row per distinct document (``content_hash`` unique)
mentions        one row per event mention extracted from a document (evidence JSON), linked to the
                fused event it was merged into, with the fusion decision that put it there
events          fused events (ACLED fields + fatalities_low/high, n_sources, contested)
event_sources   (event, document) pairs with that source's own fatality number
event_blocks    the fusion blocking index: (place key, week bucket) -> event
figures, claims, agreements   the other per-document results
claim_events    claims (denials, accusations) linked to the events they are about
event_merges    events that later reports showed to be one: the absorbed id, the event that
                absorbed it, and why (old ids keep resolving to the event)
name_docs       how many documents name each proper name ("" counts all documents): fusion
                weighs a shared name by its rarity
event_docs      each event's JSON as /api/events sends it, ready to send (``sitroom.store.listing``),
                with the ``updated_at`` of the event and the format version it was written for
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

#: JSON on SQLite (text), JSONB on PostgreSQL.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

documents = sa.Table(
    "documents", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("doc_id", sa.String(512), nullable=False, index=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),
    sa.Column("source", sa.String(512)),
    sa.Column("url", sa.Text),
    sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("n_events", sa.Integer, nullable=False, server_default="0"),
    sa.Column("places", JSONType),
    sa.Column("dates", JSONType),
    sa.Column("quality", JSONType),
)

# Fields shared by a mention and a fused event (ACLED columns + sitroom additions).
def _event_columns(indexed: bool = True) -> list[sa.Column]:
    """The shared columns; ``indexed=False`` leaves out the single-column indexes (the events
    table has composite ones instead, below)."""
    ix = indexed
    return [
        sa.Column("event_date", sa.String(10)),
        sa.Column("date_lo", sa.Date),          # first day the event may have happened
        sa.Column("date_hi", sa.Date),          # last day
        sa.Column("time_precision", sa.SmallInteger),
        sa.Column("event_type", sa.String(64)),
        sa.Column("sub_event_type", sa.String(64), index=ix),
        sa.Column("family", sa.String(32)),
        sa.Column("actor1", sa.String(256), index=ix),
        sa.Column("assoc_actor_1", sa.String(256)),
        sa.Column("actor2", sa.String(256), index=ix),
        sa.Column("country", sa.String(128)),
        sa.Column("country_code", sa.String(2), index=ix),
        sa.Column("admin1", sa.String(128), index=ix),
        sa.Column("admin2", sa.String(128)),
        sa.Column("location", sa.String(256)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("geo_precision", sa.SmallInteger),
        sa.Column("fatalities", sa.Integer),
        sa.Column("fatalities_low", sa.Integer),
        sa.Column("fatalities_high", sa.Integer),
        sa.Column("civilian_fatalities", sa.Integer),
        sa.Column("injured", sa.Integer),
        sa.Column("contested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("notes", sa.Text),
    ]


events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_event_columns(indexed=False),
    sa.Column("actors", JSONType),               # every actor any source named
    sa.Column("terms", JSONType),                # evidence content words + "^N^name" document names (core.join_terms)
    sa.Column("n_mentions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("n_sources", sa.Integer, nullable=False, server_default="0"),
    sa.Column("confidence", sa.Float),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
# The read path (revision 0006): every filter of ``Store.query_events`` is an equality on one of
# these columns (the store maps case-insensitive and substring filters to the stored values) or a
# date range, and the events are listed in (date_lo, id) order, so each filter has an index that
# both finds its events and gives them in listing order (keyset paging reads only one page).
ORDER_INDEXED = ("country_code", "country", "admin1", "sub_event_type", "event_type", "actor1", "actor2",
                 "assoc_actor_1")
sa.Index("ix_events_date_hi", events.c.date_hi)
sa.Index("ix_events_updated_at", events.c.updated_at)
# Revision 0009: each also carries ``confidence`` (the dashboard's ``min_confidence``), so a count
# or a page with it is answered from the index alone.
for _col in ORDER_INDEXED:
    if _col != "country_code":
        sa.Index(f"ix_events_{_col}_date_lo_id", events.c[_col], events.c.date_lo, events.c.id, events.c.confidence)
# Revision 0008: the (date_lo, id) and (country_code, date_lo, id) indexes carry every filter column
# after them, so a page walking events in listing order checks the other filters in the index.
_FILTERS = ("date_hi", "confidence", "country_code", "admin1", "sub_event_type", "event_type", "actor1", "actor2",
            "assoc_actor_1")
sa.Index("ix_events_date_lo_id_filters", events.c.date_lo, events.c.id, *(events.c[c] for c in _FILTERS))
sa.Index("ix_events_country_code_date_lo_id_filters", events.c.country_code, events.c.date_lo, events.c.id,
         *(events.c[c] for c in _FILTERS if c != "country_code"))
# ... and the undated events (listed last, by id) have a small index of their own: PostgreSQL
# found the first undated ids by reading the primary key and skipping the dated rows.
sa.Index("ix_events_undated_filters", events.c.id, *(events.c[c] for c in _FILTERS),
         postgresql_where=events.c.date_lo.is_(None), sqlite_where=events.c.date_lo.is_(None))
# Revision 0007: bounded counts read from an index alone (every filter column; a date window).
sa.Index("ix_events_filters", *(events.c[c] for c in ("country_code", "admin1", "sub_event_type", "event_type",
                                                      "actor1", "actor2", "assoc_actor_1", "date_lo", "date_hi",
                                                      "confidence")))
sa.Index("ix_events_date_lo_hi", events.c.date_lo, events.c.date_hi, events.c.confidence)

# Revision 0008: an event's JSON as /api/events sends it (``sitroom.store.listing``), written by the
# store whenever the event, its sources or its mentions change. A row is used only while ``stamp``
# equals the event's ``updated_at`` and ``version`` the current format's; otherwise the event is
# rendered from its rows (the same bytes).
event_docs = sa.Table(
    "event_docs", metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("stamp", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.String(16), nullable=False),
    sa.Column("body", sa.Text, nullable=False),          # the event's JSON object
    sa.Column("geometry", sa.Text, nullable=False),      # its GeoJSON geometry ("null" when unplaced)
)

mentions = sa.Table(
    "mentions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), index=True),
    sa.Column("ordinal", sa.Integer, nullable=False),          # position in the document's events
    sa.Column("local_id", sa.String(64)),                      # the pipeline's event_id
    *_event_columns(),
    sa.Column("confidence", sa.Float),
    sa.Column("evidence", JSONType),                           # the whole extracted event (spans)
    sa.Column("fusion", JSONType),                             # decision: new/merged, score, reasons
)

event_sources = sa.Table(
    "event_sources", metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
              primary_key=True, index=True),
    sa.Column("n_mentions", sa.Integer, nullable=False, server_default="1"),
    sa.Column("fatalities", sa.Integer),                       # this source's own number
    sa.Column("fatalities_low", sa.Integer),
    sa.Column("fatalities_high", sa.Integer),
)

event_merges = sa.Table(
    "event_merges", metadata,
    sa.Column("from_id", sa.Integer, primary_key=True, autoincrement=False),   # the absorbed event's id
    sa.Column("into_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False, index=True),
    sa.Column("score", sa.Float),
    sa.Column("reasons", JSONType),
    sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
)

name_docs = sa.Table(      # how many documents name each proper name (fusion weighs rare names)
    "name_docs", metadata,
    sa.Column("name", sa.String(160), primary_key=True),       # "" counts every document
    sa.Column("documents", sa.Integer, nullable=False),
)

event_blocks = sa.Table(
    "event_blocks", metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False, index=True),
    sa.Column("country", sa.String(160), nullable=False, index=True), # "CC", "@named place" or ""
    sa.Column("place", sa.String(160), nullable=False, index=True),   # "CC|admin1", "CC", or ""
    sa.Column("bucket", sa.Integer, nullable=False, index=True),      # week index; -1 undated
    sa.Column("pkey", sa.String(176), nullable=False, index=True),    # f"{place}#{bucket}"
    sa.Column("ckey", sa.String(176), nullable=False, index=True),    # f"{country}#{bucket}"
)

figures = sa.Table(
    "figures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("kind", sa.String(64), index=True),
    sa.Column("value", sa.Integer),
    sa.Column("low", sa.Integer),
    sa.Column("high", sa.Integer),
    sa.Column("qualifier", sa.String(64)),
    sa.Column("unit", sa.String(64)),
    sa.Column("period_start", sa.String(10)),
    sa.Column("period_end", sa.String(10)),
    sa.Column("country", sa.String(128)),
    sa.Column("admin1", sa.String(128)),
    sa.Column("admin2", sa.String(128)),
    sa.Column("location", sa.String(256)),
    sa.Column("attributed_to", sa.String(256)),
    sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("data", JSONType),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("kind", sa.String(32), index=True),
    sa.Column("speaker", sa.String(256)),
    sa.Column("speaker_role", sa.String(128)),
    sa.Column("date", sa.String(10)),
    sa.Column("text", sa.Text),
    sa.Column("target", sa.String(256)),
    sa.Column("data", JSONType),
)

claim_events = sa.Table(
    "claim_events", metadata,
    sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True, index=True),
    sa.Column("relation", sa.String(32), nullable=False),      # denies, accuses, about
)

agreements = sa.Table(
    "agreements", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("kind", sa.String(64)),
    sa.Column("parties", JSONType),
    sa.Column("agreed_date", sa.String(10)),
    sa.Column("effective_date", sa.String(10)),
    sa.Column("area", sa.String(256)),
    sa.Column("status", sa.String(64)),
    sa.Column("data", JSONType),
)

from ..watch import schema as _watch_schema  # noqa: E402,F401  (watch tables, revision 0005)
