from flask import Blueprint, render_template
from flask_login import current_user

from crm.auth.models import COORDINATION, Role
from crm.coaching.dashboard import coach_dashboard
from crm.core.access import signed_in
from crm.programs.progress import dashboard_reports
from crm.reports import services

bp = Blueprint("reports", __name__)


@bp.get("/")
@signed_in
def dashboard():
    context = {}
    if current_user.is_admin:
        context = {
            "user_counts": services.user_counts_by_role(),
            "recent_logins": services.recent_logins(),
            "recent_audit": services.recent_audit_entries(),
        }
    elif current_user.role is Role.COACH:
        context = {"coach": coach_dashboard(current_user)}
    if current_user.role in COORDINATION:
        context["weekly"] = dashboard_reports()
    return render_template("reports/dashboard.html", **context)
