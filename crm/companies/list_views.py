"""/companies/: the company list — search, filters, sort, pages — and its CSV/XLSX exports (the companies, and
the products of the companies it shows)."""
from collections.abc import Iterator

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from crm.auth.models import COORDINATION, Role, User
from crm.companies import queries, services
from crm.companies.models import ENTERPRISE_TYPE_LABELS, Company, EnterpriseType, Product
from crm.companies.pipeline import STAGE_LABELS, Stage
from crm.companies.queries import Direction, Sort
from crm.companies.rules import format_business_number
from crm.companies.views import bp
from crm.core.access import signed_in
from crm.core.cache import cached_rendering
from crm.core.export import export_response
from crm.core.forms import BaseForm
from crm.core.pagination import count_rows, paginate
from crm.core.time import SEOUL, as_utc, seoul_today
from crm.extensions import db

LISTED_CHOICES = {"": _l("전체"), "yes": _l("입점 상품 있음"), "no": _l("입점 상품 없음")}
SORT_LABELS = {Sort.NAME: _l("기업명"), Sort.STAGE: _l("단계"), Sort.DAYS: _l("단계 체류일"),
               Sort.CREATED: _l("등록일")}
DIRECTION_LABELS = {Direction.ASC: _l("오름차순"), Direction.DESC: _l("내림차순")}

# The export's columns. The import reads the same Korean headers back, so they are not translated.
EXPORT_HEADERS = ("기업명", "브랜드명(별칭)", "기업유형", "사업자등록번호", "지역", "업종", "담당자", "연락처",
                  "이메일", "홈페이지", "쇼핑몰", "단계", "단계 변경일", "담당 코디네이터", "담당 코치", "발굴 경로",
                  "발굴일")
# The products export's columns: the headers the products import reads.
PRODUCT_EXPORT_HEADERS = ("기업명", "사업자등록번호", "상품명", "분류", "가격")


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _all(label):
    return [("", label)]


