"""Merging two records of one company: everything of the absorbed one moves to the survivor.

Later packages move their own rows with `register(handler)` from their __init__; this package never names
them. A handler is called as handler(survivor, absorbed, actor) inside the same transaction, before the
absorbed company is deleted; it changes rows through the ORM, so the audit log records each of them.
"""
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.auth.models import User
from crm.companies.models import Certification, Company, CompanyAlias, CompanyCoach, Product, StageChange
from crm.companies.rules import name_key
from crm.companies.services import visible_to
from crm.core.errors import RuleError, StaleEditError
from crm.core.softdelete import including_deleted, soft_delete
from crm.extensions import db

MergeHandler = Callable[[Company, Company, User | None], None]
_handlers: list[MergeHandler] = []

# Facts the survivor takes from the absorbed company where it has none of its own.
FILLED_FIELDS = ("business_number", "region_code", "industry", "contact_name", "phone", "email", "website",
                 "shop_url", "note", "coordinator_id", "source", "discovered_on", "discovered_by_id")
CANDIDATE_LIMIT = 30


def register(handler: MergeHandler) -> MergeHandler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def merge_companies(survivor: Company, absorbed: Company, *, actor: User | None,
                    versions: tuple[int | None, int | None] | None = None) -> Company:
    """Move everything of `absorbed` to `survivor`, then soft-delete `absorbed`.

    `versions` are the two companies' versions as the confirmation page showed them: a company changed since
    is refused as a stale edit, so nobody merges what they have not seen.
    """
    if survivor.id == absorbed.id:
        raise RuleError(_("같은 기업끼리는 병합할 수 없습니다."), field="other_id")
    if survivor.is_deleted or absorbed.is_deleted:
        raise RuleError(_("삭제된 기업은 병합할 수 없습니다."), field="other_id")
    if versions is not None and (versions[0] != survivor.version or versions[1] != absorbed.version):
        raise StaleEditError()
    for handler in _handlers:
        handler(survivor, absorbed, actor)
    soft_delete(absorbed, actor=actor)
    db.session.flush()
    return survivor


def _rows_of(model, company_id: int, *, with_deleted: bool = False) -> list:
    stmt = sa.select(model).where(model.company_id == company_id).order_by(model.id)
    return list(db.session.scalars(including_deleted(stmt) if with_deleted else stmt))


@register
def _fill_empty_fields(survivor: Company, absorbed: Company, actor) -> None:
    taken = {key: getattr(absorbed, key) for key in FILLED_FIELDS
             if getattr(survivor, key) is None and getattr(absorbed, key) is not None}
    if "business_number" in taken:
        # Unique among live companies: the absorbed one gives its number up before the survivor takes it.
        absorbed.business_number = None
        db.session.flush()
    for key, value in taken.items():
        setattr(survivor, key, value)
    db.session.flush()


@register
def _move_names(survivor: Company, absorbed: Company, actor) -> None:
    """The absorbed company's legal name and aliases become aliases of the survivor (each name once)."""
    known = {survivor.name_key, *(alias.name_key for alias in _rows_of(CompanyAlias, survivor.id))}
    for alias in _rows_of(CompanyAlias, absorbed.id):
        if alias.name_key not in known:
            alias.company_id = survivor.id
            known.add(alias.name_key)
    if absorbed.name_key not in known:
        db.session.add(CompanyAlias(company_id=survivor.id, name=absorbed.name, name_key=name_key(absorbed.name)))
    db.session.flush()


@register
def _move_products(survivor: Company, absorbed: Company, actor) -> None:
    # Deleted products move too: restoring one later must find a live company. Listings and their history
    # belong to the product and follow it.
    for product in _rows_of(Product, absorbed.id, with_deleted=True):
        product.company_id = survivor.id
    db.session.flush()


@register
def _move_certifications(survivor: Company, absorbed: Company, actor) -> None:
    for certification in _rows_of(Certification, absorbed.id, with_deleted=True):
        certification.company_id = survivor.id
    db.session.flush()


@register
def _move_coaches(survivor: Company, absorbed: Company, actor) -> None:
    assigned = {link.coach_id for link in _rows_of(CompanyCoach, survivor.id)}
    for link in _rows_of(CompanyCoach, absorbed.id):
        if link.coach_id not in assigned:  # a coach already on the survivor keeps the one link
            link.company_id = survivor.id
            assigned.add(link.coach_id)
    db.session.flush()


@register
def _move_stage_history(survivor: Company, absorbed: Company, actor) -> None:
    for change in _rows_of(StageChange, absorbed.id):
        change.company_id = survivor.id
    db.session.flush()


def company_by_id(company_id: int | None, *, with_deleted: bool = False) -> Company | None:
    """The other company of a merge; `with_deleted` so that merging a deleted one is refused with a message."""
    if not company_id:
        return None
    stmt = sa.select(Company).where(Company.id == company_id)
    return db.session.scalar(including_deleted(stmt) if with_deleted else stmt)


def merge_candidates(company: Company, query: str | None, user: User, *, limit: int = CANDIDATE_LIMIT) -> list[Company]:
    """Live companies, other than `company`, whose name or alias contains the query (spaces and legal-form
    words ignored); without a query, those that look like duplicates of it."""
    key = name_key(query)
    if key:
        condition = sa.or_(Company.name_key.contains(key, autoescape=True),
                           Company.id.in_(sa.select(CompanyAlias.company_id)
                                          .where(CompanyAlias.name_key.contains(key, autoescape=True))))
    else:
        keys = {company.name_key, *(alias.name_key for alias in _rows_of(CompanyAlias, company.id))}
        conditions = [Company.name_key.in_(keys),
                      Company.id.in_(sa.select(CompanyAlias.company_id).where(CompanyAlias.name_key.in_(keys)))]
        if company.business_number:
            conditions.append(Company.business_number == company.business_number)
        condition = sa.or_(*conditions)
    stmt = sa.select(Company).where(condition, Company.id != company.id).order_by(Company.name, Company.id).limit(limit)
    return list(db.session.scalars(visible_to(stmt, user)))


def merge_counts(company: Company) -> dict[str, int]:
    """What the confirmation page shows of each company: how many records would move."""
    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.company_id == company.id))

    return {"products": count(Product), "aliases": count(CompanyAlias), "certifications": count(Certification),
            "coaches": count(CompanyCoach), "stage_changes": count(StageChange)}
