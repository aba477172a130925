"""Alembic environment: the URL comes from :func:`negotiator.store.db.upgrade`, never from a file."""

from alembic import context

from negotiator.store.db import make_engine
from negotiator.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = context.config.attributes["url"]
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=connection.dialect.name == "sqlite")
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
    finally:
        engine.dispose()


run_migrations_online()
