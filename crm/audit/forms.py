from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from crm.audit.models import ACTION_LABELS
from crm.core.forms import BaseForm

ACTION_CHOICES = [("", ""), *ACTION_LABELS.items()]


class AuditFilterForm(BaseForm):
    actor_id = SelectField(_l("사용자"), coerce=int, validators=[Optional()], validate_choice=False)
    record_type = SelectField(_l("기록 종류"), validators=[Optional()], validate_choice=False)
    record_id = StringField(_l("기록 번호"), validators=[Optional(), Length(max=40)])
    action = SelectField(_l("동작"), choices=ACTION_CHOICES, validators=[Optional()])
    date_from = DateField(_l("시작일"), validators=[Optional()])
    date_to = DateField(_l("종료일"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("종료일이 시작일보다 앞섭니다."))

    def filters(self) -> dict:
        return {
            "actor_id": self.actor_id.data or None,
            "record_type": self.record_type.data or None,
            "record_id": (self.record_id.data or "").strip() or None,
            "action": self.action.data or None,
            "date_from": self.date_from.data,
            "date_to": self.date_to.data,
        }
