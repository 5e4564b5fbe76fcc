"""OAI-PMH memory: every story the public ever saw, so one that is no longer public is a deleted record

Revision ID: 0015
Revises: 0014

oai_records: one row per record the OAI-PMH interface ever showed (verhalen.oai): the identifier's local
part, the story it showed (no foreign key: a purged story's record outlives it, as a deleted record), when
that story was created (a reused story id after a purge is another story), the datestamp, whether it is
deleted, and a fingerprint of what its metadata said. oai_record_sets: the record's sets (series:<slug>,
theme:<slug>), for selective harvesting. oai_state: one row (id 1) with the repository identifier once a
real host name has served /oai, and the key of the last reconcile (catalog generation, day, settings).
No generation triggers: nothing a page shows comes from these tables.
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'oai_records',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('local_id', sa.String(length=40), nullable=False, unique=True),
        sa.Column('story_id', sa.Integer(), nullable=True, unique=True),
        sa.Column('story_created', sa.DateTime(), nullable=True),
        sa.Column('datestamp', sa.DateTime(), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('fingerprint', sa.String(length=64), nullable=False, server_default=''),
    )
    op.create_index('ix_oai_records_datestamp', 'oai_records', ['datestamp'])
    op.create_table(
        'oai_record_sets',
        sa.Column('record_id', sa.Integer(), sa.ForeignKey('oai_records.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('spec', sa.String(length=120), primary_key=True),
    )
    op.create_index('ix_oai_record_sets_spec', 'oai_record_sets', ['spec'])
    op.create_table(
        'oai_state',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('repository', sa.String(length=200), nullable=True),
        sa.Column('reconciled', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('reconciled_at', sa.DateTime(), nullable=True),
    )
    op.execute("INSERT INTO oai_state (id, reconciled) VALUES (1, '')")


def downgrade() -> None:
    # The memory of deleted records goes with the tables: harvesters keep the records they have.
    op.drop_index('ix_oai_record_sets_spec', table_name='oai_record_sets')
    op.drop_table('oai_record_sets')
    op.drop_index('ix_oai_records_datestamp', table_name='oai_records')
    op.drop_table('oai_records')
    op.drop_table('oai_state')
