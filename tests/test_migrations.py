"""The migrations build exactly the schema the models describe, and go down and up again, on SQLite
and (with TEST_DATABASE_URL) PostgreSQL."""
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from crm import create_app
from crm.extensions import db
from tests.conftest import TEST_DATABASE_URL, on_postgres


@pytest.fixture
def migration_url(tmp_path):
    """An empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if not on_postgres():
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    schema = f"migration_test_{uuid.uuid4().hex[:8]}"
    admin_engine = sa.create_engine(TEST_DATABASE_URL)
    with admin_engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    yield f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    with admin_engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin_engine.dispose()


@pytest.fixture
def migration_app(migration_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=migration_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def _current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _head(app) -> str:
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the migrations have {len(heads)} heads"
    return heads[0]


def test_t36_upgrade_from_empty_builds_the_schema_of_the_models(migration_app):
    upgrade()

    assert _current_revision() == _head(migration_app)
    assert _schema_differences() == []


def test_t36_downgrade_to_base_and_upgrade_again_keeps_working(migration_app):
    upgrade()
    downgrade(revision="base")
    assert sa.inspect(db.engine).get_table_names() in ([], ["alembic_version"])

    upgrade()
    assert _schema_differences() == []


def test_t36_rows_survive_a_step_down_and_up_of_the_newest_migration(migration_app):
    from crm.auth.models import Role, User
    from crm.auth.services import create_user

    upgrade()
    create_user(login_id="survivor", name="남는 사람", role=Role.COACH, password="long enough pw")
    db.session.commit()
    script = ScriptDirectory.from_config(migration_app.extensions["migrate"].migrate.get_config())
    previous = script.get_revision(_head(migration_app)).down_revision

    downgrade(revision=previous)
    upgrade()

    assert db.session.scalar(sa.select(User.name).where(User.login_id == "survivor")) == "남는 사람"
    db.session.close()  # outside a request a SQLite transaction holds the write lock
    assert _schema_differences() == []


def test_the_migrations_seed_the_same_reference_rows_as_the_seed_functions(migration_app):
    from crm.campaigns.models import Channel
    from crm.campaigns.reference import CHANNELS
    from crm.companies.models import Region, Store
    from crm.companies.reference import REGIONS, STORES

    upgrade()

    assert db.session.execute(sa.select(Region.code, Region.name, Region.former_names)
                              .order_by(Region.sort_order)).all() == list(REGIONS)
    assert [code for code, *_ in STORES] == list(db.session.scalars(sa.select(Store.code).order_by(Store.sort_order)))
    channels = db.session.execute(sa.select(Channel.name, Channel.kind).order_by(Channel.sort_order)).all()
    assert [(name, kind.value) for name, kind in channels] == list(CHANNELS)
    db.session.close()


def _row_counts() -> dict[str, int]:
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as connection:
        return {table: connection.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))
                for table in inspector.get_table_names() if table != "alembic_version"}


def test_t36_every_migration_steps_down_and_up_with_the_demo_data_in_place(migration_app):
    """T36: with rows in the tables, each step down and up again works, and the tables a step does not own keep
    their rows (SQLite's batch mode copies tables: a careless step would lose or break them)."""
    from crm.audit.context import acting_as
    from crm.demo import load_demo

    upgrade()
    with acting_as(None):
        load_demo()
    db.session.commit()
    db.session.close()
    seeded = _row_counts()
    script = ScriptDirectory.from_config(migration_app.extensions["migrate"].migrate.get_config())

    for revision in script.walk_revisions():  # newest first
        downgrade(revision=revision.down_revision or "base")
        below = _row_counts()
        assert {table: seeded[table] for table in below} == below, f"rows lost stepping below {revision.revision}"
        upgrade(revision=revision.revision)
        assert {table: count for table, count in _row_counts().items() if table in below} == below
        downgrade(revision=revision.down_revision or "base")

    upgrade()
    assert _schema_differences() == []


def test_the_funnel_columns_migration_fills_them_from_the_stage_changes(migration_app):
    from crm.audit.context import acting_as
    from crm.companies.models import Company, EnterpriseType
    from crm.companies.pipeline import Stage
    from crm.companies.services import CompanyFields, create_company, move_stage
    from crm.demo import load_demo
    from tests.companies.test_funnel import columns_from_the_history, kept_columns

    upgrade()
    with acting_as(None):
        load_demo()
        with time_machine.travel(datetime(2021, 5, 3, 20, tzinfo=UTC), tick=False):  # 5. 4. 05:00 in Seoul
            company = create_company(CompanyFields(name="이관 확인", enterprise_type=EnterpriseType.COOPERATIVE),
                                     actor=None)
        with time_machine.travel(datetime(2021, 5, 20, 1, tzinfo=UTC), tick=False):
            move_stage(company, Stage.LISTED, note=None, actor=None)
    db.session.commit()
    converted_id = company.id
    expected = {company_id: columns_from_the_history(company_id, db)
                for company_id in db.session.scalars(sa.select(Company.id))}
    db.session.close()

    downgrade(revision="aa3b8d77afba")
    upgrade()

    assert {company_id: kept_columns(company_id, db) for company_id in expected} == expected
    assert expected[converted_id] == {"funnel_sourced_at": datetime(2021, 5, 3, 20, tzinfo=UTC),
                                    "funnel_days_to_listing": 16}
