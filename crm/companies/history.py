"""Stage and listing changes as an admin audits them: filtered lists and the rows of their export."""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from crm.companies.models import Company, ListingChange, ListingStatus, Product, ProductListing, StageChange
from crm.companies.pipeline import Stage
from crm.core.filters import korean_datetime
from crm.core.softdelete import including_deleted
from crm.core.time import SEOUL


def _seoul_day_start(day: date) -> datetime:
    # UtcDateTime binds it as UTC: 00:00 in Seoul is 15:00 UTC the day before.
    return datetime.combine(day, time.min, tzinfo=SEOUL)


def _within(stmt: sa.Select, column, date_from: date | None, date_to: date | None) -> sa.Select:
    """Seoul calendar days, both ends included."""
    if date_from:
        stmt = stmt.where(column >= _seoul_day_start(date_from))
    if date_to:
        stmt = stmt.where(column < _seoul_day_start(date_to + timedelta(days=1)))
    return stmt


def stage_changes_statement(*, stage: Stage | None = None, user_id: int | None = None,
                            date_from: date | None = None, date_to: date | None = None) -> sa.Select:
    """Newest first, with the company (deleted ones too: the history stays auditable) and the user."""
    stmt = (sa.select(StageChange).options(joinedload(StageChange.company), joinedload(StageChange.by))
            .order_by(StageChange.at.desc(), StageChange.id.desc()))
    if stage:
        stmt = stmt.where(StageChange.to_stage == stage)
    if user_id:
        stmt = stmt.where(StageChange.by_id == user_id)
    return including_deleted(_within(stmt, StageChange.at, date_from, date_to))


def listing_changes_statement(*, status: ListingStatus | None = None, user_id: int | None = None,
                              date_from: date | None = None, date_to: date | None = None) -> sa.Select:
    stmt = (sa.select(ListingChange)
            .options(joinedload(ListingChange.listing).joinedload(ProductListing.product).joinedload(Product.company),
                     joinedload(ListingChange.listing).joinedload(ProductListing.store),
                     joinedload(ListingChange.by))
            .order_by(ListingChange.at.desc(), ListingChange.id.desc()))
    if status:
        stmt = stmt.where(ListingChange.to_status == status)
    if user_id:
        stmt = stmt.where(ListingChange.by_id == user_id)
    return including_deleted(_within(stmt, ListingChange.at, date_from, date_to))


def _user_name(user) -> str:
    return f"{user.name} ({user.login_id})" if user is not None else "system"


def _company_name(company: Company) -> str:
    return company.name + (_(" (삭제됨)") if company.is_deleted else "")


def stage_change_table(changes) -> tuple[list[str], list[list]]:
    headers = [_("일시"), _("기업"), _("기업 번호"), _("이전 단계"), _("변경 단계"), _("건너뜀"), _("메모"),
               _("변경한 사용자")]
    rows = [[korean_datetime(change.at), _company_name(change.company), change.company_id,
             change.from_stage.label if change.from_stage else "", change.to_stage.label,
             _("예") if change.is_skip else "", change.note or "", _user_name(change.by)]
            for change in changes]
    return headers, rows


def listing_change_table(changes) -> tuple[list[str], list[list]]:
    headers = [_("일시"), _("기업"), _("상품"), _("판매처"), _("이전 상태"), _("변경 상태"), _("메모"),
               _("변경한 사용자")]
    rows = [[korean_datetime(change.at), _company_name(change.listing.product.company), change.listing.product.name,
             change.listing.store.name, change.from_status.label if change.from_status else "",
             change.to_status.label, change.note or "", _user_name(change.by)]
            for change in changes]
    return headers, rows
