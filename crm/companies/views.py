"""/companies/…: create, read, edit, move along the pipeline, assign coaches, certify, delete."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from crm.auth.models import COORDINATION, Role
from crm.companies import services
from crm.companies.access import company_or_404
from crm.companies.forms import CertificationForm, CoachesForm, CompanyCreateForm, CompanyForm, StageForm
from crm.companies.models import Certification
from crm.companies.pipeline import Stage, allowed_targets
from crm.companies.products import products_of
from crm.companies.rules import clean_business_number
from crm.companies.sections import sections_for
from crm.companies.timeline import timeline_for
from crm.core.access import role_required, signed_in
from crm.core.cache import cached, cached_rendering
from crm.core.errors import RuleError
from crm.core.forms import call_service
from crm.core.security import safe_next_url
from crm.core.time import seoul_today
from crm.extensions import db

bp = Blueprint("companies", __name__, url_prefix="/companies")


def _with_choices(form: CompanyForm) -> CompanyForm:
    form.set_choices(regions=services.regions(), coordinators=services.users_with_role(*COORDINATION),
                     coaches=services.users_with_role(Role.COACH))
    return form


def _render_company_form(form, company=None, duplicates=(), status=200):
    return render_template("companies/form.html", form=form, company=company, duplicates=duplicates), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(*COORDINATION)
def create():
    form = _with_choices(CompanyCreateForm())
    if not form.is_submitted():
        form.coordinator_id.data = form.coordinator_id.data or current_user.id
    if not form.validate_on_submit():
        return _render_company_form(form, status=422 if form.is_submitted() else 200)
    fields = form.company_fields()
    if form.confirm_duplicate.data != "1":
        duplicates = services.duplicate_candidates(names=[fields.name, *fields.aliases],
                                                   business_number=_clean_number_or_none(fields.business_number))
        if duplicates:
            form.confirm_duplicate.data = "1"
            return _render_company_form(form, duplicates=duplicates, status=409)
    outcome = call_service(form, lambda: services.create_company(
        fields, stage=Stage(form.stage.data), coach_ids=form.coach_ids.data, note=form.stage_note.data,
        actor=current_user))
    if not outcome.ok:
        return _render_company_form(outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("기업 %(name)s을(를) 등록했습니다.", name=outcome.result.name), "success")
    return redirect(url_for(".detail", company_id=outcome.result.id))


def _clean_number_or_none(number: str | None) -> str | None:
    try:
        return clean_business_number(number)
    except RuleError:
        return None


def _detail_context(company, **forms) -> dict:
    stage_form = forms.get("stage_form") or StageForm(formdata=None)
    stage_form.stage.choices = [(stage.value, stage.label) for stage in allowed_targets(company.stage,
                                                                                         company.held_from)]
    coaches_form = forms.get("coaches_form") or CoachesForm(formdata=None,
                                                            coach_ids=[c.id for c in company.coaches])
    coaches_form.coach_ids.choices = cached(("coach_choices",), lambda: [
        (coach.id, f"{coach.name} ({coach.login_id})") for coach in services.users_with_role(Role.COACH)])
    return {
        "company": company,
        "stage_form": stage_form,
        "coaches_form": coaches_form,
        "certification_form": forms.get("certification_form") or CertificationForm(formdata=None),
        "timeline": _timeline(company),
        "sections": _sections(company),
    }


def _timeline(company) -> Markup:
    """The timeline, rendered and kept until domain data changes: a long history costs every provider its
    newest entries, most of which fall outside the page's. It depends on nothing of the reader but the language."""
    return cached_rendering((company.id,), "companies/_timeline.html", lambda: {"timeline": timeline_for(company)})


def _sections(company) -> Markup:
    """The products and the sections other packages add (coaching, cohorts, campaigns), rendered and kept until
    domain data changes. They show nothing that depends on the reader but the language, the role, which
    companies they may see and, for overdue items, the day."""
    key = (company.id, current_user.role, services.visibility_key(current_user), seoul_today())
    return cached_rendering(key, "companies/_sections.html", lambda: {
        "company": company, "products": products_of(company), "sections": sections_for(company, current_user)})


def _render_detail(company, status=200, **forms):
    return render_template("companies/detail.html", **_detail_context(company, **forms)), status


