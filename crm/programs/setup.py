"""Setting programmes up: programmes, cohorts with their stages and goal indicators, enrollments of companies.

A cohort's stages cover its weeks 1..N exactly, each week in one stage. An indicator has one cumulative
target per stage, never decreasing from stage to stage. Editing a cohort keeps the ids of its stages and
indicators, so weekly values stay attached, and refuses a change that would leave reported data behind.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from crm.auth.models import COORDINATION, User
from crm.companies.models import Company
from crm.companies.trash import RestoreConflict, TrashKind
from crm.core.errors import RuleError, StaleEditError
from crm.core.numbers import whole_number
from crm.core.softdelete import including_deleted, soft_delete
from crm.core.text import blank_to_none
from crm.core.time import seoul_today, utcnow
from crm.extensions import db
from crm.programs.models import (
    DEFAULT_WEEKS,
    Cohort,
    CohortStage,
    Enrollment,
    EnrollmentStatus,
    FinalReportStatus,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Program,
    ReportComment,
    SettlementStatus,
    SubmissionLink,
    WeeklyReport,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100
EARLIEST_START, LATEST_START = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
MAX_WEEKS = 104
NAME_MAX = 200
STAGE_NAME_MAX = 100
INDICATOR_NAME_MAX = 100
UNIT_MAX = 20
TEXT_MAX = 20_000
# Larger amounts are typing mistakes: a support budget of 100억 원, a target of 1조.
MAX_BUDGET = 10_000_000_000
MAX_TARGET = 1_000_000_000_000
STAGES_FIELD = "stages"
INDICATORS_FIELD = "indicators"


# --- numbers a user types -----------------------------------------------------------------------------------


def clean_whole_number(value, *, field: str, maximum: int, required: bool = True,
                       label: str | None = None) -> int | None:
    """A whole number 0..maximum; blank is None when not required."""
    return whole_number(value, field=field, maximum=maximum, what=label, required=required)


def _required_text(value, *, field: str, maximum: int, message: str) -> str:
    text = blank_to_none(value)
    if not text:
        raise RuleError(message, field=field)
    if len(text) > maximum:
        raise RuleError(_("%(n)d자 이하로 입력하세요.", n=maximum), field=field)
    return text


def _optional_text(value, *, field: str, maximum: int = TEXT_MAX) -> str | None:
    text = blank_to_none(value)
    if text and len(text) > maximum:
        raise RuleError(_("%(n)s자 이하로 입력하세요.", n=f"{maximum:,}"), field=field)
    return text


def _check_version(record, version: int | None) -> None:
    if version is not None and version != record.version:
        raise StaleEditError()


# --- programmes ---------------------------------------------------------------------------------------------


def owner_choices(program: Program | None = None) -> list[User]:
    """Active coordinators and admins, and the programme's current owner whoever they are."""
    users = list(db.session.scalars(sa.select(User).where(User.role.in_(COORDINATION), User.active.is_(True))
                                    .order_by(User.name, User.id)))
    if program is not None and program.owner is not None and program.owner not in users:
        users.append(program.owner)
    return users


def _program_values(*, year, name, description, note, owner_id, program: Program | None = None) -> dict:
    year = clean_whole_number(year, field="year", maximum=LAST_YEAR, label=_("연도"))
    if year < FIRST_YEAR:
        raise RuleError(_("연도는 %(first)d~%(last)d 사이입니다.", first=FIRST_YEAR, last=LAST_YEAR), field="year")
    owner_id = owner_id or None
    if owner_id is not None and owner_id not in {user.id for user in owner_choices(program)}:
        raise RuleError(_("담당자는 코디네이터나 관리자 중에서 고르세요."), field="owner_id")
    return {
        "year": year,
        "name": _required_text(name, field="name", maximum=NAME_MAX, message=_("사업명을 입력하세요.")),
        "description": _optional_text(description, field="description"),
        "note": _optional_text(note, field="note"),
        "owner_id": owner_id,
    }


def create_program(*, year, name: str | None, description: str | None = None, note: str | None = None,
                   owner_id: int | None = None, actor: User) -> Program:
    values = _program_values(year=year, name=name, description=description, note=note, owner_id=owner_id)
    last_order = db.session.scalar(sa.select(sa.func.max(Program.sort_order)).where(Program.year == values["year"]))
    program = Program(sort_order=(last_order or 0) + 1, **values)
    db.session.add(program)
    db.session.flush()
    return program


