"""/admin/users: the admin manages accounts and exports the list of them."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth import services
from crm.auth.forms import PasswordResetForm, UserCreateForm, UserEditForm
from crm.auth.models import Role, User
from crm.auth.session import fresh_login_required
from crm.core.access import role_required
from crm.core.export import export_response
from crm.core.forms import call_service
from crm.core.pagination import paginate
from crm.extensions import db

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")

# The export's columns, in Korean whatever the reader's language.
EXPORT_HEADERS = ("아이디", "이름", "이메일", "역할", "상태", "마지막 로그인")


def _role_filter() -> Role | None:
    try:
        return Role(request.args.get("role", ""))
    except ValueError:
        return None


def _active_filter() -> bool | None:
    return {"1": True, "0": False}.get(request.args.get("active", ""))


def _render_form(form, user=None, password_form=None, status=200):
    return render_template("admin/users/form.html", form=form, user=user, password_form=password_form), status


def _users_statement():
    """The list's statement with the filters of the query string (a value it does not know filters nothing)."""
    return services.users_statement(role=_role_filter(), active=_active_filter(), query=request.args.get("q"))


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return render_template("admin/users/index.html", page=paginate(_users_statement()), roles=list(Role))


@bp.get("/export.<any(csv, xlsx):fmt>")
@role_required(Role.ADMIN)
def export(fmt: str):
    """Exactly the filtered list, every page of it."""
    users = db.session.scalars(_users_statement()).all()
    with force_locale("ko"):
        rows = [[user.login_id, user.name, user.email, user.role.label, _("활성") if user.active else _("비활성"),
                 user.last_login_at] for user in users]
    return export_response(fmt, "users", EXPORT_HEADERS, rows, sheet_title="사용자")


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@fresh_login_required
def create():
    form = UserCreateForm()
    if not form.validate_on_submit():
        return _render_form(form, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.create_user(
        login_id=form.login_id.data, name=form.name.data, email=form.email.data, role=form.role.data,
        password=form.password.data, actor=current_user))
    if not outcome.ok:
        return _render_form(outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("사용자 %(login)s을(를) 만들었습니다.", login=outcome.result.login_id), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@fresh_login_required
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    password_form = PasswordResetForm(formdata=None, version=user.version)
    if not form.validate_on_submit():
        return _render_form(form, user, password_form, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.update_user(
        user, version=form.version_number, name=form.name.data, email=form.email.data, role=form.role.data,
        active=form.active.data, actor=current_user), current_form=lambda: UserEditForm(formdata=None, obj=user))
    if not outcome.ok:
        return _render_form(outcome.form, user, password_form, status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/password")
@role_required(Role.ADMIN)
@fresh_login_required
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    password_form = PasswordResetForm()
    edit_form = UserEditForm(formdata=None, obj=user)
    if not password_form.validate_on_submit():
        return _render_form(edit_form, user, password_form, status=422)
    outcome = call_service(password_form, lambda: services.set_password(
        user, password_form.password.data, version=password_form.version_number, actor=current_user),
        current_form=lambda: PasswordResetForm(formdata=None, version=user.version))
    if not outcome.ok:
        return _render_form(edit_form, user, outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("%(login)s의 비밀번호를 재설정했습니다. 그 사용자의 로그인은 모두 종료되었습니다.", login=user.login_id),
          "success")
    return redirect(url_for(".edit", user_id=user.id))
