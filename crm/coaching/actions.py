"""Action items: who sees and may tick off which, the /actions/ list, and what the company page shows of them.

A coach sees only items of companies assigned to them: the items they own, and the company-owned items
of sessions they led. Coordinators and admins see every item.
"""
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload

from crm.auth.models import COORDINATION, Role, User
from crm.coaching.models import ActionItem, CoachingSession
from crm.companies.models import Company
from crm.companies.services import visible_to
from crm.companies.timeline import TimelineEntry
from crm.core.filters import korean_date
from crm.core.pagination import count_rows
from crm.core.time import SEOUL, as_utc, seoul_today
from crm.extensions import db

# The owner filter's value for items the company itself owns.
COMPANY_OWNER = "company"
URGENT_LIMIT = 3


def _visible_items(user: User) -> sa.Select:
    """Items of live sessions of companies the user may see, each with its session, coach, company and owner.

    The inner joins drop items whose session or company is deleted (the global soft-delete criterion
    applies to joined entities too)."""
    stmt = (sa.select(ActionItem)
            .join(ActionItem.session).join(ActionItem.company)
            .options(contains_eager(ActionItem.session).joinedload(CoachingSession.coach),
                     contains_eager(ActionItem.company), joinedload(ActionItem.owner)))
    return visible_to(stmt, user)


def _urgency_order(today: date) -> tuple:
    """Overdue first, then by due date (the earliest first)."""
    overdue = sa.case((sa.and_(ActionItem.done_on.is_(None), ActionItem.due_on < today), 0), else_=1)
    return overdue, ActionItem.due_on, ActionItem.id


def _mine(stmt: sa.Select, user: User) -> sa.Select:
    """A coach's own items: owned by them, or owned by the company in a session they led."""
    return stmt.where(sa.or_(ActionItem.owner_user_id == user.id,
                             sa.and_(ActionItem.owner_user_id.is_(None), CoachingSession.coach_id == user.id)))


def action_list_statement(user: User, *, owner: str | int | None = None, include_done: bool = False,
                          today: date | None = None) -> sa.Select:
    """The /actions/ list. A coach gets their own items; coordinators and admins everyone's, or one owner's
    (a user id, or COMPANY_OWNER for company-owned items). Open items only unless `include_done`."""
    stmt = _visible_items(user)
    if user.role is Role.COACH:
        stmt = _mine(stmt, user)
    elif owner == COMPANY_OWNER:
        stmt = stmt.where(ActionItem.owner_user_id.is_(None))
    elif owner is not None:
        stmt = stmt.where(ActionItem.owner_user_id == int(owner))
    if not include_done:
        # Among open items "overdue first, then by due date" is simply by due date, which an index serves.
        return stmt.where(ActionItem.done_on.is_(None)).order_by(ActionItem.due_on, ActionItem.id)
    return stmt.order_by(*_urgency_order(today or seoul_today()))


def owners_with_items() -> list[User]:
    """Users who own any action item (deactivated ones too, so their items can still be found)."""
    owner_ids = sa.select(ActionItem.owner_user_id).where(ActionItem.owner_user_id.is_not(None))
    return list(db.session.scalars(sa.select(User).where(User.id.in_(owner_ids)).order_by(User.name, User.id)))


def item_for(user: User, item_id: int) -> ActionItem | None:
    """The item if the user may see its company (and its session is live), else None: the view answers 404."""
    return db.session.scalar(_visible_items(user).where(ActionItem.id == item_id))


def can_update(item: ActionItem, user: User) -> bool:
    """Coordinators and admins, the item's owner and the coach who led the session may tick an item off."""
    return user.role in COORDINATION or user.id in (item.owner_user_id, item.session.coach_id)


def mark_done(item: ActionItem, *, actor: User, today: date | None = None) -> ActionItem:
    """Done as of today in Seoul; an item already done keeps the day it was done."""
    if item.done_on is None:
        item.done_on = today or seoul_today()
        db.session.flush()
    return item


def reopen(item: ActionItem, *, actor: User) -> ActionItem:
    item.done_on = None
    db.session.flush()
    return item


# The company page -------------------------------------------------------------------------------------------

def company_section(company: Company, user: User) -> dict:
    """The company page's count of open items and the most urgent few (two statements)."""
    today = seoul_today()
    open_items = _visible_items(user).where(ActionItem.company_id == company.id, ActionItem.done_on.is_(None))
    count = count_rows(open_items)
    urgent = list(db.session.scalars(open_items.order_by(*_urgency_order(today)).limit(URGENT_LIMIT))) if count else []
    return {"open_count": count, "urgent_items": urgent, "today": today}


def _done_at(item: ActionItem) -> datetime:
    """When an item was ticked off: the time of the last change if that was on its done day, else that day."""
    updated = as_utc(item.updated_at)
    if updated.astimezone(SEOUL).date() == item.done_on:
        return updated
    return datetime.combine(item.done_on, time(), SEOUL)


def company_timeline(company: Company, limit: int) -> list[TimelineEntry]:
    """Timeline entries for the company's action items, created and done, in one statement."""
    items = db.session.scalars(
        sa.select(ActionItem).join(ActionItem.session)
        .where(ActionItem.company_id == company.id)
        .options(contains_eager(ActionItem.session), joinedload(ActionItem.owner))
        .order_by(ActionItem.updated_at.desc(), ActionItem.id.desc()).limit(limit))
    entries = []
    for item in items:
        url = url_for("coaching.detail", session_id=item.session_id) if has_request_context() else None
        owner = item.owner.name if item.owner else _("기업")
        detail = _("담당: %(owner)s · 기한: %(due)s", owner=owner, due=korean_date(item.due_on))
        entries.append(TimelineEntry(at=as_utc(item.created_at), kind="action_item",
                                     title=_("실행과제 등록: %(what)s", what=item.what), detail=detail, url=url))
        if item.done_on is not None:
            entries.append(TimelineEntry(at=_done_at(item), kind="action_item_done",
                                         title=_("실행과제 완료: %(what)s", what=item.what), url=url))
    return entries
