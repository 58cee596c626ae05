"""The enrollment page keeps its reports, charts and difficulties rendered until data changes."""
import time_machine

from crm.programs import progress
from crm.programs.models import ReportStatus
from crm.programs.progress import ReportFields

DURING_WEEK_3 = "2021-05-19 12:00:00+09:00"
THIS_WEEK = "이번 주 보고 보기·입력"


def test_the_page_shows_a_report_recorded_after_it_was_last_shown(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    with time_machine.travel(DURING_WEEK_3, tick=False):
        client = client_as(coordinator)
        before = client.get(f"/enrollments/{enrollment.id}").text
        progress.submit_report(enrollment, 2, ReportFields(work_done="상품 촬영", status=ReportStatus.ON_TRACK,
                                                           difficulties="촬영 장비 부족"), {}, actor=coordinator)
        db.session.commit()
        after = client.get(f"/enrollments/{enrollment.id}").text

    assert "촬영 장비 부족" not in before and 'data-testid="report-row"' not in before
    assert "촬영 장비 부족" in after and after.count('data-testid="report-row"') == 1


def test_a_coach_after_a_coordinator_does_not_get_the_coordinators_link_to_this_weeks_report(
        make_enrollment, make_company, coordinator, coach, client_as):
    enrollment = make_enrollment(company=make_company(coaches=[coach]))
    with time_machine.travel(DURING_WEEK_3, tick=False):
        staff_page = client_as(coordinator).get(f"/enrollments/{enrollment.id}").text
        coach_page = client_as(coach).get(f"/enrollments/{enrollment.id}").text

    assert THIS_WEEK in staff_page
    assert THIS_WEEK not in coach_page


def test_the_current_week_moves_at_seoul_midnight_with_no_data_changed(make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()  # the cohort starts on Monday 2021-05-03: week 3 ends on Sunday the 23rd
    link_to = f'href="/enrollments/{enrollment.id}/weeks/%d">{THIS_WEEK}'
    with time_machine.travel("2021-05-23 23:59:00+09:00", tick=False):
        sunday = client_as(coordinator).get(f"/enrollments/{enrollment.id}").text
    with time_machine.travel("2021-05-24 00:00:01+09:00", tick=False):
        monday = client_as(coordinator).get(f"/enrollments/{enrollment.id}").text

    assert link_to % 3 in sunday
    assert link_to % 4 in monday
