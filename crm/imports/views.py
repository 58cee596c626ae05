"""/imports/: upload a file, preview and fix the column mapping, apply all rows or none, undo (admins)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import COORDINATION, Role
from crm.core.access import role_required
from crm.core.errors import RuleError
from crm.core.export import csv_response, xlsx_response
from crm.extensions import db
from crm.imports import services
from crm.imports.forms import MappingForm, UploadForm
from crm.imports.kinds import KINDS
from crm.imports.models import ImportBatch, ImportKind, ImportStatus

bp = Blueprint("imports", __name__, url_prefix="/imports")

# The preview lists at most this many rows (problem rows first); the counts cover every row.
PREVIEW_ROWS = 200


def _render_index(form: UploadForm, status: int = 200):
    return render_template("imports/index.html", form=form, batches=services.recent_batches(),
                           kinds=list(ImportKind)), status


@bp.route("/", methods=["GET", "POST"])
@role_required(*COORDINATION)
def index():
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_index(form, 422 if form.is_submitted() else 200)
    upload = form.file.data
    try:
        services.expire_stale_batches()
        batch = services.create_batch(upload.read(), upload.filename or "", form.kind.data, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        form.add_rule_error(error)
        return _render_index(form, 422)
    db.session.commit()
    return redirect(url_for(".detail", batch_id=batch.id))


def _render_detail(batch: ImportBatch, *, mapping_form: MappingForm | None = None, error: str | None = None,
                   status: int = 200):
    is_open = batch.status is ImportStatus.PREVIEW and not services.is_expired(batch)
    problem_rows = services.rows_for_preview(batch, problems_only=True, limit=PREVIEW_ROWS) if is_open else []
    sample_rows = services.rows_for_preview(batch, problems_only=False, limit=10) if is_open else []
    return render_template(
        "imports/detail.html", batch=batch, kind=KINDS[batch.kind], is_open=is_open,
        is_expired=services.is_expired(batch), error=error,
        mapping_form=mapping_form or MappingForm.for_batch(batch),
        mapping_problems=services.mapping_problems(batch) if is_open else [],
        unmatched_headers=services.unmatched_headers(batch) if is_open else [],
        match_counts=services.match_counts(batch) if is_open else {},
        problem_rows=problem_rows, sample_rows=sample_rows, preview_limit=PREVIEW_ROWS,
        can_undo=current_user.role is Role.ADMIN and services.can_undo(batch),
    ), status


@bp.get("/<int:batch_id>")
@role_required(*COORDINATION)
def detail(batch_id: int):
    return _render_detail(db.get_or_404(ImportBatch, batch_id))


@bp.post("/<int:batch_id>/mapping")
@role_required(*COORDINATION)
def change_mapping(batch_id: int):
    batch = db.get_or_404(ImportBatch, batch_id)
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


@bp.post("/<int:batch_id>/apply")
@role_required(*COORDINATION)
def apply(batch_id: int):
    batch = db.get_or_404(ImportBatch, batch_id)
    try:
        services.apply_batch(batch, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        if batch.status is ImportStatus.PREVIEW and not services.is_expired(batch):
            # Keep what checking found now (records may have changed since the preview): only the upload's rows.
            services.check_batch(batch)
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
@role_required(*COORDINATION)
def template(kind: str, fmt: str):
    try:
        kind = ImportKind(kind)
    except ValueError:
        abort(404)
    headers, rows = services.template_rows(kind)
    filename = f"import-{kind.value}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, headers, rows, sheet_title=kind.label)
    return csv_response(filename, headers, rows)
