"""make_engine pings nothing before a request (a round trip each): a connection the server has
dropped fails once, and the pool then connects afresh instead of failing again and again."""

import pytest
from sqlalchemy import exc, text

from models.db import make_engine


def test_after_the_server_drops_connections_the_pool_reconnects(config):
    engine = make_engine(config.database.url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("a server that drops connections: PostgreSQL only")
    try:
        # Two pooled connections, both soon dropped.
        with engine.connect() as connection, engine.connect() as other:
            pids = [connection.scalar(text("SELECT pg_backend_pid()")),
                    other.scalar(text("SELECT pg_backend_pid()"))]
        admin = make_engine(config.database.url)
        with admin.connect() as connection:
            for pid in pids:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()

        with pytest.raises(exc.DBAPIError) as failed, engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        # The disconnect invalidated the whole pool, so the second dead connection is not used.
        for _ in range(2):
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT 1")) == 1
    finally:
        engine.dispose()


def test_a_database_host_that_never_answers_fails_the_connection_within_seconds():
    """A server that takes the connection and then says nothing (a host dropping packets behaves
    alike): the attempt gives up after connect_timeout, not after minutes."""
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # the kernel completes the handshake; nobody ever answers
    engine = make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{listener.getsockname()[1]}/none")
    started = time.monotonic()
    try:
        with pytest.raises(exc.OperationalError), engine.connect():
            pass
        assert time.monotonic() - started < 6
    finally:
        engine.dispose()
        listener.close()
