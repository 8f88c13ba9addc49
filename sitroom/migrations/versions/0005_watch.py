"""watch: the source registry, watched article URLs, the fetch log, document copies (syndicated or
re-published texts of a stored document), alert rules and the alerts they fired

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 17:30:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('alert_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('spec', JSONType, nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules')),
    sa.UniqueConstraint('name', name=op.f('uq_alert_rules_name'))
    )
    op.create_table('watch_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('pattern', sa.String(length=128), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('region', sa.String(length=128), nullable=True),
    sa.Column('scale', sa.String(length=16), nullable=True),
    sa.Column('interval_s', sa.Integer(), server_default='900', nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('feed_url', sa.Text(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('last_fetch_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_ok_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_new_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('errors_in_row', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('articles_found', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_watch_sources_name'))
    )
    op.create_table('alerts_fired',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('fatalities', sa.Integer(), nullable=True),
    sa.Column('n_sources', sa.Integer(), nullable=True),
    sa.Column('contested', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('payload', JSONType, nullable=False),
    sa.Column('webhook_status', sa.String(length=16), nullable=True),
    sa.Column('webhook_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['alert_rules.id'], name=op.f('fk_alerts_fired_rule_id_alert_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts_fired'))
    )
    op.create_index(op.f('ix_alerts_fired_event_id'), 'alerts_fired', ['event_id'], unique=False)
    op.create_index(op.f('ix_alerts_fired_fired_at'), 'alerts_fired', ['fired_at'], unique=False)
    op.create_index(op.f('ix_alerts_fired_rule_id'), 'alerts_fired', ['rule_id'], unique=False)
    op.create_table('document_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('source', sa.String(length=512), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('similarity', sa.Float(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_copies_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['watch_sources.id'], name=op.f('fk_document_copies_source_id_watch_sources'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_copies')),
    sa.UniqueConstraint('document_id', 'url', name=op.f('uq_document_copies_document_id_url'))
    )
    op.create_index(op.f('ix_document_copies_document_id'), 'document_copies', ['document_id'], unique=False)
    op.create_table('watch_fetches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('elapsed_ms', sa.Integer(), nullable=True),
    sa.Column('bytes', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['watch_sources.id'], name=op.f('fk_watch_fetches_source_id_watch_sources'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_fetches'))
    )
    op.create_index(op.f('ix_watch_fetches_fetched_at'), 'watch_fetches', ['fetched_at'], unique=False)
    op.create_index(op.f('ix_watch_fetches_source_id'), 'watch_fetches', ['source_id'], unique=False)
    op.create_table('watch_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('listed_url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('result', sa.String(length=32), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('fingerprint', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_watch_items_document_id_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['watch_sources.id'], name=op.f('fk_watch_items_source_id_watch_sources'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_items')),
    sa.UniqueConstraint('url', name=op.f('uq_watch_items_url'))
    )
    op.create_index(op.f('ix_watch_items_content_hash'), 'watch_items', ['content_hash'], unique=False)
    op.create_index(op.f('ix_watch_items_document_id'), 'watch_items', ['document_id'], unique=False)
    op.create_index(op.f('ix_watch_items_source_id'), 'watch_items', ['source_id'], unique=False)
    op.create_index(op.f('ix_watch_items_state'), 'watch_items', ['state'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_watch_items_state'), table_name='watch_items')
    op.drop_index(op.f('ix_watch_items_source_id'), table_name='watch_items')
    op.drop_index(op.f('ix_watch_items_document_id'), table_name='watch_items')
    op.drop_index(op.f('ix_watch_items_content_hash'), table_name='watch_items')
    op.drop_table('watch_items')
    op.drop_index(op.f('ix_watch_fetches_source_id'), table_name='watch_fetches')
    op.drop_index(op.f('ix_watch_fetches_fetched_at'), table_name='watch_fetches')
    op.drop_table('watch_fetches')
    op.drop_index(op.f('ix_document_copies_document_id'), table_name='document_copies')
    op.drop_table('document_copies')
    op.drop_index(op.f('ix_alerts_fired_rule_id'), table_name='alerts_fired')
    op.drop_index(op.f('ix_alerts_fired_fired_at'), table_name='alerts_fired')
    op.drop_index(op.f('ix_alerts_fired_event_id'), table_name='alerts_fired')
    op.drop_table('alerts_fired')
    op.drop_table('watch_sources')
    op.drop_table('alert_rules')
    
