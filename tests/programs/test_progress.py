"""Weekly reports as services: the week and its deadline in Seoul, the state of a grid cell, what a submission,
an edit, a review and a comment refuse, the grid's cumulative progress and the dashboard's lists."""
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from crm.auth.models import Role
from crm.core.errors import RuleError, StaleEditError
from crm.programs import progress
from crm.programs.models import EnrollmentStatus, IndicatorValue, ReportComment, ReportStatus, WeeklyReport
from crm.programs.progress import CellState, ReportFields

# The default test cohort starts on Monday 2021-05-03: week 1 runs to Sunday 2021-05-09 and is due at its end.
DURING_WEEK_3 = "2021-05-19 12:00:00+09:00"


def fields(**overrides) -> ReportFields:
    values = {"work_done": "라이브커머스 1회 진행", "status": ReportStatus.ON_TRACK, "next_plan": "상세페이지 개선",
              "difficulties": None}
    values.update(overrides)
    return ReportFields(**values)


def values_for(cohort, *amounts) -> dict:
    return {indicator.id: amount for indicator, amount in zip(cohort.indicators, amounts, strict=True)}


def submit(enrollment, week, actor, *amounts, **overrides) -> WeeklyReport:
    amounts = amounts or (0,) * len(enrollment.cohort.indicators)
    report = progress.submit_report(enrollment, week, fields(**overrides), values_for(enrollment.cohort, *amounts),
                                    actor=actor)
    progress.db.session.commit()
    return report


def reports_in_db(db, enrollment) -> list[WeeklyReport]:
    return list(db.session.scalars(sa.select(WeeklyReport).where(WeeklyReport.enrollment_id == enrollment.id)))


# --- the week and its deadline -------------------------------------------------------------------------------

def test_week_one_is_not_overdue_at_the_last_minute_of_its_last_seoul_day(make_cohort):
    cohort = make_cohort(start_on=date(2021, 5, 3))

    with time_machine.travel(datetime.fromisoformat("2021-05-09 23:59:59+09:00"), tick=False):
        state = progress.cell_state(cohort, 1, None)

    assert state is CellState.NOT_DUE


def test_week_one_is_overdue_from_midnight_seoul_after_its_last_day(make_cohort):
    cohort = make_cohort(start_on=date(2021, 5, 3))

    with time_machine.travel(datetime.fromisoformat("2021-05-10 00:00:00+09:00"), tick=False):
        state = progress.cell_state(cohort, 1, None)

    assert state is CellState.OVERDUE
    assert cohort.week_due_at(1) == datetime(2021, 5, 9, 15, 0, tzinfo=UTC)


def test_the_current_week_follows_the_seoul_day_not_the_utc_one(make_cohort):
    cohort = make_cohort(start_on=date(2021, 5, 3))

    # 2021-05-09 16:00 UTC is already Monday 05-10 01:00 in Seoul: week 2.
    assert progress.current_week(cohort, datetime(2021, 5, 9, 16, 0, tzinfo=UTC)) == 2
    assert progress.current_week(cohort, datetime(2021, 5, 2, 14, 59, tzinfo=UTC)) is None


def test_a_submitted_report_shows_as_submitted_and_once_reviewed_as_reviewed(make_enrollment, coordinator):
    enrollment = make_enrollment()
    with time_machine.travel(DURING_WEEK_3, tick=False):
        report = submit(enrollment, 1, coordinator)
        submitted = progress.cell_state(enrollment.cohort, 1, report)
        progress.review_report(report, "좋습니다", actor=coordinator)
        reviewed = progress.cell_state(enrollment.cohort, 1, report)

    assert (submitted, reviewed) == (CellState.SUBMITTED, CellState.REVIEWED)


# --- submitting -------------------------------------------------------------------------------------------------

@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coordinator_records_a_report_with_its_values_and_as_its_submitter(db, make_enrollment, coordinator):
    enrollment = make_enrollment()

    submit(enrollment, 2, coordinator, 1, 250_000)

    [report] = reports_in_db(db, enrollment)
    assert (report.week, report.submitted_by_id, report.submitted_via_link_id) == (2, coordinator.id, None)
    assert sorted(value.value for value in report.values) == [1, 250_000]


