"""Forms of programme setup: programmes, cohorts with stage and indicator rows, enrollments, and list filters.

Numbers are text fields: the services parse "1,000" and refuse "-5" or "1.5" with their own Korean message."""
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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from crm.core.errors import RuleError
from crm.core.forms import BaseForm, VersionedForm
from crm.programs import setup
from crm.programs.models import (
    ENROLLMENT_STATUS_LABELS,
    FINAL_REPORT_STATUS_LABELS,
    SETTLEMENT_STATUS_LABELS,
    Cohort,
    Enrollment,
    Program,
)
from crm.programs.setup import IndicatorFields, StageFields

# Blank rows a new cohort offers, rows added to an existing one's, and the most rows a form may send.
NEW_STAGE_ROWS = 4
NEW_INDICATOR_ROWS = 3
EXTRA_ROWS_ON_EDIT = 2
MAX_STAGE_ROWS = 12
MAX_INDICATOR_ROWS = 12
NUMERIC = {"inputmode": "numeric"}


def optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # names nothing: the service refuses it with its message


def _row_id(field) -> int | None:
    return optional_int(field.data)


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(member.value, label) for member, label in labels.items()]


def _find_field(fields, name: str):
    """The field named `name` among the form's fields, inside rows and their lists too."""
    for field in fields:
        if field.name == name:
            return field
        if isinstance(field, FieldList):
            found = _find_field(field.entries, name)
        elif isinstance(field, FormField):
            found = _find_field(field.form, name)
        else:
            found = None
        if found is not None:
            return found
    return None


class RowAwareForm(BaseForm):
    def add_rule_error(self, error: RuleError) -> None:
        """A refusal naming a row's field (stages-2-first_week, indicators-0-targets-1) lands beside it."""
        field = _find_field(self, error.field) if error.field and "-" in error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            super().add_rule_error(error)


# --- programmes ---------------------------------------------------------------------------------------------


