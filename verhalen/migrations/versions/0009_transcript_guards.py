"""transcript guards: which guard made a segment (or that it is a gap), and what the guards did per run

Existing segments were plain decodes or a person's text (guard NULL); existing runs did no checks.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guard', sa.String(length=20), nullable=True))
    with op.batch_alter_table('transcript_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checks', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('transcript_runs', schema=None) as batch_op:
        batch_op.drop_column('checks')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_column('guard')
