import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from crm.audit.listener import Audited
from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.core.types import LabelledEnum, UtcDateTime, enum_column
from crm.extensions import db


class Role(LabelledEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    COACH = "coach"


# Who runs the programme: everything a coach may do, and the coordination work on top.
COORDINATION = (Role.ADMIN, Role.COORDINATOR)

ROLE_LABELS = Role.set_labels({Role.ADMIN: _l("관리자"), Role.COORDINATOR: _l("코디네이터"), Role.COACH: _l("코치")})


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(Audited, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "users"
    __audit_redact__ = frozenset({"password_hash", "session_token"})
    __audit_ignore__ = frozenset({"last_login_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    login_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    role: Mapped[Role] = enum_column(Role, length=20)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Flask-Login stores this, not the id: rotating it ends every session of the user at once.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.login_id} {self.role}>"