class ProgramForm(VersionedForm):
    year = StringField(_l("연도"), validators=[InputRequired(_l("연도를 입력하세요."))], render_kw=NUMERIC)
    name = StringField(_l("사업명"), validators=[DataRequired(_l("사업명을 입력하세요.")),
                                              Length(max=setup.NAME_MAX)])
    description = TextAreaField(_l("내용"), validators=[Optional(), Length(max=setup.TEXT_MAX)], render_kw={"rows": 4})
    note = TextAreaField(_l("비고"), validators=[Optional(), Length(max=setup.TEXT_MAX)], render_kw={"rows": 2})
    owner_id = SelectField(_l("담당자"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("저장"))

    def set_choices(self, owners) -> None:
        self.owner_id.choices = [("", _l("없음"))] + [(user.id, user.name) for user in owners]

    def service_arguments(self) -> dict:
        return {"year": self.year.data, "name": self.name.data, "description": self.description.data,
                "note": self.note.data, "owner_id": self.owner_id.data}

    @classmethod
    def for_program(cls, program: Program, **kwargs) -> "ProgramForm":
        return cls(formdata=None, data={"year": str(program.year), "name": program.name,
                                        "description": program.description, "note": program.note,
                                        "owner_id": program.owner_id, "version": program.version}, **kwargs)


class ProgramFilterForm(BaseForm):
    year = SelectField(_l("연도"), coerce=optional_int, validators=[Optional()], validate_choice=False)
    name = StringField(_l("사업명"), validators=[Optional(), Length(max=setup.NAME_MAX)])

    class Meta:
        csrf = False

    def set_choices(self, years) -> None:
        self.year.choices = [("", _l("전체"))] + [(year, str(year)) for year in years]

    def filters(self) -> dict:
        return {"year": None if self.year.errors else self.year.data,
                "name": None if self.name.errors else self.name.data}


# --- cohorts ------------------------------------------------------------------------------------------------


class StageRowForm(Form):
    """One stage row; a row left blank is ignored."""

    id = HiddenField()
    name = StringField(_l("단계 이름"), validators=[Optional(), Length(max=setup.STAGE_NAME_MAX)])
    first_week = StringField(_l("시작 주차"), render_kw=NUMERIC)
    last_week = StringField(_l("끝 주차"), render_kw=NUMERIC)
    remove = BooleanField(_l("삭제"))

    def fields(self) -> StageFields:
        return StageFields(name=self.name.data, first_week=self.first_week.data, last_week=self.last_week.data,
                           id=_row_id(self.id), remove=bool(self.remove.data))


class IndicatorRowForm(Form):
    """One indicator row with a cumulative target for each stage row (same position)."""

    id = HiddenField()
    name = StringField(_l("지표 이름"), validators=[Optional(), Length(max=setup.INDICATOR_NAME_MAX)])
    unit = StringField(_l("단위"), validators=[Optional(), Length(max=setup.UNIT_MAX)])
    targets = FieldList(StringField(_l("누적 목표"), render_kw=NUMERIC), min_entries=0, max_entries=MAX_STAGE_ROWS)
    remove = BooleanField(_l("삭제"))

    def fields(self) -> IndicatorFields:
        return IndicatorFields(name=self.name.data, unit=self.unit.data,
                               targets=[entry.data for entry in self.targets], id=_row_id(self.id),
                               remove=bool(self.remove.data))


class CohortForm(VersionedForm, RowAwareForm):
    program_id = SelectField(_l("사업"), coerce=optional_int, validate_choice=False)
    name = StringField(_l("과정 이름"), validators=[DataRequired(_l("과정 이름을 입력하세요.")),
                                                Length(max=setup.NAME_MAX)])
    start_on = DateField(_l("시작일"), validators=[InputRequired(_l("시작일을 입력하세요."))])
    weeks = StringField(_l("주 수"), validators=[InputRequired(_l("주 수를 입력하세요."))], render_kw=NUMERIC)
    note = TextAreaField(_l("메모"), validators=[Optional(), Length(max=setup.TEXT_MAX)], render_kw={"rows": 2})
    stages = FieldList(FormField(StageRowForm), min_entries=0, max_entries=MAX_STAGE_ROWS)
    indicators = FieldList(FormField(IndicatorRowForm), min_entries=0, max_entries=MAX_INDICATOR_ROWS)
    submit = SubmitField(_l("저장"))

    def set_choices(self, programs) -> None:
        self.program_id.choices = [("", _l("선택하세요"))] + [(program.id, f"{program.year} {program.name}")
                                                            for program in programs]

    def add_blank_rows(self, stages: int, indicators: int) -> None:
        for _index in range(min(stages, MAX_STAGE_ROWS - len(self.stages))):
            self.stages.append_entry()
        for _index in range(min(indicators, MAX_INDICATOR_ROWS - len(self.indicators))):
            self.indicators.append_entry()
        self.pad_targets()

    def pad_targets(self) -> None:
        """Every indicator row shows one target input per stage row."""
        for row in self.indicators:
            while len(row.form.targets) < len(self.stages):
                row.form.targets.append_entry()

    def service_arguments(self) -> dict:
        return {"program_id": self.program_id.data, "name": self.name.data, "start_on": self.start_on.data,
                "weeks": self.weeks.data, "note": self.note.data,
                "stages": [row.form.fields() for row in self.stages],
                "indicators": [row.form.fields() for row in self.indicators]}

    @classmethod
    def for_cohort(cls, cohort: Cohort, **kwargs) -> "CohortForm":
        """The cohort as it is: its stages in week order, each indicator's targets under its stage's row."""
        stages = sorted(cohort.stages, key=lambda stage: stage.first_week)
        indicators = []
        for indicator in cohort.indicators:
            by_stage = {target.stage_id: target.value for target in indicator.targets}
            indicators.append({"id": indicator.id, "name": indicator.name, "unit": indicator.unit,
                               "targets": [f"{by_stage[stage.id]:,}" if stage.id in by_stage else ""
                                           for stage in stages]})
        data = {"program_id": cohort.program_id, "name": cohort.name, "start_on": cohort.start_on,
                "weeks": str(cohort.weeks), "note": cohort.note, "version": cohort.version,
                "stages": [{"id": stage.id, "name": stage.name, "first_week": str(stage.first_week),
                            "last_week": str(stage.last_week)} for stage in stages],
                "indicators": indicators}
        return cls(formdata=None, data=data, **kwargs)


class CohortFilterForm(BaseForm):
    program_id = SelectField(_l("사업"), coerce=optional_int, validators=[Optional()], validate_choice=False)
    year = SelectField(_l("연도"), coerce=optional_int, validators=[Optional()], validate_choice=False)

    class Meta:
        csrf = False

    def set_choices(self, programs, years) -> None:
        self.program_id.choices = [("", _l("전체"))] + [(program.id, f"{program.year} {program.name}")
                                                       for program in programs]
        self.year.choices = [("", _l("전체"))] + [(year, str(year)) for year in years]

    def filters(self) -> dict:
        return {"program_id": None if self.program_id.errors else self.program_id.data,
                "year": None if self.year.errors else self.year.data}


# --- enrollments --------------------------------------------------------------------------------------------


class EnrollForm(BaseForm):
    company_id = SelectField(_l("기업"), coerce=optional_int, validate_choice=False,
                             validators=[InputRequired(_l("기업을 선택하세요."))])
    project_title = StringField(_l("사업명(프로젝트)"), validators=[DataRequired(_l("사업명(프로젝트)을 입력하세요.")),
                                                               Length(max=setup.NAME_MAX)])
    budget = StringField(_l("지원금(원)"), render_kw=NUMERIC)
    submit = SubmitField(_l("참여 기업 추가"))

    def set_choices(self, companies) -> None:
        self.company_id.choices = [("", _l("선택하세요"))] + [(company.id, company.name) for company in companies]

    def service_arguments(self) -> dict:
        return {"company_id": self.company_id.data, "project_title": self.project_title.data,
                "budget": self.budget.data}


class EnrollmentForm(VersionedForm):
    project_title = StringField(_l("사업명(프로젝트)"), validators=[DataRequired(_l("사업명(프로젝트)을 입력하세요.")),
                                                               Length(max=setup.NAME_MAX)])
    budget = StringField(_l("지원금(원)"), render_kw=NUMERIC)
    status = SelectField(_l("참여 상태"), choices=_choices(ENROLLMENT_STATUS_LABELS))
    final_report_status = SelectField(_l("최종 보고서"), choices=_choices(FINAL_REPORT_STATUS_LABELS))
    final_report_submitted_on = DateField(_l("최종 보고서 제출일"), validators=[Optional()])
    final_report_comment = TextAreaField(_l("검토 의견"), validators=[Optional(), Length(max=setup.TEXT_MAX)],
                                         render_kw={"rows": 3})
    settlement_status = SelectField(_l("정산 상태"), choices=_choices(SETTLEMENT_STATUS_LABELS))
    settlement_amount = StringField(_l("집행액(원)"), render_kw=NUMERIC)
    settlement_comment = TextAreaField(_l("정산 메모"), validators=[Optional(), Length(max=setup.TEXT_MAX)],
                                       render_kw={"rows": 3})
    submit = SubmitField(_l("저장"))

    def service_arguments(self) -> dict:
        return {name: self[name].data for name in (
            "project_title", "budget", "status", "final_report_status", "final_report_submitted_on",
            "final_report_comment", "settlement_status", "settlement_amount", "settlement_comment")}

    @classmethod
    def for_enrollment(cls, enrollment: Enrollment, **kwargs) -> "EnrollmentForm":
        def amount(value):
            return "" if value is None else f"{value:,}"

        data = {"project_title": enrollment.project_title, "budget": amount(enrollment.budget),
                "status": enrollment.status.value, "final_report_status": enrollment.final_report_status.value,
                "final_report_submitted_on": enrollment.final_report_submitted_on,
                "final_report_comment": enrollment.final_report_comment,
                "settlement_status": enrollment.settlement_status.value,
                "settlement_amount": amount(enrollment.settlement_amount),
                "settlement_comment": enrollment.settlement_comment, "version": enrollment.version}
        return cls(formdata=None, data=data, **kwargs)
