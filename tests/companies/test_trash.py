import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.companies.models import (
    Certification,
    CertificationKind,
    Company,
    CompanyAlias,
    CompanyCoach,
    ListingChange,
    Product,
    ProductListing,
    StageChange,
    Store,
)
from crm.companies.products import create_product, delete_product, move_listing
from crm.companies.services import add_certification, delete_certification, delete_company
from crm.core.softdelete import including_deleted

NUMBER = "1000000014"


def _get(db, model, record_id):
    db.session.expire_all()
    return db.session.scalar(including_deleted(sa.select(model).where(model.id == record_id)))


def _audit_rows(db, after_id, **where):
    stmt = sa.select(AuditLog).where(AuditLog.id > after_id).order_by(AuditLog.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditLog, key) == value)
    return list(db.session.scalars(stmt))


def _last_audit_id(db) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditLog.id), 0)))


def test_the_trash_lists_only_deleted_records_with_who_deleted_them(db, make_company, coordinator, admin,
                                                                   client_as):
    live, gone = make_company("살아있는기업"), make_company("지운기업")
    kept_product = create_product(live, name="남은상품", actor=coordinator)
    gone_product = create_product(live, name="지운상품", actor=coordinator)
    certification = add_certification(live, kind=CertificationKind.OTHER, number="C-77", issuer=None,
                                      valid_from=None, valid_to=None, actor=coordinator)
    delete_company(gone, actor=coordinator)
    delete_product(gone_product, actor=coordinator)
    delete_certification(certification, actor=admin)
    db.session.commit()
    client = client_as(admin)

    companies = client.get("/admin/trash/")
    products = client.get("/admin/trash/?kind=product")
    certifications = client.get("/admin/trash/?kind=certification")

    assert companies.status_code == 200
    assert "지운기업" in companies.text and "살아있는기업" not in companies.text
    assert "전체 1건" in companies.text
    assert "코디1 (coordinator1)" in companies.text
    assert "지운상품" in products.text and kept_product.name not in products.text
    assert "C-77" in certifications.text and "관리자1 (admin1)" in certifications.text
    assert client.get("/admin/trash/?kind=user").status_code == 404


def test_the_trash_is_for_admins_only(db, make_company, coordinator, coach, client_as):
    company = make_company("지운기업")
    delete_company(company, actor=coordinator)
    db.session.commit()

    for user in (coordinator, coach):
        client = client_as(user)
        assert client.get("/admin/trash/").status_code == 403
        assert client.post(f"/admin/trash/company/{company.id}/restore").status_code == 403
        assert client.post(f"/admin/trash/company/{company.id}/purge").status_code == 403
    assert _get(db, Company, company.id).is_deleted


def test_an_admin_restores_a_company_and_the_audit_log_says_so(db, make_company, coordinator, admin, client_as):
    company = make_company("지운기업")
    delete_company(company, actor=coordinator)
    db.session.commit()
    client = client_as(admin)
    before = _last_audit_id(db)

    response = client.post(f"/admin/trash/company/{company.id}/restore")

    assert response.status_code == 302
    restored = _get(db, Company, company.id)
    assert not restored.is_deleted and restored.deleted_by_id is None
    [row] = _audit_rows(db, before, record_type="Company", record_id=str(company.id))
    assert row.action == "restore" and row.actor_id == admin.id


def test_restoring_products_and_certifications(db, make_company, coordinator, admin, client_as):
    company = make_company()
    product = create_product(company, name="상품", actor=coordinator)
    certification = add_certification(company, kind=CertificationKind.OTHER, number=None, issuer=None,
                                      valid_from=None, valid_to=None, actor=coordinator)
    delete_product(product, actor=coordinator)
    delete_certification(certification, actor=coordinator)
    db.session.commit()
    client = client_as(admin)

    assert client.post(f"/admin/trash/product/{product.id}/restore").status_code == 302
    assert client.post(f"/admin/trash/certification/{certification.id}/restore").status_code == 302
    assert not _get(db, Product, product.id).is_deleted
    assert not _get(db, Certification, certification.id).is_deleted


def test_a_company_whose_business_number_is_now_taken_is_not_restored(db, make_company, coordinator, admin,
                                                                     client_as):
    old = make_company("옛 기업", business_number=NUMBER)
    delete_company(old, actor=coordinator)
    db.session.commit()
    make_company("새 기업", business_number=NUMBER)
    before = _last_audit_id(db)

    response = client_as(admin).post(f"/admin/trash/company/{old.id}/restore")

    assert response.status_code == 409
    assert "100-00-00014" in response.text and "새 기업" in response.text
    assert _get(db, Company, old.id).is_deleted
    assert _audit_rows(db, before, record_type="Company") == []


def test_a_product_of_a_deleted_company_is_not_restored(db, make_company, coordinator, admin, client_as):
    company = make_company()
    product = create_product(company, name="상품", actor=coordinator)
    delete_product(product, actor=coordinator)
    delete_company(company, actor=coordinator)
    db.session.commit()

    response = client_as(admin).post(f"/admin/trash/product/{product.id}/restore")

    assert response.status_code == 409
    assert "먼저 기업을 복원하세요" in response.text
    assert _get(db, Product, product.id).is_deleted


