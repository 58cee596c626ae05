"""Online backup and restore of the application database.

SQLite: `sqlite3.Connection.backup` copies a consistent snapshot even while other connections write, and the
copy is checked with `PRAGMA integrity_check`. PostgreSQL: `pg_dump --format=custom` and `pg_restore`, run with
the password in the environment rather than on the command line (where `ps` would show it).
A restore checks the file and its schema revision (one the migrations know) before it replaces anything."""
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from crm.core.time import SEOUL, utcnow


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    revision: str | None


def _backend(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"{backend} 데이터베이스의 백업·복원은 지원하지 않습니다.")
    return backend


def default_backup_path(database_url: str, instance_path: Path) -> Path:
    """instance/backups/crm-YYYYmmdd-HHMMSS.<sqlite3|dump>, in Seoul time."""
    suffix = "sqlite3" if _backend(make_url(database_url)) == "sqlite" else "dump"
    stamp = utcnow().astimezone(SEOUL).strftime("%Y%m%d-%H%M%S")
    return instance_path / "backups" / f"crm-{stamp}.{suffix}"


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("메모리 데이터베이스는 백업할 수 없습니다.")
    return Path(url.database)


def sqlite_integrity(path: Path) -> str:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            return connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return str(error)


def _sqlite_revision(path: Path) -> str | None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return row[0] if row else None


def _copy_sqlite(source: Path, target: Path) -> None:
    source_connection = sqlite3.connect(source, timeout=30)
    target_connection = sqlite3.connect(target, timeout=30)
    try:
        source_connection.backup(target_connection)
    finally:
        target_connection.close()
        source_connection.close()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL pg_dump understands, and an environment carrying the password."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=3600)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]}을(를) 찾을 수 없습니다. PostgreSQL 클라이언트를 설치하세요.") from error
    if completed.returncode != 0:
        raise BackupError(completed.stderr.strip() or f"{command[0]} 실패 ({completed.returncode})")
    return completed.stdout


def _dump_revision(path: Path) -> str | None:
    """The alembic revision inside a pg_dump file, read without restoring it."""
    script = _run(["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)])
    lines = script.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            value = lines[number + 1].strip()
            return None if value == "\\." else value
    return None


def create_backup(database_url: str, target: Path) -> BackupResult:
    """Copy the database to `target`, which must not exist yet."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target}이(가) 이미 있습니다. 다른 파일 이름을 지정하세요.")
    target.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(database_url)
    if _backend(url) == "sqlite":
        _copy_sqlite(_sqlite_file(url), target)
        integrity = sqlite_integrity(target)
        if integrity != "ok":
            target.unlink()
            raise BackupError(f"백업 파일 검사 실패: {integrity}")
        revision = _sqlite_revision(target)
    else:
        libpq_url, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq_url}"], env)
        revision = _dump_revision(target)
    return BackupResult(target, target.stat().st_size, revision)


def check_backup(database_url: str, source: Path, known_revisions: set[str]) -> str:
    """The backup's schema revision, once the file is whole and its revision one the migrations know."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} 파일이 없습니다.")
    if _backend(make_url(database_url)) == "sqlite":
        integrity = sqlite_integrity(source)
        if integrity != "ok":
            raise BackupError(f"백업 파일 검사 실패: {integrity}")
        revision = _sqlite_revision(source)
    else:
        revision = _dump_revision(source)
    if revision is None:
        raise BackupError("백업에 스키마 버전(alembic_version)이 없습니다. 이 앱의 백업이 아닙니다.")
    if revision not in known_revisions:
        raise BackupError(f"백업의 스키마 버전 {revision}을(를) 이 앱의 마이그레이션이 모릅니다. "
                          "더 새로운 앱의 백업입니다.")
    return revision


def restore_backup(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup's (check_backup first)."""
    url = make_url(database_url)
    if _backend(url) == "sqlite":
        _copy_sqlite(Path(source), _sqlite_file(url))
    else:
        libpq_url, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={libpq_url}", str(source)], env)
