"""Errors a service raises for a user to read, and the error pages."""
import logging
import uuid

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

log = logging.getLogger("crm.errors")


class RuleError(Exception):
    """A business rule refused a change; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEditError(RuleError):
    """Somebody else saved the record after this form was opened."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("다른 사용자가 먼저 저장했습니다. 최신 내용을 확인한 뒤 다시 저장하세요."),
                         field="version")


ERROR_TITLES = {
    400: _l("잘못된 요청입니다."),
    403: _l("접근 권한이 없습니다."),
    404: _l("페이지를 찾을 수 없습니다."),
    405: _l("허용되지 않는 요청 방식입니다."),
    409: _l("다른 사용자가 먼저 변경했습니다."),
    413: _l("파일이 너무 큽니다."),
    422: _l("입력 내용을 확인하세요."),
    429: _l("요청이 너무 많습니다. 잠시 후 다시 시도하세요."),
    500: _l("서버 오류가 발생했습니다."),
}


def render_error(status: int, message: str | None = None, incident_id: str | None = None):
    return render_template(
        "errors/error.html",
        status=status,
        title=ERROR_TITLES.get(status, ERROR_TITLES[400]),
        message=message,
        incident_id=incident_id,
    ), status


# A signed-in user refused a page (403) or asking for a record they may not see (404, which is also what a
# coach gets for another coach's company) leaves a trace; anonymous 404s would only fill the log with scans.
REFUSALS_LOGGED = {403: "access_denied", 404: "not_found"}


def _log_refusal(status: int) -> None:
    from flask_login import current_user

    from crm.audit.services import record_security_event
    from crm.extensions import db

    if not current_user.is_authenticated:
        return
    db.session.rollback()  # whatever the refused request had staged is not kept
    record_security_event(REFUSALS_LOGGED[status],
                          detail={"method": request.method, "path": request.path[:500], "status": status})
    db.session.commit()


def register_errorhandlers(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    def handle_http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request_ctx.url_adapter is None:
            # Refused before routing (an untrusted Host): no URLs can be built for the error page.
            return error
        if error.code == 405:
            response, status = render_error(405)
            return response, status, {"Allow": ", ".join(error.valid_methods or [])}
        if error.code in REFUSALS_LOGGED:
            _log_refusal(error.code)
        return render_error(error.code)

    def handle_csrf(error: CSRFError):
        from crm.audit.services import record_security_event
        from crm.extensions import db

        db.session.rollback()
        record_security_event("csrf_failure", detail={"reason": error.description, "path": request.path})
        db.session.commit()
        return render_error(400, _("보안 토큰이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요."))

    def handle_stale(error: StaleDataError):
        from crm.extensions import db

        db.session.rollback()
        return render_error(409, _("다른 사용자가 먼저 저장했습니다. 최신 내용을 확인한 뒤 다시 저장하세요."))

    def handle_internal(error: Exception):
        from crm.extensions import db

        # Production only: under TESTING the exception propagates to the test instead.
        incident_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error, incident %s", incident_id)
        db.session.rollback()
        return render_error(500, incident_id=incident_id)

    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(500, handle_internal)
