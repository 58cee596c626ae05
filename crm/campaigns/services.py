"""Channels, campaigns, the companies taking part and their sales before and after.

Participation status moves follow one table (`ALLOWED_MOVES`):
- applied → selected → participating → completed, the way a campaign runs;
- any status but completed and withdrawn → withdrawn (a company drops out or is not selected);
- withdrawn → applied, to reinstate a company withdrawn by mistake;
- selected → applied, to undo a selection before the campaign starts.
Completed is final: a company that took part has its sales recorded and stays in the table.

The sales table (the report's slide 18) has a row per company that took part — selected, participating or
completed; applicants and withdrawn companies have no sales to compare. Its totals are sums of the rows; a
figure a source printed is kept beside them and flagged where it disagrees, never put in their place.
"""
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from crm.auth.models import User
from crm.campaigns.models import (
    Campaign,
    CampaignExclusion,
    CampaignKind,
    CampaignStatus,
    CampaignWindow,
    Channel,
    ChannelKind,
    Deliverable,
    Metric,
    Participation,
    ParticipationChange,
    ParticipationProduct,
    ParticipationStatus,
    SaleSource,
)
from crm.campaigns.rates import (
    NEW_SALES_LABEL,
    ChangeRate,
    change_rate,
    stated_figure_disagrees,
    stated_rate_disagrees,
)
from crm.companies.models import Company, Product
from crm.core.errors import RuleError, StaleEditError
from crm.core.filters import korean_date
from crm.core.numbers import whole_number
from crm.core.softdelete import including_deleted, soft_delete
from crm.core.text import blank_to_none
from crm.core.time import utcnow
from crm.extensions import db
from crm.programs.models import Program

NAME_MAX = 200
CHANNEL_NAME_MAX = 100
URL_MAX = 500
REASON_MAX = 200
SOURCE_MAX = 200
TEXT_MAX = 20_000
# Above these a figure is a typing mistake: a hundred trillion won, a million companies or products.
MAX_WON = 100_000_000_000_000
MAX_COUNT = 1_000_000
EXCLUSIONS_FIELD = "exclusions"
SALES_ROWS_FIELD = "rows"
# A rate as a source prints it: 44%, 1,098%, -87% (spaces ignored), or 신규매출발생.
_PRINTED_RATE = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%")

P = ParticipationStatus
ALLOWED_MOVES: dict[ParticipationStatus, frozenset[ParticipationStatus]] = {
    P.APPLIED: frozenset({P.SELECTED, P.WITHDRAWN}),
    P.SELECTED: frozenset({P.PARTICIPATING, P.APPLIED, P.WITHDRAWN}),
    P.PARTICIPATING: frozenset({P.COMPLETED, P.WITHDRAWN}),
    P.COMPLETED: frozenset(),
    P.WITHDRAWN: frozenset({P.APPLIED}),
}
# The companies that took part: they have a row in the sales table.
TAKING_PART = (P.SELECTED, P.PARTICIPATING, P.COMPLETED)


# --- numbers and printed figures as users type them -----------------------------------------------------------


def parse_whole_number(value, *, field: str, maximum: int = MAX_WON, what: str | None = None) -> int | None:
    """A sum of won (or a count, with `what`) ≥ 0; blank is None."""
    return whole_number(value, field=field, maximum=maximum, what=what or _("금액"))


def clean_printed_rate(value: str | None, *, field: str) -> str | None:
    """A change rate as a source printed it: a percent (44%, 1,098%, -87%) or 신규매출발생; kept as typed."""
    text = blank_to_none(value)
    if text is None:
        return None
    if text != NEW_SALES_LABEL and not _PRINTED_RATE.fullmatch("".join(text.split())):
        raise RuleError(_("변화율은 44%처럼 백분율로 쓰거나 ‘신규매출발생’으로 쓰세요."), field=field)
    if len(text) > 30:
        raise RuleError(_("변화율은 30자 이하입니다."), field=field)
    return text


def _clean_text(value: str | None, field: str, maximum: int, *, required_message: str | None = None) -> str | None:
    text = blank_to_none(value)
    if text is None and required_message:
        raise RuleError(required_message, field=field)
    if text is not None and len(text) > maximum:
        raise RuleError(_("%(n)s자 이하로 입력하세요.", n=f"{maximum:,}"), field=field)
    return text


