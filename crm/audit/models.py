from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.time import utcnow
from crm.core.types import UtcDateTime
from crm.extensions import db


class AuditAction:
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"


ACTION_LABELS = {
    AuditAction.INSERT: _l("생성"),
    AuditAction.UPDATE: _l("수정"),
    AuditAction.DELETE: _l("삭제"),
    AuditAction.RESTORE: _l("복원"),
    "login": _l("로그인"),
    "login_failed": _l("로그인 실패"),
    "logout": _l("로그아웃"),
    "password_confirmed": _l("비밀번호 재확인"),
    "password_confirm_failed": _l("비밀번호 재확인 실패"),
    "csrf_failure": _l("보안 토큰 오류"),
    "access_denied": _l("접근 거부"),
    "not_found": _l("없는 페이지·기록 요청"),
    "export": _l("내보내기"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


class AuditLog(db.Model):
    """Append-only: one row per record changed, or per security event (login, refused access, …)."""

    __tablename__ = "audit_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    record_type: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    record_id: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    changes: Mapped[dict | None] = mapped_column(sa.JSON)
    # The import that made this change (crm.imports), so that the import can be listed and undone.
    import_batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"), index=True)

    actor = relationship("User", foreign_keys=[actor_id], lazy="raise")


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _refuse_rewriting_history(mapper, connection, target):
    raise RuntimeError("audit_logs is append-only")
