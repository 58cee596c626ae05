"""Catalog products: the company's own products with their concept and selling point; counts per campaign."""
import pytest
import sqlalchemy as sa

from crm.campaigns import results
from crm.campaigns.models import CampaignKind, ParticipationProduct, ParticipationStatus
from crm.companies.models import Product
from crm.core.softdelete import soft_delete


def page_url(participation) -> str:
    return f"/campaigns/{participation.campaign_id}/participations/{participation.id}"


def make_product(db, company, name: str) -> Product:
    product = Product(company_id=company.id, name=name)
    db.session.add(product)
    db.session.commit()
    return product


def stored_items(db) -> list[tuple[int, str | None, str | None]]:
    db.session.expire_all()
    return [(item.product_id, item.concept, item.selling_point)
            for item in db.session.scalars(sa.select(ParticipationProduct).order_by(ParticipationProduct.id))]


@pytest.fixture
def catalog(make_campaign):
    return make_campaign("추석맞이 카탈로그", kind=CampaignKind.CATALOG, channel=None)


@pytest.fixture
def participation(catalog, make_participation):
    return make_participation(catalog)


def test_a_coordinator_adds_a_product_with_its_concept_and_selling_point(db, client_as, coordinator, participation):
    product = make_product(db, participation.company, "황태채 선물세트")

    response = client_as(coordinator).post(page_url(participation) + "/products", data={
        "product_id": str(product.id), "concept": "추석 감사 선물", "selling_point": "인제 용대리 덕장에서 말린 황태"})

    assert response.status_code == 302
    assert stored_items(db) == [(product.id, "추석 감사 선물", "인제 용대리 덕장에서 말린 황태")]


def test_a_product_of_another_company_is_refused_and_nothing_is_stored(db, client_as, coordinator, participation,
                                                                       make_company):
    foreign = make_product(db, make_company("다른기업"), "남의 상품")

    response = client_as(coordinator).post(page_url(participation) + "/products",
                                           data={"product_id": str(foreign.id), "concept": "x"})

    assert response.status_code == 422
    assert "이 기업의 상품만 넣을 수 있습니다." in response.text
    assert stored_items(db) == []


@pytest.mark.parametrize("product_id", ["", "abc", "999999"])
def test_a_missing_or_unknown_product_is_refused(db, client_as, coordinator, participation, product_id):
    response = client_as(coordinator).post(page_url(participation) + "/products", data={"product_id": product_id})

    assert response.status_code == 422
    assert stored_items(db) == []


def test_the_same_product_is_not_added_twice(db, client_as, coordinator, participation):
    product = make_product(db, participation.company, "약초차")
    results.add_catalog_product(participation, product.id, None, None, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(page_url(participation) + "/products",
                                           data={"product_id": str(product.id)})

    assert response.status_code == 422
    assert "이미 넣은 상품입니다." in response.text
    assert len(stored_items(db)) == 1


def test_a_coordinator_edits_and_removes_a_catalog_product(db, client_as, coordinator, participation):
    product = make_product(db, participation.company, "약초차")
    item = results.add_catalog_product(participation, product.id, "겨울", None, actor=coordinator)
    db.session.commit()
    client = client_as(coordinator)
    url = page_url(participation) + f"/products/{item.id}"

    edited = client.post(url + "/edit", data={"concept": "가을 선물", "selling_point": "무농약"})
    after_edit = stored_items(db)
    removed = client.post(url + "/delete")

    assert edited.status_code == 302
    assert after_edit == [(product.id, "가을 선물", "무농약")]
    assert removed.status_code == 302
    assert stored_items(db) == []


def test_catalog_counts_come_from_the_records_and_leave_out_withdrawn_companies_and_deleted_products(
        db, coordinator, catalog, make_participation):
    first, second, withdrawn = (make_participation(catalog), make_participation(catalog),
                                make_participation(catalog, status=ParticipationStatus.WITHDRAWN))
    for participation, names in ((first, ["a", "b"]), (second, ["c", "gone"]), (withdrawn, ["d"])):
        for name in names:
            product = make_product(db, participation.company, name)
            results.add_catalog_product(participation, product.id, None, None, actor=coordinator)
            if name == "gone":
                soft_delete(product, actor=coordinator)
    db.session.commit()

    counts = results.catalog_counts(catalog)

    assert (counts.companies, counts.products) == (2, 3)


def test_the_campaign_page_lists_companies_and_products_with_records_and_the_stated_aggregate(
        db, client_as, coordinator, catalog, participation):
    catalog.stated_company_count = 50
    catalog.stated_source = "2021 결과보고서 슬라이드 8"
    product = make_product(db, participation.company, "황태채")
    results.add_catalog_product(participation, product.id, "추석 감사", "덕장 건조", actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).get(f"/campaigns/{catalog.id}")

    assert response.status_code == 200
    section = response.text.split('data-testid="campaign-catalog"')[1].split("</section>")[0]
    assert "기록: 1개 업체, 1개 제품" in section
    assert "50개 업체" in section
    assert "덕장 건조" in section