def update_program(program: Program, *, version: int | None, year, name: str | None, description: str | None = None,
                   note: str | None = None, owner_id: int | None = None, actor: User) -> Program:
    _check_version(program, version)
    values = _program_values(year=year, name=name, description=description, note=note, owner_id=owner_id,
                             program=program)
    for key, value in values.items():
        setattr(program, key, value)
    db.session.flush()
    return program


def delete_program(program: Program, *, actor: User) -> None:
    """Hide a programme; refused while it has live cohorts, whose weeks and reports would lose their home."""
    if db.session.scalar(sa.select(Cohort.id).where(Cohort.program_id == program.id).limit(1)) is not None:
        raise RuleError(_("과정이 있는 사업은 삭제할 수 없습니다. 먼저 과정을 삭제하세요."))
    soft_delete(program, actor=actor)
    db.session.flush()


def program_list_statement(*, year: int | None = None, name: str | None = None) -> sa.Select:
    """Live programmes, newest year first and in the report's order within a year."""
    stmt = sa.select(Program).options(joinedload(Program.owner))
    if year:
        stmt = stmt.where(Program.year == year)
    name = blank_to_none(name)
    if name:
        stmt = stmt.where(Program.name.contains(name, autoescape=True))
    return stmt.order_by(Program.year.desc(), Program.sort_order, Program.id)


def program_years() -> list[int]:
    return list(db.session.scalars(sa.select(Program.year).distinct().order_by(Program.year.desc())))


@dataclass(frozen=True)
class ProgramCounts:
    cohorts: int = 0
    enrollments: int = 0


def program_counts(program_ids: list[int]) -> dict[int, ProgramCounts]:
    """Live cohorts and enrollments of each programme, in two statements whatever the number of rows."""
    if not program_ids:
        return {}
    cohort_counts = dict(db.session.execute(
        sa.select(Cohort.program_id, sa.func.count(Cohort.id))
        .where(Cohort.program_id.in_(program_ids), Cohort.deleted_at.is_(None)).group_by(Cohort.program_id)).all())
    live_cohorts = sa.select(Cohort.id).where(Cohort.program_id.in_(program_ids), Cohort.deleted_at.is_(None))
    enrollment_counts: dict[int, int] = {}
    stmt = (sa.select(Cohort.program_id, sa.func.count(Enrollment.id))
            .join(Enrollment, Enrollment.cohort_id == Cohort.id).join(Company, Company.id == Enrollment.company_id)
            .where(Cohort.id.in_(live_cohorts), Enrollment.deleted_at.is_(None), Company.deleted_at.is_(None))
            .group_by(Cohort.program_id))
    enrollment_counts.update(db.session.execute(stmt).all())
    return {program_id: ProgramCounts(cohort_counts.get(program_id, 0), enrollment_counts.get(program_id, 0))
            for program_id in program_ids}


def program_detail(program_id: int) -> Program | None:
    """A live programme with its owner and live cohorts."""
    stmt = (sa.select(Program).where(Program.id == program_id)
            .options(joinedload(Program.owner), selectinload(Program.cohorts)))
    return db.session.scalar(stmt)


def live_programs() -> list[Program]:
    return list(db.session.scalars(sa.select(Program).order_by(Program.year.desc(), Program.sort_order, Program.id)))


# --- cohorts: stages and indicators -------------------------------------------------------------------------


@dataclass
class StageFields:
    """One stage row of a cohort form; `id` names an existing stage of the cohort."""

    name: str | None = None
    first_week: object = None
    last_week: object = None
    id: int | None = None
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        return self.id is None and not any(blank_to_none(value) if isinstance(value, str) else value is not None
                                           for value in (self.name, self.first_week, self.last_week))


@dataclass
class IndicatorFields:
    """One indicator row; `targets[i]` is the cumulative target by the end of the form's stage row i."""

    name: str | None = None
    unit: str | None = None
    targets: list = field(default_factory=list)
    id: int | None = None
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        texts = (self.name, self.unit, *self.targets)
        return self.id is None and not any(blank_to_none(value) if isinstance(value, str) else value is not None
                                           for value in texts)


def _row_field(kind: str, index: int, name: str) -> str:
    return f"{kind}-{index}-{name}"


@dataclass
class _CheckedStage:
    index: int  # the form's row number
    name: str
    first_week: int
    last_week: int
    id: int | None


def clean_weeks(weeks) -> int:
    weeks = clean_whole_number(weeks, field="weeks", maximum=MAX_WEEKS, label=_("주 수"))
    if weeks < 1:
        raise RuleError(_("주 수는 1~%(max)d입니다.", max=MAX_WEEKS), field="weeks")
    return weeks


