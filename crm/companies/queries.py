"""The company list: one statement for the page and its exports (search, filters, sort, what it shows)."""
import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.auth.models import User
from crm.companies import services
from crm.companies.models import (
    Certification,
    CertificationKind,
    Company,
    CompanyAlias,
    CompanyCoach,
    EnterpriseType,
    ListingStatus,
    Product,
    ProductListing,
    days_since,
)
from crm.companies.pipeline import Stage
from crm.companies.rules import name_key
from crm.core.time import seoul_today
from crm.extensions import db


class Sort(enum.StrEnum):
    NAME = "name"
    STAGE = "stage"
    DAYS = "days"        # days in the current stage
    CREATED = "created"


class Direction(enum.StrEnum):
    ASC = "asc"
    DESC = "desc"


# Stages sort in funnel order, not alphabetically by their stored value.
STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}

# What a list row shows, loaded with the page in a fixed number of statements.
LIST_OPTIONS = (
    joinedload(Company.region),
    joinedload(Company.coordinator),
    selectinload(Company.aliases),
    selectinload(Company.coach_links).joinedload(CompanyCoach.coach),
    selectinload(Company.certifications),
)


# What a row of the list page shows of the company itself: columns, not entities (loading 50 companies with their
# region, coordinator, aliases, coaches and certifications as entities cost more than rendering them).
LIST_COLUMNS = (Company.id, Company.name, Company.enterprise_type, Company.region_code, Company.stage,
                Company.stage_since)
# How a list row and the export join a company's aliases or coaches.
LIST_SEPARATOR = ", "


def _sort_columns(sort: Sort, direction: Direction) -> list:
    if sort is Sort.STAGE:
        column = sa.case(STAGE_ORDER, value=Company.stage, else_=len(STAGE_ORDER))
    elif sort is Sort.DAYS:
        # More days in the stage is an earlier stage_since: ascending days is descending stage_since.
        column = Company.stage_since
        direction = Direction.DESC if direction is Direction.ASC else Direction.ASC
    elif sort is Sort.CREATED:
        column = Company.created_at
    else:
        column = Company.name
    ordered = column.desc() if direction is Direction.DESC else column.asc()
    tiebreak = [Company.name.asc()] if sort is not Sort.NAME else []
    return [ordered, *tiebreak, Company.id.asc()]


def matching_names(q: str | None):
    """Companies whose legal name or an alias contains the query, compared as name keys (no spaces,
    no legal-form words such as ㈜ or 주식회사), so that "(주) 공생 공작" finds "공생공작"."""
    key = name_key(q)
    if not key:
        return None
    # EXISTS, not IN: a page of the list stops after 50 matches in name order, and each looks up its own aliases
    # (IN made SQLite read every alias first: 4.7 ms of 5 per page).
    alias_matches = sa.exists().where(CompanyAlias.company_id == Company.id,
                                      CompanyAlias.name_key.contains(key, autoescape=True))
    return sa.or_(Company.name_key.contains(key, autoescape=True), alias_matches)


def _with_a_listed_product():
    return sa.exists().where(
        Product.company_id == Company.id,
        Product.deleted_at.is_(None),
        ProductListing.product_id == Product.id,
        ProductListing.status == ListingStatus.LISTED,
    )


def company_list_statement(user: User, *, q: str | None = None, enterprise_type: EnterpriseType | None = None,
                           region: str | None = None, stage: Stage | None = None, listed: bool | None = None,
                           coordinator_id: int | None = None, coach_id: int | None = None,
                           sort: Sort | str = Sort.NAME, direction: Direction | str = Direction.ASC,
                           columns: tuple | None = None) -> sa.Select:
    """The live companies the user may see that match every given filter, sorted, with what a row shows —
    or, given `columns`, those columns of them (an export reads columns, not entities)."""
    stmt = sa.select(*columns) if columns else sa.select(Company).options(*LIST_OPTIONS)
    conditions = []
    if (names := matching_names(q)) is not None:
        conditions.append(names)
    if enterprise_type:
        conditions.append(Company.enterprise_type == EnterpriseType(enterprise_type))
    if region:
        conditions.append(Company.region_code == region)
    if stage:
        conditions.append(Company.stage == Stage(stage))
    if listed is True:
        conditions.append(_with_a_listed_product())
    elif listed is False:
        conditions.append(~_with_a_listed_product())
    if coordinator_id:
        conditions.append(Company.coordinator_id == coordinator_id)
    if coach_id:
        conditions.append(Company.id.in_(sa.select(CompanyCoach.company_id).where(CompanyCoach.coach_id == coach_id)))
    stmt = stmt.where(*conditions).order_by(*_sort_columns(Sort(sort), Direction(direction)))
    return services.visible_to(stmt, user)


