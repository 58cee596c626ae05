"""Weekly reports of enrollments: the state of each week, the cohort grid, submitting, editing, reviewing and
commenting, and what the dashboard and the company page show of them.

Week n of a cohort runs from start + 7(n−1) to start + 7n − 1 days inclusive (Asia/Seoul); its report is due at
the end of that last day, and one not in by then is overdue. Every state is computed from `utcnow()`.

A staff edit of a report after its review keeps the review: staff correct a report on the company's behalf, the
reviewer has read it, and the audit log keeps what changed and who changed it.
"""
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from crm.auth.models import COORDINATION, Role, User
from crm.companies import timeline
from crm.companies.models import Company
from crm.companies.services import visible_to
from crm.core.errors import RuleError, StaleEditError
from crm.core.filters import korean_date
from crm.core.numbers import whole_number
from crm.core.pagination import cached_count
from crm.core.text import blank_to_none
from crm.core.time import SEOUL, utcnow
from crm.extensions import db
from crm.programs.models import (
    Cohort,
    CohortStage,
    Enrollment,
    EnrollmentStatus,
    Indicator,
    IndicatorValue,
    ReportComment,
    ReportStatus,
    SubmissionLink,
    WeeklyReport,
)

TEXT_MAX = 10_000
COMMENT_MAX = 5_000
# An indicator's weekly value above a trillion is a typing mistake, not a result (sales are counted in won).
INDICATOR_VALUE_MAX = 10**12
# A cohort's missing reports stay on the dashboard for four weeks after its last week is due.
OVERDUE_GRACE = timedelta(days=28)
DASHBOARD_LIMIT = 20
COMPANY_SECTION_LIMIT = 20


class CellState(enum.StrEnum):
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    OVERDUE = "overdue"
    NOT_DUE = "not_due"


def now_in_seoul(now: datetime | None = None) -> datetime:
    return (now or utcnow()).astimezone(SEOUL)


def current_week(cohort: Cohort, now: datetime | None = None) -> int | None:
    """The week the Seoul day falls in, or None before the start and after the last week."""
    return cohort.week_of(now_in_seoul(now).date())


