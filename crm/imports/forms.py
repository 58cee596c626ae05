from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, SelectField, SelectMultipleField
from wtforms.validators import Optional

from crm.core.forms import BaseForm
from crm.imports.kinds import batch_fields
from crm.imports.models import ImportKind


def _optional_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # none chosen, or not a number: the service refuses it with its own message


class UploadForm(BaseForm):
    kind = SelectField(_l("가져올 내용"), default=ImportKind.COMPANIES.value)
    campaign_id = SelectField(_l("캠페인 (참여기업과 매출을 가져올 때)"), coerce=_optional_int, validate_choice=False,
                              validators=[Optional()])
    cohort_id = SelectField(_l("26주 과정 (주간 업무 보고를 가져올 때)"), coerce=_optional_int, validate_choice=False,
                            validators=[Optional()])
    file = FileField(_l("파일 (CSV 또는 XLSX, 10MB 이하)"), validators=[FileRequired(_l("파일을 고르세요."))])

    def set_choices(self, *, kinds, campaigns, cohorts) -> None:
        """Labels are translated per request, so the choices are made here rather than at import time."""
        self.kind.choices = [(kind.value, kind.label) for kind in kinds]
        if not self.is_submitted() and self.kind.data not in {kind.value for kind in kinds}:
            self.kind.data = kinds[0].value
        nothing = [("", _l("선택하세요"))]
        self.campaign_id.choices = nothing + [(campaign.id, campaign.name) for campaign in campaigns]
        self.cohort_id.choices = nothing + [(cohort.id, f"{cohort.program.name} · {cohort.name}")
                                            for cohort in cohorts]


class MappingForm(BaseForm):
    """For each column of the file, the field it feeds ('' = not imported); and whether matches are updated."""

    columns = FieldList(SelectField(validate_choice=True))
    update_existing = BooleanField(_l("기존 기록과 일치하는 행은 수정합니다 (끄면 모두 건너뜁니다)"))

    @classmethod
    def for_batch(cls, batch, formdata=None):
        form = cls(formdata=formdata, data=None if formdata else {
            "columns": [key or "" for key in batch.column_mapping], "update_existing": batch.update_existing})
        choices = [("", str(_l("가져오지 않음")))] + [(item.key, str(item.label)) for item in batch_fields(batch)]
        while len(form.columns) < len(batch.headers):
            form.columns.append_entry("")
        for entry, header in zip(form.columns, batch.headers, strict=False):
            entry.choices = choices
            entry.label.text = header or str(_l("(제목 없음)"))
        return form

    @property
    def mapping(self) -> list[str | None]:
        return [entry.data or None for entry in self.columns]


class UpdateChoiceForm(BaseForm):
    """Per row matching an existing record, shown on the preview: update the record (checked) or skip it."""

    shown_lines = SelectMultipleField(coerce=int, validate_choice=False)
    update_lines = SelectMultipleField(coerce=int, validate_choice=False)