class CertificationWarning(enum.StrEnum):
    ENDS_SOON = "ends_soon"
    ENDED = "ended"


def certification_warning(certifications: list[Certification],
                          today: date | None = None) -> tuple[CertificationWarning, Certification] | None:
    """A warning for a 예비사회적기업 designation of a company's certifications that ends within 90 days or has
    ended — unless the company has since been certified as a 사회적기업 (the usual way a designation ends)."""
    today = today or seoul_today()
    if any(c.kind is CertificationKind.SOCIAL_ENTERPRISE and not c.has_ended(today) for c in certifications):
        return None
    designations = [c for c in certifications if c.kind.is_pre_social_enterprise and c.valid_to]
    if not designations:
        return None
    latest = max(designations, key=lambda c: c.valid_to)
    if latest.has_ended(today):
        return CertificationWarning.ENDED, latest
    if latest.ends_soon(today):
        return CertificationWarning.ENDS_SOON, latest
    return None


def names_by_company(stmt: sa.Select) -> dict[int, str]:
    """company id → its names joined, from a select of (company_id, name) in display order."""
    names: dict[int, list[str]] = {}
    for company_id, name in db.session.execute(stmt):
        names.setdefault(company_id, []).append(name)
    return {company_id: LIST_SEPARATOR.join(items) for company_id, items in names.items()}


def alias_names(company_ids: list[int]) -> dict[int, str]:
    """company id → its aliases by name, joined."""
    return names_by_company(sa.select(CompanyAlias.company_id, CompanyAlias.name)
                            .where(CompanyAlias.company_id.in_(company_ids)).order_by(CompanyAlias.name))


def coach_names(company_ids: list[int]) -> dict[int, str]:
    """company id → the names of its coaches in the order they were assigned, joined."""
    return names_by_company(sa.select(CompanyCoach.company_id, User.name).join(User, CompanyCoach.coach)
                            .where(CompanyCoach.company_id.in_(company_ids)).order_by(CompanyCoach.id))


@dataclass(frozen=True)
class ListRow:
    """What the company list shows of one company."""

    id: int
    name: str
    aliases: str
    enterprise_type: EnterpriseType
    region_name: str
    stage: Stage
    days_in_stage: int
    coordinator_name: str
    coaches: str
    warning: tuple[CertificationWarning, date] | None  # and the day the designation ends


def list_rows(company_ids: list[int], today: date) -> list[ListRow]:
    """The list page's rows of a page of company ids, in their order, in four statements.

    The page itself is a select of ids only, which the index of live companies by name answers without reading
    the table — what keeps a page deep in the list (OFFSET 15,000) cheap."""
    rows = {row.id: row for row in db.session.execute(
        sa.select(*LIST_COLUMNS, User.name.label("coordinator_name"))
        .outerjoin(User, Company.coordinator_id == User.id).where(Company.id.in_(company_ids)))}
    aliases = alias_names(company_ids)
    coaches = coach_names(company_ids)
    certifications: dict[int, list[Certification]] = {}
    for certification in db.session.scalars(sa.select(Certification)
                                            .where(Certification.company_id.in_(company_ids))
                                            .order_by(Certification.valid_from, Certification.id)):
        certifications.setdefault(certification.company_id, []).append(certification)
    region_names = dict(services.region_choices())
    return [ListRow(id=row.id, name=row.name, aliases=aliases.get(row.id, ""), enterprise_type=row.enterprise_type,
                    region_name=region_names.get(row.region_code, ""), stage=row.stage,
                    days_in_stage=days_since(row.stage_since, today), coordinator_name=row.coordinator_name or "",
                    coaches=coaches.get(row.id, ""),
                    warning=_warning_with_end(certification_warning(certifications.get(row.id, []), today)))
            for row in map(rows.get, company_ids)]


def _warning_with_end(warning: tuple[CertificationWarning, Certification] | None
                      ) -> tuple[CertificationWarning, date] | None:
    # The day, not the Certification: a kept row must not hold an entity of the session that loaded it.
    return warning and (warning[0], warning[1].valid_to)
