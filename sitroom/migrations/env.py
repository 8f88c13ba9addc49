"""Alembic environment. sitroom runs migrations itself (``sitroom.store.migrate``), handing the
connection in ``config.attributes["connection"]``; ``alembic -x db=URL upgrade head`` also works."""
from __future__ import annotations

from alembic import context

from sitroom.store.schema import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sitroom.store.engine import make_engine
        url = context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option("sqlalchemy.url")
        engine = make_engine(url)
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
