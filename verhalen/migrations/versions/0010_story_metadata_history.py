"""story metadata history: who changed which of a story's details (title, people, places, access, ...) and when

Revision ID: 0010
Revises: 0009

One row per saved change, with the changed fields before and after (verhalen.story_metadata);
existing stories have no history yet.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('story_meta_edits',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('story_id', sa.Integer(), nullable=False),
                    sa.Column('user', sa.String(length=100), nullable=False),
                    sa.Column('before', sa.JSON(), nullable=False),
                    sa.Column('after', sa.JSON(), nullable=False),
                    sa.Column('at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('story_meta_edits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_meta_edits_story_id'), ['story_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('story_meta_edits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_meta_edits_story_id'))
    op.drop_table('story_meta_edits')
