"""Programmes (the report's sub-projects), 26-week cohorts, enrollments and weekly progress reports."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit.listener import Audited
from crm.auth.models import User
from crm.companies.models import Company
from crm.core.mixins import SoftDeleteMixin, TimestampMixin, VersionedMixin
from crm.core.time import SEOUL, as_utc, utcnow
from crm.core.types import LabelledEnum, UtcDateTime, enum_column
from crm.extensions import db

DEFAULT_WEEKS = 26


class Program(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    """One sub-project of a year (지역·업종별 공동판로개척, 홍보콘텐츠, …); the result report covers a year."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    sort_order: Mapped[int] = mapped_column(default=0)  # the report numbers its sub-projects ① to ⑤
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text)  # the summary table's 비고
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    cohorts: Mapped[list["Cohort"]] = relationship(back_populates="program", order_by="Cohort.start_on")


class Cohort(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    start_on: Mapped[date] = mapped_column(sa.Date, index=True)
    weeks: Mapped[int] = mapped_column(default=DEFAULT_WEEKS)
    note: Mapped[str | None] = mapped_column(sa.Text)

    program: Mapped[Program] = relationship(back_populates="cohorts")
    stages: Mapped[list["CohortStage"]] = relationship(back_populates="cohort", order_by="CohortStage.first_week",
                                                       cascade="all, delete-orphan")
    indicators: Mapped[list["Indicator"]] = relationship(back_populates="cohort", order_by="Indicator.sort_order",
                                                         cascade="all, delete-orphan")
    enrollments: Mapped[list["Enrollment"]] = relationship(back_populates="cohort", order_by="Enrollment.id")

    @property
    def end_on(self) -> date:
        return self.week_end_on(self.weeks)

    def week_start_on(self, week: int) -> date:
        return self.start_on + timedelta(days=7 * (week - 1))

    def week_end_on(self, week: int) -> date:
        return self.start_on + timedelta(days=7 * week - 1)

    def week_due_at(self, week: int) -> datetime:
        """The end of the week's last day in Seoul, as a UTC instant: a report not in by then is overdue."""
        next_day = self.week_end_on(week) + timedelta(days=1)
        return as_utc(datetime(next_day.year, next_day.month, next_day.day, tzinfo=SEOUL))

    def week_of(self, day: date) -> int | None:
        """The programme week a Seoul day falls in, or None before the start and after the last week."""
        week = (day - self.start_on).days // 7 + 1
        return week if 1 <= week <= self.weeks else None

    def stage_of_week(self, week: int) -> "CohortStage | None":
        return next((stage for stage in self.stages if stage.first_week <= week <= stage.last_week), None)


class CohortStage(Audited, db.Model):
    """A stage of a cohort (e.g. 준비, 실행, 확산): its weeks, inclusive; a cohort's stages cover 1..N."""

    __tablename__ = "cohort_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    first_week: Mapped[int] = mapped_column()
    last_week: Mapped[int] = mapped_column()

    cohort: Mapped[Cohort] = relationship(back_populates="stages")


class Indicator(Audited, db.Model):
    """A goal indicator of a cohort (라이브커머스 횟수, 매출액, 신규 판로 수) with a target per stage."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    unit: Mapped[str] = mapped_column(sa.String(20))
    sort_order: Mapped[int] = mapped_column(default=0)

    cohort: Mapped[Cohort] = relationship(back_populates="indicators")
    targets: Mapped[list["IndicatorTarget"]] = relationship(back_populates="indicator",
                                                            cascade="all, delete-orphan")


class IndicatorTarget(Audited, db.Model):
    """The cumulative value of an indicator expected by the last week of a stage."""

    __tablename__ = "indicator_targets"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "stage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id"), index=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort_stages.id"), index=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")
    stage: Mapped[CohortStage] = relationship()


class EnrollmentStatus(LabelledEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DROPPED = "dropped"


ENROLLMENT_STATUS_LABELS = EnrollmentStatus.set_labels({
    EnrollmentStatus.ACTIVE: _l("참여중"), EnrollmentStatus.COMPLETED: _l("완료"),
    EnrollmentStatus.DROPPED: _l("중도포기"),
})


class FinalReportStatus(LabelledEnum):
    NOT_SUBMITTED = "not_submitted"
    SUBMITTED = "submitted"
    REVISION_REQUESTED = "revision_requested"
    REVIEWED = "reviewed"


FINAL_REPORT_STATUS_LABELS = FinalReportStatus.set_labels({
    FinalReportStatus.NOT_SUBMITTED: _l("미제출"), FinalReportStatus.SUBMITTED: _l("제출"),
    FinalReportStatus.REVISION_REQUESTED: _l("보완요청"), FinalReportStatus.REVIEWED: _l("검토완료"),
})


class SettlementStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    SUBMITTED = "submitted"
    REVISION_REQUESTED = "revision_requested"
    SETTLED = "settled"


SETTLEMENT_STATUS_LABELS = SettlementStatus.set_labels({
    SettlementStatus.NOT_STARTED: _l("미정산"), SettlementStatus.SUBMITTED: _l("정산 제출"),
    SettlementStatus.REVISION_REQUESTED: _l("보완요청"), SettlementStatus.SETTLED: _l("정산완료"),
})


class Enrollment(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    """A company in a cohort, with its project, support budget, final report and settlement."""

    __tablename__ = "enrollments"
    __table_args__ = (
        # A company is in a cohort once among live enrollments; a deleted one must not block enrolling again.
        sa.Index("uq_enrollments_cohort_company_live", "cohort_id", "company_id", unique=True,
                 sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    project_title: Mapped[str] = mapped_column(sa.String(200))
    budget: Mapped[int | None] = mapped_column(sa.BigInteger)  # 지원금, whole won
    status: Mapped[EnrollmentStatus] = enum_column(EnrollmentStatus, default=EnrollmentStatus.ACTIVE, index=True)
    final_report_status: Mapped[FinalReportStatus] = enum_column(FinalReportStatus,
                                                                 default=FinalReportStatus.NOT_SUBMITTED)
    final_report_submitted_on: Mapped[date | None] = mapped_column(sa.Date)
    final_report_comment: Mapped[str | None] = mapped_column(sa.Text)
    settlement_status: Mapped[SettlementStatus] = enum_column(SettlementStatus, default=SettlementStatus.NOT_STARTED)
    settlement_amount: Mapped[int | None] = mapped_column(sa.BigInteger)  # spent, whole won
    settlement_comment: Mapped[str | None] = mapped_column(sa.Text)

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    company: Mapped[Company] = relationship()
    reports: Mapped[list["WeeklyReport"]] = relationship(back_populates="enrollment", order_by="WeeklyReport.week")


class ReportStatus(LabelledEnum):
    """How the company itself sees its week."""

    ON_TRACK = "on_track"
    CAUTION = "caution"
    DELAYED = "delayed"


REPORT_STATUS_LABELS = ReportStatus.set_labels({
    ReportStatus.ON_TRACK: _l("순조"), ReportStatus.CAUTION: _l("주의"), ReportStatus.DELAYED: _l("지연"),
})


class WeeklyReport(Audited, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "weekly_reports"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "week"),
        # The reports waiting for review, longest waiting first, in index order (the dashboards' list).
        sa.Index("ix_weekly_reports_waiting_for_review", "reviewed_at", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"), index=True)
    week: Mapped[int] = mapped_column()
    work_done: Mapped[str] = mapped_column(sa.Text)
    next_plan: Mapped[str | None] = mapped_column(sa.Text)
    difficulties: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[ReportStatus] = enum_column(ReportStatus)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    # A staff member, or empty when the company sent it through its link (submitted_via_link_id says which).
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_via_link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("submission_links.id"))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    enrollment: Mapped[Enrollment] = relationship(back_populates="reports")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    values: Mapped[list["IndicatorValue"]] = relationship(back_populates="report", cascade="all, delete-orphan")
    comments: Mapped[list["ReportComment"]] = relationship(back_populates="report",
                                                           order_by="ReportComment.created_at")

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def submitted_by_company(self) -> bool:
        return self.submitted_via_link_id is not None


class IndicatorValue(Audited, db.Model):
    """The value of an indicator achieved in one week (the cumulative value is the sum up to a week)."""

    __tablename__ = "indicator_values"
    __table_args__ = (sa.UniqueConstraint("report_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("weekly_reports.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id"), index=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)

    report: Mapped[WeeklyReport] = relationship(back_populates="values")
    indicator: Mapped[Indicator] = relationship()


class ReportComment(Audited, TimestampMixin, db.Model):
    """A remark on a weekly report by a coach of the company or by staff; the review is separate."""

    __tablename__ = "report_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("weekly_reports.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)

    report: Mapped[WeeklyReport] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class SubmissionLink(Audited, db.Model):
    """A company's secret link to submit its weekly reports. The URL carries a signed token naming this row
    and a random secret of which only the SHA-256 is kept, so the URL is shown once and cannot be shown again."""

    __tablename__ = "submission_links"
    __audit_redact__ = frozenset({"secret_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    enrollment: Mapped[Enrollment] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def is_active(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (now or utcnow()) < self.expires_at
