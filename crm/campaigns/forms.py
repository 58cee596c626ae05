"""Forms of channels, campaigns (with their excluded ranges), participants and the sales table.

Money and counts are text fields: "1,000" is accepted and "-5" or "1.5" gets the service's Korean message
beside the field, rather than WTForms' English one."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from crm.campaigns import services
from crm.campaigns.models import (
    CAMPAIGN_KIND_LABELS,
    CAMPAIGN_STATUS_LABELS,
    CAMPAIGN_WINDOW_LABELS,
    CHANNEL_KIND_LABELS,
    PARTICIPATION_STATUS_LABELS,
)
from crm.campaigns.services import CampaignFields, ChannelFields, ExclusionFields, SalesRowFields
from crm.core.errors import RuleError
from crm.core.forms import BaseForm, VersionedForm

NEW_EXCLUSION_ROWS = 2
MAX_EXCLUSION_ROWS = 20
MAX_SALES_ROWS = 500
MONEY_ATTRIBUTES = {"inputmode": "numeric"}


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _choices(labels: dict, blank=None) -> list:
    options = [(member.value, label) for member, label in labels.items()]
    return ([("", blank)] if blank is not None else []) + options


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class _RowErrors:
    """A refusal naming a row's field (exclusions-1-ends_on) lands beside that field."""

    ROW_LISTS: tuple[str, ...] = ()

    def add_rule_error(self, error: RuleError) -> None:
        if error.field:
            for list_name in self.ROW_LISTS:
                for row in self[list_name]:
                    for row_field in row.form:
                        if row_field.name == error.field:
                            row_field.errors = [*row_field.errors, error.message]
                            return
        super().add_rule_error(error)


class ChannelForm(VersionedForm):
    name = StringField(_l("채널 이름"), validators=[DataRequired(_l("채널 이름을 입력하세요.")),
                                                 Length(max=services.CHANNEL_NAME_MAX)])
    kind = SelectField(_l("채널 유형"), choices=_choices(CHANNEL_KIND_LABELS))
    url = StringField(_l("주소"), validators=[Optional(), Length(max=services.URL_MAX)])
    note = TextAreaField(_l("메모"), validators=[Optional(), Length(max=services.TEXT_MAX)], render_kw={"rows": 3})
    active = BooleanField(_l("사용 중"), default=True)
    submit = SubmitField(_l("저장"))

    def fields(self) -> ChannelFields:
        return ChannelFields(name=self.name.data, kind=self.kind.data, url=self.url.data, note=self.note.data,
                             active=self.active.data)


class ExclusionForm(Form):
    """One excluded date range; a row left blank is ignored."""

    window = SelectField(_l("기간"), choices=_choices(CAMPAIGN_WINDOW_LABELS))
    starts_on = DateField(_l("제외 시작일"), validators=[Optional()])
    ends_on = DateField(_l("제외 종료일"), validators=[Optional()])
    reason = StringField(_l("사유"), validators=[Optional(), Length(max=services.REASON_MAX)])

    def fields(self) -> ExclusionFields:
        return ExclusionFields(window=self.window.data, starts_on=self.starts_on.data, ends_on=self.ends_on.data,
                               reason=self.reason.data)


