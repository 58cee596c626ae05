"""/companies/: search by any name or alias, filters, sort, pages, the coach's view, and the CSV/XLSX export."""
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from crm.auth.models import Role
from crm.companies.list_views import EXPORT_HEADERS
from crm.companies.models import (
    Certification,
    CertificationKind,
    Company,
    CompanyAlias,
    CompanyCoach,
    EnterpriseType,
    ListingStatus,
    Product,
    ProductListing,
    Store,
)
from crm.companies.pipeline import Stage
from crm.companies.rules import name_key
from crm.companies.services import CompanyFields, set_coaches, update_company
from crm.core.export import UTF8_BOM
from crm.core.time import seoul_today

COMPANY_LINK = re.compile(r'<a href="/companies/(\d+)">([^<]*)</a>')


def names_on(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [name for _id, name in COMPANY_LINK.findall(response.text)]


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(UTF8_BOM))))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.get_data())).active


def add_listed_product(db, company, status=ListingStatus.LISTED):
    store = db.session.scalar(sa.select(Store).where(Store.is_default.is_(True)))
    product = Product(company_id=company.id, name=f"{company.name} 상품")
    db.session.add(product)
    db.session.flush()
    db.session.add(ProductListing(product_id=product.id, store_id=store.id, status=status))
    db.session.commit()
    return product


# Search

def test_the_list_shows_every_company_with_the_total(client_as, coordinator, make_company):
    make_company("공생공작")
    make_company("365공유경제사회적협동조합")

    response = client_as(coordinator).get("/companies/")

    assert sorted(names_on(response)) == ["365공유경제사회적협동조합", "공생공작"]
    assert "전체 2건" in response.text


def test_search_finds_a_part_of_the_legal_name(client_as, coordinator, make_company):
    make_company("365공유경제사회적협동조합")
    make_company("공생공작")

    assert names_on(client_as(coordinator).get("/companies/", query_string={"q": "공유경제"})) == [
        "365공유경제사회적협동조합"]


def test_search_finds_a_company_by_its_brand_name(client_as, coordinator, make_company):
    make_company("365공유경제사회적협동조합", aliases=["공정여행통영뚜벅투어"])
    make_company("공생공작")

    response = client_as(coordinator).get("/companies/", query_string={"q": "뚜벅투어"})

    assert names_on(response) == ["365공유경제사회적협동조합"]
    assert "공정여행통영뚜벅투어" in response.text  # the alias is shown with the name


@pytest.mark.parametrize("query", ["통영 뚜벅", "통영뚜벅", " 공정 여행 통영 ", "뚜 벅 투 어"])
def test_search_ignores_spaces_in_the_query_and_the_name(client_as, coordinator, make_company, query):
    make_company("365공유경제사회적협동조합", aliases=["공정여행 통영 뚜벅투어"])

    assert names_on(client_as(coordinator).get("/companies/", query_string={"q": query})) == [
        "365공유경제사회적협동조합"]


@pytest.mark.parametrize("stored", ["주식회사 공생공작", "㈜공생공작", "(주)공생공작", "농업회사법인 공생공작",
                                    "공생공작"])
@pytest.mark.parametrize("query", ["공생공작", "㈜공생공작", "(주) 공생공작", "주식회사공생공작",
                                   "농업회사법인 공생 공작"])
def test_search_ignores_legal_form_words(client_as, coordinator, make_company, stored, query):
    make_company(stored)
    make_company("다른기업")

    assert names_on(client_as(coordinator).get("/companies/", query_string={"q": query})) == [stored]


def test_search_ignores_legal_form_words_in_aliases_too(client_as, coordinator, make_company):
    make_company("공생공작협동조합", aliases=["㈜ 공생 브랜드"])

    assert names_on(client_as(coordinator).get("/companies/", query_string={"q": "주식회사 공생브랜드"})) == [
        "공생공작협동조합"]


