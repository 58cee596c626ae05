"""SQLite is configured for concurrent use: WAL, busy timeout, foreign keys, BEGIN IMMEDIATE for writes."""
import multiprocessing

import pytest
import sqlalchemy as sa

from crm import create_app
from crm.extensions import db
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(on_postgres(), reason="SQLite settings; the PostgreSQL run covers PostgreSQL")


@pytest.fixture
def sqlite_file_url(tmp_path):
    return f"sqlite:///{tmp_path / 'crm.sqlite3'}"


def _app_on(url):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=url)


def test_t33_t34_every_connection_uses_wal_a_busy_timeout_and_foreign_keys(sqlite_file_url):
    app = _app_on(sqlite_file_url)
    with app.app_context():
        with db.engine.connect() as conn:
            pragmas = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                       for name in ("journal_mode", "busy_timeout", "foreign_keys")}
        db.engine.dispose()

    assert pragmas == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}


def _begin_statements(app, method: str) -> list[str]:
    seen = []
    with app.app_context():
        listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        with app.test_request_context("/", method=method):
            db.session.execute(sa.text("SELECT 1"))
            db.session.rollback()
        sa.event.remove(db.engine, "before_cursor_execute", listener)
        db.engine.dispose()
    return [s for s in seen if s.startswith("BEGIN")]


def test_t33_writing_requests_take_the_write_lock_at_begin_and_reading_requests_do_not(sqlite_file_url):
    app = _app_on(sqlite_file_url)

    assert _begin_statements(app, "POST") == ["BEGIN IMMEDIATE"]
    assert _begin_statements(app, "GET") == ["BEGIN"]


def _increment_many_times(url: str, times: int, errors) -> None:
    app = _app_on(url)
    with app.app_context():
        for _ in range(times):
            try:
                # Read, then write in the same transaction: the pattern that fails with a deferred BEGIN.
                value = db.session.execute(sa.text("SELECT value FROM counter")).scalar()
                db.session.execute(sa.text("UPDATE counter SET value = :v"), {"v": value + 1})
                db.session.commit()
            except sa.exc.OperationalError:
                db.session.rollback()
                errors.value += 1
        db.engine.dispose()


@pytest.mark.slow
def test_t32_t33_four_processes_writing_at_once_lose_nothing_and_never_see_database_is_locked(sqlite_file_url):
    app = _app_on(sqlite_file_url)
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE counter (value INTEGER NOT NULL)"))
        db.session.execute(sa.text("INSERT INTO counter VALUES (0)"))
        db.session.commit()
        db.engine.dispose()
    errors = multiprocessing.Value("i", 0)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_increment_many_times, args=(sqlite_file_url, 100, errors)) for _ in range(4)]

    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    with app.app_context():
        final = db.session.execute(sa.text("SELECT value FROM counter")).scalar()
        db.engine.dispose()
    assert errors.value == 0
    assert final == 400