def _check_stage_row(index: int, row: StageFields, weeks: int) -> _CheckedStage:
    name = _required_text(row.name, field=_row_field(STAGES_FIELD, index, "name"), maximum=STAGE_NAME_MAX,
                          message=_("단계 이름을 입력하세요."))
    first = clean_whole_number(row.first_week, field=_row_field(STAGES_FIELD, index, "first_week"),
                               maximum=MAX_WEEKS, label=_("시작 주차"))
    last = clean_whole_number(row.last_week, field=_row_field(STAGES_FIELD, index, "last_week"),
                              maximum=MAX_WEEKS, label=_("끝 주차"))
    if first < 1:
        raise RuleError(_("주차는 1부터 셉니다."), field=_row_field(STAGES_FIELD, index, "first_week"))
    if last < first:
        raise RuleError(_("끝 주차가 시작 주차보다 앞섭니다."), field=_row_field(STAGES_FIELD, index, "last_week"))
    if last > weeks:
        raise RuleError(_("%(week)d주차는 과정 기간(%(weeks)d주) 밖입니다.", week=last, weeks=weeks),
                        field=_row_field(STAGES_FIELD, index, "last_week"))
    return _CheckedStage(index, name, first, last, row.id)


def check_stage_coverage(stages: list[_CheckedStage], weeks: int) -> list[_CheckedStage]:
    """The stages in week order, covering 1..weeks without a gap or an overlap; the message names the week."""
    if not stages:
        raise RuleError(_("단계를 하나 이상 입력하세요."), field=_row_field(STAGES_FIELD, 0, "name"))
    ordered = sorted(stages, key=lambda stage: (stage.first_week, stage.last_week))
    next_week = 1
    for stage in ordered:
        if stage.first_week > next_week:
            raise RuleError(_("%(week)d주차가 어느 단계에도 없습니다.", week=next_week),
                            field=_row_field(STAGES_FIELD, stage.index, "first_week"))
        if stage.first_week < next_week:
            raise RuleError(_("%(week)d주차가 두 단계에 겹칩니다.", week=stage.first_week),
                            field=_row_field(STAGES_FIELD, stage.index, "first_week"))
        next_week = stage.last_week + 1
    if next_week <= weeks:
        raise RuleError(_("%(week)d주차가 어느 단계에도 없습니다.", week=next_week),
                        field=_row_field(STAGES_FIELD, ordered[-1].index, "last_week"))
    return ordered


def _checked_stages(rows, weeks: int, cohort: Cohort | None) -> tuple[list[_CheckedStage], set[int]]:
    """The kept stages in week order, and the ids of the cohort's stages to remove."""
    current = {stage.id for stage in cohort.stages} if cohort is not None else set()
    kept, removed = [], set()
    for index, row in enumerate(rows):
        if row.id is not None and row.id not in current:
            raise RuleError(_("이 과정의 단계가 아닙니다."), field=_row_field(STAGES_FIELD, index, "name"))
        if row.is_blank:
            continue
        if row.remove:
            if row.id is not None:  # a new row marked for removal is simply not added
                removed.add(row.id)
            continue
        kept.append(_check_stage_row(index, row, weeks))
    # A stage the form did not send at all is removed too: the form lists every stage of the cohort.
    removed |= current - {stage.id for stage in kept} - removed
    return check_stage_coverage(kept, weeks), removed


@dataclass
class _CheckedIndicator:
    index: int
    name: str
    unit: str
    targets: dict[int, int]  # stage row index -> cumulative target
    id: int | None


def _check_indicator_row(index: int, row: IndicatorFields, stages: list[_CheckedStage]) -> _CheckedIndicator:
    name = _required_text(row.name, field=_row_field(INDICATORS_FIELD, index, "name"), maximum=INDICATOR_NAME_MAX,
                          message=_("지표 이름을 입력하세요."))
    unit = _required_text(row.unit, field=_row_field(INDICATORS_FIELD, index, "unit"), maximum=UNIT_MAX,
                          message=_("단위를 입력하세요 (예: 회, 원, 곳)."))
    targets: dict[int, int] = {}
    previous = None
    for stage in stages:  # in week order: cumulative targets never go down
        target_field = f"{_row_field(INDICATORS_FIELD, index, 'targets')}-{stage.index}"
        raw = row.targets[stage.index] if stage.index < len(row.targets) else None
        value = clean_whole_number(raw, field=target_field, maximum=MAX_TARGET,
                                   label=_("%(stage)s 단계 목표", stage=stage.name))
        if previous is not None and value < previous[1]:
            raise RuleError(_("누적 목표는 줄어들 수 없습니다: %(stage)s 단계 목표가 %(previous)s 단계 "
                              "목표(%(value)s)보다 작습니다.", stage=stage.name, previous=previous[0],
                              value=f"{previous[1]:,}"), field=target_field)
        targets[stage.index] = value
        previous = (stage.name, value)
    return _CheckedIndicator(index, name, unit, targets, row.id)


