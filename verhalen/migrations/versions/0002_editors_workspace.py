"""editors workspace: users, transcript history, redaction, segment versions, job progress and claims

Existing rows get server defaults, so an archive made before this revision upgrades in place.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 06:10:00.280421
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('segment_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('user', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('reverted', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('segment_edits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_edits_story_id'), ['story_id'], unique=False)

    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('stage_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('eta_seconds', sa.Float(), nullable=True))

    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_notes', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('consent_file', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('heartbeat', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('heartbeat')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('created_by')
        batch_op.drop_column('consent_file')
        batch_op.drop_column('consent_notes')

    with op.batch_alter_table('stage_states', schema=None) as batch_op:
        batch_op.drop_column('eta_seconds')
        batch_op.drop_column('progress')

    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('redacted')

    with op.batch_alter_table('segment_edits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_edits_story_id'))

    op.drop_table('segment_edits')
    op.drop_table('users')
