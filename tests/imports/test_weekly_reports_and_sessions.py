"""Weekly reports of a cohort and coaching sessions: checked by the forms' rules, a coach's file limited to the
coach's companies (T20), export → import changes nothing, undo."""
from datetime import date

import pytest
import sqlalchemy as sa

from crm.auth.models import Role
from crm.coaching import sessions as session_services
from crm.coaching.models import CoachingSession
from crm.core.softdelete import including_deleted
from crm.programs import progress
from crm.programs.models import WeeklyReport
from tests.imports.conftest import audited_types, csv_bytes, latest_batch, problems_of

REPORT_HEADERS = ("기업명", "주차", "진행 상태", "수행 내역", "라이브커머스 횟수 (회)", "매출액")


def _apply(client, db, batch):
    response = client.post(f"/imports/{batch.id}/apply")
    assert response.status_code == 302, problems_of(db, batch)
    return latest_batch(db)


# --- weekly reports -----------------------------------------------------------------------------------------


@pytest.fixture
def cohort_of_two(make_cohort, make_enrollment, make_company):
    cohort = make_cohort()
    for name in ("공생공작", "함께장터"):
        make_enrollment(cohort, make_company(name))
    make_company("참여안함")
    return cohort


def _values_of(report: WeeklyReport) -> dict[str, int]:
    return {value.indicator.name: value.value for value in report.values}


def test_weekly_reports_are_imported_with_their_indicator_values(upload, client_as, coordinator, cohort_of_two, db):
    rows = [["공생공작", "1", "순조", "상세페이지 기획", "1", "150,000"],
            ["함께장터", "2", "지연", "촬영 준비", "", "0"]]
    upload(csv_bytes(REPORT_HEADERS, rows), "주간.csv", kind="weekly_reports", cohort_id=cohort_of_two.id)
    batch = latest_batch(db)
    assert None not in batch.column_mapping

    batch = _apply(client_as(coordinator), db, batch)

    reports = list(db.session.scalars(sa.select(WeeklyReport).order_by(WeeklyReport.week)))
    assert [(report.week, report.status.label, report.work_done, report.submitted_by_id) for report in reports] == [
        (1, "순조", "상세페이지 기획", coordinator.id), (2, "지연", "촬영 준비", coordinator.id)]
    assert _values_of(reports[0]) == {"라이브커머스 횟수": 1, "매출액": 150_000}
    assert _values_of(reports[1]) == {"라이브커머스 횟수": 0, "매출액": 0}
    assert {"WeeklyReport", "IndicatorValue"} <= audited_types(db, batch)


def test_weekly_report_rows_are_checked_by_the_report_forms_rules(upload, cohort_of_two, db):
    rows = [["참여안함", "1", "순조", "x", "0", "0"],
            ["공생공작", "27", "순조", "x", "0", "0"],
            ["공생공작", "3", "보통", "", "-1", "0"],
            ["함께장터", "4", "순조", "x", "0", "0"],
            ["함께장터", "4", "주의", "y", "0", "0"]]
    upload(csv_bytes(REPORT_HEADERS, rows), "주간.csv", kind="weekly_reports", cohort_id=cohort_of_two.id)

    problems = problems_of(db, latest_batch(db))

    assert [(line, column) for line, column, _reason in problems] == [
        (2, "기업명"), (3, "주차"), (4, "진행 상태"), (4, "수행 내역"), (4, "라이브커머스 횟수 (회)"), (6, "주차")]
    assert "이 과정에 참여하지 않는 기업" in problems[0][2]
    assert "1부터 26 사이" in problems[1][2]
    assert "5행에 같은 기업의 같은 주차" in problems[5][2]
    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_weekly_report_export_changes_nothing(upload, client_as, coordinator, cohort_of_two, db, fmt):
    enrollments = cohort_of_two.enrollments
    indicators = {indicator.name: indicator.id for indicator in cohort_of_two.indicators}
    for week, enrollment in ((1, enrollments[0]), (2, enrollments[0]), (1, enrollments[1])):
        progress.submit_report(enrollment, week, progress.ReportFields(
            work_done=f"={week}주차 수행", status="caution", next_plan="다음", difficulties=None),
            {indicators["매출액"]: 10_000 * week}, actor=coordinator)
    db.session.commit()
    before = {report.id: (report.version, report.status, report.work_done, report.difficulties, _values_of(report))
              for report in db.session.scalars(sa.select(WeeklyReport))}
    client = client_as(coordinator)
    exported = client.get(f"/cohorts/{cohort_of_two.id}/reports/export.{fmt}")
    assert exported.status_code == 200

    upload(exported.data, f"주간.{fmt}", kind="weekly_reports", cohort_id=cohort_of_two.id)
    batch = _apply(client, db, latest_batch(db))

    assert (batch.created_count, batch.updated_count) == (0, 3)
    db.session.expire_all()
    assert {report.id: (report.version, report.status, report.work_done, report.difficulties, _values_of(report))
            for report in db.session.scalars(sa.select(WeeklyReport))} == before
    assert audited_types(db, batch) == {"ImportBatch"}


def test_the_cohort_grid_links_to_the_export_and_the_import(client_as, coordinator, cohort_of_two):
    html = client_as(coordinator).get(f"/cohorts/{cohort_of_two.id}").text

    assert f"/cohorts/{cohort_of_two.id}/reports/export.csv" in html
    assert f"/imports/?kind=weekly_reports&amp;cohort_id={cohort_of_two.id}" in html


