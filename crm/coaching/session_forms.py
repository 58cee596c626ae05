"""Forms of coaching sessions: the session with its action-item rows, and the list's GET filters."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from crm.coaching import sessions
from crm.coaching.models import SESSION_MODE_LABELS
from crm.coaching.sessions import ActionItemFields
from crm.core.errors import RuleError
from crm.core.forms import BaseForm, VersionedForm

MODE_CHOICES = [(mode.value, label) for mode, label in SESSION_MODE_LABELS.items()]
# Blank rows a new session offers, and the most rows one form may send.
NEW_ITEM_ROWS = 5
EXTRA_ITEM_ROWS_ON_EDIT = 3
MAX_ITEM_ROWS = 50


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _service_rule(check, *, unless_empty: bool = False):
    """A form validator running one of the service's rules, so every problem shows on the first submit."""
    def validator(form, field) -> None:
        if unless_empty and field.data is None:
            return  # not given, or not a date: the field's own message says so
        try:
            check(field.data)
        except RuleError as error:
            raise ValidationError(error.message) from error
    return validator


class ActionItemForm(Form):
    """One action-item row; a row left blank is ignored."""

    id = HiddenField()
    what = StringField(_l("실행과제"), validators=[Optional(), Length(max=sessions.WHAT_MAX)])
    # Any user id is accepted here; who may own an item is the service's rule.
    owner_user_id = SelectField(_l("담당"), coerce=_optional_int, validate_choice=False)
    due_on = DateField(_l("기한"), validators=[Optional()])
    done_on = DateField(_l("완료일"), validators=[Optional()])
    remove = BooleanField(_l("삭제"))

    def item_id(self) -> int | None:
        try:
            return int(self.id.data) if self.id.data else None
        except ValueError:
            return -1  # not an item of the session: the service refuses it

    def fields(self) -> ActionItemFields:
        return ActionItemFields(what=self.what.data, owner_user_id=self.owner_user_id.data, due_on=self.due_on.data,
                                done_on=self.done_on.data, id=self.item_id(), remove=bool(self.remove.data))


class SessionForm(VersionedForm):
    coach_id = SelectField(_l("코치"), coerce=_optional_int, validate_choice=False)
    held_on = DateField(_l("코칭 일자"), validators=[InputRequired(_l("코칭 일자를 입력하세요.")),
                                                 _service_rule(sessions.check_held_on, unless_empty=True)])
    # Text, not IntegerField: "90분"-style mistakes get the duration rule's own Korean message.
    duration_minutes = StringField(_l("시간(분)"), validators=[_service_rule(sessions.clean_duration)],
                                   render_kw={"inputmode": "numeric"})
    mode = SelectField(_l("진행 방식"), choices=MODE_CHOICES)
    topic = StringField(_l("주제"), validators=[DataRequired(_l("주제를 입력하세요.")),
                                              Length(max=sessions.TOPIC_MAX, message=_l("주제는 200자 이하입니다."))])
    content = TextAreaField(_l("내용"), validators=[Optional(), Length(max=sessions.TEXT_MAX)],
                            render_kw={"rows": 6})
    recommendations = TextAreaField(_l("제언"), validators=[Optional(), Length(max=sessions.TEXT_MAX)],
                                    render_kw={"rows": 4})
    action_items = FieldList(FormField(ActionItemForm), min_entries=0, max_entries=MAX_ITEM_ROWS)
    submit = SubmitField(_l("저장"))

    def set_choices(self, *, coaches, owners, company_name: str) -> None:
        if "coach_id" in self:
            self.coach_id.choices = [("", _l("선택하세요"))] + [(user.id, user.name) for user in coaches]
        # Not lazy: a lazy string counts as safe markup in WTForms, and the company name is user text.
        owner_choices = [("", _("기업 (%(name)s)", name=company_name))]
        owner_choices += [(user.id, f"{user.name} · {user.role.label}") for user in owners]
        for row in self.action_items:
            row.form.owner_user_id.choices = owner_choices

    def add_blank_rows(self, count: int) -> None:
        for _index in range(count):
            if len(self.action_items) >= MAX_ITEM_ROWS:
                break
            self.action_items.append_entry()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for row in self.action_items:
            item = row.form.fields()
            if item.is_blank or item.remove:
                continue
            try:
                sessions.check_action_item(item)
            except RuleError as error:
                field = row.form[error.field]
                field.errors = [*field.errors, error.message]
                valid = False
        return valid

    def add_rule_error(self, error: RuleError) -> None:
        """A refusal naming a row's field (action_items-2-due_on) lands beside that field."""
        prefix = sessions.ACTION_ITEMS_FIELD + "-"
        if error.field and error.field.startswith(prefix):
            for row in self.action_items:
                for field in row.form:
                    if field.name == error.field:
                        field.errors = [*field.errors, error.message]
                        return
        super().add_rule_error(error)

    def item_fields(self) -> list[ActionItemFields]:
        """Every row, blank ones too, so that a refusal names the row as the form numbers it."""
        return [row.form.fields() for row in self.action_items]

    def service_arguments(self) -> dict:
        return {
            "coach": self.coach_id.data if "coach_id" in self else None,
            "held_on": self.held_on.data,
            "duration_minutes": self.duration_minutes.data,
            "mode": self.mode.data,
            "topic": self.topic.data,
            "content": self.content.data,
            "recommendations": self.recommendations.data,
            "action_items": self.item_fields(),
        }


class SessionFilterForm(BaseForm):
    """The list's GET filters; a value the form does not take is refused beside its field (422)."""

    coach_id = SelectField(_l("코치"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    company_id = SelectField(_l("기업"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    company_name = StringField(_l("기업명·브랜드명"), validators=[Optional(), Length(max=100)])
    specialty_id = SelectField(_l("코치 전문 분야"), coerce=_optional_int, validators=[Optional()],
                               validate_choice=False)
    date_from = DateField(_l("시작일"), validators=[Optional()])
    date_to = DateField(_l("종료일"), validators=[Optional()])

    class Meta:
        csrf = False

    def set_choices(self, *, coaches, companies, specialties) -> None:
        """Each as (id, label) pairs."""
        everyone = [("", _l("전체"))]
        self.coach_id.choices = everyone + list(coaches)
        self.company_id.choices = everyone + list(companies)
        self.specialty_id.choices = everyone + list(specialties)

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("종료일이 시작일보다 앞섭니다."))

    def filters(self) -> dict:
        """The arguments of session_list_statement; a field with an error filters nothing."""
        return {name: (None if self[name].errors else self[name].data or None)
                for name in ("coach_id", "company_id", "company_name", "date_from", "date_to", "specialty_id")}
