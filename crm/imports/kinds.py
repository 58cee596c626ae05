"""What each kind of import reads: its fields, the headers that name them, and how a row is checked against the
rules the forms use (crm.companies.services.clean_company_fields, crm.companies.products.clean_product_fields)."""
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

from crm.companies.models import Company, CompanyAlias, EnterpriseType, Product, Region
from crm.companies.pipeline import Stage
from crm.companies.products import clean_product_fields
from crm.companies.rules import clean_business_number, name_key
from crm.companies.services import CompanyFields, clean_company_fields
from crm.core.errors import RuleError
from crm.extensions import db
from crm.imports.models import ImportKind, RowMatch
from crm.imports.reading import parse_date

# Statements that load existing records use IN lists of at most this many ids.
CHUNK = 1000
ALIAS_SEPARATOR = re.compile(r"\s*[,;]\s*")
_HEADER_NOISE = re.compile(r"[\s_\-·./()（）\[\]]")


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
class Kind:
    fields: tuple[Field, ...]
    # Headers the export writes that the import knows but does not read (they are derived or shown only).
    export_only_headers: tuple[str, ...]
    template_example: tuple[str, ...]
    make_checker: Callable[[list[dict]], Callable[[dict], RowOutcome]]

    def guess_mapping(self, headers: list[str]) -> list[str | None]:
        """For each header the field it names, or None; a field is taken by the first header naming it."""
        by_header = {header_key(name): item.key for item in self.fields for name in item.headers}
        mapping, taken = [], set()
        for header in headers:
            key = by_header.get(header_key(header))
            if key in taken:
                key = None
            taken.add(key)
            mapping.append(key)
        return mapping

    def is_export_only(self, header: str) -> bool:
        return header_key(header) in {header_key(name) for name in self.export_only_headers}


@cache
def _members_by_korean_label(enum_class) -> dict:
    with force_locale("ko"):
        return {header_key(member.label): member for member in enum_class}


def _labelled(enum_class, text: str, field_name: str, message):
    """An enum member given by its value or its Korean label."""
    text = text.strip()
    member = _members_by_korean_label(enum_class).get(header_key(text))
    if member is None:
        try:
            member = enum_class(text)
        except ValueError:
            raise RuleError(message, field=field_name) from None
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

    def find(self, *, number: str | None, name: str | None) -> int | None:
        """The matching company's id, None for no match; a RuleError when the name fits several companies."""
        if number and number in self.by_number:
            return self.by_number[number]
        ids = self.by_name.get(name_key(name), set()) if name else set()
        if len(ids) > 1:
            raise RuleError(_("같은 이름의 기업이 여러 곳 있습니다. 사업자등록번호로 구분하세요."), field="name")
        return next(iter(ids), None)


def load_in_chunks(model, ids, *options) -> dict[int, object]:
    found = {}
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        stmt = sa.select(model).where(model.id.in_(ids[start:start + CHUNK])).options(*options)
        found.update((record.id, record) for record in db.session.scalars(stmt))
    return found


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


def _company_checker(rows: list[dict]):
    """Checks company rows: matching by business number, then by name or alias (one statement each), and
    within the file no two rows with the same business number or name."""
    regions = list(db.session.scalars(sa.select(Region)))
    index = _CompanyIndex()
    existing = _existing_companies({_find_quietly(index, row["values"], "name") for row in rows} - {None})
    seen_numbers: dict[str, int] = {}
    seen_names: dict[str, int] = {}

    def check(row: dict) -> RowOutcome:
        outcome = RowOutcome()
        values = row["values"]
        try:
            number = clean_business_number(values.get("business_number"))
            target_id = index.find(number=number, name=values.get("name"))
            if number and number in seen_numbers:
                raise RuleError(_("이 파일의 %(line)d행과 사업자등록번호가 같습니다.", line=seen_numbers[number]),
                                field="business_number")
            key = name_key(values.get("name"))
            if key and key in seen_names and not number:
                raise RuleError(_("이 파일의 %(line)d행과 기업명이 같습니다.", line=seen_names[key]), field="name")
            if number:
                seen_numbers[number] = row["line"]
            if key:
                seen_names.setdefault(key, row["line"])
            fields = lay_company_row(values, existing.get(target_id))
            columns = clean_company_fields(fields, known_regions=regions)
            stage = _labelled(Stage, values["stage"], "stage", _("알 수 없는 단계입니다.")) if values.get(
                "stage") else Stage.SOURCED
        except RuleError as error:
            outcome.problems.append({"field": error.field, "message": error.message})
            return outcome
        outcome.match = RowMatch.UPDATE if target_id else RowMatch.NEW
        outcome.target_id = target_id
        outcome.values = {"stage": stage.value}
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
                                           _("알 수 없는 기업 유형입니다."))
    elif existing is None:
        raise RuleError(_("기업 유형을 입력하세요."), field="enterprise_type")
    if "discovered_on" in values:
        try:
            fields.discovered_on = parse_date(values["discovered_on"]) if values["discovered_on"] else None
        except RuleError as error:
            raise RuleError(error.message, field="discovered_on") from None
    if "aliases" in values:
        fields.aliases = split_aliases(values["aliases"])
    return fields


def _product_checker(rows: list[dict]):
    """Checks product rows: the company by business number or name (it must exist), the product by its name
    among the company's live products; within the file no company's product twice."""
    index = _CompanyIndex()
    seen: dict[tuple[int, str], int] = {}
    products_by_key: dict[tuple[int, str], int] = {}
    company_ids = sorted({_find_quietly(index, row["values"], "company") for row in rows} - {None})
    for start in range(0, len(company_ids), CHUNK):
        stmt = sa.select(Product.id, Product.company_id, Product.name).where(
            Product.company_id.in_(company_ids[start:start + CHUNK]))
        for product_id, company_id, name in db.session.execute(stmt):
            products_by_key.setdefault((company_id, name_key(name)), product_id)

    def check(row: dict) -> RowOutcome:
        outcome = RowOutcome()
        values = row["values"]
        try:
            company_id = index.find(number=clean_business_number(values.get("business_number")),
                                    name=values.get("company"))
            if company_id is None:
                raise RuleError(_("이 기업을 찾을 수 없습니다. 기업을 먼저 등록하세요."), field="company")
            cleaned = clean_product_fields(values.get("name"), values.get("category"), values.get("price"))
            key = (company_id, name_key(cleaned["name"]))
            if key in seen:
                raise RuleError(_("이 파일의 %(line)d행에 같은 기업의 같은 상품이 있습니다.", line=seen[key]),
                                field="name")
            seen[key] = row["line"]
        except RuleError as error:
            outcome.problems.append({"field": error.field, "message": error.message})
            return outcome
        outcome.target_id = products_by_key.get(key)
        outcome.match = RowMatch.UPDATE if outcome.target_id else RowMatch.NEW
        outcome.values = {"company_id": company_id}
        return outcome

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
}


def _find_quietly(index: _CompanyIndex, values: dict, name_field: str) -> int | None:
    """The company a row names, or None when it names none or is faulty (checking the row reports why)."""
    try:
        return index.find(number=clean_business_number(values.get("business_number")), name=values.get(name_field))
    except RuleError:
        return None


def _existing_companies(ids) -> dict[int, CompanyFields]:
    """Current values of the companies rows matched, with their aliases, in a few statements."""
    return {company_id: company_fields_of(company)
            for company_id, company in load_in_chunks(Company, ids, selectinload(Company.aliases)).items()}
