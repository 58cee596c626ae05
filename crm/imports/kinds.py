"""What each kind of import reads: its fields, the headers that name them, and how a row is checked against the
rules the forms use — crm.companies.services.clean_company_fields, crm.companies.products.clean_product_fields,
crm.campaigns.services.clean_sales_figures and ALLOWED_MOVES, crm.programs.progress.clean_report_fields and
clean_indicator_values, crm.coaching.sessions.clean_session_fields. A checker raises the first RuleError of a row;
`every_problem` runs it again past each refused field so that a row lists all its problems."""
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cache

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from crm.auth.models import Role, User
from crm.campaigns.models import Participation, ParticipationStatus
from crm.campaigns.services import ALLOWED_MOVES, TAKING_PART, clean_sales_figures
from crm.coaching.models import CoachingSession, SessionMode
from crm.coaching.sessions import clean_session_fields
from crm.companies.models import Company, CompanyAlias, CompanyCoach, EnterpriseType, Product, Region
from crm.companies.pipeline import Stage
from crm.companies.products import clean_product_fields
from crm.companies.rules import clean_business_number, name_key
from crm.companies.services import CompanyFields, clean_company_fields, visible_to
from crm.core.errors import RuleError
from crm.core.numbers import whole_number
from crm.extensions import db
from crm.imports.models import ImportBatch, ImportKind, RowMatch
from crm.imports.reading import parse_date
from crm.programs.models import Cohort, Enrollment, ReportStatus, WeeklyReport
from crm.programs.progress import (
    ReportFields,
    check_reportable_week,
    clean_indicator_values,
    clean_report_fields,
    indicator_field,
)

# Statements that load existing records use IN lists of at most this many ids.
CHUNK = 1000
ALIAS_SEPARATOR = re.compile(r"\s*[,;]\s*")
_HEADER_NOISE = re.compile(r"[\s_\-·./()（）\[\]]")
# A row stops being checked after this many problems (a row of garbage need not list fifty).
MAX_PROBLEMS_PER_ROW = 10


def header_key(header: str) -> str:
    """A header as matching compares it: lower case, no spaces or punctuation (사업자 등록번호 = 사업자등록번호)."""
    return _HEADER_NOISE.sub("", header or "").lower()


@dataclass(frozen=True)
class Field:
    key: str
    label: object
    headers: tuple[str, ...]
    required: bool = False


@dataclass
class RowOutcome:
    """What checking one row found: the values to store, or the problems; and whether it adds or updates."""

    values: dict = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    match: RowMatch = RowMatch.NEW
    target_id: int | None = None


@dataclass(frozen=True)
class CheckContext:
    """What checking rows needs beyond the rows: the batch (its campaign or cohort) and who checks."""

    batch: ImportBatch
    actor: User


@dataclass(frozen=True)
class Kind:
    fields: tuple[Field, ...]
    # Headers the export writes that the import knows but does not read (they are derived or shown only).
    export_only_headers: tuple[str, ...]
    template_example: tuple[str, ...]
    # Given every row (line, values) and the context, a function checking one row: its outcome, or a RuleError.
    make_checker: Callable[[list[dict], CheckContext], Callable[[dict], RowOutcome]]
    # A value that lets checking go on past a refused required field (see every_problem); others become blank.
    placeholders: dict = field(default_factory=dict)
    # What the user picks for the whole file: "campaign" or "cohort" (the rows do not name it), or nothing.
    scope: str | None = None

    def is_export_only(self, header: str) -> bool:
        return header_key(header) in {header_key(name) for name in self.export_only_headers}


def guess_mapping(fields: tuple[Field, ...], headers: list[str]) -> list[str | None]:
    """For each header the field it names, or None; a field is taken by the first header naming it."""
    by_header = {}
    for item in fields:
        for name in item.headers:
            by_header.setdefault(header_key(name), item.key)
    mapping, taken = [], set()
    for header in headers:
        key = by_header.get(header_key(header))
        if key in taken:
            key = None
        taken.add(key)
        mapping.append(key)
    return mapping


