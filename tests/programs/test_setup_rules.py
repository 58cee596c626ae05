"""Programme setup rules: cohorts whose stages cover weeks 1..N, indicators with cumulative targets, editing a
cohort without orphaning reported data, enrollments once per cohort, and what merge, purge and the trash do."""
from datetime import date

import pytest
import sqlalchemy as sa

from crm.audit.context import acting_as
from crm.audit.models import AuditAction, AuditLog
from crm.companies import trash
from crm.companies.merge import merge_companies
from crm.core.errors import RuleError, StaleEditError
from crm.core.softdelete import including_deleted, soft_delete
from crm.programs import setup
from crm.programs.models import (
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
    ReportStatus,
    SettlementStatus,
    SubmissionLink,
    WeeklyReport,
)
from crm.programs.setup import IndicatorFields, StageFields

THREE_STAGES = [StageFields("준비", "1", "4"), StageFields("실행", "5", "20"), StageFields("확산", "21", "26")]
TWO_INDICATORS = [IndicatorFields("라이브커머스 횟수", "회", ["0", "3", "5"]),
                  IndicatorFields("매출액", "원", ["0", "5,000,000", "10,000,000"])]


def new_cohort(program, actor, *, stages=THREE_STAGES, indicators=TWO_INDICATORS, weeks="26", **fields) -> Cohort:
    arguments = {"program_id": program.id, "name": "2021 공동판로개척", "start_on": date(2021, 5, 3), "weeks": weeks,
                 "stages": stages, "indicators": indicators}
    arguments.update(fields)
    return setup.create_cohort(**arguments, actor=actor)


def count(db, model) -> int:
    return db.session.scalar(including_deleted(sa.select(sa.func.count()).select_from(model)))


def rows_as_fields(cohort: Cohort) -> tuple[list[StageFields], list[IndicatorFields]]:
    """The cohort as its edit form sends it back unchanged."""
    stages = sorted(cohort.stages, key=lambda stage: stage.first_week)
    stage_rows = [StageFields(stage.name, str(stage.first_week), str(stage.last_week), id=stage.id)
                  for stage in stages]
    indicator_rows = []
    for indicator in cohort.indicators:
        by_stage = {target.stage_id: target.value for target in indicator.targets}
        indicator_rows.append(IndicatorFields(indicator.name, indicator.unit, [str(by_stage[s.id]) for s in stages],
                                              id=indicator.id))
    return stage_rows, indicator_rows


def reload(db, model, record_id):
    db.session.expire_all()
    return db.session.scalar(including_deleted(sa.select(model).where(model.id == record_id)))


def add_report(db, enrollment, week: int, values: dict | None = None) -> WeeklyReport:
    report = WeeklyReport(enrollment_id=enrollment.id, week=week, work_done="(예시) 수행", status=ReportStatus.ON_TRACK)
    db.session.add(report)
    db.session.flush()
    for indicator, value in (values or {}).items():
        db.session.add(IndicatorValue(report_id=report.id, indicator_id=indicator.id, value=value))
    db.session.commit()
    return report


@pytest.fixture
def program(make_program):
    return make_program("지역·업종별 사회적경제 공동판로개척 지원사업")


# --- creating a cohort --------------------------------------------------------------------------------------

def test_a_cohort_is_created_with_three_stages_and_two_indicators_with_a_target_per_stage(db, program, coordinator):
    cohort = new_cohort(program, coordinator)
    db.session.commit()

    cohort = reload(db, Cohort, cohort.id)
    assert [(s.name, s.first_week, s.last_week) for s in cohort.stages] == [("준비", 1, 4), ("실행", 5, 20),
                                                                           ("확산", 21, 26)]
    sales = cohort.indicators[1]
    assert (sales.name, sales.unit) == ("매출액", "원")
    by_stage = {target.stage.name: target.value for target in sales.targets}
    assert by_stage == {"준비": 0, "실행": 5_000_000, "확산": 10_000_000}
    audited = set(db.session.scalars(sa.select(AuditLog.record_type).where(AuditLog.action == AuditAction.INSERT)))
    assert {"Cohort", "CohortStage", "Indicator", "IndicatorTarget"} <= audited


