"""Writes the audit trail from the session itself, so no service or view can forget it."""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper, Session

from crm.audit.context import current_actor, current_ip
from crm.audit.models import AuditAction, AuditLog
from crm.core.time import as_utc, utcnow

REDACTED = "***"
# Bookkeeping columns whose changes say nothing a reader of the log needs.
UNTRACKED = {"version", "updated_at", "created_at"}


class Audited:
    """Marks a model whose inserts, updates and deletes are written to the audit log.

    `__audit_redact__` names columns whose values never reach the log (only that they changed);
    `__audit_ignore__` names columns whose changes are not logged at all.
    """

    __audit_redact__: frozenset[str] = frozenset()
    __audit_ignore__: frozenset[str] = frozenset()


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(obj, key, value):
    return REDACTED if key in obj.__audit_redact__ else _plain(value)


def _tracked_keys(obj):
    mapper = sa.inspect(obj).mapper
    skip = UNTRACKED | obj.__audit_ignore__
    return [attr.key for attr in mapper.column_attrs if attr.key not in skip]


def _link_keys(obj) -> list[str]:
    """Many-to-many collections (a link table, no model of its own): logged as the ids they hold."""
    mapper = sa.inspect(obj).mapper
    return [rel.key for rel in mapper.relationships
            if rel.secondary is not None and rel.key not in obj.__audit_ignore__]


def _ids(objects) -> list:
    return sorted(sa.inspect(item).identity[0] if sa.inspect(item).identity else None for item in objects)


def _snapshot(obj) -> dict:
    snapshot = {key: _shown(obj, key, getattr(obj, key)) for key in _tracked_keys(obj)}
    state = sa.inspect(obj)
    for key in _link_keys(obj):
        snapshot[key] = _ids(state.attrs[key].history.sum())
    return snapshot


def _field_changes(obj) -> dict:
    state = sa.inspect(obj)
    changes = {}
    for key in _tracked_keys(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            changes[key] = [_shown(obj, key, old), _shown(obj, key, new)]
    for key in _link_keys(obj):
        history = state.attrs[key].history
        if history.has_changes():
            old, new = _ids([*history.unchanged, *history.deleted]), _ids([*history.unchanged, *history.added])
            if old != new:
                changes[key] = [old, new]
    return changes


def writes_audit_row(obj, session: Session) -> bool:
    """True when flushing `obj` (an Audited record in `session`) logs a change: an insert, a delete, or an update
    of a tracked column (a sign-in's `last_login_at` alone is none of these)."""
    return obj in session.new or obj in session.deleted or bool(_field_changes(obj))


def _update_action(changes: dict) -> str:
    deleted = changes.get("deleted_at")
    if deleted is None:
        return AuditAction.UPDATE
    old, new = deleted
    return AuditAction.DELETE if old is None and new is not None else AuditAction.RESTORE


def _row(obj, action: str, changes: dict) -> dict:
    actor = current_actor()
    identity = sa.inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "at": utcnow(),
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "ip": current_ip(),
        "action": action,
        "record_type": type(obj).__name__,
        "record_id": ",".join(str(part) for part in identity),
        "changes": changes,
        "import_batch_id": actor.import_batch_id,
    }


def _keep_old_value(target, value, oldvalue, initiator):
    return value


@event.listens_for(Mapper, "mapper_configured")
def _load_old_values_before_changes(mapper: Mapper, class_) -> None:
    """A value set on an expired attribute (after a commit, say) has no old value unless asked for;
    active history loads it first, so the log always holds [old, new]."""
    if issubclass(class_, Audited):
        for attr in mapper.column_attrs:
            event.listen(getattr(class_, attr.key), "set", _keep_old_value, active_history=True, retval=True)


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session: Session, flush_context) -> None:
    rows = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(_row(obj, AuditAction.INSERT, _snapshot(obj)))
    for obj in session.dirty:
        if isinstance(obj, Audited):
            changes = _field_changes(obj)
            if changes:
                rows.append(_row(obj, _update_action(changes), changes))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(_row(obj, AuditAction.DELETE, _snapshot(obj)))
    if rows:
        session.connection().execute(sa.insert(AuditLog.__table__), rows)
