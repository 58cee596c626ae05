"""The result report (결과 보고) of one year: every programme of the year, computed from the records.

What each part counts, where the design leaves a choice:
- 지원 기업 (companies supported) of a programme: distinct live companies with a live enrollment in one of its
  cohorts or a participation that is not withdrawn in one of its campaigns. A campaign with no per-company rows
  but a stated company count (롯데온: 259) is listed beside that number as 집계, never added into it.
- 매출 (sales) per campaign: the sum of the after-sales of its rows where rows carry figures, else the stated
  after total (집계). A stated total that disagrees with the rows is shown beside them and in the data-quality
  section.
- 맞춤형 코칭 (coaching cases): the coaching sessions held in the year, counted by company. They belong to the
  year, not to one programme: a session names no programme, and a coached company need not be enrolled (the
  2021 report coached 아주건강한속삭임, a brand whose owner it does not name, beside its 7 cohort companies).
- The sourcing funnel of the year, from the pipeline's StageChange rows dated that year (Asia/Seoul): a company
  has reached 발굴 with any move into the funnel, 입점안내 with a move to 입점안내 or a later stage (a skip counts),
  입점 with a move to 입점완료; products listed are those with a ListingChange to 입점 that year, on any store.
- Data quality: stated figures that disagree with the records (the sales tables' flags); the year's companies
  (enrolled, taking part, or moved along the pipeline that year) with missing fields; likely duplicates among
  all live companies (the same name key — the rule of `duplicate_candidates` — as a name or an alias).

The statement count does not grow with the number of companies or participations: lists are loaded with
selectinload and counted with GROUP BY; only the number of cohorts and funding campaigns of the year adds a few.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from crm.campaigns.models import (
    Campaign,
    CampaignKind,
    MetricKind,
    Participation,
    ParticipationProduct,
    ParticipationStatus,
)
from crm.campaigns.results import achievement_percent, campaign_daily_series, campaign_metric_totals
from crm.campaigns.services import SalesTable, sales_table
from crm.coaching.models import CoachingSession
from crm.companies.models import (
    Company,
    CompanyAlias,
    EnterpriseType,
    ListingChange,
    ListingStatus,
    Product,
    ProductListing,
    StageChange,
)
from crm.companies.pipeline import FUNNEL, Stage
from crm.core.cache import cached
from crm.core.errors import RuleError
from crm.core.filters import won
from crm.core.pagination import count_rows
from crm.core.time import SEOUL, as_utc, seoul_today
from crm.extensions import db
from crm.programs.models import Cohort, Enrollment, Indicator, Program
from crm.programs.progress import Grid, cohort_grids

FIRST_YEAR = 2000
LAST_YEAR = 2100
GUIDED_OR_LATER = FUNNEL[FUNNEL.index(Stage.GUIDED):]


def parse_year(value: str | None) -> int | None:
    """The `year` parameter: None when absent; a year from 2000 to 2100, else a RuleError (the view's 422)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise RuleError(_("연도는 %(first)d부터 %(last)d 사이의 숫자로 입력하세요.", first=FIRST_YEAR, last=LAST_YEAR),
                        field="year")
    return int(text)


def report_years() -> list[int]:
    """The years that have programmes, latest first."""
    return list(db.session.scalars(sa.select(Program.year).distinct().order_by(Program.year.desc())))


def default_year(years: list[int]) -> int:
    """The latest year with programmes; this year (Seoul) when there are none."""
    return years[0] if years else seoul_today().year


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year as UTC instants [start, end) of Seoul's calendar year."""
    return (as_utc(datetime(year, 1, 1, tzinfo=SEOUL)), as_utc(datetime(year + 1, 1, 1, tzinfo=SEOUL)))


# --- campaigns ----------------------------------------------------------------------------------------------


@dataclass
class FundingResult:
    """A funding campaign's figures (슬라이드 25: 일별 펀딩 현황): totals over its participations and per day."""

    funded: int | None
    goal: int | None
    supporters: int | None
    days: list[tuple[date, int]]

    @property
    def achievement(self) -> int | None:
        return achievement_percent(self.funded, self.goal)


