from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit.listener import Audited
from crm.auth.models import Role, User
from crm.companies.models import Company
from crm.core.mixins import SoftDeleteMixin, TimestampMixin, VersionedMixin, live_index
from crm.core.time import seoul_today
from crm.core.types import LabelledEnum, enum_column
from crm.extensions import db

# Specialties a coach offers and a needs assessment asks for: one managed list for both.
coach_specialties = sa.Table(
    "coach_specialties", db.metadata,
    sa.Column("coach_profile_id", sa.ForeignKey("coach_profiles.id"), primary_key=True),
    sa.Column("specialty_id", sa.ForeignKey("specialties.id"), primary_key=True),
)
assessment_needs = sa.Table(
    "assessment_needs", db.metadata,
    sa.Column("assessment_id", sa.ForeignKey("needs_assessments.id"), primary_key=True),
    sa.Column("specialty_id", sa.ForeignKey("specialties.id"), primary_key=True),
)


class Specialty(Audited, db.Model):
    __tablename__ = "specialties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class CoachProfile(Audited, TimestampMixin, VersionedMixin, db.Model):
    """What the pool shows of a user with the coach role."""

    __tablename__ = "coach_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    bio: Mapped[str | None] = mapped_column(sa.Text)
    contact: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship()
    specialties: Mapped[list[Specialty]] = relationship(secondary=coach_specialties, order_by=Specialty.sort_order)


class NeedsAssessment(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "needs_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    problems: Mapped[str | None] = mapped_column(sa.Text)
    improvements: Mapped[str | None] = mapped_column(sa.Text)
    assessed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    company: Mapped[Company] = relationship()
    assessed_by: Mapped[User | None] = relationship(foreign_keys=[assessed_by_id])
    needs: Mapped[list[Specialty]] = relationship(secondary=assessment_needs, order_by=Specialty.sort_order)


class SessionMode(LabelledEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"


SESSION_MODE_LABELS = SessionMode.set_labels({SessionMode.IN_PERSON: _l("대면"), SessionMode.REMOTE: _l("비대면")})
MAX_SESSION_MINUTES = 24 * 60


class CoachingSession(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "coaching_sessions"
    __table_args__ = (live_index("ix_coaching_sessions_live_held_on", "held_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date, index=True)
    duration_minutes: Mapped[int] = mapped_column()
    mode: Mapped[SessionMode] = enum_column(SessionMode)
    topic: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str | None] = mapped_column(sa.Text)
    recommendations: Mapped[str | None] = mapped_column(sa.Text)

    company: Mapped[Company] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    action_items: Mapped[list["ActionItem"]] = relationship(back_populates="session",
                                                            order_by="ActionItem.due_on")

    def can_edit(self, user: User) -> bool:
        """Coordinators and admins edit every session; a coach only their own."""
        return user.role is not Role.COACH or user.id == self.coach_id


class ActionItem(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    """A follow-up from a session; owned by a user or by the company itself (owner_user_id empty)."""

    __tablename__ = "action_items"
    __table_args__ = (live_index("ix_action_items_live_open_by_due", "done_on", "due_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("coaching_sessions.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    what: Mapped[str] = mapped_column(sa.String(500))
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    done_on: Mapped[date | None] = mapped_column(sa.Date, index=True)

    session: Mapped[CoachingSession] = relationship(back_populates="action_items")
    company: Mapped[Company] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])

    @property
    def is_open(self) -> bool:
        return self.done_on is None

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_on < (today or seoul_today())
