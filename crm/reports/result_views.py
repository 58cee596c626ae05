"""/reports/: the result report (결과 보고) of a year, its print layout and its XLSX workbook.

Coordination only: DESIGN keeps the result report from coaches (403 before anything loads). The year comes from
`?year=`; without one, the latest year that has programmes; a bad one is refused with a Korean message (422).
"""
from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from crm.audit.services import record_security_event
from crm.auth.models import COORDINATION
from crm.core.access import role_required
from crm.core.cache import cached
from crm.core.errors import RuleError, render_error
from crm.core.export import XLSX_MIMETYPE, xlsx_workbook_bytes
from crm.core.time import seoul_today
from crm.extensions import db
from crm.reports import result

bp = Blueprint("reports_result", __name__, url_prefix="/reports")
# Long lists of the page (coaching sessions, companies missing fields, likely duplicates) show this many rows.
ROWS_SHOWN = 100
# Where the page's template puts the report's body, which is sent as it was kept (see _report_body).
BODY_PLACEHOLDER = "<!-- result report body -->"


def _requested_year(years: list[int]) -> int:
    return result.parse_year(request.args.get("year")) or result.default_year(years)


@bp.get("/")
@role_required(*COORDINATION)
def index():
    years = result.report_years()
    try:
        year = _requested_year(years)
    except RuleError as error:
        return render_error(422, error.message)
    page = render_template("reports/result.html", year=year, years=years, body=Markup(BODY_PLACEHOLDER))
    before, after = page.split(BODY_PLACEHOLDER)
    parts = [before.encode(), _report_body(year), after.encode()]
    response = Response(parts, mimetype="text/html")
    response.content_length = sum(len(part) for part in parts)
    return response


def _report_body(year: int) -> bytes:
    """The report itself, kept until domain data changes: it reads every programme, campaign and company of the
    year (seconds at national scale) and shows nothing that depends on who reads it but the language. Kept
    encoded and sent between the page's encoded head and foot: at national scale it is megabytes, and copying
    it into each page and encoding it again cost more than all the rest of the request."""
    return cached(("result_report_body", year, str(get_locale()), seoul_today()), lambda: render_template(
        "reports/_result_body.html", report=result.result_report(year, ROWS_SHOWN), shown=ROWS_SHOWN).encode())


@bp.get("/export.xlsx")
@role_required(*COORDINATION)
def export():
    """The report's tables as one workbook; taking them out is an event of the audit log, like list exports."""
    try:
        year = _requested_year(result.report_years())
    except RuleError as error:
        return render_error(422, error.message)
    sheets = result.workbook_sheets(result.result_report(year))
    record_security_event("export", detail={"list": "result-report", "format": "xlsx", "year": year,
                                            "rows": sum(len(rows) for _title, _headers, rows in sheets)})
    db.session.commit()
    filename = f"result-report-{year}-{seoul_today():%Y%m%d}.xlsx"
    return Response(xlsx_workbook_bytes(sheets), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
