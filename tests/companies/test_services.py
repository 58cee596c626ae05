from datetime import date

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.companies import services
from crm.companies.models import Certification, CertificationKind, Company, StageChange
from crm.companies.pipeline import Stage
from crm.companies.services import CompanyFields
from crm.core.errors import RuleError


def test_a_company_created_at_any_stage_records_where_it_started(db, make_company, coordinator):
    company = make_company("이미입점기업", stage=Stage.LISTED)

    [start] = db.session.scalars(sa.select(StageChange).where(StageChange.company_id == company.id)).all()
    assert (start.from_stage, start.to_stage, start.by_id) == (None, Stage.LISTED, coordinator.id)


def test_moving_forward_past_stages_is_recorded_as_a_skip(db, make_company, coordinator):
    company = make_company()

    change = services.move_stage(company, Stage.APPLIED, note=None, actor=coordinator)

    assert (change.from_stage, change.to_stage, change.is_skip) == (Stage.SOURCED, Stage.APPLIED, True)
    assert company.stage is Stage.APPLIED


@pytest.mark.parametrize(("start", "target"), [
    (Stage.CONTACTED, Stage.ON_HOLD), (Stage.GUIDED, Stage.DROPPED), (Stage.GUIDED, Stage.CONTACTED),
])
def test_hold_drop_and_back_moves_need_a_note(db, make_company, coordinator, start, target):
    company = make_company(stage=start)

    with pytest.raises(RuleError) as refused:
        services.move_stage(company, target, note="  ", actor=coordinator)

    assert refused.value.field == "note"
    assert company.stage is start


def test_a_move_the_table_does_not_allow_is_refused(db, make_company, coordinator):
    company = make_company(stage=Stage.APPLIED)

    with pytest.raises(RuleError):
        services.move_stage(company, Stage.SOURCED, note="되돌리기", actor=coordinator)


def test_a_company_on_hold_returns_to_the_stage_it_left_and_a_dropped_one_reopens_at_sourced(db, make_company,
                                                                                             coordinator):
    company = make_company(stage=Stage.GUIDED)
    services.move_stage(company, Stage.ON_HOLD, note="담당자 휴가", actor=coordinator)

    with pytest.raises(RuleError):
        services.move_stage(company, Stage.APPLIED, note=None, actor=coordinator)
    services.move_stage(company, Stage.GUIDED, note=None, actor=coordinator)
    services.move_stage(company, Stage.DROPPED, note="연락 두절", actor=coordinator)
    services.move_stage(company, Stage.SOURCED, note="다시 연락 옴", actor=coordinator)

    assert company.stage is Stage.SOURCED
    assert company.held_from is None


def test_the_old_region_names_are_accepted_and_mapped_to_the_new_ones(db, make_company):
    assert make_company(region="강원도").region_code == "51"
    assert make_company(region="전라북도").region_code == "52"
    assert make_company(region="서울특별시").region_code == "11"
    with pytest.raises(RuleError) as refused:
        make_company(region="서울시 강남구")
    assert refused.value.field == "region"


def test_an_unknown_enterprise_type_is_refused(db, make_company):
    with pytest.raises(RuleError) as refused:
        make_company(enterprise_type="corporation")
    assert refused.value.field == "enterprise_type"


def test_a_business_number_is_unique_among_live_companies_only(db, make_company, coordinator):
    first = make_company(business_number="120-81-47521")
    with pytest.raises(RuleError):
        make_company(business_number="1208147521")
    db.session.rollback()

    services.delete_company(db.session.get(Company, first.id), actor=coordinator)
    db.session.commit()

    assert make_company(business_number="1208147521").business_number == "1208147521"


def test_duplicates_are_found_by_name_alias_or_business_number(db, make_company):
    rainbow = make_company("레인보우팜 주식회사 농업회사법인", aliases=["레인보우팜"], business_number="220-81-62517")
    make_company("다른기업")

    assert services.duplicate_candidates(names=["레인보우팜"]) == [rainbow]
    assert services.duplicate_candidates(names=["(주) 레인보우팜"]) == [rainbow]
    assert services.duplicate_candidates(names=["새 이름"], business_number="2208162517") == [rainbow]
    assert services.duplicate_candidates(names=["없는기업"]) == []


def test_only_coaches_can_be_assigned_as_coaches(db, make_company, coordinator, coach):
    company = make_company()

    with pytest.raises(RuleError):
        services.set_coaches(company, [coordinator.id], actor=coordinator)
    services.set_coaches(company, [coach.id], actor=coordinator)

    assert company.visible_to(coach)


def test_a_pre_social_enterprise_designation_lasts_at_most_three_years(db, make_company, coordinator):
    company = make_company()

    with pytest.raises(RuleError):
        services.add_certification(company, kind=CertificationKind.PRE_REGIONAL, number=None, issuer="강원도",
                                   valid_from=date(2021, 3, 1), valid_to=date(2024, 3, 1), actor=coordinator)
    certification = services.add_certification(company, kind=CertificationKind.PRE_REGIONAL, number=None,
                                               issuer="강원도", valid_from=date(2021, 3, 1),
                                               valid_to=date(2024, 2, 29), actor=coordinator)

    assert certification.has_ended(today=date(2024, 3, 1))
    assert certification.ends_soon(today=date(2023, 12, 1))
    assert not certification.ends_soon(today=date(2023, 11, 1))


def test_every_company_change_is_in_the_audit_log(db, make_company, coordinator):
    company = make_company(aliases=["브랜드"])
    services.update_company(company, CompanyFields(name="새 이름", enterprise_type="cooperative"),
                            version=company.version, actor=coordinator)
    db.session.commit()

    actions = db.session.execute(sa.select(AuditLog.record_type, AuditLog.action).order_by(AuditLog.id)).all()
    assert ("Company", "insert") in actions
    assert ("CompanyAlias", "insert") in actions
    assert ("StageChange", "insert") in actions
    assert ("Company", "update") in actions
    assert ("CompanyAlias", "delete") in actions  # the alias was not given again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certification)) == 0
