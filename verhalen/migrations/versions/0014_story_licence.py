"""story licence: a Creative Commons or RightsStatements.org URI per story (verhalen.licences)

Revision ID: 0014
Revises: 0013

stories.licence: NULL means the archive's default_licence. The story page shows it, so it joins the
columns whose UPDATE bumps the catalog generation (migration 0004: the page cache key).
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# The trigger columns as migrations 0011-0013 left them; this migration adds licence.
OLD_COLUMNS = ('slug', 'title', 'description', 'recorded', 'access', 'embargo_until', 'published',
               'series_id', 'language', 'language_source', 'status', 'chapters', 'deleted_at')
NEW_COLUMNS = (*OLD_COLUMNS, 'licence')


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
    # Plain ADD COLUMN: a batch rebuild of the table on SQLite would drop its generation triggers.
    op.add_column('stories', sa.Column('licence', sa.String(length=200), nullable=True))
    for sql in _update_trigger(op.get_bind().dialect.name, NEW_COLUMNS):
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for sql in _update_trigger(dialect, OLD_COLUMNS):
            op.execute(sql)
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('licence')
    if dialect == 'sqlite':  # dropping the column rebuilt the table, and its triggers went with it
        bump = 'BEGIN UPDATE catalog_generation SET n = n + 1; END'
        for event in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER IF EXISTS catalog_generation_stories_{event}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_insert AFTER INSERT ON stories {bump}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_delete AFTER DELETE ON stories {bump}')
        for sql in _update_trigger(dialect, OLD_COLUMNS):
            op.execute(sql)