@dataclass
class CampaignResult:
    campaign: Campaign
    table: SalesTable
    company_count: int  # participations not withdrawn, of live companies
    product_count: int  # the products those participations bring
    funding: FundingResult | None = None

    @property
    def has_rows(self) -> bool:
        return self.company_count > 0

    @property
    def sales(self) -> int | None:
        """The after-sales of the rows where they carry figures, else the stated after total."""
        return self.table.after_total if self.table.has_figures else self.campaign.stated_after_total

    @property
    def sales_is_stated(self) -> bool:
        return not self.table.has_figures and self.campaign.stated_after_total is not None

    @property
    def stated_companies_only(self) -> int | None:
        """A stated company count of a campaign without rows (shown as 집계)."""
        return self.campaign.stated_company_count if not self.has_rows else None

    @property
    def stated_products_only(self) -> int | None:
        return self.campaign.stated_product_count if not self.product_count else None


def _year_campaigns(program_ids: list[int]) -> list[Campaign]:
    """The year's campaigns with their participations; of each company only what the report shows (its name):
    a year's thousands of whole company rows cost tens of MB in every worker."""
    if not program_ids:
        return []
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.program_id.in_(program_ids))
        .options(joinedload(Campaign.channel), selectinload(Campaign.exclusions),
                 selectinload(Campaign.participations).joinedload(Participation.company)
                 .load_only(Company.id, Company.name))
        .order_by(Campaign.program_id, Campaign.starts_on.is_(None), Campaign.starts_on, Campaign.id)))