def test_restoring_or_purging_an_unknown_kind_a_live_record_or_nothing_answers_404(db, make_company, admin,
                                                                                  client_as):
    company = make_company()
    client = client_as(admin)

    assert client.post(f"/admin/trash/user/{admin.id}/restore").status_code == 404
    assert client.post(f"/admin/trash/company/{company.id}/restore").status_code == 404
    assert client.post(f"/admin/trash/company/{company.id}/purge").status_code == 404
    assert client.post("/admin/trash/company/99999/purge").status_code == 404
    assert _get(db, Company, company.id) is not None


def test_purging_a_company_removes_it_and_everything_hanging_on_it_and_logs_each_delete(
        db, make_company, make_user, coordinator, admin, coach, client_as):
    company = make_company("지울기업", aliases=["지울브랜드"], coaches=[coach])
    other = make_company("다른기업")
    product = create_product(company, name="상품", actor=coordinator)
    store = db.session.scalar(sa.select(Store).where(Store.is_default.is_(True)))
    move_listing(product, store, "applied", note=None, actor=coordinator)
    deleted_product = create_product(company, name="지운상품", actor=coordinator)
    delete_product(deleted_product, actor=coordinator)
    add_certification(company, kind=CertificationKind.OTHER, number=None, issuer=None, valid_from=None,
                      valid_to=None, actor=coordinator)
    delete_company(company, actor=coordinator)
    db.session.commit()
    client = client_as(admin)
    before = _last_audit_id(db)

    response = client.post(f"/admin/trash/company/{company.id}/purge")

    assert response.status_code == 302
    for model in (CompanyAlias, CompanyCoach, StageChange, Certification, Product):
        stmt = including_deleted(sa.select(model).where(model.company_id == company.id))
        assert list(db.session.scalars(stmt)) == [], model
    assert _get(db, Company, company.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductListing)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ListingChange)) == 0
    assert _get(db, Company, other.id) is not None
    deleted = {(row.record_type, row.action) for row in _audit_rows(db, before)}
    assert deleted == {(kind, "delete") for kind in ("Company", "CompanyAlias", "CompanyCoach", "StageChange",
                                                      "Certification", "Product", "ProductListing", "ListingChange")}
    [company_row] = _audit_rows(db, before, record_type="Company")
    assert company_row.changes["name"] == "지울기업" and company_row.actor_id == admin.id
    assert len(_audit_rows(db, before, record_type="Product")) == 2


def test_purging_a_product_keeps_its_company(db, make_company, coordinator, admin, client_as):
    company = make_company()
    product = create_product(company, name="상품", actor=coordinator)
    delete_product(product, actor=coordinator)
    db.session.commit()

    response = client_as(admin).post(f"/admin/trash/product/{product.id}/purge")

    assert response.status_code == 302
    assert _get(db, Product, product.id) is None
    assert _get(db, Company, company.id) is not None


def test_the_trash_page_offers_purging_only_with_a_confirmation(db, make_company, coordinator, admin, client_as):
    company = make_company("지운기업")
    delete_company(company, actor=coordinator)
    db.session.commit()

    page = client_as(admin).get("/admin/trash/")

    assert f'action="/admin/trash/company/{company.id}/purge"' in page.text
    assert 'data-confirm="' in page.text


def test_the_trash_issues_as_many_statements_for_many_deleted_records_as_for_few(
        db, make_company, make_user, coordinator, admin, client_as, count_queries):
    client = client_as(admin)

    def deleted_products(n):
        company = make_company()
        for i in range(n):
            product = create_product(company, name=f"상품{i}", actor=make_user())
            delete_product(product, actor=make_user())
        db.session.commit()

    deleted_products(3)
    with count_queries() as few:
        assert client.get("/admin/trash/?kind=product").status_code == 200
    deleted_products(60)
    with count_queries() as many:
        assert client.get("/admin/trash/?kind=product").status_code == 200

    assert few.count == many.count
    second_page = client.get("/admin/trash/?kind=product&page=2")
    assert "전체 63건" in second_page.text and second_page.text.count("/restore") == 13


def test_a_purge_a_package_refuses_answers_409_and_deletes_nothing(db, make_company, admin, client_as, monkeypatch):
    from crm.companies import trash
    from crm.core.errors import RuleError

    def refuse(record, actor):
        raise RuleError("이 기업은 아직 지울 수 없습니다.")

    monkeypatch.setattr(trash, "_purge_handlers", [*trash._purge_handlers, refuse])
    company = make_company("못 지울 기업")
    delete_company(company, actor=admin)
    db.session.commit()

    response = client_as(admin).post(f"/admin/trash/company/{company.id}/purge")

    assert response.status_code == 409
    assert "이 기업은 아직 지울 수 없습니다." in response.get_data(as_text=True)
    assert db.session.scalar(including_deleted(sa.select(Company.id).where(Company.id == company.id))) == company.id
