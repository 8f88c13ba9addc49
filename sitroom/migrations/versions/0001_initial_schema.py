"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 10:25:03.264184
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=512), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=512), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('n_events', sa.Integer(), server_default='0', nullable=False),
    sa.Column('places', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('dates', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('quality', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_documents_content_hash'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_doc_id'), ['doc_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_date', sa.String(length=10), nullable=True),
    sa.Column('date_lo', sa.Date(), nullable=True),
    sa.Column('date_hi', sa.Date(), nullable=True),
    sa.Column('time_precision', sa.SmallInteger(), nullable=True),
    sa.Column('event_type', sa.String(length=64), nullable=True),
    sa.Column('sub_event_type', sa.String(length=64), nullable=True),
    sa.Column('family', sa.String(length=32), nullable=True),
    sa.Column('actor1', sa.String(length=256), nullable=True),
    sa.Column('assoc_actor_1', sa.String(length=256), nullable=True),
    sa.Column('actor2', sa.String(length=256), nullable=True),
    sa.Column('country', sa.String(length=128), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('admin1', sa.String(length=128), nullable=True),
    sa.Column('admin2', sa.String(length=128), nullable=True),
    sa.Column('location', sa.String(length=256), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('geo_precision', sa.SmallInteger(), nullable=True),
    sa.Column('fatalities', sa.Integer(), nullable=True),
    sa.Column('fatalities_low', sa.Integer(), nullable=True),
    sa.Column('fatalities_high', sa.Integer(), nullable=True),
    sa.Column('civilian_fatalities', sa.Integer(), nullable=True),
    sa.Column('injured', sa.Integer(), nullable=True),
    sa.Column('contested', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('actors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('n_mentions', sa.Integer(), server_default='0', nullable=False),
    sa.Column('n_sources', sa.Integer(), server_default='0', nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_actor1'), ['actor1'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_actor2'), ['actor2'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_admin1'), ['admin1'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_country_code'), ['country_code'], unique=False)
        batch_op.create_index('ix_events_date_lo', ['date_lo'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_sub_event_type'), ['sub_event_type'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=True),
    sa.Column('parties', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('agreed_date', sa.String(length=10), nullable=True),
    sa.Column('effective_date', sa.String(length=10), nullable=True),
    sa.Column('area', sa.String(length=256), nullable=True),
    sa.Column('status', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_agreements_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_document_id'), ['document_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('speaker', sa.String(length=256), nullable=True),
    sa.Column('speaker_role', sa.String(length=128), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('target', sa.String(length=256), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_claims_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_kind'), ['kind'], unique=False)

    op.create_table('event_blocks',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=160), nullable=False),
    sa.Column('place', sa.String(length=160), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('pkey', sa.String(length=176), nullable=False),
    sa.Column('ckey', sa.String(length=176), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_blocks_event_id_events'))
    )
    with op.batch_alter_table('event_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_blocks_bucket'), ['bucket'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_blocks_ckey'), ['ckey'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_blocks_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_blocks_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_blocks_pkey'), ['pkey'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_blocks_place'), ['place'], unique=False)

    op.create_table('event_sources',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('n_mentions', sa.Integer(), server_default='1', nullable=False),
    sa.Column('fatalities', sa.Integer(), nullable=True),
    sa.Column('fatalities_low', sa.Integer(), nullable=True),
    sa.Column('fatalities_high', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_event_sources_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_sources_event_id_events')),
    sa.PrimaryKeyConstraint('event_id', 'document_id', name=op.f('pk_event_sources'))
    )
    with op.batch_alter_table('event_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_sources_document_id'), ['document_id'], unique=False)

    op.create_table('figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=True),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('low', sa.Integer(), nullable=True),
    sa.Column('high', sa.Integer(), nullable=True),
    sa.Column('qualifier', sa.String(length=64), nullable=True),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('period_start', sa.String(length=10), nullable=True),
    sa.Column('period_end', sa.String(length=10), nullable=True),
    sa.Column('country', sa.String(length=128), nullable=True),
    sa.Column('admin1', sa.String(length=128), nullable=True),
    sa.Column('admin2', sa.String(length=128), nullable=True),
    sa.Column('location', sa.String(length=256), nullable=True),
    sa.Column('attributed_to', sa.String(length=256), nullable=True),
    sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_figures_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figures'))
    )
    with op.batch_alter_table('figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_figures_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_figures_kind'), ['kind'], unique=False)

    op.create_table('mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('local_id', sa.String(length=64), nullable=True),
    sa.Column('event_date', sa.String(length=10), nullable=True),
    sa.Column('date_lo', sa.Date(), nullable=True),
    sa.Column('date_hi', sa.Date(), nullable=True),
    sa.Column('time_precision', sa.SmallInteger(), nullable=True),
    sa.Column('event_type', sa.String(length=64), nullable=True),
    sa.Column('sub_event_type', sa.String(length=64), nullable=True),
    sa.Column('family', sa.String(length=32), nullable=True),
    sa.Column('actor1', sa.String(length=256), nullable=True),
    sa.Column('assoc_actor_1', sa.String(length=256), nullable=True),
    sa.Column('actor2', sa.String(length=256), nullable=True),
    sa.Column('country', sa.String(length=128), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('admin1', sa.String(length=128), nullable=True),
    sa.Column('admin2', sa.String(length=128), nullable=True),
    sa.Column('location', sa.String(length=256), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('geo_precision', sa.SmallInteger(), nullable=True),
    sa.Column('fatalities', sa.Integer(), nullable=True),
    sa.Column('fatalities_low', sa.Integer(), nullable=True),
    sa.Column('fatalities_high', sa.Integer(), nullable=True),
    sa.Column('civilian_fatalities', sa.Integer(), nullable=True),
    sa.Column('injured', sa.Integer(), nullable=True),
    sa.Column('contested', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('fusion', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_mentions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_mentions_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions'))
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentions_actor1'), ['actor1'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_actor2'), ['actor2'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_admin1'), ['admin1'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_country_code'), ['country_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_sub_event_type'), ['sub_event_type'], unique=False)

    op.create_table('claim_events',
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_events_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_claim_events_event_id_events')),
    sa.PrimaryKeyConstraint('claim_id', 'event_id', name=op.f('pk_claim_events'))
    )
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_events_event_id'), ['event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('claim_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_events_event_id'))

    op.drop_table('claim_events')
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentions_sub_event_type'))
        batch_op.drop_index(batch_op.f('ix_mentions_event_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_document_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_country_code'))
        batch_op.drop_index(batch_op.f('ix_mentions_admin1'))
        batch_op.drop_index(batch_op.f('ix_mentions_actor2'))
        batch_op.drop_index(batch_op.f('ix_mentions_actor1'))

    op.drop_table('mentions')
    with op.batch_alter_table('figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figures_kind'))
        batch_op.drop_index(batch_op.f('ix_figures_document_id'))

    op.drop_table('figures')
    with op.batch_alter_table('event_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_sources_document_id'))

    op.drop_table('event_sources')
    with op.batch_alter_table('event_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_blocks_place'))
        batch_op.drop_index(batch_op.f('ix_event_blocks_pkey'))
        batch_op.drop_index(batch_op.f('ix_event_blocks_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_blocks_country'))
        batch_op.drop_index(batch_op.f('ix_event_blocks_ckey'))
        batch_op.drop_index(batch_op.f('ix_event_blocks_bucket'))

    op.drop_table('event_blocks')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_kind'))
        batch_op.drop_index(batch_op.f('ix_claims_document_id'))

    op.drop_table('claims')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_document_id'))

    op.drop_table('agreements')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_sub_event_type'))
        batch_op.drop_index('ix_events_date_lo')
        batch_op.drop_index(batch_op.f('ix_events_country_code'))
        batch_op.drop_index(batch_op.f('ix_events_admin1'))
        batch_op.drop_index(batch_op.f('ix_events_actor2'))
        batch_op.drop_index(batch_op.f('ix_events_actor1'))

    op.drop_table('events')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_doc_id'))

    op.drop_table('documents')
