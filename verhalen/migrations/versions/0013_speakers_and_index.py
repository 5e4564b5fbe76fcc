"""speakers and the story index: who speaks (verhalen.speakers) and a table of contents (index points)

Revision ID: 0013
Revises: 0012

stories.turns / stories.voices: the speakers stage's turns and the name given to each voice.
segments.voice / segments.speaker_fixed: a segment's voice label, and whether an editor set its speaker
by hand (re-runs keep that). index_points: the story's index (chapter marks of the file become points with
source "file"); index_edits: editors' changes to it. Index points show on public pages and in feeds, so
their table bumps the catalog generation (migration 0004: the page cache key); voice names reach the pages
through segments.speaker, whose table already does.
"""
import json

from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _generation_triggers(dialect: str) -> list[str]:
    if dialect == 'sqlite':
        bump = 'BEGIN UPDATE catalog_generation SET n = n + 1; END'
        return [f'CREATE TRIGGER catalog_generation_index_points_{e.lower()} AFTER {e} ON index_points {bump}'
                for e in ('INSERT', 'UPDATE', 'DELETE')]
    if dialect == 'postgresql':
        return ['CREATE TRIGGER catalog_generation_index_points AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                'ON index_points FOR EACH STATEMENT EXECUTE FUNCTION catalog_generation_bump()']
    raise NotImplementedError(f'catalog generation triggers for {dialect}')


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of the table on SQLite would drop its generation triggers.
    op.add_column('stories', sa.Column('turns', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('stories', sa.Column('voices', sa.JSON(), nullable=False, server_default='{}'))
    op.add_column('segments', sa.Column('voice', sa.String(length=20), nullable=True))
    op.add_column('segments', sa.Column('speaker_fixed', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'index_points',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('story_id', sa.Integer(), sa.ForeignKey('stories.id', ondelete='CASCADE'), nullable=False),
        sa.Column('start', sa.Float(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('synopsis', sa.Text(), nullable=False),
        sa.Column('keywords', sa.JSON(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
    )
    op.create_index('ix_index_points_story_id', 'index_points', ['story_id'])
    op.create_table(
        'index_edits',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('story_id', sa.Integer(), sa.ForeignKey('stories.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_index_edits_story_id', 'index_edits', ['story_id'])
    bind = op.get_bind()
    # The file's chapter marks were the index so far: they become its points.
    points = sa.table('index_points', *(sa.column(c) for c in (
        'story_id', 'start', 'title', 'synopsis', 'keywords', 'place', 'source', 'version')))
    rows = []
    for story_id, chapters in bind.execute(sa.text('SELECT id, chapters FROM stories')):
        if isinstance(chapters, str):
            chapters = json.loads(chapters or '[]')
        for c in chapters or []:
            rows.append({'story_id': story_id, 'start': float(c.get('start', 0)), 'title': str(c.get('title', ''))[:300],
                         'synopsis': '', 'keywords': [], 'place': '', 'source': 'file', 'version': 1})
    if rows:
        op.bulk_insert(points, rows)
    for sql in _generation_triggers(bind.dialect.name):
        op.execute(sql)


def downgrade() -> None:
    op.drop_table('index_edits')
    op.drop_table('index_points')  # its triggers go with it
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_column('speaker_fixed')
        batch_op.drop_column('voice')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('voices')
        batch_op.drop_column('turns')
    if op.get_bind().dialect.name == 'sqlite':  # dropping columns rebuilt both tables, and their triggers went
        bump = 'BEGIN UPDATE catalog_generation SET n = n + 1; END'
        columns = ('slug', 'title', 'description', 'recorded', 'access', 'embargo_until', 'published',
                   'series_id', 'language', 'language_source', 'status', 'chapters', 'deleted_at')
        for t in ('stories', 'segments'):
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS catalog_generation_{t}_{event}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_insert AFTER INSERT ON stories {bump}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_delete AFTER DELETE ON stories {bump}')
        op.execute(f'CREATE TRIGGER catalog_generation_stories_update AFTER UPDATE OF {", ".join(columns)} '
                   f'ON stories {bump}')
        for event in ('INSERT', 'UPDATE', 'DELETE'):
            op.execute(f'CREATE TRIGGER catalog_generation_segments_{event.lower()} AFTER {event} ON segments {bump}')
