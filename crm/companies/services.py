"""Changes to companies: create, edit, assign, move along the pipeline, certify, delete."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from crm.auth.models import Role, User
from crm.companies.models import (
    Certification,
    CertificationKind,
    Company,
    CompanyAlias,
    CompanyCoach,
    EnterpriseType,
    Region,
    StageChange,
)
from crm.companies.pipeline import NOTE_REQUIRED, Move, Stage, move_kind
from crm.companies.rules import clean_business_number, name_key
from crm.core.cache import cached
from crm.core.errors import RuleError, StaleEditError
from crm.core.softdelete import soft_delete
from crm.core.text import blank_to_none
from crm.core.time import utcnow
from crm.extensions import db

PRE_SOCIAL_ENTERPRISE_MAX_YEARS = 3


@dataclass
class CompanyFields:
    """What a company form or an import row gives; `clean_company_fields` checks it."""

    name: str
    enterprise_type: EnterpriseType | str
    business_number: str | None = None
    region: str | None = None
    industry: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    shop_url: str | None = None
    note: str | None = None
    coordinator_id: int | None = None
    source: str | None = None
    discovered_on: date | None = None
    discovered_by_id: int | None = None
    aliases: list[str] = field(default_factory=list)


def resolve_region(value: str | None, known_regions: list[Region] | None = None) -> str | None:
    """The code of a 시·도 given by code, current name or former name (강원도 → 강원특별자치도).

    An import checking thousands of rows passes the regions it loaded once as `known_regions`."""
    value = blank_to_none(value)
    if value is None:
        return None
    for region in known_regions if known_regions is not None else db.session.scalars(sa.select(Region)):
        names = {region.code, region.name, *filter(None, region.former_names.split(","))}
        if value in names:
            return region.code
    raise RuleError(_("알 수 없는 지역입니다: %(value)s", value=value), field="region")


def _check_link(value: str | None, field_name: str) -> str | None:
    value = blank_to_none(value)
    if value and not value.lower().startswith(("http://", "https://")):
        raise RuleError(_("주소는 http:// 또는 https://로 시작해야 합니다."), field=field_name)
    return value


def clean_company_fields(fields: CompanyFields, *, known_regions: list[Region] | None = None) -> dict:
    """Column values for a company, checked by the rules forms and imports share."""
    name = blank_to_none(fields.name)
    if not name:
        raise RuleError(_("기업명을 입력하세요."), field="name")
    try:
        enterprise_type = EnterpriseType(fields.enterprise_type)
    except ValueError:
        raise RuleError(_("알 수 없는 기업 유형입니다."), field="enterprise_type") from None
    return {
        "name": name,
        "name_key": name_key(name),
        "enterprise_type": enterprise_type,
        "business_number": clean_business_number(fields.business_number),
        "region_code": resolve_region(fields.region, known_regions),
        "industry": blank_to_none(fields.industry),
        "contact_name": blank_to_none(fields.contact_name),
        "phone": blank_to_none(fields.phone),
        "email": blank_to_none(fields.email),
        "website": _check_link(fields.website, "website"),
        "shop_url": _check_link(fields.shop_url, "shop_url"),
        "note": blank_to_none(fields.note),
        "coordinator_id": fields.coordinator_id or None,
        "source": blank_to_none(fields.source),
        "discovered_on": fields.discovered_on,
        "discovered_by_id": fields.discovered_by_id or None,
    }


def _check_business_number_free(number: str | None, exclude_id: int | None = None) -> None:
    if number is None:
        return
    stmt = sa.select(Company.id).where(Company.business_number == number)
    if exclude_id is not None:
        stmt = stmt.where(Company.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise RuleError(_("같은 사업자등록번호의 기업이 이미 있습니다."), field="business_number")


def duplicate_candidates(*, names: list[str], business_number: str | None = None,
                         exclude_id: int | None = None, limit: int = 10) -> list[Company]:
    """Live companies whose business number, or normalised name or alias, matches."""
    keys = {name_key(name) for name in names if name and name_key(name)}
    conditions = []
    if keys:
        conditions.append(Company.name_key.in_(keys))
        conditions.append(Company.id.in_(sa.select(CompanyAlias.company_id).where(CompanyAlias.name_key.in_(keys))))
    if business_number:
        conditions.append(Company.business_number == business_number)
    if not conditions:
        return []
    stmt = sa.select(Company).where(sa.or_(*conditions)).order_by(Company.name).limit(limit)
    if exclude_id is not None:
        stmt = stmt.where(Company.id != exclude_id)
    return list(db.session.scalars(stmt))


def distinct_aliases(company: Company, names: list[str]) -> dict[str, str]:
    """The aliases worth keeping, by name key: not blank, not the company's own name, each once."""
    wanted = {}
    for alias in names:
        alias = blank_to_none(alias)
        if alias and name_key(alias) != company.name_key:
            wanted.setdefault(name_key(alias), alias)
    return wanted