class CampaignForm(_RowErrors, VersionedForm):
    ROW_LISTS = (services.EXCLUSIONS_FIELD,)

    name = StringField(_l("캠페인 이름"), validators=[DataRequired(_l("캠페인 이름을 입력하세요.")),
                                                  Length(max=services.NAME_MAX)])
    channel_id = SelectField(_l("유통채널"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    program_id = SelectField(_l("사업"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("유형"), choices=_choices(CAMPAIGN_KIND_LABELS))
    status = SelectField(_l("상태"), choices=_choices(CAMPAIGN_STATUS_LABELS))
    starts_on = DateField(_l("기간 시작일"), validators=[Optional()])
    ends_on = DateField(_l("기간 종료일"), validators=[Optional()])
    baseline_starts_on = DateField(_l("비교 기간 시작일"), validators=[Optional()])
    baseline_ends_on = DateField(_l("비교 기간 종료일"), validators=[Optional()])
    preopen_starts_on = DateField(_l("오픈예정 시작일"), validators=[Optional()])
    preopen_ends_on = DateField(_l("오픈예정 종료일"), validators=[Optional()])
    description = TextAreaField(_l("설명"), validators=[Optional(), Length(max=services.TEXT_MAX)],
                                render_kw={"rows": 3})
    stated_company_count = StringField(_l("기재 업체 수"), render_kw=MONEY_ATTRIBUTES)
    stated_product_count = StringField(_l("기재 제품 수"), render_kw=MONEY_ATTRIBUTES)
    stated_before_total = StringField(_l("기재 이전 매출 합계(원)"), render_kw=MONEY_ATTRIBUTES)
    stated_after_total = StringField(_l("기재 이후 매출 합계(원)"), render_kw=MONEY_ATTRIBUTES)
    stated_change_rate = StringField(_l("기재 매출 변화율"), validators=[Optional(), Length(max=30)])
    stated_source = StringField(_l("기재 출처"), validators=[Optional(), Length(max=services.SOURCE_MAX)])
    exclusions = FieldList(FormField(ExclusionForm), min_entries=0, max_entries=MAX_EXCLUSION_ROWS)
    submit = SubmitField(_l("저장"))

    def set_choices(self, *, channels, programs) -> None:
        self.channel_id.choices = [("", _l("선택 안 함"))] + [(channel.id, channel.name) for channel in channels]
        self.program_id.choices = [("", _l("선택 안 함"))] + [
            (program.id, f"{program.year} {program.name}") for program in programs]

    def show_figures_of(self, campaign) -> None:
        """The record's stated figures with thousands separators, as people read them (opening the edit form)."""
        for name in ("stated_company_count", "stated_product_count", "stated_before_total", "stated_after_total"):
            value = getattr(campaign, name)
            self[name].data = "" if value is None else f"{value:,}"

    def add_blank_rows(self, count: int = NEW_EXCLUSION_ROWS) -> None:
        for _index in range(count):
            if len(self.exclusions) >= MAX_EXCLUSION_ROWS:
                break
            self.exclusions.append_entry()

    def fields(self) -> CampaignFields:
        return CampaignFields(
            name=self.name.data, kind=self.kind.data, status=self.status.data, channel_id=self.channel_id.data,
            program_id=self.program_id.data, starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            baseline_starts_on=self.baseline_starts_on.data, baseline_ends_on=self.baseline_ends_on.data,
            preopen_starts_on=self.preopen_starts_on.data, preopen_ends_on=self.preopen_ends_on.data,
            description=self.description.data, stated_company_count=self.stated_company_count.data,
            stated_product_count=self.stated_product_count.data, stated_before_total=self.stated_before_total.data,
            stated_after_total=self.stated_after_total.data, stated_change_rate=self.stated_change_rate.data,
            stated_source=self.stated_source.data,
            exclusions=[row.form.fields() for row in self.exclusions])


class CampaignFilterForm(BaseForm):
    """The list's GET filters; a value the form does not take is refused beside its field (422)."""

    q = StringField(_l("캠페인 이름"), validators=[Optional(), Length(max=100)])
    channel_id = SelectField(_l("유통채널"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    program_id = SelectField(_l("사업"), coerce=_optional_int, validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("유형"), validators=[Optional()], choices=_choices(CAMPAIGN_KIND_LABELS, _l("전체")))
    status = SelectField(_l("상태"), validators=[Optional()], choices=_choices(CAMPAIGN_STATUS_LABELS, _l("전체")))
    year = SelectField(_l("연도"), coerce=_optional_int, validators=[Optional()], validate_choice=False)

    class Meta:
        csrf = False

    def set_choices(self, *, channels, programs, years) -> None:
        everyone = [("", _l("전체"))]
        self.channel_id.choices = everyone + [(channel.id, channel.name) for channel in channels]
        self.program_id.choices = everyone + [(program.id, f"{program.year} {program.name}") for program in programs]
        self.year.choices = everyone + [(year, str(year)) for year in years]

    def filters(self) -> dict:
        """The arguments of campaign_list_statement; a field with an error filters nothing."""
        values = {name: (None if self[name].errors else self[name].data or None)
                  for name in ("q", "channel_id", "program_id", "kind", "status", "year")}
        values["q"] = (values["q"] or "").strip() or None
        return values


class AddParticipantsForm(BaseForm):
    company_ids = SelectMultipleField(_l("기업"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("선택한 기업 추가"))


class SelectionForm(BaseForm):
    participation_ids = SelectMultipleField(_l("선정할 기업"), coerce=int, validate_choice=False)
    reject_others = BooleanField(_l("선정하지 않은 신청 기업은 철회로 옮기기"))
    submit = SubmitField(_l("선정"))


class StatusForm(BaseForm):
    to_status = SelectField(_l("옮길 상태"), choices=_choices(PARTICIPATION_STATUS_LABELS))
    note = StringField(_l("메모"), validators=[Optional(), Length(max=500)])


class SalesRowForm(Form):
    participation_id = HiddenField()
    version = HiddenField()
    sales_before = StringField(_l("이전 매출(원)"), render_kw=MONEY_ATTRIBUTES)
    sales_after = StringField(_l("이후 매출(원)"), render_kw=MONEY_ATTRIBUTES)
    stated_change_rate = StringField(_l("기재 변화율"), validators=[Optional(), Length(max=30)])

    def fields(self) -> SalesRowFields:
        return SalesRowFields(participation_id=_int_or_none(self.participation_id.data),
                              sales_before=self.sales_before.data, sales_after=self.sales_after.data,
                              stated_change_rate=self.stated_change_rate.data,
                              version=_int_or_none(self.version.data))


class SalesForm(_RowErrors, BaseForm):
    ROW_LISTS = (services.SALES_ROWS_FIELD,)

    rows = FieldList(FormField(SalesRowForm), min_entries=0, max_entries=MAX_SALES_ROWS)
    submit = SubmitField(_l("매출 저장"))

    def fill_from(self, participations) -> None:
        for participation in participations:
            self.rows.append_entry({
                "participation_id": participation.id,
                "version": participation.version,
                "sales_before": "" if participation.sales_before is None else f"{participation.sales_before:,}",
                "sales_after": "" if participation.sales_after is None else f"{participation.sales_after:,}",
                "stated_change_rate": participation.stated_change_rate or "",
            })

    def row_fields(self) -> list[SalesRowFields]:
        return [row.form.fields() for row in self.rows]
