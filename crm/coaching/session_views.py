"""/coaching/: the session list and its export; /coaching/sessions/…: record, read, edit, delete a session.

Every signed-in role may use these views. A coach reaches only the sessions of companies assigned to them
(anything else answers 404, the export included) and changes only their own sessions (403).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from crm.auth.models import Role
from crm.coaching import sessions as services
from crm.coaching.models import CoachingSession, SessionMode
from crm.coaching.session_forms import EXTRA_ITEM_ROWS_ON_EDIT, NEW_ITEM_ROWS, SessionFilterForm, SessionForm
from crm.companies.access import company_or_404
from crm.core.access import signed_in
from crm.core.cache import cached_rendering
from crm.core.export import export_response
from crm.core.forms import call_service
from crm.core.pagination import paginate
from crm.core.time import seoul_today
from crm.extensions import db

bp = Blueprint("coaching", __name__, url_prefix="/coaching")

# The export's columns, in Korean whatever the reader's language.
EXPORT_HEADERS = ("일자", "기업", "코치", "방식", "시간(분)", "주제", "내용", "제언", "실행과제 수", "미완료 과제 수")


# --- the list and its export -------------------------------------------------------------------------------


def _filter_form() -> tuple[SessionFilterForm, bool]:
    form = SessionFilterForm(request.args)
    form.set_choices(coaches=services.coach_filter_choices(),
                     companies=services.company_choice(current_user, form.company_id.data),
                     specialties=services.specialty_filter_choices())
    return form, form.validate()


def _render_index(form: SessionFilterForm, valid: bool):
    page = paginate(services.session_list_statement(current_user, **form.filters(), columns=(CoachingSession.id,)),
                    cache_count=True)
    return render_template("coaching/sessions.html", form=form, page=page,
                           session_rows=_session_rows(page.items)), 200 if valid else 422


def _session_rows(session_ids: list[int]) -> Markup:
    """A page's rows, kept rendered until domain data changes: they show nothing but the sessions, and the ids are
    already those the reader may see."""
    return cached_rendering(("coaching rows", tuple(session_ids)), "coaching/_rows.html", lambda: {
        "rows": services.session_rows(session_ids),
        # Translated once per page rather than once per row.
        "mode_labels": SessionMode.translated_labels()})


@bp.get("/")
@signed_in
def index():
    return _render_index(*_filter_form())


def _export_row(session) -> list:
    return [
        session.held_on,
        session.company.name,
        session.coach.name,
        session.mode.label,
        session.duration_minutes,
        session.topic,
        session.content,
        session.recommendations,
        len(session.action_items),
        services.open_item_count(session),
    ]


@bp.get("/export.<any(csv, xlsx):fmt>")
@signed_in
def export(fmt: str):
    """Exactly the filtered list, every page of it."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    found = db.session.scalars(services.session_list_statement(current_user, **form.filters())).all()
    with force_locale("ko"):
        rows = [_export_row(session) for session in found]
    return export_response(fmt, "coaching-sessions", EXPORT_HEADERS, rows, sheet_title="코칭")


# --- one session -------------------------------------------------------------------------------------------


def _session_or_404(session_id: int):
    session = services.session_for(current_user, session_id)
    if session is None:
        abort(404)
    return session


def _company_from_query():
    try:
        company_id = int(request.args.get("company_id", ""))
    except ValueError:
        abort(404)
    return company_or_404(company_id)


def _prepared(form: SessionForm, company, session=None) -> SessionForm:
    if current_user.role is Role.COACH:
        del form.coach_id  # a coach records as themselves: nothing to choose, nothing to send
    form.set_choices(coaches=services.coach_choices(company, session), owners=services.owner_choices(company, session),
                     company_name=company.name)
    return form


def _render_form(form: SessionForm, company, session=None, status: int = 200):
    return render_template("coaching/session_form.html", form=form, company=company, session=session,
                           needs_coach="coach_id" in form and not form.coach_id.choices[1:]), status


@bp.route("/sessions/new", methods=["GET", "POST"])
@signed_in
def create():
    company = _company_from_query()
    form = SessionForm()
    if not form.is_submitted():
        form.held_on.data = seoul_today()
        form.add_blank_rows(NEW_ITEM_ROWS)
        if current_user.role is not Role.COACH and len(services.assigned_coaches(company)) == 1:
            form.coach_id.data = services.assigned_coaches(company)[0].id
    _prepared(form, company)
    if not form.validate_on_submit():
        return _render_form(form, company, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.create_session(company, **form.service_arguments(),
                                                                 actor=current_user))
    if not outcome.ok:
        return _render_form(outcome.form, company_or_404(company.id), status=outcome.status)
    db.session.commit()
    flash(_("코칭 기록을 저장했습니다."), "success")
    return redirect(url_for(".detail", session_id=outcome.result.id))


@bp.get("/sessions/<int:session_id>")
@signed_in
def detail(session_id: int):
    session = _session_or_404(session_id)
    return render_template("coaching/session.html", session=session, today=seoul_today(),
                           can_edit=session.can_edit(current_user))


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(session_id: int):
    session = _session_or_404(session_id)
    if not session.can_edit(current_user):
        abort(403)
    company = session.company
    form = SessionForm() if request.method == "POST" else SessionForm(obj=session)
    if not form.is_submitted():
        form.add_blank_rows(EXTRA_ITEM_ROWS_ON_EDIT)
    _prepared(form, company, session)
    if not form.validate_on_submit():
        return _render_form(form, company, session, status=422 if form.is_submitted() else 200)

    def current_values():
        fresh = _session_or_404(session_id)
        current = SessionForm(formdata=None, obj=fresh)
        current.add_blank_rows(EXTRA_ITEM_ROWS_ON_EDIT)
        return _prepared(current, fresh.company, fresh)

    outcome = call_service(form, lambda: services.update_session(session, version=form.version_number,
                                                                 **form.service_arguments(), actor=current_user),
                           current_form=current_values)
    if not outcome.ok:
        fresh = _session_or_404(session_id)
        return _render_form(outcome.form, fresh.company, fresh, status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for(".detail", session_id=session.id))


@bp.post("/sessions/<int:session_id>/delete")
@signed_in
def delete(session_id: int):
    session = _session_or_404(session_id)
    if not session.can_edit(current_user):
        abort(403)
    company_id = session.company_id
    services.delete_session(session, actor=current_user)
    db.session.commit()
    flash(_("코칭 기록을 삭제했습니다."), "success")
    return redirect(url_for("companies.detail", company_id=company_id))
