"""Alembic environment: runs migrations on the connection verhalen hands in."""

from alembic import context

from verhalen.catalog import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through verhalen.catalog.upgrade(), which passes a connection")
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
