from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.companies import products
from crm.companies.models import ListingChange, ListingStatus, Product, ProductListing, Store
from crm.core.errors import RuleError
from tests.conftest import csrf_token_from


def _store(db, code: str) -> Store:
    return db.session.scalar(sa.select(Store).where(Store.code == code))


def _product(db, product_id: int) -> Product:
    db.session.expire_all()
    stmt = sa.select(Product).where(Product.id == product_id).execution_options(include_deleted=True)
    return db.session.scalar(stmt)


def _audit_rows(db, record_type: str, action: str | None = None) -> list[AuditLog]:
    stmt = sa.select(AuditLog).where(AuditLog.record_type == record_type).order_by(AuditLog.id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(db.session.scalars(stmt))


def _changes(db, product_id: int) -> list[ListingChange]:
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(ListingChange).join(ListingChange.listing).where(ProductListing.product_id == product_id)
        .order_by(ListingChange.id)))


def _listing(db, product_id: int, store: Store) -> ProductListing | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(ProductListing).where(ProductListing.product_id == product_id,
                                                             ProductListing.store_id == store.id))


@pytest.fixture
def company(make_company):
    return make_company("함께웃는협동조합")


@pytest.fixture
def make_product(db, company, coordinator):
    def make(name: str = "유기농 현미", *, price: int | None = 12000, category: str | None = "식품", of=None):
        product = products.create_product(of or company, name=name, category=category, price=price,
                                          actor=coordinator)
        db.session.commit()
        return product

    return make


def _move(client, product, store, status, note=""):
    return client.post(f"/products/{product.id}/listing",
                       data={"store_id": store.id, "status": status, "note": note})


# ── creating and editing ─────────────────────────────────────────────────────────────────────────────────────


def test_a_coordinator_adds_a_product_to_a_company(company, coordinator, client_as, db):
    client = client_as(coordinator)

    form = client.get(f"/companies/{company.id}/products/new")
    response = client.post(f"/companies/{company.id}/products/new",
                           data={"name": " 유기농 현미 ", "category": "식품", "price": "12,000"})

    assert form.status_code == 200
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product).where(Product.company_id == company.id))
    assert (product.name, product.category, product.price) == ("유기농 현미", "식품", 12000)
    assert response.headers["Location"] == f"/products/{product.id}"
    page = client.get(f"/products/{product.id}")
    assert "12,000원" in page.text and "e-store36.5" in page.text and "미입점" in page.text
    [inserted] = _audit_rows(db, "Product", "insert")
    assert inserted.actor_id == coordinator.id and inserted.changes["price"] == 12000


