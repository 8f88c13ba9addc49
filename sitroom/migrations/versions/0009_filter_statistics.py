"""read path: event confidence in the per-filter indexes; PostgreSQL statistics of filters that go together

* The dashboard asks for events at or above a confidence (``min_confidence``), so every page and
  every bounded count checks ``confidence``. The (filter, date_lo, id) indexes of 0006 did not hold
  it: a count of "Armed clash" events at confidence >= 0.4 read the table (PostgreSQL: a
  sequential scan, 19 ms mean on 1M events; an actor's, 57 ms), where the index alone answers it
  once it carries the column (1.5 ms; an actor's 7 ms). Each is rebuilt as (filter, date_lo, id,
  confidence): the same order, so pages walk it as before.
* An admin1 lies in one country, and a sub-event type in one event type, but PostgreSQL's planner
  estimates a filter on both columns as if they were independent: for ``country=AF&admin1=...`` on
  1M synthetic events it expected 233 matching rows for 5,027, sorted them all from the table (a
  bitmap heap scan of 4,792 pages) instead of walking the country's index in listing order, and that
  request took 30 ms of the server's CPU against 3 to 10 ms for every other filter set of the
  dashboard. Extended statistics (functional dependencies and distinct counts) tell it. SQLite has
  nothing of the kind and needs none here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 02:00:00
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: the (column, date_lo, id) indexes of 0006 (country_code's became a covering index in 0008)
ORDER_INDEXED = ("country", "admin1", "sub_event_type", "event_type", "actor1", "actor2", "assoc_actor_1")

#: (name, columns): the statistics objects created on PostgreSQL
STATISTICS = (("st_events_place", "country_code, country, admin1"),
              ("st_events_type", "event_type, sub_event_type"))


def _rebuild(columns: list[str]) -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        for col in ORDER_INDEXED:
            batch_op.drop_index(f'ix_events_{col}_date_lo_id')
            batch_op.create_index(f'ix_events_{col}_date_lo_id', [col, *columns], unique=False)


def upgrade() -> None:
    _rebuild(["date_lo", "id", "confidence"])
    if op.get_bind().dialect.name == "postgresql":
        for name, columns in STATISTICS:
            op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} (dependencies, ndistinct) ON {columns} FROM events")
    op.execute("ANALYZE events")        # the planner's statistics, so it picks these indexes


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _columns in STATISTICS:
            op.execute(f"DROP STATISTICS IF EXISTS {name}")
    _rebuild(["date_lo", "id"])
