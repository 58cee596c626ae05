import re
import secrets
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from crm.audit.services import record_security_event
from crm.auth.models import Role, User, new_session_token
from crm.auth.passwords import check_password_rules, hash_password, verify_password
from crm.core.cache import cached
from crm.core.errors import RuleError, StaleEditError
from crm.core.time import utcnow
from crm.extensions import db

LOGIN_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


@cache
def _timing_dummy_hash(method: str) -> str:
    """Checked when the login id is unknown, so that both kinds of failure take the same time."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def normalise_login_id(login_id: str) -> str:
    return (login_id or "").strip().lower()


def check_login_id(login_id: str) -> str:
    """The normalised login id; refused when malformed or already taken."""
    normalised = normalise_login_id(login_id)
    if not LOGIN_ID_PATTERN.fullmatch(normalised):
        raise RuleError(_("아이디는 영문 소문자, 숫자, 점, 밑줄, 하이픈으로 3~40자입니다."), field="login_id")
    if db.session.scalar(sa.select(User.id).where(User.login_id == normalised)) is not None:
        raise RuleError(_("이미 쓰이는 아이디입니다."), field="login_id")
    return normalised


def user_by_session_token(token: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.session_token == token, User.active.is_(True)))


def authenticate(login_id: str, password: str) -> User | None:
    """The active user with this login id and password, or None; logs the attempt either way."""
    normalised = normalise_login_id(login_id)
    user = db.session.scalar(sa.select(User).where(User.login_id == normalised))
    if user is None:
        verify_password(_timing_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    elif verify_password(user.password_hash, password) and user.active:
        user.last_login_at = utcnow()
        record_security_event("login", actor=user)
        return user
    record_security_event("login_failed", label=normalised[:40], detail={"login_id": normalised[:40]})
    return None


def confirm_password(user: User, password: str) -> bool:
    """True when the signed-in user typed their own password again; logs the attempt either way."""
    if verify_password(user.password_hash, password):
        record_security_event("password_confirmed", actor=user)
        return True
    record_security_event("password_confirm_failed", actor=user)
    return False


def create_user(*, login_id: str, name: str, role: Role, password: str, email: str | None = None,
                actor: User | None = None) -> User:
    normalised = check_login_id(login_id)
    check_password_rules(password, login_id=normalised)
    user = User(login_id=normalised, name=name.strip(), email=email or None, role=Role(role),
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def _check_version(user: User, version: int | None) -> None:
    if version is not None and version != user.version:
        raise StaleEditError()


def update_user(user: User, *, version: int | None, name: str, email: str | None, role: Role, active: bool,
                actor: User) -> User:
    """Edits name, e-mail, role and active; an admin cannot lock themselves out."""
    _check_version(user, version)
    role = Role(role)
    if user.id == actor.id and (role is not Role.ADMIN or not active):
        raise RuleError(_("자기 자신의 관리자 권한을 없애거나 계정을 비활성화할 수 없습니다."), field="role")
    user.name = name.strip()
    user.email = email or None
    user.role = role
    if user.active and not active:
        end_all_sessions(user)
    user.active = active
    db.session.flush()
    return user


def set_password(user: User, new_password: str, *, version: int | None = None, actor: User) -> None:
    """Sets a password (an admin's reset or the user's own change) and ends every session of the user."""
    _check_version(user, version)
    check_password_rules(new_password, login_id=user.login_id)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    db.session.flush()


def change_own_password(user: User, *, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise RuleError(_("현재 비밀번호가 올바르지 않습니다."), field="current_password")
    set_password(user, new_password, actor=user)


def end_all_sessions(user: User) -> None:
    """Every cookie that carries the old token stops working."""
    user.session_token = new_session_token()


def users_statement(*, role: Role | None = None, active: bool | None = None, query: str | None = None) -> sa.Select:
    stmt = sa.select(User).order_by(User.login_id)
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if query:
        pattern = f"%{query.strip()}%"
        stmt = stmt.where(sa.or_(User.login_id.ilike(pattern), User.name.ilike(pattern)))
    return stmt


def user_choices() -> list[tuple[int, str]]:
    """Every user as (id, "name (login id)") for a filter's select, by login id; kept until domain data changes
    (users are audited records)."""
    return cached(("user choices",), lambda: [
        (user_id, f"{name} ({login_id})")
        for user_id, name, login_id in db.session.execute(sa.select(User.id, User.name, User.login_id)
                                                          .order_by(User.login_id))])
