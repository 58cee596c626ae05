"""The demo's weekly reports: a few, each marked (예시), loaded once however often run, and no submission link."""
import sqlalchemy as sa

from crm.demo import load_demo
from crm.programs.models import SubmissionLink, WeeklyReport


def test_the_demo_weekly_reports_are_marked_as_examples_and_come_without_a_link(db):
    load_demo()
    db.session.commit()

    reports = list(db.session.scalars(sa.select(WeeklyReport)))
    assert 3 <= len(reports) <= 10
    assert all(report.work_done.startswith("(예시)") for report in reports)
    assert all(report.difficulties.startswith("(예시)") for report in reports if report.difficulties)
    assert any(report.reviewed_at is None for report in reports)  # the dashboard has something to review
    assert db.session.scalar(sa.select(sa.func.count(SubmissionLink.id))) == 0


def test_loading_the_demo_twice_adds_no_weekly_report(db):
    load_demo()
    db.session.commit()
    first = db.session.scalar(sa.select(sa.func.count(WeeklyReport.id)))

    load_demo()
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == first