def test_stage_rows_may_come_in_any_order(db, program, coordinator):
    stages = [THREE_STAGES[2], THREE_STAGES[0], THREE_STAGES[1]]
    indicators = [IndicatorFields("신규 판로 수", "곳", ["3", "0", "1"])]

    cohort = new_cohort(program, coordinator, stages=stages, indicators=indicators)

    targets = {t.stage.name: t.value for t in reload(db, Cohort, cohort.id).indicators[0].targets}
    assert targets == {"준비": 0, "실행": 1, "확산": 3}


@pytest.mark.parametrize("stages, message, field", [
    ([StageFields("준비", "1", "2"), StageFields("실행", "5", "26")], "3주차가 어느 단계에도 없습니다",
     "stages-1-first_week"),
    ([StageFields("준비", "1", "5"), StageFields("실행", "5", "26")], "5주차가 두 단계에 겹칩니다",
     "stages-1-first_week"),
    ([StageFields("준비", "2", "26")], "1주차가 어느 단계에도 없습니다", "stages-0-first_week"),
    ([StageFields("준비", "1", "20")], "21주차가 어느 단계에도 없습니다", "stages-0-last_week"),
    ([StageFields("준비", "1", "27")], "27주차는 과정 기간(26주) 밖입니다", "stages-0-last_week"),
    ([StageFields("준비", "0", "26")], "1부터", "stages-0-first_week"),
    ([StageFields("준비", "10", "5")], "앞섭니다", "stages-0-last_week"),
    ([StageFields("", "1", "26")], "단계 이름", "stages-0-name"),
    ([StageFields("준비", "1주", "26")], "정수", "stages-0-first_week"),
    ([], "단계를 하나 이상", "stages-0-name"),
])
def test_stages_that_do_not_cover_weeks_1_to_n_exactly_are_refused_and_nothing_is_stored(db, program, coordinator,
                                                                                         stages, message, field):
    with pytest.raises(RuleError) as refused:
        new_cohort(program, coordinator, stages=stages, indicators=[])
    db.session.rollback()

    assert message in refused.value.message and refused.value.field == field
    assert count(db, Cohort) == 0 and count(db, CohortStage) == 0


@pytest.mark.parametrize("weeks, message", [("0", "1~104"), ("105", "너무 큽니다"), ("-3", "0 이상"),
                                            ("", "입력하세요"), ("26.5", "정수")])
def test_a_length_outside_1_to_104_weeks_is_refused(db, program, coordinator, weeks, message):
    with pytest.raises(RuleError) as refused:
        new_cohort(program, coordinator, weeks=weeks, stages=[StageFields("전체", "1", "26")], indicators=[])

    assert message in refused.value.message and refused.value.field == "weeks"


@pytest.mark.parametrize("indicators, message, field", [
    ([IndicatorFields("매출액", "원", ["0", "-5", "10"])], "0 이상", "indicators-0-targets-1"),
    ([IndicatorFields("매출액", "원", ["0", "1.5", "10"])], "정수", "indicators-0-targets-1"),
    ([IndicatorFields("매출액", "원", ["0", "", "10"])], "입력하세요", "indicators-0-targets-1"),
    ([IndicatorFields("매출액", "원", ["0", "9", "5"])], "줄어들 수 없습니다", "indicators-0-targets-2"),
    ([IndicatorFields("매출액", "", ["0", "1", "2"])], "단위", "indicators-0-unit"),
    ([IndicatorFields("", "원", ["0", "1", "2"])], "지표 이름", "indicators-0-name"),
    ([IndicatorFields("매출액", "원", ["0", "1", "2"]), IndicatorFields("매출 액", "만원", ["0", "1", "2"])],
     "두 번", "indicators-1-name"),
    ([IndicatorFields("매출액", "원", ["0", "1", "10000000000000"])], "너무 큽니다", "indicators-0-targets-2"),
])
def test_bad_indicators_are_refused_beside_their_field(db, program, coordinator, indicators, message, field):
    with pytest.raises(RuleError) as refused:
        new_cohort(program, coordinator, indicators=indicators)
    db.session.rollback()

    assert message in refused.value.message and refused.value.field == field
    assert count(db, Indicator) == 0


