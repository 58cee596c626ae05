"""Two coordinators assigning the same coach to a company at the same moment: the second is told, not a 500.

The race needs a second database connection that commits between the first request's read and its write,
which only PostgreSQL gives here (the SQLite test database is one in-memory connection, and SQLite's
BEGIN IMMEDIATE serialises writing requests anyway)."""
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from crm.companies.models import CompanyCoach
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(not on_postgres(), reason="needs a second connection (PostgreSQL)")


def _another_coordinator_assigns_first(db, company_id: int, coach_id: int) -> None:
    """Just before this request writes, another one commits the same assignment."""

    def commit_the_other_assignment(session, flush_context, instances):
        # A plain connection, not a second Session: a session's first write waits for the data-version row this
        # request's transaction already holds (crm.core.cache), and in one thread that wait would never end.
        with db.engine.begin() as other:
            other.execute(sa.insert(CompanyCoach.__table__).values(company_id=company_id, coach_id=coach_id))

    event.listen(db.session(), "before_flush", commit_the_other_assignment, once=True)


def test_assigning_a_coach_someone_assigned_a_moment_ago_answers_409_and_keeps_one_link(
        db, make_company, coach, coordinator, client_as):
    company = make_company()
    client = client_as(coordinator)
    _another_coordinator_assigns_first(db, company.id, coach.id)

    response = client.post(f"/companies/{company.id}/coaches", data={"coach_ids": [coach.id]})

    assert response.status_code == 409
    assert "다른 사용자가 방금 코치 배정을 바꿨습니다" in response.get_data(as_text=True)
    db.session.rollback()
    links = db.session.scalars(sa.select(CompanyCoach).where(CompanyCoach.company_id == company.id)).all()
    assert [link.coach_id for link in links] == [coach.id]
