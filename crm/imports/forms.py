from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, SelectField

from crm.core.forms import BaseForm
from crm.imports.kinds import KINDS
from crm.imports.models import ImportKind


class UploadForm(BaseForm):
    kind = SelectField(_l("가져올 내용"), choices=[(kind.value, kind.label) for kind in ImportKind],
                       default=ImportKind.COMPANIES.value)
    file = FileField(_l("파일 (CSV 또는 XLSX, 10MB 이하)"), validators=[FileRequired(_l("파일을 고르세요."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels are translated per request, so the choices are made here rather than at import time.
        self.kind.choices = [(kind.value, kind.label) for kind in ImportKind]


class MappingForm(BaseForm):
    """For each column of the file, the field it feeds ('' = not imported); and whether matches are updated."""

    columns = FieldList(SelectField(validate_choice=True))
    update_existing = BooleanField(_l("기존 기록과 일치하는 행은 수정합니다 (끄면 건너뜁니다)"))

    @classmethod
    def for_batch(cls, batch, formdata=None):
        form = cls(formdata=formdata, data=None if formdata else {
            "columns": [key or "" for key in batch.column_mapping], "update_existing": batch.update_existing})
        choices = [("", str(_l("가져오지 않음")))] + [(item.key, str(item.label)) for item in KINDS[batch.kind].fields]
        while len(form.columns) < len(batch.headers):
            form.columns.append_entry("")
        for entry, header in zip(form.columns, batch.headers, strict=False):
            entry.choices = choices
            entry.label.text = header or str(_l("(제목 없음)"))
        return form

    @property
    def mapping(self) -> list[str | None]:
        return [entry.data or None for entry in self.columns]
