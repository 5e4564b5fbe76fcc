"""catalog generation: one counter that every public-facing change bumps (page cache key)

Revision ID: 0004
Revises: 0003

Triggers, not application code, bump it, so a change made by any process (a CLI
ingest, a worker, another server process, a raw SQL fix) invalidates every
server's cached pages. Columns that change while a job runs (claimed_by,
heartbeat, updated_at) are left out, so a running job does not empty the caches.
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Tables whose rows show on public pages, feeds or exports.
TABLES = ('series', 'people', 'themes', 'places', 'recordings', 'credits', 'story_themes', 'story_places',
          'segments')
STORY_COLUMNS = ('slug', 'title', 'description', 'recorded', 'access', 'embargo_until', 'published',
                 'series_id', 'language', 'language_source', 'status', 'chapters')


def _sqlite_triggers():
    bump = 'BEGIN UPDATE catalog_generation SET n = n + 1; END'
    for t in TABLES:
        for event in ('INSERT', 'UPDATE', 'DELETE'):
            yield f'CREATE TRIGGER catalog_generation_{t}_{event.lower()} AFTER {event} ON {t} {bump}'
    yield f'CREATE TRIGGER catalog_generation_stories_insert AFTER INSERT ON stories {bump}'
    yield f'CREATE TRIGGER catalog_generation_stories_delete AFTER DELETE ON stories {bump}'
    yield (f'CREATE TRIGGER catalog_generation_stories_update AFTER UPDATE OF {", ".join(STORY_COLUMNS)} '
           f'ON stories {bump}')


def _postgresql_triggers():
    yield ('CREATE FUNCTION catalog_generation_bump() RETURNS trigger AS $$ '
           'BEGIN UPDATE catalog_generation SET n = n + 1; RETURN NULL; END $$ LANGUAGE plpgsql')
    run = 'FOR EACH STATEMENT EXECUTE FUNCTION catalog_generation_bump()'
    for t in TABLES:
        yield f'CREATE TRIGGER catalog_generation_{t} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t} {run}'
    yield f'CREATE TRIGGER catalog_generation_stories AFTER INSERT OR DELETE OR TRUNCATE ON stories {run}'
    yield f'CREATE TRIGGER catalog_generation_stories_update AFTER UPDATE OF {", ".join(STORY_COLUMNS)} ON stories {run}'


def upgrade() -> None:
    op.create_table('catalog_generation',
                    sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('n', sa.BigInteger(), nullable=False))
    op.execute('INSERT INTO catalog_generation (id, n) VALUES (1, 0)')
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        statements = _sqlite_triggers()
    elif dialect == 'postgresql':
        statements = _postgresql_triggers()
    else:
        raise NotImplementedError(f'catalog generation triggers for {dialect}')
    for sql in statements:
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION catalog_generation_bump() CASCADE')  # and its triggers
        op.drop_table('catalog_generation')
        return
    for t in (*TABLES, 'stories'):
        for event in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER IF EXISTS catalog_generation_{t}_{event}')
    op.drop_table('catalog_generation')
