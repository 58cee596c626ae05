"""Forms of needs assessments: recording one, and assigning a matched coach."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from crm.coaching.assessments import TEXT_MAX
from crm.coaching.pool_forms import CheckboxesField
from crm.core.forms import BaseForm
from crm.core.time import seoul_today


class AssessmentForm(BaseForm):
    assessed_on = DateField(_l("파악한 날짜"), default=seoul_today, validators=[Optional()])
    needs = CheckboxesField(_l("니즈 (지원이 필요한 분야)"), coerce=int, validators=[Optional()])
    problems = TextAreaField(_l("현재 문제점"), validators=[Optional(), Length(max=TEXT_MAX)], render_kw={"rows": 4})
    improvements = TextAreaField(_l("자립을 위해 개선할 점"), validators=[Optional(), Length(max=TEXT_MAX)],
                                 render_kw={"rows": 4})
    submit = SubmitField(_l("저장"))

    def set_choices(self, specialties) -> None:
        self.needs.choices = [(s.id, s.name) for s in specialties]


class AssignForm(BaseForm):
    coach_id = HiddenField()

    @property
    def coach_id_number(self) -> int | None:
        try:
            return int(self.coach_id.data)
        except (TypeError, ValueError):
            return None
