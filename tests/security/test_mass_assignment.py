"""T17 field-level access and mass assignment: fields a form does not offer are ignored, whatever a request adds.

Each test posts a real form with extra fields that name columns of the model behind it (role, owner, company,
coach, deleted flag, id) and checks that only the offered fields changed."""
import re
from datetime import timedelta

import sqlalchemy as sa

from crm.auth.models import Role, User
from crm.coaching.models import CoachingSession, CoachProfile
from crm.companies.models import CompanyCoach, Product
from crm.core.softdelete import including_deleted
from crm.core.time import seoul_today
from tests.auth.test_security import table_snapshot
from tests.conftest import PASSWORD, log_in

VERSION_INPUT = re.compile(r'name="version" type="hidden" value="(\d*)"')

FORGED = {"id": "9999", "role": "admin", "active": "", "is_admin": "1", "deleted_at": "2021-01-01T00:00:00",
          "is_deleted": "0", "deleted_by_id": "1", "created_by_id": "1"}


def fresh(db, model, record_id):
    db.session.expire_all()
    return db.session.scalar(including_deleted(sa.select(model).where(model.id == record_id)))


def test_t17_a_password_change_with_role_login_id_and_token_fields_changes_the_password_only(app, db, coach,
                                                                                           client_as):
    before = fresh(db, User, coach.id)
    login_id, token = before.login_id, before.session_token

    response = client_as(coach).post("/account/password", data={
        **FORGED, "login_id": "takeover", "name": "바뀐 이름", "session_token": "forged", "password_hash": "forged",
        "current_password": PASSWORD, "password": "a brand new passphrase",
        "password_confirm": "a brand new passphrase"})

    assert response.status_code == 302
    after = fresh(db, User, coach.id)
    assert (after.role, after.login_id, after.name, after.active) == (Role.COACH, login_id, "코치1", True)
    assert after.session_token not in ("forged", token)  # rotated by the change, never taken from the form
    assert log_in(app.test_client(), login_id, "a brand new passphrase").status_code == 302


def test_t17_a_coachs_profile_save_naming_another_user_and_a_role_changes_only_their_own_profile(
        db, coach, make_coach, client_as):
    other = make_coach("다른 코치")
    client = client_as(coach)
    version = VERSION_INPUT.search(client.get(f"/coaches/{coach.id}/profile").text).group(1)

    response = client.post(f"/coaches/{coach.id}/profile", data={
        **FORGED, "user_id": str(other.id), "bio": "내 소개", "contact": "010-0000-0000", "version": version})

    assert response.status_code == 302
    profiles = db.session.execute(sa.select(CoachProfile.user_id, CoachProfile.bio)).all()
    assert profiles == [(coach.id, "내 소개")]
    assert fresh(db, User, coach.id).role is Role.COACH
    assert fresh(db, User, other.id).role is Role.COACH


def test_t17_a_coach_recording_a_session_with_another_coach_and_company_records_it_as_themselves(
        db, coach, make_coach, make_company, client_as):
    own = make_company("내 기업", coaches=[coach])
    other_coach = make_coach("다른 코치")
    other_company = make_company("남의 기업", coaches=[other_coach])
    client = client_as(coach)

    response = client.post(f"/coaching/sessions/new?company_id={own.id}", data={
        **FORGED, "coach_id": str(other_coach.id), "company_id": str(other_company.id),
        "held_on": (seoul_today() - timedelta(days=1)).isoformat(), "duration_minutes": "60", "mode": "in_person",
        "topic": "판로 상담"})

    assert response.status_code == 302
    [session] = db.session.scalars(including_deleted(sa.select(CoachingSession))).all()
    assert (session.coach_id, session.company_id, session.deleted_at) == (coach.id, own.id, None)
    assert session.id != 9999


def test_t17_a_coach_cannot_assign_coaches_or_edit_a_company_even_their_own(db, coach, make_coach, make_company,
                                                                           client_as):
    own = make_company("내 기업", coaches=[coach])
    other = make_coach("다른 코치")
    client = client_as(coach)
    before = table_snapshot(db)

    assigned = client.post(f"/companies/{own.id}/coaches", data={"coach_ids": [str(coach.id), str(other.id)]})
    edited = client.post(f"/companies/{own.id}/edit", data={
        **FORGED, "name": own.name, "enterprise_type": "other", "coach_ids": [str(other.id)],
        "coordinator_id": str(coach.id), "stage": "listed"})

    assert (assigned.status_code, edited.status_code) == (403, 403)
    assert table_snapshot(db) == before
    assert db.session.scalars(sa.select(CompanyCoach.coach_id).where(CompanyCoach.company_id == own.id)).all() == [
        coach.id]


def test_t17_a_product_posted_with_another_company_id_and_a_deleted_flag_stays_live_on_its_own_company(
        db, coordinator, make_company, client_as):
    own, other = make_company("상품 주인"), make_company("다른 기업")

    response = client_as(coordinator).post(f"/companies/{own.id}/products/new", data={
        **FORGED, "company_id": str(other.id), "name": "쌀", "price": "12000"})

    assert response.status_code == 302
    [product] = db.session.scalars(including_deleted(sa.select(Product))).all()
    assert (product.company_id, product.deleted_at, product.name, product.price) == (own.id, None, "쌀", 12_000)
    assert product.id != 9999


def test_t17_a_company_edit_with_stage_and_deleted_fields_keeps_the_stage_and_stays_live(
        db, coordinator, make_company, client_as):
    company = make_company("단계 고정")
    version = company.version
    client = client_as(coordinator)

    response = client.post(f"/companies/{company.id}/edit", data={
        **FORGED, "version": str(version), "name": "단계 고정", "enterprise_type": "other",
        "stage": "listed", "stage_since": "2000-01-01", "created_at": "2000-01-01"})

    assert response.status_code == 302
    stored = fresh(db, type(company), company.id)
    assert (stored.stage.value, stored.deleted_at, stored.version) == ("sourced", None, version + 1)