def last_started_week(cohort: Cohort, now: datetime | None = None) -> int:
    """The latest week that has begun (0 before the cohort starts, N once it is over)."""
    today = now_in_seoul(now).date()
    if today < cohort.start_on:
        return 0
    return min(cohort.weeks, (today - cohort.start_on).days // 7 + 1)


def is_started(cohort: Cohort, week: int, now: datetime | None = None) -> bool:
    return week <= last_started_week(cohort, now)


def is_overdue(cohort: Cohort, week: int, now: datetime | None = None) -> bool:
    """Whether the week's report deadline (the end of its last day in Seoul) has passed."""
    return (now or utcnow()) >= cohort.week_due_at(week)


def cell_state(cohort: Cohort, week: int, report: "WeeklyReport | ReportSummary | None",
               now: datetime | None = None) -> CellState:
    if report is not None:
        return CellState.REVIEWED if report.reviewed_at is not None else CellState.SUBMITTED
    return CellState.OVERDUE if is_overdue(cohort, week, now) else CellState.NOT_DUE


def check_week(cohort: Cohort, week) -> int:
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= cohort.weeks:
        raise RuleError(_("주차는 1부터 %(n)d 사이여야 합니다.", n=cohort.weeks), field="week")
    return week


# --- the grid ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSummary:
    """What a grid cell needs of a report, read without loading the report's text."""

    id: int
    week: int
    status: ReportStatus
    reviewed_at: datetime | None


@dataclass
class Cell:
    week: int
    state: CellState
    report: ReportSummary | None
    is_current: bool
    is_started: bool


@dataclass
class IndicatorProgress:
    indicator: Indicator
    cumulative: int
    target: int | None

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down so that 100% means the target is reached; None without a target."""
        if not self.target:
            return None
        return self.cumulative * 100 // self.target


@dataclass
class GridRow:
    enrollment: Enrollment
    cells: list[Cell]
    progress: list[IndicatorProgress]


@dataclass
class Grid:
    cohort: Cohort
    weeks: list[int]
    current_week: int | None
    reference_week: int  # cumulative values count up to this week
    reference_stage: CohortStage | None
    rows: list[GridRow] = field(default_factory=list)


def cohort_for_grid(cohort_id: int) -> Cohort | None:
    """A live cohort with its programme, stages, indicators and targets (four statements)."""
    stmt = (sa.select(Cohort).where(Cohort.id == cohort_id)
            .options(joinedload(Cohort.program), selectinload(Cohort.stages),
                     selectinload(Cohort.indicators).selectinload(Indicator.targets)))
    return db.session.scalar(stmt)


def reference_week(cohort: Cohort, now: datetime | None = None) -> int:
    """The week cumulative values are measured at: the current one, the last once the cohort is over."""
    return max(1, last_started_week(cohort, now))


def target_at(indicator: Indicator, stage: CohortStage | None) -> int | None:
    if stage is None:
        return None
    return next((target.value for target in indicator.targets if target.stage_id == stage.id), None)


def _cumulative_values(weeks_of_cohorts: dict[int, int]) -> dict[tuple[int, int], int]:
    """{(enrollment id, indicator id): sum of the weekly values up to its cohort's week} for the cohorts' live
    enrollments ({cohort id: week}), in one statement."""
    if not weeks_of_cohorts:
        return {}
    stmt = (sa.select(WeeklyReport.enrollment_id, IndicatorValue.indicator_id, sa.func.sum(IndicatorValue.value))
            .join(IndicatorValue, IndicatorValue.report_id == WeeklyReport.id)
            .join(Enrollment, WeeklyReport.enrollment_id == Enrollment.id)
            .where(Enrollment.cohort_id.in_(weeks_of_cohorts),
                   WeeklyReport.week <= sa.case(weeks_of_cohorts, value=Enrollment.cohort_id))
            .group_by(WeeklyReport.enrollment_id, IndicatorValue.indicator_id))
    return {(enrollment_id, indicator_id): int(total or 0)
            for enrollment_id, indicator_id, total in db.session.execute(stmt)}


def cohort_grid(cohort: Cohort, now: datetime | None = None) -> Grid:
    return cohort_grids([cohort], now)[0]


def cohort_grids(cohorts: list[Cohort], now: datetime | None = None) -> list[Grid]:
    """For each cohort every live enrollment × every week, and each enrollment's cumulative indicator values
    against the target of the stage the reference week falls in: three statements whatever the number of
    cohorts and rows."""
    now = now or utcnow()
    measured_at = {cohort.id: reference_week(cohort, now) for cohort in cohorts}
    enrollments = defaultdict(list)
    for enrollment in db.session.scalars(
            sa.select(Enrollment).where(Enrollment.cohort_id.in_(measured_at))
            .options(joinedload(Enrollment.company)).order_by(Enrollment.id)):
        enrollments[enrollment.cohort_id].append(enrollment)
    ids = [enrollment.id for rows in enrollments.values() for enrollment in rows]
    reports: dict[int, dict[int, ReportSummary]] = defaultdict(dict)
    if ids:
        rows = db.session.execute(
            sa.select(WeeklyReport.id, WeeklyReport.enrollment_id, WeeklyReport.week, WeeklyReport.status,
                      WeeklyReport.reviewed_at).where(WeeklyReport.enrollment_id.in_(ids)))
        for report_id, enrollment_id, week, status, reviewed_at in rows:
            reports[enrollment_id][week] = ReportSummary(report_id, week, status, reviewed_at)
    totals = _cumulative_values(measured_at if ids else {})
    return [_grid(cohort, enrollments[cohort.id], reports, totals, measured_at[cohort.id], now)
            for cohort in cohorts]


def _grid(cohort: Cohort, enrollments: list[Enrollment], reports: dict[int, dict[int, ReportSummary]],
          totals: dict[tuple[int, int], int], measured_at: int, now: datetime) -> Grid:
    this_week = current_week(cohort, now)
    stage = cohort.stage_of_week(measured_at)
    started = last_started_week(cohort, now)
    grid = Grid(cohort=cohort, weeks=list(range(1, cohort.weeks + 1)), current_week=this_week,
                reference_week=measured_at, reference_stage=stage)
    for enrollment in enrollments:
        cells = []
        for week in grid.weeks:
            report = reports[enrollment.id].get(week)
            cells.append(Cell(week=week, state=cell_state(cohort, week, report, now), report=report,
                              is_current=week == this_week,
                              is_started=week <= started))
        progress = [IndicatorProgress(indicator, totals.get((enrollment.id, indicator.id), 0),
                                      target_at(indicator, stage)) for indicator in cohort.indicators]
        grid.rows.append(GridRow(enrollment=enrollment, cells=cells, progress=progress))
    return grid


# --- one enrollment -----------------------------------------------------------------------------------------


def enrollment_for(user: User, enrollment_id: int) -> Enrollment | None:
    """The live enrollment if the user may see its company (a coach: assigned companies only), with its
    company, cohort, programme, stages and indicators loaded."""
    stmt = (sa.select(Enrollment).join(Company, Enrollment.company_id == Company.id)
            .where(Enrollment.id == enrollment_id)
            .options(joinedload(Enrollment.company).selectinload(Company.coach_links),
                     joinedload(Enrollment.cohort).joinedload(Cohort.program),
                     selectinload(Enrollment.cohort, Cohort.stages),
                     selectinload(Enrollment.cohort, Cohort.indicators, Indicator.targets)))
    return db.session.scalar(visible_to(stmt, user))


def reports_of(enrollment: Enrollment) -> list[WeeklyReport]:
    """The enrollment's reports in week order, with their values and who submitted and reviewed them."""
    return list(db.session.scalars(
        sa.select(WeeklyReport).where(WeeklyReport.enrollment_id == enrollment.id)
        .options(selectinload(WeeklyReport.values), joinedload(WeeklyReport.submitted_by),
                 joinedload(WeeklyReport.reviewed_by)).order_by(WeeklyReport.week)))


def report_of_week(enrollment: Enrollment, week: int) -> WeeklyReport | None:
    return db.session.scalar(
        sa.select(WeeklyReport).where(WeeklyReport.enrollment_id == enrollment.id, WeeklyReport.week == week)
        .options(selectinload(WeeklyReport.values), joinedload(WeeklyReport.submitted_by),
                 joinedload(WeeklyReport.reviewed_by),
                 selectinload(WeeklyReport.comments).joinedload(ReportComment.author)))


def open_weeks(enrollment: Enrollment, now: datetime | None = None) -> list[int]:
    """Weeks that have begun and still have no report, newest first (what a submission link offers)."""
    taken = set(db.session.scalars(sa.select(WeeklyReport.week).where(WeeklyReport.enrollment_id == enrollment.id)))
    return [week for week in range(last_started_week(enrollment.cohort, now), 0, -1) if week not in taken]


@dataclass(frozen=True)
class Difficulty:
    week: int
    text: str


def difficulties(reports: list[WeeklyReport]) -> list[Difficulty]:
    """The difficulties of every week in one list, so that a recurring one stands out."""
    return [Difficulty(report.week, report.difficulties) for report in reports if report.difficulties]


@dataclass(frozen=True)
class ChartPoint:
    week: int
    value: int
    x: float
    y: float


@dataclass(frozen=True)
class TargetStep:
    stage: CohortStage
    value: int
    x1: float
    x2: float
    y: float


@dataclass
class IndicatorChart:
    indicator: Indicator
    points: list[ChartPoint]
    targets: list[TargetStep]
    maximum: int

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


CHART_WIDTH = 520
CHART_HEIGHT = 160
CHART_LEFT = 40
CHART_RIGHT = 10
CHART_TOP = 10
CHART_BOTTOM = 24


def indicator_charts(cohort: Cohort, reports: list[WeeklyReport], now: datetime | None = None) -> list[IndicatorChart]:
    """Per indicator: the cumulative value at each week up to the last reported (or started) week, and each
    stage's target as a step over its weeks, scaled into the chart's drawing area."""
    last_week = max([last_started_week(cohort, now), *(report.week for report in reports)] or [0])
    by_week = {report.week: report for report in reports}
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    def x_of(week: float) -> float:
        return CHART_LEFT + plot_width * (week - 1) / max(1, cohort.weeks - 1)

    charts = []
    for indicator in cohort.indicators:
        running, values = 0, []
        for week in range(1, last_week + 1):
            report = by_week.get(week)
            if report is not None:
                running += sum(value.value for value in report.values if value.indicator_id == indicator.id)
            values.append((week, running))
        steps = [(stage, target_at(indicator, stage)) for stage in cohort.stages]
        steps = [(stage, value) for stage, value in steps if value is not None]
        maximum = max([1, *(value for _week, value in values), *(value for _stage, value in steps)])

        def y_of(value: int, maximum=maximum) -> float:
            return CHART_TOP + plot_height * (1 - value / maximum)

        points = [ChartPoint(week, value, x_of(week), y_of(value)) for week, value in values]
        targets = [TargetStep(stage, value, x_of(stage.first_week), x_of(stage.last_week), y_of(value))
                   for stage, value in steps]
        charts.append(IndicatorChart(indicator, points, targets, maximum))
    return charts


def links_of(enrollment: Enrollment) -> list[SubmissionLink]:
    return list(db.session.scalars(
        sa.select(SubmissionLink).where(SubmissionLink.enrollment_id == enrollment.id)
        .options(joinedload(SubmissionLink.created_by)).order_by(SubmissionLink.created_at.desc())))


# --- rules shared by the forms and the services -------------------------------------------------------------


def clean_indicator_value(value, field_name: str) -> int:
    """A week's value of an indicator: a whole number from 0, "1,000" accepted; blank counts as 0."""
    return whole_number(value, field=field_name, maximum=INDICATOR_VALUE_MAX, what=_("지표 값")) or 0


def indicator_field(indicator_id: int) -> str:
    return f"indicator_{indicator_id}"


def _clean_text(value: str | None, field_name: str, *, required_message: str | None = None,
                limit: int = TEXT_MAX) -> str | None:
    value = blank_to_none(value)
    if value is None and required_message:
        raise RuleError(required_message, field=field_name)
    if value and len(value) > limit:
        raise RuleError(_("%(n)s자 이하로 입력하세요.", n=f"{limit:,}"), field=field_name)
    return value


def _clean_status(status) -> ReportStatus:
    try:
        return ReportStatus(status)
    except ValueError:
        raise RuleError(_("진행 상태를 순조·주의·지연 중에서 고르세요."), field="status") from None


@dataclass
class ReportFields:
    """What a report form (staff or submission link) gives."""

    work_done: str | None
    status: ReportStatus | str | None
    next_plan: str | None = None
    difficulties: str | None = None


def clean_report_fields(fields: ReportFields) -> dict:
    return {
        "work_done": _clean_text(fields.work_done, "work_done", required_message=_("수행 내역을 입력하세요.")),
        "next_plan": _clean_text(fields.next_plan, "next_plan"),
        "difficulties": _clean_text(fields.difficulties, "difficulties"),
        "status": _clean_status(fields.status),
    }


def clean_indicator_values(cohort: Cohort, indicator_values: dict) -> dict[int, int]:
    """{indicator id: value} for each of the cohort's indicators; an indicator of another cohort is refused."""
    own = {indicator.id for indicator in cohort.indicators}
    given = {}
    for key, raw in (indicator_values or {}).items():
        try:
            indicator_id = int(key)
        except (TypeError, ValueError):
            indicator_id = None
        if indicator_id not in own:
            raise RuleError(_("이 과정의 성과 지표가 아닙니다."))
        given[indicator_id] = clean_indicator_value(raw, indicator_field(indicator_id))
    return {indicator_id: given.get(indicator_id, 0) for indicator_id in own}


def check_reportable_week(cohort: Cohort, week) -> int:
    """A week of the cohort that has begun: a report is written once its week is under way."""
    week = check_week(cohort, week)
    if not is_started(cohort, week):
        raise RuleError(_("%(week)d주차는 아직 시작되지 않았습니다 (%(day)s 시작).", week=week,
                          day=korean_date(cohort.week_start_on(week))), field="week")
    return week


def cohort_reports(cohort: Cohort) -> list[WeeklyReport]:
    """Every report of the cohort's live enrollments, by company name and week, with values and company."""
    return list(db.session.scalars(
        sa.select(WeeklyReport).join(Enrollment, WeeklyReport.enrollment_id == Enrollment.id)
        .join(Company, Enrollment.company_id == Company.id)
        .where(Enrollment.cohort_id == cohort.id)
        .options(selectinload(WeeklyReport.values),
                 joinedload(WeeklyReport.enrollment).joinedload(Enrollment.company))
        .order_by(Company.name, Enrollment.id, WeeklyReport.week)))


def _is_staff(user: User | None) -> bool:
    return user is not None and user.role in COORDINATION


# --- changes ------------------------------------------------------------------------------------------------


def _week_taken(enrollment: Enrollment, week: int) -> bool:
    return db.session.scalar(sa.select(WeeklyReport.id).where(WeeklyReport.enrollment_id == enrollment.id,
                                                              WeeklyReport.week == week)) is not None


def submit_report(enrollment: Enrollment, week, fields: ReportFields, indicator_values: dict, *,
                  actor: User | None = None, link: SubmissionLink | None = None) -> WeeklyReport:
    """Record a week's report, by a staff member (`actor`) or by the company through its `link`.

    Refused: a week outside 1..N or not yet begun, a week already reported, an empty work-done, a status other
    than 순조·주의·지연, a value that is not a whole number from 0, an indicator of another cohort."""
    if link is None and not _is_staff(actor):
        raise RuleError(_("주간 보고는 코디네이터나 기업의 제출 링크로만 등록할 수 있습니다."))
    cohort = enrollment.cohort
    week = check_reportable_week(cohort, week)
    values = clean_report_fields(fields)
    amounts = clean_indicator_values(cohort, indicator_values)
    if _week_taken(enrollment, week):
        raise _duplicate(week)
    now = utcnow()
    report = WeeklyReport(enrollment_id=enrollment.id, week=week, submitted_at=now,
                          submitted_by_id=None if link is not None else actor.id,
                          submitted_via_link_id=link.id if link is not None else None, **values)
    report.values = [IndicatorValue(indicator_id=indicator_id, value=value) for indicator_id, value in amounts.items()]
    try:
        # A savepoint: a report for the same week saved in the meantime fails here alone, not the session.
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        raise _duplicate(week) from None
    if link is not None:
        link.last_used_at = now
    db.session.flush()
    return report


def _duplicate(week: int) -> RuleError:
    return RuleError(_("%(week)d주차 보고는 이미 제출되었습니다.", week=week), field="week")



def update_report(report: WeeklyReport, fields: ReportFields, indicator_values: dict, *, version: int | None,
                  actor: User) -> WeeklyReport:
    """Correct a report (staff only). Refused when somebody saved it since `version` was read. The review, if
    any, stays (see the module's docstring)."""
    if not _is_staff(actor):
        raise RuleError(_("주간 보고는 코디네이터만 수정할 수 있습니다."))
    if version is not None and version != report.version:
        raise StaleEditError()
    values = clean_report_fields(fields)
    amounts = clean_indicator_values(report.enrollment.cohort, indicator_values)
    changed = False
    current = {value.indicator_id: value for value in report.values}
    for indicator_id, amount in amounts.items():
        existing = current.get(indicator_id)
        if existing is None:
            report.values.append(IndicatorValue(indicator_id=indicator_id, value=amount))
            changed = True
        elif existing.value != amount:
            existing.value = amount
            changed = True
    for key, value in values.items():
        setattr(report, key, value)
    if changed:
        # The report's version guards the whole form: a change to its values alone bumps it too.
        report.updated_at = utcnow()
    db.session.flush()
    return report


def review_report(report: WeeklyReport, comment: str | None, *, actor: User,
                  version: int | None = None) -> WeeklyReport:
    """A coordinator's review; reviewing again replaces the comment and the reviewer."""
    if not _is_staff(actor):
        raise RuleError(_("검토는 코디네이터만 할 수 있습니다."))
    if version is not None and version != report.version:
        raise StaleEditError()
    report.review_comment = _clean_text(comment, "comment", limit=COMMENT_MAX)
    report.reviewed_at = utcnow()
    report.reviewed_by_id = actor.id
    db.session.flush()
    return report


def can_comment(report: WeeklyReport, user: User) -> bool:
    """Staff, or a coach assigned to the report's company."""
    if _is_staff(user):
        return True
    return user.role is Role.COACH and report.enrollment.company.visible_to(user)


def add_comment(report: WeeklyReport, body: str | None, *, actor: User) -> ReportComment:
    if not can_comment(report, actor):
        raise RuleError(_("배정된 기업의 보고에만 의견을 남길 수 있습니다."))
    text = _clean_text(body, "body", required_message=_("의견을 입력하세요."), limit=COMMENT_MAX)
    comment = ReportComment(report_id=report.id, author_id=actor.id, body=text)
    db.session.add(comment)
    db.session.flush()
    return comment


# --- the coordinator's dashboard ------------------------------------------------------------------------------


@dataclass
class OverdueEnrollment:
    enrollment: Enrollment
    weeks: list[int]


@dataclass
class DashboardReports:
    overdue: list[OverdueEnrollment]
    overdue_count: int  # enrollments with at least one overdue report
    overdue_report_count: int
    waiting: list[WeeklyReport]
    waiting_count: int


def _running_cohorts(now: datetime) -> list[Cohort]:
    """Cohorts whose first report is due and whose last came due less than OVERDUE_GRACE ago."""
    today = now_in_seoul(now).date()
    started = db.session.scalars(sa.select(Cohort).where(Cohort.start_on <= today - timedelta(days=7)))
    return [cohort for cohort in started if now < cohort.week_due_at(cohort.weeks) + OVERDUE_GRACE]


def overdue_reports(now: datetime | None = None, limit: int = DASHBOARD_LIMIT) -> tuple[list[OverdueEnrollment], int,
                                                                                        int]:
    """Active enrollments of running cohorts with weeks past due and no report, oldest missing week first:
    (the first `limit`, how many enrollments, how many reports), in three statements."""
    now = now or utcnow()
    cohorts = {cohort.id: cohort for cohort in _running_cohorts(now)}
    if not cohorts:
        return [], 0, 0
    enrollments = list(db.session.scalars(
        sa.select(Enrollment).where(Enrollment.cohort_id.in_(cohorts), Enrollment.status == EnrollmentStatus.ACTIVE)
        .options(joinedload(Enrollment.company), joinedload(Enrollment.cohort)).order_by(Enrollment.id)))
    taken = defaultdict(set)
    if enrollments:
        rows = db.session.execute(sa.select(WeeklyReport.enrollment_id, WeeklyReport.week)
                                  .where(WeeklyReport.enrollment_id.in_([e.id for e in enrollments])))
        for enrollment_id, week in rows:
            taken[enrollment_id].add(week)
    found = []
    for enrollment in enrollments:
        cohort = enrollment.cohort
        missing = [week for week in range(1, cohort.weeks + 1)
                   if is_overdue(cohort, week, now) and week not in taken[enrollment.id]]
        if missing:
            found.append(OverdueEnrollment(enrollment, missing))
    found.sort(key=lambda item: (item.enrollment.cohort.week_due_at(item.weeks[0]), item.enrollment.id))
    return found[:limit], len(found), sum(len(item.weeks) for item in found)


def waiting_for_review(limit: int = DASHBOARD_LIMIT) -> tuple[list[WeeklyReport], int]:
    """Reports not yet reviewed, the longest waiting first: (the first `limit`, how many), in two statements."""
    waiting = (sa.select(WeeklyReport).join(Enrollment, WeeklyReport.enrollment_id == Enrollment.id)
               .where(WeeklyReport.reviewed_at.is_(None), Enrollment.deleted_at.is_(None)))
    stmt = (waiting.options(joinedload(WeeklyReport.enrollment).joinedload(Enrollment.company),
                     joinedload(WeeklyReport.enrollment).joinedload(Enrollment.cohort))
            .order_by(WeeklyReport.submitted_at, WeeklyReport.id).limit(limit))
    reports = list(db.session.scalars(stmt))
    return reports, cached_count(waiting)


def dashboard_reports(now: datetime | None = None) -> DashboardReports:
    overdue, overdue_count, overdue_report_count = overdue_reports(now)
    waiting, waiting_count = waiting_for_review()
    return DashboardReports(overdue, overdue_count, overdue_report_count, waiting, waiting_count)


# --- the company page ---------------------------------------------------------------------------------------


@dataclass
class EnrollmentSummary:
    enrollment: Enrollment
    report_count: int
    last_report_at: datetime | None
    last_report_week: int | None


def company_section(company: Company, user: User) -> dict:
    """The company's enrollments with how many reports each has and the latest, in two statements."""
    enrollments = list(db.session.scalars(
        sa.select(Enrollment).where(Enrollment.company_id == company.id)
        .options(joinedload(Enrollment.cohort).joinedload(Cohort.program))
        .order_by(Enrollment.id.desc()).limit(COMPANY_SECTION_LIMIT)))
    stats = {}
    if enrollments:
        rows = db.session.execute(
            sa.select(WeeklyReport.enrollment_id, sa.func.count(WeeklyReport.id),
                      sa.func.max(WeeklyReport.submitted_at), sa.func.max(WeeklyReport.week))
            .where(WeeklyReport.enrollment_id.in_([enrollment.id for enrollment in enrollments]))
            .group_by(WeeklyReport.enrollment_id))
        stats = {enrollment_id: (count, last_at, last_week) for enrollment_id, count, last_at, last_week in rows}
    summaries = [EnrollmentSummary(enrollment, *stats.get(enrollment.id, (0, None, None)))
                 for enrollment in enrollments]
    return {"enrollments": summaries}


def report_timeline(company: Company, limit: int) -> list[timeline.TimelineEntry]:
    """The company's newest weekly reports when submitted and when reviewed, in two statements."""
    base = (sa.select(WeeklyReport.enrollment_id, WeeklyReport.week, User.name.label("by_name"))
            .join(Enrollment, WeeklyReport.enrollment_id == Enrollment.id)
            .where(Enrollment.company_id == company.id, Enrollment.deleted_at.is_(None)))
    submitted = db.session.execute(
        base.add_columns(WeeklyReport.submitted_at, WeeklyReport.status, Enrollment.project_title)
        .outerjoin(User, WeeklyReport.submitted_by_id == User.id)
        .order_by(WeeklyReport.submitted_at.desc()).limit(limit))
    labels = ReportStatus.translated_labels()
    entries = []
    for report in submitted:
        entries.append(timeline.TimelineEntry(
            at=report.submitted_at, kind="weekly_report",
            title=_("주간 보고 %(week)d주차 제출 (%(status)s)", week=report.week, status=labels[report.status]),
            detail=report.project_title, actor=report.by_name or _("기업 (제출 링크)"),
            url=_week_url(report.enrollment_id, report.week)))
    reviewed = db.session.execute(
        base.add_columns(WeeklyReport.reviewed_at, WeeklyReport.review_comment)
        .outerjoin(User, WeeklyReport.reviewed_by_id == User.id).where(WeeklyReport.reviewed_at.is_not(None))
        .order_by(WeeklyReport.reviewed_at.desc()).limit(limit))
    for report in reviewed:
        entries.append(timeline.TimelineEntry(
            at=report.reviewed_at, kind="weekly_review",
            title=_("주간 보고 %(week)d주차 검토", week=report.week), detail=report.review_comment,
            actor=report.by_name, url=_week_url(report.enrollment_id, report.week)))
    return entries


def _week_url(enrollment_id: int, week: int) -> str | None:
    if not has_request_context():
        return None
    return url_for("progress.week", enrollment_id=enrollment_id, week=week)
