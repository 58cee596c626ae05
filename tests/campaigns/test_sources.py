"""Sale sources of a participation: name and whole-won amount, their total, and whether it matches the sales."""
import pytest
import sqlalchemy as sa

from crm.campaigns import results
from crm.campaigns.demo import LIVE_SECOND, load_campaign_demo
from crm.campaigns.models import Campaign, CampaignKind, SaleSource
from crm.demo import load_demo


def page_url(participation) -> str:
    return f"/campaigns/{participation.campaign_id}/participations/{participation.id}"


def stored_sources(db) -> list[tuple[str, int | None, int]]:
    db.session.expire_all()
    return [(source.name, source.quantity, source.amount)
            for source in db.session.scalars(sa.select(SaleSource).order_by(SaleSource.id))]


@pytest.fixture
def participation(make_campaign, make_participation):
    return make_participation(make_campaign(kind=CampaignKind.LIVE_COMMERCE), sales_after=6_769_020)


def test_a_coordinator_adds_a_source_typed_with_thousands_separators(db, client_as, coordinator, participation):
    response = client_as(coordinator).post(page_url(participation) + "/sources",
                                           data={"name": "구글 설문지", "quantity": "90", "amount": "2,240,000"})

    assert response.status_code == 302
    assert stored_sources(db) == [("구글 설문지", 90, 2_240_000)]


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "amount": "1000"}, "판매처를 입력하세요."),
    ({"name": "자체 발주", "amount": "-690,520"}, "0 이상이어야 합니다."),
    ({"name": "자체 발주", "amount": "690.5"}, "정수로 입력하세요 (예: 1,000)."),
    ({"name": "자체 발주", "amount": ""}, "을(를) 입력하세요."),
    ({"name": "자체 발주", "amount": "1000", "quantity": "-8"}, "0 이상이어야 합니다."),
])
def test_a_source_without_a_name_or_with_a_bad_number_is_refused_and_nothing_is_stored(db, client_as, coordinator,
                                                                                       participation, data, message):
    response = client_as(coordinator).post(page_url(participation) + "/sources", data=data)

    assert response.status_code == 422
    assert message in response.text
    assert stored_sources(db) == []


def test_the_page_shows_the_total_and_flags_a_total_that_differs_from_the_sales_after(db, client_as, coordinator,
                                                                                      participation):
    results.add_sale_source(participation, name="네이버 스토어", amount=3_838_500, quantity=161, actor=coordinator)
    db.session.commit()
    client = client_as(coordinator)

    partial = client.get(page_url(participation))
    results.add_sale_source(participation, name="구글 설문지", amount=2_930_520, actor=coordinator)
    db.session.commit()
    complete = client.get(page_url(participation))

    assert 'data-testid="sources-mismatch"' in partial.text
    assert 'data-testid="sources-match"' in complete.text
    assert "6,769,020원" in complete.text.split('data-testid="source-total"')[1]


def test_a_coordinator_edits_and_deletes_a_source(db, client_as, coordinator, participation):
    source = results.add_sale_source(participation, name="자체발주", amount=1, actor=coordinator)
    db.session.commit()
    client = client_as(coordinator)
    url = page_url(participation) + f"/sources/{source.id}"

    form = client.get(url + "/edit")
    edited = client.post(url + "/edit", data={"name": "자체 발주", "quantity": "8", "amount": "690,520"})
    after_edit = stored_sources(db)
    deleted = client.post(url + "/delete")

    assert form.status_code == 200
    assert edited.status_code == 302
    assert after_edit == [("자체 발주", 8, 690_520)]
    assert deleted.status_code == 302
    assert stored_sources(db) == []


def test_an_edit_with_a_negative_amount_is_refused_and_the_source_keeps_its_values(db, client_as, coordinator,
                                                                                   participation):
    source = results.add_sale_source(participation, name="자체 발주", amount=690_520, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(page_url(participation) + f"/sources/{source.id}/edit",
                                           data={"name": "자체 발주", "amount": "-1"})

    assert response.status_code == 422
    assert stored_sources(db) == [("자체 발주", None, 690_520)]


def test_a_source_of_another_participation_is_not_found(db, client_as, coordinator, participation,
                                                        make_participation):
    other = make_participation()
    source = results.add_sale_source(other, name="남의 판매처", amount=5, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(page_url(participation) + f"/sources/{source.id}/delete")

    assert response.status_code == 404
    assert stored_sources(db) == [("남의 판매처", None, 5)]


def test_the_demo_second_broadcast_s_three_sources_add_up_to_6_769_020_won(db):
    load_demo()
    db.session.commit()

    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.name == LIVE_SECOND))
    (participation,) = campaign.participations

    assert [source.name for source in participation.sale_sources] == ["두리번하자 네이버 스토어", "구글 설문지",
                                                                      "자체 발주"]
    assert results.sale_source_total(participation) == 6_769_020
    assert load_campaign_demo() == 0