def _participation_counts(campaign_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{campaign id: (companies taking part, their products)} for participations not withdrawn (two statements
    whatever the number of campaigns)."""
    if not campaign_ids:
        return {}
    taking_part = (Participation.campaign_id.in_(campaign_ids),
                   Participation.status != ParticipationStatus.WITHDRAWN)
    companies = dict(db.session.execute(
        sa.select(Participation.campaign_id, sa.func.count(Participation.id))
        .join(Company, Participation.company_id == Company.id)
        .where(*taking_part).group_by(Participation.campaign_id)).all())
    products = dict(db.session.execute(
        sa.select(Participation.campaign_id, sa.func.count(ParticipationProduct.id))
        .join(ParticipationProduct, ParticipationProduct.participation_id == Participation.id)
        .join(Company, Participation.company_id == Company.id)
        .join(Product, ParticipationProduct.product_id == Product.id)
        .where(*taking_part).group_by(Participation.campaign_id)).all())
    return {campaign_id: (companies.get(campaign_id, 0), products.get(campaign_id, 0))
            for campaign_id in campaign_ids}


def _funding_result(campaign: Campaign) -> FundingResult:
    ids = [participation.id for participation in campaign.participations
           if participation.status is not ParticipationStatus.WITHDRAWN]
    totals = campaign_metric_totals(campaign, ids) if ids else {}

    def total(kind: MetricKind) -> int | None:
        values = [by_kind[kind] for by_kind in totals.values() if kind in by_kind]
        return sum(values) if values else None

    return FundingResult(funded=total(MetricKind.FUNDED_AMOUNT), goal=total(MetricKind.GOAL_AMOUNT),
                         supporters=total(MetricKind.SUPPORTERS),
                         days=campaign_daily_series(ids, MetricKind.FUNDED_AMOUNT))


def campaign_results(campaigns: list[Campaign]) -> list[CampaignResult]:
    counts = _participation_counts([campaign.id for campaign in campaigns])
    results = []
    for campaign in campaigns:
        companies, products = counts.get(campaign.id, (0, 0))
        results.append(CampaignResult(
            campaign=campaign, table=sales_table(campaign, campaign.participations), company_count=companies,
            product_count=products,
            funding=_funding_result(campaign) if campaign.kind is CampaignKind.FUNDING else None))
    return results


# --- programmes ---------------------------------------------------------------------------------------------


@dataclass
class ProgramResult:
    program: Program
    company_count: int
    grids: list[Grid] = field(default_factory=list)
    campaigns: list[CampaignResult] = field(default_factory=list)

    @property
    def stated_company_counts(self) -> list[CampaignResult]:
        """Campaigns known only by a stated company count (집계), kept apart from the computed count."""
        return [result for result in self.campaigns if result.stated_companies_only is not None]

    @property
    def sales(self) -> list[CampaignResult]:
        return [result for result in self.campaigns if result.sales is not None]


def _supported_companies(program_ids: list[int]):
    """(programme id, company id) of live enrollments and of participations not withdrawn."""
    enrolled = (sa.select(Cohort.program_id.label("program_id"), Enrollment.company_id.label("company_id"))
                .join(Cohort, Enrollment.cohort_id == Cohort.id)
                .join(Company, Enrollment.company_id == Company.id)
                .where(Cohort.program_id.in_(program_ids), Cohort.deleted_at.is_(None),
                       Enrollment.deleted_at.is_(None), Company.deleted_at.is_(None)))
    taking_part = (sa.select(Campaign.program_id.label("program_id"), Participation.company_id.label("company_id"))
                   .join(Campaign, Participation.campaign_id == Campaign.id)
                   .join(Company, Participation.company_id == Company.id)
                   .where(Campaign.program_id.in_(program_ids), Campaign.deleted_at.is_(None),
                          Participation.status != ParticipationStatus.WITHDRAWN, Company.deleted_at.is_(None)))
    return sa.union(enrolled, taking_part).subquery()


def _company_counts(program_ids: list[int]) -> dict[int, int]:
    if not program_ids:
        return {}
    pairs = _supported_companies(program_ids)
    return dict(db.session.execute(sa.select(pairs.c.program_id, sa.func.count(sa.distinct(pairs.c.company_id)))
                                   .group_by(pairs.c.program_id)).all())


def _year_cohorts(program_ids: list[int]) -> list[Cohort]:
    if not program_ids:
        return []
    return list(db.session.scalars(
        sa.select(Cohort).where(Cohort.program_id.in_(program_ids))
        .options(selectinload(Cohort.stages), selectinload(Cohort.indicators).selectinload(Indicator.targets))
        .order_by(Cohort.start_on, Cohort.id)))


class FirstRows(list):
    """The first rows of a list and how many it holds in all: the page shows the first hundred of tens of
    thousands (loading them all kept ~80 MB in each worker at national scale), the workbook every row."""

    def __init__(self, rows, total: int):
        super().__init__(rows)
        self.total = total


def _first_rows(stmt: sa.Select, limit: int | None, *, scalars: bool = True) -> FirstRows:
    """The select's first `limit` rows (all without a limit) and the count of all of them."""
    read = db.session.scalars if scalars else db.session.execute
    if limit is None:
        rows = list(read(stmt))
        return FirstRows(rows, len(rows))
    return FirstRows(read(stmt.limit(limit)), count_rows(stmt))


def _sessions_of_year(year: int) -> sa.Select:
    return (sa.select(CoachingSession).join(CoachingSession.company)
            .where(CoachingSession.held_on >= date(year, 1, 1), CoachingSession.held_on <= date(year, 12, 31),
                   Company.deleted_at.is_(None)))


def coaching_sessions(year: int, limit: int | None = None) -> FirstRows:
    """The coaching sessions held in the year, of live companies, by day: the first `limit` and their count."""
    return _first_rows(_sessions_of_year(year)
                       .options(contains_eager(CoachingSession.company), joinedload(CoachingSession.coach))
                       .order_by(CoachingSession.held_on, CoachingSession.id), limit)


def coached_company_count(year: int) -> int:
    return db.session.scalar(_sessions_of_year(year)
                             .with_only_columns(sa.func.count(sa.distinct(CoachingSession.company_id))))


# --- the sourcing funnel ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    sourced: int
    guided: int
    listed: int
    listed_products: int
    listed_product_companies: int

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [(_("발굴"), self.sourced), (_("입점안내"), self.guided), (_("입점"), self.listed)]


def sourcing_funnel(year: int) -> Funnel:
    start, end = _year_bounds(year)
    in_year = (StageChange.at >= start, StageChange.at < end)
    sourced, guided, listed = db.session.execute(
        sa.select(sa.func.count(sa.distinct(StageChange.company_id)).filter(StageChange.to_stage.in_(FUNNEL)),
                  sa.func.count(sa.distinct(StageChange.company_id)).filter(StageChange.to_stage.in_(GUIDED_OR_LATER)),
                  sa.func.count(sa.distinct(StageChange.company_id)).filter(StageChange.to_stage == Stage.LISTED))
        .join(Company, StageChange.company_id == Company.id).where(*in_year)).one()
    products, companies = db.session.execute(
        sa.select(sa.func.count(sa.distinct(Product.id)), sa.func.count(sa.distinct(Product.company_id)))
        .select_from(ListingChange)
        .join(ProductListing, ListingChange.listing_id == ProductListing.id)
        .join(Product, ProductListing.product_id == Product.id)
        .join(Company, Product.company_id == Company.id)
        .where(ListingChange.to_status == ListingStatus.LISTED, ListingChange.at >= start,
               ListingChange.at < end)).one()
    return Funnel(sourced or 0, guided or 0, listed or 0, products or 0, companies or 0)


# --- data quality -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    campaign: Campaign
    what: str
    stated: str
    computed: str


def _won(value) -> str:
    return "-" if value is None else won(value)


def disagreements(results: list[CampaignResult]) -> list[Disagreement]:
    """Every stated figure of the year's campaigns that differs from what the records give."""
    found = []
    for result in results:
        table, campaign = result.table, result.campaign
        if table.company_count.disagrees:
            found.append(Disagreement(campaign, _("업체 수"), _("%(n)s개", n=table.company_count.stated),
                                      _("%(n)s개", n=table.company_count.computed)))
        if table.stated_before_total.disagrees:
            found.append(Disagreement(campaign, _("이전 매출 합계"), _won(table.stated_before_total.stated),
                                      _won(table.stated_before_total.computed)))
        if table.stated_after_total.disagrees:
            found.append(Disagreement(campaign, _("이후 매출 합계"), _won(table.stated_after_total.stated),
                                      _won(table.stated_after_total.computed)))
        if table.stated_rate.disagrees:
            found.append(Disagreement(campaign, _("매출 변화율"), table.stated_rate.stated,
                                      table.stated_rate.computed.label))
        for row in table.rows:
            if row.rate_disagrees:
                found.append(Disagreement(campaign, _("%(company)s 매출 변화율", company=row.company.name),
                                          row.stated_rate, row.rate.label))
    return found


@dataclass(frozen=True)
class MissingFields:
    company_id: int
    name: str
    no_business_number: bool
    no_region: bool
    type_unknown: bool  # 기타
    no_contact: bool

    @property
    def problems(self) -> list[str]:
        return [str(label) for attribute, label in MISSING_FIELD_LABELS if getattr(self, attribute)]


MISSING_FIELD_LABELS = (("no_business_number", _l("사업자등록번호 없음")), ("no_region", _l("지역 없음")),
                        ("type_unknown", _l("기업 유형 ‘기타’")), ("no_contact", _l("연락처 없음")))


def _year_company_ids(program_ids: list[int], year: int):
    """The companies the year's report is about: supported by its programmes, or moved along the pipeline."""
    start, end = _year_bounds(year)
    moved = sa.select(StageChange.company_id).where(StageChange.at >= start, StageChange.at < end)
    if not program_ids:
        return moved
    return sa.union(sa.select(_supported_companies(program_ids).c.company_id), moved)


def _missing_field_conditions() -> dict:
    """attribute of MissingFields → the condition that finds it."""
    return {"no_business_number": Company.business_number.is_(None),
            "no_region": Company.region_code.is_(None),
            "type_unknown": Company.enterprise_type == EnterpriseType.OTHER,
            "no_contact": sa.and_(Company.contact_name.is_(None), Company.phone.is_(None), Company.email.is_(None))}


def companies_missing_fields(program_ids: list[int], year: int, limit: int | None = None) -> FirstRows:
    """The year's live companies missing a business number, a region, a known enterprise type or any contact:
    the first `limit` by name and their count."""
    conditions = _missing_field_conditions()
    stmt = (sa.select(Company.id, Company.name, *conditions.values())
            .where(Company.id.in_(_year_company_ids(program_ids, year)), sa.or_(*conditions.values()))
            .order_by(Company.name, Company.id))
    found = _first_rows(stmt, limit, scalars=False)
    return FirstRows((MissingFields(*row) for row in found), found.total)


def missing_field_counts(program_ids: list[int], year: int) -> list[tuple[str, int]]:
    """How many of the year's companies miss each field, counted in one statement."""
    conditions = _missing_field_conditions()
    counts = db.session.execute(
        sa.select(*(sa.func.count().filter(condition) for condition in conditions.values()))
        .where(Company.id.in_(_year_company_ids(program_ids, year)))).one()
    by_attribute = dict(zip(conditions, counts, strict=True))
    return [(str(label), by_attribute[attribute]) for attribute, label in MISSING_FIELD_LABELS]


def likely_duplicates() -> list[list[Company]]:
    """Groups of live companies that share a name key as a name or an alias (two statements; the first, which
    reads every name and alias, kept until domain data changes)."""
    pairs = cached(("likely_duplicate_pairs",), _shared_name_pairs)
    if not pairs:
        return []
    companies = {company.id: company for company in db.session.scalars(
        sa.select(Company).where(Company.id.in_({company_id for _key, company_id in pairs})))}
    groups = defaultdict(set)
    for key, company_id in pairs:
        groups[key].add(company_id)
    return [sorted((companies[company_id] for company_id in ids), key=lambda company: (company.name, company.id))
            for _key, ids in sorted(groups.items())]


def _shared_name_pairs() -> list[tuple[str, int]]:
    keys = sa.union_all(
        sa.select(Company.name_key.label("key"), Company.id.label("company_id")).where(Company.deleted_at.is_(None)),
        sa.select(CompanyAlias.name_key.label("key"), CompanyAlias.company_id.label("company_id"))
        .join(Company, CompanyAlias.company_id == Company.id).where(Company.deleted_at.is_(None)),
    ).subquery()
    shared = (sa.select(keys.c.key).where(keys.c.key != "").group_by(keys.c.key)
              .having(sa.func.count(sa.distinct(keys.c.company_id)) > 1))
    return [(key, company_id) for key, company_id in db.session.execute(
        sa.select(keys.c.key, keys.c.company_id).distinct().where(keys.c.key.in_(shared)))]


# --- the report ---------------------------------------------------------------------------------------------


@dataclass
class DataQuality:
    disagreements: list[Disagreement]
    missing: FirstRows
    missing_counts: list[tuple[str, int]]
    duplicates: list[list[Company]]

    @property
    def problem_count(self) -> int:
        return len(self.disagreements) + self.missing.total + len(self.duplicates)


@dataclass
class ResultReport:
    year: int
    programs: list[ProgramResult]
    coaching: FirstRows
    coached_company_count: int
    funnel: Funnel
    quality: DataQuality

    @property
    def is_empty(self) -> bool:
        return not self.programs

    @property
    def campaigns(self) -> list[CampaignResult]:
        return [result for program in self.programs for result in program.campaigns]


def result_report(year: int, rows_shown: int | None = None) -> ResultReport:
    """The year's report from the records: a bounded number of statements whatever the number of rows. With
    `rows_shown`, the coaching sessions and the companies missing fields hold only their first rows (the page);
    without, every row (the workbook)."""
    programs = list(db.session.scalars(sa.select(Program).where(Program.year == year)
                                       .order_by(Program.sort_order, Program.name, Program.id)))
    program_ids = [program.id for program in programs]
    counts = _company_counts(program_ids)
    campaigns_by_program = defaultdict(list)
    for result in campaign_results(_year_campaigns(program_ids)):
        campaigns_by_program[result.campaign.program_id].append(result)
    grids_by_program = defaultdict(list)
    for grid in cohort_grids(_year_cohorts(program_ids)):
        grids_by_program[grid.cohort.program_id].append(grid)
    results = [ProgramResult(program=program, company_count=counts.get(program.id, 0),
                             grids=grids_by_program[program.id], campaigns=campaigns_by_program[program.id])
               for program in programs]
    all_campaigns = [result for program in results for result in program.campaigns]
    quality = DataQuality(disagreements=disagreements(all_campaigns),
                          missing=companies_missing_fields(program_ids, year, rows_shown),
                          missing_counts=missing_field_counts(program_ids, year), duplicates=likely_duplicates())
    return ResultReport(year=year, programs=results, coaching=coaching_sessions(year, rows_shown),
                        coached_company_count=coached_company_count(year), funnel=sourcing_funnel(year),
                        quality=quality)


# --- the workbook -------------------------------------------------------------------------------------------

SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})


