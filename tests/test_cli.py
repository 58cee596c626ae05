import io

import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.auth.models import Role, User
from crm.demo import DEMO_USERS
from tests.conftest import log_in


def _users(db):
    return db.session.execute(sa.select(User.login_id, User.role, User.name).order_by(User.login_id)).all()


def test_users_create_reads_the_password_from_standard_input_and_the_user_can_log_in(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "firstadmin", "--role", "admin", "--name", "첫 관리자"], input="a long admin secret\n")

    assert result.exit_code == 0, result.output
    assert _users(db) == [("firstadmin", Role.ADMIN, "첫 관리자")]
    assert log_in(app.test_client(), "firstadmin", "a long admin secret").status_code == 302
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "insert"))
    assert (entry.actor_id, entry.actor_label) == (None, "system")


def test_users_create_accepts_two_identical_lines_and_refuses_two_different_ones(app, db):
    runner = app.test_cli_runner()

    same = runner.invoke(args=["users", "create", "twice", "--role", "coach", "--name", "코치"],
                         input="same secret here\nsame secret here\n")
    different = runner.invoke(args=["users", "create", "differs", "--role", "coach", "--name", "코치"],
                              input="same secret here\nanother secret\n")

    assert same.exit_code == 0
    assert different.exit_code != 0
    assert [row.login_id for row in _users(db)] == ["twice"]


def test_users_create_refuses_a_weak_password_an_unknown_role_and_a_taken_login_id(app, db, admin):
    runner = app.test_cli_runner()

    weak = runner.invoke(args=["users", "create", "weak", "--role", "coach", "--name", "x"], input="short\n")
    unknown_role = runner.invoke(args=["users", "create", "odd", "--role", "owner", "--name", "x"],
                                 input="long enough pw\n")
    taken = runner.invoke(args=["users", "create", "admin1", "--role", "coach", "--name", "x"],
                          input="long enough pw\n")

    assert weak.exit_code != 0 and "8자 이상" in weak.output
    assert unknown_role.exit_code != 0
    assert taken.exit_code != 0 and "이미 쓰이는 아이디" in taken.output
    assert [row.login_id for row in _users(db)] == ["admin1"]


def test_demo_load_makes_one_user_per_role_and_loading_twice_changes_nothing(app, db):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "load"])
    users_after_first = _users(db)
    audit_rows_after_first = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    second = runner.invoke(args=["demo", "load"])

    assert first.exit_code == second.exit_code == 0
    assert {row.role for row in users_after_first} == set(Role)
    assert _users(db) == users_after_first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == audit_rows_after_first
    for demo in DEMO_USERS:
        assert demo.login_id in second.output and demo.password in second.output
        assert log_in(app.test_client(), demo.login_id, demo.password).status_code == 302


def test_demo_load_brings_the_companies_the_report_names_without_invented_contacts(app, db):
    from crm.companies.models import Company, CompanyAlias, CompanyCoach

    app.test_cli_runner().invoke(args=["demo", "load"])

    companies = {c.name: c for c in db.session.scalars(sa.select(Company))}
    assert len(companies) == 18  # 7 cohort + 아주건강한속삭임 + 10 해피빈
    tour = companies["365공유경제사회적협동조합"]
    assert db.session.scalars(sa.select(CompanyAlias.name).where(CompanyAlias.company_id == tour.id)).all() == [
        "공정여행통영뚜벅투어"]
    assert "밝히지 않습니다" in companies["아주건강한속삭임"].note
    assert companies["들애초"].region_code == "51"  # given as 강원도, stored as 강원특별자치도
    assert all(c.business_number is None and c.phone is None and c.email is None for c in companies.values())
    coached = db.session.scalars(sa.select(Company.name).join(CompanyCoach)).all()
    assert sorted(coached) == sorted(["365공유경제사회적협동조합", "레인보우팜 주식회사 농업회사법인",
                                      "아주건강한속삭임"])


def test_imports_expire_deletes_the_rows_of_previews_older_than_a_day_and_keeps_newer_ones(app, db, client_as,
                                                                                          coordinator):
    from datetime import timedelta

    import time_machine

    from crm.core.time import utcnow
    from crm.imports.models import ImportBatch, ImportRow, ImportStatus
    from tests.imports.conftest import COMPANY_HEADERS, company_rows, csv_bytes

    def upload(name: str, start: int) -> None:
        client_as(coordinator).post("/imports/", data={"kind": "companies", "file": (
            io.BytesIO(csv_bytes(COMPANY_HEADERS, company_rows(2, start=start))), name)},
            content_type="multipart/form-data")

    upload("new.csv", 5)
    # Uploaded last, so that no later upload expires it on the way.
    with time_machine.travel(utcnow() - timedelta(hours=25)):
        upload("old.csv", 1)

    result = app.test_cli_runner().invoke(args=["imports", "expire"])

    assert result.exit_code == 0, result.output
    assert "2개" in result.output
    db.session.expire_all()
    batches = {batch.file_name: batch for batch in db.session.scalars(sa.select(ImportBatch))}
    assert batches["old.csv"].status is ImportStatus.EXPIRED
    assert batches["new.csv"].status is ImportStatus.PREVIEW
    rows = db.session.execute(sa.select(ImportRow.batch_id, sa.func.count()).group_by(ImportRow.batch_id)).all()
    assert dict(rows) == {batches["new.csv"].id: 2}
