"""Weekly-report pages: the cohort grid, an enrollment, a week's report with its review and comments, who may
do what there, the coordinator's dashboard and the company page."""
from datetime import date

import sqlalchemy as sa
import time_machine

from crm.audit.models import AuditLog
from crm.auth.models import User
from crm.programs import progress
from crm.programs.models import Cohort, ReportComment, ReportStatus, WeeklyReport
from crm.programs.progress import ReportFields

DURING_WEEK_3 = "2021-05-19 12:00:00+09:00"


def report_data(cohort, *amounts, **overrides) -> dict:
    data = {"work_done": "라이브커머스 준비", "next_plan": "방송 리허설", "difficulties": "촬영 장비 부족",
            "status": "caution"}
    for indicator, amount in zip(cohort.indicators, amounts or ("0",) * len(cohort.indicators), strict=True):
        data[f"indicator_{indicator.id}"] = amount
    data.update(overrides)
    return data


def recorded(db, enrollment, week, actor, **overrides) -> WeeklyReport:
    values = {"work_done": "(예시) 수행", "status": ReportStatus.ON_TRACK}
    values.update(overrides)
    report = progress.submit_report(enrollment, week, ReportFields(**values), {}, actor=actor)
    db.session.commit()
    return report


def stored_reports(db, enrollment) -> list[WeeklyReport]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WeeklyReport).where(WeeklyReport.enrollment_id == enrollment.id)
                                   .order_by(WeeklyReport.week)))


# --- recording and reading a week --------------------------------------------------------------------------------