def _sheet_title(title: str, taken: set[str]) -> str:
    """A title Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = " ".join(title.translate(_SHEET_TITLE_FORBIDDEN).split())[:SHEET_TITLE_MAX] or "-"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[:SHEET_TITLE_MAX - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _summary_rows(report: ResultReport) -> list[list]:
    rows = []
    for program in report.programs:
        stated = ", ".join(_("%(campaign)s %(n)s개 (집계)", campaign=result.campaign.name,
                             n=f"{result.stated_companies_only:,}") for result in program.stated_company_counts)
        sales = ", ".join(f"{result.campaign.name}: {_won(result.sales)}" + (_(" (집계)") if result.sales_is_stated
                                                                             else "")
                          for result in program.sales)
        rows.append([program.program.name, program.program.description, program.company_count, stated or None,
                     sales or None, program.program.note])
    return rows


def workbook_sheets(report: ResultReport) -> list[tuple[str, list[str], list[list]]]:
    """The report's tables, a sheet each: summary, each campaign's sales table, cohort outcomes, coaching,
    the funnel and the data-quality findings."""
    taken: set[str] = set()
    sheets = [(_sheet_title(_("성과 요약"), taken),
               [_("세부 사업명"), _("사업 내용"), _("지원 기업 수 (기록)"), _("지원 기업 수 (집계)"), _("매출"),
                _("비고")],
               _summary_rows(report))]
    for result in report.campaigns:
        table = result.table
        if not table.has_figures:
            continue
        rows = [[row.company.name, row.before, row.after, row.rate.label, row.stated_rate] for row in table.rows]
        rows.append([_("합계"), table.before_total, table.after_total, table.rate.label if table.rate else "-",
                     result.campaign.stated_change_rate])
        if table.stated_before_total.stated is not None or table.stated_after_total.stated is not None:
            rows.append([_("보고서 기재"), table.stated_before_total.stated, table.stated_after_total.stated,
                         result.campaign.stated_change_rate, None])
        sheets.append((_sheet_title(_("매출 %(name)s", name=result.campaign.name), taken),
                       [_("기업"), _("이전 매출"), _("이후 매출"), _("매출 변화율"), _("보고서 기재 변화율")], rows))
    outcome_rows = []
    for program in report.programs:
        for grid in program.grids:
            for row in grid.rows:
                for progress in row.progress or [None]:
                    outcome_rows.append([
                        grid.cohort.name, row.enrollment.company.name, row.enrollment.project_title,
                        row.enrollment.status.label, progress.indicator.name if progress else None,
                        progress.cumulative if progress else None, progress.target if progress else None,
                        progress.percent if progress else None])
    sheets.append((_sheet_title(_("참여기업 성과"), taken),
                   [_("과정"), _("기업"), _("수행 사업"), _("상태"), _("지표"), _("누적"), _("목표"), _("달성률(%)")],
                   outcome_rows))
    sheets.append((_sheet_title(_("코칭"), taken), [_("기업"), _("코칭 일자"), _("주제"), _("코치")],
                   [[session.company.name, session.held_on, session.topic, session.coach.name]
                    for session in report.coaching]))
    funnel = report.funnel
    sheets.append((_sheet_title(_("발굴 퍼널"), taken), [_("단계"), _("기업 수")],
                   [*([label, value] for label, value in funnel.steps),
                    [_("입점 제품"), funnel.listed_products],
                    [_("입점 제품의 기업"), funnel.listed_product_companies]]))
    quality = report.quality
    quality_rows = [[_("기재 수치 불일치"), item.campaign.name, item.what, item.stated, item.computed]
                    for item in quality.disagreements]
    quality_rows += [[_("누락 항목"), row.name, ", ".join(row.problems), None, None] for row in quality.missing]
    quality_rows += [[_("중복 의심"), ", ".join(company.name for company in group), None, None, None]
                     for group in quality.duplicates]
    sheets.append((_sheet_title(_("데이터 품질"), taken),
                   [_("구분"), _("대상"), _("항목"), _("기재"), _("기록")], quality_rows))
    return sheets
