"""A company's two funnel dates, kept on its row so that the board's funnel reads one row per company instead of
every stage change (a window over 90,000 changes cost 200 ms at national scale, after every move).

`funnel_sourced_at`: the company's first StageChange to 발굴 (its creation at 발굴 included), or empty.
`funnel_days_to_listing`: Asia/Seoul calendar days from that entry to the first 입점완료 entry at or after it, or
empty when there is none. Both follow from the company's stage changes alone: every flush that adds, moves or
removes a stage change recomputes them for its companies (see `_refresh_after_flush`); writers past the ORM
(the import, `flask demo scale`) put them in their rows with `funnel_dates`.
"""
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm.companies.models import Company, StageChange, days_since
from crm.companies.pipeline import Stage
from crm.core.time import seoul_date

FUNNEL_COLUMNS = ("funnel_sourced_at", "funnel_days_to_listing")
_PENDING = "funnel_companies_refreshed"


def funnel_dates(changes: Iterable[tuple[Stage, datetime]]) -> dict:
    """The two columns' values for a company with these stage changes (to_stage, at), in any order."""
    changes = list(changes)
    sourced_at = min((at for stage, at in changes if stage is Stage.SOURCED), default=None)
    listed_at = None
    if sourced_at is not None:
        listed_at = min((at for stage, at in changes if stage is Stage.LISTED and at >= sourced_at), default=None)
    return {"funnel_sourced_at": sourced_at,
            "funnel_days_to_listing": None if listed_at is None else days_since(sourced_at, seoul_date(listed_at))}


def refresh_funnel_dates(connection: Connection, company_ids: Iterable[int]) -> None:
    """Recompute the columns of these companies from their stage changes: one read, one batch of updates."""
    company_ids = sorted(set(company_ids))
    if not company_ids:
        return
    changes: dict[int, list[tuple[Stage, datetime]]] = defaultdict(list)
    table = StageChange.__table__
    for company_id, stage, at in connection.execute(
            sa.select(table.c.company_id, table.c.to_stage, table.c.at)
            .where(table.c.company_id.in_(company_ids), table.c.to_stage.in_((Stage.SOURCED, Stage.LISTED)))):
        changes[company_id].append((Stage(stage), at))
    companies = Company.__table__
    connection.execute(
        companies.update().where(companies.c.id == sa.bindparam("company_id"))
        .values({name: sa.bindparam(name) for name in FUNNEL_COLUMNS}),
        [{"company_id": company_id, **funnel_dates(changes[company_id])} for company_id in company_ids])


def _touched_companies(session: Session) -> set[int]:
    touched = set()
    for change in (*session.new, *session.dirty, *session.deleted):
        if isinstance(change, StageChange):
            # A merge moves stage changes to another company: both companies' dates change.
            history = inspect(change).attrs.company_id.history
            touched.update(company_id for company_id in (change.company_id, *history.deleted) if company_id)
    return touched


@event.listens_for(Session, "after_flush")
def _refresh_after_flush(session: Session, flush_context) -> None:
    touched = _touched_companies(session)
    if touched:
        refresh_funnel_dates(session.connection(), touched)
        session.info.setdefault(_PENDING, set()).update(touched)


@event.listens_for(Session, "after_flush_postexec")
def _expire_refreshed_columns(session: Session, flush_context) -> None:
    """The rows were updated past the ORM: a company loaded in this session reads the new values when asked."""
    for company_id in session.info.pop(_PENDING, ()):
        company = session.identity_map.get(session.identity_key(Company, company_id))
        if company is not None:
            session.expire(company, FUNNEL_COLUMNS)
