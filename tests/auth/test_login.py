from crm.audit.models import AuditLog
from crm.auth.models import User
from tests.conftest import PASSWORD, log_in


def test_the_right_password_signs_in_and_shows_the_korean_dashboard(client, coordinator):
    response = log_in(client, "coordinator1")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "대시보드" in page.text
    assert "코디1" in page.text


def test_a_wrong_password_gets_the_form_back_with_one_message_for_every_failure(client, coordinator, make_user):
    make_user(login_id="sleeper", active=False)

    wrong_password = log_in(client, "coordinator1", "not the password")
    unknown_user = log_in(client, "nobody", "not the password")
    inactive_user = log_in(client, "sleeper", PASSWORD)

    for response in (wrong_password, unknown_user, inactive_user):
        assert response.status_code == 401
        assert "아이디 또는 비밀번호가 올바르지 않습니다." in response.text
    assert client.get("/").status_code == 302


def test_login_and_its_failures_are_in_the_audit_log(client, db, coordinator):
    log_in(client, "coordinator1", "wrong password")
    log_in(client, "coordinator1")

    events = db.session.execute(
        db.select(AuditLog.action, AuditLog.actor_label, AuditLog.ip).where(AuditLog.action.like("login%"))
        .order_by(AuditLog.id)).all()
    assert events == [("login_failed", "coordinator1", "127.0.0.1"), ("login", "coordinator1", "127.0.0.1")]
    assert db.session.scalar(db.select(User.last_login_at).where(User.login_id == "coordinator1")) is not None


def test_the_login_id_is_matched_without_case_and_surrounding_spaces(client, coordinator):
    assert log_in(client, "  Coordinator1 ").status_code == 302
