from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.validators import Email as EmailAddress

from crm.auth.models import ROLE_LABELS, Role
from crm.auth.passwords import check_password_rules
from crm.core.errors import RuleError
from crm.core.forms import BaseForm, VersionedForm

ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]
# Long enough for any password we accept, short enough that hashing it is cheap.
PASSWORD_FIELD_MAX = 128


class LoginForm(BaseForm):
    login_id = StringField(_l("아이디"), validators=[DataRequired(_l("아이디를 입력하세요.")), Length(max=40)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("비밀번호"), validators=[DataRequired(_l("비밀번호를 입력하세요.")),
                                                      Length(max=PASSWORD_FIELD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("로그인"))


class PasswordConfirmForm(BaseForm):
    password = PasswordField(_l("비밀번호"), validators=[DataRequired(_l("비밀번호를 입력하세요.")),
                                                      Length(max=PASSWORD_FIELD_MAX)],
                             render_kw={"autocomplete": "current-password", "autofocus": True})
    submit = SubmitField(_l("확인"))


class UserProfileFields(VersionedForm):
    name = StringField(_l("이름"), validators=[DataRequired(_l("이름을 입력하세요.")),
                                             Length(max=80, message=_l("이름은 80자 이하입니다."))])
    email = EmailField(_l("이메일"), validators=[Optional(), Length(max=254),
                                              EmailAddress(_l("올바른 이메일 주소가 아닙니다."))])
    role = SelectField(_l("역할"), choices=ROLE_CHOICES, coerce=Role,
                       validate_choice=True)


def _follows_password_rules(form, field) -> None:
    """The service's rules, checked here too so that every problem shows on the first submit."""
    login_id = form.login_id.data if hasattr(form, "login_id") else None
    try:
        check_password_rules(field.data or "", login_id=login_id)
    except RuleError as error:
        raise ValidationError(error.message) from error


def _password_fields(label):
    return (
        PasswordField(label, validators=[DataRequired(_l("비밀번호를 입력하세요.")), _follows_password_rules],
                      render_kw={"autocomplete": "new-password"}),
        PasswordField(_l("비밀번호 확인"), validators=[DataRequired(_l("비밀번호를 한 번 더 입력하세요.")),
                                                   EqualTo("password", _l("비밀번호가 서로 다릅니다."))],
                      render_kw={"autocomplete": "new-password"}),
    )


class UserCreateForm(UserProfileFields):
    login_id = StringField(_l("아이디"), validators=[DataRequired(_l("아이디를 입력하세요.")), Length(max=40)],
                           render_kw={"autocomplete": "off"})
    password, password_confirm = _password_fields(_l("비밀번호"))
    submit = SubmitField(_l("사용자 만들기"))


class UserEditForm(UserProfileFields):
    active = BooleanField(_l("활성 계정"))
    submit = SubmitField(_l("저장"))


class PasswordResetForm(VersionedForm):
    password, password_confirm = _password_fields(_l("새 비밀번호"))
    submit = SubmitField(_l("비밀번호 재설정"))


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(_l("현재 비밀번호"), validators=[DataRequired(_l("현재 비밀번호를 입력하세요.")),
                                                                 Length(max=PASSWORD_FIELD_MAX)],
                                     render_kw={"autocomplete": "current-password"})
    password, password_confirm = _password_fields(_l("새 비밀번호"))
    submit = SubmitField(_l("비밀번호 변경"))
