"""The result report (/reports/): the 2021 demo figures, links to the records, data quality, access, bad input
and a statement count that does not grow with the number of companies."""
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from crm.audit.context import acting_as
from crm.campaigns.models import (
    CampaignKind,
    Metric,
    MetricKind,
    ParticipationProduct,
    ParticipationStatus,
)
from crm.coaching.models import CoachingSession, SessionMode
from crm.companies.models import (
    EnterpriseType,
    ListingChange,
    ListingStatus,
    Product,
    ProductListing,
    StageChange,
    Store,
)
from crm.companies.pipeline import Stage
from crm.core.errors import RuleError
from crm.core.time import SEOUL
from crm.demo import load_demo
from crm.programs.models import Enrollment
from crm.reports import result


class PageText(HTMLParser):
    """The text inside every element with a data-testid, and every link's href, of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.texts: dict[str, list[str]] = {}
        self.hrefs: dict[str, list[str]] = {}
        self.all_hrefs: list[str] = []
        self._current: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        testid = attrs.get("data-testid")
        if tag == "a" and attrs.get("href"):
            self.all_hrefs.append(attrs["href"])
            for name, _tag in self.open:
                if name:
                    self.hrefs.setdefault(name, []).append(attrs["href"])
            if testid:
                self.hrefs.setdefault(testid, []).append(attrs["href"])
        if tag in ("br", "img", "input", "link", "meta", "hr", "rect", "line", "path"):
            return
        self.open.append((testid, tag))
        self._current.append([])

    def handle_endtag(self, tag):
        if not self.open or tag in ("br", "img", "input", "link", "meta", "hr", "rect", "line", "path"):
            return
        testid, _tag = self.open.pop()
        text = " ".join("".join(self._current.pop()).split())
        if self._current:
            self._current[-1].append(" " + text + " ")
        if testid:
            self.texts.setdefault(testid, []).append(text)

    def handle_data(self, data):
        if self._current:
            self._current[-1].append(data)


def page_of(client, url: str = "/reports/?year=2021") -> tuple[str, PageText]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return html, PageText(html)


@pytest.fixture
def demo(db):
    with acting_as(None):
        load_demo()
    db.session.commit()


# --- the 2021 demo -------------------------------------------------------------------------------------------


def test_the_2021_report_shows_the_summary_figures_the_demo_data_holds(demo, client_as, coordinator):
    _html, page = page_of(client_as(coordinator))

    sales = page.texts["campaign-sales"]
    assert any("265,418,348원" in text and "집계" in text for text in sales)
    assert any("234,656,330원" in text and "집계" in text for text in sales)
    assert any("해피빈 라이브커머스" in text and "15,182,600원" in text for text in sales)
    assert any("롯데온 기획전 259개 업체" in text and "집계" in text for text in page.texts["stated-companies"])
    assert "7개 업체" in page.texts["cohort-companies"]
    assert page.texts["coached-companies"] == ["3개 업체"]
    assert page.texts["computed-companies"][0] == "7개 업체"


def test_the_happybean_table_totals_are_sums_of_rows_and_the_printed_total_is_flagged(demo, client_as, coordinator):
    _html, page = page_of(client_as(coordinator))

    assert page.texts["before-total"] == ["100,285,830원"]
    assert page.texts["after-total"] == ["138,961,890원"]
    assert page.texts["total-rate"] == ["39%"]
    flags = page.texts["stated-disagrees"]
    assert "보고서 기재: 144,115,890원" in flags
    assert "보고서 기재: 44%" in flags
    assert any("해피빈" in text and "138,961,890원" in text for text in page.texts["campaign-sales"])
    quality = " ".join(page.texts["disagreements"])
    assert "144,115,890원" in quality and "138,961,890원" in quality and "44%" in quality


def test_the_summary_numbers_link_to_records_that_open(demo, client_as, coordinator):
    client = client_as(coordinator)
    _html, page = page_of(client)

    links = {href for key in ("summary-table", "cohort-companies", "coached-companies", "data-quality", "funnel")
             for href in page.hrefs.get(key, []) if not href.startswith("#")}
    assert len(links) >= 10
    for href in sorted(links):
        response = client.get(href)
        assert response.status_code == 200, href
    assert any(urlsplit(href).path.startswith("/campaigns/") for href in page.hrefs["campaign-sales"])


def test_the_report_records_data_quality_problems(demo, client_as, coordinator, make_company):
    make_company("(주) 공생 공작")
    make_company("공생공작")

    _html, page = page_of(client_as(coordinator))

    assert any("(주) 공생 공작" in text and "공생공작" in text for text in page.texts["duplicates"])
    missing = " ".join(page.texts["missing-counts"])
    # The year's companies: the 7 of the cohort and the 10 of the 해피빈 table, none with a business number.
    assert "사업자등록번호 없음: 17개" in missing


# --- year, access, bad input --------------------------------------------------------------------------------


def test_without_a_year_the_latest_year_with_programmes_is_shown(client_as, coordinator, make_program):
    make_program("이전 사업", year=2021)
    make_program("올해 사업", year=2022)

    html, _page = page_of(client_as(coordinator), "/reports/")

    assert "2022년 결과 보고" in html and "올해 사업" in html and "이전 사업" not in html


def test_a_year_without_programmes_shows_an_empty_report_with_a_note(client_as, coordinator, make_program):
    make_program(year=2021)

    _html, page = page_of(client_as(coordinator), "/reports/?year=2030")

    assert "2030년에는 등록된 사업이 없어" in page.texts["empty-report"][0]


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "２０２１", "2021.0", "-2021"])
def test_a_bad_year_is_refused_in_korean(client_as, coordinator, year):
    client = client_as(coordinator)

    for url in ("/reports/", "/reports/export.xlsx"):
        response = client.get(url, query_string={"year": year})
        assert response.status_code == 422
        assert "연도는 2000부터 2100 사이의 숫자로 입력하세요." in response.get_data(as_text=True)


def test_coaches_may_not_see_the_result_report(client_as, coach):
    client = client_as(coach)

    assert client.get("/reports/?year=2021").status_code == 403
    assert client.get("/reports/export.xlsx?year=2021").status_code == 403


def test_the_navigation_offers_the_report_to_coordination_only(client_as, coordinator, coach):
    assert 'href="/reports/"' in client_as(coordinator).get("/").get_data(as_text=True)
    assert 'href="/reports/"' not in client_as(coach).get("/").get_data(as_text=True)


def test_parse_year_accepts_a_plain_year_and_nothing_else():
    assert result.parse_year(None) is None
    assert result.parse_year(" ") is None
    assert result.parse_year("2021") == 2021
    with pytest.raises(RuleError):
        result.parse_year("21st")


# --- computations -------------------------------------------------------------------------------------------


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=SEOUL)


def test_the_funnel_counts_companies_by_the_furthest_stage_reached_that_year(db, make_company, make_program):
    make_program(year=2021)
    sourced, guided, skipped, last_year = (make_company(f"퍼널기업{n}") for n in range(4))
    for company, moves in ((sourced, [(None, Stage.SOURCED)]),
                           (guided, [(None, Stage.SOURCED), (Stage.SOURCED, Stage.GUIDED)]),
                           (skipped, [(Stage.CONTACTED, Stage.LISTED)])):
        for from_stage, to_stage in moves:
            db.session.add(StageChange(company=company, from_stage=from_stage, to_stage=to_stage, at=_at(2021, 6, 1)))
    db.session.add(StageChange(company=last_year, from_stage=None, to_stage=Stage.LISTED, at=_at(2020, 12, 31)))
    store = db.session.scalar(sa.select(Store).where(Store.is_default.is_(True)))
    product = Product(company=skipped, name="입점 상품")
    listing = ProductListing(product=product, store=store, status=ListingStatus.LISTED)
    db.session.add_all([product, listing, ListingChange(listing=listing, from_status=ListingStatus.NOT_LISTED,
                                                        to_status=ListingStatus.LISTED, at=_at(2021, 7, 1))])
    db.session.commit()

    funnel = result.sourcing_funnel(2021)

    assert (funnel.sourced, funnel.guided, funnel.listed) == (3, 2, 1)
    assert (funnel.listed_products, funnel.listed_product_companies) == (1, 1)


def test_a_campaign_known_only_by_stated_figures_is_kept_apart_from_the_computed_count(
        db, make_program, make_campaign, make_participation):
    program = make_program(year=2021)
    counted = make_campaign(program=program)
    make_participation(counted)
    make_participation(counted, status=ParticipationStatus.WITHDRAWN)
    make_campaign("롯데온 기획전", program=program, stated_company_count=259, stated_after_total=265_418_348)

    report = result.result_report(2021)

    row = report.programs[0]
    assert row.company_count == 1
    assert [(item.campaign.name, item.stated_companies_only) for item in row.stated_company_counts] == [
        ("롯데온 기획전", 259)]
    aggregate = next(item for item in row.campaigns if item.campaign.name == "롯데온 기획전")
    assert (aggregate.sales, aggregate.sales_is_stated) == (265_418_348, True)


# --- statement count ----------------------------------------------------------------------------------------


def _grow(db, *, coach, program, cohort, sales, funding, catalog, make_company, make_participation, count: int):
    for _ in range(count):
        company = make_company(enterprise_type=EnterpriseType.OTHER)
        db.session.add(Enrollment(cohort=cohort, company=company, project_title="과제"))
        make_participation(sales, company, sales_before=1_000, sales_after=2_000)
        funded = make_participation(funding, company)
        db.session.add_all([Metric(participation_id=funded.id, kind=MetricKind.FUNDED_AMOUNT, value=10_000,
                                   on_date=date(2021, 12, 1)),
                            Metric(participation_id=funded.id, kind=MetricKind.GOAL_AMOUNT, value=20_000)])
        listed = make_participation(catalog, company)
        product = Product(company=company, name="카탈로그 상품")
        db.session.add(product)
        db.session.flush()
        db.session.add(ParticipationProduct(participation_id=listed.id, product_id=product.id))
        db.session.add(CoachingSession(company=company, coach_id=coach.id, held_on=date(2021, 9, 1),
                                       duration_minutes=60, mode=SessionMode.IN_PERSON, topic="코칭"))
    db.session.commit()


def test_the_statement_count_does_not_grow_with_the_companies(db, client_as, coordinator, make_program, make_cohort,
                                                              make_campaign, make_company, make_participation,
                                                              count_queries):
    program = make_program(year=2021)
    cohort = make_cohort(program=program)
    sales = make_campaign(program=program, stated_after_total=1)
    funding = make_campaign(program=program, kind=CampaignKind.FUNDING, channel="와디즈")
    catalog = make_campaign(program=program, kind=CampaignKind.CATALOG, channel=None)
    grow = dict(coach=coordinator, program=program, cohort=cohort, sales=sales, funding=funding, catalog=catalog,
                make_company=make_company, make_participation=make_participation)
    client = client_as(coordinator)
    _grow(db, count=2, **grow)
    client.get("/reports/?year=2021")

    with count_queries() as few:
        html_few = client.get("/reports/?year=2021").get_data(as_text=True)
    _grow(db, count=12, **grow)
    client.get("/reports/?year=2021")  # both counted requests find the figures kept since the one before them
    with count_queries() as many:
        html_many = client.get("/reports/?year=2021").get_data(as_text=True)

    assert "2개 업체" in html_few and "14개 업체" in html_many
    assert 'data-testid="paired-bar-chart"' in html_many and 'data-testid="hbar-chart"' in html_many
    assert many.count == few.count, (few.count, many.count)
    assert few.count <= 40, few.count


def test_a_funding_campaign_shows_its_totals_achievement_and_funding_per_day(
        db, client_as, coordinator, make_program, make_campaign, make_participation):
    funding = make_campaign("와디즈 기획전", program=make_program(year=2021), kind=CampaignKind.FUNDING,
                            channel="와디즈")
    for day, funded in ((date(2021, 11, 29), 300_000), (date(2021, 11, 30), 450_000)):
        participation = make_participation(funding)
        db.session.add_all([Metric(participation_id=participation.id, kind=MetricKind.FUNDED_AMOUNT, value=funded,
                                   on_date=day),
                            Metric(participation_id=participation.id, kind=MetricKind.GOAL_AMOUNT, value=500_000),
                            Metric(participation_id=participation.id, kind=MetricKind.SUPPORTERS, value=12)])
    db.session.commit()

    html, page = page_of(client_as(coordinator))

    figures = page.texts["funding-result"][0]
    assert "750,000원" in figures and "1,000,000원" in figures and "75%" in figures and "24명" in figures
    assert "2021. 11. 29.: 300,000원" in html and "2021. 11. 30.: 450,000원" in html


def test_the_year_choice_marks_only_the_year_shown(client_as, coordinator, make_program):
    make_program(year=2020)
    make_program(year=2021)

    html = client_as(coordinator).get("/reports/?year=2020").text

    assert '<option value="2020" selected>' in html
    assert '<option value="2021">' in html


def test_the_report_is_kept_until_data_changes_and_then_shows_the_change(db, client_as, coordinator, make_program,
                                                                          make_company, count_queries):
    make_program("첫 사업", year=2021)
    client = client_as(coordinator)
    client.get("/reports/?year=2021")

    with count_queries() as kept:
        again = client.get("/reports/?year=2021").text
    make_program("둘째 사업", year=2021)
    changed = client.get("/reports/?year=2021").text

    assert "첫 사업" in again and "둘째 사업" in changed
    assert kept.count <= 6, kept.count  # the user, the data version and the years; no figure is read again


def test_long_lists_show_their_first_hundred_rows_and_say_how_many_more_the_workbook_holds(
        db, client_as, coordinator, make_program, make_company):
    make_program(year=2021)
    company = make_company()
    db.session.add_all(CoachingSession(company=company, coach_id=coordinator.id, held_on=date(2021, 9, 1),
                                       duration_minutes=60, mode=SessionMode.IN_PERSON, topic=f"코칭 {n}")
                       for n in range(103))
    db.session.commit()

    html = client_as(coordinator).get("/reports/?year=2021").text
    coaching = html.split('data-testid="coaching-cases"')[1].split('data-testid="funnel"')[0]

    assert coaching.count("/coaching/sessions/") == 100
    assert "외 3건은 ‘표 내려받기 (XLSX)’에 있습니다." in coaching
    sheet = {title: rows for title, _headers, rows in result.workbook_sheets(result.result_report(2021))}
    assert len(sheet["코칭"]) == 103
    summary = html.split('data-testid="coaching-summary"')[1].split("</p>")[0]
    assert "1개 업체 (103회)" in summary


def test_the_first_rows_of_the_missing_fields_carry_the_counts_of_all_of_them(demo, db):
    program_ids = list(db.session.scalars(sa.select(result.Program.id).where(result.Program.year == 2021)))
    every_row = result.companies_missing_fields(program_ids, 2021)
    first = result.companies_missing_fields(program_ids, 2021, limit=5)

    assert len(first) == 5 and first == every_row[:5]
    assert first.total == every_row.total == len(every_row) == 17
    assert result.missing_field_counts(program_ids, 2021) == [
        (str(label), sum(1 for row in every_row if getattr(row, attribute)))
        for attribute, label in result.MISSING_FIELD_LABELS]
