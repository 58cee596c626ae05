"""Participations: adding companies from the filtered company list, selecting applicants as a batch, the status
table, and what happens to participations when companies are merged or purged."""
import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.campaigns import services
from crm.campaigns.models import Participation, ParticipationChange, ParticipationStatus
from crm.companies.merge import merge_companies
from crm.companies.services import delete_company
from crm.companies.trash import purge_record
from crm.core.errors import RuleError

P = ParticipationStatus


def participations(db, campaign) -> list[Participation]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Participation).where(Participation.campaign_id == campaign.id)
                                   .order_by(Participation.id)))


def changes(db, participation) -> list[tuple]:
    rows = db.session.scalars(sa.select(ParticipationChange).where(ParticipationChange.participation_id
                                                                   == participation.id)
                              .order_by(ParticipationChange.id))
    return [(row.from_status, row.to_status, row.note) for row in rows]


# Adding companies ----------------------------------------------------------------------------------------------


def test_the_add_page_lists_the_filtered_companies_with_those_already_in_the_campaign_disabled(
        db, client_as, coordinator, make_campaign, make_company, make_participation):
    campaign = make_campaign()
    inside = make_company("샐러드보울")
    make_company("매일생선")
    make_company("달다쿠")
    make_participation(campaign, inside)

    response = client_as(coordinator).get(f"/campaigns/{campaign.id}/participants/add?q=샐러드")

    assert response.status_code == 200
    assert "샐러드보울" in response.text
    assert "매일생선" not in response.text
    assert f'value="{inside.id}" id="company-{inside.id}"\n                 disabled' in response.text


def test_a_coordinator_adds_the_checked_companies_as_applicants_with_history(db, client_as, coordinator,
                                                                            make_campaign, make_company):
    campaign = make_campaign()
    first, second = make_company("샐러드보울"), make_company("매일생선")

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/participants/add",
                                           data={"company_ids": [str(first.id), str(second.id)]})

    assert response.status_code == 302
    added = participations(db, campaign)
    assert [(p.company_id, p.status) for p in added] == [(first.id, P.APPLIED), (second.id, P.APPLIED)]
    assert changes(db, added[0]) == [(None, P.APPLIED, None)]
    audited = db.session.scalars(sa.select(AuditLog.actor_id).where(AuditLog.record_type == "Participation"))
    assert list(audited) == [coordinator.id, coordinator.id]


def test_adding_a_company_already_in_the_campaign_adds_none_and_names_it(db, client_as, coordinator,
                                                                        make_campaign, make_company,
                                                                        make_participation):
    campaign = make_campaign()
    inside, new = make_company("샐러드보울"), make_company("매일생선")
    make_participation(campaign, inside)

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/participants/add",
                                           data={"company_ids": [str(new.id), str(inside.id)]})

    assert response.status_code == 422
    assert "이미 이 캠페인에 있는 기업입니다: 샐러드보울" in response.text
    assert [p.company_id for p in participations(db, campaign)] == [inside.id]


def test_adding_a_deleted_company_is_refused_by_name(db, client_as, coordinator, make_campaign, make_company):
    campaign = make_campaign()
    gone = make_company("사라진기업")
    delete_company(gone, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/participants/add",
                                           data={"company_ids": [str(gone.id)]})

    assert response.status_code == 422
    assert "삭제된 기업 ‘사라진기업’" in response.text
    assert participations(db, campaign) == []


def test_adding_nothing_is_refused(db, client_as, coordinator, make_campaign):
    campaign = make_campaign()

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/participants/add", data={})

    assert response.status_code == 422
    assert "추가할 기업을 선택하세요." in response.text


# Selecting applicants --------------------------------------------------------------------------------------------


@pytest.fixture
def applicants(make_campaign, make_company, make_participation):
    campaign = make_campaign()
    rows = [make_participation(campaign, make_company(name), status=P.APPLIED)
            for name in ("샐러드보울", "매일생선", "달다쿠")]
    return campaign, rows