def test_blank_rows_are_ignored(db, program, coordinator):
    cohort = new_cohort(program, coordinator, stages=[*THREE_STAGES, StageFields("", "", "")],
                        indicators=[*TWO_INDICATORS, IndicatorFields("", "", ["", "", "", ""])])

    assert len(reload(db, Cohort, cohort.id).stages) == 3 and count(db, Indicator) == 2


def test_a_new_row_marked_for_removal_is_not_added(db, program, coordinator):
    cohort = new_cohort(program, coordinator, stages=[*THREE_STAGES, StageFields("덤", "27", "30", remove=True)],
                        indicators=[*TWO_INDICATORS, IndicatorFields("덤", "개", ["1", "1", "1"], remove=True)])

    cohort = reload(db, Cohort, cohort.id)
    assert len(cohort.stages) == 3 and len(cohort.indicators) == 2


# --- editing a cohort ---------------------------------------------------------------------------------------

def test_editing_keeps_the_ids_of_stages_and_indicators_so_values_stay_attached(db, program, coordinator,
                                                                                make_enrollment):
    cohort = new_cohort(program, coordinator)
    db.session.commit()
    enrollment = make_enrollment(cohort=cohort)
    add_report(db, enrollment, 2, {cohort.indicators[0]: 1})
    stage_ids = [stage.id for stage in cohort.stages]
    indicator_ids = [indicator.id for indicator in cohort.indicators]
    stages, indicators = rows_as_fields(cohort)
    stages[0].last_week, stages[1].first_week, stages[0].name = "6", "7", "준비·교육"
    indicators[0].targets[2] = "8"

    setup.update_cohort(cohort, version=cohort.version, program_id=program.id, name=cohort.name,
                        start_on=cohort.start_on, weeks="26", stages=stages, indicators=indicators, actor=coordinator)
    db.session.commit()

    cohort = reload(db, Cohort, cohort.id)
    assert [stage.id for stage in cohort.stages] == stage_ids
    assert [(s.name, s.first_week, s.last_week) for s in cohort.stages][:2] == [("준비·교육", 1, 6), ("실행", 7, 20)]
    assert [indicator.id for indicator in cohort.indicators] == indicator_ids
    assert db.session.scalar(sa.select(IndicatorValue.indicator_id)) == indicator_ids[0]
    assert cohort.version == 2


def test_removing_a_stage_removes_its_targets_and_the_rest_must_still_cover_the_weeks(db, program, coordinator):
    cohort = new_cohort(program, coordinator)
    db.session.commit()
    stages, indicators = rows_as_fields(cohort)
    stages[2].remove = True
    stages[1].last_week = "26"

    setup.update_cohort(cohort, version=cohort.version, program_id=program.id, name=cohort.name,
                        start_on=cohort.start_on, weeks="26", stages=stages, indicators=indicators, actor=coordinator)
    db.session.commit()

    cohort = reload(db, Cohort, cohort.id)
    assert [stage.name for stage in cohort.stages] == ["준비", "실행"]
    assert count(db, IndicatorTarget) == 4


def test_shrinking_below_a_reported_week_is_refused(db, program, coordinator, make_enrollment):
    cohort = new_cohort(program, coordinator)
    db.session.commit()
    add_report(db, make_enrollment(cohort=cohort), 25)
    stages, indicators = rows_as_fields(cohort)
    stages[2].last_week = "24"

    with pytest.raises(RuleError) as refused:
        setup.update_cohort(cohort, version=cohort.version, program_id=program.id, name=cohort.name,
                            start_on=cohort.start_on, weeks="24", stages=stages, indicators=indicators,
                            actor=coordinator)
    db.session.rollback()

    assert "25주차 보고가 있어" in refused.value.message and refused.value.field == "weeks"
    assert reload(db, Cohort, cohort.id).weeks == 26