def _checked_indicators(rows, stages: list[_CheckedStage],
                        cohort: Cohort | None) -> tuple[list[_CheckedIndicator], set[int]]:
    current = {indicator.id for indicator in cohort.indicators} if cohort is not None else set()
    kept, removed, names = [], set(), {}
    for index, row in enumerate(rows):
        if row.id is not None and row.id not in current:
            raise RuleError(_("이 과정의 지표가 아닙니다."), field=_row_field(INDICATORS_FIELD, index, "name"))
        if row.is_blank:
            continue
        if row.remove:
            if row.id is not None:
                removed.add(row.id)
            continue
        indicator = _check_indicator_row(index, row, stages)
        key = indicator.name.casefold().replace(" ", "")
        if key in names:
            raise RuleError(_("지표 ‘%(name)s’이(가) 두 번 있습니다.", name=indicator.name),
                            field=_row_field(INDICATORS_FIELD, index, "name"))
        names[key] = indicator
        kept.append(indicator)
    removed |= current - {indicator.id for indicator in kept} - removed
    return kept, removed


def _cohort_values(*, program_id, name, start_on, weeks, note) -> dict:
    program = db.session.get(Program, program_id) if isinstance(program_id, int) else None
    if program is None or program.is_deleted:
        raise RuleError(_("사업을 선택하세요."), field="program_id")
    if start_on is None:
        raise RuleError(_("시작일을 입력하세요."), field="start_on")
    if not EARLIEST_START <= start_on <= LATEST_START:
        raise RuleError(_("시작일을 확인하세요."), field="start_on")
    return {
        "program_id": program_id,
        "name": _required_text(name, field="name", maximum=NAME_MAX, message=_("과정 이름을 입력하세요.")),
        "start_on": start_on,
        "weeks": clean_weeks(weeks),
        "note": _optional_text(note, field="note"),
    }


def _reported_weeks_beyond(cohort: Cohort, weeks: int) -> int | None:
    """The last reported week after `weeks`, over every enrollment of the cohort (deleted ones too)."""
    stmt = (sa.select(sa.func.max(WeeklyReport.week)).join(Enrollment, Enrollment.id == WeeklyReport.enrollment_id)
            .where(Enrollment.cohort_id == cohort.id, WeeklyReport.week > weeks))
    return db.session.scalar(including_deleted(stmt))


def _indicators_with_values(indicator_ids: set[int]) -> dict[int, str]:
    if not indicator_ids:
        return {}
    stmt = (sa.select(Indicator.id, Indicator.name).where(Indicator.id.in_(indicator_ids))
            .where(sa.exists().where(IndicatorValue.indicator_id == Indicator.id)))
    return dict(db.session.execute(stmt).all())


def _index_of_indicator(rows, indicator_id: int) -> int:
    return next((index for index, row in enumerate(rows) if row.id == indicator_id), 0)


def create_cohort(*, program_id, name: str | None, start_on: date | None, weeks=DEFAULT_WEEKS,
                  note: str | None = None, stages=(), indicators=(), actor: User) -> Cohort:
    """A cohort with its stages (StageFields) and indicators (IndicatorFields, one target per stage row)."""
    values = _cohort_values(program_id=program_id, name=name, start_on=start_on, weeks=weeks, note=note)
    stage_rows, indicator_rows = list(stages), list(indicators)
    checked_stages, _removed = _checked_stages(stage_rows, values["weeks"], None)
    checked_indicators, _removed = _checked_indicators(indicator_rows, checked_stages, None)
    cohort = Cohort(**values)
    db.session.add(cohort)
    db.session.flush()
    stage_by_row = {}
    for checked in checked_stages:
        stage = CohortStage(cohort_id=cohort.id, name=checked.name, first_week=checked.first_week,
                            last_week=checked.last_week)
        db.session.add(stage)
        stage_by_row[checked.index] = stage
    db.session.flush()
    for order, checked in enumerate(checked_indicators):
        indicator = Indicator(cohort_id=cohort.id, name=checked.name, unit=checked.unit, sort_order=order)
        db.session.add(indicator)
        db.session.flush()
        for row_index, value in checked.targets.items():
            db.session.add(IndicatorTarget(indicator_id=indicator.id, stage_id=stage_by_row[row_index].id, value=value))
    db.session.flush()
    db.session.expire(cohort, ["stages", "indicators"])
    return cohort