def test_a_product_without_a_price_is_kept_with_no_price(company, coordinator, client_as, db):
    response = client_as(coordinator).post(f"/companies/{company.id}/products/new", data={"name": "꿀", "price": ""})

    assert response.status_code == 302
    assert db.session.scalar(sa.select(Product.price).where(Product.name == "꿀")) is None


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "price": "1000"}, "name", "상품명을 입력하세요."),
    ({"name": "   ", "price": "1000"}, "name", "상품명을 입력하세요."),
    ({"name": "가" * 201, "price": "1000"}, "name", "상품명은 200자 이하입니다."),
    ({"name": "현미", "price": "-1000"}, "price", "가격은 0원 이상이어야 합니다."),
    ({"name": "현미", "price": "1.5"}, "price", "가격은 원 단위 정수로 입력하세요"),
    ({"name": "현미", "price": "만원"}, "price", "가격은 숫자로 입력하세요"),
    ({"name": "현미", "price": "12e3"}, "price", "가격은 숫자로 입력하세요"),
    ({"name": "현미", "price": "1" + "0" * 15}, "price", "가격이 너무 큽니다."),
])
def test_bad_product_input_gets_the_form_back_with_the_message_beside_the_field(
        data, field, message, company, coordinator, client_as, db):
    response = client_as(coordinator).post(f"/companies/{company.id}/products/new", data=data)

    assert response.status_code == 422
    assert f'id="{field}-errors"' in response.text
    assert message in response.text.split(f'id="{field}-errors"')[1].split("</div>\n")[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0
    assert _audit_rows(db, "Product") == []


@pytest.mark.parametrize("price", [-1, 1.5, Decimal("0.5"), "abc", True, [1]])
def test_the_service_refuses_a_price_that_is_not_a_whole_number_of_won(price, company, coordinator):
    with pytest.raises(RuleError) as refused:
        products.create_product(company, name="현미", category=None, price=price, actor=coordinator)

    assert refused.value.field == "price"


@pytest.mark.parametrize(("given", "stored"), [
    (0, 0), (12000, 12000), ("12,000", 12000), ("12,000원", 12000), ("12000.0", 12000), (Decimal("3000"), 3000),
    (None, None), ("", None), ("  ", None),
])
def test_prices_are_read_as_whole_won(given, stored):
    assert products.clean_price(given) == stored


def test_an_empty_name_is_refused_by_the_service_too(company, coordinator):
    with pytest.raises(RuleError) as refused:
        products.create_product(company, name="  ", category=None, price=100, actor=coordinator)

    assert refused.value.field == "name"


def test_a_coordinator_edits_a_product(make_product, coordinator, client_as, db):
    product = make_product()
    client = client_as(coordinator)

    form = client.get(f"/products/{product.id}/edit")
    response = client.post(f"/products/{product.id}/edit", data={
        "name": "유기농 현미 5kg", "category": "식품", "price": "35000", "version": product.version})

    assert form.status_code == 200 and 'value="12000"' in form.text
    assert response.status_code == 302
    product = _product(db, product.id)
    assert (product.name, product.price) == ("유기농 현미 5kg", 35000)
    [update] = _audit_rows(db, "Product", "update")
    assert update.changes == {"name": ["유기농 현미", "유기농 현미 5kg"], "price": [12000, 35000]}


def test_a_stale_edit_is_refused_and_the_first_change_is_kept(make_product, coordinator, make_user, client_as, db):
    product = make_product()
    opened_version = product.version
    first, second = client_as(coordinator), client_as(make_user(Role.COORDINATOR))

    saved = first.post(f"/products/{product.id}/edit", data={
        "name": "첫 번째 이름", "category": "식품", "price": "1000", "version": opened_version})
    stale = second.post(f"/products/{product.id}/edit", data={
        "name": "두 번째 이름", "category": "식품", "price": "2000", "version": opened_version})

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "다른 사용자가 먼저 저장했습니다." in stale.text
    assert 'value="첫 번째 이름"' in stale.text  # the form shows the record as it now is
    product = _product(db, product.id)
    assert (product.name, product.price) == ("첫 번째 이름", 1000)
    [update] = _audit_rows(db, "Product", "update")
    assert update.changes["name"] == ["유기농 현미", "첫 번째 이름"]


def test_a_bad_edit_gets_the_form_back_and_changes_nothing(make_product, coordinator, client_as, db):
    product = make_product()

    response = client_as(coordinator).post(f"/products/{product.id}/edit", data={
        "name": "현미", "price": "-5", "version": product.version})

    assert response.status_code == 422
    assert "가격은 0원 이상이어야 합니다." in response.text
    assert _product(db, product.id).price == 12000
    assert _audit_rows(db, "Product", "update") == []


# ── listing status per store ─────────────────────────────────────────────────────────────────────────────────


def test_a_listing_moves_from_not_listed_through_review_to_listed(make_product, coordinator, client_as, db):
    product = make_product()
    estore = _store(db, "estore365")
    client = client_as(coordinator)

    responses = [_move(client, product, estore, status, note)
                 for status, note in (("applied", "1차 신청"), ("in_review", ""), ("listed", "입점 확정"))]

    assert [r.status_code for r in responses] == [302, 302, 302]
    listing = _listing(db, product.id, estore)
    assert listing.status is ListingStatus.LISTED
    changes = _changes(db, product.id)
    assert [(c.from_status, c.to_status, c.note, c.by_id) for c in changes] == [
        (ListingStatus.NOT_LISTED, ListingStatus.APPLIED, "1차 신청", coordinator.id),
        (ListingStatus.APPLIED, ListingStatus.IN_REVIEW, None, coordinator.id),
        (ListingStatus.IN_REVIEW, ListingStatus.LISTED, "입점 확정", coordinator.id),
    ]
    assert len(_audit_rows(db, "ListingChange", "insert")) == 3
    listing_audit = _audit_rows(db, "ProductListing")
    assert [row.action for row in listing_audit] == ["insert", "update", "update", "update"]
    assert [row.changes["status"] for row in listing_audit[1:]] == [
        ["not_listed", "applied"], ["applied", "in_review"], ["in_review", "listed"]]
    page = client.get(f"/products/{product.id}")
    assert page.text.index("입점 확정") < page.text.index("1차 신청")  # history newest first
    assert "코디1" in page.text


def test_a_move_the_table_does_not_allow_is_refused_beside_the_field(make_product, coordinator, client_as, db):
    product = make_product()
    estore = _store(db, "estore365")

    response = _move(client_as(coordinator), product, estore, "in_review")

    assert response.status_code == 422
    errors = response.text.split(f'id="status-{estore.id}-errors"')[1]
    assert "미입점에서 심사중(으)로 바꿀 수 없습니다." in errors.split("</div>")[0]
    assert _listing(db, product.id, estore) is None
    assert _changes(db, product.id) == []


@pytest.mark.parametrize("status", ["listed_twice", "", "applied' OR 1=1"])
def test_an_unknown_status_is_refused(status, make_product, coordinator, client_as, db):
    product = make_product()

    response = _move(client_as(coordinator), product, _store(db, "estore365"), status)

    assert response.status_code == 422
    assert "알 수 없는 입점 상태입니다." in response.text
    assert _changes(db, product.id) == []


def test_an_unknown_store_is_refused(make_product, coordinator, client_as, db):
    product = make_product()

    response = client_as(coordinator).post(f"/products/{product.id}/listing",
                                           data={"store_id": "9999", "status": "applied"})

    assert response.status_code == 422
    assert "판매처를 찾을 수 없습니다." in response.text
    assert _changes(db, product.id) == []


def test_a_rejection_needs_a_reason(make_product, coordinator, client_as, db):
    product = make_product()
    estore = _store(db, "estore365")
    client = client_as(coordinator)
    _move(client, product, estore, "applied")

    response = _move(client, product, estore, "rejected", "   ")

    assert response.status_code == 422
    errors = response.text.split(f'id="note-{estore.id}-errors"')[1]
    assert "반려에는 사유가 필요합니다." in errors.split("</div>")[0]
    assert _listing(db, product.id, estore).status is ListingStatus.APPLIED
    assert len(_changes(db, product.id)) == 1


def test_a_rejected_product_keeps_its_reason_and_may_apply_again(make_product, coordinator, client_as, db):
    product = make_product()
    estore = _store(db, "estore365")
    client = client_as(coordinator)
    _move(client, product, estore, "applied")

    rejected = _move(client, product, estore, "rejected", "상세페이지 보완 필요")
    listing = _listing(db, product.id, estore)
    assert rejected.status_code == 302
    assert (listing.status, listing.rejection_reason) == (ListingStatus.REJECTED, "상세페이지 보완 필요")
    assert "상세페이지 보완 필요" in client.get(f"/products/{product.id}").text

    reapplied = _move(client, product, estore, "applied", "보완 후 재신청")

    assert reapplied.status_code == 302
    listing = _listing(db, product.id, estore)
    assert (listing.status, listing.rejection_reason) == (ListingStatus.APPLIED, None)
    assert [(c.to_status, c.note) for c in _changes(db, product.id)] == [
        (ListingStatus.APPLIED, None), (ListingStatus.REJECTED, "상세페이지 보완 필요"),
        (ListingStatus.APPLIED, "보완 후 재신청")]


def test_each_store_has_its_own_status(make_product, coordinator, client_as, db):
    product = make_product()
    estore, gachi = _store(db, "estore365"), _store(db, "gachi")
    client = client_as(coordinator)

    _move(client, product, gachi, "applied")
    _move(client, product, gachi, "listed")

    assert _listing(db, product.id, gachi).status is ListingStatus.LISTED
    assert _listing(db, product.id, estore) is None
    page = client.get(f"/products/{product.id}").text
    gachi_card = page.split('data-testid="store-gachi"')[1].split("</section>")[0]
    estore_card = page.split('data-testid="store-estore365"')[1].split("</section>")[0]
    assert ">입점<" in gachi_card and ">미입점<" in estore_card
    # a listed product may only be delisted
    assert [o for o in ("퇴점", "입점신청") if f">{o}</option>" in gachi_card] == ["퇴점"]
    with pytest.raises(RuleError):
        products.move_listing(product, estore, ListingStatus.DELISTED, note=None, actor=coordinator)


def test_the_company_page_lists_its_products_with_the_default_store_status(make_product, company, coordinator,
                                                                           client_as, db):
    product = make_product("들기름")
    make_product("참기름", price=None)
    products.move_listing(product, _store(db, "estore365"), ListingStatus.APPLIED, note=None, actor=coordinator)
    products.move_listing(product, _store(db, "gachi"), ListingStatus.LISTED, note=None, actor=coordinator)
    db.session.commit()

    listed = products.products_of(company)

    assert [p.name for p in listed] == ["들기름", "참기름"]
    assert products.default_listing_status(listed[0]) is ListingStatus.APPLIED
    assert products.default_listing_status(listed[1]) is ListingStatus.NOT_LISTED


def test_the_company_products_partial_renders(make_product, company, coordinator, app, db):
    product = make_product("들기름")
    products.move_listing(product, _store(db, "gachi"), ListingStatus.APPLIED, note=None, actor=coordinator)
    db.session.commit()

    with app.test_request_context():
        login_user(coordinator)
        html = render_template_string('{% include "products/_company_products.html" %}', company=company,
                                      products=products.products_of(company))

    assert "들기름" in html and "12,000원" in html and "미입점" in html and "상품 추가" in html


# ── who may see and change ───────────────────────────────────────────────────────────────────────────────────


def test_a_coach_of_another_company_gets_404_everywhere(make_product, make_company, make_user, client_as, db):
    other_coach = make_user(Role.COACH)
    make_company("다른기업", coaches=[other_coach])
    product = make_product()
    client = client_as(other_coach)
    estore = _store(db, "estore365")

    responses = {
        "detail": client.get(f"/products/{product.id}"),
        "edit": client.get(f"/products/{product.id}/edit"),
        "edit post": client.post(f"/products/{product.id}/edit", data={"name": "x", "version": product.version}),
        "listing": _move(client, product, estore, "applied"),
        "delete": client.post(f"/products/{product.id}/delete"),
        "create": client.get(f"/companies/{product.company_id}/products/new"),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 404)
    assert _product(db, product.id).name == "유기농 현미" and _changes(db, product.id) == []


def test_an_assigned_coach_sees_the_product_but_may_not_change_it(make_product, company, coach, coordinator,
                                                                  client_as, db):
    from crm.companies.services import set_coaches

    set_coaches(company, [coach.id], actor=coordinator)
    db.session.commit()
    product = make_product()
    client = client_as(coach)
    estore = _store(db, "estore365")

    page = client.get(f"/products/{product.id}")
    responses = {
        "edit": client.get(f"/products/{product.id}/edit"),
        "edit post": client.post(f"/products/{product.id}/edit", data={"name": "x", "version": product.version}),
        "listing": _move(client, product, estore, "applied"),
        "delete": client.post(f"/products/{product.id}/delete"),
        "create": client.post(f"/companies/{company.id}/products/new", data={"name": "x"}),
    }

    assert page.status_code == 200 and "유기농 현미" in page.text
    assert "/listing" not in page.text and "/edit" not in page.text and "/delete" not in page.text
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    assert _product(db, product.id).deleted_at is None and _changes(db, product.id) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 1


def test_deleting_a_product_hides_it_and_returns_to_the_company(make_product, coordinator, client_as, db):
    product = make_product()
    client = client_as(coordinator)

    response = client.post(f"/products/{product.id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{product.company_id}"
    assert _product(db, product.id).deleted_at is not None
    assert [row.action for row in _audit_rows(db, "Product")] == ["insert", "delete"]
    estore = _store(db, "estore365")
    for response in (client.get(f"/products/{product.id}"), client.get(f"/products/{product.id}/edit"),
                     _move(client, product, estore, "applied"), client.post(f"/products/{product.id}/delete")):
        assert response.status_code == 404
    assert products.products_of(product.company) == []


def test_a_product_of_a_deleted_company_answers_404(make_product, company, coordinator, client_as, db):
    from crm.companies.services import delete_company

    product = make_product()
    delete_company(company, actor=coordinator)
    db.session.commit()

    client = client_as(coordinator)
    assert client.get(f"/products/{product.id}").status_code == 404
    assert client.get(f"/companies/{company.id}/products/new").status_code == 404


def test_changing_a_listing_needs_the_csrf_token(app, make_product, coordinator, client_as, db):
    product = make_product()
    client = client_as(coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    estore = _store(db, "estore365")
    page = client.get(f"/products/{product.id}")

    refused = _move(client, product, estore, "applied")
    accepted = client.post(f"/products/{product.id}/listing", data={
        "store_id": estore.id, "status": "applied", "csrf_token": csrf_token_from(page.text)})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    assert len(_changes(db, product.id)) == 1


# ── queries ──────────────────────────────────────────────────────────────────────────────────────────────────


def _add_changes(db, product, coordinator, moves: int) -> None:
    estore = _store(db, "estore365")
    cycle = [ListingStatus.APPLIED, ListingStatus.REJECTED]
    for number in range(moves):
        products.move_listing(product, estore, cycle[number % 2], note=f"사유 {number}", actor=coordinator)
    db.session.commit()


def test_the_product_page_issues_the_same_statements_with_1_and_20_listing_changes(
        make_product, coordinator, client_as, count_queries, db):
    few, many = make_product("하나"), make_product("스물")
    _add_changes(db, few, coordinator, 1)
    _add_changes(db, many, coordinator, 20)
    few_url, many_url = f"/products/{few.id}", f"/products/{many.id}"
    client = client_as(coordinator)
    client.get(few_url)  # warm up: first-request work is not the page's

    with count_queries() as one:
        first = client.get(few_url)
    with count_queries() as twenty:
        second = client.get(many_url)

    assert first.status_code == second.status_code == 200
    assert second.text.count("사유 ") >= 20
    assert one.count == twenty.count, (one.statements, twenty.statements)


def test_products_of_loads_listings_in_a_fixed_number_of_statements(make_product, make_company, coordinator,
                                                                    count_queries, db):
    small, large = make_company("작은기업"), make_company("큰기업")
    make_product("하나", of=small)
    for number in range(10):
        product = make_product(f"상품{number:02d}", of=large)
        products.move_listing(product, _store(db, "gachi"), ListingStatus.APPLIED, note=None, actor=coordinator)
    db.session.commit()
    db.session.expire_all()
    db.session.refresh(small), db.session.refresh(large)

    with count_queries() as one:
        [p.listings[0].store.name for p in products.products_of(small) if p.listings]
    with count_queries() as ten:
        names = [p.listings[0].store.name for p in products.products_of(large)]

    assert names == ["가치장터"] * 10
    assert one.count == ten.count == 2


def test_the_company_timeline_shows_listing_changes_in_one_statement(make_product, company, coordinator,
                                                                     count_queries, app, db):
    product = make_product("들기름")
    _add_changes(db, product, coordinator, 5)
    db.session.refresh(company)

    with app.test_request_context(), count_queries() as counted:
        entries = products.listing_timeline(company, 3)

    assert counted.count == 1
    assert len(entries) == 3
    assert entries[0].kind == "listing" and entries[0].detail == "사유 4"
    assert entries[0].title == "상품 들기름 · e-store36.5: 반려 → 입점신청"
    assert entries[0].actor == "코디1" and entries[0].url == f"/products/{product.id}"
    assert products.listing_timeline(company, 50)[-1].title == "상품 들기름 · e-store36.5: 미입점 → 입점신청"
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