def test_removing_an_indicator_with_values_is_refused_but_one_without_values_goes(db, program, coordinator,
                                                                                  make_enrollment):
    cohort = new_cohort(program, coordinator)
    db.session.commit()
    add_report(db, make_enrollment(cohort=cohort), 1, {cohort.indicators[0]: 2})
    stages, indicators = rows_as_fields(cohort)
    indicators[0].remove = True

    with pytest.raises(RuleError) as refused:
        setup.update_cohort(cohort, version=cohort.version, program_id=program.id, name=cohort.name,
                            start_on=cohort.start_on, weeks="26", stages=stages, indicators=indicators,
                            actor=coordinator)
    db.session.rollback()
    assert "라이브커머스 횟수" in refused.value.message and refused.value.field == "indicators-0-name"

    cohort = reload(db, Cohort, cohort.id)
    stages, indicators = rows_as_fields(cohort)
    indicators[1].remove = True
    setup.update_cohort(cohort, version=cohort.version, program_id=program.id, name=cohort.name,
                        start_on=cohort.start_on, weeks="26", stages=stages, indicators=indicators, actor=coordinator)
    db.session.commit()
    assert [indicator.name for indicator in reload(db, Cohort, cohort.id).indicators] == ["라이브커머스 횟수"]


def test_a_stale_cohort_edit_is_refused(db, program, coordinator):
    cohort = new_cohort(program, coordinator)
    db.session.commit()
    stages, indicators = rows_as_fields(cohort)

    with pytest.raises(StaleEditError):
        setup.update_cohort(cohort, version=cohort.version + 1, program_id=program.id, name="다른 이름",
                            start_on=cohort.start_on, weeks="26", stages=stages, indicators=indicators,
                            actor=coordinator)


def test_a_row_id_of_another_cohort_is_refused(db, program, coordinator):
    cohort = new_cohort(program, coordinator)
    other = new_cohort(program, coordinator, name="다른 과정")
    db.session.commit()
    stages, indicators = rows_as_fields(cohort)
    stages[0].id = other.stages[0].id

    with pytest.raises(RuleError) as refused:
        setup.update_cohort(cohort, version=cohort.version, program_id=program.id, name=cohort.name,
                            start_on=cohort.start_on, weeks="26", stages=stages, indicators=indicators,
                            actor=coordinator)

    assert "이 과정의 단계가 아닙니다" in refused.value.message


def test_a_cohort_with_enrollments_cannot_be_deleted_and_a_programme_with_cohorts_neither(db, program, coordinator,
                                                                                         make_enrollment):
    cohort = new_cohort(program, coordinator)
    db.session.commit()
    make_enrollment(cohort=cohort)

    with pytest.raises(RuleError):
        setup.delete_cohort(cohort, actor=coordinator)
    with pytest.raises(RuleError):
        setup.delete_program(program, actor=coordinator)


# --- programmes ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year, message", [("1999", "2000~2100"), ("2101", "너무 큽니다"), ("이천", "정수"),
                                           ("-2021", "0 이상")])
def test_a_programme_year_outside_2000_to_2100_is_refused(db, coordinator, year, message):
    with pytest.raises(RuleError) as refused:
        setup.create_program(year=year, name="신규 채널", actor=coordinator)

    assert message in refused.value.message and refused.value.field == "year"


def test_a_programme_owner_must_be_a_coordinator_or_an_admin(db, coordinator, coach):
    with pytest.raises(RuleError) as refused:
        setup.create_program(year="2021", name="신규 채널", owner_id=coach.id, actor=coordinator)

    assert refused.value.field == "owner_id"


def test_programmes_are_numbered_in_order_within_their_year(db, coordinator):
    first = setup.create_program(year="2021", name="가", actor=coordinator)
    second = setup.create_program(year="2021", name="나", actor=coordinator)

    assert (first.sort_order, second.sort_order) == (1, 2)