def update_cohort(cohort: Cohort, *, version: int | None, program_id, name: str | None, start_on: date | None,
                  weeks, note: str | None = None, stages=(), indicators=(), actor: User) -> Cohort:
    """Change a cohort with its stages and indicators in one save. Rows with an id change in place, so weekly
    values stay attached; refused when weeks would shrink below a reported week, when an indicator with values
    would be removed, or when somebody saved the cohort since `version` was read."""
    _check_version(cohort, version)
    values = _cohort_values(program_id=program_id, name=name, start_on=start_on, weeks=weeks, note=note)
    stage_rows, indicator_rows = list(stages), list(indicators)
    reported = _reported_weeks_beyond(cohort, values["weeks"])
    if reported is not None:
        raise RuleError(_("%(week)d주차 보고가 있어 과정을 %(weeks)d주로 줄일 수 없습니다.", week=reported,
                          weeks=values["weeks"]), field="weeks")
    checked_stages, removed_stages = _checked_stages(stage_rows, values["weeks"], cohort)
    checked_indicators, removed_indicators = _checked_indicators(indicator_rows, checked_stages, cohort)
    with_values = _indicators_with_values(removed_indicators)
    if with_values:
        indicator_id, indicator_name = next(iter(with_values.items()))
        raise RuleError(_("지표 ‘%(name)s’에는 주간 보고 값이 있어 지울 수 없습니다.", name=indicator_name),
                        field=_row_field(INDICATORS_FIELD, _index_of_indicator(indicator_rows, indicator_id), "name"))

    changed = _apply_stages_and_indicators(cohort, checked_stages, removed_stages, checked_indicators,
                                           removed_indicators)
    for key, value in values.items():
        if getattr(cohort, key) != value:
            setattr(cohort, key, value)
            changed = True
    if changed:
        # The cohort's version guards the whole form: a change to its stages or indicators alone bumps it too.
        cohort.updated_at = utcnow()
    db.session.flush()
    db.session.expire(cohort, ["stages", "indicators"])
    return cohort


def _set_if_changed(record, **values) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(record, key) != value:
            setattr(record, key, value)
            changed = True
    return changed


def _apply_stages_and_indicators(cohort: Cohort, stages: list[_CheckedStage], removed_stages: set[int],
                                 indicators: list[_CheckedIndicator], removed_indicators: set[int]) -> bool:
    stage_rows = {stage.id: stage for stage in cohort.stages}
    indicator_rows = {indicator.id: indicator for indicator in cohort.indicators}
    changed = bool(removed_stages or removed_indicators)
    # Targets hang on stages and indicators: they go first.
    for indicator in indicator_rows.values():
        for target in list(indicator.targets):
            if target.stage_id in removed_stages or indicator.id in removed_indicators:
                indicator.targets.remove(target)
    db.session.flush()
    for stage_id in removed_stages:
        cohort.stages.remove(stage_rows[stage_id])
    for indicator_id in removed_indicators:
        cohort.indicators.remove(indicator_rows[indicator_id])
    db.session.flush()

    stage_by_row = {}
    for checked in stages:
        if checked.id is None:
            stage = CohortStage(cohort_id=cohort.id, name=checked.name, first_week=checked.first_week,
                                last_week=checked.last_week)
            db.session.add(stage)
            changed = True
        else:
            stage = stage_rows[checked.id]
            changed |= _set_if_changed(stage, name=checked.name, first_week=checked.first_week,
                                       last_week=checked.last_week)
        stage_by_row[checked.index] = stage
    db.session.flush()

    for order, checked in enumerate(indicators):
        if checked.id is None:
            indicator = Indicator(cohort_id=cohort.id, name=checked.name, unit=checked.unit, sort_order=order)
            db.session.add(indicator)
            db.session.flush()
            changed = True
            existing_targets = {}
        else:
            indicator = indicator_rows[checked.id]
            changed |= _set_if_changed(indicator, name=checked.name, unit=checked.unit, sort_order=order)
            existing_targets = {target.stage_id: target for target in indicator.targets}
        for row_index, value in checked.targets.items():
            stage = stage_by_row[row_index]
            target = existing_targets.get(stage.id)
            if target is None:
                db.session.add(IndicatorTarget(indicator_id=indicator.id, stage_id=stage.id, value=value))
                changed = True
            else:
                changed |= _set_if_changed(target, value=value)
    db.session.flush()
    return changed


