"""Everything that happened to a company, newest first. Later packages add their own entries with
`register(provider)` from their __init__; this package never names them."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.models import AuditAction, AuditLog, action_label
from crm.auth.models import User
from crm.companies.models import Company, StageChange
from crm.companies.pipeline import Stage
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
    rows = db.session.execute(
        sa.select(StageChange.at, StageChange.from_stage, StageChange.to_stage, StageChange.is_skip,
                  StageChange.note, User.name)
        .outerjoin(User, StageChange.by_id == User.id).where(StageChange.company_id == company.id)
        .order_by(StageChange.at.desc()).limit(limit))
    labels = Stage.translated_labels()
    entries = []
    for at, from_stage, to_stage, is_skip, note, by_name in rows:
        if from_stage is None:
            title = _("%(stage)s 단계로 등록", stage=labels[to_stage])
        else:
            title = _("단계: %(a)s → %(b)s", a=labels[from_stage], b=labels[to_stage])
            if is_skip:
                title += " " + _("(건너뜀)")
        entries.append(TimelineEntry(at=at, kind="stage", title=title, detail=note, actor=by_name))
    return entries


def _edits(company: Company, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(AuditLog.at, AuditLog.action, AuditLog.changes, AuditLog.actor_label, User.name)
        .outerjoin(User, AuditLog.actor_id == User.id)
        .where(AuditLog.record_type == "Company", AuditLog.record_id == str(company.id),
               AuditLog.action != AuditAction.INSERT)
        .order_by(AuditLog.id.desc()).limit(limit))
    entries = []
    for at, action, changes, actor_label, actor_name in rows:
        fields = sorted(key for key in (changes or {}) if key not in ("stage", "held_from", "deleted_by_id"))
        if not fields and action == AuditAction.UPDATE:
            continue  # a stage move: the stage entry tells it
        title = _("기업 정보 %(action)s", action=action_label(action))
        entries.append(TimelineEntry(at=at, kind="edit", title=title, detail=", ".join(fields) or None,
                                     actor=actor_name or actor_label))
    return entries


register(_stage_changes)
register(_edits)