def start_of_pipeline(company: Company, *, note: str | None = None, actor: User | None) -> StageChange:
    """The StageChange that records where a new company entered the pipeline."""
    return StageChange(company_id=company.id, from_stage=None, to_stage=company.stage, note=blank_to_none(note),
                       by_id=actor.id if actor else None)


def _replace_aliases(company: Company, names: list[str]) -> None:
    wanted = distinct_aliases(company, names)
    existing = list(db.session.scalars(sa.select(CompanyAlias).where(CompanyAlias.company_id == company.id)))
    for alias in existing:
        if alias.name_key not in wanted:
            db.session.delete(alias)
        else:
            wanted.pop(alias.name_key)
    for key, alias in wanted.items():
        db.session.add(CompanyAlias(company=company, name=alias, name_key=key))


def create_company(fields: CompanyFields, *, stage: Stage = Stage.SOURCED, coach_ids: list[int] = (),
                   note: str | None = None, actor: User | None) -> Company:
    """A new company at any stage (one already listed when found starts at 입점완료); the start is recorded."""
    values = clean_company_fields(fields)
    _check_business_number_free(values["business_number"])
    company = Company(**values, stage=Stage(stage), stage_since=utcnow())
    db.session.add(company)
    db.session.flush()
    _replace_aliases(company, fields.aliases)
    set_coaches(company, coach_ids, actor=actor)
    db.session.add(start_of_pipeline(company, note=note, actor=actor))
    db.session.flush()
    return company


def update_company(company: Company, fields: CompanyFields, *, version: int | None, actor: User) -> Company:
    if version is not None and version != company.version:
        raise StaleEditError()
    values = clean_company_fields(fields)
    _check_business_number_free(values["business_number"], exclude_id=company.id)
    for key, value in values.items():
        setattr(company, key, value)
    _replace_aliases(company, fields.aliases)
    db.session.flush()
    return company


def set_coaches(company: Company, coach_ids: list[int], *, actor: User | None) -> None:
    """Assign exactly these coaches (users with the coach role) to the company."""
    wanted = set(coach_ids or ())
    if wanted:
        found = set(db.session.scalars(sa.select(User.id).where(User.id.in_(wanted), User.role == Role.COACH)))
        if found != wanted:
            raise RuleError(_("코치 역할의 사용자만 배정할 수 있습니다."), field="coach_ids")
    links = list(db.session.scalars(sa.select(CompanyCoach).where(CompanyCoach.company_id == company.id)))
    for link in links:
        if link.coach_id not in wanted:
            db.session.delete(link)
    for coach_id in wanted - {link.coach_id for link in links}:
        db.session.add(CompanyCoach(company_id=company.id, coach_id=coach_id))
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another coordinator assigned the same coach between our read and this write.
        message = _("다른 사용자가 방금 코치 배정을 바꿨습니다. 새 배정을 확인한 뒤 다시 저장하세요.")
        raise StaleEditError(message) from error


