"""read path: each event's JSON as /api/events sends it, stored ready to send (``event_docs``)

A page of ``/api/events`` built every event's dict in Python (its sources, the place names of
its mentions, the ACLED columns) and rendered it: about 20 ms of CPU per 100 events, most of a
request. ``event_docs`` keeps each event's JSON text and GeoJSON geometry, written by the store
whenever the event, its sources or its mentions change (``sitroom.store.listing.refresh``), so a
page is one indexed query joined by string concatenation. Upgrading fills it for every event
(``listing.fill``: about a minute per 100,000 events, logged); a text is used only while it matches
the event's ``updated_at`` and the current format, so an unfilled or outdated one costs speed,
never correctness.

Two indexes of 0006 become covering for the page query: ``(date_lo, id)`` and ``(country_code,
date_lo, id)`` go on with every filter column, so a page that walks events in listing order (a date
window, an actor alone, a country with a type and an actor) checks the other filters in the index
instead of reading one table row per event it passes (at 1M events, SQLite: an actor alone from
15-20 ms to about 6 ms of CPU, a country + type + actor from 12 ms to 5-8 ms). The undated events
(listed last, by id) get a partial index of their own: PostgreSQL found the first undated ids of an
unfiltered page by reading the primary key and skipping the dated rows (about 9 ms).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:00:00
"""
import logging

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

log = logging.getLogger("sitroom.store")


#: index -> (the 0006 index it replaces, its columns)
COVERING = {
    'ix_events_date_lo_id_filters': ('ix_events_date_lo_id', ['date_lo', 'id', 'date_hi', 'confidence', 'country_code',
                                     'admin1', 'sub_event_type', 'event_type', 'actor1', 'actor2', 'assoc_actor_1']),
    'ix_events_country_code_date_lo_id_filters': ('ix_events_country_code_date_lo_id', [
        'country_code', 'date_lo', 'id', 'date_hi', 'confidence', 'admin1', 'sub_event_type', 'event_type', 'actor1',
        'actor2', 'assoc_actor_1']),
}


#: the undated events (listed last, by id): a partial index of their own
UNDATED = ['id', 'date_hi', 'confidence', 'country_code', 'admin1', 'sub_event_type', 'event_type', 'actor1', 'actor2',
           'assoc_actor_1']


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        for name, (old, cols) in COVERING.items():
            batch_op.drop_index(old)
            batch_op.create_index(name, cols, unique=False)
        batch_op.create_index('ix_events_undated_filters', UNDATED, unique=False,
                              postgresql_where=sa.text('date_lo IS NULL'), sqlite_where=sa.text('date_lo IS NULL'))
    op.create_table('event_docs',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_docs_event_id_events'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_docs'))
    )
    from sitroom.store import listing

    conn = op.get_bind()
    total = conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
    if total:
        step = max(100_000, total // 10)
        seen = {"next": step}

        def progress(done: int, n: int) -> None:
            if done >= seen["next"] or done == n:
                log.warning("event_docs: %s of %s events written", f"{done:,}", f"{n:,}")
                seen["next"] = done + step
        listing.fill(conn, progress=progress if total > 20_000 else None)
    if conn.dialect.name == "sqlite":
        op.execute("ANALYZE")       # the planner's statistics, so it picks the new indexes


def downgrade() -> None:
    op.drop_table('event_docs')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_undated_filters')
        for name, (old, cols) in COVERING.items():
            batch_op.drop_index(name)
            batch_op.create_index(old, cols[:cols.index('id') + 1], unique=False)
