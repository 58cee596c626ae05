import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.auth.models import Role, User
from tests.conftest import PASSWORD, log_in


def _new_user_form(**overrides):
    form = {"login_id": "newcoord", "name": "새코디", "email": "new@example.org", "role": "coordinator",
            "password": "a fine passphrase", "password_confirm": "a fine passphrase"}
    form.update(overrides)
    return form


def _latest_update_of(db, user) -> AuditLog:
    return db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "update", AuditLog.record_id == str(user.id))
                             .order_by(AuditLog.id.desc()))


def _user_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_an_admin_creates_a_coordinator_who_can_then_log_in(admin, client_as, app, db):
    response = client_as(admin).post("/admin/users/new", data=_new_user_form())

    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.login_id == "newcoord"))
    assert (user.name, user.role, user.active) == ("새코디", Role.COORDINATOR, True)
    assert log_in(app.test_client(), "newcoord", "a fine passphrase").status_code == 302


def test_creating_a_user_is_in_the_audit_log_without_the_password_hash(admin, client_as, db):
    client_as(admin).post("/admin/users/new", data=_new_user_form())

    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "insert", AuditLog.record_type == "User")
                              .order_by(AuditLog.id.desc()))
    assert entry.actor_id == admin.id
    assert entry.changes["login_id"] == "newcoord"
    assert entry.changes["password_hash"] == "***"
    assert "a fine passphrase" not in str(entry.changes)


def test_bad_input_returns_the_form_with_messages_beside_the_fields_and_stores_nothing(admin, client_as, db):
    client = client_as(admin)
    before = _user_count(db)
    cases = {
        "missing name": (_new_user_form(name=""), "이름을 입력하세요."),
        "unknown role": (_new_user_form(role="superuser"), 'id="role-errors"'),
        "too long name": (_new_user_form(name="가" * 81), "이름은 80자 이하입니다."),
        "reused login id": (_new_user_form(login_id="admin1"), "이미 쓰이는 아이디입니다."),
        "malformed login id": (_new_user_form(login_id="a b"), "아이디는 영문 소문자"),
        "short password": (_new_user_form(password="short77", password_confirm="short77"), "8자 이상"),
        "different confirmation": (_new_user_form(password_confirm="something else"), "비밀번호가 서로 다릅니다."),
        "bad e-mail": (_new_user_form(email="not-an-address"), "올바른 이메일 주소가 아닙니다."),
    }

    for case, (form, message) in cases.items():
        response = client.post("/admin/users/new", data=form)
        assert response.status_code == 422, case
        assert message in response.text, case
        assert "invalid-feedback" in response.text, case

    assert _user_count(db) == before


def test_an_admin_changes_a_role_and_the_audit_log_holds_old_and_new(admin, coach, client_as, db):
    response = client_as(admin).post(f"/admin/users/{coach.id}/edit", data={
        "name": coach.name, "email": "", "role": "coordinator", "active": "y", "version": coach.version})

    assert response.status_code == 302
    entry = _latest_update_of(db, coach)
    assert entry.changes == {"role": ["coach", "coordinator"]}


def test_the_second_of_two_editors_is_refused_and_the_audit_log_holds_the_first_change_only(admin, coach, make_user,
                                                                                            client_as, db):
    other_admin = make_user(Role.ADMIN, login_id="admin2")
    first, second = client_as(admin), client_as(other_admin)
    opened_version = coach.version
    first.get(f"/admin/users/{coach.id}/edit")
    second.get(f"/admin/users/{coach.id}/edit")

    saved = first.post(f"/admin/users/{coach.id}/edit", data={
        "name": "첫 번째 저장", "role": "coach", "active": "y", "version": opened_version})
    refused = second.post(f"/admin/users/{coach.id}/edit", data={
        "name": "두 번째 저장", "role": "coach", "active": "y", "version": opened_version})

    assert saved.status_code == 302
    assert refused.status_code == 409
    assert "다른 사용자가 먼저 저장했습니다" in refused.text
    assert 'value="첫 번째 저장"' in refused.text  # the current values come back
    db.session.expire_all()
    assert db.session.get(User, coach.id).name == "첫 번째 저장"
    updates = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "update",
                                                           AuditLog.record_id == str(coach.id))).all()
    assert [entry.changes["name"][1] for entry in updates] == ["첫 번째 저장"]


def test_an_admin_cannot_demote_or_deactivate_themselves(admin, client_as, db):
    client = client_as(admin)

    demoted = client.post(f"/admin/users/{admin.id}/edit", data={"name": admin.name, "role": "coach", "active": "y",
                                                                  "version": admin.version})
    deactivated = client.post(f"/admin/users/{admin.id}/edit", data={"name": admin.name, "role": "admin",
                                                                      "version": admin.version})

    assert demoted.status_code == deactivated.status_code == 422
    db.session.expire_all()
    assert (admin.role, admin.active) == (Role.ADMIN, True)


def test_a_password_reset_lets_the_user_in_with_the_new_password_only(admin, coach, client_as, app, db):
    response = client_as(admin).post(f"/admin/users/{coach.id}/password", data={
        "password": "brand new secret", "password_confirm": "brand new secret", "version": coach.version})

    assert response.status_code == 302
    assert log_in(app.test_client(), coach.login_id, PASSWORD).status_code == 401
    assert log_in(app.test_client(), coach.login_id, "brand new secret").status_code == 302
    entry = _latest_update_of(db, coach)
    assert entry.changes["password_hash"] == ["***", "***"]


def test_a_refused_password_reset_keeps_the_old_password(admin, coach, client_as, app):
    response = client_as(admin).post(f"/admin/users/{coach.id}/password", data={
        "password": "short", "password_confirm": "short", "version": coach.version})

    assert response.status_code == 422
    assert log_in(app.test_client(), coach.login_id, PASSWORD).status_code == 302


def test_the_user_list_filters_by_role_and_pages_server_side(admin, make_user, client_as, app):
    app.config["PAGE_SIZE"] = 2
    for _ in range(3):
        make_user(Role.COACH)
    client = client_as(admin)

    coaches = client.get("/admin/users/?role=coach")
    second_page = client.get("/admin/users/?role=coach&page=2")

    assert "전체 3건" in coaches.text
    assert coaches.text.count('href="/admin/users/') - coaches.text.count('href="/admin/users/new') >= 2
    assert second_page.status_code == 200
    assert client.get("/admin/users/?role=coach&page=9").status_code == 404


def test_the_user_list_issues_the_same_number_of_statements_for_few_and_many_users(admin, make_user, client_as,
                                                                                     count_queries):
    client = client_as(admin)
    with count_queries() as few:
        client.get("/admin/users/")
    for _ in range(30):
        make_user(Role.COACH)
    with count_queries() as many:
        client.get("/admin/users/")

    assert many.count == few.count, (few.statements, many.statements)


def test_every_password_problem_shows_on_the_first_submit(admin, client_as):
    response = client_as(admin).post("/admin/users/new", data=_new_user_form(password="short77",
                                                                            password_confirm="other"))

    assert response.status_code == 422
    assert "비밀번호는 8자 이상이어야 합니다." in response.text
    assert "비밀번호가 서로 다릅니다." in response.text
