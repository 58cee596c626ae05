"""Forms of a participation's results. Numbers are text fields: the services parse "1,000" and refuse "-5"
or "1.5" with their own Korean message, beside the field."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.campaigns import results
from crm.campaigns.models import DELIVERABLE_KIND_LABELS, DELIVERABLE_STATUS_LABELS
from crm.core.forms import BaseForm, VersionedForm

NUMBER_INPUT = {"inputmode": "numeric"}


class MetricForm(BaseForm):
    """One metric kind's form; the page shows one per allowed kind, each with the kind as its prefix."""

    kind = HiddenField()
    value = StringField(_l("값"), render_kw=NUMBER_INPUT)
    on_date = DateField(_l("날짜 (선택, 비우면 캠페인 전체)"), validators=[Optional()])
    submit = SubmitField(_l("저장"))


class SaleSourceForm(BaseForm):
    name = StringField(_l("판매처"), validators=[DataRequired(_l("판매처를 입력하세요.")),
                                              Length(max=results.SOURCE_NAME_MAX)])
    quantity = StringField(_l("수량 (선택)"), render_kw=NUMBER_INPUT)
    amount = StringField(_l("금액 (원)"), render_kw=NUMBER_INPUT)
    submit = SubmitField(_l("저장"))


class CatalogProductForm(BaseForm):
    # Any id is accepted here; that the product is the company's own is the service's rule.
    product_id = SelectField(_l("상품"), validate_choice=False)
    concept = TextAreaField(_l("컨셉"), validators=[Optional(), Length(max=results.CATALOG_TEXT_MAX)],
                            render_kw={"rows": 2})
    selling_point = TextAreaField(_l("셀링포인트"), validators=[Optional(), Length(max=results.CATALOG_TEXT_MAX)],
                                  render_kw={"rows": 2})
    submit = SubmitField(_l("저장"))

    def set_products(self, products) -> None:
        self.product_id.choices = [("", _l("선택하세요"))] + [(str(product.id), product.name) for product in products]


class CatalogProductEditForm(BaseForm):
    concept = TextAreaField(_l("컨셉"), validators=[Optional(), Length(max=results.CATALOG_TEXT_MAX)],
                            render_kw={"rows": 3})
    selling_point = TextAreaField(_l("셀링포인트"), validators=[Optional(), Length(max=results.CATALOG_TEXT_MAX)],
                                  render_kw={"rows": 3})
    submit = SubmitField(_l("저장"))


class DeliverableForm(VersionedForm):
    kind = SelectField(_l("종류"), choices=[(kind.value, label) for kind, label in DELIVERABLE_KIND_LABELS.items()])
    status = SelectField(_l("상태"),
                         choices=[(status.value, label) for status, label in DELIVERABLE_STATUS_LABELS.items()])
    title = StringField(_l("제목 (선택)"), validators=[Optional(), Length(max=results.DELIVERABLE_TITLE_MAX)])
    url = StringField(_l("링크 (선택, http:// 또는 https://)"), validators=[Optional(), Length(max=results.URL_MAX)],
                      render_kw={"inputmode": "url"})
    submit = SubmitField(_l("저장"))

    def service_arguments(self) -> dict:
        return {"kind": self.kind.data, "status": self.status.data, "title": self.title.data, "url": self.url.data}
