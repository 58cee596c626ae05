"""T38: an online backup taken while a writer commits is whole and boots the app; a restore brings it back.

The SQLite cases use files of their own, so they run in the PostgreSQL run too."""
import sqlite3
import threading
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from crm import create_app
from crm.auth.models import Role, User
from crm.auth.services import create_user
from crm.core.backup import create_backup, restore_backup, sqlite_integrity
from crm.extensions import db
from tests.conftest import TEST_DATABASE_URL, on_postgres


def _head(app) -> str:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_current_head()


def _revision(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with app.app_context():
        upgrade()
        create_user(login_id="kept", name="남을 사람", role=Role.COORDINATOR, password="long enough pw")
        db.session.commit()
        db.session.remove()
        yield app
        db.session.remove()
        db.engine.dispose()


class Writer(threading.Thread):
    """Commits one audit row after another on its own connection until stopped."""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.first_commit = threading.Event()
        self.commits = 0

    def run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        while not self.stop.is_set():
            connection.execute("INSERT INTO audit_logs (at, actor_label, action) VALUES (?, 'writer', 'test')",
                               (datetime.now(UTC).isoformat(),))
            connection.commit()
            self.commits += 1
            self.first_commit.set()
        connection.close()


def _audit_rows(path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM audit_logs").fetchone()[0]


def test_t38_a_backup_taken_while_a_writer_commits_is_whole_and_boots_the_app(sqlite_app, tmp_path):
    live = tmp_path / "live.sqlite3"
    writer = Writer(str(live))
    writer.start()
    assert writer.first_commit.wait(10)
    rows_before = _audit_rows(live)

    result = create_backup(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "copy.sqlite3")
    writer.stop.set()
    writer.join(10)

    assert writer.commits > 0
    assert sqlite_integrity(result.path) == "ok"
    assert _audit_rows(result.path) >= rows_before
    copy_url = f"sqlite:///{result.path}"
    assert _revision(copy_url) == _head(sqlite_app)
    booted = create_app("testing", SQLALCHEMY_DATABASE_URI=copy_url)
    with booted.app_context():
        assert booted.test_client().get("/healthz").get_json() == {"status": "ok"}
        assert db.session.scalar(sa.select(User.name).where(User.login_id == "kept")) == "남을 사람"
        db.session.remove()
        db.engine.dispose()


def test_t38_restoring_brings_back_the_rows_of_the_backup(sqlite_app, tmp_path):
    url = sqlite_app.config["SQLALCHEMY_DATABASE_URI"]
    backup = create_backup(url, tmp_path / "before.sqlite3").path
    with sqlite_app.app_context():
        create_user(login_id="later", name="나중 사람", role=Role.COACH, password="long enough pw")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])

    assert result.exit_code == 0, result.output
    with sqlite_app.app_context():
        assert set(db.session.scalars(sa.select(User.login_id))) == {"kept"}
        db.session.remove()


def test_t38_a_backup_never_overwrites_a_file(sqlite_app, tmp_path):
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"keep me")

    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(existing)])

    assert result.exit_code != 0
    assert "이미 있습니다" in result.output
    assert existing.read_bytes() == b"keep me"


def test_t38_a_damaged_backup_is_refused_and_the_database_is_left_alone(sqlite_app, tmp_path):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)

    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(damaged), "--yes"])

    assert result.exit_code != 0
    assert "백업 파일 검사 실패" in result.output
    with sqlite_app.app_context():
        assert set(db.session.scalars(sa.select(User.login_id))) == {"kept"}
        db.session.remove()


def test_t38_a_backup_of_an_unknown_schema_revision_is_refused(sqlite_app, tmp_path):
    backup = create_backup(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "future.sqlite3").path
    with sqlite3.connect(backup) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'fromthefuture'")

    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])

    assert result.exit_code != 0
    assert "fromthefuture" in result.output


def test_t38_flask_backup_without_a_name_writes_a_timestamped_file_under_instance_backups(sqlite_app, tmp_path):
    sqlite_app.instance_path = str(tmp_path / "instance")

    result = sqlite_app.test_cli_runner().invoke(args=["backup"])

    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "instance" / "backups").glob("crm-*.sqlite3")
    assert sqlite_integrity(written) == "ok"
    assert _head(sqlite_app) in result.output


@pytest.fixture
def postgres_databases():
    """Makes fresh PostgreSQL databases by name and drops them afterwards; yields a URL maker."""
    admin_engine = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    names = []

    def make() -> str:
        name = f"crm_backup_{uuid.uuid4().hex[:8]}"
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin_engine.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.mark.skipif(not on_postgres(), reason="pg_dump and pg_restore need PostgreSQL")
def test_t38_a_postgresql_backup_knows_its_revision_and_restores_into_another_database(postgres_databases, tmp_path):
    source_url, restored_url = postgres_databases(), postgres_databases()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=source_url)
    with app.app_context():
        upgrade()
        create_user(login_id="in-the-backup", name="백업된 사람", role=Role.COACH, password="long enough pw")
        db.session.commit()
        head = _head(app)
        db.session.remove()
        db.engine.dispose()

    result = create_backup(source_url, tmp_path / "crm.dump")
    restore_backup(restored_url, result.path)

    assert result.revision == head
    assert _revision(restored_url) == head
    engine = sa.create_engine(restored_url)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT name FROM users WHERE login_id = 'in-the-backup'")) == "백업된 사람"
    engine.dispose()