def _clean_link(value: str | None) -> str | None:
    """A web address a page links to: only http(s), never javascript: or data:."""
    link = _clean_text(value, "url", URL_MAX)
    if link and not link.lower().startswith(("http://", "https://")):
        raise RuleError(_("주소는 http:// 또는 https://로 시작해야 합니다."), field="url")
    return link


def _enum(enum_class, value, field: str, message: str):
    try:
        return enum_class(value)
    except ValueError:
        raise RuleError(message, field=field) from None



# --- channels ---------------------------------------------------------------------------------------------------


@dataclass
class ChannelFields:
    name: str | None
    kind: ChannelKind | str | None
    url: str | None = None
    note: str | None = None
    active: bool = True


def _channel_values(fields: ChannelFields, channel: Channel | None = None) -> dict:
    name = _clean_text(fields.name, "name", CHANNEL_NAME_MAX, required_message=_("채널 이름을 입력하세요."))
    taken = sa.select(Channel.id).where(sa.func.lower(Channel.name) == name.lower())
    if channel is not None:
        taken = taken.where(Channel.id != channel.id)
    if db.session.scalar(taken) is not None:
        raise RuleError(_("‘%(name)s’ 채널이 이미 있습니다.", name=name), field="name")
    return {
        "name": name,
        "kind": _enum(ChannelKind, fields.kind, "kind", _("채널 유형을 선택하세요.")),
        "url": _clean_link(fields.url),
        "note": _clean_text(fields.note, "note", TEXT_MAX),
        "active": bool(fields.active),
    }


def create_channel(fields: ChannelFields, *, actor: User) -> Channel:
    """A channel with a name no other channel has (letter case ignored)."""
    values = _channel_values(fields)
    last = db.session.scalar(sa.select(sa.func.max(Channel.sort_order))) or 0
    channel = Channel(**values, sort_order=last + 1)
    db.session.add(channel)
    db.session.flush()
    return channel


def update_channel(channel: Channel, fields: ChannelFields, *, version: int | None, actor: User) -> Channel:
    if version is not None and version != channel.version:
        raise StaleEditError()
    for key, value in _channel_values(fields, channel).items():
        setattr(channel, key, value)
    db.session.flush()
    return channel


def channels_with_counts() -> list[tuple[Channel, int]]:
    """Every channel in the report's order, with how many live campaigns it has, in one statement."""
    counts = (sa.select(Campaign.channel_id, sa.func.count(Campaign.id).label("n"))
              .where(Campaign.deleted_at.is_(None)).group_by(Campaign.channel_id).subquery())
    stmt = (sa.select(Channel, sa.func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.channel_id == Channel.id).order_by(Channel.sort_order, Channel.name))
    return [(channel, count) for channel, count in db.session.execute(stmt)]


def channel_choices() -> list[Channel]:
    return list(db.session.scalars(sa.select(Channel).order_by(Channel.sort_order, Channel.name)))


def program_choices() -> list[Program]:
    return list(db.session.scalars(sa.select(Program).order_by(Program.year.desc(), Program.sort_order,
                                                               Program.name)))


# --- campaigns --------------------------------------------------------------------------------------------------


@dataclass
class ExclusionFields:
    """One excluded date range of a window (a row of the campaign form)."""

    window: CampaignWindow | str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    reason: str | None = None

    @property
    def is_blank(self) -> bool:
        return self.starts_on is None and self.ends_on is None and not blank_to_none(self.reason)


@dataclass
class CampaignFields:
    name: str | None
    kind: CampaignKind | str | None
    status: CampaignStatus | str | None = CampaignStatus.PLANNED
    channel_id: int | None = None
    program_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    baseline_starts_on: date | None = None
    baseline_ends_on: date | None = None
    preopen_starts_on: date | None = None
    preopen_ends_on: date | None = None
    description: str | None = None
    stated_company_count: int | str | None = None
    stated_product_count: int | str | None = None
    stated_before_total: int | str | None = None
    stated_after_total: int | str | None = None
    stated_change_rate: str | None = None
    stated_source: str | None = None
    exclusions: list[ExclusionFields] = field(default_factory=list)


