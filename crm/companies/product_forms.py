from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.companies.models import LISTING_STATUS_LABELS
from crm.companies.products import CATEGORY_MAX, NAME_MAX, clean_price
from crm.core.errors import RuleError
from crm.core.forms import BaseForm, VersionedForm

NOTE_MAX = 2000
STATUS_CHOICES = [(status.value, label) for status, label in LISTING_STATUS_LABELS.items()]


def _is_a_price(form, field) -> None:
    """The service's price rule, checked here too so that every problem shows on the first submit."""
    try:
        clean_price(field.data)
    except RuleError as error:
        raise ValidationError(error.message) from error


class ProductForm(VersionedForm):
    name = StringField(_l("상품명"), validators=[DataRequired(_l("상품명을 입력하세요.")),
                                              Length(max=NAME_MAX, message=_l("상품명은 200자 이하입니다."))])
    category = StringField(_l("분류"), validators=[Optional(),
                                                 Length(max=CATEGORY_MAX, message=_l("분류는 100자 이하입니다."))])
    # Text, not IntegerField: "12,000원" is accepted and 1.5 gets the price rule's own message.
    price = StringField(_l("가격 (원)"), validators=[_is_a_price], render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("저장"))


class ListingForm(BaseForm):
    """Move a product's listing on one store; the template renders one per store."""

    store_id = HiddenField()
    # Any status is accepted here: whether the move is allowed is the service's rule (LISTING_MOVES).
    status = SelectField(_l("새 상태"), choices=STATUS_CHOICES, validate_choice=False)
    note = TextAreaField(_l("메모 (반려 시 사유)"), validators=[Optional(),
                                                         Length(max=NOTE_MAX, message=_l("메모는 2000자 이하입니다."))])
    submit = SubmitField(_l("상태 변경"))
