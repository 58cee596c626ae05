"""/admin/audit: the admin reads the audit log."""
from flask import Blueprint, render_template, request

from crm.audit import services
from crm.audit.forms import AuditFilterForm
from crm.auth.models import Role
from crm.auth.services import all_users
from crm.core.access import role_required
from crm.core.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.actor_id.choices = [(0, "")] + [(user.id, f"{user.name} ({user.login_id})") for user in all_users()]
    form.record_type.choices = [("", "")] + [(name, name) for name in services.known_record_types()]
    valid = form.validate()
    page = paginate(services.audit_log_statement(**(form.filters() if valid else {})))
    return render_template("audit/index.html", form=form, page=page), 200 if valid else 422
