"""What campaign results add to other pages: the company page (its participations with sales, rates and
deliverables; timeline entries for status changes and completed deliverables) and the campaign page (catalog,
metrics per participant with the daily chart, deliverables by status). Each builds its context in a bounded
number of statements, whatever the number of rows."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from crm.audit.models import AuditAction, AuditLog
from crm.auth.models import COORDINATION, User
from crm.campaigns import results
from crm.campaigns.models import (
    Campaign,
    CampaignKind,
    Deliverable,
    DeliverableStatus,
    MetricKind,
    Participation,
    ParticipationChange,
    ParticipationProduct,
    ParticipationStatus,
)
from crm.campaigns.rates import change_rate
from crm.companies import timeline
from crm.companies.models import Company
from crm.companies.services import visible_to
from crm.extensions import db

METRIC_CAMPAIGNS = frozenset({CampaignKind.LIVE_COMMERCE, CampaignKind.FUNDING})


# --- the company page ------------------------------------------------------------------------------------


def company_section(company: Company, user: User) -> dict:
    """The company's participations in live campaigns, newest campaign first, with their deliverables."""
    participations = list(db.session.scalars(
        sa.select(Participation).join(Participation.campaign).where(Participation.company_id == company.id)
        .options(contains_eager(Participation.campaign), joinedload(Participation.campaign, Campaign.channel),
                 selectinload(Participation.deliverables))
        .order_by(Campaign.starts_on.desc().nulls_last(), Campaign.id.desc())))
    return {"participations": participations, "rates": {p.id: change_rate(p.sales_before, p.sales_after)
                                                        for p in participations}}


def participation_timeline(company: Company, limit: int) -> list[timeline.TimelineEntry]:
    """The company's newest participation status changes (one statement)."""
    stmt = (sa.select(ParticipationChange.participation_id, ParticipationChange.at, ParticipationChange.from_status,
                      ParticipationChange.to_status, ParticipationChange.note, User.name.label("by_name"),
                      Campaign.id.label("campaign_id"), Campaign.name.label("campaign_name"))
            .join(Participation, ParticipationChange.participation_id == Participation.id)
            .join(Campaign, Participation.campaign_id == Campaign.id)
            .outerjoin(User, ParticipationChange.by_id == User.id)
            .where(Participation.company_id == company.id, Campaign.deleted_at.is_(None))
            .order_by(ParticipationChange.at.desc(), ParticipationChange.id.desc()).limit(limit))
    labels = ParticipationStatus.translated_labels()
    entries = []
    for change in db.session.execute(stmt):
        if change.from_status is None:
            title = _("%(campaign)s: %(status)s", campaign=change.campaign_name, status=labels[change.to_status])
        else:
            title = _("%(campaign)s: %(a)s → %(b)s", campaign=change.campaign_name, a=labels[change.from_status],
                      b=labels[change.to_status])
        entries.append(timeline.TimelineEntry(
            at=change.at, kind="participation", title=title, detail=change.note, actor=change.by_name,
            url=results.participation_url(change.participation_id, change.campaign_id)))
    return entries


def _completed_at(rows: list[AuditLog]) -> dict[str, object]:
    """When each deliverable last became 완료, from its audit rows (inserted as done, or moved to done)."""
    done = DeliverableStatus.DONE.value
    completed = {}
    for row in rows:
        changes = row.changes or {}
        status = changes.get("status")
        became_done = (status == done if row.action == AuditAction.INSERT
                       else isinstance(status, list) and len(status) == 2 and status[1] == done)
        if became_done and row.record_id not in completed:
            completed[row.record_id] = row.at
    return completed


def deliverable_timeline(company: Company, limit: int) -> list[timeline.TimelineEntry]:
    """The company's completed deliverables, when they were completed (two statements)."""
    found = db.session.execute(
        sa.select(Deliverable, Campaign.id, Campaign.name)
        .join(Participation, Deliverable.participation_id == Participation.id)
        .join(Campaign, Participation.campaign_id == Campaign.id)
        .where(Participation.company_id == company.id, Deliverable.status == DeliverableStatus.DONE,
               Campaign.deleted_at.is_(None))
        .order_by(Deliverable.updated_at.desc()).limit(limit)).all()
    if not found:
        return []
    audit_rows = list(db.session.scalars(
        sa.select(AuditLog).where(AuditLog.record_type == "Deliverable",
                                  AuditLog.record_id.in_([str(row[0].id) for row in found]))
        .order_by(AuditLog.id.desc())))
    completed = _completed_at(audit_rows)
    entries = []
    for deliverable, campaign_id, campaign_name in found:
        label = deliverable.title or deliverable.kind.label
        entries.append(timeline.TimelineEntry(
            at=completed.get(str(deliverable.id), deliverable.updated_at), kind="deliverable",
            title=_("콘텐츠 완료: %(title)s", title=label),
            detail=f"{campaign_name} · {deliverable.kind.label}",
            url=results.participation_url(deliverable.participation_id, campaign_id)))
    return entries


# --- the campaign page -----------------------------------------------------------------------------------


def _participants(campaign: Campaign, user: User, *options) -> list[Participation]:
    """Participations not withdrawn, of live companies the user may see, by company name."""
    stmt = (sa.select(Participation).join(Participation.company)
            .where(Participation.campaign_id == campaign.id, Participation.status != ParticipationStatus.WITHDRAWN)
            .options(contains_eager(Participation.company), *options)
            .order_by(Company.name, Participation.id))
    return list(db.session.scalars(visible_to(stmt, user)))


def catalog_section(campaign: Campaign, user: User) -> dict:
    if campaign.kind is not CampaignKind.CATALOG:
        return {"applies": False}
    participants = _participants(campaign, user,
                                 selectinload(Participation.products).joinedload(ParticipationProduct.product))
    return {"applies": True, "campaign": campaign, "participants": participants,
            "counts": results.catalog_counts(campaign)}


@dataclass(frozen=True)
class ParticipantMetrics:
    participation: Participation
    values: dict

    @property
    def achievement(self) -> int | None:
        return results.achievement_percent(self.values.get(MetricKind.FUNDED_AMOUNT),
                                           self.values.get(MetricKind.GOAL_AMOUNT))


def metrics_section(campaign: Campaign, user: User) -> dict:
    if campaign.kind not in METRIC_CAMPAIGNS:
        return {"applies": False}
    participants = _participants(campaign, user)
    ids = [participation.id for participation in participants]
    totals = results.campaign_metric_totals(campaign, ids)
    charts = [(kind, results.campaign_daily_series(ids, kind)) for kind in results.chart_kinds(campaign)[:1]]
    return {"applies": True, "campaign": campaign, "kinds": results.allowed_metric_kinds(campaign),
            "rows": [ParticipantMetrics(participation, totals.get(participation.id, {}))
                     for participation in participants],
            "is_funding": campaign.kind is CampaignKind.FUNDING, "charts": charts,
            "can_change": user.role in COORDINATION}


def deliverables_section(campaign: Campaign, user: User) -> dict:
    counts = results.deliverable_status_counts(campaign, user)
    total = sum(counts.values())
    return {"applies": total > 0 or campaign.kind is CampaignKind.CONTENT, "campaign": campaign,
            "counts": counts, "total": total}
