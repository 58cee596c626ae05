"""Campaigns: creating one with its windows and excluded ranges, what is refused, editing and deleting, the list
with its filters and export, and the programme page's section."""
import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm.audit.models import AuditLog
from crm.campaigns import services
from crm.campaigns.models import (
    Campaign,
    CampaignExclusion,
    CampaignKind,
    CampaignStatus,
    CampaignWindow,
    Channel,
    ParticipationStatus,
)
from crm.campaigns.services import CampaignFields, ExclusionFields
from crm.campaigns.views import EXPORT_HEADERS
from crm.core.errors import RuleError
from crm.core.export import UTF8_BOM
from crm.core.softdelete import including_deleted
from crm.programs.sections import PROGRAM_SECTIONS


def channel_id(db, name: str = "해피빈") -> int:
    return db.session.scalar(sa.select(Channel.id).where(Channel.name == name))


def form_data(db, **overrides) -> dict:
    data = {
        "name": "한국사회적기업진흥원이 제안하는 가을 선물",
        "kind": "exhibition",
        "status": "finished",
        "channel_id": str(channel_id(db)),
        "program_id": "",
        "starts_on": "2021-08-24",
        "ends_on": "2021-09-24",
        "baseline_starts_on": "2021-07-29",
        "baseline_ends_on": "2021-08-23",
        "exclusions-0-window": "campaign",
        "exclusions-0-starts_on": "2021-09-16",
        "exclusions-0-ends_on": "2021-09-21",
        "exclusions-0-reason": "추석 연휴",
        "stated_company_count": "10",
        "stated_before_total": "100,285,830",
        "stated_after_total": "144,115,890",
        "stated_change_rate": "44%",
        "stated_source": "2021 결과보고서 슬라이드 18",
    }
    data.update(overrides)
    return data


def campaigns(db) -> list[Campaign]:
    db.session.expire_all()
    return list(db.session.scalars(including_deleted(sa.select(Campaign))))


# Creating ----------------------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_campaign_with_the_holiday_left_out_of_its_window(db, client_as, coordinator):
    response = client_as(coordinator).post("/campaigns/new", data=form_data(db))

    [campaign] = campaigns(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/campaigns/{campaign.id}"
    assert (campaign.kind, campaign.status, campaign.channel.name) == (CampaignKind.EXHIBITION,
                                                                      CampaignStatus.FINISHED, "해피빈")
    assert (campaign.starts_on, campaign.ends_on) == (date(2021, 8, 24), date(2021, 9, 24))
    assert (campaign.stated_before_total, campaign.stated_after_total) == (100_285_830, 144_115_890)
    assert campaign.stated_change_rate == "44%"
    assert [(e.window, e.starts_on, e.ends_on, e.reason) for e in campaign.exclusions] == [
        (CampaignWindow.CAMPAIGN, date(2021, 9, 16), date(2021, 9, 21), "추석 연휴")]


def test_creating_a_campaign_and_its_range_is_audited_as_the_coordinator(db, client_as, coordinator):
    client_as(coordinator).post("/campaigns/new", data=form_data(db))

    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.record_type.in_(("Campaign", "CampaignExclusion"))))
    assert sorted((row.record_type, row.action, row.actor_id) for row in audit) == [
        ("Campaign", "insert", coordinator.id), ("CampaignExclusion", "insert", coordinator.id)]