def _check_window(starts_on: date | None, ends_on: date | None, *, start_field: str, end_field: str,
                  both_or_neither: bool) -> None:
    if both_or_neither and (starts_on is None) != (ends_on is None):
        missing = start_field if starts_on is None else end_field
        raise RuleError(_("시작일과 종료일을 함께 입력하거나 둘 다 비우세요."), field=missing)
    if ends_on is not None and starts_on is None:
        raise RuleError(_("시작일을 입력하세요."), field=start_field)
    if starts_on and ends_on and ends_on < starts_on:
        raise RuleError(_("종료일이 시작일보다 빠릅니다."), field=end_field)


def _windows(fields: CampaignFields) -> dict[CampaignWindow, tuple[date | None, date | None]]:
    return {CampaignWindow.CAMPAIGN: (fields.starts_on, fields.ends_on),
            CampaignWindow.BASELINE: (fields.baseline_starts_on, fields.baseline_ends_on)}


def _checked_exclusions(fields: CampaignFields) -> list[tuple[CampaignWindow, date, date, str | None]]:
    """The rows that say something; each inside its window and not reversed. Field names are the form's."""
    windows = _windows(fields)
    checked = []
    for index, row in enumerate(fields.exclusions or ()):
        if row.is_blank:
            continue
        prefix = f"{EXCLUSIONS_FIELD}-{index}-"
        window = _enum(CampaignWindow, row.window, prefix + "window", _("제외 기간이 속한 기간을 선택하세요."))
        if row.starts_on is None:
            raise RuleError(_("제외 시작일을 입력하세요."), field=prefix + "starts_on")
        if row.ends_on is None:
            raise RuleError(_("제외 종료일을 입력하세요."), field=prefix + "ends_on")
        if row.ends_on < row.starts_on:
            raise RuleError(_("종료일이 시작일보다 빠릅니다."), field=prefix + "ends_on")
        window_start, window_end = windows[window]
        if window_start is None or window_end is None:
            raise RuleError(_("%(window)s의 시작일과 종료일을 먼저 입력하세요.", window=window.label),
                            field=prefix + "window")
        if row.starts_on < window_start or row.ends_on > window_end:
            raise RuleError(_("제외 기간은 %(window)s(%(start)s~%(end)s) 안에 있어야 합니다.", window=window.label,
                              start=korean_date(window_start), end=korean_date(window_end)), field=prefix + "starts_on")
        reason = _clean_text(row.reason, prefix + "reason", REASON_MAX)
        checked.append((window, row.starts_on, row.ends_on, reason))
    return checked


def _campaign_values(fields: CampaignFields) -> dict:
    kind = _enum(CampaignKind, fields.kind, "kind", _("캠페인 유형을 선택하세요."))
    _check_window(fields.starts_on, fields.ends_on, start_field="starts_on", end_field="ends_on",
                  both_or_neither=False)
    _check_window(fields.baseline_starts_on, fields.baseline_ends_on, start_field="baseline_starts_on",
                  end_field="baseline_ends_on", both_or_neither=True)
    has_preopen = fields.preopen_starts_on is not None or fields.preopen_ends_on is not None
    if has_preopen:
        if kind is not CampaignKind.FUNDING:
            raise RuleError(_("오픈예정 기간은 펀딩 캠페인에만 입력합니다."), field="preopen_starts_on")
        _check_window(fields.preopen_starts_on, fields.preopen_ends_on, start_field="preopen_starts_on",
                      end_field="preopen_ends_on", both_or_neither=True)
        if fields.starts_on is not None and fields.preopen_ends_on > fields.starts_on:
            raise RuleError(_("오픈예정은 펀딩 시작일(%(day)s)까지 끝나야 합니다.", day=korean_date(fields.starts_on)),
                            field="preopen_ends_on")
    if fields.channel_id is not None and db.session.get(Channel, fields.channel_id) is None:
        raise RuleError(_("채널을 다시 선택하세요."), field="channel_id")
    if fields.program_id is not None and db.session.scalar(
            sa.select(Program.id).where(Program.id == fields.program_id)) is None:
        raise RuleError(_("사업을 다시 선택하세요."), field="program_id")
    return {
        "name": _clean_text(fields.name, "name", NAME_MAX, required_message=_("캠페인 이름을 입력하세요.")),
        "kind": kind,
        "status": _enum(CampaignStatus, fields.status or CampaignStatus.PLANNED, "status", _("상태를 선택하세요.")),
        "channel_id": fields.channel_id,
        "program_id": fields.program_id,
        "starts_on": fields.starts_on,
        "ends_on": fields.ends_on,
        "baseline_starts_on": fields.baseline_starts_on,
        "baseline_ends_on": fields.baseline_ends_on,
        "preopen_starts_on": fields.preopen_starts_on,
        "preopen_ends_on": fields.preopen_ends_on,
        "description": _clean_text(fields.description, "description", TEXT_MAX),
        "stated_company_count": parse_whole_number(fields.stated_company_count, field="stated_company_count",
                                                   maximum=MAX_COUNT, what=_("업체 수")),
        "stated_product_count": parse_whole_number(fields.stated_product_count, field="stated_product_count",
                                                   maximum=MAX_COUNT, what=_("제품 수")),
        "stated_before_total": parse_whole_number(fields.stated_before_total, field="stated_before_total"),
        "stated_after_total": parse_whole_number(fields.stated_after_total, field="stated_after_total"),
        "stated_change_rate": clean_printed_rate(fields.stated_change_rate, field="stated_change_rate"),
        "stated_source": _clean_text(fields.stated_source, "stated_source", SOURCE_MAX),
    }


