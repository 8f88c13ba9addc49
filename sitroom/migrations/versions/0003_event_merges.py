"""event_merges: events that later reports showed to be one (consolidation), old id -> event

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_merges',
    sa.Column('from_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('into_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['into_id'], ['events.id'], name=op.f('fk_event_merges_into_id_events')),
    sa.PrimaryKeyConstraint('from_id', name=op.f('pk_event_merges'))
    )
    with op.batch_alter_table('event_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_merges_into_id'), ['into_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_merges_into_id'))
    op.drop_table('event_merges')
