"""Company submission links: issue, resolve, revoke.

The URL carries `{link id, secret}` signed with the app's secret key. Only the SHA-256 of the secret is stored,
so the URL is shown once, when issued, and can never be shown again; a lost link is revoked and a new one
issued. Expiry and revocation live in the row, so a coordinator can end a link at once."""
import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload, selectinload

from crm.auth.models import User
from crm.core.errors import RuleError
from crm.core.time import utcnow
from crm.extensions import db
from crm.programs.models import Cohort, Enrollment, EnrollmentStatus, SubmissionLink

SALT = "submission-link"
MAX_DAYS_VALID = 365
DEFAULT_DAYS_VALID = 30


class LinkError(RuleError):
    """A link that cannot be used; `status` is the HTTP status its page answers with."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_days_valid(days) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS_VALID:
        raise RuleError(_("유효 기간은 1일부터 %(n)d일 사이로 입력하세요.", n=MAX_DAYS_VALID), field="days_valid")
    return days


def issue_link(enrollment: Enrollment, *, days_valid: int, actor: User) -> tuple[SubmissionLink, str]:
    """A new link for the enrollment and its URL; the URL exists only in the return value."""
    if enrollment.status is not EnrollmentStatus.ACTIVE:
        raise RuleError(_("참여중인 기업에만 제출 링크를 발급할 수 있습니다."))
    days = check_days_valid(days_valid)
    secret = secrets.token_urlsafe(32)
    link = SubmissionLink(enrollment_id=enrollment.id, secret_hash=_hash(secret),
                          expires_at=utcnow() + timedelta(days=days), created_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    token = _serializer().dumps({"link": link.id, "secret": secret})
    return link, url_for("submit.form", token=token, _external=True)


def revoke_link(link: SubmissionLink, *, actor: User) -> SubmissionLink:
    """End a link at once; revoking one already revoked changes nothing."""
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_by_id = actor.id
        db.session.flush()
    return link


def resolve(token: str) -> SubmissionLink:
    """The usable link a token names, with its enrollment, company and cohort loaded; else a LinkError:
    404 for a forged or tampered token, 410 for an expired or revoked link or an enrollment that has ended."""
    forged = LinkError(_("올바르지 않은 링크입니다. 받은 주소를 다시 확인하세요."), 404)
    try:
        payload = _serializer().loads(token)
        link_id, secret = int(payload["link"]), str(payload["secret"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise forged from None
    link = db.session.scalar(
        sa.select(SubmissionLink).where(SubmissionLink.id == link_id)
        .options(joinedload(SubmissionLink.enrollment).joinedload(Enrollment.company),
                 joinedload(SubmissionLink.enrollment).joinedload(Enrollment.cohort),
                 selectinload(SubmissionLink.enrollment, Enrollment.cohort, Cohort.indicators)))
    if link is None or not hmac.compare_digest(link.secret_hash, _hash(secret)):
        raise forged
    if link.revoked_at is not None:
        raise LinkError(_("이 링크는 더 이상 사용할 수 없습니다"), 410)
    if not link.is_active():
        raise LinkError(_("이 링크는 만료되었습니다"), 410)
    if link.enrollment is None or link.enrollment.status is not EnrollmentStatus.ACTIVE:
        raise LinkError(_("이 참여는 더 이상 주간 보고를 받지 않습니다."), 410)
    return link