def test_selecting_two_of_three_applicants_leaves_the_third_applied(db, client_as, coordinator, applicants):
    campaign, (salad, fish, sweet) = applicants

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/selection",
                                           data={"participation_ids": [str(salad.id), str(fish.id)]})

    assert response.status_code == 302
    assert [p.status for p in participations(db, campaign)] == [P.SELECTED, P.SELECTED, P.APPLIED]
    assert changes(db, salad) == [(P.APPLIED, P.SELECTED, None)]


def test_selecting_with_rejection_withdraws_the_others_noted_as_not_selected(db, client_as, coordinator,
                                                                            applicants):
    campaign, (salad, _fish, sweet) = applicants

    client_as(coordinator).post(f"/campaigns/{campaign.id}/selection",
                                data={"participation_ids": [str(salad.id)], "reject_others": "y"})

    assert [p.status for p in participations(db, campaign)] == [P.SELECTED, P.WITHDRAWN, P.WITHDRAWN]
    assert changes(db, sweet) == [(P.APPLIED, P.WITHDRAWN, "미선정")]


def test_selecting_nobody_or_a_company_not_applied_is_refused_and_nothing_moves(db, client_as, coordinator,
                                                                                applicants, make_participation):
    campaign, (salad, _fish, _sweet) = applicants
    other = make_participation()
    client = client_as(coordinator)

    nobody = client.post(f"/campaigns/{campaign.id}/selection", data={})
    foreign = client.post(f"/campaigns/{campaign.id}/selection",
                          data={"participation_ids": [str(salad.id), str(other.id)]})

    assert nobody.status_code == 422
    assert "선정할 신청 기업을 고르세요." in nobody.text
    assert foreign.status_code == 422
    assert "신청 상태인 이 캠페인의 기업만 선정할 수 있습니다." in foreign.text
    assert [p.status for p in participations(db, campaign)] == [P.APPLIED] * 3


# The status table ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "to"), [
    (P.APPLIED, P.SELECTED), (P.SELECTED, P.PARTICIPATING), (P.PARTICIPATING, P.COMPLETED),
    (P.APPLIED, P.WITHDRAWN), (P.SELECTED, P.WITHDRAWN), (P.PARTICIPATING, P.WITHDRAWN),
    (P.WITHDRAWN, P.APPLIED), (P.SELECTED, P.APPLIED)])
def test_the_table_allows_these_moves(db, coordinator, make_participation, start, to):
    participation = make_participation(status=start)

    services.move_participation(participation, to, note="사유", actor=coordinator)

    assert participation.status is to
    assert changes(db, participation) == [(start, to, "사유")]


@pytest.mark.parametrize(("start", "to"), [
    (P.APPLIED, P.PARTICIPATING), (P.APPLIED, P.COMPLETED), (P.COMPLETED, P.WITHDRAWN),
    (P.COMPLETED, P.PARTICIPATING), (P.WITHDRAWN, P.SELECTED), (P.PARTICIPATING, P.APPLIED)])
def test_the_table_refuses_these_moves(db, coordinator, make_participation, start, to):
    participation = make_participation(status=start)

    with pytest.raises(RuleError):
        services.move_participation(participation, to, note=None, actor=coordinator)

    assert participation.status is start


def test_a_refused_move_answers_422_with_the_message_and_stores_nothing(db, client_as, coordinator,
                                                                       make_participation):
    participation = make_participation(status=P.APPLIED)

    response = client_as(coordinator).post(
        f"/campaigns/{participation.campaign_id}/participants/{participation.id}/status",
        data={"to_status": "completed"})

    assert response.status_code == 422
    assert "‘신청’에서 ‘완료’(으)로 옮길 수 없습니다." in response.text
    assert participations(db, participation.campaign)[0].status is P.APPLIED
    assert changes(db, participation) == []


