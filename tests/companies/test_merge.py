import pytest
import sqlalchemy as sa

from crm.audit.context import acting_as
from crm.audit.models import AuditLog
from crm.auth.models import Role
from crm.companies import merge
from crm.companies.merge import merge_companies
from crm.companies.models import (
    Certification,
    CertificationKind,
    Company,
    CompanyAlias,
    CompanyCoach,
    ListingChange,
    Product,
    StageChange,
    Store,
)
from crm.companies.pipeline import Stage
from crm.companies.products import create_product, delete_product, move_listing
from crm.companies.services import add_certification, delete_company, move_stage
from crm.core.errors import RuleError
from crm.core.softdelete import including_deleted

NUMBER = "1000000009"


def _default_store(db) -> Store:
    return db.session.scalar(sa.select(Store).where(Store.is_default.is_(True)))


def _rows(db, model, company_id, *, with_deleted=False):
    stmt = sa.select(model).where(model.company_id == company_id)
    return list(db.session.scalars(including_deleted(stmt) if with_deleted else stmt))


@pytest.fixture
def duplicates(db, make_company, make_user, coordinator):
    """Two records of one company: the survivor has a contact person, the other a number, a brand and history."""
    shared_coach, other_coach = make_user(Role.COACH), make_user(Role.COACH)
    survivor = make_company("365공유경제사회적협동조합", contact_name="김담당", coaches=[shared_coach])
    absorbed = make_company("㈜뚜벅투어", business_number=NUMBER, phone="055-000-0000", contact_name="박담당",
                            aliases=["공정여행통영뚜벅투어", "365공유경제사회적협동조합"],
                            coaches=[shared_coach, other_coach])
    move_stage(absorbed, Stage.CONTACTED, note=None, actor=coordinator)
    product = create_product(absorbed, name="통영 도보 여행", price=30000, actor=coordinator)
    move_listing(product, _default_store(db), "applied", note=None, actor=coordinator)
    gone = create_product(absorbed, name="지난 상품", actor=coordinator)
    delete_product(gone, actor=coordinator)
    add_certification(absorbed, kind=CertificationKind.SOCIAL_COOPERATIVE, number="2019-1", issuer="기획재정부",
                      valid_from=None, valid_to=None, actor=coordinator)
    db.session.commit()
    return survivor, absorbed, shared_coach, other_coach


def test_merging_moves_products_history_certifications_and_coaches_to_the_survivor(db, duplicates, coordinator):
    survivor, absorbed, shared_coach, other_coach = duplicates

    merge_companies(survivor, absorbed, actor=coordinator)
    db.session.commit()

    assert list(db.session.scalars(sa.select(Company.id))) == [survivor.id]
    assert {p.name for p in _rows(db, Product, survivor.id, with_deleted=True)} == {"통영 도보 여행", "지난 상품"}
    assert _rows(db, Product, absorbed.id, with_deleted=True) == []
    assert [c.number for c in _rows(db, Certification, survivor.id)] == ["2019-1"]
    assert {link.coach_id for link in _rows(db, CompanyCoach, survivor.id)} == {shared_coach.id, other_coach.id}
    # stage history: the survivor's start, the absorbed one's start and its move
    assert sorted(c.to_stage for c in _rows(db, StageChange, survivor.id)) == sorted(
        [Stage.SOURCED, Stage.SOURCED, Stage.CONTACTED])
    listing_change = db.session.scalar(sa.select(ListingChange))
    assert listing_change.listing.product.company_id == survivor.id


def test_the_absorbed_names_become_aliases_of_the_survivor_each_once(db, duplicates, coordinator):
    survivor, absorbed, *_ = duplicates

    merge_companies(survivor, absorbed, actor=coordinator)
    db.session.commit()

    aliases = sorted(alias.name for alias in _rows(db, CompanyAlias, survivor.id))
    # "365공유경제사회적협동조합" is the survivor's own name: not an alias of itself
    assert aliases == ["㈜뚜벅투어", "공정여행통영뚜벅투어"]


def test_the_survivor_takes_the_other_facts_only_where_it_has_none(db, duplicates, coordinator):
    survivor, absorbed, *_ = duplicates

    merge_companies(survivor, absorbed, actor=coordinator)
    db.session.commit()

    db.session.expire_all()
    assert survivor.contact_name == "김담당"
    assert survivor.phone == "055-000-0000"
    assert survivor.business_number == NUMBER
    deleted = db.session.scalar(including_deleted(sa.select(Company).where(Company.id == absorbed.id)))
    assert deleted.is_deleted and deleted.deleted_by_id == coordinator.id
    assert deleted.business_number is None  # unique among live companies: given up before the survivor took it


def test_the_audit_log_records_each_moved_record_and_the_deletion(db, duplicates, coordinator):
    survivor, absorbed, *_ = duplicates
    product_ids = {str(p.id) for p in _rows(db, Product, absorbed.id, with_deleted=True)}
    before = db.session.scalar(sa.select(sa.func.max(AuditLog.id)))

    with acting_as(coordinator):
        merge_companies(survivor, absorbed, actor=coordinator)
        db.session.commit()

    rows = list(db.session.scalars(sa.select(AuditLog).where(AuditLog.id > before)))
    moved = {row.record_id: row.changes for row in rows if row.record_type == "Product"}
    assert moved.keys() == product_ids
    assert all(changes["company_id"] == [absorbed.id, survivor.id] for changes in moved.values())
    assert [(row.action, row.record_id) for row in rows if row.record_type == "Company" and row.action == "delete"] \
        == [("delete", str(absorbed.id))]
    assert {row.record_type for row in rows} >= {"Certification", "CompanyCoach", "CompanyAlias", "StageChange"}
    assert all(row.actor_id == coordinator.id for row in rows)


