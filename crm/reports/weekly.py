"""The weekly digest (주간 보고): what changed in one ISO week, Monday to Sunday in Seoul, read from the records and,
for campaign results, from the audit log. A fixed number of statements whatever the week holds."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, joinedload

from crm.audit.models import AuditAction, AuditLog
from crm.campaigns.models import Campaign, Metric, Participation, SaleSource
from crm.coaching.models import CoachingSession
from crm.companies.models import Company, ListingChange, Product, ProductListing, StageChange
from crm.core.errors import RuleError
from crm.core.pagination import cached_count
from crm.core.time import SEOUL, as_utc, seoul_today, utcnow
from crm.extensions import db
from crm.programs.models import Cohort, Enrollment, EnrollmentStatus, WeeklyReport

WEEK_PATTERN = re.compile(r"(\d{4})-W(\d{2})")
# Weeks outside these years are typing mistakes, and their neighbours could leave what `date` can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2100
LIST_LIMIT = 20
# The fields of a participation that are campaign results (the rest is status and notes).
SALES_FIELDS = frozenset({"sales_before", "sales_after", "stated_change_rate"})
RESULT_RECORD_TYPES = ("Participation", "Metric", "SaleSource")
RESULT_KIND_LABELS = {"Participation": _l("매출"), "Metric": _l("성과 지표"), "SaleSource": _l("판매처별 매출")}


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def starts_at(self) -> datetime:
        """Monday 00:00 in Seoul, as a UTC instant."""
        return as_utc(datetime.combine(self.monday, time.min, tzinfo=SEOUL))

    @property
    def ends_at(self) -> datetime:
        """The next Monday 00:00 in Seoul (exclusive)."""
        return self.starts_at + timedelta(days=7)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    def shifted(self, weeks: int) -> "IsoWeek | None":
        """The week `weeks` later (earlier when negative), or None outside the years the digest accepts."""
        other = IsoWeek.of(self.monday + timedelta(weeks=weeks))
        return other if FIRST_YEAR <= other.year <= LAST_YEAR else None


def parse_week(value: str | None, today: date | None = None) -> IsoWeek:
    """An ISO week written as 2021-W45; no value is the current week in Seoul. Anything else is refused."""
    if value is None or not value.strip():
        return IsoWeek.of(today or seoul_today())
    match = WEEK_PATTERN.fullmatch(value.strip())
    if not match:
        raise RuleError(_("주는 2021-W45처럼 연도와 주 번호로 입력하세요."), field="week")
    year, week = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RuleError(_("연도는 %(first)d년부터 %(last)d년 사이여야 합니다.", first=FIRST_YEAR, last=LAST_YEAR),
                        field="week")
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise RuleError(_("%(year)d년에는 %(week)d주차가 없습니다.", year=year, week=week), field="week") from None
    return IsoWeek(year, week)


@dataclass
class Section:
    """How many records a part of the digest counts and the first LIST_LIMIT of them."""

    count: int
    items: list

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def _section(stmt: sa.Select) -> Section:
    count = cached_count(stmt)
    items = list(db.session.scalars(stmt.limit(LIST_LIMIT))) if count else []
    return Section(count, items)


def _sourced_companies(week: IsoWeek) -> Section:
    """Companies discovered in the week; one without a discovery date counts in the week it was entered."""
    created_in_week = sa.and_(Company.discovered_on.is_(None),
                              Company.created_at >= week.starts_at, Company.created_at < week.ends_at)
    return _section(sa.select(Company)
                    .where(sa.or_(Company.discovered_on.between(week.monday, week.sunday), created_in_week))
                    .options(joinedload(Company.coordinator))
                    .order_by(Company.discovered_on.nulls_last(), Company.created_at, Company.id))


def _stage_moves(week: IsoWeek) -> Section:
    """Moves of live companies; the row written when a company is entered (no from-stage) counts as sourcing."""
    return _section(sa.select(StageChange).join(StageChange.company)
                    .where(StageChange.at >= week.starts_at, StageChange.at < week.ends_at,
                           StageChange.from_stage.is_not(None))
                    .options(contains_eager(StageChange.company), joinedload(StageChange.by))
                    .order_by(StageChange.at, StageChange.id))


def _listing_moves(week: IsoWeek) -> Section:
    return _section(sa.select(ListingChange).join(ListingChange.listing).join(ProductListing.product)
                    .join(Product.company)
                    .where(ListingChange.at >= week.starts_at, ListingChange.at < week.ends_at)
                    .options(contains_eager(ListingChange.listing).contains_eager(ProductListing.product)
                             .contains_eager(Product.company),
                             contains_eager(ListingChange.listing).joinedload(ProductListing.store),
                             joinedload(ListingChange.by))
                    .order_by(ListingChange.at, ListingChange.id))


def _sessions_held(week: IsoWeek) -> Section:
    return _section(sa.select(CoachingSession).join(CoachingSession.company)
                    .where(CoachingSession.held_on.between(week.monday, week.sunday))
                    .options(contains_eager(CoachingSession.company), joinedload(CoachingSession.coach))
                    .order_by(CoachingSession.held_on, CoachingSession.id))


def _reports_submitted(week: IsoWeek) -> Section:
    return _section(sa.select(WeeklyReport).join(WeeklyReport.enrollment).join(Enrollment.company)
                    .join(Enrollment.cohort)
                    .where(WeeklyReport.submitted_at >= week.starts_at, WeeklyReport.submitted_at < week.ends_at)
                    .options(contains_eager(WeeklyReport.enrollment).contains_eager(Enrollment.company),
                             contains_eager(WeeklyReport.enrollment).contains_eager(Enrollment.cohort))
                    .order_by(WeeklyReport.submitted_at, WeeklyReport.id))


@dataclass
class MissingReports(Section):
    """Active enrollments without the report of the cohort week that comes due in the digest week."""

    due_weeks: dict[int, int] = field(default_factory=dict)  # cohort id -> its week due in the digest week
    now: datetime | None = None

    def week_for(self, enrollment: Enrollment) -> int:
        return self.due_weeks[enrollment.cohort_id]

    def is_overdue(self, enrollment: Enrollment) -> bool:
        return self.now >= enrollment.cohort.week_due_at(self.week_for(enrollment))


def _due_weeks(week: IsoWeek) -> dict[int, int]:
    """{cohort id: the cohort week whose last day falls in the digest week}; weeks are seven days, so each
    cohort running then has exactly one."""
    cohorts = db.session.scalars(sa.select(Cohort).where(Cohort.start_on <= week.monday))
    due = {}
    for cohort in cohorts:
        number = ((week.sunday - cohort.start_on).days + 1) // 7
        if 1 <= number <= cohort.weeks:
            due[cohort.id] = number
    return due


def _missing_reports(week: IsoWeek, now: datetime) -> MissingReports:
    due = _due_weeks(week)
    if not due:
        return MissingReports(0, [], due, now)
    due_week = sa.case(due, value=Enrollment.cohort_id)
    has_report = (sa.select(WeeklyReport.id)
                  .where(WeeklyReport.enrollment_id == Enrollment.id, WeeklyReport.week == due_week).exists())
    section = _section(sa.select(Enrollment).join(Enrollment.company).join(Enrollment.cohort)
                       .where(Enrollment.cohort_id.in_(due), Enrollment.status == EnrollmentStatus.ACTIVE,
                              ~has_report)
                       .options(contains_eager(Enrollment.company), contains_eager(Enrollment.cohort))
                       .order_by(Cohort.start_on, Cohort.id, Company.name, Enrollment.id))
    return MissingReports(section.count, section.items, due, now)


@dataclass
class CampaignResult:
    """Campaign results entered in the week for one company in one campaign."""

    participation: Participation
    changes: int = 0
    kinds: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    last_at: datetime | None = None


def _is_result(entry: AuditLog) -> bool:
    """Every change of a metric or a sale source; of a participation, only one that enters its sales."""
    if entry.record_type != "Participation":
        return True
    changes = entry.changes or {}
    if entry.action == AuditAction.INSERT:
        return any(changes.get(key) is not None for key in SALES_FIELDS)
    return entry.action == AuditAction.UPDATE and not SALES_FIELDS.isdisjoint(changes)


def _participation_ids(entries: list[AuditLog]) -> dict[int, int]:
    """{audit row id: participation id}. Inserts and deletes carry it in their snapshot; for an update the
    metric or sale source is looked up (one statement per type)."""
    found = {}
    lookups = defaultdict(dict)  # model -> {record id: [audit row ids]}
    for entry in entries:
        if entry.record_type == "Participation":
            found[entry.id] = int(entry.record_id)
        elif entry.action in (AuditAction.INSERT, AuditAction.DELETE):
            found[entry.id] = int((entry.changes or {})["participation_id"])
        else:
            model = Metric if entry.record_type == "Metric" else SaleSource
            lookups[model].setdefault(int(entry.record_id), []).append(entry.id)
    for model, wanted in lookups.items():
        for record_id, participation_id in db.session.execute(
                sa.select(model.id, model.participation_id).where(model.id.in_(wanted))):
            for entry_id in wanted[record_id]:
                found[entry_id] = participation_id
    return found


def _campaign_results(week: IsoWeek) -> Section:
    """Results entered in the week, one row per company and campaign, latest first (up to four statements)."""
    entries = [entry for entry in db.session.scalars(
        sa.select(AuditLog).where(AuditLog.record_type.in_(RESULT_RECORD_TYPES),
                                  AuditLog.at >= week.starts_at, AuditLog.at < week.ends_at)
        .order_by(AuditLog.at, AuditLog.id)) if _is_result(entry)]
    participation_of = _participation_ids(entries)
    participations = {}
    if participation_of:
        participations = {participation.id: participation for participation in db.session.scalars(
            sa.select(Participation).join(Participation.campaign).join(Participation.company)
            .where(Participation.id.in_(set(participation_of.values())))
            .options(contains_eager(Participation.campaign).joinedload(Campaign.channel),
                     contains_eager(Participation.company)))}
    results: dict[int, CampaignResult] = {}
    for entry in entries:
        participation = participations.get(participation_of.get(entry.id))
        if participation is None:  # its campaign or company has since been deleted
            continue
        result = results.setdefault(participation.id, CampaignResult(participation))
        result.changes += 1
        result.kinds.add(str(RESULT_KIND_LABELS[entry.record_type]))
        result.actors.add(entry.actor_label)
        result.last_at = as_utc(entry.at)
    ordered = sorted(results.values(), key=lambda result: result.last_at, reverse=True)
    return Section(len(ordered), ordered[:LIST_LIMIT])


@dataclass
class WeeklyDigest:
    week: IsoWeek
    previous: IsoWeek | None
    next: IsoWeek | None
    sourced: Section
    stage_moves: Section
    listing_moves: Section
    sessions: Section
    reports_submitted: Section
    reports_missing: MissingReports
    campaign_results: Section


def weekly_digest(week: IsoWeek, now: datetime | None = None) -> WeeklyDigest:
    now = now or utcnow()
    return WeeklyDigest(week=week, previous=week.shifted(-1), next=week.shifted(1),
                        sourced=_sourced_companies(week), stage_moves=_stage_moves(week),
                        listing_moves=_listing_moves(week), sessions=_sessions_held(week),
                        reports_submitted=_reports_submitted(week), reports_missing=_missing_reports(week, now),
                        campaign_results=_campaign_results(week))