BAD_INPUT = [
    ({"name": " "}, "name", "캠페인 이름을 입력하세요."),
    ({"ends_on": "2021-08-01"}, "ends_on", "종료일이 시작일보다 빠릅니다."),
    ({"baseline_ends_on": "2021-07-01"}, "baseline_ends_on", "종료일이 시작일보다 빠릅니다."),
    ({"baseline_ends_on": ""}, "baseline_ends_on", "시작일과 종료일을 함께 입력하거나 둘 다 비우세요."),
    ({"exclusions-0-starts_on": "2021-09-30", "exclusions-0-ends_on": "2021-10-02"}, "exclusions-0-starts_on",
     "안에 있어야 합니다"),
    ({"exclusions-0-ends_on": "2021-09-10"}, "exclusions-0-ends_on", "종료일이 시작일보다 빠릅니다."),
    ({"exclusions-0-window": "baseline"}, "exclusions-0-starts_on", "비교 기간(2021. 7. 29.~2021. 8. 23.) 안에"),
    ({"preopen_starts_on": "2021-08-01", "preopen_ends_on": "2021-08-10"}, "preopen_starts_on",
     "오픈예정 기간은 펀딩 캠페인에만"),
    ({"stated_after_total": "-5"}, "stated_after_total", "0 이상이어야 합니다."),
    ({"stated_before_total": "1.5"}, "stated_before_total", "정수로 입력하세요"),
    ({"stated_company_count": "99999999999"}, "stated_company_count", "너무 큽니다"),
    ({"stated_change_rate": "마흔네 퍼센트"}, "stated_change_rate", "백분율로"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_campaign_input_is_refused_beside_its_field_and_nothing_is_stored(db, client_as, coordinator,
                                                                              overrides, field, message):
    response = client_as(coordinator).post("/campaigns/new", data=form_data(db, **overrides))

    assert response.status_code == 422
    assert f'id="{field}-errors"' in response.text
    assert message in response.text
    assert campaigns(db) == []
    assert db.session.scalar(sa.select(sa.func.count(CampaignExclusion.id))) == 0


def test_a_funding_campaign_keeps_its_preopen_period_ending_by_the_funding_start(db, coordinator):
    fields = CampaignFields(name="제철원물·지역 특산물 기획전", kind=CampaignKind.FUNDING, starts_on=date(2021, 11, 29),
                            ends_on=date(2021, 12, 13), preopen_starts_on=date(2021, 11, 22),
                            preopen_ends_on=date(2021, 11, 29))

    campaign = services.create_campaign(fields, actor=coordinator)

    assert (campaign.preopen_starts_on, campaign.preopen_ends_on) == (date(2021, 11, 22), date(2021, 11, 29))


def test_a_preopen_period_ending_after_the_funding_start_is_refused(db, coordinator):
    fields = CampaignFields(name="와디즈", kind=CampaignKind.FUNDING, starts_on=date(2021, 11, 29),
                            ends_on=date(2021, 12, 13), preopen_starts_on=date(2021, 11, 22),
                            preopen_ends_on=date(2021, 11, 30))

    with pytest.raises(RuleError) as refused:
        services.create_campaign(fields, actor=coordinator)

    assert refused.value.field == "preopen_ends_on"


def test_an_excluded_range_needs_its_window_given(db, coordinator):
    fields = CampaignFields(name="기획전", kind=CampaignKind.EXHIBITION, exclusions=[
        ExclusionFields(window=CampaignWindow.BASELINE, starts_on=date(2021, 9, 16), ends_on=date(2021, 9, 21))])

    with pytest.raises(RuleError) as refused:
        services.create_campaign(fields, actor=coordinator)

    assert refused.value.field == "exclusions-0-window"


# Editing and deleting --------------------------------------------------------------------------------------------


def test_editing_keeps_an_unchanged_range_and_adds_a_new_one(db, client_as, coordinator):
    client = client_as(coordinator)
    client.post("/campaigns/new", data=form_data(db))
    [campaign] = campaigns(db)
    [holiday] = campaign.exclusions

    response = client.post(f"/campaigns/{campaign.id}/edit", data=form_data(
        db, version=str(campaign.version), name="가을 선물 기획전", **{
            "exclusions-1-window": "baseline", "exclusions-1-starts_on": "2021-08-01",
            "exclusions-1-ends_on": "2021-08-02", "exclusions-1-reason": "시스템 점검"}))

    [campaign] = campaigns(db)
    assert response.status_code == 302
    assert campaign.name == "가을 선물 기획전"
    assert [(e.id, e.reason) for e in campaign.exclusions] == [(campaign.exclusions[0].id, "시스템 점검"),
                                                               (holiday.id, "추석 연휴")]


def test_a_range_left_blank_on_edit_is_deleted(db, client_as, coordinator):
    client = client_as(coordinator)
    client.post("/campaigns/new", data=form_data(db))
    [campaign] = campaigns(db)

    client.post(f"/campaigns/{campaign.id}/edit", data=form_data(
        db, version=str(campaign.version), **{"exclusions-0-starts_on": "", "exclusions-0-ends_on": "",
                                              "exclusions-0-reason": ""}))

    assert db.session.scalar(sa.select(sa.func.count(CampaignExclusion.id))) == 0


def test_a_stale_edit_is_refused_with_409_and_the_current_values(db, client_as, coordinator, make_campaign):
    campaign = make_campaign("원래 이름")
    stale_version = campaign.version
    campaign.name = "다른 사람이 고친 이름"
    db.session.commit()

    response = client_as(coordinator).post(f"/campaigns/{campaign.id}/edit",
                                           data=form_data(db, name="내 이름", version=str(stale_version)))

    assert response.status_code == 409
    assert "다른 사용자가 먼저 저장했습니다" in response.text
    assert "다른 사람이 고친 이름" in response.text
    assert campaigns(db)[0].name == "다른 사람이 고친 이름"


def test_the_edit_form_shows_the_stated_figures_with_separators(db, client_as, coordinator, make_campaign):
    campaign = make_campaign(stated_after_total=265_418_348)

    response = client_as(coordinator).get(f"/campaigns/{campaign.id}/edit")

    assert response.status_code == 200
    assert 'value="265,418,348"' in response.text


def test_deleting_a_campaign_hides_it_from_the_list_and_its_page(db, client_as, coordinator, make_campaign):
    campaign = make_campaign("지울 캠페인")
    client = client_as(coordinator)

    response = client.post(f"/campaigns/{campaign.id}/delete")

    assert response.status_code == 302
    assert campaigns(db)[0].deleted_by_id == coordinator.id
    assert "지울 캠페인" not in client.get("/campaigns/").text
    assert client.get(f"/campaigns/{campaign.id}").status_code == 404


def test_a_coach_may_not_open_campaign_pages(client_as, coach, make_campaign):
    campaign = make_campaign()
    client = client_as(coach)

    assert client.get("/campaigns/").status_code == 403
    assert client.get(f"/campaigns/{campaign.id}").status_code == 403
    assert client.get("/campaigns/export.csv").status_code == 403
    assert client.post(f"/campaigns/{campaign.id}/delete").status_code == 403


# The list and its export --------------------------------------------------------------------------------------


@pytest.fixture
def three_campaigns(db, make_campaign, make_program):
    program = make_program("기존 협력 유통채널 간 협업사업", year=2021)
    autumn = make_campaign("가을 선물 기획전", program=program, starts_on=date(2021, 8, 24), ends_on=date(2021, 9, 24),
                           status=CampaignStatus.FINISHED)
    lotte = make_campaign("롯데온 기획전", channel="롯데온", stated_company_count=259, stated_after_total=265_418_348,
                          starts_on=date(2021, 6, 1), ends_on=date(2021, 11, 30))
    funding = make_campaign("제철원물 펀딩", channel="와디즈", kind=CampaignKind.FUNDING, starts_on=date(2022, 1, 3))
    return program, autumn, lotte, funding


def test_the_list_filters_by_channel_kind_year_and_name(db, client_as, coordinator, three_campaigns):
    program, autumn, lotte, funding = three_campaigns
    client = client_as(coordinator)

    def names(query: str) -> list[str]:
        response = client.get(f"/campaigns/?{query}")
        assert response.status_code == 200
        return [c.name for c in (autumn, lotte, funding) if f">{c.name}</a>" in response.text]

    assert names(f"channel_id={channel_id(db, '롯데온')}") == ["롯데온 기획전"]
    assert names("kind=funding") == ["제철원물 펀딩"]
    assert names("year=2021") == ["가을 선물 기획전", "롯데온 기획전"]
    assert names(f"program_id={program.id}") == ["가을 선물 기획전"]
    assert names("status=finished") == ["가을 선물 기획전"]
    assert names("q=펀딩") == ["제철원물 펀딩"]


def test_an_unknown_filter_value_is_refused_with_422(client_as, coordinator):
    assert client_as(coordinator).get("/campaigns/?kind=nonsense").status_code == 422


def test_the_list_counts_participants_and_sums_their_sales(db, client_as, coordinator, three_campaigns,
                                                          make_participation):
    _program, autumn, _lotte, _funding = three_campaigns
    make_participation(autumn, sales_after=1_000)
    make_participation(autumn, sales_after=2_500)
    make_participation(autumn, status=ParticipationStatus.APPLIED)

    response = client_as(coordinator).get("/campaigns/?q=가을")

    assert "2 (1)" in response.text
    assert "3,500원" in response.text


def test_the_csv_export_holds_exactly_the_filtered_campaigns_with_korean_headers(db, client_as, coordinator,
                                                                                three_campaigns,
                                                                                make_participation):
    _program, autumn, _lotte, _funding = three_campaigns
    make_participation(autumn, sales_before=100, sales_after=150)

    response = client_as(coordinator).get("/campaigns/export.csv?year=2021")

    assert response.status_code == 200
    text = response.data.decode("utf-8")
    assert text.startswith(UTF8_BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert tuple(rows[0]) == EXPORT_HEADERS
    assert sorted(row[0] for row in rows[1:]) == ["가을 선물 기획전", "롯데온 기획전"]
    autumn_row = next(row for row in rows[1:] if row[0] == "가을 선물 기획전")
    assert autumn_row[1:8] == ["해피빈", "기획전", "종료", "2021 기존 협력 유통채널 간 협업사업", "2021-08-24",
                               "2021-09-24", "1"]
    assert autumn_row[9] == "150"


def test_the_xlsx_export_keeps_numbers_as_numbers(db, client_as, coordinator, three_campaigns):
    response = client_as(coordinator).get(f"/campaigns/export.xlsx?channel_id={channel_id(db, '롯데온')}")

    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_HEADERS
    assert len(rows) == 2
    assert rows[1][0] == "롯데온 기획전"
    assert rows[1][10] == 259
    assert rows[1][12] == 265_418_348


def test_the_list_issues_the_same_statements_for_3_or_60_campaigns(db, client_as, coordinator, make_campaign,
                                                                    make_participation, make_program,
                                                                    count_queries):
    client = client_as(coordinator)
    program = make_program()

    def statements_for_list() -> int:
        with count_queries() as counter:
            assert client.get("/campaigns/").status_code == 200
        return counter.count

    for _index in range(3):
        make_participation(make_campaign(program=program))
    few = statements_for_list()
    for _index in range(57):
        make_participation(make_campaign(program=program))
    many = statements_for_list()

    assert few == many


# The programme page's section -------------------------------------------------------------------------------------


def test_the_programme_section_lists_its_campaigns_with_their_figures(db, coordinator, three_campaigns,
                                                                      make_participation):
    program, autumn, _lotte, _funding = three_campaigns
    make_participation(autumn, sales_after=7_000)
    [(template, context)] = [(t, c) for t, c in PROGRAM_SECTIONS.sections_for(program, coordinator)
                             if t == "campaigns/_program_campaigns.html"]

    assert [campaign.name for campaign in context["campaigns"]] == ["가을 선물 기획전"]
    assert context["figures"][autumn.id] == services.CampaignFigures(participants=1, applicants=0, sales_after=7_000)


def test_the_programme_page_shows_its_campaigns(client_as, coordinator, three_campaigns, make_participation):
    program, autumn, _lotte, _funding = three_campaigns
    make_participation(autumn, sales_after=7_000)

    response = client_as(coordinator).get(f"/programs/{program.id}")

    assert response.status_code == 200
    assert response.text.count('data-testid="program-campaign-row"') == 1
    assert "7,000원" in response.text
