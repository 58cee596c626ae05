"""The app under gunicorn with 4 worker processes on 127.0.0.1, production settings over plain HTTP
(the `loopback` profile), on the run's database engine: a fresh SQLite file, or a fresh PostgreSQL database
when TEST_DATABASE_URL is set. The login limiter counts in Redis. Each server is stopped by its process id."""
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from crm import create_app
from crm.auth.models import Role
from crm.auth.services import create_user
from crm.config import PROJECT_ROOT
from crm.extensions import db
from tests.conftest import PASSWORD, TEST_DATABASE_URL, csrf_token_from, on_postgres, skip_or_fail

HERE = Path(__file__).resolve().parent
WORKERS = 4
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
STARTUP_SECONDS = 30
VERSION_INPUT = re.compile(r'<input[^>]*\bname="version"[^>]*>')


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL} ({error})")
    return REDIS_URL


@pytest.fixture(scope="module")
def server_database(tmp_path_factory):
    """A migrated, empty database of the run's engine, and its URL."""
    if on_postgres():
        name = f"crm_workers_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('workers') / 'crm.sqlite3'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    yield url
    if on_postgres():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen

    def make_user(self, role: Role = Role.COORDINATOR) -> str:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=self.database_url)
        with app.app_context():
            login_id = f"{role.value[:5]}-{uuid.uuid4().hex[:8]}"
            create_user(login_id=login_id, name=login_id, role=role, password=PASSWORD)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        return login_id

    def signed_in(self, login_id: str):
        import requests

        client = requests.Session()
        token = csrf_token_from(client.get(f"{self.url}/login", timeout=30).text)
        response = client.post(f"{self.url}/login", data={"login_id": login_id, "password": PASSWORD,
                                                         "csrf_token": token}, allow_redirects=False, timeout=30)
        assert response.status_code == 302, response.text[:500]
        return client


@contextmanager
def running_server(database_url: str, limiter_storage_url: str, *, workers: int = WORKERS, port: int | None = None):
    """gunicorn with `workers` sync workers on `port` (a free one if None) of 127.0.0.1; stopped by its process id
    on the way out.

    The benchmark (bench/pages.py) starts its server here too."""
    try:
        import gunicorn  # noqa: F401
        import requests  # noqa: F401
    except ImportError as error:
        skip_or_fail(f"gunicorn or requests is not installed ({error})")
    port = port or _free_port()
    env = {**os.environ, "CRM_CONFIG": "loopback", "DATABASE_URL": database_url,
           "RATELIMIT_STORAGE_URI": limiter_storage_url, "SECRET_KEY": os.environ.get("SECRET_KEY", "s" * 48)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--graceful-timeout", "5", "wsgi:app"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield Server(url, database_url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def server(server_database, redis_url):
    with running_server(server_database, redis_url) as started:
        yield started


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    import requests

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {STARTUP_SECONDS} s")


def version_in(html: str) -> int:
    match = VERSION_INPUT.search(html)
    assert match, "no version field in the page"
    return int(re.search(r'value="(\d+)"', match.group(0)).group(1))
