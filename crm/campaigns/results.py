"""What a participation achieved: metrics (optionally per day), sale sources adding up to a total, the products
it brings to a catalog with their concept and selling point, and content deliverables.

Metrics follow the campaign's kind (METRICS_BY_CAMPAIGN_KIND): a live-commerce campaign takes no 서포터 수.
One value per (kind, day); a value without a day stands for the whole campaign, and the summary prefers it
to the sum of the daily values. 달성률 is computed (모금액 / 목표액), never stored."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from crm.auth.models import User
from crm.campaigns.models import (
    METRICS_BY_CAMPAIGN_KIND,
    MONEY_METRICS,
    Campaign,
    CampaignKind,
    Deliverable,
    DeliverableKind,
    DeliverableStatus,
    Metric,
    MetricKind,
    Participation,
    ParticipationChange,
    ParticipationProduct,
    ParticipationStatus,
    SaleSource,
)
from crm.companies.models import Company, Product
from crm.companies.services import visible_to
from crm.core.errors import RuleError, StaleEditError
from crm.core.filters import korean_date
from crm.core.numbers import whole_number
from crm.core.softdelete import soft_delete
from crm.core.text import blank_to_none
from crm.extensions import db

# A figure above a trillion (won, viewers, …) is a typing mistake, not a result.
MAX_FIGURE = 10**12
SOURCE_NAME_MAX = 100
CATALOG_TEXT_MAX = 2_000
DELIVERABLE_TITLE_MAX = 200
URL_MAX = 500
# Whole-campaign values only: a goal is set once, not per day.
WHOLE_CAMPAIGN_ONLY = frozenset({MetricKind.GOAL_AMOUNT})


# --- numbers ---------------------------------------------------------------------------------------------


def figure(value, *, field: str, what: str | None = None, required: bool = True) -> int | None:
    """A figure (won, viewers, …) from 0 to a trillion."""
    return whole_number(value, field=field, maximum=MAX_FIGURE, what=what, required=required)



# --- metrics ---------------------------------------------------------------------------------------------


def allowed_metric_kinds(campaign: Campaign) -> tuple[MetricKind, ...]:
    return METRICS_BY_CAMPAIGN_KIND.get(campaign.kind, ())


def _metric_kind(campaign: Campaign, kind) -> MetricKind:
    try:
        kind = MetricKind(kind)
    except ValueError:
        raise RuleError(_("알 수 없는 지표입니다."), field="kind") from None
    if kind not in allowed_metric_kinds(campaign):
        raise RuleError(_("%(campaign_kind)s 캠페인에는 %(metric)s 지표를 기록할 수 없습니다.",
                          campaign_kind=campaign.kind.label, metric=kind.label), field="kind")
    return kind


def check_metric_day(campaign: Campaign, kind: MetricKind, on_date: date | None) -> None:
    """A day, if given, lies inside the campaign window (where the campaign has one)."""
    if on_date is None:
        return
    if kind in WHOLE_CAMPAIGN_ONLY:
        raise RuleError(_("%(metric)s은(는) 날짜 없이 캠페인 전체 값으로 입력하세요.", metric=kind.label),
                        field="on_date")
    too_early = campaign.starts_on is not None and on_date < campaign.starts_on
    too_late = campaign.ends_on is not None and on_date > campaign.ends_on
    if too_early or too_late:
        window = f"{korean_date(campaign.starts_on) if campaign.starts_on else ''} ~ " \
                 f"{korean_date(campaign.ends_on) if campaign.ends_on else ''}"
        raise RuleError(_("날짜가 캠페인 기간(%(window)s) 밖입니다.", window=window.strip()), field="on_date")


def set_metric(participation: Participation, kind, value, on_date: date | None = None, *, actor: User) -> Metric:
    """Record a metric for the whole campaign (no day) or one day; setting a (kind, day) again updates it."""
    campaign = participation.campaign
    kind = _metric_kind(campaign, kind)
    value = figure(value, field="value")
    check_metric_day(campaign, kind, on_date)
    day_condition = Metric.on_date.is_(None) if on_date is None else Metric.on_date == on_date
    metric = db.session.scalar(sa.select(Metric).where(Metric.participation_id == participation.id,
                                                       Metric.kind == kind, day_condition))
    if metric is None:
        metric = Metric(participation_id=participation.id, kind=kind, on_date=on_date, value=value)
        db.session.add(metric)
    else:
        metric.value = value
    db.session.flush()
    return metric


def delete_metric(metric: Metric, *, actor: User) -> None:
    db.session.delete(metric)
    db.session.flush()


def achievement_percent(funded: int | None, goal: int | None) -> int | None:
    """달성률 = 모금액 / 목표액 as a whole percent (halves up); none without a goal."""
    if funded is None or not goal:
        return None
    return int((Decimal(funded) * 100 / Decimal(goal)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class MetricTotal:
    kind: MetricKind
    value: int | None
    daily_count: int = 0
    is_whole: bool = False  # the whole-campaign value; otherwise the sum of the daily_count daily values

    @property
    def is_money(self) -> bool:
        return self.kind in MONEY_METRICS


def _combine(whole: dict, daily: dict) -> dict[MetricKind, int]:
    return {kind: whole[kind] if kind in whole else daily[kind] for kind in {*whole, *daily}}


def metric_totals(participation: Participation) -> list[MetricTotal]:
    """One line per allowed kind, from the participation's loaded metrics."""
    whole, daily, counts = {}, defaultdict(int), defaultdict(int)
    for metric in participation.metrics:
        if metric.on_date is None:
            whole[metric.kind] = metric.value
        else:
            daily[metric.kind] += metric.value
            counts[metric.kind] += 1
    values = _combine(whole, daily)
    return [MetricTotal(kind, values.get(kind), counts.get(kind, 0), kind in whole)
            for kind in allowed_metric_kinds(participation.campaign)]