@pytest.mark.parametrize("query", ["%", "_", "공_", "%공"])
def test_like_wildcards_in_the_query_match_only_themselves(client_as, coordinator, make_company, query):
    make_company("공생공작")
    make_company("100%_기업")

    found = names_on(client_as(coordinator).get("/companies/", query_string={"q": query}))

    assert found == (["100%_기업"] if query in ("%", "_") else [])


def test_a_query_of_only_legal_form_words_lists_everything(client_as, coordinator, make_company):
    make_company("공생공작")
    make_company("다른기업")

    assert len(names_on(client_as(coordinator).get("/companies/", query_string={"q": "주식회사"}))) == 2


# Filters

def test_filter_by_enterprise_type(client_as, coordinator, make_company):
    make_company("협동", enterprise_type=EnterpriseType.COOPERATIVE)
    make_company("마을", enterprise_type=EnterpriseType.VILLAGE_ENTERPRISE)

    assert names_on(client_as(coordinator).get("/companies/?enterprise_type=cooperative")) == ["협동"]


def test_filter_by_region(client_as, coordinator, make_company):
    make_company("통영", region="경상남도")
    make_company("전주", region="전라북도")  # the former name, stored as 전북특별자치도 (52)

    client = client_as(coordinator)

    assert names_on(client.get("/companies/?region=52")) == ["전주"]
    assert names_on(client.get("/companies/?region=48")) == ["통영"]


def test_filter_by_stage(client_as, coordinator, make_company):
    make_company("발굴기업")
    make_company("입점기업", stage=Stage.LISTED)
    make_company("보류기업", stage=Stage.CONTACTED)

    assert names_on(client_as(coordinator).get("/companies/?stage=listed")) == ["입점기업"]


def test_filter_by_a_product_listed_on_a_store(db, client_as, coordinator, make_company):
    listed = make_company("입점상품있음")
    applied = make_company("신청만함")
    make_company("상품없음")
    add_listed_product(db, listed)
    add_listed_product(db, applied, status=ListingStatus.APPLIED)
    client = client_as(coordinator)

    assert names_on(client.get("/companies/?listed=yes")) == ["입점상품있음"]
    assert names_on(client.get("/companies/?listed=no")) == ["상품없음", "신청만함"]


def test_a_deleted_product_does_not_count_as_listed(db, client_as, coordinator, make_company):
    company = make_company("삭제된상품")
    product = add_listed_product(db, company)
    product.deleted_at = datetime.now(UTC)
    db.session.commit()

    assert names_on(client_as(coordinator).get("/companies/?listed=yes")) == []


def test_filter_by_coordinator(client_as, make_user, make_company):
    kim = make_user(Role.COORDINATOR, name="김코디")
    lee = make_user(Role.COORDINATOR, name="이코디")
    make_company("김의기업", coordinator_id=kim.id)
    make_company("이의기업", coordinator_id=lee.id)

    response = client_as(kim).get(f"/companies/?coordinator_id={lee.id}")

    assert names_on(response) == ["이의기업"]
    assert "이코디" in response.text


def test_filter_by_coach(client_as, coordinator, make_user, make_company):
    park = make_user(Role.COACH, name="박코치")
    choi = make_user(Role.COACH, name="최코치")
    make_company("박의기업", coaches=[park])
    make_company("둘다", coaches=[park, choi])
    make_company("코치없음")

    assert names_on(client_as(coordinator).get(f"/companies/?coach_id={choi.id}")) == ["둘다"]
    assert names_on(client_as(coordinator).get(f"/companies/?coach_id={park.id}")) == ["둘다", "박의기업"]


def test_filters_combine_with_search(client_as, coordinator, make_company):
    make_company("공생공작", stage=Stage.LISTED)
    make_company("공생마을", stage=Stage.SOURCED)

    assert names_on(client_as(coordinator).get("/companies/?q=공생&stage=sourced")) == ["공생마을"]


