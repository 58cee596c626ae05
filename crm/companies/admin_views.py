"""Merging duplicate companies, the trash (/admin/trash) and the stage and listing change audit
(/admin/audit/stages)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, HiddenField, IntegerField, SelectField, SubmitField
from wtforms.validators import DataRequired, Optional, ValidationError
from wtforms.widgets import HiddenInput

from crm.auth.models import COORDINATION, Role
from crm.auth.services import user_choices
from crm.companies import history, merge, trash
from crm.companies.access import company_or_404
from crm.companies.models import LISTING_STATUS_LABELS, Company, ListingStatus
from crm.companies.pipeline import STAGE_LABELS, Stage
from crm.core.access import role_required
from crm.core.errors import RuleError
from crm.core.export import export_response
from crm.core.forms import BaseForm, call_service
from crm.core.pagination import paginate
from crm.extensions import db

bp = Blueprint("company_admin", __name__)
STAGE_PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")
# The trash export's columns, in Korean whatever the reader's language.
TRASH_EXPORT_HEADERS = ("번호", "종류", "기록", "기업", "삭제한 사용자", "삭제 시각")


def _version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MergeForm(BaseForm):
    other_id = IntegerField(widget=HiddenInput(), validators=[DataRequired(_l("병합할 기업을 고르세요."))])
    survivor_version = HiddenField()
    absorbed_version = HiddenField()
    submit = SubmitField(_l("병합"))

    def versions(self) -> tuple[int | None, int | None]:
        return _version(self.survivor_version.data), _version(self.absorbed_version.data)


# --- merge ----------------------------------------------------------------------------------------------


def _render_merge(company: Company, *, other: Company | None = None, form: MergeForm | None = None,
                  status: int = 200):
    query = request.args.get("q", "").strip()[:100]
    if other is not None and not other.is_deleted and other.id != company.id:
        form = form or MergeForm(formdata=None, other_id=other.id, survivor_version=company.version,
                                 absorbed_version=other.version)
        counts = {"survivor": merge.merge_counts(company), "absorbed": merge.merge_counts(other)}
        context = {"other": other, "counts": counts}
    else:
        context = {"other": None, "candidates": merge.merge_candidates(company, query, current_user)}
    return render_template("companies/merge.html", company=company, form=form, query=query, **context), status


# Endpoints named explicitly: the functions may not shadow the modules `merge` and `trash`.
@bp.route("/companies/<int:company_id>/merge", methods=["GET", "POST"], endpoint="merge")
@role_required(*COORDINATION)
def merge_view(company_id: int):
    company = company_or_404(company_id)
    if request.method == "GET":
        other_id = request.args.get("other_id", type=int)
        other = merge.company_by_id(other_id)
        if other_id and (other is None or other.id == company.id):
            abort(404)
        return _render_merge(company, other=other)

    form = MergeForm()
    if not form.validate_on_submit():
        return _render_merge(company, form=form, status=422)
    other = merge.company_by_id(form.other_id.data, with_deleted=True)
    if other is None:
        form.form_errors.append(_("병합할 기업을 찾을 수 없습니다."))
        return _render_merge(company, form=form, status=422)
    outcome = call_service(form, lambda: merge.merge_companies(company, other, actor=current_user,
                                                               versions=form.versions()))
    if not outcome.ok:
        company = company_or_404(company_id)
        other = merge.company_by_id(form.other_id.data)
        fresh = None if outcome.status == 422 else MergeForm(formdata=None, other_id=form.other_id.data,
                                                             survivor_version=company.version,
                                                             absorbed_version=other.version if other else None)
        if fresh is not None:
            fresh.form_errors.extend(outcome.form.form_errors)
        return _render_merge(company, other=other, form=fresh or outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("%(absorbed)s을(를) %(survivor)s(으)로 병합했습니다.", absorbed=other.name, survivor=company.name),
          "success")
    return redirect(url_for("companies.detail", company_id=company.id))


# --- trash ----------------------------------------------------------------------------------------------


def _render_trash(kind: str, status: int = 200):
    counts = trash.trash_counts()
    page = trash.trash_page(kind)
    return render_template("admin/trash.html", kind=kind, kinds=trash.KINDS, counts=counts, page=page,
                           deleted_by=trash.users_by_id(item.deleted_by_id for item in page.items)), status


def _trash_kind() -> str:
    kind = request.args.get("kind", "company")
    if kind not in trash.KINDS:
        abort(404)
    return kind


@bp.get("/admin/trash/", endpoint="trash")
@role_required(Role.ADMIN)
def trash_index():
    return _render_trash(_trash_kind())


@bp.get("/admin/trash/export.<any(csv, xlsx):fmt>")
@role_required(Role.ADMIN)
def export_trash(fmt: str):
    """Every deleted record of the tab's kind, not only the page shown."""
    kind = _trash_kind()
    spec = trash.KINDS[kind]
    records = db.session.scalars(trash.trash_statement(kind)).unique().all()
    deleted_by = trash.users_by_id(record.deleted_by_id for record in records)

    def row(record) -> list:
        who = deleted_by.get(record.deleted_by_id)
        return [record.id, spec.label, spec.describe(record), record.company.name if spec.of_company else None,
                f"{who.name} ({who.login_id})" if who else None, record.deleted_at]

    with force_locale("ko"):
        rows = [row(record) for record in records]
    return export_response(fmt, f"trash-{kind}", TRASH_EXPORT_HEADERS, rows, sheet_title="휴지통")


