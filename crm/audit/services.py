from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.audit.context import current_actor, current_ip
from crm.audit.models import AuditLog
from crm.core.time import SEOUL
from crm.extensions import db


def record_security_event(action: str, *, actor=None, label: str | None = None, detail: dict | None = None) -> None:
    """Log a security event (login, logout, refused access, CSRF failure); the caller commits.

    Data changes are never written here: the session listener logs those.
    """
    who = current_actor()
    db.session.add(AuditLog(
        actor_id=actor.id if actor is not None else who.user_id,
        actor_label=label or (actor.login_id if actor is not None else who.label),
        ip=current_ip(),
        action=action,
        record_type="User" if actor is not None else None,
        record_id=str(actor.id) if actor is not None else None,
        changes=detail,
    ))


def _seoul_day_start_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SEOUL)


def audit_log_statement(*, actor_id: int | None = None, record_type: str | None = None,
                        record_id: str | None = None, action: str | None = None,
                        date_from: date | None = None, date_to: date | None = None,
                        ids_only: bool = False) -> sa.Select:
    """Newest first; dates are Seoul calendar days, both ends included. The entries with their actors, or only
    their ids (a page of the list, whose entries `entries_by_id` reads)."""
    stmt = sa.select(AuditLog.id) if ids_only else sa.select(AuditLog).options(joinedload(AuditLog.actor))
    stmt = stmt.order_by(AuditLog.id.desc())
    if actor_id:
        stmt = stmt.where(AuditLog.actor_id == actor_id)
    if record_type:
        stmt = stmt.where(AuditLog.record_type == record_type)
    if record_id:
        stmt = stmt.where(AuditLog.record_id == record_id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if date_from:
        stmt = stmt.where(AuditLog.at >= _seoul_day_start_utc(date_from))
    if date_to:
        stmt = stmt.where(AuditLog.at < _seoul_day_start_utc(date_to + timedelta(days=1)))
    return stmt


def entries_by_id(ids: list[int]) -> list[AuditLog]:
    """These entries with their actors, newest first."""
    return list(db.session.scalars(sa.select(AuditLog).options(joinedload(AuditLog.actor))
                                   .where(AuditLog.id.in_(ids)).order_by(AuditLog.id.desc())))


def known_record_types() -> list[str]:
    """The record types the log can hold: each audited model, and User for security events. Known from the models,
    not read off the log: a DISTINCT over a million rows is a full scan on PostgreSQL."""
    from crm.audit.listener import Audited

    audited = {mapper.class_.__name__ for mapper in db.Model.registry.mappers if issubclass(mapper.class_, Audited)}
    return sorted(audited | {"User"})
