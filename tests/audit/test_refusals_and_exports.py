"""T31: refused access and data taken out leave a trace in the audit log; anonymous scans do not fill it."""
import sqlalchemy as sa

from crm.audit.models import AuditLog


def _events(db, action: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def test_t31_a_coach_asking_for_another_coachs_company_is_logged_as_not_found(db, make_company, coach, client_as):
    other_company = make_company()
    client = client_as(coach)

    response = client.get(f"/companies/{other_company.id}")

    assert response.status_code == 404
    [event] = _events(db, "not_found")
    assert (event.actor_id, event.ip) == (coach.id, "127.0.0.1")
    assert event.changes == {"method": "GET", "path": f"/companies/{other_company.id}", "status": 404}


def test_t31_a_coordinator_refused_an_admin_page_is_logged_as_access_denied(db, coordinator, client_as):
    response = client_as(coordinator).post("/admin/users/new", data={"login_id": "x"})

    assert response.status_code == 403
    [event] = _events(db, "access_denied")
    assert event.actor_id == coordinator.id
    assert event.changes["path"] == "/admin/users/new"


def test_t31_an_anonymous_404_is_not_logged(db, client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert _events(db, "not_found") == []


def test_t31_an_export_records_who_took_which_list_with_how_many_rows(db, make_company, coordinator, client_as):
    make_company("내보낼기업1")
    make_company("내보낼기업2")

    response = client_as(coordinator).get("/companies/export.csv?q=내보낼")

    assert response.status_code == 200
    [event] = _events(db, "export")
    assert event.actor_id == coordinator.id
    assert event.changes["list"] == "companies" and event.changes["format"] == "csv"
    assert event.changes["rows"] == 2
    assert "q=" in event.changes["query"]


def test_t31_a_login_id_with_a_line_break_is_stored_escaped_not_as_a_new_log_line(db, client):
    client.post("/login", data={"login_id": "mallory\nadmin logged in", "password": "whatever pw"})

    stored = db.session.execute(sa.text(
        "SELECT CAST(changes AS TEXT) FROM audit_logs WHERE action = 'login_failed'")).scalar_one()
    assert "\n" not in stored
    assert "mallory\\nadmin" in stored
