"""/submit/<token>: a company's weekly-report link. Anybody holding the URL may use it, so it shows one
enrollment's report form and nothing else of the CRM, and it is rate limited per address. A forged or tampered
token answers 404; an expired or revoked link, or one of an enrollment that has ended, 410."""
from flask import Blueprint, render_template
from flask_limiter.util import get_remote_address

from crm.audit.context import acting_as
from crm.core.access import public
from crm.core.forms import call_service
from crm.extensions import db, limiter
from crm.programs import links, progress
from crm.programs.progress_forms import LinkReportForm, report_form_for

bp = Blueprint("submit", __name__)

SUBMIT_LIMIT = "30 per minute"


def _link_form(link) -> LinkReportForm:
    enrollment = link.enrollment
    form = report_form_for(LinkReportForm, enrollment.cohort.indicators)
    form.set_weeks(progress.open_weeks(enrollment), enrollment.cohort)
    return form


def _render(link, form: LinkReportForm, status: int = 200):
    return render_template("programs/submit.html", enrollment=link.enrollment, form=form), status


@bp.route("/submit/<token>", methods=["GET", "POST"])
@public
@limiter.limit(SUBMIT_LIMIT, key_func=get_remote_address, scope="submit-link")
def form(token: str):
    try:
        link = links.resolve(token)
    except links.LinkError as error:
        return render_template("programs/submit_error.html", message=error.message), error.status
    report_form = _link_form(link)
    if not report_form.validate_on_submit():
        return _render(link, report_form, 422 if report_form.is_submitted() else 200)
    enrollment = link.enrollment
    week = report_form.week.data
    # The audit log names the company as the one who made the change.
    with acting_as(label=f"기업 링크: {enrollment.company.name}"):
        outcome = call_service(report_form, lambda: progress.submit_report(
            enrollment, week, report_form.fields(), report_form.indicator_values(), link=link))
        if outcome.ok:
            db.session.commit()
    if not outcome.ok:
        fresh = links.resolve(token)
        form_again = outcome.form
        form_again.set_weeks(progress.open_weeks(fresh.enrollment), fresh.enrollment.cohort)
        return _render(fresh, form_again, outcome.status)
    return render_template("programs/submit_done.html", enrollment=enrollment, week=week,
                           more_weeks=progress.open_weeks(enrollment))
