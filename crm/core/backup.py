"""Online backup and restore of the application database.

SQLite: `sqlite3.Connection.backup` copies a consistent snapshot even while other connections write, and the
copy is checked with `PRAGMA integrity_check`. PostgreSQL: `pg_dump --format=custom` and `pg_restore`, run with
the password in the environment rather than on the command line (where `ps` would show it)."""
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("메모리 데이터베이스는 백업할 수 없습니다.")
    return Path(url.database)


def sqlite_integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


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


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=3600)
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]}을(를) 찾을 수 없습니다. PostgreSQL 클라이언트를 설치하세요.") from error
    if completed.returncode != 0:
        raise BackupError(completed.stderr.strip() or f"{command[0]} 실패 ({completed.returncode})")


def create_backup(database_url: str, target: Path) -> BackupResult:
    """Copy the database to `target`, which must not exist yet."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target}이(가) 이미 있습니다. 다른 파일 이름을 지정하세요.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_file(url), target)
        integrity = sqlite_integrity(target)
        if integrity != "ok":
            target.unlink()
            raise BackupError(f"백업 파일 검사 실패: {integrity}")
    elif url.get_backend_name() == "postgresql":
        libpq_url, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq_url}"], env)
    else:
        raise BackupError(f"{url.get_backend_name()} 데이터베이스의 백업은 지원하지 않습니다.")
    return BackupResult(target, target.stat().st_size)


def restore_backup(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup's."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} 파일이 없습니다.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        integrity = sqlite_integrity(source)
        if integrity != "ok":
            raise BackupError(f"백업 파일 검사 실패: {integrity}")
        _copy_sqlite(source, _sqlite_file(url))
    elif url.get_backend_name() == "postgresql":
        libpq_url, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={libpq_url}", str(source)], env)
    else:
        raise BackupError(f"{url.get_backend_name()} 데이터베이스의 복원은 지원하지 않습니다.")
