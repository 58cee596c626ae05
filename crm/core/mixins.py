"""Columns most domain models share: timestamps, soft delete, optimistic-lock version."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from crm.core.time import utcnow
from crm.core.types import UtcDateTime


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps `version`; edit forms carry it."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


LIVE_ROWS = "deleted_at IS NULL"


def live_index(name: str, *columns: str, unique: bool = False) -> sa.Index:
    """An index of the rows not soft-deleted: lists read only those, in this order, without sorting the table."""
    return sa.Index(name, *columns, unique=unique, sqlite_where=sa.text(LIVE_ROWS),
                    postgresql_where=sa.text(LIVE_ROWS))


class SoftDeleteMixin:
    """Deleting hides the row; the global criterion in crm.core.softdelete leaves it out of queries."""

    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)

    @declared_attr
    def deleted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"), default=None)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