def delete_cohort(cohort: Cohort, *, actor: User) -> None:
    """Hide a cohort; refused while companies are enrolled in it (delete their enrollments first)."""
    if db.session.scalar(sa.select(Enrollment.id).where(Enrollment.cohort_id == cohort.id).limit(1)) is not None:
        raise RuleError(_("참여 기업이 있는 과정은 삭제할 수 없습니다. 먼저 참여를 삭제하세요."))
    soft_delete(cohort, actor=actor)
    db.session.flush()


def cohort_for_setup(cohort_id: int) -> Cohort | None:
    """A live cohort with its programme, stages, indicators and targets, and live enrollments with companies."""
    stmt = (sa.select(Cohort).where(Cohort.id == cohort_id)
            .options(joinedload(Cohort.program), selectinload(Cohort.stages),
                     selectinload(Cohort.indicators).selectinload(Indicator.targets),
                     selectinload(Cohort.enrollments).joinedload(Enrollment.company)))
    return db.session.scalar(stmt)


def cohort_list_statement(*, program_id: int | None = None, year: int | None = None) -> sa.Select:
    """Live cohorts of live programmes, latest start first."""
    stmt = (sa.select(Cohort).join(Cohort.program).options(joinedload(Cohort.program))
            .order_by(Cohort.start_on.desc(), Cohort.id.desc()))
    if program_id:
        stmt = stmt.where(Cohort.program_id == program_id)
    if year:
        stmt = stmt.where(Program.year == year)
    return stmt


def enrollment_counts(cohort_ids: list[int]) -> dict[int, int]:
    """Live enrollments of live companies per cohort, in one statement."""
    if not cohort_ids:
        return {}
    stmt = (sa.select(Enrollment.cohort_id, sa.func.count(Enrollment.id))
            .join(Company, Company.id == Enrollment.company_id)
            .where(Enrollment.cohort_id.in_(cohort_ids), Enrollment.deleted_at.is_(None), Company.deleted_at.is_(None))
            .group_by(Enrollment.cohort_id))
    return dict(db.session.execute(stmt).all())


# --- enrollments --------------------------------------------------------------------------------------------


def enrollable_companies(cohort: Cohort) -> list[Company]:
    """Live companies not yet (live) in the cohort, by name."""
    enrolled = sa.select(Enrollment.company_id).where(Enrollment.cohort_id == cohort.id,
                                                      Enrollment.deleted_at.is_(None))
    stmt = sa.select(Company).where(Company.id.not_in(enrolled)).order_by(Company.name, Company.id)
    return list(db.session.scalars(stmt))


def _clean_title(title) -> str:
    return _required_text(title, field="project_title", maximum=NAME_MAX, message=_("사업명(프로젝트)을 입력하세요."))


def enroll_company(cohort: Cohort, company_id, project_title: str | None, budget=None, *, actor: User) -> Enrollment:
    """Enroll a live company in a live cohort once, with its project title and support budget (whole won)."""
    if cohort.is_deleted:
        raise RuleError(_("삭제된 과정에는 참여 기업을 추가할 수 없습니다."))
    company = db.session.get(Company, company_id) if isinstance(company_id, int) and company_id > 0 else None
    if company is None or company.is_deleted:
        raise RuleError(_("삭제되었거나 없는 기업입니다."), field="company_id")
    title = _clean_title(project_title)
    budget = clean_whole_number(budget, field="budget", maximum=MAX_BUDGET, required=False, label=_("지원금"))
    already = sa.select(Enrollment.id).where(Enrollment.cohort_id == cohort.id, Enrollment.company_id == company.id)
    if db.session.scalar(already) is not None:
        raise RuleError(_("%(name)s은(는) 이미 이 과정에 참여하고 있습니다.", name=company.name), field="company_id")
    enrollment = Enrollment(cohort_id=cohort.id, company_id=company.id, project_title=title, budget=budget)
    db.session.add(enrollment)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Somebody enrolled the same company between our check and this write (the live unique index).
        raise RuleError(_("%(name)s은(는) 이미 이 과정에 참여하고 있습니다.", name=company.name),
                        field="company_id") from error
    return enrollment


def _enum(enum_class, value, *, field: str, message: str):
    try:
        return enum_class(value)
    except ValueError:
        raise RuleError(message, field=field) from None