@pytest.mark.parametrize("week", [0, 27, -1])
@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_week_outside_the_cohort_is_refused(db, make_enrollment, coordinator, week):
    enrollment = make_enrollment()

    with pytest.raises(RuleError) as refused:
        progress.submit_report(enrollment, week, fields(), {}, actor=coordinator)

    assert refused.value.field == "week"
    assert reports_in_db(db, enrollment) == []


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_report_for_a_week_that_has_not_begun_is_refused(db, make_enrollment, coordinator):
    enrollment = make_enrollment()

    with pytest.raises(RuleError, match="아직 시작되지 않았습니다"):
        progress.submit_report(enrollment, 4, fields(), {}, actor=coordinator)


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_second_report_for_the_same_week_is_refused(db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    submit(enrollment, 1, coordinator)

    with pytest.raises(RuleError, match="1주차 보고는 이미 제출되었습니다"):
        progress.submit_report(enrollment, 1, fields(), {}, actor=coordinator)

    db.session.rollback()
    assert len(reports_in_db(db, enrollment)) == 1


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_report_saved_for_the_same_week_in_the_meantime_is_refused_as_a_duplicate(db, make_enrollment,
                                                                                     coordinator, monkeypatch):
    enrollment = make_enrollment()
    submit(enrollment, 1, coordinator)
    # Another request saved week 1 between this one's check and its insert: the unique constraint decides.
    monkeypatch.setattr(progress, "_week_taken", lambda enrollment, week: False)

    with pytest.raises(RuleError, match="이미 제출되었습니다"):
        progress.submit_report(enrollment, 1, fields(), {}, actor=coordinator)

    db.session.rollback()
    assert len(reports_in_db(db, enrollment)) == 1


@pytest.mark.parametrize("value, message", [(-5, "0 이상"), ("-5", "0 이상"), ("1.5", "정수"), ("열", "정수"),
                                            (10**13, "너무 큽니다")])
@time_machine.travel(DURING_WEEK_3, tick=False)
def test_an_indicator_value_that_is_not_a_whole_number_from_zero_is_refused(db, make_enrollment, coordinator,
                                                                           value, message):
    enrollment = make_enrollment()

    with pytest.raises(RuleError, match=message) as refused:
        progress.submit_report(enrollment, 1, fields(), values_for(enrollment.cohort, value, 0), actor=coordinator)

    assert refused.value.field == f"indicator_{enrollment.cohort.indicators[0].id}"
    db.session.rollback()
    assert reports_in_db(db, enrollment) == []


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_values_typed_with_thousands_separators_are_accepted(db, make_enrollment, coordinator):
    enrollment = make_enrollment()

    submit(enrollment, 1, coordinator, "2", "1,250,000")

    assert db.session.scalar(sa.select(sa.func.sum(IndicatorValue.value))) == 1_250_002


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_value_for_an_indicator_of_another_cohort_is_refused(db, make_enrollment, make_cohort, coordinator):
    enrollment = make_enrollment()
    other = make_cohort("다른 기수")

    with pytest.raises(RuleError, match="성과 지표가 아닙니다"):
        progress.submit_report(enrollment, 1, fields(), {other.indicators[0].id: 1}, actor=coordinator)


@pytest.mark.parametrize("overrides, field", [({"work_done": "  "}, "work_done"), ({"status": "great"}, "status")])
@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_report_without_work_done_or_with_an_unknown_status_is_refused(db, make_enrollment, coordinator,
                                                                        overrides, field):
    enrollment = make_enrollment()

    with pytest.raises(RuleError) as refused:
        progress.submit_report(enrollment, 1, fields(**overrides), {}, actor=coordinator)

    assert refused.value.field == field


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coach_cannot_record_a_report(db, make_enrollment, make_company, coach):
    enrollment = make_enrollment(company=make_company(coaches=[coach]))

    with pytest.raises(RuleError):
        progress.submit_report(enrollment, 1, fields(), {}, actor=coach)


# --- editing, reviewing, commenting ---------------------------------------------------------------------------

@time_machine.travel(DURING_WEEK_3, tick=False)
def test_an_edit_keeps_the_review_and_changes_the_values(db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    report = submit(enrollment, 1, coordinator, 1, 100)
    progress.review_report(report, "확인", actor=coordinator)
    db.session.commit()

    progress.update_report(report, fields(work_done="정정한 내역"), values_for(enrollment.cohort, 2, 100),
                           version=report.version, actor=coordinator)
    db.session.commit()

    db.session.expire_all()
    [stored] = reports_in_db(db, enrollment)
    assert stored.work_done == "정정한 내역"
    assert stored.reviewed_at is not None and stored.review_comment == "확인"
    assert sorted(value.value for value in stored.values) == [2, 100]


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_an_edit_opened_on_an_older_version_is_refused(db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    report = submit(enrollment, 1, coordinator)
    opened_on = report.version
    progress.update_report(report, fields(work_done="먼저 저장"), {}, version=opened_on, actor=coordinator)
    db.session.commit()

    with pytest.raises(StaleEditError):
        progress.update_report(report, fields(work_done="나중 저장"), {}, version=opened_on, actor=coordinator)


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coach_may_comment_on_an_assigned_company_but_not_edit_or_review(db, make_enrollment, make_company,
                                                                           coordinator, coach):
    enrollment = make_enrollment(company=make_company(coaches=[coach]))
    report = submit(enrollment, 1, coordinator)

    progress.add_comment(report, "다음 주에 통화해요", actor=coach)
    db.session.commit()
    with pytest.raises(RuleError):
        progress.update_report(report, fields(), {}, version=report.version, actor=coach)
    with pytest.raises(RuleError):
        progress.review_report(report, "검토", actor=coach)

    assert db.session.scalar(sa.select(ReportComment.body)) == "다음 주에 통화해요"


@time_machine.travel(DURING_WEEK_3, tick=False)
def test_a_coach_of_another_company_cannot_comment(db, make_enrollment, make_user, coordinator):
    enrollment = make_enrollment()
    report = submit(enrollment, 1, coordinator)
    stranger = make_user(Role.COACH)

    with pytest.raises(RuleError):
        progress.add_comment(report, "의견", actor=stranger)


# --- the grid ----------------------------------------------------------------------------------------------------

def test_the_grid_compares_cumulative_values_with_the_target_of_the_current_stage(db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    with time_machine.travel("2021-06-09 12:00:00+09:00", tick=False):  # week 6: stage 실행, targets 3 and 5,000,000
        submit(enrollment, 1, coordinator, 1, 1_000_000)
        submit(enrollment, 5, coordinator, 1, 1_500_000)
        grid = progress.cohort_grid(progress.cohort_for_grid(enrollment.cohort_id))

    [row] = grid.rows
    assert (grid.current_week, grid.reference_stage.name) == (6, "실행")
    assert [(item.cumulative, item.target, item.percent) for item in row.progress] == [
        (2, 3, 66), (2_500_000, 5_000_000, 50)]
    states = {cell.week: cell.state for cell in row.cells}
    assert states[1] is CellState.SUBMITTED and states[2] is CellState.OVERDUE and states[6] is CellState.NOT_DUE
    assert [cell.week for cell in row.cells if cell.is_current] == [6]


def test_after_the_last_week_the_grid_measures_against_the_last_stage(db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    with time_machine.travel("2021-05-05 12:00:00+09:00", tick=False):
        submit(enrollment, 1, coordinator, 6, 0)

    with time_machine.travel("2022-01-01 12:00:00+09:00", tick=False):
        grid = progress.cohort_grid(progress.cohort_for_grid(enrollment.cohort_id))

    assert (grid.current_week, grid.reference_week, grid.reference_stage.name) == (None, 26, "확산")
    assert grid.rows[0].progress[0].percent == 120


def _cohort_with_enrollments(make_cohort, make_enrollment, count: int):
    cohort = make_cohort()
    for number in range(count):
        make_enrollment(cohort=cohort, project_title=f"프로젝트 {number}")
    return cohort


def test_the_grid_needs_as_many_statements_for_fifty_enrollments_as_for_two(db, make_cohort, make_enrollment,
                                                                            count_queries, coordinator):
    small = _cohort_with_enrollments(make_cohort, make_enrollment, 2)
    large = _cohort_with_enrollments(make_cohort, make_enrollment, 50)
    with time_machine.travel("2021-11-01 12:00:00+09:00", tick=False):
        for enrollment in large.enrollments[:10] + small.enrollments[:1]:
            for week in (1, 2, 3):
                submit(enrollment, week, coordinator, 1, 1000)
        db.session.expire_all()

        counts = []
        for cohort_id in (small.id, large.id):
            with count_queries() as counter:
                grid = progress.cohort_grid(progress.cohort_for_grid(cohort_id))
                [row.enrollment.company.name for row in grid.rows]
            counts.append(counter.count)

    assert len(grid.rows) == 50 and len(grid.rows[0].cells) == 26
    assert counts[0] == counts[1]


# --- the dashboard -----------------------------------------------------------------------------------------------

def test_the_dashboard_lists_missing_past_weeks_of_active_enrollments_only(db, make_enrollment, make_cohort,
                                                                           coordinator):
    cohort = make_cohort()
    late = make_enrollment(cohort=cohort)
    dropped = make_enrollment(cohort=cohort, status=EnrollmentStatus.DROPPED)
    with time_machine.travel(DURING_WEEK_3, tick=False):
        submit(late, 1, coordinator)
        overdue, enrollment_count, report_count = progress.overdue_reports()

    assert [(item.enrollment.id, item.weeks) for item in overdue] == [(late.id, [2])]
    assert (enrollment_count, report_count) == (1, 1)
    assert dropped.id not in {item.enrollment.id for item in overdue}


def test_a_cohort_over_for_more_than_four_weeks_no_longer_fills_the_dashboard(db, make_enrollment):
    make_enrollment()

    with time_machine.travel("2022-03-01 12:00:00+09:00", tick=False):
        overdue, enrollment_count, _reports = progress.overdue_reports()

    assert (overdue, enrollment_count) == ([], 0)


def test_reports_waiting_for_review_are_listed_longest_waiting_first(db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    with time_machine.travel(DURING_WEEK_3, tick=False):
        first = submit(enrollment, 1, coordinator)
    with time_machine.travel("2021-05-20 12:00:00+09:00", tick=False):
        second = submit(enrollment, 2, coordinator)
        reviewed = submit(enrollment, 3, coordinator)
        progress.review_report(reviewed, None, actor=coordinator)
        db.session.commit()

    waiting, count = progress.waiting_for_review()

    assert [report.id for report in waiting] == [first.id, second.id]
    assert count == 2
