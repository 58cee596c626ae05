"""/cohorts/<id>: the enrollment × week grid; /enrollments/<id>: one enrollment, its reports, chart and links;
/enrollments/<id>/weeks/<n>: one week's report, its review and comments.

A coach reaches enrollments of companies assigned to them only (anything else answers 404, checked after
loading) and may read reports and comment on them; recording, editing, reviewing and links are coordination's
(403 for a coach)."""
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from crm.auth.models import COORDINATION
from crm.core.access import role_required, signed_in
from crm.core.cache import cached_rendering
from crm.core.export import export_response
from crm.core.forms import call_service
from crm.core.time import SEOUL, utcnow
from crm.extensions import db
from crm.programs import links, progress
from crm.programs.models import ReportStatus, SubmissionLink
from crm.programs.progress_forms import CommentForm, LinkForm, ReviewForm, StaffReportForm, report_form_for

bp = Blueprint("progress", __name__)


def _is_staff() -> bool:
    return current_user.role in COORDINATION


def _enrollment_or_404(enrollment_id: int):
    enrollment = progress.enrollment_for(current_user, enrollment_id)
    if enrollment is None:
        abort(404)
    return enrollment


def _checked_week(enrollment, week: int) -> int:
    if not 1 <= week <= enrollment.cohort.weeks:
        abort(404)
    return week


# --- the grid -----------------------------------------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>")
@role_required(*COORDINATION)
def cohort(cohort_id: int):
    found = progress.cohort_for_grid(cohort_id)
    if found is None:
        abort(404)
    return render_template("programs/grid.html", cohort=found, body=_grid_body(found))


def _grid_body(cohort) -> Markup:
    """The grid, kept until domain data changes: 650 cells of the largest cohort cost several times the
    reference page to render. It shows nothing that depends on who reads it (coordination sees every
    enrollment) but the language, and time moves its cells only at Seoul midnight (a week begins and falls due
    then)."""
    now = utcnow()
    return cached_rendering((cohort.id, now.astimezone(SEOUL).date()), "programs/_grid.html", lambda: {
        "grid": progress.cohort_grid(cohort, now), "report_status_labels": ReportStatus.translated_labels()})


# The weekly-report export: the headers the import of weekly reports reads back, and a column per indicator
# ("name (unit)") between them; project, submitted and review columns the import leaves.
REPORT_EXPORT_HEADERS = ("기업명", "사업자등록번호", "프로젝트", "주차", "진행 상태", "수행 내역", "다음 주 계획",
                         "애로사항")
REPORT_EXPORT_TRAILING_HEADERS = ("제출일시", "검토 의견", "검토일시")


@bp.get("/cohorts/<int:cohort_id>/reports/export.<any(csv, xlsx):fmt>")
@role_required(*COORDINATION)
def export_reports(cohort_id: int, fmt: str):
    """Every weekly report of the cohort with its indicator values, as the weekly-report import reads them."""
    found = progress.cohort_for_grid(cohort_id)
    if found is None:
        abort(404)
    indicators = found.indicators
    headers = (*REPORT_EXPORT_HEADERS, *(f"{indicator.name} ({indicator.unit})" for indicator in indicators),
               *REPORT_EXPORT_TRAILING_HEADERS)
    with force_locale("ko"):
        rows = []
        for report in progress.cohort_reports(found):
            enrollment, amounts = report.enrollment, {value.indicator_id: value.value for value in report.values}
            rows.append([enrollment.company.name, enrollment.company.business_number, enrollment.project_title,
                         report.week, report.status.label, report.work_done, report.next_plan, report.difficulties,
                         *(amounts.get(indicator.id, 0) for indicator in indicators),
                         report.submitted_at, report.review_comment, report.reviewed_at])
    return export_response(fmt, f"cohort-{found.id}-weekly-reports", headers, rows, sheet_title="주간 보고")


# --- one enrollment -----------------------------------------------------------------------------------------


