from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit.listener import Audited
from crm.auth.models import Role, User
from crm.companies.pipeline import Stage
from crm.companies.rules import format_business_number
from crm.core.mixins import SoftDeleteMixin, TimestampMixin, VersionedMixin, live_index
from crm.core.time import seoul_date, seoul_today, utcnow
from crm.core.types import LabelledEnum, UtcDateTime, enum_column
from crm.extensions import db


class EnterpriseType(LabelledEnum):
    SOCIAL_ENTERPRISE = "social_enterprise"
    PRE_SOCIAL_ENTERPRISE = "pre_social_enterprise"
    COOPERATIVE = "cooperative"
    SOCIAL_COOPERATIVE = "social_cooperative"
    VILLAGE_ENTERPRISE = "village_enterprise"
    SELF_SUFFICIENCY = "self_sufficiency"
    SOCIAL_VENTURE = "social_venture"
    OTHER = "other"


ENTERPRISE_TYPE_LABELS = EnterpriseType.set_labels({
    EnterpriseType.SOCIAL_ENTERPRISE: _l("사회적기업"),
    EnterpriseType.PRE_SOCIAL_ENTERPRISE: _l("예비사회적기업"),
    EnterpriseType.COOPERATIVE: _l("협동조합"),
    EnterpriseType.SOCIAL_COOPERATIVE: _l("사회적협동조합"),
    EnterpriseType.VILLAGE_ENTERPRISE: _l("마을기업"),
    EnterpriseType.SELF_SUFFICIENCY: _l("자활기업"),
    EnterpriseType.SOCIAL_VENTURE: _l("소셜벤처"),
    EnterpriseType.OTHER: _l("기타"),
})


class Region(db.Model):
    """A 시·도, kept as data; `former_names` (comma-separated) are accepted on input and import."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(20), unique=True)
    former_names: Mapped[str] = mapped_column(sa.String(100), default="")
    sort_order: Mapped[int] = mapped_column(default=0)


class Store(db.Model):
    """Where a product can be listed (e-store36.5 and its successors); a new store is a row, not a migration."""

    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    is_default: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)


def days_since(moment: datetime, today: date | None = None) -> int:
    """Calendar days in Seoul from a moment to today: how long a company has been in its stage."""
    return ((today or seoul_today()) - seoul_date(moment)).days


class Company(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "companies"
    __table_args__ = (
        # Unique among live companies only: a deleted company must not block re-entering its number.
        live_index("uq_companies_business_number_live", "business_number", unique=True),
        live_index("ix_companies_live_name", "name", "id"),
        live_index("ix_companies_live_stage", "stage", "stage_since", "id"),
        # The list filtered by region or coordinator, in its default order by name, without sorting the matches.
        live_index("ix_companies_live_region_name", "region_code", "name", "id"),
        live_index("ix_companies_live_coordinator_name", "coordinator_id", "name", "id"),
    )
    # The funnel columns follow from the stage changes, which the log records (crm.companies.funnel).
    __audit_ignore__ = frozenset({"name_key", "stage_since", "funnel_sourced_at", "funnel_days_to_listing"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    enterprise_type: Mapped[EnterpriseType] = enum_column(EnterpriseType)
    business_number: Mapped[str | None] = mapped_column(sa.String(10))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    industry: Mapped[str | None] = mapped_column(sa.String(100))
    contact_name: Mapped[str | None] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    shop_url: Mapped[str | None] = mapped_column(sa.String(500))
    note: Mapped[str | None] = mapped_column(sa.Text)
    coordinator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    source: Mapped[str | None] = mapped_column(sa.String(200))
    discovered_on: Mapped[date | None] = mapped_column(sa.Date)
    discovered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    stage: Mapped[Stage] = enum_column(Stage, index=True)
    stage_since: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    # The stage a company on hold left, to which it may return.
    held_from: Mapped[Stage | None] = enum_column(Stage)
    # Kept by crm.companies.funnel from the stage changes: the first 발굴 entry, and the days from it to 입점완료.
    funnel_sourced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    funnel_days_to_listing: Mapped[int | None]

    region: Mapped[Region | None] = relationship()
    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    discovered_by: Mapped[User | None] = relationship(foreign_keys=[discovered_by_id])
    aliases: Mapped[list["CompanyAlias"]] = relationship(back_populates="company",
                                                         order_by="CompanyAlias.name")
    coach_links: Mapped[list["CompanyCoach"]] = relationship(back_populates="company",
                                                             cascade="all, delete-orphan")
    certifications: Mapped[list["Certification"]] = relationship(back_populates="company",
                                                                 order_by="Certification.valid_from")
    products: Mapped[list["Product"]] = relationship(back_populates="company",
                                                     order_by="Product.name")

    @property
    def business_number_display(self) -> str:
        return format_business_number(self.business_number)

    @property
    def coaches(self) -> list[User]:
        return [link.coach for link in self.coach_links]

    def days_in_stage(self, today: date | None = None) -> int:
        return days_since(self.stage_since, today)

    def visible_to(self, user) -> bool:
        """Coordinators and admins see every company; a coach only those assigned to them."""
        if user.role is not Role.COACH:
            return True
        return any(link.coach_id == user.id for link in self.coach_links)


class CompanyAlias(Audited, db.Model):
    """A brand or former name under which people know the company."""

    __tablename__ = "company_aliases"
    __audit_ignore__ = frozenset({"name_key"})

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)

    company: Mapped[Company] = relationship(back_populates="aliases")


class CompanyCoach(Audited, db.Model):
    """A coach assigned to a company: what a coach may see follows from these rows."""

    __tablename__ = "company_coaches"
    __table_args__ = (sa.UniqueConstraint("company_id", "coach_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    company: Mapped[Company] = relationship(back_populates="coach_links")
    coach: Mapped[User] = relationship()


class StageChange(Audited, db.Model):
    """One move of a company along the pipeline (its creation included: from_stage is then empty)."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    from_stage: Mapped[Stage | None] = enum_column(Stage)
    to_stage: Mapped[Stage] = enum_column(Stage, index=True)
    is_skip: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

    company: Mapped[Company] = relationship()
    by: Mapped[User | None] = relationship()


