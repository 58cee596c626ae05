from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import Email as EmailAddress

from crm.companies.models import CERTIFICATION_KIND_LABELS, ENTERPRISE_TYPE_LABELS, CertificationKind
from crm.companies.pipeline import STAGE_LABELS, Stage
from crm.companies.services import CompanyFields
from crm.core.forms import BaseForm, VersionedForm

ENTERPRISE_TYPE_CHOICES = [(kind.value, label) for kind, label in ENTERPRISE_TYPE_LABELS.items()]
STAGE_CHOICES = [(stage.value, label) for stage, label in STAGE_LABELS.items()]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class CompanyForm(VersionedForm):
    name = StringField(_l("기업명 (법인명)"), validators=[DataRequired(_l("기업명을 입력하세요.")), Length(max=200)])
    aliases = TextAreaField(_l("브랜드명·별칭 (한 줄에 하나)"), validators=[Optional(), Length(max=2000)])
    enterprise_type = SelectField(_l("기업 유형"), choices=ENTERPRISE_TYPE_CHOICES)
    business_number = StringField(_l("사업자등록번호"), validators=[Optional(), Length(max=20)],
                                  render_kw={"placeholder": "123-45-67890", "inputmode": "numeric"})
    region = SelectField(_l("지역"), validators=[Optional()])
    industry = StringField(_l("업종"), validators=[Optional(), Length(max=100)])
    contact_name = StringField(_l("담당자"), validators=[Optional(), Length(max=80)])
    phone = StringField(_l("연락처"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("이메일"), validators=[Optional(), Length(max=254),
                                              EmailAddress(_l("올바른 이메일 주소가 아닙니다."))])
    website = StringField(_l("홈페이지"), validators=[Optional(), Length(max=500)],
                          render_kw={"placeholder": "https://"})
    shop_url = StringField(_l("쇼핑몰 주소"), validators=[Optional(), Length(max=500)],
                           render_kw={"placeholder": "https://"})
    coordinator_id = SelectField(_l("담당 코디네이터"), coerce=_optional_int, validators=[Optional()])
    coach_ids = SelectMultipleField(_l("담당 코치"), coerce=int, validators=[Optional()])
    source = StringField(_l("발굴 경로"), validators=[Optional(), Length(max=200)])
    discovered_on = DateField(_l("발굴일"), validators=[Optional()])
    discovered_by_id = SelectField(_l("발굴자"), coerce=_optional_int, validators=[Optional()])
    note = TextAreaField(_l("메모"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("저장"))

    def set_choices(self, *, regions, coordinators, coaches) -> None:
        self.region.choices = [("", _l("선택 안 함"))] + [(region.code, region.name) for region in regions]
        people = [(None, _l("선택 안 함"))] + [(user.id, f"{user.name} ({user.login_id})") for user in coordinators]
        self.coordinator_id.choices = people
        self.discovered_by_id.choices = people
        self.coach_ids.choices = [(user.id, f"{user.name} ({user.login_id})") for user in coaches]

    def company_fields(self) -> CompanyFields:
        return CompanyFields(
            name=self.name.data, enterprise_type=self.enterprise_type.data,
            business_number=self.business_number.data, region=self.region.data, industry=self.industry.data,
            contact_name=self.contact_name.data, phone=self.phone.data, email=self.email.data,
            website=self.website.data, shop_url=self.shop_url.data, note=self.note.data,
            coordinator_id=self.coordinator_id.data, source=self.source.data,
            discovered_on=self.discovered_on.data, discovered_by_id=self.discovered_by_id.data,
            # Text when posted; the record's alias list when a hand-made post leaves the field out (then: none).
            aliases=self.aliases.data.splitlines() if isinstance(self.aliases.data, str) else [],
        )


class CompanyCreateForm(CompanyForm):
    stage = SelectField(_l("시작 단계"), choices=STAGE_CHOICES[:5], default=Stage.SOURCED.value)
    stage_note = StringField(_l("단계 메모"), validators=[Optional(), Length(max=500)])
    # Set by the page after it has shown the duplicate warning once.
    confirm_duplicate = HiddenField()


class StageForm(BaseForm):
    stage = SelectField(_l("옮길 단계"), choices=STAGE_CHOICES)
    note = StringField(_l("사유·메모"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("옮기기"))


class CoachesForm(BaseForm):
    coach_ids = SelectMultipleField(_l("담당 코치"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("코치 배정 저장"))


class CertificationForm(BaseForm):
    kind = SelectField(_l("인증·지정 종류"), default=CertificationKind.SOCIAL_ENTERPRISE.value,
                       choices=[(kind.value, label) for kind, label in CERTIFICATION_KIND_LABELS.items()])
    number = StringField(_l("번호"), validators=[Optional(), Length(max=60)])
    issuer = StringField(_l("인증·지정 기관"), validators=[Optional(), Length(max=100)])
    valid_from = DateField(_l("시작일"), validators=[Optional()])
    valid_to = DateField(_l("종료일"), validators=[Optional()])
    submit = SubmitField(_l("인증 추가"))
