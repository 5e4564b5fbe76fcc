"""trash: a deleted story stays, hidden everywhere, for trash_days before it is purged (verhalen.trash)

Revision ID: 0011
Revises: 0010

stories.deleted_at / deleted_by: when and by whom it went to the trash (NULL: not in the trash).
Moving a story to the trash or back changes what public pages show, so deleted_at joins the columns
whose UPDATE bumps the catalog generation (migration 0004: the page cache key).
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Migration 0004's STORY_COLUMNS, as they were; this migration adds deleted_at.
OLD_COLUMNS = ('slug', 'title', 'description', 'recorded', 'access', 'embargo_until', 'published',
               'series_id', 'language', 'language_source', 'status', 'chapters')
NEW_COLUMNS = (*OLD_COLUMNS, 'deleted_at')


def _update_trigger(dialect: str, columns) -> list[str]:
    cols = ", ".join(columns)
    if dialect == 'sqlite':
        return ['DROP TRIGGER IF EXISTS catalog_generation_stories_update',
                f'CREATE TRIGGER catalog_generation_stories_update AFTER UPDATE OF {cols} ON stories '
                'BEGIN UPDATE catalog_generation SET n = n + 1; END']
    if dialect == 'postgresql':
        return ['DROP TRIGGER IF EXISTS catalog_generation_stories_update ON stories',
                f'CREATE TRIGGER catalog_generation_stories_update AFTER UPDATE OF {cols} ON stories '
                'FOR EACH STATEMENT EXECUTE FUNCTION catalog_generation_bump()']
    raise NotImplementedError(f'catalog generation triggers for {dialect}')


def upgrade() -> None:
    with op.batch_alter_table('stories', schema=None) as batch_op:  # ADD COLUMN: no table rebuild on SQLite
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sa.String(length=200), nullable=True))
    for sql in _update_trigger(op.get_bind().dialect.name, NEW_COLUMNS):
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for sql in _update_trigger(dialect, OLD_COLUMNS):
            op.execute(sql)
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')
    if dialect == 'sqlite':  # dropping columns rebuilt the table, and its triggers went with it
        bump = 'BEGIN UPDATE catalog_generation SET n = n + 1; END'
        for event in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER IF EXISTS catalog_generation_stories_{event}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_insert AFTER INSERT ON stories {bump}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_delete AFTER DELETE ON stories {bump}')
        for sql in _update_trigger(dialect, OLD_COLUMNS):
            op.execute(sql)
