from datetime import timedelta

import sqlalchemy as sa
import time_machine

from crm.audit.models import AuditLog
from crm.core.time import seoul_today, utcnow


def _edit_role(client, user, role):
    return client.post(f"/admin/users/{user.id}/edit", data={
        "name": user.name, "role": role, "active": "y", "version": user.version})


def test_the_audit_log_shows_who_changed_which_field_from_what_to_what(admin, coach, client_as):
    client = client_as(admin)
    _edit_role(client, coach, "coordinator")

    page = client.get("/admin/audit/?record_type=User&action=update")

    assert page.status_code == 200
    assert "관리자1" in page.text
    assert f"User #{coach.id}" in page.text
    assert "<del>coach</del> → <ins>coordinator</ins>" in page.text


def test_the_audit_log_filters_by_user_record_and_date(admin, coach, coordinator, client_as, db):
    client = client_as(admin)
    _edit_role(client, coach, "coordinator")
    _edit_role(client, coordinator, "coach")

    by_record = client.get(f"/admin/audit/?record_type=User&record_id={coach.id}&action=update")
    by_actor = client.get(f"/admin/audit/?actor_id={coach.id}")
    tomorrow = (seoul_today() + timedelta(days=1)).isoformat()  # the filter's days are Seoul days
    by_future_date = client.get(f"/admin/audit/?date_from={tomorrow}")

    assert "전체 1건" in by_record.text and f"User #{coach.id}" in by_record.text
    assert "전체 0건" in by_actor.text
    assert "전체 0건" in by_future_date.text


def test_a_date_range_that_ends_before_it_starts_is_refused_beside_the_field(admin, client_as):
    response = client_as(admin).get("/admin/audit/?date_from=2026-02-01&date_to=2026-01-01")

    assert response.status_code == 422
    assert "종료일이 시작일보다 앞섭니다." in response.text


def test_dates_are_seoul_calendar_days(admin, coach, client_as, db):
    # 2026-03-01 23:30 UTC is 2026-03-02 08:30 in Seoul.
    with time_machine.travel("2026-03-01 23:30:00+00:00", tick=False):
        db.session.add(AuditLog(actor_label="system", action="login"))
        db.session.commit()
    client = client_as(admin)

    on_the_second = client.get("/admin/audit/?action=login&date_from=2026-03-02&date_to=2026-03-02")
    on_the_first = client.get("/admin/audit/?action=login&date_from=2026-03-01&date_to=2026-03-01")

    assert "전체 1건" in on_the_second.text
    assert "2026. 3. 2. 08:30" in on_the_second.text
    assert "전체 0건" in on_the_first.text


def test_the_audit_page_issues_the_same_number_of_statements_for_few_and_many_rows(admin, client_as, db,
                                                                                   count_queries):
    client = client_as(admin)
    with count_queries() as few:
        client.get("/admin/audit/")
    db.session.execute(sa.insert(AuditLog), [{"actor_id": admin.id, "actor_label": "admin1", "action": "login",
                                              "at": utcnow()} for _ in range(120)])
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/audit/")

    assert many.count == few.count


def test_a_long_log_is_counted_only_up_to_the_limit(monkeypatch, admin, client_as, db):
    monkeypatch.setattr("crm.audit.views.COUNT_LIMIT", 4)
    client = client_as(admin)
    db.session.add_all(AuditLog(actor_label="system", action="export") for _ in range(6))
    db.session.commit()

    capped = client.get("/admin/audit/?action=export").text
    exact = client.get("/admin/audit/?action=login_failed").text

    assert "4건 이상" in capped
    assert "4건 이상" not in exact and "전체 0건" in exact


def _counts(statements: list[str]) -> int:
    return sum("count(" in statement.lower() for statement in statements)


def test_a_count_under_the_limit_follows_new_entries_and_one_past_it_is_not_counted_again(
        monkeypatch, admin, client_as, db, count_queries):
    monkeypatch.setattr("crm.audit.views.COUNT_LIMIT", 4)
    client = client_as(admin)
    db.session.add_all(AuditLog(actor_label="system", action="export") for _ in range(3))
    db.session.commit()
    with count_queries() as under_the_limit:
        assert "전체 3건" in client.get("/admin/audit/?action=export").text

    db.session.add_all(AuditLog(actor_label="system", action="export") for _ in range(2))
    db.session.commit()
    assert "4건 이상" in client.get("/admin/audit/?action=export").text
    db.session.add(AuditLog(actor_label="system", action="export"))
    db.session.commit()
    with count_queries() as past_the_limit:
        assert "4건 이상" in client.get("/admin/audit/?action=export").text

    assert _counts(under_the_limit.statements) == 1
    assert _counts(past_the_limit.statements) == 0


def test_the_audit_export_streams_every_filtered_entry_and_logs_their_count(monkeypatch, admin, client_as, db):
    monkeypatch.setattr("crm.audit.views.EXPORT_CHUNK", 2)
    db.session.add_all(AuditLog(actor_label=f"user{n}", action="export") for n in range(5))
    db.session.commit()
    client = client_as(admin)

    response = client.get("/admin/audit/export.csv?action=export", buffered=False)
    streamed = response.is_streamed
    lines = response.get_data(as_text=True).strip().splitlines()

    assert streamed
    assert len(lines) == 1 + 5
    logged = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "export")
                                .order_by(AuditLog.id.desc())).first()
    assert logged.changes["list"] == "audit-log" and logged.changes["rows"] == 5


def test_the_user_filter_lists_a_user_made_after_the_page_was_shown(admin, client_as, make_user, db):
    client = client_as(admin)
    assert "새사용자" not in client.get("/admin/audit/").text

    make_user(name="새사용자", login_id="newcomer")
    db.session.commit()

    assert "새사용자 (newcomer)" in client.get("/admin/audit/").text


def test_kept_rows_follow_new_entries_a_renamed_actor_and_the_language(admin, coach, client_as, db):
    client = client_as(admin)
    rows_before = client.get("/admin/audit/").text.split("<tbody>")[1].count("<tr>")
    client.get("/admin/audit/export.csv")  # an event of the log, not a change of domain data
    assert client.get("/admin/audit/").text.split("<tbody>")[1].count("<tr>") == rows_before + 1

    _edit_role(client, coach, "coordinator")
    url = "/admin/audit/?record_type=User&action=update"
    assert client.get(url).text.count("<del>coach</del>") == 1

    _edit_role(client, coach, "coach")
    page = client.get(url).text
    assert "<del>coordinator</del> → <ins>coach</ins>" in page and "<del>coach</del>" in page

    client.post(f"/admin/users/{admin.id}/edit", data={"name": "새이름관리자", "role": "admin", "active": "y",
                                                        "version": admin.version})
    assert "새이름관리자" in client.get(url).text.split("<tbody>")[1]
    client.post("/lang", data={"lang": "en", "next": "/"})
    assert "<td>Edit</td>" in client.get(url).text.split("<tbody>")[1]
