"""Alembic environment: runs on the connection handed over by desktop.core.migrate."""

from alembic import context

from desktop.core.model import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line on a developer machine
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///punchclock.sqlite3"
    with create_engine(url).begin() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        context.run_migrations()
else:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        transactional_ddl=False,
    )
    context.run_migrations()
