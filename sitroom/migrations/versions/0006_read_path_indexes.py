"""read path: composite (filter, date_lo, id) indexes on events, date_hi and updated_at

Every filter of ``Store.query_events`` becomes an equality on a stored column (the store maps
case-insensitive and substring filters to the values stored), and events are listed in
(date_lo, id) order: an index per filter column that ends with (date_lo, id) finds a filter's
events already in listing order, so a page (keyset or offset) reads one page of rows instead of
sorting every match. The single-column indexes these replace are dropped (each is the prefix of
its composite). ``date_hi`` serves ``since``; ``updated_at`` tells cheaply whether events changed
(the store's caches of stored values and totals).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 17:30:00
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ORDER_INDEXED = ("country_code", "country", "admin1", "sub_event_type", "event_type", "actor1", "actor2",
                 "assoc_actor_1")
REPLACED = ("country_code", "admin1", "sub_event_type", "actor1", "actor2")


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        for col in REPLACED:
            batch_op.drop_index(f'ix_events_{col}')
        batch_op.drop_index('ix_events_date_lo')
        batch_op.create_index('ix_events_date_lo_id', ['date_lo', 'id'], unique=False)
        batch_op.create_index('ix_events_date_hi', ['date_hi'], unique=False)
        batch_op.create_index('ix_events_updated_at', ['updated_at'], unique=False)
        for col in ORDER_INDEXED:
            batch_op.create_index(f'ix_events_{col}_date_lo_id', [col, 'date_lo', 'id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE")       # the planner's statistics, so it picks these indexes


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        for col in ORDER_INDEXED:
            batch_op.drop_index(f'ix_events_{col}_date_lo_id')
        batch_op.drop_index('ix_events_updated_at')
        batch_op.drop_index('ix_events_date_hi')
        batch_op.drop_index('ix_events_date_lo_id')
        batch_op.create_index('ix_events_date_lo', ['date_lo'], unique=False)
        for col in REPLACED:
            batch_op.create_index(f'ix_events_{col}', [col], unique=False)