class CompanyFilterForm(BaseForm):
    """The list's GET filters; a value the form does not know is refused beside its field (422)."""

    q = StringField(_l("기업명·브랜드명"), validators=[Optional(), Length(max=100)])
    enterprise_type = SelectField(_l("기업 유형"), validators=[Optional()],
                                  choices=_all(_l("전체")) + [(k.value, v) for k, v in ENTERPRISE_TYPE_LABELS.items()])
    region = SelectField(_l("지역"), validators=[Optional()])
    stage = SelectField(_l("단계"), validators=[Optional()],
                        choices=_all(_l("전체")) + [(k.value, v) for k, v in STAGE_LABELS.items()])
    listed = SelectField(_l("입점 여부"), validators=[Optional()], choices=list(LISTED_CHOICES.items()))
    # Ids, not choices: a user who has since been deactivated can still be filtered by.
    coordinator_id = SelectField(_l("담당 코디네이터"), coerce=_optional_int, validators=[Optional()],
                                 validate_choice=False)
    coach_id = SelectField(_l("담당 코치"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    sort = SelectField(_l("정렬"), choices=list(SORT_LABELS.items()), default=Sort.NAME.value)
    direction = SelectField(_l("순서"), choices=list(DIRECTION_LABELS.items()), default=Direction.ASC.value)

    class Meta:
        csrf = False

    def set_choices(self) -> None:
        self.region.choices = _all(_l("전체")) + services.region_choices()
        self.coordinator_id.choices = _all(_l("전체")) + services.user_choices(*COORDINATION)
        self.coach_id.choices = _all(_l("전체")) + services.user_choices(Role.COACH)

    def _value(self, name: str):
        field = self[name]
        return None if field.errors else field.data or None

    def filters(self) -> dict:
        """The arguments of company_list_statement; a field with an error filters nothing."""
        listed = self._value("listed")
        return {
            "q": (self._value("q") or "").strip() or None,
            "enterprise_type": self._value("enterprise_type"),
            "region": self._value("region"),
            "stage": self._value("stage"),
            "listed": {"yes": True, "no": False}.get(listed),
            "coordinator_id": self._value("coordinator_id"),
            "coach_id": self._value("coach_id"),
            "sort": self._value("sort") or Sort.NAME,
            "direction": self._value("direction") or Direction.ASC,
        }


def _filter_form() -> tuple[CompanyFilterForm, bool]:
    form = CompanyFilterForm(request.args)
    form.set_choices()
    return form, form.validate()


def _render_index(form: CompanyFilterForm, valid: bool):
    page = paginate(queries.company_list_statement(current_user, **form.filters(), columns=(Company.id,)),
                    cache_count=True)
    return render_template("companies/index.html", form=form, page=page, company_rows=_company_rows(page.items),
                           can_create=current_user.role in COORDINATION, sort_labels=SORT_LABELS), \
        200 if valid else 422


def _company_rows(company_ids: list[int]) -> Markup:
    """A page's rows, kept rendered until domain data changes: reading them took four statements, a third of the
    page's time, and rendering them as much again. They show nothing but the companies (the ids are already
    those the reader may see), so the ids and the Seoul day (days in stage, certification warnings) key them."""
    today = seoul_today()
    return cached_rendering(("company rows", tuple(company_ids), today), "companies/_rows.html", lambda: {
        "rows": queries.list_rows(company_ids, today),
        # Translated once per page rather than once per row.
        "type_labels": EnterpriseType.translated_labels(), "stage_labels": Stage.translated_labels(),
        "days_format": gettext("%(n)s일")})


@bp.get("/")
@signed_in
def index():
    return _render_index(*_filter_form())


# The companies of an export are read this many at a time: each chunk's aliases and coaches take one statement
# each, and memory stays flat however long the list is.
EXPORT_CHUNK = 1000
EXPORT_COLUMNS = (Company.id, Company.name, Company.enterprise_type, Company.business_number, Company.region_code,
                  Company.industry, Company.contact_name, Company.phone, Company.email, Company.website,
                  Company.shop_url, Company.stage, Company.stage_since, Company.coordinator_id, Company.source,
                  Company.discovered_on)


def _export_rows(stmt) -> Iterator[list]:
    """The export's rows, streamed a chunk of companies at a time; labels in Korean whatever the reader's language,
    since the file is read back by the import."""
    with force_locale("ko"):
        type_labels = EnterpriseType.translated_labels()
        stage_labels = Stage.translated_labels()
    region_names = dict(services.region_choices())
    user_names = dict(db.session.execute(sa.select(User.id, User.name)).all())
    result = db.session.execute(stmt.execution_options(yield_per=EXPORT_CHUNK))
    for chunk in result.partitions():
        ids = [row.id for row in chunk]
        aliases = queries.alias_names(ids)
        coaches = queries.coach_names(ids)
        for row in chunk:
            yield [
                row.name,
                aliases.get(row.id, ""),
                type_labels[row.enterprise_type],
                format_business_number(row.business_number),
                region_names.get(row.region_code),
                row.industry,
                row.contact_name,
                row.phone,
                row.email,
                row.website,
                row.shop_url,
                stage_labels[row.stage],
                as_utc(row.stage_since).astimezone(SEOUL).date(),
                user_names.get(row.coordinator_id),
                coaches.get(row.id, ""),
                row.source,
                row.discovered_on,
            ]


@bp.get("/export.<any(csv, xlsx):fmt>")
@signed_in
def export(fmt: str):
    """Exactly the filtered list, every page of it, with the headers the import reads back."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    stmt = queries.company_list_statement(current_user, **form.filters(), columns=EXPORT_COLUMNS)
    count = count_rows(stmt)
    return export_response(fmt, "companies", EXPORT_HEADERS, _export_rows(stmt), sheet_title="기업",
                           row_count=count)


def _product_export_row(company: Company, product: Product) -> list:
    return [company.name, company.business_number_display, product.name, product.category, product.price]


@bp.get("/products/export.<any(csv, xlsx):fmt>")
@signed_in
def export_products(fmt: str):
    """The live products of exactly the companies the filtered list shows, in its order, for the products import."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    companies = db.session.scalars(queries.company_list_statement(current_user, **form.filters())
                                   .options(selectinload(Company.products))).all()
    rows = [_product_export_row(company, product) for company in companies for product in company.products]
    return export_response(fmt, "products", PRODUCT_EXPORT_HEADERS, rows, sheet_title="상품")