def campaign_metric_totals(campaign: Campaign, participation_ids: list[int]) -> dict[int, dict[MetricKind, int]]:
    """For each participation, the value of each kind: the whole-campaign value, else the sum of the days
    (one statement)."""
    if not participation_ids:
        return {}
    rows = db.session.execute(
        sa.select(Metric.participation_id, Metric.kind, Metric.on_date.is_(None).label("whole"),
                  sa.func.sum(Metric.value))
        .where(Metric.participation_id.in_(participation_ids))
        .group_by(Metric.participation_id, Metric.kind, Metric.on_date.is_(None)))
    whole, daily = defaultdict(dict), defaultdict(dict)
    for participation_id, kind, is_whole, total in rows:
        (whole if is_whole else daily)[participation_id][kind] = int(total)
    return {participation_id: _combine(whole[participation_id], daily[participation_id])
            for participation_id in participation_ids}


def daily_series(participation: Participation, kind: MetricKind) -> list[tuple[date, int]]:
    """The days of one kind, in order, from the participation's loaded metrics."""
    return sorted((metric.on_date, metric.value) for metric in participation.metrics
                  if metric.kind is kind and metric.on_date is not None)


def campaign_daily_series(participation_ids: list[int], kind: MetricKind) -> list[tuple[date, int]]:
    """The sum per day of one kind over the given participations (one statement)."""
    if not participation_ids:
        return []
    rows = db.session.execute(
        sa.select(Metric.on_date, sa.func.sum(Metric.value))
        .where(Metric.participation_id.in_(participation_ids), Metric.kind == kind, Metric.on_date.is_not(None))
        .group_by(Metric.on_date).order_by(Metric.on_date))
    return [(day, int(total)) for day, total in rows]


def chart_kinds(campaign: Campaign) -> tuple[MetricKind, ...]:
    """The daily series a page draws: funding per day, live-commerce payments per day."""
    return {CampaignKind.FUNDING: (MetricKind.FUNDED_AMOUNT, MetricKind.SUPPORTERS),
            CampaignKind.LIVE_COMMERCE: (MetricKind.PAYMENT_AMOUNT, MetricKind.VIEWERS)}.get(campaign.kind, ())


# --- sale sources ----------------------------------------------------------------------------------------


