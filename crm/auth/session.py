"""Session lifecycle: fresh on login, idle and absolute timeouts, ended for real on logout; sensitive changes
need a password entered within FRESH_LOGIN_WINDOW."""
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import confirm_login, current_user, login_fresh, login_user, logout_user

from crm.auth import services
from crm.core.access import STATIC_ENDPOINTS
from crm.core.time import utcnow
from crm.extensions import login_manager

LOGIN_AT = "login_at"
LAST_SEEN = "last_seen"
PASSWORD_AT = "password_at"
# Survives the session.clear() of login and logout.
KEPT_ACROSS_LOGIN = ("lang",)


def _fresh_session() -> None:
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)


def start_session(user) -> None:
    """A new session for a new login: nothing from before it (CSRF secret included) survives."""
    _fresh_session()
    login_user(user)
    now = utcnow().timestamp()
    session[LOGIN_AT] = now
    session[LAST_SEEN] = now
    session[PASSWORD_AT] = now


def is_fresh() -> bool:
    """The password was entered in this session within the fresh-login window."""
    password_at = session.get(PASSWORD_AT)
    window = current_app.config["FRESH_LOGIN_WINDOW"].total_seconds()
    return login_fresh() and password_at is not None and utcnow().timestamp() - password_at <= window


def confirm_password_entered() -> None:
    confirm_login()
    session[PASSWORD_AT] = utcnow().timestamp()


def fresh_login_required(view: Callable) -> Callable:
    """Send the user to enter their password again first when the last time is too long ago.

    Put it below the access decorator, so the view's declared access stays on the outer function."""

    @wraps(view)
    def checked(*args, **kwargs):
        if current_user.is_authenticated and not is_fresh():
            return login_manager.needs_refresh()
        return view(*args, **kwargs)

    return checked


def end_session() -> None:
    logout_user()
    _fresh_session()


def _expired(now: float) -> bool:
    login_at, last_seen = session.get(LOGIN_AT), session.get(LAST_SEEN)
    if login_at is None or last_seen is None:
        return True
    config = current_app.config
    return (now - last_seen > config["SESSION_IDLE_TIMEOUT"].total_seconds()
            or now - login_at > config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds())


def enforce_session_timeouts():
    if request.endpoint in STATIC_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    if _expired(now):
        end_session()
        flash(_l("오래 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요."), "warning")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session[LAST_SEEN] = now
    return None


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("로그인이 필요합니다.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.refresh_view = "auth.confirm_password"
    login_manager.needs_refresh_message = _l("보안을 위해 비밀번호를 다시 입력하세요.")
    login_manager.needs_refresh_message_category = "info"
    login_manager.user_loader(services.user_by_session_token)
