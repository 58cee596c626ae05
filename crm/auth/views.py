from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from crm.audit.services import record_security_event
from crm.auth import services
from crm.auth.forms import LoginForm, PasswordChangeForm, PasswordConfirmForm
from crm.auth.session import confirm_password_entered, end_session, start_session
from crm.core.access import public, signed_in
from crm.core.forms import call_service
from crm.core.security import safe_next_url
from crm.extensions import db, limiter

bp = Blueprint("auth", __name__)

LOGIN_FAILED = 401


def _login_id_key() -> str:
    return "login-id:" + services.normalise_login_id(request.form.get("login_id", ""))[:40]


def _signed_in_login_id_key() -> str:
    # The same bucket as failed logins of this account: confirming a password is not a second way to guess it.
    return "login-id:" + current_user.login_id


def _failed(response) -> bool:
    return response.status_code == LOGIN_FAILED


def _per_login_id() -> str:
    return current_app.config["LOGIN_LIMIT_PER_LOGIN_ID"]


def _per_ip() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_per_login_id, key_func=_login_id_key, methods=["POST"], deduct_when=_failed, scope="login-id")
@limiter.limit(_per_ip, key_func=get_remote_address, methods=["POST"], deduct_when=_failed, scope="login-ip")
def login():
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("reports.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.login_id.data, form.password.data)
        db.session.commit()
        if user is not None:
            start_session(user)
            return redirect(next_url or url_for("reports.dashboard"))
        # One message for an unknown id, a wrong password and an inactive account.
        form.form_errors.append(_("아이디 또는 비밀번호가 올바르지 않습니다."))
        status = LOGIN_FAILED
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/account/confirm", methods=["GET", "POST"])
@signed_in
@limiter.limit(_per_login_id, key_func=_signed_in_login_id_key, methods=["POST"], deduct_when=_failed,
               scope="login-id")
def confirm_password():
    """Enter the password again before a sensitive change (a role, a password, an e-mail)."""
    next_url = safe_next_url(request.args.get("next"))
    form = PasswordConfirmForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if services.confirm_password(user, form.password.data):
            db.session.commit()
            confirm_password_entered()
            return redirect(next_url or url_for("reports.dashboard"))
        db.session.commit()
        form.password.errors.append(_("비밀번호가 올바르지 않습니다."))
        status = LOGIN_FAILED
    elif form.is_submitted():
        status = 422
    return render_template("auth/confirm_password.html", form=form), status


@bp.post("/logout")
@signed_in
def logout():
    user = current_user._get_current_object()
    services.end_all_sessions(user)
    record_security_event("logout", actor=user)
    db.session.commit()
    end_session()
    flash(_("로그아웃했습니다."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_template("auth/change_password.html", form=form), 422 if form.is_submitted() else 200
    user = current_user._get_current_object()
    outcome = call_service(form, lambda: services.change_own_password(
        user, current_password=form.current_password.data, new_password=form.password.data))
    if not outcome.ok:
        return render_template("auth/change_password.html", form=outcome.form), outcome.status
    db.session.commit()
    # The new token ends every other session; this one continues under it.
    start_session(user)
    flash(_("비밀번호를 바꿨습니다. 다른 기기의 로그인은 모두 종료되었습니다."), "success")
    return redirect(url_for("reports.dashboard"))