def create_campaign(fields: CampaignFields, *, actor: User) -> Campaign:
    """A campaign with its windows and excluded ranges (each inside its window), checked before anything is
    stored."""
    values = _campaign_values(fields)
    exclusions = _checked_exclusions(fields)
    campaign = Campaign(**values)
    db.session.add(campaign)
    db.session.flush()
    for window, starts_on, ends_on, reason in exclusions:
        db.session.add(CampaignExclusion(campaign_id=campaign.id, window=window, starts_on=starts_on,
                                         ends_on=ends_on, reason=reason))
    db.session.flush()
    return campaign


def update_campaign(campaign: Campaign, fields: CampaignFields, *, version: int | None, actor: User) -> Campaign:
    """Change a campaign and its excluded ranges in one save; refused when somebody saved it since `version`."""
    if version is not None and version != campaign.version:
        raise StaleEditError()
    values = _campaign_values(fields)
    wanted = _checked_exclusions(fields)
    # Unchanged ranges stay as they are, so the audit log shows only what changed.
    current = {(row.window, row.starts_on, row.ends_on, row.reason): row for row in campaign.exclusions}
    kept = set()
    ranges_changed = False
    for key in wanted:
        if key in current and key not in kept:
            kept.add(key)
        else:
            window, starts_on, ends_on, reason = key
            campaign.exclusions.append(CampaignExclusion(window=window, starts_on=starts_on, ends_on=ends_on,
                                                         reason=reason))
            ranges_changed = True
    for key, row in current.items():
        if key not in kept:
            campaign.exclusions.remove(row)
            ranges_changed = True
    for key, value in values.items():
        setattr(campaign, key, value)
    if ranges_changed:
        # The campaign's version guards the whole form: a change to its ranges alone bumps it too.
        campaign.updated_at = utcnow()
    db.session.flush()
    return campaign


def delete_campaign(campaign: Campaign, *, actor: User) -> None:
    """Hide the campaign; its participations stay, reachable again when an admin restores it."""
    soft_delete(campaign, actor=actor)
    db.session.flush()


def campaign_or_none(campaign_id: int, *, with_detail: bool = False) -> Campaign | None:
    """A live campaign with its channel, programme and ranges; `with_detail` adds the participations with the
    name and business number of their company (all the participations export shows of it)."""
    options = [joinedload(Campaign.channel), joinedload(Campaign.program), selectinload(Campaign.exclusions)]
    if with_detail:
        options.append(selectinload(Campaign.participations).joinedload(Participation.company)
                       .load_only(Company.name, Company.business_number))
    return db.session.scalar(sa.select(Campaign).where(Campaign.id == campaign_id).options(*options))


# --- the list ---------------------------------------------------------------------------------------------------


