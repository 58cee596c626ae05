"""Sales channels, campaigns on them (기획전, 라이브커머스, 펀딩, 카탈로그, …), the companies taking part,
their sales before and after, metrics and content deliverables."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit.listener import Audited
from crm.auth.models import User
from crm.companies.models import Company, Product
from crm.core.mixins import SoftDeleteMixin, TimestampMixin, VersionedMixin
from crm.core.time import utcnow
from crm.core.types import LabelledEnum, UtcDateTime, enum_column
from crm.extensions import db
from crm.programs.models import Program


class ChannelKind(LabelledEnum):
    OPEN_MARKET = "open_market"
    BROADCAST = "broadcast"
    VALUE_PLATFORM = "value_platform"
    CROWDFUNDING = "crowdfunding"
    PUBLIC_OFFLINE = "public_offline"
    OTHER = "other"


CHANNEL_KIND_LABELS = ChannelKind.set_labels({
    ChannelKind.OPEN_MARKET: _l("오픈마켓"), ChannelKind.BROADCAST: _l("방송·홈쇼핑"),
    ChannelKind.VALUE_PLATFORM: _l("가치소비 플랫폼"), ChannelKind.CROWDFUNDING: _l("크라우드펀딩"),
    ChannelKind.PUBLIC_OFFLINE: _l("공공·오프라인"), ChannelKind.OTHER: _l("기타"),
})


class Channel(Audited, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[ChannelKind] = enum_column(ChannelKind)
    url: Mapped[str | None] = mapped_column(sa.String(500))
    note: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class CampaignKind(LabelledEnum):
    EXHIBITION = "exhibition"
    LIVE_COMMERCE = "live_commerce"
    FUNDING = "funding"
    CATALOG = "catalog"
    CONTENT = "content"
    OFFLINE = "offline"


CAMPAIGN_KIND_LABELS = CampaignKind.set_labels({
    CampaignKind.EXHIBITION: _l("기획전"), CampaignKind.LIVE_COMMERCE: _l("라이브커머스"),
    CampaignKind.FUNDING: _l("펀딩"), CampaignKind.CATALOG: _l("카탈로그"),
    CampaignKind.CONTENT: _l("홍보콘텐츠 제작"), CampaignKind.OFFLINE: _l("오프라인 판매"),
})


class CampaignStatus(LabelledEnum):
    PLANNED = "planned"
    RECRUITING = "recruiting"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


CAMPAIGN_STATUS_LABELS = CampaignStatus.set_labels({
    CampaignStatus.PLANNED: _l("준비"), CampaignStatus.RECRUITING: _l("모집중"),
    CampaignStatus.RUNNING: _l("진행중"), CampaignStatus.FINISHED: _l("종료"),
    CampaignStatus.CANCELLED: _l("취소"),
})


class Campaign(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    """A campaign on a channel. `stated_*` are figures as a source printed them, kept beside what the
    participations compute (never replacing it); where no per-company rows exist they are the aggregate."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channels.id"), index=True)
    program_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programs.id"), index=True)
    kind: Mapped[CampaignKind] = enum_column(CampaignKind, index=True)
    status: Mapped[CampaignStatus] = enum_column(CampaignStatus, default=CampaignStatus.PLANNED, index=True)
    # The campaign window (for a funding campaign: the funding period) and the baseline it is compared with.
    starts_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    baseline_starts_on: Mapped[date | None] = mapped_column(sa.Date)
    baseline_ends_on: Mapped[date | None] = mapped_column(sa.Date)
    # A funding campaign's 오픈예정 (pre-open promotion) period.
    preopen_starts_on: Mapped[date | None] = mapped_column(sa.Date)
    preopen_ends_on: Mapped[date | None] = mapped_column(sa.Date)
    description: Mapped[str | None] = mapped_column(sa.Text)
    stated_company_count: Mapped[int | None] = mapped_column()
    stated_product_count: Mapped[int | None] = mapped_column()
    stated_before_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    stated_after_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    stated_change_rate: Mapped[str | None] = mapped_column(sa.String(30))  # as printed: "44%"
    stated_source: Mapped[str | None] = mapped_column(sa.String(200))  # where the stated figures come from

    channel: Mapped[Channel | None] = relationship()
    program: Mapped[Program | None] = relationship()
    exclusions: Mapped[list["CampaignExclusion"]] = relationship(back_populates="campaign",
                                                                 order_by="CampaignExclusion.starts_on",
                                                                 cascade="all, delete-orphan")
    participations: Mapped[list["Participation"]] = relationship(back_populates="campaign",
                                                                 order_by="Participation.id")


