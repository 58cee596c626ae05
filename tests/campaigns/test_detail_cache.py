"""The campaign page keeps its sales table and sections rendered until data changes: a change shows at once."""
from crm.campaigns import results, services
from crm.campaigns.models import CampaignKind, MetricKind, ParticipationStatus
from crm.campaigns.services import SalesRowFields


def test_the_page_shows_sales_entered_after_it_was_last_shown(db, make_campaign, make_company, make_participation,
                                                              coordinator, client_as):
    campaign = make_campaign()
    participation = make_participation(campaign, make_company("샐러드보울"), status=ParticipationStatus.COMPLETED)
    client = client_as(coordinator)
    before = client.get(f"/campaigns/{campaign.id}").text

    services.update_sales(campaign, [SalesRowFields(participation.id, 76_266_640, 77_562_820)], actor=coordinator)
    db.session.commit()
    after = client.get(f"/campaigns/{campaign.id}").text

    assert "76,266,640원" not in before
    assert "76,266,640원" in after and "77,562,820원" in after


def test_the_page_shows_a_metric_recorded_after_it_was_last_shown(db, make_campaign, make_company, make_participation,
                                                                  coordinator, client_as):
    campaign = make_campaign(kind=CampaignKind.LIVE_COMMERCE)
    participation = make_participation(campaign, make_company("매일생선"))
    client = client_as(coordinator)
    before = client.get(f"/campaigns/{campaign.id}").text

    results.set_metric(participation, MetricKind.VIEWERS, 12_345, actor=coordinator)
    db.session.commit()
    after = client.get(f"/campaigns/{campaign.id}").text

    assert "12,345" not in before
    assert "12,345" in after


def test_the_page_shows_a_company_renamed_after_it_was_last_shown(db, make_campaign, make_company,
                                                                  make_participation, coordinator, client_as):
    campaign = make_campaign(kind=CampaignKind.LIVE_COMMERCE)
    company = make_company("달다쿠")
    make_participation(campaign, company, status=ParticipationStatus.COMPLETED)
    client = client_as(coordinator)
    client.get(f"/campaigns/{campaign.id}")

    company.name = "달다쿠 식품"
    db.session.commit()
    after = client.get(f"/campaigns/{campaign.id}").text

    assert after.count("달다쿠 식품") == 3  # the participants, the sales table and the metrics
