from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit.listener import Audited
from crm.auth.models import User
from crm.campaigns.models import Campaign
from crm.core.time import utcnow
from crm.core.types import LabelledEnum, UtcDateTime, enum_column
from crm.extensions import db
from crm.programs.models import Cohort


class ImportKind(LabelledEnum):
    COMPANIES = "companies"
    PRODUCTS = "products"
    PARTICIPATIONS = "participations"
    WEEKLY_REPORTS = "weekly_reports"
    COACHING_SESSIONS = "coaching_sessions"


IMPORT_KIND_LABELS = ImportKind.set_labels({
    ImportKind.COMPANIES: _l("기업"),
    ImportKind.PRODUCTS: _l("상품"),
    ImportKind.PARTICIPATIONS: _l("캠페인 참여기업과 매출"),
    ImportKind.WEEKLY_REPORTS: _l("주간 업무 보고"),
    ImportKind.COACHING_SESSIONS: _l("코칭 기록"),
})
# What a coach may import: sessions of the companies assigned to them, nothing else.
COACH_KINDS = frozenset({ImportKind.COACHING_SESSIONS})


class ImportStatus(LabelledEnum):
    PREVIEW = "preview"
    APPLIED = "applied"
    UNDONE = "undone"
    EXPIRED = "expired"


IMPORT_STATUS_LABELS = ImportStatus.set_labels({
    ImportStatus.PREVIEW: _l("미리보기"),
    ImportStatus.APPLIED: _l("적용됨"),
    ImportStatus.UNDONE: _l("되돌림"),
    ImportStatus.EXPIRED: _l("만료됨"),
})


class RowMatch(LabelledEnum):
    """Whether a row adds a record or matches an existing one (updated or skipped as the batch says)."""

    NEW = "new"
    UPDATE = "update"


ROW_MATCH_LABELS = RowMatch.set_labels({
    RowMatch.NEW: _l("새로 등록"),
    RowMatch.UPDATE: _l("기존 기록 수정"),
})


class ImportBatch(Audited, db.Model):
    """One uploaded file, kept parsed in the database between preview and apply (any worker may continue it)."""

    __tablename__ = "import_batches"
    __audit_ignore__ = frozenset({"column_mapping", "headers"})

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = enum_column(ImportKind)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[ImportStatus] = enum_column(ImportStatus, index=True)
    # The file's header cells, in order, and for each the field it feeds (or null: not imported).
    headers: Mapped[list] = mapped_column(sa.JSON)
    column_mapping: Mapped[list] = mapped_column(sa.JSON)
    # Existing records matched by a row: update them (each row may still be skipped), or leave them all.
    update_existing: Mapped[bool] = mapped_column(default=True)
    # The campaign or cohort the rows belong to, for the kinds whose rows do not name one.
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"))
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"))
    row_count: Mapped[int] = mapped_column(default=0)
    problem_row_count: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    applied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    applied_by: Mapped[User | None] = relationship(foreign_keys=[applied_by_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])
    campaign: Mapped[Campaign | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()


class ImportRow(db.Model):
    """One data line of an upload: its cells as read, what checking found, and what applying will do.

    Not audited: the rows are the upload itself; what applying them changes is audited under the batch."""

    __tablename__ = "import_rows"
    __table_args__ = (sa.UniqueConstraint("batch_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batches.id", ondelete="CASCADE"))
    line: Mapped[int]
    cells: Mapped[list] = mapped_column(sa.JSON)
    # [{"column": header or None, "message": Korean reason}, ...]; empty when the row is fine.
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    has_problems: Mapped[bool] = mapped_column(default=False)
    # What checking resolved that applying needs (a company's stage, a product's company id).
    resolved: Mapped[dict | None] = mapped_column(sa.JSON)
    match: Mapped[RowMatch] = enum_column(RowMatch)
    target_id: Mapped[int | None]
    # The user chose to leave the existing record this row matches as it is.
    skip: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