def _render_enrollment(enrollment, *, link_form: LinkForm | None = None, issued_url: str | None = None,
                       status: int = 200):
    now = utcnow()
    context = {
        "enrollment": enrollment,
        "reports_body": _reports_body(enrollment, now),
        "current_week": progress.current_week(enrollment.cohort, now),
        "is_staff": _is_staff(),
    }
    if _is_staff():
        context.update(links=progress.links_of(enrollment), link_form=link_form or LinkForm(),
                       issued_url=issued_url)
    return render_template("programs/enrollment.html", **context), status


def _reports_body(enrollment, now: datetime) -> Markup:
    """The enrollment's reports, charts and difficulties, kept until domain data changes (the reader may see the
    enrollment: checked when it was loaded). They depend on the language, on whether the reader is staff (a link
    to this week's report) and on the Seoul day (the current week, the charts' last week)."""
    is_staff = _is_staff()

    def context() -> dict:
        reports = progress.reports_of(enrollment)
        return {"enrollment": enrollment, "reports": reports,
                "charts": progress.indicator_charts(enrollment.cohort, reports, now),
                "difficulties": progress.difficulties(reports),
                "current_week": progress.current_week(enrollment.cohort, now), "is_staff": is_staff}

    return cached_rendering((enrollment.id, is_staff, now.astimezone(SEOUL).date()),
                            "programs/_enrollment_reports.html", context)


