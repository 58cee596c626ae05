"""/programs/…, /cohorts/… (list and export, create, setup), /cohorts/<id>/enrollments/new, /enrollments/<id>/edit.

Coordinators and admins only: a coach may not see programme lists (the cohort grid and an enrollment's page,
which a coach reaches for their companies, belong to the progress views)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import COORDINATION
from crm.core.access import role_required
from crm.core.errors import RuleError
from crm.core.export import export_response
from crm.core.forms import call_service
from crm.core.pagination import paginate
from crm.core.time import seoul_today
from crm.extensions import db
from crm.programs import setup
from crm.programs.sections import PROGRAM_SECTIONS
from crm.programs.setup_forms import (
    EXTRA_ROWS_ON_EDIT,
    NEW_INDICATOR_ROWS,
    NEW_STAGE_ROWS,
    CohortFilterForm,
    CohortForm,
    EnrollForm,
    EnrollmentForm,
    ProgramFilterForm,
    ProgramForm,
)

bp = Blueprint("programs", __name__)

# The exports' columns, in Korean whatever the reader's language.
PROGRAM_EXPORT_HEADERS = ("연도", "사업명", "담당자", "과정 수", "참여 기업 수", "비고")
COHORT_EXPORT_HEADERS = ("과정", "사업", "시작일", "종료일", "주 수", "이번 주차", "참여 기업 수")


def _status(form) -> int:
    return 422 if form.is_submitted() else 200


# --- programmes ---------------------------------------------------------------------------------------------


def _program_filter_form() -> tuple[ProgramFilterForm, bool]:
    form = ProgramFilterForm(request.args)
    form.set_choices(setup.program_years())
    return form, form.validate()


def _render_programs(form: ProgramFilterForm, valid: bool):
    page = paginate(setup.program_list_statement(**form.filters()), cache_count=True)
    counts = setup.program_counts([program.id for program in page.items])
    return render_template("programs/programs_index.html", form=form, page=page, counts=counts), 200 if valid else 422


@bp.get("/programs/")
@role_required(*COORDINATION)
def index():
    return _render_programs(*_program_filter_form())


@bp.get("/programs/export.<any(csv, xlsx):fmt>")
@role_required(*COORDINATION)
def export(fmt: str):
    """Exactly the filtered list, every page of it."""
    form, valid = _program_filter_form()
    if not valid:
        return _render_programs(form, valid)
    programs = db.session.scalars(setup.program_list_statement(**form.filters())).all()
    counts = setup.program_counts([program.id for program in programs])
    rows = [[program.year, program.name, program.owner.name if program.owner else None,
             counts[program.id].cohorts, counts[program.id].enrollments, program.note] for program in programs]
    return export_response(fmt, "programs", PROGRAM_EXPORT_HEADERS, rows, sheet_title="사업")


def _program_or_404(program_id: int):
    program = setup.program_detail(program_id)
    if program is None:
        abort(404)
    return program


def _render_program_form(form: ProgramForm, program=None, status: int = 200):
    return render_template("programs/program_form.html", form=form, program=program), status


@bp.route("/programs/new", methods=["GET", "POST"])
@role_required(*COORDINATION)
def create():
    form = ProgramForm()
    if not form.is_submitted():
        form.year.data = str(seoul_today().year)
        form.owner_id.data = current_user.id
    form.set_choices(setup.owner_choices())
    if not form.validate_on_submit():
        return _render_program_form(form, status=_status(form))
    outcome = call_service(form, lambda: setup.create_program(**form.service_arguments(), actor=current_user))
    if not outcome.ok:
        return _render_program_form(outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("사업을 등록했습니다."), "success")
    return redirect(url_for(".detail", program_id=outcome.result.id))


@bp.get("/programs/<int:program_id>")
@role_required(*COORDINATION)
def detail(program_id: int):
    program = _program_or_404(program_id)
    counts = setup.enrollment_counts([cohort.id for cohort in program.cohorts])
    return render_template("programs/program_detail.html", program=program, enrollment_counts=counts,
                           today=seoul_today(), sections=PROGRAM_SECTIONS.sections_for(program, current_user))


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@role_required(*COORDINATION)
def edit(program_id: int):
    program = _program_or_404(program_id)
    form = ProgramForm() if request.method == "POST" else ProgramForm.for_program(program)
    form.set_choices(setup.owner_choices(program))
    if not form.validate_on_submit():
        return _render_program_form(form, program, status=_status(form))

    def current_values():
        fresh = _program_or_404(program_id)
        current = ProgramForm.for_program(fresh)
        current.set_choices(setup.owner_choices(fresh))
        return current

    outcome = call_service(form, lambda: setup.update_program(program, version=form.version_number,
                                                              **form.service_arguments(), actor=current_user),
                           current_form=current_values)
    if not outcome.ok:
        return _render_program_form(outcome.form, _program_or_404(program_id), status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for(".detail", program_id=program.id))


@bp.post("/programs/<int:program_id>/delete")
@role_required(*COORDINATION)
def delete(program_id: int):
    program = _program_or_404(program_id)
    try:
        setup.delete_program(program, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for(".detail", program_id=program_id))
    db.session.commit()
    flash(_("사업을 삭제했습니다. 관리자가 휴지통에서 복원할 수 있습니다."), "success")
    return redirect(url_for(".index"))


# --- cohorts ------------------------------------------------------------------------------------------------


def _cohort_filter_form() -> tuple[CohortFilterForm, bool]:
    form = CohortFilterForm(request.args)
    form.set_choices(setup.live_programs(), setup.program_years())
    return form, form.validate()


def _render_cohorts(form: CohortFilterForm, valid: bool):
    page = paginate(setup.cohort_list_statement(**form.filters()), cache_count=True)
    counts = setup.enrollment_counts([cohort.id for cohort in page.items])
    return render_template("programs/cohorts.html", form=form, page=page, counts=counts,
                           today=seoul_today()), 200 if valid else 422


@bp.get("/cohorts/")
@role_required(*COORDINATION)
def cohorts():
    return _render_cohorts(*_cohort_filter_form())


@bp.get("/cohorts/export.<any(csv, xlsx):fmt>")
@role_required(*COORDINATION)
def export_cohorts(fmt: str):
    """Exactly the filtered list, every page of it."""
    form, valid = _cohort_filter_form()
    if not valid:
        return _render_cohorts(form, valid)
    found = db.session.scalars(setup.cohort_list_statement(**form.filters())).all()
    counts = setup.enrollment_counts([cohort.id for cohort in found])
    today = seoul_today()
    rows = [[cohort.name, f"{cohort.program.year} {cohort.program.name}", cohort.start_on, cohort.end_on,
             cohort.weeks, cohort.week_of(today), counts.get(cohort.id, 0)] for cohort in found]
    return export_response(fmt, "cohorts", COHORT_EXPORT_HEADERS, rows, sheet_title="과정")


def _cohort_or_404(cohort_id: int):
    cohort = setup.cohort_for_setup(cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _render_cohort_form(form: CohortForm, cohort=None, status: int = 200):
    form.pad_targets()
    return render_template("programs/cohort_form.html", form=form, cohort=cohort), status


def _program_from_query() -> int | None:
    program_id = request.args.get("program_id", type=int)
    if program_id is not None and setup.program_detail(program_id) is None:
        abort(404)
    return program_id


@bp.route("/cohorts/new", methods=["GET", "POST"])
@role_required(*COORDINATION)
def create_cohort():
    program_id = _program_from_query()
    form = CohortForm()
    if not form.is_submitted():
        form.program_id.data = program_id
        form.weeks.data = str(setup.DEFAULT_WEEKS)
        form.add_blank_rows(NEW_STAGE_ROWS, NEW_INDICATOR_ROWS)
    form.set_choices(setup.live_programs())
    if not form.validate_on_submit():
        return _render_cohort_form(form, status=_status(form))
    outcome = call_service(form, lambda: setup.create_cohort(**form.service_arguments(), actor=current_user))
    if not outcome.ok:
        return _render_cohort_form(outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("과정을 만들었습니다. 이제 참여 기업을 추가하세요."), "success")
    return redirect(url_for("progress.cohort", cohort_id=outcome.result.id))


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@role_required(*COORDINATION)
def edit_cohort(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    if request.method == "POST":
        form = CohortForm()
    else:
        form = CohortForm.for_cohort(cohort)
        form.add_blank_rows(EXTRA_ROWS_ON_EDIT, EXTRA_ROWS_ON_EDIT)
    form.set_choices(setup.live_programs())
    if not form.validate_on_submit():
        return _render_cohort_form(form, cohort, status=_status(form))

    def current_values():
        fresh = _cohort_or_404(cohort_id)
        current = CohortForm.for_cohort(fresh)
        current.add_blank_rows(EXTRA_ROWS_ON_EDIT, EXTRA_ROWS_ON_EDIT)
        current.set_choices(setup.live_programs())
        return current

    outcome = call_service(form, lambda: setup.update_cohort(cohort, version=form.version_number,
                                                             **form.service_arguments(), actor=current_user),
                           current_form=current_values)
    if not outcome.ok:
        return _render_cohort_form(outcome.form, _cohort_or_404(cohort_id), status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for("progress.cohort", cohort_id=cohort_id))


@bp.post("/cohorts/<int:cohort_id>/delete")
@role_required(*COORDINATION)
def delete_cohort(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    program_id = cohort.program_id
    try:
        setup.delete_cohort(cohort, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for(".edit_cohort", cohort_id=cohort_id))
    db.session.commit()
    flash(_("과정을 삭제했습니다. 관리자가 휴지통에서 복원할 수 있습니다."), "success")
    return redirect(url_for(".detail", program_id=program_id))


# --- enrollments --------------------------------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/enrollments/new", methods=["GET", "POST"])
@role_required(*COORDINATION)
def enroll(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = EnrollForm()

    def render(form, status):
        form.set_choices(setup.enrollable_companies(cohort))
        return render_template("programs/enrollment_form.html", form=form, cohort=cohort, enrollment=None), status

    if not form.validate_on_submit():
        return render(form, _status(form))
    outcome = call_service(form, lambda: setup.enroll_company(cohort, **form.service_arguments(),
                                                              actor=current_user))
    if not outcome.ok:
        cohort = _cohort_or_404(cohort_id)
        return render(outcome.form, outcome.status)
    db.session.commit()
    flash(_("참여 기업을 추가했습니다."), "success")
    return redirect(url_for("progress.cohort", cohort_id=cohort_id))


def _enrollment_or_404(enrollment_id: int):
    enrollment = setup.enrollment_for_setup(enrollment_id)
    if enrollment is None:
        abort(404)
    return enrollment


def _render_enrollment_form(form: EnrollmentForm, enrollment, status: int = 200):
    return render_template("programs/enrollment_form.html", form=form, cohort=enrollment.cohort,
                           enrollment=enrollment), status


@bp.route("/enrollments/<int:enrollment_id>/edit", methods=["GET", "POST"])
@role_required(*COORDINATION)
def edit_enrollment(enrollment_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    form = EnrollmentForm() if request.method == "POST" else EnrollmentForm.for_enrollment(enrollment)
    if not form.validate_on_submit():
        return _render_enrollment_form(form, enrollment, status=_status(form))

    def current_values():
        return EnrollmentForm.for_enrollment(_enrollment_or_404(enrollment_id))

    outcome = call_service(form, lambda: setup.update_enrollment(enrollment, version=form.version_number,
                                                                 **form.service_arguments(), actor=current_user),
                           current_form=current_values)
    if not outcome.ok:
        return _render_enrollment_form(outcome.form, _enrollment_or_404(enrollment_id), status=outcome.status)
    db.session.commit()
    flash(_("저장했습니다."), "success")
    return redirect(url_for("progress.enrollment", enrollment_id=enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/delete")
@role_required(*COORDINATION)
def delete_enrollment(enrollment_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    cohort_id = enrollment.cohort_id
    setup.delete_enrollment(enrollment, actor=current_user)
    db.session.commit()
    flash(_("참여를 삭제했습니다. 관리자가 휴지통에서 복원할 수 있습니다."), "success")
    return redirect(url_for("progress.cohort", cohort_id=cohort_id))
