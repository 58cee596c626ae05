"""Submission links: issued once with a URL nobody can see again, resolved only when untampered, unexpired and
unrevoked, revoked by a coordinator."""
import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from itsdangerous import URLSafeTimedSerializer

from crm.audit.models import AuditLog
from crm.core.errors import RuleError
from crm.core.softdelete import soft_delete
from crm.core.time import utcnow
from crm.programs import links
from crm.programs.models import EnrollmentStatus, SubmissionLink


def token_of(url: str) -> str:
    return url.rsplit("/submit/", 1)[1]


def issued(db, enrollment, actor, days: int = 30) -> tuple[SubmissionLink, str]:
    link, url = links.issue_link(enrollment, days_valid=days, actor=actor)
    db.session.commit()
    return link, token_of(url)


def test_an_issued_link_keeps_only_the_hash_of_its_secret(app, db, make_enrollment, coordinator):
    enrollment = make_enrollment()

    with app.test_request_context():
        link, url = links.issue_link(enrollment, days_valid=30, actor=coordinator)
        db.session.commit()
        payload = URLSafeTimedSerializer(app.secret_key, salt="submission-link").loads(token_of(url))

    stored = db.session.get(SubmissionLink, link.id)
    assert payload["link"] == link.id
    assert stored.secret_hash == hashlib.sha256(payload["secret"].encode()).hexdigest()
    assert payload["secret"] not in stored.secret_hash
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.record_type == "SubmissionLink"))
    assert payload["secret"] not in str(audit.changes) and stored.secret_hash not in str(audit.changes)


def test_a_fresh_link_resolves_to_its_enrollment(app, db, make_enrollment, coordinator):
    enrollment = make_enrollment()
    with app.test_request_context():
        link, token = issued(db, enrollment, coordinator)

    assert links.resolve(token).enrollment.id == enrollment.id


@pytest.mark.parametrize("days", [0, -5, 366, None, "30"])
def test_a_validity_outside_one_to_365_days_is_refused(app, db, make_enrollment, coordinator, days):
    enrollment = make_enrollment()

    with app.test_request_context(), pytest.raises(RuleError) as refused:
        links.issue_link(enrollment, days_valid=days, actor=coordinator)

    assert refused.value.field == "days_valid"


def test_no_link_is_issued_for_an_enrollment_that_has_ended(app, db, make_enrollment, coordinator):
    enrollment = make_enrollment(status=EnrollmentStatus.COMPLETED)

    with app.test_request_context(), pytest.raises(RuleError):
        links.issue_link(enrollment, days_valid=30, actor=coordinator)


def test_a_tampered_token_is_refused_as_not_found(app, db, make_enrollment, coordinator):
    with app.test_request_context():
        _link, token = issued(db, make_enrollment(), coordinator)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    with pytest.raises(links.LinkError) as refused:
        links.resolve(tampered)

    assert refused.value.status == 404


def test_a_token_signed_with_another_key_or_naming_a_wrong_secret_is_refused(app, db, make_enrollment, coordinator):
    with app.test_request_context():
        link, _token = issued(db, make_enrollment(), coordinator)
    forged_key = URLSafeTimedSerializer("another key", salt="submission-link").dumps({"link": link.id, "secret": "x"})
    wrong_secret = URLSafeTimedSerializer(app.secret_key, salt="submission-link").dumps(
        {"link": link.id, "secret": "guessed"})

    for token in (forged_key, wrong_secret, "garbage"):
        with pytest.raises(links.LinkError) as refused:
            links.resolve(token)
        assert refused.value.status == 404


def test_an_expired_link_says_so(app, db, make_enrollment, coordinator):
    with app.test_request_context():
        _link, token = issued(db, make_enrollment(), coordinator, days=7)

    with time_machine.travel(utcnow() + timedelta(days=7, seconds=1), tick=False), \
            pytest.raises(links.LinkError, match="이 링크는 만료되었습니다") as refused:
        links.resolve(token)

    assert refused.value.status == 410


def test_a_revoked_link_says_so_and_revoking_twice_changes_nothing(app, db, make_enrollment, coordinator):
    with app.test_request_context():
        link, token = issued(db, make_enrollment(), coordinator)
    links.revoke_link(link, actor=coordinator)
    db.session.commit()
    revoked_at = link.revoked_at

    links.revoke_link(link, actor=coordinator)

    assert link.revoked_at == revoked_at
    with pytest.raises(links.LinkError, match="이 링크는 더 이상 사용할 수 없습니다") as refused:
        links.resolve(token)
    assert refused.value.status == 410


def test_a_link_of_a_deleted_or_dropped_enrollment_no_longer_works(app, db, make_enrollment, coordinator):
    deleted, dropped = make_enrollment(), make_enrollment()
    with app.test_request_context():
        _link, deleted_token = issued(db, deleted, coordinator)
        _link, dropped_token = issued(db, dropped, coordinator)
    soft_delete(deleted, actor=coordinator)
    dropped.status = EnrollmentStatus.DROPPED
    db.session.commit()

    for token in (deleted_token, dropped_token):
        with pytest.raises(links.LinkError) as refused:
            links.resolve(token)
        assert refused.value.status == 410


def test_a_coordinator_issues_a_link_shown_once_and_revokes_it(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()
    client = client_as(coordinator)

    issued_page = client.post(f"/enrollments/{enrollment.id}/links", data={"days_valid": "14"})
    later_page = client.get(f"/enrollments/{enrollment.id}")
    link = db.session.scalar(sa.select(SubmissionLink))
    revoked = client.post(f"/enrollments/{enrollment.id}/links/{link.id}/revoke")

    assert issued_page.status_code == 200 and 'data-testid="issued-url"' in issued_page.text
    assert "/submit/" in issued_page.text and "/submit/" not in later_page.text
    assert revoked.status_code == 302
    db.session.expire_all()
    assert db.session.get(SubmissionLink, link.id).revoked_by_id == coordinator.id


def test_an_absurd_validity_gets_the_form_back_and_no_link(db, make_enrollment, coordinator, client_as):
    enrollment = make_enrollment()

    response = client_as(coordinator).post(f"/enrollments/{enrollment.id}/links", data={"days_valid": "-5"})

    assert response.status_code == 422
    assert "유효 기간은 1일부터 365일 사이로 입력하세요." in response.text
    assert db.session.scalar(sa.select(sa.func.count(SubmissionLink.id))) == 0


def test_a_link_of_another_enrollment_cannot_be_revoked_through_this_one(app, db, make_enrollment, coordinator,
                                                                         client_as):
    mine, other = make_enrollment(), make_enrollment()
    with app.test_request_context():
        link, _token = issued(db, other, coordinator)

    response = client_as(coordinator).post(f"/enrollments/{mine.id}/links/{link.id}/revoke")

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(SubmissionLink, link.id).revoked_at is None