@pytest.mark.parametrize("query", [
    "stage=bogus", "enterprise_type=corp", "region=99", "listed=maybe", "coordinator_id=abc", "coach_id=1.5",
    "sort=price", "direction=up", "q=" + "가" * 101,
])
def test_a_bad_filter_value_gets_the_form_back_with_a_message_and_is_ignored(client_as, coordinator, make_company,
                                                                             query):
    make_company("공생공작")

    response = client_as(coordinator).get(f"/companies/?{query}")

    assert response.status_code == 422
    assert "invalid-feedback" in response.text
    assert [name for _id, name in COMPANY_LINK.findall(response.text)] == ["공생공작"]


def test_a_bad_page_number_is_not_found(client_as, coordinator, make_company):
    make_company("공생공작")

    assert client_as(coordinator).get("/companies/?page=abc").status_code == 404


# Sorting

def test_sorting_by_name_both_ways(client_as, coordinator, make_company):
    for name in ("나기업", "가기업", "다기업"):
        make_company(name)
    client = client_as(coordinator)

    assert names_on(client.get("/companies/")) == ["가기업", "나기업", "다기업"]
    assert names_on(client.get("/companies/?sort=name&direction=desc")) == ["다기업", "나기업", "가기업"]


def test_sorting_by_stage_follows_the_funnel(client_as, coordinator, make_company):
    make_company("입점", stage=Stage.LISTED)
    make_company("발굴", stage=Stage.SOURCED)
    make_company("신청", stage=Stage.APPLIED)
    make_company("연락", stage=Stage.CONTACTED)

    assert names_on(client_as(coordinator).get("/companies/?sort=stage")) == ["발굴", "연락", "신청", "입점"]
    assert names_on(client_as(coordinator).get("/companies/?sort=stage&direction=desc")) == [
        "입점", "신청", "연락", "발굴"]


def test_sorting_by_days_in_stage(db, client_as, coordinator, make_company):
    now = datetime.now(UTC)
    for name, days in (("열흘", 10), ("하루", 1), ("백일", 100)):
        company = make_company(name)
        company.stage_since = now - timedelta(days=days)
    db.session.commit()
    client = client_as(coordinator)

    response = client.get("/companies/?sort=days&direction=desc")

    assert names_on(response) == ["백일", "열흘", "하루"]
    assert "100일" in response.text
    assert names_on(client.get("/companies/?sort=days")) == ["하루", "열흘", "백일"]


def test_sorting_by_date_created(db, client_as, coordinator, make_company):
    now = datetime.now(UTC)
    for name, days in (("중간", 5), ("최근", 1), ("오래전", 30)):
        make_company(name).created_at = now - timedelta(days=days)
    db.session.commit()

    assert names_on(client_as(coordinator).get("/companies/?sort=created&direction=desc")) == [
        "최근", "중간", "오래전"]


def test_the_column_headers_link_to_the_other_direction(client_as, coordinator, make_company):
    make_company("공생공작")

    response = client_as(coordinator).get("/companies/?q=공생&sort=name")

    assert 'aria-sort="ascending"' in response.text
    assert "sort=name&amp;direction=desc" in response.text


# Pages

def bulk_companies(db, count: int, *, prefix="기업", with_details=False, coach=None):
    """Rows straight into the session (fast); with_details adds aliases, a coach and certifications."""
    companies = [Company(name=f"{prefix}{n:05d}", name_key=name_key(f"{prefix}{n:05d}"),
                         enterprise_type=EnterpriseType.SOCIAL_ENTERPRISE, stage=list(Stage)[n % len(Stage)],
                         region_code="11") for n in range(count)]
    db.session.add_all(companies)
    db.session.flush()
    if with_details:
        today = seoul_today()
        extras = []
        for n, company in enumerate(companies):
            if n % 3 == 0:
                extras.append(CompanyAlias(company_id=company.id, name=f"브랜드{n}", name_key=f"브랜드{n}"))
            if coach is not None and n % 2 == 0:
                extras.append(CompanyCoach(company_id=company.id, coach_id=coach.id))
            if n % 4 == 0:
                extras.append(Certification(company_id=company.id, kind=CertificationKind.PRE_REGIONAL,
                                            valid_from=today - timedelta(days=1000),
                                            valid_to=today + timedelta(days=n % 120 - 30)))
        db.session.add_all(extras)
    db.session.commit()
    return companies


