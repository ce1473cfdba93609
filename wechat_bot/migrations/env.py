"""Alembic environment: the URL comes from the app's configuration, handed in via attributes."""

from alembic import context

from models import Base

config = context.config
target_metadata = Base.metadata


# APScheduler's job store creates and owns this table itself (scheduler/app.py).
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata,
                      include_object=include_object,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
