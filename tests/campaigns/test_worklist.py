"""/campaigns/unlisted: companies taking part but not yet listed; moving those at 발굴/연락 to 입점안내."""
import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.campaigns.models import ParticipationStatus
from crm.companies.models import Company, StageChange
from crm.companies.pipeline import Stage
from crm.companies.services import move_stage

URL = "/campaigns/unlisted"


def stage_of(db, company) -> Stage:
    db.session.expire_all()
    return db.session.get(Company, company.id).stage


def moves_to_guided(db) -> list[int]:
    return list(db.session.scalars(sa.select(StageChange.company_id).where(StageChange.to_stage == Stage.GUIDED)
                                   .order_by(StageChange.company_id)))


def listed_names(response) -> list[str]:
    return [row.split("</a>")[0].rsplit(">", 1)[1]
            for row in response.text.split('data-testid="unlisted-company"')[1:]]


def test_the_list_holds_companies_before_listing_that_take_part_in_a_campaign_or_a_cohort(
        db, client_as, coordinator, make_company, make_participation, make_enrollment):
    in_campaign = make_company("캠페인기업", stage=Stage.CONTACTED)
    in_cohort = make_company("과정기업", stage=Stage.APPLIED)
    listed = make_company("입점기업", stage=Stage.LISTED)
    withdrawn = make_company("철회기업")
    make_company("참여없는기업")
    make_participation(company=in_campaign)
    make_participation(company=listed)
    make_participation(company=withdrawn, status=ParticipationStatus.WITHDRAWN)
    make_enrollment(company=in_cohort, project_title="공생공작 쇼핑라이브")

    response = client_as(coordinator).get(URL)

    assert response.status_code == 200
    assert listed_names(response) == ["캠페인기업", "과정기업"]
    assert "공생공작 쇼핑라이브" in response.text


def test_a_checked_batch_moves_each_company_to_guided_with_a_stage_change_and_an_audit_row(
        db, client_as, coordinator, make_company, make_participation):
    first, second = make_company("가기업"), make_company("나기업", stage=Stage.CONTACTED)
    for company in (first, second):
        make_participation(company=company)

    response = client_as(coordinator).post(URL + "/guide", data={
        "company_id": [str(first.id), str(second.id)], f"stage-{first.id}": "sourced",
        f"stage-{second.id}": "contacted"})

    assert response.status_code == 302
    assert stage_of(db, first) is stage_of(db, second) is Stage.GUIDED
    changes = db.session.scalars(sa.select(StageChange).where(StageChange.to_stage == Stage.GUIDED)
                                 .order_by(StageChange.company_id)).all()
    assert [(c.company_id, c.from_stage, c.is_skip, c.by_id) for c in changes] == [
        (first.id, Stage.SOURCED, True, coordinator.id), (second.id, Stage.CONTACTED, False, coordinator.id)]
    audited = db.session.scalars(sa.select(AuditLog.record_id).where(
        AuditLog.record_type == "StageChange", AuditLog.action == "insert", AuditLog.actor_id == coordinator.id,
        AuditLog.record_id.in_([str(c.id) for c in changes]))).all()
    assert len(audited) == 2


def test_a_single_button_moves_only_its_company_even_with_others_checked(db, client_as, coordinator, make_company,
                                                                         make_participation):
    chosen, checked = make_company("가기업"), make_company("나기업")
    for company in (chosen, checked):
        make_participation(company=company)

    response = client_as(coordinator).post(URL + "/guide", data={
        "only": str(chosen.id), "company_id": [str(checked.id)], f"stage-{chosen.id}": "sourced",
        f"stage-{checked.id}": "sourced"})

    assert response.status_code == 302
    assert (stage_of(db, chosen), stage_of(db, checked)) == (Stage.GUIDED, Stage.SOURCED)


def test_a_batch_with_a_company_moved_meanwhile_moves_nobody_and_says_who(db, client_as, coordinator, make_company,
                                                                          make_participation):
    first, moved = make_company("가기업"), make_company("나기업")
    for company in (first, moved):
        make_participation(company=company)
    move_stage(moved, Stage.CONTACTED, note=None, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(URL + "/guide", data={
        "company_id": [str(first.id), str(moved.id)], f"stage-{first.id}": "sourced", f"stage-{moved.id}": "sourced"})

    assert response.status_code == 409
    assert "나기업의 단계가 그사이 연락(으)로 바뀌었습니다" in response.text
    assert stage_of(db, first) is Stage.SOURCED
    assert moves_to_guided(db) == []


def test_a_company_past_contacted_is_not_moved(db, client_as, coordinator, make_company, make_participation):
    applied = make_company("신청기업", stage=Stage.APPLIED)
    make_participation(company=applied)

    response = client_as(coordinator).post(URL + "/guide", data={"company_id": [str(applied.id)],
                                                                 f"stage-{applied.id}": "applied"})

    assert response.status_code == 422
    assert stage_of(db, applied) is Stage.APPLIED


@pytest.mark.parametrize("data", [{}, {"company_id": ["999999"], "stage-999999": "sourced"}])
def test_nothing_chosen_or_a_company_not_on_the_list_is_refused(db, client_as, coordinator, data):
    response = client_as(coordinator).post(URL + "/guide", data=data)

    assert response.status_code == 422
    assert moves_to_guided(db) == []


def test_a_coach_may_neither_see_the_list_nor_move_anyone(db, client_as, coach, make_company, make_participation):
    company = make_company(coaches=[coach])
    make_participation(company=company)
    client = client_as(coach)

    page = client.get(URL)
    move = client.post(URL + "/guide", data={"company_id": [str(company.id)], f"stage-{company.id}": "sourced"})

    assert page.status_code == move.status_code == 403
    assert stage_of(db, company) is Stage.SOURCED


def test_the_list_issues_the_same_number_of_statements_for_few_and_many_companies(
        db, client_as, make_user, make_company, make_participation, make_enrollment, make_cohort, count_queries):
    client = client_as(make_user(Role.COORDINATOR))
    cohort = make_cohort()

    def add(count: int) -> None:
        for _number in range(count):
            company = make_company()
            make_participation(company=company)
            make_enrollment(cohort, company)

    def statements() -> int:
        with count_queries() as counter:
            assert client.get(URL).status_code == 200
        return counter.count

    add(2)
    few = statements()
    add(20)

    assert statements() == few