@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coordinator_records_a_week_through_its_empty_form(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    client = client_as(coordinator)
    url = f"/enrollments/{enrollment.id}/weeks/2"

    form_page = client.get(url)
    response = client.post(url, data=report_data(enrollment.cohort, "1", "300,000"))

    assert form_page.status_code == 200 and 'data-testid="report-form"' in form_page.text
    assert response.status_code == 302
    [report] = stored_reports(db, enrollment)
    assert (report.week, report.status, report.difficulties) == (2, ReportStatus.CAUTION, "촬영 장비 부족")
    assert sorted(value.value for value in report.values) == [1, 300_000]


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_negative_value_gets_the_form_back_with_a_korean_message_and_nothing_stored(db, make_enrollment,
                                                                                     coordinator, client_as):
    enrollment = make_enrollment()

    response = client_as(coordinator).post(f"/enrollments/{enrollment.id}/weeks/1",
                                           data=report_data(enrollment.cohort, "-5", "0"))

    assert response.status_code == 422
    assert "0 이상이어야 합니다." in response.text
    assert stored_reports(db, enrollment) == []


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_second_report_for_a_week_is_an_edit_and_a_stale_edit_answers_409(db, make_enrollment, coordinator,
                                                                            client_as):
    enrollment = make_enrollment()
    report = recorded(db, enrollment, 1, coordinator)
    client = client_as(coordinator)
    url = f"/enrollments/{enrollment.id}/weeks/1"
    opened_on = str(report.version)

    first = client.post(url, data=report_data(enrollment.cohort, version=opened_on, work_done="첫 수정"))
    second = client.post(url, data=report_data(enrollment.cohort, version=opened_on, work_done="늦은 수정"))

    assert first.status_code == 302
    assert second.status_code == 409
    assert "다른 사용자가 먼저 저장했습니다" in second.text
    [stored] = stored_reports(db, enrollment)
    assert stored.work_done == "첫 수정"


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_week_outside_the_cohort_answers_404(make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    client = client_as(coordinator)

    assert client.get(f"/enrollments/{enrollment.id}/weeks/0").status_code == 404
    assert client.get(f"/enrollments/{enrollment.id}/weeks/27").status_code == 404
    assert client.post(f"/enrollments/{enrollment.id}/weeks/27", data=report_data(enrollment.cohort)).status_code \
        == 404


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_week_not_yet_begun_cannot_be_recorded(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()

    response = client_as(coordinator).post(f"/enrollments/{enrollment.id}/weeks/5",
                                           data=report_data(enrollment.cohort))

    assert response.status_code == 422
    assert "아직 시작되지 않았습니다" in response.text
    assert stored_reports(db, enrollment) == []


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coordinator_reviews_a_report(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    report = recorded(db, enrollment, 1, coordinator)

    response = client_as(coordinator).post(f"/enrollments/{enrollment.id}/weeks/1/review",
                                           data={"comment": "잘 진행되고 있습니다", "version": str(report.version)})

    assert response.status_code == 302
    [stored] = stored_reports(db, enrollment)
    assert (stored.review_comment, stored.reviewed_by_id) == ("잘 진행되고 있습니다", coordinator.id)


# --- coaches ------------------------------------------------------------------------------------------------------

@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coach_reads_and_comments_on_a_report_of_an_assigned_company(db, make_enrollment, make_company,
                                                                       coordinator, coach, client_as):
    enrollment = make_enrollment(company=make_company(coaches=[coach]))
    recorded(db, enrollment, 1, coordinator, work_done="보고 본문")
    client = client_as(coach)
    url = f"/enrollments/{enrollment.id}/weeks/1"

    page = client.get(url)
    commented = client.post(url + "/comments", data={"body": "좋은 진행입니다"})

    assert page.status_code == 200 and "보고 본문" in page.text
    assert 'data-testid="review-form"' not in page.text
    assert commented.status_code == 302
    assert db.session.scalar(sa.select(ReportComment.author_id)) == coach.id


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coach_may_not_record_edit_or_review(db, make_enrollment, make_company, coordinator, coach, client_as):
    enrollment = make_enrollment(company=make_company(coaches=[coach]))
    report = recorded(db, enrollment, 1, coordinator)
    client = client_as(coach)
    base = f"/enrollments/{enrollment.id}/weeks"

    edit = client.post(f"{base}/1", data=report_data(enrollment.cohort, version=str(report.version)))
    create = client.post(f"{base}/2", data=report_data(enrollment.cohort))
    review = client.post(f"{base}/1/review", data={"comment": "검토", "version": str(report.version)})
    link = client.post(f"/enrollments/{enrollment.id}/links", data={"days_valid": "30"})

    assert [edit.status_code, create.status_code, review.status_code, link.status_code] == [403, 403, 403, 403]
    [stored] = stored_reports(db, enrollment)
    assert stored.reviewed_at is None and stored.work_done == "(예시) 수행"


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coach_gets_404_for_an_enrollment_of_a_company_not_assigned_to_them(db, make_enrollment, coordinator,
                                                                              coach, client_as):
    enrollment = make_enrollment()
    recorded(db, enrollment, 1, coordinator)
    client = client_as(coach)

    responses = [client.get(f"/enrollments/{enrollment.id}"), client.get(f"/enrollments/{enrollment.id}/weeks/1"),
                 client.post(f"/enrollments/{enrollment.id}/weeks/1/comments", data={"body": "x"})]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert db.session.scalar(sa.select(sa.func.count(ReportComment.id))) == 0


def test_a_coach_may_not_open_the_grid(make_enrollment, coach, client_as):
    enrollment = make_enrollment()

    assert client_as(coach).get(f"/cohorts/{enrollment.cohort_id}").status_code == 403


# --- the grid and the enrollment page -----------------------------------------------------------------------------

def test_the_grid_marks_each_cell_and_the_current_week(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    with time_machine.travel(DURING_WEEK_3, tick=False):
        report = recorded(db, enrollment, 1, coordinator)
        progress.review_report(report, None, actor=coordinator)
        db.session.commit()

        page = client_as(coordinator).get(f"/cohorts/{enrollment.cohort_id}")

    assert page.status_code == 200
    assert 'data-state="reviewed" data-week="1"' in page.text
    assert 'data-state="overdue" data-week="2"' in page.text
    assert 'grid-not_due grid-current"\n          data-state="not_due" data-week="3"' in page.text
    assert f'href="/enrollments/{enrollment.id}/weeks/3"' in page.text
    assert f'href="/enrollments/{enrollment.id}/weeks/4"' not in page.text  # not begun: nothing to open


def test_the_grid_page_issues_as_many_statements_for_fifty_rows_as_for_two(db, make_cohort, make_enrollment,
                                                                           coordinator, client_as, count_queries):
    small, large = make_cohort("작은 기수"), make_cohort("큰 기수")
    for number in range(2):
        make_enrollment(cohort=small, project_title=f"작은 {number}")
    for number in range(50):
        make_enrollment(cohort=large, project_title=f"큰 {number}")
    with time_machine.travel("2021-08-02 12:00:00+09:00", tick=False):
        client = client_as(coordinator)
        for enrollment in large.enrollments[:5] + small.enrollments[:1]:
            recorded(db, enrollment, 1, coordinator)
        counts = []
        for cohort_id in (small.id, large.id):
            db.session.remove()
            with count_queries() as counter:
                assert client.get(f"/cohorts/{cohort_id}").status_code == 200
            counts.append(counter.count)

    assert counts[0] == counts[1]


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_the_enrollment_page_shows_reports_a_chart_and_difficulties_across_weeks(db, make_enrollment, coordinator,
                                                                                 client_as):
    enrollment = make_enrollment()
    recorded(db, enrollment, 1, coordinator, difficulties="택배비 부담")
    recorded(db, enrollment, 2, coordinator, difficulties="택배비 부담 계속")

    page = client_as(coordinator).get(f"/enrollments/{enrollment.id}")

    assert page.status_code == 200
    assert page.text.count('data-testid="report-row"') == 2
    assert page.text.count('data-testid="indicator-chart"') == 2 and "<svg" in page.text
    assert "택배비 부담" in page.text and "택배비 부담 계속" in page.text
    assert 'data-testid="submission-links"' in page.text


# --- the dashboard and the company page ---------------------------------------------------------------------------

def test_the_coordinator_dashboard_shows_overdue_and_waiting_reports(db, make_enrollment, make_company, coordinator,
                                                                     client_as):
    waiting_for = make_enrollment(company=make_company("검토대기기업"))
    late = make_enrollment(cohort=waiting_for.cohort, company=make_company("미제출기업"))
    with time_machine.travel(DURING_WEEK_3, tick=False):
        recorded(db, waiting_for, 1, coordinator)
        recorded(db, waiting_for, 2, coordinator)
        page = client_as(coordinator).get("/")

    overdue = page.text.split('data-testid="overdue-reports"')[1].split("</section>")[0]
    waiting = page.text.split('data-testid="waiting-reports"')[1].split("</section>")[0]
    assert "미제출기업" in overdue and "1, 2주차" in overdue and "검토대기기업" not in overdue
    assert "검토대기기업" in waiting and f"/enrollments/{waiting_for.id}/weeks/2" in waiting
    assert late.id != waiting_for.id


def test_the_kept_dashboard_lists_follow_a_review_and_the_next_day(db, make_enrollment, make_company, coordinator,
                                                                   admin, client_as):
    enrollment = make_enrollment(company=make_company("검토대기기업"))

    def lists(client) -> tuple[str, str]:
        page = client.get("/").text
        return (page.split('data-testid="overdue-reports"')[1].split("</section>")[0],
                page.split('data-testid="waiting-reports"')[1].split("</section>")[0])

    with time_machine.travel(DURING_WEEK_3, tick=False):
        report = recorded(db, enrollment, 1, coordinator)
        overdue, waiting = lists(client_as(coordinator))
        assert "검토대기기업" in waiting and "2주차" in overdue
        assert lists(client_as(admin)) == (overdue, waiting)

        progress.review_report(report, None, actor=coordinator)
        db.session.commit()
        overdue, waiting = lists(client_as(coordinator))
        assert "검토대기기업" not in waiting and "(0건)" in waiting

    # Week 3 falls due at the end of its last day in Seoul: a minute later the same reader's list names it,
    # with nothing written between (signing in writes: the client signs in before midnight).
    with time_machine.travel("2021-05-23 23:59:00+09:00", tick=False):
        client = client_as(coordinator)
        before_midnight, _waiting = lists(client)
    with time_machine.travel("2021-05-24 00:00:01+09:00", tick=False):
        after_midnight, _waiting = lists(client)
    assert "2주차" in before_midnight and "3주차" not in before_midnight
    assert "2, 3주차" in after_midnight


def test_a_coach_dashboard_does_not_show_the_weekly_report_lists(make_enrollment, coach, client_as):
    make_enrollment()

    with time_machine.travel(DURING_WEEK_3, tick=False):
        page = client_as(coach).get("/")

    assert 'data-testid="dashboard-reports"' not in page.text


def test_the_company_page_lists_enrollments_and_reports_on_the_timeline(db, make_enrollment, coordinator,
                                                                        client_as):
    enrollment = make_enrollment(project_title="공생공작 쇼핑라이브")
    with time_machine.travel(DURING_WEEK_3, tick=False):
        report = recorded(db, enrollment, 1, coordinator)
        progress.review_report(report, "확인했습니다", actor=coordinator)
        db.session.commit()

    page = client_as(coordinator).get(f"/companies/{enrollment.company_id}")

    section = page.text.split('data-testid="company-enrollments"')[1].split("</section>")[0]
    timeline = page.text.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "공생공작 쇼핑라이브" in section and "1 / 26주" in section
    assert "주간 보고 1주차 제출" in timeline and "주간 보고 1주차 검토" in timeline


def test_the_audit_log_names_the_coordinator_who_recorded_a_report(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()

    with time_machine.travel(DURING_WEEK_3, tick=False):
        client_as(coordinator).post(f"/enrollments/{enrollment.id}/weeks/1", data=report_data(enrollment.cohort))

    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.record_type == "WeeklyReport"))
    assert row.actor_id == coordinator.id


def test_a_cohort_that_does_not_exist_answers_404(coordinator, client_as):
    assert client_as(coordinator).get("/cohorts/999").status_code == 404
    assert date(2021, 5, 3).weekday() == 0  # the test cohorts start on a Monday, as the weeks above assume


def test_a_company_submits_week_one_by_link_the_coordinator_reviews_it_and_week_two_falls_overdue(
        db, make_cohort, make_enrollment, make_company, coordinator, client_as, app):
    cohort = make_cohort()
    enrollments = [make_enrollment(cohort=cohort, company=make_company(f"참여기업{number}")) for number in range(3)]
    first = enrollments[0]
    with time_machine.travel("2021-05-07 10:00:00+09:00", tick=False):
        staff = client_as(coordinator)
        issued = staff.post(f"/enrollments/{first.id}/links", data={"days_valid": "30"})
        url = issued.text.split('readonly value="')[1].split('"')[0]
        company = app.test_client()
        submitted = company.post(url, data={"week": "1", "work_done": "상품 촬영", "status": "on_track",
                                            **{f"indicator_{indicator.id}": "0" for indicator in cohort.indicators}})
    with time_machine.travel("2021-05-10 09:00:00+09:00", tick=False):
        staff = client_as(coordinator)
        report = stored_reports(db, first)[0]
        reviewed = staff.post(f"/enrollments/{first.id}/weeks/1/review",
                              data={"comment": "확인", "version": str(report.version)})
        before_deadline = staff.get(f"/cohorts/{cohort.id}").text
    with time_machine.travel("2021-05-17 00:00:00+09:00", tick=False):
        after_deadline = client_as(coordinator).get(f"/cohorts/{cohort.id}").text

    assert submitted.status_code == 200 and reviewed.status_code == 302
    assert stored_reports(db, first)[0].reviewed_by_id == coordinator.id
    assert 'data-state="reviewed" data-week="1"' in before_deadline
    assert 'data-state="not_due" data-week="2"' in before_deadline
    assert after_deadline.count('data-state="overdue" data-week="2"') == 3


def test_the_enrollment_page_issues_as_many_statements_for_many_reports_as_for_one(db, make_cohort,
                                                                                   make_enrollment, coordinator,
                                                                                   client_as, count_queries):
    cohort = make_cohort()
    few, many = make_enrollment(cohort=cohort), make_enrollment(cohort=cohort)
    counts = []
    with time_machine.travel("2021-11-01 12:00:00+09:00", tick=False):
        recorded(db, few, 1, coordinator)
        for week in range(1, 21):
            recorded(db, many, week, coordinator, difficulties=f"애로 {week}")
        client = client_as(coordinator)
        for enrollment_id in (few.id, many.id):
            db.session.remove()  # as on a server: each request starts with an empty session
            with count_queries() as counter:
                assert client.get(f"/enrollments/{enrollment_id}").status_code == 200
            counts.append(counter.count)

    assert counts[0] == counts[1]


def test_the_dashboard_issues_as_many_statements_for_many_late_enrollments_as_for_one(
        db, make_cohort, make_enrollment, make_company, coordinator, client_as, count_queries):
    cohort_id, coordinator_id = make_cohort().id, coordinator.id
    counts = []
    with time_machine.travel("2021-06-30 12:00:00+09:00", tick=False):
        client = client_as(coordinator)

        def add_late_enrollments(count: int) -> None:
            actor, cohort = db.session.get(User, coordinator_id), db.session.get(Cohort, cohort_id)
            for _number in range(count):
                recorded(db, make_enrollment(cohort=cohort, company=make_company(actor=actor)), 1, actor)
            db.session.remove()  # as on a server: each request starts with an empty session

        add_late_enrollments(1)
        with count_queries() as counter:
            client.get("/")
        counts.append(counter.count)
        add_late_enrollments(30)
        with count_queries() as counter:
            page = client.get("/")
        counts.append(counter.count)

    assert counts[0] == counts[1]
    assert page.text.count("미제출: 2, 3, 4, 5, 6, 7, 8주차") == 20  # the dashboard limit


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_the_edit_form_opens_with_the_reports_values_and_version(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    report = progress.submit_report(enrollment, 1, ReportFields(work_done="기존 내역", status=ReportStatus.DELAYED),
                                    {enrollment.cohort.indicators[1].id: 1_200_000}, actor=coordinator)
    db.session.commit()

    page = client_as(coordinator).get(f"/enrollments/{enrollment.id}/weeks/1?edit=1")

    assert page.status_code == 200
    assert "기존 내역" in page.text and 'value="1,200,000"' in page.text
    assert f'name="version" type="hidden" value="{report.version}"' in page.text
    assert '<option selected value="delayed">' in page.text