def move_stage(company: Company, to: Stage, *, note: str | None, actor: User) -> StageChange:
    """Move a company along the pipeline; refuses moves the transition table does not allow."""
    to = Stage(to)
    note = blank_to_none(note)
    kind = move_kind(company.stage, to, company.held_from)
    if kind is None:
        raise RuleError(_("%(a)s에서 %(b)s(으)로 옮길 수 없습니다.", a=company.stage.label, b=to.label), field="stage")
    if kind in NOTE_REQUIRED and not note:
        raise RuleError(_("보류·제외·되돌리기에는 사유가 필요합니다."), field="note")
    change = StageChange(company=company, from_stage=company.stage, to_stage=to, is_skip=kind is Move.SKIP,
                         note=note, by_id=actor.id if actor else None)
    company.held_from = company.stage if kind is Move.HOLD else None
    company.stage = to
    company.stage_since = utcnow()
    db.session.add(change)
    db.session.flush()
    return change


def delete_company(company: Company, *, actor: User) -> None:
    soft_delete(company, actor=actor)
    db.session.flush()


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_certification(kind: CertificationKind, valid_from: date | None, valid_to: date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise RuleError(_("종료일이 시작일보다 앞섭니다."), field="valid_to")
    if CertificationKind(kind).is_pre_social_enterprise:
        if not valid_from or not valid_to:
            raise RuleError(_("예비사회적기업 지정은 시작일과 종료일이 필요합니다."), field="valid_to")
        if valid_to >= _years_later(valid_from, PRE_SOCIAL_ENTERPRISE_MAX_YEARS):
            raise RuleError(_("예비사회적기업 지정 기간은 3년을 넘을 수 없습니다."), field="valid_to")


def add_certification(company: Company, *, kind: CertificationKind, number: str | None, issuer: str | None,
                      valid_from: date | None, valid_to: date | None, actor: User) -> Certification:
    check_certification(kind, valid_from, valid_to)
    certification = Certification(company=company, kind=CertificationKind(kind), number=blank_to_none(number),
                                  issuer=blank_to_none(issuer), valid_from=valid_from, valid_to=valid_to)
    db.session.add(certification)
    db.session.flush()
    return certification


def delete_certification(certification: Certification, *, actor: User) -> None:
    soft_delete(certification, actor=actor)
    db.session.flush()


def visible_to(stmt: sa.Select, user: User) -> sa.Select:
    """Limit a select of companies to those the user may see (the same rule as Company.visible_to)."""
    if user.role is Role.COACH:
        return stmt.where(Company.id.in_(sa.select(CompanyCoach.company_id).where(CompanyCoach.coach_id == user.id)))
    return stmt


def visibility_key(user: User) -> int | None:
    """What visible_to depends on, for cache keys: the coach whose companies are shown, or None for everyone."""
    return user.id if user.role is Role.COACH else None


def company_for(user: User, company_id: int, *, with_detail: bool = False) -> Company | None:
    """The live company with this id if the user may see it, else None (the view answers 404). One statement: its
    few coaches, aliases and certifications joined, rather than a statement for each (on PostgreSQL each costs the
    worker more in the round trip than in its rows)."""
    options = [joinedload(Company.coach_links).joinedload(CompanyCoach.coach),
               joinedload(Company.aliases), joinedload(Company.region), joinedload(Company.coordinator),
               joinedload(Company.discovered_by)]
    if with_detail:
        options.append(joinedload(Company.certifications))
    stmt = visible_to(sa.select(Company).where(Company.id == company_id).options(*options), user)
    return db.session.scalars(stmt).unique().first()


def regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.sort_order)))


def users_with_role(*roles: Role) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role.in_(roles), User.active.is_(True))
                                   .order_by(User.name)))


def region_choices() -> list[tuple[str, str]]:
    """(code, name) of every region in display order, for filters; kept until data changes."""
    return cached(("region_choices",), lambda: [(region.code, region.name) for region in regions()])


def user_choices(*roles: Role) -> list[tuple[int, str]]:
    """(id, name) of the active users with one of the roles, by name, for filters; kept until data changes."""
    return cached(("user_choices", roles), lambda: [(user.id, user.name) for user in users_with_role(*roles)])