def test_merging_a_company_with_itself_or_a_deleted_one_is_refused(db, make_company, coordinator):
    company, other = make_company("하나"), make_company("둘")
    delete_company(other, actor=coordinator)
    db.session.commit()

    with pytest.raises(RuleError):
        merge_companies(company, company, actor=coordinator)
    with pytest.raises(RuleError):
        merge_companies(company, other, actor=coordinator)
    with pytest.raises(RuleError):
        merge_companies(other, company, actor=coordinator)


def test_later_packages_move_their_rows_through_the_registry_in_the_same_transaction(db, make_company,
                                                                                     coordinator):
    survivor, absorbed = make_company("남는곳"), make_company("합쳐질곳")
    calls = []

    def handler(to, from_, actor):
        calls.append((to.id, from_.id, actor.id, from_.is_deleted))

    merge.register(handler)
    try:
        merge_companies(survivor, absorbed, actor=coordinator)
    finally:
        merge._handlers.remove(handler)

    assert calls == [(survivor.id, absorbed.id, coordinator.id, False)]


# --- the page -------------------------------------------------------------------------------------------


def test_a_coordinator_finds_the_other_company_confirms_and_merges(db, duplicates, coordinator, client_as):
    survivor, absorbed, *_ = duplicates
    client = client_as(coordinator)

    search = client.get(f"/companies/{survivor.id}/merge?q=뚜벅")
    confirm = client.get(f"/companies/{survivor.id}/merge?other_id={absorbed.id}")
    merged = client.post(f"/companies/{survivor.id}/merge", data={
        "other_id": absorbed.id, "survivor_version": survivor.version, "absorbed_version": absorbed.version})

    assert search.status_code == 200 and f'value="{absorbed.id}"' in search.text
    assert confirm.status_code == 200
    assert "㈜뚜벅투어" in confirm.text and "365공유경제사회적협동조합" in confirm.text
    assert merged.status_code == 302
    assert merged.headers["Location"].endswith(f"/companies/{survivor.id}")
    assert list(db.session.scalars(sa.select(Company.id))) == [survivor.id]


def test_without_a_query_the_page_suggests_likely_duplicates(db, make_company, coordinator, client_as):
    company = make_company("주식회사 공생공작")
    twin = make_company("공생공작")
    stranger = make_company("다른회사")

    page = client_as(coordinator).get(f"/companies/{company.id}/merge")

    assert f'value="{twin.id}"' in page.text
    assert f'value="{stranger.id}"' not in page.text
    assert f'value="{company.id}"' not in page.text


def test_merging_a_company_into_itself_on_the_page_is_refused_and_nothing_changes(db, make_company, coordinator,
                                                                                 client_as):
    company = make_company("하나")

    response = client_as(coordinator).post(f"/companies/{company.id}/merge", data={
        "other_id": company.id, "survivor_version": company.version, "absorbed_version": company.version})

    assert response.status_code == 422
    assert "같은 기업끼리는 병합할 수 없습니다." in response.text
    db.session.expire_all()
    assert not company.is_deleted


def test_merging_a_deleted_company_on_the_page_is_refused(db, make_company, coordinator, client_as):
    company, other = make_company("하나"), make_company("둘")
    create_product(other, name="상품", actor=coordinator)
    delete_company(other, actor=coordinator)
    db.session.commit()
    client = client_as(coordinator)

    refused = client.post(f"/companies/{company.id}/merge", data={"other_id": other.id})
    into_deleted = client.post(f"/companies/{other.id}/merge", data={"other_id": company.id})
    confirm_deleted = client.get(f"/companies/{company.id}/merge?other_id={other.id}")

    assert refused.status_code == 422 and "삭제된 기업은 병합할 수 없습니다." in refused.text
    assert into_deleted.status_code == 404
    assert confirm_deleted.status_code == 404
    assert _rows(db, Product, other.id) != []


def test_a_company_changed_since_the_confirmation_is_not_merged(db, make_company, coordinator, client_as):
    company, other = make_company("하나"), make_company("둘")
    seen = other.version
    move_stage(other, Stage.CONTACTED, note=None, actor=coordinator)
    db.session.commit()

    response = client_as(coordinator).post(f"/companies/{company.id}/merge", data={
        "other_id": other.id, "survivor_version": company.version, "absorbed_version": seen})

    assert response.status_code == 409
    db.session.expire_all()
    assert not other.is_deleted


def test_a_coach_may_not_merge(db, make_company, coach, client_as):
    company, other = make_company("하나", coaches=[coach]), make_company("둘", coaches=[coach])
    client = client_as(coach)

    assert client.get(f"/companies/{company.id}/merge").status_code == 403
    assert client.post(f"/companies/{company.id}/merge", data={"other_id": other.id}).status_code == 403
    db.session.expire_all()
    assert not other.is_deleted
