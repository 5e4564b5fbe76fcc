"""pending work: what the index (and the listening copies) must still do, written with the catalog change

Revision ID: 0006
Revises: 0005

A catalog change that alters what the search index or the listening copies
must show adds a row here in the same transaction; whoever applies it
(the editor's request, a server or worker at start and every few seconds,
`verhalen resume`) deletes the row only after the index or audio agrees.
A crash in between leaves the row, so the two never disagree for long and
never silently. Stories also get `meta_version`, the compare-and-set counter
of their editable metadata (publish, access, consent).
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_work',
                    sa.Column('id', sa.Integer(), primary_key=True),
                    # No foreign key: the work for a deleted story (remove it from the index) outlives it.
                    sa.Column('story_id', sa.Integer(), nullable=False),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.Column('hides', sa.Boolean(), nullable=False, server_default=sa.false()),
                    sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
                    sa.Column('error', sa.Text(), nullable=True),
                    sa.Column('created_at', sa.DateTime(), nullable=False))
    op.create_index('ix_pending_work_story_id', 'pending_work', ['story_id'])
    with op.batch_alter_table('stories') as batch:
        batch.add_column(sa.Column('meta_version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('stories') as batch:
        batch.drop_column('meta_version')
    op.drop_index('ix_pending_work_story_id', table_name='pending_work')
    op.drop_table('pending_work')