def _source_values(name, amount, quantity) -> dict:
    name = blank_to_none(name)
    if not name:
        raise RuleError(_("판매처를 입력하세요."), field="name")
    if len(name) > SOURCE_NAME_MAX:
        raise RuleError(_("판매처는 %(n)d자 이하입니다.", n=SOURCE_NAME_MAX), field="name")
    return {"name": name, "amount": figure(amount, field="amount", what=_("금액")),
            "quantity": figure(quantity, field="quantity", what=_("수량"),
                                  required=False)}


def add_sale_source(participation: Participation, *, name, amount, quantity=None, actor: User) -> SaleSource:
    source = SaleSource(participation_id=participation.id, **_source_values(name, amount, quantity))
    db.session.add(source)
    db.session.flush()
    return source


def update_sale_source(source: SaleSource, *, name, amount, quantity=None, actor: User) -> SaleSource:
    for key, value in _source_values(name, amount, quantity).items():
        setattr(source, key, value)
    db.session.flush()
    return source


def delete_sale_source(source: SaleSource, *, actor: User) -> None:
    db.session.delete(source)
    db.session.flush()


def sale_source_total(participation: Participation) -> int:
    """From the loaded sources."""
    return sum(source.amount for source in participation.sale_sources)


# --- catalog products ------------------------------------------------------------------------------------


def _catalog_text(value, field: str) -> str | None:
    value = blank_to_none(value)
    if value and len(value) > CATALOG_TEXT_MAX:
        raise RuleError(_("%(n)s자 이하로 입력하세요.", n=f"{CATALOG_TEXT_MAX:,}"), field=field)
    return value


def add_catalog_product(participation: Participation, product_id, concept, selling_point, *,
                        actor: User) -> ParticipationProduct:
    """A product of the participation's own company, once per participation."""
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        raise RuleError(_("상품을 선택하세요."), field="product_id") from None
    product = db.session.scalar(sa.select(Product).where(Product.id == product_id))
    if product is None or product.company_id != participation.company_id:
        raise RuleError(_("이 기업의 상품만 넣을 수 있습니다."), field="product_id")
    taken = db.session.scalar(sa.select(ParticipationProduct.id).where(
        ParticipationProduct.participation_id == participation.id, ParticipationProduct.product_id == product.id))
    if taken is not None:
        raise RuleError(_("이미 넣은 상품입니다."), field="product_id")
    item = ParticipationProduct(participation_id=participation.id, product_id=product.id,
                                concept=_catalog_text(concept, "concept"),
                                selling_point=_catalog_text(selling_point, "selling_point"))
    db.session.add(item)
    db.session.flush()
    return item


def update_catalog_product(item: ParticipationProduct, *, concept, selling_point,
                           actor: User) -> ParticipationProduct:
    item.concept = _catalog_text(concept, "concept")
    item.selling_point = _catalog_text(selling_point, "selling_point")
    db.session.flush()
    return item


def remove_catalog_product(item: ParticipationProduct, *, actor: User) -> None:
    db.session.delete(item)
    db.session.flush()


@dataclass(frozen=True)
class CatalogCounts:
    companies: int
    products: int


def _taking_part(campaign_id: int):
    return (Participation.campaign_id == campaign_id, Participation.status != ParticipationStatus.WITHDRAWN)


def catalog_counts(campaign: Campaign) -> CatalogCounts:
    """Companies taking part (not withdrawn, live) and the live products they bring (two statements)."""
    companies = db.session.scalar(
        sa.select(sa.func.count(Participation.id)).join(Company, Participation.company_id == Company.id)
        .where(*_taking_part(campaign.id), Company.deleted_at.is_(None)))
    products = db.session.scalar(
        sa.select(sa.func.count(ParticipationProduct.id))
        .join(Participation, ParticipationProduct.participation_id == Participation.id)
        .join(Company, Participation.company_id == Company.id)
        .join(Product, ParticipationProduct.product_id == Product.id)
        .where(*_taking_part(campaign.id), Company.deleted_at.is_(None), Product.deleted_at.is_(None)))
    return CatalogCounts(companies or 0, products or 0)


# --- deliverables ----------------------------------------------------------------------------------------


