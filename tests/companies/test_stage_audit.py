import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
import time_machine

from crm.auth.models import Role
from crm.companies.models import (
    Company,
    EnterpriseType,
    ListingChange,
    ListingStatus,
    Product,
    ProductListing,
    StageChange,
    Store,
)
from crm.companies.pipeline import Stage
from crm.companies.products import create_product, move_listing
from crm.companies.services import delete_company, move_stage
from crm.core.time import seoul_today


def _default_store(db) -> Store:
    return db.session.scalar(sa.select(Store).where(Store.is_default.is_(True)))


def test_the_view_shows_each_move_with_company_stages_skip_note_who_and_seoul_time(db, make_company, coordinator,
                                                                                  admin, client_as):
    company = make_company("공생공작")
    with time_machine.travel("2026-03-01 23:30:00+00:00", tick=False):
        move_stage(company, Stage.GUIDED, note="설명회 참석", actor=coordinator)
        db.session.commit()

    page = client_as(admin).get("/admin/audit/stages")

    assert page.status_code == 200
    assert f'href="/companies/{company.id}"' in page.text
    assert "발굴 → 입점안내" in page.text and "건너뜀" in page.text
    assert "설명회 참석" in page.text and "코디1" in page.text
    assert "2026. 3. 2. 08:30" in page.text


def test_the_view_filters_by_stage_and_by_user(db, make_company, make_user, coordinator, admin, client_as):
    other = make_user(Role.COORDINATOR, name="다른코디")
    first, second = make_company("첫째"), make_company("둘째")
    move_stage(first, Stage.CONTACTED, note=None, actor=coordinator)
    move_stage(second, Stage.CONTACTED, note=None, actor=other)
    move_stage(second, Stage.ON_HOLD, note="연락 두절", actor=other)
    db.session.commit()
    client = client_as(admin)

    on_hold = client.get("/admin/audit/stages?stage=on_hold")
    by_other = client.get(f"/admin/audit/stages?user_id={other.id}")
    contacted_by_coordinator = client.get(f"/admin/audit/stages?stage=contacted&user_id={coordinator.id}")

    assert "전체 1건" in on_hold.text and "연락 두절" in on_hold.text
    assert "전체 2건" in by_other.text
    assert "전체 1건" in contacted_by_coordinator.text and "첫째" in contacted_by_coordinator.text


def test_dates_are_seoul_calendar_days_with_both_ends_included(db, make_company, coordinator, admin, client_as):
    company = make_company()
    # 2026-03-01 23:30 UTC is 2026-03-02 08:30 in Seoul.
    with time_machine.travel("2026-03-01 23:30:00+00:00", tick=False):
        move_stage(company, Stage.CONTACTED, note=None, actor=coordinator)
        db.session.commit()
    client = client_as(admin)

    def total(query):
        page = client.get(f"/admin/audit/stages?stage=contacted&{query}")
        assert page.status_code == 200
        return page.text

    assert "전체 1건" in total("date_from=2026-03-02&date_to=2026-03-02")
    assert "전체 0건" in total("date_from=2026-03-01&date_to=2026-03-01")
    assert "전체 1건" in total("date_to=2026-03-02")
    assert "전체 0건" in total("date_from=2026-03-03")


def test_a_date_range_that_ends_before_it_starts_is_refused_beside_the_field(admin, client_as):
    response = client_as(admin).get("/admin/audit/stages?date_from=2026-02-01&date_to=2026-01-01")

    assert response.status_code == 422
    assert "종료일이 시작일보다 앞섭니다." in response.text


def test_changes_of_a_deleted_company_stay_in_the_view(db, make_company, coordinator, admin, client_as):
    company = make_company("지운기업")
    delete_company(company, actor=coordinator)
    db.session.commit()

    page = client_as(admin).get("/admin/audit/stages")

    assert "지운기업" in page.text and "삭제됨" in page.text


def test_the_listing_switch_shows_listing_changes_with_product_and_store(db, make_company, coordinator, admin,
                                                                        client_as):
    company = make_company("공생공작")
    product = create_product(company, name="업사이클 가방", actor=coordinator)
    move_listing(product, _default_store(db), "applied", note=None, actor=coordinator)
    move_listing(product, _default_store(db), "rejected", note="인증서 누락", actor=coordinator)
    db.session.commit()
    client = client_as(admin)

    page = client.get("/admin/audit/stages?kind=listing")
    rejected = client.get("/admin/audit/stages?kind=listing&status=rejected")

    assert page.status_code == 200 and "전체 2건" in page.text
    assert "업사이클 가방" in page.text and "e-store36.5" in page.text
    assert "미입점 → 입점신청" in page.text and "입점신청 → 반려" in page.text
    assert "전체 1건" in rejected.text and "인증서 누락" in rejected.text


def test_the_stage_changes_are_admin_only(db, coordinator, coach, client_as):
    for user in (coordinator, coach):
        client = client_as(user)
        assert client.get("/admin/audit/stages").status_code == 403
        assert client.get("/admin/audit/stages/export.csv").status_code == 403


