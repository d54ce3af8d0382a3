"""Alembic environment of the server schema; runs on the connection handed over
by :meth:`sync.server.db.database.ServerDatabase.upgrade`."""

from alembic import context

from sync.server.db.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line on a developer machine
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///punchclock-server.sqlite3"
    with create_engine(url).begin() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        transactional_ddl=False,
    )
    context.run_migrations()
