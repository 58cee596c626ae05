"""/companies/products/export.csv|xlsx: the products of exactly the companies the filtered list shows."""
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.companies.list_views import PRODUCT_EXPORT_HEADERS
from crm.companies.models import Product
from crm.companies.pipeline import Stage
from crm.core.softdelete import soft_delete
from crm.core.time import seoul_today
from crm.imports.kinds import KINDS, guess_mapping
from crm.imports.models import ImportKind
from tests.companies.test_list import bulk_companies, read_csv, read_xlsx


def add_products(db, company, *products: tuple) -> list[Product]:
    """Products (name, category, price) of the company."""
    added = [Product(company_id=company.id, name=name, category=category, price=price)
             for name, category, price in products]
    db.session.add_all(added)
    db.session.commit()
    return added


def test_the_csv_export_has_the_import_headers_and_a_row_per_live_product(db, client_as, coordinator, make_company):
    company = make_company("공생공작", business_number="1234567891")
    _soap, candle = add_products(db, company, ("수제 비누", "생활", 12_000), ("양초", None, None))
    soft_delete(candle, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).get("/companies/products/export.csv")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="products-{seoul_today():%Y%m%d}.csv"')
    assert read_csv(response) == [["기업명", "사업자등록번호", "상품명", "분류", "가격"],
                                  ["공생공작", "123-45-67891", "수제 비누", "생활", "12000"]]


def test_the_xlsx_export_has_the_same_rows_with_prices_as_numbers(db, client_as, coordinator, make_company):
    add_products(db, make_company("공생공작"), ("수제 비누", "생활", 12_000), ("양초", None, None))

    response = client_as(coordinator).get("/companies/products/export.xlsx")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert list(read_xlsx(response).iter_rows(values_only=True)) == [
        PRODUCT_EXPORT_HEADERS, ("공생공작", None, "수제 비누", "생활", 12_000), ("공생공작", None, "양초", None, None)]


def test_every_export_header_is_a_field_the_products_import_reads():
    fields = KINDS[ImportKind.PRODUCTS].fields

    assert guess_mapping(fields, list(PRODUCT_EXPORT_HEADERS)) == ["company", "business_number", "name", "category",
                                                                   "price"]


def test_the_export_holds_exactly_the_filtered_companies_products_in_the_lists_order(app, db, client_as,
                                                                                      coordinator, make_company):
    app.config["PAGE_SIZE"] = 2
    for n in range(4):
        company = make_company(f"공생{n}", stage=Stage.LISTED)
        add_products(db, company, (f"상품{n}-나", None, 1), (f"상품{n}-가", None, 2))
    add_products(db, make_company("공생발굴", stage=Stage.SOURCED), ("발굴 상품", None, 1))
    add_products(db, make_company("다른기업", stage=Stage.LISTED), ("다른 상품", None, 1))
    make_company("공생상품없음", stage=Stage.LISTED)

    rows = read_csv(client_as(coordinator).get(
        "/companies/products/export.csv?q=공생&stage=listed&sort=name&direction=desc&page=2"))

    assert [(row[0], row[2]) for row in rows[1:]] == [
        (f"공생{n}", f"상품{n}-{suffix}") for n in (3, 2, 1, 0) for suffix in ("가", "나")]


def test_a_coach_exports_only_the_products_of_their_companies(db, client_as, coach, make_user, make_company):
    add_products(db, make_company("내기업", coaches=[coach]), ("내 상품", None, 1))
    other = make_company("남의기업", coaches=[make_user(Role.COACH)])
    add_products(db, other, ("남의 상품", None, 1))
    client = client_as(coach)

    csv_rows = read_csv(client.get("/companies/products/export.csv"))
    asked_for_the_other = read_csv(client.get(f"/companies/products/export.csv?q=남의기업&coach_id={other.id}"))
    sheet = read_xlsx(client.get("/companies/products/export.xlsx"))

    assert [(row[0], row[2]) for row in csv_rows[1:]] == [("내기업", "내 상품")]
    assert asked_for_the_other[1:] == []
    assert [(row[0].value, row[2].value) for row in sheet.iter_rows(min_row=2)] == [("내기업", "내 상품")]


def test_a_product_that_starts_like_a_formula_is_not_run(db, client_as, coordinator, make_company):
    add_products(db, make_company("=HYPERLINK(\"http://evil.example\")"), ("-1+1 상품", "@SUM(A1)", 5))
    client = client_as(coordinator)

    [_, csv_row] = read_csv(client.get("/companies/products/export.csv"))
    sheet = read_xlsx(client.get("/companies/products/export.xlsx"))

    assert csv_row == ["'=HYPERLINK(\"http://evil.example\")", "", "'-1+1 상품", "'@SUM(A1)", "5"]
    assert [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"] == []
    assert (sheet["A2"].value, sheet["C2"].value, sheet["D2"].value) == (
        "=HYPERLINK(\"http://evil.example\")", "-1+1 상품", "@SUM(A1)")


def test_the_export_is_recorded_in_the_audit_log_with_its_row_count(db, client_as, coordinator, make_company):
    add_products(db, make_company("내보낼기업"), ("가", None, 1), ("나", None, 2))

    response = client_as(coordinator).get("/companies/products/export.xlsx?q=내보낼")

    assert response.status_code == 200
    [event] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "export"))
    assert event.actor_id == coordinator.id
    assert (event.changes["list"], event.changes["format"], event.changes["rows"]) == ("products", "xlsx", 2)
    assert "q=" in event.changes["query"]


def test_an_export_with_a_bad_filter_gets_the_form_back_and_nothing_is_recorded(db, client_as, coordinator,
                                                                               make_company):
    add_products(db, make_company("공생공작"), ("가", None, 1))

    response = client_as(coordinator).get("/companies/products/export.csv?stage=bogus")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "export")).all() == []


def test_the_company_list_links_to_the_products_export_with_its_filters(client_as, coordinator):
    html = client_as(coordinator).get("/companies/?stage=listed&page=1").text

    assert 'href="/companies/products/export.csv?stage=listed"' in html
    assert 'href="/companies/products/export.xlsx?stage=listed"' in html


def test_the_export_issues_the_same_number_of_statements_for_2_and_20_companies(db, client_as, coordinator, coach,
                                                                                count_queries):
    client = client_as(coordinator)

    def statements_for_the_export() -> tuple[int, int]:
        with count_queries() as counter:
            response = client.get("/companies/products/export.xlsx")
        assert response.status_code == 200
        return counter.count, len(list(read_xlsx(response).iter_rows(min_row=2)))

    def with_products(companies):
        for company in companies:
            add_products(db, company, (f"{company.name} 가", None, 1), (f"{company.name} 나", "분류", 2))

    with_products(bulk_companies(db, 2, prefix="소", with_details=True, coach=coach))
    few, few_rows = statements_for_the_export()
    with_products(bulk_companies(db, 18, prefix="대", with_details=True, coach=coach))
    many, many_rows = statements_for_the_export()

    assert (few_rows, many_rows) == (4, 40)
    assert few == many
    assert many <= 12
