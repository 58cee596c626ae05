"""/coaches/: the expert pool and its export, a coach's profile, and the specialty list (admins)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import COORDINATION, Role
from crm.coaching import pool as services
from crm.coaching.models import Specialty
from crm.coaching.pool_forms import PoolFilterForm, ProfileForm, SpecialtyForm, SpecialtyStateForm
from crm.core.access import role_required, signed_in
from crm.core.export import export_response
from crm.core.forms import call_service
from crm.extensions import db

bp = Blueprint("coaches", __name__, url_prefix="/coaches")

# The export's columns, in Korean whatever the reader's language.
EXPORT_HEADERS = ("이름", "전문 분야", "소개", "연락처", "담당 기업 수", "담당 기업", "코칭 횟수")
LIST_SEPARATOR = ", "


def _filter_form() -> tuple[PoolFilterForm, bool]:
    form = PoolFilterForm(request.args)
    form.set_choices(services.all_specialties())
    return form, form.validate()


def _render_index(form: PoolFilterForm, valid: bool):
    page = services.pool_page(current_user, specialty_id=form.specialty.data if valid else None)
    return render_template("coaching/pool.html", form=form, page=page,
                           may_edit=lambda coach: services.may_edit_profile(current_user, coach),
                           sees_all_companies=current_user.role in COORDINATION,
                           is_admin=current_user.role is Role.ADMIN), 200 if valid else 422


@bp.get("/")
@signed_in
def index():
    return _render_index(*_filter_form())


def _export_row(entry: services.PoolEntry) -> list:
    return [
        entry.coach.name,
        LIST_SEPARATOR.join(specialty.name for specialty in entry.specialties),
        entry.profile.bio if entry.profile else None,
        entry.profile.contact if entry.profile and entry.profile.contact else entry.coach.email,
        entry.company_count,
        LIST_SEPARATOR.join(company.name for company in entry.companies),
        entry.session_count,
    ]


@bp.get("/export.<any(csv, xlsx):fmt>")
@signed_in
def export(fmt: str):
    """Exactly the filtered pool, every page of it; the companies named are those the page shows the reader
    (a coach: only their own)."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    coaches = db.session.scalars(services.pool_statement(form.specialty.data)).all()
    rows = [_export_row(entry) for entry in services.pool_entries(current_user, list(coaches))]
    return export_response(fmt, "coaches", EXPORT_HEADERS, rows, sheet_title="전문가 풀")


def _profile_form(profile, formdata=None) -> ProfileForm:
    form = ProfileForm(formdata=formdata, obj=profile)
    form.set_choices(services.specialty_choices(profile))
    if formdata is None:
        form.specialty_ids.data = [s.id for s in profile.specialties] if profile else []
        form.version.data = profile.version if profile else services.NO_PROFILE_VERSION
    return form


def _render_profile_form(form: ProfileForm, coach, status: int = 200):
    return render_template("coaching/profile_form.html", form=form, coach=coach), status


@bp.route("/<int:user_id>/profile", methods=["GET", "POST"])
@signed_in
def edit_profile(user_id: int):
    coach = services.coach_by_id(user_id)
    if coach is None:
        abort(404)
    if not services.may_edit_profile(current_user, coach):
        abort(403)
    profile = services.profile_of(coach)
    if request.method == "GET":
        return _render_profile_form(_profile_form(profile), coach)
    form = _profile_form(profile, formdata=request.form)
    if not form.validate_on_submit():
        return _render_profile_form(form, coach, status=422)
    outcome = call_service(form, lambda: services.save_profile(
        coach, bio=form.bio.data, contact=form.contact.data, specialty_ids=form.specialty_ids.data,
        version=form.version_number, actor=current_user),
        current_form=lambda: _profile_form(services.profile_of(coach)))
    if not outcome.ok:
        return _render_profile_form(outcome.form, coach, status=outcome.status)
    db.session.commit()
    flash(_("%(name)s 코치의 프로필을 저장했습니다.", name=coach.name), "success")
    return redirect(url_for(".index"))


def _render_specialties(form: SpecialtyForm | None = None, status: int = 200):
    return render_template("coaching/specialties.html", form=form or SpecialtyForm(formdata=None),
                           specialties=services.all_specialties()), status


@bp.route("/specialties", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def specialties():
    """GET: the list. POST: add a name, or (with specialty_id) deactivate or activate one."""
    if request.method == "GET":
        return _render_specialties()
    if "specialty_id" in request.form:
        return _change_specialty_state()
    form = SpecialtyForm()
    if not form.validate_on_submit():
        return _render_specialties(form, status=422)
    outcome = call_service(form, lambda: services.add_specialty(form.name.data, actor=current_user))
    if not outcome.ok:
        return _render_specialties(outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("분야 %(name)s을(를) 추가했습니다.", name=outcome.result.name), "success")
    return redirect(url_for(".specialties"))


def _change_specialty_state():
    form = SpecialtyStateForm()
    try:
        specialty = db.session.get(Specialty, int(form.specialty_id.data))
    except (TypeError, ValueError):
        specialty = None
    if specialty is None:
        abort(404)
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    services.set_specialty_active(specialty, form.active.data == "1", actor=current_user)
    db.session.commit()
    if specialty.active:
        flash(_("분야 %(name)s을(를) 다시 사용합니다.", name=specialty.name), "success")
    else:
        flash(_("분야 %(name)s을(를) 사용 중지했습니다.", name=specialty.name), "success")
    return redirect(url_for(".specialties"))
