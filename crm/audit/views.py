"""/admin/audit: the admin reads the audit log and exports it."""
import json
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import force_locale
from markupsafe import Markup

from crm.audit import services
from crm.audit.forms import AuditFilterForm
from crm.audit.models import AuditLog, action_label
from crm.auth.models import Role
from crm.auth.services import user_choices
from crm.core.access import role_required
from crm.core.cache import cached_rendering
from crm.core.export import export_response
from crm.core.pagination import count_rows, paginate
from crm.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
# The list counts no further than this (200 pages); beyond it the total shows as "10,000건 이상".
COUNT_LIMIT = 10_000
EXPORT_CHUNK = 1000

# The export's columns, in Korean whatever the reader's language.
EXPORT_HEADERS = ("시각", "사용자", "아이디", "동작", "기록 종류", "기록 번호", "내용", "IP")


def _filter_form() -> tuple[AuditFilterForm, bool]:
    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.actor_id.choices = [(0, ""), *user_choices()]
    form.record_type.choices = [("", "")] + [(name, name) for name in services.known_record_types()]
    return form, form.validate()


def _render_index(form: AuditFilterForm, valid: bool):
    page = paginate(services.audit_log_statement(**(form.filters() if valid else {}), ids_only=True),
                    count_limit=COUNT_LIMIT)
    return render_template("audit/index.html", form=form, page=page, entry_rows=_entry_rows(page.items)), \
        200 if valid else 422


def _entry_rows(entry_ids: list[int]) -> Markup:
    """A page's rows, kept rendered per page of ids: entries never change once written, and what else a row shows
    (the actor's name) is domain data, which the kept rendering follows."""
    return cached_rendering(("audit rows", tuple(entry_ids)), "audit/_rows.html",
                            lambda: {"entries": services.entries_by_id(entry_ids)})


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return _render_index(*_filter_form())


def _export_row(entry) -> list:
    return [
        entry.at,
        entry.actor.name if entry.actor else None,
        entry.actor_label,
        action_label(entry.action),
        entry.record_type,
        entry.record_id,
        json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes is not None else None,
        entry.ip,
    ]


def _export_rows(stmt) -> Iterator[list]:
    """Streamed a thousand entries at a time (an unfiltered log holds millions), labels in Korean."""
    with force_locale("ko"):
        for entry in db.session.scalars(stmt.execution_options(yield_per=EXPORT_CHUNK)):
            yield _export_row(entry)


@bp.get("/export.<any(csv, xlsx):fmt>")
@role_required(Role.ADMIN)
def export(fmt: str):
    """Exactly the filtered log, every page of it, newest first."""
    form, valid = _filter_form()
    if not valid:
        return _render_index(form, valid)
    # The file holds the log as counted here, without the export's own entry written before the stream starts.
    last_id = db.session.scalar(sa.select(sa.func.max(AuditLog.id))) or 0
    stmt = services.audit_log_statement(**form.filters()).where(AuditLog.id <= last_id)
    count = count_rows(stmt)
    return export_response(fmt, "audit-log", EXPORT_HEADERS, _export_rows(stmt), sheet_title="감사 로그",
                           row_count=count)