def every_problem(check: Callable[[dict], RowOutcome], row: dict, placeholders: dict) -> RowOutcome:
    """Check a row again after each refusal with the refused field made neutral (blank, or its placeholder), so
    that every problem of the row is listed; stops when a field is refused twice or a refusal names no field."""
    values = dict(row["values"])
    problems, refused = [], set()
    while True:
        try:
            outcome = check({**row, "values": values})
        except RuleError as error:
            if error.field in refused:
                # What the neutral value itself gave (a required field left blank): nothing new to report.
                return RowOutcome(problems=problems)
            problems.append({"field": error.field, "message": error.message})
            if error.field is None or len(problems) >= MAX_PROBLEMS_PER_ROW:
                return RowOutcome(problems=problems)
            refused.add(error.field)
            values[error.field] = placeholders.get(error.field, "")
            continue
        return RowOutcome(problems=problems) if problems else outcome


@cache
def _members_by_korean_label(enum_class) -> dict:
    with force_locale("ko"):
        return {header_key(member.label): member for member in enum_class}


def _labelled(enum_class, text: str, field_name: str, message):
    """An enum member given by its value or its Korean label. The message is a lazy string, translated only for a
    row that needs it (translating it for every row took a fifth of checking a large file)."""
    text = text.strip()
    member = _members_by_korean_label(enum_class).get(header_key(text))
    if member is None:
        try:
            member = enum_class(text)
        except ValueError:
            raise RuleError(str(message), field=field_name) from None
    return member


class _CompanyIndex:
    """Live companies by business number and by normalised name or alias, loaded in two statements."""

    def __init__(self):
        self.by_number: dict[str, int] = {}
        self.by_name: dict[str, set[int]] = {}
        for company_id, key, number in db.session.execute(
                sa.select(Company.id, Company.name_key, Company.business_number)):
            if number:
                self.by_number[number] = company_id
            self.by_name.setdefault(key, set()).add(company_id)
        for company_id, key in db.session.execute(
                sa.select(CompanyAlias.company_id, CompanyAlias.name_key).join(Company)):
            self.by_name.setdefault(key, set()).add(company_id)

    def find(self, *, number: str | None, name: str | None, field_name: str = "name") -> int | None:
        """The matching company's id, None for no match; a RuleError when the name fits several companies."""
        if number and number in self.by_number:
            return self.by_number[number]
        ids = self.by_name.get(name_key(name), set()) if name else set()
        if len(ids) > 1:
            raise RuleError(_("같은 이름의 기업이 여러 곳 있습니다. 사업자등록번호로 구분하세요."), field=field_name)
        return next(iter(ids), None)

    def named_company(self, values: dict) -> int:
        """The existing company a row of records about companies names (by number, or by name or alias)."""
        company_id = self.find(number=clean_business_number(values.get("business_number")),
                               name=values.get("company"), field_name="company")
        if company_id is None:
            raise RuleError(_("이 기업을 찾을 수 없습니다. 기업을 먼저 등록하세요."), field="company")
        return company_id

    def quietly(self, values: dict, name_field: str = "company") -> int | None:
        """The company a row names, or None when it names none or is faulty (checking the row reports why)."""
        try:
            return self.find(number=clean_business_number(values.get("business_number")),
                             name=values.get(name_field))
        except RuleError:
            return None


def load_in_chunks(model, ids, *options) -> dict[int, object]:
    found = {}
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        stmt = sa.select(model).where(model.id.in_(ids[start:start + CHUNK])).options(*options)
        found.update((record.id, record) for record in db.session.scalars(stmt))
    return found


def _in_file_twice(seen: dict, key, line: int) -> int | None:
    """The earlier line of the file with the same key, or None (a row checked again keeps its own line)."""
    first = seen.setdefault(key, line)
    return first if first != line else None


def _kept(values: dict, key: str, current):
    """A column the file has, or the record's current value where it lacks the column."""
    return values[key] if key in values else current


# --- companies and products ---------------------------------------------------------------------------------


def company_fields_of(company: Company) -> CompanyFields:
    """A company's current values as CompanyFields, onto which an import row lays the columns it has."""
    return CompanyFields(
        name=company.name, enterprise_type=company.enterprise_type, business_number=company.business_number,
        region=company.region_code, industry=company.industry, contact_name=company.contact_name,
        phone=company.phone, email=company.email, website=company.website, shop_url=company.shop_url,
        note=company.note, coordinator_id=company.coordinator_id, source=company.source,
        discovered_on=company.discovered_on, discovered_by_id=company.discovered_by_id,
        aliases=[alias.name for alias in company.aliases])


