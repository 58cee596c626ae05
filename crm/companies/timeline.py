"""Everything that happened to a company, newest first. Later packages add their own entries with
`register(provider)` from their __init__; this package never names them."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from crm.audit.models import AuditAction, AuditLog, action_label
from crm.companies.models import Company, StageChange
from crm.extensions import db


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str           # a short machine name: stage, listing, edit, …
    title: str
    detail: str | None = None
    actor: str | None = None
    url: str | None = None


TimelineProvider = Callable[[Company, int], list[TimelineEntry]]
_providers: list[TimelineProvider] = []


def register(provider: TimelineProvider) -> TimelineProvider:
    """A provider returns at most `limit` of the company's newest entries, in a bounded number of queries."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def timeline_for(company: Company, limit: int = 50) -> list[TimelineEntry]:
    entries = [entry for provider in _providers for entry in provider(company, limit)]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]


def _stage_changes(company: Company, limit: int) -> list[TimelineEntry]:
    changes = db.session.scalars(
        sa.select(StageChange).where(StageChange.company_id == company.id)
        .options(joinedload(StageChange.by)).order_by(StageChange.at.desc()).limit(limit))
    entries = []
    for change in changes:
        if change.from_stage is None:
            title = _("%(stage)s 단계로 등록", stage=change.to_stage.label)
        else:
            title = _("단계: %(a)s → %(b)s", a=change.from_stage.label, b=change.to_stage.label)
            if change.is_skip:
                title += " " + _("(건너뜀)")
        entries.append(TimelineEntry(at=change.at, kind="stage", title=title, detail=change.note,
                                     actor=change.by.name if change.by else None))
    return entries


def _edits(company: Company, limit: int) -> list[TimelineEntry]:
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.record_type == "Company", AuditLog.record_id == str(company.id),
                                  AuditLog.action != AuditAction.INSERT)
        .options(joinedload(AuditLog.actor)).order_by(AuditLog.id.desc()).limit(limit))
    entries = []
    for row in rows:
        fields = sorted(key for key in (row.changes or {}) if key not in ("stage", "held_from", "deleted_by_id"))
        if not fields and row.action == AuditAction.UPDATE:
            continue  # a stage move: the stage entry tells it
        title = _("기업 정보 %(action)s", action=action_label(row.action))
        entries.append(TimelineEntry(at=row.at, kind="edit", title=title, detail=", ".join(fields) or None,
                                     actor=row.actor.name if row.actor else row.actor_label))
    return entries


register(_stage_changes)
register(_edits)
