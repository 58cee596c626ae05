"""The trash: soft-deleted records, restoring them, and purging for good.

Companies, products and certifications are this package's own kinds; later packages add theirs with
`register_kind(name, TrashKind(...))` (a record hanging on a company — restoring it needs its company live — or,
with `of_company=False`, one that stands on its own such as a campaign).

Purging (for personal data that must go) deletes through the ORM, row by row, so the audit log keeps a
delete row with the snapshot of each record. Later packages whose rows hang on a company or a product
remove them with `register_purge(handler)`, called as handler(record, actor) before the record goes.
"""
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from crm.auth.models import User
from crm.companies.models import (
    Certification,
    Company,
    CompanyAlias,
    CompanyCoach,
    ListingChange,
    Product,
    ProductListing,
    StageChange,
)
from crm.core.errors import RuleError
from crm.core.filters import won
from crm.core.pagination import paginate
from crm.core.softdelete import including_deleted, restore
from crm.extensions import db


class RestoreConflict(RuleError):
    """Restoring would break a rule that live records keep (a business number in use, a deleted parent)."""


@dataclass(frozen=True)
class TrashKind:
    model: type
    label: str
    options: tuple = ()
    # What the trash list shows of a record.
    describe: Callable[[object], str] = str
    # Called with the record and the time it had been deleted, to bring back what was deleted with it.
    on_restore: Callable[[object, object], None] | None = None
    # A record of a company (a product, a session) comes back only while its company is live.
    of_company: bool = True


def _describe_company(company: Company) -> str:
    return f"{company.name} {company.business_number_display}".strip()


def _describe_product(product: Product) -> str:
    return product.name if product.price is None else f"{product.name} ({won(product.price)})"


def _describe_certification(certification: Certification) -> str:
    return f"{certification.kind.label} {certification.number or ''}".strip()


KINDS = {
    "company": TrashKind(Company, _l("기업"), describe=_describe_company, of_company=False),
    "product": TrashKind(Product, _l("상품"), (joinedload(Product.company),), describe=_describe_product),
    "certification": TrashKind(Certification, _l("인증"), (joinedload(Certification.company),),
                               describe=_describe_certification),
}


def register_kind(name: str, kind: TrashKind) -> None:
    KINDS.setdefault(name, kind)


def kind_of(record) -> TrashKind:
    return next(spec for spec in KINDS.values() if isinstance(record, spec.model))

PurgeHandler = Callable[[object, User | None], None]
_purge_handlers: list[PurgeHandler] = []


def register_purge(handler: PurgeHandler) -> PurgeHandler:
    if handler not in _purge_handlers:
        _purge_handlers.append(handler)
    return handler


def trash_statement(kind: str) -> sa.Select:
    """The deleted records of one kind, most recently deleted first (their company loaded, deleted or not)."""
    spec = KINDS[kind]
    stmt = (sa.select(spec.model).where(spec.model.deleted_at.is_not(None)).options(*spec.options)
            .order_by(spec.model.deleted_at.desc(), spec.model.id.desc()))
    return including_deleted(stmt)


def trash_page(kind: str) -> Pagination:
    """One page of the deleted records of a kind."""
    return paginate(trash_statement(kind))


def trash_counts() -> dict[str, int]:
    counts = {}
    for kind, spec in KINDS.items():
        stmt = sa.select(sa.func.count(spec.model.id)).where(spec.model.deleted_at.is_not(None))
        counts[kind] = db.session.scalar(including_deleted(stmt))
    return counts


def users_by_id(ids) -> dict[int, User]:
    """The users who deleted the records on a page, in one query."""
    ids = {user_id for user_id in ids if user_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def deleted_record(kind: str, record_id: int):
    """A soft-deleted record of this kind, or None (unknown kind, no such record, or not deleted)."""
    spec = KINDS.get(kind)
    if spec is None:
        return None
    stmt = sa.select(spec.model).where(spec.model.id == record_id, spec.model.deleted_at.is_not(None))
    return db.session.scalar(including_deleted(stmt))


def _company_is_live(company_id: int) -> bool:
    return db.session.scalar(sa.select(Company.id).where(Company.id == company_id)) is not None


def restore_record(record, *, actor: User | None) -> None:
    """Bring a deleted record back, unless a live record now holds what it needs."""
    if isinstance(record, Company) and record.business_number:
        holder = db.session.scalar(sa.select(Company).where(Company.business_number == record.business_number,
                                                            Company.id != record.id))
        if holder is not None:
            raise RestoreConflict(_("사업자등록번호 %(number)s을(를) 지금은 기업 ‘%(name)s’이(가) 쓰고 있어 복원할 수 "
                                    "없습니다. 먼저 두 기업을 정리하세요.",
                                    number=record.business_number_display, name=holder.name))
    if kind_of(record).of_company and not _company_is_live(record.company_id):
        raise RestoreConflict(_("이 기록의 기업이 삭제되어 있습니다. 먼저 기업을 복원하세요."))
    deleted_at = record.deleted_at
    restore(record, actor=actor)
    spec = kind_of(record)
    if spec.on_restore is not None:
        spec.on_restore(record, deleted_at)
    db.session.flush()


def _delete_all(rows) -> None:
    for row in rows:
        db.session.delete(row)


def _purge_product(product: Product, actor) -> None:
    for handler in _purge_handlers:
        handler(product, actor)
    listings = list(db.session.scalars(sa.select(ProductListing).where(ProductListing.product_id == product.id)))
    if listings:
        _delete_all(db.session.scalars(sa.select(ListingChange)
                                       .where(ListingChange.listing_id.in_([listing.id for listing in listings]))))
        db.session.flush()
    _delete_all(listings)
    db.session.flush()
    db.session.delete(product)
    db.session.flush()


def _purge_company(company: Company, actor) -> None:
    for handler in _purge_handlers:
        handler(company, actor)
    products = db.session.scalars(including_deleted(sa.select(Product).where(Product.company_id == company.id)))
    for product in list(products):
        _purge_product(product, actor)
    for model in (CompanyAlias, CompanyCoach, StageChange):
        _delete_all(db.session.scalars(sa.select(model).where(model.company_id == company.id)))
    _delete_all(db.session.scalars(including_deleted(sa.select(Certification)
                                                     .where(Certification.company_id == company.id))))
    db.session.flush()
    db.session.delete(company)
    db.session.flush()


def purge_record(record, *, actor: User | None) -> None:
    """Delete a soft-deleted record for good, with everything that hangs on it; each row deleted is audited."""
    if not record.is_deleted:
        raise RuleError(_("삭제된 기록만 완전히 지울 수 있습니다."))
    if isinstance(record, Company):
        _purge_company(record, actor)
    elif isinstance(record, Product):
        _purge_product(record, actor)
    else:
        for handler in _purge_handlers:
            handler(record, actor)
        db.session.delete(record)
        db.session.flush()
