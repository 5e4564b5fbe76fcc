"""failed logins in the catalog, so every server process (and machine) counts the same attempts

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_failures',
                    sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('address', sa.String(length=100), nullable=False),
                    sa.Column('name', sa.String(length=200), nullable=False),
                    sa.Column('at', sa.DateTime(), nullable=False))
    op.create_index('ix_login_failures_address_at', 'login_failures', ['address', 'at'])


def downgrade() -> None:
    op.drop_index('ix_login_failures_address_at', table_name='login_failures')
    op.drop_table('login_failures')
