"""The sales table of the report's slide 18: rows, change rates, totals as sums of the rows, stated figures kept
beside them and flagged where they disagree; entering every row in one form; the aggregate of a campaign without
per-company rows."""
import re

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.campaigns import services
from crm.campaigns.models import Participation, ParticipationStatus

P = ParticipationStatus

# The report's slide 18, as printed: company, before, after, rate.
SLIDE_18 = (
    ("샐러드보울", 76_266_640, 77_562_820, "2%"), ("매일생선", 15_194_600, 26_662_780, "75%"),
    ("달다쿠", 426_700, 5_111_930, "1,098%"), ("서천식품", 40_000, 3_747_000, "9,268%"),
    ("인제5대명품 용대리황태", 618_000, 3_156_010, "411%"), ("농업회사법인 조은", 0, 1_801_300, "신규매출발생"),
    ("건강을 그리다", 4_322_290, 572_780, "32%"), ("이풀약초", 892_300, 2_164_870, "143%"),
    ("씨드밀", 2_298_300, 17_744_200, "672%"), ("킹덤플랜트 협동조합", 227_000, 438_200, "93%"),
)


@pytest.fixture
def happybean(make_campaign, make_company, make_participation):
    campaign = make_campaign("해피빈 가을 선물 기획전", stated_company_count=10, stated_before_total=100_285_830,
                             stated_after_total=144_115_890, stated_change_rate="44%")
    for name, before, after, rate in SLIDE_18:
        make_participation(campaign, make_company(name), status=P.COMPLETED, sales_before=before, sales_after=after,
                           stated_change_rate=rate)
    return campaign


def test_the_table_has_the_reports_rates_wherever_its_figures_agree(happybean):
    table = services.sales_table(happybean)

    computed = {row.company.name: row.rate.label for row in table.rows}
    disagreeing = [row.company.name for row in table.rows if row.rate_disagrees]
    assert disagreeing == ["건강을 그리다"]
    assert computed["건강을 그리다"] == "-87%"
    assert all(computed[name] == rate for name, _before, _after, rate in SLIDE_18 if name != "건강을 그리다")


def test_the_totals_are_sums_of_the_rows_and_disagreeing_stated_totals_are_flagged(happybean):
    table = services.sales_table(happybean)

    assert (table.before_total, table.after_total) == (100_285_830, 138_961_890)
    assert table.rate.label == "39%"
    assert not table.stated_before_total.disagrees
    assert table.stated_after_total == services.StatedFigure(144_115_890, 138_961_890, True)
    assert table.stated_rate == services.StatedFigure("44%", table.rate, True)
    assert not table.company_count.disagrees


def test_the_campaign_page_shows_both_figures_where_they_disagree(client_as, coordinator, happybean):
    response = client_as(coordinator).get(f"/campaigns/{happybean.id}")

    assert response.status_code == 200
    html = response.text
    assert html.count('data-testid="sales-row"') == 10
    assert '<span data-testid="after-total">138,961,890원</span>' in html
    assert '<span data-testid="before-total">100,285,830원</span>' in html
    assert '<span data-testid="total-rate">39%</span>' in html
    badges = re.findall(r'data-testid="stated-disagrees">([^<]*)<', html)
    assert badges == ["보고서 기재: 32%", "보고서 기재: 144,115,890원", "보고서 기재: 44%"]
    assert '<span data-testid="rate">9,268%</span>' in html
    assert '<span data-testid="rate">신규매출발생</span>' in html


def test_withdrawn_companies_and_applicants_have_no_row(db, make_campaign, make_company, make_participation):
    campaign = make_campaign()
    make_participation(campaign, make_company("참여"), status=P.PARTICIPATING, sales_before=100, sales_after=200)
    make_participation(campaign, make_company("철회"), status=P.WITHDRAWN, sales_before=100, sales_after=900)
    make_participation(campaign, make_company("신청"), status=P.APPLIED)

    table = services.sales_table(campaign)

    assert [row.company.name for row in table.rows] == ["참여"]
    assert (table.before_total, table.after_total, table.rate.label) == (100, 200, "100%")


def test_a_row_with_one_figure_counts_in_its_column_but_leaves_the_total_rate_out(make_campaign, make_participation):
    campaign = make_campaign()
    make_participation(campaign, sales_before=100, sales_after=200)
    make_participation(campaign, sales_before=50)

    table = services.sales_table(campaign)

    assert (table.before_total, table.after_total, table.rate) == (150, 200, None)