class CertificationKind(LabelledEnum):
    SOCIAL_ENTERPRISE = "social_enterprise"
    PRE_REGIONAL = "pre_regional"
    PRE_MINISTRY = "pre_ministry"
    SOCIAL_COOPERATIVE = "social_cooperative"
    VILLAGE_ENTERPRISE = "village_enterprise"
    SELF_SUFFICIENCY = "self_sufficiency"
    SOCIAL_VENTURE = "social_venture"
    OTHER = "other"

    @property
    def is_pre_social_enterprise(self) -> bool:
        return self in (CertificationKind.PRE_REGIONAL, CertificationKind.PRE_MINISTRY)


CERTIFICATION_KIND_LABELS = CertificationKind.set_labels({
    CertificationKind.SOCIAL_ENTERPRISE: _l("사회적기업 인증"),
    CertificationKind.PRE_REGIONAL: _l("예비사회적기업 (지역형)"),
    CertificationKind.PRE_MINISTRY: _l("예비사회적기업 (부처형)"),
    CertificationKind.SOCIAL_COOPERATIVE: _l("사회적협동조합 인가"),
    CertificationKind.VILLAGE_ENTERPRISE: _l("마을기업 지정"),
    CertificationKind.SELF_SUFFICIENCY: _l("자활기업 인정"),
    CertificationKind.SOCIAL_VENTURE: _l("소셜벤처 판별"),
    CertificationKind.OTHER: _l("기타"),
})
EXPIRY_WARNING_DAYS = 90


class Certification(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    kind: Mapped[CertificationKind] = enum_column(CertificationKind)
    number: Mapped[str | None] = mapped_column(sa.String(60))
    issuer: Mapped[str | None] = mapped_column(sa.String(100))
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date, index=True)

    company: Mapped[Company] = relationship(back_populates="certifications")

    def has_ended(self, today: date | None = None) -> bool:
        return self.valid_to is not None and self.valid_to < (today or seoul_today())

    def ends_soon(self, today: date | None = None) -> bool:
        today = today or seoul_today()
        return (self.valid_to is not None and not self.has_ended(today)
                and self.valid_to <= today + timedelta(days=EXPIRY_WARNING_DAYS))


class ListingStatus(LabelledEnum):
    NOT_LISTED = "not_listed"
    APPLIED = "applied"
    IN_REVIEW = "in_review"
    LISTED = "listed"
    REJECTED = "rejected"
    DELISTED = "delisted"


LISTING_STATUS_LABELS = ListingStatus.set_labels({
    ListingStatus.NOT_LISTED: _l("미입점"),
    ListingStatus.APPLIED: _l("입점신청"),
    ListingStatus.IN_REVIEW: _l("심사중"),
    ListingStatus.LISTED: _l("입점"),
    ListingStatus.REJECTED: _l("반려"),
    ListingStatus.DELISTED: _l("퇴점"),
})
# The moves of a product's listing on one store; a rejected or delisted product may apply again.
LISTING_MOVES = {
    ListingStatus.NOT_LISTED: {ListingStatus.APPLIED, ListingStatus.LISTED},
    ListingStatus.APPLIED: {ListingStatus.IN_REVIEW, ListingStatus.LISTED, ListingStatus.REJECTED,
                            ListingStatus.NOT_LISTED},
    ListingStatus.IN_REVIEW: {ListingStatus.LISTED, ListingStatus.REJECTED},
    ListingStatus.LISTED: {ListingStatus.DELISTED},
    ListingStatus.REJECTED: {ListingStatus.APPLIED},
    ListingStatus.DELISTED: {ListingStatus.APPLIED},
}


class Product(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str | None] = mapped_column(sa.String(100))
    price: Mapped[int | None] = mapped_column(sa.BigInteger)

    company: Mapped[Company] = relationship(back_populates="products")
    listings: Mapped[list["ProductListing"]] = relationship(back_populates="product")


class ProductListing(Audited, TimestampMixin, VersionedMixin, db.Model):
    """A product's status on one store."""

    __tablename__ = "product_listings"
    __table_args__ = (sa.UniqueConstraint("product_id", "store_id"),)
    __audit_ignore__ = frozenset({"status_since"})

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    store_id: Mapped[int] = mapped_column(sa.ForeignKey("stores.id"), index=True)
    status: Mapped[ListingStatus] = enum_column(ListingStatus, index=True)
    status_since: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)

    product: Mapped[Product] = relationship(back_populates="listings")
    store: Mapped[Store] = relationship()


class ListingChange(Audited, db.Model):
    __tablename__ = "listing_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("product_listings.id"), index=True)
    from_status: Mapped[ListingStatus | None] = enum_column(ListingStatus)
    to_status: Mapped[ListingStatus] = enum_column(ListingStatus)
    note: Mapped[str | None] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

    listing: Mapped[ProductListing] = relationship()
    by: Mapped[User | None] = relationship()