def campaign_list_statement(*, channel_id: int | None = None, program_id: int | None = None,
                            kind: CampaignKind | str | None = None, status: CampaignStatus | str | None = None,
                            year: int | None = None, q: str | None = None) -> sa.Select:
    """Live campaigns matching every filter, newest first, with channel and programme. A campaign belongs to the
    year it starts in, or, without a start date, to its programme's year."""
    stmt = sa.select(Campaign).options(joinedload(Campaign.channel), joinedload(Campaign.program))
    conditions = []
    if channel_id:
        conditions.append(Campaign.channel_id == channel_id)
    if program_id:
        conditions.append(Campaign.program_id == program_id)
    if kind:
        conditions.append(Campaign.kind == CampaignKind(kind))
    if status:
        conditions.append(Campaign.status == CampaignStatus(status))
    if year:
        programmes_of_year = sa.select(Program.id).where(Program.year == year)
        conditions.append(sa.or_(Campaign.starts_on.between(date(year, 1, 1), date(year, 12, 31)),
                                 sa.and_(Campaign.starts_on.is_(None), Campaign.program_id.in_(programmes_of_year))))
    if q := blank_to_none(q):
        conditions.append(Campaign.name.contains(q, autoescape=True))
    return stmt.where(*conditions).order_by(Campaign.starts_on.desc().nulls_last(), Campaign.id.desc())


def campaign_years() -> list[int]:
    """The years the list can filter by: those campaigns start in and those of programmes, newest first."""
    started = sa.select(sa.extract("year", Campaign.starts_on).label("year")).where(Campaign.starts_on.is_not(None))
    years = sa.union(started, sa.select(Program.year.label("year"))).subquery()
    return sorted({int(year) for year in db.session.scalars(sa.select(years.c.year)) if year is not None},
                  reverse=True)


@dataclass(frozen=True)
class CampaignFigures:
    """What the records say of a campaign: companies taking part, applicants and the after-sales sum."""

    participants: int = 0
    applicants: int = 0
    sales_after: int | None = None


def campaign_figures(campaign_ids) -> dict[int, CampaignFigures]:
    """Figures of many campaigns in one statement (for a list page)."""
    ids = list(campaign_ids)
    if not ids:
        return {}
    taking_part = Participation.status.in_(TAKING_PART)
    stmt = (sa.select(Participation.campaign_id,
                      sa.func.count(Participation.id).filter(taking_part),
                      sa.func.count(Participation.id).filter(Participation.status == P.APPLIED),
                      sa.func.sum(Participation.sales_after).filter(taking_part))
            .where(Participation.campaign_id.in_(ids)).group_by(Participation.campaign_id))
    return {campaign_id: CampaignFigures(participants, applicants, after)
            for campaign_id, participants, applicants, after in db.session.execute(stmt)}


def program_section_context(program: Program, user: User) -> dict:
    """The programme page's list of its campaigns with their figures, in two statements."""
    campaigns = list(db.session.scalars(campaign_list_statement(program_id=program.id)))
    return {"campaigns": campaigns, "figures": campaign_figures(campaign.id for campaign in campaigns)}


# --- participations ---------------------------------------------------------------------------------------------


def move_participation(participation: Participation, to: ParticipationStatus | str, *, note: str | None = None,
                       actor: User | None) -> ParticipationChange:
    """Move a participation along the status table, recording the move."""
    to = _enum(ParticipationStatus, to, "to_status", _("옮길 상태를 선택하세요."))
    current = participation.status
    if to not in ALLOWED_MOVES[current]:
        raise RuleError(_("‘%(a)s’에서 ‘%(b)s’(으)로 옮길 수 없습니다.", a=current.label, b=to.label),
                        field="to_status")
    change = ParticipationChange(participation_id=participation.id, from_status=current, to_status=to,
                                 note=_clean_text(note, "note", TEXT_MAX), by_id=actor.id if actor else None)
    participation.status = to
    db.session.add(change)
    db.session.flush()
    return change


