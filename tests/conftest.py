"""Fixtures: a fresh database per test (in-memory SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
clients signed in as a role, `make_*` factories and a SQL statement counter."""
import os
import re
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from crm import create_app
from crm.auth import services as auth_services
from crm.auth.models import Role
from crm.campaigns.models import Campaign, CampaignKind, Channel, Participation, ParticipationStatus
from crm.campaigns.reference import seed_channels
from crm.coaching.reference import seed_specialties
from crm.companies.models import EnterpriseType
from crm.companies.pipeline import Stage
from crm.companies.reference import seed_reference_data
from crm.companies.services import CompanyFields, create_company, set_coaches
from crm.extensions import db as _db
from crm.extensions import limiter
from crm.programs.models import Cohort, CohortStage, Enrollment, Indicator, IndicatorTarget, Program

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery"
IN_CI = os.environ.get("CI") == "true"


def on_postgres() -> bool:
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


def skip_or_fail(reason: str) -> None:
    """Skip with a visible reason, except under CI=true, where a missing prerequisite is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true and a test prerequisite is missing: {reason}")
    pytest.skip(reason)


def empty_all_tables() -> None:
    tables = ", ".join(f'"{table.name}"' for table in _db.metadata.sorted_tables)
    _db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    _db.session.commit()


_postgres_schema_ready = False


class WholeResponseClient(FlaskClient):
    """Reads each response whole before the next request, as a server does: a streamed export keeps its request
    context until its last row, and a test that only looks at the status would leave it open."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def _fresh_g_for_each_request():
    # Tests keep one app context open across requests, but a real server starts `g` afresh for each:
    # Flask-Login caches the user there and Flask-WTF the CSRF token.
    for key in list(g):
        g.pop(key)


@pytest.fixture
def app():
    global _postgres_schema_ready
    app = create_app("testing")
    app.test_client_class = WholeResponseClient
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g_for_each_request)
    with app.app_context():
        if on_postgres():
            if not _postgres_schema_ready:
                _db.drop_all()
                _db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
                _db.session.commit()
                _db.create_all()
                _postgres_schema_ready = True
        else:
            _db.create_all()
        seed_reference_data()
        seed_specialties()
        seed_channels()
        _db.session.commit()
        limiter.reset()
        yield app
        _db.session.rollback()
        if on_postgres():
            empty_all_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.COORDINATOR, *, login_id: str | None = None, name: str | None = None,
             password: str = PASSWORD, active: bool = True, email: str | None = None):
        number = next(counter)
        user = auth_services.create_user(login_id=login_id or f"{role.value}{number}",
                                         name=name or f"{role.value} {number}", role=role,
                                         password=password, email=email)
        user.active = active
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_company(db, coordinator):
    counter = iter(range(1, 100_000))

    def make(name: str | None = None, *, stage: Stage = Stage.SOURCED, coaches=(), aliases=(),
             enterprise_type: EnterpriseType = EnterpriseType.SOCIAL_ENTERPRISE, actor=None, **fields):
        company = create_company(
            CompanyFields(name=name or f"테스트기업{next(counter)}", enterprise_type=enterprise_type,
                          aliases=list(aliases), **fields),
            stage=stage, actor=actor or coordinator)
        if coaches:
            set_coaches(company, [coach.id for coach in coaches], actor=actor or coordinator)
        db.session.commit()
        return company

    return make


@pytest.fixture
def make_program(db):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, year: int = 2021, **fields):
        program = Program(name=name or f"테스트사업{next(counter)}", year=year, **fields)
        db.session.add(program)
        db.session.commit()
        return program

    return make


# Three stages over 26 weeks and two indicators with cumulative targets per stage.
DEFAULT_STAGES = (("준비", 1, 4), ("실행", 5, 20), ("확산", 21, 26))
DEFAULT_INDICATORS = (("라이브커머스 횟수", "회", (0, 3, 5)), ("매출액", "원", (0, 5_000_000, 10_000_000)))


@pytest.fixture
def make_cohort(db, make_program):
    """A cohort built straight from the models: stages as (name, first, last), indicators as
    (name, unit, one cumulative target per stage)."""

    def make(name: str = "테스트 기수", *, program=None, start_on: date = date(2021, 5, 3), weeks: int = 26,
             stages=DEFAULT_STAGES, indicators=DEFAULT_INDICATORS):
        cohort = Cohort(program=program or make_program(), name=name, start_on=start_on, weeks=weeks)
        cohort.stages = [CohortStage(name=stage, first_week=first, last_week=last) for stage, first, last in stages]
        for order, (indicator_name, unit, targets) in enumerate(indicators):
            indicator = Indicator(name=indicator_name, unit=unit, sort_order=order)
            indicator.targets = [IndicatorTarget(stage=stage, value=value)
                                 for stage, value in zip(cohort.stages, targets, strict=True)]
            cohort.indicators.append(indicator)
        db.session.add(cohort)
        db.session.commit()
        return cohort

    return make


@pytest.fixture
def make_enrollment(db, make_cohort, make_company):
    def make(cohort=None, company=None, *, project_title: str = "테스트 프로젝트", **fields):
        enrollment = Enrollment(cohort=cohort or make_cohort(), company=company or make_company(),
                                project_title=project_title, **fields)
        db.session.add(enrollment)
        db.session.commit()
        return enrollment

    return make


@pytest.fixture
def make_campaign(db):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, kind: CampaignKind = CampaignKind.EXHIBITION, channel: str | None = "해피빈",
             **fields):
        channel_row = db.session.scalar(sa.select(Channel).where(Channel.name == channel)) if channel else None
        campaign = Campaign(name=name or f"테스트 기획전{next(counter)}", kind=kind, channel=channel_row, **fields)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def make_participation(db, make_campaign, make_company):
    def make(campaign=None, company=None, *, status: ParticipationStatus = ParticipationStatus.PARTICIPATING,
             **fields):
        participation = Participation(campaign=campaign or make_campaign(), company=company or make_company(),
                                      status=status, **fields)
        db.session.add(participation)
        db.session.commit()
        return participation

    return make


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, login_id="admin1", name="관리자1")


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR, login_id="coordinator1", name="코디1")


@pytest.fixture
def coach(make_user):
    return make_user(Role.COACH, login_id="coach1", name="코치1")


def log_in(client, login_id: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"login_id": login_id, "password": password}, **kwargs)


@pytest.fixture
def client_as(app):
    """A new test client signed in as `user`."""

    def sign_in(user, password: str = PASSWORD):
        client = app.test_client()
        response = log_in(client, user.login_id, password)
        assert response.status_code == 302, response.status_code
        return client

    return sign_in


CSRF_INPUT = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class QueryCounter:
    """Counts the statements that read or write data (not BEGIN/COMMIT, which depend on the test's own state)."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db):
    @contextmanager
    def counting():
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting
