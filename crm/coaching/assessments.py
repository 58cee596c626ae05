"""Needs assessments of a company and the coaches matched to them.

Matching: the coaches whose specialties cover the most of the assessed needs come first, then the least
loaded (fewest companies assigned), then by name. Coaches covering none of the needs are still offered,
after all the others (same order by load and name): a coordinator may have reasons of their own, and the
page marks them as not matching.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from crm.auth.models import COORDINATION, Role, User
from crm.coaching.models import NeedsAssessment, Specialty
from crm.coaching.pool import coach_loads, specialty_ids_by_coach
from crm.companies import services as company_services
from crm.companies.models import Company, CompanyCoach
from crm.companies.timeline import TimelineEntry
from crm.core.errors import RuleError
from crm.core.text import blank_to_none
from crm.core.time import SEOUL, as_utc, seoul_today
from crm.extensions import db

TEXT_MAX = 5000


# ── matching (pure) ──────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class CoachMatch:
    coach: object
    covered: frozenset[int]  # the needs this coach's specialties cover
    load: int                # companies assigned to the coach now

    @property
    def overlap(self) -> int:
        return len(self.covered)


def rank_coaches(needs: set[int], candidates: Iterable[tuple[object, set[int], int]]) -> list[CoachMatch]:
    """Coaches ranked for a set of needs (specialty ids): most needs covered first, then the lowest load,
    then by name; those covering no need follow the others in the same order."""
    needs = set(needs)
    matches = [CoachMatch(coach, frozenset(needs & set(specialties)), load)
               for coach, specialties, load in candidates]
    return sorted(matches, key=lambda m: (m.overlap == 0, -m.overlap, m.load, getattr(m.coach, "name", ""),
                                          getattr(m.coach, "id", 0)))


def coach_candidates() -> list[tuple[User, set[int], int]]:
    """Every active coach with their specialty ids and current load, in three statements."""
    coaches = list(db.session.scalars(sa.select(User).where(User.role == Role.COACH, User.active.is_(True))
                                      .order_by(User.name, User.id)))
    ids = [coach.id for coach in coaches]
    specialties = specialty_ids_by_coach(ids)
    loads = coach_loads(ids)
    return [(coach, specialties.get(coach.id, set()), loads.get(coach.id, 0)) for coach in coaches]


def matching_coaches(assessment: NeedsAssessment) -> list[CoachMatch]:
    return rank_coaches({need.id for need in assessment.needs}, coach_candidates())


# ── recording and reading ────────────────────────────────────────────────────────────────────────────────────


def active_specialties() -> list[Specialty]:
    return list(db.session.scalars(sa.select(Specialty).where(Specialty.active.is_(True))
                                   .order_by(Specialty.sort_order, Specialty.name)))


def _clean_text(value: str | None, field: str) -> str | None:
    value = blank_to_none(value)
    if value and len(value) > TEXT_MAX:
        raise RuleError(_("%(n)d자 이하로 입력하세요.", n=TEXT_MAX), field=field)
    return value


def create_assessment(company: Company, *, assessed_on: date | None, need_ids: Iterable[int],
                      problems: str | None, improvements: str | None, actor: User | None) -> NeedsAssessment:
    """Record a needs assessment: dated today or earlier (Seoul), with at least one need from the active
    specialty list."""
    if assessed_on is None:
        raise RuleError(_("파악한 날짜를 입력하세요."), field="assessed_on")
    if assessed_on > seoul_today():
        raise RuleError(_("파악한 날짜는 오늘 이후일 수 없습니다."), field="assessed_on")
    wanted = {int(need_id) for need_id in need_ids or ()}
    if not wanted:
        raise RuleError(_("니즈를 하나 이상 고르세요."), field="needs")
    needs = list(db.session.scalars(sa.select(Specialty).where(Specialty.id.in_(wanted), Specialty.active.is_(True))))
    if len(needs) != len(wanted):
        raise RuleError(_("목록에 없는 분야는 고를 수 없습니다."), field="needs")
    assessment = NeedsAssessment(company_id=company.id, assessed_on=assessed_on, needs=needs,
                                 problems=_clean_text(problems, "problems"),
                                 improvements=_clean_text(improvements, "improvements"),
                                 assessed_by_id=actor.id if actor is not None else None)
    db.session.add(assessment)
    db.session.flush()
    return assessment


def assessment_for(user: User, assessment_id: int) -> NeedsAssessment | None:
    """The assessment if its company is live and the user may see it, else None (the view answers 404)."""
    stmt = (sa.select(NeedsAssessment).join(NeedsAssessment.company)
            .where(NeedsAssessment.id == assessment_id)
            .options(joinedload(NeedsAssessment.company).selectinload(Company.coach_links)
                     .joinedload(CompanyCoach.coach),
                     joinedload(NeedsAssessment.assessed_by), selectinload(NeedsAssessment.needs)))
    return db.session.scalar(company_services.visible_to(stmt, user))


def assessments_of(company: Company) -> list[NeedsAssessment]:
    """A company's assessments, newest first; a company has a handful, so all of them."""
    return list(db.session.scalars(
        sa.select(NeedsAssessment).where(NeedsAssessment.company_id == company.id)
        .options(selectinload(NeedsAssessment.needs), joinedload(NeedsAssessment.assessed_by))
        .order_by(NeedsAssessment.assessed_on.desc(), NeedsAssessment.id.desc())))


def assign_coach(assessment: NeedsAssessment, coach_id: int | None, *, actor: User) -> User:
    """Add a coach to the assessed company's coaches, keeping those already assigned."""
    company = assessment.company
    coach = db.session.get(User, coach_id) if coach_id else None
    if coach is None or coach.role is not Role.COACH or not coach.active:
        raise RuleError(_("배정할 수 있는 코치가 아닙니다."), field="coach_id")
    existing = list(db.session.scalars(sa.select(CompanyCoach.coach_id).where(CompanyCoach.company_id == company.id)))
    if coach.id in existing:
        raise RuleError(_("%(name)s 코치는 이미 배정되어 있습니다.", name=coach.name), field="coach_id")
    company_services.set_coaches(company, [*existing, coach.id], actor=actor)
    return coach


# ── on the company page ──────────────────────────────────────────────────────────────────────────────────────


def company_section(company: Company, user) -> dict:
    """Context of coaching/_company_assessments.html. Whoever sees the company page may add an assessment:
    coordinators and admins, and the coaches assigned to the company."""
    return {"assessments": assessments_of(company),
            "can_add": user.role in COORDINATION or company.visible_to(user)}


def _timeline_at(assessment: NeedsAssessment) -> datetime:
    """When it happened: the moment it was recorded if that was on the assessed day, else that day's start
    (an assessment entered later is placed on its own day)."""
    recorded = as_utc(assessment.created_at)
    if recorded.astimezone(SEOUL).date() == assessment.assessed_on:
        return recorded
    return datetime.combine(assessment.assessed_on, time.min, tzinfo=SEOUL)


def assessment_timeline(company: Company, limit: int) -> list[TimelineEntry]:
    rows = db.session.scalars(
        sa.select(NeedsAssessment).where(NeedsAssessment.company_id == company.id)
        .options(joinedload(NeedsAssessment.assessed_by))
        .order_by(NeedsAssessment.assessed_on.desc(), NeedsAssessment.id.desc()).limit(limit))
    return [TimelineEntry(
        at=_timeline_at(row), kind="assessment", title=_("니즈 파악"), detail=row.problems,
        actor=row.assessed_by.name if row.assessed_by else None,
        url=url_for("assessments.detail", assessment_id=row.id) if has_request_context() else None)
        for row in rows]
