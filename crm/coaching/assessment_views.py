"""Needs assessments: /companies/<id>/assessments/new, /assessments/<id> (with the matched coaches) and
assigning a matched coach to the company."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import COORDINATION
from crm.coaching import assessments as services
from crm.coaching.assessment_forms import AssessmentForm, AssignForm
from crm.companies.access import company_or_404
from crm.core.access import role_required, signed_in
from crm.core.forms import call_service
from crm.extensions import db

bp = Blueprint("assessments", __name__)


def _render_form(form: AssessmentForm, company, status: int = 200):
    return render_template("coaching/assessment_form.html", form=form, company=company), status


@bp.route("/companies/<int:company_id>/assessments/new", methods=["GET", "POST"])
@signed_in
def create(company_id: int):
    """Coordinators, admins and the coaches assigned to the company (company_or_404 answers 404 to others)."""
    company = company_or_404(company_id)
    form = AssessmentForm()
    form.set_choices(services.active_specialties())
    if not form.validate_on_submit():
        return _render_form(form, company, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: services.create_assessment(
        company, assessed_on=form.assessed_on.data, need_ids=form.needs.data, problems=form.problems.data,
        improvements=form.improvements.data, actor=current_user))
    if not outcome.ok:
        return _render_form(outcome.form, company_or_404(company_id), status=outcome.status)
    db.session.commit()
    flash(_("니즈 파악을 기록했습니다."), "success")
    return redirect(url_for(".detail", assessment_id=outcome.result.id))


def _assessment_or_404(assessment_id: int):
    assessment = services.assessment_for(current_user, assessment_id)
    if assessment is None:
        abort(404)
    return assessment


def _render_detail(assessment, *, assign_form: AssignForm | None = None, status: int = 200):
    may_assign = current_user.role in COORDINATION
    return render_template(
        "coaching/assessment.html", assessment=assessment, company=assessment.company,
        matches=services.matching_coaches(assessment) if may_assign else None,
        assigned_ids={link.coach_id for link in assessment.company.coach_links},
        assign_form=assign_form, may_assign=may_assign), status


@bp.get("/assessments/<int:assessment_id>")
@signed_in
def detail(assessment_id: int):
    return _render_detail(_assessment_or_404(assessment_id))


@bp.post("/assessments/<int:assessment_id>/assign")
@role_required(*COORDINATION)
def assign(assessment_id: int):
    assessment = _assessment_or_404(assessment_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _render_detail(assessment, assign_form=form, status=422)
    company_id = assessment.company_id
    outcome = call_service(form, lambda: services.assign_coach(assessment, form.coach_id_number,
                                                               actor=current_user))
    if not outcome.ok:
        return _render_detail(_assessment_or_404(assessment_id), assign_form=outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("%(name)s 코치를 배정했습니다.", name=outcome.result.name), "success")
    return redirect(url_for("companies.detail", company_id=company_id))
