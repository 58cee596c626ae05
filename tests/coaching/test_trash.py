"""Deleted coaching sessions and needs assessments in the admin's trash: listed, restored with their items, purged."""
from datetime import timedelta

import sqlalchemy as sa

from crm.audit.models import AuditLog
from crm.coaching import sessions
from crm.coaching.models import ActionItem, CoachingSession, SessionMode
from crm.companies.services import delete_company
from crm.core.softdelete import including_deleted
from crm.core.time import seoul_today


def _session_with_items(db, make_company, coach, coordinator):
    company = make_company(coaches=[coach])
    session = sessions.create_session(
        company, held_on=seoul_today(), duration_minutes=60, mode=SessionMode.REMOTE, topic="온라인 홍보",
        action_items=[("계정 개설", None, seoul_today() + timedelta(days=7)),
                      ("사진 교체", coach.id, seoul_today() + timedelta(days=7))],
        actor=coach)
    db.session.commit()
    sessions.delete_session(session, actor=coordinator)
    db.session.commit()
    return company, session


def _live(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_deleted_session_is_in_the_trash_and_comes_back_with_its_items(db, make_company, coach, coordinator,
                                                                         admin, client_as):
    company, session = _session_with_items(db, make_company, coach, coordinator)
    client = client_as(admin)

    listed = client.get("/admin/trash/?kind=coaching_session")
    restored = client.post(f"/admin/trash/coaching_session/{session.id}/restore")

    assert "온라인 홍보" in listed.text and "전체 1건" in listed.text
    assert restored.status_code == 302
    assert (_live(db, CoachingSession), _live(db, ActionItem)) == (1, 2)
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.record_type == "CoachingSession")
                             .order_by(AuditLog.id.desc())) == "restore"


def test_a_session_of_a_deleted_company_is_not_restored(db, make_company, coach, coordinator, admin, client_as):
    company, session = _session_with_items(db, make_company, coach, coordinator)
    delete_company(company, actor=coordinator)
    db.session.commit()

    response = client_as(admin).post(f"/admin/trash/coaching_session/{session.id}/restore")

    assert response.status_code == 409
    assert _live(db, CoachingSession) == 0


def test_purging_a_session_removes_its_items_and_logs_each_delete(db, make_company, coach, coordinator, admin,
                                                                  client_as):
    company, session = _session_with_items(db, make_company, coach, coordinator)

    response = client_as(admin).post(f"/admin/trash/coaching_session/{session.id}/purge")

    assert response.status_code == 302
    remaining = db.session.scalar(including_deleted(sa.select(sa.func.count(ActionItem.id))))
    assert remaining == 0
    deletes = db.session.scalars(sa.select(AuditLog.record_type).where(AuditLog.action == "delete")).all()
    assert deletes.count("ActionItem") >= 2 and "CoachingSession" in deletes


def test_only_admins_see_the_trash_of_sessions(db, make_company, coach, coordinator, client_as):
    _session_with_items(db, make_company, coach, coordinator)

    assert client_as(coordinator).get("/admin/trash/?kind=coaching_session").status_code == 403