def test_a_stale_programme_edit_is_refused_and_a_fresh_one_is_audited(db, coordinator):
    program = setup.create_program(year="2021", name="가", actor=coordinator)
    db.session.commit()

    with pytest.raises(StaleEditError):
        setup.update_program(program, version=program.version + 1, year="2021", name="나", actor=coordinator)
    setup.update_program(program, version=program.version, year="2021", name="나", actor=coordinator)
    db.session.commit()

    update = db.session.scalar(sa.select(AuditLog).where(AuditLog.record_type == "Program",
                                                         AuditLog.action == AuditAction.UPDATE))
    assert update.changes["name"] == ["가", "나"]
    assert reload(db, Program, program.id).name == "나"


# --- enrollments --------------------------------------------------------------------------------------------

def test_a_company_is_enrolled_with_its_project_and_budget(db, make_cohort, make_company, coordinator):
    cohort, company = make_cohort(), make_company("㈜공공디자인이즘")

    with acting_as(coordinator):
        enrollment = setup.enroll_company(cohort, company.id, " 공생공작 쇼핑라이브 ", "10,000,000", actor=coordinator)
        db.session.commit()

    enrollment = reload(db, Enrollment, enrollment.id)
    assert (enrollment.company_id, enrollment.project_title, enrollment.budget, enrollment.status) == \
        (company.id, "공생공작 쇼핑라이브", 10_000_000, EnrollmentStatus.ACTIVE)
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.record_type == "Enrollment"))
    assert (audit.action, audit.actor_id) == (AuditAction.INSERT, coordinator.id)


@pytest.mark.parametrize("title, budget, field, message", [
    ("", "1000", "project_title", "입력하세요"),
    ("라이브", "-5", "budget", "0 이상"),
    ("라이브", "1.5", "budget", "정수"),
    ("라이브", "99,999,999,999", "budget", "너무 큽니다"),
])
def test_a_blank_title_or_a_bad_budget_is_refused(db, make_cohort, make_company, coordinator, title, budget, field,
                                                  message):
    cohort, company = make_cohort(), make_company()

    with pytest.raises(RuleError) as refused:
        setup.enroll_company(cohort, company.id, title, budget, actor=coordinator)
    db.session.rollback()

    assert refused.value.field == field and message in refused.value.message
    assert count(db, Enrollment) == 0


def test_a_company_already_in_the_cohort_is_refused_but_may_come_back_after_a_delete(db, make_cohort, make_company,
                                                                                     coordinator):
    cohort, company = make_cohort(), make_company("들애초")
    first = setup.enroll_company(cohort, company.id, "순회판매", None, actor=coordinator)
    db.session.commit()

    with pytest.raises(RuleError) as refused:
        setup.enroll_company(cohort, company.id, "두 번째", None, actor=coordinator)
    db.session.rollback()
    assert "이미 이 과정에 참여" in refused.value.message and refused.value.field == "company_id"

    setup.delete_enrollment(reload(db, Enrollment, first.id), actor=coordinator)
    setup.enroll_company(reload(db, Cohort, cohort.id), company.id, "다시", None, actor=coordinator)
    db.session.commit()
    assert count(db, Enrollment) == 2


def test_a_deleted_or_unknown_company_is_refused(db, make_cohort, make_company, coordinator):
    cohort, company = make_cohort(), make_company()
    soft_delete(company, actor=coordinator)
    db.session.commit()

    for company_id in (company.id, 9999, None, -1):
        with pytest.raises(RuleError) as refused:
            setup.enroll_company(cohort, company_id, "라이브", None, actor=coordinator)
        assert refused.value.field == "company_id"
    assert count(db, Enrollment) == 0


def enrollment_fields(**changes) -> dict:
    """Every field of the enrollment form: an active enrollment with a budget and nothing reported yet."""
    fields = {"project_title": "라이브", "budget": "10,000,000", "status": "active",
              "final_report_status": "not_submitted", "final_report_submitted_on": None, "final_report_comment": None,
              "settlement_status": "not_started", "settlement_amount": None, "settlement_comment": None}
    fields.update(changes)
    return fields


