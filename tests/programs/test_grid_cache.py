"""The cohort grid is kept rendered until data changes: what changes it must show at once."""
import time_machine

from crm.programs import progress
from crm.programs.models import ReportStatus
from crm.programs.progress import ReportFields

DURING_WEEK_3 = "2021-05-19 12:00:00+09:00"


def test_the_grid_shows_a_report_recorded_after_it_was_last_shown(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    with time_machine.travel(DURING_WEEK_3, tick=False):
        client = client_as(coordinator)
        before = client.get(f"/cohorts/{enrollment.cohort_id}").text
        progress.submit_report(enrollment, 1, ReportFields(work_done="상품 촬영", status=ReportStatus.ON_TRACK), {},
                               actor=coordinator)
        db.session.commit()
        after = client.get(f"/cohorts/{enrollment.cohort_id}").text

    assert 'data-state="overdue" data-week="1"' in before
    assert 'data-state="submitted" data-week="1"' in after


def test_the_grid_moves_to_the_next_week_at_seoul_midnight_with_no_data_changed(make_enrollment, coordinator,
                                                                                client_as):
    enrollment = make_enrollment()  # the cohort starts on Monday 2021-05-03: week 3 ends on Sunday the 23rd
    with time_machine.travel("2021-05-23 23:59:00+09:00", tick=False):
        client = client_as(coordinator)
        sunday = client.get(f"/cohorts/{enrollment.cohort_id}").text
    with time_machine.travel("2021-05-24 00:00:01+09:00", tick=False):
        monday = client.get(f"/cohorts/{enrollment.cohort_id}").text

    assert 'data-state="not_due" data-week="3"' in sunday and 'aria-current="date">3<' in sunday
    assert 'data-state="overdue" data-week="3"' in monday and 'aria-current="date">4<' in monday