def test_fifty_companies_a_page_and_the_rest_on_the_next(db, client_as, coordinator):
    bulk_companies(db, 51)
    client = client_as(coordinator)

    first, second = client.get("/companies/"), client.get("/companies/?page=2")

    assert len(names_on(first)) == 50
    assert names_on(second) == ["기업00050"]
    assert "전체 51건" in first.text and "전체 51건" in second.text
    assert "page=2" in first.text


def test_pages_keep_the_filters(app, client_as, coordinator, make_company):
    app.config["PAGE_SIZE"] = 2
    for name in ("공생1", "공생2", "공생3", "다른기업"):
        make_company(name)

    response = client_as(coordinator).get("/companies/?q=공생&page=2")

    assert names_on(response) == ["공생3"]
    assert "전체 3건" in response.text
    assert "q=%EA%B3%B5%EC%83%9D&amp;page=1" in response.text


def test_a_page_past_the_end_is_not_found(client_as, coordinator, make_company):
    make_company("공생공작")

    assert client_as(coordinator).get("/companies/?page=2").status_code == 404


def test_the_list_issues_the_same_number_of_statements_for_10_and_1000_companies(db, client_as, coordinator, coach,
                                                                                  count_queries):
    client = client_as(coordinator)

    def statements_for_the_page() -> int:
        with count_queries() as counter:
            response = client.get("/companies/")
        assert response.status_code == 200
        return counter.count

    bulk_companies(db, 10, prefix="소", with_details=True, coach=coach)
    few = statements_for_the_page()
    bulk_companies(db, 990, prefix="대", with_details=True, coach=coach)
    many = statements_for_the_page()

    assert few == many
    assert many <= 12


def test_a_coach_page_issues_the_same_number_of_statements_for_10_and_1000_companies(db, client_as, coach,
                                                                                      count_queries):
    client = client_as(coach)

    def statements_for_the_page() -> int:
        with count_queries() as counter:
            response = client.get("/companies/?q=기업&sort=days")
        assert response.status_code == 200
        return counter.count

    bulk_companies(db, 10, prefix="소기업", with_details=True, coach=coach)
    few = statements_for_the_page()
    bulk_companies(db, 990, prefix="대기업", with_details=True, coach=coach)
    many = statements_for_the_page()

    assert few == many


# What a row shows

def test_a_row_shows_type_region_stage_coordinator_coaches_and_links_to_the_company(client_as, coordinator, coach,
                                                                                   make_company):
    company = make_company("공생공작", enterprise_type=EnterpriseType.COOPERATIVE, region="경상남도",
                           coordinator_id=coordinator.id, coaches=[coach], stage=Stage.GUIDED)

    response = client_as(coordinator).get("/companies/")

    assert f'<a href="/companies/{company.id}">공생공작</a>' in response.text
    for text in ("협동조합", "경상남도", "입점안내", coordinator.name, coach.name, "0일"):
        assert text in response.text


def test_a_row_lists_aliases_by_name_and_coaches_in_the_order_they_were_assigned(db, client_as, coordinator,
                                                                               make_user, make_company):
    first_user, second_user = make_user(Role.COACH, name="가코치"), make_user(Role.COACH, name="나코치")
    company = make_company("공생공작", aliases=["하늘상회", "가람상회"], coaches=[second_user])
    set_coaches(company, [second_user.id, first_user.id], actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).get("/companies/")

    assert '<div class="small text-muted">가람상회, 하늘상회</div>' in response.text
    assert "<td>나코치, 가코치</td>" in response.text


def test_a_row_follows_changes_made_after_the_list_was_shown(db, client_as, coordinator, coach, make_company):
    company = make_company("공생공작")
    client = client_as(coordinator)
    assert "data-testid=\"certification-ends-soon\"" not in client.get("/companies/").text

    set_coaches(company, [coach.id], actor=coordinator)
    db.session.commit()
    pre_designation(db, company, valid_to=seoul_today() + timedelta(days=30))
    response = client.get("/companies/")

    assert f"<td>{coach.name}</td>" in response.text
    assert response.text.count('data-testid="certification-ends-soon"') == 1


