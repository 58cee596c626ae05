"""The demo campaigns of the 2021 result report: figures as printed, aggregates as stated figures, idempotent."""
from datetime import date

import pytest
import sqlalchemy as sa

from crm.campaigns import results
from crm.campaigns.demo import HAPPYBEAN_NAME, LIVE_FIRST, load_campaign_demo
from crm.campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignWindow,
    Metric,
    MetricKind,
    Participation,
    ParticipationStatus,
    SaleSource,
)
from crm.demo import load_demo
from crm.programs.demo import PROGRAM_COHORT, PROGRAM_CONTENT, PROGRAM_EXISTING_CHANNELS, PROGRAM_NEW_CHANNELS

SLIDE_18 = [
    ("샐러드보울", 76_266_640, 77_562_820, "2%"),
    ("매일생선", 15_194_600, 26_662_780, "75%"),
    ("달다쿠", 426_700, 5_111_930, "1,098%"),
    ("서천식품", 40_000, 3_747_000, "9,268%"),
    ("인제5대명품 용대리황태", 618_000, 3_156_010, "411%"),
    ("농업회사법인 조은", 0, 1_801_300, "신규매출발생"),
    ("건강을 그리다", 4_322_290, 572_780, "32%"),
    ("이풀약초", 892_300, 2_164_870, "143%"),
    ("씨드밀", 2_298_300, 17_744_200, "672%"),
    ("킹덤플랜트 협동조합", 227_000, 438_200, "93%"),
]


@pytest.fixture
def demo(db):
    load_demo()
    db.session.commit()


def campaign_named(db, name: str) -> Campaign:
    return db.session.scalar(sa.select(Campaign).where(Campaign.name == name))


def test_the_happybean_campaign_has_the_ten_companies_with_the_slide_18_figures(db, demo):
    campaign = campaign_named(db, HAPPYBEAN_NAME)

    rows = sorted((p.company.name, p.sales_before, p.sales_after, p.stated_change_rate)
                  for p in campaign.participations)

    assert rows == sorted(SLIDE_18)
    assert {p.status for p in campaign.participations} == {ParticipationStatus.COMPLETED}
    assert (campaign.stated_before_total, campaign.stated_after_total, campaign.stated_change_rate,
            campaign.stated_company_count) == (100_285_830, 144_115_890, "44%", 10)
    assert campaign.program.name == PROGRAM_EXISTING_CHANNELS
    assert "40개소" in campaign.description


def test_the_happybean_windows_are_those_of_the_footnote(db, demo):
    campaign = campaign_named(db, HAPPYBEAN_NAME)

    assert (campaign.starts_on, campaign.ends_on) == (date(2021, 8, 24), date(2021, 9, 24))
    assert (campaign.baseline_starts_on, campaign.baseline_ends_on) == (date(2021, 7, 29), date(2021, 8, 23))
    assert [(e.window, e.starts_on, e.ends_on) for e in campaign.exclusions] == [
        (CampaignWindow.CAMPAIGN, date(2021, 9, 16), date(2021, 9, 21))]


def test_aggregates_are_stated_figures_without_invented_participations(db, demo):
    expected = {
        "롯데온 기획전": (259, 265_418_348),
        "LGHV 지역경제살리기 연중캠페인": (35, None),
        "해피빈 라이브커머스": (8, 15_182_600),
        "우체국쇼핑 사회적경제기업 온라인 프로모션": (None, 234_656_330),
        "와디즈 제철원물·지역 특산물 기획전": (10, None),
        "추석맞이 카탈로그": (50, None),
        "공공기관 사회적기업 우선구매 카탈로그": (66, None),
    }

    for name, (companies, after_total) in expected.items():
        campaign = campaign_named(db, name)
        assert (campaign.stated_company_count, campaign.stated_after_total) == (companies, after_total), name
        assert campaign.participations == [], name
        assert campaign.stated_source == "2021 결과보고서 슬라이드 8", name


def test_the_wadiz_funding_has_its_preopen_and_funding_periods(db, demo):
    campaign = campaign_named(db, "와디즈 제철원물·지역 특산물 기획전")

    assert campaign.kind is CampaignKind.FUNDING
    assert campaign.program.name == PROGRAM_NEW_CHANNELS
    assert (campaign.preopen_starts_on, campaign.preopen_ends_on) == (date(2021, 11, 22), date(2021, 11, 29))
    assert (campaign.starts_on, campaign.ends_on) == (date(2021, 11, 29), date(2021, 12, 13))


def test_the_catalogs_belong_to_the_content_programme(db, demo):
    for name in ("추석맞이 카탈로그", "공공기관 사회적기업 우선구매 카탈로그"):
        campaign = campaign_named(db, name)
        assert (campaign.kind, campaign.program.name) == (CampaignKind.CATALOG, PROGRAM_CONTENT)


def test_the_first_broadcast_of_the_cohort_company_has_the_slide_10_figures(db, demo):
    campaign = campaign_named(db, LIVE_FIRST)
    (participation,) = campaign.participations

    totals = {total.kind: total.value for total in results.metric_totals(participation)}

    assert participation.company.name == "㈜공공디자인이즘"
    assert campaign.program.name == PROGRAM_COHORT
    assert totals == {MetricKind.PAYMENT_AMOUNT: 2_918_500, MetricKind.VIEWERS: 41_040, MetricKind.HEARTS: 33_434,
                      MetricKind.PAID_ITEMS: 127, MetricKind.CANCELLED_ITEMS: 1, MetricKind.PRODUCT_VIEWS: 361}


def test_loading_twice_creates_nothing_new(db, demo):
    def counts() -> tuple[int, ...]:
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (Campaign, Participation, Metric, SaleSource))
    before = counts()

    created = load_campaign_demo()
    db.session.commit()

    assert created == 0
    assert counts() == before
    assert before[0] == 12


def test_a_printed_rate_that_disagrees_with_the_printed_figures_is_flagged_not_replaced(db, demo, client_as,
                                                                                        coordinator):
    campaign = campaign_named(db, HAPPYBEAN_NAME)
    by_name = {p.company.name: p for p in campaign.participations}
    client = client_as(coordinator)

    misprinted = client.get(f"/campaigns/{campaign.id}/participations/{by_name['건강을 그리다'].id}")
    agreeing = client.get(f"/campaigns/{campaign.id}/participations/{by_name['서천식품'].id}")

    assert 'data-testid="rate-disagrees"' in misprinted.text
    assert "572,780원" in misprinted.text
    assert 'data-testid="rate-disagrees"' not in agreeing.text
    assert "9,268%" in agreeing.text.split('data-testid="change-rate"')[1].split("</dd>")[0]