def split_aliases(text: str) -> list[str]:
    return [name for name in ALIAS_SEPARATOR.split(text.strip()) if name]


def _company_checker(rows: list[dict], context: CheckContext):
    """Checks company rows: matching by business number, then by name or alias (one statement each), and
    within the file no two rows with the same business number or name."""
    regions = list(db.session.scalars(sa.select(Region)))
    index = _CompanyIndex()
    existing = _existing_companies({index.quietly(row["values"], "name") for row in rows} - {None})
    seen_numbers: dict[str, int] = {}
    seen_names: dict[str, int] = {}

    def check(row: dict) -> RowOutcome:
        values, line = row["values"], row["line"]
        number = clean_business_number(values.get("business_number"))
        target_id = index.find(number=number, name=values.get("name"))
        if number and (earlier := _in_file_twice(seen_numbers, number, line)):
            raise RuleError(_("이 파일의 %(line)d행과 사업자등록번호가 같습니다.", line=earlier),
                            field="business_number")
        key = name_key(values.get("name"))
        if key and not number and seen_names.get(key, line) != line:
            raise RuleError(_("이 파일의 %(line)d행과 기업명이 같습니다.", line=seen_names[key]), field="name")
        if key:
            seen_names.setdefault(key, line)
        fields = lay_company_row(values, existing.get(target_id))
        columns = clean_company_fields(fields, known_regions=regions)
        stage = _labelled(Stage, values["stage"], "stage", _l("알 수 없는 단계입니다.")) if values.get(
            "stage") else Stage.SOURCED
        outcome = RowOutcome(match=RowMatch.UPDATE if target_id else RowMatch.NEW, target_id=target_id,
                             values={"stage": stage.value})
        if target_id is None:
            # What applying stores, checked here: applying a large file need not check every row twice.
            outcome.values |= {"columns": {key: _json_value(value) for key, value in columns.items()},
                               "aliases": fields.aliases}
        return outcome

    return check