def check_link(url) -> str | None:
    """An http or https address (a `javascript:` link would run in the reader's browser)."""
    url = blank_to_none(url)
    if url is None:
        return None
    if len(url) > URL_MAX:
        raise RuleError(_("주소는 %(n)d자 이하입니다.", n=URL_MAX), field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(char.isspace() for char in url):
        raise RuleError(_("주소는 http:// 또는 https://로 시작해야 합니다."), field="url")
    return url


def _deliverable_values(kind, status, title, url) -> dict:
    try:
        kind = DeliverableKind(kind)
    except ValueError:
        raise RuleError(_("콘텐츠 종류를 선택하세요."), field="kind") from None
    try:
        status = DeliverableStatus(status or DeliverableStatus.PLANNING)
    except ValueError:
        raise RuleError(_("진행 상태를 선택하세요."), field="status") from None
    title = blank_to_none(title)
    if title and len(title) > DELIVERABLE_TITLE_MAX:
        raise RuleError(_("제목은 %(n)d자 이하입니다.", n=DELIVERABLE_TITLE_MAX), field="title")
    return {"kind": kind, "status": status, "title": title, "url": check_link(url)}


def add_deliverable(participation: Participation, *, kind, status=None, title=None, url=None,
                    actor: User) -> Deliverable:
    deliverable = Deliverable(participation_id=participation.id, **_deliverable_values(kind, status, title, url))
    db.session.add(deliverable)
    db.session.flush()
    return deliverable


def update_deliverable(deliverable: Deliverable, *, version: int | None, kind, status, title=None, url=None,
                       actor: User) -> Deliverable:
    """Refused when somebody saved the deliverable since `version` was read."""
    if version is not None and version != deliverable.version:
        raise StaleEditError()
    for key, value in _deliverable_values(kind, status, title, url).items():
        setattr(deliverable, key, value)
    db.session.flush()
    return deliverable


def delete_deliverable(deliverable: Deliverable, *, actor: User) -> None:
    soft_delete(deliverable, actor=actor)
    db.session.flush()


def deliverable_status_counts(campaign: Campaign, user: User) -> dict[DeliverableStatus, int]:
    """Live deliverables of the campaign's participations the user may see, by status (one statement)."""
    stmt = (sa.select(Deliverable.status, sa.func.count(Deliverable.id))
            .join(Participation, Deliverable.participation_id == Participation.id)
            .join(Company, Participation.company_id == Company.id)
            .where(Participation.campaign_id == campaign.id, Deliverable.deleted_at.is_(None),
                   Company.deleted_at.is_(None))
            .group_by(Deliverable.status))
    found = dict(db.session.execute(visible_to(stmt, user)).all())
    return {status: found.get(status, 0) for status in DeliverableStatus}


# --- reading ---------------------------------------------------------------------------------------------


def participation_for(user: User, campaign_id: int, participation_id: int) -> Participation | None:
    """The participation with everything its page shows, if its campaign and company are live and the user
    may see the company; else None (the view answers 404)."""
    stmt = (sa.select(Participation)
            .join(Participation.company).join(Participation.campaign)
            .where(Participation.id == participation_id, Participation.campaign_id == campaign_id)
            .options(contains_eager(Participation.company), contains_eager(Participation.campaign),
                     joinedload(Participation.campaign, Campaign.channel),
                     selectinload(Participation.campaign, Campaign.exclusions),
                     selectinload(Participation.products).joinedload(ParticipationProduct.product),
                     selectinload(Participation.metrics), selectinload(Participation.sale_sources),
                     selectinload(Participation.deliverables)))
    return db.session.scalar(visible_to(stmt, user))


def status_history(participation: Participation) -> list[ParticipationChange]:
    return list(db.session.scalars(
        sa.select(ParticipationChange).where(ParticipationChange.participation_id == participation.id)
        .options(joinedload(ParticipationChange.by))
        .order_by(ParticipationChange.at.desc(), ParticipationChange.id.desc())))


def company_products(participation: Participation) -> list[Product]:
    """The live products of the participation's company, to choose from."""
    return list(db.session.scalars(sa.select(Product).where(Product.company_id == participation.company_id)
                                   .order_by(Product.name, Product.id)))


def participation_url(participation_id: int, campaign_id: int) -> str | None:
    if not has_request_context():
        return None
    return url_for("campaign_results.participation", campaign_id=campaign_id, participation_id=participation_id)