class CampaignWindow(LabelledEnum):
    CAMPAIGN = "campaign"
    BASELINE = "baseline"


CAMPAIGN_WINDOW_LABELS = CampaignWindow.set_labels({
    CampaignWindow.CAMPAIGN: _l("기획전 기간"), CampaignWindow.BASELINE: _l("비교 기간"),
})


class CampaignExclusion(Audited, db.Model):
    """Days left out of a window (the report left the 추석 holiday 9/16–9/21 out of its after window)."""

    __tablename__ = "campaign_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    window: Mapped[CampaignWindow] = enum_column(CampaignWindow)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str | None] = mapped_column(sa.String(200))

    campaign: Mapped[Campaign] = relationship(back_populates="exclusions")


class ParticipationStatus(LabelledEnum):
    APPLIED = "applied"
    SELECTED = "selected"
    PARTICIPATING = "participating"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


PARTICIPATION_STATUS_LABELS = ParticipationStatus.set_labels({
    ParticipationStatus.APPLIED: _l("신청"), ParticipationStatus.SELECTED: _l("선정"),
    ParticipationStatus.PARTICIPATING: _l("참여중"), ParticipationStatus.COMPLETED: _l("완료"),
    ParticipationStatus.WITHDRAWN: _l("철회"),
})


class Participation(Audited, TimestampMixin, VersionedMixin, db.Model):
    """A company in a campaign, its sales before and after (whole won) and the rate a source printed."""

    __tablename__ = "participations"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    status: Mapped[ParticipationStatus] = enum_column(ParticipationStatus, default=ParticipationStatus.APPLIED,
                                                      index=True)
    sales_before: Mapped[int | None] = mapped_column(sa.BigInteger)
    sales_after: Mapped[int | None] = mapped_column(sa.BigInteger)
    stated_change_rate: Mapped[str | None] = mapped_column(sa.String(30))  # as printed: "1,098%", "신규매출발생"
    note: Mapped[str | None] = mapped_column(sa.Text)

    campaign: Mapped[Campaign] = relationship(back_populates="participations")
    company: Mapped[Company] = relationship()
    products: Mapped[list["ParticipationProduct"]] = relationship(back_populates="participation",
                                                                  order_by="ParticipationProduct.id",
                                                                  cascade="all, delete-orphan")
    metrics: Mapped[list["Metric"]] = relationship(back_populates="participation",
                                                   order_by="(Metric.on_date, Metric.kind)")
    sale_sources: Mapped[list["SaleSource"]] = relationship(back_populates="participation",
                                                            order_by="SaleSource.id")
    deliverables: Mapped[list["Deliverable"]] = relationship(back_populates="participation",
                                                             order_by="Deliverable.id")


class ParticipationChange(Audited, db.Model):
    """The history of a participation's status, as users read it."""

    __tablename__ = "participation_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    from_status: Mapped[ParticipationStatus | None] = enum_column(ParticipationStatus)
    to_status: Mapped[ParticipationStatus] = enum_column(ParticipationStatus)
    note: Mapped[str | None] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

    participation: Mapped[Participation] = relationship()
    by: Mapped[User | None] = relationship()