def test_a_campaign_with_only_stated_figures_shows_them_as_an_aggregate(client_as, coordinator, make_campaign):
    campaign = make_campaign("롯데온 기획전", channel="롯데온", stated_company_count=259,
                             stated_after_total=265_418_348)

    table = services.sales_table(campaign)
    response = client_as(coordinator).get(f"/campaigns/{campaign.id}")

    assert table.is_aggregate
    assert table.rows == []
    assert 'data-testid="aggregate"' in response.text
    assert "265,418,348원" in response.text
    assert "259개" in response.text
    assert 'data-testid="sales-row"' not in response.text


# Entering sales ----------------------------------------------------------------------------------------------------


@pytest.fixture
def two_selected(make_campaign, make_company, make_participation):
    campaign = make_campaign()
    rows = [make_participation(campaign, make_company(name), status=P.SELECTED) for name in ("샐러드보울", "달다쿠")]
    return campaign, rows


def sales_data(rows, figures) -> dict:
    data = {}
    for index, (participation, (before, after, rate)) in enumerate(zip(rows, figures, strict=True)):
        prefix = f"rows-{index}-"
        data.update({prefix + "participation_id": str(participation.id), prefix + "version": str(participation.version),
                     prefix + "sales_before": before, prefix + "sales_after": after,
                     prefix + "stated_change_rate": rate})
    return data


def stored(db, rows) -> list[tuple]:
    db.session.expire_all()
    return [(p.sales_before, p.sales_after, p.stated_change_rate)
            for p in (db.session.get(Participation, row.id) for row in rows)]


def test_the_sales_form_lists_every_company_taking_part(client_as, coordinator, two_selected):
    campaign, _rows = two_selected

    response = client_as(coordinator).get(f"/campaigns/{campaign.id}/sales")

    assert response.status_code == 200
    assert response.text.count('data-testid="sales-form-row"') == 2


def test_every_row_is_saved_in_one_form_and_audited(db, client_as, coordinator, two_selected):
    campaign, rows = two_selected

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/sales", data=sales_data(
        rows, [("76,266,640", "77,562,820", "2%"), ("426700", "5111930", "")]))

    assert response.status_code == 302
    assert stored(db, rows) == [(76_266_640, 77_562_820, "2%"), (426_700, 5_111_930, None)]
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "Participation",
                                                         AuditLog.action == "update"))
    assert sorted(row.actor_id for row in audit) == [coordinator.id, coordinator.id]


@pytest.mark.parametrize(("before", "after", "field", "message"), [
    ("-5", "100", "rows-1-sales_before", "이전 매출은(는) 0 이상이어야 합니다."),
    ("100", "1.5", "rows-1-sales_after", "이후 매출은(는) 정수로 입력하세요"),
    ("100", "백만원", "rows-1-sales_after", "이후 매출은(는) 정수로 입력하세요"),
    ("100", "1" + "0" * 20, "rows-1-sales_after", "너무 큽니다"),
])
def test_a_bad_figure_in_any_row_stores_no_row_and_marks_its_field(db, client_as, coordinator, two_selected,
                                                                   before, after, field, message):
    campaign, rows = two_selected

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/sales", data=sales_data(
        rows, [("1,000", "2,000", ""), (before, after, "")]))

    assert response.status_code == 422
    assert f'id="{field}-errors"' in response.text
    assert message in response.text
    assert stored(db, rows) == [(None, None, None), (None, None, None)]


def test_a_stated_rate_that_is_not_a_rate_is_refused(db, client_as, coordinator, two_selected):
    campaign, rows = two_selected

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/sales", data=sales_data(
        rows, [("1,000", "2,000", "많이 늘었음"), ("1", "2", "")]))

    assert response.status_code == 422
    assert 'id="rows-0-stated_change_rate-errors"' in response.text
    assert stored(db, rows) == [(None, None, None), (None, None, None)]


def test_a_row_saved_by_somebody_else_since_is_a_stale_edit(db, client_as, coordinator, two_selected):
    campaign, rows = two_selected
    data = sales_data(rows, [("1,000", "2,000", ""), ("10", "20", "")])
    rows[1].sales_before = 777
    db.session.commit()

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/sales", data=data)

    assert response.status_code == 409
    assert "‘달다쿠’의 매출을 다른 사용자가 먼저 저장했습니다" in response.text
    assert 'value="777"' in response.text
    assert stored(db, rows) == [(None, None, None), (777, None, None)]


def test_a_row_of_a_company_not_taking_part_is_refused(db, client_as, coordinator, two_selected,
                                                       make_participation):
    campaign, rows = two_selected
    foreign = make_participation()

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/sales", data=sales_data(
        [rows[0], foreign], [("1", "2", ""), ("3", "4", "")]))

    assert response.status_code == 422
    assert stored(db, [rows[0], foreign]) == [(None, None, None), (None, None, None)]