def test_an_enrollment_records_its_final_report_and_settlement(db, make_enrollment, coordinator):
    enrollment = make_enrollment(budget=10_000_000)

    setup.update_enrollment(enrollment, version=enrollment.version, **enrollment_fields(
        project_title="공생공작 쇼핑라이브", status="completed", final_report_status="reviewed",
        final_report_submitted_on=date(2021, 11, 25), final_report_comment="보완 없음", settlement_status="settled",
        settlement_amount="9,800,000", settlement_comment="잔액 반납"), actor=coordinator)
    db.session.commit()

    enrollment = reload(db, Enrollment, enrollment.id)
    assert (enrollment.status, enrollment.final_report_status, enrollment.final_report_submitted_on,
            enrollment.settlement_status, enrollment.settlement_amount) == \
        (EnrollmentStatus.COMPLETED, FinalReportStatus.REVIEWED, date(2021, 11, 25), SettlementStatus.SETTLED,
         9_800_000)


@pytest.mark.parametrize("changes, field", [
    ({"final_report_status": "submitted"}, "final_report_submitted_on"),
    ({"final_report_submitted_on": date(2021, 11, 25)}, "final_report_submitted_on"),
    ({"final_report_status": "submitted", "final_report_submitted_on": date(2999, 1, 1)},
     "final_report_submitted_on"),
    ({"settlement_amount": "-1"}, "settlement_amount"),
    ({"settlement_amount": "10,000,001"}, "settlement_amount"),
    ({"settlement_status": "settled"}, "settlement_amount"),
    ({"status": "finished"}, "status"),
])
def test_inconsistent_final_reports_and_settlements_are_refused(db, make_enrollment, coordinator, changes, field):
    enrollment = make_enrollment(budget=10_000_000)

    with pytest.raises(RuleError) as refused:
        setup.update_enrollment(enrollment, version=enrollment.version, **enrollment_fields(**changes),
                                actor=coordinator)

    assert refused.value.field == field


def test_a_stale_enrollment_edit_is_refused(db, make_enrollment, coordinator):
    enrollment = make_enrollment()

    with pytest.raises(StaleEditError):
        setup.update_enrollment(enrollment, version=enrollment.version + 1, **enrollment_fields(), actor=coordinator)