def test_the_audit_log_links_to_the_stage_changes(admin, client_as):
    page = client_as(admin).get("/admin/audit/")

    assert 'href="/admin/audit/stages"' in page.text and "단계·입점 변경 이력" in page.text


# --- export ---------------------------------------------------------------------------------------------


@pytest.fixture
def moves(db, make_company, make_user, coordinator):
    other = make_user(Role.COORDINATOR, name="다른코디")
    company = make_company("=HYPERLINK(\"http://x\")")
    with time_machine.travel("2026-03-01 23:30:00+00:00", tick=False):
        move_stage(company, Stage.CONTACTED, note="-첫 연락", actor=coordinator)
    move_stage(company, Stage.GUIDED, note=None, actor=other)
    db.session.commit()
    return company, other


def test_the_csv_export_has_korean_headers_the_filtered_rows_and_formula_safe_cells(db, moves, admin, client_as):
    company, _ = moves

    response = client_as(admin).get("/admin/audit/stages/export.csv?stage=contacted")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="stage-changes-{seoul_today():%Y%m%d}.csv"'
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["일시", "기업", "기업 번호", "이전 단계", "변경 단계", "건너뜀", "메모", "변경한 사용자"]
    assert rows[1:] == [["2026. 3. 2. 08:30", "'=HYPERLINK(\"http://x\")", str(company.id), "발굴", "연락", "",
                         "'-첫 연락", "코디1 (coordinator1)"]]


def test_the_xlsx_export_holds_the_same_rows_as_text(db, moves, admin, client_as):
    _, other = moves

    response = client_as(admin).get(f"/admin/audit/stages/export.xlsx?user_id={other.id}")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'-{seoul_today():%Y%m%d}.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["일시", "기업", "기업 번호", "이전 단계", "변경 단계"]
    assert len(rows) == 2
    assert rows[1][1] == "=HYPERLINK(\"http://x\")"
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert rows[1][3:5] == ["연락", "입점안내"]


def test_the_listing_export(db, make_company, coordinator, admin, client_as):
    company = make_company("공생공작")
    product = create_product(company, name="업사이클 가방", actor=coordinator)
    move_listing(product, _default_store(db), "applied", note=None, actor=coordinator)
    db.session.commit()

    response = client_as(admin).get("/admin/audit/stages/export.csv?kind=listing")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert response.headers["Content-Disposition"].startswith('attachment; filename="listing-changes-')
    assert rows[0][:6] == ["일시", "기업", "상품", "판매처", "이전 상태", "변경 상태"]
    assert rows[1][1:6] == ["공생공작", "업사이클 가방", "e-store36.5", "미입점", "입점신청"]


def test_an_unknown_export_format_answers_404_and_bad_filters_422(admin, client_as):
    client = client_as(admin)

    assert client.get("/admin/audit/stages/export.pdf").status_code == 404
    assert client.get("/admin/audit/stages/export.csv?date_from=2026-02-01&date_to=2026-01-01").status_code == 422


# --- statements -----------------------------------------------------------------------------------------


def _add_changes(db, make_user, n):
    """n stage changes and n listing changes by a few users, each on a company and product of its own."""
    store = _default_store(db)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    users = [make_user(Role.COORDINATOR) for _ in range(3)]
    companies = [Company(name=f"기업{i}", name_key=f"기업{i}", enterprise_type=EnterpriseType.OTHER,
                         stage=Stage.CONTACTED) for i in range(n)]
    db.session.add_all(companies)
    db.session.flush()
    products = [Product(company_id=company.id, name=f"상품{i}") for i, company in enumerate(companies)]
    db.session.add_all(products)
    db.session.flush()
    listings = [ProductListing(product_id=product.id, store_id=store.id, status=ListingStatus.APPLIED)
                for product in products]
    db.session.add_all(listings)
    db.session.flush()
    for i, (company, listing) in enumerate(zip(companies, listings, strict=True)):
        by_id, at = users[i % len(users)].id, start + timedelta(minutes=i)
        db.session.add(StageChange(company_id=company.id, from_stage=Stage.SOURCED, to_stage=Stage.CONTACTED,
                                   by_id=by_id, at=at))
        db.session.add(ListingChange(listing_id=listing.id, from_status=ListingStatus.NOT_LISTED,
                                     to_status=ListingStatus.APPLIED, by_id=by_id, at=at))
    db.session.commit()


@pytest.mark.parametrize("url", ["/admin/audit/stages", "/admin/audit/stages?kind=listing",
                                 "/admin/audit/stages/export.csv", "/admin/audit/stages/export.csv?kind=listing"])
def test_the_view_and_export_issue_as_many_statements_for_200_changes_as_for_5(
        db, make_user, admin, client_as, count_queries, url):
    client = client_as(admin)

    _add_changes(db, make_user, 5)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _add_changes(db, make_user, 195)
    with count_queries() as many:
        assert client.get(url).status_code == 200

    assert few.count == many.count, many.statements
