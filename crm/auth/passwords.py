"""Password rules (ASVS 5 6.2): 8 to 128 characters, no composition rules, not a common password."""
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from crm.core.errors import RuleError

COMMON_PASSWORD_COUNT = 3000


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORD_COUNT])


def check_password_rules(password: str, *, login_id: str | None = None, field: str = "password") -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        raise RuleError(_("비밀번호는 %(n)d자 이상이어야 합니다.", n=minimum), field=field)
    if len(password) > maximum:
        raise RuleError(_("비밀번호는 %(n)d자 이하여야 합니다.", n=maximum), field=field)
    if password.lower() in common_passwords():
        raise RuleError(_("너무 흔한 비밀번호입니다. 다른 비밀번호를 쓰세요."), field=field)
    if login_id and password.lower() == login_id.lower():
        raise RuleError(_("아이디와 같은 비밀번호는 쓸 수 없습니다."), field=field)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
