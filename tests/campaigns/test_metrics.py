"""Metrics of a participation: kinds by campaign kind, whole numbers, days inside the window, 달성률, the chart,
and who may read or change them."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.campaigns import results
from crm.campaigns.models import CampaignKind, Deliverable, DeliverableKind, Metric, MetricKind, SaleSource
from crm.core.errors import RuleError
from tests.conftest import csrf_token_from


def page_url(participation) -> str:
    return f"/campaigns/{participation.campaign_id}/participations/{participation.id}"


def metric_form(kind: MetricKind, value, on_date: str = "") -> dict:
    return {"kind": kind.value, f"{kind.value}-value": value, f"{kind.value}-on_date": on_date}


def stored_metrics(db) -> list[Metric]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Metric).order_by(Metric.id)))


@pytest.fixture
def funding(make_campaign, make_participation):
    campaign = make_campaign("와디즈 테스트 펀딩", kind=CampaignKind.FUNDING, channel="와디즈",
                             starts_on=date(2021, 11, 29), ends_on=date(2021, 12, 13))
    return make_participation(campaign)


@pytest.fixture
def live(make_campaign, make_participation):
    return make_participation(make_campaign("쇼핑라이브", kind=CampaignKind.LIVE_COMMERCE, channel="네이버 쇼핑라이브"))


def test_a_coordinator_records_a_daily_funding_figure_and_setting_it_again_updates_it(db, client_as, coordinator,
                                                                                       funding):
    client = client_as(coordinator)

    first = client.post(page_url(funding) + "/metrics", data=metric_form(MetricKind.FUNDED_AMOUNT, "1,200,000",
                                                                         "2021-11-30"))
    again = client.post(page_url(funding) + "/metrics", data=metric_form(MetricKind.FUNDED_AMOUNT, "1,500,000",
                                                                         "2021-11-30"))

    assert first.status_code == again.status_code == 302
    metrics = stored_metrics(db)
    assert [(m.kind, m.on_date, m.value) for m in metrics] == [(MetricKind.FUNDED_AMOUNT, date(2021, 11, 30),
                                                                 1_500_000)]
    audit = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.record_type == "Metric")).all()
    assert sorted(audit) == ["insert", "update"]


def test_a_supporter_count_on_a_live_commerce_campaign_is_refused_and_nothing_is_stored(db, client_as, coordinator,
                                                                                        live):
    response = client_as(coordinator).post(page_url(live) + "/metrics", data=metric_form(MetricKind.SUPPORTERS, "12"))

    assert response.status_code == 422
    assert "라이브커머스 캠페인에는 서포터 수 지표를 기록할 수 없습니다." in response.text
    assert stored_metrics(db) == []


@pytest.mark.parametrize(("value", "message"), [("-5", "0 이상이어야 합니다."),
                                                ("1.5", "정수로 입력하세요 (예: 1,000)."),
                                                ("많음", "정수로 입력하세요 (예: 1,000)."),
                                                ("", "을(를) 입력하세요."),
                                                ("10000000000000", "너무 큽니다")])
def test_a_value_that_is_not_a_whole_number_from_zero_is_refused_beside_the_field(db, client_as, coordinator, live,
                                                                                   value, message):
    response = client_as(coordinator).post(page_url(live) + "/metrics",
                                           data=metric_form(MetricKind.VIEWERS, value))

    assert response.status_code == 422
    assert message in response.text
    assert 'id="viewers-value-errors"' in response.text
    assert stored_metrics(db) == []


@pytest.mark.parametrize("day", ["2021-11-28", "2021-12-14"])
def test_a_day_outside_the_campaign_window_is_refused(db, client_as, coordinator, funding, day):
    response = client_as(coordinator).post(page_url(funding) + "/metrics",
                                           data=metric_form(MetricKind.SUPPORTERS, "3", day))

    assert response.status_code == 422
    assert "캠페인 기간(2021. 11. 29. ~ 2021. 12. 13.) 밖입니다" in response.text
    assert stored_metrics(db) == []


def test_a_goal_is_recorded_for_the_whole_campaign_not_for_a_day(db, coordinator, funding):
    with pytest.raises(RuleError) as refused:
        results.set_metric(funding, MetricKind.GOAL_AMOUNT, 1_000_000, date(2021, 12, 1), actor=coordinator)

    assert refused.value.field == "on_date"


def test_the_achievement_is_the_funded_amount_over_the_goal_as_a_whole_percent(db, client_as, coordinator, funding):
    results.set_metric(funding, MetricKind.GOAL_AMOUNT, 2_000_000, actor=coordinator)
    results.set_metric(funding, MetricKind.FUNDED_AMOUNT, 1_000_000, date(2021, 11, 29), actor=coordinator)
    results.set_metric(funding, MetricKind.FUNDED_AMOUNT, 2_000_001, date(2021, 11, 30), actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).get(page_url(funding))

    assert response.status_code == 200
    achievement = response.text.split('data-testid="achievement"')[1].split("</tr>")[0]
    assert "150%" in achievement
    assert "3,000,001원" in response.text


def test_without_a_goal_there_is_no_achievement():
    assert results.achievement_percent(5_000, None) is None
    assert results.achievement_percent(5_000, 0) is None
    assert results.achievement_percent(1, 3) == 33
    assert results.achievement_percent(1, 200) == 1  # 0.5% rounds half up


def test_a_whole_campaign_value_wins_over_the_sum_of_the_days(db, coordinator, funding):
    results.set_metric(funding, MetricKind.SUPPORTERS, 10, date(2021, 11, 29), actor=coordinator)
    results.set_metric(funding, MetricKind.SUPPORTERS, 5, date(2021, 11, 30), actor=coordinator)
    daily = {total.kind: total.value for total in results.metric_totals(funding)}
    results.set_metric(funding, MetricKind.SUPPORTERS, 40, actor=coordinator)
    db.session.refresh(funding)

    whole = {total.kind: total.value for total in results.metric_totals(funding)}

    assert daily[MetricKind.SUPPORTERS] == 15
    assert whole[MetricKind.SUPPORTERS] == 40


def test_the_daily_funding_is_drawn_as_an_svg_chart_with_its_numbers_as_text(db, client_as, coordinator, funding):
    results.set_metric(funding, MetricKind.FUNDED_AMOUNT, 300_000, date(2021, 11, 29), actor=coordinator)
    results.set_metric(funding, MetricKind.FUNDED_AMOUNT, 450_000, date(2021, 11, 30), actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).get(page_url(funding))

    chart = response.text.split('data-testid="bar-chart"')[1].split("</figure>")[0]
    assert chart.count("<rect") == 2
    assert "2021. 11. 30.: 450,000원" in chart
    assert '<table class="visually-hidden">' in chart
    assert "style=" not in response.text


def test_a_coordinator_deletes_a_metric(db, client_as, coordinator, live):
    metric = results.set_metric(live, MetricKind.HEARTS, 33_434, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(page_url(live) + f"/metrics/{metric.id}/delete")

    assert response.status_code == 302
    assert stored_metrics(db) == []


def test_an_assigned_coach_reads_the_page_but_may_not_change_it(db, client_as, coach, make_company,
                                                                 make_participation, make_campaign):
    participation = make_participation(make_campaign(kind=CampaignKind.LIVE_COMMERCE),
                                       make_company(coaches=[coach]))
    client = client_as(coach)

    page = client.get(page_url(participation))
    change = client.post(page_url(participation) + "/metrics", data=metric_form(MetricKind.VIEWERS, "10"))

    assert page.status_code == 200
    assert 'data-testid="metric-form-viewers"' not in page.text
    assert change.status_code == 403
    assert stored_metrics(db) == []


def test_a_coach_gets_404_for_another_company_s_participation_and_nothing_is_stored(db, client_as, coach, live):
    client = client_as(coach)

    page = client.get(page_url(live))
    change = client.post(page_url(live) + "/metrics", data=metric_form(MetricKind.VIEWERS, "10"))

    assert page.status_code == 404
    assert change.status_code == 404
    assert stored_metrics(db) == []


def test_a_participation_of_another_campaign_is_not_found(client_as, coordinator, live, make_campaign):
    other = make_campaign()

    response = client_as(coordinator).get(f"/campaigns/{other.id}/participations/{live.id}")

    assert response.status_code == 404


def _bulk_results(db, participation, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        db.session.add(Metric(participation_id=participation.id, kind=MetricKind.SUPPORTERS, value=number,
                              on_date=date(2021, 1, 1) + timedelta(days=number)))
        db.session.add(SaleSource(participation_id=participation.id, name=f"판매처{number}", amount=number))
        db.session.add(Deliverable(participation_id=participation.id, kind=DeliverableKind.BANNER,
                                   title=f"배너{number}"))
    db.session.commit()


def test_the_page_issues_the_same_number_of_statements_for_few_and_many_results(db, client_as, coordinator,
                                                                                 make_campaign, make_participation,
                                                                                 count_queries):
    participation = make_participation(make_campaign(kind=CampaignKind.FUNDING))
    client = client_as(coordinator)

    def statements() -> int:
        with count_queries() as counter:
            assert client.get(page_url(participation)).status_code == 200
        return counter.count

    _bulk_results(db, participation, 2)
    few = statements()
    _bulk_results(db, participation, 40, start=2)
    many = statements()

    assert few == many
    assert many <= 15


def test_a_metric_form_posts_with_its_own_prefixed_csrf_token(db, app, client_as, coordinator, live):
    client = client_as(coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_from(client.get(page_url(live)).text)

    without = client.post(page_url(live) + "/metrics", data=metric_form(MetricKind.VIEWERS, "10"))
    with_token = client.post(page_url(live) + "/metrics",
                             data={**metric_form(MetricKind.VIEWERS, "10"), "viewers-csrf_token": token})

    assert without.status_code == 400
    assert with_token.status_code == 302
    assert [metric.value for metric in stored_metrics(db)] == [10]


def test_the_campaign_page_shows_each_participant_s_funding_figures_and_the_daily_chart(
        db, client_as, coordinator, coach, funding, make_participation):
    other = make_participation(funding.campaign)
    results.set_metric(funding, MetricKind.GOAL_AMOUNT, 1_000_000, actor=coordinator)
    results.set_metric(funding, MetricKind.FUNDED_AMOUNT, 1_234_000, actor=coordinator)
    results.set_metric(funding, MetricKind.SUPPORTERS, 57, actor=coordinator)
    results.set_metric(other, MetricKind.FUNDED_AMOUNT, 200_000, date(2021, 11, 29), actor=coordinator)
    results.set_metric(other, MetricKind.FUNDED_AMOUNT, 300_000, date(2021, 12, 1), actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).get(f"/campaigns/{funding.campaign_id}")

    assert response.status_code == 200
    section = response.text.split('data-testid="campaign-metrics"')[1].split("</section>")[0]
    rows = section.split('data-testid="campaign-metric-row"')[1:]
    row = next(row for row in rows if funding.company.name in row)
    assert "57" in row and "1,234,000원" in row and "1,000,000원" in row and "123%" in row
    other_row = next(row for row in rows if other.company.name in row)
    assert "500,000원" in other_row
    assert "2021. 12. 1.: 300,000원" in section
