from flask import Blueprint, render_template, request
from flask_login import current_user

from crm.auth.models import COORDINATION, Role
from crm.coaching.dashboard import coach_dashboard
from crm.core.access import role_required, signed_in
from crm.core.cache import cached_rendering
from crm.core.errors import RuleError
from crm.core.time import seoul_today
from crm.programs.progress import dashboard_reports
from crm.reports import dashboard as panels
from crm.reports import services
from crm.reports.weekly import parse_week, weekly_digest

bp = Blueprint("reports", __name__)


def _weekly_reports():
    """The same for every coordinator and admin; reports fall due at Seoul midnight, so it changes with the day."""
    return cached_rendering((seoul_today(),), "programs/_dashboard_reports.html",
                            lambda: {"weekly": dashboard_reports()})


def _coach_panels():
    """The coach's own companies, sessions and items; overdue marks change with the Seoul day."""
    today = seoul_today()
    return cached_rendering((current_user.id, today), "reports/_coach_dashboard.html",
                            lambda: {"coach": coach_dashboard(current_user, today)})


def _admin_context() -> dict:
    return {
        "funnel": panels.funnel_counts(),
        "latest_changes": cached_rendering((), "reports/_latest_changes.html", lambda: {
            "stage_changes": panels.latest_stage_changes(), "listing_changes": panels.latest_listing_changes()}),
        "user_counts": services.user_counts_by_role(),
        "recent_logins": services.recent_logins(),
        "recent_audit": services.recent_audit_entries(),
    }


def _coordinator_panels():
    """The coordinator's funnel and open items, the running campaigns and the weekly reports: campaigns run and
    items fall overdue with the Seoul day."""
    today = seoul_today()
    return cached_rendering((current_user.id, today), "reports/_coordinator_dashboard.html", lambda: {
        "funnel": panels.funnel_counts(current_user), "open_items": panels.open_items(current_user, today),
        "campaigns": panels.running_campaigns(today), "weekly_reports": _weekly_reports()})


@bp.get("/")
@signed_in
def dashboard():
    if current_user.role is Role.COACH:
        return render_template("reports/dashboard.html", panels=_coach_panels())
    if current_user.is_admin:
        return render_template("reports/dashboard.html", weekly_reports=_weekly_reports(), **_admin_context())
    return render_template("reports/dashboard.html", panels=_coordinator_panels())


@bp.get("/reports/weekly")
@role_required(*COORDINATION)
def weekly():
    try:
        week = parse_week(request.args.get("week"))
    except RuleError as error:
        return render_template("reports/weekly.html", digest=None, error=error.message,
                               week_value=request.args.get("week", "")), 422
    return render_template("reports/weekly.html", digest=weekly_digest(week), error=None, week_value=str(week))