def update_enrollment(enrollment: Enrollment, *, version: int | None, project_title: str | None, budget, status,
                      final_report_status, final_report_submitted_on: date | None, final_report_comment: str | None,
                      settlement_status, settlement_amount, settlement_comment: str | None,
                      actor: User) -> Enrollment:
    """Change an enrollment's project, budget, status, final report and settlement (every field is given: the
    form shows them all). A final report other than 미제출 needs the day it came in (not in the future); the
    amount spent is whole won within the budget."""
    _check_version(enrollment, version)
    final_status = _enum(FinalReportStatus, final_report_status, field="final_report_status",
                         message=_("최종 보고서 상태를 선택하세요."))
    if final_status is FinalReportStatus.NOT_SUBMITTED and final_report_submitted_on is not None:
        raise RuleError(_("미제출이면 제출일을 비워 두세요."), field="final_report_submitted_on")
    if final_status is not FinalReportStatus.NOT_SUBMITTED and final_report_submitted_on is None:
        raise RuleError(_("최종 보고서 제출일을 입력하세요."), field="final_report_submitted_on")
    if final_report_submitted_on is not None and final_report_submitted_on > seoul_today():
        raise RuleError(_("제출일은 오늘보다 늦을 수 없습니다."), field="final_report_submitted_on")
    budget = clean_whole_number(budget, field="budget", maximum=MAX_BUDGET, required=False, label=_("지원금"))
    settlement = _enum(SettlementStatus, settlement_status, field="settlement_status",
                       message=_("정산 상태를 선택하세요."))
    amount = clean_whole_number(settlement_amount, field="settlement_amount", maximum=MAX_BUDGET, required=False,
                                label=_("집행액"))
    if amount is not None and budget is not None and amount > budget:
        raise RuleError(_("집행액(%(amount)s원)이 지원금(%(budget)s원)보다 많습니다.", amount=f"{amount:,}",
                          budget=f"{budget:,}"), field="settlement_amount")
    if settlement is not SettlementStatus.NOT_STARTED and amount is None:
        raise RuleError(_("정산하려면 집행액을 입력하세요."), field="settlement_amount")
    values = {
        "project_title": _clean_title(project_title),
        "budget": budget,
        "status": _enum(EnrollmentStatus, status, field="status", message=_("참여 상태를 선택하세요.")),
        "final_report_status": final_status,
        "final_report_submitted_on": final_report_submitted_on,
        "final_report_comment": _optional_text(final_report_comment, field="final_report_comment"),
        "settlement_status": settlement,
        "settlement_amount": amount,
        "settlement_comment": _optional_text(settlement_comment, field="settlement_comment"),
    }
    _set_if_changed(enrollment, **values)
    db.session.flush()
    return enrollment


def delete_enrollment(enrollment: Enrollment, *, actor: User) -> None:
    """Hide an enrollment; its submission links stop working (a restored enrollment gets a new link)."""
    now = utcnow()
    links = sa.select(SubmissionLink).where(SubmissionLink.enrollment_id == enrollment.id,
                                            SubmissionLink.revoked_at.is_(None))
    for link in db.session.scalars(links):
        link.revoked_at = now
        link.revoked_by_id = actor.id if actor is not None else None
    soft_delete(enrollment, actor=actor, at=now)
    db.session.flush()


def enrollment_for_setup(enrollment_id: int) -> Enrollment | None:
    """A live enrollment of a live company in a live cohort, with both loaded."""
    stmt = (sa.select(Enrollment).join(Enrollment.company).join(Enrollment.cohort).where(Enrollment.id == enrollment_id)
            .options(contains_eager(Enrollment.company), contains_eager(Enrollment.cohort).joinedload(Cohort.program)))
    return db.session.scalar(stmt)


# --- company merge, purge and the trash ---------------------------------------------------------------------


def _enrollments_of(company_id: int) -> list[Enrollment]:
    stmt = sa.select(Enrollment).where(Enrollment.company_id == company_id).order_by(Enrollment.id)
    return list(db.session.scalars(including_deleted(stmt)))


def move_enrollments(survivor: Company, absorbed: Company, actor) -> None:
    """Merge handler: the absorbed company's enrollments (deleted ones too) go to the survivor; refused when
    both are live in one cohort, since a company is in a cohort once and neither's weekly reports may go."""
    survivor_cohorts = {enrollment.cohort_id for enrollment in _enrollments_of(survivor.id)
                        if not enrollment.is_deleted}
    moving = _enrollments_of(absorbed.id)
    for enrollment in moving:
        if not enrollment.is_deleted and enrollment.cohort_id in survivor_cohorts:
            cohort = db.session.scalar(including_deleted(sa.select(Cohort).where(Cohort.id == enrollment.cohort_id)))
            raise RuleError(_("두 기업이 모두 과정 ‘%(cohort)s’에 참여하고 있어 병합할 수 없습니다. 먼저 한쪽의 참여를 "
                              "정리하세요.", cohort=cohort.name))
    for enrollment in moving:
        enrollment.company_id = survivor.id
    db.session.flush()


