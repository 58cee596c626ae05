"""What the coordinator's and the admin's dashboards show: the funnel, open action items, running campaigns and the
latest stage and listing changes. Each part is a fixed number of statements whatever the number of rows."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.auth.models import User
from crm.campaigns.models import Campaign, CampaignStatus
from crm.campaigns.services import CampaignFigures, campaign_figures
from crm.coaching.actions import action_list_statement
from crm.coaching.models import ActionItem
from crm.companies import history
from crm.companies.models import Company, ListingChange, StageChange
from crm.companies.pipeline import Stage
from crm.core.cache import cached
from crm.core.pagination import count_rows
from crm.core.time import seoul_today
from crm.extensions import db

ITEM_LIMIT = 5
CAMPAIGN_LIMIT = 10
CHANGE_LIMIT = 10


def funnel_counts(coordinator: User | None = None) -> dict[Stage, int]:
    """Live companies per pipeline stage (every stage, zero included) in one statement; with `coordinator`,
    only the companies assigned to them."""
    def count() -> dict[Stage, int]:
        stmt = sa.select(Company.stage, sa.func.count(Company.id)).group_by(Company.stage)
        if coordinator is not None:
            stmt = stmt.where(Company.coordinator_id == coordinator.id)
        counts = dict.fromkeys(Stage, 0)
        counts.update({stage: count for stage, count in db.session.execute(stmt)})
        return counts

    return cached(("dashboard_funnel", coordinator.id if coordinator is not None else None), count)


@dataclass
class OpenItems:
    count: int
    first: list[ActionItem]
    today: date


def open_items(user: User, today: date | None = None) -> OpenItems:
    """The open action items the user sees on /actions/: how many (kept until data changes) and the most urgent
    few."""
    today = today or seoul_today()
    items = action_list_statement(user, today=today)
    count = cached(("open_item_count", user.id, today), lambda: count_rows(items))
    first = list(db.session.scalars(items.limit(ITEM_LIMIT))) if count else []
    return OpenItems(count=count, first=first, today=today)


@dataclass
class RunningCampaign:
    campaign: Campaign
    figures: CampaignFigures

    @property
    def sales_total(self) -> int | None:
        """The after-sales sum of the participations, or the stated aggregate where no row has one."""
        if self.figures.sales_after is not None:
            return self.figures.sales_after
        return self.campaign.stated_after_total

    @property
    def is_stated(self) -> bool:
        return self.figures.sales_after is None and self.campaign.stated_after_total is not None


def running_campaigns(today: date | None = None, limit: int = CAMPAIGN_LIMIT) -> list[RunningCampaign]:
    """Campaigns marked running, or not cancelled and with a window that contains today, the latest start
    first, with their figures (two statements)."""
    today = today or seoul_today()
    in_window = sa.and_(Campaign.status != CampaignStatus.CANCELLED,
                        Campaign.starts_on <= today, Campaign.ends_on >= today)
    campaigns = list(db.session.scalars(
        sa.select(Campaign).where(sa.or_(Campaign.status == CampaignStatus.RUNNING, in_window))
        .options(joinedload(Campaign.channel))
        .order_by(Campaign.starts_on.desc().nulls_last(), Campaign.id.desc()).limit(limit)))
    figures = campaign_figures(campaign.id for campaign in campaigns)
    return [RunningCampaign(campaign, figures.get(campaign.id, CampaignFigures())) for campaign in campaigns]


def latest_stage_changes(limit: int = CHANGE_LIMIT) -> list[StageChange]:
    """Newest first with the company and who made it (deleted companies too: the admin audits them)."""
    return list(db.session.scalars(history.stage_changes_statement().limit(limit)))


def latest_listing_changes(limit: int = CHANGE_LIMIT) -> list[ListingChange]:
    return list(db.session.scalars(history.listing_changes_statement().limit(limit)))
