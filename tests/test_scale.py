"""`flask demo scale`: exact counts at small sizes, the same records for the same seed, the services' invariants,
and the app's pages working on what it generates (both databases, as the suite runs)."""
from datetime import UTC, date, datetime, timedelta
from itertools import groupby

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.auth.models import Role, User
from crm.campaigns.models import Campaign, Participation
from crm.coaching.models import ActionItem, CoachingSession, NeedsAssessment
from crm.companies.models import (
    Certification,
    CertificationKind,
    Company,
    CompanyAlias,
    CompanyCoach,
    Product,
    StageChange,
)
from crm.companies.pipeline import NOTE_REQUIRED, Move, Stage, move_kind
from crm.companies.rules import business_number_is_valid, name_key
from crm.companies.services import check_certification
from crm.programs.models import Cohort, Enrollment, IndicatorValue, Program, WeeklyReport
from crm.scale import PASSWORD, ScaleRefused, Sizes, generate
from crm.scale.generate import with_check_digit
from tests.companies.test_funnel import columns_from_the_history, kept_columns
from tests.conftest import log_in

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
SMALL = Sizes(companies=60, long_histories=2, products=90, programs=2, cohorts=3, enrollments_per_cohort=5,
              weeks=6, coaching_sessions=40, needs_assessments=10, campaigns=4, participations=45,
              largest_campaign=20, audit_rows=300, coordinators=3, coaches=4)


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model.__table__))  # soft-deleted rows too


def _names(db) -> dict[str, list[str]]:
    return {model.__name__: list(db.session.scalars(sa.select(model.name).order_by(model.id)))
            for model in (Company, CompanyAlias, Product, Program, Cohort, Campaign, User)}


def test_small_sizes_generate_exactly_the_counts_asked_for(db):
    audit_rows_before = _count(db, AuditLog)

    result = generate(SMALL, seed=7, now=NOW)

    assert {model: _count(db, model) for model in (Company, Product, Program, Cohort, Enrollment, WeeklyReport,
                                                  CoachingSession, NeedsAssessment, Campaign, Participation)} == {
        Company: 60, Product: 90, Program: 2, Cohort: 3, Enrollment: 15, WeeklyReport: 90, CoachingSession: 40,
        NeedsAssessment: 10, Campaign: 4, Participation: 45}
    assert _count(db, AuditLog) - audit_rows_before == 300
    assert _count(db, IndicatorValue) == 90 * 3
    assert dict(db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all()) == {
        Role.ADMIN: 1, Role.COORDINATOR: 3, Role.COACH: 4}
    largest = db.session.scalar(sa.select(sa.func.count()).where(
        Participation.campaign_id == result.largest_campaign_id))
    assert largest == 20
    assert result.counts["companies"] == 60 and len(result.long_history_company_ids) == 2


def test_the_same_seed_gives_the_same_records_and_another_seed_other_ones(db):
    generate(SMALL, seed=3, now=NOW)
    first = _names(db)

    generate(SMALL, seed=3, reset=True, now=NOW)
    again = _names(db)
    generate(SMALL, seed=4, reset=True, now=NOW)
    other = _names(db)

    assert again == first
    assert other["Company"] != first["Company"]
    assert all(name.startswith("합성기업 ") for name in first["Company"])
    assert all("합성" in name for names in first.values() for name in names)


def test_a_database_that_holds_companies_is_refused_unless_reset(db, make_company):
    make_company("진짜기업")

    with pytest.raises(ScaleRefused):
        generate(SMALL, seed=1, now=NOW)
    db.session.rollback()

    assert list(db.session.scalars(sa.select(Company.name))) == ["진짜기업"]
    generate(SMALL, seed=1, reset=True, now=NOW)
    assert _count(db, Company) == 60
    assert db.session.scalar(sa.select(Company.id).where(Company.name == "진짜기업")) is None


def test_generated_records_keep_the_rules_the_services_keep(db):
    generate(SMALL, seed=5, now=NOW)
    today = NOW.date()

    changes = db.session.scalars(sa.select(StageChange).order_by(StageChange.company_id, StageChange.at,
                                                                 StageChange.id))
    companies = {company.id: company for company in db.session.scalars(sa.select(Company))}
    for company_id, history in groupby(changes, key=lambda change: change.company_id):
        history = list(history)
        company = companies[company_id]
        assert history[0].from_stage is None
        held_from = None
        for previous, change in zip(history, history[1:], strict=False):
            kind = move_kind(previous.to_stage, change.to_stage, held_from)
            assert change.from_stage is previous.to_stage and kind is not None
            assert change.is_skip is (kind is Move.SKIP)
            assert (kind not in NOTE_REQUIRED) or change.note
            held_from = previous.to_stage if kind is Move.HOLD else None
        assert company.stage is history[-1].to_stage
        assert company.stage_since == history[-1].at
        assert company.held_from is (held_from if company.stage is Stage.ON_HOLD else None)
        assert company.version == len(history)
        assert kept_columns(company_id, db) == columns_from_the_history(company_id, db)
    assert len(companies) == 60
    assert max(len(list(h)) for _id, h in groupby(db.session.scalars(
        sa.select(StageChange.company_id).order_by(StageChange.company_id)))) > 100

    assert all(company.name_key == name_key(company.name) for company in companies.values())
    assert all(alias.name_key == name_key(alias.name) != alias.company.name_key
               for alias in db.session.scalars(sa.select(CompanyAlias)))
    numbers = [company.business_number for company in companies.values() if company.business_number]
    assert numbers and all(business_number_is_valid(number) for number in numbers)
    assert len(set(numbers)) == len(numbers)
    for certification in db.session.scalars(sa.select(Certification)):
        check_certification(certification.kind, certification.valid_from, certification.valid_to)
        assert certification.kind is not CertificationKind.OTHER

    assigned = set(db.session.execute(sa.select(CompanyCoach.company_id, CompanyCoach.coach_id)).tuples())
    sessions = list(db.session.scalars(sa.select(CoachingSession)))
    assert all((session.company_id, session.coach_id) in assigned for session in sessions)
    assert all(item.company_id == item.session.company_id for item in db.session.scalars(sa.select(ActionItem)))
    assert all(session.held_on <= today for session in sessions)

    for cohort in db.session.scalars(sa.select(Cohort)):
        assert cohort.end_on < today
        assert [(s.first_week, s.last_week) for s in cohort.stages][0][0] == 1
        assert cohort.stages[-1].last_week == cohort.weeks
        for enrollment in cohort.enrollments:
            assert [report.week for report in enrollment.reports] == list(range(1, cohort.weeks + 1))
            assert all(report.submitted_at <= NOW for report in enrollment.reports)
    assert db.session.scalar(sa.select(sa.func.max(AuditLog.at)).where(AuditLog.actor_label != "system")) <= NOW


