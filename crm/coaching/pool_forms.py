"""Forms of the expert pool: the pool filter, a coach's profile, the specialty list."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.coaching.pool import BIO_MAX, CONTACT_MAX, SPECIALTY_NAME_MAX
from crm.core.forms import BaseForm, VersionedForm


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (templates/coaching/_checkboxes.html draws it)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PoolFilterForm(BaseForm):
    specialty = SelectField(_l("전문 분야"), coerce=_optional_int, validators=[Optional()])

    class Meta:
        csrf = False

    def set_choices(self, specialties) -> None:
        self.specialty.choices = [(None, _l("전체"))] + [(s.id, s.name) for s in specialties]


class ProfileForm(VersionedForm):
    specialty_ids = CheckboxesField(_l("전문 분야"), coerce=int, validators=[Optional()])
    bio = TextAreaField(_l("소개"), validators=[Optional(), Length(max=BIO_MAX)], render_kw={"rows": 5})
    contact = StringField(_l("연락처"), validators=[Optional(), Length(max=CONTACT_MAX)],
                          render_kw={"placeholder": _l("전화번호 또는 이메일")})
    submit = SubmitField(_l("저장"))

    def set_choices(self, specialties) -> None:
        self.specialty_ids.choices = [
            (s.id, s.name if s.active else f"{s.name} ({_l('사용 중지')})") for s in specialties]


class SpecialtyForm(BaseForm):
    name = StringField(_l("새 분야 이름"), validators=[Optional(), Length(max=SPECIALTY_NAME_MAX)])
    submit = SubmitField(_l("추가"))


class SpecialtyStateForm(BaseForm):
    """Deactivate or activate one specialty (a button on each row of the list)."""

    specialty_id = HiddenField()
    active = HiddenField()
