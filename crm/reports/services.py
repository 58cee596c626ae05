import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.audit.models import AuditLog
from crm.auth.models import Role, User
from crm.extensions import db


def user_counts_by_role() -> dict[Role, int]:
    rows = db.session.execute(
        sa.select(User.role, sa.func.count()).where(User.active.is_(True)).group_by(User.role)
    )
    counts = dict.fromkeys(Role, 0)
    counts.update({role: count for role, count in rows})
    return counts


def recent_logins(limit: int = 10) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.last_login_at.is_not(None)).order_by(User.last_login_at.desc()).limit(limit)
    ))


def recent_audit_entries(limit: int = 10) -> list[AuditLog]:
    return list(db.session.scalars(
        sa.select(AuditLog).options(joinedload(AuditLog.actor)).order_by(AuditLog.id.desc()).limit(limit)
    ))