class ParticipationProduct(Audited, db.Model):
    """A product a company brings to a campaign; in a catalog, with its concept and selling point."""

    __tablename__ = "participation_products"
    __table_args__ = (sa.UniqueConstraint("participation_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    concept: Mapped[str | None] = mapped_column(sa.Text)
    selling_point: Mapped[str | None] = mapped_column(sa.Text)

    participation: Mapped[Participation] = relationship(back_populates="products")
    product: Mapped[Product] = relationship()


class MetricKind(LabelledEnum):
    PAYMENT_AMOUNT = "payment_amount"
    VIEWERS = "viewers"
    HEARTS = "hearts"
    PAID_ITEMS = "paid_items"
    CANCELLED_ITEMS = "cancelled_items"
    PRODUCT_VIEWS = "product_views"
    SUPPORTERS = "supporters"
    FUNDED_AMOUNT = "funded_amount"
    GOAL_AMOUNT = "goal_amount"


METRIC_KIND_LABELS = MetricKind.set_labels({
    MetricKind.PAYMENT_AMOUNT: _l("결제금액"), MetricKind.VIEWERS: _l("시청자수"), MetricKind.HEARTS: _l("하트수"),
    MetricKind.PAID_ITEMS: _l("결제 상품수"), MetricKind.CANCELLED_ITEMS: _l("취소 상품수"),
    MetricKind.PRODUCT_VIEWS: _l("상품조회수"), MetricKind.SUPPORTERS: _l("서포터 수"),
    MetricKind.FUNDED_AMOUNT: _l("모금액"), MetricKind.GOAL_AMOUNT: _l("목표액"),
})

# Which metrics a campaign of each kind records; anything else is refused as a metric of the wrong kind.
METRICS_BY_CAMPAIGN_KIND = {
    CampaignKind.LIVE_COMMERCE: (MetricKind.PAYMENT_AMOUNT, MetricKind.VIEWERS, MetricKind.HEARTS,
                                 MetricKind.PAID_ITEMS, MetricKind.CANCELLED_ITEMS, MetricKind.PRODUCT_VIEWS),
    CampaignKind.FUNDING: (MetricKind.SUPPORTERS, MetricKind.FUNDED_AMOUNT, MetricKind.GOAL_AMOUNT),
}
MONEY_METRICS = frozenset({MetricKind.PAYMENT_AMOUNT, MetricKind.FUNDED_AMOUNT, MetricKind.GOAL_AMOUNT})


class Metric(Audited, TimestampMixin, db.Model):
    """One figure of a participation: for the whole campaign (no day) or for one day of it."""

    __tablename__ = "metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    kind: Mapped[MetricKind] = enum_column(MetricKind)
    on_date: Mapped[date | None] = mapped_column(sa.Date)
    value: Mapped[int] = mapped_column(sa.BigInteger)

    participation: Mapped[Participation] = relationship(back_populates="metrics")


class SaleSource(Audited, TimestampMixin, db.Model):
    """Where a participation's sales came from (네이버 스토어, 구글 설문, 자체 발주 …); they add up to a total."""

    __tablename__ = "sale_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    quantity: Mapped[int | None] = mapped_column()
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    participation: Mapped[Participation] = relationship(back_populates="sale_sources")


class DeliverableKind(LabelledEnum):
    VIDEO = "video"
    DETAIL_PAGE = "detail_page"
    ILLUSTRATION = "illustration"
    GIF = "gif"
    BANNER = "banner"
    MAKER_STORY = "maker_story"


DELIVERABLE_KIND_LABELS = DeliverableKind.set_labels({
    DeliverableKind.VIDEO: _l("홍보영상"), DeliverableKind.DETAIL_PAGE: _l("상세페이지"),
    DeliverableKind.ILLUSTRATION: _l("일러스트"), DeliverableKind.GIF: _l("GIF"), DeliverableKind.BANNER: _l("배너"),
    DeliverableKind.MAKER_STORY: _l("메이커 스토리"),
})


class DeliverableStatus(LabelledEnum):
    PLANNING = "planning"
    IN_PRODUCTION = "in_production"
    REVIEW = "review"
    DONE = "done"


DELIVERABLE_STATUS_LABELS = DeliverableStatus.set_labels({
    DeliverableStatus.PLANNING: _l("기획"), DeliverableStatus.IN_PRODUCTION: _l("제작중"),
    DeliverableStatus.REVIEW: _l("검수"), DeliverableStatus.DONE: _l("완료"),
})


class Deliverable(Audited, SoftDeleteMixin, TimestampMixin, VersionedMixin, db.Model):
    """A piece of content made for a participation (홍보영상, 상세페이지, …)."""

    __tablename__ = "deliverables"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(sa.ForeignKey("participations.id"), index=True)
    kind: Mapped[DeliverableKind] = enum_column(DeliverableKind)
    status: Mapped[DeliverableStatus] = enum_column(DeliverableStatus, default=DeliverableStatus.PLANNING)
    title: Mapped[str | None] = mapped_column(sa.String(200))
    url: Mapped[str | None] = mapped_column(sa.String(500))

    participation: Mapped[Participation] = relationship(back_populates="deliverables")

    # The company it was made for, as the trash and company checks ask of anything of a company.
    @property
    def company_id(self) -> int:
        return self.participation.company_id

    @property
    def company(self) -> Company:
        return self.participation.company