def test_the_weekly_report_template_of_a_cohort_has_a_column_per_indicator(client_as, coordinator, cohort_of_two):
    response = client_as(coordinator).get(f"/imports/template/weekly_reports.csv?cohort_id={cohort_of_two.id}")

    header = response.data.decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[-3:] == ["애로사항", "라이브커머스 횟수 (회)", "매출액 (원)"]


def test_an_admin_undoes_a_weekly_report_import(upload, client_as, coordinator, admin, cohort_of_two, db):
    upload(csv_bytes(REPORT_HEADERS, [["공생공작", "1", "순조", "기획", "1", "0"]]), "주간.csv",
           kind="weekly_reports", cohort_id=cohort_of_two.id)
    batch = _apply(client_as(coordinator), db, latest_batch(db))

    assert client_as(admin).post(f"/imports/{batch.id}/undo").status_code == 302

    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 0


# --- coaching sessions --------------------------------------------------------------------------------------


SESSION_HEADERS = ("일자", "기업", "코치", "방식", "시간(분)", "주제", "내용")


def test_t20_a_coachs_file_naming_another_coachs_company_is_refused_by_row(upload, make_user, make_company, coach,
                                                                          client_as, db):
    other_coach = make_user(Role.COACH)
    make_company("내기업", coaches=[coach])
    make_company("남의기업", coaches=[other_coach])
    rows = [["2021-11-25", "내기업", "", "대면", "90", "판로 전략", ""],
            ["2021. 11. 26.", "남의기업", "", "비대면", "60", "엿보기", ""]]
    upload(csv_bytes(SESSION_HEADERS, rows), "코칭.csv", kind="coaching_sessions", user=coach)
    batch = latest_batch(db)

    assert [(line, column) for line, column, _reason in problems_of(db, batch)] == [(3, "기업")]
    assert "배정된 기업이 아닙니다" in problems_of(db, batch)[0][2]
    assert client_as(coach).post(f"/imports/{batch.id}/apply").status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(CoachingSession.id))) == 0


def test_a_coach_imports_sessions_of_their_companies_as_themselves(upload, make_company, coach, client_as, db):
    company = make_company("내기업", coaches=[coach])
    upload(csv_bytes(SESSION_HEADERS, [["2021-11-25", "내기업", "다른 사람", "대면", "90", "판로 전략", "내용"]]),
           "코칭.csv", kind="coaching_sessions", user=coach)

    _apply(client_as(coach), db, latest_batch(db))

    session = db.session.scalar(sa.select(CoachingSession))
    assert (session.company_id, session.coach_id, session.held_on, session.duration_minutes) == (
        company.id, coach.id, date(2021, 11, 25), 90)
    assert client_as(coach).get("/imports/").text.count("코칭.csv") == 1


def test_session_rows_are_checked_by_the_session_forms_rules(upload, make_company, coach, db):
    make_company("코치있는기업", coaches=[coach])
    make_company("코치없는기업")
    rows = [["2099-01-01", "코치있는기업", coach.name, "대면", "0", "", ""],
            ["2021-11-25", "코치없는기업", coach.name, "대면", "60", "주제", ""]]
    upload(csv_bytes(SESSION_HEADERS, rows), "코칭.csv", kind="coaching_sessions")

    problems = problems_of(db, latest_batch(db))

    assert [(line, column) for line, column, _reason in problems] == [
        (2, "일자"), (2, "시간(분)"), (2, "주제"), (3, "코치")]
    assert "배정된 코치만" in problems[3][2]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_session_export_changes_nothing(upload, make_company, coach, coordinator, client_as, db, fmt):
    company = make_company("+더하기로 시작", coaches=[coach])
    for day, topic in ((date(2021, 11, 1), "판로"), (date(2021, 11, 8), "=수식 같은 주제")):
        session_services.create_session(company, coach=coach.id, held_on=day, duration_minutes=60, mode="remote",
                                        topic=topic, content="내용", recommendations=None, actor=coordinator)
    db.session.commit()
    before = {session.id: (session.version, session.topic, session.mode, session.content)
              for session in db.session.scalars(sa.select(CoachingSession))}
    exported = client_as(coach).get(f"/coaching/export.{fmt}")

    upload(exported.data, f"코칭.{fmt}", kind="coaching_sessions", user=coach)
    batch = _apply(client_as(coach), db, latest_batch(db))

    assert (batch.created_count, batch.updated_count) == (0, 2)
    db.session.expire_all()
    assert {session.id: (session.version, session.topic, session.mode, session.content)
            for session in db.session.scalars(sa.select(CoachingSession))} == before
    assert audited_types(db, batch) == {"ImportBatch"}


def test_an_admin_undoes_a_session_import_the_sessions_go_to_the_trash(upload, make_company, coach, admin,
                                                                      client_as, db):
    make_company("내기업", coaches=[coach])
    upload(csv_bytes(SESSION_HEADERS, [["2021-11-25", "내기업", "", "대면", "90", "판로 전략", ""]]), "코칭.csv",
           kind="coaching_sessions", user=coach)
    batch = _apply(client_as(coach), db, latest_batch(db))

    assert client_as(admin).post(f"/imports/{batch.id}/undo").status_code == 302

    assert db.session.scalar(sa.select(sa.func.count(CoachingSession.id))) == 0
    trashed = db.session.scalar(including_deleted(sa.select(CoachingSession)))
    assert trashed.deleted_at is not None