def add_participations(campaign: Campaign, company_ids, *, status: ParticipationStatus = P.APPLIED,
                       actor: User | None) -> list[Participation]:
    """Add companies to a campaign, all or none: a deleted company, or one already in the campaign, is refused
    by name."""
    wanted = list(dict.fromkeys(int(company_id) for company_id in company_ids or ()))
    if not wanted:
        raise RuleError(_("추가할 기업을 선택하세요."), field="company_ids")
    companies = {company.id: company for company in db.session.scalars(
        including_deleted(sa.select(Company).where(Company.id.in_(wanted))))}
    for company_id in wanted:
        company = companies.get(company_id)
        if company is None:
            raise RuleError(_("기업을 찾을 수 없습니다 (번호 %(id)s).", id=company_id), field="company_ids")
        if company.is_deleted:
            raise RuleError(_("삭제된 기업 ‘%(name)s’은(는) 추가할 수 없습니다.", name=company.name),
                            field="company_ids")
    already = db.session.scalars(sa.select(Participation.company_id).where(
        Participation.campaign_id == campaign.id, Participation.company_id.in_(wanted))).all()
    if already:
        names = ", ".join(companies[company_id].name for company_id in sorted(already))
        raise RuleError(_("이미 이 캠페인에 있는 기업입니다: %(names)s", names=names), field="company_ids")
    status = ParticipationStatus(status)
    added = []
    for company_id in wanted:
        participation = Participation(campaign_id=campaign.id, company_id=company_id, status=status)
        db.session.add(participation)
        added.append(participation)
    db.session.flush()
    for participation in added:
        db.session.add(ParticipationChange(participation_id=participation.id, from_status=None, to_status=status,
                                           by_id=actor.id if actor else None))
    db.session.flush()
    return added


def select_applicants(campaign: Campaign, selected_ids, *, reject_others: bool = False,
                      actor: User | None) -> list[Participation]:
    """Select some applicants as a batch (해피빈: 40 applied, 10 selected); with `reject_others` the applicants
    not chosen are withdrawn, noted as not selected."""
    applicants = {participation.id: participation for participation in db.session.scalars(
        sa.select(Participation).where(Participation.campaign_id == campaign.id, Participation.status == P.APPLIED)
        .options(joinedload(Participation.company)))}
    chosen = list(dict.fromkeys(int(participation_id) for participation_id in selected_ids or ()))
    if not chosen:
        raise RuleError(_("선정할 신청 기업을 고르세요."), field="participation_ids")
    if any(participation_id not in applicants for participation_id in chosen):
        raise RuleError(_("신청 상태인 이 캠페인의 기업만 선정할 수 있습니다."), field="participation_ids")
    for participation_id in chosen:
        move_participation(applicants[participation_id], P.SELECTED, note=None, actor=actor)
    if reject_others:
        for participation_id, participation in applicants.items():
            if participation_id not in chosen:
                move_participation(participation, P.WITHDRAWN, note=_("미선정"), actor=actor)
    return [applicants[participation_id] for participation_id in chosen]


def participation_of(campaign: Campaign, participation_id: int) -> Participation | None:
    return db.session.scalar(sa.select(Participation).where(Participation.id == participation_id,
                                                            Participation.campaign_id == campaign.id)
                             .options(joinedload(Participation.company)))


def company_ids_in(campaign: Campaign) -> set[int]:
    """The companies already in the campaign, whatever their status (a company is in a campaign once)."""
    return set(db.session.scalars(sa.select(Participation.company_id).where(Participation.campaign_id == campaign.id)))


def participants_by_status(campaign: Campaign) -> dict[ParticipationStatus, list[sa.Row]]:
    """The campaign's participations of live companies grouped by status, in the table's order, companies by
    name: rows of `id` and `company_name`, all the page's table and selection show (one statement)."""
    groups = {status: [] for status in ParticipationStatus}
    rows = db.session.execute(
        sa.select(Participation.id, Participation.status, Company.name.label("company_name"))
        .join(Participation.company).where(Participation.campaign_id == campaign.id)
        .order_by(Company.name, Participation.id))
    for row in rows:
        groups[row.status].append(row)
    return groups


# --- sales ------------------------------------------------------------------------------------------------------


@dataclass
class SalesRowFields:
    """One row of the sales form: a participation's figures and the version the form was opened on."""

    participation_id: int | None
    sales_before: int | str | None = None
    sales_after: int | str | None = None
    stated_change_rate: str | None = None
    version: int | None = None


