"""/imports/: upload a file, preview and fix the column mapping, choose per matching row to update or skip it,
apply all rows or none, undo (admins).

Coordination imports every kind and sees every upload; a coach imports only coaching sessions of the companies
assigned to them and sees only their own uploads (another upload answers 404)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import Role
from crm.core.access import role_required, signed_in
from crm.core.errors import RuleError
from crm.core.export import csv_response, xlsx_response
from crm.extensions import db
from crm.imports import services
from crm.imports.forms import MappingForm, UpdateChoiceForm, UploadForm
from crm.imports.kinds import KINDS, cohort_with_indicators
from crm.imports.models import ImportBatch, ImportKind, ImportStatus

bp = Blueprint("imports", __name__, url_prefix="/imports")

# The preview lists at most this many rows of each sort (problems, matches); the counts cover every row.
PREVIEW_ROWS = 200


def _upload_form() -> UploadForm:
    form = UploadForm()
    is_coordination = current_user.role is not Role.COACH
    form.set_choices(kinds=services.kinds_for(current_user),
                     campaigns=services.campaign_choices() if is_coordination else [],
                     cohorts=services.cohort_choices() if is_coordination else [])
    if not form.is_submitted():
        # A page linking here (a campaign, a cohort) may say what is to be imported and where.
        for name in ("kind", "campaign_id", "cohort_id"):
            if request.args.get(name):
                form[name].data = form[name].coerce(request.args[name])
    return form


def _render_index(form: UploadForm, status: int = 200):
    return render_template("imports/index.html", form=form, batches=services.recent_batches(current_user),
                           kinds=services.kinds_for(current_user)), status


@bp.route("/", methods=["GET", "POST"])
@signed_in
def index():
    form = _upload_form()
    if not form.validate_on_submit():
        return _render_index(form, 422 if form.is_submitted() else 200)
    upload = form.file.data
    try:
        services.expire_stale_batches()
        batch = services.create_batch(upload.read(), upload.filename or "", form.kind.data, actor=current_user,
                                      campaign_id=form.campaign_id.data, cohort_id=form.cohort_id.data)
    except RuleError as error:
        db.session.rollback()
        form.add_rule_error(error)
        return _render_index(form, 422)
    db.session.commit()
    return redirect(url_for(".detail", batch_id=batch.id))


def _batch_or_404(batch_id: int) -> ImportBatch:
    batch = services.batch_for(current_user, batch_id)
    if batch is None:
        abort(404)
    return batch


def _render_detail(batch: ImportBatch, *, mapping_form: MappingForm | None = None, error: str | None = None,
                   status: int = 200):
    is_open = batch.status is ImportStatus.PREVIEW and not services.is_expired(batch)
    problem_rows = services.rows_for_preview(batch, problems_only=True, limit=PREVIEW_ROWS) if is_open else []
    matched_rows = services.rows_for_preview(batch, matched_only=True, limit=PREVIEW_ROWS) if is_open else []
    sample_rows = services.rows_for_preview(batch, limit=10) if is_open else []
    return render_template(
        "imports/detail.html", batch=batch, kind=KINDS[batch.kind], is_open=is_open,
        is_expired=services.is_expired(batch), error=error,
        mapping_form=mapping_form or MappingForm.for_batch(batch),
        mapping_problems=services.mapping_problems(batch) if is_open else [],
        unmatched_headers=services.unmatched_headers(batch) if is_open else [],
        match_counts=services.match_counts(batch) if is_open else {},
        skipped_count=services.skipped_row_count(batch) if is_open else 0,
        problem_rows=problem_rows, matched_rows=matched_rows, sample_rows=sample_rows, preview_limit=PREVIEW_ROWS,
        choice_form=UpdateChoiceForm(formdata=None),
        can_undo=current_user.role is Role.ADMIN and services.can_undo(batch),
    ), status


@bp.get("/<int:batch_id>")
@signed_in
def detail(batch_id: int):
    return _render_detail(_batch_or_404(batch_id))


@bp.post("/<int:batch_id>/mapping")
@signed_in
def change_mapping(batch_id: int):
    batch = _batch_or_404(batch_id)
    form = MappingForm.for_batch(batch, formdata=request.form)
    if not form.validate():
        return _render_detail(batch, mapping_form=form, status=422)
    try:
        services.change_mapping(batch, form.mapping, update_existing=form.update_existing.data, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        return _render_detail(batch, error=error.message, status=422)
    db.session.commit()
    return redirect(url_for(".detail", batch_id=batch.id))


@bp.post("/<int:batch_id>/updates")
@signed_in
def choose_updates(batch_id: int):
    batch = _batch_or_404(batch_id)
    form = UpdateChoiceForm()
    if not form.validate_on_submit():
        return _render_detail(batch, status=422)
    try:
        services.choose_updates(batch, form.shown_lines.data, form.update_lines.data, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        return _render_detail(batch, error=error.message, status=422)
    db.session.commit()
    flash(_("기존 기록과 일치하는 행의 선택을 저장했습니다."), "success")
    return redirect(url_for(".detail", batch_id=batch.id))


@bp.post("/<int:batch_id>/apply")
@signed_in
def apply(batch_id: int):
    batch = _batch_or_404(batch_id)
    try:
        services.apply_batch(batch, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        if batch.status is ImportStatus.PREVIEW and not services.is_expired(batch):
            # Keep what checking found now (records may have changed since the preview): only the upload's rows.
            services.check_batch(batch, actor=current_user)
            db.session.commit()
        return _render_detail(batch, error=error.message, status=422)
    db.session.commit()
    flash(_("가져오기를 적용했습니다: 새로 등록 %(created)d건, 수정 %(updated)d건, 건너뜀 %(skipped)d건.",
            created=batch.created_count, updated=batch.updated_count, skipped=batch.skipped_count), "success")
    return redirect(url_for(".detail", batch_id=batch.id))


@bp.post("/<int:batch_id>/undo")
@role_required(Role.ADMIN)
def undo(batch_id: int):
    batch = db.get_or_404(ImportBatch, batch_id)
    try:
        services.undo_batch(batch, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        return _render_detail(batch, error=error.message, status=422)
    db.session.commit()
    flash(_("가져오기를 되돌렸습니다."), "success")
    return redirect(url_for(".detail", batch_id=batch.id))


@bp.get("/template/<kind>.<any(csv, xlsx):fmt>")
@signed_in
def template(kind: str, fmt: str):
    """The file to fill in; for weekly reports `?cohort_id=` adds a column per indicator of that cohort."""
    try:
        kind = ImportKind(kind)
    except ValueError:
        abort(404)
    if kind not in services.kinds_for(current_user):
        abort(404)
    cohort = cohort_with_indicators(request.args.get("cohort_id", type=int)) \
        if kind is ImportKind.WEEKLY_REPORTS else None
    headers, rows = services.template_rows(kind, cohort)
    filename = f"import-{kind.value}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, headers, rows, sheet_title=kind.label)
    return csv_response(filename, headers, rows)