def _deleted_or_404(kind: str, record_id: int):
    record = trash.deleted_record(kind, record_id)
    if record is None:
        abort(404)
    return record


@bp.post("/admin/trash/<kind>/<int:record_id>/restore")
@role_required(Role.ADMIN)
def restore(kind: str, record_id: int):
    record = _deleted_or_404(kind, record_id)
    try:
        trash.restore_record(record, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_trash(kind, status=409)
    db.session.commit()
    flash(_("%(kind)s 기록을 복원했습니다.", kind=trash.KINDS[kind].label), "success")
    return redirect(url_for(".trash", kind=kind))


@bp.post("/admin/trash/<kind>/<int:record_id>/purge")
@role_required(Role.ADMIN)
def purge(kind: str, record_id: int):
    record = _deleted_or_404(kind, record_id)
    try:
        trash.purge_record(record, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_trash(kind, status=409)
    db.session.commit()
    flash(_("%(kind)s 기록을 완전히 지웠습니다. 감사 로그에는 지운 내용이 남습니다.", kind=trash.KINDS[kind].label),
          "success")
    return redirect(url_for(".trash", kind=kind))


# --- stage and listing changes --------------------------------------------------------------------------


class ChangeFilterForm(BaseForm):
    kind = SelectField(_l("종류"), choices=[("stage", _l("단계 변경")), ("listing", _l("입점 상태 변경"))],
                       default="stage", validators=[Optional()])
    stage = SelectField(_l("변경 단계"),
                        choices=[("", _l("전체"))] + [(s.value, label) for s, label in STAGE_LABELS.items()],
                        validators=[Optional()])
    status = SelectField(_l("변경 상태"),
                         choices=[("", _l("전체"))] + [(s.value, label) for s, label in LISTING_STATUS_LABELS.items()],
                         validators=[Optional()])
    user_id = SelectField(_l("사용자"), coerce=int, validators=[Optional()], validate_choice=False)
    date_from = DateField(_l("시작일"), validators=[Optional()])
    date_to = DateField(_l("종료일"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("종료일이 시작일보다 앞섭니다."))

    @property
    def is_listing(self) -> bool:
        return self.kind.data == "listing"

    def statement(self, valid: bool):
        if not valid:
            return (history.listing_changes_statement() if self.is_listing else history.stage_changes_statement())
        common = {"user_id": self.user_id.data or None, "date_from": self.date_from.data, "date_to": self.date_to.data}
        if self.is_listing:
            return history.listing_changes_statement(
                status=ListingStatus(self.status.data) if self.status.data else None, **common)
        return history.stage_changes_statement(stage=Stage(self.stage.data) if self.stage.data else None, **common)


def _change_filter_form() -> tuple[ChangeFilterForm, bool]:
    form = ChangeFilterForm(request.args, meta={"csrf": False})
    if form.kind.data not in ("stage", "listing"):
        form.kind.data = "stage"
    form.user_id.choices = [(0, _("전체")), *user_choices()]
    return form, form.validate()


@bp.get("/admin/audit/stages")
@role_required(Role.ADMIN)
def stage_changes():
    form, valid = _change_filter_form()
    page = paginate(form.statement(valid), per_page=STAGE_PAGE_SIZE, cache_count=True)
    return render_template("audit/stages.html", form=form, page=page), 200 if valid else 422


@bp.get("/admin/audit/stages/export.<fmt>")
@role_required(Role.ADMIN)
def export_stage_changes(fmt: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    form, valid = _change_filter_form()
    if not valid:
        page = paginate(form.statement(False), per_page=STAGE_PAGE_SIZE, cache_count=True)
        return render_template("audit/stages.html", form=form, page=page), 422
    changes = db.session.scalars(form.statement(True)).unique()
    table = history.listing_change_table if form.is_listing else history.stage_change_table
    headers, rows = table(changes)
    return export_response(fmt, f"{'listing' if form.is_listing else 'stage'}-changes", headers, rows,
                           sheet_title=_("변경 이력"))
