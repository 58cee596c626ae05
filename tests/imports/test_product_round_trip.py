"""Products: importing the products export changes nothing, in CSV and in XLSX."""
import pytest
import sqlalchemy as sa

from crm.companies.models import Product
from crm.core.softdelete import including_deleted, soft_delete
from crm.imports import services
from tests.imports.conftest import audited_types, business_number, latest_batch, problems_of


def _products(db) -> dict[int, tuple]:
    db.session.expire_all()
    return {product.id: (product.version, product.company_id, product.name, product.category, product.price,
                         product.deleted_at) for product in db.session.scalars(including_deleted(sa.select(Product)))}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_products_export_changes_nothing(upload, client_as, coordinator, make_company, db, fmt):
    by_number = make_company("=HYPERLINK(\"http://evil\")", business_number=business_number(7))
    by_name = make_company("공생공작", aliases=["+플러스브랜드"])
    db.session.add_all([
        Product(company_id=by_number.id, name="-마이너스 상품", category="@분류", price=12_000),
        Product(company_id=by_number.id, name="가격 없는 상품"),
        Product(company_id=by_name.id, name="수제 비누", category="생활", price=0),
        Product(company_id=by_name.id, name="+플러스 상품", category=None, price=10**12),
    ])
    deleted = Product(company_id=by_name.id, name="지운 상품", price=1)
    db.session.add(deleted)
    db.session.flush()
    soft_delete(deleted, actor=coordinator)
    db.session.commit()
    before = _products(db)
    client = client_as(coordinator)
    exported = client.get(f"/companies/products/export.{fmt}")
    assert exported.status_code == 200

    upload(exported.data, f"상품.{fmt}", kind="products")
    batch = latest_batch(db)
    assert (batch.row_count, batch.problem_row_count) == (4, 0), problems_of(db, batch)
    assert services.unmatched_headers(batch) == []
    preview = client.get(f"/imports/{batch.id}").text
    assert preview.count('data-testid="matched-row"') == 4
    assert 'data-testid="count-new">0<' in preview
    assert client.post(f"/imports/{batch.id}/apply").status_code == 302

    batch = latest_batch(db)
    assert (batch.created_count, batch.updated_count, batch.skipped_count) == (0, 4, 0)
    assert _products(db) == before
    assert audited_types(db, batch) == {"ImportBatch"}