@bp.get("/<int:company_id>")
@signed_in
def detail(company_id: int):
    return _render_detail(company_or_404(company_id, with_detail=True))


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@role_required(*COORDINATION)
def edit(company_id: int):
    company = company_or_404(company_id)
    form = _with_choices(CompanyForm(obj=company))
    if not form.is_submitted():
        form.region.data = company.region_code
        form.aliases.data = "\n".join(alias.name for alias in company.aliases)
    if not form.validate_on_submit():
        return _render_company_form(form, company, status=422 if form.is_submitted() else 200)

    def current_values():
        fresh = _with_choices(CompanyForm(formdata=None, obj=company))
        fresh.region.data = company.region_code
        fresh.aliases.data = "\n".join(alias.name for alias in company.aliases)
        return fresh

    outcome = call_service(form, lambda: services.update_company(
        company, form.company_fields(), version=form.version_number, actor=current_user),
        current_form=current_values)
    if not outcome.ok:
        return _render_company_form(outcome.form, company, status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for(".detail", company_id=company.id))


@bp.post("/<int:company_id>/stage")
@role_required(*COORDINATION)
def change_stage(company_id: int):
    company = company_or_404(company_id, with_detail=True)
    form = StageForm()
    form.stage.choices = [(stage.value, stage.label) for stage in Stage]
    next_url = safe_next_url(request.form.get("next"))
    if form.validate_on_submit():
        outcome = call_service(form, lambda: services.move_stage(company, Stage(form.stage.data),
                                                                 note=form.note.data, actor=current_user))
        if outcome.ok:
            db.session.commit()
            flash(_("%(name)s: %(stage)s(으)로 옮겼습니다.", name=company.name, stage=company.stage.label), "success")
            return redirect(next_url or url_for(".detail", company_id=company.id))
        form = outcome.form
    if next_url:
        for errors in (form.stage.errors, form.note.errors, form.form_errors):
            for message in errors:
                flash(f"{company.name}: {message}", "danger")
        return redirect(next_url), 303
    company = company_or_404(company_id, with_detail=True)
    return _render_detail(company, status=422, stage_form=form)


def _post_from_detail(company_id: int, form, change, done_message: str, form_name: str):
    """A form of the company page: the change made, or the page again with the form's messages (422)."""
    company = company_or_404(company_id, with_detail=True)
    status = 422
    if form.validate_on_submit():
        outcome = call_service(form, lambda: change(company))
        if outcome.ok:
            db.session.commit()
            flash(done_message, "success")
            return redirect(url_for(".detail", company_id=company.id))
        form, status = outcome.form, outcome.status
    return _render_detail(company_or_404(company_id, with_detail=True), status=status, **{form_name: form})


@bp.post("/<int:company_id>/coaches")
@role_required(*COORDINATION)
def assign_coaches(company_id: int):
    form = CoachesForm()
    form.coach_ids.choices = [(u.id, u.name) for u in services.users_with_role(Role.COACH)]
    return _post_from_detail(
        company_id, form, lambda company: services.set_coaches(company, form.coach_ids.data, actor=current_user),
        _("코치 배정을 저장했습니다."), "coaches_form")


@bp.post("/<int:company_id>/certifications")
@role_required(*COORDINATION)
def add_certification(company_id: int):
    form = CertificationForm()
    return _post_from_detail(
        company_id, form, lambda company: services.add_certification(
            company, kind=form.kind.data, number=form.number.data, issuer=form.issuer.data,
            valid_from=form.valid_from.data, valid_to=form.valid_to.data, actor=current_user),
        _("인증 정보를 추가했습니다."), "certification_form")


@bp.post("/<int:company_id>/certifications/<int:certification_id>/delete")
@role_required(*COORDINATION)
def delete_certification(company_id: int, certification_id: int):
    company = company_or_404(company_id)
    certification = db.get_or_404(Certification, certification_id)
    if certification.company_id != company.id:
        abort(404)
    services.delete_certification(certification, actor=current_user)
    db.session.commit()
    flash(_("인증 정보를 삭제했습니다."), "success")
    return redirect(url_for(".detail", company_id=company.id))


@bp.post("/<int:company_id>/delete")
@role_required(*COORDINATION)
def delete(company_id: int):
    company = company_or_404(company_id)
    services.delete_company(company, actor=current_user)
    db.session.commit()
    flash(_("%(name)s을(를) 삭제했습니다. 관리자가 휴지통에서 복원할 수 있습니다.", name=company.name), "success")
    return redirect(url_for(".index"))


from crm.companies import list_views  # noqa: E402,F401  (the list and its exports attach to this blueprint)