def test_a_status_button_moves_the_participation(db, client_as, coordinator, make_participation):
    participation = make_participation(status=P.SELECTED)

    response = client_as(coordinator).post(
        f"/campaigns/{participation.campaign_id}/participants/{participation.id}/status",
        data={"to_status": "participating", "note": "라이브 일정 확정"})

    assert response.status_code == 302
    assert participations(db, participation.campaign)[0].status is P.PARTICIPATING
    assert changes(db, participation) == [(P.SELECTED, P.PARTICIPATING, "라이브 일정 확정")]


def test_a_participation_of_another_campaign_answers_404(client_as, coordinator, make_participation,
                                                         make_campaign):
    participation = make_participation()
    other = make_campaign()

    response = client_as(coordinator).post(f"/campaigns/{other.id}/participants/{participation.id}/status",
                                           data={"to_status": "completed"})

    assert response.status_code == 404


# The campaign page -----------------------------------------------------------------------------------------------


def test_the_campaign_page_groups_participants_by_status_with_their_moves(client_as, coordinator, applicants):
    campaign, (salad, _fish, _sweet) = applicants
    services.move_participation(salad, P.SELECTED, note=None, actor=coordinator)

    response = client_as(coordinator).get(f"/campaigns/{campaign.id}")

    assert response.status_code == 200
    assert response.text.count('data-testid="participant-row"') == 3
    assert 'name="to_status" value="participating"' in response.text
    assert f'id="select-{salad.id}"' not in response.text  # only applicants are offered for selection


def test_the_campaign_page_issues_the_same_statements_for_3_or_60_participants(db, client_as, coordinator,
                                                                                make_campaign, make_company,
                                                                                make_participation,
                                                                                count_queries):
    campaign = make_campaign()
    client = client_as(coordinator)

    def statements_for_page() -> int:
        with count_queries() as counter:
            assert client.get(f"/campaigns/{campaign.id}").status_code == 200
        return counter.count

    statuses = list(P)
    for index in range(3):
        make_participation(campaign, make_company(), status=statuses[index % 5], sales_before=100, sales_after=200)
    few = statements_for_page()
    for index in range(57):
        make_participation(campaign, make_company(), status=statuses[index % 5], sales_before=100, sales_after=200)
    many = statements_for_page()

    assert few == many


# Merging and purging companies -----------------------------------------------------------------------------------


def test_merging_moves_the_absorbed_companys_participations_to_the_survivor(db, coordinator, make_company,
                                                                           make_participation):
    survivor, absorbed = make_company("공생공작"), make_company("(주)공생공작")
    participation = make_participation(company=absorbed)

    merge_companies(survivor, absorbed, actor=coordinator)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Participation, participation.id).company_id == survivor.id


def test_merging_two_companies_in_one_campaign_is_refused(db, coordinator, make_campaign, make_company,
                                                          make_participation):
    campaign = make_campaign("가을 선물")
    survivor, absorbed = make_company("공생공작"), make_company("(주)공생공작")
    make_participation(campaign, survivor)
    make_participation(campaign, absorbed)

    with pytest.raises(RuleError, match="같은 캠페인에 참여하고 있어 병합할 수 없습니다: 가을 선물"):
        merge_companies(survivor, absorbed, actor=coordinator)


def test_purging_a_company_deletes_its_participations_with_their_history(db, admin, coordinator, make_company,
                                                                         make_participation):
    company = make_company("지울기업")
    participation = make_participation(company=company, status=P.SELECTED)
    services.move_participation(participation, P.PARTICIPATING, note=None, actor=coordinator)
    delete_company(company, actor=admin)
    db.session.commit()

    purge_record(company, actor=admin)
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count(Participation.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ParticipationChange.id))) == 0
    deleted = db.session.scalars(sa.select(AuditLog.record_type).where(AuditLog.action == "delete"))
    assert {"Participation", "ParticipationChange"} <= set(deleted)