def test_a_row_names_a_coordinator_who_has_since_been_deactivated(db, client_as, admin, make_user, make_company):
    former = make_user(Role.COORDINATOR, name="전임 코디")
    make_company("공생공작", coordinator_id=former.id)
    former.active = False
    db.session.commit()

    response = client_as(admin).get("/companies/")

    assert "<td>전임 코디</td>" in response.text


def pre_designation(db, company, *, valid_to: date, kind=CertificationKind.PRE_REGIONAL):
    db.session.add(Certification(company_id=company.id, kind=kind, valid_from=valid_to - timedelta(days=700),
                                 valid_to=valid_to))
    db.session.commit()


def test_a_pre_social_enterprise_designation_ending_within_90_days_is_warned(db, client_as, coordinator,
                                                                              make_company):
    pre_designation(db, make_company("곧만료"), valid_to=seoul_today() + timedelta(days=90),
                    kind=CertificationKind.PRE_MINISTRY)
    pre_designation(db, make_company("여유있음"), valid_to=seoul_today() + timedelta(days=91))

    response = client_as(coordinator).get("/companies/")

    assert response.text.count('data-testid="certification-ends-soon"') == 1
    assert 'data-testid="certification-ended"' not in response.text


def test_an_ended_designation_is_warned_unless_the_company_is_now_a_certified_social_enterprise(
        db, client_as, coordinator, make_company):
    pre_designation(db, make_company("만료됨"), valid_to=seoul_today() - timedelta(days=1))
    graduated = make_company("인증받음")
    pre_designation(db, graduated, valid_to=seoul_today() - timedelta(days=10))
    db.session.add(Certification(company_id=graduated.id, kind=CertificationKind.SOCIAL_ENTERPRISE,
                                 valid_from=seoul_today() - timedelta(days=9)))
    db.session.commit()

    response = client_as(coordinator).get("/companies/")

    assert response.text.count('data-testid="certification-ended"') == 1
    row = response.text.split("만료됨")[1].split("</tr>")[0]
    assert 'data-testid="certification-ended"' in row


def test_the_new_company_button_is_for_coordinators_and_admins(client_as, admin, coordinator, coach):
    assert "/companies/new" in client_as(coordinator).get("/companies/").text
    assert "/companies/new" in client_as(admin).get("/companies/").text
    assert "/companies/new" not in client_as(coach).get("/companies/").text


def test_every_filter_input_has_a_label(client_as, coordinator):
    html = client_as(coordinator).get("/companies/").text
    form = html.split('aria-label="기업 검색과 필터"')[1].split("</form>")[0]

    for field_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', form):
        assert f'<label class="form-label" for="{field_id}">' in form, field_id


# A coach

def test_a_coach_sees_only_the_companies_assigned_to_them(client_as, coach, make_user, make_company):
    other = make_user(Role.COACH)
    make_company("내기업", coaches=[coach])
    make_company("남의기업", coaches=[other])
    make_company("배정없음")
    client = client_as(coach)

    assert names_on(client.get("/companies/")) == ["내기업"]
    assert names_on(client.get("/companies/?q=기업")) == ["내기업"]
    assert names_on(client.get(f"/companies/?coach_id={other.id}")) == []
    assert "전체 1건" in client.get("/companies/").text


def test_a_coach_searching_an_alias_of_someone_elses_company_finds_nothing(client_as, coach, make_user,
                                                                          make_company):
    make_company("365공유경제사회적협동조합", aliases=["공정여행통영뚜벅투어"], coaches=[make_user(Role.COACH)])

    assert names_on(client_as(coach).get("/companies/?q=뚜벅")) == []


