"""Engine and session factory; the boundary (request, job, command) owns the transaction."""

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        # Several threads (the webhook's deadline pool) share the file; WAL lets readers run while
        # one writer commits, and busy_timeout makes writers queue instead of failing.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # psycopg prepares a statement after five runs and PostgreSQL then may switch to a generic plan,
    # which walks the lookup's prefix ranges without their values: searches went from ~7 ms to
    # ~700 ms (benchmarks/README.md, Mini-program API). Custom plans every time.
    # connect_timeout: a database host that drops packets (rather than refusing) would otherwise
    # hold a request for minutes; 3 s leaves the webhook time to answer 系统维护中 within its
    # 5 seconds (libpq's least is 2).
    connect_args = {"prepare_threshold": None, "connect_timeout": 3, **kwargs.pop("connect_args", {})}
    # No pool_pre_ping: it is a round trip before every request's first statement. A connection
    # the server has dropped fails its statement instead; SQLAlchemy then sees a disconnect and
    # invalidates the whole pool, so the requests after it connect afresh. pool_recycle retires
    # connections before a firewall or the server's idle timeouts would.
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, connect_args=connect_args, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def database_unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached now (stopped, restarting, the network),
    as opposed to a fault of the request: the doors answer "系统维护中" for it, not an error.

    PostgreSQL's connection errors carry SQLSTATE class 08, a server shutting down or starting
    57P01-57P03, a refused connection none at all; a dropped pooled connection is flagged
    `connection_invalidated`. Other OperationalErrors (a deadlock, a cancelled query) are faults.
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", "")  # psycopg's; None when no server answered at all
    return isinstance(exc, OperationalError | InterfaceError) and (
        state is None or state.startswith(("08", "57P")))
