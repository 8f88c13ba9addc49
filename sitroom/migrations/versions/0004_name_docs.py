"""name_docs: how many documents name each proper name, so fusion weighs rare names most

Documents stored before this revision are not counted: their names weigh as if unseen until
new documents are ingested.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('name_docs',
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_name_docs'))
    )


def downgrade() -> None:
    op.drop_table('name_docs')