def _purge_enrollment_rows(enrollment: Enrollment) -> None:
    """An enrollment's weekly reports (with their values and comments) and its links, before the enrollment."""
    reports = list(db.session.scalars(sa.select(WeeklyReport).where(WeeklyReport.enrollment_id == enrollment.id)))
    report_ids = [report.id for report in reports]
    if report_ids:
        for model in (ReportComment, IndicatorValue):
            for row in db.session.scalars(sa.select(model).where(model.report_id.in_(report_ids))):
                db.session.delete(row)
        db.session.flush()
        for report in reports:
            db.session.delete(report)
        db.session.flush()
    for link in db.session.scalars(sa.select(SubmissionLink).where(SubmissionLink.enrollment_id == enrollment.id)):
        db.session.delete(link)
    db.session.flush()


def _purge_enrollments(enrollments) -> None:
    for enrollment in enrollments:
        _purge_enrollment_rows(enrollment)
        db.session.delete(enrollment)
    db.session.flush()


def _purge_cohort_rows(cohort: Cohort) -> None:
    """A cohort's enrollments (deleted ones too, with all on them), then its targets, indicators and stages."""
    _purge_enrollments(list(db.session.scalars(including_deleted(
        sa.select(Enrollment).where(Enrollment.cohort_id == cohort.id).order_by(Enrollment.id)))))
    for indicator in cohort.indicators:
        indicator.targets = []
    db.session.flush()
    cohort.indicators = []
    cohort.stages = []
    db.session.flush()


def purge_program_records(record, actor) -> None:
    """Purge handler: a company's enrollments go with everything on them; a purged enrollment's rows go first;
    a purged cohort takes its enrollments, stages and indicators, and a purged programme its cohorts."""
    if isinstance(record, Enrollment):
        _purge_enrollment_rows(record)
    elif isinstance(record, Company):
        _purge_enrollments(_enrollments_of(record.id))
    elif isinstance(record, Cohort):
        _purge_cohort_rows(record)
    elif isinstance(record, Program):
        cohorts = db.session.scalars(including_deleted(sa.select(Cohort).where(Cohort.program_id == record.id)))
        for cohort in list(cohorts):
            _purge_cohort_rows(cohort)
            db.session.delete(cohort)
        db.session.flush()


def check_enrollment_restorable(enrollment: Enrollment, deleted_at) -> None:
    """Restoring an enrollment needs its cohort live and no other live enrollment of the company in it."""
    # The enrollment is already marked live: flushing that before the checks would hit the unique index.
    with db.session.no_autoflush:
        _check_enrollment_restorable(enrollment)


def _check_enrollment_restorable(enrollment: Enrollment) -> None:
    cohort = db.session.scalar(including_deleted(sa.select(Cohort).where(Cohort.id == enrollment.cohort_id)))
    if cohort.is_deleted:
        raise RestoreConflict(_("과정 ‘%(cohort)s’이(가) 삭제되어 있어 참여를 복원할 수 없습니다.", cohort=cohort.name))
    other = sa.select(Enrollment.id).where(Enrollment.cohort_id == enrollment.cohort_id,
                                           Enrollment.company_id == enrollment.company_id,
                                           Enrollment.id != enrollment.id)
    if db.session.scalar(other) is not None:
        raise RestoreConflict(_("이 기업은 과정 ‘%(cohort)s’에 다시 참여해 있어 복원할 수 없습니다.",
                                cohort=cohort.name))


def check_cohort_restorable(cohort: Cohort, deleted_at) -> None:
    """Restoring a cohort needs its programme live."""
    with db.session.no_autoflush:
        program = db.session.scalar(including_deleted(sa.select(Program).where(Program.id == cohort.program_id)))
    if program.is_deleted:
        raise RestoreConflict(_("사업 ‘%(program)s’이(가) 삭제되어 있습니다. 먼저 사업을 복원하세요.",
                                program=program.name))


PROGRAM_TRASH = TrashKind(Program, _l("사업"), describe=lambda program: f"{program.year} {program.name}",
                          of_company=False)
COHORT_TRASH = TrashKind(Cohort, _l("26주 과정"), (joinedload(Cohort.program),),
                         describe=lambda cohort: f"{cohort.program.name} · {cohort.name}",
                         on_restore=check_cohort_restorable, of_company=False)
ENROLLMENT_TRASH = TrashKind(Enrollment, _l("과정 참여"),
                             (joinedload(Enrollment.company), joinedload(Enrollment.cohort)),
                             describe=lambda enrollment: f"{enrollment.cohort.name} · {enrollment.project_title}",
                             on_restore=check_enrollment_restorable)
