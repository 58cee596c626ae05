"""/submit/<token>: a company submits its weekly report through its link, sees nothing else of the CRM, and is
told in Korean when the link is expired, revoked or not a real one."""
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from crm.audit.models import AuditAction, AuditLog
from crm.core.time import utcnow
from crm.programs import links
from crm.programs.models import ReportStatus, SubmissionLink, WeeklyReport
from crm.programs.submit_views import SUBMIT_LIMIT

DURING_WEEK_3 = "2021-05-19 12:00:00+09:00"


def link_token(app, db, enrollment, actor, days: int = 30) -> str:
    with app.test_request_context():
        _link, url = links.issue_link(enrollment, days_valid=days, actor=actor)
    db.session.commit()
    return url.rsplit("/submit/", 1)[1]


def report_data(cohort, week: str = "2", **overrides) -> dict:
    data = {"week": week, "work_done": "쇼핑라이브 리허설", "next_plan": "본 방송", "difficulties": "",
            "status": "on_track"}
    data.update({f"indicator_{indicator.id}": "1" for indicator in cohort.indicators})
    data.update(overrides)
    return data


def stored_reports(db) -> list[WeeklyReport]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WeeklyReport).order_by(WeeklyReport.week)))


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_the_link_shows_the_company_its_project_and_the_open_weeks_only(app, db, make_enrollment, make_company,
                                                                        coordinator, client):
    enrollment = make_enrollment(company=make_company("공생공작"), project_title="공생공작 쇼핑라이브")
    other = make_enrollment(company=make_company("다른기업"), project_title="다른 프로젝트")
    token = link_token(app, db, enrollment, coordinator)
    db.session.add(WeeklyReport(enrollment_id=enrollment.id, week=1, work_done="(예시)", status=ReportStatus.ON_TRACK))
    db.session.commit()

    page = client.get(f"/submit/{token}")

    assert page.status_code == 200
    assert "공생공작" in page.text and "공생공작 쇼핑라이브" in page.text
    assert other.project_title not in page.text and "다른기업" not in page.text
    assert 'value="3"' in page.text and 'value="2"' in page.text and 'value="1"' not in page.text
    assert 'value="4"' not in page.text
    assert "navbar" not in page.text and "/companies" not in page.text and 'href="/"' not in page.text


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_company_submits_a_week_and_the_audit_log_names_the_company(app, db, make_enrollment, make_company,
                                                                      coordinator, client):
    enrollment = make_enrollment(company=make_company("소이플리협동조합"))
    token = link_token(app, db, enrollment, coordinator)

    response = client.post(f"/submit/{token}", data=report_data(enrollment.cohort, week="2"))

    assert response.status_code == 200 and 'data-testid="submit-done"' in response.text
    [report] = stored_reports(db)
    link = db.session.scalar(sa.select(SubmissionLink))
    assert (report.week, report.submitted_by_id, report.submitted_via_link_id) == (2, None, link.id)
    assert link.last_used_at is not None
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.record_type == "WeeklyReport",
                                                        AuditLog.action == AuditAction.INSERT))
    assert (audit.actor_id, audit.actor_label) == (None, "기업 링크: 소이플리협동조합")


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_week_already_reported_or_not_begun_is_refused_through_the_link(app, db, make_enrollment, coordinator,
                                                                          client):
    enrollment = make_enrollment()
    token = link_token(app, db, enrollment, coordinator)
    client.post(f"/submit/{token}", data=report_data(enrollment.cohort, week="1"))

    again = client.post(f"/submit/{token}", data=report_data(enrollment.cohort, week="1"))
    future = client.post(f"/submit/{token}", data=report_data(enrollment.cohort, week="9"))
    nonsense = client.post(f"/submit/{token}", data=report_data(enrollment.cohort, week="abc"))

    assert [again.status_code, future.status_code, nonsense.status_code] == [422, 422, 422]
    assert "1주차 보고는 이미 제출되었습니다." in again.text
    assert "아직 시작되지 않았습니다" in future.text
    assert [report.week for report in stored_reports(db)] == [1]


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_negative_value_through_the_link_is_refused_and_nothing_stored(app, db, make_enrollment, coordinator,
                                                                         client):
    enrollment = make_enrollment()
    token = link_token(app, db, enrollment, coordinator)
    negative = {f"indicator_{enrollment.cohort.indicators[0].id}": "-3"}

    response = client.post(f"/submit/{token}", data=report_data(enrollment.cohort, **negative))

    assert response.status_code == 422 and "0 이상이어야 합니다." in response.text
    assert stored_reports(db) == []


def test_a_tampered_link_answers_404_in_korean(app, db, make_enrollment, coordinator, client):
    token = link_token(app, db, make_enrollment(), coordinator)

    response = client.get(f"/submit/{token[:-3]}xyz")

    assert response.status_code == 404
    assert "올바르지 않은 링크입니다" in response.text and "navbar" not in response.text


def test_an_expired_link_answers_410_in_korean_and_stores_nothing(app, db, make_enrollment, coordinator, client):
    enrollment = make_enrollment()
    token = link_token(app, db, enrollment, coordinator, days=1)

    with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
        response = client.post(f"/submit/{token}", data=report_data(enrollment.cohort))

    assert response.status_code == 410
    assert "이 링크는 만료되었습니다" in response.text
    assert stored_reports(db) == []


def test_a_revoked_link_answers_410_in_korean(app, db, make_enrollment, coordinator, client):
    token = link_token(app, db, make_enrollment(), coordinator)
    links.revoke_link(db.session.scalar(sa.select(SubmissionLink)), actor=coordinator)
    db.session.commit()

    response = client.get(f"/submit/{token}")

    assert response.status_code == 410
    assert "이 링크는 더 이상 사용할 수 없습니다" in response.text


def test_the_link_answers_429_after_the_rate_limit(app, db, make_enrollment, coordinator, client):
    token = link_token(app, db, make_enrollment(), coordinator)
    allowed = int(SUBMIT_LIMIT.split()[0])

    statuses = [client.get(f"/submit/{token}").status_code for _attempt in range(allowed + 1)]

    assert statuses[:allowed] == [200] * allowed
    assert statuses[-1] == 429


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_the_link_form_carries_a_csrf_token_when_protection_is_on(app, csrf_app, db, make_enrollment, coordinator,
                                                                  client):
    enrollment = make_enrollment()
    token = link_token(app, db, enrollment, coordinator)

    without = client.post(f"/submit/{token}", data=report_data(enrollment.cohort))
    page = client.get(f"/submit/{token}")

    assert without.status_code == 400
    assert 'name="csrf_token"' in page.text
    assert stored_reports(db) == []


def test_the_timeline_shows_a_link_submission_as_made_by_the_company(app, db, make_enrollment, coordinator, client,
                                                                     client_as):
    enrollment = make_enrollment()
    token = link_token(app, db, enrollment, coordinator)
    with time_machine.travel(DURING_WEEK_3, tick=False):
        client.post(f"/submit/{token}", data=report_data(enrollment.cohort, week="1"))

    page = client_as(coordinator).get(f"/companies/{enrollment.company_id}")

    timeline = page.text.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "기업 (제출 링크)" in timeline and "주간 보고 1주차 제출" in timeline
