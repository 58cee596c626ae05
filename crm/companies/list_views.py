"""/companies/: the company list — search, filters, sort, pages — and its CSV/XLSX export."""
from flask import render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from crm.auth.models import COORDINATION, Role
from crm.companies import queries, services
from crm.companies.models import ENTERPRISE_TYPE_LABELS, Company
from crm.companies.pipeline import STAGE_LABELS
from crm.companies.queries import Direction, Sort
from crm.companies.views import bp
from crm.core.access import signed_in
from crm.core.export import export_response
from crm.core.forms import BaseForm
from crm.core.pagination import paginate
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
LIST_SEPARATOR = ", "


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
        self.region.choices = _all(_l("전체")) + [(region.code, region.name) for region in services.regions()]
        self.coordinator_id.choices = _all(_l("전체")) + [
            (user.id, user.name) for user in services.users_with_role(*COORDINATION)]
        self.coach_id.choices = _all(_l("전체")) + [
            (user.id, user.name) for user in services.users_with_role(Role.COACH)]

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
    page = paginate(queries.company_list_statement(current_user, **form.filters()))
    today = seoul_today()
    return render_template("companies/index.html", form=form, page=page, today=today,
                           warning_for=lambda company: queries.certification_warning(company, today),
                           can_create=current_user.role in COORDINATION, sort_labels=SORT_LABELS), \
        200 if valid else 422


@bp.get("/")
@signed_in
def index():
    return _render_index(*_filter_form())


def _names(items) -> str:
    return LIST_SEPARATOR.join(items)


def _export_row(company: Company) -> list:
    return [
        company.name,
        _names(alias.name for alias in company.aliases),
        company.enterprise_type.label,
        company.business_number_display,
        company.region.name if company.region else None,
        company.industry,
        company.contact_name,
        company.phone,
        company.email,
        company.website,
        company.shop_url,
        company.stage.label,
        as_utc(company.stage_since).astimezone(SEOUL).date(),
        company.coordinator.name if company.coordinator else None,
        _names(coach.name for coach in company.coaches),
        company.source,
        company.discovered_on,
    ]


@bp.get("/export.<any(csv, xlsx):fmt>")
@signed_in
def export(fmt: str):
    """Exactly the filtered list, every page of it, with the headers the import reads back."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    companies = db.session.scalars(queries.company_list_statement(current_user, **form.filters())).all()
    # Labels in Korean whatever the reader's language: the file is read back by the import.
    with force_locale("ko"):
        rows = [_export_row(company) for company in companies]
    return export_response(fmt, "companies", EXPORT_HEADERS, rows, sheet_title="기업")