def test_a_coach_exports_only_the_companies_assigned_to_them(client_as, coach, make_user, make_company):
    make_company("내기업", coaches=[coach])
    make_company("남의기업", coaches=[make_user(Role.COACH)])
    client = client_as(coach)

    rows = read_csv(client.get("/companies/export.csv"))
    sheet = read_xlsx(client.get("/companies/export.xlsx"))

    assert [row[0] for row in rows[1:]] == ["내기업"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["내기업"]


# Export

@pytest.fixture
def exported_company(make_company, coordinator, coach):
    return make_company("주식회사 공생공작", aliases=["공생 브랜드", "쇼핑라이브"],
                        enterprise_type=EnterpriseType.SOCIAL_COOPERATIVE, business_number="1234567891",
                        region="강원도", industry="공예", contact_name="홍길동", phone="010-1234-5678",
                        email="hello@example.com", website="https://example.com", shop_url="https://shop.example.com",
                        coordinator_id=coordinator.id, coaches=[coach], source="해피빈",
                        discovered_on=date(2021, 6, 1), stage=Stage.GUIDED)


def expected_row(coordinator, coach) -> list[str]:
    return ["주식회사 공생공작", "공생 브랜드, 쇼핑라이브", "사회적협동조합", "123-45-67891", "강원특별자치도", "공예",
            "홍길동", "010-1234-5678", "hello@example.com", "https://example.com", "https://shop.example.com",
            "입점안내", seoul_today().isoformat(), coordinator.name, coach.name, "해피빈", "2021-06-01"]


def test_the_csv_export_has_the_korean_headers_and_every_field(client_as, coordinator, coach, exported_company):
    response = client_as(coordinator).get("/companies/export.csv")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="companies-{seoul_today():%Y%m%d}.csv"')
    assert read_csv(response) == [list(EXPORT_HEADERS), expected_row(coordinator, coach)]


def test_the_xlsx_export_has_the_same_headers_and_fields(client_as, coordinator, coach, exported_company):
    response = client_as(coordinator).get("/companies/export.xlsx")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="companies-{seoul_today():%Y%m%d}.xlsx"')
    header, row = read_xlsx(response).iter_rows(values_only=True)
    assert list(header) == list(EXPORT_HEADERS)
    values = [value.date().isoformat() if isinstance(value, datetime) else value or "" for value in row]
    assert values == expected_row(coordinator, coach)


def test_the_export_headers_are_the_ones_the_import_reads_back():
    assert EXPORT_HEADERS == ("기업명", "브랜드명(별칭)", "기업유형", "사업자등록번호", "지역", "업종", "담당자",
                              "연락처", "이메일", "홈페이지", "쇼핑몰", "단계", "단계 변경일", "담당 코디네이터",
                              "담당 코치", "발굴 경로", "발굴일")


def test_the_export_is_exactly_the_filtered_list_on_every_page(app, db, client_as, coordinator, make_company):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        make_company(f"공생{n}", stage=Stage.LISTED)
    make_company("공생발굴", stage=Stage.SOURCED)
    make_company("다른기업", stage=Stage.LISTED)

    rows = read_csv(client_as(coordinator).get("/companies/export.csv?q=공생&stage=listed&sort=name&direction=desc"))

    assert [row[0] for row in rows[1:]] == ["공생4", "공생3", "공생2", "공생1", "공생0"]


def test_the_export_reads_the_companies_in_chunks_and_keeps_each_ones_aliases_and_coaches(
        monkeypatch, db, client_as, coordinator, coach, make_user, make_company, count_queries):
    monkeypatch.setattr("crm.companies.list_views.EXPORT_CHUNK", 2)
    other_coach = make_user(Role.COACH, name="둘째코치")
    for n in range(5):
        make_company(f"청크{n}", aliases=[f"별칭{n}가", f"별칭{n}나"], coaches=[coach, other_coach][: n % 3])
    client = client_as(coordinator)
    client.get("/companies/export.csv?q=청크0")  # both counted exports find the filter choices kept

    with count_queries() as counted:
        rows = read_csv(client.get("/companies/export.csv"))

    assert [(row[0], row[1], row[14]) for row in rows[1:]] == [
        ("청크0", "별칭0가, 별칭0나", ""),
        ("청크1", "별칭1가, 별칭1나", coach.name),
        ("청크2", "별칭2가, 별칭2나", f"{coach.name}, 둘째코치"),
        ("청크3", "별칭3가, 별칭3나", ""),
        ("청크4", "별칭4가, 별칭4나", coach.name),
    ]
    # Three chunks of at most two companies: the aliases and the coaches of each chunk in one statement each.
    with count_queries() as counted_again:
        client.get("/companies/export.csv?q=청크0")
    assert counted.count - counted_again.count == 2 * 2


def test_the_export_is_in_korean_whatever_the_reader_s_language(client_as, coordinator, exported_company):
    client = client_as(coordinator)
    client.post("/lang", data={"lang": "en", "next": "/companies/"})

    [header, row] = read_csv(client.get("/companies/export.csv"))

    assert header == list(EXPORT_HEADERS)
    assert (row[2], row[11]) == ("사회적협동조합", "입점안내")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_company_name_that_starts_like_a_formula_is_not_run(client_as, coordinator, make_company, start):
    name = f"{start}HYPERLINK(\"http://evil.example\")공생"
    make_company(name, aliases=["=1+1"], industry="@SUM(A1)")
    client = client_as(coordinator)

    [_, csv_row] = read_csv(client.get("/companies/export.csv"))
    sheet = read_xlsx(client.get("/companies/export.xlsx"))

    stored = name.strip()  # the service trims what a form gives
    assert csv_row[0] == ("'" + stored if stored.startswith(("=", "+", "-", "@")) else stored)
    assert (csv_row[1], csv_row[5]) == ("'=1+1", "'@SUM(A1)")
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert sheet["A2"].value == stored and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"


def test_an_unknown_export_format_is_not_found(client_as, coordinator):
    assert client_as(coordinator).get("/companies/export.pdf").status_code == 404


def test_an_export_with_a_bad_filter_gets_the_form_back(client_as, coordinator, make_company):
    make_company("공생공작")

    response = client_as(coordinator).get("/companies/export.csv?stage=bogus")

    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_the_export_links_carry_the_current_filters(client_as, coordinator):
    html = client_as(coordinator).get("/companies/?stage=listed&page=1").text

    assert 'href="/companies/export.csv?stage=listed"' in html
    assert 'href="/companies/export.xlsx?stage=listed"' in html


def test_an_anonymous_visitor_cannot_export(client):
    response = client.get("/companies/export.csv")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- the kept rows --------------------------------------------------------------------------------------------

def test_kept_rows_follow_an_edit_a_new_seoul_day_and_the_language(db, client_as, coordinator, make_company):
    company = make_company("옛이름", enterprise_type=EnterpriseType.COOPERATIVE)
    company.stage_since = datetime(2021, 6, 1, 14, 0, tzinfo=UTC)  # 6. 1. 23:00 in Seoul
    db.session.commit()
    with time_machine.travel(datetime(2021, 6, 2, 14, 59, tzinfo=UTC), tick=False):  # 6. 2. 23:59 in Seoul
        client = client_as(coordinator)
        assert "1일" in row_of(client.get("/companies/"), "옛이름")

    with time_machine.travel(datetime(2021, 6, 2, 15, 1, tzinfo=UTC), tick=False):  # 6. 3. 00:01 in Seoul
        assert "2일" in row_of(client.get("/companies/"), "옛이름")
        update_company(company, CompanyFields(name="새이름", enterprise_type=EnterpriseType.COOPERATIVE),
                       version=company.version, actor=coordinator)
        db.session.commit()
        assert names_on(client.get("/companies/")) == ["새이름"]
        client.post("/lang", data={"lang": "en", "next": "/companies/"})
        assert "Cooperative" in row_of(client.get("/companies/"), "새이름")


def row_of(response, name: str) -> str:
    return response.text.split(name, 1)[1].split("</tr>", 1)[0]