def clean_sales_figures(sales_before, sales_after, stated_change_rate, *, prefix: str = "") -> dict:
    """A row's figures as the sales form and the import give them; each field named `prefix` + its name."""
    return {
        "sales_before": parse_whole_number(sales_before, field=prefix + "sales_before", what=_("이전 매출")),
        "sales_after": parse_whole_number(sales_after, field=prefix + "sales_after", what=_("이후 매출")),
        "stated_change_rate": clean_printed_rate(stated_change_rate, field=prefix + "stated_change_rate"),
    }


def sales_participations(campaign: Campaign) -> list[Participation]:
    """The companies that took part in the campaign, by id (the order they were added), with their company."""
    return list(db.session.scalars(
        sa.select(Participation).where(Participation.campaign_id == campaign.id,
                                       Participation.status.in_(TAKING_PART))
        .options(joinedload(Participation.company)).order_by(Participation.id)))


def update_sales(campaign: Campaign, rows, *, actor: User | None) -> list[Participation]:
    """Save every row of the sales form or none: a row somebody saved since the form was opened is a stale edit;
    a negative, fractional or absurd figure is refused beside the row's field."""
    participations = {participation.id: participation for participation in sales_participations(campaign)}
    checked = []
    for index, row in enumerate(rows):
        prefix = f"{SALES_ROWS_FIELD}-{index}-"
        participation = participations.get(row.participation_id)
        if participation is None:
            raise RuleError(_("이 캠페인에 참여한 기업의 행이 아닙니다. 새로 고친 뒤 다시 입력하세요."))
        if row.version is not None and row.version != participation.version:
            raise StaleEditError(_("‘%(name)s’의 매출을 다른 사용자가 먼저 저장했습니다. 최신 내용을 확인한 뒤 다시 "
                                   "저장하세요.", name=participation.company.name))
        checked.append((participation, clean_sales_figures(row.sales_before, row.sales_after,
                                                           row.stated_change_rate, prefix=prefix)))
    for participation, values in checked:
        for key, value in values.items():
            setattr(participation, key, value)
    db.session.flush()
    return [participation for participation, _values in checked]


@dataclass(frozen=True)
class SalesRow:
    participation: Participation
    before: int | None
    after: int | None
    rate: ChangeRate
    stated_rate: str | None
    rate_disagrees: bool

    @property
    def company(self) -> Company:
        return self.participation.company


@dataclass(frozen=True)
class StatedFigure:
    """A figure a source printed, beside the one the records give."""

    stated: object
    computed: object
    disagrees: bool


@dataclass(frozen=True)
class SalesTable:
    rows: list[SalesRow]
    before_total: int | None
    after_total: int | None
    # None when some row has only one of its two figures: a rate of unlike sums would mislead.
    rate: ChangeRate | None
    company_count: StatedFigure
    stated_before_total: StatedFigure
    stated_after_total: StatedFigure
    stated_rate: StatedFigure

    @property
    def has_figures(self) -> bool:
        return any(row.before is not None or row.after is not None for row in self.rows)

    @property
    def is_aggregate(self) -> bool:
        """No per-company figures, only what a source stated for the whole campaign (shown as 집계)."""
        return not self.has_figures and any(figure.stated is not None for figure in (
            self.company_count, self.stated_before_total, self.stated_after_total, self.stated_rate))

    @property
    def has_disagreement(self) -> bool:
        return any(row.rate_disagrees for row in self.rows) or any(figure.disagrees for figure in (
            self.company_count, self.stated_before_total, self.stated_after_total, self.stated_rate))


def _sum(values: list[int | None]) -> int | None:
    given = [value for value in values if value is not None]
    return sum(given) if given else None