@bp.get("/enrollments/<int:enrollment_id>")
@signed_in
def enrollment(enrollment_id: int):
    return _render_enrollment(_enrollment_or_404(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/links")
@role_required(*COORDINATION)
def issue_link(enrollment_id: int):
    found = _enrollment_or_404(enrollment_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return _render_enrollment(found, link_form=form, status=422)
    outcome = call_service(form, lambda: links.issue_link(found, days_valid=form.days(), actor=current_user))
    if not outcome.ok:
        return _render_enrollment(_enrollment_or_404(enrollment_id), link_form=outcome.form, status=outcome.status)
    db.session.commit()
    _link, url = outcome.result
    # Shown in this response only: the URL is stored nowhere, not even in the flash of the session cookie.
    return _render_enrollment(found, issued_url=url)


@bp.post("/enrollments/<int:enrollment_id>/links/<int:link_id>/revoke")
@role_required(*COORDINATION)
def revoke_link(enrollment_id: int, link_id: int):
    found = _enrollment_or_404(enrollment_id)
    link = db.session.get(SubmissionLink, link_id)
    if link is None or link.enrollment_id != found.id:
        abort(404)
    links.revoke_link(link, actor=current_user)
    db.session.commit()
    flash(_("제출 링크를 사용 중지했습니다."), "success")
    return redirect(url_for(".enrollment", enrollment_id=found.id))


# --- one week -----------------------------------------------------------------------------------------------


def _report_form(enrollment, **kwargs) -> StaffReportForm:
    return report_form_for(StaffReportForm, enrollment.cohort.indicators, **kwargs)


def _render_week(enrollment, week: int, report, *, form=None, review_form=None, comment_form=None,
                 status: int = 200):
    if form is not None:
        return render_template("programs/report_form.html", enrollment=enrollment, week=week, report=report,
                               form=form), status
    staff = _is_staff()
    if report is not None and staff and review_form is None:
        review_form = ReviewForm(formdata=None, obj=report)
        review_form.comment.data = report.review_comment
    if report is not None and comment_form is None and progress.can_comment(report, current_user):
        comment_form = CommentForm(formdata=None)
    return render_template("programs/report.html", enrollment=enrollment, week=week, report=report,
                           state=progress.cell_state(enrollment.cohort, week, report),
                           started=progress.is_started(enrollment.cohort, week),
                           due_at=enrollment.cohort.week_due_at(week), is_staff=staff,
                           review_form=review_form, comment_form=comment_form), status


@bp.route("/enrollments/<int:enrollment_id>/weeks/<int:week>", methods=["GET", "POST"])
@signed_in
def week(enrollment_id: int, week: int):
    found = _enrollment_or_404(enrollment_id)
    week = _checked_week(found, week)
    report = progress.report_of_week(found, week)
    editing = request.method == "POST" or (request.args.get("edit") and report is not None)
    blank_form_wanted = report is None and progress.is_started(found.cohort, week)
    if not _is_staff():
        if request.method == "POST":
            abort(403)
        return _render_week(found, week, report)
    if not editing and not blank_form_wanted:
        return _render_week(found, week, report)
    if report is None:
        return _record(found, week)
    return _edit(found, week, report)


def _record(enrollment, week: int):
    form = _report_form(enrollment)
    if not form.validate_on_submit():
        return _render_week(enrollment, week, None, form=form, status=422 if form.is_submitted() else 200)
    outcome = call_service(form, lambda: progress.submit_report(enrollment, week, form.fields(),
                                                                form.indicator_values(), actor=current_user))
    if not outcome.ok:
        return _render_week(_enrollment_or_404(enrollment.id), week, None, form=outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("%(week)d주차 보고를 저장했습니다.", week=week), "success")
    return redirect(url_for(".week", enrollment_id=enrollment.id, week=week))


def _edit(enrollment, week: int, report):
    if request.method == "POST":
        form = _report_form(enrollment)
    else:
        form = _report_form(enrollment, obj=report)
        form.fill_values(report)
    if not form.validate_on_submit():
        return _render_week(enrollment, week, report, form=form, status=422 if form.is_submitted() else 200)

    def current_values():
        fresh = progress.report_of_week(_enrollment_or_404(enrollment.id), week)
        current = _report_form(fresh.enrollment, formdata=None, obj=fresh)
        current.fill_values(fresh)
        return current

    outcome = call_service(form, lambda: progress.update_report(report, form.fields(), form.indicator_values(),
                                                                version=form.version_number, actor=current_user),
                           current_form=current_values)
    if not outcome.ok:
        fresh = _enrollment_or_404(enrollment.id)
        return _render_week(fresh, week, progress.report_of_week(fresh, week), form=outcome.form,
                            status=outcome.status)
    db.session.commit()
    flash(_("%(week)d주차 보고를 수정했습니다.", week=week), "success")
    return redirect(url_for(".week", enrollment_id=enrollment.id, week=week))


def _report_or_404(enrollment_id: int, week: int):
    found = _enrollment_or_404(enrollment_id)
    report = progress.report_of_week(found, _checked_week(found, week))
    if report is None:
        abort(404)
    return found, report


@bp.post("/enrollments/<int:enrollment_id>/weeks/<int:week>/review")
@role_required(*COORDINATION)
def review(enrollment_id: int, week: int):
    found, report = _report_or_404(enrollment_id, week)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_week(found, week, report, review_form=form, status=422)

    def current_values():
        fresh = _report_or_404(enrollment_id, week)[1]
        current = ReviewForm(formdata=None, obj=fresh)
        current.comment.data = fresh.review_comment
        return current

    outcome = call_service(form, lambda: progress.review_report(report, form.comment.data, actor=current_user,
                                                                version=form.version_number),
                           current_form=current_values)
    if not outcome.ok:
        fresh, fresh_report = _report_or_404(enrollment_id, week)
        return _render_week(fresh, week, fresh_report, review_form=outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("%(week)d주차 보고를 검토했습니다.", week=week), "success")
    return redirect(url_for(".week", enrollment_id=enrollment_id, week=week))


@bp.post("/enrollments/<int:enrollment_id>/weeks/<int:week>/comments")
@signed_in
def comment(enrollment_id: int, week: int):
    found, report = _report_or_404(enrollment_id, week)
    if not progress.can_comment(report, current_user):
        abort(403)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_week(found, week, report, comment_form=form, status=422)
    outcome = call_service(form, lambda: progress.add_comment(report, form.body.data, actor=current_user))
    if not outcome.ok:
        fresh, fresh_report = _report_or_404(enrollment_id, week)
        return _render_week(fresh, week, fresh_report, comment_form=outcome.form, status=outcome.status)
    db.session.commit()
    flash(_("의견을 남겼습니다."), "success")
    return redirect(url_for(".week", enrollment_id=enrollment_id, week=week))
