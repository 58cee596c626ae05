"""T31: each security event — login and failed login with the IP, refused access, an export, an import, a role change,
a delete, logout — leaves exactly one audit record with a UTC time, the actor and the IP, and no record or log line
holds a password or a session cookie."""
import io
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditAction, AuditLog
from crm.core.time import utcnow
from crm.imports.models import ImportBatch
from tests.conftest import PASSWORD, log_in
from tests.imports.conftest import COMPANY_HEADERS, company_rows, csv_bytes

VERSION_INPUT = re.compile(r'name="version" type="hidden" value="(\d+)"')


class AuditTrail:
    """The audit rows written since the last look."""

    def __init__(self, db):
        self.db = db
        self.seen = self._last_id()

    def _last_id(self) -> int:
        return self.db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditLog.id), 0)))

    def new(self) -> list[AuditLog]:
        self.db.session.expire_all()
        rows = list(self.db.session.scalars(sa.select(AuditLog).where(AuditLog.id > self.seen).order_by(AuditLog.id)))
        self.seen = self._last_id()
        return rows


def events(rows) -> list[tuple]:
    return [(row.action, row.actor_id, row.ip) for row in rows]


def from_ip(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


@pytest.fixture
def trail(db):
    return AuditTrail(db)


def test_t31_every_security_event_is_one_record_with_utc_time_actor_and_ip(app, db, admin, coordinator, coach,
                                                                           make_company, trail, caplog):
    caplog.set_level(logging.DEBUG)
    office, home = "10.31.0.1", "10.31.0.2"
    client = app.test_client()
    doomed = make_company("지울기업")
    trail.new()

    assert log_in(client, "coordinator1", "wrong password", **from_ip(home)).status_code == 401
    assert events(trail.new()) == [("login_failed", None, home)]

    assert log_in(client, "coordinator1", **from_ip(office)).status_code == 302
    assert events(trail.new()) == [("login", coordinator.id, office)]

    assert client.get("/admin/users/", **from_ip(office)).status_code == 403
    assert events(trail.new()) == [("access_denied", coordinator.id, office)]

    assert client.get("/companies/999999", **from_ip(office)).status_code == 404
    assert events(trail.new()) == [("not_found", coordinator.id, office)]

    assert client.get("/companies/export.xlsx", **from_ip(office)).status_code == 200
    [export] = trail.new()
    assert (export.action, export.actor_id, export.ip, export.changes["rows"]) == ("export", coordinator.id, office, 1)

    upload = client.post("/imports/", content_type="multipart/form-data", **from_ip(office), data={
        "kind": "companies", "file": (io.BytesIO(csv_bytes(COMPANY_HEADERS, company_rows(2))), "기업.csv")})
    batch_id = db.session.scalar(sa.select(ImportBatch.id))
    assert client.post(f"/imports/{batch_id}/apply", **from_ip(office)).status_code == 302
    imported = [row for row in trail.new() if row.record_type == "Company"]
    assert upload.status_code == 302
    assert [(row.action, row.actor_id, row.ip, row.import_batch_id) for row in imported] == [
        (AuditAction.INSERT, coordinator.id, office, batch_id)] * 2

    assert client.post(f"/companies/{doomed.id}/delete", **from_ip(office)).status_code == 302
    deleted = [row for row in trail.new() if row.record_type == "Company"]
    assert [(row.action, row.record_id, row.actor_id, row.ip) for row in deleted] == [
        (AuditAction.DELETE, str(doomed.id), coordinator.id, office)]

    assert client.post("/logout", **from_ip(office)).status_code == 302
    logout = trail.new()
    assert events(row for row in logout if row.action != AuditAction.UPDATE) == [("logout", coordinator.id, office)]
    # Besides the event, the user's session token is rotated: a data change, logged redacted.
    assert [row.changes for row in logout if row.action == AuditAction.UPDATE] == [
        {"session_token": ["***", "***"]}]

    admin_client = app.test_client()
    log_in(admin_client, "admin1", **from_ip(office))
    trail.new()
    version = VERSION_INPUT.search(admin_client.get(f"/admin/users/{coach.id}/edit", **from_ip(office)).text).group(1)
    changed = admin_client.post(f"/admin/users/{coach.id}/edit", **from_ip(office), data={
        "name": coach.name, "email": "", "role": "coordinator", "active": "y", "version": version})
    assert changed.status_code == 302
    [role_change] = [row for row in trail.new() if row.record_type == "User"]
    assert (role_change.action, role_change.record_id, role_change.actor_id, role_change.ip) == (
        AuditAction.UPDATE, str(coach.id), admin.id, office)
    assert role_change.changes["role"] == ["coach", "coordinator"]

    every_row = db.session.scalars(sa.select(AuditLog)).all()
    assert all(row.at.utcoffset() == timedelta(0) and utcnow() - row.at < timedelta(minutes=5) for row in every_row)
    cookies = [cookie.value for test_client in (client, admin_client)
               for cookie in [test_client.get_cookie("session")] if cookie]
    stored = db.session.execute(sa.text("SELECT * FROM audit_logs")).all()
    secrets = [PASSWORD, *cookies]
    assert [secret for secret in secrets for row in stored if secret in str(tuple(row))] == []
    assert [secret for secret in secrets if secret in caplog.text] == []


def test_t31_a_user_name_with_a_line_break_is_stored_encoded_in_the_audit_record(db, admin, client_as):
    response = client_as(admin).post("/admin/users/new", data={
        "login_id": "newline1", "name": "mallory\nadmin logged in", "email": "", "role": "coach",
        "password": "long enough passphrase", "password_confirm": "long enough passphrase"})

    assert response.status_code == 302
    stored = db.session.execute(sa.text(
        "SELECT CAST(changes AS TEXT) FROM audit_logs WHERE record_type = 'User' AND action = 'insert' "
        "AND CAST(changes AS TEXT) LIKE '%newline1%'")).scalar_one()
    assert "\n" not in stored
    assert "mallory\\nadmin logged in" in stored
