"""user sessions kept in the catalog (revocable), user names unique regardless of case

Revision ID: 0007
Revises: 0006

`user_sessions` holds one row per signed-in browser (the sha256 of the cookie's
token): logout deletes it, so a copied cookie stops working everywhere. Triggers
delete all of a user's rows when their password changes or they are disabled, so
every way of doing that (CLI, /editor/users, a SQL fix) ends their sessions.
On SQLite a later migration that rebuilds `users` (batch "move and copy") drops
these triggers and must create them again; tests/test_auth.py checks they work
at head.

`users.name_key` is the name as compared (case-folded, NFKC) with a unique
index: `ED1` and `ed1` are one account. An older archive may hold names that
differ only in case. They cannot all keep their names, and signing in as `ed1`
must not reach an account its owner never chose, so the oldest account (lowest
id) keeps its name and each later one is renamed `NAME~ID` and disabled. The
migration logs a warning naming every renamed account; an admin checks who it
belongs to and enables it again under its new name (`/editor/users`). Nothing
is deleted; a downgrade keeps the new names.

Existing sessions (signed cookies without a catalog row) end: everyone signs in
once more after the upgrade.
"""
import logging
import unicodedata

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

log = logging.getLogger('verhalen.migrations')


def name_key(name: str) -> str:
    # Frozen copy of verhalen.catalog.User.key_for as of this revision (a migration must not
    # change meaning when the model does); tests/test_auth.py checks the two agree.
    return unicodedata.normalize('NFKC', unicodedata.normalize('NFKC', name).casefold())


def _fill_name_keys(conn) -> list[tuple[str, str]]:
    """Set every user's name_key; rename and disable the later of names equal but for case."""
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('name_key', sa.String), sa.column('active', sa.Boolean))
    rows = conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id)).all()
    taken_names = {name for _, name in rows}
    taken_keys: dict[str, str] = {}
    renamed = []
    for uid, name in rows:
        key = name_key(name)
        if key not in taken_keys:
            taken_keys[key] = name
            conn.execute(users.update().where(users.c.id == uid).values(name_key=key))
            continue
        new, n = f'{name[:80]}~{uid}', 2
        while new in taken_names or name_key(new) in taken_keys:
            new, n = f'{name[:80]}~{uid}-{n}', n + 1
        taken_names.add(new)
        taken_keys[name_key(new)] = new
        conn.execute(users.update().where(users.c.id == uid)
                     .values(name=new, name_key=name_key(new), active=False))
        renamed.append((name, new))
        log.warning('user %r differs from %r only in case: renamed to %r and disabled; check whose '
                    'account it is, then enable it again under its new name', name, taken_keys[key], new)
    return renamed


def _sqlite_triggers():
    end = 'BEGIN DELETE FROM user_sessions WHERE user_id = NEW.id; END'
    yield ('CREATE TRIGGER user_sessions_end_on_password AFTER UPDATE OF password_hash ON users '
           f'WHEN NEW.password_hash IS NOT OLD.password_hash {end}')
    yield f'CREATE TRIGGER user_sessions_end_on_disable AFTER UPDATE OF active ON users WHEN NOT NEW.active {end}'


def _postgresql_triggers():
    yield ('CREATE FUNCTION user_sessions_end() RETURNS trigger AS $$ '
           'BEGIN DELETE FROM user_sessions WHERE user_id = NEW.id; RETURN NULL; END $$ LANGUAGE plpgsql')
    run = 'FOR EACH ROW'
    yield (f'CREATE TRIGGER user_sessions_end_on_password AFTER UPDATE OF password_hash ON users {run} '
           'WHEN (NEW.password_hash IS DISTINCT FROM OLD.password_hash) EXECUTE FUNCTION user_sessions_end()')
    yield (f'CREATE TRIGGER user_sessions_end_on_disable AFTER UPDATE OF active ON users {run} '
           'WHEN (NOT NEW.active) EXECUTE FUNCTION user_sessions_end()')


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    if dialect not in ('sqlite', 'postgresql'):
        raise NotImplementedError(f'user session triggers for {dialect}')
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('name_key', sa.String(length=300), nullable=True))
    _fill_name_keys(conn)
    # On SQLite this rebuilds the table (NOT NULL needs it): before the triggers below exist.
    with op.batch_alter_table('users') as batch:
        batch.alter_column('name_key', existing_type=sa.String(length=300), nullable=False)
    op.create_index('ix_users_name_key', 'users', ['name_key'], unique=True)

    op.create_table('user_sessions',
                    sa.Column('id', sa.String(length=64), primary_key=True),
                    sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'),
                              nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('last_seen', sa.DateTime(), nullable=False),
                    sa.Column('address', sa.String(length=100), nullable=True),
                    sa.Column('user_agent', sa.String(length=300), nullable=True))
    op.create_index('ix_user_sessions_user_id', 'user_sessions', ['user_id'])
    # The sign-in limit now also counts per account, across addresses.
    op.create_index('ix_login_failures_name_at', 'login_failures', ['name', 'at'])
    for sql in (_sqlite_triggers() if dialect == 'sqlite' else _postgresql_triggers()):
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION user_sessions_end() CASCADE')  # and its triggers
    else:
        op.execute('DROP TRIGGER IF EXISTS user_sessions_end_on_password')
        op.execute('DROP TRIGGER IF EXISTS user_sessions_end_on_disable')
    op.drop_index('ix_login_failures_name_at', table_name='login_failures')
    op.drop_index('ix_user_sessions_user_id', table_name='user_sessions')
    op.drop_table('user_sessions')
    op.drop_index('ix_users_name_key', table_name='users')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('name_key')
