"""Export → import changes nothing; products are imported onto existing companies."""
from datetime import date

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.companies.models import Company, EnterpriseType, Product
from crm.imports.models import ImportBatch, ImportStatus
from tests.imports.conftest import business_number, csv_bytes


def _batch(db) -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_company_export_changes_nothing(client_as, coordinator, coach, make_company, upload, db, fmt):
    make_company("=HYPERLINK(\"http://evil\")", business_number=business_number(7), region="강원도",
                 aliases=["공생공작", "+플러스브랜드"], industry="식품", phone="+82-2-123-4567",
                 email="a@example.kr", website="https://example.kr", source="지역 추천",
                 discovered_on=date(2021, 5, 3), enterprise_type=EnterpriseType.SOCIAL_COOPERATIVE,
                 coaches=[coach], coordinator_id=coordinator.id, note="메모는 내보내지 않습니다")
    make_company("-마이너스로 시작하는 기업", enterprise_type=EnterpriseType.OTHER)
    before = {company.id: (company.version, company.name, company.note)
              for company in db.session.scalars(sa.select(Company))}
    client = client_as(coordinator)
    exported = client.get(f"/companies/export.{fmt}")
    assert exported.status_code == 200

    upload(exported.data, f"companies.{fmt}")
    batch = _batch(db)
    assert batch.problem_row_count == 0
    assert None not in [key for header, key in zip(batch.headers, batch.column_mapping, strict=True)
                        if header not in ("단계 변경일", "담당 코디네이터", "담당 코치")]
    assert client.post(f"/imports/{batch.id}/apply").status_code == 302

    batch = _batch(db)
    assert (batch.created_count, batch.updated_count) == (0, 2)
    after = {company.id: (company.version, company.name, company.note)
             for company in db.session.scalars(sa.select(Company))}
    assert after == before
    changed = db.session.scalars(sa.select(AuditLog.record_type).where(AuditLog.import_batch_id == batch.id))
    assert set(changed) == {"ImportBatch"}


PRODUCT_HEADERS = ("업체명", "사업자등록번호", "제품명", "카테고리", "판매가")


def test_products_are_imported_onto_the_company_named_by_number_or_name(upload, client_as, coordinator,
                                                                        make_company, db):
    by_number = make_company("공생공작", business_number=business_number(3))
    by_alias = make_company("365공유경제사회적협동조합", aliases=["공정여행통영뚜벅투어"])
    existing = Product(company_id=by_alias.id, name="통영 투어", price=10_000)
    db.session.add(existing)
    db.session.commit()
    rows = [["아무이름", business_number(3), "수제 비누", "생활", "12,000원"],
            ["공정여행통영뚜벅투어", "", "통영 투어", "", "15000"]]

    upload(csv_bytes(PRODUCT_HEADERS, rows), "상품.csv", kind="products")
    batch = _batch(db)
    assert batch.problem_row_count == 0
    client_as(coordinator).post(f"/imports/{batch.id}/apply")

    db.session.expire_all()
    products = {(product.company_id, product.name): product for product in db.session.scalars(sa.select(Product))}
    assert products[(by_number.id, "수제 비누")].price == 12_000
    assert products[(by_alias.id, "통영 투어")].id == existing.id
    assert products[(by_alias.id, "통영 투어")].price == 15_000
    assert (_batch(db).created_count, _batch(db).updated_count) == (1, 1)


def test_product_rows_with_an_unknown_company_or_a_bad_price_are_listed_and_nothing_is_stored(
        upload, client_as, coordinator, make_company, db):
    make_company("공생공작")
    rows = [["공생공작", "", "비누", "", "12000"],
            ["없는기업", "", "비누", "", "12000"],
            ["공생공작", "", "양초", "", "12,000.5"],
            ["공생공작", "", "비누", "", "1"]]
    upload(csv_bytes(PRODUCT_HEADERS, rows), "상품.csv", kind="products")
    batch = _batch(db)

    response = client_as(coordinator).post(f"/imports/{batch.id}/apply")

    assert response.status_code == 422
    assert "이 기업을 찾을 수 없습니다" in response.text
    assert "원 단위 정수" in response.text
    assert "2행에 같은 기업의 같은 상품" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Product.id))) == 0


def test_undoing_a_product_import_moves_the_new_products_to_the_trash(upload, client_as, coordinator, admin,
                                                                      make_company, db):
    make_company("공생공작")
    upload(csv_bytes(PRODUCT_HEADERS, [["공생공작", "", "비누", "", "12000"]]), "상품.csv", kind="products")
    batch = _batch(db)
    client_as(coordinator).post(f"/imports/{batch.id}/apply")

    assert client_as(admin).post(f"/imports/{batch.id}/undo").status_code == 302

    assert db.session.scalar(sa.select(sa.func.count(Product.id))) == 0
    assert _batch(db).status is ImportStatus.UNDONE
