"""read path: covering indexes for bounded counts

``Store.count_events`` (the ``total`` of ``/api/events``, up to 10,000) counted through the
(filter, date_lo, id) indexes of 0006, which hold one filter column: every other filter (admin1
after country, type and actor after country, ``date_hi`` of a date window) was checked in the
table row, one random read per match. ``ix_events_filters`` holds every filter column, so a
count that starts from the country is read from the index alone; ``ix_events_date_lo_hi`` does
the same for a date window (``date_lo`` range, ``date_hi`` bound, ``min_confidence``).
Measured at 1M synthetic events (SQLite, dashboard filters): a count from 210 ms to 33 ms mean.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:30:00
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FILTER_COLUMNS = ["country_code", "admin1", "sub_event_type", "event_type", "actor1", "actor2", "assoc_actor_1",
                  "date_lo", "date_hi", "confidence"]
WINDOW_COLUMNS = ["date_lo", "date_hi", "confidence"]


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_filters', FILTER_COLUMNS, unique=False)
        batch_op.create_index('ix_events_date_lo_hi', WINDOW_COLUMNS, unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE")       # the planner's statistics, so it picks these indexes


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_date_lo_hi')
        batch_op.drop_index('ix_events_filters')