def test_a_scaled_size_keeps_the_shapes_and_impossible_sizes_are_named():
    small = Sizes.scaled(0.01)

    assert (small.companies, small.products, small.audit_rows, small.campaigns) == (300, 1000, 10_000, 5)
    assert (small.enrollments_per_cohort, small.weeks, small.largest_campaign) == (25, 26, 100)
    assert Sizes.scaled(0.001).largest_campaign == 25
    assert Sizes.scaled(0.01, companies=50).companies == 50
    assert Sizes(companies=3, enrollments_per_cohort=5).problems()
    assert not Sizes().problems() and not Sizes.scaled(0.001).problems()


def test_business_numbers_get_the_national_tax_service_check_digit():
    assert business_number_is_valid(with_check_digit("123456789"))
    assert with_check_digit("220812345")[:9] == "220812345"


def test_the_command_prints_the_logins_the_password_and_the_time_and_refuses_a_second_run(app, db):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "scale", "--factor", "0.001", "--audit-rows", "50", "--seed", "2"])
    second = runner.invoke(args=["demo", "scale", "--factor", "0.001"])

    assert first.exit_code == 0, first.output
    assert PASSWORD in first.output and "scale-admin" in first.output and "초" in first.output
    assert "scale-coach-01" in first.output
    assert _count(db, Company) == 30
    assert second.exit_code != 0 and "--reset" in second.output
    assert runner.invoke(args=["demo", "scale", "--factor", "0.001", "--reset"]).exit_code == 0
    impossible = runner.invoke(args=["demo", "scale", "--factor", "0.001", "--companies", "3", "--reset"])
    assert impossible.exit_code == 2 and "한 과정에 한 번" in impossible.output


def _client_as(app, login_id: str):
    client = app.test_client()
    assert log_in(client, login_id, PASSWORD).status_code == 302
    return client


def test_the_pages_work_on_generated_data_and_a_coach_sees_only_assigned_companies(app, db):
    result = generate(SMALL, seed=9)
    long_history = result.long_history_company_ids[0]
    cohort = result.cohort_ids[0]
    enrollment = db.session.scalar(sa.select(Enrollment.id).where(Enrollment.cohort_id == cohort).limit(1))
    session_id = db.session.scalar(sa.select(CoachingSession.id).limit(1))
    admin = _client_as(app, "scale-admin")
    coordinator = _client_as(app, "scale-coordinator-01")

    for url in ("/", "/companies/", "/companies/?q=합성기업", "/companies/?page=2", f"/companies/{long_history}",
                "/pipeline/", f"/cohorts/{cohort}", f"/enrollments/{enrollment}", "/coaching/",
                f"/coaching/sessions/{session_id}", "/campaigns/", f"/campaigns/{result.largest_campaign_id}",
                "/admin/audit/", "/admin/audit/?record_type=Company", f"/reports/?year={date.today().year}",
                "/actions/", "/coaches/"):
        assert admin.get(url).status_code == 200, url
    for url in ("/", "/companies/", f"/companies/{long_history}", f"/cohorts/{cohort}", "/reports/weekly"):
        assert coordinator.get(url).status_code == 200, url

    coach_id, login_id = db.session.execute(sa.select(User.id, User.login_id).where(User.role == Role.COACH)
                                            .order_by(User.id).limit(1)).one()
    assigned = set(db.session.scalars(sa.select(CompanyCoach.company_id).where(CompanyCoach.coach_id == coach_id)))
    other = db.session.scalar(sa.select(Company.id).where(Company.id.not_in(assigned)).limit(1))
    coach = _client_as(app, login_id)
    assert assigned
    assert coach.get("/").status_code == 200
    assert coach.get(f"/companies/{min(assigned)}").status_code == 200
    assert coach.get(f"/companies/{other}").status_code == 404
    assert coach.get("/coaching/").status_code == 200


def test_generated_dates_are_reckoned_back_from_now(db):
    generate(SMALL, seed=1, now=NOW)

    oldest = db.session.scalar(sa.select(sa.func.min(Company.created_at)))
    assert NOW - timedelta(days=4 * 365 + 1) <= oldest < NOW
