"""Forms of weekly reports (staff and submission link), reviews, comments and submission links.

A report form gets one text field per indicator of its cohort (`indicator_<id>`), added by `report_form_for`."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.core.errors import RuleError
from crm.core.forms import BaseForm, VersionedForm
from crm.programs import progress
from crm.programs.links import DEFAULT_DAYS_VALID, check_days_valid
from crm.programs.models import REPORT_STATUS_LABELS, Indicator

STATUS_CHOICES = [(status.value, label) for status, label in REPORT_STATUS_LABELS.items()]


def _optional_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # not a week: the service refuses it with its own message


def _indicator_rule(form, field) -> None:
    try:
        progress.clean_indicator_value(field.data, field.name)
    except RuleError as error:
        raise ValidationError(error.message) from error


class ReportForm(BaseForm):
    work_done = TextAreaField(_l("수행 내역"), validators=[DataRequired(_l("수행 내역을 입력하세요.")),
                                                       Length(max=progress.TEXT_MAX)], render_kw={"rows": 5})
    next_plan = TextAreaField(_l("다음 주 계획"), validators=[Optional(), Length(max=progress.TEXT_MAX)],
                              render_kw={"rows": 3})
    difficulties = TextAreaField(_l("애로사항"), validators=[Optional(), Length(max=progress.TEXT_MAX)],
                                 render_kw={"rows": 3})
    status = SelectField(_l("진행 상태"), choices=STATUS_CHOICES)
    submit = SubmitField(_l("제출"))

    indicator_fields: tuple[str, ...] = ()

    def indicator_inputs(self):
        return [self[name] for name in self.indicator_fields]

    def fields(self) -> progress.ReportFields:
        return progress.ReportFields(work_done=self.work_done.data, status=self.status.data,
                                     next_plan=self.next_plan.data, difficulties=self.difficulties.data)

    def indicator_values(self) -> dict[int, str]:
        return {int(name.removeprefix("indicator_")): self[name].data for name in self.indicator_fields}

    def fill_values(self, report) -> None:
        """Show a report's indicator values in the form (on edit)."""
        amounts = {value.indicator_id: value.value for value in report.values}
        for name in self.indicator_fields:
            self[name].data = f"{amounts.get(int(name.removeprefix('indicator_')), 0):,}"


class StaffReportForm(VersionedForm, ReportForm):
    """A coordinator records or corrects a report; an edit carries the version it was opened on."""


class LinkReportForm(ReportForm):
    """What a company fills in through its link: the week among those still open."""

    week = SelectField(_l("주차"), coerce=_optional_int, validate_choice=False)

    def set_weeks(self, weeks: list[int], cohort) -> None:
        self.week.choices = [(week, _l("%(week)d주차 (%(start)s ~ %(end)s)", week=week,
                                       start=_day(cohort.week_start_on(week)), end=_day(cohort.week_end_on(week))))
                             for week in weeks]


def _day(day) -> str:
    return f"{day.month}. {day.day}."


def report_form_for(form_class: type[ReportForm], indicators: list[Indicator], **kwargs) -> ReportForm:
    """An instance of `form_class` with a field for each indicator of the cohort."""
    names = tuple(progress.indicator_field(indicator.id) for indicator in indicators)
    fields = {name: StringField(f"{indicator.name} ({indicator.unit})", validators=[_indicator_rule],
                                render_kw={"inputmode": "numeric"}, default="0")
              for name, indicator in zip(names, indicators, strict=True)}
    bound = type(form_class.__name__, (form_class,), {**fields, "indicator_fields": names})
    return bound(**kwargs)


class ReviewForm(VersionedForm):
    comment = TextAreaField(_l("검토 의견"), validators=[Optional(), Length(max=progress.COMMENT_MAX)],
                            render_kw={"rows": 3})
    submit = SubmitField(_l("검토 완료"))


class CommentForm(BaseForm):
    body = TextAreaField(_l("의견"), validators=[DataRequired(_l("의견을 입력하세요.")),
                                               Length(max=progress.COMMENT_MAX)], render_kw={"rows": 3})
    # Not `submit`: the review form on the same page has one, and ids must be unique.
    post_comment = SubmitField(_l("의견 남기기"))


class LinkForm(BaseForm):
    # Text, not IntegerField: "30일" or "-5" gets the rule's own Korean message.
    days_valid = StringField(_l("유효 기간 (일)"), default=str(DEFAULT_DAYS_VALID), render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("제출 링크 발급"))

    def days(self) -> int | None:
        try:
            return int((self.days_valid.data or "").replace(",", "").strip())
        except ValueError:
            return None

    def validate_days_valid(self, field) -> None:
        try:
            check_days_valid(self.days())
        except RuleError as error:
            raise ValidationError(error.message) from error