def _json_value(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def lay_company_row(values: dict, existing: CompanyFields | None) -> CompanyFields:
    """The row's columns laid over the company's current values (columns the file lacks keep their value)."""
    fields = existing or CompanyFields(name="", enterprise_type="")
    for key in ("name", "business_number", "region", "industry", "contact_name", "phone", "email", "website",
                "shop_url", "note", "source"):
        if key in values:
            setattr(fields, key, values[key])
    if values.get("enterprise_type"):
        fields.enterprise_type = _labelled(EnterpriseType, values["enterprise_type"], "enterprise_type",
                                           _l("알 수 없는 기업 유형입니다."))
    elif existing is None:
        raise RuleError(_("기업 유형을 입력하세요."), field="enterprise_type")
    if "discovered_on" in values:
        fields.discovered_on = _date_of(values["discovered_on"], "discovered_on") if values["discovered_on"] else None
    if "aliases" in values:
        fields.aliases = split_aliases(values["aliases"])
    return fields


def _date_of(text: str, field_name: str) -> date:
    try:
        return parse_date(text)
    except RuleError as error:
        raise RuleError(error.message, field=field_name) from None


def _product_checker(rows: list[dict], context: CheckContext):
    """Checks product rows: the company by business number or name (it must exist), the product by its name
    among the company's live products; within the file no company's product twice."""
    index = _CompanyIndex()
    seen: dict[tuple[int, str], int] = {}
    products_by_key: dict[tuple[int, str], int] = {}
    company_ids = sorted({index.quietly(row["values"]) for row in rows} - {None})
    for start in range(0, len(company_ids), CHUNK):
        stmt = sa.select(Product.id, Product.company_id, Product.name).where(
            Product.company_id.in_(company_ids[start:start + CHUNK]))
        for product_id, company_id, name in db.session.execute(stmt):
            products_by_key.setdefault((company_id, name_key(name)), product_id)

    def check(row: dict) -> RowOutcome:
        values = row["values"]
        company_id = index.named_company(values)
        cleaned = clean_product_fields(values.get("name"), values.get("category"), values.get("price"))
        key = (company_id, name_key(cleaned["name"]))
        if earlier := _in_file_twice(seen, key, row["line"]):
            raise RuleError(_("이 파일의 %(line)d행에 같은 기업의 같은 상품이 있습니다.", line=earlier), field="name")
        target_id = products_by_key.get(key)
        return RowOutcome(match=RowMatch.UPDATE if target_id else RowMatch.NEW, target_id=target_id,
                          values={"company_id": company_id})

    return check


# --- campaign participations with their sales ---------------------------------------------------------------


SALES_KEYS = ("sales_before", "sales_after", "stated_change_rate")


def _participation_checker(rows: list[dict], context: CheckContext):
    """Checks rows of the batch's campaign: the company must exist; a company already in the campaign is an
    update, whose status may move only as the status table allows; sales figures by the sales form's rule, and
    only for a company taking part (the sales table has no row for applicants and withdrawn companies). A new
    row without a status is 완료 when it has figures (a sales table lists companies that took part), else 신청."""
    campaign_id = context.batch.campaign_id
    index = _CompanyIndex()
    current = {company_id: (participation_id, status) for participation_id, company_id, status in db.session.execute(
        sa.select(Participation.id, Participation.company_id, Participation.status)
        .where(Participation.campaign_id == campaign_id))}
    seen: dict[int, int] = {}

    def check(row: dict) -> RowOutcome:
        values = row["values"]
        company_id = index.named_company(values)
        if earlier := _in_file_twice(seen, company_id, row["line"]):
            raise RuleError(_("이 파일의 %(line)d행과 같은 기업입니다.", line=earlier), field="company")
        participation_id, status_now = current.get(company_id, (None, None))
        status = (_labelled(ParticipationStatus, values["status"], "status", _l("알 수 없는 참여 상태입니다."))
                  if values.get("status") else None)
        figures = clean_sales_figures(*(values.get(key) for key in SALES_KEYS))
        has_figures = figures["sales_before"] is not None or figures["sales_after"] is not None
        if status is None:
            status = status_now or (ParticipationStatus.COMPLETED if has_figures else ParticipationStatus.APPLIED)
        if status_now is not None and status is not status_now and status not in ALLOWED_MOVES[status_now]:
            raise RuleError(_("‘%(a)s’에서 ‘%(b)s’(으)로 옮길 수 없습니다.", a=status_now.label, b=status.label),
                            field="status")
        if has_figures and status not in TAKING_PART:
            raise RuleError(_("매출은 선정·참여중·완료 기업에만 입력합니다."),
                            field="sales_before" if figures["sales_before"] is not None else "sales_after")
        return RowOutcome(match=RowMatch.UPDATE if participation_id else RowMatch.NEW, target_id=participation_id,
                          values={"company_id": company_id, "status": status.value,
                                  "figures": {key: figures[key] for key in SALES_KEYS if key in values}})

    return check


# --- weekly reports -----------------------------------------------------------------------------------------


REPORT_TEXT_KEYS = ("work_done", "next_plan", "difficulties")


def indicator_fields(cohort: Cohort | None) -> tuple[Field, ...]:
    """A field per indicator of the cohort, named by the indicator (with or without its unit)."""
    if cohort is None:
        return ()
    return tuple(Field(indicator_field(indicator.id), f"{indicator.name} ({indicator.unit})",
                       (f"{indicator.name} ({indicator.unit})", indicator.name))
                 for indicator in cohort.indicators)


def cohort_with_indicators(cohort_id: int | None) -> Cohort | None:
    if cohort_id is None:
        return None
    return db.session.scalar(sa.select(Cohort).where(Cohort.id == cohort_id)
                             .options(selectinload(Cohort.indicators)))


def _weekly_report_checker(rows: list[dict], context: CheckContext):
    """Checks rows of the batch's cohort: the company must be enrolled in it, the week one that has begun, each
    company's week once in the file; a week already reported is an update. Values by the report form's rules;
    an indicator column the file lacks keeps its value (0 for a new report)."""
    cohort = cohort_with_indicators(context.batch.cohort_id)
    index = _CompanyIndex()
    enrollments = dict(db.session.execute(sa.select(Enrollment.company_id, Enrollment.id)
                                          .where(Enrollment.cohort_id == cohort.id)).tuples().all())
    reports = {(report.enrollment_id, report.week): report for report in db.session.scalars(
        sa.select(WeeklyReport).where(WeeklyReport.enrollment_id.in_(list(enrollments.values()) or [0]))
        .options(selectinload(WeeklyReport.values)))}
    seen: dict[tuple[int, int], int] = {}

    def check(row: dict) -> RowOutcome:
        values = row["values"]
        company_id = index.named_company(values)
        enrollment_id = enrollments.get(company_id)
        if enrollment_id is None:
            raise RuleError(_("이 과정에 참여하지 않는 기업입니다. 먼저 참여 기업으로 등록하세요."), field="company")
        week = check_reportable_week(cohort, whole_number(values.get("week"), field="week", maximum=10_000,
                                                          what=_("주차"), required=True))
        if earlier := _in_file_twice(seen, (enrollment_id, week), row["line"]):
            raise RuleError(_("이 파일의 %(line)d행에 같은 기업의 같은 주차 보고가 있습니다.", line=earlier),
                            field="week")
        report = reports.get((enrollment_id, week))
        status = _kept(values, "status", report.status if report else None)
        if isinstance(status, str) and status.strip():
            status = _labelled(ReportStatus, status, "status", _l("진행 상태를 순조·주의·지연 중에서 고르세요."))
        text = {key: _kept(values, key, getattr(report, key) if report else None) for key in REPORT_TEXT_KEYS}
        cleaned = clean_report_fields(ReportFields(status=status or None, **text))
        amounts_now = {value.indicator_id: value.value for value in report.values} if report else {}
        amounts = clean_indicator_values(cohort, {
            indicator.id: _kept(values, indicator_field(indicator.id), amounts_now.get(indicator.id, 0))
            for indicator in cohort.indicators})
        return RowOutcome(match=RowMatch.UPDATE if report else RowMatch.NEW, target_id=report.id if report else None,
                          values={"enrollment_id": enrollment_id, "week": week,
                                  "fields": {**cleaned, "status": cleaned["status"].value},
                                  "indicators": {str(key): value for key, value in amounts.items()}})

    return check


# --- coaching sessions --------------------------------------------------------------------------------------


SESSION_TEXT_KEYS = ("content", "recommendations")


def _coaching_session_checker(rows: list[dict], context: CheckContext):
    """Checks session rows by the session form's rule: the company must be one the user may see (a coach's own
    companies: another company's row is refused), the coach one assigned to it (a coach records as
    themselves). A session of the same company, coach, day and topic is an update."""
    actor = context.actor
    index = _CompanyIndex()
    named = {index.quietly(row["values"]) for row in rows} - {None}
    visible = set()
    named_ids = sorted(named)
    for start in range(0, len(named_ids), CHUNK):
        visible.update(db.session.scalars(visible_to(
            sa.select(Company.id).where(Company.id.in_(named_ids[start:start + CHUNK])), actor)))
    companies = load_in_chunks(Company, visible, selectinload(Company.coach_links).joinedload(CompanyCoach.coach))
    coaches_by_name: dict[str, set[int]] = {}
    for user_id, name, login_id in db.session.execute(sa.select(User.id, User.name, User.login_id)
                                                      .where(User.role == Role.COACH)):
        coaches_by_name.setdefault(name.strip(), set()).add(user_id)
        coaches_by_name.setdefault(login_id, set()).add(user_id)
    sessions = {}
    visible_ids = sorted(visible)
    for start in range(0, len(visible_ids), CHUNK):
        for session in db.session.scalars(sa.select(CoachingSession).where(
                CoachingSession.company_id.in_(visible_ids[start:start + CHUNK]))):
            sessions.setdefault((session.company_id, session.coach_id, session.held_on, session.topic), session)
    seen: dict[tuple, int] = {}

    def coach_named(text: str | None) -> int | None:
        if actor.role is Role.COACH:
            return actor.id  # a coach records as themselves, as the form does
        ids = coaches_by_name.get((text or "").strip(), set())
        if len(ids) > 1:
            raise RuleError(_("같은 이름의 코치가 여러 명 있습니다. 로그인 아이디로 쓰세요."), field="coach_id")
        return next(iter(ids), None)

    def check(row: dict) -> RowOutcome:
        values = row["values"]
        company_id = index.named_company(values)
        company = companies.get(company_id)
        if company is None:
            raise RuleError(_("배정된 기업이 아닙니다. 자신에게 배정된 기업의 코칭만 가져올 수 있습니다."),
                            field="company")
        coach_id = coach_named(values.get("coach_id"))
        held_on = _date_of(values["held_on"], "held_on") if values.get("held_on") else None
        topic = (values.get("topic") or "").strip()
        key = (company_id, coach_id, held_on, topic)
        if earlier := _in_file_twice(seen, key, row["line"]):
            raise RuleError(_("이 파일의 %(line)d행과 같은 코칭입니다 (기업·코치·일자·주제).", line=earlier),
                            field="topic")
        session = sessions.get(key)
        mode = _kept(values, "mode", session.mode if session else None)
        if isinstance(mode, str) and mode.strip():
            mode = _labelled(SessionMode, mode, "mode", _l("진행 방식을 선택하세요."))
        cleaned = clean_session_fields(
            company, coach=coach_id, held_on=held_on,
            duration_minutes=_kept(values, "duration_minutes", session.duration_minutes if session else None),
            mode=mode or None, topic=topic, actor=actor, session=session,
            **{key: _kept(values, key, getattr(session, key) if session else None) for key in SESSION_TEXT_KEYS})
        return RowOutcome(match=RowMatch.UPDATE if session else RowMatch.NEW, target_id=session.id if session else None,
                          values={"company_id": company_id, "fields": {key: _json_value(value)
                                                                       for key, value in cleaned.items()}})

    return check


KINDS = {
    ImportKind.COMPANIES: Kind(
        fields=(
            Field("name", _l("기업명"), ("기업명", "업체명", "회사명", "상호", "company", "company name", "name"),
                  required=True),
            Field("aliases", _l("브랜드명(별칭)"), ("브랜드명(별칭)", "브랜드명", "별칭", "alias", "aliases", "brand")),
            Field("enterprise_type", _l("기업유형"), ("기업유형", "유형", "기업형태", "type", "enterprise type")),
            Field("business_number", _l("사업자등록번호"),
                  ("사업자등록번호", "사업자번호", "business number", "business registration number")),
            Field("region", _l("지역"), ("지역", "소재지", "시도", "region", "location")),
            Field("industry", _l("업종"), ("업종", "industry")),
            Field("contact_name", _l("담당자"), ("담당자", "대표자", "대표", "contact", "contact name",
                                                 "representative", "ceo")),
            Field("phone", _l("연락처"), ("연락처", "전화", "전화번호", "phone", "tel")),
            Field("email", _l("이메일"), ("이메일", "메일", "email", "e-mail")),
            Field("website", _l("홈페이지"), ("홈페이지", "website", "homepage")),
            Field("shop_url", _l("쇼핑몰"), ("쇼핑몰", "shop", "shop url")),
            Field("stage", _l("단계 (새 기업만)"), ("단계", "stage")),
            Field("source", _l("발굴 경로"), ("발굴 경로", "발굴경로", "source")),
            Field("discovered_on", _l("발굴일"), ("발굴일", "discovered on")),
            Field("note", _l("메모"), ("메모", "비고", "note", "notes")),
        ),
        export_only_headers=("단계 변경일", "담당 코디네이터", "담당 코치"),
        template_example=("함께하는협동조합", "함께장터", "협동조합", "123-45-67891", "서울특별시", "식품",
                          "홍길동", "02-1234-5678", "hello@example.kr", "https://example.kr", "", "발굴", "",
                          "2021-11-25", ""),
        make_checker=_company_checker,
        placeholders={"enterprise_type": EnterpriseType.OTHER.value},
    ),
    ImportKind.PRODUCTS: Kind(
        fields=(
            Field("company", _l("기업명"), ("기업명", "업체명", "회사명", "company", "company name"), required=True),
            Field("business_number", _l("사업자등록번호"),
                  ("사업자등록번호", "사업자번호", "business number", "business registration number")),
            Field("name", _l("상품명"), ("상품명", "제품명", "상품", "product", "product name"), required=True),
            Field("category", _l("분류"), ("분류", "카테고리", "category")),
            Field("price", _l("가격"), ("가격", "판매가", "단가", "price")),
        ),
        export_only_headers=(),
        template_example=("함께하는협동조합", "123-45-67891", "유기농 쌀 10kg", "식품", "32,000"),
        make_checker=_product_checker,
    ),
    ImportKind.PARTICIPATIONS: Kind(
        fields=(
            Field("company", _l("기업명"), ("기업명", "업체명", "회사명", "구분", "company", "company name"),
                  required=True),
            Field("business_number", _l("사업자등록번호"),
                  ("사업자등록번호", "사업자번호", "business number", "business registration number")),
            Field("status", _l("참여 상태"), ("참여 상태", "상태", "status")),
            Field("sales_before", _l("이전 매출(원)"),
                  ("이전 매출(원)", "이전 매출", "판매 전", "판매 전 매출", "오픈전", "기획전 전", "sales before",
                   "before")),
            Field("sales_after", _l("이후 매출(원)"),
                  ("이후 매출(원)", "이후 매출", "판매 후", "판매 후 매출", "오픈후", "기획전 후", "sales after",
                   "after")),
            Field("stated_change_rate", _l("기재 변화율"), ("기재 변화율", "매출 변화율", "변화율", "change rate")),
        ),
        export_only_headers=("계산 변화율",),
        template_example=("함께하는협동조합", "123-45-67891", "완료", "76,266,640", "77,562,820", "2%"),
        make_checker=_participation_checker,
        scope="campaign",
    ),
    ImportKind.WEEKLY_REPORTS: Kind(
        fields=(
            Field("company", _l("기업명"), ("기업명", "업체명", "회사명", "company", "company name"), required=True),
            Field("business_number", _l("사업자등록번호"),
                  ("사업자등록번호", "사업자번호", "business number", "business registration number")),
            Field("week", _l("주차"), ("주차", "주", "week"), required=True),
            Field("status", _l("진행 상태"), ("진행 상태", "상태", "status")),
            Field("work_done", _l("수행 내역"), ("수행 내역", "수행내용", "work done")),
            Field("next_plan", _l("다음 주 계획"), ("다음 주 계획", "차주 계획", "next plan")),
            Field("difficulties", _l("애로사항"), ("애로사항", "difficulties")),
        ),
        export_only_headers=("프로젝트", "제출일시", "검토 의견", "검토일시"),
        template_example=("함께하는협동조합", "123-45-67891", "1", "순조", "상세페이지 기획", "촬영", ""),
        make_checker=_weekly_report_checker,
        placeholders={"work_done": "-", "status": ReportStatus.ON_TRACK.value},
        scope="cohort",
    ),
    ImportKind.COACHING_SESSIONS: Kind(
        fields=(
            Field("held_on", _l("일자"), ("일자", "코칭 일자", "날짜", "date", "held on"), required=True),
            Field("company", _l("기업"), ("기업", "기업명", "업체명", "company", "company name"), required=True),
            Field("business_number", _l("사업자등록번호"),
                  ("사업자등록번호", "사업자번호", "business number", "business registration number")),
            Field("coach_id", _l("코치"), ("코치", "전문가", "coach")),
            Field("mode", _l("방식"), ("방식", "진행 방식", "mode")),
            Field("duration_minutes", _l("시간(분)"), ("시간(분)", "시간", "duration", "minutes")),
            Field("topic", _l("주제"), ("주제", "topic"), required=True),
            Field("content", _l("내용"), ("내용", "content")),
            Field("recommendations", _l("제언"), ("제언", "recommendations")),
        ),
        export_only_headers=("실행과제 수", "미완료 과제 수"),
        template_example=("2021-11-25", "함께하는협동조합", "", "", "대면", "90", "온라인 판로 전략",
                          "스마트스토어 상세페이지 점검", "상세페이지 첫 화면에 가치 문구를 넣을 것"),
        make_checker=_coaching_session_checker,
        # The earliest day a session may have (an unlikely one, so that no real row seems its duplicate).
        placeholders={"held_on": "2000-01-01", "mode": SessionMode.IN_PERSON.value, "duration_minutes": "60",
                      "topic": "-"},
    ),
}


def fields_for(kind: ImportKind, cohort: Cohort | None = None) -> tuple[Field, ...]:
    """The fields of a kind; a weekly-report import has one more per indicator of its cohort."""
    return KINDS[kind].fields + indicator_fields(cohort)


def batch_fields(batch: ImportBatch) -> tuple[Field, ...]:
    return fields_for(batch.kind, cohort_with_indicators(batch.cohort_id) if batch.cohort_id else None)


def _existing_companies(ids) -> dict[int, CompanyFields]:
    """Current values of the companies rows matched, with their aliases, in a few statements."""
    return {company_id: company_fields_of(company)
            for company_id, company in load_in_chunks(Company, ids, selectinload(Company.aliases)).items()}
