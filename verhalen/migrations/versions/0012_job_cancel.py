"""job cancel: an editor's request to stop a story's pipeline work (verhalen.cancel)

Revision ID: 0012
Revises: 0011

stories.cancelled_at / cancelled_by: when and by whom the story's work left was cancelled (NULL: it was
not, or a retry let it run again). Workers on any machine read it from here. Public pages do not show
it, so it stays out of the catalog-generation trigger's columns (migration 0004, 0011).
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Migration 0011's trigger columns, for SQLite's table rebuild on downgrade.
TRIGGER_COLUMNS = ('slug', 'title', 'description', 'recorded', 'access', 'embargo_until', 'published',
                   'series_id', 'language', 'language_source', 'status', 'chapters', 'deleted_at')


def upgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:  # ADD COLUMN: no table rebuild on SQLite
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.String(length=200), nullable=True))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('cancelled_by')
        batch_op.drop_column('cancelled_at')
    if dialect == 'sqlite':  # dropping columns rebuilt the table, and its triggers went with it
        bump = 'BEGIN UPDATE catalog_generation SET n = n + 1; END'
        for event in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER IF EXISTS catalog_generation_stories_{event}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_insert AFTER INSERT ON stories {bump}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_delete AFTER DELETE ON stories {bump}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_update AFTER UPDATE OF {", ".join(TRIGGER_COLUMNS)} '
                   f'ON stories {bump}')
