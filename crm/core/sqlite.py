"""SQLite as a server-grade embedded database: WAL, a busy timeout, foreign keys, and writes that
take the write lock at BEGIN (a deferred BEGIN that upgrades later fails with 'database is locked'
under concurrent writers even with a timeout)."""
import sqlite3

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below issue BEGIN instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _may_write() -> bool:
    return not (has_request_context() and request.method in READ_ONLY_METHODS)


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")
