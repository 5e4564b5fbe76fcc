"""the pipeline stage that extracts keywords is called "keywords" (it was "tags", like the files' own tags)

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE stage_states SET stage = 'keywords' WHERE stage = 'tags'")


def downgrade() -> None:
    op.execute("UPDATE stage_states SET stage = 'tags' WHERE stage = 'keywords'")