def test_deleting_an_enrollment_hides_it_and_revokes_its_links(db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    db.session.add(SubmissionLink(enrollment_id=enrollment.id, secret_hash="0" * 64,
                                  expires_at=setup.utcnow().replace(year=2999)))
    db.session.commit()

    setup.delete_enrollment(enrollment, actor=coordinator)
    db.session.commit()

    assert reload(db, Enrollment, enrollment.id).is_deleted
    link = db.session.scalar(sa.select(SubmissionLink))
    assert link.revoked_at is not None and link.revoked_by_id == coordinator.id


# --- merge, purge, trash ------------------------------------------------------------------------------------

def test_merging_moves_the_absorbed_companys_enrollments_to_the_survivor(db, make_cohort, make_company,
                                                                         make_enrollment, coordinator):
    survivor, absorbed = make_company("레인보우팜 주식회사 농업회사법인"), make_company("레인보우팜")
    enrollment = make_enrollment(cohort=make_cohort(), company=absorbed)

    merge_companies(survivor, absorbed, actor=coordinator)
    db.session.commit()

    assert reload(db, Enrollment, enrollment.id).company_id == survivor.id


def test_merging_two_companies_of_one_cohort_is_refused(db, make_cohort, make_company, make_enrollment, coordinator):
    cohort = make_cohort()
    survivor, absorbed = make_company("가"), make_company("나")
    make_enrollment(cohort=cohort, company=survivor)
    theirs = make_enrollment(cohort=cohort, company=absorbed)

    with pytest.raises(RuleError) as refused:
        merge_companies(survivor, absorbed, actor=coordinator)
    db.session.rollback()

    assert "테스트 기수" in refused.value.message
    assert reload(db, Enrollment, theirs.id).company_id == absorbed.id


def test_purging_a_company_deletes_its_enrollments_with_reports_values_comments_and_links(db, make_cohort,
                                                                                          make_company,
                                                                                          make_enrollment, admin):
    cohort, company = make_cohort(), make_company()
    enrollment = make_enrollment(cohort=cohort, company=company)
    link = SubmissionLink(enrollment_id=enrollment.id, secret_hash="0" * 64, expires_at=setup.utcnow())
    db.session.add(link)
    db.session.flush()
    report = add_report(db, enrollment, 1, {cohort.indicators[0]: 1})
    report.submitted_via_link_id = link.id
    db.session.add(ReportComment(report_id=report.id, author_id=admin.id, body="확인"))
    soft_delete(company, actor=admin)
    db.session.commit()

    trash.purge_record(reload(db, type(company), company.id), actor=admin)
    db.session.commit()

    for model in (Enrollment, WeeklyReport, IndicatorValue, ReportComment, SubmissionLink):
        assert count(db, model) == 0, model
    deleted = set(db.session.scalars(sa.select(AuditLog.record_type).where(AuditLog.action == AuditAction.DELETE)))
    assert {"Enrollment", "WeeklyReport", "IndicatorValue", "ReportComment", "SubmissionLink"} <= deleted


def test_an_admin_restores_a_deleted_enrollment_from_the_trash(db, make_enrollment, admin):
    enrollment = make_enrollment()
    setup.delete_enrollment(enrollment, actor=admin)
    db.session.commit()

    record = trash.deleted_record("enrollment", enrollment.id)
    trash.restore_record(record, actor=admin)
    db.session.commit()

    assert not reload(db, Enrollment, enrollment.id).is_deleted


def test_restoring_is_refused_when_the_company_enrolled_again(db, make_cohort, make_company, make_enrollment, admin):
    cohort, company = make_cohort(), make_company()
    old = make_enrollment(cohort=cohort, company=company)
    setup.delete_enrollment(old, actor=admin)
    db.session.commit()
    make_enrollment(cohort=cohort, company=company)

    with pytest.raises(trash.RestoreConflict):
        trash.restore_record(trash.deleted_record("enrollment", old.id), actor=admin)
    db.session.rollback()

    assert reload(db, Enrollment, old.id).is_deleted


def test_an_admin_restores_a_deleted_programme_and_then_its_deleted_cohort(db, program, make_cohort, admin):
    cohort = make_cohort(program=program)
    setup.delete_cohort(cohort, actor=admin)
    setup.delete_program(program, actor=admin)
    db.session.commit()

    with pytest.raises(trash.RestoreConflict):
        trash.restore_record(trash.deleted_record("cohort", cohort.id), actor=admin)
    db.session.rollback()
    trash.restore_record(trash.deleted_record("program", program.id), actor=admin)
    trash.restore_record(trash.deleted_record("cohort", cohort.id), actor=admin)
    db.session.commit()

    assert not reload(db, Program, program.id).is_deleted and not reload(db, Cohort, cohort.id).is_deleted


def test_purging_a_programme_removes_its_deleted_cohorts_with_everything_on_them(db, program, make_cohort,
                                                                               make_enrollment, admin):
    cohort = make_cohort(program=program)
    enrollment = make_enrollment(cohort=cohort)
    add_report(db, enrollment, 1, {cohort.indicators[0]: 1})
    setup.delete_enrollment(enrollment, actor=admin)
    setup.delete_cohort(reload(db, Cohort, cohort.id), actor=admin)
    setup.delete_program(reload(db, Program, program.id), actor=admin)
    db.session.commit()

    trash.purge_record(trash.deleted_record("program", program.id), actor=admin)
    db.session.commit()

    for model in (Program, Cohort, CohortStage, Indicator, IndicatorTarget, Enrollment, WeeklyReport, IndicatorValue):
        assert count(db, model) == 0, model