def sales_table(campaign: Campaign, participations: list[Participation] | None = None) -> SalesTable:
    """The report's slide-18 table from the records: a row per company that took part, the totals as sums of
    the rows, the total rate from the totals; each stated figure beside what the records give, flagged where
    they disagree. `participations` may be the campaign's loaded ones (any status)."""
    if participations is None:
        participations = sales_participations(campaign)
    rows = []
    for participation in sorted((p for p in participations if p.status in TAKING_PART), key=lambda p: p.id):
        rate = change_rate(participation.sales_before, participation.sales_after)
        rows.append(SalesRow(participation, participation.sales_before, participation.sales_after, rate,
                             participation.stated_change_rate,
                             stated_rate_disagrees(participation.stated_change_rate, rate)
                             and participation.sales_before is not None and participation.sales_after is not None))
    before_total = _sum([row.before for row in rows])
    after_total = _sum([row.after for row in rows])
    complete = all((row.before is None) == (row.after is None) for row in rows)
    rate = change_rate(before_total, after_total) if complete and before_total is not None else None
    has_rows = bool(rows)
    return SalesTable(
        rows=rows, before_total=before_total, after_total=after_total, rate=rate,
        company_count=StatedFigure(campaign.stated_company_count, len(rows) if has_rows else None,
                                   has_rows and stated_figure_disagrees(campaign.stated_company_count, len(rows))),
        stated_before_total=StatedFigure(campaign.stated_before_total, before_total,
                                         stated_figure_disagrees(campaign.stated_before_total, before_total)),
        stated_after_total=StatedFigure(campaign.stated_after_total, after_total,
                                        stated_figure_disagrees(campaign.stated_after_total, after_total)),
        stated_rate=StatedFigure(campaign.stated_change_rate, rate,
                                 rate is not None and stated_rate_disagrees(campaign.stated_change_rate, rate)),
    )


# --- merging and purging companies ------------------------------------------------------------------------------


def move_participations(survivor: Company, absorbed: Company, actor) -> None:
    """Merge handler: the absorbed company's participations go to the survivor; refused when both companies
    are in one campaign (whose figures would win is for a person to decide)."""
    absorbed_rows = list(db.session.scalars(sa.select(Participation).where(Participation.company_id == absorbed.id)
                                            .order_by(Participation.id)))
    if not absorbed_rows:
        return
    shared = db.session.scalars(including_deleted(
        sa.select(Campaign.name).join(Participation, Participation.campaign_id == Campaign.id)
        .where(Participation.company_id == survivor.id,
               Participation.campaign_id.in_([row.campaign_id for row in absorbed_rows]))
        .order_by(Campaign.name))).all()
    if shared:
        raise RuleError(_("두 기업이 같은 캠페인에 참여하고 있어 병합할 수 없습니다: %(names)s. 한쪽 참여를 먼저 "
                          "정리하세요.", names=", ".join(shared)), field="other_id")
    for participation in absorbed_rows:
        participation.company_id = survivor.id
    db.session.flush()


def _delete_all(rows) -> None:
    for row in rows:
        db.session.delete(row)


def _purge_participations(stmt: sa.Select) -> None:
    ids = list(db.session.scalars(stmt))
    if not ids:
        return
    for model in (ParticipationChange, ParticipationProduct, Metric, SaleSource):
        _delete_all(db.session.scalars(sa.select(model).where(model.participation_id.in_(ids))))
    _delete_all(db.session.scalars(including_deleted(sa.select(Deliverable)
                                                     .where(Deliverable.participation_id.in_(ids)))))
    db.session.flush()
    _delete_all(db.session.scalars(sa.select(Participation).where(Participation.id.in_(ids))))
    db.session.flush()


def describe_campaign(campaign: Campaign) -> str:
    """What the trash shows of a deleted campaign."""
    return f"{campaign.name} ({campaign.kind.label})"


def describe_deliverable(deliverable: Deliverable) -> str:
    return f"{deliverable.kind.label} {deliverable.title or ''}".strip()


def purge_campaign_records(record, actor) -> None:
    """Purge handler. A company's (or a campaign's) participations go, with their history, products, metrics,
    sale sources and deliverables; a product leaves the campaigns it was in; a programme's campaigns stay,
    without the programme. Each row changes through the ORM so the audit log keeps it."""
    if isinstance(record, Company):
        _purge_participations(sa.select(Participation.id).where(Participation.company_id == record.id))
    elif isinstance(record, Campaign):
        _purge_participations(sa.select(Participation.id).where(Participation.campaign_id == record.id))
    elif isinstance(record, Product):
        _delete_all(db.session.scalars(sa.select(ParticipationProduct).where(ParticipationProduct.product_id
                                                                             == record.id)))
        db.session.flush()
    elif isinstance(record, Program):
        for campaign in db.session.scalars(including_deleted(sa.select(Campaign)
                                                             .where(Campaign.program_id == record.id))):
            campaign.program_id = None
        db.session.flush()
