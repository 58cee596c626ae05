"""Browser journeys: the app served by a real WSGI server in a background thread, driven by headless Chromium.

The database is PostgreSQL when TEST_DATABASE_URL is set, otherwise a temporary SQLite *file*
(an in-memory database would be private to each of the server's threads).
"""
import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from crm import create_app
from crm.auth import services as auth_services
from crm.auth.models import Role
from crm.campaigns.reference import seed_channels
from crm.coaching.reference import seed_specialties
from crm.companies.reference import seed_reference_data
from crm.extensions import db
from tests import conftest as root_conftest
from tests.conftest import PASSWORD, TEST_DATABASE_URL, empty_all_tables, on_postgres, skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    # A conftest hook sees every collected item: mark only the tests in this folder.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class Account:
    login_id: str
    name: str
    role: Role
    password: str = PASSWORD


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="e2e-live-server", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


def _prepare_postgres_schema() -> None:
    """db.create_all(); first, once per test session, the same fresh start as the `app` fixture in
    tests/conftest.py (drop and recreate), so that a schema left by an older run of the models cannot linger."""
    if not root_conftest._postgres_schema_ready:
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        root_conftest._postgres_schema_ready = True
    db.create_all()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    if on_postgres():
        url = TEST_DATABASE_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'crm.sqlite3'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        if on_postgres():
            _prepare_postgres_schema()
        else:
            db.create_all()
        seed_reference_data()
        seed_specialties()
        seed_channels()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.rollback()
        if on_postgres():
            empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_app):
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_account(live_app):
    """Creates a user in the live server's database; every login id is unique, so tests stay independent."""

    def make(role: Role = Role.COORDINATOR, *, name: str | None = None, password: str = PASSWORD) -> Account:
        login_id = f"{role.value[:5]}-{uuid.uuid4().hex[:10]}"
        with live_app.app_context():
            user = auth_services.create_user(login_id=login_id, name=name or f"{role.label} {login_id[-4:]}",
                                             role=role, password=password)
            db.session.commit()
            account = Account(user.login_id, user.name, user.role, password)
            db.session.remove()
        return account

    return make


@pytest.fixture
def user_exists(live_app):
    def exists(login_id: str) -> bool:
        from crm.auth.models import User

        with live_app.app_context():
            found = db.session.scalar(db.select(User.id).where(User.login_id == login_id)) is not None
            db.session.remove()
        return found

    return exists


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        skip_or_fail(f"playwright is not importable ({error})")
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser context (cookies, storage) for every test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context
    context.close()


@dataclass
class BrowserLog:
    """What the page requested and what it wrote to the console."""

    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"]

    def csp_violations(self) -> list[str]:
        return [text for kind, text in self.console if "content security policy" in text.lower()]


@pytest.fixture
def browser_log():
    return BrowserLog()


@pytest.fixture
def page(context, browser_log):
    page = context.new_page()
    page.on("request", lambda request: browser_log.requests.append(request.url))
    page.on("console", lambda message: browser_log.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: browser_log.page_errors.append(str(error)))
    yield page
    page.close()


def log_in(page, account: Account, password: str | None = None) -> None:
    """From anywhere: open the login page and submit the form, filled by its labels."""
    page.goto("/login")
    page.get_by_label("아이디").fill(account.login_id)
    page.get_by_label("비밀번호", exact=True).fill(password if password is not None else account.password)
    page.get_by_role("button", name="로그인").click()
